//! The interior of closed shapes: solid, linear gradients, and hachure, cross-hatch and zigzag
//! lines clipped to the outline (sketchy with the hand-drawn look).

use super::{BACKGROUND, DrawCommand, LinearGradient, Stroke, opacity};
use crate::element::{Color, FillStyle, Props, StrokeStyle};
use crate::geom::{Vec2, WorldPoint};
use crate::rough::Pen;
use crate::shape::{self, PathEl};

/// The most hachure lines one shape gets; a huge shape gets wider gaps instead of millions of
/// lines.
const MAX_HATCH_LINES: f64 = 2000.0;

/// The interior of a closed path: solid, a gradient, or hachure / cross-hatch / zigzag lines
/// clipped to it (sketchy when `pen` is given).
pub(super) fn fills(p: &Props, path: &[PathEl], pen: Option<&mut Pen>) -> Vec<DrawCommand> {
    if p.fill_style == FillStyle::Gradient {
        return gradient_fill(p, path).into_iter().collect();
    }
    if !shape::is_filled(p) {
        return Vec::new();
    }
    let angles: &[f64] = match p.fill_style {
        FillStyle::None | FillStyle::Gradient => return Vec::new(),
        FillStyle::Solid => {
            return vec![DrawCommand::Path {
                path: path.to_vec(),
                fill: Some(p.background_color),
                stroke: None,
                opacity: opacity(p),
            }];
        }
        FillStyle::Hachure | FillStyle::Zigzag => &[-41.0],
        FillStyle::CrossHatch => &[-41.0, 49.0],
    };
    let polygons = shape::flatten(path);
    let gap = (p.stroke_width * 4.0).max(4.0);
    let mut segments = Vec::new();
    for angle in angles {
        for (poly, _) in &polygons {
            segments.push(hatch(poly, angle.to_radians(), gap));
        }
    }
    let mut lines = Vec::new();
    let mut pen = pen;
    for (hatch, convex) in &segments {
        // A zigzag through a concave shape's lines would cut across its gaps: plain lines.
        let zig = (p.fill_style == FillStyle::Zigzag && *convex)
            .then(|| crate::rough::zigzag(hatch))
            .flatten();
        match (zig, pen.as_deref_mut()) {
            (Some(points), Some(pen)) => {
                for pair in points.windows(2) {
                    pen.line(pair[0], pair[1], &mut lines);
                }
            }
            (Some(points), None) => {
                lines.push(PathEl::MoveTo(points[0]));
                lines.extend(points[1..].iter().map(|&q| PathEl::LineTo(q)));
            }
            (None, Some(pen)) => {
                for &(a, b) in hatch.iter() {
                    pen.line(a, b, &mut lines);
                }
            }
            (None, None) => {
                for &(a, b) in hatch.iter() {
                    lines.push(PathEl::MoveTo(a));
                    lines.push(PathEl::LineTo(b));
                }
            }
        }
    }
    vec![DrawCommand::Path {
        path: lines,
        fill: None,
        stroke: Some(Stroke {
            color: p.background_color,
            width: (p.stroke_width / 2.0).max(0.5),
            style: StrokeStyle::Solid,
        }),
        opacity: opacity(p),
    }]
}

/// A gradient fill across the element's box, in the direction of the gradient's angle turned
/// with the element.
fn gradient_fill(p: &Props, path: &[PathEl]) -> Option<DrawCommand> {
    let (stops, degrees) = match &p.gradient {
        Some(g) => (g.stops.clone(), g.angle),
        None => (vec![p.background_color, BACKGROUND], 90.0),
    };
    if stops.len() < 2 || stops.iter().all(Color::is_transparent) {
        return None;
    }
    // Half the box's extent along the direction in the element's own frame: the gradient
    // spans the box exactly, and turns with it.
    let local = degrees.to_radians();
    let half = (p.width * local.cos()).abs() / 2.0 + (p.height * local.sin()).abs() / 2.0;
    let angle = local + p.angle.0;
    let dir = Vec2::new(angle.cos(), angle.sin());
    let c = p.rect().center();
    let last = (stops.len() - 1) as f64;
    Some(DrawCommand::Gradient {
        path: path.to_vec(),
        gradient: LinearGradient {
            start: c - dir * half,
            end: c + dir * half,
            stops: stops
                .into_iter()
                .enumerate()
                .map(|(i, color)| (i as f64 / last, color))
                .collect(),
        },
        opacity: opacity(p),
    })
}

/// Parallel lines at `angle`, `gap` apart, clipped to the inside of `poly` (even-odd), as
/// segments in scan order, and whether every scan line crossed the shape just once.
pub(super) fn hatch(poly: &[WorldPoint], angle: f64, gap: f64) -> (crate::rough::Hatch, bool) {
    let dir = Vec2::new(angle.cos(), angle.sin());
    let normal = dir.perp();
    let along = |q: WorldPoint| q.to_vec().dot(dir);
    let across = |q: WorldPoint| q.to_vec().dot(normal);
    let (lo, hi) = poly
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &q| {
            (lo.min(across(q)), hi.max(across(q)))
        });
    if !(lo.is_finite() && hi.is_finite()) || hi <= lo {
        return (Vec::new(), true);
    }
    let gap = gap.max((hi - lo) / MAX_HATCH_LINES);
    let mut out = Vec::new();
    let mut convex = true;
    let mut t = lo + gap / 2.0;
    while t < hi {
        // Where the line {q : across(q) = t} crosses each edge, as positions along it.
        let mut hits: Vec<f64> = Vec::new();
        for i in 0..poly.len() {
            let (a, b) = (poly[i], poly[(i + 1) % poly.len()]);
            let (sa, sb) = (across(a) - t, across(b) - t);
            if (sa < 0.0) != (sb < 0.0) {
                let k = sa / (sa - sb);
                hits.push(along(a) + (along(b) - along(a)) * k);
            }
        }
        hits.sort_by(f64::total_cmp);
        convex &= hits.len() <= 2;
        for pair in hits.chunks_exact(2) {
            let at = |s: f64| WorldPoint::ORIGIN + dir * s + normal * t;
            out.push((at(pair[0]), at(pair[1])));
        }
        t += gap;
    }
    (out, convex)
}
