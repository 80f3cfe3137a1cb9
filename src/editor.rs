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

use crate::camera::Camera;
use crate::clipboard::{self, Clipboard, ClipboardError, Copied};
use crate::element::{Color, Element, ElementId, ElementKind, GroupId, MAX_TEXT_CHARS, Props};
use crate::geom::{Rect, ScreenPoint, ScreenVec, Vec2, WorldPoint};
use crate::history::{ActionId, History, Reverted};
use crate::index::FracIndex;
use crate::ink::fit::CleanShape;
use crate::ops::{Op, Patch, Stamp};
use crate::render::{DrawCommand, grid_commands, scene_commands};
use crate::replica::{ClientOpId, Replica, Sequenced};
use crate::scene::Scene;
use crate::tool::grid::GRID_SIZE;
use crate::tool::laser::Laser;
use crate::tool::points::{editable, handles};
use crate::tool::select::{Overlay, frame_handles, selected_props};
use crate::tool::transform::Frame;
use crate::tool::{
    BoxTool, Cursor, Edit, EraserTool, FreedrawTool, LinearTool, Modifiers, PointerInput, Preview,
    SelectTool, Selection, Style, TextEdit, TextTool, Tool, ToolContext, ToolOutcome, convert,
    pickable,
};
use std::borrow::Cow;

pub use crate::tool::ToolKind;

/// Where ids, nonces and time come from. The core has no clock or random source of its own.
pub trait Entropy {
    /// A fresh element id.
    fn element_id(&mut self) -> ElementId;
    /// A random version nonce.
    fn nonce(&mut self) -> u32;
    /// Milliseconds since the Unix epoch.
    fn now_ms(&mut self) -> i64;
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

/// What the user may do with the board.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Access {
    /// Draw and edit.
    #[default]
    Edit,
    /// Only look: pan and zoom (the server would refuse edits anyway).
    View,
}

/// What a keyboard shortcut does. Hosts map keys with [`Command::from_key`] and run them with
/// [`Editor::run`], so the shortcuts are the same everywhere and tested here.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Command {
    /// Pick a tool.
    Tool(ToolKind),
    /// Delete the selection.
    Delete,
    /// Select every element.
    SelectAll,
    /// Copy the selection, slightly offset, and select the copies.
    Duplicate,
    /// Move the selection by this many world units.
    Nudge(Vec2),
    /// Abandon the gesture in progress, or else clear the selection.
    Escape,
    /// Undo the last own change.
    Undo,
    /// Redo the last undone change.
    Redo,
    /// Zoom in one step about the middle of the view.
    ZoomIn,
    /// Zoom out one step about the middle of the view.
    ZoomOut,
    /// Back to 100 % about the middle of the view.
    ZoomReset,
    /// Frame every element.
    ZoomToFit,
    /// Frame the selection.
    ZoomToSelection,
    /// Move the selection in paint order.
    Layer(Layer),
    /// Line the selected elements up (their bounding boxes) on the selection's edge or centre.
    Align(Align),
    /// Space three or more selected elements with equal gaps between their bounding boxes.
    Distribute(Axis),
    /// Keep the drawing tool after drawing a shape (on), or return to the selection tool (off).
    ToggleToolLock,
    /// Lock the selection, or with nothing selected unlock every locked element.
    ToggleLock,
    /// Show or hide the grid (drawing, moving and resizing snap to it while shown).
    ToggleGrid,
    /// Type into the one selected shape or text ([`Editor::edit_selected_text`]).
    EditText,
    /// Put the selection (two or more elements) into a new group.
    Group,
    /// Take the selection out of its outermost group.
    Ungroup,
}

/// Which edge or centre line [`Command::Align`] lines the selection up on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    /// Left edges.
    Left,
    /// Vertical centre lines.
    CenterX,
    /// Right edges.
    Right,
    /// Top edges.
    Top,
    /// Horizontal centre lines.
    CenterY,
    /// Bottom edges.
    Bottom,
}

/// The axis [`Command::Distribute`] spaces the selection along.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Axis {
    /// Equal horizontal gaps.
    Horizontal,
    /// Equal vertical gaps.
    Vertical,
}

/// Where [`Command::Layer`] moves the selection in paint order (Excalidraw's z-order actions).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layer {
    /// Above the next element that is not selected.
    Forward,
    /// Below the previous element that is not selected.
    Backward,
    /// Above everything.
    ToFront,
    /// Below everything.
    ToBack,
}

/// One keyboard zoom step (Ctrl + = / Ctrl + -).
pub const ZOOM_STEP: f64 = 1.25;
/// Screen pixels kept free around what zoom-to-fit frames.
pub const FIT_PADDING: f64 = 40.0;

/// How far the arrow keys move the selection, world units (with shift: [`NUDGE_FAR`]).
pub const NUDGE: f64 = 1.0;
/// How far shift + arrow moves the selection.
pub const NUDGE_FAR: f64 = 10.0;
/// How far duplicates are offset from their originals (Excalidraw's 10).
pub const DUPLICATE_OFFSET: f64 = 10.0;

/// The shortcuts other than tool keys ([`ToolKind::shortcuts`]), for the help dialog.
pub const SHORTCUTS: &[(&str, &str)] = &[
    ("Q", "Tool lock: keep the tool after drawing a shape"),
    (
        "Ctrl + '",
        "Show the grid and snap to it (Ctrl while dragging: don't snap)",
    ),
    ("Delete / Backspace", "Delete the selection"),
    ("Ctrl + A", "Select everything"),
    ("Ctrl + D", "Duplicate the selection"),
    (
        "Ctrl + G / Ctrl + Shift + G",
        "Group / ungroup the selection",
    ),
    (
        "Ctrl + C / Ctrl + X / Ctrl + V",
        "Copy / cut / paste (at the pointer; text becomes a text element)",
    ),
    ("Arrow keys", "Nudge the selection (Shift: 10×)"),
    ("Shift + click", "Add to or remove from the selection"),
    ("Shift while drawing", "Square boxes, 15° lines"),
    ("Shift while resizing", "Keep proportions"),
    ("Alt while resizing", "Resize from the centre"),
    ("Escape", "Cancel, or clear the selection"),
    ("Ctrl + Z", "Undo"),
    ("Ctrl + Shift + Z / Ctrl + Y", "Redo"),
    ("Ctrl + wheel / pinch", "Zoom"),
    (
        "Ctrl + Shift + L",
        "Lock the selection (nothing selected: unlock all)",
    ),
    (
        "Ctrl + Shift + arrows",
        "Align the selection left / right / top / bottom",
    ),
    (
        "Alt + H / Alt + V",
        "Distribute the selection horizontally / vertically",
    ),
    ("Ctrl + ] / Ctrl + [", "Bring forward / send backward"),
    (
        "Ctrl + Shift + ] / Ctrl + Shift + [",
        "Bring to front / send to back",
    ),
    ("Ctrl + = / Ctrl + -", "Zoom in / out"),
    ("Ctrl + 0", "Zoom to 100 %"),
    ("Shift + 1", "Zoom to fit everything"),
    ("Shift + 2", "Zoom to the selection"),
    ("Wheel, middle button, Space + drag, Hand", "Pan"),
    (
        "Double-click",
        "Edit text, or add text (inside a shape: its label)",
    ),
    ("Enter", "Type into the selected shape or text"),
    ("?", "Show this help"),
];

impl Command {
    /// The command for a key (`KeyboardEvent.key`, any case) pressed with `m`, if any.
    pub fn from_key(key: &str, m: Modifiers) -> Option<Command> {
        let key = key.to_lowercase();
        let far = if m.shift { NUDGE_FAR } else { NUDGE };
        Some(match key.as_str() {
            "z" if m.ctrl && m.shift => Self::Redo,
            "z" if m.ctrl => Self::Undo,
            "y" if m.ctrl => Self::Redo,
            "a" if m.ctrl => Self::SelectAll,
            "d" if m.ctrl => Self::Duplicate,
            "g" if m.ctrl && m.shift => Self::Ungroup,
            "g" if m.ctrl => Self::Group,
            "l" if m.ctrl && m.shift => Self::ToggleLock,
            "'" if m.ctrl => Self::ToggleGrid,
            "delete" | "backspace" => Self::Delete,
            "enter" if !m.ctrl && !m.alt && !m.shift => Self::EditText,
            "escape" => Self::Escape,
            "q" if !m.ctrl && !m.alt => Self::ToggleToolLock,
            "arrowleft" if m.ctrl && m.shift => Self::Align(Align::Left),
            "arrowright" if m.ctrl && m.shift => Self::Align(Align::Right),
            "arrowup" if m.ctrl && m.shift => Self::Align(Align::Top),
            "arrowdown" if m.ctrl && m.shift => Self::Align(Align::Bottom),
            "h" if m.alt && !m.ctrl => Self::Distribute(Axis::Horizontal),
            "v" if m.alt && !m.ctrl => Self::Distribute(Axis::Vertical),
            "arrowleft" => Self::Nudge(Vec2::new(-far, 0.0)),
            "arrowright" => Self::Nudge(Vec2::new(far, 0.0)),
            "arrowup" => Self::Nudge(Vec2::new(0.0, -far)),
            "arrowdown" => Self::Nudge(Vec2::new(0.0, far)),
            // Shift + ] / [ arrive as "}" / "{" on US layouts.
            "]" | "}" if m.ctrl && m.shift => Self::Layer(Layer::ToFront),
            "[" | "{" if m.ctrl && m.shift => Self::Layer(Layer::ToBack),
            "]" if m.ctrl => Self::Layer(Layer::Forward),
            "[" if m.ctrl => Self::Layer(Layer::Backward),
            "=" | "+" if m.ctrl => Self::ZoomIn,
            "-" | "_" if m.ctrl => Self::ZoomOut,
            "0" if m.ctrl => Self::ZoomReset,
            // Shift + 1 / 2 arrive as "!" / "@" on US layouts, as the digit elsewhere.
            "!" | "1" if m.shift && !m.ctrl => Self::ZoomToFit,
            "@" | "2" if m.shift && !m.ctrl => Self::ZoomToSelection,
            k if !m.ctrl && !m.alt => Self::Tool(ToolKind::from_shortcut(k)?),
            _ => return None,
        })
    }

    /// Whether the command changes the board (and is therefore refused to viewers).
    fn edits(self) -> bool {
        match self {
            Self::Tool(t) => t.edits(),
            Self::Escape
            | Self::ToggleToolLock
            | Self::ToggleGrid
            | Self::ZoomIn
            | Self::ZoomOut
            | Self::ZoomReset
            | Self::ZoomToFit
            | Self::ZoomToSelection => false,
            _ => true,
        }
    }
}

/// A change from the style panel.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum StyleChange {
    /// Outline and text colour.
    StrokeColor(Color),
    /// Fill colour of boxes.
    BackgroundColor(Color),
    /// Outline width.
    StrokeWidth(f64),
}

/// What the UI shows about the selection (toolbar buttons, style panel).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SelectionSummary {
    /// How many elements are selected.
    pub count: usize,
    /// How many of them are freehand ink (the "Convert to text" button needs some).
    pub ink: usize,
    /// The style shown in the panel: the first selected element's, or the style for new shapes.
    pub style: Style,
}

