//! The renderer's front half: a scene becomes a list of back-end independent drawing commands.
//!
//! Every kind of element becomes paths (move / line / cubic / close, in world coordinates with
//! rotation applied) and text blocks; hachure fills, arrowheads and freehand outlines are
//! computed here once. Back ends only implement [`Painter`] (four primitive operations) and call
//! [`paint`]: the browser paints on a Canvas 2D context, the server paints the same commands into
//! PNG (tiny-skia) and SVG, so every back end draws the same picture.
//!
//! Level of detail: an element smaller than [`LOD_PIXELS`] on screen is drawn as a one-pixel dot
//! of its colour, so a zoomed-out board of 100,000 shapes costs 100,000 squares, not 100,000
//! strokes with thousands of points.
//!
//! The hand-drawn look ([`crate::rough`]) is decided here too, from each element's roughness and
//! seed, so all three back ends draw the same sketchy strokes. Computing it costs more than
//! drawing it, so an interactive host keeps each element's commands in a [`CommandCache`] and
//! recomputes them only when the element's version changes.

use crate::camera::Camera;
use crate::element::{
    Arrowhead, Color, Element, ElementKind, FontFamily, LINE_HEIGHT, Props, StrokeStyle, TextAlign,
    VerticalAlign,
};
use crate::freehand;
use crate::geom::{Radians, Rect, Vec2, WorldPoint};
use crate::rough::Pen;
use crate::scene::Scene;
use crate::shape::{self, FREEDRAW_SIZE_FACTOR, PathEl};
use crate::tool::Preview;
mod cache;
mod fill;

pub use cache::CommandCache;
use fill::fills;
use std::sync::Arc;

/// The canvas background (Excalidraw's white).
pub const BACKGROUND: Color = Color::rgba(0xff, 0xff, 0xff, 0xff);
/// Elements whose larger side is smaller than this many screen pixels are drawn as a dot.
pub const LOD_PIXELS: f64 = 1.0;
/// In an interactive view ([`scene_commands_cached`]), a sketchy element whose larger side is
/// smaller than this many screen pixels is drawn exactly: its wobble (a couple of world units)
/// is then under a pixel or two, and exact outlines take about half the drawing calls. Exports
/// always draw the hand-drawn look.
pub const ROUGH_MIN_PIXELS: f64 = 48.0;

/// How an outline is drawn.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Stroke {
    /// Colour.
    pub color: Color,
    /// Width in world units.
    pub width: f64,
    /// Dash pattern.
    pub style: StrokeStyle,
}

impl Stroke {
    /// The dash pattern as (dash, gap) lengths in world units, or `None` for a solid line. Dashes
    /// scale with the width so thick dashed lines still look dashed.
    pub fn dashes(&self) -> Option<[f64; 2]> {
        let k = self.width.max(1.0) / 2.0;
        match self.style {
            StrokeStyle::Solid => None,
            StrokeStyle::Dashed => Some([8.0 * k, 8.0 * k]),
            StrokeStyle::Dotted => Some([1.5 * k, 6.0 * k]),
        }
    }
}

/// A font by role and size, with the CSS font stacks the browser and SVG use for it.
impl FontFamily {
    /// A CSS `font-family` list for this family.
    pub fn css_stack(self) -> &'static str {
        match self {
            Self::Hand => "Virgil, 'Comic Sans MS', 'Segoe Print', 'Bradley Hand', cursive",
            Self::Normal => "Helvetica, Arial, 'DejaVu Sans', sans-serif",
            Self::Code => "'Cascadia Code', Menlo, Consolas, 'DejaVu Sans Mono', monospace",
        }
    }
}

/// One line of a text block.
#[derive(Clone, Debug, PartialEq)]
pub struct TextLine {
    /// The characters.
    pub text: String,
    /// Where the line is anchored (before rotation): its left edge, centre or right edge on the
    /// baseline, depending on the block's alignment.
    pub anchor: WorldPoint,
}

/// Text to draw: lines already positioned, the back end only measures for its alignment.
#[derive(Clone, Debug, PartialEq)]
pub struct TextBlock {
    /// The lines, top to bottom.
    pub lines: Vec<TextLine>,
    /// Typeface.
    pub family: FontFamily,
    /// Font size (em) in world units.
    pub size: f64,
    /// How each line sits on its anchor.
    pub align: TextAlign,
    /// Text colour.
    pub color: Color,
    /// 0.0 – 1.0.
    pub opacity: f64,
    /// Rotation of the whole block about `pivot`.
    pub angle: Radians,
    /// The centre of rotation (the element's box centre).
    pub pivot: WorldPoint,
}

/// One drawing step.
#[derive(Clone, Debug, PartialEq)]
pub enum DrawCommand {
    /// Fill the whole surface with a colour.
    Clear(Color),
    /// From now on, coordinates are world units seen through this camera.
    SetCamera(Camera),
    /// Fill (non-zero winding) and/or stroke a path given in world coordinates. Strokes have
    /// round caps and joins.
    Path {
        /// The geometry.
        path: Vec<PathEl>,
        /// Interior colour, if filled.
        fill: Option<Color>,
        /// Outline, if stroked.
        stroke: Option<Stroke>,
        /// 0.0 – 1.0.
        opacity: f64,
    },
    /// Draw text.
    Text(TextBlock),
    /// Fill a path (non-zero winding) with a linear gradient.
    Gradient {
        /// The geometry.
        path: Vec<PathEl>,
        /// The colours and where they run.
        gradient: LinearGradient,
        /// 0.0 – 1.0.
        opacity: f64,
    },
    /// Commands computed once and shared (an element's, from a [`CommandCache`]).
    Shared(Arc<[DrawCommand]>),
}

