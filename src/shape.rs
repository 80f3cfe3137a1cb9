//! The geometry of each kind of element: its outline as a path, its bounds, and whether a point
//! hits it.
//!
//! This lives beside the model rather than in the renderer (Excalidraw keeps `bounds.ts` and
//! `collision.ts` in its element package) because the spatial index, hit-testing and every
//! drawing back end must agree on one shape: the renderer paints [`outline`], and [`bounds`] and
//! [`hits`] are computed from the same path, so what you see is what you can click.

use crate::element::{Arrowhead, Color, ElementKind, FillStyle, Props, Roundness};
use crate::freehand;
use crate::geom::{Rect, WorldPoint};

/// One step of a path in world coordinates (rotation already applied).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PathEl {
    /// Starts a new sub-path.
    MoveTo(WorldPoint),
    /// A straight segment.
    LineTo(WorldPoint),
    /// A cubic Bézier segment: two control points, then the end point.
    CubicTo(WorldPoint, WorldPoint, WorldPoint),
    /// Closes the sub-path back to its start.
    Close,
}

/// How far the control points of a cubic quarter-ellipse lie along the tangents:
/// 4/3·(√2 − 1), which keeps the curve within 0.03 % of a true ellipse.
const KAPPA: f64 = 0.552_284_749_830_793_4;

/// Freehand strokes are this many times wider than their stroke width (Excalidraw's 4.25 makes
/// a "thin" pen of width 1 look like a fine felt-tip).
pub const FREEDRAW_SIZE_FACTOR: f64 = 4.25;

/// Segments each cubic is cut into when a curve must be approximated by straight lines (hit
/// tests, hachure clipping). 16 keeps the error under a pixel for shapes up to a few thousand
/// pixels across.
const CUBIC_STEPS: usize = 16;

/// The length of an arrowhead for a stroke of `width`, world units.
pub fn arrowhead_length(width: f64) -> f64 {
    (width * 4.0 + 10.0).min(60.0)
}

/// The corner radius of a rounded box of `w` × `h` (Excalidraw's adaptive radius: a quarter of
/// the short side, at most 32 units).
fn corner_radius(w: f64, h: f64) -> f64 {
    (w.min(h) * 0.25).min(32.0)
}

/// The outline of a box shape, line or arrow as a path in world coordinates. Freehand strokes
/// are filled outlines computed by [`freehand::outline`]; text has no outline (both give an
/// empty path).
pub fn outline(p: &Props) -> Vec<PathEl> {
    let local = match p.kind {
        ElementKind::Rectangle | ElementKind::Diamond => {
            let r = p.rect();
            let corners = if p.kind == ElementKind::Rectangle {
                vec![
                    r.min,
                    WorldPoint::new(r.max.x, r.min.y),
                    r.max,
                    WorldPoint::new(r.min.x, r.max.y),
                ]
            } else {
                let c = r.center();
                vec![
                    WorldPoint::new(c.x, r.min.y),
                    WorldPoint::new(r.max.x, c.y),
                    WorldPoint::new(c.x, r.max.y),
                    WorldPoint::new(r.min.x, c.y),
                ]
            };
            let radius = match p.roundness {
                Roundness::Sharp => 0.0,
                Roundness::Round => corner_radius(p.width, p.height),
            };
            rounded_polygon(&corners, radius)
        }
        ElementKind::Ellipse => ellipse(p.rect()),
        ElementKind::Line | ElementKind::Arrow => {
            let pts: Vec<WorldPoint> = p
                .points
                .iter()
                .map(|q| WorldPoint::new(p.x + q.x, p.y + q.y))
                .collect();
            polyline(&pts, p.roundness)
        }
        ElementKind::Freedraw | ElementKind::Text => Vec::new(),
    };
    rotate_path(local, p)
}

