//! The text box: a textarea laid over the canvas where text is typed in place.
//!
//! A real textarea rather than keystrokes drawn on the canvas gives input methods (accents,
//! CJK), the mobile keyboard, spell-checking, selection and screen readers for free
//! (Excalidraw's choice too). The editor decides *when* text is being edited
//! ([`inkroom_core::editor::Editor::text_edit`]); this module shows the box there, in the
//! element's font at the current zoom, and hands the text back. Words are never lost: Escape,
//! Ctrl/Cmd+Enter, a click elsewhere and switching tools all keep what was typed (Excalidraw's
//! rules); Enter starts a new line; text emptied to nothing is removed.

use super::events::Listener;
use super::{Board, BrowserEntropy};
use inkroom_core::container;
use inkroom_core::element::{FontFamily, LINE_HEIGHT, TextAlign};
use inkroom_core::geom::WorldPoint;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlTextAreaElement};

/// The size of `text` in `family` at `size` (world units), measured by the canvas.
fn measure(
    ctx: &CanvasRenderingContext2d,
    text: &str,
    size: f64,
    family: FontFamily,
) -> (f64, f64) {
    ctx.save();
    ctx.set_font(&format!("{size}px {}", family.css_stack()));
    let width = text
        .split('\n')
        .map(|line| ctx.measure_text(line).map_or(0.0, |m| m.width()))
        .fold(0.0, f64::max);
    ctx.restore();
    let lines = text.split('\n').count() as f64;
    (width, lines * size * LINE_HEIGHT)
}

/// Sizes the box to its text (plus room for the caret) at the current zoom. Text inside a shape
/// is laid out by the core as it will be drawn: as wide as the shape's text area, centred in it,
/// and the box follows (taller if the browser's own wrapping needs more lines than estimated).
fn fit(board: &Board, text_box: &HtmlTextAreaElement) {
    let e = board.engine.borrow();
    let Some(edit) = e.editor.text_edit() else {
        return;
    };
    let camera = e.editor.camera;
    let zoom = camera.zoom;
    let host = edit
        .props
        .container_id
        .and_then(|c| e.editor.scene().get(c));
    if let Some(host) = host {
        let mut typed = edit.props.clone();
        typed.text = text_box.value();
        let laid = container::layout(&typed, host.props());
        let centre = camera.world_to_screen(laid.rect().center());
        let width = laid.width * zoom;
        let style = text_box.style();
        let _ = style.set_property("width", &format!("{width}px"));
        let _ = style.set_property("height", &format!("{}px", laid.height * zoom));
        let height = (laid.height * zoom).max(f64::from(text_box.scroll_height()));
        for (name, value) in [
            ("height", format!("{height}px")),
            ("left", format!("{}px", centre.x - width / 2.0)),
            ("top", format!("{}px", centre.y - height / 2.0)),
            (
                "transform-origin",
                format!("{}px {}px", width / 2.0, height / 2.0),
            ),
        ] {
            let _ = style.set_property(name, &value);
        }
        return;
    }
    let (w, h) = measure(
        &e.ctx,
        &text_box.value(),
        edit.props.font_size,
        edit.props.font_family,
    );
    let font_px = edit.props.font_size * zoom;
    let style = text_box.style();
    let _ = style.set_property("width", &format!("{}px", w * zoom + font_px));
    let _ = style.set_property("height", &format!("{}px", h * zoom.max(1e-3)));
}

