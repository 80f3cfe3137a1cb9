//! Pointer input: presses, moves and releases handed to the active tool (or panning, or the
//! laser pointer), wheel and pinch gestures on the camera, and the cursor to show.

use super::{Access, Editor, Entropy};
use crate::element::ElementId;
use crate::geom::{ScreenPoint, ScreenVec};
use crate::tool::{Cursor, Modifiers, PointerInput, ToolContext, ToolKind, ToolOutcome};

/// Which pointer button an event concerns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PointerButton {
    /// Left button, pen tip or touch contact.
    Primary,
    /// Wheel button: always pans.
    Middle,
    /// Anything else (ignored).
    Other,
}

/// A pointer event in screen coordinates.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pointer {
    /// Where, in CSS pixels from the canvas's top-left corner.
    pub at: ScreenPoint,
    /// Pen pressure (0–1) when the device measures it (pens only; browsers report a constant
    /// for mice, which would flatten the simulated pressure).
    pub pressure: Option<f32>,
    /// Keys held.
    pub modifiers: Modifiers,
}

impl From<ScreenPoint> for Pointer {
    fn from(at: ScreenPoint) -> Self {
        Self {
            at,
            pressure: None,
            modifiers: Modifiers::default(),
        }
    }
}

impl Editor {
    /// Abandons the gesture in progress (the text editor, if open, stays open).
    pub fn cancel(&mut self) {
        self.panning = None;
        self.laser.release();
        if let Some(t) = self.active.get_mut() {
            t.cancel();
        }
        self.dirty = true;
    }

    /// Whether a pointer gesture is in progress.
    pub fn is_gesture_active(&self) -> bool {
        self.panning.is_some()
            || self.laser.is_pressed()
            || self.active.get().is_some_and(|t| t.is_active())
    }

    fn input(&self, p: &Pointer) -> PointerInput {
        PointerInput {
            at: self.camera.screen_to_world(p.at),
            pressure: p.pressure,
            modifiers: p.modifiers,
        }
    }

    /// A pointer went down.
    pub fn pointer_down(&mut self, pointer: impl Into<Pointer>, button: PointerButton) {
        let p = pointer.into();
        match button {
            PointerButton::Middle => self.panning = Some(p.at),
            PointerButton::Primary if self.tool == ToolKind::Hand || self.space_held => {
                self.panning = Some(p.at);
            }
            PointerButton::Primary if self.tool == ToolKind::Laser => {
                let at = self.camera.screen_to_world(p.at);
                self.laser.press(at, self.clock_ms);
                self.dirty = true;
            }
            PointerButton::Primary => {
                let input = self.input(&p);
                self.with_tool(|t, ctx| t.pointer_down(&input, ctx));
                self.dirty = true;
            }
            PointerButton::Other => {}
        }
    }

    /// The pointer moved.
    pub fn pointer_move(&mut self, pointer: impl Into<Pointer>) {
        let p = pointer.into();
        if let Some(last) = &mut self.panning {
            let delta = p.at - *last;
            *last = p.at;
            self.camera.pan_by(delta);
            self.dirty = true;
            return;
        }
        if self.tool == ToolKind::Laser {
            let at = self.camera.screen_to_world(p.at);
            if self.laser.drag(at, self.clock_ms) {
                self.dirty = true;
            }
            return;
        }
        let input = self.input(&p);
        if let Some(crate::tool::Feedback::Repaint) =
            self.with_tool(|t, ctx| t.pointer_move(&input, ctx))
        {
            self.dirty = true;
        }
    }

