//! What server functions need from the real-time side to work with whole boards: a room's
//! current scene, a picture of some elements, and a new room's first scene. The server crate
//! implements it (with the hub, which holds live rooms, and the export renderer, which owns
//! tiny-skia); keeping it a trait keeps both out of the app crate and the wasm bundle.

use crate::error::AppError;
use inkroom_core::element::Element;

/// A drawing rendered for a gallery.
#[derive(Clone, Debug)]
pub struct Picture {
    /// The full image, PNG.
    pub image: Vec<u8>,
    /// Its size in pixels.
    pub width: u32,
    /// Its height in pixels.
    pub height: u32,
    /// A thumbnail that fits [`THUMBNAIL_SIZE`], PNG.
    pub thumbnail: Vec<u8>,
}

/// The box a thumbnail fits in, in pixels.
pub const THUMBNAIL_SIZE: (u32, u32) = (480, 360);
/// The longest side of a submission's full image, in pixels.
pub const IMAGE_SIDE: u32 = 2048;

/// Whole boards, for server functions.
#[async_trait::async_trait]
pub trait Boards: Send + Sync + std::fmt::Debug {
    /// The live elements of the room `room_id` now, including accepted edits not yet saved.
    async fn elements(&self, room_id: &str) -> Result<Vec<Element>, AppError>;
    /// Renders `elements` at most [`IMAGE_SIDE`] pixels on a side, with a thumbnail (on the
    /// blocking pool, sharing the export's render permits).
    async fn picture(&self, elements: Vec<Element>) -> Result<Picture, AppError>;
    /// Gives the new, empty room `room_id` the scene `elements` before anyone joins it.
    async fn seed(&self, room_id: &str, elements: Vec<Element>) -> Result<(), AppError>;
}
