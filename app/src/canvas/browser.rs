//! The browser half of the canvas engine (feature `hydrate`): DOM events in, Canvas 2D out.
//!
//! All decisions are made by [`inkroom_core::editor::Editor`]; this module only translates events
//! into editor calls and paints the editor's drawing commands. Painting happens in a
//! `requestAnimationFrame` callback that is requested only when the editor reports a change, so
//! an idle board costs no CPU.

mod live;

use super::LinkState;
use inkroom_core::camera::Camera;
use inkroom_core::editor::{Editor, Entropy, PointerButton, ToolKind};
use inkroom_core::element::{Color, ElementId, TextAlign};
use inkroom_core::geom::WorldPoint;
use inkroom_core::geom::{ScreenPoint, ScreenVec};
use inkroom_core::protocol::Participant;
use inkroom_core::render::{self, DrawCommand, Painter, Stroke, TextBlock};
use inkroom_core::shape::PathEl;
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{CanvasRenderingContext2d, EventTarget, HtmlCanvasElement};

/// Ids, nonces and time from the browser.
struct BrowserEntropy;

impl Entropy for BrowserEntropy {
    fn element_id(&mut self) -> ElementId {
        ElementId::new_random()
    }
    fn nonce(&mut self) -> u32 {
        (js_sys::Math::random() * f64::from(u32::MAX)) as u32
    }
    fn now_ms(&mut self) -> i64 {
        js_sys::Date::now() as i64
    }
}

/// An event listener that is removed when dropped.
struct Listener {
    target: EventTarget,
    event: &'static str,
    callback: Closure<dyn FnMut(web_sys::Event)>,
}

impl Listener {
    fn new(
        target: &EventTarget,
        event: &'static str,
        f: impl FnMut(web_sys::Event) + 'static,
    ) -> Self {
        let callback = Closure::<dyn FnMut(web_sys::Event)>::new(f);
        // Non-passive so that wheel and touch handlers may call preventDefault.
        let options = web_sys::AddEventListenerOptions::new();
        options.set_passive(false);
        let _ = target.add_event_listener_with_callback_and_add_event_listener_options(
            event,
            callback.as_ref().unchecked_ref(),
            &options,
        );
        Self {
            target: target.clone(),
            event,
            callback,
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self.target.remove_event_listener_with_callback(
            self.event,
            self.callback.as_ref().unchecked_ref(),
        );
    }
}

/// Another user's pointer, in world coordinates, and when it last moved.
struct RemoteCursor {
    at: WorldPoint,
    at_ms: f64,
}

/// Remote cursors disappear after this long without moving.
const STALE_CURSOR_MS: f64 = 10_000.0;

struct Engine {
    editor: Editor,
    /// Other users' cursors by user id.
    cursors: HashMap<String, RemoteCursor>,
    /// Display name and colour by user id.
    names: HashMap<String, (String, String)>,
    canvas: HtmlCanvasElement,
    ctx: CanvasRenderingContext2d,
    /// Canvas size in CSS pixels.
    css_size: (f64, f64),
    dpr: f64,
    frame_requested: bool,
    set_count: WriteSignal<usize>,
}

type Shared = Rc<RefCell<Engine>>;

impl Engine {
    /// Reports the live element count to the UI (outside any borrow of the engine).
    fn publish_count(engine: &Shared) {
        let (n, set_count) = {
            let e = engine.borrow();
            (e.editor.scene().iter_live().count(), e.set_count)
        };
        set_count.set(n);
    }
}

/// Where a board connects to, and the UI signals its connection reports to.
pub struct LiveParams {
    /// The room's slug.
    pub slug: String,
    /// Connection state for the UI.
    pub set_state: WriteSignal<LinkState>,
    /// Who is in the room.
    pub set_people: WriteSignal<Vec<Participant>>,
}

/// Everything that must stay alive while the board is mounted; dropping it detaches the engine.
struct Mounted {
    _listeners: Vec<Listener>,
    resize: Option<(web_sys::ResizeObserver, Closure<dyn FnMut()>)>,
    _hook: Closure<dyn Fn() -> String>,
    live: Option<Rc<live::Live>>,
    ticker: Option<(i32, Closure<dyn FnMut()>)>,
}

impl Drop for Mounted {
    fn drop(&mut self) {
        if let Some(live) = &self.live {
            live.stop();
        }
        if let (Some((id, _)), Some(window)) = (&self.ticker, web_sys::window()) {
            window.clear_interval_with_handle(*id);
        }
        if let Some((observer, _)) = &self.resize {
            observer.disconnect();
        }
        if let Some(window) = web_sys::window() {
            let _ = js_sys::Reflect::delete_property(&window, &"__inkroom".into());
        }
    }
}

/// Attaches the engine to `canvas`, following the `tool` signal and reporting the element count.
pub fn mount(
    canvas: HtmlCanvasElement,
    tool: ReadSignal<ToolKind>,
    set_count: WriteSignal<usize>,
    live: Option<LiveParams>,
) {
    let Some(ctx) = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok())
    else {
        leptos::logging::error!("Canvas 2D is not available");
        return;
    };
    // A random id below 2^53 (it travels as a JSON number) for this page's connection.
    let client = (js_sys::Math::random() * 9.0e15) as u64 + 1;
    let engine: Shared = Rc::new(RefCell::new(Engine {
        editor: Editor::new(client),
        cursors: HashMap::new(),
        names: HashMap::new(),
        canvas: canvas.clone(),
        ctx,
        css_size: (0.0, 0.0),
        dpr: 1.0,
        frame_requested: false,
        set_count,
    }));
    let frame: Rc<Closure<dyn FnMut()>> = {
        let engine = engine.clone();
        Rc::new(Closure::new(move || paint_frame(&engine)))
    };
    let schedule = {
        let engine = engine.clone();
        let frame = frame.clone();
        move || request_frame(&engine, &frame)
    };

