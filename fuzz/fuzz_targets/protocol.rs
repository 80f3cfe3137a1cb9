//! The WebSocket protocol decoder: any frame either parses or is refused with a reason, and a
//! parsed message survives a round trip through the wire format.
#![no_main]

use inkroom_core::protocol::ClientMessage;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(msg) = ClientMessage::parse(text) {
        let again = serde_json::to_string(&msg).expect("a parsed message serialises");
        let back = ClientMessage::parse(&again).expect("and parses again");
        // Floats may print differently but must mean the same.
        assert_eq!(serde_json::to_value(&back).unwrap(), serde_json::to_value(&msg).unwrap());
        if let Ok((client_op, op)) = msg.into_op() {
            let _ = ClientMessage::from_op(client_op, op).into_op();
        }
    }
});
