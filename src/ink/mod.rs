//! Ink: pen strokes as recognisers see them, and the geometry shared by the server's models and
//! the browser's preview.
//!
//! The server's candle models (shape and handwriting recognition) see ink only through the
//! functions here: [`Ink::normalized`] and [`raster::features`] turn strokes into the model's
//! input, [`fit`] turns a recognised class back into a clean shape fitted to the ink. Keeping
//! them in the core crate means the canvas can preview a fit with exactly the code the server
//! uses, and that training and inference can never disagree on preprocessing.
//!
//! Coordinates are in any unit with **y pointing down** (the screen convention); data recorded
//! with y up must be flipped first ([`Ink::flip_y`]).

pub mod fit;
pub mod raster;
pub mod sequence;

use serde::de::{self, SeqAccess, Visitor};
use serde::ser::SerializeSeq;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// The most points a recogniser accepts in one request: a page of handwriting is a few thousand.
pub const MAX_INK_POINTS: usize = 20_000;
/// The most strokes a recogniser accepts in one request.
pub const MAX_INK_STROKES: usize = 500;
/// The largest absolute coordinate accepted.
pub const MAX_INK_COORD: f64 = 1.0e7;

/// One sampled pen position. On the wire: `[x, y]` or `[x, y, t]` with `t` in milliseconds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct InkPoint {
    /// Horizontal position.
    pub x: f64,
    /// Vertical position, growing downwards.
    pub y: f64,
    /// Milliseconds since the first point of the sample, when recorded.
    pub t: Option<f64>,
}

impl InkPoint {
    /// A point without time.
    pub const fn new(x: f64, y: f64) -> Self {
        Self { x, y, t: None }
    }

    /// Euclidean distance to `other`.
    pub fn dist(self, other: Self) -> f64 {
        (self.x - other.x).hypot(self.y - other.y)
    }

    /// The point `f` of the way from `self` to `other`.
    pub fn lerp(self, other: Self, f: f64) -> Self {
        Self::new(
            self.x + (other.x - self.x) * f,
            self.y + (other.y - self.y) * f,
        )
    }
}

impl Serialize for InkPoint {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(if self.t.is_some() { 3 } else { 2 }))?;
        seq.serialize_element(&self.x)?;
        seq.serialize_element(&self.y)?;
        if let Some(t) = self.t {
            seq.serialize_element(&t)?;
        }
        seq.end()
    }
}

impl<'de> Deserialize<'de> for InkPoint {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct PointVisitor;
        impl<'de> Visitor<'de> for PointVisitor {
            type Value = InkPoint;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a point [x, y] or [x, y, t]")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<InkPoint, A::Error> {
                let x: f64 = seq
                    .next_element()?
                    .ok_or_else(|| de::Error::invalid_length(0, &self))?;
                let y: f64 = seq
                    .next_element()?
                    .ok_or_else(|| de::Error::invalid_length(1, &self))?;
                // Some recorders write null for a missing time stamp.
                let t: Option<Option<f64>> = seq.next_element()?;
                if seq.next_element::<de::IgnoredAny>()?.is_some() {
                    return Err(de::Error::invalid_length(4, &self));
                }
                Ok(InkPoint {
                    x,
                    y,
                    t: t.flatten(),
                })
            }
        }
        d.deserialize_seq(PointVisitor)
    }
}

/// Why ink was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InkError {
    /// No points at all.
    #[error("the ink is empty: send at least one stroke with at least one point")]
    Empty,
    /// Too many points or strokes.
    #[error("the ink is too large: at most {MAX_INK_POINTS} points in {MAX_INK_STROKES} strokes")]
    TooLarge,
    /// NaN, infinite or absurd coordinates.
    #[error("every coordinate must be a finite number within ±{MAX_INK_COORD}")]
    NotFinite,
}

/// A sample of ink: strokes (pen down → pen up) of points, y down.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Ink {
    /// The strokes in drawing order.
    pub strokes: Vec<Vec<InkPoint>>,
}

/// An axis-aligned bounding box of ink.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct InkBounds {
    /// Smallest x.
    pub min_x: f64,
    /// Smallest y.
    pub min_y: f64,
    /// Largest x.
    pub max_x: f64,
    /// Largest y.
    pub max_y: f64,
}

