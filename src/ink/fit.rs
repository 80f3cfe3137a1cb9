//! Clean shapes fitted to recognised ink.
//!
//! Once a recogniser has said *what* the ink is, these functions say *where*: the rectangle's
//! centre, size and rotation, the triangle's vertices, the arrow's tail and tip, and so on, in
//! the ink's own coordinates. They are deterministic geometry (convex hull, rotating calipers,
//! principal axes), shared with the browser so the canvas previews exactly what the server
//! returns.

use super::{Ink, InkPoint, ShapeClass};
use serde::{Deserialize, Serialize};
use std::f64::consts::{FRAC_PI_2, PI, TAU};

/// A point on the wire: `[x, y]`.
pub type Xy = [f64; 2];

/// Rotations closer than this to an axis are snapped to it: people draw "straight" boxes a few
/// degrees off and expect a straight box back.
const SNAP: f64 = 10.0 * PI / 180.0;

/// A shape fitted to ink. Angles are radians, clockwise on screen (y down); `0` is upright.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CleanShape {
    /// A rectangle (a square when `width == height`).
    Rectangle {
        /// Centre.
        center: Xy,
        /// Size along the rotated x axis.
        width: f64,
        /// Size along the rotated y axis.
        height: f64,
        /// Rotation about the centre.
        angle: f64,
    },
    /// An ellipse (a circle when `rx == ry`).
    Ellipse {
        /// Centre.
        center: Xy,
        /// Radius along the rotated x axis.
        rx: f64,
        /// Radius along the rotated y axis.
        ry: f64,
        /// Rotation about the centre.
        angle: f64,
    },
    /// A triangle by its vertices.
    Triangle {
        /// The three corners.
        vertices: [Xy; 3],
    },
    /// A diamond by its vertices, in order around the outline.
    Diamond {
        /// The four corners.
        vertices: [Xy; 4],
    },
    /// A straight line.
    Line {
        /// Where it starts.
        start: Xy,
        /// Where it ends.
        end: Xy,
    },
    /// An arrow: a line with an arrowhead at `end`.
    Arrow {
        /// The tail.
        start: Xy,
        /// The tip (where the head is).
        end: Xy,
    },
    /// A regular five-pointed star.
    Star {
        /// Centre.
        center: Xy,
        /// Distance from the centre to each tip.
        outer_radius: f64,
        /// Distance from the centre to each inner corner.
        inner_radius: f64,
        /// Rotation; `0` has a tip pointing straight up.
        angle: f64,
    },
    /// A check mark: a polyline of three points.
    Check {
        /// Start, the turning point, end.
        points: [Xy; 3],
    },
    /// A cross: two segments.
    Cross {
        /// The first stroke.
        first: [Xy; 2],
        /// The second stroke.
        second: [Xy; 2],
    },
}

impl CleanShape {
    /// The polygon or polyline outlines of the shape (closed outlines repeat their first
    /// point), for previews and for turning a fit into elements.
    pub fn outlines(&self) -> Vec<Vec<Xy>> {
        match self {
            CleanShape::Rectangle {
                center,
                width,
                height,
                angle,
            } => {
                let (w, h) = (width / 2.0, height / 2.0);
                let c = [[-w, -h], [w, -h], [w, h], [-w, h], [-w, -h]];
                vec![
                    c.iter()
                        .map(|p| rotate_about(*p, *angle, *center))
                        .collect(),
                ]
            }
            CleanShape::Ellipse {
                center,
                rx,
                ry,
                angle,
            } => vec![
                (0..=48)
                    .map(|i| {
                        let t = TAU * i as f64 / 48.0;
                        rotate_about([rx * t.cos(), ry * t.sin()], *angle, *center)
                    })
                    .collect(),
            ],
            CleanShape::Triangle { vertices } => vec![closed(vertices)],
            CleanShape::Diamond { vertices } => vec![closed(vertices)],
            CleanShape::Line { start, end } => vec![vec![*start, *end]],
            CleanShape::Arrow { start, end } => {
                let (dx, dy) = (end[0] - start[0], end[1] - start[1]);
                let len = dx.hypot(dy).max(1e-9);
                let head = (len * 0.25).min(30.0);
                let back = [-dx / len * head, -dy / len * head];
                let barb = |a: f64| {
                    let (s, c) = a.sin_cos();
                    [
                        end[0] + back[0] * c - back[1] * s,
                        end[1] + back[0] * s + back[1] * c,
                    ]
                };
                vec![vec![*start, *end], vec![barb(0.45), *end, barb(-0.45)]]
            }
            CleanShape::Star {
                center,
                outer_radius,
                inner_radius,
                angle,
            } => vec![
                (0..=10)
                    .map(|i| {
                        let r = if i % 2 == 0 {
                            *outer_radius
                        } else {
                            *inner_radius
                        };
                        let t = angle - FRAC_PI_2 + PI * i as f64 / 5.0;
                        [center[0] + r * t.cos(), center[1] + r * t.sin()]
                    })
                    .collect(),
            ],
            CleanShape::Check { points } => vec![points.to_vec()],
            CleanShape::Cross { first, second } => vec![first.to_vec(), second.to_vec()],
        }
    }
}

