//! The style panel and the selection's actions: every property of [`Style`] (colours with
//! Excalidraw's palette and a custom picker, fill, stroke width and style, sloppiness, edges,
//! arrowheads, opacity, font), showing the common value or "mixed" for a multi-selection, and
//! only the sections the selected kinds (or the active drawing tool) have.

use super::ui::{MAX_RECENT_COLORS, Ui, UiAction};
use crate::icons::{Icon, IconSvg};
use inkroom_core::editor::{Align, Axis, Command, Layer, StyleChange, ToolKind};
use inkroom_core::element::{
    Arrowhead, Color, ElementKind, FillStyle, FontFamily, Gradient, Roundness, StrokeStyle,
    TextAlign,
};
use inkroom_core::tool::{Style, StyleField};
use leptos::prelude::*;

/// Outline colours offered (Excalidraw's palette, first row).
const STROKES: [&str; 5] = ["#1e1e1e", "#e03131", "#2f9e44", "#1971c2", "#f08c00"];
/// Fill colours offered.
const FILLS: [&str; 5] = ["transparent", "#ffc9c9", "#b2f2bb", "#a5d8ff", "#ffec99"];
/// Outline widths, with their names.
const WIDTHS: [(f64, &str); 3] = [(1.0, "Thin"), (2.0, "Bold"), (4.0, "Extra bold")];
/// Font sizes, with their names (Excalidraw's S, M, L, XL).
const FONT_SIZES: [(f64, &str); 4] = [(16.0, "S"), (20.0, "M"), (28.0, "L"), (36.0, "XL")];

/// The element kind a drawing tool makes (whose properties the panel shows before drawing).
fn kind_of(tool: ToolKind) -> Option<ElementKind> {
    Some(match tool {
        ToolKind::Rectangle => ElementKind::Rectangle,
        ToolKind::Diamond => ElementKind::Diamond,
        ToolKind::Ellipse => ElementKind::Ellipse,
        ToolKind::Arrow => ElementKind::Arrow,
        ToolKind::Line => ElementKind::Line,
        ToolKind::Freedraw => ElementKind::Freedraw,
        ToolKind::Text => ElementKind::Text,
        _ => return None,
    })
}

/// A colour as the `<input type="color">` value (`#rrggbb`; transparent shows as white).
fn hex6(c: Color) -> String {
    if c.is_transparent() {
        "#ffffff".to_owned()
    } else {
        format!("#{:02x}{:02x}{:02x}", c.r, c.g, c.b)
    }
}

