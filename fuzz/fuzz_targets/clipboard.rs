//! Clipboard parsing: anything pasted is either refused with a reason or becomes elements (or
//! text) that are valid.
#![no_main]

use inkroom_core::clipboard::{self, Clipboard};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(Clipboard::Elements(copied)) = clipboard::parse(text) {
        for c in &copied {
            c.props.validate().expect("pasted elements are valid");
        }
    }
});
