//! The geometry of moving, resizing and rotating elements.
//!
//! A selection has a [`Frame`]: for one element, its own box and rotation; for several, the
//! upright box around all of them (Excalidraw's and tldraw's choice). Resizing scales every
//! element about an anchor of that frame (the opposite handle, or the centre with alt);
//! rotating turns every element about the frame's centre. These are pure functions from the
//! props at the start of a gesture to the props now, so a gesture never accumulates rounding
//! errors, and the select tool turns the result into per-property patches.

use crate::element::{ElementKind, MAX_FONT_SIZE, Props};
use crate::geom::{LocalPoint, Radians, Rect, Vec2, WorldPoint};
use std::f64::consts::{FRAC_PI_2, FRAC_PI_4, PI};

/// Factors below this are treated as this (a box squashed flat keeps a direction to grow back
/// along, and sizes never become NaN).
const MIN_FACTOR: f64 = 1e-6;

/// An upright rectangle turned by `angle` about its centre: what selection handles sit on.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Frame {
    /// The unrotated rectangle.
    pub rect: Rect,
    /// Its rotation about its centre.
    pub angle: Radians,
}

/// A grip on the selection frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Handle {
    /// Top edge.
    N,
    /// Top-right corner.
    NE,
    /// Right edge.
    E,
    /// Bottom-right corner.
    SE,
    /// Bottom edge.
    S,
    /// Bottom-left corner.
    SW,
    /// Left edge.
    W,
    /// Top-left corner.
    NW,
    /// The rotation knob above the top edge.
    Rotate,
}

impl Handle {
    /// The eight resize handles, clockwise from the top.
    pub const RESIZE: [Handle; 8] = [
        Self::N,
        Self::NE,
        Self::E,
        Self::SE,
        Self::S,
        Self::SW,
        Self::W,
        Self::NW,
    ];

    /// Where a resize handle sits, as fractions of the frame's width and height (0.5 on an
    /// axis the handle does not resize). `None` for the rotation knob.
    pub fn uv(self) -> Option<(f64, f64)> {
        Some(match self {
            Self::N => (0.5, 0.0),
            Self::NE => (1.0, 0.0),
            Self::E => (1.0, 0.5),
            Self::SE => (1.0, 1.0),
            Self::S => (0.5, 1.0),
            Self::SW => (0.0, 1.0),
            Self::W => (0.0, 0.5),
            Self::NW => (0.0, 0.0),
            Self::Rotate => return None,
        })
    }
}

impl Frame {
    /// The frame of a selection: one element's own box and rotation, or the upright box around
    /// several. `None` for nothing.
    pub fn of<'a>(props: impl IntoIterator<Item = &'a Props>) -> Option<Frame> {
        let mut it = props.into_iter();
        let first = it.next()?;
        let Some(second) = it.next() else {
            return Some(Frame {
                rect: first.rect(),
                angle: first.angle,
            });
        };
        let rect = std::iter::once(second)
            .chain(it)
            .fold(first.rect().rotated_bounds(first.angle), |r, p| {
                r.union(&p.rect().rotated_bounds(p.angle))
            });
        Some(Frame {
            rect,
            angle: Radians::ZERO,
        })
    }

    /// The centre (also the centre of rotation).
    pub fn center(&self) -> WorldPoint {
        self.rect.center()
    }

    /// The point at fractions `(u, v)` of the unrotated frame.
    fn local(&self, u: f64, v: f64) -> WorldPoint {
        WorldPoint::new(
            self.rect.min.x + u * self.rect.width(),
            self.rect.min.y + v * self.rect.height(),
        )
    }

    /// The point at fractions `(u, v)` of the frame, in world coordinates (rotation applied).
    pub fn point(&self, u: f64, v: f64) -> WorldPoint {
        self.local(u, v).rotate_about(self.center(), self.angle)
    }

    /// `p` in the frame's unrotated coordinates.
    pub fn unrotate(&self, p: WorldPoint) -> WorldPoint {
        p.rotate_about(self.center(), Radians(-self.angle.0))
    }

    /// Whether `p` lies inside the frame.
    pub fn contains(&self, p: WorldPoint) -> bool {
        self.rect.contains(self.unrotate(p))
    }

    /// The frame grown by `d` on every side.
    pub fn inflate(&self, d: f64) -> Frame {
        Frame {
            rect: self.rect.inflate(d),
            angle: self.angle,
        }
    }

    /// The four corners, clockwise from the top-left, in world coordinates.
    pub fn corners(&self) -> [WorldPoint; 4] {
        [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)].map(|(u, v)| self.point(u, v))
    }
}

