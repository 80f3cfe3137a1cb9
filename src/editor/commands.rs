//! Keyboard commands: what each shortcut does ([`Command`]), the key map
//! ([`Command::from_key`]), the list the help dialog shows ([`SHORTCUTS`]) and
//! [`Editor::run`], which carries a command out.

use super::{Access, Align, Axis, Editor, Entropy, Layer};
use crate::element::Element;
use crate::geom::{ScreenPoint, Vec2};
use crate::tool::{Modifiers, ToolKind};

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
    /// Remember the first selected element's style ([`Editor::copy_style`]).
    CopyStyle,
    /// Give the selection the remembered style ([`Editor::paste_style`]).
    PasteStyle,
}

/// One keyboard zoom step (Ctrl + = / Ctrl + -).
pub const ZOOM_STEP: f64 = 1.25;
/// Screen pixels kept free around what zoom-to-fit frames.
pub const FIT_PADDING: f64 = 40.0;

/// How far the arrow keys move the selection, world units (with shift: [`NUDGE_FAR`]).
pub const NUDGE: f64 = 1.0;
/// How far shift + arrow moves the selection.
pub const NUDGE_FAR: f64 = 10.0;

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
    (
        "Ctrl + Alt + C / Ctrl + Alt + V",
        "Copy the selected element's style / paste it onto the selection",
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
            "c" if m.ctrl && m.alt => Self::CopyStyle,
            "v" if m.ctrl && m.alt => Self::PasteStyle,
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
            | Self::CopyStyle
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

impl Editor {
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
            Command::CopyStyle => {
                self.copy_style();
                false
            }
            Command::PasteStyle => self.paste_style(env),
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geom::{ScreenVec, WorldPoint};
    use crate::testing::{Ids as Counter, click, drag};

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
}
