//! Tools as explicit state machines fed with pointer events (tldraw's approach: each tool is a
//! small set of named states, e.g. the select tool's Idle → Pointing → Translating | Resizing |
//! Rotating | Brushing).
//!
//! A tool never changes the scene. It reads it through a [`ToolContext`], shows what a gesture
//! would do as a [`Preview`] (shapes being drawn, shapes being moved, shapes about to be erased),
//! and when the gesture ends answers with a [`ToolOutcome`]: the [`Edit`]s to make. The
//! [`crate::editor::Editor`] turns those into ops, applies them as *one* undoable action and queues
//! them for the server, so every tool gets undo, sync and validation for free, and the same tools
//! drive the browser and the native tests.
//!
//! Pointer-down and pointer-move can only ask for a repaint ([`Feedback`]); only pointer-up
//! produces edits. That is a type-level guarantee that a gesture commits at most once and that
//! half-finished gestures never reach other people.
//!
//! # Layout
//! - [`select`]: the selection tool (click, shift-click, marquee, move, resize, rotate) and the
//!   selection frame with its handles.
//! - [`transform`]: the geometry of moving, resizing and rotating elements.
//! - [`points`]: dragging the points of the one selected line or arrow.
//! - [`draw`]: box shapes, lines and arrows, and freehand ink.
//! - [`text`]: placing and re-opening text for in-place editing.
//! - [`eraser`]: deletes what the pointer drags over.
//! - [`grid`]: snapping to the grid while it is shown.
//! - [`laser`]: the laser pointer's fading trail (shows, never edits).
//! - [`convert`]: recognised ink (clean shapes, text) turned into elements.

pub mod convert;
pub mod draw;
pub mod eraser;
pub mod grid;
pub mod laser;
pub mod points;
pub mod select;
pub mod text;
pub mod transform;

pub use draw::{BoxTool, FreedrawTool, LinearTool};
pub use eraser::EraserTool;
pub use select::SelectTool;
pub use text::TextTool;

use crate::element::{
    Arrowhead, Color, ElementId, ElementKind, FillStyle, FontFamily, Gradient, Props, Roundness,
    StrokeStyle, TextAlign,
};
use crate::geom::WorldPoint;
use crate::scene::Scene;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Pointer travel, in screen pixels, below which a press is a click rather than a drag. Screen
/// pixels, not world units, so a click is a click at every zoom level.
pub const DRAG_PX: f64 = 3.0;
/// How close, in screen pixels, the pointer must come to a shape's outline to hit it.
pub const HIT_PX: f64 = 6.0;

/// The tools a user can pick.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ToolKind {
    /// Select, move, resize and rotate shapes.
    #[default]
    Select,
    /// Pan the canvas by dragging.
    Hand,
    /// Draw rectangles.
    Rectangle,
    /// Draw diamonds.
    Diamond,
    /// Draw ellipses.
    Ellipse,
    /// Draw arrows.
    Arrow,
    /// Draw straight lines.
    Line,
    /// Draw freehand ink.
    Freedraw,
    /// Place text.
    Text,
    /// Erase what the pointer drags over.
    Eraser,
    /// Point at things with a fading trail that changes nothing.
    Laser,
}

impl ToolKind {
    /// Every tool, in toolbar order (Excalidraw's).
    pub const ALL: [ToolKind; 11] = [
        Self::Hand,
        Self::Select,
        Self::Rectangle,
        Self::Diamond,
        Self::Ellipse,
        Self::Arrow,
        Self::Line,
        Self::Freedraw,
        Self::Text,
        Self::Eraser,
        Self::Laser,
    ];

