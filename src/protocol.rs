//! The real-time protocol: the messages a room's WebSocket carries, shared by the server, the
//! browser client and the load generator.
//!
//! Frames are JSON text, tagged by `type`, using the product design's message names where they
//! apply (`join_room`, `draw`, `edit_shape`, `erase`, `cursor_update`, `user_activity`,
//! `get_participant_count`, `chat`). `docs/protocol.md` shows an example of every message; a test
//! parses each of them, so the document cannot drift from the code.

use crate::element::{Element, ElementId};
use crate::ops::{Op, Patch};
use crate::replica::{ClientId, ClientOpId, Sequenced};
use serde::{Deserialize, Serialize};

/// The largest frame a client may send, in bytes. Larger frames are refused unread.
///
/// 1 MiB holds the largest element the model accepts: a freehand stroke of
/// [`crate::element::MAX_POINTS`] points with full-precision coordinates and pressures is about
/// 0.6 MiB as JSON (`protocol::tests::the_largest_valid_stroke_fits_in_one_frame`).
pub const MAX_FRAME_BYTES: usize = 1 << 20;
/// The longest chat message, in characters.
pub const MAX_CHAT_CHARS: usize = 2000;

/// What a user is doing, shown next to their name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Activity {
    /// Here and using the board, doing nothing in particular (after drawing or typing ends,
    /// or on coming back).
    Active,
    /// No input for a minute.
    Idle,
    /// Drawing or editing shapes.
    Drawing,
    /// Typing text or chatting.
    Typing,
    /// The board's tab is hidden.
    Away,
}

/// A message from a client.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClientMessage {
    /// Enter a room. `last_seq` (after a reconnect) asks for only the ops after it.
    JoinRoom {
        /// The room's slug.
        room: String,
        /// This tab's id, kept across reconnects so re-sent ops are recognised.
        client: ClientId,
        /// The last sequence number this client has, if any.
        #[serde(default)]
        last_seq: Option<u64>,
    },
    /// Create an element.
    Draw {
        /// The client's number for this op.
        client_op: ClientOpId,
        /// The new element.
        element: Element,
    },
    /// Change some properties of an element.
    EditShape {
        /// The client's number for this op.
        client_op: ClientOpId,
        /// Which element.
        id: ElementId,
        /// The changed properties.
        patch: Patch,
    },
    /// Delete an element (idempotent).
    Erase {
        /// The client's number for this op.
        client_op: ClientOpId,
        /// Which element.
        id: ElementId,
    },
    /// The pointer moved (world coordinates). Clients send at most 20 per second.
    CursorUpdate {
        /// World x.
        x: f64,
        /// World y.
        y: f64,
        /// Whether the laser pointer is on here (its button held): others draw the trail,
        /// which fades and is never stored.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        laser: bool,
    },
    /// The part of the board this user sees, in world coordinates. Clients send it (at most 20
    /// per second, when their camera moves) only while someone follows them (see `followers`).
    ViewportUpdate {
        /// The visible world rectangle.
        view: Viewport,
    },
    /// Follow a participant's viewport (`user_id`), or stop following (`null`).
    Follow {
        /// Whom to follow; `None` stops.
        #[serde(default)]
        user_id: Option<String>,
    },
    /// The user's activity changed.
    UserActivity {
        /// What they are doing now.
        activity: Activity,
    },
    /// Ask how many people are in the room.
    GetParticipantCount {},
    /// Post a chat message.
    Chat {
        /// The text (1–2000 characters).
        text: String,
    },
    /// Ask for older chat messages.
    ChatHistory {
        /// Messages before this id (exclusive); `None` for the newest.
        #[serde(default)]
        before: Option<i64>,
        /// How many (1–100).
        limit: u32,
    },
}

impl ClientMessage {
    /// Parses a text frame, refusing oversized frames before reading them.
    pub fn parse(frame: &str) -> Result<Self, ProtocolError> {
        if frame.len() > MAX_FRAME_BYTES {
            return Err(ProtocolError::TooLarge { bytes: frame.len() });
        }
        serde_json::from_str(frame).map_err(|e| ProtocolError::Malformed(e.to_string()))
    }

