//! Renderer figures, printed (a benchmark, not a test: `cargo bench -p inkroom-core --bench
//! render --features bench`): the core's half of a frame (scene → drawing commands, then a
//! painter walking them) for boards of 1k, 10k and 100k generated elements, drawn exactly
//! (roughness 0) and with the hand-drawn look (roughness 1), each without and with the
//! per-element command cache an interactive host keeps. The view is zoomed out so that about
//! 10,000 elements are on screen at full detail: the hard case. Uncached commands always carry
//! the hand-drawn look (as exports do); the cached ones, as a board draws them, leave it out for
//! shapes under `ROUGH_MIN_PIXELS` on screen. The browser's own Canvas 2D time is measured by
//! `scripts/bench-canvas`.
//!
//! Figures are medians and 95th percentiles over repeated frames; compare them within one run.

use inkroom_core::bench::mixed_scene_with_roughness;
use inkroom_core::camera::Camera;
use inkroom_core::element::Color;
use inkroom_core::geom::WorldPoint;
use inkroom_core::render::{
    CommandCache, LinearGradient, Painter, Stroke, TextBlock, paint, scene_commands,
    scene_commands_cached,
};
use inkroom_core::shape::PathEl;
use std::hint::black_box;
use std::time::{Duration, Instant};

const FRAMES: usize = 30;

/// Counts what it is asked to draw, as a stand-in for a back end that costs nothing.
#[derive(Default)]
struct Counter {
    segments: usize,
}

impl Painter for Counter {
    fn clear(&mut self, _: Color) {}
    fn set_camera(&mut self, _: &Camera) {}
    fn path(&mut self, path: &[PathEl], _: Option<Color>, _: Option<&Stroke>, _: f64) {
        self.segments += path.len();
    }
    fn text(&mut self, _: &TextBlock) {}
    fn gradient(&mut self, path: &[PathEl], _: &LinearGradient, _: f64) {
        self.segments += path.len();
    }
}

fn percentile(times: &mut [Duration], p: f64) -> Duration {
    times.sort();
    times[((times.len() - 1) as f64 * p).round() as usize]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    println!("core frame (commands + painter walk), ms: median / p95 over {FRAMES} frames");
    println!(
        "{:>8} {:>10} {:>22} {:>22} {:>18}",
        "elements", "roughness", "uncached", "cached", "segments (u / c)"
    );
    for n in [1_000usize, 10_000, 100_000] {
        for roughness in [0u8, 1] {
            let scene = mixed_scene_with_roughness(n, 1, roughness);
            // About 100 × 100 cells (10k elements) in a 1600 × 1000 view.
            let camera = Camera {
                origin: WorldPoint::new(0.0, 0.0),
                zoom: 1600.0 / (100.0 * inkroom_core::bench::CELL),
            };
            let frame = |commands: &[inkroom_core::render::DrawCommand]| {
                let mut c = Counter::default();
                paint(commands, &mut c);
                c.segments
            };
            let mut uncached = Vec::new();
            let mut segments = 0;
            for _ in 0..FRAMES {
                let t = Instant::now();
                let cmds = scene_commands(&scene, &camera, 1600.0, 1000.0, None);
                segments = frame(black_box(&cmds));
                uncached.push(t.elapsed());
            }
            let mut cache = CommandCache::default();
            // The first frame fills the cache; later frames are what panning costs.
            let _ = scene_commands_cached(&scene, &camera, 1600.0, 1000.0, None, &mut cache);
            let mut cached = Vec::new();
            let mut cached_segments = 0;
            for i in 0..FRAMES {
                let mut cam = camera;
                cam.origin.x = (i % 2) as f64 * 10.0;
                let t = Instant::now();
                let cmds = scene_commands_cached(&scene, &cam, 1600.0, 1000.0, None, &mut cache);
                cached_segments = black_box(frame(&cmds));
                cached.push(t.elapsed());
            }
            println!(
                "{n:>8} {roughness:>10} {:>10.2} / {:>8.2} {:>10.2} / {:>8.2} {segments:>9} / {cached_segments:>6}",
                ms(percentile(&mut uncached, 0.5)),
                ms(percentile(&mut uncached, 0.95)),
                ms(percentile(&mut cached, 0.5)),
                ms(percentile(&mut cached, 0.95)),
            );
        }
    }
}