    /// A short human name.
    pub fn label(self) -> &'static str {
        match self {
            Self::Select => "Select",
            Self::Hand => "Hand",
            Self::Rectangle => "Rectangle",
            Self::Diamond => "Diamond",
            Self::Ellipse => "Ellipse",
            Self::Arrow => "Arrow",
            Self::Line => "Line",
            Self::Freedraw => "Pencil",
            Self::Text => "Text",
            Self::Eraser => "Eraser",
            Self::Laser => "Laser pointer",
        }
    }

    /// The stable lower-case name used in markup and tests (`data-tool`).
    pub fn key(self) -> &'static str {
        match self {
            Self::Select => "select",
            Self::Hand => "hand",
            Self::Rectangle => "rectangle",
            Self::Diamond => "diamond",
            Self::Ellipse => "ellipse",
            Self::Arrow => "arrow",
            Self::Line => "line",
            Self::Freedraw => "freedraw",
            Self::Text => "text",
            Self::Eraser => "eraser",
            Self::Laser => "laser",
        }
    }

    /// The keys that pick the tool (Excalidraw's letters and digits), as `KeyboardEvent.key`
    /// reports them in lower case.
    pub fn shortcuts(self) -> &'static [&'static str] {
        match self {
            Self::Select => &["v", "1"],
            Self::Hand => &["h"],
            Self::Rectangle => &["r", "2"],
            Self::Diamond => &["d", "3"],
            Self::Ellipse => &["o", "4"],
            Self::Arrow => &["a", "5"],
            Self::Line => &["l", "6"],
            Self::Freedraw => &["p", "x", "7"],
            Self::Text => &["t", "8"],
            Self::Eraser => &["e", "0"],
            Self::Laser => &["k"],
        }
    }

    /// The tool a key picks, if any.
    pub fn from_shortcut(key: &str) -> Option<ToolKind> {
        Self::ALL.into_iter().find(|t| t.shortcuts().contains(&key))
    }

    /// Whether the tool changes the board (everything but the hand and the laser pointer).
    pub fn edits(self) -> bool {
        !matches!(self, Self::Hand | Self::Laser)
    }

    /// Whether the tool hands over to the selection tool once it has drawn one shape, with the
    /// new shape selected (Excalidraw's behaviour unless the tool lock is on). The pencil and
    /// the eraser stay: one stroke is rarely all one wants of them.
    pub fn returns_to_select(self) -> bool {
        matches!(
            self,
            Self::Rectangle | Self::Diamond | Self::Ellipse | Self::Arrow | Self::Line | Self::Text
        )
    }
}

/// Keyboard modifiers held during an event.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Modifiers {
    /// Shift: keep proportions, snap angles, add to the selection.
    pub shift: bool,
    /// Alt (Option): resize or draw from the centre.
    pub alt: bool,
    /// Ctrl, or Cmd on a Mac.
    pub ctrl: bool,
}

/// A pointer event as a tool sees it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PointerInput {
    /// Where the pointer is, in world coordinates.
    pub at: WorldPoint,
    /// Pen pressure (0–1) when the device measures it; `None` for mice and touch, whose
    /// pressure the renderer simulates from speed.
    pub pressure: Option<f32>,
    /// Keys held.
    pub modifiers: Modifiers,
}

impl PointerInput {
    /// A plain event at `at`: no pressure, no modifiers.
    pub fn at(at: WorldPoint) -> Self {
        Self {
            at,
            pressure: None,
            modifiers: Modifiers::default(),
        }
    }
}

/// The style new shapes get and the style panel edits: every property the panel offers. Each
/// applies only to the kinds that have it ([`StyleField::applies_to`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Style {
    /// Outline (and text) colour.
    pub stroke_color: Color,
    /// Fill colour of closed shapes.
    pub background_color: Color,
    /// Fill pattern of closed shapes.
    pub fill_style: FillStyle,
    /// The gradient of gradient fills.
    pub gradient: Option<Gradient>,
    /// Outline width, world units.
    pub stroke_width: f64,
    /// Solid, dashed or dotted outlines.
    pub stroke_style: StrokeStyle,
    /// Sloppiness: 0 architect, 1 artist, 2 cartoonist.
    pub roughness: u8,
    /// Opacity in percent.
    pub opacity: u8,
    /// Sharp or round corners (boxes) and bends (lines).
    pub roundness: Roundness,
    /// The head at an arrow's start.
    pub start_arrowhead: Arrowhead,
    /// The head at an arrow's end.
    pub end_arrowhead: Arrowhead,
    /// Text typeface.
    pub font_family: FontFamily,
    /// Text size, world units.
    pub font_size: f64,
    /// Text alignment.
    pub text_align: TextAlign,
}

