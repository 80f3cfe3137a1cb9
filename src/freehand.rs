//! Freehand ink: the filled outline of a pressure-sensitive stroke.
//!
//! The approach of Steve Ruiz's `perfect-freehand` (which Excalidraw uses): smooth the input
//! points ("streamline"), give every point a radius from its pen pressure (or, for mice, a
//! pressure simulated from speed: fast strokes get thinner), offset each point to both sides
//! along the stroke's normal, and join the two sides with round caps into one polygon that is
//! filled. Filling an outline instead of stroking a polyline is what makes a stroke's width vary
//! along its length, which Canvas 2D, SVG and tiny-skia cannot do with a plain stroke.
//!
//! The crates.io port of perfect-freehand (`perfect_freehand` 0.1) is a young single-author
//! crate; this ~150-line version is ours to keep panic-free on any input and identical in the
//! browser and on the server.

use crate::geom::WorldPoint;

/// How much pressure changes a stroke's width (0: not at all, 1: from nothing to full size).
const THINNING: f64 = 0.6;
/// How strongly input points are pulled towards the previous smoothed point (0–1).
const STREAMLINE: f64 = 0.5;
/// How quickly simulated pressure follows the pen's speed.
const PRESSURE_RATE: f64 = 0.275;
/// Segments in each round cap.
const CAP_STEPS: usize = 8;

/// The largest radius any point of a stroke of diameter `size` can have.
pub fn max_radius(size: f64) -> f64 {
    size / 2.0
}

/// The radius of a point drawn with `pressure` (0–1) in a stroke of diameter `size`: an
/// ease-out of the pressure, so light touches still leave a visible line.
fn radius(size: f64, pressure: f64) -> f64 {
    let t = (0.5 + THINNING * (pressure - 0.5)).clamp(0.05, 1.0);
    max_radius(size) * (t * std::f64::consts::FRAC_PI_2).sin()
}

/// The closed outline polygon of a stroke through `points` (world coordinates) of diameter
/// `size`. `pressures` has one value (0–1) per point, or is empty to simulate pressure from
/// speed. A stroke with a single point (a dot) is a circle; no points give an empty outline.
pub fn outline(points: &[WorldPoint], pressures: &[f32], size: f64) -> Vec<WorldPoint> {
    let size = if size.is_finite() && size > 0.0 {
        size
    } else {
        1.0
    };
    // Smooth the points and drop ones that do not move (they have no direction).
    let mut smoothed: Vec<(WorldPoint, f64)> = Vec::with_capacity(points.len() + 1);
    let mut simulated = 0.5;
    for (i, &p) in points.iter().enumerate() {
        let given = pressures.get(i).map(|&v| f64::from(v).clamp(0.0, 1.0));
        let Some(&(prev, _)) = smoothed.last() else {
            smoothed.push((p, given.unwrap_or(simulated)));
            continue;
        };
        let q = prev + (p - prev) * (1.0 - STREAMLINE * 0.85);
        let step = (q - prev).length();
        if step < size * 0.05 {
            continue;
        }
        let pressure = given.unwrap_or_else(|| {
            // Faster movement (a longer step) means less pressure, as with a real pen.
            let speed = (step / size).min(1.0);
            simulated += ((1.0 - speed) - simulated) * PRESSURE_RATE * speed.max(0.2);
            simulated
        });
        smoothed.push((q, pressure));
    }
    // Streamlining lags behind the pen: end where the pen lifted.
    if let (Some(&last), Some(&(end, pressure))) = (points.last(), smoothed.last())
        && (last - end).length() >= size * 0.05
    {
        smoothed.push((last, pressure));
    }
    match smoothed.as_slice() {
        [] => Vec::new(),
        [(c, p)] => circle(*c, radius(size, *p)),
        _ => sides(&smoothed, size),
    }
}

/// The two offset sides of a stroke with at least two distinct points, joined by round caps.
fn sides(pts: &[(WorldPoint, f64)], size: f64) -> Vec<WorldPoint> {
    let n = pts.len();
    let mut left = Vec::with_capacity(n);
    let mut right = Vec::with_capacity(n);
    for i in 0..n {
        let prev = pts[i.saturating_sub(1)].0;
        let next = pts[(i + 1).min(n - 1)].0;
        let (p, pressure) = pts[i];
        let Some(dir) = (next - prev).normalized() else {
            continue;
        };
        let offset = dir.perp() * radius(size, pressure);
        left.push(p + offset);
        right.push(p - offset);
    }
    let (Some(&(start, start_p)), Some(&(end, end_p))) = (pts.first(), pts.last()) else {
        return Vec::new();
    };
    let mut outline = Vec::with_capacity(2 * n + 2 * CAP_STEPS);
    outline.extend(left.iter().copied());
    if let (Some(&l), Some(&r)) = (left.last(), right.last()) {
        outline.extend(cap(end, l, r, radius(size, end_p)));
    }
    outline.extend(right.iter().rev().copied());
    if let (Some(&r), Some(&l)) = (right.first(), left.first()) {
        outline.extend(cap(start, r, l, radius(size, start_p)));
    }
    outline
}

/// The half circle around `center` from `from` to `to` (exclusive), bulging away from the stroke.
fn cap(center: WorldPoint, from: WorldPoint, to: WorldPoint, r: f64) -> Vec<WorldPoint> {
    let a0 = (from.y - center.y).atan2(from.x - center.x);
    (1..CAP_STEPS)
        .map(|i| {
            let a = a0 - std::f64::consts::PI * i as f64 / CAP_STEPS as f64;
            WorldPoint::new(center.x + r * a.cos(), center.y + r * a.sin())
        })
        .chain(std::iter::once(to))
        .collect()
}

fn circle(c: WorldPoint, r: f64) -> Vec<WorldPoint> {
    (0..2 * CAP_STEPS)
        .map(|i| {
            let a = std::f64::consts::PI * i as f64 / CAP_STEPS as f64;
            WorldPoint::new(c.x + r * a.cos(), c.y + r * a.sin())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_straight_stroke_is_a_band_around_its_points_with_round_ends() {
        let pts: Vec<_> = (0..=20)
            .map(|i| WorldPoint::new(f64::from(i) * 5.0, 0.0))
            .collect();
        let outline = outline(&pts, &[], 10.0);
        assert!(outline.len() > 20);
        let max_y = outline.iter().map(|p| p.y.abs()).fold(0.0, f64::max);
        assert!(max_y > 1.0 && max_y <= max_radius(10.0) + 1e-9, "{max_y}");
        let min_x = outline.iter().map(|p| p.x).fold(f64::INFINITY, f64::min);
        assert!(min_x < 0.0, "the start cap reaches behind the first point");
    }

    #[test]
    fn pressure_makes_the_stroke_wider() {
        let pts = [WorldPoint::new(0.0, 0.0), WorldPoint::new(100.0, 0.0)];
        let width = |p: f32| {
            outline(&pts, &[p, p], 10.0)
                .iter()
                .map(|q| q.y)
                .fold(0.0, f64::max)
        };
        assert!(width(1.0) > width(0.1));
    }

    #[test]
    fn degenerate_input_gives_a_dot_or_nothing() {
        assert!(outline(&[], &[], 4.0).is_empty());
        let same = [WorldPoint::new(3.0, 3.0); 5];
        let dot = outline(&same, &[], 4.0);
        assert_eq!(dot.len(), 2 * CAP_STEPS);
        assert!(dot.iter().all(|p| p.is_finite()));
        assert!(outline(&same, &[], f64::NAN).iter().all(|p| p.is_finite()));
    }
}
