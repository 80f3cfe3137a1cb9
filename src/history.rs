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

/// The undo and redo stacks of one user.
#[derive(Clone, Debug)]
pub struct History {
    undo: Vec<Vec<Op>>,
    redo: Vec<Vec<Op>>,
    limit: usize,
}

impl Default for History {
    fn default() -> Self {
        Self {
            undo: Vec::new(),
            redo: Vec::new(),
            limit: DEFAULT_LIMIT,
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

impl History {
    /// Whether there is something to undo.
    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    /// Whether there is something to redo.
    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }

    /// Records one user action: `ops`, about to be applied to `before`. Clears the redo stack.
    pub fn record(&mut self, before: &Scene, ops: &[Op]) {
        let entry = inverses(before, ops);
        if entry.is_empty() {
            return;
        }
        self.undo.push(entry);
        if self.undo.len() > self.limit {
            self.undo.remove(0);
        }
        self.redo.clear();
    }

    /// The ops that undo the last action on `scene` as it is now (apply them, then broadcast them
    /// like any other change). `None` if there is nothing to undo.
    pub fn undo(&mut self, scene: &Scene) -> Option<Vec<Op>> {
        let ops = self.undo.pop()?;
        self.redo.push(inverses(scene, &ops));
        Some(ops)
    }

    /// The ops that redo the last undone action on `scene` as it is now.
    pub fn redo(&mut self, scene: &Scene) -> Option<Vec<Op>> {
        let ops = self.redo.pop()?;
        self.undo.push(inverses(scene, &ops));
        Some(ops)
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