fn closed(v: &[Xy]) -> Vec<Xy> {
    let mut out = v.to_vec();
    out.push(v[0]);
    out
}

fn rotate_about(p: Xy, angle: f64, c: Xy) -> Xy {
    let (s, co) = angle.sin_cos();
    [c[0] + p[0] * co - p[1] * s, c[1] + p[0] * s + p[1] * co]
}

fn xy(p: InkPoint) -> Xy {
    [p.x, p.y]
}

/// Snaps an angle (already reduced to a quarter or half turn) to 0 when it is close.
fn snap(angle: f64) -> f64 {
    if angle.abs() < SNAP { 0.0 } else { angle }
}

/// Fits the clean shape of `class` to `ink`. `None` for [`ShapeClass::None`] and for ink without
/// extent.
pub fn fit(class: ShapeClass, ink: &Ink) -> Option<CleanShape> {
    let ink = ink.cleaned();
    let b = ink.bounds()?;
    if b.width().max(b.height()) <= 0.0 {
        return None;
    }
    // Statistics (centroids, ink density) from evenly resampled points, so fast and slow pen
    // movements weigh alike; corners from the original points, which resampling would cut.
    let res = ink.resampled_to(96);
    let pts: Vec<InkPoint> = res.points().copied().collect();
    let original: Vec<InkPoint> = ink.points().copied().collect();
    let hull = convex_hull(&original);
    Some(match class {
        ShapeClass::None => return None,
        ShapeClass::Rectangle => {
            let (center, width, height, angle) = min_area_rect(&hull);
            CleanShape::Rectangle {
                center,
                width,
                height,
                angle: snap(angle),
            }
        }
        ShapeClass::Ellipse => fit_ellipse(&pts),
        ShapeClass::Triangle => CleanShape::Triangle {
            vertices: max_triangle(&hull),
        },
        ShapeClass::Diamond => CleanShape::Diamond {
            vertices: quadrilateral(&hull),
        },
        ShapeClass::Line => {
            let (a, b) = diameter(&hull);
            // Keep the drawing direction: start where the pen started.
            let first = pts[0];
            let (s, e) = if first.dist(a) <= first.dist(b) {
                (a, b)
            } else {
                (b, a)
            };
            CleanShape::Line {
                start: xy(s),
                end: xy(e),
            }
        }
        ShapeClass::Arrow => fit_arrow(&pts, &hull),
        ShapeClass::Star => fit_star(&pts, &hull),
        ShapeClass::Check => {
            let (first, last) = (pts[0], pts[pts.len() - 1]);
            let turn = farthest_from_segment(&pts, first, last);
            CleanShape::Check {
                points: [xy(first), xy(turn), xy(last)],
            }
        }
        ShapeClass::Cross => fit_cross(&ink, &hull),
    })
}

/// Andrew's monotone chain; counter-clockwise in a y-up frame, without repeated end point.
pub fn convex_hull(points: &[InkPoint]) -> Vec<InkPoint> {
    let mut p: Vec<InkPoint> = points.to_vec();
    p.sort_by(|a, b| a.x.total_cmp(&b.x).then(a.y.total_cmp(&b.y)));
    p.dedup_by(|a, b| a.x == b.x && a.y == b.y);
    if p.len() < 3 {
        return p;
    }
    let cross = |o: InkPoint, a: InkPoint, b: InkPoint| {
        (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x)
    };
    // Lower chain left to right, then upper chain right to left.
    let mut hull: Vec<InkPoint> = Vec::with_capacity(2 * p.len());
    let chain = |hull: &mut Vec<InkPoint>, q: InkPoint, start: usize| {
        while hull.len() >= start + 2 && cross(hull[hull.len() - 2], hull[hull.len() - 1], q) <= 0.0
        {
            hull.pop();
        }
        hull.push(q);
    };
    for &q in &p {
        chain(&mut hull, q, 0);
    }
    hull.pop();
    let start = hull.len();
    for &q in p.iter().rev() {
        chain(&mut hull, q, start);
    }
    hull.pop();
    hull
}