impl Default for Style {
    /// Excalidraw's defaults: near-black outline, no fill, hachure, 2 units, artist, opaque.
    fn default() -> Self {
        Self {
            stroke_color: Color::INK,
            background_color: Color::TRANSPARENT,
            fill_style: FillStyle::Hachure,
            gradient: None,
            stroke_width: 2.0,
            stroke_style: StrokeStyle::Solid,
            roughness: 1,
            opacity: 100,
            roundness: Roundness::Sharp,
            start_arrowhead: Arrowhead::None,
            end_arrowhead: Arrowhead::Arrow,
            font_family: FontFamily::Hand,
            font_size: crate::tool::text::DEFAULT_FONT_SIZE,
            text_align: TextAlign::Left,
        }
    }
}

/// One property of [`Style`]: what the panel shows as "mixed" and what applies to which kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StyleField {
    /// [`Style::stroke_color`].
    StrokeColor,
    /// [`Style::background_color`].
    BackgroundColor,
    /// [`Style::fill_style`] and [`Style::gradient`].
    FillStyle,
    /// [`Style::stroke_width`].
    StrokeWidth,
    /// [`Style::stroke_style`].
    StrokeStyle,
    /// [`Style::roughness`].
    Roughness,
    /// [`Style::opacity`].
    Opacity,
    /// [`Style::roundness`].
    Roundness,
    /// [`Style::start_arrowhead`].
    StartArrowhead,
    /// [`Style::end_arrowhead`].
    EndArrowhead,
    /// [`Style::font_family`].
    FontFamily,
    /// [`Style::font_size`].
    FontSize,
    /// [`Style::text_align`].
    TextAlign,
}

impl StyleField {
    /// Every field, in the panel's order.
    pub const ALL: [StyleField; 13] = [
        Self::StrokeColor,
        Self::BackgroundColor,
        Self::FillStyle,
        Self::StrokeWidth,
        Self::StrokeStyle,
        Self::Roughness,
        Self::Opacity,
        Self::Roundness,
        Self::StartArrowhead,
        Self::EndArrowhead,
        Self::FontFamily,
        Self::FontSize,
        Self::TextAlign,
    ];

    /// Whether elements of `kind` have this property (the one rule the panel, new shapes,
    /// restyling and "paste styles" all follow).
    pub fn applies_to(self, kind: ElementKind) -> bool {
        use ElementKind as K;
        match self {
            Self::StrokeColor | Self::Opacity => true,
            Self::BackgroundColor | Self::FillStyle => kind.is_box(),
            Self::StrokeWidth => kind != K::Text,
            Self::StrokeStyle | Self::Roughness => !matches!(kind, K::Text | K::Freedraw),
            Self::Roundness => matches!(kind, K::Rectangle | K::Diamond | K::Line | K::Arrow),
            Self::StartArrowhead | Self::EndArrowhead => matches!(kind, K::Line | K::Arrow),
            Self::FontFamily | Self::FontSize | Self::TextAlign => kind == K::Text,
        }
    }

    /// Whether `a` and `b` agree on this property.
    fn same(self, a: &Props, b: &Props) -> bool {
        match self {
            Self::StrokeColor => a.stroke_color == b.stroke_color,
            Self::BackgroundColor => a.background_color == b.background_color,
            Self::FillStyle => a.fill_style == b.fill_style && a.gradient == b.gradient,
            Self::StrokeWidth => a.stroke_width == b.stroke_width,
            Self::StrokeStyle => a.stroke_style == b.stroke_style,
            Self::Roughness => a.roughness == b.roughness,
            Self::Opacity => a.opacity == b.opacity,
            Self::Roundness => a.roundness == b.roundness,
            Self::StartArrowhead => a.start_arrowhead == b.start_arrowhead,
            Self::EndArrowhead => a.end_arrowhead == b.end_arrowhead,
            Self::FontFamily => a.font_family == b.font_family,
            Self::FontSize => a.font_size == b.font_size,
            Self::TextAlign => a.text_align == b.text_align,
        }
    }