/// Rotates a path given in the element's unrotated frame into world coordinates.
fn rotate_path(path: Vec<PathEl>, p: &Props) -> Vec<PathEl> {
    if p.angle.0 == 0.0 {
        return path;
    }
    let (c, a) = (p.rect().center(), p.angle);
    let r = |q: WorldPoint| q.rotate_about(c, a);
    path.into_iter()
        .map(|el| match el {
            PathEl::MoveTo(q) => PathEl::MoveTo(r(q)),
            PathEl::LineTo(q) => PathEl::LineTo(r(q)),
            PathEl::CubicTo(a1, a2, q) => PathEl::CubicTo(r(a1), r(a2), r(q)),
            PathEl::Close => PathEl::Close,
        })
        .collect()
}

/// A closed polygon whose corners are rounded with radius `radius` (clamped so neighbouring
/// corners never overlap).
fn rounded_polygon(corners: &[WorldPoint], radius: f64) -> Vec<PathEl> {
    let n = corners.len();
    if n == 0 {
        return Vec::new();
    }
    if radius <= 0.0 {
        let mut path = vec![PathEl::MoveTo(corners[0])];
        path.extend(corners[1..].iter().map(|&q| PathEl::LineTo(q)));
        path.push(PathEl::Close);
        return path;
    }
    let mut path = Vec::with_capacity(2 * n + 1);
    for i in 0..n {
        let (prev, v, next) = (corners[(i + n - 1) % n], corners[i], corners[(i + 1) % n]);
        let (to_prev, to_next) = (prev - v, next - v);
        let r = radius
            .min(to_prev.length() / 2.0)
            .min(to_next.length() / 2.0);
        let a = v + to_prev.normalized().map_or(to_prev * 0.0, |d| d * r);
        let b = v + to_next.normalized().map_or(to_next * 0.0, |d| d * r);
        path.push(if i == 0 {
            PathEl::MoveTo(a)
        } else {
            PathEl::LineTo(a)
        });
        // Control points pulled towards the corner: a circular-looking fillet.
        path.push(PathEl::CubicTo(a + (v - a) * KAPPA, b + (v - b) * KAPPA, b));
    }
    path.push(PathEl::Close);
    path
}

/// An ellipse inscribed in `r`, as four cubic quarter arcs.
/// The ellipse inscribed in `r` (unrotated), as four cubic arcs.
pub fn ellipse(r: Rect) -> Vec<PathEl> {
    let c = r.center();
    let (rx, ry) = (r.width() / 2.0, r.height() / 2.0);
    let (kx, ky) = (rx * KAPPA, ry * KAPPA);
    let p = |x: f64, y: f64| WorldPoint::new(c.x + x, c.y + y);
    vec![
        PathEl::MoveTo(p(rx, 0.0)),
        PathEl::CubicTo(p(rx, ky), p(kx, ry), p(0.0, ry)),
        PathEl::CubicTo(p(-kx, ry), p(-rx, ky), p(-rx, 0.0)),
        PathEl::CubicTo(p(-rx, -ky), p(-kx, -ry), p(0.0, -ry)),
        PathEl::CubicTo(p(kx, -ry), p(rx, -ky), p(rx, 0.0)),
        PathEl::Close,
    ]
}

/// A path through `pts`: straight segments, or for round lines a Catmull-Rom spline (which
/// passes through every point) written as cubic segments.
fn polyline(pts: &[WorldPoint], roundness: Roundness) -> Vec<PathEl> {
    let Some(&first) = pts.first() else {
        return Vec::new();
    };
    let mut path = Vec::with_capacity(pts.len());
    path.push(PathEl::MoveTo(first));
    if roundness == Roundness::Sharp || pts.len() < 3 {
        path.extend(pts[1..].iter().map(|&q| PathEl::LineTo(q)));
        return path;
    }
    for i in 0..pts.len() - 1 {
        let p0 = pts[i.saturating_sub(1)];
        let (p1, p2) = (pts[i], pts[i + 1]);
        let p3 = pts[(i + 2).min(pts.len() - 1)];
        path.push(PathEl::CubicTo(
            p1 + (p2 - p0) * (1.0 / 6.0),
            p2 - (p3 - p1) * (1.0 / 6.0),
            p2,
        ));
    }
    path
}

