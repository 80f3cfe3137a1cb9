//! Elements: the shapes on a board.
//!
//! An [`Element`] is an id, a bag of [`Props`], and bookkeeping that sync relies on (`version`,
//! `version_nonce`, `updated_at`). The props are only reachable mutably through
//! [`Element::mutate`], which always bumps the version, so no code path can change a shape without
//! the sync layer noticing (the rule Excalidraw enforces with `mutateElement`).

use crate::geom::{Radians, Rect, WorldPoint};
use crate::index::FracIndex;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The largest absolute coordinate accepted (world units); beyond this, f64 precision makes
/// editing meaningless and it is more likely garbage input.
pub const MAX_COORD: f64 = 1.0e9;

/// A globally unique element id (random UUID v4), written as its hyphenated string.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ElementId(uuid::Uuid);

impl ElementId {
    /// A fresh random id.
    pub fn new_random() -> Self {
        Self(uuid::Uuid::new_v4())
    }

    /// An id from its 128-bit value (deterministic ids for tests and benchmarks).
    pub const fn from_u128(v: u128) -> Self {
        Self(uuid::Uuid::from_u128(v))
    }
}

impl fmt::Display for ElementId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for ElementId {
    type Err = ElementError;
    fn from_str(s: &str) -> Result<Self, ElementError> {
        uuid::Uuid::parse_str(s)
            .map(Self)
            .map_err(|_| ElementError::InvalidId)
    }
}

/// What kind of shape an element is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ElementKind {
    /// An axis-aligned (before rotation) rectangle.
    Rectangle,
    /// A rhombus inscribed in the element's box.
    Diamond,
    /// An ellipse inscribed in the element's box.
    Ellipse,
    /// A polyline.
    Line,
    /// A polyline with arrowheads.
    Arrow,
    /// Freehand ink.
    Freedraw,
    /// A text block.
    Text,
}

/// An sRGB colour with alpha, written as `#rrggbb`, `#rrggbbaa` or `transparent`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Color {
    /// Red.
    pub r: u8,
    /// Green.
    pub g: u8,
    /// Blue.
    pub b: u8,
    /// Alpha (255 is opaque).
    pub a: u8,
}

impl Color {
    /// Fully transparent.
    pub const TRANSPARENT: Self = Self::rgba(0, 0, 0, 0);
    /// The default ink colour (near-black, as in Excalidraw).
    pub const INK: Self = Self::rgba(0x1e, 0x1e, 0x1e, 0xff);

    /// A colour from its components.
    pub const fn rgba(r: u8, g: u8, b: u8, a: u8) -> Self {
        Self { r, g, b, a }
    }

    /// Whether painting with this colour would show nothing.
    pub fn is_transparent(&self) -> bool {
        self.a == 0
    }
}

impl fmt::Display for Color {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.a {
            0 => f.write_str("transparent"),
            255 => write!(f, "#{:02x}{:02x}{:02x}", self.r, self.g, self.b),
            a => write!(f, "#{:02x}{:02x}{:02x}{:02x}", self.r, self.g, self.b, a),
        }
    }
}

impl FromStr for Color {
    type Err = ElementError;
    fn from_str(s: &str) -> Result<Self, ElementError> {
        if s == "transparent" {
            return Ok(Self::TRANSPARENT);
        }
        let bad = || ElementError::InvalidColor(s.chars().take(32).collect());
        let hex = s.strip_prefix('#').ok_or_else(bad)?;
        if !hex.is_ascii() {
            return Err(bad());
        }
        let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).map_err(|_| bad());
        match hex.len() {
            6 => Ok(Self::rgba(byte(0)?, byte(2)?, byte(4)?, 255)),
            8 => Ok(Self::rgba(byte(0)?, byte(2)?, byte(4)?, byte(6)?)),
            _ => Err(bad()),
        }
    }
}

impl Serialize for Color {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Color {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// How a closed shape's interior is filled.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FillStyle {
    /// Solid background colour.
    Solid,
    /// Sketchy parallel lines.
    #[default]
    Hachure,
    /// Sketchy crossed lines.
    CrossHatch,
    /// No fill.
    None,
}

/// How outlines are stroked.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StrokeStyle {
    /// A continuous line.
    #[default]
    Solid,
    /// Dashes.
    Dashed,
    /// Dots.
    Dotted,
}