    /// The message asking for `op`, numbered `client_op` by the client: the inverse of
    /// [`ClientMessage::into_op`].
    pub fn from_op(client_op: ClientOpId, op: Op) -> Self {
        match op {
            Op::Create { element } => Self::Draw { client_op, element },
            Op::Update { id, patch } => Self::EditShape {
                client_op,
                id,
                patch,
            },
            Op::Delete { id } => Self::Erase { client_op, id },
        }
    }

    /// The scene op this message asks for, with the client's number for it, or the message
    /// back if it asks for none. Takes the message, so an element is moved, never copied.
    // The message comes back by value on purpose: it was just parsed on the stack, and boxing
    // it would cost an allocation per frame.
    #[allow(clippy::result_large_err)]
    pub fn into_op(self) -> Result<(ClientOpId, Op), Self> {
        match self {
            Self::Draw { client_op, element } => Ok((client_op, Op::Create { element })),
            Self::EditShape {
                client_op,
                id,
                patch,
            } => Ok((client_op, Op::Update { id, patch })),
            Self::Erase { client_op, id } => Ok((client_op, Op::Delete { id })),
            other => Err(other),
        }
    }
}

/// The world rectangle a user sees.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Viewport {
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width (positive).
    pub width: f64,
    /// Height (positive).
    pub height: f64,
}

impl Viewport {
    /// The largest width or height accepted: wider than any zoomed-out board.
    pub const MAX_EXTENT: f64 = 1e9;

    /// Finite, within the world's range, with positive size.
    pub fn is_valid(&self) -> bool {
        let size_ok = |v: f64| v.is_finite() && v > 0.0 && v <= Self::MAX_EXTENT;
        let pos_ok = |v: f64| v.is_finite() && v.abs() <= Self::MAX_EXTENT;
        pos_ok(self.x) && pos_ok(self.y) && size_ok(self.width) && size_ok(self.height)
    }
}

/// One pointer position in a [`ServerMessage::Cursors`] batch.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CursorAt {
    /// Whose pointer.
    pub user_id: String,
    /// World x.
    pub x: f64,
    /// World y.
    pub y: f64,
    /// Whether their laser pointer is on.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub laser: bool,
}

/// A participant in a room.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participant {
    /// The user's id.
    pub user_id: String,
    /// Their display name.
    pub name: String,
    /// Their cursor and badge colour, `#rrggbb`.
    pub color: String,
    /// `owner`, `editor` or `viewer`.
    pub role: String,
}

/// A chat message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatMessage {
    /// Increasing id within the room.
    pub id: i64,
    /// The author's id.
    pub user_id: String,
    /// The author's display name.
    pub name: String,
    /// The text.
    pub text: String,
    /// Unix milliseconds.
    pub at_ms: i64,
}

/// Machine-readable error codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The frame was not valid JSON or not a known message.
    Malformed,
    /// The frame was larger than [`MAX_FRAME_BYTES`].
    TooLarge,
    /// A message other than `join_room` arrived before joining.
    NotJoined,
    /// No such room, or not visible to this user.
    UnknownRoom,
    /// The user's role does not allow this (e.g. a viewer drawing).
    Forbidden,
    /// The op is invalid (NaN coordinates, unknown element…).
    InvalidOp,
    /// Too many messages: slow down.
    RateLimited,
    /// The board holds as much as it may (elements or bytes): the op was refused.
    LimitExceeded,
    /// The client fell too far behind; it must rejoin with its `last_seq`.
    ResyncRequired,
    /// The server failed; details are in its log.
    Internal,
}

