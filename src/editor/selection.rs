//! The selection, what the UI shows about it, and the changes made to the selected elements as
//! a whole: deleting, locking and restyling them.

use super::{Editor, Entropy};
use crate::element::{ElementId, ElementKind, Props};
use crate::ops::{Op, Patch};
use crate::tool::select::selected_props;
use crate::tool::{Selection, Style, StyleField, ToolKind, pickable};

/// What the UI shows about the selection (toolbar buttons, style panel).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SelectionSummary {
    /// How many elements are selected.
    pub count: usize,
    /// How many of them are freehand ink (the "Convert to text" button needs some).
    pub ink: usize,
    /// The style shown in the panel: the first selected element's, or the style for new shapes.
    pub style: Style,
    /// The style properties on which the selected elements disagree ("mixed" in the panel).
    pub mixed: Vec<StyleField>,
    /// The kinds among the selection, each once (which panel sections apply).
    pub kinds: Vec<ElementKind>,
    /// The selected elements (what "submit the selection" sends).
    pub ids: Vec<ElementId>,
}

impl Editor {
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
        let (ids, selected): (Vec<ElementId>, Vec<&Props>) =
            selected_props(self.scene(), &self.selection).unzip();
        let style = selected
            .first()
            .map_or_else(|| self.style.clone(), |p| self.style.with_props(p));
        let mut kinds: Vec<ElementKind> = selected.iter().map(|p| p.kind).collect();
        kinds.sort_by_key(|k| *k as u8);
        kinds.dedup();
        SelectionSummary {
            mixed: StyleField::mixed(selected.iter().copied()),
            kinds,
            count: selected.len(),
            ink: selected
                .iter()
                .filter(|p| p.kind == ElementKind::Freedraw)
                .count(),
            style,
            ids,
        }
    }

    /// The one selected element, if exactly one is selected.
    pub(super) fn only_selected(&self) -> Option<ElementId> {
        let mut ids = self.selection.ids();
        match (ids.next(), ids.next()) {
            (Some(id), None) => Some(id),
            _ => None,
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::editor::Command;
    use crate::geom::Vec2;
    use crate::render::DrawCommand;
    use crate::testing::{Ids as Counter, click, drag};
    use crate::tool::Modifiers;

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
}