/// The smallest-area rectangle enclosing the hull (rotating calipers over hull edges):
/// centre, width, height and angle in (-45°, 45°].
fn min_area_rect(hull: &[InkPoint]) -> (Xy, f64, f64, f64) {
    let mut best: Option<(f64, Xy, f64, f64, f64)> = None;
    let n = hull.len();
    let angles: Vec<f64> = if n < 3 {
        vec![0.0]
    } else {
        (0..n)
            .map(|i| {
                let (a, b) = (hull[i], hull[(i + 1) % n]);
                (b.y - a.y).atan2(b.x - a.x)
            })
            .collect()
    };
    for angle in angles {
        // Reduce to (-45°, 45°]: a rectangle rotated 90° is the same rectangle, swapped.
        let mut a = angle.rem_euclid(FRAC_PI_2);
        if a > PI / 4.0 {
            a -= FRAC_PI_2;
        }
        let (s, c) = a.sin_cos();
        let (mut lo_u, mut hi_u, mut lo_v, mut hi_v) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for p in hull {
            let u = p.x * c + p.y * s;
            let v = -p.x * s + p.y * c;
            lo_u = lo_u.min(u);
            hi_u = hi_u.max(u);
            lo_v = lo_v.min(v);
            hi_v = hi_v.max(v);
        }
        let area = (hi_u - lo_u) * (hi_v - lo_v);
        if best.as_ref().is_none_or(|b| area < b.0) {
            let (cu, cv) = ((lo_u + hi_u) / 2.0, (lo_v + hi_v) / 2.0);
            let center = [cu * c - cv * s, cu * s + cv * c];
            best = Some((area, center, hi_u - lo_u, hi_v - lo_v, a));
        }
    }
    let (_, center, w, h, a) = best.unwrap_or((0.0, [0.0, 0.0], 0.0, 0.0, 0.0));
    if snap(a) == 0.0 && a != 0.0 {
        // Snapped: refit the axis-aligned box so the rectangle still covers the ink.
        return axis_aligned_rect(hull);
    }
    (center, w, h, a)
}

fn axis_aligned_rect(hull: &[InkPoint]) -> (Xy, f64, f64, f64) {
    let b = Ink::new(vec![hull.to_vec()])
        .bounds()
        .expect("non-empty hull");
    (xy(b.center()), b.width(), b.height(), 0.0)
}

/// Principal axes of the (arc-length uniform) points: for an ellipse outline sampled evenly, the
/// variance along an axis is about r²/2.
fn fit_ellipse(pts: &[InkPoint]) -> CleanShape {
    let n = pts.len() as f64;
    let (mx, my) = (
        pts.iter().map(|p| p.x).sum::<f64>() / n,
        pts.iter().map(|p| p.y).sum::<f64>() / n,
    );
    let (mut sxx, mut syy, mut sxy) = (0.0, 0.0, 0.0);
    for p in pts {
        let (dx, dy) = (p.x - mx, p.y - my);
        sxx += dx * dx;
        syy += dy * dy;
        sxy += dx * dy;
    }
    let (sxx, syy, sxy) = (sxx / n, syy / n, sxy / n);
    let tr = sxx + syy;
    let disc = ((sxx - syy).powi(2) / 4.0 + sxy * sxy).sqrt();
    let (l1, l2) = (tr / 2.0 + disc, (tr / 2.0 - disc).max(0.0));
    let mut angle = 0.5 * (2.0 * sxy).atan2(sxx - syy);
    let (mut rx, mut ry) = ((2.0 * l1).sqrt(), (2.0 * l2).sqrt());
    if ry / rx.max(1e-12) > 0.9 {
        // Close enough to round: a circle, which has no rotation.
        let r = (rx + ry) / 2.0;
        (rx, ry, angle) = (r, r, 0.0);
    } else {
        // Reduce to (-45°, 45°], swapping radii so the shape is unchanged.
        if angle > PI / 4.0 {
            angle -= FRAC_PI_2;
            std::mem::swap(&mut rx, &mut ry);
        } else if angle <= -PI / 4.0 {
            angle += FRAC_PI_2;
            std::mem::swap(&mut rx, &mut ry);
        }
        angle = snap(angle);
    }
    CleanShape::Ellipse {
        center: [mx, my],
        rx,
        ry,
        angle,
    }
}