/// A message from the server.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMessage {
    /// The join was accepted: the first message of a room. `client` is the id the server files
    /// this client's ops under (derived from the user and the `client` the join named, so that
    /// nobody can act under another user's id); ops the client sent come back in `ops` with it.
    Joined {
        /// The server's id for this client's ops.
        client: ClientId,
    },
    /// The full scene after joining (or when the client was too far behind for a delta).
    RoomState {
        /// The sequence number the scene is at.
        seq: u64,
        /// Every element, tombstones included.
        elements: Vec<Element>,
        /// Who is here.
        participants: Vec<Participant>,
        /// The joining user as others see them.
        you: Participant,
        /// The last op number of this client the server has applied (0 if none): pending ops up
        /// to it are already part of `elements`.
        #[serde(default)]
        applied: ClientOpId,
    },
    /// Sequenced ops to apply in order: a delta after a reconnect, or live changes.
    Ops {
        /// Consecutive ops.
        ops: Vec<Sequenced>,
    },
    /// The client's op is durable and numbered `seq`.
    Ack {
        /// The client's number for it.
        client_op: ClientOpId,
        /// Its sequence number.
        seq: u64,
    },
    /// The client's op was refused; the scene is unchanged.
    Rejected {
        /// The client's number for it.
        client_op: ClientOpId,
        /// Why.
        code: ErrorCode,
        /// Human-readable detail.
        message: String,
    },
    /// Something about the last frame was wrong (the connection stays open).
    Error {
        /// What kind of problem.
        code: ErrorCode,
        /// Human-readable detail.
        message: String,
    },
    /// Someone joined.
    ParticipantJoined {
        /// Who.
        participant: Participant,
    },
    /// Someone left (or their last connection closed).
    ParticipantLeft {
        /// Who.
        user_id: String,
    },
    /// This user's role in the room changed while connected (`owner`, `editor` or `viewer`); it
    /// applies from their next message. (A user who loses access is sent an `error` with
    /// `forbidden` and the socket closes with code 4003.)
    RoleChanged {
        /// The role now.
        role: String,
    },
    /// How many people are in the room.
    ParticipantCount {
        /// The count.
        count: usize,
    },
    /// Someone's pointer moved.
    Cursor {
        /// Whose.
        user_id: String,
        /// World x.
        x: f64,
        /// World y.
        y: f64,
        /// Whether their laser pointer is on.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        laser: bool,
    },
    /// Several pointers moved: the room sends the moves that arrived together as one frame, to
    /// everyone in the room (a client skips its own user's entry).
    Cursors {
        /// The latest position of each pointer that moved, one entry per connection.
        cursors: Vec<CursorAt>,
    },
    /// The viewport of the user this client follows (sent only to followers).
    Viewport {
        /// Whose.
        user_id: String,
        /// What they see.
        view: Viewport,
    },
    /// Who follows this user now (sent to the followed user when it changes): while the list is
    /// not empty, the client reports its viewport.
    Followers {
        /// The followers' user ids.
        user_ids: Vec<String>,
    },
    /// Someone's activity changed.
    UserActivity {
        /// Whose.
        user_id: String,
        /// What they are doing.
        activity: Activity,
    },
    /// A new chat message.
    Chat {
        /// The message.
        message: ChatMessage,
    },
    /// Older chat messages, newest first.
    ChatHistory {
        /// The messages.
        messages: Vec<ChatMessage>,
        /// Pass as `before` for the next page; `None` at the beginning of the room.
        next_before: Option<i64>,
    },
}

/// Why a frame could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProtocolError {
    /// Over [`MAX_FRAME_BYTES`].
    #[error("frame of {bytes} bytes exceeds the limit of {MAX_FRAME_BYTES}")]
    TooLarge {
        /// The frame's size.
        bytes: usize,
    },
    /// Not JSON, or not a message this protocol knows.
    #[error("malformed message: {0}")]
    Malformed(String),
}

