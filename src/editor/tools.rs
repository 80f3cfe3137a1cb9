//! Which tool is active: the tool state machines behind [`ToolKind`], switching between them,
//! the tool lock (keep a drawing tool after a shape) and the grid the tools snap to.

use super::{Access, Editor};
use crate::element::{ElementId, ElementKind};
use crate::tool::grid::GRID_SIZE;
use crate::tool::{
    BoxTool, EraserTool, FreedrawTool, LinearTool, SelectTool, TextTool, Tool, ToolContext,
    ToolKind,
};

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
pub(super) enum ActiveTool {
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
    /// A fresh state machine for `kind`.
    pub(super) fn for_kind(kind: ToolKind) -> Self {
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

    /// The state machine, unless the editor handles the tool itself.
    pub(super) fn get(&self) -> Option<&dyn Tool> {
        each_tool!(self, t => t)
    }

    /// The state machine, mutably.
    pub(super) fn get_mut(&mut self) -> Option<&mut dyn Tool> {
        each_tool!(self, t => t)
    }
}

impl Editor {
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
    pub(super) fn grid_size(&self) -> Option<f64> {
        self.grid.then_some(GRID_SIZE)
    }

    /// After a tool created `created`: a one-shot tool hands over to the selection tool with
    /// the new elements selected, unless the tool lock is on (Excalidraw's flow: draw a box,
    /// then style or move it at once).
    pub(super) fn after_drawing(&mut self, created: &[ElementId]) {
        if created.is_empty() || self.tool_lock || !self.tool.returns_to_select() {
            return;
        }
        self.set_tool(ToolKind::Select);
        self.select(created.iter().copied());
    }

    /// Runs `f` on the active tool with a context over the scene and the selection.
    pub(super) fn with_tool<R>(
        &mut self,
        f: impl FnOnce(&mut dyn Tool, &mut ToolContext<'_>) -> R,
    ) -> Option<R> {
        let grid = self.grid_size();
        let tool = self.active.get_mut()?;
        let mut ctx = ToolContext {
            scene: self.replica.view(),
            selection: &mut self.selection,
            zoom: self.camera.zoom,
            style: self.style.clone(),
            grid,
        };
        Some(f(tool, &mut ctx))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::editor::{Command, Pointer, PointerButton};
    use crate::geom::{ScreenPoint, WorldPoint};
    use crate::testing::{Ids as Counter, click, drag, live, scribble};
    use crate::tool::Modifiers;

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
}