fn tri_area(a: InkPoint, b: InkPoint, c: InkPoint) -> f64 {
    ((b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x)).abs() / 2.0
}

/// The largest triangle with corners on the hull.
fn max_triangle(hull: &[InkPoint]) -> [Xy; 3] {
    let n = hull.len();
    if n < 3 {
        let p = |i: usize| xy(hull[i.min(n.saturating_sub(1))]);
        return [p(0), p(1), p(2)];
    }
    let mut best = (0.0, 0, 1, 2);
    for i in 0..n {
        for j in i + 1..n {
            for k in j + 1..n {
                let a = tri_area(hull[i], hull[j], hull[k]);
                if a > best.0 {
                    best = (a, i, j, k);
                }
            }
        }
    }
    [xy(hull[best.1]), xy(hull[best.2]), xy(hull[best.3])]
}

/// The two hull points farthest apart.
fn diameter(hull: &[InkPoint]) -> (InkPoint, InkPoint) {
    let mut best = (hull[0], hull[hull.len() - 1], -1.0);
    for (i, &a) in hull.iter().enumerate() {
        for &b in &hull[i + 1..] {
            let d = a.dist(b);
            if d > best.2 {
                best = (a, b, d);
            }
        }
    }
    (best.0, best.1)
}

fn farthest_from_segment(pts: &[InkPoint], a: InkPoint, b: InkPoint) -> InkPoint {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let len = dx.hypot(dy).max(1e-12);
    *pts.iter()
        .max_by(|p, q| {
            let d = |r: &InkPoint| ((r.x - a.x) * dy - (r.y - a.y) * dx).abs() / len;
            d(p).total_cmp(&d(q))
        })
        .expect("non-empty")
}

/// A quadrilateral on the hull: the diameter's ends plus the farthest hull point on each side
/// of it (the corners of a diamond, in order around the outline).
fn quadrilateral(hull: &[InkPoint]) -> [Xy; 4] {
    let (a, c) = diameter(hull);
    let side = |p: &InkPoint| (c.x - a.x) * (p.y - a.y) - (c.y - a.y) * (p.x - a.x);
    let pick = |sign: f64| {
        hull.iter()
            .copied()
            .filter(|p| side(p) * sign > 0.0)
            .max_by(|p, q| (side(p) * sign).total_cmp(&(side(q) * sign)))
            .unwrap_or(a.lerp(c, 0.5))
    };
    let (b, d) = (pick(1.0), pick(-1.0));
    let mut v = [xy(a), xy(b), xy(c), xy(d)];
    // Start at the top vertex so equal diamonds give equal output.
    let top = (0..4)
        .min_by(|&i, &j| v[i][1].total_cmp(&v[j][1]))
        .unwrap_or(0);
    v.rotate_left(top);
    v
}

/// Tail at the end of the diameter with less ink around it (the head's barbs put more ink near
/// the tip); tip at the ink point reaching farthest from the tail.
fn fit_arrow(pts: &[InkPoint], hull: &[InkPoint]) -> CleanShape {
    let (p, q) = diameter(hull);
    let r = p.dist(q) * 0.3;
    let near = |c: InkPoint| pts.iter().filter(|x| x.dist(c) < r).count();
    let (tail, head) = if near(p) <= near(q) { (p, q) } else { (q, p) };
    let (dx, dy) = (head.x - tail.x, head.y - tail.y);
    let tip = *pts
        .iter()
        .max_by(|a, b| {
            let proj = |x: &InkPoint| (x.x - tail.x) * dx + (x.y - tail.y) * dy;
            proj(a).total_cmp(&proj(b))
        })
        .unwrap_or(&head);
    CleanShape::Arrow {
        start: xy(tail),
        end: xy(tip),
    }
}

