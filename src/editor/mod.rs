//! The editor: the canvas engine's state and input handling, independent of any browser.
//!
//! The browser layer translates DOM events into calls on [`Editor`] and paints
//! [`Editor::draw_commands`]; everything in between (tool state machines, the selection, keyboard
//! commands, camera maths, the scene, undo) lives here and is tested natively.
//!
//! Every change the user makes, whatever produced it (a tool gesture, a keyboard command, the
//! style panel, a recognised shape replacing ink), goes through [`Editor::act`]: its ops are
//! recorded as **one** undo entry, applied to the local replica at once, and queued in the outbox
//! for the server. A change touching many elements (moving a selection, erasing a stroke's worth
//! of shapes, replacing ink with a shape) is therefore undone in one step, and no path can skip
//! sync or history.
//!
//! # Layout
//! The [`Editor`] is one struct; its methods are grouped by concern, one `impl Editor` block per
//! module:
//! - this module: the state, [`Editor::act`] (the one door every change goes through), undo and
//!   redo, the outbox and what arrives from the server;
//! - `tools`: which tool is active, the tool lock and the grid;
//! - `input`: pointer, wheel and pinch input, panning and the cursor;
//! - `selection`: the selection and the changes made to it as a whole (delete, lock, style);
//! - `commands`: keyboard commands ([`Command`], [`Command::from_key`], [`Editor::run`]);
//! - `arrange`: nudge, align, distribute, z-order, group and ungroup;
//! - `clipboard`: copy, cut, paste and duplicate;
//! - `text`: the text editor (open, commit, cancel);
//! - `ink`: freehand strokes handed to recognisers and replaced by what they made of them;
//! - `paint`: the drawing commands, the repaint flags and the clock for what animates.

mod arrange;
mod clipboard;
mod commands;
mod ink;
mod input;
mod paint;
mod selection;
mod style;
mod text;
mod tools;

use crate::camera::Camera;
use crate::element::{Element, ElementId, Props};
use crate::geom::ScreenPoint;
use crate::history::{ActionId, History, Reverted};
use crate::index::FracIndex;
use crate::ops::{Op, Stamp};
use crate::replica::{ClientOpId, Replica, Sequenced};
use crate::scene::Scene;
use crate::tool::laser::Laser;
use crate::tool::{Edit, Selection, Style, TextEdit};
use tools::ActiveTool;

pub use crate::tool::ToolKind;
pub use arrange::{Align, Axis, Layer};
pub use clipboard::DUPLICATE_OFFSET;
pub use commands::{Command, FIT_PADDING, NUDGE, NUDGE_FAR, SHORTCUTS, ZOOM_STEP};
pub use ink::{InkStroke, Replacement};
pub use input::{Pointer, PointerButton};
pub use paint::Repaint;
pub use selection::SelectionSummary;
pub use style::StyleChange;

/// Where ids, nonces and time come from. The core has no clock or random source of its own.
pub trait Entropy {
    /// A fresh element id.
    fn element_id(&mut self) -> ElementId;
    /// A random version nonce.
    fn nonce(&mut self) -> u32;
    /// Milliseconds since the Unix epoch.
    fn now_ms(&mut self) -> i64;
}

/// What the user may do with the board.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Access {
    /// Draw and edit.
    #[default]
    Edit,
    /// Only look: pan and zoom (the server would refuse edits anyway).
    View,
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
    active: ActiveTool,
    /// Panning (hand tool or middle button): the last pointer position.
    panning: Option<ScreenPoint>,
    selection: Selection,
    style: Style,
    text_edit: Option<TextEdit>,
    access: Access,
    /// The scene layer needs painting (and therefore the overlay too).
    dirty: bool,
    /// Only the overlay layer needs painting (remote cursors, the laser fading).
    overlay_dirty: bool,
    /// The viewport in CSS pixels (see [`Editor::set_view_size`]).
    view_size: (f64, f64),
    /// Space is held: the primary button pans.
    space_held: bool,
    /// Drawing tools stay active after a shape (see [`ToolKind::returns_to_select`]).
    tool_lock: bool,
    /// The grid is shown and snapped to.
    grid: bool,
    /// The laser pointer's trail (kept across tool changes so it finishes fading).
    laser: Laser,
    /// The host's clock, ms (see [`Editor::set_clock`]).
    clock_ms: f64,
    /// The style "copy styles" took, for "paste styles".
    copied_style: Option<Style>,
    /// Each drawn element's commands until it changes (painting takes `&self`).
    render_cache: std::cell::RefCell<crate::render::CommandCache>,
}

impl Default for Editor {
    fn default() -> Self {
        Self::new(1)
    }
}