/// The path as polylines (one per sub-path), cubics cut into straight pieces, with whether
/// each sub-path is closed.
pub fn flatten(path: &[PathEl]) -> Vec<(Vec<WorldPoint>, bool)> {
    let mut out: Vec<(Vec<WorldPoint>, bool)> = Vec::new();
    let mut current: Vec<WorldPoint> = Vec::new();
    for el in path {
        match *el {
            PathEl::MoveTo(q) => {
                if !current.is_empty() {
                    out.push((std::mem::take(&mut current), false));
                }
                current.push(q);
            }
            PathEl::LineTo(q) => current.push(q),
            PathEl::CubicTo(c1, c2, q) => {
                let Some(&start) = current.last() else {
                    current.push(q);
                    continue;
                };
                for step in 1..=CUBIC_STEPS {
                    let t = step as f64 / CUBIC_STEPS as f64;
                    current.push(cubic_at(start, c1, c2, q, t));
                }
            }
            PathEl::Close => {
                if !current.is_empty() {
                    out.push((std::mem::take(&mut current), true));
                }
            }
        }
    }
    if !current.is_empty() {
        out.push((current, false));
    }
    out
}

fn cubic_at(p0: WorldPoint, p1: WorldPoint, p2: WorldPoint, p3: WorldPoint, t: f64) -> WorldPoint {
    let u = 1.0 - t;
    let (a, b, c, d) = (u * u * u, 3.0 * u * u * t, 3.0 * u * t * t, t * t * t);
    WorldPoint::new(
        a * p0.x + b * p1.x + c * p2.x + d * p3.x,
        a * p0.y + b * p1.y + c * p2.y + d * p3.y,
    )
}

/// Every point a path touches, control points included (a Bézier curve stays inside the hull of
/// its control points, so their bounding box contains the curve).
fn path_points(path: &[PathEl]) -> impl Iterator<Item = WorldPoint> + '_ {
    path.iter().flat_map(|el| match *el {
        PathEl::MoveTo(q) | PathEl::LineTo(q) => vec![q],
        PathEl::CubicTo(a, b, q) => vec![a, b, q],
        PathEl::Close => vec![],
    })
}

/// The world-space bounding box of everything the element paints: rotation, the stroke's width,
/// arrowheads and the width of freehand strokes included. Conservative: it may be slightly
/// larger than the ink, never smaller, so culling never hides a visible shape.
pub fn bounds(p: &Props) -> Rect {
    let half_stroke = p.stroke_width / 2.0;
    match p.kind {
        ElementKind::Text => p.rect().rotated_bounds(p.angle),
        ElementKind::Freedraw => {
            let pts = p.points.iter().map(|&q| p.to_world(q));
            Rect::bounding(pts)
                .unwrap_or_else(|| p.rect().rotated_bounds(p.angle))
                .inflate(freehand::max_radius(p.stroke_width * FREEDRAW_SIZE_FACTOR) + half_stroke)
        }
        _ => {
            let path = outline(p);
            let heads = p.start_arrowhead != Arrowhead::None || p.end_arrowhead != Arrowhead::None;
            let extra = if heads {
                arrowhead_length(p.stroke_width)
            } else {
                0.0
            };
            Rect::bounding(path_points(&path))
                .unwrap_or_else(|| p.rect().rotated_bounds(p.angle))
                .inflate(half_stroke + extra)
        }
    }
}

/// Whether the interior of a closed shape is painted (and so can be clicked).
pub fn is_filled(p: &Props) -> bool {
    match p.fill_style {
        FillStyle::None => false,
        FillStyle::Gradient => p
            .gradient
            .as_ref()
            .map_or(!p.background_color.is_transparent(), |g| {
                !g.stops.iter().all(Color::is_transparent)
            }),
        _ => !p.background_color.is_transparent(),
    }
}

