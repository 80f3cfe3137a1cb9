//! The SVG back end: drawing commands written out as SVG elements.
//!
//! Paths keep their curves (no rasterising, no flattening) and text stays text (selectable, with
//! the same CSS font stacks the browser uses), so the drawing scales without loss. Numbers are
//! written with at most two decimals: a hundredth of a world unit is invisible at any export
//! scale, and it keeps files small and their text stable for the golden test.

use inkroom_core::camera::Camera;
use inkroom_core::element::{Color, TextAlign};
use inkroom_core::render::{self, DrawCommand, LinearGradient, Painter, Stroke, TextBlock};
use inkroom_core::shape::PathEl;
use std::fmt::Write;

/// The commands as a standalone SVG document of `width` × `height` pixels.
pub fn render(commands: &[DrawCommand], width: u32, height: u32) -> String {
    let mut painter = SvgPainter {
        out: format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
             viewBox=\"0 0 {width} {height}\">\n"
        ),
        group_open: false,
        gradients: 0,
    };
    render::paint(commands, &mut painter);
    if painter.group_open {
        painter.out.push_str("</g>\n");
    }
    painter.out.push_str("</svg>\n");
    painter.out
}

struct SvgPainter {
    out: String,
    /// Whether a camera group is open (each camera change closes the previous one).
    group_open: bool,
    /// Gradients defined so far (each gets the next id).
    gradients: usize,
}

/// A number with at most two decimals and no trailing zeros ("-0" becomes "0").
fn num(v: f64) -> String {
    let s = format!("{:.2}", v);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_owned()
    } else {
        s.to_owned()
    }
}

/// An SVG paint: `#rrggbb` and a separate opacity, since 8-digit hex colours are not
/// understood by every SVG reader.
fn color(c: Color) -> (String, f64) {
    (
        format!("#{:02x}{:02x}{:02x}", c.r, c.g, c.b),
        f64::from(c.a) / 255.0,
    )
}

/// Escapes text for XML content and attribute values.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

fn path_data(path: &[PathEl]) -> String {
    let mut d = String::new();
    let p = |q: inkroom_core::geom::WorldPoint| format!("{} {}", num(q.x), num(q.y));
    for el in path {
        let _ = match *el {
            PathEl::MoveTo(q) => write!(d, "M{}", p(q)),
            PathEl::LineTo(q) => write!(d, "L{}", p(q)),
            PathEl::CubicTo(a, b, q) => write!(d, "C{} {} {}", p(a), p(b), p(q)),
            PathEl::Close => write!(d, "Z"),
        };
    }
    d
}

impl Painter for SvgPainter {
    fn clear(&mut self, c: Color) {
        let (fill, alpha) = color(c);
        let _ = writeln!(
            self.out,
            "<rect width=\"100%\" height=\"100%\" fill=\"{fill}\" fill-opacity=\"{}\"/>",
            num(alpha)
        );
    }

    fn set_camera(&mut self, camera: &Camera) {
        if self.group_open {
            self.out.push_str("</g>\n");
        }
        let k = camera.zoom;
        let _ = writeln!(
            self.out,
            "<g transform=\"matrix({} 0 0 {} {} {})\">",
            num(k),
            num(k),
            num(-camera.origin.x * k),
            num(-camera.origin.y * k)
        );
        self.group_open = true;
    }

    fn path(
        &mut self,
        path: &[PathEl],
        fill: Option<Color>,
        stroke: Option<&Stroke>,
        opacity: f64,
    ) {
        if path.is_empty() {
            return;
        }
        let mut attrs = String::new();
        match fill {
            Some(c) => {
                let (fill, alpha) = color(c);
                let _ = write!(attrs, " fill=\"{fill}\" fill-opacity=\"{}\"", num(alpha));
            }
            None => attrs.push_str(" fill=\"none\""),
        }
        if let Some(s) = stroke {
            let (paint, alpha) = color(s.color);
            let _ = write!(
                attrs,
                " stroke=\"{paint}\" stroke-opacity=\"{}\" stroke-width=\"{}\" \
                 stroke-linecap=\"round\" stroke-linejoin=\"round\"",
                num(alpha),
                num(s.width)
            );
            if let Some([on, off]) = s.dashes() {
                let _ = write!(attrs, " stroke-dasharray=\"{} {}\"", num(on), num(off));
            }
        }
        if opacity < 1.0 {
            let _ = write!(attrs, " opacity=\"{}\"", num(opacity));
        }
        let _ = writeln!(self.out, "<path d=\"{}\"{attrs}/>", path_data(path));
    }

    /// A `<linearGradient>` in user space (world units, inside the camera group) defined just
    /// before the path that uses it, so the document stays one pass.
    fn gradient(&mut self, path: &[PathEl], g: &LinearGradient, opacity: f64) {
        if path.is_empty() {
            return;
        }
        self.gradients += 1;
        let id = format!("g{}", self.gradients);
        let _ = write!(
            self.out,
            "<defs><linearGradient id=\"{id}\" gradientUnits=\"userSpaceOnUse\" x1=\"{}\" y1=\"{}\" \
             x2=\"{}\" y2=\"{}\">",
            num(g.start.x),
            num(g.start.y),
            num(g.end.x),
            num(g.end.y)
        );
        for (offset, c) in &g.stops {
            let (paint, alpha) = color(*c);
            let _ = write!(
                self.out,
                "<stop offset=\"{}\" stop-color=\"{paint}\" stop-opacity=\"{}\"/>",
                num(*offset),
                num(alpha)
            );
        }
        self.out.push_str("</linearGradient></defs>\n");
        let fade = if opacity < 1.0 {
            format!(" opacity=\"{}\"", num(opacity))
        } else {
            String::new()
        };
        let _ = writeln!(
            self.out,
            "<path d=\"{}\" fill=\"url(#{id})\"{fade}/>",
            path_data(path)
        );
    }

    fn text(&mut self, t: &TextBlock) {
        let (fill, alpha) = color(t.color);
        let anchor = match t.align {
            TextAlign::Left => "start",
            TextAlign::Center => "middle",
            TextAlign::Right => "end",
        };
        let rotate = if t.angle.0 == 0.0 {
            String::new()
        } else {
            format!(
                " transform=\"rotate({} {} {})\"",
                num(t.angle.0.to_degrees()),
                num(t.pivot.x),
                num(t.pivot.y)
            )
        };
        let _ = writeln!(
            self.out,
            "<g font-family=\"{}\" font-size=\"{}\" text-anchor=\"{anchor}\" fill=\"{fill}\" \
             fill-opacity=\"{}\" opacity=\"{}\"{rotate}>",
            escape(t.family.css_stack()),
            num(t.size),
            num(alpha),
            num(t.opacity)
        );
        for line in &t.lines {
            let _ = writeln!(
                self.out,
                "<text x=\"{}\" y=\"{}\" xml:space=\"preserve\">{}</text>",
                num(line.anchor.x),
                num(line.anchor.y),
                escape(&line.text)
            );
        }
        self.out.push_str("</g>\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_short_and_text_is_escaped() {
        assert_eq!(num(1.0), "1");
        assert_eq!(num(2.50), "2.5");
        assert_eq!(num(-0.001), "0");
        assert_eq!(num(1.234_56), "1.23");
        assert_eq!(escape("<a & 'b'>"), "&lt;a &amp; &apos;b&apos;&gt;");
    }
}
