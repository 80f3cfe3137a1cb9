//! Test fixtures shared by the core's unit tests.

use crate::element::{Element, ElementId, ElementKind, Props};
use crate::geom::{Rect, WorldPoint};
use crate::index::FracIndex;

/// A 10 × 10 element of `kind` at the origin with id `n` and paint index `index`.
pub fn element(n: u128, kind: ElementKind, index: FracIndex) -> Element {
    let r = Rect::from_corners(WorldPoint::new(0.0, 0.0), WorldPoint::new(10.0, 10.0));
    Element::new(ElementId::from_u128(n), Props::new(kind, r, index), 0, 0).expect("valid fixture")
}

/// Deterministic ids (1, 2, …), nonces and time for editor tests.
#[derive(Debug, Default)]
pub struct Ids(pub u128);

impl crate::editor::Entropy for Ids {
    fn element_id(&mut self) -> ElementId {
        self.0 += 1;
        ElementId::from_u128(self.0)
    }
    fn nonce(&mut self) -> u32 {
        7
    }
    fn now_ms(&mut self) -> i64 {
        1_000
    }
}

/// Drags the primary button from `from` to `to` (screen pixels) in three steps; returns what
/// the gesture created, if one element.
pub fn drag(
    ed: &mut crate::editor::Editor,
    env: &mut Ids,
    from: (f64, f64),
    to: (f64, f64),
) -> Option<ElementId> {
    use crate::editor::PointerButton;
    use crate::geom::ScreenPoint;
    ed.pointer_down(ScreenPoint::new(from.0, from.1), PointerButton::Primary);
    ed.pointer_move(ScreenPoint::new(
        (from.0 + to.0) / 2.0,
        (from.1 + to.1) / 2.0,
    ));
    ed.pointer_move(ScreenPoint::new(to.0, to.1));
    ed.pointer_up(ScreenPoint::new(to.0, to.1), env)
}

/// A click (press and release without moving) at `at`.
pub fn click(ed: &mut crate::editor::Editor, env: &mut Ids, at: (f64, f64)) -> Option<ElementId> {
    use crate::editor::PointerButton;
    use crate::geom::ScreenPoint;
    ed.pointer_down(ScreenPoint::new(at.0, at.1), PointerButton::Primary);
    ed.pointer_up(ScreenPoint::new(at.0, at.1), env)
}