/// A linear gradient in world coordinates: colour stops between two points, padded beyond.
#[derive(Clone, Debug, PartialEq)]
pub struct LinearGradient {
    /// Where offset 0 is.
    pub start: WorldPoint,
    /// Where offset 1 is.
    pub end: WorldPoint,
    /// Offsets (0–1, ascending) and their colours.
    pub stops: Vec<(f64, Color)>,
}

/// What a drawing back end implements; [`paint`] feeds it a command list.
///
/// # Examples
/// A back end that only counts what it is asked to draw:
/// ```
/// use inkroom_core::camera::Camera;
/// use inkroom_core::element::{Color, Element, ElementId, ElementKind, Props};
/// use inkroom_core::geom::{Rect, WorldPoint};
/// use inkroom_core::render::{Painter, Stroke, TextBlock, paint, scene_commands};
/// use inkroom_core::scene::Scene;
/// use inkroom_core::shape::PathEl;
///
/// #[derive(Default)]
/// struct Counter { paths: usize }
/// impl Painter for Counter {
///     fn clear(&mut self, _: Color) {}
///     fn set_camera(&mut self, _: &Camera) {}
///     fn path(&mut self, _: &[PathEl], _: Option<Color>, _: Option<&Stroke>, _: f64) {
///         self.paths += 1;
///     }
///     fn text(&mut self, _: &TextBlock) {}
/// }
///
/// let mut scene = Scene::default();
/// let r = Rect::from_corners(WorldPoint::new(10.0, 10.0), WorldPoint::new(60.0, 40.0));
/// let props = Props::new(ElementKind::Ellipse, r, scene.next_index());
/// scene.insert(Element::new(ElementId::from_u128(1), props, 0, 0).unwrap()).unwrap();
///
/// let mut counter = Counter::default();
/// paint(&scene_commands(&scene, &Camera::default(), 800.0, 600.0, None), &mut counter);
/// assert_eq!(counter.paths, 1); // the outline; it has no fill
/// ```
pub trait Painter {
    /// Fills the whole surface.
    fn clear(&mut self, color: Color);
    /// Sets the world-to-screen transform for what follows.
    fn set_camera(&mut self, camera: &Camera);
    /// Fills then strokes a path (either may be absent).
    fn path(&mut self, path: &[PathEl], fill: Option<Color>, stroke: Option<&Stroke>, opacity: f64);
    /// Draws a text block.
    fn text(&mut self, text: &TextBlock);
    /// Fills a path with a linear gradient. Back ends without gradients fill with the middle
    /// colour.
    fn gradient(&mut self, path: &[PathEl], gradient: &LinearGradient, opacity: f64) {
        let middle = gradient.stops.get(gradient.stops.len() / 2).map(|s| s.1);
        self.path(path, middle, None, opacity);
    }
}

/// Paints `commands` with `painter`, in order.
pub fn paint(commands: &[DrawCommand], painter: &mut impl Painter) {
    for cmd in commands {
        match cmd {
            DrawCommand::Clear(color) => painter.clear(*color),
            DrawCommand::SetCamera(camera) => painter.set_camera(camera),
            DrawCommand::Path {
                path,
                fill,
                stroke,
                opacity,
            } => painter.path(path, *fill, stroke.as_ref(), *opacity),
            DrawCommand::Text(text) => painter.text(text),
            DrawCommand::Gradient {
                path,
                gradient,
                opacity,
            } => painter.gradient(path, gradient, *opacity),
            DrawCommand::Shared(commands) => paint(commands, painter),
        }
    }
}

/// `commands` with every [`DrawCommand::Shared`] list spliced in place.
pub fn flatten(commands: Vec<DrawCommand>) -> Vec<DrawCommand> {
    if !commands.iter().any(|c| matches!(c, DrawCommand::Shared(_))) {
        return commands;
    }
    let mut out = Vec::with_capacity(commands.len());
    for c in commands {
        match c {
            DrawCommand::Shared(inner) => out.extend(flatten(inner.to_vec())),
            other => out.push(other),
        }
    }
    out
}

/// The commands that paint `scene` through `camera` in a `width` × `height` CSS-pixel viewport,
/// with a gesture's `preview` applied: elements it replaces are painted with their preview
/// props in their own place in the paint order, hidden ones are skipped, and shapes being drawn
/// come last. Elements outside the viewport are skipped; elements smaller than [`LOD_PIXELS`]
/// on screen become dots.
pub fn scene_commands(
    scene: &Scene,
    camera: &Camera,
    width: f64,
    height: f64,
    preview: Option<&Preview>,
) -> Vec<DrawCommand> {
    scene_commands_with(scene, camera, width, height, preview, None)
}

/// [`scene_commands`] with each unchanged element's commands taken from `cache` (as
/// [`DrawCommand::Shared`]): what an interactive host calls every frame.
pub fn scene_commands_cached(
    scene: &Scene,
    camera: &Camera,
    width: f64,
    height: f64,
    preview: Option<&Preview>,
    cache: &mut CommandCache,
) -> Vec<DrawCommand> {
    scene_commands_with(scene, camera, width, height, preview, Some(cache))
}

