//! The stored log as loading reads it: whatever ops a damaged log holds, restoring a room from
//! it either succeeds or reports which entry is bad; it never panics.
#![no_main]

use inkroom_core::replica::Sequenced;
use inkroom_core::sequencer;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(log) = serde_json::from_slice::<Vec<Sequenced>>(data) else {
        return;
    };
    let _ = sequencer::restore(None, log);
});
