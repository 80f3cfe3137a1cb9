//! Copy and paste: the selection as clipboard text, clipboard text back into elements, and the
//! one way copies of elements are made (pasting and Ctrl+D duplicating share it).
//!
//! # The clipboard format
//! Copying writes a JSON envelope, Excalidraw's idea with our own type tag so neither app
//! mistakes the other's data for its own:
//!
//! ```json
//! {"type":"inkroom/clipboard","version":1,"elements":[{"id":"…","kind":"rectangle","x":10,…}]}
//! ```
//!
//! Each element is its id followed by its props exactly as the protocol writes them
//! (`docs/protocol.md`); sync bookkeeping (version, nonce, time) is left out because a paste
//! creates new elements. The ids are there only so that bindings and containers between copied
//! elements can be pointed at the copies.
//!
//! # What [`parse`] accepts
//! - More than [`MAX_CLIPBOARD_BYTES`]: refused, whatever it is.
//! - Text that begins with `{` (after white space) is read as an envelope: it must be valid JSON,
//!   carry the `inkroom/clipboard` type and hold at most [`MAX_CLIPBOARD_ELEMENTS`] valid
//!   elements, or it is refused with the reason. Treating every `{…` as an envelope rather than
//!   falling back to text means a damaged copy is reported instead of landing on the board as a
//!   wall of JSON.
//! - Anything else is plain text (at most [`MAX_TEXT_CHARS`] characters), which becomes a text
//!   element.
//!
//! Nothing is ever half-pasted: [`parse`] checks everything before the editor inserts anything.

use crate::element::{ElementError, ElementId, GroupId, MAX_TEXT_CHARS, Props};
use crate::geom::Vec2;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The `type` tag of Inkroom's clipboard envelope.
pub const CLIPBOARD_TYPE: &str = "inkroom/clipboard";
/// The envelope's format version.
pub const CLIPBOARD_VERSION: u32 = 1;
/// The most clipboard text a paste reads (4 MiB): about a thousand long pen strokes. More is
/// refused rather than parsed, so a stray paste of a huge file cannot freeze the tab.
pub const MAX_CLIPBOARD_BYTES: usize = 4 * 1024 * 1024;
/// The most elements one paste may create.
pub const MAX_CLIPBOARD_ELEMENTS: usize = 5_000;

/// One element on the clipboard: its id (to rewire bindings among the copies) and its props.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Copied {
    /// The id it had where it was copied.
    pub id: ElementId,
    /// Its properties.
    #[serde(flatten)]
    pub props: Props,
}

/// The envelope as written and read.
#[derive(Debug, Serialize, Deserialize)]
struct Envelope {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default = "default_version")]
    version: u32,
    elements: Vec<Copied>,
}

fn default_version() -> u32 {
    CLIPBOARD_VERSION
}

/// What the clipboard held.
#[derive(Clone, Debug, PartialEq)]
pub enum Clipboard {
    /// Elements copied from a board (in paint order, bottom first).
    Elements(Vec<Copied>),
    /// Plain text, cleaned of control characters other than newlines and tabs.
    Text(String),
}

/// Why clipboard content was refused. The messages are written for the user (shown as toasts).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ClipboardError {
    /// Nothing but white space.
    #[error("Nothing to paste")]
    Empty,
    /// More than [`MAX_CLIPBOARD_BYTES`], [`MAX_CLIPBOARD_ELEMENTS`] or [`MAX_TEXT_CHARS`].
    #[error("Too much to paste at once: {0}")]
    TooLarge(&'static str),
    /// Began like JSON but did not parse.
    #[error("Could not paste: the clipboard holds damaged JSON")]
    InvalidJson,
    /// JSON, but not an Inkroom envelope (another app's data, or a newer format).
    #[error("Could not paste: not Inkroom content ({0})")]
    Foreign(String),
    /// An Inkroom envelope with an element that breaks the model's rules.
    #[error("Could not paste: {0}")]
    InvalidElement(String),
    /// The board is view-only.
    #[error("This board is view-only")]
    ViewOnly,
}

impl From<ElementError> for ClipboardError {
    fn from(e: ElementError) -> Self {
        Self::InvalidElement(e.to_string())
    }
}

/// The clipboard text for `elements` (in the order given, which should be paint order).
///
/// # Examples
/// ```
/// use inkroom_core::clipboard::{Clipboard, Copied, parse, serialize};
/// use inkroom_core::element::{ElementId, ElementKind, Props};
/// use inkroom_core::geom::{Rect, WorldPoint};
/// use inkroom_core::index::FracIndex;
///
/// let r = Rect::from_corners(WorldPoint::new(0.0, 0.0), WorldPoint::new(10.0, 10.0));
/// let props = Props::new(ElementKind::Ellipse, r, FracIndex::between(None, None).unwrap());
/// let copied = vec![Copied { id: ElementId::from_u128(1), props }];
/// let text = serialize(&copied);
/// assert!(text.starts_with(r#"{"type":"inkroom/clipboard""#));
/// assert_eq!(parse(&text), Ok(Clipboard::Elements(copied)));
/// ```
pub fn serialize(elements: &[Copied]) -> String {
    #[derive(Serialize)]
    struct Out<'a> {
        #[serde(rename = "type")]
        kind: &'a str,
        version: u32,
        elements: &'a [Copied],
    }
    serde_json::to_string(&Out {
        kind: CLIPBOARD_TYPE,
        version: CLIPBOARD_VERSION,
        elements,
    })
    // Props hold only strings, numbers and enums: serialising them cannot fail.
    .unwrap_or_default()
}

