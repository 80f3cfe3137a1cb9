//! The board: toolbar, status line and the `<canvas>` the wasm engine draws on.
//!
//! On the server this renders static markup. In the browser, once the canvas element exists,
//! [`browser::mount`] attaches the engine: pointer and wheel input, a resize observer and a
//! `requestAnimationFrame` painter that redraws only when something changed.

#[cfg(feature = "hydrate")]
mod browser;

use inkroom_core::editor::ToolKind;
use inkroom_core::protocol::Participant;
use leptos::prelude::*;

/// The state of a board's live connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkState {
    /// Not connected: changes stay local and sync once reconnected.
    Offline,
    /// Opening the connection.
    Connecting,
    /// Connected and in sync.
    Live,
}

impl LinkState {
    fn label(self) -> &'static str {
        match self {
            Self::Offline => "Offline: changes will sync",
            Self::Connecting => "Connecting…",
            Self::Live => "Live",
        }
    }
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
        ToolKind::Rectangle
    };
    let (tool, set_tool) = signal(initial);
    let tools: Vec<ToolKind> = if read_only {
        vec![ToolKind::Hand]
    } else {
        ToolKind::ALL.to_vec()
    };
    let (count, set_count) = signal(0usize);
    let (ready, set_ready) = signal(false);
    let (link, set_link) = signal(LinkState::Offline);
    let (people, set_people) = signal(Vec::<Participant>::new());

    #[cfg(feature = "hydrate")]
    let room_slug = slug.clone();
    #[cfg(feature = "hydrate")]
    canvas_ref.on_load(move |canvas| {
        let params = live.then_some(browser::LiveParams {
            slug: room_slug,
            set_state: set_link,
            set_people,
        });
        browser::mount(canvas, tool, set_count, params);
        set_ready.set(true);
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = (set_count, set_ready, set_link, set_people, live);

    let tool_button = move |t: ToolKind| {
        let key = format!("{t:?}").to_lowercase();
        view! {
            <button
                type="button"
                class="tool"
                data-tool=key
                title=t.label()
                aria-pressed=move || (tool.get() == t).to_string()
                on:click=move |_| set_tool.set(t)
            >
                {t.label()}
            </button>
        }
    };

    view! {
        <div class="board" data-ready=move || ready.get().to_string() data-slug=slug>
            <header class="board-bar">
                <a class="brand" href="/">"Inkroom"</a>
                <span class="room-name">{title}</span>
                {children.map(|c| c())}
                <div class="toolbar" role="toolbar" aria-label="Tools">
                    {tools.into_iter().map(tool_button).collect_view()}
                    {read_only.then(|| view! { <span class="muted">"View only"</span> })}
                </div>
                <span class="people" data-testid="people">
                    {move || people.get().into_iter().map(|p| {
                        let initial: String = p.name.chars().next().map(|c| c.to_uppercase().collect()).unwrap_or_default();
                        view! { <span class="person" style=format!("background:{}", p.color) title=p.name.clone()>{initial}</span> }
                    }).collect_view()}
                </span>
                <span class="link" data-testid="link-state" data-state=move || format!("{:?}", link.get()).to_lowercase()>
                    {move || link.get().label()}
                </span>
                <span class="status" data-testid="element-count">
                    {move || match count.get() {
                        1 => "1 element".to_owned(),
                        n => format!("{n} elements"),
                    }}
                </span>
            </header>
            <div class="canvas-host">
                <canvas node_ref=canvas_ref class="board-canvas" data-testid="board-canvas"></canvas>
            </div>
        </div>
    }
}
