//! Recognised ink turned into elements: the clean shape the shape recogniser fitted
//! ([`CleanShape`], in the ink's world coordinates) and the text the handwriting recogniser read.
//!
//! Boxes become the element kinds that draw them (rectangle, ellipse, diamond) so they keep
//! their handles and fills; shapes without a kind of their own (triangle, star, check, cross)
//! become lines through their outline, closed where the outline is. The new elements keep the
//! ink's colour, width, opacity and stroke pattern: converting changes the geometry, not the
//! look the user chose.

use crate::element::{ElementKind, LINE_HEIGHT, MAX_FONT_SIZE, Props};
use crate::geom::{Radians, Rect, WorldPoint};
use crate::ink::fit::{CleanShape, Xy};
use std::f64::consts::PI;

/// The smallest font a conversion produces, world units (smaller is unreadable at 100 %).
const MIN_FONT_SIZE: f64 = 12.0;
/// A handwritten line's height as a fraction of the font size that looks the same: between a
/// capital's height (~0.7 em) and a word with ascenders and descenders (~1 em).
const INK_HEIGHT_PER_EM: f64 = 0.85;

fn point(p: Xy) -> WorldPoint {
    WorldPoint::new(p[0], p[1])
}

/// Takes the ink's look (not its geometry) onto a new element.
fn styled_like(mut p: Props, ink: &Props) -> Props {
    p.stroke_color = ink.stroke_color;
    p.stroke_width = ink.stroke_width;
    p.stroke_style = ink.stroke_style;
    p.roughness = ink.roughness;
    p.opacity = ink.opacity;
    p
}

/// A box element of `kind` centred on `center`, `width` × `height`, turned by `angle`.
fn boxed(kind: ElementKind, center: Xy, width: f64, height: f64, angle: f64, ink: &Props) -> Props {
    let (w, h) = (width.abs(), height.abs());
    let rect = Rect::from_corners(
        WorldPoint::new(center[0] - w / 2.0, center[1] - h / 2.0),
        WorldPoint::new(center[0] + w / 2.0, center[1] + h / 2.0),
    );
    let mut p = Props::new(kind, rect, ink.index.clone());
    p.angle = Radians(angle).normalized();
    styled_like(p, ink)
}

/// A line (or arrow) element through `points`.
fn polyline(kind: ElementKind, points: &[Xy], ink: &Props) -> Option<Props> {
    let pts: Vec<WorldPoint> = points.iter().copied().map(point).collect();
    Props::through(kind, &pts, ink.index.clone()).map(|p| styled_like(p, ink))
}

/// An angle folded into (−π/2, π/2]: a diagonal's direction without its sense.
fn fold(a: f64) -> f64 {
    let mut a = a.rem_euclid(PI);
    if a > PI / 2.0 {
        a -= PI;
    }
    a
}

/// A diamond element from its four vertices in order round the outline: the diagonal closer to
/// horizontal is the width, the other the height (an element diamond has its corners at the
/// middle of its box's sides).
fn diamond(v: &[Xy; 4], ink: &Props) -> Props {
    let center = [
        v.iter().map(|p| p[0]).sum::<f64>() / 4.0,
        v.iter().map(|p| p[1]).sum::<f64>() / 4.0,
    ];
    let diag = |a: Xy, b: Xy| {
        (
            (b[0] - a[0]).hypot(b[1] - a[1]),
            (b[1] - a[1]).atan2(b[0] - a[0]),
        )
    };
    let (len1, a1) = diag(v[0], v[2]);
    let (len2, a2) = diag(v[1], v[3]);
    let (a1, a2) = (fold(a1), fold(a2));
    let (width, height, angle) = if a1.abs() <= a2.abs() {
        (len1, len2, a1)
    } else {
        (len2, len1, a2)
    };
    boxed(ElementKind::Diamond, center, width, height, angle, ink)
}

