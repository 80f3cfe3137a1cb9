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
pub mod ui;

pub use ui::{Dispatch, LinkState, Presence, Toast, Ui, UiAction};

use inkroom_core::editor::{
    Align, Axis, Command, Layer, SHORTCUTS, SelectionSummary, StyleChange, ToolKind,
};
use inkroom_core::element::Color;
use leptos::prelude::*;

/// Outline colours offered by the style panel (Excalidraw's first column of its palette).
const STROKES: [&str; 5] = ["#1e1e1e", "#e03131", "#2f9e44", "#1971c2", "#f08c00"];
/// Fill colours offered by the style panel.
const FILLS: [&str; 5] = ["transparent", "#ffc9c9", "#b2f2bb", "#a5d8ff", "#ffec99"];
/// Outline widths offered by the style panel, with their names.
const WIDTHS: [(f64, &str); 3] = [(1.0, "Thin"), (2.0, "Bold"), (4.0, "Extra bold")];

/// One button of the panel's arrange rows: its test id, name (with its shortcut, for the
/// tooltip), symbol, the editor command it runs, and how many selected elements it needs.
type Arrange = (&'static str, &'static str, &'static str, Command, usize);

/// Paint order: the editor's layer commands.
const LAYER_BUTTONS: [Arrange; 4] = [
    (
        "to-back",
        "Send to back — Ctrl+Shift+[",
        "⇊",
        Command::Layer(Layer::ToBack),
        1,
    ),
    (
        "backward",
        "Send backward — Ctrl+[",
        "↓",
        Command::Layer(Layer::Backward),
        1,
    ),
    (
        "forward",
        "Bring forward — Ctrl+]",
        "↑",
        Command::Layer(Layer::Forward),
        1,
    ),
    (
        "to-front",
        "Bring to front — Ctrl+Shift+]",
        "⇈",
        Command::Layer(Layer::ToFront),
        1,
    ),
];

/// Alignment (two or more elements) and distribution (three or more).
const ALIGN_BUTTONS: [Arrange; 8] = [
    (
        "align-left",
        "Align left — Ctrl+Shift+←",
        "⇤",
        Command::Align(Align::Left),
        2,
    ),
    (
        "align-center-x",
        "Centre horizontally",
        "↔",
        Command::Align(Align::CenterX),
        2,
    ),
    (
        "align-right",
        "Align right — Ctrl+Shift+→",
        "⇥",
        Command::Align(Align::Right),
        2,
    ),
    (
        "align-top",
        "Align top — Ctrl+Shift+↑",
        "⤒",
        Command::Align(Align::Top),
        2,
    ),
    (
        "align-center-y",
        "Centre vertically",
        "↕",
        Command::Align(Align::CenterY),
        2,
    ),
    (
        "align-bottom",
        "Align bottom — Ctrl+Shift+↓",
        "⤓",
        Command::Align(Align::Bottom),
        2,
    ),
    (
        "distribute-x",
        "Distribute horizontally — Alt+H",
        "⋯",
        Command::Distribute(Axis::Horizontal),
        3,
    ),
    (
        "distribute-y",
        "Distribute vertically — Alt+V",
        "⋮",
        Command::Distribute(Axis::Vertical),
        3,
    ),
];

/// A symbol for each tool's button (its name is the button's accessible label).
fn icon(t: ToolKind) -> &'static str {
    match t {
        ToolKind::Hand => "✋",
        ToolKind::Select => "↖",
        ToolKind::Rectangle => "▭",
        ToolKind::Diamond => "◇",
        ToolKind::Ellipse => "◯",
        ToolKind::Arrow => "→",
        ToolKind::Line => "╱",
        ToolKind::Freedraw => "✎",
        ToolKind::Text => "T",
        ToolKind::Eraser => "⌫",
        ToolKind::Laser => "⊙",
    }
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
    };
    // The top bar's children (a challenge board's submit dialog) read the selection.
    provide_context(crate::challenges::pages::BoardSelection(ui.selection));
    let tools: Vec<ToolKind> = if read_only {
        vec![ToolKind::Hand]
    } else {
        ToolKind::ALL.to_vec()
    };
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
                {icon(t)}
            </button>
        }
    };
    let editing = (!read_only).then(|| {
        view! {
            <button type="button" class="tool toggle" data-testid="tool-lock" aria-label="Tool lock"
                title="Keep the tool after drawing — Q"
                aria-pressed=move || ui.tool_lock.get().to_string()
                on:click=move |_| act(UiAction::Run(Command::ToggleToolLock))>"🔒"</button>
            <button type="button" class="tool toggle" data-testid="grid" aria-label="Grid"
                title="Grid: show it and snap to it — Ctrl+'"
                aria-pressed=move || ui.grid.get().to_string()
                on:click=move |_| act(UiAction::Run(Command::ToggleGrid))>"#"</button>
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
                disabled=move || !ui.history.get().0 on:click=move |_| act(UiAction::Undo)>"↶"</button>
            <button type="button" class="tool" aria-label="Redo" title="Redo — Ctrl+Shift+Z"
                disabled=move || !ui.history.get().1 on:click=move |_| act(UiAction::Redo)>"↷"</button>
        }
    });

    view! {
        <div class="board" data-ready=move || ready.get().to_string() data-slug=slug>
            <header class="board-bar">
                <a class="brand" href="/">"Inkroom"</a>
                <span class="room-name">{title}</span>
                {children.map(|c| c())}
                <span class="spacer"></span>
                <PresenceBadges presence />
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
                <FollowBanner presence />
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
                        data-testid="help-button" on:click=move |_| ui.help.update(|h| *h = !*h)>"?"</button>
                </div>
                {(!read_only).then(|| view! { <SelectionPanel ui act /> })}
                <ToastView ui act />
                <HelpDialog ui />
            </div>
        </div>
    }
}