    resize(&engine);
    schedule();
    let live = live.map(|p| {
        let repaint: Rc<dyn Fn()> = Rc::new(schedule.clone());
        live::Live::start(p.slug, engine.clone(), repaint, p.set_state, p.set_people)
    });
    // Sends whatever the user just did.
    let flush = {
        let live = live.clone();
        move || {
            if let Some(l) = &live {
                l.flush();
            }
        }
    };

    Effect::new({
        let engine = engine.clone();
        let schedule = schedule.clone();
        move |_| {
            let t = tool.get();
            engine.borrow_mut().editor.set_tool(t);
            schedule();
        }
    });

    let target: &EventTarget = canvas.as_ref();
    let with_point = |engine: &Shared, ev: &web_sys::MouseEvent| -> ScreenPoint {
        let rect = engine.borrow().canvas.get_bounding_client_rect();
        ScreenPoint::new(
            f64::from(ev.client_x()) - rect.left(),
            f64::from(ev.client_y()) - rect.top(),
        )
    };
    let mut listeners = Vec::new();
    listeners.push(Listener::new(target, "pointerdown", {
        let (engine, schedule) = (engine.clone(), schedule.clone());
        move |ev| {
            let Some(ev) = ev.dyn_ref::<web_sys::PointerEvent>() else {
                return;
            };
            ev.prevent_default();
            let _ = engine.borrow().canvas.set_pointer_capture(ev.pointer_id());
            let button = match ev.button() {
                0 => PointerButton::Primary,
                1 => PointerButton::Middle,
                _ => PointerButton::Other,
            };
            let at = with_point(&engine, ev);
            engine.borrow_mut().editor.pointer_down(at, button);
            schedule();
        }
    }));
    listeners.push(Listener::new(target, "pointermove", {
        let (engine, schedule) = (engine.clone(), schedule.clone());
        let live = live.clone();
        move |ev| {
            let Some(ev) = ev.dyn_ref::<web_sys::PointerEvent>() else {
                return;
            };
            let at = with_point(&engine, ev);
            let world = {
                let mut e = engine.borrow_mut();
                e.editor.pointer_move(at);
                e.editor.camera.screen_to_world(at)
            };
            if let Some(l) = &live {
                l.cursor(world);
            }
            schedule();
        }
    }));
    listeners.push(Listener::new(target, "pointerup", {
        let (engine, schedule, flush) = (engine.clone(), schedule.clone(), flush.clone());
        move |ev| {
            let Some(ev) = ev.dyn_ref::<web_sys::PointerEvent>() else {
                return;
            };
            let at = with_point(&engine, ev);
            let created = engine
                .borrow_mut()
                .editor
                .pointer_up(at, &mut BrowserEntropy)
                .is_some();
            if created {
                flush();
                Engine::publish_count(&engine);
            }
            schedule();
        }
    }));
    listeners.push(Listener::new(target, "pointercancel", {
        let (engine, schedule) = (engine.clone(), schedule.clone());
        move |_| {
            engine.borrow_mut().editor.cancel();
            schedule();
        }
    }));
    listeners.push(Listener::new(target, "wheel", {
        let (engine, schedule) = (engine.clone(), schedule.clone());
        move |ev| {
            let Some(ev) = ev.dyn_ref::<web_sys::WheelEvent>() else {
                return;
            };
            ev.prevent_default();
            // deltaMode 1 = lines, 2 = pages; normalise to pixels.
            let unit = match ev.delta_mode() {
                1 => 16.0,
                2 => engine.borrow().css_size.1,
                _ => 1.0,
            };
            let at = with_point(&engine, ev);
            let delta = ScreenVec::new(ev.delta_x() * unit, ev.delta_y() * unit);
            engine
                .borrow_mut()
                .editor
                .wheel(at, delta, ev.ctrl_key() || ev.meta_key());
            schedule();
        }
    }));
    if let Some(window) = web_sys::window() {
        listeners.push(Listener::new(window.as_ref(), "keydown", {
            let (engine, schedule, flush) = (engine.clone(), schedule.clone(), flush.clone());
            move |ev| {
                let Some(ev) = ev.dyn_ref::<web_sys::KeyboardEvent>() else {
                    return;
                };
                // Typing in a form field is not a board shortcut.
                let in_field = ev
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                    .is_some_and(|el| {
                        matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                    });
                if in_field {
                    return;
                }
                let key = ev.key().to_lowercase();
                let modifier = ev.ctrl_key() || ev.meta_key();
                let changed = match key.as_str() {
                    "escape" => {
                        engine.borrow_mut().editor.cancel();
                        false
                    }
                    "z" if modifier && ev.shift_key() => {
                        engine.borrow_mut().editor.redo(&mut BrowserEntropy)
                    }
                    "z" if modifier => engine.borrow_mut().editor.undo(&mut BrowserEntropy),
                    "y" if modifier => engine.borrow_mut().editor.redo(&mut BrowserEntropy),
                    _ => return,
                };
                ev.prevent_default();
                if changed {
                    flush();
                    Engine::publish_count(&engine);
                }
                schedule();
            }
        }));
    }