/// The elements that replace ink recognised as `shape`, styled like the ink element `ink`.
/// Their paint index is the ink's (the editor assigns the final ones). Elements whose geometry
/// is degenerate are left out; callers treat an empty answer as "keep the ink".
pub fn shape_elements(shape: &CleanShape, ink: &Props) -> Vec<Props> {
    // A line is closed (and fillable) when its last point *equals* its first; outlines that
    // come round to the start by trigonometry end a rounding error away, so snap them.
    let closed = |pts: &[Xy]| {
        let mut pts = pts.to_vec();
        if let (Some(&first), Some(&last)) = (pts.first(), pts.last()) {
            if (last[0] - first[0]).hypot(last[1] - first[1]) < 1e-6 {
                pts.pop();
            }
            pts.push(first);
        }
        pts
    };
    let out: Vec<Option<Props>> = match shape {
        CleanShape::Rectangle {
            center,
            width,
            height,
            angle,
        } => vec![Some(boxed(
            ElementKind::Rectangle,
            *center,
            *width,
            *height,
            *angle,
            ink,
        ))],
        CleanShape::Ellipse {
            center,
            rx,
            ry,
            angle,
        } => vec![Some(boxed(
            ElementKind::Ellipse,
            *center,
            2.0 * rx,
            2.0 * ry,
            *angle,
            ink,
        ))],
        CleanShape::Diamond { vertices } => vec![Some(diamond(vertices, ink))],
        CleanShape::Triangle { vertices } => {
            vec![polyline(ElementKind::Line, &closed(vertices), ink)]
        }
        CleanShape::Line { start, end } => {
            vec![polyline(ElementKind::Line, &[*start, *end], ink)]
        }
        CleanShape::Arrow { start, end } => {
            vec![polyline(ElementKind::Arrow, &[*start, *end], ink)]
        }
        CleanShape::Check { points } => vec![polyline(ElementKind::Line, points, ink)],
        CleanShape::Cross { first, second } => vec![
            polyline(ElementKind::Line, first, ink),
            polyline(ElementKind::Line, second, ink),
        ],
        CleanShape::Star { .. } => shape
            .outlines()
            .iter()
            .map(|o| polyline(ElementKind::Line, &closed(o), ink))
            .collect(),
    };
    out.into_iter()
        .flatten()
        .filter(|p| p.validate().is_ok())
        .collect()
}