/// Everyone in the room as coloured initials. Clicking someone else follows their viewport
/// (clicking again stops); a ring marks the person followed, an eye those following you.
#[component]
fn PresenceBadges(presence: Presence) -> impl IntoView {
    view! {
        <span class="people" data-testid="people">
            {move || {
                let me = presence.me.get();
                presence.people.get().into_iter().map(|p| {
                    let initial: String = p.name.chars().next().map(|c| c.to_uppercase().collect()).unwrap_or_default();
                    let is_me = me.as_deref() == Some(p.user_id.as_str());
                    let id = p.user_id.clone();
                    let followed = {
                        let id = id.clone();
                        move || presence.following.with(|f| f.as_deref() == Some(id.as_str()))
                    };
                    let follows_me = {
                        let id = id.clone();
                        move || presence.followers.with(|f| f.contains(&id))
                    };
                    let title = if is_me {
                        format!("{} (you)", p.name)
                    } else {
                        format!("{} — click to follow their view", p.name)
                    };
                    view! {
                        <button type="button" class="person" style=format!("background:{}", p.color)
                            title=title aria-label=p.name.clone() data-user=id.clone()
                            disabled=is_me
                            class:followed=followed.clone()
                            class:follows-me=follows_me
                            aria-pressed=move || followed().to_string()
                            on:click=move |_| presence.following.update(|f| {
                                *f = if f.as_deref() == Some(id.as_str()) { None } else { Some(id.clone()) };
                            })
                        >{initial}</button>
                    }
                }).collect_view()
            }}
        </span>
    }
}

/// "Following Ada · Stop", over the canvas while following someone.
#[component]
fn FollowBanner(presence: Presence) -> impl IntoView {
    let name = move || {
        let id = presence.following.get()?;
        presence.people.with(|people| {
            people
                .iter()
                .find(|p| p.user_id == id)
                .map(|p| p.name.clone())
        })
    };
    view! {
        <Show when=move || name().is_some()>
            <div class="follow-banner" role="status" data-testid="follow-banner">
                <span>"Following " {name}</span>
                <button type="button" on:click=move |_| presence.following.set(None)>"Stop"</button>
            </div>
        </Show>
    }
}

