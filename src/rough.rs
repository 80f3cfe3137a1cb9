//! The hand-drawn look: outlines and fills drawn the way roughjs draws them (each straight
//! edge as two slightly bowed, jittered strokes; ellipses as an overshooting loop drawn twice;
//! curves with jittered control points; fill lines that are themselves sketchy), so a board
//! reads like Excalidraw's.
//!
//! Everything is a pure function of the geometry, the roughness and a seed ([`Rng`]), so every
//! collaborator and the server's PNG and SVG exports draw exactly the same strokes for an
//! element. The algorithms follow roughjs's published ones (MIT, reimplemented here from their
//! description): its bowing and randomness constants, its roughness gain for long lines, and its
//! Catmull-Rom ellipse. Roughness 0 ("architect") never comes here: the renderer draws the exact
//! outline instead.

use crate::geom::WorldPoint;
use crate::shape::PathEl;

/// roughjs's default `maxRandomnessOffset`: how far, in world units, points may wander.
const MAX_OFFSET: f64 = 2.0;
/// roughjs's default `bowing`: how much a straight stroke bends.
const BOWING: f64 = 1.0;
/// roughjs's default `curveFitting` (how close an ellipse stays to its radii).
const CURVE_FITTING: f64 = 0.95;
/// roughjs's default `curveStepCount`: points on a small ellipse's loop.
const CURVE_STEPS: f64 = 9.0;

/// A small deterministic random source (roughjs's Park–Miller generator), so the same seed
/// gives the same strokes on every machine and in every back end.
#[derive(Clone, Debug)]
pub struct Rng(u32);

impl Rng {
    /// A generator for `seed` (0 is treated as 1: the generator would be stuck at 0).
    pub fn new(seed: u32) -> Self {
        Self(seed.max(1))
    }

    /// The next number in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(48271);
        f64::from(self.0 & 0x7fff_ffff) / 2_147_483_648.0
    }
}

/// A sketchy pen: the roughness (1 artist, 2 cartoonist) and the random source for one element.
pub struct Pen {
    roughness: f64,
    rng: Rng,
    /// Draw every stroke twice (roughjs's multi-stroke); off for dashed and dotted outlines,
    /// whose dashes would not line up.
    double: bool,
}

impl Pen {
    /// A pen of `roughness` seeded with `seed`.
    pub fn new(roughness: u8, seed: u32, double: bool) -> Self {
        Self {
            roughness: f64::from(roughness),
            rng: Rng::new(seed),
            double,
        }
    }

    /// A random offset in `[min, max)`, scaled by the roughness and `gain`.
    fn offset(&mut self, min: f64, max: f64, gain: f64) -> f64 {
        self.roughness * gain * (self.rng.unit() * (max - min) + min)
    }

    /// A random offset in `[-x, x)`.
    fn jitter(&mut self, x: f64, gain: f64) -> f64 {
        self.offset(-x, x, gain)
    }

    /// A point moved by a random offset of at most `x` in each direction.
    fn wobble(&mut self, p: WorldPoint, x: f64) -> WorldPoint {
        WorldPoint::new(p.x + self.jitter(x, 1.0), p.y + self.jitter(x, 1.0))
    }

    /// A straight stroke from `a` to `b`, twice unless the pen is single-stroke.
    pub fn line(&mut self, a: WorldPoint, b: WorldPoint, out: &mut Vec<PathEl>) {
        self.one_line(a, b, false, out);
        if self.double {
            self.one_line(a, b, true, out);
        }
    }