fn scene_commands_with(
    scene: &Scene,
    camera: &Camera,
    width: f64,
    height: f64,
    preview: Option<&Preview>,
    mut cache: Option<&mut CommandCache>,
) -> Vec<DrawCommand> {
    let visible = camera.visible_rect(width, height);
    let mut out = vec![
        DrawCommand::Clear(BACKGROUND),
        DrawCommand::SetCamera(*camera),
    ];
    let empty = Preview::default();
    let preview = preview.unwrap_or(&empty);
    let mut drawn_replacements = 0;
    let mut drawn = 0;
    // The spatial index finds what is on screen without scanning the whole board.
    for e in scene.query_rect(visible) {
        let Some(props) = preview.shown(e.id, e.props()) else {
            continue;
        };
        if preview.replaced.contains_key(&e.id) {
            drawn_replacements += 1;
            if !props.is_deleted {
                out.extend(props_commands(props));
            }
            continue;
        }
        let bounds = e.bounds();
        if bounds.width().max(bounds.height()) * camera.zoom < LOD_PIXELS {
            out.extend(dot(props, bounds, camera.zoom));
        } else if let Some(cache) = cache.as_deref_mut() {
            drawn += 1;
            let small = bounds.width().max(bounds.height()) * camera.zoom < ROUGH_MIN_PIXELS;
            out.push(cache.get(e, small));
        } else {
            out.extend(element_commands(e));
        }
    }
    if let Some(cache) = cache {
        cache.end_frame(drawn);
    }
    // A shape dragged in from off screen was not found above: paint it on top.
    if drawn_replacements < preview.replaced.len() {
        let found: std::collections::HashSet<_> = scene
            .query_rect(visible)
            .into_iter()
            .map(|e| e.id)
            .collect();
        for (id, props) in &preview.replaced {
            let live = scene.get(*id).is_some_and(|e| !e.props().is_deleted);
            if live && !found.contains(id) && !props.is_deleted {
                out.extend(props_commands(props));
            }
        }
    }
    for props in &preview.added {
        out.extend(props_commands(props));
    }
    out
}

/// Grid lines closer than this on screen (CSS pixels) are not drawn: below it the grid would
/// be a grey wash; every fifth line (the major lines) is kept a while longer.
pub const GRID_MIN_PX: f64 = 6.0;
/// Minor grid lines are fully opaque from this spacing on screen and fade out towards
/// [`GRID_MIN_PX`], so zooming out thins the grid smoothly instead of dropping it at once.
const GRID_FULL_PX: f64 = 16.0;
/// The colour of minor grid lines.
const GRID_MINOR: Color = Color::rgba(0xe9, 0xec, 0xef, 0xff);
/// The colour of major grid lines (every fifth).
const GRID_MAJOR: Color = Color::rgba(0xce, 0xd4, 0xda, 0xff);
/// Grid lines drawn at most in one direction; past this the cell is too small to show anyway.
const MAX_GRID_LINES: f64 = 2000.0;

/// The commands that paint a grid of `size` world units over what `camera` shows in a
/// `width` × `height` CSS-pixel viewport: only the visible lines (two paths, minor and major),
/// one screen pixel wide, minor lines fading out as the cells shrink on screen. Paint it after
/// [`DrawCommand::SetCamera`] and before the elements.
pub fn grid_commands(camera: &Camera, width: f64, height: f64, size: f64) -> Vec<DrawCommand> {
    let zoom = camera.zoom;
    if !(size.is_finite() && size > 0.0 && zoom.is_finite() && zoom > 0.0) {
        return Vec::new();
    }
    let view = camera.visible_rect(width, height);
    let cell_px = size * zoom;
    let lines = |step: f64, keep: &dyn Fn(i64) -> bool| -> Vec<PathEl> {
        let (x0, x1) = ((view.min.x / step).floor(), (view.max.x / step).ceil());
        let (y0, y1) = ((view.min.y / step).floor(), (view.max.y / step).ceil());
        if x1 - x0 > MAX_GRID_LINES || y1 - y0 > MAX_GRID_LINES {
            return Vec::new();
        }
        let mut path = Vec::new();
        for i in x0 as i64..=x1 as i64 {
            if keep(i) {
                let x = i as f64 * step;
                path.push(PathEl::MoveTo(WorldPoint::new(x, view.min.y)));
                path.push(PathEl::LineTo(WorldPoint::new(x, view.max.y)));
            }
        }
        for j in y0 as i64..=y1 as i64 {
            if keep(j) {
                let y = j as f64 * step;
                path.push(PathEl::MoveTo(WorldPoint::new(view.min.x, y)));
                path.push(PathEl::LineTo(WorldPoint::new(view.max.x, y)));
            }
        }
        path
    };
    let stroke = |color| Stroke {
        color,
        width: 1.0 / zoom,
        style: StrokeStyle::Solid,
    };
    let mut out = Vec::new();
    if cell_px >= GRID_MIN_PX {
        let fade = ((cell_px - GRID_MIN_PX) / (GRID_FULL_PX - GRID_MIN_PX)).clamp(0.0, 1.0);
        out.push(DrawCommand::Path {
            path: lines(size, &|i| i % 5 != 0),
            fill: None,
            stroke: Some(stroke(GRID_MINOR)),
            opacity: fade,
        });
    }
    if cell_px * 5.0 >= GRID_MIN_PX {
        out.push(DrawCommand::Path {
            path: lines(size * 5.0, &|_| true),
            fill: None,
            stroke: Some(stroke(GRID_MAJOR)),
            opacity: 1.0,
        });
    }
    out.retain(|c| matches!(c, DrawCommand::Path { path, .. } if !path.is_empty()));
    out
}

/// Where an export looks and how large the image is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ExportFrame {
    /// The camera: the frame's top-left corner at `scale` pixels per world unit.
    pub camera: Camera,
    /// Image width in pixels (at least 1).
    pub width: u32,
    /// Image height in pixels (at least 1).
    pub height: u32,
}

/// The frame that shows every live element of `scene` with `padding` world units around, at
/// `scale` pixels per world unit. An empty scene gives a blank square of twice the padding.
/// Cheap (bounds only), so callers can refuse oversized images before drawing anything.
pub fn export_frame(scene: &Scene, scale: f64, padding: f64) -> ExportFrame {
    let content = scene
        .iter_live()
        .map(Element::bounds)
        .reduce(|a, b| a.union(&b))
        .unwrap_or_else(|| Rect::from_corners(WorldPoint::ORIGIN, WorldPoint::ORIGIN));
    let frame = content.inflate(padding.max(0.0));
    let px = |v: f64| (v * scale).ceil().clamp(1.0, f64::from(u32::MAX)) as u32;
    ExportFrame {
        camera: Camera {
            origin: frame.min,
            zoom: scale,
        },
        width: px(frame.width()),
        height: px(frame.height()),
    }
}