impl ProtocolError {
    /// The error code to report.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::TooLarge { .. } => ErrorCode::TooLarge,
            Self::Malformed(_) => ErrorCode::Malformed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every JSON example in `docs/protocol.md` (fenced as `json client` or `json server`) parses
    /// as a message of its direction, and every message type has an example.
    #[test]
    fn every_documented_example_parses_and_every_message_is_documented() {
        let doc = include_str!("../docs/protocol.md");
        let mut client_types = std::collections::BTreeSet::new();
        let mut server_types = std::collections::BTreeSet::new();
        let mut lines = doc.lines();
        while let Some(line) = lines.next() {
            let direction = match line.trim() {
                "```json client" => "client",
                "```json server" => "server",
                _ => continue,
            };
            let body: Vec<&str> = lines.by_ref().take_while(|l| l.trim() != "```").collect();
            let json = body.join("\n");
            let value: serde_json::Value =
                serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"));
            let ty = value["type"].as_str().unwrap_or_default().to_owned();
            if direction == "client" {
                ClientMessage::parse(&json).unwrap_or_else(|e| panic!("{e}: {json}"));
                client_types.insert(ty);
            } else {
                serde_json::from_str::<ServerMessage>(&json)
                    .unwrap_or_else(|e| panic!("{e}: {json}"));
                server_types.insert(ty);
            }
        }
        let expected_client = [
            "join_room",
            "draw",
            "edit_shape",
            "erase",
            "cursor_update",
            "viewport_update",
            "follow",
            "user_activity",
            "get_participant_count",
            "chat",
            "chat_history",
        ];
        let expected_server = [
            "joined",
            "room_state",
            "ops",
            "ack",
            "rejected",
            "error",
            "participant_joined",
            "participant_left",
            "participant_count",
            "role_changed",
            "cursor",
            "cursors",
            "viewport",
            "followers",
            "user_activity",
            "chat",
            "chat_history",
        ];
        assert_eq!(
            client_types,
            expected_client.iter().map(|s| s.to_string()).collect()
        );
        assert_eq!(
            server_types,
            expected_server.iter().map(|s| s.to_string()).collect()
        );
    }