/// Centre at the mean of the outline; radius from the hull points (the tips); rotation from the
/// tip nearest to pointing straight up.
fn fit_star(pts: &[InkPoint], hull: &[InkPoint]) -> CleanShape {
    let n = pts.len() as f64;
    let c = InkPoint::new(
        pts.iter().map(|p| p.x).sum::<f64>() / n,
        pts.iter().map(|p| p.y).sum::<f64>() / n,
    );
    // The five tips: greedily the farthest hull points at least 36° apart.
    let mut cand: Vec<(f64, f64)> = hull
        .iter()
        .map(|p| (p.dist(c), (p.y - c.y).atan2(p.x - c.x)))
        .collect();
    cand.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut tips: Vec<(f64, f64)> = Vec::new();
    for (d, a) in cand {
        let apart = |b: f64| {
            let diff = (a - b).rem_euclid(TAU);
            diff.min(TAU - diff) > PI / 5.0
        };
        if tips.iter().all(|t| apart(t.1)) {
            tips.push((d, a));
        }
        if tips.len() == 5 {
            break;
        }
    }
    let outer = tips.iter().map(|t| t.0).sum::<f64>() / tips.len().max(1) as f64;
    // A tip pointing up is at -90°; measure every tip's offset from that modulo 72°, take the
    // mean on the circle.
    let sector = TAU / 5.0;
    let (mut sx, mut sy) = (0.0, 0.0);
    for t in &tips {
        let off = (t.1 + FRAC_PI_2).rem_euclid(sector) / sector * TAU;
        sx += off.cos();
        sy += off.sin();
    }
    let mut angle = sy.atan2(sx) / TAU * sector;
    if angle > sector / 2.0 {
        angle -= sector;
    }
    if angle.abs() < SNAP {
        angle = 0.0;
    }
    CleanShape::Star {
        center: xy(c),
        outer_radius: outer,
        // A regular star's inner radius: sin(18°)/sin(126°) of the outer one.
        inner_radius: outer * 0.381_966,
        angle,
    }
}

