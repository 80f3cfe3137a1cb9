//! Presence: who is in the room, their cursors (batched per tick), the viewports followers see,
//! who follows whom, and what people are doing.

use super::{ConnId, Member, Room, frame};
use inkroom_core::protocol::{Activity, CursorAt, ErrorCode, Participant, ServerMessage, Viewport};

/// The most cursor moves sent in one `cursors` frame.
const MAX_CURSOR_BATCH: usize = 64;

const PALETTE: [&str; 10] = [
    "#e03131", "#2f9e44", "#1971c2", "#f08c00", "#9c36b5", "#0c8599", "#e8590c", "#5c940d",
    "#3b5bdb", "#c2255c",
];

/// A stable colour per user.
fn color_of(user_id: &str) -> String {
    let h = user_id
        .bytes()
        .fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
    PALETTE[h as usize % PALETTE.len()].to_owned()
}

/// How `m` appears to others.
pub(super) fn participant(m: &Member) -> Participant {
    Participant {
        user_id: m.user_id.clone(),
        name: m.name.clone(),
        color: color_of(&m.user_id),
        role: m.role.as_str().to_owned(),
    }
}

impl Room {
    /// A cursor move from `conn` (world coordinates), with its laser on or off; non-finite ones
    /// are dropped. Like every cursor, the laser is relayed and never stored.
    pub(super) fn cursor(&mut self, conn: ConnId, x: f64, y: f64, laser: bool) {
        let Some(c) = self.conns.get(&conn) else {
            return;
        };
        if !(x.is_finite() && y.is_finite()) {
            return;
        }
        let at = CursorAt {
            user_id: c.member.user_id.clone(),
            x,
            y,
            laser,
        };
        self.queue_cursor(conn, at);
    }

    /// `conn`'s activity, for everyone else.
    pub(super) fn activity(&self, conn: ConnId, activity: Activity) {
        let Some(c) = self.conns.get(&conn) else {
            return;
        };
        let msg = ServerMessage::UserActivity {
            user_id: c.member.user_id.clone(),
            activity,
        };
        self.relay(conn, msg);
    }

    /// Tells `conn` how many people are here.
    pub(super) fn count(&self, conn: ConnId) {
        if let Some(c) = self.conns.get(&conn) {
            Self::send_reliable(
                c,
                ServerMessage::ParticipantCount {
                    count: self.user_count(),
                },
            );
        }
    }

    /// Holds a cursor move for the room's next send (see `ordering::TICK`): a move into a quiet room
    /// goes out at once, while in a busy one the moves of a tick share a frame. A batch carries
    /// at most one move per connection (a second move from the same connection sends what is
    /// held first, so none is lost to a later one).
    fn queue_cursor(&mut self, conn: ConnId, at: CursorAt) {
        if self.cursors.iter().any(|(c, _)| *c == conn) {
            self.send_held();
        }
        self.cursors.push((conn, at));
        let everyone = self.cursors.len() >= self.conns.len().min(MAX_CURSOR_BATCH);
        if everyone || tokio::time::Instant::now() >= self.due {
            self.send_held();
        }
    }

    /// Sends the held cursor moves (part of [`Room::send_held`]): a lone move as `cursor` to
    /// everyone but its sender, several as one shared `cursors` frame to everyone (clients skip
    /// their own entries), which costs one serialisation and one queue push per receiver instead
    /// of one per move.
    pub(super) fn send_cursors(&mut self) {
        let mut batch = std::mem::take(&mut self.cursors);
        match batch.len() {
            0 => {}
            1 => {
                let (from, at) = batch.pop().expect("one");
                let msg = ServerMessage::Cursor {
                    user_id: at.user_id,
                    x: at.x,
                    y: at.y,
                    laser: at.laser,
                };
                self.relay(from, msg);
            }
            _ => {
                let cursors = batch.drain(..).map(|(_, at)| at).collect();
                self.broadcast(ServerMessage::Cursors { cursors });
                // Keep the allocation for the next batch.
                self.cursors = batch;
            }
        }
    }

    /// Tells `user_id`'s connections who follows them now.
    pub(super) fn announce_followers(&self, user_id: &str) {
        let followers: std::collections::BTreeSet<&str> = self
            .conns
            .values()
            .filter(|c| c.following.as_deref() == Some(user_id))
            .map(|c| c.member.user_id.as_str())
            .collect();
        let msg = ServerMessage::Followers {
            user_ids: followers.into_iter().map(str::to_owned).collect(),
        };
        let f = frame(&msg);
        for c in self.conns.values().filter(|c| c.member.user_id == user_id) {
            let _ = c.tx.try_send(f.clone());
        }
    }

    pub(super) fn follow(&mut self, conn: ConnId, target: Option<String>) {
        let Some(c) = self.conns.get(&conn) else {
            return;
        };
        if let Some(t) = &target {
            let present = self.conns.values().any(|o| &o.member.user_id == t);
            if !present || *t == c.member.user_id {
                Self::send_reliable(
                    c,
                    ServerMessage::Error {
                        code: ErrorCode::Malformed,
                        message: "follow someone else who is in this room".into(),
                    },
                );
                return;
            }
        }
        let latest = target.as_ref().and_then(|t| {
            self.conns
                .values()
                .filter(|o| &o.member.user_id == t)
                .find_map(|o| o.viewport)
        });
        let Some(c) = self.conns.get_mut(&conn) else {
            return;
        };
        let before = std::mem::replace(&mut c.following, target.clone());
        if let (Some(t), Some(view)) = (&target, latest) {
            let _ = c.tx.try_send(frame(&ServerMessage::Viewport {
                user_id: t.clone(),
                view,
            }));
        }
        if before != target {
            for user in before.iter().chain(target.iter()) {
                self.announce_followers(user);
            }
        }
    }

    pub(super) fn viewport(&mut self, conn: ConnId, view: Viewport) {
        let Some(c) = self.conns.get_mut(&conn) else {
            return;
        };
        if !view.is_valid() {
            Self::send_reliable(
                c,
                ServerMessage::Error {
                    code: ErrorCode::Malformed,
                    message: "a viewport must be finite with a positive size".into(),
                },
            );
            return;
        }
        c.viewport = Some(view);
        let user_id = c.member.user_id.clone();
        let mut f = None;
        for other in self.conns.values() {
            if other.following.as_deref() == Some(user_id.as_str()) {
                let f = f.get_or_insert_with(|| {
                    frame(&ServerMessage::Viewport {
                        user_id: user_id.clone(),
                        view,
                    })
                });
                let _ = other.tx.try_send(f.clone());
            }
        }
    }

    pub(super) fn participants(&self) -> Vec<Participant> {
        let mut seen = std::collections::BTreeMap::new();
        for c in self.conns.values() {
            seen.entry(c.member.user_id.clone())
                .or_insert_with(|| participant(&c.member));
        }
        seen.into_values().collect()
    }

    fn user_count(&self) -> usize {
        self.participants().len()
    }
}
