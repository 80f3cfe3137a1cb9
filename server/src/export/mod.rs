//! Board export: a room's scene as a PNG image, an SVG drawing or a JSON document.
//!
//! The core turns the scene into drawing commands once ([`inkroom_core::render::export_commands`]);
//! [`png`] paints them with tiny-skia and [`svg`] writes them out as SVG elements, so both
//! formats show exactly what the browser's Canvas 2D painter shows. The JSON document is the
//! scene's live elements in the wire format, wrapped the way Excalidraw wraps its files.
//!
//! [`RoomExporter`] is the service server functions call (through
//! [`app::export::ssr::SceneExporter`]): it takes the scene from the room's live actor when one
//! is running (so unsaved-but-accepted ops are included) and otherwise loads the room's snapshot
//! and event log, then renders on the blocking pool.

pub mod png;
pub mod svg;

use crate::hub::Hub;
use app::export::ssr::{ExportError, SceneExporter};
use app::export::{ExportFormat, ExportedFile};
use base64::Engine;
use inkroom_core::element::Element;
use inkroom_core::render::{DrawCommand, export_commands, export_frame};
use inkroom_core::scene::Scene;
use serde::Serialize;
use std::sync::Arc;

/// World units of margin around the exported content.
pub const PADDING: f64 = 10.0;
/// The most pixels a rendered image may have (about 32 MB of RGBA while rendering).
pub const MAX_PIXELS: u64 = 8_000_000;
/// The longest side of a rendered image, in pixels.
pub const MAX_SIDE: u32 = 8192;
/// The version of the JSON document format.
pub const JSON_VERSION: u32 = 1;

/// The JSON export: `{"type": "inkroom", "version": 1, "source": …, "elements": […]}`.
#[derive(Serialize)]
struct Document<'a> {
    r#type: &'static str,
    version: u32,
    source: &'static str,
    elements: Vec<&'a Element>,
}

/// A rendered file and, for images, its size in pixels.
#[derive(Debug)]
pub struct Rendered {
    /// The file's bytes.
    pub bytes: Vec<u8>,
    /// Width and height in pixels (images only).
    pub size: Option<(u32, u32)>,
}

/// The drawing commands of the scene framed for export. Images over the size limits are
/// refused before anything is drawn.
fn framed(scene: &Scene, scale: f64) -> Result<(Vec<DrawCommand>, u32, u32), ExportError> {
    let frame = export_frame(scene, scale, PADDING);
    let (width, height) = (frame.width, frame.height);
    if width > MAX_SIDE || height > MAX_SIDE || u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(ExportError::TooLarge {
            width: width.into(),
            height: height.into(),
        });
    }
    Ok((export_commands(scene, &frame), width, height))
}

/// Renders `scene` as `format` at `scale` pixels per world unit. Synchronous and CPU-bound:
/// call it on the blocking pool.
pub fn render(scene: &Scene, format: ExportFormat, scale: f64) -> Result<Rendered, ExportError> {
    match format {
        ExportFormat::Json => {
            let doc = Document {
                r#type: "inkroom",
                version: JSON_VERSION,
                source: "inkroom",
                elements: scene.iter_live().collect(),
            };
            let bytes = serde_json::to_vec_pretty(&doc).map_err(|e| {
                tracing::error!(error = %e, "serialising an export");
                ExportError::Internal
            })?;
            Ok(Rendered { bytes, size: None })
        }
        ExportFormat::Svg => {
            let (commands, width, height) = framed(scene, scale)?;
            Ok(Rendered {
                bytes: svg::render(&commands, width, height).into_bytes(),
                size: Some((width, height)),
            })
        }
        ExportFormat::Png => {
            let (commands, width, height) = framed(scene, scale)?;
            let bytes = png::render(&commands, width, height).ok_or_else(|| {
                tracing::error!(width, height, "rasterising an export failed");
                ExportError::Internal
            })?;
            Ok(Rendered {
                bytes,
                size: Some((width, height)),
            })
        }
    }
}

/// Renders allowed at once. Rendering is CPU-bound on the blocking pool; capping it keeps a burst
/// of exports (or a client hammering the endpoint) from starving the rest of the server. Others
/// wait their turn.
pub const CONCURRENT_RENDERS: usize = 2;

/// The export service: finds a room's current scene and renders it.
#[derive(Debug, Clone)]
pub struct RoomExporter {
    hub: Arc<Hub>,
    renders: Arc<tokio::sync::Semaphore>,
}

impl RoomExporter {
    /// An exporter reading rooms through `hub`.
    pub fn new(hub: Arc<Hub>) -> Self {
        Self {
            hub,
            renders: Arc::new(tokio::sync::Semaphore::new(CONCURRENT_RENDERS)),
        }
    }
}

#[async_trait::async_trait]
impl SceneExporter for RoomExporter {
    async fn export(
        &self,
        room_id: &str,
        format: ExportFormat,
        scale: f64,
    ) -> Result<ExportedFile, ExportError> {
        let scene = self.hub.scene(room_id).await.map_err(|e| {
            tracing::error!(room = %room_id, error = %e, "loading a scene to export");
            ExportError::Internal
        })?;
        let _permit = self.renders.acquire().await.map_err(|e| {
            tracing::error!(error = %e, "export semaphore closed");
            ExportError::Internal
        })?;
        let span = tracing::Span::current();
        let rendered = tokio::task::spawn_blocking(move || {
            let _entered = span.enter();
            render(&scene, format, scale)
        })
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "export renderer panicked");
            ExportError::Internal
        })??;
        Ok(ExportedFile {
            format,
            mime: format.mime().to_owned(),
            width: rendered.size.map(|s| s.0),
            height: rendered.size.map(|s| s.1),
            data_base64: base64::engine::general_purpose::STANDARD.encode(&rendered.bytes),
        })
    }
}

#[cfg(test)]
mod tests;