    /// One bowed stroke (roughjs `_line`): the ends wander, and the middle bends through two
    /// control points placed at a random point along the line. `overlay` strokes wander less.
    fn one_line(&mut self, a: WorldPoint, b: WorldPoint, overlay: bool, out: &mut Vec<PathEl>) {
        let length_sq = (a.x - b.x).powi(2) + (a.y - b.y).powi(2);
        let length = length_sq.sqrt();
        // Long lines wobble proportionally less, or they would look drunk.
        let gain = if length < 200.0 {
            1.0
        } else if length > 500.0 {
            0.4
        } else {
            -0.001_666_8 * length + 1.233_334
        };
        let mut offset = MAX_OFFSET;
        if offset * offset * 100.0 > length_sq {
            offset = length / 10.0;
        }
        let half = offset / 2.0;
        let diverge = 0.2 + self.rng.unit() * 0.2;
        let mid_x = self.jitter(BOWING * MAX_OFFSET * (b.y - a.y) / 200.0, gain);
        let mid_y = self.jitter(BOWING * MAX_OFFSET * (a.x - b.x) / 200.0, gain);
        let reach = if overlay { half } else { offset };
        let r = |pen: &mut Self| pen.jitter(reach, gain);
        let start = WorldPoint::new(a.x + r(self), a.y + r(self));
        out.push(PathEl::MoveTo(start));
        let (dx, dy) = (b.x - a.x, b.y - a.y);
        let c1 = WorldPoint::new(
            mid_x + a.x + dx * diverge + r(self),
            mid_y + a.y + dy * diverge + r(self),
        );
        let c2 = WorldPoint::new(
            mid_x + a.x + 2.0 * dx * diverge + r(self),
            mid_y + a.y + 2.0 * dy * diverge + r(self),
        );
        let end = WorldPoint::new(b.x + r(self), b.y + r(self));
        out.push(PathEl::CubicTo(c1, c2, end));
    }

    /// A cubic from `from` with jittered control and end points (roughjs `_bezierTo`), twice
    /// unless the pen is single-stroke.
    fn cubic(
        &mut self,
        from: WorldPoint,
        c1: WorldPoint,
        c2: WorldPoint,
        to: WorldPoint,
    ) -> [PathEl; 4] {
        let reach = [MAX_OFFSET, MAX_OFFSET + 0.3];
        let first = [
            PathEl::MoveTo(from),
            PathEl::CubicTo(
                self.wobble(c1, reach[0]),
                self.wobble(c2, reach[0]),
                self.wobble(to, reach[0]),
            ),
        ];
        let second_start = self.wobble(from, reach[0]);
        let second = PathEl::CubicTo(
            self.wobble(c1, reach[1]),
            self.wobble(c2, reach[1]),
            self.wobble(to, reach[1]),
        );
        [first[0], first[1], PathEl::MoveTo(second_start), second]
    }

    /// Any outline made of lines and cubics, stroked sketchily: every segment on its own (the
    /// corners of a sketched box overlap a little, as a pen's would).
    pub fn path(&mut self, path: &[PathEl], out: &mut Vec<PathEl>) {
        let mut start: Option<WorldPoint> = None;
        let mut at: Option<WorldPoint> = None;
        for el in path {
            match *el {
                PathEl::MoveTo(q) => {
                    start = Some(q);
                    at = Some(q);
                }
                PathEl::LineTo(q) => {
                    if let Some(p) = at.filter(|&p| p != q) {
                        self.line(p, q, out);
                    }
                    at = Some(q);
                }
                PathEl::CubicTo(c1, c2, q) => {
                    if let Some(p) = at {
                        let strokes = self.cubic(p, c1, c2, q);
                        let n = if self.double { 4 } else { 2 };
                        out.extend_from_slice(&strokes[..n]);
                    }
                    at = Some(q);
                }
                PathEl::Close => {
                    if let (Some(p), Some(s)) = (at, start)
                        && p != s
                    {
                        self.line(p, s, out);
                    }
                    at = start;
                }
            }
        }
    }

