//! The PNG back end: drawing commands painted with tiny-skia.
//!
//! Text is drawn as glyph outlines from the DejaVu fonts compiled into the binary
//! (`server/assets/fonts`), so an export looks the same on every server whatever fonts the
//! machine has. DejaVu Sans stands in for both the hand-drawn and the normal family (no
//! hand-drawn font ships with the server); DejaVu Sans Mono draws code.

use ab_glyph::{Font, FontRef, GlyphId, OutlineCurve};
use inkroom_core::camera::Camera;
use inkroom_core::element::{Color, FontFamily, TextAlign};
use inkroom_core::geom::WorldPoint;
use inkroom_core::render::{self, DrawCommand, LinearGradient, Painter, Stroke, TextBlock};
use inkroom_core::shape::PathEl;
use std::sync::LazyLock;
use tiny_skia::{FillRule, LineCap, LineJoin, Paint, PathBuilder, Pixmap, StrokeDash, Transform};

static SANS: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
static MONO: &[u8] = include_bytes!("../../assets/fonts/DejaVuSansMono.ttf");

/// The parsed fonts, or `None` if a font file is unreadable (text is then skipped and logged,
/// never a panic).
static FONTS: LazyLock<Option<(FontRef<'static>, FontRef<'static>)>> =
    LazyLock::new(
        || match (FontRef::try_from_slice(SANS), FontRef::try_from_slice(MONO)) {
            (Ok(sans), Ok(mono)) => Some((sans, mono)),
            _ => {
                tracing::error!("the bundled export fonts do not parse; text will be missing");
                None
            }
        },
    );

/// Paints `commands` into a `width` × `height` image and encodes it as PNG. `None` if the size
/// is zero or encoding fails.
pub fn render(commands: &[DrawCommand], width: u32, height: u32) -> Option<Vec<u8>> {
    let mut painter = SkiaPainter {
        pixmap: Pixmap::new(width, height)?,
        camera: Camera::default(),
    };
    render::paint(commands, &mut painter);
    painter.pixmap.encode_png().ok()
}

struct SkiaPainter {
    pixmap: Pixmap,
    /// World units to pixels. Applied in f64 before handing coordinates to tiny-skia, which
    /// works in f32: a shape a million units from the origin would otherwise lose a sixteenth of
    /// a unit, and at 10^8 whole units, to rounding before the camera moves it near zero.
    camera: Camera,
}

impl SkiaPainter {
    fn px(&self, p: WorldPoint) -> (f32, f32) {
        let s = self.camera.world_to_screen(p);
        (f(s.x), f(s.y))
    }

    fn len(&self, v: f64) -> f32 {
        f(v * self.camera.zoom)
    }

    fn skia_path(&self, path: &[PathEl]) -> Option<tiny_skia::Path> {
        let mut pb = PathBuilder::new();
        for el in path {
            match *el {
                PathEl::MoveTo(p) => {
                    let (x, y) = self.px(p);
                    pb.move_to(x, y);
                }
                PathEl::LineTo(p) => {
                    let (x, y) = self.px(p);
                    pb.line_to(x, y);
                }
                PathEl::CubicTo(a, b, p) => {
                    let ((ax, ay), (bx, by), (x, y)) = (self.px(a), self.px(b), self.px(p));
                    pb.cubic_to(ax, ay, bx, by, x, y);
                }
                PathEl::Close => pb.close(),
            }
        }
        pb.finish()
    }
}

fn paint_of(color: Color, opacity: f64) -> Paint<'static> {
    let alpha = (f64::from(color.a) * opacity.clamp(0.0, 1.0)).round() as u8;
    let mut paint = Paint::default();
    paint.set_color_rgba8(color.r, color.g, color.b, alpha);
    paint.anti_alias = true;
    paint
}

/// Pixel coordinates (small once the camera has applied) as tiny-skia's f32.
fn f(v: f64) -> f32 {
    v as f32
}

impl Painter for SkiaPainter {
    fn clear(&mut self, color: Color) {
        self.pixmap.fill(tiny_skia::Color::from_rgba8(
            color.r, color.g, color.b, color.a,
        ));
    }

    fn set_camera(&mut self, camera: &Camera) {
        self.camera = *camera;
    }

    fn path(
        &mut self,
        path: &[PathEl],
        fill: Option<Color>,
        stroke: Option<&Stroke>,
        opacity: f64,
    ) {
        let Some(skia) = self.skia_path(path) else {
            return;
        };
        if let Some(fill) = fill {
            self.pixmap.fill_path(
                &skia,
                &paint_of(fill, opacity),
                FillRule::Winding,
                Transform::identity(),
                None,
            );
        }
        if let Some(s) = stroke {
            let style = tiny_skia::Stroke {
                width: self.len(s.width),
                line_cap: LineCap::Round,
                line_join: LineJoin::Round,
                dash: s
                    .dashes()
                    .and_then(|[on, off]| StrokeDash::new(vec![self.len(on), self.len(off)], 0.0)),
                ..tiny_skia::Stroke::default()
            };
            self.pixmap.stroke_path(
                &skia,
                &paint_of(s.color, opacity),
                &style,
                Transform::identity(),
                None,
            );
        }
    }

