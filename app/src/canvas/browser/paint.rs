//! Painting: frames requested only when the editor reports a change, the scene and overlay
//! layers painted on their canvases, other users' cursors, and the canvases kept at their CSS
//! size times the device pixel ratio.

use super::{Engine, Shared};
use inkroom_core::camera::Camera;
use inkroom_core::element::{Color, TextAlign};
use inkroom_core::render::{self, DrawCommand, LinearGradient, Painter, Stroke, TextBlock};
use inkroom_core::shape::PathEl;
use std::rc::{Rc, Weak};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

/// Remote cursors disappear after this long without moving.
const STALE_CURSOR_MS: f64 = 10_000.0;

/// What handlers call after a change: requests an animation frame for `engine` unless one is
/// already requested, so an idle board costs no CPU.
pub(super) fn scheduler(engine: &Shared) -> Rc<dyn Fn()> {
    // The frame callback asks for the next frame itself while something animates (the laser
    // trail fading), so it holds a weak reference to itself.
    let frame: Rc<Closure<dyn FnMut()>> = {
        let engine = engine.clone();
        Rc::new_cyclic(|me: &Weak<Closure<dyn FnMut()>>| {
            let me = me.clone();
            Closure::new(move || {
                if paint_frame(&engine)
                    && let Some(me) = me.upgrade()
                {
                    request_frame(&engine, &me);
                }
            })
        })
    };
    let engine = engine.clone();
    Rc::new(move || request_frame(&engine, &frame))
}

/// Repaints the overlay once a second while other users' cursors are shown, so that stale ones
/// disappear even when nothing else repaints.
pub(super) fn fade_stale_cursors(
    engine: &Shared,
    schedule: &Rc<dyn Fn()>,
) -> Option<(i32, Closure<dyn FnMut()>)> {
    web_sys::window().and_then(|window| {
        let (engine, schedule) = (engine.clone(), schedule.clone());
        let tick = Closure::<dyn FnMut()>::new(move || {
            if !engine.borrow().cursors.is_empty() {
                engine.borrow_mut().editor.invalidate_overlay();
                schedule();
            }
            // The same once-a-second tick tells the connection when this user went idle.
            if let Some(live) = live_of(&engine) {
                live.check_idle();
            }
        });
        let id = window
            .set_interval_with_callback_and_timeout_and_arguments_0(
                tick.as_ref().unchecked_ref(),
                1000,
            )
            .ok()?;
        Some((id, tick))
    })
}

/// Follows the canvas's layout size (window resizes, panels opening) and the pixel ratio.
pub(super) fn observe_resize(
    engine: &Shared,
    schedule: &Rc<dyn Fn()>,
    canvas: &HtmlCanvasElement,
) -> Option<(web_sys::ResizeObserver, Closure<dyn FnMut()>)> {
    canvas.parent_element().and_then(|host| {
        let engine = engine.clone();
        let schedule = schedule.clone();
        let callback = Closure::<dyn FnMut()>::new(move || {
            resize(&engine);
            schedule();
        });
        let observer = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()).ok()?;
        observer.observe(&host);
        Some((observer, callback))
    })
}

/// Asks the browser to run `frame` before the next repaint, unless a frame is already due.
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
pub(super) fn resize(engine: &Shared) {
    let mut e = engine.borrow_mut();
    let dpr = web_sys::window()
        .map_or(1.0, |w| w.device_pixel_ratio())
        .max(0.5);
    let rect = e.canvas.get_bounding_client_rect();
    let (w, h) = (rect.width().max(1.0), rect.height().max(1.0));
    let (dw, dh) = ((w * dpr).round() as u32, (h * dpr).round() as u32);
    e.canvas.set_width(dw);
    e.canvas.set_height(dh);
    if let Some((c, _)) = &e.overlay {
        c.set_width(dw);
        c.set_height(dh);
    }
    e.css_size = (w, h);
    e.dpr = dpr;
    e.editor.set_view_size(w, h);
    e.editor.invalidate();
}