/// A text element saying `text` where handwriting covering `ink_bounds` was, in the ink's
/// colour: left-aligned with the ink, centred on it vertically, with a font about as tall as the
/// writing. `None` when there is nothing printable to say.
pub fn text_element(text: &str, ink_bounds: Rect, ink: &Props) -> Option<Props> {
    let text: String = text
        .trim()
        .chars()
        .filter(|c| !c.is_control() || *c == '\n')
        .collect();
    if text.is_empty() || !ink_bounds.min.is_finite() || !ink_bounds.max.is_finite() {
        return None;
    }
    let lines = text.split('\n').count() as f64;
    let font =
        (ink_bounds.height() / lines / INK_HEIGHT_PER_EM).clamp(MIN_FONT_SIZE, MAX_FONT_SIZE);
    let top = ink_bounds.center().y - lines * font * LINE_HEIGHT / 2.0;
    let mut p = Props::text(
        WorldPoint::new(ink_bounds.min.x, top),
        &text,
        font,
        ink.index.clone(),
    );
    p.stroke_color = ink.stroke_color;
    p.opacity = ink.opacity;
    p.validate().is_ok().then_some(p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::element::{Arrowhead, Color};
    use crate::index::FracIndex;

    fn ink() -> Props {
        let pts = [WorldPoint::new(0.0, 0.0), WorldPoint::new(10.0, 10.0)];
        let mut p = Props::through(
            ElementKind::Freedraw,
            &pts,
            FracIndex::between(None, None).unwrap(),
        )
        .unwrap();
        p.stroke_color = Color::rgba(0xe0, 0x31, 0x31, 0xff);
        p.stroke_width = 4.0;
        p
    }

    #[test]
    fn a_rectangle_fit_becomes_a_rectangle_with_the_inks_colour() {
        let fit = CleanShape::Rectangle {
            center: [150.0, 80.0],
            width: 200.0,
            height: 100.0,
            angle: 0.3,
        };
        let [p] = shape_elements(&fit, &ink()).try_into().unwrap();
        assert_eq!(p.kind, ElementKind::Rectangle);
        assert_eq!((p.x, p.y, p.width, p.height), (50.0, 30.0, 200.0, 100.0));
        assert_eq!(p.angle, Radians(0.3));
        assert_eq!((p.stroke_color, p.stroke_width), (ink().stroke_color, 4.0));
    }

    #[test]
    fn an_ellipse_fit_becomes_an_ellipse_of_twice_its_radii() {
        let fit = CleanShape::Ellipse {
            center: [0.0, 0.0],
            rx: 50.0,
            ry: 20.0,
            angle: -0.1,
        };
        let [p] = shape_elements(&fit, &ink()).try_into().unwrap();
        assert_eq!(
            (p.kind, p.width, p.height),
            (ElementKind::Ellipse, 100.0, 40.0)
        );
        assert!((p.angle.0 - (2.0 * PI - 0.1)).abs() < 1e-12);
    }

    #[test]
    fn an_upright_diamond_keeps_its_box() {
        let fit = CleanShape::Diamond {
            vertices: [[50.0, 0.0], [100.0, 30.0], [50.0, 60.0], [0.0, 30.0]],
        };
        let [p] = shape_elements(&fit, &ink()).try_into().unwrap();
        assert_eq!(p.kind, ElementKind::Diamond);
        assert!((p.x).abs() < 1e-9 && (p.y).abs() < 1e-9, "{p:?}");
        assert!((p.width - 100.0).abs() < 1e-9 && (p.height - 60.0).abs() < 1e-9);
        assert!(p.angle.0.abs() < 1e-9);
    }

    #[test]
    fn triangles_and_stars_become_closed_lines_and_arrows_keep_their_head() {
        let tri = CleanShape::Triangle {
            vertices: [[0.0, 0.0], [100.0, 0.0], [50.0, 80.0]],
        };
        let [t] = shape_elements(&tri, &ink()).try_into().unwrap();
        assert_eq!((t.kind, t.points.len()), (ElementKind::Line, 4));
        assert!(crate::shape::is_closed(&t));
        let star = CleanShape::Star {
            center: [0.0, 0.0],
            outer_radius: 50.0,
            inner_radius: 20.0,
            angle: 0.0,
        };
        let [s] = shape_elements(&star, &ink()).try_into().unwrap();
        assert_eq!(s.points.len(), 11);
        assert!(crate::shape::is_closed(&s));
        let arrow = CleanShape::Arrow {
            start: [0.0, 0.0],
            end: [100.0, 0.0],
        };
        let [a] = shape_elements(&arrow, &ink()).try_into().unwrap();
        assert_eq!(
            (a.kind, a.end_arrowhead),
            (ElementKind::Arrow, Arrowhead::Arrow)
        );
    }

    #[test]
    fn a_cross_becomes_two_lines_and_a_check_one_open_line() {
        let cross = CleanShape::Cross {
            first: [[0.0, 0.0], [10.0, 10.0]],
            second: [[10.0, 0.0], [0.0, 10.0]],
        };
        assert_eq!(shape_elements(&cross, &ink()).len(), 2);
        let check = CleanShape::Check {
            points: [[0.0, 5.0], [3.0, 10.0], [10.0, 0.0]],
        };
        let [c] = shape_elements(&check, &ink()).try_into().unwrap();
        assert!(!crate::shape::is_closed(&c));
    }

    #[test]
    fn degenerate_fits_produce_nothing() {
        let fit = CleanShape::Rectangle {
            center: [f64::NAN, 0.0],
            width: 1.0,
            height: 1.0,
            angle: 0.0,
        };
        assert!(shape_elements(&fit, &ink()).is_empty());
    }

    #[test]
    fn recognised_text_sits_where_the_writing_was_at_a_similar_size() {
        let bounds =
            Rect::from_corners(WorldPoint::new(10.0, 100.0), WorldPoint::new(200.0, 185.0));
        let t = text_element("  hello\u{7} ", bounds, &ink()).unwrap();
        assert_eq!(t.text, "hello");
        assert_eq!(t.kind, ElementKind::Text);
        assert_eq!(t.x, 10.0);
        assert!((t.font_size - 100.0).abs() < 1e-9);
        assert!(((t.y + t.height / 2.0) - bounds.center().y).abs() < 1e-9);
        assert_eq!(t.stroke_color, ink().stroke_color);
        assert_eq!(text_element(" \n ", bounds, &ink()), None);
    }
}
