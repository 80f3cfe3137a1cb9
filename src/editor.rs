//! The editor: the canvas engine's state and input handling, independent of any browser.
//!
//! The browser layer translates DOM events into calls on [`Editor`] and paints
//! [`Editor::draw_commands`]; everything in between (tool state machines, camera maths, the scene)
//! lives here and is tested natively.

use crate::camera::Camera;
use crate::element::ElementId;
use crate::element::ElementKind;
use crate::geom::{ScreenPoint, ScreenVec};
use crate::history::History;
use crate::ops::{Op, Stamp};
use crate::render::{DrawCommand, scene_commands};
use crate::replica::{ClientOpId, Replica, Sequenced};
use crate::scene::Scene;
use crate::tool::{BoxTool, ShapeDraft, ToolOutcome};
use serde::{Deserialize, Serialize};

/// Where ids, nonces and time come from. The core has no clock or random source of its own.
pub trait Entropy {
    /// A fresh element id.
    fn element_id(&mut self) -> ElementId;
    /// A random version nonce.
    fn nonce(&mut self) -> u32;
    /// Milliseconds since the Unix epoch.
    fn now_ms(&mut self) -> i64;
}

/// The tools a user can pick.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ToolKind {
    /// Pan the canvas by dragging.
    Hand,
    /// Draw rectangles.
    #[default]
    Rectangle,
    /// Draw diamonds.
    Diamond,
    /// Draw ellipses.
    Ellipse,
}

impl ToolKind {
    /// Every tool, in toolbar order.
    pub const ALL: [ToolKind; 4] = [Self::Hand, Self::Rectangle, Self::Diamond, Self::Ellipse];

    /// A short human name.
    pub fn label(self) -> &'static str {
        match self {
            Self::Hand => "Hand",
            Self::Rectangle => "Rectangle",
            Self::Diamond => "Diamond",
            Self::Ellipse => "Ellipse",
        }
    }

    fn shape(self) -> Option<ElementKind> {
        match self {
            Self::Hand => None,
            Self::Rectangle => Some(ElementKind::Rectangle),
            Self::Diamond => Some(ElementKind::Diamond),
            Self::Ellipse => Some(ElementKind::Ellipse),
        }
    }
}

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

#[derive(Clone, Debug, Default)]
enum Gesture {
    #[default]
    None,
    Panning {
        last: ScreenPoint,
    },
    Drawing(BoxTool),
}

/// The canvas engine's state.
///
/// The scene lives in a [`Replica`]: local changes apply at once and wait in an outbox for the
/// host to send them; sequenced ops from the server are applied with [`Editor::receive`].
#[derive(Clone, Debug)]
pub struct Editor {
    replica: Replica,
    history: History,
    outbox: Vec<(ClientOpId, Op)>,
    /// The viewer's camera.
    pub camera: Camera,
    tool: ToolKind,
    gesture: Gesture,
    preview: Option<ShapeDraft>,
    dirty: bool,
}

impl Default for Editor {
    fn default() -> Self {
        Self::new(1)
    }
}

impl Editor {
    /// An empty board for the client `client` (see [`crate::replica::ClientId`]).
    pub fn new(client: crate::replica::ClientId) -> Self {
        Self {
            replica: Replica::new(client, Scene::default(), 0),
            history: History::default(),
            outbox: Vec::new(),
            camera: Camera::default(),
            tool: ToolKind::default(),
            gesture: Gesture::default(),
            preview: None,
            dirty: true,
        }
    }

    /// The scene as this user sees it (confirmed state plus their pending changes).
    pub fn scene(&self) -> &Scene {
        self.replica.view()
    }

    /// The synchronisation state.
    pub fn replica(&self) -> &Replica {
        &self.replica
    }

    /// Applies a user action (one or more ops) locally, records it for undo and queues it for the
    /// server. Invalid ops are dropped.
    pub fn act(&mut self, ops: Vec<Op>, env: &mut impl Entropy) {
        self.history.record(self.replica.view(), &ops);
        self.apply_local(ops, env);
    }

    fn apply_local(&mut self, ops: Vec<Op>, env: &mut impl Entropy) {
        for op in ops {
            let stamp = Stamp {
                nonce: env.nonce(),
                at_ms: env.now_ms(),
            };
            if let Ok(n) = self.replica.local(op.clone(), stamp) {
                self.outbox.push((n, op));
            }
        }
        self.dirty = true;
    }

    /// Undoes the user's last action (never other people's). Returns whether anything changed.
    pub fn undo(&mut self, env: &mut impl Entropy) -> bool {
        match self.history.undo(self.replica.view()) {
            Some(ops) => {
                self.apply_local(ops, env);
                true
            }
            None => false,
        }
    }

    /// Redoes the last undone action.
    pub fn redo(&mut self, env: &mut impl Entropy) -> bool {
        match self.history.redo(self.replica.view()) {
            Some(ops) => {
                self.apply_local(ops, env);
                true
            }
            None => false,
        }
    }