/// The props of an element moved by `d`.
pub fn translated(p: &Props, d: Vec2) -> Props {
    let mut q = p.clone();
    q.x += d.x;
    q.y += d.y;
    q
}

/// The props of an element turned by `delta` about `center` (its own rotation grows by
/// `delta` too, so the selection turns as one piece).
pub fn rotated(p: &Props, center: WorldPoint, delta: Radians) -> Props {
    let c = p.rect().center().rotate_about(center, delta);
    let mut q = p.clone();
    q.x = c.x - p.width / 2.0;
    q.y = c.y - p.height / 2.0;
    q.angle = Radians(p.angle.0 + delta.0).normalized();
    q
}

/// A resize: scale factors along the frame's axes about an anchor, in the frame's unrotated
/// coordinates. Negative factors mirror (the handle was dragged past the anchor).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scale {
    /// The fixed point.
    pub anchor: WorldPoint,
    /// Factor along the frame's x axis.
    pub sx: f64,
    /// Factor along the frame's y axis.
    pub sy: f64,
}

/// How resizing modifies the plain drag.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ResizeMode {
    /// Keep the proportions (shift; always for text).
    pub keep_aspect: bool,
    /// Scale about the centre instead of the opposite handle (alt).
    pub from_center: bool,
}

/// The scale that brings `handle` of `frame` to `pointer` (world coordinates). `None` for the
/// rotation knob.
pub fn scale_for(
    frame: &Frame,
    handle: Handle,
    pointer: WorldPoint,
    mode: ResizeMode,
) -> Option<Scale> {
    let (u, v) = handle.uv()?;
    let p = frame.unrotate(pointer);
    let grip = frame.local(u, v);
    let anchor = if mode.from_center {
        frame.local(0.5, 0.5)
    } else {
        frame.local(1.0 - u, 1.0 - v)
    };
    // An axis the handle does not move, or a frame flat along it (a horizontal line has no
    // height), keeps factor 1.
    let factor = |moves: bool, p: f64, grip: f64, anchor: f64| {
        let span = grip - anchor;
        (moves && span.abs() > 1e-9).then(|| (p - anchor) / span)
    };
    let fx = factor(u != 0.5, p.x, grip.x, anchor.x);
    let fy = factor(v != 0.5, p.y, grip.y, anchor.y);
    let (mut sx, mut sy) = (fx.unwrap_or(1.0), fy.unwrap_or(1.0));
    if mode.keep_aspect {
        match (fx, fy) {
            (Some(x), Some(y)) => {
                let s = x.abs().max(y.abs());
                sx = s.copysign(x);
                sy = s.copysign(y);
            }
            // One axis dragged: the other follows, about the centre (its anchor is the centre
            // since the handle sits mid-edge).
            (Some(x), None) => sy = x.abs(),
            (None, Some(y)) => sx = y.abs(),
            (None, None) => {}
        }
    }
    let clean = |s: f64| {
        if !s.is_finite() {
            1.0
        } else if s.abs() < MIN_FACTOR {
            MIN_FACTOR.copysign(s)
        } else {
            s
        }
    };
    Some(Scale {
        anchor,
        sx: clean(sx),
        sy: clean(sy),
    })
}

