//! Elements: the shapes on a board.
//!
//! An [`Element`] is an id, a bag of [`Props`], and bookkeeping that sync relies on (`version`,
//! `version_nonce`, `updated_at`). The props are only reachable mutably through
//! [`Element::mutate`], which always bumps the version, so no code path can change a shape without
//! the sync layer noticing (the rule Excalidraw enforces with `mutateElement`).
//!
//! The model follows Excalidraw's element fields (roundness, points and pressures of strokes,
//! text and its font, containers, arrow bindings and arrowheads, groups, locking, links) so that
//! scenes can move between the two; every value arriving from outside is checked by
//! [`Props::validate`] before it can reach a scene. Fields added after the first release have
//! serde defaults, so events stored before them still load.

mod style;

pub use style::{
    Arrowhead, Color, FillStyle, FontFamily, Gradient, MAX_GRADIENT_STOPS, Roundness, StrokeStyle,
    TextAlign, VerticalAlign,
};

use crate::geom::{LocalPoint, Radians, Rect, WorldPoint};
use crate::index::FracIndex;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The largest absolute coordinate accepted (world units); beyond this, f64 precision makes
/// editing meaningless and it is more likely garbage input.
pub const MAX_COORD: f64 = 1.0e9;

/// The most points a line, arrow or freehand stroke may have. A long handwritten stroke sampled at
/// 120 Hz has a few thousand; the cap keeps one element's frame well under
/// [`crate::protocol::MAX_FRAME_BYTES`] (see the protocol's size test).
pub const MAX_POINTS: usize = 10_000;
/// The longest text of a text element, in characters.
pub const MAX_TEXT_CHARS: usize = 20_000;
/// The longest link, in bytes.
pub const MAX_LINK_BYTES: usize = 2048;
/// The deepest nesting of groups an element may be in.
pub const MAX_GROUP_DEPTH: usize = 32;
/// The longest group id, in bytes.
pub const MAX_GROUP_ID_BYTES: usize = 64;
/// The largest font size, in world units.
pub const MAX_FONT_SIZE: f64 = 1000.0;

/// A globally unique element id (random UUID v4), written as its hyphenated string.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ElementId(uuid::Uuid);

impl ElementId {
    /// A random (version 4) id made of 16 random bytes from the host: the core has no random
    /// source of its own (see [`crate::editor::Entropy`]), so that it builds for any target
    /// without one.
    pub const fn from_random_bytes(bytes: [u8; 16]) -> Self {
        Self(uuid::Builder::from_random_bytes(bytes).into_uuid())
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

/// Where an arrow's end is attached to another element: the arrow follows when it moves.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Binding {
    /// The element the end is attached to.
    pub element_id: ElementId,
    /// Where along the target the arrow aims, from -1 to 1 (0 is its centre), as in Excalidraw.
    pub focus: f64,
    /// Distance kept between the arrow's end and the target's outline, world units (≥ 0).
    pub gap: f64,
}

/// The shared impls of a string newtype whose `TryFrom<String>` checks it: parsing, reading,
/// and turning back into a `String` (for serde's `into`).
macro_rules! checked_string {
    ($name:ident) => {
        impl $name {
            /// The value as written.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl FromStr for $name {
            type Err = ElementError;
            fn from_str(s: &str) -> Result<Self, ElementError> {
                Self::try_from(s.to_owned())
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.0
            }
        }
    };
}

/// A group an element belongs to: elements sharing a group id select and move together.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct GroupId(String);

impl TryFrom<String> for GroupId {
    type Error = ElementError;
    /// 1–64 ASCII letters, digits, `-` or `_` (Excalidraw's random ids and UUIDs both fit).
    fn try_from(s: String) -> Result<Self, ElementError> {
        let ok = !s.is_empty()
            && s.len() <= MAX_GROUP_ID_BYTES
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if ok {
            Ok(Self(s))
        } else {
            Err(ElementError::InvalidGroupId)
        }
    }
}

checked_string!(GroupId);

/// A hyperlink attached to an element: `http(s)` or `mailto`, at most 2 KiB, no whitespace or
/// control characters. Other schemes (`javascript:`, `data:`) are refused because every viewer's
/// browser would open them.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Link(String);

impl TryFrom<String> for Link {
    type Error = ElementError;
    fn try_from(s: String) -> Result<Self, ElementError> {
        let lower = s.get(..8).unwrap_or(&s).to_ascii_lowercase();
        let scheme_ok = ["http://", "https://", "mailto:"]
            .iter()
            .any(|scheme| lower.starts_with(scheme) && s.len() > scheme.len());
        let chars_ok = !s.chars().any(|c| c.is_whitespace() || c.is_control());
        if scheme_ok && chars_ok && s.len() <= MAX_LINK_BYTES {
            Ok(Self(s))
        } else {
            Err(ElementError::InvalidLink)
        }
    }
}

checked_string!(Link);

impl ElementKind {
    /// Whether the shape is drawn through a list of points (line, arrow, freehand stroke).
    pub fn has_points(self) -> bool {
        matches!(self, Self::Line | Self::Arrow | Self::Freedraw)
    }