/// Opens the box when the editor started editing text, or hides it when the editor stopped.
pub(super) fn sync(board: &Board) {
    let (edit, camera, text_box, open) = {
        let e = board.engine.borrow();
        (
            e.editor.text_edit().cloned(),
            e.editor.camera,
            e.text_box.clone(),
            e.text_open,
        )
    };
    let Some(text_box) = text_box else { return };
    match (edit, open) {
        (Some(edit), false) => {
            let p = &edit.props;
            let at = camera.world_to_screen(WorldPoint::new(p.x, p.y));
            let style = text_box.style();
            let align = match p.text_align {
                TextAlign::Left => "left",
                TextAlign::Center => "center",
                TextAlign::Right => "right",
            };
            for (name, value) in [
                ("left", format!("{}px", at.x)),
                ("top", format!("{}px", at.y)),
                ("font-size", format!("{}px", p.font_size * camera.zoom)),
                ("font-family", p.font_family.css_stack().to_owned()),
                ("color", p.stroke_color.to_string()),
                ("line-height", LINE_HEIGHT.to_string()),
                ("text-align", align.to_owned()),
                ("transform", format!("rotate({}rad)", p.angle.0)),
                // Elements turn about their centre; so does the box.
                (
                    "transform-origin",
                    format!(
                        "{}px {}px",
                        p.width * camera.zoom / 2.0,
                        p.height * camera.zoom / 2.0
                    ),
                ),
            ] {
                let _ = style.set_property(name, &value);
            }
            // Text inside a shape wraps to it; free text breaks only where typed.
            let (white_space, wrap) = if p.container_id.is_some() {
                ("pre-wrap", "soft")
            } else {
                ("pre", "off")
            };
            let _ = style.set_property("white-space", white_space);
            let _ = style.set_property("overflow-wrap", "anywhere");
            let _ = text_box.set_attribute("wrap", wrap);
            text_box.set_value(&p.text);
            board.engine.borrow_mut().text_open = true;
            if let Some(l) = &board.live {
                l.input(Some(inkroom_core::protocol::Activity::Typing));
            }
            text_box.set_hidden(false);
            fit(board, &text_box);
            let _ = text_box.focus();
            let end = p.text.encode_utf16().count() as u32;
            let _ = text_box.set_selection_range(end, end);
        }
        (None, true) => {
            board.engine.borrow_mut().text_open = false;
            text_box.set_hidden(true);
        }
        _ => {}
    }
}

/// Takes the box away if it is showing, returning it (the borrow is released before the DOM
/// is touched: hiding a focused box fires `blur`, whose handler borrows the engine).
fn close(board: &Board) -> Option<HtmlTextAreaElement> {
    let text_box = {
        let mut e = board.engine.borrow_mut();
        if !e.text_open {
            return None;
        }
        e.text_open = false;
        e.text_box.clone()
    }?;
    text_box.set_hidden(true);
    Some(text_box)
}

/// Keeps what was typed (if the box is open), then hands the text tool over to the selection
/// tool as drawing tools do.
pub(super) fn commit(board: &Board) {
    if keep(board) {
        board.follow_tool();
    }
}

/// Keeps what was typed (if the box is open) and leaves the tool alone: used when the tool is
/// being switched, so the new choice stands. Returns whether the box was open.
pub(super) fn keep(board: &Board) -> bool {
    let Some(text_box) = close(board) else {
        return false;
    };
    let text = text_box.value();
    {
        let mut e = board.engine.borrow_mut();
        let measured = e
            .editor
            .text_edit()
            .map(|t| measure(&e.ctx, &text, t.props.font_size, t.props.font_family));
        e.editor.commit_text(&text, measured, &mut BrowserEntropy);
    }
    board.changed();
    if let Some(l) = &board.live {
        l.input(Some(inkroom_core::protocol::Activity::Active));
    }
    true
}

/// Whether a key press in the box finishes editing: Escape, or Enter with Ctrl or Cmd. Plain
/// and Shift+Enter start a new line, as in Excalidraw.
fn finishes(key: &str, ctrl_or_cmd: bool) -> bool {
    key == "Escape" || (key == "Enter" && ctrl_or_cmd)
}

/// The box's listeners: Escape and Ctrl/Cmd+Enter keep, typing resizes, leaving keeps.
pub(super) fn listeners(board: &Board, text_box: &HtmlTextAreaElement) -> Vec<Listener> {
    let target: &web_sys::EventTarget = text_box.as_ref();
    vec![
        Listener::new(target, "keydown", {
            let board = board.clone();
            move |ev| {
                let Some(ev) = ev.dyn_ref::<web_sys::KeyboardEvent>() else {
                    return;
                };
                // Board shortcuts never apply while typing.
                ev.stop_propagation();
                if ev.is_composing() {
                    return;
                }
                if finishes(&ev.key(), ev.ctrl_key() || ev.meta_key()) {
                    ev.prevent_default();
                    commit(&board);
                }
            }
        }),
        Listener::new(target, "input", {
            let (board, text_box) = (board.clone(), text_box.clone());
            move |_| fit(&board, &text_box)
        }),
        Listener::new(target, "blur", {
            let board = board.clone();
            move |_| commit(&board)
        }),
    ]
}
