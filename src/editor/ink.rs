//! Ink and the recognisers: freehand strokes read out for a recogniser ([`InkStroke`]), and
//! replaced by the clean shape or the text it made of them, as one undoable action
//! ([`Replacement`]), unless the ink changed meanwhile.

use super::{Editor, Entropy};
use crate::element::{ElementId, ElementKind, GroupId, Props};
use crate::geom::{Rect, WorldPoint};
use crate::history::ActionId;
use crate::ink::fit::CleanShape;
use crate::tool::{Edit, convert};

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

impl Editor {
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::editor::{Command, ToolKind};
    use crate::geom::Vec2;
    use crate::testing::{Ids as Counter, click, crossed, drag, live, scribble};

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