/// The commands that paint `scene` into the image `frame` describes.
pub fn export_commands(scene: &Scene, frame: &ExportFrame) -> Vec<DrawCommand> {
    scene_commands(
        scene,
        &frame.camera,
        f64::from(frame.width),
        f64::from(frame.height),
        None,
    )
}

/// A tiny element as a square one screen pixel wide in its most visible colour (nothing if it
/// has none).
fn dot(p: &Props, bounds: Rect, zoom: f64) -> Option<DrawCommand> {
    let color = [p.stroke_color, p.background_color]
        .into_iter()
        .find(|c| !c.is_transparent())?;
    let c = bounds.center();
    let half = LOD_PIXELS / zoom / 2.0;
    let corner = |dx: f64, dy: f64| WorldPoint::new(c.x + dx * half, c.y + dy * half);
    Some(DrawCommand::Path {
        path: vec![
            PathEl::MoveTo(corner(-1.0, -1.0)),
            PathEl::LineTo(corner(1.0, -1.0)),
            PathEl::LineTo(corner(1.0, 1.0)),
            PathEl::LineTo(corner(-1.0, 1.0)),
            PathEl::Close,
        ],
        fill: Some(color),
        stroke: None,
        opacity: opacity(p),
    })
}

/// The commands that draw one element at full detail (none for deleted elements).
pub fn element_commands(e: &Element) -> Vec<DrawCommand> {
    element_commands_with(e, false)
}

/// [`element_commands`], without the hand-drawn look when `exact`.
pub(super) fn element_commands_with(e: &Element, exact: bool) -> Vec<DrawCommand> {
    if e.props().is_deleted {
        return Vec::new();
    }
    if exact {
        let mut p = e.props().clone();
        p.roughness = 0;
        return props_commands(&p);
    }
    props_commands(e.props())
}

pub(super) fn opacity(p: &Props) -> f64 {
    f64::from(p.opacity) / 100.0
}

fn outline_stroke(p: &Props) -> Option<Stroke> {
    (!p.stroke_color.is_transparent()).then_some(Stroke {
        color: p.stroke_color,
        width: p.stroke_width,
        style: p.stroke_style,
    })
}

fn props_commands(p: &Props) -> Vec<DrawCommand> {
    match p.kind {
        ElementKind::Text => text_block(p).map(DrawCommand::Text).into_iter().collect(),
        ElementKind::Freedraw => freedraw(p).into_iter().collect(),
        ElementKind::Rectangle
        | ElementKind::Diamond
        | ElementKind::Ellipse
        | ElementKind::Line
        | ElementKind::Arrow => outlined(p),
    }
}

/// A sketchy pen for `p`, or `None` for roughness 0 (exact geometry). Dashed and dotted
/// outlines are drawn once, so their dashes stay readable.
fn pen(p: &Props) -> Option<Pen> {
    (p.roughness > 0).then(|| Pen::new(p.roughness, p.seed(), p.stroke_style == StrokeStyle::Solid))
}

/// Boxes, lines and arrows: the fill (closed shapes), the outline, then the arrowheads. With
/// roughness, the fill is computed first and the outline second from the element's seed, so
/// every back end draws the same strokes.
fn outlined(p: &Props) -> Vec<DrawCommand> {
    let path = shape::outline(p);
    let mut pen = pen(p);
    let closed = p.kind.is_box() || shape::is_closed(p);
    let mut out = if closed {
        fills(p, &path, pen.as_mut())
    } else {
        Vec::new()
    };
    let heads = arrowheads(p, &path, pen.as_mut());
    let outline = match pen.as_mut() {
        None => path,
        Some(pen) => {
            let mut rough = Vec::new();
            if p.kind == ElementKind::Ellipse {
                let r = p.rect();
                pen.ellipse(
                    r.center(),
                    r.width() / 2.0,
                    r.height() / 2.0,
                    p.angle.0,
                    &mut rough,
                );
            } else {
                pen.path(&path, &mut rough);
            }
            rough
        }
    };
    out.push(DrawCommand::Path {
        path: outline,
        fill: None,
        stroke: outline_stroke(p),
        opacity: opacity(p),
    });
    out.extend(heads);
    out
}

/// The direction a path ends in at its last point (towards the end), and that point.
fn end_tangent(path: &[PathEl]) -> Option<(WorldPoint, Vec2)> {
    let mut prev: Option<WorldPoint> = None;
    let mut last: Option<(WorldPoint, WorldPoint)> = None;
    for el in path {
        match *el {
            PathEl::MoveTo(q) => prev = Some(q),
            PathEl::LineTo(q) => {
                if let Some(from) = prev.filter(|&f| f != q) {
                    last = Some((from, q));
                }
                prev = Some(q);
            }
            PathEl::CubicTo(c1, c2, q) => {
                // The tangent at a cubic's end points from its last distinct control point.
                let from = [c2, c1].into_iter().chain(prev).find(|&c| c != q);
                if let Some(from) = from {
                    last = Some((from, q));
                }
                prev = Some(q);
            }
            PathEl::Close => {}
        }
    }
    let (from, tip) = last?;
    Some((tip, (tip - from).normalized()?))
}

/// The path reversed (so its end is the original start), for the start arrowhead.
fn reversed(path: &[PathEl]) -> Vec<PathEl> {
    let mut points: Vec<WorldPoint> = Vec::new();
    let mut out = Vec::new();
    let mut segs: Vec<PathEl> = Vec::new();
    for el in path {
        match *el {
            PathEl::MoveTo(q) => points.push(q),
            PathEl::LineTo(q) => {
                segs.push(PathEl::LineTo(q));
                points.push(q);
            }
            PathEl::CubicTo(a, b, q) => {
                segs.push(PathEl::CubicTo(a, b, q));
                points.push(q);
            }
            PathEl::Close => {}
        }
    }
    let Some(&end) = points.last() else {
        return out;
    };
    out.push(PathEl::MoveTo(end));
    for (i, seg) in segs.iter().enumerate().rev() {
        let start = points[i];
        out.push(match *seg {
            PathEl::CubicTo(a, b, _) => PathEl::CubicTo(b, a, start),
            _ => PathEl::LineTo(start),
        });
    }
    out
}

