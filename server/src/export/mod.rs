//! Board export: a room's scene as a PNG image, an SVG drawing or a JSON document.
//!
//! The core turns the scene into drawing commands once ([`inkroom_core::render::export_commands`]);
//! [`png`] paints them with tiny-skia and [`svg`] writes them out as SVG elements, so both
//! formats show exactly what the browser's Canvas 2D painter shows. The JSON document is the
//! scene's live elements in the wire format, wrapped the way Excalidraw wraps its files.
//!
//! Files are plain downloads: `GET /api/rooms/{slug}/export.{png,svg,json}` ([`route`]) answers
//! the file's bytes with its media type. The [`Exporter`] takes the scene from the room's live
//! actor when one is running (so accepted-but-unsaved ops are included) and otherwise loads the
//! room's snapshot and event log, then renders on the blocking pool.

pub mod boards;
pub mod png;
pub mod route;
pub mod svg;

use crate::hub::Hub;
use inkroom_core::element::Element;
use inkroom_core::render::{DrawCommand, export_commands, export_frame};
use inkroom_core::scene::Scene;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// A file format to export to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    /// A PNG image.
    Png,
    /// An SVG drawing.
    Svg,
    /// The scene as JSON: `{"type": "inkroom", "version": 1, "elements": [...]}`.
    Json,
}

impl ExportFormat {
    /// The file's media type.
    pub fn mime(self) -> &'static str {
        match self {
            Self::Png => "image/png",
            Self::Svg => "image/svg+xml",
            Self::Json => "application/json",
        }
    }

    /// The file name extension.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Png => "png",
            Self::Svg => "svg",
            Self::Json => "json",
        }
    }
}

/// The smallest export scale (pixels per world unit).
pub const MIN_SCALE: f64 = 0.1;
/// The largest export scale.
pub const MAX_SCALE: f64 = 4.0;

/// Checks a requested scale: 1 when absent, otherwise finite and within bounds.
pub fn validate_scale(scale: Option<f64>) -> Result<f64, ExportError> {
    match scale {
        None => Ok(1.0),
        Some(s) if s.is_finite() && (MIN_SCALE..=MAX_SCALE).contains(&s) => Ok(s),
        Some(_) => Err(ExportError::BadScale),
    }
}

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The scale is out of range (422, on `scale`).
    #[error("must be between {MIN_SCALE} and {MAX_SCALE}")]
    BadScale,
    /// The image would be larger than the server renders (422, on `scale`).
    #[error("the image would be {width} × {height} pixels; export at a smaller scale")]
    TooLarge {
        /// Width in pixels.
        width: u64,
        /// Height in pixels.
        height: u64,
    },
    /// The JSON document would be larger than the server makes (422).
    #[error(
        "the board is about {megabytes} MB as JSON, more than the server exports; export it as an image"
    )]
    DocumentTooLarge {
        /// Its estimated size.
        megabytes: usize,
    },
    /// Loading or rendering failed (500; logged where it happened).
    #[error("export failed")]
    Internal,
}

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
pub struct Exporter {
    hub: Arc<Hub>,
    /// Shared with challenge submissions' pictures ([`boards`]).
    renders: Arc<tokio::sync::Semaphore>,
    /// The largest JSON document made, in estimated bytes.
    max_json_bytes: usize,
}

impl Exporter {
    /// An exporter reading rooms through `hub`, making JSON documents of at most
    /// `max_json_bytes` (estimated).
    pub fn new(hub: Arc<Hub>, max_json_bytes: usize) -> Self {
        Self {
            hub,
            renders: Arc::new(tokio::sync::Semaphore::new(CONCURRENT_RENDERS)),
            max_json_bytes,
        }
    }

    /// The current scene of the room `room_id` as a file of `format`, at `scale` pixels per
    /// world unit (images only).
    pub async fn export(
        &self,
        room_id: &str,
        format: ExportFormat,
        scale: f64,
    ) -> Result<Rendered, ExportError> {
        // The permit first: a queue of waiting exports must not each hold a copy of a scene.
        let _permit = self.renders.acquire().await.map_err(|e| {
            tracing::error!(error = %e, "export semaphore closed");
            ExportError::Internal
        })?;
        let scene = self.hub.scene(room_id).await.map_err(|e| {
            tracing::error!(room = %room_id, error = %e, "loading a scene to export");
            ExportError::Internal
        })?;
        if format == ExportFormat::Json {
            let bytes: usize = scene.iter_live().map(|e| e.props().approx_bytes()).sum();
            if bytes > self.max_json_bytes {
                return Err(ExportError::DocumentTooLarge {
                    megabytes: bytes >> 20,
                });
            }
        }
        let span = tracing::Span::current();
        tokio::task::spawn_blocking(move || {
            let _entered = span.enter();
            render(&scene, format, scale)
        })
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "export renderer panicked");
            ExportError::Internal
        })?
    }
}

#[cfg(test)]
mod tests;
