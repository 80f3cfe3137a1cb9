//! AI server functions: shape and handwriting recognition of ink sent by the canvas.
//!
//! Both take `{"strokes": [[[x, y], [x, y, t], …], …]}` (y down, any unit) and are open to any
//! signed-in user: recognition reads nothing from storage, so the only thing to guard is the
//! server's CPU: size limits ([`inkroom_core::ink::MAX_INK_POINTS`]), the work on the blocking
//! pool, and at most [`MAX_CONCURRENT`] recognitions at once (more wait their turn).

// `#[server]` turns each function into a struct whose fields are its parameters: they are
// documented on the function (`docs/api.md` lists them), not field by field.
#![allow(missing_docs)]

use crate::error::AppError;
use inkroom_core::ink::{Charset, InkPoint, ShapeRecognition, TextRecognition};
use leptos::prelude::*;

/// Recognitions running at once, at most; a burst of requests queues instead of taking every
/// core from the WebSocket hub.
pub const MAX_CONCURRENT: usize = 4;

#[cfg(feature = "ssr")]
mod ssr {
    use crate::error::AppError;
    use crate::ssr::identity;
    use crate::ssr::recognizer::{Recognizer, RecognizerError};
    use crate::ssr::state::state;
    use inkroom_core::ink::{Ink, InkPoint};
    use std::sync::Arc;

    /// Checks who is asking, validates the ink and runs `f` on the blocking pool.
    pub async fn run<T: Send + 'static>(
        strokes: Vec<Vec<InkPoint>>,
        f: impl FnOnce(&dyn Recognizer, &Ink) -> Result<T, RecognizerError> + Send + 'static,
    ) -> Result<T, AppError> {
        identity::require_user().await?;
        let ink = Ink::new(strokes);
        ink.validate().map_err(RecognizerError::from)?;
        let recognizer: Arc<dyn Recognizer> = state()?.recognizer;
        static PERMITS: tokio::sync::Semaphore =
            tokio::sync::Semaphore::const_new(super::MAX_CONCURRENT);
        let _permit = PERMITS.acquire().await.map_err(|_| AppError::Internal)?;
        tokio::task::spawn_blocking(move || f(recognizer.as_ref(), &ink))
            .await
            .map_err(|e| {
                tracing::error!(error = %e, "recognition task failed");
                AppError::Internal
            })?
            .map_err(AppError::from)
    }
}

/// Recognises a hand-drawn shape: its class, confidence, alternatives and the clean shape
/// fitted to the ink (`docs/api.md`).
#[server(prefix = "/api", endpoint = "ai/shape-recognition", input = crate::api::JsonOrForm)]
pub async fn recognize_shape(strokes: Vec<Vec<InkPoint>>) -> Result<ShapeRecognition, AppError> {
    crate::api::respond(ssr::run(strokes, |r, ink| r.shape(ink))).await
}

/// Reads handwriting (a character, word or short line): the text, its confidence, alternatives
/// and the reading without the lexicon (`docs/api.md`). `charset` (default any) restricts the
/// characters, e.g. to digits for a number field.
#[server(prefix = "/api", endpoint = "ai/handwriting-recognition", input = crate::api::JsonOrForm)]
pub async fn recognize_handwriting(
    strokes: Vec<Vec<InkPoint>>,
    #[server(default)] charset: Option<Charset>,
) -> Result<TextRecognition, AppError> {
    let charset = charset.unwrap_or_default();
    crate::api::respond(ssr::run(strokes, move |r, ink| r.text(ink, charset))).await
}

crate::api::json_or_form!(RecognizeShape, RecognizeHandwriting);