impl InkBounds {
    /// Width.
    pub fn width(&self) -> f64 {
        self.max_x - self.min_x
    }
    /// Height.
    pub fn height(&self) -> f64 {
        self.max_y - self.min_y
    }
    /// Centre point.
    pub fn center(&self) -> InkPoint {
        InkPoint::new(
            (self.min_x + self.max_x) / 2.0,
            (self.min_y + self.max_y) / 2.0,
        )
    }
}

impl Ink {
    /// Ink from strokes.
    pub fn new(strokes: Vec<Vec<InkPoint>>) -> Self {
        Self { strokes }
    }

    /// Checks the limits every recogniser relies on: some points, not too many, all finite.
    pub fn validate(&self) -> Result<(), InkError> {
        if self.strokes.len() > MAX_INK_STROKES || self.point_count() > MAX_INK_POINTS {
            return Err(InkError::TooLarge);
        }
        if self.point_count() == 0 {
            return Err(InkError::Empty);
        }
        let ok = |v: f64| v.is_finite() && v.abs() <= MAX_INK_COORD;
        if self
            .points()
            .any(|p| !ok(p.x) || !ok(p.y) || p.t.is_some_and(|t| !t.is_finite()))
        {
            return Err(InkError::NotFinite);
        }
        Ok(())
    }

    /// All points of all strokes, in order.
    pub fn points(&self) -> impl Iterator<Item = &InkPoint> + '_ {
        self.strokes.iter().flatten()
    }

    /// How many points there are.
    pub fn point_count(&self) -> usize {
        self.strokes.iter().map(Vec::len).sum()
    }

    /// The bounding box, or `None` for empty ink.
    pub fn bounds(&self) -> Option<InkBounds> {
        let mut it = self.points();
        let first = it.next()?;
        let mut b = InkBounds {
            min_x: first.x,
            min_y: first.y,
            max_x: first.x,
            max_y: first.y,
        };
        for p in it {
            b.min_x = b.min_x.min(p.x);
            b.min_y = b.min_y.min(p.y);
            b.max_x = b.max_x.max(p.x);
            b.max_y = b.max_y.max(p.y);
        }
        Some(b)
    }

    /// Total pen-down path length.
    pub fn path_length(&self) -> f64 {
        self.strokes
            .iter()
            .map(|s| s.windows(2).map(|w| w[0].dist(w[1])).sum::<f64>())
            .sum()
    }

    /// Mirror vertically (for data recorded with y pointing up).
    pub fn flip_y(&mut self) {
        for p in self.strokes.iter_mut().flatten() {
            p.y = -p.y;
        }
    }

    /// Drops empty strokes and consecutive duplicate points (which carry no shape and make
    /// directions undefined).
    pub fn cleaned(&self) -> Ink {
        let strokes = self
            .strokes
            .iter()
            .filter_map(|s| {
                let mut out: Vec<InkPoint> = Vec::with_capacity(s.len());
                for p in s {
                    if out.last().is_none_or(|q| q.x != p.x || q.y != p.y) {
                        out.push(*p);
                    }
                }
                (!out.is_empty()).then_some(out)
            })
            .collect();
        Ink { strokes }
    }

    /// The ink moved so its bounding box is centred on the origin and scaled so the longer side
    /// is 2 (coordinates in [-1, 1]); the aspect ratio is kept, since it tells a line from a
    /// rectangle. Returns the ink with the centre and scale used (`original = p / scale + centre`).
    pub fn normalized(&self) -> Option<(Ink, InkPoint, f64)> {
        let b = self.bounds()?;
        let c = b.center();
        let side = b.width().max(b.height());
        let scale = if side > 0.0 { 2.0 / side } else { 1.0 };
        let strokes = self
            .strokes
            .iter()
            .map(|s| {
                s.iter()
                    .map(|p| InkPoint {
                        x: (p.x - c.x) * scale,
                        y: (p.y - c.y) * scale,
                        t: p.t,
                    })
                    .collect()
            })
            .collect();
        Some((Ink { strokes }, c, scale))
    }

    /// Each stroke resampled at equal arc-length `spacing` (the first and last points kept), so
    /// that fast and slow pens and different digitisers look alike.
    pub fn resampled(&self, spacing: f64) -> Ink {
        let strokes = self
            .strokes
            .iter()
            .filter(|s| !s.is_empty())
            .map(|s| resample_stroke(s, spacing))
            .collect();
        Ink { strokes }
    }

    /// Resampled to about `n` points in all, spread over the strokes by their length.
    pub fn resampled_to(&self, n: usize) -> Ink {
        let len = self.path_length();
        if len <= 0.0 {
            return self.cleaned();
        }
        self.resampled(len / n.max(2) as f64)
    }

    /// Rotated by `angle` radians about `center`.
    pub fn rotated(&self, angle: f64, center: InkPoint) -> Ink {
        let (s, c) = angle.sin_cos();
        self.map(|p| {
            let (dx, dy) = (p.x - center.x, p.y - center.y);
            InkPoint {
                x: center.x + dx * c - dy * s,
                y: center.y + dx * s + dy * c,
                t: p.t,
            }
        })
    }

    /// Every point transformed by `f`.
    pub fn map(&self, mut f: impl FnMut(InkPoint) -> InkPoint) -> Ink {
        Ink {
            strokes: self
                .strokes
                .iter()
                .map(|s| s.iter().map(|p| f(*p)).collect())
                .collect(),
        }
    }
}

