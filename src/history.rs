//! Undo and redo of the user's *own* changes.
//!
//! Each user action is recorded as the inverse ops that undo it, computed against the scene just
//! before the action. Undo applies those inverses to the scene *as it is now*: an inverse patch
//! only names the properties the user changed, so edits others made in the meantime to other
//! properties or other elements are kept (undo never reverts someone else's work; cf. Excalidraw's
//! history, which rebases entries onto the current state). Undoing computes the redo entry the same
//! way, against the current scene.

use crate::ops::{Op, Stamp};
use crate::scene::Scene;

/// How many actions are kept.
pub const DEFAULT_LIMIT: usize = 500;

/// Names one recorded action, so that a later command can revert exactly that action (the
/// "Keep ink" button of a shape conversion) even if others were recorded since.
pub type ActionId = u64;

/// One recorded action: the ops that revert it.
#[derive(Clone, Debug)]
struct Entry {
    id: ActionId,
    ops: Vec<Op>,
}

/// The undo and redo stacks of one user.
#[derive(Clone, Debug)]
pub struct History {
    undo: Vec<Entry>,
    redo: Vec<Entry>,
    limit: usize,
    next_id: ActionId,
}

impl Default for History {
    fn default() -> Self {
        Self {
            undo: Vec::new(),
            redo: Vec::new(),
            limit: DEFAULT_LIMIT,
            next_id: 1,
        }
    }
}

/// The inverses of `ops` applied in order to `before`, in the order that undoes them (last first).
fn inverses(before: &Scene, ops: &[Op]) -> Vec<Op> {
    // Ops of one action may touch the same element repeatedly; walk a scratch copy of only the
    // touched elements so each inverse is computed against the state right before its op.
    let mut scratch = Scene::default();
    for op in ops {
        if let Some(e) = before.get(op.element_id()) {
            scratch.replace(e.clone());
        }
    }
    let mut out = Vec::with_capacity(ops.len());
    for op in ops {
        if let Some(inv) = scratch.inverse_of(op) {
            out.push(inv);
        }
        let _ = scratch.apply(op, Stamp { nonce: 0, at_ms: 0 });
    }
    out.reverse();
    out
}

/// How [`History::revert`] reverted an action.
#[derive(Clone, Debug, PartialEq)]
pub enum Reverted {
    /// It was the last action: this is an ordinary undo (it can be redone).
    Undone(Vec<Op>),
    /// Other actions followed it: it was taken out of the history, and these ops revert it;
    /// record them as a new action so that the revert itself can be undone.
    Withdrawn(Vec<Op>),
}

