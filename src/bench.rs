//! Synthetic boards for benchmarks: `n` mixed elements laid out on a grid.
//!
//! The canvas benchmark page (`?bench=N` on a board) and any native benchmark use the same
//! generator, so figures from the browser and from native code describe the same scene. The mix
//! follows what real boards hold: mostly boxes, then lines and arrows, freehand strokes and
//! text. Deterministic for a given `seed`.

use crate::element::{Element, ElementId, ElementKind, Props};
use crate::geom::{Rect, WorldPoint};
use crate::scene::Scene;

/// Distance between grid cells, world units.
pub const CELL: f64 = 120.0;

/// A scene of `n` mixed elements on a square grid of [`CELL`]-sized cells, starting at the
/// origin, at the default roughness (artist: the hand-drawn look).
pub fn mixed_scene(n: usize, seed: u64) -> Scene {
    mixed_scene_with_roughness(n, seed, 1)
}

/// [`mixed_scene`] with every element at `roughness` (0 exact, 1 artist, 2 cartoonist), so the
/// hand-drawn look's cost can be measured side by side with exact drawing.
pub fn mixed_scene_with_roughness(n: usize, seed: u64, roughness: u8) -> Scene {
    let mut scene = Scene::default();
    let side = (n as f64).sqrt().ceil().max(1.0) as usize;
    let mut state = seed | 1;
    let mut rand = move || {
        // xorshift64*: plenty for layout jitter, and no dependency in the core.
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        (state.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 / (1u64 << 53) as f64
    };
    for i in 0..n {
        let (cx, cy) = ((i % side) as f64 * CELL, (i / side) as f64 * CELL);
        let (w, h) = (40.0 + rand() * 60.0, 30.0 + rand() * 60.0);
        let corner = WorldPoint::new(cx, cy);
        let rect = Rect::from_corners(corner, WorldPoint::new(cx + w, cy + h));
        let index = scene.next_index();
        let mut props = match i % 10 {
            0..=2 => Props::new(ElementKind::Rectangle, rect, index),
            3 | 4 => Props::new(ElementKind::Ellipse, rect, index),
            5 => Props::new(ElementKind::Diamond, rect, index),
            6 | 7 => {
                let kind = if i % 10 == 6 {
                    ElementKind::Line
                } else {
                    ElementKind::Arrow
                };
                let pts = [corner, WorldPoint::new(cx + w, cy + h * rand())];
                Props::through(kind, &pts, index).expect("two points")
            }
            8 => {
                let pts: Vec<WorldPoint> = (0..24)
                    .map(|k| {
                        let t = k as f64 / 23.0;
                        WorldPoint::new(
                            cx + t * w,
                            cy + h / 2.0 + (t * 9.0 + rand()).sin() * h / 3.0,
                        )
                    })
                    .collect();
                Props::through(ElementKind::Freedraw, &pts, index).expect("points")
            }
            _ => Props::text(corner, "Note", 20.0, index),
        };
        props.roughness = roughness.min(2);
        let element = Element::new(ElementId::from_u128(i as u128 + 1), props, 0, 0)
            .expect("generated elements are valid");
        scene.insert(element).expect("fresh ids");
    }
    scene
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generates_the_requested_mix_deterministically() {
        let a = mixed_scene(1000, 7);
        assert_eq!(a.iter_live().count(), 1000);
        let kinds = |k: ElementKind| a.iter_live().filter(|e| e.props().kind == k).count();
        assert_eq!(kinds(ElementKind::Rectangle), 300);
        assert_eq!(kinds(ElementKind::Freedraw), 100);
        assert_eq!(kinds(ElementKind::Text), 100);
        let b = mixed_scene(1000, 7);
        let xs = |s: &Scene| s.iter_live().map(|e| e.props().width).collect::<Vec<_>>();
        assert_eq!(xs(&a), xs(&b));
    }
}