    fn gradient(&mut self, path: &[PathEl], g: &LinearGradient, opacity: f64) {
        let Some(skia) = self.skia_path(path) else {
            return;
        };
        let ((x0, y0), (x1, y1)) = (self.px(g.start), self.px(g.end));
        let alpha = opacity.clamp(0.0, 1.0);
        let stops = g
            .stops
            .iter()
            .map(|(offset, c)| {
                let a = (f64::from(c.a) * alpha).round() as u8;
                tiny_skia::GradientStop::new(
                    f(*offset),
                    tiny_skia::Color::from_rgba8(c.r, c.g, c.b, a),
                )
            })
            .collect();
        // A degenerate gradient (start = end, an empty box) is a solid fill of its last colour.
        let shader = tiny_skia::LinearGradient::new(
            tiny_skia::Point::from_xy(x0, y0),
            tiny_skia::Point::from_xy(x1, y1),
            stops,
            tiny_skia::SpreadMode::Pad,
            Transform::identity(),
        );
        let paint = match shader {
            Some(shader) => Paint {
                shader,
                anti_alias: true,
                ..Paint::default()
            },
            None => match g.stops.last() {
                Some((_, c)) => paint_of(*c, opacity),
                None => return,
            },
        };
        self.pixmap.fill_path(
            &skia,
            &paint,
            FillRule::Winding,
            Transform::identity(),
            None,
        );
    }

    fn text(&mut self, t: &TextBlock) {
        let Some((sans, mono)) = FONTS.as_ref() else {
            return;
        };
        let font = match t.family {
            FontFamily::Code => mono,
            FontFamily::Hand | FontFamily::Normal => sans,
        };
        let Some(units) = font.units_per_em().filter(|u| *u > 0.0) else {
            return;
        };
        let scale = t.size / f64::from(units);
        let mut pb = PathBuilder::new();
        for line in &t.lines {
            let glyphs: Vec<GlyphId> = line.text.chars().map(|c| font.glyph_id(c)).collect();
            let advance = |i: usize| {
                let kern = glyphs
                    .get(i + 1)
                    .map_or(0.0, |&next| font.kern_unscaled(glyphs[i], next));
                f64::from(font.h_advance_unscaled(glyphs[i]) + kern) * scale
            };
            let width: f64 = (0..glyphs.len()).map(advance).sum();
            let mut pen = match t.align {
                TextAlign::Left => line.anchor.x,
                TextAlign::Center => line.anchor.x - width / 2.0,
                TextAlign::Right => line.anchor.x - width,
            };
            for (i, &glyph) in glyphs.iter().enumerate() {
                if let Some(outline) = font.outline(glyph) {
                    // Font units have y up; the world has y down. The block turns about its pivot.
                    let at = |p: ab_glyph::Point| {
                        self.px(WorldPoint::new(
                            pen + f64::from(p.x) * scale,
                            line.anchor.y - f64::from(p.y) * scale,
                        )
                        .rotate_about(t.pivot, t.angle))
                    };
                    let mut last: Option<ab_glyph::Point> = None;
                    for curve in &outline.curves {
                        let (start, end) = match *curve {
                            OutlineCurve::Line(a, b) => (a, b),
                            OutlineCurve::Quad(a, _, b) => (a, b),
                            OutlineCurve::Cubic(a, _, _, b) => (a, b),
                        };
                        if last != Some(start) {
                            let (x, y) = at(start);
                            pb.move_to(x, y);
                        }
                        match *curve {
                            OutlineCurve::Line(_, b) => {
                                let (x, y) = at(b);
                                pb.line_to(x, y);
                            }
                            OutlineCurve::Quad(_, c, b) => {
                                let ((cx, cy), (x, y)) = (at(c), at(b));
                                pb.quad_to(cx, cy, x, y);
                            }
                            OutlineCurve::Cubic(_, c1, c2, b) => {
                                let ((ax, ay), (bx, by), (x, y)) = (at(c1), at(c2), at(b));
                                pb.cubic_to(ax, ay, bx, by, x, y);
                            }
                        }
                        last = Some(end);
                    }
                }
                pen += advance(i);
            }
        }
        let Some(path) = pb.finish() else {
            return;
        };
        self.pixmap.fill_path(
            &path,
            &paint_of(t.color, t.opacity),
            FillRule::Winding,
            Transform::identity(),
            None,
        );
    }
}
