//! Geometry primitives.
//!
//! World coordinates (the infinite canvas, in world units) and screen coordinates (CSS pixels
//! relative to the canvas's top-left corner) are different types so that a point in one space
//! can never be passed where the other is expected; only [`crate::camera::Camera`] converts
//! between them. Points and vectors are distinct too: a point plus a point means nothing, a point
//! plus a vector is a point (the same discipline as kurbo's `Point`/`Vec2`).

use serde::{Deserialize, Serialize};
use std::ops::{Add, Mul, Neg, Sub};

/// A position on the infinite canvas, in world units.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct WorldPoint {
    /// Horizontal position; grows to the right.
    pub x: f64,
    /// Vertical position; grows downwards (the screen convention).
    pub y: f64,
}

/// A position on the screen, in CSS pixels from the canvas's top-left corner.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ScreenPoint {
    /// Pixels from the left edge.
    pub x: f64,
    /// Pixels from the top edge.
    pub y: f64,
}

/// A position relative to an element's own `(x, y)` corner, in world units and before the
/// element's rotation: how lines, arrows and freehand strokes store their points (as Excalidraw
/// does), so moving a stroke changes two numbers instead of ten thousand. Written as `[x, y]`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(from = "[f64; 2]", into = "[f64; 2]")]
pub struct LocalPoint {
    /// Offset to the right of the element's `x`.
    pub x: f64,
    /// Offset below the element's `y`.
    pub y: f64,
}

impl LocalPoint {
    /// A local point at `(x, y)`.
    pub const fn new(x: f64, y: f64) -> Self {
        Self { x, y }
    }

    /// Whether both coordinates are finite.
    pub fn is_finite(self) -> bool {
        self.x.is_finite() && self.y.is_finite()
    }
}

impl From<[f64; 2]> for LocalPoint {
    fn from([x, y]: [f64; 2]) -> Self {
        Self { x, y }
    }
}

impl From<LocalPoint> for [f64; 2] {
    fn from(p: LocalPoint) -> Self {
        [p.x, p.y]
    }
}

/// A displacement in world units.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Vec2 {
    /// Horizontal component.
    pub x: f64,
    /// Vertical component.
    pub y: f64,
}

/// A displacement in screen pixels.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ScreenVec {
    /// Horizontal component.
    pub x: f64,
    /// Vertical component.
    pub y: f64,
}

impl WorldPoint {
    /// The world origin.
    pub const ORIGIN: Self = Self { x: 0.0, y: 0.0 };

    /// A world point at `(x, y)`.
    pub const fn new(x: f64, y: f64) -> Self {
        Self { x, y }
    }

    /// Whether both coordinates are finite (not NaN or infinite).
    pub fn is_finite(self) -> bool {
        self.x.is_finite() && self.y.is_finite()
    }

    /// This point rotated by `angle` (clockwise on screen) about `center`.
    pub fn rotate_about(self, center: WorldPoint, angle: Radians) -> WorldPoint {
        if angle.0 == 0.0 {
            return self;
        }
        let (s, c) = angle.0.sin_cos();
        let (dx, dy) = (self.x - center.x, self.y - center.y);
        WorldPoint::new(center.x + dx * c - dy * s, center.y + dx * s + dy * c)
    }

    /// The vector from the origin to this point.
    pub const fn to_vec(self) -> Vec2 {
        Vec2 {
            x: self.x,
            y: self.y,
        }
    }
}

impl ScreenPoint {
    /// A screen point at `(x, y)` CSS pixels.
    pub const fn new(x: f64, y: f64) -> Self {
        Self { x, y }
    }
}

impl Vec2 {
    /// A world vector `(x, y)`.
    pub const fn new(x: f64, y: f64) -> Self {
        Self { x, y }
    }

    /// Euclidean length.
    pub fn length(self) -> f64 {
        self.x.hypot(self.y)
    }

    /// The dot product.
    pub fn dot(self, other: Vec2) -> f64 {
        self.x * other.x + self.y * other.y
    }

    /// This vector turned a quarter turn (clockwise on screen).
    pub fn perp(self) -> Vec2 {
        Vec2::new(-self.y, self.x)
    }

