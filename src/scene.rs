//! A scene: the elements of one board in paint order, with a spatial index.
//!
//! Besides the elements by id and their paint order, the scene keeps an R-tree (`rstar`) of the
//! bounds of every live element, updated by every insert, mutation, replacement and removal, so
//! drawing a viewport or finding the shape under the pointer looks at the few elements nearby
//! instead of scanning a 100,000-element board. Tombstones are not in the tree.
//!
//! It also keeps, for each element, which elements refer to it (arrow ends bound to it, text
//! inside it): Excalidraw stores that as a `boundElements` list on the target, which concurrent
//! edits can leave disagreeing with the arrows themselves. Here it is derived from the referrers'
//! own fields on every change, so it cannot disagree and costs nothing on the wire.

use crate::element::{Element, ElementError, ElementId, Props};
use crate::geom::{Rect, WorldPoint};
use crate::index::FracIndex;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// An R-tree entry: an element's bounds and its id.
type Entry = GeomWithData<Rectangle<[f64; 2]>, ElementId>;

fn aabb(r: &Rect) -> AABB<[f64; 2]> {
    AABB::from_corners([r.min.x, r.min.y], [r.max.x, r.max.y])
}

/// The elements of a board, indexed by id and ordered by their fractional index.
///
/// Deleted elements (tombstones) stay in the scene so that sync can tell "deleted" from "never
/// seen"; [`Scene::iter_live`] skips them.
#[derive(Clone, Debug, Default)]
pub struct Scene {
    by_id: HashMap<ElementId, Element>,
    // Paint order; the id breaks ties if two users ever produce the same index concurrently.
    order: BTreeMap<(FracIndex, ElementId), ()>,
    /// Live elements' bounds.
    spatial: RTree<Entry>,
    /// The bounds each live element was put into `spatial` with: removing an entry needs its
    /// exact rectangle, and recomputing it from the old element would cost a pass over its
    /// points (up to 10,000 for a stroke).
    indexed: HashMap<ElementId, Rect>,
    /// For each element, the elements whose bindings or container name it (tombstones
    /// included; [`Scene::attached_to`] filters them).
    attached: HashMap<ElementId, BTreeSet<ElementId>>,
}

