//! The real-time hub: rooms' actors and their WebSocket connections.
//!
//! Each room with connected clients has one actor task ([`room`]) that owns its scene, orders its
//! ops, writes its log and fans messages out. Each connection ([`conn`]) is one task that reads
//! its socket and drains a bounded outbound queue; the room only ever `try_send`s to that queue,
//! so a slow reader can never slow the room down. Protocol: `docs/protocol.md`.

pub mod conn;
pub mod journal;
pub mod room;
pub mod store;

use app::ssr::db::{Db, DbError};
use room::{Command, RoomConfig};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// Tuning of the hub.
#[derive(Clone, Copy, Debug)]
pub struct HubConfig {
    /// The most WebSocket connections served at once; more are refused with 503.
    pub max_connections: usize,
    /// Messages queued per connection before it counts as too slow and is closed.
    pub outbound_queue: usize,
    /// How often the server pings; a connection silent for two intervals is closed.
    pub heartbeat: Duration,
    /// Room tuning.
    pub room: RoomConfig,
}

impl Default for HubConfig {
    fn default() -> Self {
        Self {
            max_connections: 20_000,
            outbound_queue: 1024,
            heartbeat: Duration::from_secs(15),
            room: RoomConfig::default(),
        }
    }
}

/// The registry of live rooms.
#[derive(Debug)]
pub struct Hub {
    db: Db,
    journal: journal::Journal,
    config: HubConfig,
    rooms: Mutex<HashMap<String, mpsc::Sender<Command>>>,
    next_conn: AtomicU64,
    slots: Arc<Semaphore>,
    cancel: CancellationToken,
    tasks: TaskTracker,
}

impl Hub {
    /// A hub storing rooms in `db`.
    pub fn new(db: Db, config: HubConfig) -> Arc<Self> {
        Arc::new(Self {
            journal: journal::Journal::start(db.clone()),
            db,
            config,
            rooms: Mutex::new(HashMap::new()),
            next_conn: AtomicU64::new(1),
            slots: Arc::new(Semaphore::new(config.max_connections)),
            cancel: CancellationToken::new(),
            tasks: TaskTracker::new(),
        })
    }

    /// The hub's settings.
    pub fn config(&self) -> &HubConfig {
        &self.config
    }

    /// The channel of the room `room_id`'s actor, starting the actor (which loads the room from
    /// its snapshot and log) if it is not running.
    pub fn room(&self, room_id: &str) -> mpsc::Sender<Command> {
        let mut rooms = self
            .rooms
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(tx) = rooms.get(room_id).filter(|tx| !tx.is_closed()) {
            return tx.clone();
        }
        let (tx, rx) = mpsc::channel(4096);
        let (db, journal, id, config, cancel) = (
            self.db.clone(),
            self.journal.clone(),
            room_id.to_owned(),
            self.config.room,
            self.cancel.child_token(),
        );
        self.tasks.spawn(async move {
            if let Err(e) = room::run(id.clone(), db, journal, config, rx, cancel).await {
                tracing::error!(room = %id, error = %e, "room stopped");
            }
        });
        rooms.insert(room_id.to_owned(), tx.clone());
        tx
    }

    /// The current scene of the room `room_id`: a copy from its actor if the room is live (so
    /// it includes what was just accepted), otherwise loaded from the room's snapshot and log
    /// without starting an actor (an export should not keep a room in memory).
    pub async fn scene(&self, room_id: &str) -> Result<inkroom_core::scene::Scene, DbError> {
        let live = {
            let rooms = self
                .rooms
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            rooms.get(room_id).filter(|tx| !tx.is_closed()).cloned()
        };
        if let Some(tx) = live {
            let (reply, answer) = tokio::sync::oneshot::channel();
            if tx.send(Command::Scene { reply }).await.is_ok()
                && let Ok(scene) = answer.await
            {
                return Ok(scene);
            }
            // The actor stopped meanwhile (idle or shutting down); it flushed its log first.
        }
        Ok(store::load(&self.db, room_id).await?.into_scene())
    }

    /// A connection slot, or `None` when the hub is full.
    pub fn try_connect(&self) -> Option<OwnedSemaphorePermit> {
        self.slots.clone().try_acquire_owned().ok()
    }

    /// A fresh connection id.
    pub fn next_conn_id(&self) -> u64 {
        self.next_conn.fetch_add(1, Ordering::Relaxed)
    }

    /// Fires when the hub shuts down.
    pub fn cancelled(&self) -> CancellationToken {
        self.cancel.child_token()
    }

    /// The hub's own shutdown token (a clone, not a child: connections never need cancelling
    /// one by one, and a child token costs an allocation and a registration per connection).
    pub fn shutdown_token(&self) -> CancellationToken {
        self.cancel.clone()
    }

    /// Starts shutting down: every connection closes and every room flushes and stops.
    pub fn begin_shutdown(&self) {
        self.cancel.cancel();
    }

    /// Closes every connection and waits until every room has written its pending ops.
    pub async fn shutdown(&self) {
        self.cancel.cancel();
        self.tasks.close();
        self.tasks.wait().await;
    }
}
