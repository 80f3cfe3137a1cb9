//! The image-like input of the recognition models: ink drawn into a small grid of feature
//! channels.
//!
//! A raster ignores stroke order, stroke count and drawing direction (a rectangle drawn clockwise
//! in one stroke and one drawn as four separate sides look alike), which is exactly the
//! invariance the shape recogniser needs, while keeping what a picture shows. Besides plain ink
//! there are four *orientation* channels (the local stroke direction, modulo 180°, softly binned
//! at 0°, 45°, 90° and 135°: the classic "directional feature maps" of online handwriting
//! recognition, which let a small network tell a `+` from an `×` cheaply) and an *endpoint*
//! channel (where strokes start and stop: closed shapes have none, a check has two, an arrow's
//! head has its own).
//!
//! The layout is height × width × channel (row-major, channel last), which is what the server's
//! network consumes.

use super::{Ink, InkPoint};
use std::f64::consts::PI;

/// Number of feature channels per pixel.
pub const CHANNELS: usize = 6;
/// Side of the grid used by the shipped models.
pub const SIZE: usize = 24;

/// Pixels left empty around the ink, so that the network's 3×3 windows see whole strokes.
const MARGIN: f64 = 1.5;

/// Draws `ink` into a `size`×`size`×[`CHANNELS`] grid (channel last). The ink is centred and
/// scaled so its longer side spans the grid, keeping the aspect ratio. Empty ink gives zeros.
pub fn features(ink: &Ink, size: usize) -> Vec<f32> {
    let mut grid = vec![0f32; size * size * CHANNELS];
    let Some((norm, _, _)) = ink.cleaned().normalized() else {
        return grid;
    };
    let span = size as f64 - 1.0 - 2.0 * MARGIN;
    let to_px = |p: InkPoint| {
        (
            (p.x + 1.0) / 2.0 * span + MARGIN,
            (p.y + 1.0) / 2.0 * span + MARGIN,
        )
    };
    // Half-pixel spacing: every pixel a stroke crosses gets about two samples.
    let spacing = 2.0 / span * 0.5;
    let splat = |grid: &mut [f32], (x, y): (f64, f64), ch: usize, w: f32| {
        let (x0, y0) = (x.floor(), y.floor());
        let (fx, fy) = ((x - x0) as f32, (y - y0) as f32);
        for (dx, dy, k) in [
            (0, 0, (1.0 - fx) * (1.0 - fy)),
            (1, 0, fx * (1.0 - fy)),
            (0, 1, (1.0 - fx) * fy),
            (1, 1, fx * fy),
        ] {
            let (px, py) = (x0 as i64 + dx, y0 as i64 + dy);
            if px >= 0 && py >= 0 && (px as usize) < size && (py as usize) < size {
                grid[(py as usize * size + px as usize) * CHANNELS + ch] += w * k;
            }
        }
    };
    for stroke in &norm.resampled(spacing).strokes {
        let n = stroke.len();
        for (i, &p) in stroke.iter().enumerate() {
            let px = to_px(p);
            splat(&mut grid, px, 0, 0.5);
            // Direction from the neighbours (central difference where possible).
            let a = stroke[i.saturating_sub(1)];
            let b = stroke[(i + 1).min(n - 1)];
            let (dx, dy) = (b.x - a.x, b.y - a.y);
            if dx != 0.0 || dy != 0.0 {
                let theta = dy.atan2(dx).rem_euclid(PI); // unsigned orientation
                let pos = theta / (PI / 4.0);
                let k = (pos.floor() as usize) % 4;
                let f = (pos - pos.floor()) as f32;
                splat(&mut grid, px, 1 + k, 0.5 * (1.0 - f));
                splat(&mut grid, px, 1 + (k + 1) % 4, 0.5 * f);
            }
        }
        splat(&mut grid, to_px(stroke[0]), 5, 1.0);
        splat(&mut grid, to_px(stroke[n - 1]), 5, 1.0);
    }
    for v in &mut grid {
        *v = v.min(1.5);
    }
    grid
}

#[cfg(test)]
mod tests {
    use super::*;

    fn channel_sum(g: &[f32], ch: usize) -> f32 {
        g.iter().skip(ch).step_by(CHANNELS).sum()
    }

    #[test]
    fn a_horizontal_line_lights_the_zero_degree_channel_only() {
        let ink = Ink::new(vec![vec![
            InkPoint::new(0.0, 5.0),
            InkPoint::new(100.0, 5.0),
        ]]);
        let g = features(&ink, SIZE);
        assert_eq!(g.len(), SIZE * SIZE * CHANNELS);
        assert!(channel_sum(&g, 0) > 5.0);
        assert!(channel_sum(&g, 1) > 5.0);
        for ch in 2..5 {
            assert!(channel_sum(&g, ch) < 1e-3, "channel {ch}");
        }
        assert!((channel_sum(&g, 5) - 2.0).abs() < 1e-3);
    }

    #[test]
    fn drawing_direction_and_position_do_not_matter() {
        let a = Ink::new(vec![vec![
            InkPoint::new(0.0, 0.0),
            InkPoint::new(10.0, 20.0),
            InkPoint::new(20.0, 0.0),
        ]]);
        let mut rev = a.clone();
        rev.strokes[0].reverse();
        let moved = a.map(|p| InkPoint::new(p.x * 3.0 + 100.0, p.y * 3.0 - 7.0));
        let fa = features(&a, SIZE);
        let mass: f32 = fa.iter().sum();
        for other in [features(&rev, SIZE), features(&moved, SIZE)] {
            // Samples fall at slightly different places along the path; the picture is the same.
            let diff: f32 = fa.iter().zip(&other).map(|(x, y)| (x - y).abs()).sum();
            assert!(diff < 0.1 * mass, "{diff} of {mass}");
        }
        // A different shape differs by far more.
        let other = Ink::new(vec![vec![
            InkPoint::new(0.0, 0.0),
            InkPoint::new(20.0, 20.0),
        ]]);
        let diff: f32 = fa
            .iter()
            .zip(&features(&other, SIZE))
            .map(|(x, y)| (x - y).abs())
            .sum();
        assert!(diff > 0.5 * mass, "{diff} of {mass}");
    }

    #[test]
    fn a_dot_and_empty_ink_do_not_panic() {
        let dot = Ink::new(vec![vec![InkPoint::new(3.0, 3.0)]]);
        assert!(features(&dot, SIZE).iter().any(|&v| v > 0.0));
        assert!(features(&Ink::default(), SIZE).iter().all(|&v| v == 0.0));
    }
}