/// Reads clipboard text (see the module docs for the rules). Never returns an empty element
/// list or empty text.
pub fn parse(text: &str) -> Result<Clipboard, ClipboardError> {
    if text.len() > MAX_CLIPBOARD_BYTES {
        return Err(ClipboardError::TooLarge(
            "the clipboard holds more than 4 MiB",
        ));
    }
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(ClipboardError::Empty);
    }
    if trimmed.starts_with('{') {
        return parse_envelope(trimmed).map(Clipboard::Elements);
    }
    let clean: String = text
        .replace("\r\n", "\n")
        .chars()
        .filter(|&c| !c.is_control() || c == '\n' || c == '\t')
        .collect();
    if clean.chars().count() > MAX_TEXT_CHARS {
        return Err(ClipboardError::TooLarge(
            "text is limited to 20000 characters",
        ));
    }
    Ok(Clipboard::Text(clean))
}

fn parse_envelope(json: &str) -> Result<Vec<Copied>, ClipboardError> {
    // Two steps, so that the message says *what* is wrong: not JSON, not ours, or ours but bad.
    let value: serde_json::Value =
        serde_json::from_str(json).map_err(|_| ClipboardError::InvalidJson)?;
    let kind = value.get("type").and_then(|t| t.as_str()).unwrap_or("");
    if kind != CLIPBOARD_TYPE {
        let shown: String = if kind.is_empty() {
            "no type".to_owned()
        } else {
            kind.chars().take(40).collect()
        };
        return Err(ClipboardError::Foreign(shown));
    }
    if value
        .get("elements")
        .and_then(|e| e.as_array())
        .is_some_and(|e| e.len() > MAX_CLIPBOARD_ELEMENTS)
    {
        return Err(ClipboardError::TooLarge("at most 5000 elements"));
    }
    let envelope: Envelope = serde_json::from_value(value)
        .map_err(|e| ClipboardError::InvalidElement(format!("an element is malformed ({e})")))?;
    if envelope.version > CLIPBOARD_VERSION {
        return Err(ClipboardError::Foreign(format!(
            "version {} is from a newer Inkroom",
            envelope.version
        )));
    }
    let elements: Vec<Copied> = envelope
        .elements
        .into_iter()
        .filter(|c| !c.props.is_deleted)
        .collect();
    if elements.is_empty() {
        return Err(ClipboardError::Empty);
    }
    for c in &elements {
        c.props.validate()?;
    }
    Ok(elements)
}