fn resample_stroke(s: &[InkPoint], spacing: f64) -> Vec<InkPoint> {
    let mut out = vec![InkPoint::new(s[0].x, s[0].y)];
    if spacing <= 0.0 || !spacing.is_finite() {
        return out;
    }
    let mut carried = 0.0; // path length since the last emitted point
    let mut prev = out[0];
    for &p in &s[1..] {
        let p = InkPoint::new(p.x, p.y);
        let mut seg = prev.dist(p);
        while carried + seg >= spacing {
            let f = (spacing - carried) / seg;
            let q = prev.lerp(p, f);
            out.push(q);
            prev = q;
            seg = prev.dist(p);
            carried = 0.0;
        }
        carried += seg;
        prev = p;
    }
    let last = s[s.len() - 1];
    if out.last().is_some_and(|q| q.dist(last) > spacing * 0.25) || out.len() == 1 {
        out.push(InkPoint::new(last.x, last.y));
    }
    out
}

/// Which characters a handwriting reading may use: a hint from the caller (a number field wants
/// digits), since a lone "0" and "O" are the same ink.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Charset {
    /// Anything the model knows.
    #[default]
    Any,
    /// 0–9 only.
    Digits,
    /// A–Z and a–z only.
    Letters,
    /// A–Z only: a field that wants capitals (a room code), where a lone "C" and "c" are the same
    /// ink and only the caller knows which is meant.
    Upper,
    /// a–z only.
    Lower,
}

impl Charset {
    /// Whether `c` may appear in a reading.
    pub fn allows(self, c: char) -> bool {
        match self {
            Charset::Any => true,
            Charset::Digits => c.is_ascii_digit(),
            Charset::Letters => c.is_ascii_alphabetic(),
            Charset::Upper => c.is_ascii_uppercase(),
            Charset::Lower => c.is_ascii_lowercase(),
        }
    }
}

/// What the shape recogniser can say a piece of ink is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShapeClass {
    /// A rectangle or square, possibly rotated.
    Rectangle,
    /// An ellipse or circle, possibly rotated.
    Ellipse,
    /// A triangle.
    Triangle,
    /// A diamond (rhombus standing on a vertex).
    Diamond,
    /// A straight line.
    Line,
    /// A line with an arrowhead.
    Arrow,
    /// A five-pointed star.
    Star,
    /// A check mark.
    Check,
    /// A cross (×).
    Cross,
    /// Not a shape: the ink stays ink (letters, scribbles, braces…).
    None,
}

impl ShapeClass {
    /// Every class, in the order of the model's outputs.
    pub const ALL: [ShapeClass; 10] = [
        ShapeClass::Rectangle,
        ShapeClass::Ellipse,
        ShapeClass::Triangle,
        ShapeClass::Diamond,
        ShapeClass::Line,
        ShapeClass::Arrow,
        ShapeClass::Star,
        ShapeClass::Check,
        ShapeClass::Cross,
        ShapeClass::None,
    ];

    /// The snake_case name used on the wire.
    pub fn name(self) -> &'static str {
        match self {
            ShapeClass::Rectangle => "rectangle",
            ShapeClass::Ellipse => "ellipse",
            ShapeClass::Triangle => "triangle",
            ShapeClass::Diamond => "diamond",
            ShapeClass::Line => "line",
            ShapeClass::Arrow => "arrow",
            ShapeClass::Star => "star",
            ShapeClass::Check => "check",
            ShapeClass::Cross => "cross",
            ShapeClass::None => "none",
        }
    }

    /// The class of a snake_case name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.name() == name)
    }
}