    /// Ops made locally since the last call, for the host to send.
    pub fn take_outbox(&mut self) -> Vec<(ClientOpId, Op)> {
        std::mem::take(&mut self.outbox)
    }

    /// Every op not yet confirmed by the server (re-sent after reconnecting).
    pub fn unconfirmed(&self) -> Vec<(ClientOpId, Op)> {
        self.replica
            .pending()
            .map(|(n, op)| (n, op.clone()))
            .collect()
    }

    /// A sequenced op from the server.
    pub fn receive(&mut self, op: &Sequenced) -> Result<(), crate::replica::ReplicaError> {
        self.replica.receive(op)?;
        self.dirty = true;
        Ok(())
    }

    /// The server refused one of our ops.
    pub fn rejected(&mut self, client_op: ClientOpId) {
        self.replica.rejected(client_op);
        self.dirty = true;
    }

    /// Replaces the confirmed scene with the server's (joining, or a full resync). Pending ops
    /// numbered up to `applied_up_to` were already applied by the server and are dropped.
    pub fn load(&mut self, scene: Scene, seq: u64, applied_up_to: ClientOpId) {
        self.replica.reset(scene, seq, applied_up_to);
        self.dirty = true;
    }
    /// The active tool.
    pub fn tool(&self) -> ToolKind {
        self.tool
    }

    /// Switches tools, abandoning any gesture in progress.
    pub fn set_tool(&mut self, tool: ToolKind) {
        self.tool = tool;
        self.cancel();
    }

    /// Abandons the gesture in progress.
    pub fn cancel(&mut self) {
        self.gesture = Gesture::None;
        if self.preview.take().is_some() {
            self.dirty = true;
        }
    }

    /// A pointer went down at `at`.
    pub fn pointer_down(&mut self, at: ScreenPoint, button: PointerButton) {
        self.gesture = match (button, self.tool.shape()) {
            (PointerButton::Middle, _) | (PointerButton::Primary, None) => {
                Gesture::Panning { last: at }
            }
            (PointerButton::Primary, Some(kind)) => {
                let mut tool = BoxTool::new(kind);
                tool.pointer_down(self.camera.screen_to_world(at));
                Gesture::Drawing(tool)
            }
            (PointerButton::Other, _) => Gesture::None,
        };
    }

    /// The pointer moved to `at`.
    pub fn pointer_move(&mut self, at: ScreenPoint) {
        let world = self.camera.screen_to_world(at);
        match &mut self.gesture {
            Gesture::None => {}
            Gesture::Panning { last } => {
                let delta = at - *last;
                *last = at;
                self.camera.pan_by(delta);
                self.dirty = true;
            }
            Gesture::Drawing(tool) => {
                if let ToolOutcome::Preview(d) = tool.pointer_move(world) {
                    self.preview = Some(d);
                    self.dirty = true;
                }
            }
        }
    }

    /// The pointer was released at `at`. Returns the id of an element the gesture created.
    pub fn pointer_up(&mut self, at: ScreenPoint, env: &mut impl Entropy) -> Option<ElementId> {
        let world = self.camera.screen_to_world(at);
        let gesture = std::mem::take(&mut self.gesture);
        self.preview = None;
        self.dirty = true;
        let Gesture::Drawing(mut tool) = gesture else {
            return None;
        };
        let ToolOutcome::Commit(draft) = tool.pointer_up(world) else {
            return None;
        };
        let element = draft
            .into_element(
                env.element_id(),
                self.scene().next_index(),
                env.nonce(),
                env.now_ms(),
            )
            .ok()?;
        let id = element.id;
        self.act(vec![Op::Create { element }], env);
        self.scene().get(id).map(|_| id)
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

    /// Marks the view as needing a repaint (a resize, a remote change).
    pub fn invalidate(&mut self) {
        self.dirty = true;
    }

    /// Whether a repaint is due, clearing the flag.
    pub fn take_dirty(&mut self) -> bool {
        std::mem::take(&mut self.dirty)
    }

    /// The drawing commands for a `width` × `height` CSS-pixel viewport.
    pub fn draw_commands(&self, width: f64, height: f64) -> Vec<DrawCommand> {
        scene_commands(
            self.replica.view(),
            &self.camera,
            width,
            height,
            self.preview.as_ref(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Counter(u128);
    impl Entropy for Counter {
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

    #[test]
    fn dragging_with_the_rectangle_tool_adds_a_rectangle_in_world_space() {
        let mut ed = Editor::default();
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
    fn the_hand_tool_and_middle_button_pan_instead_of_drawing() {
        let mut ed = Editor::default();
        ed.pointer_down(ScreenPoint::new(0.0, 0.0), PointerButton::Middle);
        ed.pointer_move(ScreenPoint::new(50.0, 20.0));
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
}
