//! The event log, snapshots and chat of rooms (tables from migration 3).

use app::ssr::db::{Db, DbError, now_ms};
use inkroom_core::ops::Op;
use inkroom_core::protocol::ChatMessage;
use inkroom_core::replica::Sequenced;
use inkroom_core::sequencer::{self, Restored, SnapshotState};
use sqlx::Row;

/// Client ids and op numbers are below 2^53 (they travel as JSON numbers), so they fit `BIGINT`.
fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// A storage error while loading or writing a room.
pub type StoreResult<T> = Result<T, DbError>;

fn decode_error(e: impl std::error::Error + Send + Sync + 'static) -> DbError {
    DbError::Sqlx(sqlx::Error::Decode(Box::new(e)))
}

/// Loads a room: the newest snapshot plus every event after it.
pub async fn load(db: &Db, room_id: &str) -> StoreResult<Restored> {
    let snapshot: Option<(i64, String)> = sqlx::query_as(
        "SELECT seq, state FROM room_snapshots WHERE room_id = $1 ORDER BY seq DESC LIMIT 1",
    )
    .bind(room_id)
    .fetch_optional(db.pool())
    .await?;
    let snapshot = match snapshot {
        Some((seq, state)) => Some((
            seq as u64,
            serde_json::from_str::<SnapshotState>(&state).map_err(decode_error)?,
        )),
        None => None,
    };
    let after = snapshot.as_ref().map_or(0, |(seq, _)| *seq);
    let rows = sqlx::query(
        "SELECT seq, client_id, client_op, op, at_ms FROM room_events \
         WHERE room_id = $1 AND seq > $2 ORDER BY seq",
    )
    .bind(room_id)
    .bind(to_i64(after))
    .fetch_all(db.pool())
    .await?;
    let mut log = Vec::with_capacity(rows.len());
    for row in rows {
        let op: Op =
            serde_json::from_str(row.try_get::<String, _>("op")?.as_str()).map_err(decode_error)?;
        log.push(Sequenced {
            seq: row.try_get::<i64, _>("seq")? as u64,
            op,
            client: row.try_get::<i64, _>("client_id")? as u64,
            client_op: row.try_get::<i64, _>("client_op")? as u64,
            at_ms: row.try_get("at_ms")?,
        });
    }
    sequencer::restore(snapshot, log).map_err(decode_error)
}

/// Gives the new room `room_id` its first scene: a snapshot at sequence 0, which joining loads
/// like any other (a remixed board starts with the drawing it copies). The room must have no
/// history yet.
pub async fn seed(
    db: &Db,
    room_id: &str,
    elements: Vec<inkroom_core::element::Element>,
) -> StoreResult<()> {
    let state = SnapshotState {
        elements,
        applied: Vec::new(),
    };
    let state = serde_json::to_string(&state).map_err(decode_error)?;
    sqlx::query(
        "INSERT INTO room_snapshots (room_id, seq, state, created_at) VALUES ($1, 0, $2, $3)",
    )
    .bind(room_id)
    .bind(state)
    .bind(now_ms())
    .execute(db.pool())
    .await?;
    Ok(())
}

/// One accepted op waiting to be written.
#[derive(Clone, Debug)]
pub struct LogEntry {
    /// The op as sequenced.
    pub op: Sequenced,
    /// Who sent it.
    pub user_id: String,
}

/// A snapshot to write together with a batch.
pub struct Snapshot {
    /// The sequence number it is at.
    pub seq: u64,
    /// Its serialised state.
    pub state: String,
}

/// Serialises a room's state at `seq` for a snapshot. A state that cannot be serialised (which
/// valid elements never are) is logged and skipped: the batch is still written, the older
/// snapshot and the log still hold the room, and the next snapshot is tried later.
pub fn serialize_snapshot(room_id: &str, seq: u64, state: &SnapshotState) -> Option<Snapshot> {
    match serde_json::to_string(state) {
        Ok(state) => Some(Snapshot { seq, state }),
        Err(e) => {
            tracing::error!(room = %room_id, seq, error = %e, "snapshot not serialisable; skipped");
            None
        }
    }
}

/// One room's share of a commit.
pub struct Part<'a> {
    /// The room.
    pub room_id: &'a str,
    /// Its ops, in sequence order.
    pub entries: &'a [LogEntry],
    /// A snapshot at the end of `entries`, if due.
    pub snapshot: Option<&'a Snapshot>,
}

/// Rows per multi-row `INSERT`: one statement per few dozen ops instead of one per op is what
/// makes a commit cheap. Not more: binding costs grow with the square of a statement's
/// parameters on SQLite (each bind looks its `$N` name up in a linear list; at 500 rows, 3,500
/// parameters, that lookup was 40 % of the server's CPU under write load).
const ROWS_PER_INSERT: usize = 64;

