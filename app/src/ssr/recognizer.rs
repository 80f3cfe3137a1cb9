//! Ink recognition as server functions see it: a trait the server crate implements with its
//! candle models, which keeps candle out of the app crate (and out of the wasm bundle).

use crate::error::AppError;
use inkroom_core::ink::{Charset, Ink, InkError, ShapeRecognition, TextRecognition};

/// The recognition models.
pub trait Recognizer: Send + Sync + std::fmt::Debug {
    /// Recognises a shape. Blocking (CPU-bound): call from the blocking pool.
    fn shape(&self, ink: &Ink) -> Result<ShapeRecognition, RecognizerError>;
    /// Reads handwriting using only characters of `charset`. Blocking (CPU-bound): call from
    /// the blocking pool.
    fn text(&self, ink: &Ink, charset: Charset) -> Result<TextRecognition, RecognizerError>;
}

/// Why a [`Recognizer`] could not answer.
#[derive(Debug, Clone, thiserror::Error)]
pub enum RecognizerError {
    /// The ink was refused (empty, too large, not finite).
    #[error(transparent)]
    Ink(#[from] InkError),
    /// No model for this task is installed.
    #[error("{0}")]
    Unavailable(String),
    /// The model failed; details are logged.
    #[error("{0}")]
    Failed(String),
}

impl From<RecognizerError> for AppError {
    fn from(e: RecognizerError) -> Self {
        match e {
            RecognizerError::Ink(e) => AppError::invalid("strokes", e.to_string()),
            RecognizerError::Unavailable(message) => AppError::Unavailable { message },
            RecognizerError::Failed(message) => {
                tracing::error!(%message, "recognition failed");
                AppError::Internal
            }
        }
    }
}