    /// Whether the shape is a closed outline inscribed in its box (rectangle, diamond, ellipse).
    pub fn is_box(self) -> bool {
        matches!(self, Self::Rectangle | Self::Diamond | Self::Ellipse)
    }
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
    /// Sharp or rounded corners.
    #[serde(default)]
    pub roundness: Roundness,
    /// Lines, arrows and freehand strokes: their points relative to `(x, y)`, before rotation
    /// (at most [`MAX_POINTS`]). Empty for other kinds.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub points: Vec<LocalPoint>,
    /// Freehand strokes: pen pressure (0–1) per point, or empty when the device reported none
    /// (the renderer then simulates it from speed).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pressures: Vec<f32>,
    /// Text elements: the text, lines separated by `\n` (at most [`MAX_TEXT_CHARS`]).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub text: String,
    /// Text elements: the typeface.
    #[serde(default)]
    pub font_family: FontFamily,
    /// Text elements: the font size in world units (0 < size ≤ [`MAX_FONT_SIZE`]).
    #[serde(default = "default_font_size")]
    pub font_size: f64,
    /// Text elements: horizontal alignment.
    #[serde(default)]
    pub text_align: TextAlign,
    /// Text elements: vertical alignment within the box.
    #[serde(default)]
    pub vertical_align: VerticalAlign,
    /// Text inside a shape: the shape containing it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_id: Option<ElementId>,
    /// Lines and arrows: what their first point is attached to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_binding: Option<Binding>,
    /// Lines and arrows: what their last point is attached to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_binding: Option<Binding>,
    /// Lines and arrows: the head drawn at the first point.
    #[serde(default)]
    pub start_arrowhead: Arrowhead,
    /// Lines and arrows: the head drawn at the last point.
    #[serde(default)]
    pub end_arrowhead: Arrowhead,
    /// The groups this element is in, outermost first and innermost last (Excalidraw's order).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub group_ids: Vec<GroupId>,
    /// Locked elements cannot be selected or changed by pointer gestures (still by explicit ops,
    /// e.g. to unlock them).
    #[serde(default)]
    pub locked: bool,
    /// A hyperlink opened from the element.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<Link>,
    /// Where the hand-drawn look's randomness starts (Excalidraw's `seed`): the same seed draws
    /// the same sketchy strokes everywhere. 0 means "not chosen yet": the renderer then derives
    /// one from the paint-order index, and creating the element fixes it ([`Props::seed`]).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub seed: u32,
    /// The gradient of [`FillStyle::Gradient`] fills.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gradient: Option<Gradient>,
}

fn is_zero(v: &u32) -> bool {
    *v == 0
}

/// Excalidraw's default font size.
fn default_font_size() -> f64 {
    20.0
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
            roundness: Roundness::default(),
            points: Vec::new(),
            pressures: Vec::new(),
            text: String::new(),
            font_family: FontFamily::default(),
            font_size: default_font_size(),
            text_align: TextAlign::default(),
            vertical_align: VerticalAlign::default(),
            container_id: None,
            start_binding: None,
            end_binding: None,
            start_arrowhead: Arrowhead::None,
            end_arrowhead: if kind == ElementKind::Arrow {
                Arrowhead::Arrow
            } else {
                Arrowhead::None
            },
            group_ids: Vec::new(),
            locked: false,
            link: None,
            seed: 0,
            gradient: None,
        }
    }

    /// The seed the hand-drawn look uses: the element's own, or (before creation fixed one)
    /// one derived from its paint-order index, so a shape being drawn already looks as it will.
    pub fn seed(&self) -> u32 {
        if self.seed != 0 {
            return self.seed;
        }
        // FNV-1a: tiny, stable across platforms and versions (std's hasher is neither).
        let mut h: u32 = 0x811c_9dc5;
        for b in self.index.as_str().bytes() {
            h = (h ^ u32::from(b)).wrapping_mul(0x0100_0193);
        }
        h.max(1)
    }

    /// Props for a line, arrow or freehand stroke through `points` (world coordinates): the box
    /// is their bounding box and the points are stored relative to its corner. `None` if there
    /// are no points.
    pub fn through(kind: ElementKind, points: &[WorldPoint], index: FracIndex) -> Option<Self> {
        let bounds = Rect::bounding(points.iter().copied())?;
        let mut props = Self::new(kind, bounds, index);
        props.points = points
            .iter()
            .map(|p| LocalPoint::new(p.x - bounds.min.x, p.y - bounds.min.y))
            .collect();
        Some(props)
    }

    /// Props for a text element whose top-left corner is `at`. The box is a first estimate from
    /// the font size (the browser, which can measure text, refines it).
    pub fn text(at: WorldPoint, text: &str, font_size: f64, index: FracIndex) -> Self {
        let lines: Vec<&str> = text.split('\n').collect();
        let longest = lines.iter().map(|l| l.chars().count()).max().unwrap_or(0);
        let bounds = Rect::from_corners(
            at,
            WorldPoint::new(
                at.x + longest as f64 * font_size * AVERAGE_CHAR_WIDTH,
                at.y + lines.len() as f64 * font_size * LINE_HEIGHT,
            ),
        );
        let mut props = Self::new(ElementKind::Text, bounds, index);
        props.text = text.to_owned();
        props.font_size = font_size;
        props
    }

    /// A point of this element (relative to its corner) in world coordinates, rotation included.
    pub fn to_world(&self, p: LocalPoint) -> WorldPoint {
        WorldPoint::new(self.x + p.x, self.y + p.y).rotate_about(self.rect().center(), self.angle)
    }

    /// Lines, arrows and strokes: every point in world coordinates, rotation included.
    pub fn world_points(&self) -> Vec<WorldPoint> {
        self.points.iter().map(|&q| self.to_world(q)).collect()
    }

    /// Lines, arrows and strokes: moves the points to `world` (world coordinates), keeping the
    /// element's rotation. The box becomes the points' bounding box in the element's own
    /// (unrotated) frame, placed so that turning it about its new centre puts every point where
    /// it was asked to be. Nothing changes if `world` is empty.
    pub fn set_world_points(&mut self, world: &[WorldPoint]) {
        let back = Radians(-self.angle.0);
        let unturned: Vec<WorldPoint> = world
            .iter()
            .map(|p| p.rotate_about(WorldPoint::ORIGIN, back))
            .collect();
        let Some(b) = Rect::bounding(unturned.iter().copied()) else {
            return;
        };
        // Turning about the origin and turning about the box centre differ by a translation:
        // the box goes where its centre, turned forward, lands.
        // (Unrotated, the corner is exactly the bounding box's: no rounding from the detour.)
        if self.angle.0 == 0.0 {
            (self.x, self.y) = (b.min.x, b.min.y);
        } else {
            let m = b.center();
            let c = m.rotate_about(WorldPoint::ORIGIN, self.angle);
            self.x = b.min.x - m.x + c.x;
            self.y = b.min.y - m.y + c.y;
        }
        self.width = b.width();
        self.height = b.height();
        self.points = unturned
            .iter()
            .map(|p| LocalPoint::new(p.x - b.min.x, p.y - b.min.y))
            .collect();
    }

    /// What a deleted element keeps: its kind and paint position and the deletion itself, and
    /// nothing a user made (geometry, style, text, points, links, groups, bindings). Tombstones
    /// are sent to every joiner, so erased text must not be readable in them; undo brings an
    /// element back with a patch carrying all of it ([`crate::ops::Patch::restore`]).
    pub fn tombstone(&self) -> Props {
        let origin = WorldPoint::new(0.0, 0.0);
        let mut t = Props::new(
            self.kind,
            Rect::from_corners(origin, origin),
            self.index.clone(),
        );
        t.end_arrowhead = Arrowhead::None;
        t.is_deleted = true;
        t
    }

    /// Roughly how many bytes the element takes as JSON (and, within a small factor, in
    /// memory): what room quotas and export caps count. Cheap: no serialisation.
    pub fn approx_bytes(&self) -> usize {
        const FIXED: usize = 600; // every scalar field with its camelCase name
        FIXED
            + self.points.len() * 40
            + self.pressures.len() * 12
            + self.text.len()
            + self.group_ids.len() * 40
            + self.link.as_ref().map_or(0, |l| l.as_str().len())
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
        if let Some(g) = &self.gradient {
            g.validate()?;
        }
        self.validate_points()?;
        self.validate_text()?;
        for b in [&self.start_binding, &self.end_binding]
            .into_iter()
            .flatten()
        {
            if !(b.focus.is_finite() && (-1.0..=1.0).contains(&b.focus)) {
                return Err(ElementError::InvalidBinding("focus must be in [-1, 1]"));
            }
            if !(b.gap.is_finite() && b.gap >= 0.0 && b.gap <= MAX_COORD) {
                return Err(ElementError::InvalidBinding(
                    "gap must be finite and not negative",
                ));
            }
        }
        let bound = self.start_binding.is_some() || self.end_binding.is_some();
        let headed =
            self.start_arrowhead != Arrowhead::None || self.end_arrowhead != Arrowhead::None;
        if (bound || headed) && !matches!(self.kind, ElementKind::Line | ElementKind::Arrow) {
            return Err(ElementError::InvalidBinding(
                "only lines and arrows have bindings and arrowheads",
            ));
        }
        if self.group_ids.len() > MAX_GROUP_DEPTH {
            return Err(ElementError::InvalidGroupId);
        }
        Ok(())
    }

    fn validate_points(&self) -> Result<(), ElementError> {
        if !self.kind.has_points() {
            return if self.points.is_empty() && self.pressures.is_empty() {
                Ok(())
            } else {
                Err(ElementError::InvalidGeometry(
                    "only lines, arrows and freehand strokes have points",
                ))
            };
        }
        if self.points.len() > MAX_POINTS {
            return Err(ElementError::TooManyPoints {
                count: self.points.len(),
                max: MAX_POINTS,
            });
        }
        let in_range = |v: f64| v.is_finite() && v.abs() <= MAX_COORD;
        if !self.points.iter().all(|p| in_range(p.x) && in_range(p.y)) {
            return Err(ElementError::InvalidGeometry("points must be finite"));
        }
        if !self.pressures.is_empty() {
            if self.kind != ElementKind::Freedraw || self.pressures.len() != self.points.len() {
                return Err(ElementError::InvalidGeometry(
                    "pressures belong to freehand strokes, one per point",
                ));
            }
            if !self.pressures.iter().all(|p| (0.0..=1.0).contains(p)) {
                return Err(ElementError::InvalidGeometry(
                    "pressures must be between 0 and 1",
                ));
            }
        }
        Ok(())
    }

    fn validate_text(&self) -> Result<(), ElementError> {
        if !(self.font_size.is_finite() && self.font_size > 0.0 && self.font_size <= MAX_FONT_SIZE)
        {
            return Err(ElementError::InvalidStyle("font size must be in (0, 1000]"));
        }
        if self.text.is_empty() {
            return Ok(());
        }
        if self.kind != ElementKind::Text {
            return Err(ElementError::InvalidText("only text elements have text"));
        }
        if self.text.chars().count() > MAX_TEXT_CHARS {
            return Err(ElementError::InvalidText(
                "text is longer than 20000 characters",
            ));
        }
        if self
            .text
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t')
        {
            return Err(ElementError::InvalidText(
                "text may not contain control characters",
            ));
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
        check(id, &props)?;
        Ok(Self {
            id,
            props,
            version: 1,
            version_nonce: nonce,
            updated_at: now_ms,
        })
    }

    /// A deleted element with only what its tombstone keeps ([`Props::tombstone`]), its
    /// version unchanged: for tombstones stored before they were stripped.
    pub fn stripped(mut self) -> Self {
        if self.props.is_deleted {
            self.props = self.props.tombstone();
        }
        self
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
        if next.is_deleted {
            next = next.tombstone();
        }
        check(self.id, &next)?;
        self.props = next;
        self.version = self.version.wrapping_add(1);
        self.version_nonce = nonce;
        self.updated_at = now_ms;
        Ok(())
    }

    /// Validates an element that arrived from outside (the network or storage).
    pub fn validate(&self) -> Result<(), ElementError> {
        check(self.id, &self.props)
    }

    /// World-space bounding box of everything the element paints (rotation, stroke width and
    /// arrowheads included; see [`crate::shape::bounds`]).
    pub fn bounds(&self) -> Rect {
        crate::shape::bounds(&self.props)
    }
}

