//! The error every recogniser answers with.
//!
//! Its own module, below the recognisers and the handwriting reader that return it, so that
//! none of them has to import `ai/mod.rs` (which uses them) to name it.

use inkroom_core::ink::InkError;

/// Why a recogniser could not answer.
#[derive(Debug, thiserror::Error)]
pub enum RecognizeError {
    /// The ink was refused.
    #[error(transparent)]
    Ink(#[from] InkError),
    /// The model for this task is not installed.
    #[error("the {0} model is not available on this server")]
    Unavailable(&'static str),
    /// The model failed (a bug, not bad input).
    #[error("recognition failed: {0}")]
    Failed(String),
}