/// The props of an element of a selection whose frame was `frame`, after `scale`.
///
/// The element's centre is scaled with the frame; its size and its points are scaled along its
/// own axes. For one element (or elements turned like the frame) that is exact. For an element
/// turned against an upright multi-selection frame a non-uniform scale cannot be represented by
/// a rotated box, so its factors are taken along whichever frame axis its width is closer to
/// (Excalidraw approximates the same way). Text scales its font with the box.
pub fn scaled(p: &Props, frame: &Frame, scale: &Scale) -> Props {
    let Scale { anchor, sx, sy } = *scale;
    let c = frame.unrotate(p.rect().center());
    let moved = WorldPoint::new(
        anchor.x + (c.x - anchor.x) * sx,
        anchor.y + (c.y - anchor.y) * sy,
    )
    .rotate_about(frame.center(), frame.angle);
    let relative = (p.angle.0 - frame.angle.0).rem_euclid(PI);
    let (ex, ey) = if (relative - FRAC_PI_2).abs() < FRAC_PI_4 {
        (sy, sx)
    } else {
        (sx, sy)
    };
    let mut q = p.clone();
    q.width = p.width * ex.abs();
    q.height = p.height * ey.abs();
    q.x = moved.x - q.width / 2.0;
    q.y = moved.y - q.height / 2.0;
    if p.kind.has_points() {
        // Mirroring keeps the points inside [0, size]: a negative factor measures from the far
        // side.
        let along = |v: f64, size: f64, f: f64| if f >= 0.0 { v * f } else { (v - size) * f };
        q.points = p
            .points
            .iter()
            .map(|pt| LocalPoint::new(along(pt.x, p.width, ex), along(pt.y, p.height, ey)))
            .collect();
    }
    if p.kind == ElementKind::Text {
        q.font_size = (p.font_size * ex.abs().max(ey.abs())).clamp(1.0, MAX_FONT_SIZE);
    }
    q
}