    /// The pointer was released. Returns the id of the element the gesture created, if it
    /// created exactly one (the host offers to recognise fresh ink, for instance). A shape
    /// tool then hands over to the selection tool (see [`Editor::tool_lock`]): the host should
    /// show [`Editor::tool`] again.
    pub fn pointer_up(
        &mut self,
        pointer: impl Into<Pointer>,
        env: &mut impl Entropy,
    ) -> Option<ElementId> {
        let p = pointer.into();
        self.dirty = true;
        if self.panning.take().is_some() {
            return None;
        }
        if self.laser.is_pressed() {
            self.laser.release();
            return None;
        }
        let input = self.input(&p);
        match self.with_tool(|t, ctx| t.pointer_up(&input, ctx))? {
            ToolOutcome::Nothing => None,
            ToolOutcome::Commit(edits) => {
                let (_, created) = self.apply_edits(edits, env);
                self.after_drawing(&created);
                match created.as_slice() {
                    [one] => Some(*one),
                    _ => None,
                }
            }
            ToolOutcome::EditText(edit) => {
                if self.access == Access::Edit {
                    self.text_edit = Some(*edit);
                }
                None
            }
        }
    }

    /// Whether the space bar is held: while it is, the primary button pans whatever the tool
    /// (Excalidraw's space + drag).
    pub fn set_space_held(&mut self, held: bool) {
        self.space_held = held;
    }

    /// Tells the editor the size of its viewport in CSS pixels (for zoom commands that work
    /// about the middle of the view or frame content).
    pub fn set_view_size(&mut self, width: f64, height: f64) {
        if width > 0.0 && height > 0.0 {
            self.view_size = (width, height);
        }
    }

    /// A wheel or trackpad scroll at `at`: pans, or zooms around the pointer when `zoom` is set
    /// (ctrl+wheel, which is also what browsers report for trackpad pinches).
    pub fn wheel(&mut self, at: ScreenPoint, delta: ScreenVec, zoom: bool) {
        if zoom {
            // exp keeps zoom steps symmetric: in then out by the same delta returns exactly.
            let factor = (-delta.y * 0.01).exp();
            self.camera.zoom_at(at, self.camera.zoom * factor);
        } else {
            self.camera.pan_by(ScreenVec::new(-delta.x, -delta.y));
        }
        self.dirty = true;
    }

    /// A two-finger gesture moved from `before` to `after` (both fingers' screen positions):
    /// the board follows the fingers' midpoint and zooms by the change of their spread, about
    /// that midpoint, so the world under the fingers stays under them.
    pub fn pinch(&mut self, before: [ScreenPoint; 2], after: [ScreenPoint; 2]) {
        let mid = |[a, b]: [ScreenPoint; 2]| ScreenPoint::new((a.x + b.x) / 2.0, (a.y + b.y) / 2.0);
        let spread = |[a, b]: [ScreenPoint; 2]| (a.x - b.x).hypot(a.y - b.y);
        let (m0, m1) = (mid(before), mid(after));
        let (d0, d1) = (spread(before), spread(after));
        if !(m0.x.is_finite() && m0.y.is_finite() && m1.x.is_finite() && m1.y.is_finite()) {
            return;
        }
        if d0 > 1.0 && d1.is_finite() && d1 > 0.0 {
            self.camera.zoom_at(m0, self.camera.zoom * d1 / d0);
        }
        self.camera.pan_by(m1 - m0);
        self.dirty = true;
    }

