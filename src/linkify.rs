//! Finding links in text people typed (chat messages), so the UI can make them clickable while
//! rendering everything else as plain text.
//!
//! Only `http://` and `https://` links count: anything else (`javascript:`, `data:`, bare
//! domains) stays text, so a message can never smuggle a script URL into an `href`.

/// A piece of a message: plain text, or a link to open.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment<'a> {
    /// Shown as typed.
    Text(&'a str),
    /// An http(s) URL, shown as itself and opened in a new tab.
    Link(&'a str),
}

/// Splits `text` into text and links. A link runs from `http://` or `https://` to the next
/// whitespace, without trailing punctuation that usually ends a sentence (`.`, `,`, `)`…).
///
/// # Examples
/// ```
/// use inkroom_core::linkify::{Segment, segments};
/// assert_eq!(
///     segments("see https://example.com/a, then <b>"),
///     [
///         Segment::Text("see "),
///         Segment::Link("https://example.com/a"),
///         Segment::Text(", then <b>"),
///     ]
/// );
/// ```
pub fn segments(text: &str) -> Vec<Segment<'_>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = find_scheme(rest) {
        let tail = &rest[start..];
        let end = tail.find(char::is_whitespace).unwrap_or(tail.len());
        let mut link = &tail[..end];
        link = link.trim_end_matches(['.', ',', ';', ':', '!', '?', ')', ']', '}', '\'', '"']);
        // "https://" alone is not a link.
        let scheme_len = if link.starts_with("https://") { 8 } else { 7 };
        if link.len() <= scheme_len {
            out.push(Segment::Text(&rest[..start + end]));
            rest = &rest[start + end..];
            continue;
        }
        if start > 0 {
            out.push(Segment::Text(&rest[..start]));
        }
        out.push(Segment::Link(link));
        rest = &rest[start + link.len()..];
    }
    if !rest.is_empty() {
        out.push(Segment::Text(rest));
    }
    out
}

/// Where the first `http://` or `https://` starts (ASCII case-insensitive).
fn find_scheme(s: &str) -> Option<usize> {
    let lower = s.to_ascii_lowercase();
    [lower.find("https://"), lower.find("http://")]
        .into_iter()
        .flatten()
        .min()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn links(text: &str) -> Vec<&str> {
        segments(text)
            .into_iter()
            .filter_map(|s| match s {
                Segment::Link(l) => Some(l),
                Segment::Text(_) => None,
            })
            .collect()
    }

    fn rebuilt(text: &str) -> String {
        segments(text)
            .into_iter()
            .map(|s| match s {
                Segment::Link(l) | Segment::Text(l) => l,
            })
            .collect()
    }

    #[test]
    fn only_http_and_https_links_are_links() {
        assert_eq!(
            links("go to https://a.example/x?y=1 now"),
            ["https://a.example/x?y=1"]
        );
        assert_eq!(
            links("HTTP://A.EXAMPLE and http://b.example."),
            ["HTTP://A.EXAMPLE", "http://b.example"]
        );
        assert!(links("javascript:alert(1) data:text/html,<script> www.example.com").is_empty());
        assert!(links("https:// alone").is_empty());
        assert!(links("<a href=\"javascript:alert(1)\">x</a>").is_empty());
    }

    #[test]
    fn nothing_is_lost_or_reordered() {
        for text in [
            "",
            "plain",
            "(see https://example.com/a_(b)).",
            "https://x.example https://y.example",
            "<script>alert('https://evil.example')</script>",
            "émoji 🎨 https://example.com/ü and more",
            "https://",
        ] {
            assert_eq!(rebuilt(text), text, "{text}");
        }
    }
}
