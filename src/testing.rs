//! Test fixtures shared by the core's unit tests.

use crate::element::{Element, ElementId, ElementKind, Props};
use crate::geom::{Rect, WorldPoint};
use crate::index::FracIndex;

/// A 10 × 10 element of `kind` at the origin with id `n` and paint index `index`.
pub fn element(n: u128, kind: ElementKind, index: FracIndex) -> Element {
    let r = Rect::from_corners(WorldPoint::new(0.0, 0.0), WorldPoint::new(10.0, 10.0));
    Element::new(ElementId::from_u128(n), Props::new(kind, r, index), 0, 0).expect("valid fixture")
}