/// Everything about an element that users edit. Plain data: change it only through
/// [`Element::mutate`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Props {
    /// The shape kind.
    pub kind: ElementKind,
    /// Left edge of the unrotated box, world units.
    pub x: f64,
    /// Top edge of the unrotated box, world units.
    pub y: f64,
    /// Width of the unrotated box (≥ 0).
    pub width: f64,
    /// Height of the unrotated box (≥ 0).
    pub height: f64,
    /// Rotation about the box centre.
    pub angle: Radians,
    /// Outline colour.
    pub stroke_color: Color,
    /// Fill colour.
    pub background_color: Color,
    /// Fill pattern.
    pub fill_style: FillStyle,
    /// Outline width in world units (0 < w ≤ 100).
    pub stroke_width: f64,
    /// Outline pattern.
    pub stroke_style: StrokeStyle,
    /// Sketchiness: 0 architect, 1 artist, 2 cartoonist.
    pub roughness: u8,
    /// Opacity in percent (0–100).
    pub opacity: u8,
    /// Paint order (ascending).
    pub index: FracIndex,
    /// Tombstone: deleted elements stay so that concurrent edits cannot resurrect them.
    pub is_deleted: bool,
}

impl Props {
    /// Props for a new shape of `kind` occupying `bounds`, with Excalidraw's default style.
    pub fn new(kind: ElementKind, bounds: Rect, index: FracIndex) -> Self {
        Self {
            kind,
            x: bounds.min.x,
            y: bounds.min.y,
            width: bounds.width(),
            height: bounds.height(),
            angle: Radians::ZERO,
            stroke_color: Color::INK,
            background_color: Color::TRANSPARENT,
            fill_style: FillStyle::default(),
            stroke_width: 2.0,
            stroke_style: StrokeStyle::default(),
            roughness: 1,
            opacity: 100,
            index,
            is_deleted: false,
        }
    }

    /// The unrotated box.
    pub fn rect(&self) -> Rect {
        Rect::from_corners(
            WorldPoint::new(self.x, self.y),
            WorldPoint::new(self.x + self.width, self.y + self.height),
        )
    }

    /// Checks the invariants every stored element must satisfy.
    pub fn validate(&self) -> Result<(), ElementError> {
        let finite_coord = |v: f64| v.is_finite() && v.abs() <= MAX_COORD;
        if !(finite_coord(self.x) && finite_coord(self.y)) {
            return Err(ElementError::InvalidGeometry("position must be finite"));
        }
        if !(finite_coord(self.width) && finite_coord(self.height))
            || self.width < 0.0
            || self.height < 0.0
        {
            return Err(ElementError::InvalidGeometry(
                "size must be finite and not negative",
            ));
        }
        if !self.angle.0.is_finite() {
            return Err(ElementError::InvalidGeometry("angle must be finite"));
        }
        if !(self.stroke_width > 0.0 && self.stroke_width <= 100.0) {
            return Err(ElementError::InvalidStyle(
                "stroke width must be in (0, 100]",
            ));
        }
        if self.opacity > 100 {
            return Err(ElementError::InvalidStyle("opacity must be at most 100"));
        }
        if self.roughness > 2 {
            return Err(ElementError::InvalidStyle("roughness must be 0, 1 or 2"));
        }
        Ok(())
    }
}

/// An element as stored, synced and painted.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Element {
    /// Stable identity.
    pub id: ElementId,
    #[serde(flatten)]
    props: Props,
    /// Incremented by every mutation.
    version: u32,
    /// Random per mutation; breaks ties between equal versions deterministically.
    version_nonce: u32,
    /// Milliseconds since the Unix epoch of the last mutation (supplied by the caller: no clocks
    /// in the core).
    updated_at: i64,
}

impl Element {
    /// A new element at version 1. Fails if `props` break an invariant.
    pub fn new(id: ElementId, props: Props, nonce: u32, now_ms: i64) -> Result<Self, ElementError> {
        props.validate()?;
        Ok(Self {
            id,
            props,
            version: 1,
            version_nonce: nonce,
            updated_at: now_ms,
        })
    }

    /// Read access to the editable properties.
    pub fn props(&self) -> &Props {
        &self.props
    }

    /// The mutation counter.
    pub fn version(&self) -> u32 {
        self.version
    }

    /// The tie-breaking nonce of the last mutation.
    pub fn version_nonce(&self) -> u32 {
        self.version_nonce
    }

    /// When the element last changed (ms since the epoch).
    pub fn updated_at(&self) -> i64 {
        self.updated_at
    }