/// Whether a line's ends meet, making it a closed shape that is filled like one (Excalidraw's
/// rule). Box shapes are always closed.
pub fn is_closed(p: &Props) -> bool {
    if p.kind.has_points() {
        p.points.len() > 2 && p.points.first() == p.points.last()
    } else {
        p.kind.is_box()
    }
}

/// Whether `at` touches the element, within `tolerance` world units: on its outline for every
/// kind, anywhere inside for filled closed shapes and text (Excalidraw's rule: an unfilled
/// rectangle is picked by its border only, so shapes behind it stay reachable).
pub fn hits(p: &Props, at: WorldPoint, tolerance: f64) -> bool {
    let reach = tolerance.max(0.0) + p.stroke_width / 2.0;
    match p.kind {
        ElementKind::Text => {
            let local = at.rotate_about(p.rect().center(), crate::geom::Radians(-p.angle.0));
            p.rect().inflate(tolerance.max(0.0)).contains(local)
        }
        ElementKind::Freedraw => {
            let pts: Vec<WorldPoint> = p.points.iter().map(|&q| p.to_world(q)).collect();
            let radius = freehand::max_radius(p.stroke_width * FREEDRAW_SIZE_FACTOR);
            near_polyline(&pts, false, at, tolerance.max(0.0) + radius)
        }
        _ => {
            let fill = is_filled(p) && is_closed(p);
            flatten(&outline(p)).iter().any(|(pts, closed)| {
                near_polyline(pts, *closed, at, reach) || (fill && contains(pts, at))
            })
        }
    }
}

/// Whether `at` is within `reach` of the polyline through `pts` (closed: including the segment
/// back to the start). A single point counts as a dot.
fn near_polyline(pts: &[WorldPoint], closed: bool, at: WorldPoint, reach: f64) -> bool {
    match pts {
        [] => false,
        [only] => (at - *only).length() <= reach,
        _ => {
            let closing = closed.then(|| (pts[pts.len() - 1], pts[0]));
            pts.windows(2)
                .map(|w| (w[0], w[1]))
                .chain(closing)
                .any(|(a, b)| segment_distance(a, b, at) <= reach)
        }
    }
}