/// The heads at a line's ends, drawn solid in the stroke colour (open heads sketchy with a
/// `pen`).
fn arrowheads(p: &Props, path: &[PathEl], mut pen: Option<&mut Pen>) -> Vec<DrawCommand> {
    let Some(color) = (!p.stroke_color.is_transparent()).then_some(p.stroke_color) else {
        return Vec::new();
    };
    let stroke = Stroke {
        color,
        width: p.stroke_width,
        style: StrokeStyle::Solid,
    };
    let len = shape::arrowhead_length(p.stroke_width);
    let mut out = Vec::new();
    for (head, ends) in [
        (p.start_arrowhead, end_tangent(&reversed(path))),
        (p.end_arrowhead, end_tangent(path)),
    ] {
        let Some((tip, dir)) = ends else { continue };
        let back = tip - dir * len;
        let spread = dir.perp() * (len * 0.45);
        let (path, fill) = match head {
            Arrowhead::None => continue,
            Arrowhead::Arrow => (
                vec![
                    PathEl::MoveTo(back + spread),
                    PathEl::LineTo(tip),
                    PathEl::LineTo(back - spread),
                ],
                None,
            ),
            Arrowhead::Triangle => (
                vec![
                    PathEl::MoveTo(tip),
                    PathEl::LineTo(back + spread),
                    PathEl::LineTo(back - spread),
                    PathEl::Close,
                ],
                Some(color),
            ),
            Arrowhead::Bar => (
                vec![PathEl::MoveTo(tip + spread), PathEl::LineTo(tip - spread)],
                None,
            ),
            Arrowhead::Dot => {
                let r = len / 4.0;
                let c = tip - dir * r;
                let rect = Rect::from_corners(
                    WorldPoint::new(c.x - r, c.y - r),
                    WorldPoint::new(c.x + r, c.y + r),
                );
                let mut circle = Props::new(ElementKind::Ellipse, rect, p.index.clone());
                circle.angle = Radians::ZERO;
                (shape::outline(&circle), Some(color))
            }
        };
        let path = match pen.as_deref_mut() {
            Some(pen) if fill.is_none() => {
                let mut rough = Vec::new();
                pen.path(&path, &mut rough);
                rough
            }
            _ => path,
        };
        out.push(DrawCommand::Path {
            path,
            fill,
            stroke: Some(stroke),
            opacity: opacity(p),
        });
    }
    out
}

/// A freehand stroke as its filled outline.
fn freedraw(p: &Props) -> Option<DrawCommand> {
    if p.stroke_color.is_transparent() {
        return None;
    }
    let points: Vec<WorldPoint> = p.points.iter().map(|&q| p.to_world(q)).collect();
    let outline = freehand::outline(&points, &p.pressures, p.stroke_width * FREEDRAW_SIZE_FACTOR);
    let (&first, rest) = outline.split_first()?;
    let mut path = Vec::with_capacity(outline.len() + 1);
    path.push(PathEl::MoveTo(first));
    path.extend(rest.iter().map(|&q| PathEl::LineTo(q)));
    path.push(PathEl::Close);
    Some(DrawCommand::Path {
        path,
        fill: Some(p.stroke_color),
        stroke: None,
        opacity: opacity(p),
    })
}

