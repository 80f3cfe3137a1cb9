//! The board: top bar, toolbar, selection panel, toasts, the help dialog, and the `<canvas>` the
//! wasm engine draws on (with the textarea used to type text in place).
//!
//! On the server this renders static markup. In the browser, once the canvas element exists,
//! [`browser::mount`] attaches the engine: pointer, wheel and keyboard input, a resize observer,
//! a `requestAnimationFrame` painter that redraws only when something changed, the live
//! connection and the recognisers. The UI and the engine talk through [`Ui`] (signals the engine
//! writes: tool, selection, toasts…) and [`UiAction`] (what buttons ask the engine to do), so the
//! markup stays the same with and without wasm.

#[cfg(feature = "hydrate")]
mod browser;
mod chat;
mod export;
mod panel;
mod people;
pub mod ui;

pub use ui::{Chat, Dispatch, LinkState, MAX_RECENT_COLORS, Presence, Toast, Ui, UiAction};

use crate::icons::{Icon, IconSvg};
use inkroom_core::editor::{Command, SHORTCUTS, SelectionSummary, ToolKind};
use leptos::prelude::*;

/// Each tool's icon (its name is the button's accessible label).
fn icon(t: ToolKind) -> Icon {
    match t {
        ToolKind::Hand => Icon::Hand,
        ToolKind::Select => Icon::Select,
        ToolKind::Rectangle => Icon::Rectangle,
        ToolKind::Diamond => Icon::Diamond,
        ToolKind::Ellipse => Icon::Ellipse,
        ToolKind::Arrow => Icon::Arrow,
        ToolKind::Line => Icon::Line,
        ToolKind::Freedraw => Icon::Pencil,
        ToolKind::Text => Icon::Text,
        ToolKind::Eraser => Icon::Eraser,
        ToolKind::Laser => Icon::Laser,
    }
}

/// Shortcuts the board page adds to the editor's ([`SHORTCUTS`]), for the help dialog.
const PAGE_SHORTCUTS: &[(&str, &str)] = &[
    ("C", "Open the chat and type a message"),
    (
        "Ctrl + Enter / Escape (typing text)",
        "Finish the text (a click elsewhere does too)",
    ),
];

/// The digit that picks a tool, shown in the corner of its button as in Excalidraw.
fn digit(t: ToolKind) -> Option<&'static str> {
    t.shortcuts()
        .iter()
        .copied()
        .find(|k| k.chars().all(|c| c.is_ascii_digit()))
}

/// The keys of a tool, for tooltips and the help dialog ("R or 2").
fn keys(t: ToolKind) -> String {
    t.shortcuts()
        .iter()
        .map(|k| k.to_uppercase())
        .collect::<Vec<_>>()
        .join(" or ")
}