/// One freehand stroke handed to a recogniser: its points in world coordinates, and its
/// version, so that a late answer never replaces ink that changed meanwhile.
#[derive(Clone, Debug, PartialEq)]
pub struct InkStroke {
    /// The freedraw element.
    pub id: ElementId,
    /// Its version when the points were taken.
    pub version: u32,
    /// Its points in world coordinates (rotation applied).
    pub points: Vec<WorldPoint>,
}

/// The result of replacing ink with what a recogniser made of it.
#[derive(Clone, Debug, PartialEq)]
pub struct Replacement {
    /// The undoable action (for "Keep ink": [`Editor::revert`]).
    pub action: ActionId,
    /// The new elements.
    pub created: Vec<ElementId>,
}

/// Applies `$e` to the state machine behind an [`ActiveTool`] (`None` for the hand and the
/// laser pointer, which the editor handles itself).
macro_rules! each_tool {
    ($tool:expr, $t:ident => $e:expr) => {
        match $tool {
            ActiveTool::Hand | ActiveTool::Laser => None,
            ActiveTool::Select($t) => Some($e),
            ActiveTool::Box($t) => Some($e),
            ActiveTool::Linear($t) => Some($e),
            ActiveTool::Freedraw($t) => Some($e),
            ActiveTool::Text($t) => Some($e),
            ActiveTool::Eraser($t) => Some($e),
        }
    };
}

/// The tool state machine in use.
#[derive(Clone, Debug)]
enum ActiveTool {
    Hand,
    Laser,
    Select(SelectTool),
    Box(BoxTool),
    Linear(LinearTool),
    Freedraw(FreedrawTool),
    Text(TextTool),
    Eraser(EraserTool),
}

impl ActiveTool {
    fn for_kind(kind: ToolKind) -> Self {
        match kind {
            ToolKind::Hand => Self::Hand,
            ToolKind::Select => Self::Select(SelectTool::new()),
            ToolKind::Rectangle => Self::Box(BoxTool::new(ElementKind::Rectangle)),
            ToolKind::Diamond => Self::Box(BoxTool::new(ElementKind::Diamond)),
            ToolKind::Ellipse => Self::Box(BoxTool::new(ElementKind::Ellipse)),
            ToolKind::Arrow => Self::Linear(LinearTool::new(ElementKind::Arrow)),
            ToolKind::Line => Self::Linear(LinearTool::new(ElementKind::Line)),
            ToolKind::Freedraw => Self::Freedraw(FreedrawTool::new()),
            ToolKind::Text => Self::Text(TextTool::default()),
            ToolKind::Eraser => Self::Eraser(EraserTool::default()),
            ToolKind::Laser => Self::Laser,
        }
    }

    fn get(&self) -> Option<&dyn Tool> {
        each_tool!(self, t => t)
    }