/// A class with its probability.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Scored<T> {
    /// The class or reading.
    pub label: T,
    /// Probability in [0, 1].
    pub confidence: f32,
}

/// The shape recogniser's answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShapeRecognition {
    /// The best class (`none` when the ink should stay ink).
    pub class: ShapeClass,
    /// Probability of `class`.
    pub confidence: f32,
    /// The other classes, most likely first.
    pub alternatives: Vec<Scored<ShapeClass>>,
    /// The clean shape fitted to the ink, in the ink's coordinates; absent for `none`.
    pub shape: Option<fit::CleanShape>,
}

/// The handwriting recogniser's answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TextRecognition {
    /// The best reading (lexicon-rescored when a lexicon word fits well).
    pub text: String,
    /// Confidence of `text` in [0, 1].
    pub confidence: f32,
    /// Other readings, most likely first.
    pub alternatives: Vec<Scored<String>>,
    /// The reading without the lexicon.
    pub unconstrained: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(n: usize) -> Ink {
        Ink::new(vec![(0..n).map(|i| InkPoint::new(i as f64, 0.0)).collect()])
    }

    #[test]
    fn a_charset_admits_exactly_its_characters_and_parses_by_name() {
        let cases = [
            (Charset::Any, "0aZ-"),
            (Charset::Digits, "0"),
            (Charset::Letters, "aZ"),
            (Charset::Upper, "Z"),
            (Charset::Lower, "a"),
        ];
        for (charset, admitted) in cases {
            for c in "0aZ-".chars() {
                assert_eq!(charset.allows(c), admitted.contains(c), "{charset:?} {c}");
            }
        }
        let upper: Charset = serde_json::from_str("\"upper\"").unwrap();
        assert_eq!(upper, Charset::Upper);
        assert!(serde_json::from_str::<Charset>("\"capitals\"").is_err());
    }

    #[test]
    fn points_parse_with_and_without_time() {
        let ink: Ink =
            serde_json::from_str(r#"{"strokes":[[[1,2],[3,4,16],[5,6,null]]]}"#).unwrap();
        assert_eq!(ink.strokes[0][0], InkPoint::new(1.0, 2.0));
        assert_eq!(ink.strokes[0][1].t, Some(16.0));
        assert_eq!(ink.strokes[0][2].t, None);
        assert!(serde_json::from_str::<Ink>(r#"{"strokes":[[[1]]]}"#).is_err());
        assert!(serde_json::from_str::<Ink>(r#"{"strokes":[[[1,2,3,4]]]}"#).is_err());
        let back = serde_json::to_string(&ink).unwrap();
        assert_eq!(
            back,
            r#"{"strokes":[[[1.0,2.0],[3.0,4.0,16.0],[5.0,6.0]]]}"#
        );
    }

    #[test]
    fn validation_refuses_empty_huge_and_nan_ink() {
        assert_eq!(Ink::default().validate(), Err(InkError::Empty));
        assert_eq!(Ink::new(vec![vec![]]).validate(), Err(InkError::Empty));
        assert_eq!(line(MAX_INK_POINTS + 1).validate(), Err(InkError::TooLarge));
        let nan = Ink::new(vec![vec![InkPoint::new(f64::NAN, 0.0)]]);
        assert_eq!(nan.validate(), Err(InkError::NotFinite));
        assert_eq!(line(10).validate(), Ok(()));
    }

    #[test]
    fn resampling_spaces_points_evenly_and_keeps_ends() {
        let r = line(11).resampled(2.5);
        let xs: Vec<f64> = r.strokes[0].iter().map(|p| p.x).collect();
        assert_eq!(xs, vec![0.0, 2.5, 5.0, 7.5, 10.0]);
        let r = line(11).resampled_to(20);
        assert!(
            (r.point_count() as i64 - 21).abs() <= 1,
            "{}",
            r.point_count()
        );
    }

    #[test]
    fn normalisation_keeps_aspect_and_centres() {
        let (n, c, s) = line(11).normalized().unwrap();
        let b = n.bounds().unwrap();
        assert_eq!((b.min_x, b.max_x, b.min_y, b.max_y), (-1.0, 1.0, 0.0, 0.0));
        assert_eq!((c.x, c.y, s), (5.0, 0.0, 0.2));
    }
}
