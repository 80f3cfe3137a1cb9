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

use crate::camera::Camera;
use crate::element::{
    Arrowhead, Color, Element, ElementKind, FillStyle, FontFamily, LINE_HEIGHT, Props, StrokeStyle,
    TextAlign, VerticalAlign,
};
use crate::freehand;
use crate::geom::{Radians, Rect, Vec2, WorldPoint};
use crate::scene::Scene;
use crate::shape::{self, FREEDRAW_SIZE_FACTOR, PathEl};
use crate::tool::Preview;

/// The canvas background (Excalidraw's white).
pub const BACKGROUND: Color = Color::rgba(0xff, 0xff, 0xff, 0xff);
/// Elements whose larger side is smaller than this many screen pixels are drawn as a dot.
pub const LOD_PIXELS: f64 = 1.0;
/// The most hachure lines one shape gets; a huge shape gets wider gaps instead of millions of
/// lines.
const MAX_HATCH_LINES: f64 = 2000.0;

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
        }
    }
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
    let visible = camera.visible_rect(width, height);
    let mut out = vec![
        DrawCommand::Clear(BACKGROUND),
        DrawCommand::SetCamera(*camera),
    ];
    let empty = Preview::default();
    let preview = preview.unwrap_or(&empty);
    let mut drawn_replacements = 0;
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
        } else {
            out.extend(element_commands(e));
        }
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
    if e.props().is_deleted {
        return Vec::new();
    }
    props_commands(e.props())
}

fn opacity(p: &Props) -> f64 {
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
        ElementKind::Rectangle | ElementKind::Diamond | ElementKind::Ellipse => {
            let path = shape::outline(p);
            let mut out = fills(p, &path);
            out.push(DrawCommand::Path {
                path,
                fill: None,
                stroke: outline_stroke(p),
                opacity: opacity(p),
            });
            out
        }
        ElementKind::Line | ElementKind::Arrow => {
            let path = shape::outline(p);
            let mut out = if shape::is_closed(p) {
                fills(p, &path)
            } else {
                Vec::new()
            };
            let heads = arrowheads(p, &path);
            out.push(DrawCommand::Path {
                path,
                fill: None,
                stroke: outline_stroke(p),
                opacity: opacity(p),
            });
            out.extend(heads);
            out
        }
    }
}

/// The interior of a closed path: solid, or hachure / cross-hatch lines clipped to it.
fn fills(p: &Props, path: &[PathEl]) -> Vec<DrawCommand> {
    if !shape::is_filled(p) {
        return Vec::new();
    }
    let solid = DrawCommand::Path {
        path: path.to_vec(),
        fill: Some(p.background_color),
        stroke: None,
        opacity: opacity(p),
    };
    let angles: &[f64] = match p.fill_style {
        FillStyle::None => return Vec::new(),
        FillStyle::Solid => return vec![solid],
        FillStyle::Hachure => &[-41.0],
        FillStyle::CrossHatch => &[-41.0, 49.0],
    };
    let polygons = shape::flatten(path);
    let gap = (p.stroke_width * 4.0).max(4.0);
    let mut lines = Vec::new();
    for angle in angles {
        for (poly, _) in &polygons {
            lines.extend(hatch(poly, angle.to_radians(), gap));
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

/// Parallel lines at `angle`, `gap` apart, clipped to the inside of `poly` (even-odd).
fn hatch(poly: &[WorldPoint], angle: f64, gap: f64) -> Vec<PathEl> {
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
        return Vec::new();
    }
    let gap = gap.max((hi - lo) / MAX_HATCH_LINES);
    let mut out = Vec::new();
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
        for pair in hits.chunks_exact(2) {
            let at = |s: f64| WorldPoint::ORIGIN + dir * s + normal * t;
            out.push(PathEl::MoveTo(at(pair[0])));
            out.push(PathEl::LineTo(at(pair[1])));
        }
        t += gap;
    }
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

/// The heads at a line's ends, drawn solid in the stroke colour.
fn arrowheads(p: &Props, path: &[PathEl]) -> Vec<DrawCommand> {
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
    use crate::element::{ElementId, Props};
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
}