/// Distance from `p` to the segment `a`–`b`.
pub fn segment_distance(a: WorldPoint, b: WorldPoint, p: WorldPoint) -> f64 {
    let ab = b - a;
    let len2 = ab.dot(ab);
    let t = if len2 > 0.0 {
        ((p - a).dot(ab) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    (p - (a + ab * t)).length()
}

/// Even-odd point-in-polygon test.
pub fn contains(poly: &[WorldPoint], p: WorldPoint) -> bool {
    let mut inside = false;
    let n = poly.len();
    for i in 0..n {
        let (a, b) = (poly[i], poly[(i + n - 1) % n]);
        if (a.y > p.y) != (b.y > p.y) {
            let x = a.x + (p.y - a.y) * (b.x - a.x) / (b.y - a.y);
            if p.x < x {
                inside = !inside;
            }
        }
    }
    inside
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::element::{Color, Props};
    use crate::geom::Radians;
    use crate::index::FracIndex;

    fn props(kind: ElementKind) -> Props {
        Props::new(
            kind,
            Rect::from_corners(WorldPoint::new(0.0, 0.0), WorldPoint::new(100.0, 50.0)),
            FracIndex::between(None, None).unwrap(),
        )
    }

    #[test]
    fn bounds_include_half_the_stroke_and_follow_rotation() {
        let mut p = props(ElementKind::Rectangle);
        p.stroke_width = 4.0;
        let b = bounds(&p);
        assert_eq!(
            (b.min, b.max),
            (WorldPoint::new(-2.0, -2.0), WorldPoint::new(102.0, 52.0))
        );
        p.angle = Radians(std::f64::consts::FRAC_PI_2);
        let b = bounds(&p);
        assert!((b.width() - 54.0).abs() < 1e-9 && (b.height() - 104.0).abs() < 1e-9);
    }

    #[test]
    fn line_bounds_cover_points_and_arrowheads() {
        let pts = [WorldPoint::new(10.0, 10.0), WorldPoint::new(110.0, 60.0)];
        let p = Props::through(
            ElementKind::Arrow,
            &pts,
            FracIndex::between(None, None).unwrap(),
        )
        .unwrap();
        let b = bounds(&p);
        let extra = 1.0 + arrowhead_length(2.0);
        assert!((b.min.x - (10.0 - extra)).abs() < 1e-9);
        assert!((b.max.y - (60.0 + extra)).abs() < 1e-9);
    }

    #[test]
    fn an_unfilled_box_is_hit_on_its_border_only_and_a_filled_one_anywhere() {
        let mut p = props(ElementKind::Rectangle);
        let centre = WorldPoint::new(50.0, 25.0);
        assert!(hits(&p, WorldPoint::new(0.5, 25.0), 1.0));
        assert!(!hits(&p, centre, 1.0));
        p.background_color = Color::rgba(255, 0, 0, 255);
        p.fill_style = FillStyle::Solid;
        assert!(hits(&p, centre, 1.0));
        assert!(!hits(&p, WorldPoint::new(150.0, 25.0), 1.0));
    }

    #[test]
    fn ellipses_are_hit_on_the_curve_not_in_the_box_corners() {
        let p = props(ElementKind::Ellipse);
        assert!(hits(&p, WorldPoint::new(100.0, 25.0), 1.0));
        assert!(!hits(&p, WorldPoint::new(2.0, 2.0), 1.0));
    }

    #[test]
    fn rotated_shapes_are_hit_where_they_are_drawn() {
        let mut p = props(ElementKind::Rectangle);
        p.angle = Radians(std::f64::consts::FRAC_PI_2);
        // The left edge (x = 0) now runs horizontally at y = 25 - 50 = -25.
        assert!(hits(&p, WorldPoint::new(50.0, -25.0), 1.0));
        assert!(!hits(&p, WorldPoint::new(0.0, 25.0), 1.0));
    }

    #[test]
    fn round_rectangles_cut_their_corners() {
        let mut p = props(ElementKind::Rectangle);
        p.roundness = Roundness::Round;
        assert!(!hits(&p, WorldPoint::new(0.0, 0.0), 0.5));
        assert!(hits(&p, WorldPoint::new(50.0, 0.0), 0.5));
    }

    #[test]
    fn freehand_strokes_are_hit_near_their_points() {
        let pts = [WorldPoint::new(0.0, 0.0), WorldPoint::new(100.0, 0.0)];
        let p = Props::through(
            ElementKind::Freedraw,
            &pts,
            FracIndex::between(None, None).unwrap(),
        )
        .unwrap();
        assert!(hits(&p, WorldPoint::new(50.0, 2.0), 0.0));
        assert!(!hits(&p, WorldPoint::new(50.0, 30.0), 0.0));
    }

    #[test]
    fn a_filled_line_is_clickable_inside_only_once_its_ends_meet() {
        let open = [(0.0, 0.0), (100.0, 0.0), (50.0, 80.0)];
        let pts: Vec<WorldPoint> = open.iter().map(|&(x, y)| WorldPoint::new(x, y)).collect();
        let mut p = Props::through(
            ElementKind::Line,
            &pts,
            FracIndex::between(None, None).unwrap(),
        )
        .unwrap();
        p.background_color = Color::rgba(0, 0, 0, 255);
        p.fill_style = FillStyle::Solid;
        let inside = WorldPoint::new(50.0, 20.0);
        assert!(!hits(&p, inside, 1.0));
        let first = p.points[0];
        p.points.push(first);
        assert!(is_closed(&p) && hits(&p, inside, 1.0));
    }
}
