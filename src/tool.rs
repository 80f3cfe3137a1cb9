//! Drawing tools as explicit state machines.
//!
//! A tool receives pointer events in world coordinates and answers with a [`ToolOutcome`]; it
//! never touches the scene itself, so the same tool drives the browser, tests and benchmarks.

use crate::element::{Element, ElementError, ElementId, ElementKind, Props};
use crate::geom::{Rect, WorldPoint};
use crate::index::FracIndex;

/// Drags shorter than this (world units, both axes) are treated as clicks and create nothing.
pub const MIN_DRAG: f64 = 2.0;

/// A shape the user has finished drawing but that is not yet part of the scene.
#[derive(Clone, Debug, PartialEq)]
pub struct ShapeDraft {
    /// The shape kind.
    pub kind: ElementKind,
    /// Its box in world coordinates.
    pub rect: Rect,
}

impl ShapeDraft {
    /// Turns the draft into an element with default style.
    pub fn into_element(
        self,
        id: ElementId,
        index: FracIndex,
        nonce: u32,
        now_ms: i64,
    ) -> Result<Element, ElementError> {
        Element::new(id, Props::new(self.kind, self.rect, index), nonce, now_ms)
    }
}

/// What a pointer event did.
#[derive(Clone, Debug, PartialEq)]
pub enum ToolOutcome {
    /// Nothing to show or change.
    Idle,
    /// Show this draft as a preview; nothing is committed yet.
    Preview(ShapeDraft),
    /// The gesture finished: add this shape to the scene.
    Commit(ShapeDraft),
    /// The gesture ended without producing anything (a click, or cancelled).
    Cancelled,
}

/// The box-drawing tool state: idle, or dragging from an anchor corner.
#[derive(Clone, Debug, Default, PartialEq)]
enum BoxState {
    #[default]
    Idle,
    Dragging {
        anchor: WorldPoint,
        current: WorldPoint,
    },
}

/// Draws box-shaped elements (rectangle, diamond, ellipse) by dragging from one corner to the
/// opposite one.
#[derive(Clone, Debug, PartialEq)]
pub struct BoxTool {
    kind: ElementKind,
    state: BoxState,
}

/// The rectangle tool.
pub type RectangleTool = BoxTool;

impl Default for BoxTool {
    fn default() -> Self {
        Self::new(ElementKind::Rectangle)
    }
}

impl BoxTool {
    /// A tool that draws elements of `kind`.
    pub fn new(kind: ElementKind) -> Self {
        Self {
            kind,
            state: BoxState::Idle,
        }
    }

    /// Whether a drag is in progress.
    pub fn is_active(&self) -> bool {
        self.state != BoxState::Idle
    }

    fn draft(&self) -> Option<ShapeDraft> {
        match self.state {
            BoxState::Dragging { anchor, current } => Some(ShapeDraft {
                kind: self.kind,
                rect: Rect::from_corners(anchor, current),
            }),
            BoxState::Idle => None,
        }
    }

    /// Starts a drag at `p`.
    pub fn pointer_down(&mut self, p: WorldPoint) -> ToolOutcome {
        if !p.is_finite() {
            return ToolOutcome::Idle;
        }
        self.state = BoxState::Dragging {
            anchor: p,
            current: p,
        };
        ToolOutcome::Idle
    }

    /// Extends the drag to `p`; answers with a preview while dragging.
    pub fn pointer_move(&mut self, p: WorldPoint) -> ToolOutcome {
        match &mut self.state {
            BoxState::Dragging { current, .. } if p.is_finite() => {
                *current = p;
                self.draft().map_or(ToolOutcome::Idle, ToolOutcome::Preview)
            }
            _ => ToolOutcome::Idle,
        }
    }

    /// Ends the drag at `p`: a commit if the box is big enough, otherwise cancelled.
    pub fn pointer_up(&mut self, p: WorldPoint) -> ToolOutcome {
        self.pointer_move(p);
        let draft = self.draft();
        self.state = BoxState::Idle;
        match draft {
            Some(d) if d.rect.width() >= MIN_DRAG || d.rect.height() >= MIN_DRAG => {
                ToolOutcome::Commit(d)
            }
            Some(_) => ToolOutcome::Cancelled,
            None => ToolOutcome::Idle,
        }
    }

    /// Abandons a drag in progress (Escape, pointer cancel).
    pub fn cancel(&mut self) -> ToolOutcome {
        let was_active = self.is_active();
        self.state = BoxState::Idle;
        if was_active {
            ToolOutcome::Cancelled
        } else {
            ToolOutcome::Idle
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dragging_up_and_left_still_makes_a_positive_box() {
        let mut t = RectangleTool::default();
        t.pointer_down(WorldPoint::new(100.0, 100.0));
        let out = t.pointer_up(WorldPoint::new(40.0, 70.0));
        let ToolOutcome::Commit(d) = out else {
            panic!("expected a commit, got {out:?}")
        };
        assert_eq!(d.rect.min, WorldPoint::new(40.0, 70.0));
        assert_eq!((d.rect.width(), d.rect.height()), (60.0, 30.0));
        assert!(!t.is_active());
    }

    #[test]
    fn a_click_without_drag_creates_nothing() {
        let mut t = RectangleTool::default();
        t.pointer_down(WorldPoint::new(5.0, 5.0));
        assert_eq!(
            t.pointer_up(WorldPoint::new(5.5, 5.5)),
            ToolOutcome::Cancelled
        );
    }

    #[test]
    fn moves_preview_only_while_dragging() {
        let mut t = BoxTool::new(ElementKind::Ellipse);
        assert_eq!(t.pointer_move(WorldPoint::new(1.0, 1.0)), ToolOutcome::Idle);
        t.pointer_down(WorldPoint::new(0.0, 0.0));
        let ToolOutcome::Preview(d) = t.pointer_move(WorldPoint::new(10.0, 10.0)) else {
            panic!("expected a preview")
        };
        assert_eq!(d.kind, ElementKind::Ellipse);
        assert_eq!(t.cancel(), ToolOutcome::Cancelled);
        assert_eq!(t.pointer_up(WorldPoint::new(20.0, 20.0)), ToolOutcome::Idle);
    }

    #[test]
    fn non_finite_pointer_positions_are_ignored() {
        let mut t = RectangleTool::default();
        t.pointer_down(WorldPoint::new(f64::NAN, 0.0));
        assert!(!t.is_active());
        t.pointer_down(WorldPoint::new(0.0, 0.0));
        t.pointer_move(WorldPoint::new(f64::INFINITY, 3.0));
        let ToolOutcome::Commit(d) = t.pointer_up(WorldPoint::new(30.0, 30.0)) else {
            panic!()
        };
        assert_eq!(d.rect.max, WorldPoint::new(30.0, 30.0));
    }
}