    // Follow the element's layout size (window resizes, panels opening) and the pixel ratio.
    let resize_observer = canvas.parent_element().and_then(|host| {
        let engine = engine.clone();
        let schedule = schedule.clone();
        let callback = Closure::<dyn FnMut()>::new(move || {
            resize(&engine);
            schedule();
        });
        let observer = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()).ok()?;
        observer.observe(&host);
        Some((observer, callback))
    });

    // A read-only hook for end-to-end tests and debugging: the live scene as JSON.
    let hook = {
        let engine = engine.clone();
        Closure::<dyn Fn() -> String>::new(move || {
            let e = engine.borrow();
            let live: Vec<_> = e.editor.scene().iter_live().collect();
            serde_json::to_string(&live).unwrap_or_default()
        })
    };
    if let Some(window) = web_sys::window() {
        let obj = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&obj, &"sceneJson".into(), hook.as_ref());
        let _ = js_sys::Reflect::set(&window, &"__inkroom".into(), &obj);
    }

    // Leptos cleanups must be Send; the wrapper is sound because wasm has one thread.
    // Stale remote cursors fade out even when nothing else repaints.
    let ticker = web_sys::window().and_then(|window| {
        let (engine, schedule) = (engine.clone(), schedule.clone());
        let tick = Closure::<dyn FnMut()>::new(move || {
            if !engine.borrow().cursors.is_empty() {
                engine.borrow_mut().editor.invalidate();
                schedule();
            }
        });
        let id = window
            .set_interval_with_callback_and_timeout_and_arguments_0(
                tick.as_ref().unchecked_ref(),
                1000,
            )
            .ok()?;
        Some((id, tick))
    });
    let mounted = SendWrapper::new(Mounted {
        _listeners: listeners,
        resize: resize_observer,
        _hook: hook,
        live,
        ticker,
    });
    on_cleanup(move || drop(mounted));
}

fn request_frame(engine: &Shared, frame: &Rc<Closure<dyn FnMut()>>) {
    let mut e = engine.borrow_mut();
    if e.frame_requested {
        return;
    }
    let callback: &js_sys::Function = (**frame).as_ref().unchecked_ref();
    if let Some(window) = web_sys::window()
        && window.request_animation_frame(callback).is_ok()
    {
        e.frame_requested = true;
    }
}

/// Matches the canvas's backing store to its CSS size times the device pixel ratio.
fn resize(engine: &Shared) {
    let mut e = engine.borrow_mut();
    let dpr = web_sys::window()
        .map_or(1.0, |w| w.device_pixel_ratio())
        .max(0.5);
    let rect = e.canvas.get_bounding_client_rect();
    let (w, h) = (rect.width().max(1.0), rect.height().max(1.0));
    e.canvas.set_width((w * dpr).round() as u32);
    e.canvas.set_height((h * dpr).round() as u32);
    e.css_size = (w, h);
    e.dpr = dpr;
    e.editor.invalidate();
}

fn paint_frame(engine: &Shared) {
    let mut e = engine.borrow_mut();
    e.frame_requested = false;
    if !e.editor.take_dirty() {
        return;
    }
    let (w, h) = e.css_size;
    let commands = e.editor.draw_commands(w, h);
    paint(
        &e.ctx,
        &commands,
        e.dpr,
        (f64::from(e.canvas.width()), f64::from(e.canvas.height())),
    );
    let now = js_sys::Date::now();
    e.cursors.retain(|_, c| now - c.at_ms < STALE_CURSOR_MS);
    paint_cursors(&e);
}