/// The style panel and selection actions: shown while something is selected, or while a
/// drawing tool is active (it then sets the style of the next shapes).
#[component]
pub(super) fn SelectionPanel(
    ui: Ui,
    act: impl Fn(UiAction) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let kinds = Memo::new(move |_| {
        let selected = ui.selection.with(|s| s.kinds.clone());
        if ui.selection.with(|s| s.count > 0) {
            selected
        } else {
            kind_of(ui.tool.get()).into_iter().collect()
        }
    });
    let visible = move || !kinds.with(Vec::is_empty);
    let has = move |field: StyleField| kinds.with(|k| k.iter().any(|&kind| field.applies_to(kind)));
    let style = Memo::new(move |_| ui.selection.with(|s| s.style.clone()));
    let mixed = move |field: StyleField| ui.selection.with(|s| s.mixed.contains(&field));
    let set = move |change: StyleChange| act(UiAction::Style(change));
    view! {
        <div class="selection-panel" data-testid="selection-panel" hidden=move || !visible()>
            <Section title="Stroke" field=StyleField::StrokeColor has mixed>
                <Colors style fill=false set ui />
            </Section>
            <Section title="Background" field=StyleField::BackgroundColor has mixed>
                <Colors style fill=true set ui />
            </Section>
            <Section title="Fill" field=StyleField::FillStyle has mixed>
                <Fill style set />
            </Section>
            <Section title="Stroke width" field=StyleField::StrokeWidth has mixed>
                {WIDTHS.into_iter().map(|(w, name)| view! {
                    <button type="button" class="width" aria-label=name title=name
                        aria-pressed=move || (!mixed(StyleField::StrokeWidth) && style.with(|s| s.stroke_width == w)).to_string()
                        on:click=move |_| set(StyleChange::StrokeWidth(w))>
                        <span style=format!("height:{w}px")></span>
                    </button>
                }).collect_view()}
            </Section>
            <Section title="Stroke style" field=StyleField::StrokeStyle has mixed>
                <Choice style field=StyleField::StrokeStyle mixed set options=vec![
                    ("Solid", StyleChange::StrokeStyle(StrokeStyle::Solid)),
                    ("Dashed", StyleChange::StrokeStyle(StrokeStyle::Dashed)),
                    ("Dotted", StyleChange::StrokeStyle(StrokeStyle::Dotted)),
                ] />
            </Section>
            <Section title="Sloppiness" field=StyleField::Roughness has mixed>
                <Choice style field=StyleField::Roughness mixed set options=vec![
                    ("Architect", StyleChange::Roughness(0)),
                    ("Artist", StyleChange::Roughness(1)),
                    ("Cartoonist", StyleChange::Roughness(2)),
                ] />
            </Section>
            <Section title="Edges" field=StyleField::Roundness has mixed>
                <Choice style field=StyleField::Roundness mixed set options=vec![
                    ("Sharp", StyleChange::Roundness(Roundness::Sharp)),
                    ("Round", StyleChange::Roundness(Roundness::Round)),
                ] />
            </Section>
            <Section title="Arrowheads" field=StyleField::EndArrowhead has mixed>
                <Heads style set />
            </Section>
            <Section title="Font" field=StyleField::FontFamily has mixed>
                <Choice style field=StyleField::FontFamily mixed set options=vec![
                    ("Hand-drawn", StyleChange::FontFamily(FontFamily::Hand)),
                    ("Normal", StyleChange::FontFamily(FontFamily::Normal)),
                    ("Code", StyleChange::FontFamily(FontFamily::Code)),
                ] />
            </Section>
            <Section title="Font size" field=StyleField::FontSize has mixed>
                <Choice style field=StyleField::FontSize mixed set options=FONT_SIZES
                    .into_iter()
                    .map(|(size, name)| (name, StyleChange::FontSize(size)))
                    .collect() />
            </Section>
            <Section title="Text align" field=StyleField::TextAlign has mixed>
                <Choice style field=StyleField::TextAlign mixed set options=vec![
                    ("Left", StyleChange::TextAlign(TextAlign::Left)),
                    ("Center", StyleChange::TextAlign(TextAlign::Center)),
                    ("Right", StyleChange::TextAlign(TextAlign::Right)),
                ] />
            </Section>
            <Section title="Opacity" field=StyleField::Opacity has mixed>
                <input type="range" min="0" max="100" step="10" data-testid="opacity"
                    aria-label="Opacity"
                    prop:value=move || style.with(|s| s.opacity.to_string())
                    on:change=move |ev| {
                        if let Ok(v) = event_target_value(&ev).parse::<u8>() {
                            set(StyleChange::Opacity(v.min(100)));
                        }
                    } />
            </Section>
            <SelectionActions ui act />
        </div>
    }
}

/// A titled row of the panel, shown only when the selection (or tool) has `field`, with a
/// "mixed" note when the selected elements disagree on it.
#[component]
fn Section(
    title: &'static str,
    field: StyleField,
    has: impl Fn(StyleField) -> bool + Copy + Send + Sync + 'static,
    mixed: impl Fn(StyleField) -> bool + Copy + Send + Sync + 'static,
    children: Children,
) -> impl IntoView {
    view! {
        <fieldset class="panel-section" hidden=move || !has(field)>
            <legend>{title} <span class="mixed" hidden=move || !mixed(field)>" · mixed"</span></legend>
            <div class="panel-row" role="group" aria-label=title>{children()}</div>
        </fieldset>
    }
}

