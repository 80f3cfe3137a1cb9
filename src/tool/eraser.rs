//! The eraser: everything the pointer drags over is deleted when the drag ends.
//!
//! Touched shapes fade while the drag goes on (Excalidraw's feedback) and are deleted together on
//! pointer-up as one undoable action, so one undo brings back a whole eraser stroke. Escape
//! abandons the stroke and deletes nothing.

use super::{
    Cursor, Edit, Feedback, HIT_PX, PointerInput, Preview, Tool, ToolContext, ToolOutcome,
    selectable,
};
use crate::element::ElementId;
use crate::geom::WorldPoint;
use std::collections::BTreeSet;

/// How far from the pointer the eraser reaches, screen pixels.
pub const ERASER_PX: f64 = HIT_PX;
/// Opacity (percent of their own) of shapes about to be erased.
const FADED: u8 = 25;

/// The eraser tool.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EraserTool {
    /// While erasing: the last pointer position.
    last: Option<WorldPoint>,
    touched: BTreeSet<ElementId>,
    preview: Preview,
}

impl EraserTool {
    /// Marks what lies along the segment `from`–`to`, sampled finely enough that a fast drag
    /// does not jump over a thin line.
    fn sweep(&mut self, from: WorldPoint, to: WorldPoint, ctx: &ToolContext<'_>) -> bool {
        let reach = ctx.world(ERASER_PX);
        let steps = ((to - from).length() / reach).ceil().clamp(1.0, 1000.0) as usize;
        let mut changed = false;
        for i in 0..=steps {
            let p = from + (to - from) * (i as f64 / steps as f64);
            for hit in ctx.scene.hit_test(p, reach) {
                // Text inside a shape erases the shape (its text goes with it).
                let Some(e) = ctx.scene.get(ctx.host(hit.id)) else {
                    continue;
                };
                if selectable(e.props()) && self.touched.insert(e.id) {
                    let mut faded = e.props().clone();
                    faded.opacity = (u16::from(faded.opacity) * u16::from(FADED) / 100) as u8;
                    self.preview.replaced.insert(e.id, faded);
                    changed = true;
                }
            }
        }
        changed
    }
}

impl Tool for EraserTool {
    fn pointer_down(&mut self, input: &PointerInput, ctx: &mut ToolContext<'_>) -> Feedback {
        if !input.at.is_finite() {
            return Feedback::None;
        }
        self.last = Some(input.at);
        Feedback::repaint_if(self.sweep(input.at, input.at, ctx))
    }

    fn pointer_move(&mut self, input: &PointerInput, ctx: &mut ToolContext<'_>) -> Feedback {
        let Some(last) = self.last.filter(|_| input.at.is_finite()) else {
            return Feedback::None;
        };
        self.last = Some(input.at);
        Feedback::repaint_if(self.sweep(last, input.at, ctx))
    }

    fn pointer_up(&mut self, input: &PointerInput, ctx: &mut ToolContext<'_>) -> ToolOutcome {
        self.pointer_move(input, ctx);
        self.last = None;
        self.preview = Preview::default();
        let touched = std::mem::take(&mut self.touched);
        // The selection must not keep pointing at what is gone.
        for id in &touched {
            ctx.selection.remove(*id);
        }
        if touched.is_empty() {
            ToolOutcome::Nothing
        } else {
            ToolOutcome::Commit(touched.into_iter().map(Edit::Delete).collect())
        }
    }

    fn cancel(&mut self) -> Feedback {
        let was = self.is_active();
        self.last = None;
        self.touched.clear();
        self.preview = Preview::default();
        Feedback::repaint_if(was)
    }

    fn is_active(&self) -> bool {
        self.last.is_some()
    }

    fn preview(&self) -> &Preview {
        &self.preview
    }

    fn cursor(&self, _at: WorldPoint, _ctx: &ToolContext<'_>) -> Cursor {
        Cursor::Crosshair
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tool::Selection;
    use crate::tool::testing::{at, ctx, scene_with};

    #[test]
    fn a_drag_across_two_outlines_deletes_both_in_one_commit() {
        let scene = scene_with(&[
            (0.0, 0.0, 100.0, 100.0),
            (200.0, 0.0, 300.0, 100.0),
            (0.0, 400.0, 50.0, 450.0),
        ]);
        let mut sel = Selection::default();
        sel.insert(ElementId::from_u128(1));
        let mut c = ctx(&scene, &mut sel);
        let mut t = EraserTool::default();
        t.pointer_down(&at(-50.0, 50.0), &mut c);
        // One fast move crosses both left edges and the middle one's: sampling catches them.
        assert_eq!(t.pointer_move(&at(250.0, 50.0), &mut c), Feedback::Repaint);
        assert_eq!(t.preview().replaced.len(), 2);
        assert_eq!(t.preview().replaced[&ElementId::from_u128(1)].opacity, 25);
        let out = t.pointer_up(&at(250.0, 50.0), &mut c);
        assert_eq!(
            out,
            ToolOutcome::Commit(vec![
                Edit::Delete(ElementId::from_u128(1)),
                Edit::Delete(ElementId::from_u128(2)),
            ])
        );
        assert!(sel.is_empty(), "erased shapes leave the selection");
    }

    #[test]
    fn escape_abandons_the_stroke() {
        let scene = scene_with(&[(0.0, 0.0, 100.0, 100.0)]);
        let mut sel = Selection::default();
        let mut c = ctx(&scene, &mut sel);
        let mut t = EraserTool::default();
        t.pointer_down(&at(0.0, 50.0), &mut c);
        assert_eq!(t.cancel(), Feedback::Repaint);
        assert_eq!(t.pointer_up(&at(0.0, 50.0), &mut c), ToolOutcome::Nothing);
    }

    #[test]
    fn moving_without_pressing_erases_nothing() {
        let scene = scene_with(&[(0.0, 0.0, 100.0, 100.0)]);
        let mut sel = Selection::default();
        let mut c = ctx(&scene, &mut sel);
        let mut t = EraserTool::default();
        assert_eq!(t.pointer_move(&at(0.0, 50.0), &mut c), Feedback::None);
        assert!(t.preview().is_empty());
    }
}