/// The props' own invariants plus those that involve the element's id: nothing may contain,
/// bind to, or be itself.
fn check(id: ElementId, props: &Props) -> Result<(), ElementError> {
    props.validate()?;
    let bound_to_self = [&props.start_binding, &props.end_binding]
        .into_iter()
        .flatten()
        .any(|b| b.element_id == id);
    if bound_to_self || props.container_id == Some(id) {
        return Err(ElementError::InvalidBinding(
            "an element cannot be bound to or contained in itself",
        ));
    }
    Ok(())
}

/// Line height as a multiple of the font size (Excalidraw's 1.25).
pub const LINE_HEIGHT: f64 = 1.25;
/// A rough average glyph width as a multiple of the font size, for first estimates of text boxes
/// where nothing can measure text (the core, the server).
pub const AVERAGE_CHAR_WIDTH: f64 = 0.55;

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
    /// A line, arrow or stroke with more than [`MAX_POINTS`] points.
    #[error("too many points: {count} (at most {max})")]
    TooManyPoints {
        /// How many points there were.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// Text that is too long or contains control characters.
    #[error("invalid text: {0}")]
    InvalidText(&'static str),
    /// A binding, container or arrowhead that makes no sense.
    #[error("invalid binding: {0}")]
    InvalidBinding(&'static str),
    /// A group id that is empty, too long, has odd characters, or too many groups.
    #[error("invalid group id (1-64 of a-z, A-Z, 0-9, - and _; at most 32 groups)")]
    InvalidGroupId,
    /// A link that is not an http(s) or mailto URL of at most 2 KiB.
    #[error("invalid link (http, https or mailto; at most 2048 bytes)")]
    InvalidLink,
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
        let id = ElementId::from_random_bytes(*b"sixteen bytes...");
        assert_eq!(id.to_string().parse::<ElementId>().unwrap(), id);
        assert_eq!("nope".parse::<ElementId>(), Err(ElementError::InvalidId));
    }

    #[test]
    fn ids_from_random_bytes_are_version_4_uuids() {
        let id = ElementId::from_random_bytes([0xff; 16]).to_string();
        assert_eq!(id, "ffffffff-ffff-4fff-bfff-ffffffffffff");
    }

    fn stroke(kind: ElementKind, n: usize) -> Props {
        let pts: Vec<WorldPoint> = (0..n)
            .map(|i| WorldPoint::new(i as f64, (i % 7) as f64))
            .collect();
        Props::through(kind, &pts, FracIndex::between(None, None).unwrap()).unwrap()
    }

    #[test]
    fn events_stored_before_the_new_fields_still_load_with_defaults() {
        let old = r##"{"id":"00000000-0000-0000-0000-000000000001","kind":"rectangle","x":1,"y":2,
            "width":3,"height":4,"angle":0,"strokeColor":"#1e1e1e","backgroundColor":"transparent",
            "fillStyle":"hachure","strokeWidth":2,"strokeStyle":"solid","roughness":1,"opacity":100,
            "index":"a0","isDeleted":false,"version":1,"versionNonce":0,"updatedAt":0}"##;
        let e: Element = serde_json::from_str(old).unwrap();
        let p = e.props();
        assert_eq!(p.roundness, Roundness::Sharp);
        assert!(p.points.is_empty() && p.text.is_empty() && p.group_ids.is_empty());
        assert_eq!(
            (p.font_size, p.locked, p.link.as_ref()),
            (20.0, false, None)
        );
        e.validate().unwrap();
    }

    #[test]
    fn strokes_keep_local_points_and_serialize_them_as_pairs() {
        let p = stroke(ElementKind::Freedraw, 3);
        assert_eq!((p.x, p.y), (0.0, 0.0));
        let e = Element::new(ElementId::from_u128(1), p, 0, 0).unwrap();
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["points"][2], serde_json::json!([2.0, 2.0]));
        assert!(json.get("text").is_none(), "empty fields stay off the wire");
        assert_eq!(serde_json::from_value::<Element>(json).unwrap(), e);
    }

    #[test]
    fn more_than_the_maximum_number_of_points_is_refused_with_a_clear_error() {
        let at_cap = stroke(ElementKind::Line, MAX_POINTS);
        assert!(Element::new(ElementId::from_u128(1), at_cap, 0, 0).is_ok());
        let over = stroke(ElementKind::Line, MAX_POINTS + 1);
        let err = Element::new(ElementId::from_u128(1), over, 0, 0).unwrap_err();
        assert_eq!(
            err,
            ElementError::TooManyPoints {
                count: MAX_POINTS + 1,
                max: MAX_POINTS
            }
        );
        assert!(err.to_string().contains("10000"));
    }

    #[test]
    fn points_pressures_text_and_bindings_are_checked() {
        let id = ElementId::from_u128(1);
        let other = ElementId::from_u128(2);
        type Breaker = fn(&mut Props);
        let cases: [(ElementKind, Breaker); 11] = [
            (ElementKind::Line, |p| p.points[1].x = f64::NAN),
            (ElementKind::Rectangle, |p| {
                p.points = vec![LocalPoint::new(0.0, 0.0)]
            }),
            (ElementKind::Freedraw, |p| p.pressures = vec![0.5]),
            (ElementKind::Freedraw, |p| p.pressures = vec![1.5; 3]),
            (ElementKind::Line, |p| p.pressures = vec![0.5; 3]),
            (ElementKind::Rectangle, |p| p.text = "hi".into()),
            (ElementKind::Text, |p| p.text = "bell\u{7}".into()),
            (ElementKind::Text, |p| p.font_size = 0.0),
            (ElementKind::Arrow, |p| {
                p.end_binding = Some(Binding {
                    element_id: ElementId::from_u128(2),
                    focus: 2.0,
                    gap: 0.0,
                })
            }),
            (ElementKind::Rectangle, |p| p.end_arrowhead = Arrowhead::Dot),
            (ElementKind::Text, |p| {
                p.container_id = Some(ElementId::from_u128(1))
            }),
        ];
        for (kind, break_it) in cases {
            let mut p = if kind.has_points() {
                stroke(kind, 3)
            } else {
                rect_props()
            };
            p.kind = kind;
            assert!(
                Element::new(id, p.clone(), 0, 0).is_ok(),
                "{kind:?} fixture"
            );
            break_it(&mut p);
            assert!(Element::new(id, p, 0, 0).is_err(), "{kind:?}");
        }
        let mut arrow = stroke(ElementKind::Arrow, 3);
        arrow.start_binding = Some(Binding {
            element_id: other,
            focus: -0.5,
            gap: 4.0,
        });
        assert!(Element::new(id, arrow.clone(), 0, 0).is_ok());
        arrow.end_binding = arrow.start_binding.map(|b| Binding {
            element_id: id,
            ..b
        });
        assert!(
            matches!(
                Element::new(id, arrow, 0, 0),
                Err(ElementError::InvalidBinding(_))
            ),
            "bound to itself"
        );
    }

    #[test]
    fn links_and_group_ids_are_parsed_not_trusted() {
        assert!("https://example.com/a?b=c".parse::<Link>().is_ok());
        assert!("mailto:ada@example.com".parse::<Link>().is_ok());
        for bad in [
            "javascript:alert(1)",
            "data:text/html,x",
            "https://",
            "https://a b",
            "",
        ] {
            assert_eq!(bad.parse::<Link>(), Err(ElementError::InvalidLink), "{bad}");
        }
        assert!(serde_json::from_str::<Link>(r#""JavaScript:alert(1)""#).is_err());
        assert!("g-1_A".parse::<GroupId>().is_ok());
        for bad in ["", "a b", "é", &"x".repeat(65)] {
            assert!(bad.parse::<GroupId>().is_err(), "{bad}");
        }
        let mut p = rect_props();
        p.group_ids = vec!["g".parse().unwrap(); MAX_GROUP_DEPTH + 1];
        assert_eq!(p.validate(), Err(ElementError::InvalidGroupId));
    }

    #[test]
    fn local_points_map_to_world_through_position_and_rotation() {
        let mut p = stroke(ElementKind::Line, 2);
        p.x = 10.0;
        assert_eq!(
            p.to_world(LocalPoint::new(1.0, 1.0)),
            WorldPoint::new(11.0, 1.0)
        );
        p.angle = Radians(std::f64::consts::PI);
        // Half a turn about the box centre (10.5, 0.5) maps the end to the start.
        let w = p.to_world(LocalPoint::new(1.0, 1.0));
        assert!((w.x - 10.0).abs() < 1e-9 && (w.y - 0.0).abs() < 1e-9);
    }
}