/// Draws other users' pointers with their names, in screen space (constant size at any zoom).
fn paint_cursors(e: &Engine) {
    let ctx = &e.ctx;
    let _ = ctx.set_transform(e.dpr, 0.0, 0.0, e.dpr, 0.0, 0.0);
    ctx.set_global_alpha(1.0);
    ctx.set_font("12px system-ui, sans-serif");
    for (user_id, c) in &e.cursors {
        let p = e.editor.camera.world_to_screen(c.at);
        let (name, color) = e
            .names
            .get(user_id)
            .cloned()
            .unwrap_or_else(|| (String::new(), "#868e96".to_owned()));
        ctx.set_fill_style_str(&color);
        ctx.begin_path();
        ctx.move_to(p.x, p.y);
        ctx.line_to(p.x + 4.0, p.y + 14.0);
        ctx.line_to(p.x + 7.5, p.y + 8.5);
        ctx.line_to(p.x + 13.0, p.y + 7.0);
        ctx.close_path();
        ctx.fill();
        if !name.is_empty() {
            let _ = ctx.fill_text(&name, p.x + 12.0, p.y + 22.0);
        }
    }
}

/// Paints drawing commands on a Canvas 2D context: the browser back end of the core renderer.
struct CanvasPainter<'a> {
    ctx: &'a CanvasRenderingContext2d,
    /// Device pixels per CSS pixel.
    dpr: f64,
    /// The backing store's size in device pixels.
    device: (f64, f64),
}

impl CanvasPainter<'_> {
    fn trace(&self, path: &[PathEl]) {
        let ctx = self.ctx;
        ctx.begin_path();
        for el in path {
            match *el {
                PathEl::MoveTo(p) => ctx.move_to(p.x, p.y),
                PathEl::LineTo(p) => ctx.line_to(p.x, p.y),
                PathEl::CubicTo(a, b, p) => ctx.bezier_curve_to(a.x, a.y, b.x, b.y, p.x, p.y),
                PathEl::Close => ctx.close_path(),
            }
        }
    }
}

impl Painter for CanvasPainter<'_> {
    fn clear(&mut self, color: Color) {
        let ctx = self.ctx;
        let _ = ctx.set_transform(1.0, 0.0, 0.0, 1.0, 0.0, 0.0);
        ctx.set_global_alpha(1.0);
        ctx.set_fill_style_str(&color.to_string());
        ctx.fill_rect(0.0, 0.0, self.device.0, self.device.1);
    }

    fn set_camera(&mut self, cam: &Camera) {
        let k = cam.zoom * self.dpr;
        let _ = self
            .ctx
            .set_transform(k, 0.0, 0.0, k, -cam.origin.x * k, -cam.origin.y * k);
    }

    fn path(
        &mut self,
        path: &[PathEl],
        fill: Option<Color>,
        stroke: Option<&Stroke>,
        opacity: f64,
    ) {
        let ctx = self.ctx;
        ctx.set_global_alpha(opacity);
        self.trace(path);
        if let Some(fill) = fill {
            ctx.set_fill_style_str(&fill.to_string());
            ctx.fill();
        }
        if let Some(s) = stroke {
            ctx.set_line_width(s.width);
            ctx.set_stroke_style_str(&s.color.to_string());
            let dashes = js_sys::Array::new();
            for d in s.dashes().into_iter().flatten() {
                dashes.push(&JsValue::from_f64(d));
            }
            let _ = ctx.set_line_dash(&dashes);
            ctx.set_line_join("round");
            ctx.set_line_cap("round");
            ctx.stroke();
        }
    }

    fn text(&mut self, t: &TextBlock) {
        let ctx = self.ctx;
        ctx.save();
        ctx.set_global_alpha(t.opacity);
        let _ = ctx.translate(t.pivot.x, t.pivot.y);
        let _ = ctx.rotate(t.angle.0);
        let _ = ctx.translate(-t.pivot.x, -t.pivot.y);
        ctx.set_font(&format!("{}px {}", t.size, t.family.css_stack()));
        ctx.set_text_align(match t.align {
            TextAlign::Left => "left",
            TextAlign::Center => "center",
            TextAlign::Right => "right",
        });
        ctx.set_text_baseline("alphabetic");
        ctx.set_fill_style_str(&t.color.to_string());
        for line in &t.lines {
            let _ = ctx.fill_text(&line.text, line.anchor.x, line.anchor.y);
        }
        ctx.restore();
    }
}

/// Paints drawing commands on a Canvas 2D context. `dpr` maps CSS pixels to device pixels.
fn paint(ctx: &CanvasRenderingContext2d, commands: &[DrawCommand], dpr: f64, device: (f64, f64)) {
    render::paint(commands, &mut CanvasPainter { ctx, dpr, device });
}
