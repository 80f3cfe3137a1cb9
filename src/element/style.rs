//! How elements look: colours, fills, strokes, corners, fonts, text alignment and arrowheads.
//! Plain values with Excalidraw's names on the wire; `Props` holds them.

use super::ElementError;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

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
    /// One sketchy line bouncing from side to side.
    Zigzag,
    /// A linear gradient between two or three colours ([`Gradient`]; the background colour and
    /// white when the element has none).
    Gradient,
    /// No fill.
    None,
}

/// The most stops a [`Gradient`] has (the colour panel offers two or three).
pub const MAX_GRADIENT_STOPS: usize = 3;

/// A linear gradient fill: evenly spaced colour stops along a direction.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Gradient {
    /// Two or three colours, from the start of the direction to its end, evenly spaced.
    pub stops: Vec<Color>,
    /// The direction in degrees: 0 runs left to right, 90 top to bottom (in the element's own
    /// frame, so it turns with the element).
    pub angle: f64,
}

impl Gradient {
    /// A two-stop gradient.
    pub fn new(from: Color, to: Color, angle: f64) -> Self {
        Self {
            stops: vec![from, to],
            angle,
        }
    }

    /// Checks the stop count and the angle.
    pub fn validate(&self) -> Result<(), ElementError> {
        if !(2..=MAX_GRADIENT_STOPS).contains(&self.stops.len()) {
            return Err(ElementError::InvalidStyle(
                "a gradient has two or three stops",
            ));
        }
        if !(self.angle.is_finite() && (-360.0..=360.0).contains(&self.angle)) {
            return Err(ElementError::InvalidStyle(
                "a gradient's angle is in degrees, within ±360",
            ));
        }
        Ok(())
    }
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

/// Whether a shape's corners (or a line's bends) are sharp or rounded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Roundness {
    /// Sharp corners, straight segments.
    #[default]
    Sharp,
    /// Rounded corners (boxes) or smooth curves through the points (lines, arrows).
    Round,
}

/// A text element's typeface, by role rather than by file (each back end maps it to a font it
/// has): Excalidraw's hand-drawn, normal and code families.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FontFamily {
    /// Hand-drawn look (Excalidraw's Virgil / Excalifont).
    #[default]
    Hand,
    /// A plain sans-serif.
    Normal,
    /// A monospace font for code.
    Code,
}

/// Horizontal alignment of text lines within the element's box.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TextAlign {
    /// Flush left.
    #[default]
    Left,
    /// Centred.
    Center,
    /// Flush right.
    Right,
}

/// Vertical alignment of a text block within the element's box (matters inside containers).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VerticalAlign {
    /// At the top.
    #[default]
    Top,
    /// Centred.
    Middle,
    /// At the bottom.
    Bottom,
}

/// What is drawn at one end of a line or arrow.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Arrowhead {
    /// Nothing.
    #[default]
    None,
    /// Two open barbs.
    Arrow,
    /// A filled triangle.
    Triangle,
    /// A short bar across the line.
    Bar,
    /// A filled dot.
    Dot,
}