    /// The fields on which the elements that have them disagree (what the panel shows as
    /// "mixed").
    pub fn mixed<'a>(props: impl IntoIterator<Item = &'a Props> + Clone) -> Vec<StyleField> {
        Self::ALL
            .into_iter()
            .filter(|f| {
                let mut having = props.clone().into_iter().filter(|p| f.applies_to(p.kind));
                let Some(first) = having.next() else {
                    return false;
                };
                having.any(|p| !f.same(first, p))
            })
            .collect()
    }
}

impl Style {
    /// Gives `p` this style, field by field where its kind has the field. Lines keep their
    /// own arrowheads when created (a line is an arrow without heads); restyling sets them.
    pub fn apply(&self, p: &mut Props) {
        for field in StyleField::ALL {
            let creating_line_heads = p.kind == ElementKind::Line
                && matches!(field, StyleField::StartArrowhead | StyleField::EndArrowhead);
            if field.applies_to(p.kind) && !creating_line_heads {
                self.set_field(field, p);
            }
        }
    }

    /// Copies one field of this style into `p` (invalid values are left out).
    pub fn set_field(&self, field: StyleField, p: &mut Props) {
        match field {
            StyleField::StrokeColor => p.stroke_color = self.stroke_color,
            StyleField::BackgroundColor => p.background_color = self.background_color,
            StyleField::FillStyle => {
                p.fill_style = self.fill_style;
                p.gradient.clone_from(&self.gradient);
            }
            StyleField::StrokeWidth if self.stroke_width > 0.0 && self.stroke_width <= 100.0 => {
                p.stroke_width = self.stroke_width;
            }
            StyleField::StrokeWidth => {}
            StyleField::StrokeStyle => p.stroke_style = self.stroke_style,
            StyleField::Roughness => p.roughness = self.roughness.min(2),
            StyleField::Opacity => p.opacity = self.opacity.min(100),
            StyleField::Roundness => p.roundness = self.roundness,
            StyleField::StartArrowhead => p.start_arrowhead = self.start_arrowhead,
            StyleField::EndArrowhead => p.end_arrowhead = self.end_arrowhead,
            StyleField::FontFamily => p.font_family = self.font_family,
            StyleField::FontSize
                if self.font_size > 0.0 && self.font_size <= crate::element::MAX_FONT_SIZE =>
            {
                p.font_size = self.font_size;
            }
            StyleField::FontSize => {}
            StyleField::TextAlign => p.text_align = self.text_align,
        }
    }

    /// This style with the fields `p` has taken from `p` (what the panel shows for one element,
    /// and what "copy styles" keeps).
    pub fn with_props(&self, p: &Props) -> Style {
        let mut s = self.clone();
        for field in StyleField::ALL.into_iter().filter(|f| f.applies_to(p.kind)) {
            match field {
                StyleField::StrokeColor => s.stroke_color = p.stroke_color,
                StyleField::BackgroundColor => s.background_color = p.background_color,
                StyleField::FillStyle => {
                    s.fill_style = p.fill_style;
                    s.gradient.clone_from(&p.gradient);
                }
                StyleField::StrokeWidth => s.stroke_width = p.stroke_width,
                StyleField::StrokeStyle => s.stroke_style = p.stroke_style,
                StyleField::Roughness => s.roughness = p.roughness,
                StyleField::Opacity => s.opacity = p.opacity,
                StyleField::Roundness => s.roundness = p.roundness,
                StyleField::StartArrowhead => s.start_arrowhead = p.start_arrowhead,
                StyleField::EndArrowhead => s.end_arrowhead = p.end_arrowhead,
                StyleField::FontFamily => s.font_family = p.font_family,
                StyleField::FontSize => s.font_size = p.font_size,
                StyleField::TextAlign => s.text_align = p.text_align,
            }
        }
        s
    }
}

/// The elements the user has selected. Kept per user (never synced), ordered so that
/// iteration, and therefore the ops a gesture produces, is deterministic.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    ids: BTreeSet<ElementId>,
}

