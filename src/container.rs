//! Text inside shapes (Excalidraw's "container text"): a text element whose `container_id`
//! names a rectangle, diamond or ellipse is centred in it, wrapped to its width, turned with it,
//! and deleted with it.
//!
//! The text element keeps the text as typed; wrapping is computed from it whenever it is laid
//! out or drawn ([`wrap`]), so resizing the shape re-wraps without losing the typed line breaks
//! (Excalidraw stores the wrapped text beside an `originalText` instead; one field cannot get out
//! of step with the other). The core cannot measure glyphs, so lines are wrapped on
//! [`AVERAGE_CHAR_WIDTH`]: the same estimate on every back end, so the browser, the PNG and the
//! SVG export break lines in the same places.

use crate::element::{
    AVERAGE_CHAR_WIDTH, ElementKind, LINE_HEIGHT, Props, TextAlign, VerticalAlign,
};
use crate::geom::{Rect, WorldPoint};

/// Space kept between the text and the shape's outline, world units (Excalidraw's 5).
pub const PADDING: f64 = 5.0;

/// Whether `p` can hold text: a live rectangle, diamond or ellipse.
pub fn can_contain(p: &Props) -> bool {
    p.kind.is_box() && !p.is_deleted
}

/// The share of a box's width and height that the largest centred rectangle inside its
/// outline takes: all of a rectangle, 1/√2 of an ellipse, half of a diamond.
fn inner_share(kind: ElementKind) -> f64 {
    match kind {
        ElementKind::Ellipse => std::f64::consts::FRAC_1_SQRT_2,
        ElementKind::Diamond => 0.5,
        _ => 1.0,
    }
}

/// Where text goes inside `container`, in its unrotated frame: the rectangle inside its outline,
/// less [`PADDING`], centred on the container's centre.
pub fn text_area(container: &Props) -> Rect {
    let k = inner_share(container.kind);
    let w = (container.width * k - 2.0 * PADDING).max(0.0);
    let h = (container.height * k - 2.0 * PADDING).max(0.0);
    let c = container.rect().center();
    Rect::from_corners(
        WorldPoint::new(c.x - w / 2.0, c.y - h / 2.0),
        WorldPoint::new(c.x + w / 2.0, c.y + h / 2.0),
    )
}

/// `text` broken into lines no wider than `width` at `font_size` (estimated): the typed line
/// breaks, then greedy breaks between words; a word longer than a whole line is cut. At least
/// one character fits on every line.
///
/// # Examples
/// ```
/// use inkroom_core::container::wrap;
/// // 20 world units per em, 0.55 em per character: 5 characters fit in 60 units.
/// assert_eq!(wrap("one two three\nfour", 60.0, 20.0), ["one", "two", "three", "four"]);
/// assert_eq!(wrap("abcdefgh", 60.0, 20.0), ["abcde", "fgh"]);
/// ```
pub fn wrap(text: &str, width: f64, font_size: f64) -> Vec<String> {
    let per_char = font_size * AVERAGE_CHAR_WIDTH;
    let fits = if per_char > 0.0 && width.is_finite() {
        ((width / per_char + 1e-9).floor() as usize).max(1)
    } else {
        usize::MAX
    };
    let mut out = Vec::new();
    for line in text.split('\n') {
        if line.chars().count() <= fits {
            out.push(line.to_owned());
            continue;
        }
        let mut current = String::new();
        let mut len = 0;
        for word in line.split(' ').filter(|w| !w.is_empty()) {
            let mut chars: Vec<char> = word.chars().collect();
            if len > 0 && len + 1 + chars.len() <= fits {
                current.push(' ');
                current.extend(&chars);
                len += 1 + chars.len();
                continue;
            }
            if len > 0 {
                out.push(std::mem::take(&mut current));
            }
            while chars.len() > fits {
                out.push(chars.drain(..fits).collect());
            }
            len = chars.len();
            current = chars.into_iter().collect();
        }
        out.push(current);
    }
    out
}

/// The height of `text`'s lines wrapped to its own width.
fn wrapped_height(text: &Props, width: f64) -> f64 {
    wrap(&text.text, width, text.font_size).len() as f64 * text.font_size * LINE_HEIGHT
}

