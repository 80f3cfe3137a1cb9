//! Telling the real-time hub that someone's access to a room changed, so their open sockets
//! follow at once (closed, or given their new role) instead of keeping the role they joined
//! with. Server functions call it after every change of membership; the server crate
//! implements it (locally, and through Redis for the other processes when configured).

use std::fmt::Debug;

/// Receives changes of room access.
pub trait Notifier: Send + Sync + Debug {
    /// `user_id`'s access to the room `room_id` changed (kicked, left, joined, role changed),
    /// or with `None`, everyone's did (the room was deleted).
    fn access_changed(&self, room_id: &str, user_id: Option<&str>);
}

/// A notifier for a server without a hub (tests of server functions alone): does nothing.
#[derive(Debug, Default)]
pub struct Nobody;

impl Notifier for Nobody {
    fn access_changed(&self, _: &str, _: Option<&str>) {}
}