impl Selection {
    /// The selected ids, in id order.
    pub fn ids(&self) -> impl Iterator<Item = ElementId> + '_ {
        self.ids.iter().copied()
    }

    /// Whether `id` is selected.
    pub fn contains(&self, id: ElementId) -> bool {
        self.ids.contains(&id)
    }

    /// Whether nothing is selected.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// How many elements are selected.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Adds `id`.
    pub fn insert(&mut self, id: ElementId) {
        self.ids.insert(id);
    }

    /// Removes `id`.
    pub fn remove(&mut self, id: ElementId) {
        self.ids.remove(&id);
    }

    /// Selects exactly `ids`.
    pub fn set(&mut self, ids: impl IntoIterator<Item = ElementId>) {
        self.ids = ids.into_iter().collect();
    }

    /// Selects nothing. Returns whether something was selected.
    pub fn clear(&mut self) -> bool {
        let had = !self.ids.is_empty();
        self.ids.clear();
        had
    }

    /// Drops ids that are no longer selectable in `scene` (deleted, locked, unknown), e.g. after
    /// someone else erased a selected shape. Returns whether anything was dropped.
    pub fn retain_selectable(&mut self, scene: &Scene) -> bool {
        let before = self.ids.len();
        self.ids
            .retain(|id| scene.get(*id).is_some_and(|e| selectable(e.props())));
        self.ids.len() != before
    }
}

/// Whether pointer gestures may pick an element: live and not locked.
pub fn selectable(p: &Props) -> bool {
    !p.is_deleted && !p.locked
}

/// Whether an element is picked on its own by a marquee or select-all: selectable and not
/// text inside a shape (that goes with its shape).
pub fn pickable(p: &Props) -> bool {
    selectable(p) && p.container_id.is_none()
}

/// What a tool may read (and, for the selection, change) while handling an event.
#[derive(Debug)]
pub struct ToolContext<'a> {
    /// The scene as the user sees it.
    pub scene: &'a Scene,
    /// The user's selection.
    pub selection: &'a mut Selection,
    /// Screen pixels per world unit: tolerances are in screen pixels.
    pub zoom: f64,
    /// The style of new shapes.
    pub style: Style,
    /// The grid cell size while the grid is shown (drawing, moving and resizing snap to it).
    pub grid: Option<f64>,
}

impl ToolContext<'_> {
    /// Where `input` points, on the grid while it is shown (Ctrl frees it).
    pub fn snap(&self, input: &PointerInput) -> WorldPoint {
        self.snap_at(input.at, input)
    }

    /// `p` on the grid while it is shown, unless `input` holds Ctrl.
    pub fn snap_at(&self, p: WorldPoint, input: &PointerInput) -> WorldPoint {
        match self.grid {
            Some(size) if !input.modifiers.ctrl => grid::snap_point(p, size),
            _ => p,
        }
    }

    /// `px` screen pixels in world units at the current zoom.
    pub fn world(&self, px: f64) -> f64 {
        if self.zoom.is_finite() && self.zoom > 0.0 {
            px / self.zoom
        } else {
            px
        }
    }

    /// The topmost selectable element under `at`, within [`HIT_PX`]. Text inside a shape
    /// stands for its shape (Excalidraw's rule: the two are picked, moved and erased as one).
    pub fn hit(&self, at: WorldPoint) -> Option<ElementId> {
        self.scene
            .hit_test(at, self.world(HIT_PX))
            .into_iter()
            .map(|e| self.host(e.id))
            .find(|id| self.scene.get(*id).is_some_and(|e| selectable(e.props())))
    }

    /// The shape holding `id` when it is text inside one, else `id` itself.
    pub fn host(&self, id: ElementId) -> ElementId {
        self.scene
            .get(id)
            .and_then(|e| e.props().container_id)
            .filter(|c| self.scene.get(*c).is_some_and(|e| !e.props().is_deleted))
            .unwrap_or(id)
    }
}

/// One change a finished gesture asks for. The editor turns edits into ops, assigning ids,
/// paint order and version stamps.
#[derive(Clone, Debug, PartialEq)]
pub enum Edit {
    /// Add a new element with these props (its paint index is assigned by the editor).
    Create(Props),
    /// Change some properties of an element.
    Update {
        /// Which element.
        id: ElementId,
        /// What changes.
        patch: crate::ops::Patch,
    },
    /// Delete an element.
    Delete(ElementId),
}