/// `text` laid out in `container`: as wide as the text area, as tall as its wrapped lines,
/// centred on the container's centre, turned like it.
pub fn layout(text: &Props, container: &Props) -> Props {
    let area = text_area(container);
    let height = wrapped_height(text, area.width());
    let c = area.center();
    let mut out = text.clone();
    out.x = area.min.x;
    out.y = c.y - height / 2.0;
    out.width = area.width();
    out.height = height;
    out.angle = container.angle;
    out.text_align = TextAlign::Center;
    out.vertical_align = VerticalAlign::Middle;
    out
}

/// `container` made tall enough for `text`, growing downwards as Excalidraw does, or `None`
/// when the text already fits.
pub fn grown_for(container: &Props, text: &Props) -> Option<Props> {
    let area = text_area(container);
    let needed = wrapped_height(text, area.width());
    if needed <= area.height() + 1e-9 {
        return None;
    }
    let mut out = container.clone();
    out.height = (needed + 2.0 * PADDING) / inner_share(container.kind);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geom::Radians;
    use crate::index::FracIndex;

    fn shape(kind: ElementKind, w: f64, h: f64) -> Props {
        let r = Rect::from_corners(
            WorldPoint::new(100.0, 100.0),
            WorldPoint::new(100.0 + w, 100.0 + h),
        );
        Props::new(kind, r, FracIndex::between(None, None).unwrap())
    }

    fn text(s: &str) -> Props {
        let mut t = Props::text(
            WorldPoint::ORIGIN,
            s,
            20.0,
            FracIndex::between(None, None).unwrap(),
        );
        t.container_id = Some(crate::element::ElementId::from_u128(1));
        t
    }

    #[test]
    fn text_is_centred_in_the_container_and_turns_with_it() {
        let mut rect = shape(ElementKind::Rectangle, 200.0, 100.0);
        rect.angle = Radians(0.5);
        let t = layout(&text("hi"), &rect);
        assert_eq!(t.rect().center(), rect.rect().center());
        assert_eq!((t.width, t.height), (190.0, 25.0));
        assert_eq!(t.angle, rect.angle);
        assert_eq!(
            (t.text_align, t.vertical_align),
            (TextAlign::Center, VerticalAlign::Middle)
        );
    }

    #[test]
    fn text_wraps_to_the_inside_of_ellipses_and_diamonds() {
        let ellipse = shape(ElementKind::Ellipse, 200.0, 100.0);
        let diamond = shape(ElementKind::Diamond, 200.0, 100.0);
        let rect = shape(ElementKind::Rectangle, 200.0, 100.0);
        let words = text("lorem ipsum dolor sit amet consectetur");
        let lines = |c: &Props| (layout(&words, c).height / 25.0).round() as usize;
        assert!(text_area(&ellipse).width() < text_area(&rect).width());
        assert!(lines(&rect) < lines(&ellipse));
        assert!(lines(&ellipse) < lines(&diamond));
    }

    #[test]
    fn wrapping_keeps_typed_breaks_and_cuts_long_words() {
        assert_eq!(wrap("a b\n\nc", 1000.0, 20.0), ["a b", "", "c"]);
        assert_eq!(
            wrap("abcdefghijkl", 33.0, 20.0),
            ["abc", "def", "ghi", "jkl"]
        );
        assert_eq!(wrap("ab cdefgh", 44.0, 20.0), ["ab", "cdef", "gh"]);
        assert_eq!(wrap("xyz", 0.0, 20.0), ["x", "y", "z"]);
    }

    #[test]
    fn a_container_grows_downwards_to_fit_its_text() {
        let rect = shape(ElementKind::Rectangle, 100.0, 40.0);
        assert!(grown_for(&rect, &text("hi")).is_none());
        let long = text("one\ntwo\nthree");
        let grown = grown_for(&rect, &long).unwrap();
        assert_eq!(
            (grown.y, grown.height),
            (rect.y, 3.0 * 25.0 + 2.0 * PADDING)
        );
        assert!(grown_for(&grown, &long).is_none());
    }
}
