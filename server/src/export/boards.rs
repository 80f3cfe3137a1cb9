//! [`Boards`] for server functions (challenge submissions and remixes): a room's elements from
//! the hub, pictures from the export renderer under the same render permits, and a new room's
//! first snapshot.

use super::{ExportFormat, Exporter, PADDING, render};
use app::error::AppError;
use app::ssr::boards::{Boards, IMAGE_SIDE, Picture, THUMBNAIL_SIZE};
use inkroom_core::element::Element;
use inkroom_core::render::export_frame;
use inkroom_core::scene::Scene;

/// Pixels per world unit at which a picture of content `frame_width` × `frame_height` pixels
/// at scale 1 fits `(width, height)`, at most 2.
fn fit((frame_width, frame_height): (u32, u32), width: u32, height: u32) -> f64 {
    let by_width = f64::from(width) / f64::from(frame_width.max(1));
    let by_height = f64::from(height) / f64::from(frame_height.max(1));
    by_width.min(by_height).min(2.0)
}

/// A scene of `elements`, refusing invalid or repeated ones.
fn scene_of(elements: Vec<Element>) -> Result<Scene, AppError> {
    let mut scene = Scene::default();
    for e in elements {
        scene
            .insert(e)
            .map_err(|e| AppError::invalid("elements", e.to_string()))?;
    }
    Ok(scene)
}

/// Renders the full image and the thumbnail of `scene`. Synchronous and CPU-bound.
pub fn picture(scene: &Scene) -> Result<Picture, AppError> {
    let failed = |e: super::ExportError| {
        tracing::error!(error = %e, "rendering a submission");
        AppError::Internal
    };
    // The content's size once; each picture scales it.
    let frame = export_frame(scene, 1.0, PADDING);
    let size = (frame.width, frame.height);
    let image =
        render(scene, ExportFormat::Png, fit(size, IMAGE_SIDE, IMAGE_SIDE)).map_err(failed)?;
    let (tw, th) = THUMBNAIL_SIZE;
    let thumbnail = render(scene, ExportFormat::Png, fit(size, tw, th)).map_err(failed)?;
    let (width, height) = image.size.unwrap_or((0, 0));
    Ok(Picture {
        image: image.bytes,
        width,
        height,
        thumbnail: thumbnail.bytes,
    })
}

#[async_trait::async_trait]
impl Boards for Exporter {
    async fn elements(&self, room_id: &str) -> Result<Vec<Element>, AppError> {
        let scene = self.hub.scene(room_id).await.map_err(|e| {
            tracing::error!(room = %room_id, error = %e, "loading a board");
            AppError::Internal
        })?;
        Ok(scene.iter_live().cloned().collect())
    }

    async fn picture(&self, elements: Vec<Element>) -> Result<Picture, AppError> {
        let _permit = self
            .renders
            .acquire()
            .await
            .map_err(|_| AppError::Internal)?;
        let span = tracing::Span::current();
        tokio::task::spawn_blocking(move || {
            let _entered = span.enter();
            picture(&scene_of(elements)?)
        })
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "submission renderer panicked");
            AppError::Internal
        })?
    }

    async fn seed(&self, room_id: &str, elements: Vec<Element>) -> Result<(), AppError> {
        // Built as a scene first: what a room could not load is refused here, not at join.
        let scene = scene_of(elements)?;
        crate::hub::store::seed(self.hub.db(), room_id, scene.iter().cloned().collect())
            .await
            .map_err(|e| {
                tracing::error!(room = %room_id, error = %e, "seeding a board");
                AppError::Internal
            })
    }
}
