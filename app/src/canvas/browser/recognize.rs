//! Recognition from the board: fresh ink sent to the shape recogniser when auto-shape is on,
//! and selected ink sent to the handwriting recogniser on "Convert to text".
//!
//! The calls are the app's server functions (`crate::ai`), awaited off the event handlers, so
//! drawing never waits for a model. Their answers go through the editor's conversion methods,
//! which refuse ink that changed meanwhile: a late answer can never overwrite a stroke the user
//! moved or erased. Failures (a model not deployed, the network) become a toast; the ink stays.

use super::{Board, BrowserEntropy};
use crate::ai::{recognize_handwriting, recognize_shape};
use crate::error::AppError;
use inkroom_core::editor::InkStroke;
use inkroom_core::element::ElementId;
use inkroom_core::ink::{InkPoint, ShapeClass};
use leptos::prelude::{GetUntracked, Set};

/// Strokes with fewer points are dots or taps, not shapes: not worth a request.
const MIN_SHAPE_POINTS: usize = 3;

/// The strokes as the recognisers take them (world coordinates, y down).
fn strokes(ink: &[InkStroke]) -> Vec<Vec<InkPoint>> {
    ink.iter()
        .map(|s| s.points.iter().map(|p| InkPoint::new(p.x, p.y)).collect())
        .collect()
}

/// What to tell the user when `what` failed.
fn failure(what: &str, e: &AppError) -> String {
    match e {
        AppError::Unavailable { .. } => {
            format!("{what} is not available right now. Your ink is kept.")
        }
        AppError::Unauthorized => format!("Sign in again to use {what}. Your ink is kept."),
        AppError::Invalid { .. } => format!("This ink is too large for {what}. It is kept."),
        _ => format!("Could not reach {what}. Your ink is kept."),
    }
}

/// Sends the fresh stroke `id` to the shape recogniser and, if it is a shape, replaces it by
/// the clean shape (one undoable change) with a "Keep ink" toast.
pub(super) fn auto_shape(board: &Board, id: ElementId) {
    let Some(stroke) = board.engine.borrow().editor.ink([id]).pop() else {
        return;
    };
    if stroke.points.len() < MIN_SHAPE_POINTS {
        return;
    }
    let board = board.clone();
    leptos::task::spawn_local(async move {
        match recognize_shape(strokes(std::slice::from_ref(&stroke))).await {
            Ok(answer) => {
                let Some(shape) = answer.shape.filter(|_| answer.class != ShapeClass::None) else {
                    return;
                };
                let done = board.engine.borrow_mut().editor.convert_to_shape(
                    &stroke,
                    &shape,
                    &mut BrowserEntropy,
                );
                if let Some(done) = done {
                    board.changed();
                    board.toast(
                        format!("Converted to {}", answer.class.name()),
                        Some(done.action),
                        false,
                    );
                }
            }
            Err(e) => board.toast(failure("Shape recognition", &e), None, true),
        }
    });
}

/// Sends the selected ink to the handwriting recogniser and replaces it by one text element
/// (one undoable change) with a "Keep ink" toast.
pub(super) fn convert_selection_to_text(board: &Board) {
    let (ink, ui) = {
        let e = board.engine.borrow();
        let ids: Vec<ElementId> = e.editor.selection().ids().collect();
        (e.editor.ink(ids), e.ui)
    };
    if ink.is_empty() || ui.busy.get_untracked() {
        return;
    }
    ui.busy.set(true);
    let board = board.clone();
    leptos::task::spawn_local(async move {
        // Any characters: board notes are words, numbers and symbols alike.
        let answer = recognize_handwriting(strokes(&ink), None).await;
        ui.busy.set(false);
        match answer {
            Ok(read) if !read.text.trim().is_empty() => {
                let done = board.engine.borrow_mut().editor.convert_to_text(
                    &ink,
                    &read.text,
                    &mut BrowserEntropy,
                );
                match done {
                    Some(done) => {
                        board.changed();
                        board.toast(
                            format!("Converted to “{}”", read.text.trim()),
                            Some(done.action),
                            false,
                        );
                    }
                    None => board.toast(
                        "The ink changed while it was being read; nothing was converted.".into(),
                        None,
                        true,
                    ),
                }
            }
            Ok(_) => board.toast("No text recognised. Your ink is kept.".into(), None, true),
            Err(e) => board.toast(failure("Handwriting recognition", &e), None, true),
        }
    });
}
