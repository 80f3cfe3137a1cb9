//! `window.__inkroom`: hooks for end-to-end tests and debugging (the live scene and the world
//! rectangle the canvas shows, as JSON) and for the canvas benchmark (`end2end/bench/`: load N
//! generated elements, read the frame times).

use super::{Board, Shared};
use wasm_bindgen::prelude::*;

/// `__inkroom.sceneJson()` and `__inkroom.viewJson()`.
type ReadHooks = (Closure<dyn Fn() -> String>, Closure<dyn Fn() -> String>);

/// `__inkroom.bench(n)` and `__inkroom.frameTimes()`.
type BenchHooks = (Closure<dyn Fn(u32)>, Closure<dyn Fn() -> String>);

/// Frame times kept for the benchmark hook, at most.
pub(super) const MAX_FRAME_SAMPLES: usize = 10_000;

/// The hooks on `window.__inkroom`; dropping them removes it.
pub(super) struct Hooks {
    _read: ReadHooks,
    _bench: BenchHooks,
}

impl Drop for Hooks {
    fn drop(&mut self) {
        if let Some(window) = web_sys::window() {
            let _ = js_sys::Reflect::delete_property(&window, &"__inkroom".into());
        }
    }
}

/// Puts the hooks for `board` on `window.__inkroom`.
pub(super) fn install(board: &Board) -> Hooks {
    let hook = read_hooks(&board.engine);
    let bench = bench_hooks(board);
    if let Some(window) = web_sys::window() {
        let obj = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&obj, &"sceneJson".into(), hook.0.as_ref());
        let _ = js_sys::Reflect::set(&obj, &"viewJson".into(), hook.1.as_ref());
        let _ = js_sys::Reflect::set(&obj, &"bench".into(), bench.0.as_ref());
        let _ = js_sys::Reflect::set(&obj, &"frameTimes".into(), bench.1.as_ref());
        let _ = js_sys::Reflect::set(&window, &"__inkroom".into(), &obj);
    }
    Hooks {
        _read: hook,
        _bench: bench,
    }
}

/// Read-only hooks for end-to-end tests and debugging: the live scene as JSON, and the world
/// rectangle the canvas shows (`{"min":{x,y},"max":{x,y}}`).
fn read_hooks(engine: &Shared) -> ReadHooks {
    let scene = {
        let engine = engine.clone();
        Closure::<dyn Fn() -> String>::new(move || {
            let e = engine.borrow();
            let live: Vec<_> = e.editor.scene().iter_live().collect();
            serde_json::to_string(&live).unwrap_or_default()
        })
    };
    let engine = engine.clone();
    let view = Closure::<dyn Fn() -> String>::new(move || {
        let e = engine.borrow();
        let (w, h) = e.css_size;
        serde_json::to_string(&e.editor.camera.visible_rect(w, h)).unwrap_or_default()
    });
    (scene, view)
}

/// Benchmark hooks (`end2end/bench/`): load N generated elements into this tab only (never
/// synced), and read the frame times painted since the last read.
fn bench_hooks(board: &Board) -> BenchHooks {
    let load = {
        let (engine, schedule) = (board.engine.clone(), board.schedule.clone());
        Closure::<dyn Fn(u32)>::new(move |n: u32| {
            let scene = inkroom_core::bench::mixed_scene(n as usize, 1);
            engine.borrow_mut().editor.load(scene, 0, 0);
            schedule();
        })
    };
    let engine = board.engine.clone();
    let stats = Closure::<dyn Fn() -> String>::new(move || {
        let samples = std::mem::take(&mut engine.borrow_mut().frame_ms);
        serde_json::to_string(&samples).unwrap_or_default()
    });
    (load, stats)
}
