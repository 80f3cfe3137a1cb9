//! Copy, cut, paste and duplicate: the selection to and from clipboard text (the format is
//! [`crate::clipboard`]'s), and copies inserted above everything as one action.

use super::{Access, Editor, Entropy};
use crate::clipboard::{self, Clipboard, ClipboardError, Copied};
use crate::element::{ElementId, Props};
use crate::geom::{ScreenPoint, Vec2};
use crate::ops::Op;
use crate::tool::ToolKind;
use crate::tool::select::selected_props;

/// How far duplicates are offset from their originals (Excalidraw's 10).
pub const DUPLICATE_OFFSET: f64 = 10.0;

impl Editor {
    /// Inserts `copies` (fresh ids already given, see [`clipboard::copies`]) above everything,
    /// in the order given, as one action, and selects them. Nothing is inserted if any copy is
    /// invalid. Returns the created ids (empty when nothing changed).
    fn insert_copies(&mut self, copies: Vec<Copied>, env: &mut impl Entropy) -> Vec<ElementId> {
        let mut index = None;
        let mut ops = Vec::with_capacity(copies.len());
        for mut c in copies {
            // A copy is a new drawing of the shape: it gets its own sketchy strokes (as in
            // Excalidraw), chosen from its new place in the paint order.
            c.props.seed = 0;
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::editor::Command;
    use crate::element::ElementKind;
    use crate::testing::{Ids as Counter, crossed, drag, live};
    use std::collections::BTreeSet;

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
}