    fn get_mut(&mut self) -> Option<&mut dyn Tool> {
        each_tool!(self, t => t)
    }
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
    fn apply_edits(
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
    fn create_op(
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
        let element = Element::new(id, props, env.nonce(), env.now_ms()).ok()?;
        Some(Op::Create { element })
    }

    /// Applies `ops` as one action and returns it with those of `created` that now exist.
    fn act_creating(
        &mut self,
        ops: Vec<Op>,
        mut created: Vec<ElementId>,
        env: &mut impl Entropy,
    ) -> (Option<ActionId>, Vec<ElementId>) {
        let action = self.act(ops, env);
        created.retain(|id| self.scene().get(*id).is_some());
        (action, created)
    }

    /// Inserts `copies` (fresh ids already given, see [`clipboard::copies`]) above everything,
    /// in the order given, as one action, and selects them. Nothing is inserted if any copy is
    /// invalid. Returns the created ids (empty when nothing changed).
    fn insert_copies(&mut self, copies: Vec<Copied>, env: &mut impl Entropy) -> Vec<ElementId> {
        let mut index = None;
        let mut ops = Vec::with_capacity(copies.len());
        for c in copies {
            let Some(op) = self.create_op(c.id, c.props, &mut index, env) else {
                return Vec::new();
            };
            ops.push(op);
        }
        let created = ops
            .iter()
            .filter_map(|op| match op {
                Op::Create { element } => Some(element.id),
                _ => None,
            })
            .collect();
        let (action, created) = self.act_creating(ops, created, env);
        if action.is_none() {
            return Vec::new();
        }
        self.select(created.iter().copied());
        created
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

    /// The active tool.
    pub fn tool(&self) -> ToolKind {
        self.tool
    }

    /// Switches tools, abandoning any gesture in progress. Picking a drawing tool clears the
    /// selection (the style panel then edits the style of new shapes, as in Excalidraw).
    /// Viewers can only have the hand.
    pub fn set_tool(&mut self, tool: ToolKind) {
        let tool = if self.access == Access::View {
            ToolKind::Hand
        } else {
            tool
        };
        if tool == self.tool {
            return;
        }
        self.cancel();
        self.tool = tool;
        self.active = ActiveTool::for_kind(tool);
        if tool != ToolKind::Select && tool != ToolKind::Hand {
            self.selection.clear();
        }
        self.dirty = true;
    }

    /// Whether the tool lock is on: drawing tools stay active after a shape instead of handing
    /// over to the selection tool.
    pub fn tool_lock(&self) -> bool {
        self.tool_lock
    }

    /// Turns the tool lock on or off.
    pub fn set_tool_lock(&mut self, on: bool) {
        self.tool_lock = on;
        self.dirty = true;
    }

    /// Whether the grid is shown (and drawing, moving and resizing snap to it).
    pub fn grid(&self) -> bool {
        self.grid
    }

    /// Shows or hides the grid.
    pub fn set_grid(&mut self, on: bool) {
        self.grid = on;
        self.dirty = true;
    }

    /// The grid's cell size while it is shown.
    fn grid_size(&self) -> Option<f64> {
        self.grid.then_some(GRID_SIZE)
    }

    /// After a tool created `created`: a one-shot tool hands over to the selection tool with
    /// the new elements selected, unless the tool lock is on (Excalidraw's flow: draw a box,
    /// then style or move it at once).
    fn after_drawing(&mut self, created: &[ElementId]) {
        if created.is_empty() || self.tool_lock || !self.tool.returns_to_select() {
            return;
        }
        self.set_tool(ToolKind::Select);
        self.select(created.iter().copied());
    }

    /// The selected elements' ids.
    pub fn selection(&self) -> &Selection {
        &self.selection
    }

    /// Selects exactly `ids` (those that are selectable).
    pub fn select(&mut self, ids: impl IntoIterator<Item = ElementId>) {
        self.selection.set(ids);
        self.selection.retain_selectable(self.replica.view());
        self.dirty = true;
    }

    /// Selects every live, unlocked element (and switches to the selection tool).
    pub fn select_all(&mut self) {
        self.set_tool(ToolKind::Select);
        let ids: Vec<ElementId> = self
            .scene()
            .iter_live()
            .filter(|e| pickable(e.props()))
            .map(|e| e.id)
            .collect();
        self.select(ids);
    }

    /// What the UI shows about the selection.
    pub fn selection_summary(&self) -> SelectionSummary {
        let selected: Vec<&Props> = selected_props(self.scene(), &self.selection)
            .map(|(_, p)| p)
            .collect();
        let style = selected.first().map_or(self.style, |p| Style {
            stroke_color: p.stroke_color,
            background_color: p.background_color,
            stroke_width: p.stroke_width,
        });
        SelectionSummary {
            count: selected.len(),
            ink: selected
                .iter()
                .filter(|p| p.kind == ElementKind::Freedraw)
                .count(),
            style,
        }
    }

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

    /// Runs `f` on the active tool with a context over the scene and the selection.
    fn with_tool<R>(
        &mut self,
        f: impl FnOnce(&mut dyn Tool, &mut ToolContext<'_>) -> R,
    ) -> Option<R> {
        let grid = self.grid_size();
        let tool = self.active.get_mut()?;
        let mut ctx = ToolContext {
            scene: self.replica.view(),
            selection: &mut self.selection,
            zoom: self.camera.zoom,
            style: self.style,
            grid,
        };
        Some(f(tool, &mut ctx))
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

    /// A double click: opens the text editor on the text inside the shape under the pointer
    /// (or inside the one selected shape, when the click is within it), else on the text under
    /// the pointer, or on new text there (the selection tool's shortcut for the text tool).
    /// Returns whether it did.
    pub fn double_click(&mut self, at: ScreenPoint) -> bool {
        if self.tool != ToolKind::Select || self.access == Access::View {
            return false;
        }
        self.cancel();
        let world = self.camera.screen_to_world(at);
        let only = self.only_selected();
        let edit = self.with_tool(|_, ctx| {
            let within = only.filter(|id| {
                let p = ctx.scene.get(*id).map(|e| e.props());
                p.and_then(|p| Frame::of([p]))
                    .is_some_and(|f| f.contains(world))
            });
            // Excalidraw's rule: inside an unfilled shape counts too (it is not a hit there).
            let inside = || crate::binding::target_at(ctx.scene, world, 0.0, &[]);
            let shape = ctx.hit(world).or(within).or_else(inside);
            shape
                .and_then(|id| crate::tool::text::text_in(id, ctx))
                .unwrap_or_else(|| crate::tool::text::text_at(world, ctx))
        });
        let Some(edit) = edit else {
            return false;
        };
        self.open_text(edit);
        true
    }

    /// The one selected element, if exactly one is selected.
    fn only_selected(&self) -> Option<ElementId> {
        let mut ids = self.selection.ids();
        match (ids.next(), ids.next()) {
            (Some(id), None) => Some(id),
            _ => None,
        }
    }

    /// Opens the text editor on `edit` (the selection is cleared: the text box takes over).
    fn open_text(&mut self, edit: TextEdit) {
        self.selection.clear();
        self.text_edit = Some(edit);
        self.dirty = true;
    }

    /// Enter on a selection of one: edits the text inside the selected shape (new text if it
    /// has none), or the selected text itself (Excalidraw's shortcut). Returns whether the text
    /// editor opened.
    pub fn edit_selected_text(&mut self) -> bool {
        if self.access == Access::View || self.tool != ToolKind::Select {
            return false;
        }
        let Some(id) = self.only_selected() else {
            return false;
        };
        self.cancel();
        let edit = self.with_tool(|_, ctx| {
            let p = ctx.scene.get(id)?.props();
            if p.kind == ElementKind::Text {
                return Some(TextEdit {
                    id: Some(id),
                    props: p.clone(),
                });
            }
            crate::tool::text::text_in(id, ctx)
        });
        match edit.flatten() {
            Some(edit) => {
                self.open_text(edit);
                true
            }
            None => false,
        }
    }

    /// The text being typed, if the text editor is open.
    pub fn text_edit(&self) -> Option<&TextEdit> {
        self.text_edit.as_ref()
    }

    /// Closes the text editor without changing anything.
    pub fn cancel_text(&mut self) {
        if self.text_edit.take().is_some() {
            self.dirty = true;
        }
    }

    /// Closes the text editor, keeping `text`: a new element is created, an edited one updated
    /// (or deleted, when emptied). Empty text creates nothing. `measured` is the text's size in
    /// world units when the host could measure it (the core only estimates). Returns the text
    /// element when one remains.
    pub fn commit_text(
        &mut self,
        text: &str,
        measured: Option<(f64, f64)>,
        env: &mut impl Entropy,
    ) -> Option<ElementId> {
        let edit = self.text_edit.take()?;
        self.dirty = true;
        let text: String = text
            .chars()
            .filter(|&c| !c.is_control() || c == '\n' || c == '\t')
            .take(MAX_TEXT_CHARS)
            .collect();
        let empty = text.trim().is_empty();
        let before = &edit.props;
        let mut after = Props::text(
            WorldPoint::new(before.x, before.y),
            &text,
            before.font_size,
            before.index.clone(),
        );
        if let Some((w, h)) = measured.filter(|(w, h)| w.is_finite() && h.is_finite()) {
            after.width = w.max(0.0);
            after.height = h.max(0.0);
        }
        match edit.id {
            None if empty => None,
            None => {
                let mut props = before.clone();
                props.text = after.text;
                props.width = after.width;
                props.height = after.height;
                let (_, created) = self.apply_edits(vec![Edit::Create(props)], env);
                self.after_drawing(&created);
                created.first().copied()
            }
            Some(id) if empty => {
                self.act(vec![Op::Delete { id }], env);
                None
            }
            Some(id) => {
                let current = self.scene().get(id)?.props().clone();
                let mut next = current.clone();
                next.text = after.text;
                next.width = after.width;
                next.height = after.height;
                let patch = Patch::diff(&current, &next);
                self.act(vec![Op::Update { id, patch }], env);
                Some(id)
            }
        }
    }

    /// Deletes the selection as one action. Returns whether anything changed.
    pub fn delete_selection(&mut self, env: &mut impl Entropy) -> bool {
        let ops: Vec<Op> = selected_props(self.scene(), &self.selection)
            .map(|(id, _)| Op::Delete { id })
            .collect();
        self.selection.clear();
        self.act(ops, env).is_some()
    }

    /// The selected elements in paint order, bottom first.
    fn selected_in_order(&self) -> Vec<Copied> {
        let mut out: Vec<Copied> = selected_props(self.scene(), &self.selection)
            .map(|(id, p)| Copied {
                id,
                props: p.clone(),
            })
            .collect();
        out.sort_by(|a, b| a.props.index.cmp(&b.props.index));
        out
    }

    /// Puts the selection (two or more elements) into a new group around any groups they are
    /// already in (Excalidraw's Ctrl+G): clicking any of them then selects them all. One
    /// action; returns whether the board changed.
    pub fn group_selection(&mut self, env: &mut impl Entropy) -> bool {
        let chosen: Vec<(ElementId, Vec<GroupId>)> = selected_props(self.scene(), &self.selection)
            .map(|(id, p)| (id, p.group_ids.clone()))
            .collect();
        if chosen.len() < 2 {
            return false;
        }
        let Ok(group) = GroupId::try_from(env.element_id().to_string()) else {
            return false;
        };
        // Outermost first: the new group encloses the groups they were in.
        let ops = chosen
            .into_iter()
            .map(|(id, inner)| Op::Update {
                id,
                patch: Patch {
                    group_ids: Some(std::iter::once(group.clone()).chain(inner).collect()),
                    ..Patch::default()
                },
            })
            .collect();
        self.act(ops, env).is_some()
    }

    /// Takes every selected element out of its outermost group (Ctrl+Shift+G); the groups
    /// inside it stay. One action; returns whether the board changed.
    pub fn ungroup_selection(&mut self, env: &mut impl Entropy) -> bool {
        let ops: Vec<Op> = selected_props(self.scene(), &self.selection)
            .filter(|(_, p)| !p.group_ids.is_empty())
            .map(|(id, p)| Op::Update {
                id,
                patch: Patch {
                    group_ids: Some(p.group_ids[1..].to_vec()),
                    ..Patch::default()
                },
            })
            .collect();
        !ops.is_empty() && self.act(ops, env).is_some()
    }

    /// Copies the selection [`DUPLICATE_OFFSET`] down and right, above everything, and selects
    /// the copies (see [`clipboard::copies`] for groups and bindings). Returns whether anything
    /// changed.
    pub fn duplicate_selection(&mut self, env: &mut impl Entropy) -> bool {
        let originals = self.selected_in_order();
        let offset = Vec2::new(DUPLICATE_OFFSET, DUPLICATE_OFFSET);
        let copies = clipboard::copies(originals, offset, || env.element_id());
        !self.insert_copies(copies, env).is_empty()
    }

    /// The selection as clipboard text (see [`crate::clipboard`]), or `None` when nothing is
    /// selected.
    pub fn copy_selection(&self) -> Option<String> {
        let selected = self.selected_in_order();
        (!selected.is_empty()).then(|| clipboard::serialize(&selected))
    }

    /// Copies the selection, then deletes it (one undoable action). `None` when nothing is
    /// selected or the user may not edit.
    pub fn cut_selection(&mut self, env: &mut impl Entropy) -> Option<String> {
        if self.access == Access::View {
            return None;
        }
        let text = self.copy_selection()?;
        self.delete_selection(env);
        Some(text)
    }

    /// Pastes clipboard text: copied elements (fresh ids, groups and bindings among them kept,
    /// see [`clipboard::copies`]) or plain text as a text element, centred on `at` (the pointer)
    /// or else on the middle of the view, selected, with the selection tool, as one undoable
    /// action. Refused content changes nothing and says why. Returns the new elements.
    pub fn paste(
        &mut self,
        text: &str,
        at: Option<ScreenPoint>,
        env: &mut impl Entropy,
    ) -> Result<Vec<ElementId>, ClipboardError> {
        if self.access == Access::View {
            return Err(ClipboardError::ViewOnly);
        }
        let content = clipboard::parse(text)?;
        let (w, h) = self.view_size;
        let target = self
            .camera
            .screen_to_world(at.unwrap_or(ScreenPoint::new(w / 2.0, h / 2.0)));
        let originals = match content {
            Clipboard::Elements(elements) => elements,
            Clipboard::Text(text) => {
                let mut props = Props::text(
                    target,
                    &text,
                    crate::tool::text::DEFAULT_FONT_SIZE,
                    self.scene().next_index(),
                );
                self.style.apply(&mut props);
                // Any id: `copies` gives it a fresh one.
                vec![Copied {
                    id: ElementId::from_u128(0),
                    props,
                }]
            }
        };
        let Some(bounds) = originals
            .iter()
            .map(|c| crate::shape::bounds(&c.props))
            .reduce(|a, b| a.union(&b))
        else {
            return Err(ClipboardError::Empty);
        };
        let offset = target - bounds.center();
        let copies = clipboard::copies(originals, offset, || env.element_id());
        self.cancel_text();
        self.set_tool(ToolKind::Select);
        let created = self.insert_copies(copies, env);
        if created.is_empty() {
            return Err(ClipboardError::InvalidElement(
                "the elements do not fit on this board".to_owned(),
            ));
        }
        Ok(created)
    }

    /// Locks the selected elements as one action: they stay painted but can no longer be
    /// picked (click or marquee), so nothing moves, resizes, restyles or erases them. With
    /// nothing selected (locked elements cannot be), unlocks every locked element instead
    /// ([`Editor::unlock_all`]). Returns whether the board changed.
    pub fn toggle_lock(&mut self, env: &mut impl Entropy) -> bool {
        if self.selection.is_empty() {
            return self.unlock_all(env);
        }
        let ops = selected_props(self.scene(), &self.selection)
            .map(|(id, _)| Op::Update {
                id,
                patch: Patch {
                    locked: Some(true),
                    ..Patch::default()
                },
            })
            .collect();
        // Locked elements leave the selection (`apply_local` drops them).
        self.act(ops, env).is_some()
    }

    /// Unlocks every locked element as one action and selects them (Excalidraw's "Unlock
    /// all"). Returns whether the board changed.
    pub fn unlock_all(&mut self, env: &mut impl Entropy) -> bool {
        let ids: Vec<ElementId> = self
            .scene()
            .iter_live()
            .filter(|e| e.props().locked)
            .map(|e| e.id)
            .collect();
        let ops = ids
            .iter()
            .map(|&id| Op::Update {
                id,
                patch: Patch {
                    locked: Some(false),
                    ..Patch::default()
                },
            })
            .collect();
        if self.act(ops, env).is_none() {
            return false;
        }
        self.set_tool(ToolKind::Select);
        self.select(ids);
        true
    }

    /// How many live elements are locked (the UI offers "Unlock all" when there are some).
    pub fn locked_count(&self) -> usize {
        self.scene()
            .iter_live()
            .filter(|e| e.props().locked)
            .count()
    }

    /// Moves the selection by `d` as one action. Returns whether anything changed.
    pub fn nudge(&mut self, d: Vec2, env: &mut impl Entropy) -> bool {
        let ops: Vec<Op> = selected_props(self.scene(), &self.selection)
            .map(|(id, p)| Op::Update {
                id,
                patch: Patch {
                    x: Some(p.x + d.x),
                    y: Some(p.y + d.y),
                    ..Patch::default()
                },
            })
            .collect();
        self.act(ops, env).is_some()
    }

    /// The style new shapes get.
    pub fn style(&self) -> Style {
        self.style
    }

    /// Changes the style of new shapes and of the selected elements (one action). Returns
    /// whether the board changed.
    pub fn set_style(&mut self, change: StyleChange, env: &mut impl Entropy) -> bool {
        let set = |s: &mut Style| match change {
            StyleChange::StrokeColor(c) => s.stroke_color = c,
            StyleChange::BackgroundColor(c) => s.background_color = c,
            StyleChange::StrokeWidth(w) if w > 0.0 && w <= 100.0 => s.stroke_width = w,
            StyleChange::StrokeWidth(_) => {}
        };
        set(&mut self.style);
        self.dirty = true;
        let ops: Vec<Op> = selected_props(self.scene(), &self.selection)
            .filter_map(|(id, p)| {
                let mut next = p.clone();
                match change {
                    StyleChange::StrokeColor(c) => next.stroke_color = c,
                    StyleChange::BackgroundColor(c) if p.kind.is_box() => {
                        next.background_color = c;
                    }
                    StyleChange::StrokeWidth(w) if p.kind != ElementKind::Text => {
                        next.stroke_width = w;
                    }
                    _ => {}
                }
                let patch = Patch::diff(p, &next);
                (!patch.is_empty() && next.validate().is_ok()).then_some(Op::Update { id, patch })
            })
            .collect();
        self.act(ops, env).is_some()
    }

    /// Runs a keyboard command. Returns whether the board changed (the host then sends the
    /// outbox).
    pub fn run(&mut self, command: Command, env: &mut impl Entropy) -> bool {
        if self.access == Access::View && command.edits() {
            return false;
        }
        self.dirty = true;
        match command {
            Command::Tool(t) => {
                self.set_tool(t);
                false
            }
            Command::Delete => self.delete_selection(env),
            Command::SelectAll => {
                self.select_all();
                false
            }
            Command::Duplicate => self.duplicate_selection(env),
            Command::Group => self.group_selection(env),
            Command::Ungroup => self.ungroup_selection(env),
            Command::Nudge(d) => self.nudge(d, env),
            Command::Escape => {
                if self.is_gesture_active() {
                    self.cancel();
                } else if self.text_edit.is_some() {
                    self.cancel_text();
                } else {
                    self.selection.clear();
                }
                false
            }
            Command::Undo => self.undo(env),
            Command::Redo => self.redo(env),
            Command::ToggleToolLock => {
                self.set_tool_lock(!self.tool_lock);
                false
            }
            Command::ToggleLock => self.toggle_lock(env),
            Command::ToggleGrid => {
                self.set_grid(!self.grid);
                false
            }
            Command::Layer(layer) => self.reorder(layer, env),
            Command::Align(a) => self.align(a, env),
            Command::Distribute(axis) => self.distribute(axis, env),
            Command::EditText => {
                self.edit_selected_text();
                false
            }
            Command::ZoomIn | Command::ZoomOut | Command::ZoomReset => {
                let (w, h) = self.view_size;
                let zoom = match command {
                    Command::ZoomIn => self.camera.zoom * ZOOM_STEP,
                    Command::ZoomOut => self.camera.zoom / ZOOM_STEP,
                    _ => 1.0,
                };
                self.camera
                    .zoom_at(ScreenPoint::new(w / 2.0, h / 2.0), zoom);
                false
            }
            Command::ZoomToFit | Command::ZoomToSelection => {
                let bounds = if command == Command::ZoomToFit {
                    self.scene()
                        .iter_live()
                        .map(Element::bounds)
                        .reduce(|a, b| a.union(&b))
                } else {
                    self.selection
                        .ids()
                        .filter_map(|id| self.scene().get(id))
                        .map(Element::bounds)
                        .reduce(|a, b| a.union(&b))
                };
                if let Some(r) = bounds {
                    let (w, h) = self.view_size;
                    // Fitting everything never zooms past 100 %; a small selection may be
                    // enlarged up to 400 %.
                    let max = if command == Command::ZoomToFit {
                        1.0
                    } else {
                        4.0
                    };
                    self.camera.fit(r, w, h, FIT_PADDING, max);
                }
                false
            }
        }
    }

    /// The selected elements with their visual bounds (rotation and stroke included).
    fn selected_bounds(&self) -> Vec<(ElementId, Props, Rect)> {
        selected_props(self.scene(), &self.selection)
            .filter_map(|(id, p)| Some((id, p.clone(), self.scene().get(id)?.bounds())))
            .collect()
    }

    /// Moves elements by per-element offsets as one action (zero offsets are skipped).
    fn shift_elements(
        &mut self,
        moves: Vec<(ElementId, Props, Vec2)>,
        env: &mut impl Entropy,
    ) -> bool {
        let ops: Vec<Op> = moves
            .into_iter()
            .filter(|(_, _, d)| d.x.abs() > 1e-9 || d.y.abs() > 1e-9)
            .map(|(id, p, d)| Op::Update {
                id,
                patch: Patch {
                    x: Some(p.x + d.x),
                    y: Some(p.y + d.y),
                    ..Patch::default()
                },
            })
            .collect();
        self.act(ops, env).is_some()
    }

    /// Lines up two or more selected elements on the selection's edge or centre line.
    pub fn align(&mut self, align: Align, env: &mut impl Entropy) -> bool {
        let sel = self.selected_bounds();
        let Some(all) = sel.iter().map(|s| s.2).reduce(|a, b| a.union(&b)) else {
            return false;
        };
        if sel.len() < 2 {
            return false;
        }
        let moves = sel
            .into_iter()
            .map(|(id, p, b)| {
                let d = match align {
                    Align::Left => Vec2::new(all.min.x - b.min.x, 0.0),
                    Align::Right => Vec2::new(all.max.x - b.max.x, 0.0),
                    Align::CenterX => Vec2::new(all.center().x - b.center().x, 0.0),
                    Align::Top => Vec2::new(0.0, all.min.y - b.min.y),
                    Align::Bottom => Vec2::new(0.0, all.max.y - b.max.y),
                    Align::CenterY => Vec2::new(0.0, all.center().y - b.center().y),
                };
                (id, p, d)
            })
            .collect();
        self.shift_elements(moves, env)
    }

    /// Spaces three or more selected elements so the gaps between their bounding boxes are
    /// equal; the outermost two stay where they are.
    pub fn distribute(&mut self, axis: Axis, env: &mut impl Entropy) -> bool {
        let mut sel = self.selected_bounds();
        if sel.len() < 3 {
            return false;
        }
        let horizontal = axis == Axis::Horizontal;
        let lo = |r: &Rect| if horizontal { r.min.x } else { r.min.y };
        let size = |r: &Rect| if horizontal { r.width() } else { r.height() };
        sel.sort_by(|a, b| (lo(&a.2) + size(&a.2) / 2.0).total_cmp(&(lo(&b.2) + size(&b.2) / 2.0)));
        let start = sel.iter().map(|s| lo(&s.2)).fold(f64::INFINITY, f64::min);
        let end = sel
            .iter()
            .map(|s| lo(&s.2) + size(&s.2))
            .fold(f64::NEG_INFINITY, f64::max);
        let total: f64 = sel.iter().map(|s| size(&s.2)).sum();
        let gap = (end - start - total) / (sel.len() - 1) as f64;
        let mut at = start;
        let moves = sel
            .into_iter()
            .map(|(id, p, b)| {
                let delta = at - lo(&b);
                at += size(&b) + gap;
                let d = match axis {
                    Axis::Horizontal => Vec2::new(delta, 0.0),
                    Axis::Vertical => Vec2::new(0.0, delta),
                };
                (id, p, d)
            })
            .collect();
        self.shift_elements(moves, env)
    }

    /// Moves the selection in paint order as one action, keeping the selected elements' order
    /// among themselves. Returns whether the board changed.
    pub fn reorder(&mut self, layer: Layer, env: &mut impl Entropy) -> bool {
        let order: Vec<(ElementId, FracIndex)> = self
            .scene()
            .iter_live()
            .map(|e| (e.id, e.props().index.clone()))
            .collect();
        let chosen: Vec<usize> = (0..order.len())
            .filter(|&i| self.selection.contains(order[i].0))
            .collect();
        let (Some(&bottom), Some(&top)) = (chosen.first(), chosen.last()) else {
            return false;
        };
        let key = |i: usize| order.get(i).map(|o| o.1.clone());
        // The new indices go strictly between `lo` and `hi`.
        let (lo, hi) = match layer {
            Layer::ToFront => (order.last().map(|o| o.1.clone()), None),
            Layer::ToBack => (None, order.first().map(|o| o.1.clone())),
            Layer::Forward => {
                let Some(p) = (top + 1..order.len()).find(|i| !chosen.contains(i)) else {
                    return false;
                };
                (key(p), key(p + 1))
            }
            Layer::Backward => {
                let Some(p) = (0..bottom).rev().find(|i| !chosen.contains(i)) else {
                    return false;
                };
                (p.checked_sub(1).and_then(key), key(p))
            }
        };
        let mut prev = lo;
        let mut ops = Vec::with_capacity(chosen.len());
        for &i in &chosen {
            let Ok(index) = FracIndex::between(prev.as_ref(), hi.as_ref()) else {
                return false;
            };
            prev = Some(index.clone());
            ops.push(Op::Update {
                id: order[i].0,
                patch: Patch {
                    index: Some(index),
                    ..Patch::default()
                },
            });
        }
        self.act(ops, env).is_some()
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

    /// The freehand strokes among `ids` (others are skipped), for a recogniser.
    pub fn ink(&self, ids: impl IntoIterator<Item = ElementId>) -> Vec<InkStroke> {
        ids.into_iter()
            .filter_map(|id| {
                let e = self.scene().get(id)?;
                let p = e.props();
                (p.kind == ElementKind::Freedraw && !p.is_deleted).then(|| InkStroke {
                    id,
                    version: e.version(),
                    points: p.points.iter().map(|&q| p.to_world(q)).collect(),
                })
            })
            .collect()
    }

    /// Replaces ink by `new` elements as one action, unless any stroke changed since it was
    /// read (moved, erased, edited by anyone: a late recognition must not undo that). The ink's
    /// style carries over. `None` when nothing was replaced; the ink is then untouched.
    fn replace_ink(
        &mut self,
        ink: &[InkStroke],
        new: Vec<Props>,
        env: &mut impl Entropy,
    ) -> Option<Replacement> {
        if new.is_empty() || ink.is_empty() {
            return None;
        }
        let unchanged = ink.iter().all(|s| {
            self.scene()
                .get(s.id)
                .is_some_and(|e| e.version() == s.version && !e.props().is_deleted)
        });
        if !unchanged {
            return None;
        }
        // Several elements for one piece of ink (a cross's two strokes) stay together as a
        // group; a fresh random id names it.
        let group = (new.len() > 1)
            .then(|| GroupId::try_from(env.element_id().to_string()).ok())
            .flatten();
        let edits = ink
            .iter()
            .map(|s| Edit::Delete(s.id))
            .chain(new.into_iter().map(|mut p| {
                if let Some(g) = &group {
                    p.group_ids.push(g.clone());
                }
                Edit::Create(p)
            }))
            .collect();
        let (action, created) = self.apply_edits(edits, env);
        Some(Replacement {
            action: action?,
            created,
        })
    }

    /// Replaces the stroke `ink` by the clean shape a recogniser fitted to it (one undoable
    /// action). `None` if the stroke changed meanwhile or the fit gives no valid element.
    pub fn convert_to_shape(
        &mut self,
        ink: &InkStroke,
        shape: &CleanShape,
        env: &mut impl Entropy,
    ) -> Option<Replacement> {
        let props = self.scene().get(ink.id)?.props().clone();
        let new = convert::shape_elements(shape, &props);
        self.replace_ink(std::slice::from_ref(ink), new, env)
    }

    /// Replaces handwriting `ink` by one text element saying `text` (one undoable action) and
    /// selects it. `None` if a stroke changed meanwhile or there is no text.
    pub fn convert_to_text(
        &mut self,
        ink: &[InkStroke],
        text: &str,
        env: &mut impl Entropy,
    ) -> Option<Replacement> {
        let first = self.scene().get(ink.first()?.id)?.props().clone();
        let bounds = Rect::bounding(ink.iter().flat_map(|s| s.points.iter().copied()))?;
        let new = convert::text_element(text, bounds, &first)?;
        let replaced = self.replace_ink(ink, vec![new], env)?;
        self.select(replaced.created.iter().copied());
        Some(replaced)
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
            style: self.style,
            grid: self.grid_size(),
        };
        tool.cursor(self.camera.screen_to_world(at), &ctx)
    }

    /// Tells the editor the time (ms, any monotonic origin) for what animates: the laser's
    /// trail is stamped with it and fades by it. Hosts call it before pointer events and before
    /// painting; while [`Editor::is_animating`], they keep painting.
    pub fn set_clock(&mut self, now_ms: f64) {
        if !now_ms.is_finite() {
            return;
        }
        self.clock_ms = now_ms;
        if self.laser.is_showing() {
            // Fading is a visible change, and so is the last point going out; the trail is on
            // the overlay, so the scene layer stays as it is.
            self.laser.fade(now_ms);
            self.overlay_dirty = true;
        }
    }

    /// Whether something fades on its own (the laser trail): the host should paint again
    /// next frame even without input.
    pub fn is_animating(&self) -> bool {
        self.laser.is_showing()
    }

    /// Marks the view as needing a repaint (a resize, a remote change).
    pub fn invalidate(&mut self) {
        self.dirty = true;
    }

    /// Marks only the overlay layer as needing a repaint (another user's cursor moved): the
    /// cached scene layer stays.
    pub fn invalidate_overlay(&mut self) {
        self.overlay_dirty = true;
    }

    /// Whether a repaint of anything is due, clearing the flags.
    pub fn take_dirty(&mut self) -> bool {
        let r = self.take_repaint();
        r.scene || r.overlay
    }

    /// Which layers need painting, clearing the flags. A host with one canvas paints both
    /// whenever either is due.
    pub fn take_repaint(&mut self) -> Repaint {
        let scene = std::mem::take(&mut self.dirty);
        let overlay = std::mem::take(&mut self.overlay_dirty) || scene;
        Repaint { scene, overlay }
    }

    /// What is drawn over the scene: the tool's preview, and the text being edited hidden
    /// (the host's text box shows it instead).
    fn preview(&self) -> Cow<'_, Preview> {
        let empty = || Cow::Owned(Preview::default());
        let mut preview = self
            .active
            .get()
            .map_or_else(empty, |t| Cow::Borrowed(t.preview()));
        if let Some(id) = self.text_edit.as_ref().and_then(|t| t.id) {
            preview.to_mut().hidden.insert(id);
        }
        // What is being dragged takes its arrows and text along, as the commit will.
        if !preview.replaced.is_empty() {
            let scene = self.replica.view();
            let changes = preview
                .replaced
                .iter()
                .filter_map(|(id, after)| {
                    let change = crate::follow::Change {
                        before: Some(scene.get(*id)?.props()),
                        after: after.clone(),
                        rebinds: preview.rebinding.contains(id),
                    };
                    Some((*id, change))
                })
                .collect();
            let derived = crate::follow::derive(scene, &changes);
            if !derived.is_empty() {
                preview.to_mut().replaced.extend(derived);
            }
        }
        preview
    }

    /// The selection frame, handles and marquee.
    fn overlay(&self, preview: &Preview) -> Overlay {
        let shown: Vec<&Props> = selected_props(self.scene(), &self.selection)
            .filter_map(|(id, p)| preview.shown(id, p))
            .collect();
        let select = match &self.active {
            ActiveTool::Select(t) => Some(t),
            _ => None,
        };
        Overlay {
            element_frames: shown.iter().filter_map(|p| Frame::of([*p])).collect(),
            frame: Frame::of(shown),
            handles: self.access == Access::Edit
                && select.is_some_and(|t| !t.is_transforming() && !t.is_editing_point())
                && frame_handles(self.scene(), &self.selection),
            brush: select.and_then(SelectTool::brush),
            points: select
                .filter(|t| self.access == Access::Edit && !t.is_transforming())
                .and_then(|_| editable(self.scene(), &self.selection))
                .and_then(|(id, p)| preview.shown(id, p))
                .map(|p| handles(p, self.camera.zoom))
                .unwrap_or_default(),
            bind_target: preview.bind_target.and_then(|id| {
                let own = self.scene().get(id)?.props();
                Some(crate::binding::outline(preview.shown(id, own)?))
            }),
        }
    }

    /// The drawing commands for a `width` × `height` CSS-pixel viewport: the grid when shown,
    /// the scene with the gesture's preview, then the selection overlay.
    pub fn draw_commands(&self, width: f64, height: f64) -> Vec<DrawCommand> {
        let preview = self.preview();
        let mut out = self.scene_layer_with(&preview, width, height);
        out.extend(self.overlay_commands(&preview));
        out
    }

    /// The scene layer alone: background, grid and elements (with the gesture's preview). Hosts
    /// with two canvases cache it and repaint it only when [`Editor::take_repaint`] says so.
    pub fn scene_layer(&self, width: f64, height: f64) -> Vec<DrawCommand> {
        self.scene_layer_with(&self.preview(), width, height)
    }

    /// The overlay layer alone, for a transparent canvas over the scene layer: selection
    /// frames and handles, marquee, binding highlight and the laser trail.
    pub fn overlay_layer(&self) -> Vec<DrawCommand> {
        let mut out = vec![
            DrawCommand::Clear(Color::TRANSPARENT),
            DrawCommand::SetCamera(self.camera),
        ];
        out.extend(self.overlay_commands(&self.preview()));
        out
    }

    fn scene_layer_with(&self, preview: &Preview, width: f64, height: f64) -> Vec<DrawCommand> {
        let mut out = scene_commands(
            self.replica.view(),
            &self.camera,
            width,
            height,
            Some(preview),
        );
        if let Some(size) = self.grid_size() {
            // After the clear and the camera, under every element.
            let at = out
                .iter()
                .position(|c| matches!(c, DrawCommand::SetCamera(_)))
                .map_or(0, |i| i + 1);
            out.splice(at..at, grid_commands(&self.camera, width, height, size));
        }
        out
    }

    fn overlay_commands(&self, preview: &Preview) -> Vec<DrawCommand> {
        let zoom = self.camera.zoom;
        let mut out = self.overlay(preview).commands(zoom);
        out.extend(self.laser.commands(self.clock_ms, zoom));
        out
    }
}

/// Which layers a host must paint (see [`Editor::take_repaint`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Repaint {
    /// The scene layer changed (and with it, possibly, the overlay).
    pub scene: bool,
    /// The overlay layer changed.
    pub overlay: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tool::text::DEFAULT_FONT_SIZE;
    use std::collections::BTreeSet;

    use crate::testing::{Ids as Counter, click, drag};

    fn live(ed: &Editor) -> Vec<ElementKind> {
        ed.scene().iter_live().map(|e| e.props().kind).collect()
    }

    #[test]
    fn grouping_makes_one_click_select_the_group_and_ungrouping_undoes_it() {
        let (mut ed, mut env) = (Editor::default(), Counter::default());
        ed.set_tool(ToolKind::Rectangle);
        let a = drag(&mut ed, &mut env, (0.0, 0.0), (100.0, 100.0)).unwrap();
        ed.set_tool(ToolKind::Rectangle);
        let b = drag(&mut ed, &mut env, (300.0, 0.0), (400.0, 100.0)).unwrap();
        let groups = |ed: &Editor, id| ed.scene().get(id).unwrap().props().group_ids.clone();
        // One element is no group.
        assert!(!ed.run(Command::Group, &mut env));
        ed.run(Command::SelectAll, &mut env);
        ed.take_outbox();
        assert!(ed.run(Command::Group, &mut env));
        assert_eq!(ed.take_outbox().len(), 2, "one op per element");
        let g = groups(&ed, a);
        assert_eq!((g.len(), &g), (1, &groups(&ed, b)));
        // A click on one selects both.
        ed.run(Command::Escape, &mut env);
        click(&mut ed, &mut env, (50.0, 0.0));
        assert_eq!(ed.selection_summary().count, 2);
        // Grouping again nests: the new group is outermost.
        assert!(ed.run(Command::Group, &mut env));
        let nested = groups(&ed, a);
        assert_eq!((nested.len(), &nested[1]), (2, &g[0]));
        // Ungroup peels the outer group only; undo puts it back in one step.
        assert!(ed.run(Command::Ungroup, &mut env));
        assert_eq!(groups(&ed, a), g);
        assert!(ed.run(Command::Undo, &mut env));
        assert_eq!(groups(&ed, b), nested);
        assert!(ed.run(Command::Ungroup, &mut env));
        assert!(ed.run(Command::Ungroup, &mut env));
        assert!(groups(&ed, a).is_empty() && groups(&ed, b).is_empty());
        assert!(
            !ed.run(Command::Ungroup, &mut env),
            "nothing left to ungroup"
        );
        assert_eq!(
            Command::from_key(
                "g",
                Modifiers {
                    ctrl: true,
                    ..Modifiers::default()
                }
            ),
            Some(Command::Group)
        );
        assert_eq!(
            Command::from_key(
                "G",
                Modifiers {
                    ctrl: true,
                    shift: true,
                    ..Modifiers::default()
                }
            ),
            Some(Command::Ungroup)
        );
    }

    #[test]
    fn the_scene_layer_is_repainted_only_when_the_scene_side_changes() {
        let (mut ed, mut env) = (Editor::default(), Counter::default());
        ed.set_tool(ToolKind::Rectangle);
        let id = drag(&mut ed, &mut env, (0.0, 0.0), (100.0, 100.0)).unwrap();
        assert_eq!(
            ed.take_repaint(),
            Repaint {
                scene: true,
                overlay: true
            }
        );
        assert_eq!(ed.take_repaint(), Repaint::default(), "nothing new");
        // A remote cursor: the overlay only, the cached scene stays.
        ed.invalidate_overlay();
        assert_eq!(
            ed.take_repaint(),
            Repaint {
                scene: false,
                overlay: true
            }
        );
        // The layers together are what one canvas would draw: the scene layer, then the
        // overlay (whose own clear is transparent and whose camera is the scene's).
        let (scene, overlay) = (ed.scene_layer(800.0, 600.0), ed.overlay_layer());
        assert_eq!(overlay[0], DrawCommand::Clear(Color::TRANSPARENT));
        assert_eq!(overlay[1], DrawCommand::SetCamera(ed.camera));
        let mut both = scene.clone();
        both.extend(overlay[2..].iter().cloned());
        assert_eq!(both, ed.draw_commands(800.0, 600.0));
        // The new rectangle is selected: its frame is on the overlay, not in the scene layer.
        assert!(
            ed.selection_summary().count == 1 && overlay.len() > 2,
            "{id:?}"
        );
        assert!(scene.len() < both.len());
    }

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
    fn shapes_being_dragged_take_their_arrows_along_in_the_preview() {
        let (mut ed, mut env) = (Editor::default(), Counter::default());
        ed.set_tool(ToolKind::Rectangle);
        let a = drag(&mut ed, &mut env, (0.0, 0.0), (100.0, 100.0)).unwrap();
        ed.set_tool(ToolKind::Rectangle);
        let b = drag(&mut ed, &mut env, (300.0, 0.0), (400.0, 100.0)).unwrap();
        ed.set_tool(ToolKind::Arrow);
        // Hovering over a shape with the arrow tool highlights it, and so does drawing to one.
        ed.pointer_move(ScreenPoint::new(50.0, 2.0));
        assert_eq!(ed.preview().bind_target, Some(a));
        ed.pointer_down(ScreenPoint::new(50.0, 50.0), PointerButton::Primary);
        ed.pointer_move(ScreenPoint::new(350.0, 50.0));
        assert_eq!(ed.preview().bind_target, Some(b));
        let highlight = ed.overlay(&ed.preview()).bind_target.unwrap();
        assert!(
            highlight.contains(&WorldPoint::new(300.0, 0.0)),
            "B's outline"
        );
        let arrow = ed
            .pointer_up(ScreenPoint::new(350.0, 50.0), &mut env)
            .unwrap();
        assert_eq!(ed.preview().bind_target, None);
        ed.set_tool(ToolKind::Select);
        ed.select([b]);
        ed.pointer_down(ScreenPoint::new(325.0, 100.0), PointerButton::Primary);
        ed.pointer_move(ScreenPoint::new(325.0, 300.0));
        let shown = ed.preview().replaced[&arrow].world_points();
        let stored = ed.scene().get(arrow).unwrap().props().world_points();
        assert!(shown[1].y > stored[1].y + 50.0, "{shown:?}");
    }

    #[test]
    fn every_drawing_tool_creates_its_kind() {
        let mut ed = Editor::default();
        let env = &mut Counter(0);
        for (tool, kind) in [
            (ToolKind::Rectangle, ElementKind::Rectangle),
            (ToolKind::Diamond, ElementKind::Diamond),
            (ToolKind::Ellipse, ElementKind::Ellipse),
            (ToolKind::Line, ElementKind::Line),
            (ToolKind::Arrow, ElementKind::Arrow),
            (ToolKind::Freedraw, ElementKind::Freedraw),
        ] {
            ed.set_tool(tool);
            let id = drag(&mut ed, env, (10.0, 10.0), (90.0, 60.0)).unwrap();
            assert_eq!(ed.scene().get(id).unwrap().props().kind, kind);
        }
        assert_eq!(ed.scene().iter_live().count(), 6);
    }

    #[test]
    fn a_shape_tool_hands_over_to_select_with_the_new_shape_selected() {
        let mut ed = Editor::default();
        let env = &mut Counter(0);
        for tool in [
            ToolKind::Rectangle,
            ToolKind::Diamond,
            ToolKind::Ellipse,
            ToolKind::Line,
            ToolKind::Arrow,
        ] {
            ed.set_tool(tool);
            let id = drag(&mut ed, env, (10.0, 10.0), (90.0, 60.0)).unwrap();
            assert_eq!(ed.tool(), ToolKind::Select, "{tool:?}");
            assert_eq!(ed.selection().ids().collect::<Vec<_>>(), [id]);
        }
        // A drag too short to draw anything keeps the tool.
        ed.set_tool(ToolKind::Rectangle);
        assert_eq!(drag(&mut ed, env, (10.0, 10.0), (11.0, 11.0)), None);
        assert_eq!(ed.tool(), ToolKind::Rectangle);
        // Text: once typed and kept.
        ed.set_tool(ToolKind::Text);
        click(&mut ed, env, (300.0, 300.0));
        let id = ed.commit_text("hi", None, env).unwrap();
        assert_eq!(ed.tool(), ToolKind::Select);
        assert!(ed.selection().contains(id));
        // The pencil and the eraser stay.
        let _ = scribble(&mut ed, env);
        assert_eq!(ed.tool(), ToolKind::Freedraw);
        ed.set_tool(ToolKind::Eraser);
        drag(&mut ed, env, (0.0, 35.0), (100.0, 35.0));
        assert_eq!(ed.tool(), ToolKind::Eraser);
    }

    #[test]
    fn the_tool_lock_keeps_the_tool_and_q_toggles_it() {
        let mut ed = Editor::default();
        let env = &mut Counter(0);
        assert_eq!(
            Command::from_key("q", Modifiers::default()),
            Some(Command::ToggleToolLock)
        );
        assert!(!ed.run(Command::ToggleToolLock, env), "not a board change");
        assert!(ed.tool_lock());
        ed.set_tool(ToolKind::Ellipse);
        drag(&mut ed, env, (0.0, 0.0), (50.0, 50.0)).unwrap();
        drag(&mut ed, env, (100.0, 0.0), (150.0, 50.0)).unwrap();
        assert_eq!(ed.tool(), ToolKind::Ellipse);
        assert_eq!(live(&ed).len(), 2);
        assert!(ed.selection().is_empty());
        ed.run(Command::ToggleToolLock, env);
        drag(&mut ed, env, (200.0, 0.0), (250.0, 50.0)).unwrap();
        assert_eq!(ed.tool(), ToolKind::Select);
    }

    #[test]
    fn locked_elements_are_painted_but_cannot_be_picked_moved_or_erased() {
        let (mut ed, env) = (Editor::default(), &mut Counter(0));
        ed.set_tool(ToolKind::Rectangle);
        let id = drag(&mut ed, env, (100.0, 100.0), (200.0, 200.0)).unwrap();
        let painted = ed.draw_commands(800.0, 600.0).len();
        ed.select([id]);
        let ctrl_shift = Modifiers {
            ctrl: true,
            shift: true,
            ..Modifiers::default()
        };
        let lock = Command::from_key("L", ctrl_shift).unwrap();
        assert_eq!(lock, Command::ToggleLock);
        assert!(ed.run(lock, env));
        assert!(ed.scene().get(id).unwrap().props().locked);
        assert!(
            ed.selection().is_empty(),
            "locked elements leave the selection"
        );
        assert_eq!(ed.locked_count(), 1);
        // Painted as before (no selection frame now, so fewer overlay commands at most).
        assert!(ed.draw_commands(800.0, 600.0).len() <= painted);
        assert!(ed.draw_commands(800.0, 600.0).iter().any(|c| matches!(
            c,
            DrawCommand::Path {
                stroke: Some(_),
                ..
            }
        )));
        let at_rest = |ed: &Editor| {
            let p = ed.scene().get(id).unwrap().props().clone();
            (p.x, p.y, p.width, p.is_deleted)
        };
        let before = at_rest(&ed);
        // Click, marquee, select-all: nothing picks it.
        click(&mut ed, env, (100.0, 150.0));
        assert!(ed.selection().is_empty());
        drag(&mut ed, env, (50.0, 50.0), (300.0, 300.0));
        assert!(ed.selection().is_empty());
        ed.run(Command::SelectAll, env);
        assert!(ed.selection().is_empty());
        // Dragging it moves nothing; nudging, the eraser and delete do nothing.
        drag(&mut ed, env, (100.0, 150.0), (180.0, 190.0));
        ed.run(Command::Nudge(Vec2::new(10.0, 0.0)), env);
        ed.run(Command::Delete, env);
        ed.set_tool(ToolKind::Eraser);
        drag(&mut ed, env, (50.0, 150.0), (250.0, 150.0));
        assert_eq!(at_rest(&ed), before);
        // Ctrl+Shift+L with nothing selected unlocks everything and selects it.
        assert!(ed.run(lock, env));
        assert!(!ed.scene().get(id).unwrap().props().locked);
        assert_eq!(ed.tool(), ToolKind::Select);
        assert!(ed.selection().contains(id));
        assert!(
            !ed.run(Command::Escape, env) && !ed.unlock_all(env),
            "nothing locked"
        );
        // Locking and unlocking are each one undo step.
        ed.run(Command::Undo, env);
        assert!(ed.scene().get(id).unwrap().props().locked);
        ed.run(Command::Undo, env);
        assert!(!ed.scene().get(id).unwrap().props().locked);
    }

    #[test]
    fn on_the_grid_drawing_moving_and_resizing_snap_to_it() {
        let (mut ed, env) = (Editor::default(), &mut Counter(0));
        let ctrl = Modifiers {
            ctrl: true,
            ..Modifiers::default()
        };
        assert_eq!(Command::from_key("'", ctrl), Some(Command::ToggleGrid));
        let plain = ed.draw_commands(800.0, 600.0).len();
        assert!(!ed.run(Command::ToggleGrid, env));
        assert!(ed.grid());
        assert!(
            ed.draw_commands(800.0, 600.0).len() > plain,
            "the grid is painted"
        );
        let rect = |ed: &Editor, id| {
            let p = ed.scene().get(id).unwrap().props().clone();
            (p.x, p.y, p.width, p.height)
        };
        // Drawing: both corners on grid points.
        ed.set_tool(ToolKind::Rectangle);
        let id = drag(&mut ed, env, (33.0, 47.0), (131.0, 112.0)).unwrap();
        assert_eq!(rect(&ed, id), (40.0, 40.0, 100.0, 80.0));
        // Lines too.
        ed.set_tool(ToolKind::Line);
        let line = drag(&mut ed, env, (203.0, 18.0), (297.0, 77.0)).unwrap();
        let p = ed.scene().get(line).unwrap().props().clone();
        assert_eq!((p.x, p.y, p.width, p.height), (200.0, 20.0, 100.0, 60.0));
        // Moving: grabbed by its left edge (away from the handles), dropped anywhere, the
        // corner lands on the grid.
        ed.set_tool(ToolKind::Select);
        ed.select([id]);
        drag(&mut ed, env, (40.0, 60.0), (67.0, 93.0));
        assert_eq!(rect(&ed, id), (60.0, 80.0, 100.0, 80.0));
        // Resizing from the bottom-right handle: that corner lands on the grid.
        let se = ed
            .camera
            .world_to_screen(WorldPoint::new(160.0 + 4.0, 160.0 + 4.0));
        drag(&mut ed, env, (se.x, se.y), (se.x + 27.0, se.y + 12.0));
        assert_eq!(rect(&ed, id), (60.0, 80.0, 120.0, 100.0));
        // Ctrl frees the pointer; with the grid off nothing snaps.
        ed.pointer_down(
            Pointer {
                modifiers: ctrl,
                ..ScreenPoint::new(90.0, 80.0).into()
            },
            PointerButton::Primary,
        );
        let free = |x, y| Pointer {
            modifiers: ctrl,
            ..ScreenPoint::new(x, y).into()
        };
        ed.pointer_move(free(95.0, 85.0));
        ed.pointer_up(free(93.0, 83.0), env);
        assert_eq!(rect(&ed, id), (63.0, 83.0, 120.0, 100.0));
        ed.run(Command::ToggleGrid, env);
        ed.set_tool(ToolKind::Ellipse);
        let id = drag(&mut ed, env, (303.0, 301.0), (357.0, 349.0)).unwrap();
        assert_eq!(rect(&ed, id), (303.0, 301.0, 54.0, 48.0));
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
    fn moving_several_shapes_is_one_undo_step() {
        let mut ed = Editor::default();
        let env = &mut Counter(0);
        // Several shapes in a row: keep the tool.
        ed.set_tool_lock(true);
        ed.set_tool(ToolKind::Ellipse);
        drag(&mut ed, env, (0.0, 0.0), (50.0, 50.0));
        drag(&mut ed, env, (100.0, 0.0), (150.0, 50.0));
        ed.run(Command::SelectAll, env);
        assert_eq!(ed.selection().len(), 2);
        assert_eq!(ed.tool(), ToolKind::Select);
        assert!(ed.run(Command::Nudge(Vec2::new(NUDGE_FAR, 0.0)), env));
        let xs = |ed: &Editor| {
            ed.scene()
                .iter_live()
                .map(|e| e.props().x)
                .collect::<Vec<_>>()
        };
        assert_eq!(xs(&ed), [10.0, 110.0]);
        ed.run(Command::Undo, env);
        assert_eq!(xs(&ed), [0.0, 100.0]);
    }

    #[test]
    fn duplicate_copies_the_selection_and_selects_the_copies() {
        let mut ed = Editor::default();
        let env = &mut Counter(0);
        ed.set_tool(ToolKind::Line);
        let id = drag(&mut ed, env, (0.0, 0.0), (50.0, 50.0)).unwrap();
        ed.set_tool(ToolKind::Select);
        ed.select([id]);
        assert!(ed.run(Command::Duplicate, env));
        assert_eq!(ed.scene().iter_live().count(), 2);
        let copy = ed.selection().ids().next().unwrap();
        assert_ne!(copy, id);
        let p = ed.scene().get(copy).unwrap().props();
        assert_eq!((p.x, p.y, p.kind), (10.0, 10.0, ElementKind::Line));
        assert!(p.index > ed.scene().get(id).unwrap().props().index);
    }

    #[test]
    fn copy_then_paste_inserts_selected_copies_at_the_pointer_in_one_undo_step() {
        let (mut ed, env) = (Editor::default(), &mut Counter(0));
        let cross = crossed(&mut ed, env);
        ed.select(cross.created.iter().copied());
        let text = ed.copy_selection().unwrap();
        assert!(text.contains("inkroom/clipboard"));
        let before = ed.scene().iter_live().count();
        let pasted = ed
            .paste(&text, Some(ScreenPoint::new(400.0, 300.0)), env)
            .unwrap();
        assert_eq!(pasted.len(), 2);
        assert_eq!(ed.scene().iter_live().count(), before + 2);
        assert!(pasted.iter().all(|id| !cross.created.contains(id)));
        assert_eq!(
            ed.selection().ids().collect::<BTreeSet<_>>(),
            pasted.iter().copied().collect()
        );
        // Centred on the pointer.
        let bounds = pasted
            .iter()
            .map(|id| ed.scene().get(*id).unwrap().bounds())
            .reduce(|a, b| a.union(&b))
            .unwrap();
        assert!((bounds.center().x - 400.0).abs() < 1e-9);
        assert!((bounds.center().y - 300.0).abs() < 1e-9);
        // The copies form one new group.
        let groups: Vec<_> = pasted
            .iter()
            .map(|id| ed.scene().get(*id).unwrap().props().group_ids.clone())
            .collect();
        assert_eq!(groups[0], groups[1]);
        let original = &ed.scene().get(cross.created[0]).unwrap().props().group_ids;
        assert_ne!(&groups[0], original);
        // One undo removes the whole paste.
        ed.run(Command::Undo, env);
        assert_eq!(ed.scene().iter_live().count(), before);
    }

    #[test]
    fn paste_without_a_pointer_centres_on_the_view_and_text_becomes_a_text_element() {
        let (mut ed, env) = (Editor::default(), &mut Counter(0));
        ed.set_view_size(800.0, 600.0);
        ed.set_tool(ToolKind::Rectangle);
        let [id] = ed
            .paste("Hello\nthere", None, env)
            .unwrap()
            .try_into()
            .unwrap();
        let e = ed.scene().get(id).unwrap();
        assert_eq!(e.props().kind, ElementKind::Text);
        assert_eq!(e.props().text, "Hello\nthere");
        let c = e.bounds().center();
        assert!(
            (c.x - 400.0).abs() < 1e-9 && (c.y - 300.0).abs() < 1e-9,
            "{c:?}"
        );
        assert_eq!(ed.tool(), ToolKind::Select);
        assert!(ed.selection().contains(id));
    }

    #[test]
    fn bad_clipboard_content_changes_nothing() {
        let (mut ed, env) = (Editor::default(), &mut Counter(0));
        ed.set_tool(ToolKind::Rectangle);
        drag(&mut ed, env, (0.0, 0.0), (50.0, 50.0)).unwrap();
        let snapshot =
            |ed: &Editor| serde_json::to_string(&ed.scene().iter().collect::<Vec<_>>()).unwrap();
        let before = snapshot(&ed);
        let _ = ed.take_outbox();
        for bad in [
            "{ not json",
            r#"{"type":"excalidraw/clipboard","elements":[]}"#,
            r#"{"type":"inkroom/clipboard","elements":[{"id":"x"}]}"#,
            "   ",
        ] {
            assert!(ed.paste(bad, None, env).is_err(), "{bad}");
        }
        let huge = "x".repeat(crate::clipboard::MAX_CLIPBOARD_BYTES + 1);
        assert!(matches!(
            ed.paste(&huge, None, env),
            Err(ClipboardError::TooLarge(_))
        ));
        assert_eq!(snapshot(&ed), before);
        assert!(ed.take_outbox().is_empty());
        ed.set_access(Access::View);
        assert_eq!(ed.paste("hi", None, env), Err(ClipboardError::ViewOnly));
    }

    #[test]
    fn cut_copies_then_deletes_in_one_undo_step() {
        let (mut ed, env) = (Editor::default(), &mut Counter(0));
        ed.set_tool(ToolKind::Ellipse);
        let id = drag(&mut ed, env, (0.0, 0.0), (50.0, 50.0)).unwrap();
        assert!(ed.selection().contains(id));
        let text = ed.cut_selection(env).unwrap();
        assert!(live(&ed).is_empty());
        assert!(ed.cut_selection(env).is_none(), "nothing selected");
        ed.paste(&text, None, env).unwrap();
        assert_eq!(live(&ed), [ElementKind::Ellipse]);
        ed.run(Command::Undo, env);
        ed.run(Command::Undo, env);
        assert_eq!(
            ed.scene().iter_live().map(|e| e.id).collect::<Vec<_>>(),
            [id]
        );
    }

    /// A board with one scribble replaced by a cross (two grouped lines).
    fn crossed(ed: &mut Editor, env: &mut Counter) -> Replacement {
        let id = scribble(ed, env);
        let [stroke] = ed.ink([id]).try_into().unwrap();
        let fit = CleanShape::Cross {
            first: [[100.0, 100.0], [200.0, 160.0]],
            second: [[200.0, 100.0], [100.0, 160.0]],
        };
        ed.convert_to_shape(&stroke, &fit, env).unwrap()
    }

    #[test]
    fn copies_of_a_group_form_a_new_group() {
        let (mut ed, env) = (Editor::default(), &mut Counter(0));
        let done = crossed(&mut ed, env);
        ed.select(done.created.iter().copied());
        assert!(ed.run(Command::Duplicate, env));
        let group_of =
            |ed: &Editor, id: ElementId| ed.scene().get(id).unwrap().props().group_ids.clone();
        let copies: Vec<ElementId> = ed.selection().ids().collect();
        assert_eq!(copies.len(), 2);
        assert_eq!(group_of(&ed, copies[0]), group_of(&ed, copies[1]));
        assert_ne!(group_of(&ed, copies[0]), group_of(&ed, done.created[0]));
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
    fn text_is_typed_into_place_and_empty_text_is_not_created() {
        let mut ed = Editor::default();
        let env = &mut Counter(0);
        // Several shapes in a row: keep the tool.
        ed.set_tool_lock(true);
        ed.set_tool(ToolKind::Text);
        click(&mut ed, env, (100.0, 100.0));
        let edit = ed.text_edit().unwrap().clone();
        assert_eq!((edit.id, edit.props.font_size), (None, DEFAULT_FONT_SIZE));
        assert_eq!(ed.commit_text("   ", None, env), None);
        assert!(ed.scene().is_empty());
        click(&mut ed, env, (100.0, 100.0));
        ed.cancel_text();
        assert!(ed.text_edit().is_none() && ed.scene().is_empty());
        click(&mut ed, env, (100.0, 100.0));
        let id = ed
            .commit_text("Hello\nworld", Some((60.0, 50.0)), env)
            .unwrap();
        let p = ed.scene().get(id).unwrap().props().clone();
        assert_eq!(
            (p.kind, p.text.as_str()),
            (ElementKind::Text, "Hello\nworld")
        );
        assert_eq!((p.width, p.height), (60.0, 50.0));
        // A click on it edits it; the element is hidden while the text box shows it.
        click(&mut ed, env, (110.0, 100.0));
        assert_eq!(ed.text_edit().unwrap().id, Some(id));
        let painted = ed.draw_commands(800.0, 600.0);
        assert!(!painted.iter().any(|c| matches!(c, DrawCommand::Text(_))));
        ed.commit_text("Bye", None, env);
        assert_eq!(ed.scene().get(id).unwrap().props().text, "Bye");
        // Emptying it deletes it; undo brings it back.
        click(&mut ed, env, (105.0, 100.0));
        assert_eq!(ed.commit_text("", None, env), None);
        assert!(live(&ed).is_empty());
        ed.run(Command::Undo, env);
        assert_eq!(live(&ed), [ElementKind::Text]);
    }

    #[test]
    fn double_click_with_the_selection_tool_opens_the_text_editor() {
        let mut ed = Editor::default();
        assert!(ed.double_click(ScreenPoint::new(10.0, 10.0)));
        assert!(ed.text_edit().is_some_and(|t| t.id.is_none()));
        ed.run(Command::Escape, &mut Counter(0));
        assert!(ed.text_edit().is_none());
    }

    #[test]
    fn keys_map_to_commands_like_excalidraw() {
        let none = Modifiers::default();
        let ctrl = Modifiers { ctrl: true, ..none };
        let ctrl_shift = Modifiers {
            shift: true,
            ..ctrl
        };
        let shift = Modifiers {
            shift: true,
            ..none
        };
        assert_eq!(
            Command::from_key("r", none),
            Some(Command::Tool(ToolKind::Rectangle))
        );
        assert_eq!(
            Command::from_key("X", none),
            Some(Command::Tool(ToolKind::Freedraw))
        );
        assert_eq!(
            Command::from_key("1", none),
            Some(Command::Tool(ToolKind::Select))
        );
        assert_eq!(Command::from_key("z", ctrl), Some(Command::Undo));
        assert_eq!(Command::from_key("Z", ctrl_shift), Some(Command::Redo));
        assert_eq!(Command::from_key("y", ctrl), Some(Command::Redo));
        assert_eq!(Command::from_key("a", ctrl), Some(Command::SelectAll));
        assert_eq!(Command::from_key("d", ctrl), Some(Command::Duplicate));
        assert_eq!(Command::from_key("Backspace", none), Some(Command::Delete));
        assert_eq!(
            Command::from_key("ArrowUp", shift),
            Some(Command::Nudge(Vec2::new(0.0, -NUDGE_FAR)))
        );
        assert_eq!(
            Command::from_key("r", ctrl),
            None,
            "ctrl+R reloads the page"
        );
        assert_eq!(Command::from_key("?", shift), None, "help is the host's");
        assert_eq!(Command::from_key("=", ctrl), Some(Command::ZoomIn));
        assert_eq!(Command::from_key("-", ctrl), Some(Command::ZoomOut));
        assert_eq!(Command::from_key("0", ctrl), Some(Command::ZoomReset));
        assert_eq!(Command::from_key("!", shift), Some(Command::ZoomToFit));
        assert_eq!(
            Command::from_key("2", shift),
            Some(Command::ZoomToSelection)
        );
    }

    #[test]
    fn align_and_distribute_line_up_and_space_the_selection() {
        let mut ed = Editor::default();
        let env = &mut Counter(0);
        // Several shapes in a row: keep the tool.
        ed.set_tool_lock(true);
        ed.set_tool(ToolKind::Rectangle);
        drag(&mut ed, env, (10.0, 10.0), (60.0, 40.0)).unwrap();
        drag(&mut ed, env, (100.0, 70.0), (120.0, 100.0)).unwrap();
        drag(&mut ed, env, (300.0, 30.0), (340.0, 90.0)).unwrap();
        ed.set_tool(ToolKind::Select);
        ed.run(Command::SelectAll, env);
        let bounds = |ed: &Editor| {
            let mut b: Vec<Rect> = ed.scene().iter_live().map(Element::bounds).collect();
            b.sort_by(|x, y| x.min.x.total_cmp(&y.min.x));
            b
        };
        assert!(ed.run(Command::Align(Align::Top), env));
        let b = bounds(&ed);
        assert!(b.iter().all(|r| (r.min.y - b[0].min.y).abs() < 1e-9));
        assert!(ed.run(Command::Distribute(Axis::Horizontal), env));
        let b = bounds(&ed);
        let gap1 = b[1].min.x - b[0].max.x;
        let gap2 = b[2].min.x - b[1].max.x;
        assert!((gap1 - gap2).abs() < 1e-9, "{gap1} {gap2}");
        assert!(
            !ed.run(Command::Distribute(Axis::Horizontal), env),
            "already evenly spaced: nothing to do"
        );
        // One undo per command.
        ed.run(Command::Undo, env);
        ed.run(Command::Undo, env);
        assert!(bounds(&ed).iter().any(|r| (r.min.y - 70.0).abs() < 3.0));
        let ctrl_shift = Modifiers {
            ctrl: true,
            shift: true,
            ..Modifiers::default()
        };
        assert_eq!(
            Command::from_key("ArrowLeft", ctrl_shift),
            Some(Command::Align(Align::Left))
        );
    }

    #[test]
    fn z_order_commands_move_the_selection_and_undo() {
        let mut ed = Editor::default();
        let env = &mut Counter(0);
        // Several shapes in a row: keep the tool.
        ed.set_tool_lock(true);
        ed.set_tool(ToolKind::Rectangle);
        let ids: Vec<ElementId> = (0..4)
            .map(|i| {
                let x = 10.0 + 100.0 * f64::from(i);
                drag(&mut ed, env, (x, 10.0), (x + 50.0, 50.0)).unwrap()
            })
            .collect();
        let order = |ed: &Editor| ed.scene().iter_live().map(|e| e.id).collect::<Vec<_>>();
        ed.set_tool(ToolKind::Select);
        click(&mut ed, env, (135.0, 10.0)); // the second box, by its top edge
        assert!(ed.run(Command::Layer(Layer::Forward), env));
        assert_eq!(order(&ed), vec![ids[0], ids[2], ids[1], ids[3]]);
        assert!(ed.run(Command::Layer(Layer::ToFront), env));
        assert_eq!(order(&ed), vec![ids[0], ids[2], ids[3], ids[1]]);
        assert!(
            !ed.run(Command::Layer(Layer::Forward), env),
            "already on top"
        );
        assert!(ed.run(Command::Layer(Layer::ToBack), env));
        assert_eq!(order(&ed), vec![ids[1], ids[0], ids[2], ids[3]]);
        assert!(ed.run(Command::Layer(Layer::Forward), env));
        assert_eq!(order(&ed), vec![ids[0], ids[1], ids[2], ids[3]]);
        assert!(ed.run(Command::Layer(Layer::Backward), env));
        assert_eq!(order(&ed), vec![ids[1], ids[0], ids[2], ids[3]]);
        ed.run(Command::Undo, env);
        assert_eq!(order(&ed), vec![ids[0], ids[1], ids[2], ids[3]]);
        let ctrl_shift = Modifiers {
            ctrl: true,
            shift: true,
            ..Modifiers::default()
        };
        assert_eq!(
            Command::from_key("}", ctrl_shift),
            Some(Command::Layer(Layer::ToFront))
        );
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

    #[test]
    fn zoom_commands_work_about_the_view_and_frame_content() {
        let mut ed = Editor::default();
        let env = &mut Counter(0);
        ed.set_view_size(800.0, 600.0);
        // Several shapes in a row: keep the tool.
        ed.set_tool_lock(true);
        ed.set_tool(ToolKind::Rectangle);
        drag(&mut ed, env, (100.0, 100.0), (200.0, 150.0)).unwrap();
        let far = drag(&mut ed, env, (700.0, 500.0), (720.0, 520.0)).unwrap();

        // Zooming in keeps the middle of the view where it was.
        let mid = ScreenPoint::new(400.0, 300.0);
        let before = ed.camera.screen_to_world(mid);
        ed.run(Command::ZoomIn, env);
        assert!((ed.camera.zoom - ZOOM_STEP).abs() < 1e-9);
        let after = ed.camera.screen_to_world(mid);
        assert!((before.x - after.x).abs() < 1e-9 && (before.y - after.y).abs() < 1e-9);
        ed.run(Command::ZoomReset, env);
        assert_eq!(ed.camera.zoom, 1.0);

        // Fit: both shapes on screen, inside the padding, never past 100 %.
        ed.camera.pan_by(ScreenVec::new(5000.0, 5000.0));
        ed.run(Command::ZoomToFit, env);
        for e in ed.scene().iter_live() {
            let b = e.bounds();
            for p in [b.min, b.max] {
                let q = ed.camera.world_to_screen(p);
                assert!(
                    q.x >= FIT_PADDING - 1e-6 && q.x <= 800.0 - FIT_PADDING + 1e-6,
                    "{q:?}"
                );
                assert!(q.y >= 0.0 && q.y <= 600.0, "{q:?}");
            }
        }
        assert!(ed.camera.zoom <= 1.0);

        // Zoom to selection: the small far shape is enlarged and centred.
        ed.set_tool(ToolKind::Select);
        ed.run(Command::SelectAll, env);
        ed.run(Command::Escape, env);
        // On its outline: an unfilled box is picked by its edge.
        let p = ed.scene().get(far).unwrap().props().clone();
        let at = ed
            .camera
            .world_to_screen(WorldPoint::new(p.x + p.width / 2.0, p.y));
        click(&mut ed, env, (at.x, at.y));
        ed.run(Command::ZoomToSelection, env);
        assert!(ed.camera.zoom > 1.0, "{}", ed.camera.zoom);
        let c = ed
            .camera
            .world_to_screen(ed.scene().get(far).unwrap().bounds().center());
        assert!((c.x - 400.0).abs() < 1e-6 && (c.y - 300.0).abs() < 1e-6);
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

    #[test]
    fn the_style_applies_to_the_selection_and_to_new_shapes() {
        let mut ed = Editor::default();
        let env = &mut Counter(0);
        ed.set_tool(ToolKind::Rectangle);
        let id = drag(&mut ed, env, (0.0, 0.0), (50.0, 50.0)).unwrap();
        ed.set_tool(ToolKind::Select);
        ed.select([id]);
        let red = Color::rgba(0xe0, 0x31, 0x31, 0xff);
        assert!(ed.set_style(StyleChange::StrokeColor(red), env));
        assert!(ed.set_style(StyleChange::BackgroundColor(red), env));
        assert!(ed.set_style(StyleChange::StrokeWidth(4.0), env));
        let p = ed.scene().get(id).unwrap().props().clone();
        assert_eq!(
            (p.stroke_color, p.background_color, p.stroke_width),
            (red, red, 4.0)
        );
        assert_eq!(ed.selection_summary().style.stroke_width, 4.0);
        ed.set_tool(ToolKind::Ellipse);
        let id = drag(&mut ed, env, (100.0, 0.0), (150.0, 50.0)).unwrap();
        assert_eq!(ed.scene().get(id).unwrap().props().stroke_color, red);
        assert!(!ed.set_style(StyleChange::StrokeWidth(f64::NAN), env));
    }

    fn scribble(ed: &mut Editor, env: &mut Counter) -> ElementId {
        ed.set_tool(ToolKind::Freedraw);
        ed.pointer_down(ScreenPoint::new(100.0, 100.0), PointerButton::Primary);
        for (x, y) in [(200.0, 100.0), (200.0, 160.0), (100.0, 160.0)] {
            ed.pointer_move(ScreenPoint::new(x, y));
        }
        ed.pointer_up(ScreenPoint::new(100.0, 100.0), env).unwrap()
    }

    #[test]
    fn ink_becomes_a_shape_in_one_undoable_change_and_keep_ink_restores_it() {
        let mut ed = Editor::default();
        let env = &mut Counter(0);
        let id = scribble(&mut ed, env);
        let [stroke] = ed.ink([id]).try_into().unwrap();
        assert_eq!(stroke.points.first(), Some(&WorldPoint::new(100.0, 100.0)));
        let fit = CleanShape::Rectangle {
            center: [150.0, 130.0],
            width: 100.0,
            height: 60.0,
            angle: 0.0,
        };
        let done = ed.convert_to_shape(&stroke, &fit, env).unwrap();
        assert_eq!(live(&ed), [ElementKind::Rectangle]);
        // Something else happens; "Keep ink" still reverts exactly the conversion.
        ed.set_tool(ToolKind::Ellipse);
        drag(&mut ed, env, (300.0, 300.0), (350.0, 350.0));
        assert!(ed.revert(done.action, env));
        assert_eq!(live(&ed), [ElementKind::Freedraw, ElementKind::Ellipse]);
        assert!(!ed.revert(done.action, env), "only once");
        // And the revert can itself be undone.
        ed.run(Command::Undo, env);
        assert_eq!(live(&ed), [ElementKind::Rectangle, ElementKind::Ellipse]);
    }

    #[test]
    fn a_cross_becomes_two_grouped_lines_that_select_together() {
        let (mut ed, env) = (Editor::default(), &mut Counter(0));
        let done = crossed(&mut ed, env);
        assert_eq!(done.created.len(), 2);
        let groups: Vec<_> = done
            .created
            .iter()
            .map(|id| ed.scene().get(*id).unwrap().props().group_ids.clone())
            .collect();
        assert_eq!(groups[0].len(), 1);
        assert_eq!(groups[0], groups[1]);
        ed.set_tool(ToolKind::Select);
        click(&mut ed, env, (100.0, 100.0));
        assert_eq!(ed.selection().len(), 2);
    }

    #[test]
    fn a_late_recognition_never_replaces_ink_that_changed() {
        let mut ed = Editor::default();
        let env = &mut Counter(0);
        let id = scribble(&mut ed, env);
        let [stroke] = ed.ink([id]).try_into().unwrap();
        ed.set_tool(ToolKind::Select);
        ed.select([id]);
        ed.run(Command::Nudge(Vec2::new(1.0, 0.0)), env);
        let fit = CleanShape::Line {
            start: [0.0, 0.0],
            end: [10.0, 0.0],
        };
        assert!(ed.convert_to_shape(&stroke, &fit, env).is_none());
        assert_eq!(live(&ed), [ElementKind::Freedraw]);
    }

    #[test]
    fn handwriting_becomes_one_selected_text_element() {
        let mut ed = Editor::default();
        let env = &mut Counter(0);
        let a = scribble(&mut ed, env);
        let b = scribble(&mut ed, env);
        ed.set_tool(ToolKind::Select);
        ed.select([a, b]);
        assert_eq!(ed.selection_summary().ink, 2);
        let ink = ed.ink(ed.selection().ids().collect::<Vec<_>>());
        let done = ed.convert_to_text(&ink, "hi", env).unwrap();
        assert_eq!(live(&ed), [ElementKind::Text]);
        assert_eq!(ed.selection().ids().collect::<Vec<_>>(), done.created);
        assert!(
            ed.convert_to_text(&ink, "again", env).is_none(),
            "the ink is gone"
        );
        ed.run(Command::Undo, env);
        assert_eq!(live(&ed), [ElementKind::Freedraw, ElementKind::Freedraw]);
    }
}
