//! The board's preferences, kept in the browser (`localStorage["inkroom.board"]`) and restored
//! when a board opens: the grid, the tool lock, the colours picked recently and whether the chat
//! panel is open. (The theme is kept by `crate::theme`, since every page has it.) A missing or
//! damaged entry means the defaults; nothing here ever stops a board from opening.

use super::{Board, set_if_changed};
use crate::canvas::ui::{MAX_RECENT_COLORS, Ui};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Where the preferences are kept.
const KEY: &str = "inkroom.board";

/// What is remembered.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
struct Prefs {
    grid: bool,
    tool_lock: bool,
    recent: Vec<String>,
    chat_open: bool,
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn load() -> Prefs {
    storage()
        .and_then(|s| s.get_item(KEY).ok().flatten())
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default()
}

/// Applies the saved preferences to the board, then saves them whenever they change.
pub(super) fn restore(board: &Board, ui: Ui) {
    let mut saved = load();
    saved
        .recent
        .retain(|c| c.parse::<inkroom_core::element::Color>().is_ok());
    saved.recent.truncate(MAX_RECENT_COLORS);
    {
        let mut e = board.engine.borrow_mut();
        e.editor.set_grid(saved.grid);
        e.editor.set_tool_lock(saved.tool_lock);
    }
    set_if_changed(ui.recent, saved.recent.clone());
    set_if_changed(ui.chat.open, saved.chat_open);
    board.refresh();
    Effect::new(move |_| {
        let now = Prefs {
            grid: ui.grid.get(),
            tool_lock: ui.tool_lock.get(),
            recent: ui.recent.get(),
            chat_open: ui.chat.open.get(),
        };
        if let (Some(s), Ok(json)) = (storage(), serde_json::to_string(&now)) {
            let _ = s.set_item(KEY, &json);
        }
    });
}