/// What the user is typing into: a new text element or an existing one.
#[derive(Clone, Debug, PartialEq)]
pub struct TextEdit {
    /// The element being edited, or `None` for a new one.
    pub id: Option<ElementId>,
    /// Its props when editing began: position, font, colour and current text.
    pub props: Props,
}

/// Whether an event changed what should be on screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Feedback {
    /// Nothing visible changed.
    None,
    /// The preview or the selection changed: repaint.
    Repaint,
}

impl Feedback {
    /// [`Feedback::Repaint`] when `changed`, else [`Feedback::None`].
    pub fn repaint_if(changed: bool) -> Self {
        if changed { Self::Repaint } else { Self::None }
    }
}

/// How a gesture ended.
#[derive(Clone, Debug, PartialEq)]
pub enum ToolOutcome {
    /// Nothing to change (a click on empty canvas, a drag too short to draw anything).
    Nothing,
    /// Make these edits as one undoable action.
    Commit(Vec<Edit>),
    /// Open the in-place text editor (boxed: a whole element's props, rarely produced).
    EditText(Box<TextEdit>),
}

/// What the canvas shows over the scene while a gesture is in progress.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Preview {
    /// Elements drawn with these props instead of their own (being moved, resized, erased).
    pub replaced: BTreeMap<ElementId, Props>,
    /// Elements not drawn at all (the text being edited in place).
    pub hidden: BTreeSet<ElementId>,
    /// New shapes being drawn, painted on top of everything.
    pub added: Vec<Props>,
    /// Replaced arrows whose bindings the gesture sets itself (point editing): kept as given,
    /// where moving an arrow on its own would otherwise let go of its targets.
    pub rebinding: BTreeSet<ElementId>,
    /// The shape an arrow end would attach to if released now, highlighted.
    pub bind_target: Option<ElementId>,
}

impl Preview {
    /// Whether the preview changes nothing.
    pub fn is_empty(&self) -> bool {
        self.replaced.is_empty()
            && self.hidden.is_empty()
            && self.added.is_empty()
            && self.bind_target.is_none()
    }

    /// The props an element is shown with: its preview replacement, its own props, or `None`
    /// when hidden.
    pub fn shown<'a>(&'a self, id: ElementId, own: &'a Props) -> Option<&'a Props> {
        if self.hidden.contains(&id) {
            None
        } else {
            Some(self.replaced.get(&id).unwrap_or(own))
        }
    }
}

/// The mouse cursor a tool wants over the canvas.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Cursor {
    /// The arrow.
    #[default]
    Default,
    /// A crosshair, for drawing.
    Crosshair,
    /// An open hand: the canvas can be dragged.
    Grab,
    /// A closed hand: the canvas is being dragged.
    Grabbing,
    /// Four arrows: the selection can be moved.
    Move,
    /// An I-beam: click to type.
    Text,
    /// A resize arrow along the given axis, in 45° steps (0: ↔, 1: ⤡ NW–SE, 2: ↕, 3: ⤢ NE–SW).
    Resize(u8),
    /// The cursor over a rotation handle.
    Rotate,
}

impl Cursor {
    /// The CSS `cursor` value.
    pub fn css(self) -> &'static str {
        match self {
            Self::Default => "default",
            Self::Crosshair => "crosshair",
            Self::Grab => "grab",
            Self::Grabbing => "grabbing",
            Self::Move => "move",
            Self::Text => "text",
            Self::Resize(0) => "ew-resize",
            Self::Resize(1) => "nwse-resize",
            Self::Resize(2) => "ns-resize",
            Self::Resize(_) => "nesw-resize",
            Self::Rotate => "alias",
        }
    }
}