/// Copies of `originals`, moved by `offset`, with fresh ids from `fresh`, ready to insert as new
/// elements. The one place copies are made (duplicate and paste):
/// - copies of a group form a new group of their own, not more members of the old one (Excalidraw's
///   rule), each original group mapping to one new group;
/// - a binding or container pointing at another copied element points at its copy; one
///   pointing outside the copied set is dropped (it would tie the copy to the original);
/// - copies are unlocked, so the copies can be selected as pasted.
pub fn copies(
    originals: Vec<Copied>,
    offset: Vec2,
    mut fresh: impl FnMut() -> ElementId,
) -> Vec<Copied> {
    let ids: HashMap<ElementId, ElementId> = originals.iter().map(|c| (c.id, fresh())).collect();
    let mut groups: HashMap<GroupId, GroupId> = HashMap::new();
    originals
        .into_iter()
        .map(|Copied { id, mut props }| {
            props.x += offset.x;
            props.y += offset.y;
            props.locked = false;
            props.is_deleted = false;
            props.container_id = props.container_id.and_then(|c| ids.get(&c).copied());
            for binding in [&mut props.start_binding, &mut props.end_binding] {
                *binding = binding.and_then(|mut b| {
                    b.element_id = *ids.get(&b.element_id)?;
                    Some(b)
                });
            }
            props.group_ids = std::mem::take(&mut props.group_ids)
                .into_iter()
                .filter_map(|g| {
                    if let Some(new) = groups.get(&g) {
                        return Some(new.clone());
                    }
                    let new = GroupId::try_from(fresh().to_string()).ok()?;
                    groups.insert(g, new.clone());
                    Some(new)
                })
                .collect();
            Copied {
                id: ids[&id],
                props,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::element::{Binding, ElementKind};
    use crate::geom::{Rect, WorldPoint};
    use crate::index::FracIndex;

    fn boxed(n: u128, x: f64) -> Copied {
        let r = Rect::from_corners(WorldPoint::new(x, 0.0), WorldPoint::new(x + 10.0, 10.0));
        let props = Props::new(
            ElementKind::Rectangle,
            r,
            FracIndex::between(None, None).unwrap(),
        );
        Copied {
            id: ElementId::from_u128(n),
            props,
        }
    }

    #[test]
    fn elements_survive_a_round_trip_through_the_clipboard_text() {
        let mut arrow = boxed(2, 50.0);
        arrow.props.kind = ElementKind::Line;
        arrow.props.points = vec![
            crate::geom::LocalPoint::new(0.0, 0.0),
            crate::geom::LocalPoint::new(10.0, 10.0),
        ];
        let copied = vec![boxed(1, 0.0), arrow];
        let text = serialize(&copied);
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["type"], CLIPBOARD_TYPE);
        assert_eq!(v["version"], 1);
        assert_eq!(v["elements"][0]["kind"], "rectangle");
        assert_eq!(parse(&text), Ok(Clipboard::Elements(copied)));
    }

    #[test]
    fn plain_text_is_text_without_control_characters() {
        assert_eq!(
            parse("hello\r\nworld\u{7}"),
            Ok(Clipboard::Text("hello\nworld".into()))
        );
        assert_eq!(parse("  \n "), Err(ClipboardError::Empty));
        let long = "x".repeat(MAX_TEXT_CHARS + 1);
        assert!(matches!(parse(&long), Err(ClipboardError::TooLarge(_))));
    }

    #[test]
    fn damaged_foreign_or_invalid_content_is_refused_with_a_reason() {
        assert_eq!(
            parse(r#"{"type":"inkroom/clipboard","elements":[{"#),
            Err(ClipboardError::InvalidJson)
        );
        assert_eq!(
            parse(r#"{"type":"excalidraw/clipboard","elements":[]}"#),
            Err(ClipboardError::Foreign("excalidraw/clipboard".into()))
        );
        assert_eq!(
            parse(r#"{"a":1}"#),
            Err(ClipboardError::Foreign("no type".into()))
        );
        let mut bad = boxed(1, 0.0);
        bad.props.stroke_width = 1000.0;
        assert!(matches!(
            parse(&serialize(&[bad])),
            Err(ClipboardError::InvalidElement(_))
        ));
        assert!(matches!(
            parse(r#"{"type":"inkroom/clipboard","elements":[{"id":"nope"}]}"#),
            Err(ClipboardError::InvalidElement(_))
        ));
        assert_eq!(
            parse(r#"{"type":"inkroom/clipboard","elements":[]}"#),
            Err(ClipboardError::Empty)
        );
        let huge = format!("{{\"pad\":\"{}\"}}", "x".repeat(MAX_CLIPBOARD_BYTES));
        assert!(matches!(parse(&huge), Err(ClipboardError::TooLarge(_))));
        let many = vec![boxed(1, 0.0); MAX_CLIPBOARD_ELEMENTS + 1];
        assert!(matches!(
            parse(&serialize(&many)),
            Err(ClipboardError::TooLarge(_))
        ));
    }

    #[test]
    fn copies_get_fresh_ids_a_new_group_and_bindings_only_among_themselves() {
        let group: GroupId = "g".parse().unwrap();
        let mut a = boxed(1, 0.0);
        let mut b = boxed(2, 20.0);
        a.props.group_ids = vec![group.clone()];
        b.props.group_ids = vec![group.clone()];
        a.props.locked = true;
        let mut arrow = boxed(3, 40.0);
        arrow.props.kind = ElementKind::Arrow;
        arrow.props.points = vec![
            crate::geom::LocalPoint::new(0.0, 0.0),
            crate::geom::LocalPoint::new(10.0, 0.0),
        ];
        let bind = |n: u128| {
            Some(Binding {
                element_id: ElementId::from_u128(n),
                focus: 0.0,
                gap: 1.0,
            })
        };
        arrow.props.start_binding = bind(1);
        arrow.props.end_binding = bind(99); // not copied
        let mut n = 100;
        let out = copies(vec![a, b, arrow], Vec2::new(5.0, 7.0), || {
            n += 1;
            ElementId::from_u128(n)
        });
        let ids: Vec<ElementId> = out.iter().map(|c| c.id).collect();
        assert!(ids.iter().all(|id| *id > ElementId::from_u128(100)));
        assert_eq!((out[0].props.x, out[0].props.y), (5.0, 7.0));
        assert_eq!(out[0].props.group_ids, out[1].props.group_ids);
        assert_ne!(out[0].props.group_ids, vec![group]);
        assert!(!out[0].props.locked);
        assert_eq!(
            out[2].props.start_binding.map(|b| b.element_id),
            Some(out[0].id)
        );
        assert_eq!(out[2].props.end_binding, None);
    }
}
