//! Test fixtures shared by the core's unit tests.

use crate::editor::{Editor, Entropy, PointerButton, Replacement, ToolKind};
use crate::element::{Element, ElementId, ElementKind, Props};
use crate::geom::{Rect, ScreenPoint, WorldPoint};
use crate::index::FracIndex;
use crate::ink::fit::CleanShape;

/// Every point a path passes through or steers by (end and control points).
pub fn path_points(path: &[crate::shape::PathEl]) -> Vec<WorldPoint> {
    use crate::shape::PathEl;
    path.iter()
        .flat_map(|el| match *el {
            PathEl::MoveTo(q) | PathEl::LineTo(q) => vec![q],
            PathEl::CubicTo(a, b, q) => vec![a, b, q],
            PathEl::Close => vec![],
        })
        .collect()
}

/// A 10 × 10 element of `kind` at the origin with id `n` and paint index `index`.
pub fn element(n: u128, kind: ElementKind, index: FracIndex) -> Element {
    let r = Rect::from_corners(WorldPoint::new(0.0, 0.0), WorldPoint::new(10.0, 10.0));
    Element::new(ElementId::from_u128(n), Props::new(kind, r, index), 0, 0).expect("valid fixture")
}

/// Deterministic ids (1, 2, …), nonces and time for editor tests.
#[derive(Debug, Default)]
pub struct Ids(pub u128);

impl Entropy for Ids {
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
pub fn drag(ed: &mut Editor, env: &mut Ids, from: (f64, f64), to: (f64, f64)) -> Option<ElementId> {
    ed.pointer_down(ScreenPoint::new(from.0, from.1), PointerButton::Primary);
    ed.pointer_move(ScreenPoint::new(
        (from.0 + to.0) / 2.0,
        (from.1 + to.1) / 2.0,
    ));
    ed.pointer_move(ScreenPoint::new(to.0, to.1));
    ed.pointer_up(ScreenPoint::new(to.0, to.1), env)
}

/// A click (press and release without moving) at `at`.
pub fn click(ed: &mut Editor, env: &mut Ids, at: (f64, f64)) -> Option<ElementId> {
    ed.pointer_down(ScreenPoint::new(at.0, at.1), PointerButton::Primary);
    ed.pointer_up(ScreenPoint::new(at.0, at.1), env)
}

/// The kinds of the live elements, in paint order.
pub fn live(ed: &Editor) -> Vec<ElementKind> {
    ed.scene().iter_live().map(|e| e.props().kind).collect()
}

/// Draws one freehand loop with the pencil (around a 100 × 60 box whose top-left corner is at
/// (100, 100) on screen); returns the stroke.
pub fn scribble(ed: &mut Editor, env: &mut Ids) -> ElementId {
    ed.set_tool(ToolKind::Freedraw);
    ed.pointer_down(ScreenPoint::new(100.0, 100.0), PointerButton::Primary);
    for (x, y) in [(200.0, 100.0), (200.0, 160.0), (100.0, 160.0)] {
        ed.pointer_move(ScreenPoint::new(x, y));
    }
    ed.pointer_up(ScreenPoint::new(100.0, 100.0), env).unwrap()
}

/// A board with one scribble replaced by a cross (two grouped lines).
pub fn crossed(ed: &mut Editor, env: &mut Ids) -> Replacement {
    let id = scribble(ed, env);
    let [stroke] = ed.ink([id]).try_into().unwrap();
    let fit = CleanShape::Cross {
        first: [[100.0, 100.0], [200.0, 160.0]],
        second: [[200.0, 100.0], [100.0, 160.0]],
    };
    ed.convert_to_shape(&stroke, &fit, env).unwrap()
}