/// The style panel and selection actions: shown while something is selected, or while a
/// drawing tool is active (it then sets the style of the next shapes).
#[component]
fn SelectionPanel(ui: Ui, act: impl Fn(UiAction) + Copy + Send + Sync + 'static) -> impl IntoView {
    let visible = move || {
        let tool = ui.tool.get();
        ui.selection.with(|s| s.count > 0)
            || !matches!(
                tool,
                ToolKind::Select | ToolKind::Hand | ToolKind::Eraser | ToolKind::Laser
            )
    };
    let swatch = move |label: &'static str, hex: &'static str, fill: bool| {
        let color: Color = hex.parse().unwrap_or(Color::INK);
        let chosen = move || {
            ui.selection.with(|s| {
                if fill {
                    s.style.background_color == color
                } else {
                    s.style.stroke_color == color
                }
            })
        };
        let change = if fill {
            StyleChange::BackgroundColor(color)
        } else {
            StyleChange::StrokeColor(color)
        };
        view! {
            <button type="button" class="swatch" data-color=hex aria-label=format!("{label} {hex}")
                title=hex aria-pressed=move || chosen().to_string()
                style=format!("--swatch: {}", if hex == "transparent" { "#ffffff" } else { hex })
                class:none=hex == "transparent"
                on:click=move |_| act(UiAction::Style(change))></button>
        }
    };
    let arrange = move |(id, name, symbol, command, needs): Arrange| {
        // The name before the shortcut is the accessible label.
        let label = name.split(" — ").next().unwrap_or(name);
        view! {
            <button type="button" class="arrange" data-testid=id aria-label=label title=name
                hidden=move || ui.selection.with(|s| s.count < needs)
                on:click=move |_| act(UiAction::Run(command))>{symbol}</button>
        }
    };
    view! {
        <div class="selection-panel" data-testid="selection-panel" hidden=move || !visible()>
            <div class="panel-row" role="group" aria-label="Stroke">
                {STROKES.into_iter().map(|hex| swatch("Stroke", hex, false)).collect_view()}
            </div>
            <div class="panel-row" role="group" aria-label="Background">
                {FILLS.into_iter().map(|hex| swatch("Background", hex, true)).collect_view()}
            </div>
            <div class="panel-row" role="group" aria-label="Stroke width">
                {WIDTHS.into_iter().map(|(w, name)| view! {
                    <button type="button" class="width" aria-label=name title=name
                        aria-pressed=move || ui.selection.with(|s| s.style.stroke_width == w).to_string()
                        on:click=move |_| act(UiAction::Style(StyleChange::StrokeWidth(w)))>
                        <span style=format!("height:{w}px")></span>
                    </button>
                }).collect_view()}
            </div>
            <div class="panel-row actions" hidden=move || ui.selection.with(|s| s.count == 0)>
                <button type="button" data-testid="duplicate" title="Duplicate — Ctrl+D"
                    on:click=move |_| act(UiAction::Duplicate)>"Duplicate"</button>
                <button type="button" data-testid="delete" title="Delete — Delete"
                    on:click=move |_| act(UiAction::Delete)>"Delete"</button>
                <button type="button" data-testid="group" title="Group — Ctrl+G"
                    hidden=move || ui.selection.with(|s| s.count < 2)
                    on:click=move |_| act(UiAction::Run(Command::Group))>"Group"</button>
                <button type="button" data-testid="ungroup" title="Ungroup — Ctrl+Shift+G"
                    hidden=move || ui.selection.with(|s| s.count < 2)
                    on:click=move |_| act(UiAction::Run(Command::Ungroup))>"Ungroup"</button>
                <button type="button" data-testid="lock"
                    title="Lock: keep it from being selected, moved or erased — Ctrl+Shift+L"
                    on:click=move |_| act(UiAction::Run(Command::ToggleLock))>"Lock"</button>
                <button type="button" data-testid="convert-to-text" class="primary"
                    hidden=move || ui.selection.with(|s| s.ink == 0)
                    disabled=move || ui.busy.get()
                    title="Read the selected handwriting and replace it with text"
                    on:click=move |_| act(UiAction::ConvertToText)>
                    {move || if ui.busy.get() { "Reading…" } else { "Convert to text" }}
                </button>
            </div>
            <div class="panel-row" role="group" aria-label="Layers"
                hidden=move || ui.selection.with(|s| s.count == 0)>
                {LAYER_BUTTONS.into_iter().map(arrange).collect_view()}
            </div>
            <div class="panel-row" role="group" aria-label="Align"
                hidden=move || ui.selection.with(|s| s.count < 2)>
                {ALIGN_BUTTONS.into_iter().map(arrange).collect_view()}
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