impl Editor {
    /// An empty board for the client `client` (see [`crate::replica::ClientId`]), with the
    /// selection tool.
    pub fn new(client: crate::replica::ClientId) -> Self {
        Self {
            replica: Replica::new(client, Scene::default(), 0),
            history: History::default(),
            outbox: Vec::new(),
            camera: Camera::default(),
            tool: ToolKind::default(),
            active: ActiveTool::for_kind(ToolKind::default()),
            panning: None,
            selection: Selection::default(),
            style: Style::default(),
            text_edit: None,
            access: Access::default(),
            dirty: true,
            overlay_dirty: false,
            view_size: (800.0, 600.0),
            space_held: false,
            tool_lock: false,
            grid: false,
            laser: Laser::default(),
            clock_ms: 0.0,
            copied_style: None,
            render_cache: Default::default(),
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

    /// Sets what the user may do. Viewers get the hand tool and every edit is refused locally.
    pub fn set_access(&mut self, access: Access) {
        self.access = access;
        if access == Access::View {
            self.cancel_text();
            self.selection.clear();
            self.set_tool(ToolKind::Hand);
        }
    }

    /// What the user may do.
    pub fn access(&self) -> Access {
        self.access
    }

    /// Applies a user action (one or more ops) locally, records it as one undo entry and queues
    /// it for the server. Invalid ops are dropped. Returns the action's id (for
    /// [`Editor::revert`]), or `None` when it changed nothing or the user may not edit.
    pub fn act(&mut self, ops: Vec<Op>, env: &mut impl Entropy) -> Option<ActionId> {
        if self.access == Access::View || ops.is_empty() {
            return None;
        }
        // Bound arrows and container text follow in the same action, so one undo puts
        // everything back and others receive the whole change at once.
        let mut ops = ops;
        let follow = crate::follow::consequences(self.replica.view(), &ops);
        ops.extend(follow);
        let id = self.history.record(self.replica.view(), &ops);
        self.apply_local(ops, env);
        id
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
        self.selection.retain_selectable(self.replica.view());
        self.dirty = true;
    }

    /// Turns tool edits into ops and applies them as one action. New elements get fresh ids
    /// and paint indices above everything, in the order given. If any new element is invalid
    /// nothing is applied. Returns the action and the created ids.
    pub(super) fn apply_edits(
        &mut self,
        edits: Vec<Edit>,
        env: &mut impl Entropy,
    ) -> (Option<ActionId>, Vec<ElementId>) {
        let mut ops = Vec::with_capacity(edits.len());
        let mut created = Vec::new();
        let mut index: Option<FracIndex> = None;
        for edit in edits {
            match edit {
                Edit::Create(props) => {
                    let id = env.element_id();
                    let Some(op) = self.create_op(id, props, &mut index, env) else {
                        return (None, Vec::new());
                    };
                    created.push(id);
                    ops.push(op);
                }
                Edit::Update { id, patch } => ops.push(Op::Update { id, patch }),
                Edit::Delete(id) => ops.push(Op::Delete { id }),
            }
        }
        self.act_creating(ops, created, env)
    }

    /// The op creating element `id` with `props`, painted above everything and above `index`
    /// (the previous new element's index in the same action, which this advances). `None` if
    /// the element would be invalid.
    pub(super) fn create_op(
        &self,
        id: ElementId,
        mut props: Props,
        index: &mut Option<FracIndex>,
        env: &mut impl Entropy,
    ) -> Option<Op> {
        let next = match index {
            None => self.scene().next_index(),
            Some(prev) => FracIndex::between(Some(prev), None).ok()?,
        };
        props.index = next.clone();
        *index = Some(next);
        // Fixes the hand-drawn look's seed: the one the preview used (derived from the same
        // index), so the shape does not change when it is created.
        props.seed = props.seed();
        let element = Element::new(id, props, env.nonce(), env.now_ms()).ok()?;
        Some(Op::Create { element })
    }

    /// Applies `ops` as one action and returns it with those of `created` that now exist.
    pub(super) fn act_creating(
        &mut self,
        ops: Vec<Op>,
        mut created: Vec<ElementId>,
        env: &mut impl Entropy,
    ) -> (Option<ActionId>, Vec<ElementId>) {
        let action = self.act(ops, env);
        created.retain(|id| self.scene().get(*id).is_some());
        (action, created)
    }

    /// Undoes the user's last action (never other people's). Returns whether anything changed.
    pub fn undo(&mut self, env: &mut impl Entropy) -> bool {
        if self.access == Access::View {
            return false;
        }
        self.cancel();
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
        if self.access == Access::View {
            return false;
        }
        self.cancel();
        match self.history.redo(self.replica.view()) {
            Some(ops) => {
                self.apply_local(ops, env);
                true
            }
            None => false,
        }
    }

    /// Whether there is something to undo.
    pub fn can_undo(&self) -> bool {
        self.history.can_undo()
    }

    /// Whether there is something to redo.
    pub fn can_redo(&self) -> bool {
        self.history.can_redo()
    }

    /// Reverts one earlier action, whatever happened since: an undo if it is the last action,
    /// otherwise a new (undoable) action that reverts it. Returns whether anything changed.
    pub fn revert(&mut self, action: ActionId, env: &mut impl Entropy) -> bool {
        if self.access == Access::View {
            return false;
        }
        match self.history.revert(action, self.replica.view()) {
            Some(Reverted::Undone(ops)) => {
                self.apply_local(ops, env);
                true
            }
            Some(Reverted::Withdrawn(ops)) => self.act(ops, env).is_some(),
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

    /// Adopts the id the server files this client's ops under (see
    /// [`Replica::set_client`]).
    pub fn set_client(&mut self, client: crate::replica::ClientId) {
        self.replica.set_client(client);
    }

    /// A sequenced op from the server.
    pub fn receive(&mut self, op: &Sequenced) -> Result<(), crate::replica::ReplicaError> {
        self.replica.receive(op)?;
        self.selection.retain_selectable(self.replica.view());
        self.dirty = true;
        Ok(())
    }

    /// The server refused one of our ops.
    pub fn rejected(&mut self, client_op: ClientOpId) {
        self.replica.rejected(client_op);
        self.selection.retain_selectable(self.replica.view());
        self.dirty = true;
    }

    /// Replaces the confirmed scene with the server's (joining, or a full resync). Pending ops
    /// numbered up to `applied_up_to` were already applied by the server and are dropped.
    pub fn load(&mut self, scene: Scene, seq: u64, applied_up_to: ClientOpId) {
        self.replica.reset(scene, seq, applied_up_to);
        self.selection.retain_selectable(self.replica.view());
        self.dirty = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{Ids as Counter, click, drag, live};

    #[test]
    fn select_move_delete_then_undo_and_redo() {
        let mut ed = Editor::default();
        let env = &mut Counter(0);
        ed.set_tool(ToolKind::Rectangle);
        let id = drag(&mut ed, env, (100.0, 100.0), (200.0, 200.0)).unwrap();
        ed.set_tool(ToolKind::Select);
        click(&mut ed, env, (100.0, 125.0));
        assert!(ed.selection().contains(id));
        // Handles and frame are drawn over the scene.
        assert!(ed.draw_commands(800.0, 600.0).len() > 10);
        // Grabbed on its edge, away from the handles.
        drag(&mut ed, env, (100.0, 125.0), (150.0, 145.0));
        let p = ed.scene().get(id).unwrap().props().clone();
        assert_eq!((p.x, p.y), (150.0, 120.0));
        assert!(ed.run(Command::Delete, env));
        assert!(ed.scene().iter_live().next().is_none());
        assert!(ed.run(Command::Undo, env), "undo the delete");
        assert!(ed.run(Command::Undo, env), "undo the move, in one step");
        assert_eq!(ed.scene().get(id).unwrap().props().x, 100.0);
        assert!(ed.run(Command::Redo, env));
        assert_eq!(ed.scene().get(id).unwrap().props().x, 150.0);
    }

    #[test]
    fn the_eraser_deletes_a_drag_worth_of_shapes_in_one_undo_step() {
        let mut ed = Editor::default();
        let env = &mut Counter(0);
        // Several shapes in a row: keep the tool.
        ed.set_tool_lock(true);
        ed.set_tool(ToolKind::Rectangle);
        drag(&mut ed, env, (0.0, 0.0), (50.0, 50.0));
        drag(&mut ed, env, (100.0, 0.0), (150.0, 50.0));
        ed.set_tool(ToolKind::Eraser);
        drag(&mut ed, env, (-20.0, 25.0), (170.0, 25.0));
        assert!(live(&ed).is_empty());
        ed.run(Command::Undo, env);
        assert_eq!(live(&ed).len(), 2);
    }

    #[test]
    fn viewers_can_only_pan() {
        let mut ed = Editor::default();
        let env = &mut Counter(0);
        ed.set_access(Access::View);
        assert_eq!(ed.tool(), ToolKind::Hand);
        ed.set_tool(ToolKind::Rectangle);
        assert_eq!(ed.tool(), ToolKind::Hand);
        assert!(!ed.run(Command::Tool(ToolKind::Freedraw), env));
        assert_eq!(ed.tool(), ToolKind::Hand);
        drag(&mut ed, env, (0.0, 0.0), (50.0, 50.0));
        assert!(ed.scene().is_empty());
        assert!(!ed.double_click(ScreenPoint::new(1.0, 1.0)));
    }
}