/// The interface every tool state machine implements.
pub trait Tool {
    /// The primary button went down (or a finger or pen touched).
    fn pointer_down(&mut self, input: &PointerInput, ctx: &mut ToolContext<'_>) -> Feedback;
    /// The pointer moved (with or without a button held).
    fn pointer_move(&mut self, input: &PointerInput, ctx: &mut ToolContext<'_>) -> Feedback;
    /// The button was released: the gesture ends.
    fn pointer_up(&mut self, input: &PointerInput, ctx: &mut ToolContext<'_>) -> ToolOutcome;
    /// Abandons the gesture in progress (Escape, pointer cancel, switching tools).
    fn cancel(&mut self) -> Feedback;
    /// Whether a gesture is in progress.
    fn is_active(&self) -> bool;
    /// What to show over the scene.
    fn preview(&self) -> &Preview;
    /// The cursor to show when the pointer is at `at`.
    fn cursor(&self, _at: WorldPoint, _ctx: &ToolContext<'_>) -> Cursor {
        Cursor::Crosshair
    }
}

/// Rounds the direction from `from` to `to` to the nearest multiple of 15°, keeping its length
/// (shift while drawing lines or rotating).
pub fn snap_direction(from: WorldPoint, to: WorldPoint) -> WorldPoint {
    let v = to - from;
    let len = v.length();
    if len == 0.0 || !len.is_finite() {
        return to;
    }
    let step = std::f64::consts::PI / 12.0;
    let angle = (v.y.atan2(v.x) / step).round() * step;
    WorldPoint::new(from.x + len * angle.cos(), from.y + len * angle.sin())
}

#[cfg(test)]
pub(crate) mod testing {
    //! Fixtures for the tools' tests.
    use super::*;
    use crate::element::Element;
    use crate::geom::Rect;

    /// A scene with rectangles of the given corners, ids 1, 2, …
    pub fn scene_with(rects: &[(f64, f64, f64, f64)]) -> Scene {
        let mut scene = Scene::default();
        for (n, &(x0, y0, x1, y1)) in rects.iter().enumerate() {
            let r = Rect::from_corners(WorldPoint::new(x0, y0), WorldPoint::new(x1, y1));
            let props = Props::new(ElementKind::Rectangle, r, scene.next_index());
            let id = ElementId::from_u128(n as u128 + 1);
            scene
                .insert(Element::new(id, props, 0, 0).expect("valid"))
                .expect("new id");
        }
        scene
    }

    /// A pointer event at `(x, y)`.
    pub fn at(x: f64, y: f64) -> PointerInput {
        PointerInput::at(WorldPoint::new(x, y))
    }

    /// The same with shift held.
    pub fn shift_at(x: f64, y: f64) -> PointerInput {
        PointerInput {
            modifiers: Modifiers {
                shift: true,
                ..Modifiers::default()
            },
            ..at(x, y)
        }
    }

    /// A context at zoom 1 with the default style.
    pub fn ctx<'a>(scene: &'a Scene, selection: &'a mut Selection) -> ToolContext<'a> {
        ToolContext {
            scene,
            selection,
            zoom: 1.0,
            style: Style::default(),
            grid: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tool_has_a_unique_shortcut_and_key() {
        let mut seen = BTreeSet::new();
        for t in ToolKind::ALL {
            assert!(seen.insert(t.key()));
            for k in t.shortcuts() {
                assert_eq!(ToolKind::from_shortcut(k), Some(t), "{k}");
            }
        }
        assert_eq!(ToolKind::from_shortcut("q"), None);
    }

    #[test]
    fn snapping_rounds_to_fifteen_degrees_and_keeps_the_length() {
        let p = snap_direction(WorldPoint::new(0.0, 0.0), WorldPoint::new(100.0, 10.0));
        assert!((p.y).abs() < 1e-9 && (p.x - 100.0_f64.hypot(10.0)).abs() < 1e-9);
        let same = WorldPoint::new(3.0, 3.0);
        assert_eq!(snap_direction(same, same), same);
    }

    #[test]
    fn the_style_fills_only_box_shapes() {
        let style = Style {
            background_color: Color::rgba(255, 0, 0, 255),
            stroke_width: 4.0,
            ..Style::default()
        };
        let index = crate::index::FracIndex::between(None, None).unwrap();
        let r = crate::geom::Rect::from_corners(WorldPoint::ORIGIN, WorldPoint::new(1.0, 1.0));
        let mut boxed = Props::new(ElementKind::Ellipse, r, index.clone());
        let mut line = Props::new(ElementKind::Line, r, index);
        style.apply(&mut boxed);
        style.apply(&mut line);
        assert_eq!(boxed.background_color, style.background_color);
        assert!(line.background_color.is_transparent());
        assert_eq!(line.stroke_width, 4.0);
    }
}