    /// The vector scaled to length 1, or `None` if it has no direction.
    pub fn normalized(self) -> Option<Vec2> {
        let len = self.length();
        (len > 1e-12 && len.is_finite()).then(|| Vec2::new(self.x / len, self.y / len))
    }
}

impl ScreenVec {
    /// A screen vector `(x, y)` in CSS pixels.
    pub const fn new(x: f64, y: f64) -> Self {
        Self { x, y }
    }
}

impl Add<Vec2> for WorldPoint {
    type Output = WorldPoint;
    fn add(self, v: Vec2) -> WorldPoint {
        WorldPoint::new(self.x + v.x, self.y + v.y)
    }
}

impl Sub<Vec2> for WorldPoint {
    type Output = WorldPoint;
    fn sub(self, v: Vec2) -> WorldPoint {
        WorldPoint::new(self.x - v.x, self.y - v.y)
    }
}

impl Sub for WorldPoint {
    type Output = Vec2;
    fn sub(self, other: WorldPoint) -> Vec2 {
        Vec2::new(self.x - other.x, self.y - other.y)
    }
}

impl Sub for ScreenPoint {
    type Output = ScreenVec;
    fn sub(self, other: ScreenPoint) -> ScreenVec {
        ScreenVec::new(self.x - other.x, self.y - other.y)
    }
}

impl Add<ScreenVec> for ScreenPoint {
    type Output = ScreenPoint;
    fn add(self, v: ScreenVec) -> ScreenPoint {
        ScreenPoint::new(self.x + v.x, self.y + v.y)
    }
}

impl Mul<f64> for Vec2 {
    type Output = Vec2;
    fn mul(self, k: f64) -> Vec2 {
        Vec2::new(self.x * k, self.y * k)
    }
}

impl Add for Vec2 {
    type Output = Vec2;
    fn add(self, v: Vec2) -> Vec2 {
        Vec2::new(self.x + v.x, self.y + v.y)
    }
}

impl Neg for Vec2 {
    type Output = Vec2;
    fn neg(self) -> Vec2 {
        Vec2::new(-self.x, -self.y)
    }
}

/// An angle in radians, clockwise in screen space (y grows downwards).
#[derive(Clone, Copy, Debug, Default, PartialEq, PartialOrd, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Radians(pub f64);

impl Radians {
    /// No rotation.
    pub const ZERO: Self = Self(0.0);

    /// The same angle folded into `[0, 2π)`.
    pub fn normalized(self) -> Self {
        let t = self.0.rem_euclid(std::f64::consts::TAU);
        // rem_euclid can return TAU itself for tiny negative inputs because of rounding.
        Self(if t >= std::f64::consts::TAU { 0.0 } else { t })
    }
}

/// An axis-aligned rectangle in world units. `min` is the top-left corner.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Rect {
    /// Top-left corner.
    pub min: WorldPoint,
    /// Bottom-right corner.
    pub max: WorldPoint,
}

impl Rect {
    /// The rectangle spanned by two opposite corners, in any order.
    pub fn from_corners(a: WorldPoint, b: WorldPoint) -> Self {
        Self {
            min: WorldPoint::new(a.x.min(b.x), a.y.min(b.y)),
            max: WorldPoint::new(a.x.max(b.x), a.y.max(b.y)),
        }
    }

    /// Width in world units.
    pub fn width(&self) -> f64 {
        self.max.x - self.min.x
    }

    /// Height in world units.
    pub fn height(&self) -> f64 {
        self.max.y - self.min.y
    }

    /// Whether the rectangles overlap or touch.
    pub fn intersects(&self, other: &Rect) -> bool {
        self.min.x <= other.max.x
            && other.min.x <= self.max.x
            && self.min.y <= other.max.y
            && other.min.y <= self.max.y
    }

    /// Whether `p` lies inside or on the border.
    pub fn contains(&self, p: WorldPoint) -> bool {
        p.x >= self.min.x && p.x <= self.max.x && p.y >= self.min.y && p.y <= self.max.y
    }

    /// The smallest rectangle containing both.
    pub fn union(&self, other: &Rect) -> Rect {
        Rect {
            min: WorldPoint::new(self.min.x.min(other.min.x), self.min.y.min(other.min.y)),
            max: WorldPoint::new(self.max.x.max(other.max.x), self.max.y.max(other.max.y)),
        }
    }