/// Two strokes: each stroke's ends. Otherwise the diagonals of the ink's rotated bounding box.
fn fit_cross(ink: &Ink, hull: &[InkPoint]) -> CleanShape {
    let strokes: Vec<&Vec<InkPoint>> = ink.strokes.iter().filter(|s| s.len() > 1).collect();
    if strokes.len() == 2 {
        let ends = |s: &Vec<InkPoint>| [xy(s[0]), xy(s[s.len() - 1])];
        return CleanShape::Cross {
            first: ends(strokes[0]),
            second: ends(strokes[1]),
        };
    }
    let (c, w, h, a) = min_area_rect(hull);
    let (w, h) = (w / 2.0, h / 2.0);
    CleanShape::Cross {
        first: [rotate_about([-w, -h], a, c), rotate_about([w, h], a, c)],
        second: [rotate_about([w, -h], a, c), rotate_about([-w, h], a, c)],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn poly(points: &[(f64, f64)]) -> Ink {
        Ink::new(vec![
            points.iter().map(|&(x, y)| InkPoint::new(x, y)).collect(),
        ])
    }

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn a_slightly_tilted_box_fits_an_upright_rectangle() {
        let ink = poly(&[
            (0.0, 0.0),
            (100.0, 3.0),
            (100.0, 53.0),
            (0.0, 50.0),
            (0.0, 0.0),
        ]);
        let Some(CleanShape::Rectangle {
            center,
            width,
            height,
            angle,
        }) = fit(ShapeClass::Rectangle, &ink)
        else {
            panic!("not a rectangle");
        };
        assert_eq!(angle, 0.0);
        assert!(
            close(center[0], 50.0, 1.0) && close(center[1], 26.5, 1.0),
            "{center:?}"
        );
        assert!(
            close(width, 100.0, 1.0) && close(height, 53.0, 1.0),
            "{width} {height}"
        );
    }

    #[test]
    fn a_rotated_rectangle_keeps_its_rotation() {
        let c = [0.0, 0.0];
        let pts: Vec<(f64, f64)> = [
            [-50.0, -20.0],
            [50.0, -20.0],
            [50.0, 20.0],
            [-50.0, 20.0],
            [-50.0, -20.0],
        ]
        .iter()
        .map(|p| rotate_about(*p, 0.5, c))
        .map(|p| (p[0], p[1]))
        .collect();
        let Some(CleanShape::Rectangle {
            width,
            height,
            angle,
            ..
        }) = fit(ShapeClass::Rectangle, &poly(&pts))
        else {
            panic!();
        };
        assert!(close(angle, 0.5, 1e-6), "{angle}");
        assert!(close(width, 100.0, 1e-6) && close(height, 40.0, 1e-6));
    }

    #[test]
    fn circles_and_ellipses() {
        let circle: Vec<(f64, f64)> = (0..=64)
            .map(|i| {
                let t = TAU * i as f64 / 64.0;
                (10.0 + 30.0 * t.cos(), 20.0 + 30.0 * t.sin())
            })
            .collect();
        let Some(CleanShape::Ellipse {
            center,
            rx,
            ry,
            angle,
        }) = fit(ShapeClass::Ellipse, &poly(&circle))
        else {
            panic!();
        };
        assert!(close(center[0], 10.0, 0.5) && close(center[1], 20.0, 0.5));
        assert!(
            close(rx, 30.0, 1.0) && rx == ry && angle == 0.0,
            "{rx} {ry}"
        );
        let ellipse: Vec<(f64, f64)> = (0..=64)
            .map(|i| {
                let t = TAU * i as f64 / 64.0;
                (60.0 * t.cos(), 20.0 * t.sin())
            })
            .collect();
        let Some(CleanShape::Ellipse { rx, ry, .. }) = fit(ShapeClass::Ellipse, &poly(&ellipse))
        else {
            panic!();
        };
        assert!(rx > 50.0 && ry < 25.0 && ry > 15.0, "{rx} {ry}");
    }

    #[test]
    fn triangles_diamonds_and_arrows() {
        let tri = poly(&[(0.0, 100.0), (50.0, 0.0), (100.0, 100.0), (0.0, 100.0)]);
        let Some(CleanShape::Triangle { vertices }) = fit(ShapeClass::Triangle, &tri) else {
            panic!()
        };
        let mut v = vertices.to_vec();
        v.sort_by(|a, b| a[0].total_cmp(&b[0]));
        assert_eq!(v, vec![[0.0, 100.0], [50.0, 0.0], [100.0, 100.0]]);

        let dia = poly(&[
            (50.0, 0.0),
            (100.0, 40.0),
            (50.0, 80.0),
            (0.0, 40.0),
            (50.0, 0.0),
        ]);
        let Some(CleanShape::Diamond { vertices }) = fit(ShapeClass::Diamond, &dia) else {
            panic!()
        };
        assert_eq!(vertices[0], [50.0, 0.0]);
        assert!(vertices.contains(&[100.0, 40.0]) && vertices.contains(&[0.0, 40.0]));

        // Shaft left to right, then the head's two barbs at the right.
        let arrow = poly(&[
            (0.0, 50.0),
            (100.0, 50.0),
            (85.0, 40.0),
            (100.0, 50.0),
            (85.0, 60.0),
        ]);
        let Some(CleanShape::Arrow { start, end }) = fit(ShapeClass::Arrow, &arrow) else {
            panic!()
        };
        assert!(
            close(start[0], 0.0, 1.0) && close(end[0], 100.0, 1.0),
            "{start:?} {end:?}"
        );
    }

    #[test]
    fn stars_checks_and_crosses() {
        let star: Vec<(f64, f64)> = (0..=5)
            .map(|i| {
                let t = -FRAC_PI_2 + TAU * (2 * i % 5) as f64 / 5.0;
                (100.0 * t.cos(), 100.0 * t.sin())
            })
            .collect();
        let Some(CleanShape::Star {
            outer_radius,
            angle,
            ..
        }) = fit(ShapeClass::Star, &poly(&star))
        else {
            panic!()
        };
        assert!(close(outer_radius, 100.0, 12.0), "{outer_radius}");
        assert!(angle.abs() < 1e-6, "{angle}");

        let check = poly(&[(0.0, 50.0), (20.0, 80.0), (80.0, 0.0)]);
        let Some(CleanShape::Check { points }) = fit(ShapeClass::Check, &check) else {
            panic!()
        };
        assert!(
            close(points[1][0], 20.0, 2.0) && close(points[1][1], 80.0, 2.0),
            "{points:?}"
        );

        let cross = Ink::new(vec![
            vec![InkPoint::new(0.0, 0.0), InkPoint::new(50.0, 50.0)],
            vec![InkPoint::new(50.0, 0.0), InkPoint::new(0.0, 50.0)],
        ]);
        let Some(CleanShape::Cross { first, second }) = fit(ShapeClass::Cross, &cross) else {
            panic!()
        };
        assert_eq!(
            (first, second),
            ([[0.0, 0.0], [50.0, 50.0]], [[50.0, 0.0], [0.0, 50.0]])
        );
    }

    #[test]
    fn none_and_degenerate_ink_fit_nothing() {
        let ink = poly(&[(0.0, 0.0), (10.0, 10.0)]);
        assert_eq!(fit(ShapeClass::None, &ink), None);
        assert_eq!(fit(ShapeClass::Rectangle, &poly(&[(1.0, 1.0)])), None);
        assert_eq!(fit(ShapeClass::Ellipse, &Ink::default()), None);
        // Every class copes with a two-point stroke.
        for class in ShapeClass::ALL {
            let _ = fit(class, &ink).map(|s| s.outlines());
        }
    }
}
