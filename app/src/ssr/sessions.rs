//! A tower-sessions store on our own database (SQLite or PostgreSQL through sqlx `Any`).
//!
//! The published SQL stores are per-engine; this one works on both with the same queries, so
//! sessions survive restarts and are shared by every server process using the database.

use super::db::{Db, now_ms};
use async_trait::async_trait;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};

/// Sessions in the `sessions` table: the record as JSON, and its expiry for cleanup.
#[derive(Clone, Debug)]
pub struct SqlSessionStore {
    db: Db,
}

impl SqlSessionStore {
    /// A store on `db` (the `sessions` table comes from the migrations).
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

fn backend(e: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

fn expiry_ms(record: &Record) -> i64 {
    (record.expiry_date.unix_timestamp_nanos() / 1_000_000) as i64
}

impl SqlSessionStore {
    /// Inserts the record; on an id clash does `on_conflict` (an `ON CONFLICT (id) DO …` action).
    /// Returns the rows written.
    async fn write(&self, record: &Record, on_conflict: &str) -> session_store::Result<u64> {
        let data = serde_json::to_string(&record).map_err(backend)?;
        let done = sqlx::query(&format!(
            "INSERT INTO sessions (id, data, expiry) VALUES ($1, $2, $3) ON CONFLICT (id) DO {on_conflict}"
        ))
        .bind(record.id.to_string())
        .bind(data)
        .bind(expiry_ms(record))
        .execute(self.db.pool())
        .await
        .map_err(backend)?;
        Ok(done.rows_affected())
    }
}

#[async_trait]
impl SessionStore for SqlSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // Ids are random 128-bit values; on the astronomically unlikely collision, draw again.
        while self.write(record, "NOTHING").await? != 1 {
            record.id = Id::default();
        }
        Ok(())
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.write(
            record,
            "UPDATE SET data = excluded.data, expiry = excluded.expiry",
        )
        .await
        .map(|_| ())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT data FROM sessions WHERE id = $1 AND expiry > $2")
                .bind(id.to_string())
                .bind(now_ms())
                .fetch_optional(self.db.pool())
                .await
                .map_err(backend)?;
        row.map(|(data,)| serde_json::from_str(&data).map_err(backend))
            .transpose()
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id = $1")
            .bind(id.to_string())
            .execute(self.db.pool())
            .await
            .map_err(backend)?;
        Ok(())
    }
}

#[async_trait]
impl ExpiredDeletion for SqlSessionStore {
    async fn delete_expired(&self) -> session_store::Result<()> {
        sqlx::query("DELETE FROM sessions WHERE expiry <= $1")
            .bind(now_ms())
            .execute(self.db.pool())
            .await
            .map_err(backend)?;
        Ok(())
    }
}
