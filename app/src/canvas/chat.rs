//! The room's chat panel: opens and closes with an unread badge, loads older messages as the
//! list is scrolled to the top, shows new ones live, groups consecutive messages of one person
//! with their time, and sends with Enter. Everything typed is rendered as text; only http(s)
//! links become links (`inkroom_core::linkify`). Viewers read only (the server enforces it too).

use super::ui::{Chat, UiAction};
use crate::icons::{Icon, IconSvg};
use inkroom_core::linkify::{Segment, segments};
use inkroom_core::protocol::{ChatMessage, MAX_CHAT_CHARS};
use leptos::prelude::*;

/// Messages from one person within this many milliseconds of the previous share a header.
const GROUP_MS: i64 = 5 * 60 * 1000;

/// `HH:MM` (UTC on the server, local in the browser after hydration: the list is rendered in
/// the browser only, so the two never have to agree).
fn time_of(at_ms: i64) -> String {
    #[cfg(feature = "hydrate")]
    {
        let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at_ms as f64));
        format!("{:02}:{:02}", d.get_hours(), d.get_minutes())
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let minutes = at_ms.div_euclid(60_000);
        format!(
            "{:02}:{:02}",
            minutes.div_euclid(60).rem_euclid(24),
            minutes.rem_euclid(60)
        )
    }
}

/// A message's text with its links clickable.
fn message_body(text: &str) -> impl IntoView + use<> {
    segments(text)
        .into_iter()
        .map(|s| match s {
            Segment::Text(t) => t.to_owned().into_any(),
            Segment::Link(url) => view! {
                <a href=url.to_owned() target="_blank" rel="noopener noreferrer nofollow">{url.to_owned()}</a>
            }
            .into_any(),
        })
        .collect_view()
}

/// The chat button (with its unread badge) and the panel.
#[component]
pub(super) fn ChatPanel(
    chat: Chat,
    read_only: bool,
    act: impl Fn(UiAction) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let draft = RwSignal::new(String::new());
    let list = NodeRef::<leptos::html::Ol>::new();
    let toggle = move || {
        chat.open.update(|o| *o = !*o);
        if chat.open.get_untracked() {
            chat.unread.set(0);
        }
    };
    let send = move || {
        let text = draft.get_untracked();
        if text.trim().is_empty() || text.chars().count() > MAX_CHAT_CHARS {
            return;
        }
        act(UiAction::SendChat(text));
        draft.set(String::new());
    };
    // Scrolled to the top: the previous page.
    let on_scroll = move |_| {
        if let Some(el) = list.get()
            && el.scroll_top() <= 4
            && chat.older.get_untracked().is_some()
            && !chat.loading.get_untracked()
        {
            act(UiAction::OlderChat);
        }
    };
    let grouped = move || {
        chat.messages.with(|messages| {
            let mut prev: Option<&ChatMessage> = None;
            messages
                .iter()
                .map(|m| {
                    let head =
                        prev.is_none_or(|p| p.user_id != m.user_id || m.at_ms - p.at_ms > GROUP_MS);
                    prev = Some(m);
                    (m.clone(), head)
                })
                .collect::<Vec<_>>()
        })
    };
    let left = move || MAX_CHAT_CHARS as i64 - draft.with(|d| d.chars().count()) as i64;
    view! {
        <button type="button" class="tool chat-toggle" data-testid="chat-toggle"
            aria-label="Chat" title="Chat — Ctrl+Shift+C" aria-expanded=move || chat.open.get().to_string()
            on:click=move |_| toggle()>
            <IconSvg icon=Icon::Chat />
            <span class="badge unread" data-testid="chat-unread" hidden=move || chat.unread.get() == 0>
                {move || chat.unread.get().to_string()}
            </span>
        </button>
        <aside class="chat-panel" data-testid="chat-panel" hidden=move || !chat.open.get() aria-label="Chat">
            <header class="row spread">
                <h2>"Chat"</h2>
                <button type="button" class="icon-button" aria-label="Close chat" on:click=move |_| toggle()>
                    <IconSvg icon=Icon::Close />
                </button>
            </header>
            <p class="muted small" hidden=move || chat.older.get().is_none() || chat.messages.with(Vec::is_empty)>
                {move || if chat.loading.get() { "Loading older messages…" } else { "Scroll up for older messages" }}
            </p>
            <ol class="chat-messages" node_ref=list on:scroll=on_scroll data-testid="chat-messages">
                {move || grouped().into_iter().map(|(m, head)| view! {
                    <li class="chat-message" class:head=head data-id=m.id.to_string()>
                        {head.then(|| view! {
                            <div class="chat-meta"><b>{m.name.clone()}</b> " " <time>{time_of(m.at_ms)}</time></div>
                        })}
                        <div class="chat-text" data-testid="chat-text">{message_body(&m.text)}</div>
                    </li>
                }).collect_view()}
            </ol>
            {move || chat.error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            {if read_only {
                view! { <p class="muted small">"Viewers can read the chat but not post."</p> }.into_any()
            } else {
                view! {
                    <form class="chat-form" on:submit=move |ev| { ev.prevent_default(); send(); }>
                        <textarea data-testid="chat-input" aria-label="Message" rows="2"
                            placeholder="Message — Enter to send, Shift+Enter for a new line"
                            prop:value=move || draft.get()
                            on:input=move |ev| { draft.set(event_target_value(&ev)); act(UiAction::ChatTyping); }
                            on:keydown=move |ev| {
                                // Board shortcuts never apply while typing here.
                                ev.stop_propagation();
                                if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
                                    ev.prevent_default();
                                    send();
                                }
                            }></textarea>
                        <div class="row spread">
                            <span class="muted small" class:over=move || left() < 0 data-testid="chat-left">
                                {move || format!("{} left", left())}
                            </span>
                            <button type="submit" class="primary" data-testid="chat-send"
                                disabled=move || left() < 0 || draft.with(|d| d.trim().is_empty())>
                                <IconSvg icon=Icon::Send /> "Send"
                            </button>
                        </div>
                    </form>
                }.into_any()
            }}
        </aside>
    }
}
