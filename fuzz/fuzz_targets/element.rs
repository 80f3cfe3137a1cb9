//! Element validation: whatever an element decodes to, validating it never panics, and a valid
//! one goes into a scene, is hit-tested, drawn and turned into a tombstone without panicking.
#![no_main]

use inkroom_core::element::Element;
use inkroom_core::geom::WorldPoint;
use inkroom_core::ops::{Op, Stamp};
use inkroom_core::render;
use inkroom_core::scene::Scene;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(element) = serde_json::from_slice::<Element>(data) else {
        return;
    };
    if element.validate().is_err() {
        return;
    }
    let id = element.id;
    let mut scene = Scene::default();
    let stamp = Stamp { nonce: 1, at_ms: 0 };
    if scene.apply(&Op::Create { element }, stamp).is_err() {
        return;
    }
    let _ = scene.hit_test(WorldPoint::new(0.0, 0.0), 4.0);
    let frame = render::export_frame(&scene, 1.0, 10.0);
    if u64::from(frame.width) * u64::from(frame.height) < 4_000_000 {
        let _ = render::export_commands(&scene, &frame);
    }
    let _ = scene.apply(&Op::Delete { id }, stamp);
});
