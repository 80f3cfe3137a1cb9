//! `window.__inkroom`: hooks for end-to-end tests and debugging (the live scene and the world
//! rectangle the canvas shows, as JSON) and, with feature `bench` only, for the canvas benchmark
//! (`end2end/bench/`: load N generated elements, read the frame times).
//!
//! The benchmark's hooks and the board generator behind them (`inkroom_core::bench`) are left
//! out of ordinary builds: they would only add weight to the bundle, and let any script on the
//! page swap the board the user sees. `scripts/bench-canvas` builds the site with the feature.

use super::{Board, Shared};
use wasm_bindgen::prelude::*;

/// `__inkroom.sceneJson()`, `__inkroom.viewJson()` and `__inkroom.laserPoints()`.
type ReadHooks = (
    Closure<dyn Fn() -> String>,
    Closure<dyn Fn() -> String>,
    Closure<dyn Fn() -> u32>,
);

/// `__inkroom.bench(n, roughness)` and `__inkroom.frameTimes()`.
#[cfg(feature = "bench")]
type BenchHooks = (Closure<dyn Fn(u32, u32)>, Closure<dyn Fn() -> String>);

/// Frame times kept for the benchmark hook, at most.
#[cfg(feature = "bench")]
const MAX_FRAME_SAMPLES: usize = 10_000;

/// The hooks on `window.__inkroom`; dropping them removes it.
pub(super) struct Hooks {
    _read: ReadHooks,
    #[cfg(feature = "bench")]
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
    #[cfg(feature = "bench")]
    let bench = bench_hooks(board);
    if let Some(window) = web_sys::window() {
        let obj = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&obj, &"sceneJson".into(), hook.0.as_ref());
        let _ = js_sys::Reflect::set(&obj, &"viewJson".into(), hook.1.as_ref());
        let _ = js_sys::Reflect::set(&obj, &"laserPoints".into(), hook.2.as_ref());
        #[cfg(feature = "bench")]
        {
            let _ = js_sys::Reflect::set(&obj, &"bench".into(), bench.0.as_ref());
            let _ = js_sys::Reflect::set(&obj, &"frameTimes".into(), bench.1.as_ref());
        }
        let _ = js_sys::Reflect::set(&window, &"__inkroom".into(), &obj);
    }
    Hooks {
        _read: hook,
        #[cfg(feature = "bench")]
        _bench: bench,
    }
}

/// Read-only hooks for end-to-end tests and debugging: the live scene as JSON, the world
/// rectangle the canvas shows (`{"min":{x,y},"max":{x,y}}`), and how many points of other
/// people's laser trails are showing.
fn read_hooks(engine: &Shared) -> ReadHooks {
    let scene = {
        let engine = engine.clone();
        Closure::<dyn Fn() -> String>::new(move || {
            let e = engine.borrow();
            let live: Vec<_> = e.editor.scene().iter_live().collect();
            serde_json::to_string(&live).unwrap_or_default()
        })
    };
    let view = {
        let engine = engine.clone();
        Closure::<dyn Fn() -> String>::new(move || {
            let e = engine.borrow();
            let (w, h) = e.css_size;
            serde_json::to_string(&e.editor.camera.visible_rect(w, h)).unwrap_or_default()
        })
    };
    let engine = engine.clone();
    let lasers = Closure::<dyn Fn() -> u32>::new(move || {
        let now = js_sys::Date::now();
        let mut e = engine.borrow_mut();
        e.lasers.values_mut().for_each(|t| t.fade(now));
        e.lasers.values().map(|t| t.point_count()).sum::<usize>() as u32
    });
    (scene, view, lasers)
}

/// Benchmark hooks (`end2end/bench/`): load N generated elements at a roughness into this tab
/// only (never synced), and read the frame times painted since the last read.
#[cfg(feature = "bench")]
fn bench_hooks(board: &Board) -> BenchHooks {
    let load = {
        let (engine, schedule) = (board.engine.clone(), board.schedule.clone());
        Closure::<dyn Fn(u32, u32)>::new(move |n: u32, roughness: u32| {
            let roughness = u8::try_from(roughness).unwrap_or(1);
            let scene = inkroom_core::bench::mixed_scene_with_roughness(n as usize, 1, roughness);
            engine.borrow_mut().editor.load(scene, 0, 0);
            schedule();
        })
    };
    let engine = board.engine.clone();
    let stats = Closure::<dyn Fn() -> String>::new(move || {
        let samples = engine.borrow_mut().frame_times.take();
        serde_json::to_string(&samples).unwrap_or_default()
    });
    (load, stats)
}

/// How long each painted frame took (scene → commands → canvas), in milliseconds, kept for
/// `__inkroom.frameTimes()` and bounded so it never grows without a reader. Only builds with
/// feature `bench` measure anything.
#[derive(Default)]
pub(super) struct FrameTimes {
    #[cfg(feature = "bench")]
    samples: Vec<f64>,
}

#[cfg(feature = "bench")]
impl FrameTimes {
    /// The time a frame starts painting, if the browser can tell.
    pub(super) fn start(&self) -> Option<f64> {
        performance().map(|p| p.now())
    }

    /// Records the frame that started at `started` (from [`FrameTimes::start`]).
    pub(super) fn finish(&mut self, started: Option<f64>) {
        if let (Some(p), Some(t0)) = (performance(), started)
            && self.samples.len() < MAX_FRAME_SAMPLES
        {
            self.samples.push(p.now() - t0);
        }
    }

    /// The times recorded since the last call.
    fn take(&mut self) -> Vec<f64> {
        std::mem::take(&mut self.samples)
    }
}

#[cfg(not(feature = "bench"))]
impl FrameTimes {
    /// Nothing is measured without feature `bench`.
    pub(super) fn start(&self) -> Option<f64> {
        None
    }

    /// Nothing is recorded without feature `bench`.
    pub(super) fn finish(&mut self, _started: Option<f64>) {}
}

/// The page's high-resolution clock.
#[cfg(feature = "bench")]
fn performance() -> Option<web_sys::Performance> {
    web_sys::window().and_then(|w| w.performance())
}
