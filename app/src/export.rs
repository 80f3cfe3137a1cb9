//! Exporting a board as a PNG image, an SVG drawing or a JSON document.
//!
//! The renderer that produces the files lives in the server crate (it needs tiny-skia and fonts,
//! which the browser bundle should not carry); server functions reach it through the
//! [`ssr::SceneExporter`] trait object in [`crate::ssr::ServerState`], the same way they reach
//! storage. Who may export: whoever may watch the room live, i.e. a signed-in user who can see it
//! (any signed-in user for a public room, members for a private one). Anonymous callers may not:
//! rendering costs real CPU, and the live board needs a sign-in too.

use crate::api::JsonOrForm;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The smallest export scale (pixels per world unit).
pub const MIN_SCALE: f64 = 0.1;
/// The largest export scale.
pub const MAX_SCALE: f64 = 4.0;

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
}

/// An exported file. The bytes travel base64-encoded inside the JSON answer: server functions
/// answer JSON, and a board export is small enough that a third more bytes is no concern.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportedFile {
    /// The format.
    pub format: ExportFormat,
    /// Its media type.
    pub mime: String,
    /// The image's width in pixels (PNG and SVG).
    pub width: Option<u32>,
    /// The image's height in pixels (PNG and SVG).
    pub height: Option<u32>,
    /// The file, base64 (standard alphabet, padded).
    pub data_base64: String,
}

/// Checks the requested scale: 1 when absent, otherwise finite and within bounds.
pub fn validate_scale(scale: Option<f64>) -> Result<f64, AppError> {
    match scale {
        None => Ok(1.0),
        Some(s) if s.is_finite() && (MIN_SCALE..=MAX_SCALE).contains(&s) => Ok(s),
        Some(_) => Err(AppError::invalid(
            "scale",
            format!("must be between {MIN_SCALE} and {MAX_SCALE}"),
        )),
    }
}

#[cfg(feature = "ssr")]
pub mod ssr {
    //! The export service as server functions see it.
    use super::{ExportFormat, ExportedFile};

    /// Why an export failed.
    #[derive(Debug, thiserror::Error)]
    pub enum ExportError {
        /// The image would be larger than the server renders (422, on `scale`).
        #[error("the image would be {width} × {height} pixels; export at a smaller scale")]
        TooLarge {
            /// Width in pixels.
            width: u64,
            /// Height in pixels.
            height: u64,
        },
        /// Loading or rendering failed (500; logged by the service).
        #[error("export failed")]
        Internal,
    }

    /// Renders rooms' scenes into files. Implemented by the server (`server::export`).
    #[async_trait::async_trait]
    pub trait SceneExporter: std::fmt::Debug + Send + Sync {
        /// The current scene of the room `room_id` as a file of `format`, at `scale` pixels per
        /// world unit (images only).
        async fn export(
            &self,
            room_id: &str,
            format: ExportFormat,
            scale: f64,
        ) -> Result<ExportedFile, ExportError>;
    }
}

/// Exports the room `slug`'s current scene as `format` at `scale` (0.1–4, default 1) pixels per
/// world unit. For signed-in users who can see the room.
#[server(prefix = "/api", endpoint = "rooms/export", input = JsonOrForm)]
pub async fn export_room(
    slug: String,
    format: ExportFormat,
    scale: Option<f64>,
) -> Result<ExportedFile, AppError> {
    use crate::rooms::ssr::visible_room;
    use crate::ssr::{api, identity, state};
    api(async move {
        let user = identity::require_user().await?;
        let scale = validate_scale(scale)?;
        let (room, _) = visible_room(&slug, Some(&user)).await?;
        let exporter = state()?.exporter;
        exporter
            .export(&room.id, format, scale)
            .await
            .map_err(|e| match e {
                ssr::ExportError::TooLarge { .. } => AppError::invalid("scale", e.to_string()),
                ssr::ExportError::Internal => AppError::Internal,
            })
    })
    .await
}

crate::json_or_form!(ExportRoom);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_default_to_one_and_must_be_in_range() {
        assert_eq!(validate_scale(None).unwrap(), 1.0);
        assert_eq!(validate_scale(Some(2.5)).unwrap(), 2.5);
        for bad in [0.0, 0.05, 4.5, f64::NAN, f64::INFINITY] {
            assert!(validate_scale(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn formats_are_lowercase_names_with_media_types() {
        assert_eq!(
            serde_json::from_str::<ExportFormat>(r#""svg""#).unwrap(),
            ExportFormat::Svg
        );
        assert_eq!(ExportFormat::Png.mime(), "image/png");
    }
}
