//! The text editor: opening it (double click, Enter, the text tool), and closing it with the
//! typed text kept (created, updated or deleted element) or dropped.

use super::{Access, Editor, Entropy};
use crate::element::{ElementId, ElementKind, MAX_TEXT_CHARS, Props};
use crate::geom::{ScreenPoint, WorldPoint};
use crate::ops::{Op, Patch};
use crate::tool::transform::Frame;
use crate::tool::{Edit, TextEdit, ToolKind};

impl Editor {
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::editor::Command;
    use crate::render::DrawCommand;
    use crate::testing::{Ids as Counter, click, live};
    use crate::tool::text::DEFAULT_FONT_SIZE;

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
}