    /// An ellipse centred on `center` with radii `rx`, `ry` in a frame turned by `angle`
    /// (radians), drawn as roughjs does: a loop of jittered points that starts a little early
    /// and overshoots its start, then a second, looser loop.
    pub fn ellipse(
        &mut self,
        center: WorldPoint,
        rx: f64,
        ry: f64,
        angle: f64,
        out: &mut Vec<PathEl>,
    ) {
        let (w, h) = (rx * 2.0, ry * 2.0);
        let perimeter =
            (std::f64::consts::TAU * (((w / 2.0).powi(2) + (h / 2.0).powi(2)) / 2.0).sqrt()).sqrt();
        let steps = CURVE_STEPS
            .max(CURVE_STEPS / 200f64.sqrt() * perimeter)
            .ceil();
        // A huge ellipse must not cost thousands of points per frame.
        let steps = steps.min(200.0);
        let increment = std::f64::consts::TAU / steps;
        let fit = 1.0 - CURVE_FITTING;
        let rx = rx + self.jitter(rx * fit, 1.0);
        let ry = ry + self.jitter(ry * fit, 1.0);
        let (sin, cos) = angle.sin_cos();
        let place = |x: f64, y: f64| {
            WorldPoint::new(center.x + x * cos - y * sin, center.y + x * sin + y * cos)
        };
        let overlap_base = self.offset(0.4, 1.0, 1.0);
        let overlap = increment * self.offset(0.1, overlap_base, 1.0);
        let first = self.ellipse_points(increment, rx, ry, 1.0, overlap);
        curve(
            &first.iter().map(|&(x, y)| place(x, y)).collect::<Vec<_>>(),
            out,
        );
        if self.double {
            let second = self.ellipse_points(increment, rx, ry, 1.5, 0.0);
            curve(
                &second.iter().map(|&(x, y)| place(x, y)).collect::<Vec<_>>(),
                out,
            );
        }
    }

    /// The points of one loop around an ellipse at the origin (roughjs
    /// `_computeEllipsePoints`), each jittered by up to `spread`.
    fn ellipse_points(
        &mut self,
        increment: f64,
        rx: f64,
        ry: f64,
        spread: f64,
        overlap: f64,
    ) -> Vec<(f64, f64)> {
        use std::f64::consts::{FRAC_PI_2, TAU};
        let start = self.jitter(0.5, 1.0) - FRAC_PI_2;
        let mut pts = Vec::new();
        let at = |pen: &mut Self, k: f64, a: f64| {
            let x = pen.jitter(spread, 1.0) + k * rx * a.cos();
            let y = pen.jitter(spread, 1.0) + k * ry * a.sin();
            (x, y)
        };
        pts.push(at(self, 0.9, start - increment));
        let end = TAU + start - 0.01;
        let mut a = start;
        while a < end {
            pts.push(at(self, 1.0, a));
            a += increment;
        }
        pts.push(at(self, 1.0, start + TAU + overlap * 0.5));
        pts.push(at(self, 0.98, start + overlap));
        pts.push(at(self, 0.9, start + overlap * 0.5));
        pts
    }
}

/// A smooth curve through `points` (Catmull-Rom turned into cubics, as roughjs's `_curve`):
/// the first and last points only steer the ends.
fn curve(points: &[WorldPoint], out: &mut Vec<PathEl>) {
    if points.len() < 4 {
        return;
    }
    out.push(PathEl::MoveTo(points[1]));
    for i in 1..points.len() - 2 {
        let (prev, p, next, after) = (points[i - 1], points[i], points[i + 1], points[i + 2]);
        let c1 = p + (next - prev) * (1.0 / 6.0);
        let c2 = next + (p - after) * (1.0 / 6.0);
        out.push(PathEl::CubicTo(c1, c2, next));
    }
}

/// The two ends of each fill line of a hachure: lines at `angle` (radians), `gap` apart.
pub type Hatch = Vec<(WorldPoint, WorldPoint)>;

