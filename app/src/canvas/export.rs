//! The board's export dialog: the board as a PNG (at 1×, 2× or 3×), an SVG or the JSON scene,
//! downloaded from the server's export route (`GET /api/rooms/{slug}/export.{png,svg,json}`),
//! which draws it with the same renderer as the canvas, in the light palette.

use crate::icons::{Icon, IconSvg};
use leptos::prelude::*;

/// The export button and its dialog for the room `slug`.
#[component]
pub(super) fn ExportDialog(slug: String) -> impl IntoView {
    let open = RwSignal::new(false);
    let scale = RwSignal::new(2u8);
    let link = move |format: &'static str| {
        let slug = slug.clone();
        move || {
            let query = if format == "png" {
                format!("?scale={}", scale.get())
            } else {
                String::new()
            };
            format!("/api/rooms/{slug}/export.{format}{query}")
        }
    };
    let (png, svg, json) = (link("png"), link("svg"), link("json"));
    view! {
        <button type="button" class="tool" data-testid="export-open" aria-label="Export"
            title="Export the board as an image or a file" aria-expanded=move || open.get().to_string()
            on:click=move |_| open.update(|o| *o = !*o)>
            <IconSvg icon=Icon::Download />
        </button>
        <div class="dialog export-dialog" role="dialog" aria-label="Export" data-testid="export-dialog"
            hidden=move || !open.get()>
            <h2>"Export"</h2>
            <fieldset class="panel-section">
                <legend>"PNG scale"</legend>
                <div class="panel-row" role="group" aria-label="PNG scale">
                    {[1u8, 2, 3].into_iter().map(|s| view! {
                        <button type="button" class="choice" aria-pressed=move || (scale.get() == s).to_string()
                            on:click=move |_| scale.set(s)>{format!("{s}×")}</button>
                    }).collect_view()}
                </div>
            </fieldset>
            <div class="row">
                <a class="button primary" data-testid="export-png" href=png download="">"PNG"</a>
                <a class="button" data-testid="export-svg" href=svg download="">"SVG"</a>
                <a class="button" data-testid="export-json" href=json download="">"JSON"</a>
                <button type="button" on:click=move |_| open.set(false)>"Close"</button>
            </div>
            <p class="muted small">"Drawn by the server in the light palette, with the hand-drawn look."</p>
        </div>
    }
}