impl History {
    /// Whether there is something to undo.
    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    /// Whether there is something to redo.
    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }

    /// Records one user action: `ops`, about to be applied to `before`, however many elements
    /// they touch: one undo reverts them all. Clears the redo stack. Returns the action's id, or
    /// `None` if the ops change nothing.
    pub fn record(&mut self, before: &Scene, ops: &[Op]) -> Option<ActionId> {
        let entry = inverses(before, ops);
        if entry.is_empty() {
            return None;
        }
        let id = self.next_id;
        self.next_id += 1;
        self.undo.push(Entry { id, ops: entry });
        if self.undo.len() > self.limit {
            self.undo.remove(0);
        }
        self.redo.clear();
        Some(id)
    }

    /// The ops that undo the last action on `scene` as it is now (apply them, then broadcast them
    /// like any other change). `None` if there is nothing to undo.
    pub fn undo(&mut self, scene: &Scene) -> Option<Vec<Op>> {
        let Entry { id, ops } = self.undo.pop()?;
        self.redo.push(Entry {
            id,
            ops: inverses(scene, &ops),
        });
        Some(ops)
    }

    /// The ops that redo the last undone action on `scene` as it is now.
    pub fn redo(&mut self, scene: &Scene) -> Option<Vec<Op>> {
        let Entry { id, ops } = self.redo.pop()?;
        self.undo.push(Entry {
            id,
            ops: inverses(scene, &ops),
        });
        Some(ops)
    }

    /// Reverts the action `id` if it is still in the undo stack: an ordinary undo when it is the
    /// last one, otherwise it is withdrawn from the stack (undo never reverts it a second time).
    /// `None` if it was undone already or has fallen off the stack.
    pub fn revert(&mut self, id: ActionId, scene: &Scene) -> Option<Reverted> {
        if self.undo.last().is_some_and(|e| e.id == id) {
            return self.undo(scene).map(Reverted::Undone);
        }
        let at = self.undo.iter().position(|e| e.id == id)?;
        Some(Reverted::Withdrawn(self.undo.remove(at).ops))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::element::{Element, ElementId, ElementKind, Props};
    use crate::ops::Patch;
    use proptest::prelude::*;

    const T: Stamp = Stamp { nonce: 0, at_ms: 0 };

    fn element(n: u128, scene: &Scene) -> Element {
        crate::testing::element(n, ElementKind::Ellipse, scene.next_index())
    }

    fn act(scene: &mut Scene, history: &mut History, ops: Vec<Op>) {
        history.record(scene, &ops);
        for op in &ops {
            scene.apply(op, T).unwrap();
        }
    }

    fn props(scene: &Scene) -> Vec<(ElementId, Props)> {
        scene.iter().map(|e| (e.id, e.props().clone())).collect()
    }

    #[test]
    fn undo_of_a_delete_restores_the_element() {
        let (mut s, mut h) = (Scene::default(), History::default());
        let e = element(1, &s);
        act(&mut s, &mut h, vec![Op::Create { element: e }]);
        let id = ElementId::from_u128(1);
        act(&mut s, &mut h, vec![Op::Delete { id }]);
        assert_eq!(s.iter_live().count(), 0);
        for op in h.undo(&s).unwrap() {
            s.apply(&op, T).unwrap();
        }
        assert_eq!(s.iter_live().count(), 1);
        for op in h.undo(&s).unwrap() {
            s.apply(&op, T).unwrap();
        }
        assert_eq!(s.iter_live().count(), 0, "undoing the create deletes it");
        assert!(!h.can_undo() && h.can_redo());
    }

    #[test]
    fn an_erased_elements_tombstone_keeps_nothing_readable_and_undo_brings_it_all_back() {
        let (mut s, mut h) = (Scene::default(), History::default());
        let mut text = crate::element::Props::text(
            crate::geom::WorldPoint::new(40.0, 50.0),
            "the secret plan",
            20.0,
            s.next_index(),
        );
        text.stroke_color = crate::element::Color::rgba(200, 0, 0, 255);
        let id = ElementId::from_u128(7);
        let e = crate::element::Element::new(id, text.clone(), 0, 0).unwrap();
        act(&mut s, &mut h, vec![Op::Create { element: e }]);
        act(&mut s, &mut h, vec![Op::Delete { id }]);
        let tomb = s.get(id).unwrap().props();
        assert!(tomb.is_deleted);
        assert_eq!((tomb.text.as_str(), tomb.x, tomb.width), ("", 0.0, 0.0));
        let wire = serde_json::to_string(s.get(id).unwrap()).unwrap();
        assert!(!wire.contains("secret"), "{wire}");
        for op in h.undo(&s).unwrap() {
            s.apply(&op, T).unwrap();
        }
        assert_eq!(s.get(id).unwrap().props(), &text, "everything is back");
    }

    #[test]
    fn undo_after_a_remote_edit_to_other_properties_keeps_that_edit() {
        let (mut s, mut h) = (Scene::default(), History::default());
        let e = element(1, &s);
        s.apply(&Op::Create { element: e }, T).unwrap();
        let id = ElementId::from_u128(1);
        act(
            &mut s,
            &mut h,
            vec![Op::Update {
                id,
                patch: Patch {
                    x: Some(40.0),
                    ..Patch::default()
                },
            }],
        );
        // A collaborator (not recorded in our history) changes the opacity.
        s.apply(
            &Op::Update {
                id,
                patch: Patch {
                    opacity: Some(30),
                    ..Patch::default()
                },
            },
            T,
        )
        .unwrap();
        for op in h.undo(&s).unwrap() {
            s.apply(&op, T).unwrap();
        }
        let p = s.get(id).unwrap().props();
        assert_eq!((p.x, p.opacity), (0.0, 30));
    }

    #[test]
    fn reverting_an_older_action_withdraws_it_and_keeps_the_later_ones() {
        let (mut s, mut h) = (Scene::default(), History::default());
        let first = h
            .record(
                &s,
                &[Op::Create {
                    element: element(1, &s),
                }],
            )
            .unwrap();
        s.apply(
            &Op::Create {
                element: element(1, &s),
            },
            T,
        )
        .unwrap();
        let second = h
            .record(
                &s,
                &[Op::Create {
                    element: element(2, &s),
                }],
            )
            .unwrap();
        s.apply(
            &Op::Create {
                element: element(2, &s),
            },
            T,
        )
        .unwrap();
        let Some(Reverted::Withdrawn(ops)) = h.revert(first, &s) else {
            panic!("expected a withdrawal")
        };
        assert_eq!(
            ops,
            vec![Op::Delete {
                id: ElementId::from_u128(1)
            }]
        );
        assert!(h.revert(first, &s).is_none(), "only once");
        assert!(matches!(h.revert(second, &s), Some(Reverted::Undone(_))));
        assert!(h.can_redo() && !h.can_undo());
    }

    proptest! {
        /// Undoing k actions and redoing them restores the scene exactly.
        #[test]
        fn undo_then_redo_restores_the_scene(actions in prop::collection::vec((0..4u8, 0..6u8, 0..200u8), 1..40), k in 1..40usize) {
            let (mut s, mut h) = (Scene::default(), History::default());
            let mut next = 1u128;
            for (kind, target, value) in actions {
                let ids: Vec<_> = s.iter().map(|e| e.id).collect();
                let ops = match (kind, ids.is_empty()) {
                    (0, _) | (_, true) => { next += 1; vec![Op::Create { element: element(next, &s) }] }
                    (1, _) => vec![Op::Update { id: ids[target as usize % ids.len()], patch: Patch { x: Some(f64::from(value)), ..Patch::default() } }],
                    (2, _) => vec![Op::Delete { id: ids[target as usize % ids.len()] }],
                    _ => {
                        let id = ids[target as usize % ids.len()];
                        vec![
                            Op::Update { id, patch: Patch { y: Some(f64::from(value)), ..Patch::default() } },
                            Op::Update { id, patch: Patch { y: Some(1.0), opacity: Some(value % 101), ..Patch::default() } },
                        ]
                    }
                };
                act(&mut s, &mut h, ops);
            }
            let after = props(&s);
            let mut undone = 0;
            for _ in 0..k {
                let Some(ops) = h.undo(&s) else { break };
                for op in &ops { s.apply(op, T).unwrap(); }
                undone += 1;
            }
            for _ in 0..undone {
                let ops = h.redo(&s).unwrap();
                for op in &ops { s.apply(op, T).unwrap(); }
            }
            prop_assert_eq!(props(&s), after);
        }
    }
}