/// A text element's lines, placed in its box by its alignments (before rotation).
fn text_block(p: &Props) -> Option<TextBlock> {
    if p.text.is_empty() || p.stroke_color.is_transparent() {
        return None;
    }
    let line_height = p.font_size * LINE_HEIGHT;
    // Text inside a shape wraps to the shape; free text breaks only where it was typed.
    let lines: Vec<String> = if p.container_id.is_some() {
        crate::container::wrap(&p.text, p.width, p.font_size)
    } else {
        p.text.split('\n').map(str::to_owned).collect()
    };
    let block = line_height * lines.len() as f64;
    let top = match p.vertical_align {
        VerticalAlign::Top => p.y,
        VerticalAlign::Middle => p.y + (p.height - block) / 2.0,
        VerticalAlign::Bottom => p.y + p.height - block,
    };
    let x = match p.text_align {
        TextAlign::Left => p.x,
        TextAlign::Center => p.x + p.width / 2.0,
        TextAlign::Right => p.x + p.width,
    };
    // The baseline sits where a line box of 1.25 em centres a typical font's ascent (~0.8 em)
    // and descent (~0.2 em): 0.125 em of half-leading, then the ascent.
    let first_baseline = top + (line_height - p.font_size) / 2.0 + p.font_size * 0.8;
    Some(TextBlock {
        lines: lines
            .iter()
            .enumerate()
            .map(|(i, text)| TextLine {
                text: text.clone(),
                anchor: WorldPoint::new(x, first_baseline + i as f64 * line_height),
            })
            .collect(),
        family: p.font_family,
        size: p.font_size,
        align: p.text_align,
        color: p.stroke_color,
        opacity: opacity(p),
        angle: p.angle,
        pivot: p.rect().center(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The grid's lines as (vertical x positions, horizontal y positions, opacity) per path.
    fn grid_lines(camera: &Camera, size: f64) -> Vec<(Vec<f64>, Vec<f64>, f64)> {
        grid_commands(camera, 200.0, 100.0, size)
            .into_iter()
            .map(|c| match c {
                DrawCommand::Path { path, opacity, .. } => {
                    let (mut xs, mut ys) = (Vec::new(), Vec::new());
                    for pair in path.chunks(2) {
                        if let [PathEl::MoveTo(a), PathEl::LineTo(b)] = pair {
                            if a.x == b.x {
                                xs.push(a.x);
                            } else {
                                ys.push(a.y);
                            }
                        }
                    }
                    (xs, ys, opacity)
                }
                other => panic!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn the_grid_draws_only_visible_lines_and_thins_out_when_zoomed_out() {
        let camera = Camera::default();
        let paths = grid_lines(&camera, 20.0);
        assert_eq!(paths.len(), 2, "minor and major");
        let (minor_x, minor_y, opacity) = &paths[0];
        assert_eq!(
            minor_x,
            &[20.0, 40.0, 60.0, 80.0, 120.0, 140.0, 160.0, 180.0]
        );
        assert_eq!(minor_y, &[20.0, 40.0, 60.0, 80.0]);
        assert_eq!(*opacity, 1.0);
        assert_eq!(paths[1].0, [0.0, 100.0, 200.0]);
        // Panned far away: still only what is on screen.
        let mut far = camera;
        far.pan_by(crate::geom::ScreenVec::new(-1.0e6, 0.0));
        assert!(grid_lines(&far, 20.0)[0].0.len() <= 11);
        // At 40 % a 20-unit cell is 8 px: minor lines fade; at 10 % only major lines remain.
        let mut out = Camera::default();
        out.zoom_at(crate::geom::ScreenPoint::new(0.0, 0.0), 0.4);
        let faded = grid_lines(&out, 20.0);
        assert!(faded[0].2 > 0.0 && faded[0].2 < 1.0, "{}", faded[0].2);
        out.zoom_at(crate::geom::ScreenPoint::new(0.0, 0.0), 0.1);
        assert_eq!(grid_lines(&out, 20.0).len(), 1);
        // A 5-unit grid at 10 %: even its major lines would be 2.5 px apart.
        assert!(grid_lines(&out, 5.0).is_empty());
    }
    use crate::element::{ElementId, FillStyle, Props};
    use crate::geom::LocalPoint;
    use crate::index::FracIndex;

    fn add(scene: &mut Scene, n: u128, x: f64) {
        let r = Rect::from_corners(WorldPoint::new(x, 0.0), WorldPoint::new(x + 10.0, 10.0));
        let props = Props::new(ElementKind::Rectangle, r, scene.next_index());
        scene
            .insert(Element::new(ElementId::from_u128(n), props, 0, 0).unwrap())
            .unwrap();
    }

    fn paths(cmds: &[DrawCommand]) -> usize {
        cmds.iter()
            .filter(|c| matches!(c, DrawCommand::Path { .. }))
            .count()
    }

    #[test]
    fn offscreen_and_deleted_elements_are_culled() {
        let mut scene = Scene::default();
        add(&mut scene, 1, 0.0);
        add(&mut scene, 2, 5000.0);
        add(&mut scene, 3, 20.0);
        scene
            .mutate(ElementId::from_u128(3), 0, 0, |p| p.is_deleted = true)
            .unwrap();
        let cmds = scene_commands(&scene, &Camera::default(), 800.0, 600.0, None);
        assert_eq!(paths(&cmds), 1);
        assert_eq!(cmds[0], DrawCommand::Clear(BACKGROUND));
    }

    #[test]
    fn a_preview_replaces_hides_and_adds_shapes() {
        let mut scene = Scene::default();
        add(&mut scene, 1, 0.0);
        add(&mut scene, 2, 20.0);
        let mut preview = Preview::default();
        // Shape 1 dragged far off to where the viewport does not show its old place.
        let mut moved = scene.get(ElementId::from_u128(1)).unwrap().props().clone();
        moved.x = 60.0;
        moved.stroke_color = Color::rgba(255, 0, 0, 255);
        preview
            .replaced
            .insert(ElementId::from_u128(1), moved.clone());
        preview.hidden.insert(ElementId::from_u128(2));
        let mut drawn = moved.clone();
        drawn.kind = ElementKind::Ellipse;
        drawn.roughness = 0;
        preview.added.push(drawn);
        let cmds = scene_commands(&scene, &Camera::default(), 100.0, 100.0, Some(&preview));
        assert_eq!(
            paths(&cmds),
            2,
            "the moved rectangle and the new ellipse; 2 hidden"
        );
        let Some(DrawCommand::Path { path, .. }) = cmds.last() else {
            panic!("expected the new shape last")
        };
        assert_eq!(path.len(), 6, "an ellipse is four cubics");
        // Off screen at its old place, on screen at the new one: still painted.
        let far = Camera {
            origin: WorldPoint::new(50.0, 0.0),
            zoom: 1.0,
        };
        let mut only_move = Preview::default();
        only_move.replaced.insert(ElementId::from_u128(1), moved);
        let cmds = scene_commands(&scene, &far, 30.0, 30.0, Some(&only_move));
        assert_eq!(paths(&cmds), 1);
    }

    #[test]
    fn shapes_below_a_pixel_become_dots() {
        let mut scene = Scene::default();
        add(&mut scene, 1, 0.0);
        let far_out = Camera {
            origin: WorldPoint::new(-10.0, -10.0),
            zoom: 0.05,
        };
        let cmds = scene_commands(&scene, &far_out, 800.0, 600.0, None);
        let Some(DrawCommand::Path { path, fill, .. }) = cmds.last() else {
            panic!("expected a dot")
        };
        assert_eq!((path.len(), *fill), (5, Some(Color::INK)));
    }

    #[test]
    fn hachure_lines_stay_inside_the_shape() {
        let r = Rect::from_corners(WorldPoint::new(0.0, 0.0), WorldPoint::new(100.0, 60.0));
        let mut p = Props::new(
            ElementKind::Diamond,
            r,
            FracIndex::between(None, None).unwrap(),
        );
        p.background_color = Color::rgba(255, 0, 0, 255);
        p.fill_style = FillStyle::CrossHatch;
        p.roughness = 0;
        let cmds = props_commands(&p);
        let DrawCommand::Path { path, .. } = &cmds[0] else {
            panic!("hatch first")
        };
        assert!(path.len() > 20);
        let outline = &shape::flatten(&shape::outline(&p))[0].0;
        for el in path {
            if let PathEl::MoveTo(q) | PathEl::LineTo(q) = el {
                let nudged = *q + (r.center() - *q) * 0.01;
                assert!(shape::contains(outline, nudged), "{q:?}");
            }
        }
    }

    #[test]
    fn arrows_get_heads_at_the_ends_that_have_them() {
        let pts = [WorldPoint::new(0.0, 0.0), WorldPoint::new(100.0, 0.0)];
        let mut p = Props::through(
            ElementKind::Arrow,
            &pts,
            FracIndex::between(None, None).unwrap(),
        )
        .unwrap();
        p.roughness = 0;
        assert_eq!(paths(&props_commands(&p)), 2, "line and end head");
        p.start_arrowhead = Arrowhead::Dot;
        let cmds = props_commands(&p);
        assert_eq!(paths(&cmds), 3);
        let DrawCommand::Path { path, .. } = &cmds[2] else {
            panic!()
        };
        assert!(
            path.contains(&PathEl::LineTo(WorldPoint::new(100.0, 0.0))),
            "the tip"
        );
    }

    #[test]
    fn freehand_strokes_are_filled_outlines_and_text_is_placed_by_alignment() {
        let pts = [WorldPoint::new(0.0, 0.0), WorldPoint::new(50.0, 20.0)];
        let mut p = Props::through(
            ElementKind::Freedraw,
            &pts,
            FracIndex::between(None, None).unwrap(),
        )
        .unwrap();
        p.points.push(LocalPoint::new(80.0, 0.0));
        let cmds = props_commands(&p);
        assert!(matches!(
            &cmds[0],
            DrawCommand::Path {
                fill: Some(_),
                stroke: None,
                ..
            }
        ));

        let mut t = Props::text(WorldPoint::new(10.0, 10.0), "a\nbc", 20.0, p.index.clone());
        t.width = 100.0;
        t.text_align = TextAlign::Center;
        let cmds = props_commands(&t);
        let [DrawCommand::Text(block)] = cmds.as_slice() else {
            panic!("one text block expected: {cmds:?}")
        };
        assert_eq!(block.lines.len(), 2);
        assert_eq!(block.lines[0].anchor.x, 60.0);
        assert_eq!(block.lines[1].anchor.y - block.lines[0].anchor.y, 25.0);
    }

    #[test]
    fn export_frames_every_live_element_with_padding() {
        let mut scene = Scene::default();
        add(&mut scene, 1, 0.0);
        add(&mut scene, 2, 90.0);
        let frame = export_frame(&scene, 2.0, 10.0);
        // Content spans x -1..101 and y -1..11 (stroke included), plus 10 each side, times 2.
        assert_eq!((frame.width, frame.height), (244, 64));
        assert_eq!(frame.camera.origin, WorldPoint::new(-11.0, -11.0));
        let cmds = export_commands(&scene, &frame);
        assert_eq!(paths(&cmds), 2, "{cmds:?}");
        let empty = export_frame(&Scene::default(), 1.0, 10.0);
        assert_eq!((empty.width, empty.height), (20, 20));
    }

    use crate::testing::path_points as all_points;

    fn styled(kind: ElementKind, roughness: u8, fill: FillStyle) -> Props {
        let r = Rect::from_corners(WorldPoint::new(0.0, 0.0), WorldPoint::new(120.0, 80.0));
        let mut p = Props::new(kind, r, FracIndex::between(None, None).unwrap());
        p.background_color = Color::rgba(0xa5, 0xd8, 0xff, 255);
        p.fill_style = fill;
        p.roughness = roughness;
        p
    }

    #[test]
    fn roughness_draws_sketchy_strokes_that_depend_only_on_the_seed() {
        let exact = props_commands(&styled(ElementKind::Rectangle, 0, FillStyle::None));
        let rough = props_commands(&styled(ElementKind::Rectangle, 1, FillStyle::None));
        let outline = |cmds: &[DrawCommand]| match cmds.last() {
            Some(DrawCommand::Path { path, .. }) => path.clone(),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            outline(&exact).len(),
            5,
            "an exact box: move, three lines, close"
        );
        let sketch = outline(&rough);
        assert_eq!(
            sketch.len(),
            16,
            "four edges drawn twice: move + cubic each"
        );
        // The same element draws the same strokes, every time and in every back end.
        assert_eq!(
            rough,
            props_commands(&styled(ElementKind::Rectangle, 1, FillStyle::None))
        );
        // Another seed draws other strokes; moving the element does not change its seed.
        let mut other = styled(ElementKind::Rectangle, 1, FillStyle::None);
        other.seed = 99;
        assert_ne!(outline(&props_commands(&other)), sketch);
        let mut moved = styled(ElementKind::Rectangle, 1, FillStyle::None);
        moved.x += 500.0;
        let shifted: Vec<_> = all_points(&outline(&props_commands(&moved)))
            .iter()
            .map(|q| WorldPoint::new(q.x - 500.0, q.y))
            .collect();
        for (a, b) in shifted.iter().zip(all_points(&sketch)) {
            assert!((a.x - b.x).abs() < 1e-9 && (a.y - b.y).abs() < 1e-9);
        }
        // Sketchy, not wild: every point within a few units of the box.
        for q in all_points(&sketch) {
            assert!(
                q.x > -6.0 && q.x < 126.0 && q.y > -6.0 && q.y < 86.0,
                "{q:?}"
            );
        }
    }

    #[test]
    fn a_cartoonist_wanders_further_than_an_artist() {
        let spread = |roughness| {
            let mut p = styled(ElementKind::Diamond, roughness, FillStyle::None);
            let mut worst: f64 = 0.0;
            for seed in 1..40 {
                p.seed = seed;
                let Some(DrawCommand::Path { path, .. }) = props_commands(&p).pop() else {
                    panic!()
                };
                let outline = &shape::flatten(&shape::outline(&p))[0].0;
                for q in all_points(&path) {
                    let d = (0..outline.len())
                        .map(|i| {
                            shape::segment_distance(outline[i], outline[(i + 1) % outline.len()], q)
                        })
                        .fold(f64::INFINITY, f64::min);
                    worst = worst.max(d);
                }
            }
            worst
        };
        let (artist, cartoonist) = (spread(1), spread(2));
        assert!(artist > 0.5, "{artist}");
        assert!(cartoonist > artist * 1.3, "{cartoonist} vs {artist}");
    }

    #[test]
    fn every_fill_style_paints_something_and_zigzag_is_one_bouncing_line() {
        for roughness in [0, 1, 2] {
            for fill in [
                FillStyle::Hachure,
                FillStyle::CrossHatch,
                FillStyle::Zigzag,
                FillStyle::Solid,
                FillStyle::Gradient,
            ] {
                for kind in [
                    ElementKind::Rectangle,
                    ElementKind::Diamond,
                    ElementKind::Ellipse,
                ] {
                    let cmds = props_commands(&styled(kind, roughness, fill));
                    assert_eq!(
                        cmds.len(),
                        2,
                        "{kind:?} {fill:?} {roughness}: fill + outline"
                    );
                }
            }
        }
        let zig = props_commands(&styled(ElementKind::Rectangle, 0, FillStyle::Zigzag));
        let DrawCommand::Path { path, .. } = &zig[0] else {
            panic!()
        };
        let moves = path
            .iter()
            .filter(|el| matches!(el, PathEl::MoveTo(_)))
            .count();
        assert_eq!(moves, 1, "one continuous line");
        assert!(path.len() > 8);
    }

    #[test]
    fn a_gradient_spans_the_box_along_its_angle_and_turns_with_the_element() {
        let mut p = styled(ElementKind::Rectangle, 1, FillStyle::Gradient);
        p.gradient = Some(crate::element::Gradient {
            stops: vec![
                Color::rgba(255, 0, 0, 255),
                Color::rgba(0, 255, 0, 255),
                Color::rgba(0, 0, 255, 255),
            ],
            angle: 0.0,
        });
        let cmds = props_commands(&p);
        let DrawCommand::Gradient { gradient, .. } = &cmds[0] else {
            panic!("{cmds:?}")
        };
        assert_eq!(gradient.start, WorldPoint::new(0.0, 40.0));
        assert_eq!(gradient.end, WorldPoint::new(120.0, 40.0));
        let offsets: Vec<f64> = gradient.stops.iter().map(|s| s.0).collect();
        assert_eq!(offsets, [0.0, 0.5, 1.0]);
        p.angle = Radians(std::f64::consts::FRAC_PI_2);
        let DrawCommand::Gradient { gradient, .. } = &props_commands(&p)[0] else {
            panic!()
        };
        assert!((gradient.start.x - 60.0).abs() < 1e-9 && (gradient.start.y + 20.0).abs() < 1e-9);
        // A bad gradient is refused by validation, never drawn.
        p.gradient.as_mut().unwrap().stops.truncate(1);
        assert!(p.validate().is_err());
    }

    #[test]
    fn the_cache_recomputes_an_element_only_when_its_version_changes() {
        let mut scene = Scene::default();
        add(&mut scene, 1, 0.0);
        add(&mut scene, 2, 20.0);
        let mut cache = CommandCache::default();
        // 10 × 10 shapes at 10×: 100 px on screen, drawn with the hand-drawn look.
        let camera = Camera {
            origin: WorldPoint::new(-1.0, -1.0),
            zoom: 10.0,
        };
        let first = scene_commands_cached(&scene, &camera, 800.0, 600.0, None, &mut cache);
        assert_eq!(cache.len(), 2);
        let shared = |cmds: &[DrawCommand], i: usize| match &cmds[i] {
            DrawCommand::Shared(c) => Arc::clone(c),
            other => panic!("{other:?}"),
        };
        let again = scene_commands_cached(&scene, &camera, 800.0, 600.0, None, &mut cache);
        assert!(
            Arc::ptr_eq(&shared(&first, 2), &shared(&again, 2)),
            "unchanged: reused"
        );
        scene
            .mutate(ElementId::from_u128(1), 7, 0, |p| p.roughness = 2)
            .unwrap();
        let changed = scene_commands_cached(&scene, &camera, 800.0, 600.0, None, &mut cache);
        assert!(
            !Arc::ptr_eq(&shared(&first, 2), &shared(&changed, 2)),
            "changed: recomputed"
        );
        assert!(Arc::ptr_eq(&shared(&first, 3), &shared(&changed, 3)));
        // The cached picture is the uncached one.
        let mut flat_cached = Vec::new();
        let mut flat = Vec::new();
        struct Collect<'a>(&'a mut Vec<String>);
        impl Painter for Collect<'_> {
            fn clear(&mut self, c: Color) {
                self.0.push(format!("clear {c}"));
            }
            fn set_camera(&mut self, _: &Camera) {}
            fn path(
                &mut self,
                path: &[PathEl],
                fill: Option<Color>,
                stroke: Option<&Stroke>,
                o: f64,
            ) {
                self.0.push(format!("{path:?} {fill:?} {stroke:?} {o}"));
            }
            fn text(&mut self, t: &TextBlock) {
                self.0.push(format!("{t:?}"));
            }
        }
        paint(&changed, &mut Collect(&mut flat_cached));
        paint(
            &scene_commands(&scene, &camera, 800.0, 600.0, None),
            &mut Collect(&mut flat),
        );
        assert_eq!(flat_cached, flat);
    }
}