    #[test]
    fn bad_frames_get_a_clear_error() {
        assert!(matches!(
            ClientMessage::parse("{not json"),
            Err(ProtocolError::Malformed(_))
        ));
        assert!(matches!(
            ClientMessage::parse(r#"{"type":"teleport"}"#),
            Err(ProtocolError::Malformed(_))
        ));
        assert!(matches!(
            ClientMessage::parse(r#"{"type":"chat"}"#),
            Err(ProtocolError::Malformed(_))
        ));
        let huge = format!(
            r#"{{"type":"chat","text":"{}"}}"#,
            "x".repeat(MAX_FRAME_BYTES)
        );
        assert_eq!(
            ClientMessage::parse(&huge).unwrap_err().code(),
            ErrorCode::TooLarge
        );
        // NaN is not JSON, so NaN coordinates cannot even be expressed.
        assert!(ClientMessage::parse(r#"{"type":"cursor_update","x":NaN,"y":0}"#).is_err());
    }

    #[test]
    fn viewports_must_be_finite_and_sized() {
        let ok = Viewport {
            x: -100.0,
            y: 50.0,
            width: 800.0,
            height: 600.0,
        };
        assert!(ok.is_valid());
        for bad in [
            Viewport { width: 0.0, ..ok },
            Viewport { height: -1.0, ..ok },
            Viewport { x: f64::NAN, ..ok },
            Viewport {
                y: f64::INFINITY,
                ..ok
            },
            Viewport { width: 1e12, ..ok },
            Viewport { x: -1e12, ..ok },
        ] {
            assert!(!bad.is_valid(), "{bad:?}");
        }
        let m = ClientMessage::parse(
            r#"{"type":"viewport_update","view":{"x":1,"y":2,"width":3,"height":4}}"#,
        )
        .unwrap();
        assert_eq!(
            m,
            ClientMessage::ViewportUpdate {
                view: Viewport {
                    x: 1.0,
                    y: 2.0,
                    width: 3.0,
                    height: 4.0
                }
            }
        );
        // A missing field is refused, not defaulted.
        assert!(
            ClientMessage::parse(r#"{"type":"viewport_update","view":{"x":1,"y":2,"width":3}}"#)
                .is_err()
        );
        assert_eq!(
            ClientMessage::parse(r#"{"type":"follow","user_id":null}"#).unwrap(),
            ClientMessage::Follow { user_id: None }
        );
    }

    #[test]
    fn shape_messages_become_ops() {
        let m = ClientMessage::parse(
            r#"{"type":"erase","client_op":7,"id":"00000000-0000-0000-0000-000000000001"}"#,
        )
        .unwrap();
        assert_eq!(
            m.into_op(),
            Ok((
                7,
                Op::Delete {
                    id: ElementId::from_u128(1)
                }
            ))
        );
        assert_eq!(
            ClientMessage::GetParticipantCount {}.into_op(),
            Err(ClientMessage::GetParticipantCount {})
        );
    }

    #[test]
    fn ops_survive_the_round_trip_through_a_message() {
        use crate::element::{ElementKind, Props};
        use crate::geom::{Rect, WorldPoint};
        use crate::index::FracIndex;
        let id = ElementId::from_u128(3);
        let rect = Rect::from_corners(WorldPoint::new(0.0, 0.0), WorldPoint::new(10.0, 20.0));
        let props = Props::new(
            ElementKind::Ellipse,
            rect,
            FracIndex::between(None, None).unwrap(),
        );
        let element = Element::new(id, props, 5, 1_000).unwrap();
        let patch = Patch {
            x: Some(4.0),
            ..Patch::default()
        };
        for (client_op, op) in [
            (1, Op::Create { element }),
            (2, Op::Update { id, patch }),
            (3, Op::Delete { id }),
        ] {
            let message = ClientMessage::from_op(client_op, op.clone());
            assert_eq!(message.into_op(), Ok((client_op, op)));
        }
        // Messages that ask for no op come back as they were.
        for other in [
            ClientMessage::GetParticipantCount {},
            ClientMessage::CursorUpdate {
                x: 1.0,
                y: 2.0,
                laser: false,
            },
            ClientMessage::Chat {
                text: "hi".to_owned(),
            },
        ] {
            assert_eq!(other.clone().into_op(), Err(other));
        }
    }

    #[test]
    fn the_largest_valid_stroke_fits_in_one_frame() {
        use crate::element::{ElementKind, MAX_POINTS, Props};
        use crate::geom::{LocalPoint, Rect, WorldPoint};
        use crate::index::FracIndex;
        // Coordinates and pressures whose shortest decimal forms are as long as they get.
        let mut props = Props::new(
            ElementKind::Freedraw,
            Rect::from_corners(
                WorldPoint::new(-987_654_321.123_456_7, -987_654_321.123_456_7),
                WorldPoint::new(-87_654_321.123_456_7, -87_654_321.123_456_7),
            ),
            FracIndex::between(None, None).unwrap(),
        );
        props.points = (0..MAX_POINTS)
            .map(|i| {
                let v = -123_456_789.123_456_78 - i as f64 * 1.000_000_000_1;
                LocalPoint::new(v, v / 3.0)
            })
            .collect();
        props.pressures = (0..MAX_POINTS)
            .map(|i| 0.123_456_78 + i as f32 * 1e-5)
            .collect();
        let element = Element::new(ElementId::from_u128(1), props, u32::MAX, i64::MAX).unwrap();
        let frame = serde_json::to_string(&ClientMessage::Draw {
            client_op: u64::MAX,
            element,
        })
        .unwrap();
        assert!(
            frame.len() < MAX_FRAME_BYTES * 3 / 4,
            "{} bytes: the frame limit no longer leaves headroom for the largest stroke",
            frame.len()
        );
        assert!(ClientMessage::parse(&frame).is_ok());
    }

    /// Frames shaped like messages (a valid message's JSON with bytes replaced, cut or
    /// repeated) and plain garbage: decoding answers `Ok` or `Err`, never panics. (The fuzz
    /// target `fuzz/fuzz_targets/protocol.rs` explores further, coverage-guided.)
    mod arbitrary_frames {
        use super::*;
        use proptest::prelude::*;

        const SEED: &str = r#"{"type":"edit_shape","client_op":3,"id":"6a1f0c3e-5d2b-4c1a-9e7f-3b2a1c0d9e8f","patch":{"x":140,"points":[[0,0],[1,2]],"startBinding":{"elementId":"6a1f0c3e-5d2b-4c1a-9e7f-3b2a1c0d9e8f","focus":0.5,"gap":5}}}"#;

        proptest! {
            #[test]
            fn mutated_messages_never_panic(cut in 0..SEED.len(), at in 0..SEED.len(), byte in any::<u8>(), repeat in 0..4usize) {
                let mut bytes = SEED.as_bytes().to_vec();
                bytes[at] = byte;
                bytes.truncate(cut.max(1));
                let text = String::from_utf8_lossy(&bytes).repeat(repeat + 1);
                let _ = ClientMessage::parse(&text);
            }

            #[test]
            fn garbage_never_panics(text in ".{0,400}") {
                let _ = ClientMessage::parse(&text);
                let _ = crate::clipboard::parse(&text);
            }
        }
    }
}