    /// The centre point.
    pub fn center(&self) -> WorldPoint {
        WorldPoint::new(
            (self.min.x + self.max.x) / 2.0,
            (self.min.y + self.max.y) / 2.0,
        )
    }

    /// The rectangle grown by `d` on every side.
    pub fn inflate(&self, d: f64) -> Rect {
        Rect {
            min: WorldPoint::new(self.min.x - d, self.min.y - d),
            max: WorldPoint::new(self.max.x + d, self.max.y + d),
        }
    }

    /// The smallest rectangle containing every point, or `None` for no points.
    pub fn bounding(points: impl IntoIterator<Item = WorldPoint>) -> Option<Rect> {
        let mut it = points.into_iter();
        let first = it.next()?;
        let mut r = Rect {
            min: first,
            max: first,
        };
        for p in it {
            r.min = WorldPoint::new(r.min.x.min(p.x), r.min.y.min(p.y));
            r.max = WorldPoint::new(r.max.x.max(p.x), r.max.y.max(p.y));
        }
        Some(r)
    }

    /// The bounding box of this rectangle rotated by `angle` about its centre.
    pub fn rotated_bounds(&self, angle: Radians) -> Rect {
        if angle.0 == 0.0 {
            return *self;
        }
        let (s, c) = angle.0.sin_cos();
        let (hw, hh) = (self.width() / 2.0, self.height() / 2.0);
        let ex = (hw * c).abs() + (hh * s).abs();
        let ey = (hw * s).abs() + (hh * c).abs();
        let cx = (self.min.x + self.max.x) / 2.0;
        let cy = (self.min.y + self.max.y) / 2.0;
        Rect {
            min: WorldPoint::new(cx - ex, cy - ey),
            max: WorldPoint::new(cx + ex, cy + ey),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::{FRAC_PI_2, PI, TAU};

    #[test]
    fn rect_from_corners_is_order_independent() {
        let a = WorldPoint::new(10.0, -5.0);
        let b = WorldPoint::new(-2.0, 7.0);
        assert_eq!(Rect::from_corners(a, b), Rect::from_corners(b, a));
        let r = Rect::from_corners(a, b);
        assert_eq!((r.width(), r.height()), (12.0, 12.0));
    }

    #[test]
    fn point_minus_point_is_a_vector_and_adds_back() {
        let a = WorldPoint::new(3.0, 4.0);
        let b = WorldPoint::new(1.0, 1.0);
        let v = a - b;
        assert_eq!(v, Vec2::new(2.0, 3.0));
        assert_eq!(b + v, a);
    }

    #[test]
    fn radians_normalize_into_one_turn() {
        assert_eq!(Radians(-FRAC_PI_2).normalized().0, 3.0 * FRAC_PI_2);
        assert!((Radians(5.0 * PI).normalized().0 - PI).abs() < 1e-12);
        let tiny = Radians(-1e-18).normalized().0;
        assert!((0.0..TAU).contains(&tiny));
    }

    #[test]
    fn a_quarter_turn_swaps_the_bounding_box_sides() {
        let r = Rect::from_corners(WorldPoint::new(0.0, 0.0), WorldPoint::new(100.0, 20.0));
        let b = r.rotated_bounds(Radians(FRAC_PI_2));
        assert!((b.width() - 20.0).abs() < 1e-9);
        assert!((b.height() - 100.0).abs() < 1e-9);
        assert!((b.min.x - 40.0).abs() < 1e-9);
    }

    #[test]
    fn rects_that_touch_intersect_and_disjoint_ones_do_not() {
        let a = Rect::from_corners(WorldPoint::new(0.0, 0.0), WorldPoint::new(10.0, 10.0));
        let b = Rect::from_corners(WorldPoint::new(10.0, 10.0), WorldPoint::new(20.0, 20.0));
        let c = Rect::from_corners(WorldPoint::new(11.0, 0.0), WorldPoint::new(20.0, 5.0));
        assert!(a.intersects(&b));
        assert!(!a.intersects(&c));
        assert!(a.union(&c).contains(WorldPoint::new(15.0, 2.0)));
    }
}