/// A drawing board for the room `slug`. Read-only boards offer only the hand tool. `children` go
/// into the top bar (room badges, links).
#[component]
pub fn Board(
    /// The room's slug.
    slug: String,
    /// The room's name.
    title: String,
    /// Whether the viewer may only look.
    read_only: bool,
    /// Whether to connect to the room for real-time collaboration.
    #[prop(optional)]
    live: bool,
    /// Extra top-bar content.
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    let canvas_ref = NodeRef::<leptos::html::Canvas>::new();
    let initial = if read_only {
        ToolKind::Hand
    } else {
        ToolKind::Select
    };
    let ui = Ui {
        tool: RwSignal::new(initial),
        count: RwSignal::new(0),
        selection: RwSignal::new(SelectionSummary::default()),
        auto_shape: RwSignal::new(false),
        history: RwSignal::new((false, false)),
        toast: RwSignal::new(None),
        help: RwSignal::new(false),
        busy: RwSignal::new(false),
        tool_lock: RwSignal::new(false),
        locked: RwSignal::new(0),
        grid: RwSignal::new(false),
        chat: Chat::new(),
        recent: RwSignal::new(Vec::new()),
    };
    // The top bar's children (a challenge board's submit dialog) read the selection.
    provide_context(crate::challenges::pages::BoardSelection(ui.selection));
    let tools: Vec<ToolKind> = if read_only {
        vec![ToolKind::Hand]
    } else {
        ToolKind::ALL.to_vec()
    };
    let export_slug = slug.clone();
    let (ready, set_ready) = signal(false);
    let (link, set_link) = signal(LinkState::Offline);
    let presence = Presence::new();
    // Set by the engine once mounted; buttons do nothing before (the page is still static).
    // Browser only: a local (non-Send) value in the server's reactive arena would be dropped on
    // whichever worker thread finishes the response, which `LocalStorage` forbids.
    #[cfg(feature = "hydrate")]
    let engine: StoredValue<Option<Dispatch>, LocalStorage> = StoredValue::new_local(None);
    let act = move |a: UiAction| {
        #[cfg(feature = "hydrate")]
        if let Some(f) = engine.get_value() {
            f(a);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = a;
    };

    #[cfg(feature = "hydrate")]
    let room_slug = slug.clone();
    #[cfg(feature = "hydrate")]
    canvas_ref.on_load(move |canvas| {
        let params = live.then_some(browser::LiveParams {
            slug: room_slug,
            set_state: set_link,
            presence,
        });
        let dispatch = browser::mount(canvas, ui, params, read_only);
        engine.set_value(dispatch);
        set_ready.set(true);
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = (set_ready, set_link, live);

    let tool_button = move |t: ToolKind| {
        view! {
            <button
                type="button"
                class="tool"
                data-tool=t.key()
                aria-label=t.label()
                title=format!("{} — {}", t.label(), keys(t))
                aria-pressed=move || (ui.tool.get() == t).to_string()
                on:click=move |_| ui.tool.set(t)
            >
                <IconSvg icon=icon(t) />
                {digit(t).map(|d| view! { <span class="tool-key" aria-hidden="true">{d}</span> })}
            </button>
        }
    };
    let editing = (!read_only).then(|| {
        view! {
            <button type="button" class="tool toggle" data-testid="tool-lock" aria-label="Tool lock"
                title="Keep the tool after drawing — Q"
                aria-pressed=move || ui.tool_lock.get().to_string()
                on:click=move |_| act(UiAction::Run(Command::ToggleToolLock))><IconSvg icon=Icon::Lock /></button>
            <button type="button" class="tool toggle" data-testid="grid" aria-label="Grid"
                title="Grid: show it and snap to it — Ctrl+'"
                aria-pressed=move || ui.grid.get().to_string()
                on:click=move |_| act(UiAction::Run(Command::ToggleGrid))><IconSvg icon=Icon::Grid /></button>
            <button type="button" class="tool" data-testid="unlock-all" title="Unlock all — Ctrl+Shift+L"
                hidden=move || ui.locked.get() == 0
                on:click=move |_| act(UiAction::UnlockAll)>"Unlock all"</button>
            <span class="separator" aria-hidden="true"></span>
            <button
                type="button"
                class="tool toggle"
                data-testid="auto-shape"
                title="Auto-shape: turn freehand shapes into clean ones"
                aria-pressed=move || ui.auto_shape.get().to_string()
                on:click=move |_| ui.auto_shape.update(|on| *on = !*on)
            >
                "Auto-shape"
            </button>
            <button type="button" class="tool" aria-label="Undo" title="Undo — Ctrl+Z"
                disabled=move || !ui.history.get().0 on:click=move |_| act(UiAction::Undo)><IconSvg icon=Icon::Undo /></button>
            <button type="button" class="tool" aria-label="Redo" title="Redo — Ctrl+Shift+Z"
                disabled=move || !ui.history.get().1 on:click=move |_| act(UiAction::Redo)><IconSvg icon=Icon::Redo /></button>
        }
    });

    view! {
        <div class="board" data-ready=move || ready.get().to_string() data-slug=slug>
            <header class="board-bar">
                <a class="brand" href="/">"Inkroom"</a>
                <span class="room-name">{title}</span>
                {children.map(|c| c())}
                <span class="spacer"></span>
                <people::PresenceBadges presence />
                {live.then(|| view! { <chat::ChatPanel chat=ui.chat read_only act /> })}
                {live.then(|| view! { <export::ExportDialog slug=export_slug /> })}
                <crate::theme::ThemeToggle />
                <span class="link" data-testid="link-state" data-state=move || format!("{:?}", link.get()).to_lowercase()>
                    {move || link.get().label()}
                </span>
                <span class="status" data-testid="element-count">
                    {move || match ui.count.get() {
                        1 => "1 element".to_owned(),
                        n => format!("{n} elements"),
                    }}
                </span>
            </header>
            <div class="canvas-host" class:following=move || presence.following.with(Option::is_some)>
                <people::FollowBanner presence />
                <canvas node_ref=canvas_ref class="board-canvas" data-testid="board-canvas"></canvas>
                // The overlay layer: selection, handles, laser and cursors, painted without
                // repainting the scene under it; it lets every pointer event through.
                <canvas class="board-overlay" aria-hidden="true"></canvas>
                <textarea class="text-editor" data-testid="text-editor" hidden spellcheck="false"
                    aria-label="Text" rows="1" wrap="off"></textarea>
                <div class="toolbar" role="toolbar" aria-label="Tools">
                    {tools.into_iter().map(tool_button).collect_view()}
                    {editing}
                    {read_only.then(|| view! { <span class="muted view-only">"View only"</span> })}
                    <button type="button" class="tool" aria-label="Keyboard shortcuts" title="Keyboard shortcuts — ?"
                        data-testid="help-button" on:click=move |_| ui.help.update(|h| *h = !*h)><IconSvg icon=Icon::Help /></button>
                </div>
                {(!read_only).then(|| view! { <panel::SelectionPanel ui act /> })}
                <ToastView ui act />
                <HelpDialog ui />
            </div>
        </div>
    }
}

/// The toast: what a conversion did (with "Keep ink") or why it could not run.
#[component]
fn ToastView(ui: Ui, act: impl Fn(UiAction) + Copy + Send + Sync + 'static) -> impl IntoView {
    view! {
        <div class="toast-host" role="status" aria-live="polite">
            {move || ui.toast.get().map(|t| {
                let keep = t.keep_ink;
                view! {
                    <div class="toast" class:error=t.error data-testid="toast">
                        <span>{t.message}</span>
                        {keep.map(|action| view! {
                            <button type="button" data-testid="keep-ink" on:click=move |_| {
                                act(UiAction::KeepInk(action));
                                ui.toast.set(None);
                            }>"Keep ink"</button>
                        })}
                        <button type="button" class="close" aria-label="Dismiss"
                            on:click=move |_| ui.toast.set(None)>"×"</button>
                    </div>
                }
            })}
        </div>
    }
}

/// The `?` dialog listing every shortcut.
#[component]
fn HelpDialog(ui: Ui) -> impl IntoView {
    let rows = ToolKind::ALL
        .iter()
        .map(|t| (keys(*t), format!("{} tool", t.label())))
        .chain(
            SHORTCUTS
                .iter()
                .chain(PAGE_SHORTCUTS)
                .map(|(k, what)| ((*k).to_owned(), (*what).to_owned())),
        )
        .map(|(k, what)| view! { <tr><td><kbd>{k}</kbd></td><td>{what}</td></tr> })
        .collect_view();
    view! {
        <div class="help-backdrop" hidden=move || !ui.help.get() on:click=move |_| ui.help.set(false)>
            <div class="help" role="dialog" aria-modal="true" aria-labelledby="help-title"
                data-testid="help" on:click=|ev| ev.stop_propagation()>
                <h2 id="help-title">"Keyboard shortcuts"</h2>
                // An explicit tbody: the HTML parser inserts one anyway, and hydration must find
                // the same tree the server sent.
                <table><tbody>{rows}</tbody></table>
                <button type="button" on:click=move |_| ui.help.set(false)>"Close"</button>
            </div>
        </div>
    }
}
