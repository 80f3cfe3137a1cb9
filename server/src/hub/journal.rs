//! The journal: one writer task for the whole process that commits every room's pending ops
//! together.
//!
//! Each room keeps at most one write in flight and batches what arrives meanwhile (per-room group
//! commit). With many busy rooms that still meant one transaction per room per round trip, and
//! on SQLite, which has a single writer, those transactions queued behind each other's fsyncs.
//! The journal takes every request that is waiting when it finishes a commit and writes them all
//! in one transaction with multi-row inserts, so the number of commits per second stays flat
//! while the ops per commit grow with load. A room is answered only once its ops are durable.

use super::store::{self, LogEntry, Snapshot, StoreResult};
use app::ssr::db::{Db, DbError};
use tokio::sync::{mpsc, oneshot};

/// Ops per transaction, at most: a bound on how long one commit holds the write lock.
const MAX_OPS_PER_COMMIT: usize = 20_000;

/// One room's batch.
pub struct Request {
    /// The room.
    pub room_id: String,
    /// Its ops, in sequence order.
    pub entries: Vec<LogEntry>,
    /// A snapshot at the batch's end, if one is due.
    pub snapshot: Option<Snapshot>,
    done: oneshot::Sender<StoreResult<()>>,
}

/// A handle to the writer task (cheap to clone).
#[derive(Clone, Debug)]
pub struct Journal {
    tx: mpsc::UnboundedSender<Request>,
}

impl Journal {
    /// Starts the writer, which keeps the last `history_ops` ops of each room replayable (see
    /// `store::append_many`). It stops when the last handle is dropped.
    pub fn start(db: Db, history_ops: u64) -> Self {
        // Unbounded is safe here: each room has at most one request outstanding.
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(writer(db, rx, history_ops));
        Self { tx }
    }

    /// Appends a room's ops (and snapshot); returns once they are committed.
    pub async fn append(
        &self,
        room_id: String,
        entries: Vec<LogEntry>,
        snapshot: Option<Snapshot>,
    ) -> StoreResult<()> {
        let (done, rx) = oneshot::channel();
        self.tx
            .send(Request {
                room_id,
                entries,
                snapshot,
                done,
            })
            .map_err(|_| DbError::Sqlx(sqlx::Error::PoolClosed))?;
        rx.await
            .unwrap_or(Err(DbError::Sqlx(sqlx::Error::WorkerCrashed)))
    }
}

async fn writer(db: Db, mut rx: mpsc::UnboundedReceiver<Request>, history_ops: u64) {
    while let Some(first) = rx.recv().await {
        let mut ops = first.entries.len();
        let mut batch = vec![first];
        while ops < MAX_OPS_PER_COMMIT {
            match rx.try_recv() {
                Ok(r) => {
                    ops += r.entries.len();
                    batch.push(r);
                }
                Err(_) => break,
            }
        }
        let parts: Vec<store::Part<'_>> = batch
            .iter()
            .map(|r| store::Part {
                room_id: &r.room_id,
                entries: &r.entries,
                snapshot: r.snapshot.as_ref(),
            })
            .collect();
        match store::append_many(&db, &parts, history_ops).await {
            Ok(()) => {
                for r in batch {
                    let _ = r.done.send(Ok(()));
                }
            }
            Err(e) if batch.len() > 1 => {
                // Do not let one room's failure fail the others: retry each on its own.
                tracing::warn!(error = %e, rooms = batch.len(), "shared commit failed; retrying per room");
                for r in batch {
                    let part = store::Part {
                        room_id: &r.room_id,
                        entries: &r.entries,
                        snapshot: r.snapshot.as_ref(),
                    };
                    let res = store::append_many(&db, &[part], history_ops).await;
                    let _ = r.done.send(res);
                }
            }
            Err(e) => {
                if let Some(r) = batch.pop() {
                    let _ = r.done.send(Err(e));
                }
            }
        }
    }
}