/// Forgets what a room's history no longer needs once a snapshot at `seq` is written: the last
/// `history_ops` ops before it stay replayable (with the newest snapshot at or before their start
/// as their base, for the version history), and everything older goes, events and snapshots.
/// Loading needs only the newest snapshot and the events after it.
async fn prune(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    room_id: &str,
    seq: u64,
    history_ops: u64,
) -> StoreResult<()> {
    let Some(horizon) = seq.checked_sub(history_ops) else {
        return Ok(()); // the room is younger than its history window
    };
    let (base,): (Option<i64>,) =
        sqlx::query_as("SELECT MAX(seq) FROM room_snapshots WHERE room_id = $1 AND seq <= $2")
            .bind(room_id)
            .bind(to_i64(horizon))
            .fetch_one(&mut **tx)
            .await?;
    let Some(base) = base else {
        return Ok(());
    };
    sqlx::query("DELETE FROM room_snapshots WHERE room_id = $1 AND seq < $2")
        .bind(room_id)
        .bind(base)
        .execute(&mut **tx)
        .await?;
    sqlx::query("DELETE FROM room_events WHERE room_id = $1 AND seq <= $2")
        .bind(room_id)
        .bind(base)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Appends several rooms' batches in one transaction: the group commit (see `journal`), pruning
/// what falls out of each room's `history_ops` window when a snapshot is written.
pub async fn append_many(db: &Db, parts: &[Part<'_>], history_ops: u64) -> StoreResult<()> {
    let mut tx = db.pool().begin().await?;
    let rows: Vec<(&str, &LogEntry)> = parts
        .iter()
        .flat_map(|p| p.entries.iter().map(move |e| (p.room_id, e)))
        .collect();
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let mut sql = String::from(
            "INSERT INTO room_events (room_id, seq, client_id, client_op, user_id, op, at_ms) VALUES ",
        );
        for i in 0..chunk.len() {
            let b = i * 7;
            if i > 0 {
                sql.push(',');
            }
            sql += &format!(
                "(${},${},${},${},${},${},${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5,
                b + 6,
                b + 7
            );
        }
        let mut q = sqlx::query(&sql);
        for (room_id, entry) in chunk {
            let op = serde_json::to_string(&entry.op.op).unwrap_or_default();
            q = q
                .bind(*room_id)
                .bind(to_i64(entry.op.seq))
                .bind(to_i64(entry.op.client))
                .bind(to_i64(entry.op.client_op))
                .bind(&entry.user_id)
                .bind(op)
                .bind(entry.op.at_ms);
        }
        q.execute(&mut *tx).await?;
    }
    for p in parts {
        let Some(s) = p.snapshot else { continue };
        sqlx::query(
            "INSERT INTO room_snapshots (room_id, seq, state, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(p.room_id)
        .bind(to_i64(s.seq))
        .bind(&s.state)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        prune(&mut tx, p.room_id, s.seq, history_ops).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The newest chat id of a room (0 if none).
pub async fn last_chat_id(db: &Db, room_id: &str) -> StoreResult<i64> {
    let (id,): (Option<i64>,) =
        sqlx::query_as("SELECT MAX(id) FROM chat_messages WHERE room_id = $1")
            .bind(room_id)
            .fetch_one(db.pool())
            .await?;
    Ok(id.unwrap_or(0))
}

/// Stores a chat message.
pub async fn insert_chat(db: &Db, room_id: &str, m: &ChatMessage) -> StoreResult<()> {
    sqlx::query("INSERT INTO chat_messages (room_id, id, user_id, text, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(room_id)
        .bind(m.id)
        .bind(&m.user_id)
        .bind(&m.text)
        .bind(m.at_ms)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Chat messages before `before` (exclusive), newest first.
pub async fn chat_page(
    db: &Db,
    room_id: &str,
    before: Option<i64>,
    limit: u32,
) -> StoreResult<Vec<ChatMessage>> {
    let rows = sqlx::query(
        "SELECT c.id, c.user_id, u.display_name, c.text, c.created_at FROM chat_messages c \
         JOIN users u ON u.id = c.user_id WHERE c.room_id = $1 AND c.id < $2 \
         ORDER BY c.id DESC LIMIT $3",
    )
    .bind(room_id)
    .bind(before.unwrap_or(i64::MAX))
    .bind(i64::from(limit))
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ChatMessage {
                id: r.try_get("id")?,
                user_id: r.try_get("user_id")?,
                name: r.try_get("display_name")?,
                text: r.try_get("text")?,
                at_ms: r.try_get("created_at")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(DbError::from)
}
