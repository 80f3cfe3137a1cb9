//! Ordering: ops go through the room's [`Sequencer`](inkroom_core::sequencer::Sequencer), which
//! applies them at once and hands them out in batches; this module writes each batch through
//! the journal and, once it is committed, acknowledges its ops to their senders and broadcasts
//! them on the room's tick.

use super::{ConnId, Room, Sender};
use crate::hub::store::{self, LogEntry};
use app::ssr::db::{DbError, now_ms};
use inkroom_core::ops::Op;
use inkroom_core::protocol::{ErrorCode, ServerMessage};
use inkroom_core::replica::{ClientOpId, Sequenced};
use inkroom_core::sequencer::Outcome;
use tokio::task::JoinHandle;

/// The shortest time between two sends of a room's live traffic (40 per second, twice the rate
/// at which clients send cursors): cursor moves, and acks and ops made durable, that arrive
/// within it go out together, so each receiver gets one wake-up and one socket write per tick
/// rather than one per message. A room that has been quiet for a tick sends at once.
pub(super) const TICK: std::time::Duration = std::time::Duration::from_millis(25);

/// A batch being written: it answers with the batch's ops once committed.
pub(super) type Write = JoinHandle<Result<Vec<(Sequenced, Sender)>, DbError>>;

impl Room {
    /// An op from `conn`: applied and queued for the log if the member may edit and the op is
    /// valid, else refused with the reason.
    pub(super) fn op(&mut self, conn: ConnId, client_op: ClientOpId, op: Op) {
        let Some(c) = self.conns.get(&conn) else {
            return;
        };
        if !c.member.role.can_edit() {
            Self::send_reliable(
                c,
                ServerMessage::Rejected {
                    client_op,
                    code: ErrorCode::Forbidden,
                    message: "viewers cannot change the board".into(),
                },
            );
            return;
        }
        if let Some(why) = self.over_quota(&op) {
            Self::send_reliable(
                c,
                ServerMessage::Rejected {
                    client_op,
                    code: ErrorCode::LimitExceeded,
                    message: why,
                },
            );
            return;
        }
        let sender = Sender {
            conn,
            user_id: c.member.user_id.clone(),
        };
        match self.seq.submit(c.client, client_op, op, now_ms(), sender) {
            // Applied before the client reconnected: its rejoin delta carries it.
            Outcome::Accepted(_) | Outcome::Duplicate => {}
            Outcome::Refused(e) => {
                Self::send_reliable(
                    c,
                    ServerMessage::Rejected {
                        client_op,
                        code: ErrorCode::InvalidOp,
                        message: e.to_string(),
                    },
                );
            }
        }
    }

    /// Why `op` may not be applied now, if the board is at one of its quotas: past them, what
    /// adds content (new elements, restored ones, points, text) is refused; moving, restyling
    /// and deleting still work, so a full board can always be tidied.
    fn over_quota(&self, op: &Op) -> Option<String> {
        let size = self.seq.size();
        let (adds_element, adds_content) = match op {
            Op::Create { .. } => (true, true),
            Op::Update { patch, .. } => (
                patch.is_deleted == Some(false),
                patch.is_deleted == Some(false)
                    || patch.points.is_some()
                    || patch.pressures.is_some()
                    || patch.text.is_some()
                    || patch.group_ids.is_some()
                    || patch.link.is_some(),
            ),
            Op::Delete { .. } => (false, false),
        };
        if adds_element && size.live >= self.config.max_elements {
            return Some(format!(
                "this board holds {} elements, the most it may: delete some first",
                size.live
            ));
        }
        if adds_content && size.bytes >= self.config.max_bytes {
            return Some(format!(
                "this board is full ({} MB): delete something first",
                size.bytes >> 20
            ));
        }
        None
    }

    /// Writes everything still pending (at shutdown or when idle).
    pub(super) async fn flush(&mut self) -> Result<(), DbError> {
        loop {
            if self.in_flight.is_none() {
                self.start_write();
            }
            let Some(write) = self.in_flight.take() else {
                return Ok(());
            };
            match write.await {
                Ok(Ok(batch)) => self.committed(batch),
                Ok(Err(e)) => return Err(e),
                Err(_) => return Err(DbError::Sqlx(sqlx::Error::WorkerCrashed)),
            }
        }
    }

    /// Starts writing the next batch, if ops wait and no write is in flight. The snapshot that
    /// may ride with it is serialised by the write task, off the room's ordering path.
    pub(super) fn start_write(&mut self) {
        let Some(batch) = self.seq.next_batch(now_ms()) else {
            return;
        };
        let (journal, id) = (self.journal.clone(), self.id.clone());
        self.in_flight = Some(tokio::spawn(async move {
            let snapshot = batch
                .snapshot
                .and_then(|(seq, state)| store::serialize_snapshot(&id, seq, &state));
            let entries: Vec<LogEntry> = batch
                .entries
                .iter()
                .map(|(op, sender)| LogEntry {
                    op: op.clone(),
                    user_id: sender.user_id.clone(),
                })
                .collect();
            journal.append(id, entries, snapshot).await?;
            Ok(batch.entries)
        }));
    }

    /// A batch is durable: it is acknowledged and broadcast with the room's next send (at once
    /// in a quiet room, at the next tick in a busy one).
    pub(super) fn committed(&mut self, batch: Vec<(Sequenced, Sender)>) {
        let released = self.seq.committed(batch);
        // Held scenes first: the ops broadcast after them continue them.
        for (conn, answer) in released.joins {
            self.answer_join(conn, answer);
        }
        self.durable_out.extend(released.ops);
        if tokio::time::Instant::now() >= self.due {
            self.send_held();
        }
    }

    /// Whether traffic is waiting for the tick.
    pub(super) fn holding(&self) -> bool {
        !self.cursors.is_empty() || !self.durable_out.is_empty()
    }

    /// Sends everything held, and starts a new tick: each sender's acks, then the cursor moves,
    /// then every durable op since the last send in one `ops` frame. A receiver's task finds
    /// them queued together and writes them with one system call.
    pub(super) fn send_held(&mut self) {
        self.due = tokio::time::Instant::now() + TICK;
        let durable = std::mem::take(&mut self.durable_out);
        for (op, sender) in &durable {
            if let Some(c) = self.conns.get(&sender.conn) {
                let ack = ServerMessage::Ack {
                    client_op: op.client_op,
                    seq: op.seq,
                };
                Self::send_reliable(c, ack);
            }
        }
        self.send_cursors();
        if !durable.is_empty() {
            let ops = durable.into_iter().map(|(op, _)| op).collect();
            let f = super::frame(&ServerMessage::Ops { ops });
            // A connection still waiting for its held scene gets these ops in it.
            for (id, c) in &self.conns {
                if !self.seq.is_catching_up(id) {
                    let _ = c.tx.try_send(f.clone());
                }
            }
            self.drop_slow();
        }
    }
}