/// The board's live connection, while it has one (the borrow ends before it is used).
fn live_of(engine: &Shared) -> Option<Rc<super::live::Live>> {
    engine
        .borrow()
        .live
        .as_ref()
        .and_then(std::rc::Weak::upgrade)
}

/// Paints a frame if anything changed, then lets the live connection see the new view (to
/// report it to followers, or to stop following when the user moved). Returns whether the
/// picture animates on its own (the next frame is then due even without input).
fn paint_frame(engine: &Shared) -> bool {
    let Some(animating) = paint_scene(engine) else {
        return false;
    };
    if let Some(live) = live_of(engine) {
        live.view_painted();
    }
    animating
}

/// Paints the layers that changed: the scene layer (cached on the main canvas) only when the
/// scene side changed, the overlay (and remote cursors) whenever anything did. Returns `None`
/// if nothing changed, otherwise whether the picture animates.
fn paint_scene(engine: &Shared) -> Option<bool> {
    let mut e = engine.borrow_mut();
    e.frame_requested = false;
    e.editor.set_clock(js_sys::Date::now());
    let mut due = e.editor.take_repaint();
    if !due.scene && !due.overlay {
        return None;
    }
    if e.overlay.is_none() {
        // One canvas: the overlay is drawn over the scene, so both are painted.
        due.scene = true;
    }
    let started = e.frame_times.start();
    let (w, h) = e.css_size;
    let device = (f64::from(e.canvas.width()), f64::from(e.canvas.height()));
    if due.scene {
        paint(&e.ctx, &e.editor.scene_layer(w, h), e.dpr, device);
    }
    let overlay = e.editor.overlay_layer();
    let ctx = e
        .overlay
        .as_ref()
        .map_or_else(|| e.ctx.clone(), |(_, ctx)| ctx.clone());
    // On the main canvas the overlay's transparent clear would erase the scene just painted.
    let skip = if e.overlay.is_some() { 0 } else { 1 };
    paint(&ctx, &overlay[skip..], e.dpr, device);
    // Other people's laser trails, faded by the same clock as this user's own.
    let now = js_sys::Date::now();
    let zoom = e.editor.camera.zoom;
    let mut lasers = Vec::new();
    for trail in e.lasers.values_mut() {
        trail.fade(now);
        lasers.extend(trail.commands(now, zoom));
    }
    e.lasers.retain(|_, t| t.is_showing() || t.is_pressed());
    if !lasers.is_empty() {
        let camera = e.editor.camera;
        render::paint(
            &[render::DrawCommand::SetCamera(camera)],
            &mut CanvasPainter {
                ctx: &ctx,
                dpr: e.dpr,
                device,
            },
        );
        paint(&ctx, &lasers, e.dpr, device);
    }
    let remote_lasers = !e.lasers.is_empty();
    e.frame_times.finish(started);
    e.cursors.retain(|_, c| now - c.at_ms < STALE_CURSOR_MS);
    paint_cursors(&e, &ctx);
    if remote_lasers {
        // The trails fade on their own: keep painting the overlay until they are gone.
        e.editor.invalidate_overlay();
    }
    Some(e.editor.is_animating() || remote_lasers)
}

/// Draws other users' pointers with their names, in screen space (constant size at any zoom).
fn paint_cursors(e: &Engine, ctx: &CanvasRenderingContext2d) {
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
        if color == Color::TRANSPARENT {
            ctx.clear_rect(0.0, 0.0, self.device.0, self.device.1);
            return;
        }
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

    fn gradient(&mut self, path: &[PathEl], g: &LinearGradient, opacity: f64) {
        let ctx = self.ctx;
        ctx.set_global_alpha(opacity);
        self.trace(path);
        // World coordinates: the context's transform is the camera's.
        let gradient = ctx.create_linear_gradient(g.start.x, g.start.y, g.end.x, g.end.y);
        for (offset, color) in &g.stops {
            let _ = gradient.add_color_stop(*offset as f32, &color.to_string());
        }
        ctx.set_fill_style_canvas_gradient(&gradient);
        ctx.fill();
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