/// A zigzag through consecutive hatch lines: from one line's start to the next one's end and
/// back, so the fill is one continuous stroke bouncing between the shape's sides. Only for
/// lines that each cross the shape once (convex shapes); `None` otherwise.
pub fn zigzag(lines: &Hatch) -> Option<Vec<WorldPoint>> {
    let mut out = Vec::with_capacity(lines.len());
    for (i, &(a, b)) in lines.iter().enumerate() {
        out.push(if i % 2 == 0 { a } else { b });
    }
    (out.len() >= 2).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::testing::path_points as points;

    #[test]
    fn the_same_seed_draws_the_same_strokes_and_another_seed_does_not() {
        let draw = |seed| {
            let mut out = Vec::new();
            let mut pen = Pen::new(1, seed, true);
            pen.line(
                WorldPoint::new(0.0, 0.0),
                WorldPoint::new(100.0, 0.0),
                &mut out,
            );
            out
        };
        assert_eq!(draw(7), draw(7));
        assert_ne!(draw(7), draw(8));
        assert_eq!(draw(7).len(), 4, "two strokes: move + cubic each");
    }

    #[test]
    fn a_rough_line_stays_near_the_true_line_and_rougher_wanders_further() {
        let spread = |roughness| {
            let mut out = Vec::new();
            let mut pen = Pen::new(roughness, 42, true);
            for _ in 0..50 {
                pen.line(
                    WorldPoint::new(0.0, 0.0),
                    WorldPoint::new(150.0, 0.0),
                    &mut out,
                );
            }
            points(&out).iter().map(|p| p.y.abs()).fold(0.0, f64::max)
        };
        let (artist, cartoonist) = (spread(1), spread(2));
        assert!(artist > 0.1 && artist < 6.0, "{artist}");
        assert!(cartoonist > artist, "{cartoonist} vs {artist}");
    }

    #[test]
    fn a_rough_ellipse_loops_around_its_centre_near_its_radii() {
        let mut out = Vec::new();
        let c = WorldPoint::new(50.0, 30.0);
        Pen::new(1, 3, true).ellipse(c, 50.0, 30.0, 0.0, &mut out);
        let pts = points(&out);
        assert!(pts.len() > 30);
        for p in &pts {
            let r = ((p.x - c.x) / 50.0).powi(2) + ((p.y - c.y) / 30.0).powi(2);
            assert!((0.6..1.5).contains(&r), "{p:?} at {r}");
        }
        // It goes all the way round: points in every quadrant.
        let quadrants: std::collections::HashSet<_> =
            pts.iter().map(|p| (p.x > c.x, p.y > c.y)).collect();
        assert_eq!(quadrants.len(), 4);
    }

    #[test]
    fn a_single_stroke_pen_draws_each_edge_once() {
        let square = [
            PathEl::MoveTo(WorldPoint::new(0.0, 0.0)),
            PathEl::LineTo(WorldPoint::new(10.0, 0.0)),
            PathEl::LineTo(WorldPoint::new(10.0, 10.0)),
            PathEl::LineTo(WorldPoint::new(0.0, 10.0)),
            PathEl::Close,
        ];
        let mut single = Vec::new();
        Pen::new(1, 1, false).path(&square, &mut single);
        let mut double = Vec::new();
        Pen::new(1, 1, true).path(&square, &mut double);
        assert_eq!(single.len(), 8, "four edges: move + cubic");
        assert_eq!(double.len(), 16);
    }

    #[test]
    fn zigzag_alternates_between_the_ends_of_consecutive_lines() {
        let p = |x: f64, y: f64| WorldPoint::new(x, y);
        let lines = vec![
            (p(0.0, 0.0), p(10.0, 0.0)),
            (p(0.0, 1.0), p(10.0, 1.0)),
            (p(0.0, 2.0), p(10.0, 2.0)),
        ];
        assert_eq!(
            zigzag(&lines).unwrap(),
            [p(0.0, 0.0), p(10.0, 1.0), p(0.0, 2.0)]
        );
        assert!(zigzag(&lines[..1].to_vec()).is_none());
    }
}