/// Which of the four resize cursors suits `handle` of `frame` (see
/// [`crate::tool::Cursor::Resize`]): the handle's direction from the centre, in 45° steps.
pub fn resize_axis(frame: &Frame, handle: Handle) -> u8 {
    let Some((u, v)) = handle.uv() else { return 0 };
    // Direction on a unit square, so a long thin frame's corner still reads as diagonal.
    let angle = (v - 0.5).atan2(u - 0.5) + frame.angle.0;
    ((angle / FRAC_PI_4).round() as i64).rem_euclid(4) as u8
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::FracIndex;

    fn props(kind: ElementKind, x0: f64, y0: f64, x1: f64, y1: f64) -> Props {
        let r = Rect::from_corners(WorldPoint::new(x0, y0), WorldPoint::new(x1, y1));
        Props::new(kind, r, FracIndex::between(None, None).unwrap())
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn dragging_the_bottom_right_corner_keeps_the_top_left_fixed() {
        let p = props(ElementKind::Rectangle, 0.0, 0.0, 100.0, 50.0);
        let f = Frame::of([&p]).unwrap();
        let s = scale_for(
            &f,
            Handle::SE,
            WorldPoint::new(200.0, 75.0),
            ResizeMode::default(),
        )
        .unwrap();
        let q = scaled(&p, &f, &s);
        assert_eq!((q.x, q.y, q.width, q.height), (0.0, 0.0, 200.0, 75.0));
    }

    #[test]
    fn shift_keeps_the_aspect_and_alt_scales_about_the_centre() {
        let p = props(ElementKind::Ellipse, 0.0, 0.0, 100.0, 50.0);
        let f = Frame::of([&p]).unwrap();
        let keep = ResizeMode {
            keep_aspect: true,
            ..ResizeMode::default()
        };
        let q = scaled(
            &p,
            &f,
            &scale_for(&f, Handle::SE, WorldPoint::new(300.0, 60.0), keep).unwrap(),
        );
        assert_eq!((q.width, q.height), (300.0, 150.0));
        let centre = ResizeMode {
            from_center: true,
            ..ResizeMode::default()
        };
        let q = scaled(
            &p,
            &f,
            &scale_for(&f, Handle::E, WorldPoint::new(150.0, 0.0), centre).unwrap(),
        );
        assert_eq!((q.x, q.width, q.y, q.height), (-50.0, 200.0, 0.0, 50.0));
        // A side handle with shift scales the other axis about the centre.
        let q = scaled(
            &p,
            &f,
            &scale_for(&f, Handle::E, WorldPoint::new(200.0, 0.0), keep).unwrap(),
        );
        assert_eq!((q.x, q.width, q.y, q.height), (0.0, 200.0, -25.0, 100.0));
    }

    #[test]
    fn dragging_past_the_anchor_mirrors_a_line() {
        let mut p = props(ElementKind::Line, 0.0, 0.0, 100.0, 50.0);
        p.points = vec![LocalPoint::new(0.0, 0.0), LocalPoint::new(100.0, 50.0)];
        let f = Frame::of([&p]).unwrap();
        let s = scale_for(
            &f,
            Handle::E,
            WorldPoint::new(-100.0, 25.0),
            ResizeMode::default(),
        )
        .unwrap();
        let q = scaled(&p, &f, &s);
        assert_eq!((q.x, q.width), (-100.0, 100.0));
        assert_eq!(
            q.points,
            vec![LocalPoint::new(100.0, 0.0), LocalPoint::new(0.0, 50.0)]
        );
    }

    #[test]
    fn a_rotated_element_resizes_along_its_own_axes_with_the_far_corner_fixed() {
        let mut p = props(ElementKind::Rectangle, 0.0, 0.0, 100.0, 50.0);
        p.angle = Radians(0.7);
        let f = Frame::of([&p]).unwrap();
        let fixed = f.point(0.0, 0.0);
        // Drag the bottom-right corner outwards along the element's diagonal.
        let grip = f.point(1.0, 1.0);
        let target = grip + (grip - fixed) * 0.5;
        let s = scale_for(&f, Handle::SE, target, ResizeMode::default()).unwrap();
        let q = scaled(&p, &f, &s);
        assert!(close(q.width, 150.0) && close(q.height, 75.0), "{q:?}");
        let after = Frame::of([&q]).unwrap();
        assert!(close(after.point(0.0, 0.0).x, fixed.x) && close(after.point(0.0, 0.0).y, fixed.y));
        assert_eq!(q.angle, p.angle);
    }

    #[test]
    fn a_multi_selection_scales_positions_and_sizes_together() {
        let a = props(ElementKind::Rectangle, 0.0, 0.0, 10.0, 10.0);
        let b = props(ElementKind::Rectangle, 90.0, 90.0, 100.0, 100.0);
        let f = Frame::of([&a, &b]).unwrap();
        assert_eq!(f.rect.max, WorldPoint::new(100.0, 100.0));
        let s = scale_for(
            &f,
            Handle::SE,
            WorldPoint::new(200.0, 200.0),
            ResizeMode::default(),
        )
        .unwrap();
        let (qa, qb) = (scaled(&a, &f, &s), scaled(&b, &f, &s));
        assert_eq!((qa.x, qa.width), (0.0, 20.0));
        assert_eq!((qb.x, qb.y, qb.width), (180.0, 180.0, 20.0));
    }

    #[test]
    fn text_scales_its_font_and_factors_never_reach_zero() {
        let mut t = Props::text(
            WorldPoint::ORIGIN,
            "hi",
            20.0,
            FracIndex::between(None, None).unwrap(),
        );
        t.width = 22.0;
        let f = Frame::of([&t]).unwrap();
        let keep = ResizeMode {
            keep_aspect: true,
            ..ResizeMode::default()
        };
        let s = scale_for(&f, Handle::SE, f.point(2.0, 2.0), keep).unwrap();
        assert!(close(scaled(&t, &f, &s).font_size, 40.0));
        let s = scale_for(&f, Handle::SE, f.point(0.0, 0.0), keep).unwrap();
        let q = scaled(&t, &f, &s);
        assert!(q.font_size >= 1.0 && q.width.is_finite() && q.width >= 0.0);
    }

    #[test]
    fn rotating_turns_positions_about_the_frame_centre() {
        let a = props(ElementKind::Rectangle, 0.0, 0.0, 10.0, 10.0);
        let q = rotated(&a, WorldPoint::new(20.0, 5.0), Radians(PI));
        assert!(close(q.x, 30.0) && close(q.y, 0.0));
        assert!(close(q.angle.0, PI));
        let back = rotated(&q, WorldPoint::new(20.0, 5.0), Radians(PI));
        assert!(close(back.x, 0.0) && close(back.angle.0, 0.0));
    }

    #[test]
    fn handles_map_to_the_right_cursors() {
        let f = Frame {
            rect: Rect::from_corners(WorldPoint::ORIGIN, WorldPoint::new(10.0, 2.0)),
            angle: Radians::ZERO,
        };
        assert_eq!(resize_axis(&f, Handle::E), 0);
        assert_eq!(resize_axis(&f, Handle::SE), 1);
        assert_eq!(resize_axis(&f, Handle::N), 2);
        assert_eq!(resize_axis(&f, Handle::NE), 3);
        let turned = Frame {
            angle: Radians(FRAC_PI_2),
            ..f
        };
        assert_eq!(resize_axis(&turned, Handle::E), 2);
    }
}
