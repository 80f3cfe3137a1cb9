//! A simulated user: the real [`Editor`] (replica, undo history, tools, the derivation that
//! keeps arrows bound) driven with random gestures, and the browser's connection logic
//! (`app/src/canvas/browser/live.rs`): join with the last sequence number, re-send what is
//! unconfirmed, apply what the server sends, resync on a gap.

use crate::rng::Rng;
use inkroom_core::editor::{Editor, Entropy, PointerButton};
use inkroom_core::element::{ElementId, ElementKind};
use inkroom_core::geom::{ScreenPoint, Vec2};
use inkroom_core::protocol::{ClientMessage, ServerMessage};
use inkroom_core::replica::{ClientId, ClientOpId};
use inkroom_core::scene::Scene;
use inkroom_core::tool::ToolKind;
use std::collections::BTreeSet;

/// Ids, nonces and time from the simulation's generator.
pub struct SimEntropy<'a> {
    /// The generator.
    pub rng: &'a mut Rng,
    /// The simulated clock.
    pub now_ms: i64,
}

impl Entropy for SimEntropy<'_> {
    fn element_id(&mut self) -> ElementId {
        ElementId::from_u128(
            u128::from(self.rng.next_u64()) << 64 | u128::from(self.rng.next_u64()),
        )
    }
    fn nonce(&mut self) -> u32 {
        self.rng.next_u64() as u32
    }
    fn now_ms(&mut self) -> i64 {
        self.now_ms
    }
}

/// What kind of action produced an op (to tell undo from the rest).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A gesture or command.
    Edit,
    /// Undo or redo.
    Undo,
}

/// One simulated user with one browser tab.
pub struct Client {
    /// The tab's id (kept across reconnects).
    pub id: ClientId,
    /// The canvas engine.
    pub editor: Editor,
    /// The open connection, if any.
    pub conn: Option<u64>,
    /// Acknowledgements received: op number → sequence number.
    pub acked: Vec<(ClientOpId, u64)>,
    /// Op numbers produced by undo or redo.
    pub undo_ops: BTreeSet<ClientOpId>,
    /// Ops made since the last send.
    outbox: Vec<(ClientOpId, inkroom_core::ops::Op)>,
}

impl Client {
    /// A user whose tab has id `id`.
    pub fn new(id: ClientId) -> Self {
        Self {
            id,
            editor: Editor::new(id),
            conn: None,
            acked: Vec::new(),
            undo_ops: BTreeSet::new(),
            outbox: Vec::new(),
        }
    }

    /// The messages a freshly opened connection sends: the join, then every unconfirmed op.
    pub fn on_open(&mut self) -> Vec<ClientMessage> {
        let seq = self.editor.replica().seq();
        let mut out = vec![ClientMessage::JoinRoom {
            room: "sim".into(),
            client: self.id,
            last_seq: (seq > 0).then_some(seq),
        }];
        out.extend(
            self.editor
                .unconfirmed()
                .into_iter()
                .map(|(n, op)| ClientMessage::from_op(n, op)),
        );
        self.editor.take_outbox();
        self.outbox.clear();
        out
    }

    /// Ops made locally since the last call, as messages (sent only while connected; offline
    /// they stay unconfirmed and go out with the next join).
    pub fn take_messages(&mut self) -> Vec<ClientMessage> {
        self.outbox.extend(self.editor.take_outbox());
        if self.conn.is_none() {
            self.outbox.clear();
            return Vec::new();
        }
        std::mem::take(&mut self.outbox)
            .into_iter()
            .map(|(n, op)| ClientMessage::from_op(n, op))
            .collect()
    }

    /// Handles a message from the server. Returns `false` when the connection must be
    /// dropped and reopened (a gap or a divergence: resync).
    pub fn receive(&mut self, msg: ServerMessage) -> bool {
        match msg {
            ServerMessage::RoomState {
                seq,
                elements,
                applied,
                ..
            } => {
                let mut scene = Scene::default();
                for e in elements {
                    let _ = scene.insert(e);
                }
                self.editor.load(scene, seq, applied);
                true
            }
            ServerMessage::Ops { ops } => ops.iter().all(|op| self.editor.receive(op).is_ok()),
            ServerMessage::Ack { client_op, seq } => {
                self.acked.push((client_op, seq));
                true
            }
            ServerMessage::Rejected { client_op, .. } => {
                self.editor.rejected(client_op);
                true
            }
            _ => true,
        }
    }