/// A row of buttons each setting one value; the current one is pressed (none when mixed).
#[component]
fn Choice(
    style: Memo<Style>,
    field: StyleField,
    mixed: impl Fn(StyleField) -> bool + Copy + Send + Sync + 'static,
    set: impl Fn(StyleChange) + Copy + Send + Sync + 'static,
    options: Vec<(&'static str, StyleChange)>,
) -> impl IntoView {
    options
        .into_iter()
        .map(|(name, change)| {
            let probe = change.clone();
            let pressed = move || {
                let mut s = style.get();
                let before = s.clone();
                probe.apply_to(&mut s);
                !mixed(field) && s == before
            };
            view! {
                <button type="button" class="choice" aria-label=name title=name
                    data-value=name.to_lowercase()
                    aria-pressed=move || pressed().to_string()
                    on:click=move |_| set(change.clone())>{name}</button>
            }
        })
        .collect_view()
}

/// The palette, the colours chosen recently, and a custom colour picker.
#[component]
fn Colors(
    style: Memo<Style>,
    fill: bool,
    set: impl Fn(StyleChange) + Copy + Send + Sync + 'static,
    ui: Ui,
) -> impl IntoView {
    let label = if fill { "Background" } else { "Stroke" };
    let current = move || {
        style.with(|s| {
            if fill {
                s.background_color
            } else {
                s.stroke_color
            }
        })
    };
    let change = move |c: Color| {
        if fill {
            StyleChange::BackgroundColor(c)
        } else {
            StyleChange::StrokeColor(c)
        }
    };
    let swatch = move |hex: String| {
        let color: Color = hex.parse().unwrap_or(Color::INK);
        view! {
            <button type="button" class="swatch" data-color=hex.clone() aria-label=format!("{label} {hex}")
                title=hex.clone() aria-pressed=move || (current() == color).to_string()
                style=format!("--swatch: {}", if hex == "transparent" { "#ffffff".to_owned() } else { hex.clone() })
                class:none=hex == "transparent"
                on:click=move |_| set(change(color))></button>
        }
    };
    let palette: &[&str] = if fill { &FILLS } else { &STROKES };
    view! {
        {palette.iter().map(|hex| swatch((*hex).to_owned())).collect_view()}
        {move || ui.recent.get().into_iter()
            .filter(|hex| !palette.contains(&hex.as_str()))
            .map(swatch)
            .collect_view()}
        <input type="color" class="custom-color" aria-label=format!("Custom {} colour", label.to_lowercase())
            data-testid=if fill { "custom-background" } else { "custom-stroke" }
            prop:value=move || hex6(current())
            on:change=move |ev| {
                let hex = event_target_value(&ev);
                if let Ok(c) = hex.parse::<Color>() {
                    ui.recent.update(|r| {
                        r.retain(|h| *h != hex);
                        r.insert(0, hex.clone());
                        r.truncate(MAX_RECENT_COLORS);
                    });
                    set(change(c));
                }
            } />
    }
}

/// The fill styles, and for a gradient its colours and angle.
#[component]
fn Fill(
    style: Memo<Style>,
    set: impl Fn(StyleChange) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let gradient = move || {
        style.with(|s| {
            s.gradient.clone().unwrap_or_else(|| {
                let from = if s.background_color.is_transparent() {
                    Color::rgba(0xa5, 0xd8, 0xff, 0xff)
                } else {
                    s.background_color
                };
                Gradient::new(from, Color::rgba(0xff, 0xff, 0xff, 0xff), 90.0)
            })
        })
    };
    let set_gradient = move |g: Gradient| set(StyleChange::FillStyle(FillStyle::Gradient, Some(g)));
    let fills = [
        ("Hachure", FillStyle::Hachure),
        ("Cross-hatch", FillStyle::CrossHatch),
        ("Zigzag", FillStyle::Zigzag),
        ("Solid", FillStyle::Solid),
        ("Gradient", FillStyle::Gradient),
    ];
    let stop = move |i: usize| {
        view! {
            <input type="color" class="custom-color" aria-label=format!("Gradient colour {}", i + 1)
                data-testid=format!("gradient-stop-{i}")
                prop:value=move || gradient().stops.get(i).map_or_else(|| "#ffffff".to_owned(), |c| hex6(*c))
                on:change=move |ev| {
                    if let Ok(c) = event_target_value(&ev).parse::<Color>() {
                        let mut g = gradient();
                        if i < g.stops.len() {
                            g.stops[i] = c;
                        } else {
                            g.stops.push(c);
                        }
                        set_gradient(g);
                    }
                } />
        }
    };
    view! {
        {fills.into_iter().map(|(name, f)| {
            let change = move || {
                let g = (f == FillStyle::Gradient).then(gradient);
                StyleChange::FillStyle(f, g)
            };
            view! {
                <button type="button" class="choice" aria-label=name title=name data-value=name.to_lowercase()
                    aria-pressed=move || style.with(|s| s.fill_style == f).to_string()
                    on:click=move |_| set(change())>{name}</button>
            }
        }).collect_view()}
        <div class="gradient-options" hidden=move || style.with(|s| s.fill_style != FillStyle::Gradient)>
            {stop(0)}
            {stop(1)}
            <label class="inline">
                <input type="checkbox" aria-label="Three colours"
                    prop:checked=move || gradient().stops.len() == 3
                    on:change=move |ev| {
                        let mut g = gradient();
                        if event_target_checked(&ev) {
                            if g.stops.len() < 3 {
                                g.stops.push(Color::rgba(0xff, 0xec, 0x99, 0xff));
                            }
                        } else {
                            g.stops.truncate(2);
                        }
                        set_gradient(g);
                    } />
                "3 colours"
            </label>
            <span hidden=move || gradient().stops.len() < 3>{stop(2)}</span>
            <input type="range" min="0" max="345" step="15" aria-label="Gradient angle"
                data-testid="gradient-angle"
                prop:value=move || gradient().angle.to_string()
                on:change=move |ev| {
                    if let Ok(a) = event_target_value(&ev).parse::<f64>() {
                        let mut g = gradient();
                        g.angle = a;
                        set_gradient(g);
                    }
                } />
        </div>
    }
}

/// Arrowheads at each end.
#[component]
fn Heads(
    style: Memo<Style>,
    set: impl Fn(StyleChange) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    const HEADS: [(&str, Arrowhead); 5] = [
        ("none", Arrowhead::None),
        ("arrow", Arrowhead::Arrow),
        ("triangle", Arrowhead::Triangle),
        ("bar", Arrowhead::Bar),
        ("dot", Arrowhead::Dot),
    ];
    let select = move |start: bool| {
        let current = move || {
            style.with(|s| {
                if start {
                    s.start_arrowhead
                } else {
                    s.end_arrowhead
                }
            })
        };
        view! {
            <label class="inline">{if start { "Start" } else { "End" }}
                <select data-testid=if start { "start-arrowhead" } else { "end-arrowhead" }
                    on:change=move |ev| {
                        let value = event_target_value(&ev);
                        if let Some((_, head)) = HEADS.iter().find(|(n, _)| *n == value) {
                            set(if start { StyleChange::StartArrowhead(*head) } else { StyleChange::EndArrowhead(*head) });
                        }
                    }>
                    {HEADS.into_iter().map(|(name, head)| view! {
                        <option value=name prop:selected=move || current() == head>{name}</option>
                    }).collect_view()}
                </select>
            </label>
        }
    };
    view! { {select(true)} {select(false)} }
}

/// One button of the panel's arrange rows: its test id, name (with its shortcut, for the
/// tooltip), icon, the editor command it runs, and how many selected elements it needs.
type Arrange = (&'static str, &'static str, Icon, Command, usize);

/// Paint order: the editor's layer commands.
const LAYER_BUTTONS: [Arrange; 4] = [
    (
        "to-back",
        "Send to back — Ctrl+Shift+[",
        Icon::ToBack,
        Command::Layer(Layer::ToBack),
        1,
    ),
    (
        "backward",
        "Send backward — Ctrl+[",
        Icon::Backward,
        Command::Layer(Layer::Backward),
        1,
    ),
    (
        "forward",
        "Bring forward — Ctrl+]",
        Icon::Forward,
        Command::Layer(Layer::Forward),
        1,
    ),
    (
        "to-front",
        "Bring to front — Ctrl+Shift+]",
        Icon::ToFront,
        Command::Layer(Layer::ToFront),
        1,
    ),
];

/// Alignment (two or more elements) and distribution (three or more).
const ALIGN_BUTTONS: [Arrange; 8] = [
    (
        "align-left",
        "Align left — Ctrl+Shift+←",
        Icon::AlignLeft,
        Command::Align(Align::Left),
        2,
    ),
    (
        "align-center-x",
        "Centre horizontally",
        Icon::AlignCenterX,
        Command::Align(Align::CenterX),
        2,
    ),
    (
        "align-right",
        "Align right — Ctrl+Shift+→",
        Icon::AlignRight,
        Command::Align(Align::Right),
        2,
    ),
    (
        "align-top",
        "Align top — Ctrl+Shift+↑",
        Icon::AlignTop,
        Command::Align(Align::Top),
        2,
    ),
    (
        "align-center-y",
        "Centre vertically",
        Icon::AlignCenterY,
        Command::Align(Align::CenterY),
        2,
    ),
    (
        "align-bottom",
        "Align bottom — Ctrl+Shift+↓",
        Icon::AlignBottom,
        Command::Align(Align::Bottom),
        2,
    ),
    (
        "distribute-x",
        "Distribute horizontally — Alt+H",
        Icon::DistributeX,
        Command::Distribute(Axis::Horizontal),
        3,
    ),
    (
        "distribute-y",
        "Distribute vertically — Alt+V",
        Icon::DistributeY,
        Command::Distribute(Axis::Vertical),
        3,
    ),
];

/// What can be done with the selection: duplicate, delete, group, lock, read handwriting,
/// copy and paste styles, paint order and alignment.
#[component]
fn SelectionActions(
    ui: Ui,
    act: impl Fn(UiAction) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let arrange = move |(id, name, icon, command, needs): Arrange| {
        // The name before the shortcut is the accessible label.
        let label = name.split(" — ").next().unwrap_or(name);
        view! {
            <button type="button" class="arrange" data-testid=id aria-label=label title=name
                hidden=move || ui.selection.with(|s| s.count < needs)
                on:click=move |_| act(UiAction::Run(command))><IconSvg icon /></button>
        }
    };
    view! {
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
            <button type="button" data-testid="copy-styles" title="Copy styles — Ctrl+Alt+C"
                on:click=move |_| act(UiAction::Run(Command::CopyStyle))>"Copy styles"</button>
            <button type="button" data-testid="paste-styles" title="Paste styles — Ctrl+Alt+V"
                on:click=move |_| act(UiAction::Run(Command::PasteStyle))>"Paste styles"</button>
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
    }
}
