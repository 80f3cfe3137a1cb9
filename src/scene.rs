//! A scene: the elements of one board in paint order.

use crate::element::{Element, ElementError, ElementId, Props};
use crate::index::FracIndex;
use std::collections::{BTreeMap, HashMap};

/// The elements of a board, indexed by id and ordered by their fractional index.
///
/// Deleted elements (tombstones) stay in the scene so that sync can tell "deleted" from "never
/// seen"; [`Scene::iter_live`] skips them.
#[derive(Clone, Debug, Default)]
pub struct Scene {
    by_id: HashMap<ElementId, Element>,
    // Paint order; the id breaks ties if two users ever produce the same index concurrently.
    order: BTreeMap<(FracIndex, ElementId), ()>,
}

impl Scene {
    /// Number of elements, tombstones included.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// Whether the scene has no elements at all.
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    /// The element with `id`, if present (possibly deleted).
    pub fn get(&self, id: ElementId) -> Option<&Element> {
        self.by_id.get(&id)
    }

    /// Adds a new element. Fails on a duplicate id or an invalid element.
    pub fn insert(&mut self, element: Element) -> Result<(), ElementError> {
        element.validate()?;
        if self.by_id.contains_key(&element.id) {
            return Err(ElementError::Duplicate(element.id));
        }
        self.order
            .insert((element.props().index.clone(), element.id), ());
        self.by_id.insert(element.id, element);
        Ok(())
    }

    /// Mutates one element through [`Element::mutate`], keeping the paint order consistent.
    /// Returns `Ok(false)` if there is no such element.
    pub fn mutate(
        &mut self,
        id: ElementId,
        nonce: u32,
        now_ms: i64,
        f: impl FnOnce(&mut Props),
    ) -> Result<bool, ElementError> {
        let Some(element) = self.by_id.get_mut(&id) else {
            return Ok(false);
        };
        let old_index = element.props().index.clone();
        element.mutate(nonce, now_ms, f)?;
        if element.props().index != old_index {
            self.order.remove(&(old_index, id));
            self.order.insert((element.props().index.clone(), id), ());
        }
        Ok(true)
    }

    /// Puts `element` in place of any element with its id (or adds it), keeping paint order
    /// consistent. For replicas rebuilding an element from confirmed state; does not validate.
    pub(crate) fn replace(&mut self, element: Element) {
        self.remove(element.id);
        self.order
            .insert((element.props().index.clone(), element.id), ());
        self.by_id.insert(element.id, element);
    }

    /// Removes an element entirely (not a deletion: no tombstone). For replicas only.
    pub(crate) fn remove(&mut self, id: ElementId) -> Option<Element> {
        let old = self.by_id.remove(&id)?;
        self.order.remove(&(old.props().index.clone(), id));
        Some(old)
    }

    /// All elements in paint order, tombstones included.
    pub fn iter(&self) -> impl Iterator<Item = &Element> {
        self.order.keys().filter_map(|(_, id)| self.by_id.get(id))
    }

    /// Elements that are not deleted, in paint order.
    pub fn iter_live(&self) -> impl Iterator<Item = &Element> {
        self.iter().filter(|e| !e.props().is_deleted)
    }

    /// An index that paints above every element in the scene.
    pub fn next_index(&self) -> FracIndex {
        let last = self.order.keys().next_back().map(|(k, _)| k);
        // Only the far end of the key space (~10^46 appends) can fail; stay on top regardless.
        FracIndex::between(last, None).unwrap_or_else(|_| last.cloned().unwrap_or_else(first_index))
    }
}

fn first_index() -> FracIndex {
    FracIndex::parse("a0").expect("a0 is a valid index")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::element::ElementKind;

    fn element(n: u128, index: FracIndex) -> Element {
        crate::testing::element(n, ElementKind::Ellipse, index)
    }

    #[test]
    fn elements_iterate_in_index_order_not_insertion_order() {
        let mut scene = Scene::default();
        let a0 = scene.next_index();
        scene.insert(element(1, a0.clone())).unwrap();
        let top = scene.next_index();
        scene.insert(element(2, top)).unwrap();
        let below = FracIndex::between(None, Some(&a0)).unwrap();
        scene.insert(element(3, below)).unwrap();
        let ids: Vec<_> = scene.iter().map(|e| e.id).collect();
        assert_eq!(ids, [3, 1, 2].map(ElementId::from_u128));
    }

    #[test]
    fn duplicate_ids_are_refused() {
        let mut scene = Scene::default();
        scene.insert(element(1, scene.next_index())).unwrap();
        let err = scene.insert(element(1, scene.next_index())).unwrap_err();
        assert_eq!(err, ElementError::Duplicate(ElementId::from_u128(1)));
        assert_eq!(scene.len(), 1);
    }

    #[test]
    fn reindexing_through_mutate_moves_the_element_in_paint_order() {
        let mut scene = Scene::default();
        scene.insert(element(1, scene.next_index())).unwrap();
        scene.insert(element(2, scene.next_index())).unwrap();
        let top = scene.next_index();
        assert!(
            scene
                .mutate(ElementId::from_u128(1), 5, 6, |p| p.index = top)
                .unwrap()
        );
        let ids: Vec<_> = scene.iter().map(|e| e.id).collect();
        assert_eq!(ids, [2, 1].map(ElementId::from_u128));
        assert_eq!(scene.len(), 2);
    }

    #[test]
    fn deleted_elements_stay_as_tombstones_but_are_not_live() {
        let mut scene = Scene::default();
        scene.insert(element(1, scene.next_index())).unwrap();
        scene
            .mutate(ElementId::from_u128(1), 1, 1, |p| p.is_deleted = true)
            .unwrap();
        assert_eq!(scene.len(), 1);
        assert_eq!(scene.iter_live().count(), 0);
        assert!(!scene.mutate(ElementId::from_u128(9), 1, 1, |_| {}).unwrap());
    }
}