    /// Performs one random user action.
    pub fn act(&mut self, rng: &mut Rng, now_ms: i64) {
        let live: Vec<(ElementId, ElementKind)> = self
            .editor
            .scene()
            .iter_live()
            .map(|e| (e.id, e.props().kind))
            .collect();
        let boxes: Vec<ElementId> = live
            .iter()
            .filter(|(_, k)| k.is_box())
            .map(|(id, _)| *id)
            .collect();
        let choice = rng.below(100);
        let before = self.editor.replica().pending().map(|(n, _)| n).max();
        let mut undo = false;
        {
            let mut env = SimEntropy { rng, now_ms };
            match choice {
                0..=24 => draw_box(&mut self.editor, &mut env),
                25..=39 if boxes.len() >= 2 => {
                    let a = *env.rng.pick(&boxes);
                    let b = *env.rng.pick(&boxes);
                    draw_arrow(&mut self.editor, a, b, &mut env);
                }
                40..=59 if !live.is_empty() => {
                    let (id, _) = *env.rng.pick(&live);
                    self.editor.select([id]);
                    let d = Vec2::new(env.rng.range(-40.0, 40.0), env.rng.range(-40.0, 40.0));
                    self.editor.nudge(d, &mut env);
                }
                60..=71 if !live.is_empty() => {
                    let (id, _) = *env.rng.pick(&live);
                    self.editor.select([id]);
                    self.editor.delete_selection(&mut env);
                }
                72..=83 => {
                    self.editor.undo(&mut env);
                    undo = true;
                }
                84..=89 => {
                    self.editor.redo(&mut env);
                    undo = true;
                }
                90..=94 if live.len() >= 2 => {
                    let (a, _) = *env.rng.pick(&live);
                    let (b, _) = *env.rng.pick(&live);
                    self.editor.select([a, b]);
                    self.editor.group_selection(&mut env);
                }
                _ if !live.is_empty() => {
                    let (id, _) = *env.rng.pick(&live);
                    self.editor.select([id]);
                    let layer = *env.rng.pick(&[
                        inkroom_core::editor::Layer::ToFront,
                        inkroom_core::editor::Layer::ToBack,
                        inkroom_core::editor::Layer::Forward,
                    ]);
                    self.editor.reorder(layer, &mut env);
                }
                _ => draw_box(&mut self.editor, &mut env),
            }
        }
        if undo {
            let after: Vec<ClientOpId> = self
                .editor
                .replica()
                .pending()
                .map(|(n, _)| n)
                .filter(|n| before.is_none_or(|b| *n > b))
                .collect();
            self.undo_ops.extend(after);
        }
    }
}

fn at(x: f64, y: f64) -> ScreenPoint {
    ScreenPoint::new(x, y)
}

/// Drags out a rectangle, ellipse or diamond somewhere in a 600 × 400 area.
fn draw_box(editor: &mut Editor, env: &mut SimEntropy<'_>) {
    let tool = *env
        .rng
        .pick(&[ToolKind::Rectangle, ToolKind::Ellipse, ToolKind::Diamond]);
    let (x, y) = (env.rng.range(0.0, 600.0), env.rng.range(0.0, 400.0));
    let (w, h) = (env.rng.range(20.0, 120.0), env.rng.range(20.0, 120.0));
    editor.set_tool(tool);
    editor.pointer_down(at(x, y), PointerButton::Primary);
    editor.pointer_move(at(x + w, y + h));
    editor.pointer_up(at(x + w, y + h), env);
}

/// Draws an arrow from the middle of `a` to the middle of `b` (both ends bind when they land on
/// a shape).
fn draw_arrow(editor: &mut Editor, a: ElementId, b: ElementId, env: &mut SimEntropy<'_>) {
    let centre = |id| {
        editor.scene().get(id).map(|e| {
            let r = e.bounds();
            let c = r.center();
            editor.camera.world_to_screen(c)
        })
    };
    let (Some(from), Some(to)) = (centre(a), centre(b)) else {
        return;
    };
    if (from.x - to.x).abs() + (from.y - to.y).abs() < 10.0 {
        return;
    }
    editor.set_tool(ToolKind::Arrow);
    editor.pointer_down(from, PointerButton::Primary);
    editor.pointer_move(to);
    editor.pointer_up(to, env);
}