    /// Changes the element's props through `f`, then bumps the version. If the result breaks an
    /// invariant, the element is left exactly as it was and the error returned.
    pub fn mutate(
        &mut self,
        nonce: u32,
        now_ms: i64,
        f: impl FnOnce(&mut Props),
    ) -> Result<(), ElementError> {
        let mut next = self.props.clone();
        f(&mut next);
        next.validate()?;
        self.props = next;
        self.version = self.version.wrapping_add(1);
        self.version_nonce = nonce;
        self.updated_at = now_ms;
        Ok(())
    }

    /// Validates an element that arrived from outside (the network or storage).
    pub fn validate(&self) -> Result<(), ElementError> {
        self.props.validate()
    }

    /// World-space bounding box, rotation included.
    pub fn bounds(&self) -> Rect {
        self.props.rect().rotated_bounds(self.props.angle)
    }
}

/// Why an element (or a value inside one) was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ElementError {
    /// Not a valid element id.
    #[error("invalid element id")]
    InvalidId,
    /// Not a colour this model understands.
    #[error("invalid colour {0:?}")]
    InvalidColor(String),
    /// Coordinates or sizes out of range.
    #[error("invalid geometry: {0}")]
    InvalidGeometry(&'static str),
    /// A style value out of range.
    #[error("invalid style: {0}")]
    InvalidStyle(&'static str),
    /// An element with this id is already present.
    #[error("duplicate element id {0}")]
    Duplicate(ElementId),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rect_props() -> Props {
        Props::new(
            ElementKind::Rectangle,
            Rect::from_corners(WorldPoint::new(0.0, 0.0), WorldPoint::new(10.0, 5.0)),
            FracIndex::between(None, None).unwrap(),
        )
    }

    #[test]
    fn mutating_bumps_the_version_and_records_nonce_and_time() {
        let mut e = Element::new(ElementId::from_u128(1), rect_props(), 7, 100).unwrap();
        assert_eq!(e.version(), 1);
        e.mutate(99, 200, |p| p.x += 5.0).unwrap();
        assert_eq!(
            (e.version(), e.version_nonce(), e.updated_at()),
            (2, 99, 200)
        );
        assert_eq!(e.props().x, 5.0);
    }

    #[test]
    fn an_invalid_mutation_leaves_the_element_untouched() {
        let mut e = Element::new(ElementId::from_u128(1), rect_props(), 7, 100).unwrap();
        let before = e.clone();
        let err = e.mutate(1, 2, |p| p.x = f64::NAN).unwrap_err();
        assert!(matches!(err, ElementError::InvalidGeometry(_)));
        assert_eq!(e, before);
    }

    #[test]
    fn new_rejects_nan_negative_and_out_of_range_values() {
        let cases: [fn(&mut Props); 6] = [
            |p| p.y = f64::INFINITY,
            |p| p.width = -1.0,
            |p| p.x = 2.0 * MAX_COORD,
            |p| p.stroke_width = 0.0,
            |p| p.opacity = 101,
            |p| p.angle = Radians(f64::NAN),
        ];
        for break_it in cases {
            let mut p = rect_props();
            break_it(&mut p);
            assert!(Element::new(ElementId::from_u128(1), p, 0, 0).is_err());
        }
    }

    #[test]
    fn colours_round_trip_through_their_text_form() {
        for s in ["#1e1e1e", "#ff000080", "transparent"] {
            let c: Color = s.parse().unwrap();
            assert_eq!(c.to_string(), s);
        }
        for bad in ["red", "#12345", "#gg0000", "#ééé", ""] {
            assert!(bad.parse::<Color>().is_err(), "{bad}");
        }
    }

    #[test]
    fn elements_serialize_as_flat_camel_case_json_and_back() {
        let e = Element::new(ElementId::from_u128(42), rect_props(), 3, 1_700_000_000_000).unwrap();
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["kind"], "rectangle");
        assert_eq!(json["strokeColor"], "#1e1e1e");
        assert_eq!(json["versionNonce"], 3);
        assert_eq!(json["index"], "a0");
        let back: Element = serde_json::from_value(json).unwrap();
        assert_eq!(back, e);
    }

    #[test]
    fn element_ids_parse_from_their_display_form() {
        let id = ElementId::new_random();
        assert_eq!(id.to_string().parse::<ElementId>().unwrap(), id);
        assert_eq!("nope".parse::<ElementId>(), Err(ElementError::InvalidId));
    }
}