    /// The cursor to show with the pointer at `at`.
    pub fn cursor(&self, at: ScreenPoint) -> Cursor {
        if self.panning.is_some() {
            return Cursor::Grabbing;
        }
        if self.tool == ToolKind::Laser {
            return Cursor::Crosshair;
        }
        let Some(tool) = self.active.get() else {
            return Cursor::Grab;
        };
        let mut selection = self.selection.clone();
        let ctx = ToolContext {
            scene: self.replica.view(),
            selection: &mut selection,
            zoom: self.camera.zoom,
            style: self.style.clone(),
            grid: self.grid_size(),
        };
        tool.cursor(self.camera.screen_to_world(at), &ctx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::editor::Command;
    use crate::element::ElementKind;
    use crate::geom::WorldPoint;
    use crate::ops::Op;
    use crate::testing::{Ids as Counter, drag, live};

    #[test]
    fn dragging_with_the_rectangle_tool_adds_a_rectangle_in_world_space() {
        let mut ed = Editor::default();
        ed.set_tool(ToolKind::Rectangle);
        ed.camera.zoom_at(ScreenPoint::new(0.0, 0.0), 2.0);
        ed.pointer_down(ScreenPoint::new(100.0, 100.0), PointerButton::Primary);
        ed.pointer_move(ScreenPoint::new(200.0, 150.0));
        assert_eq!(
            ed.draw_commands(800.0, 600.0).len(),
            3,
            "clear, camera, preview"
        );
        let id = ed
            .pointer_up(ScreenPoint::new(300.0, 200.0), &mut Counter(0))
            .unwrap();
        let p = ed.scene().get(id).unwrap().props().clone();
        assert_eq!((p.x, p.y, p.width, p.height), (50.0, 50.0, 100.0, 50.0));
        assert_eq!(p.kind, ElementKind::Rectangle);
        assert!(ed.take_dirty());
        assert!(!ed.take_dirty());
        let outbox = ed.take_outbox();
        assert!(
            matches!(outbox.as_slice(), [(1, Op::Create { .. })]),
            "queued for the server"
        );
        // Undo removes it (as a new op to send), redo brings it back.
        assert!(ed.undo(&mut Counter(0)));
        assert_eq!(ed.scene().iter_live().count(), 0);
        assert!(ed.redo(&mut Counter(0)));
        assert_eq!(ed.scene().iter_live().count(), 1);
        assert_eq!(ed.take_outbox().len(), 2);
    }

    #[test]
    fn the_laser_draws_a_fading_trail_and_changes_nothing() {
        let (mut ed, env) = (Editor::default(), &mut Counter(0));
        ed.set_tool(ToolKind::Rectangle);
        drag(&mut ed, env, (10.0, 10.0), (60.0, 60.0)).unwrap();
        let _ = ed.take_outbox();
        let snapshot =
            |ed: &Editor| serde_json::to_string(&ed.scene().iter().collect::<Vec<_>>()).unwrap();
        let before = snapshot(&ed);
        assert_eq!(
            Command::from_key("k", Modifiers::default()),
            Some(Command::Tool(ToolKind::Laser))
        );
        ed.run(Command::Tool(ToolKind::Laser), env);
        let plain = ed.draw_commands(800.0, 600.0).len();
        ed.set_clock(10_000.0);
        ed.pointer_down(ScreenPoint::new(100.0, 100.0), PointerButton::Primary);
        ed.set_clock(10_050.0);
        ed.pointer_move(ScreenPoint::new(150.0, 120.0));
        ed.pointer_move(ScreenPoint::new(200.0, 100.0));
        assert_eq!(ed.pointer_up(ScreenPoint::new(200.0, 100.0), env), None);
        assert_eq!(ed.cursor(ScreenPoint::new(1.0, 1.0)), Cursor::Crosshair);
        let trail = ed.draw_commands(800.0, 600.0).len();
        assert!(trail > plain, "{trail} > {plain}");
        assert!(ed.is_animating());
        // Nothing in the scene, nothing to send, nothing to undo but the rectangle.
        assert_eq!(snapshot(&ed), before);
        assert!(ed.take_outbox().is_empty());
        assert_eq!(ed.tool(), ToolKind::Laser);
        // A second later the trail is gone.
        let _ = ed.take_dirty();
        ed.set_clock(11_100.0);
        assert!(!ed.is_animating());
        assert!(ed.take_dirty(), "one last repaint clears it");
        assert_eq!(ed.draw_commands(800.0, 600.0).len(), plain);
        ed.run(Command::Undo, env);
        assert!(live(&ed).is_empty(), "the undo took the rectangle");
    }

    #[test]
    fn the_hand_tool_and_middle_button_pan_instead_of_drawing() {
        let mut ed = Editor::default();
        ed.set_tool(ToolKind::Rectangle);
        ed.pointer_down(ScreenPoint::new(0.0, 0.0), PointerButton::Middle);
        ed.pointer_move(ScreenPoint::new(50.0, 20.0));
        assert_eq!(ed.cursor(ScreenPoint::new(50.0, 20.0)), Cursor::Grabbing);
        assert!(
            ed.pointer_up(ScreenPoint::new(50.0, 20.0), &mut Counter(0))
                .is_none()
        );
        assert_eq!(ed.camera.origin.x, -50.0);
        ed.set_tool(ToolKind::Hand);
        ed.pointer_down(ScreenPoint::new(0.0, 0.0), PointerButton::Primary);
        ed.pointer_move(ScreenPoint::new(0.0, 30.0));
        ed.pointer_up(ScreenPoint::new(0.0, 30.0), &mut Counter(0));
        assert_eq!(ed.camera.origin.y, -50.0);
        assert!(ed.scene().is_empty());
    }

    #[test]
    fn ctrl_wheel_zooms_around_the_pointer_and_plain_wheel_pans() {
        let mut ed = Editor::default();
        let at = ScreenPoint::new(400.0, 300.0);
        let before = ed.camera.screen_to_world(at);
        ed.wheel(at, ScreenVec::new(0.0, -100.0), true);
        assert!(ed.camera.zoom > 2.7 && ed.camera.zoom < 2.72);
        let after = ed.camera.screen_to_world(at);
        assert!((before.x - after.x).abs() < 1e-9 && (before.y - after.y).abs() < 1e-9);
        ed.wheel(at, ScreenVec::new(0.0, 100.0), true);
        assert!((ed.camera.zoom - 1.0).abs() < 1e-12);
        ed.wheel(at, ScreenVec::new(10.0, 0.0), false);
        assert!((ed.camera.origin.x - 10.0).abs() < 1e-9);
    }

    #[test]
    fn a_pinch_zooms_about_the_fingers_and_follows_them() {
        let mut ed = Editor::default();
        let p = ScreenPoint::new;
        let world_at_mid = ed.camera.screen_to_world(p(200.0, 200.0));
        // Fingers spread from 100 to 200 px apart around (200, 200): twice the zoom.
        ed.pinch(
            [p(150.0, 200.0), p(250.0, 200.0)],
            [p(100.0, 200.0), p(300.0, 200.0)],
        );
        assert!((ed.camera.zoom - 2.0).abs() < 1e-12);
        let after = ed.camera.screen_to_world(p(200.0, 200.0));
        assert!((after.x - world_at_mid.x).abs() < 1e-9 && (after.y - world_at_mid.y).abs() < 1e-9);
        // Both fingers move 30 px down: the board follows.
        let before = ed.camera.screen_to_world(p(200.0, 230.0));
        ed.pinch(
            [p(100.0, 200.0), p(300.0, 200.0)],
            [p(100.0, 230.0), p(300.0, 230.0)],
        );
        let moved = ed.camera.screen_to_world(p(200.0, 260.0));
        assert!((moved.y - before.y).abs() < 1e-9);
        // Fingers on top of each other or NaN positions change nothing dangerous.
        ed.pinch([p(1.0, 1.0), p(1.0, 1.0)], [p(5.0, 5.0), p(1.0, 1.0)]);
        ed.pinch([p(f64::NAN, 1.0), p(1.0, 1.0)], [p(5.0, 5.0), p(1.0, 1.0)]);
        assert!(ed.camera.zoom.is_finite() && ed.camera.origin.x.is_finite());
    }

    #[test]
    fn space_and_drag_pans_with_any_tool() {
        let mut ed = Editor::default();
        let env = &mut Counter(0);
        ed.set_tool(ToolKind::Rectangle);
        ed.set_space_held(true);
        assert_eq!(drag(&mut ed, env, (100.0, 100.0), (160.0, 140.0)), None);
        assert!(live(&ed).is_empty(), "nothing drawn while space is held");
        assert_eq!(ed.camera.origin, WorldPoint::new(-60.0, -40.0));
        ed.set_space_held(false);
        assert!(drag(&mut ed, env, (100.0, 100.0), (160.0, 140.0)).is_some());
    }
}