/// The elements `p` refers to: its arrow ends' targets and its container.
fn references(p: &Props) -> [Option<ElementId>; 3] {
    [
        p.start_binding.map(|b| b.element_id),
        p.end_binding.map(|b| b.element_id),
        p.container_id,
    ]
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
        self.index(&element);
        self.link(element.id, references(element.props()));
        self.by_id.insert(element.id, element);
        Ok(())
    }

    /// Records that `id` refers to each of `refs`.
    fn link(&mut self, id: ElementId, refs: [Option<ElementId>; 3]) {
        for target in refs.into_iter().flatten() {
            self.attached.entry(target).or_default().insert(id);
        }
    }

    /// Forgets that `id` refers to each of `refs`.
    fn unlink(&mut self, id: ElementId, refs: [Option<ElementId>; 3]) {
        for target in refs.into_iter().flatten() {
            if let Some(set) = self.attached.get_mut(&target) {
                set.remove(&id);
                if set.is_empty() {
                    self.attached.remove(&target);
                }
            }
        }
    }

    /// The live elements attached to `id`: arrows with an end bound to it and text contained
    /// in it (Excalidraw's `boundElements`), in id order.
    pub fn attached_to(&self, id: ElementId) -> impl Iterator<Item = &Element> + '_ {
        self.attached
            .get(&id)
            .into_iter()
            .flatten()
            .filter_map(|a| self.by_id.get(a))
            .filter(|e| !e.props().is_deleted)
    }

    /// Puts a live element's bounds into the spatial index.
    fn index(&mut self, element: &Element) {
        let bounds = (!element.props().is_deleted).then(|| element.bounds());
        self.index_bounds(element.id, bounds);
    }

    /// Puts `id` into the spatial index under `bounds` (`None`: a tombstone, not indexed).
    fn index_bounds(&mut self, id: ElementId, bounds: Option<Rect>) {
        if let Some(bounds) = bounds {
            self.spatial
                .insert(Entry::new(Rectangle::from_aabb(aabb(&bounds)), id));
            self.indexed.insert(id, bounds);
        }
    }

    /// Takes an element out of the spatial index (a no-op if it is not in it).
    fn unindex(&mut self, id: ElementId) {
        if let Some(bounds) = self.indexed.remove(&id) {
            self.spatial
                .remove(&Entry::new(Rectangle::from_aabb(aabb(&bounds)), id));
        }
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
        let old_refs = references(element.props());
        element.mutate(nonce, now_ms, f)?;
        let new_refs = references(element.props());
        if element.props().index != old_index {
            self.order.remove(&(old_index, id));
            self.order.insert((element.props().index.clone(), id), ());
        }
        // Any property may move the bounds (points, stroke width, arrowheads, deletion).
        let bounds = (!element.props().is_deleted).then(|| element.bounds());
        self.unindex(id);
        self.index_bounds(id, bounds);
        if new_refs != old_refs {
            self.unlink(id, old_refs);
            self.link(id, new_refs);
        }
        Ok(true)
    }

    /// Puts `element` in place of any element with its id (or adds it), keeping paint order
    /// consistent. For replicas rebuilding an element from confirmed state; does not validate.
    pub(crate) fn replace(&mut self, element: Element) {
        self.remove(element.id);
        self.order
            .insert((element.props().index.clone(), element.id), ());
        self.index(&element);
        self.link(element.id, references(element.props()));
        self.by_id.insert(element.id, element);
    }

    /// Removes an element entirely (not a deletion: no tombstone). For replicas only.
    pub(crate) fn remove(&mut self, id: ElementId) -> Option<Element> {
        let old = self.by_id.remove(&id)?;
        self.order.remove(&(old.props().index.clone(), id));
        self.unindex(id);
        self.unlink(id, references(old.props()));
        Some(old)
    }

    /// Sorts elements into paint order (bottom first).
    fn in_paint_order(&self, ids: Vec<ElementId>) -> Vec<&Element> {
        let mut found: Vec<&Element> = ids.iter().filter_map(|id| self.by_id.get(id)).collect();
        found.sort_by(|a, b| (&a.props().index, a.id).cmp(&(&b.props().index, b.id)));
        found
    }

    /// The live elements whose bounds intersect `rect`, in paint order: what a viewport showing
    /// `rect` must draw. Answered from the spatial index.
    pub fn query_rect(&self, rect: Rect) -> Vec<&Element> {
        let ids = self
            .spatial
            .locate_in_envelope_intersecting(&aabb(&rect))
            .map(|entry| entry.data)
            .collect();
        self.in_paint_order(ids)
    }

    /// The live elements under `at`, topmost first. A shape counts when `at` is within
    /// `tolerance` world units of its outline, or inside it if it is filled (or is text); an
    /// unfilled shape is hit on its outline only, so what lies behind it stays reachable.
    ///
    /// # Examples
    /// ```
    /// use inkroom_core::element::{Element, ElementId, ElementKind, Props};
    /// use inkroom_core::geom::{Rect, WorldPoint};
    /// use inkroom_core::scene::Scene;
    ///
    /// let mut scene = Scene::default();
    /// let frame = Rect::from_corners(WorldPoint::new(0.0, 0.0), WorldPoint::new(100.0, 50.0));
    /// let props = Props::new(ElementKind::Rectangle, frame, scene.next_index());
    /// scene.insert(Element::new(ElementId::from_u128(1), props, 0, 0).unwrap()).unwrap();
    ///
    /// // On the border: hit. In the middle of an unfilled rectangle: not.
    /// assert_eq!(scene.hit_test(WorldPoint::new(100.0, 25.0), 2.0).len(), 1);
    /// assert!(scene.hit_test(WorldPoint::new(50.0, 25.0), 2.0).is_empty());
    /// ```
    pub fn hit_test(&self, at: WorldPoint, tolerance: f64) -> Vec<&Element> {
        if !at.is_finite() {
            return Vec::new();
        }
        let tolerance = if tolerance.is_finite() {
            tolerance.max(0.0)
        } else {
            0.0
        };
        let probe = Rect::from_corners(at, at).inflate(tolerance);
        let ids = self
            .spatial
            .locate_in_envelope_intersecting(&aabb(&probe))
            .map(|entry| entry.data)
            .filter(|id| {
                self.by_id
                    .get(id)
                    .is_some_and(|e| crate::shape::hits(e.props(), at, tolerance))
            })
            .collect();
        let mut hits = self.in_paint_order(ids);
        hits.reverse();
        hits
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

    mod spatial {
        use super::*;
        use crate::element::{Color, FillStyle, Props};
        use crate::geom::Radians;
        use crate::ops::{Op, Patch, Stamp};
        use proptest::prelude::*;

        fn boxed(n: u128, x: f64, y: f64, index: FracIndex) -> Element {
            let r = Rect::from_corners(WorldPoint::new(x, y), WorldPoint::new(x + 20.0, y + 20.0));
            let mut p = Props::new(crate::element::ElementKind::Rectangle, r, index);
            p.background_color = Color::rgba(0, 0, 255, 255);
            p.fill_style = FillStyle::Solid;
            Element::new(ElementId::from_u128(n), p, 0, 0).unwrap()
        }

        fn ids(found: Vec<&Element>) -> Vec<ElementId> {
            found.iter().map(|e| e.id).collect()
        }

        fn brute_force(scene: &Scene, rect: Rect) -> Vec<ElementId> {
            scene
                .iter_live()
                .filter(|e| e.bounds().intersects(&rect))
                .map(|e| e.id)
                .collect()
        }

        #[test]
        fn hit_test_returns_the_topmost_shape_first_and_skips_deleted_ones() {
            let mut scene = Scene::default();
            scene
                .insert(boxed(1, 0.0, 0.0, scene.next_index()))
                .unwrap();
            scene
                .insert(boxed(2, 10.0, 10.0, scene.next_index()))
                .unwrap();
            let at = WorldPoint::new(15.0, 15.0);
            assert_eq!(
                ids(scene.hit_test(at, 1.0)),
                [2, 1].map(ElementId::from_u128)
            );
            scene
                .mutate(ElementId::from_u128(2), 0, 0, |p| p.is_deleted = true)
                .unwrap();
            assert_eq!(ids(scene.hit_test(at, 1.0)), [ElementId::from_u128(1)]);
            assert!(
                scene
                    .hit_test(WorldPoint::new(500.0, 500.0), 1.0)
                    .is_empty()
            );
            assert!(
                scene
                    .hit_test(WorldPoint::new(f64::NAN, 0.0), 1.0)
                    .is_empty()
            );
        }

        #[test]
        fn moving_a_shape_moves_it_in_the_index() {
            let mut scene = Scene::default();
            scene
                .insert(boxed(1, 0.0, 0.0, scene.next_index()))
                .unwrap();
            let far = Rect::from_corners(
                WorldPoint::new(900.0, 900.0),
                WorldPoint::new(1000.0, 1000.0),
            );
            assert!(scene.query_rect(far).is_empty());
            scene
                .mutate(ElementId::from_u128(1), 0, 0, |p| {
                    p.x = 950.0;
                    p.y = 950.0;
                })
                .unwrap();
            assert_eq!(ids(scene.query_rect(far)), [ElementId::from_u128(1)]);
            scene.remove(ElementId::from_u128(1));
            assert!(scene.query_rect(far).is_empty());
        }

        proptest! {
            /// After any mix of creates, moves, resizes, rotations, deletes, undeletes, replaces
            /// and removals, the index answers exactly what a scan of every element would.
            #[test]
            fn the_index_agrees_with_a_brute_force_scan(
                steps in prop::collection::vec((0..6u8, 0..12u8, -500.0..500.0f64, -500.0..500.0f64), 1..80),
                probes in prop::collection::vec((-600.0..600.0f64, -600.0..600.0f64, 0.0..300.0f64), 1..10),
            ) {
                let mut scene = Scene::default();
                let t = Stamp { nonce: 1, at_ms: 1 };
                for (kind, target, a, b) in steps {
                    let id = ElementId::from_u128(u128::from(target));
                    let exists = scene.get(id).is_some();
                    match (kind, exists) {
                        (_, false) => {
                            let e = boxed(u128::from(target), a, b, scene.next_index());
                            scene.apply(&Op::Create { element: e }, t).unwrap();
                        }
                        (0, true) => { scene.apply(&Op::Update { id, patch: Patch { x: Some(a), y: Some(b), ..Patch::default() } }, t).unwrap(); }
                        (1, true) => { scene.apply(&Op::Update { id, patch: Patch { width: Some(a.abs()), angle: Some(Radians(b / 100.0)), ..Patch::default() } }, t).unwrap(); }
                        (2, true) => { scene.apply(&Op::Delete { id }, t).unwrap(); }
                        (3, true) => { scene.apply(&Op::Update { id, patch: Patch { is_deleted: Some(false), stroke_width: Some(1.0 + a.abs() / 10.0), ..Patch::default() } }, t).unwrap(); }
                        (4, true) => { scene.replace(boxed(u128::from(target), b, a, scene.next_index())); }
                        _ => { scene.remove(id); }
                    }
                }
                for (x, y, size) in probes {
                    let rect = Rect::from_corners(WorldPoint::new(x, y), WorldPoint::new(x + size, y + size));
                    prop_assert_eq!(ids(scene.query_rect(rect)), brute_force(&scene, rect));
                    let at = WorldPoint::new(x, y);
                    let mut expected: Vec<ElementId> = scene
                        .iter_live()
                        .filter(|e| crate::shape::hits(e.props(), at, 2.0))
                        .map(|e| e.id)
                        .collect();
                    expected.reverse();
                    prop_assert_eq!(ids(scene.hit_test(at, 2.0)), expected);
                }
                prop_assert_eq!(scene.spatial.size(), scene.iter_live().count());
            }
        }
    }
}
