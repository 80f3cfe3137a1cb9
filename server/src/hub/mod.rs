//! The real-time hub: rooms' actors and their WebSocket connections.
//!
//! Each room with connected clients has one actor task ([`room`]) that owns its scene, orders its
//! ops, writes its log and fans messages out. Each connection ([`conn`]) is one task that reads
//! its socket and drains a bounded outbound queue; the room only ever `try_send`s to that queue,
//! so a slow reader can never slow the room down. Protocol: `docs/protocol.md`.

pub mod bus;
pub mod conn;
pub mod journal;
pub mod rate;
pub mod room;
pub mod store;

use app::ssr::db::{Db, DbError};
use app::ssr::tokens::ClientIds;
use room::{Command, RoomConfig};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc, watch};
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
    /// Scene changes one connection may send (beyond it, its socket is read more slowly).
    pub ops: rate::Rate,
    /// Chat messages one connection may post (beyond it, `rate_limited`).
    pub chat: rate::Rate,
    /// Presence messages (cursors, viewports, activity, follows, counts, history pages) one
    /// connection may send (beyond it, dropped: the next one supersedes them).
    pub presence: rate::Rate,
    /// Ops of each room kept replayable behind its newest snapshot (older ones are pruned).
    pub history_ops: u64,
    /// Room tuning.
    pub room: RoomConfig,
}

impl Default for HubConfig {
    fn default() -> Self {
        Self {
            max_connections: 20_000,
            outbound_queue: 1024,
            ops: rate::Rate {
                per_second: 200.0,
                burst: 2000.0,
            },
            chat: rate::Rate {
                per_second: 0.5,
                burst: 10.0,
            },
            presence: rate::Rate {
                per_second: 60.0,
                burst: 240.0,
            },
            heartbeat: Duration::from_secs(15),
            history_ops: 10_000,
            room: RoomConfig::default(),
        }
    }
}

/// The hub-wide signal every connection waits on besides its socket and its queue: a beat every
/// [`HubConfig::heartbeat`] (ping the client, close it if it has been silent too long), or the stop
/// at shutdown. One timer serves the whole process: a timer per connection cost each one a boxed
/// timer entry and a second waiter, several hundred bytes of an idle connection's memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pulse {
    /// The n-th heartbeat.
    Beat(u64),
    /// The hub is shutting down: close.
    Stop,
}

/// The registry of live rooms.
#[derive(Debug)]
pub struct Hub {
    db: Db,
    client_ids: ClientIds,
    journal: journal::Journal,
    config: HubConfig,
    rooms: Mutex<HashMap<String, mpsc::Sender<Command>>>,
    next_conn: AtomicU64,
    slots: Arc<Semaphore>,
    cancel: CancellationToken,
    tasks: TaskTracker,
    pulse: watch::Sender<Pulse>,
}

impl Hub {
    /// A hub storing rooms in `db`. Starts the heartbeat task, so it must be called within a
    /// Tokio runtime.
    pub fn new(db: Db, config: HubConfig, client_ids: ClientIds) -> Arc<Self> {
        let (pulse, _) = watch::channel(Pulse::Beat(0));
        let cancel = CancellationToken::new();
        let (beats, stop) = (pulse.clone(), cancel.clone());
        tokio::spawn(async move {
            let mut every = tokio::time::interval(config.heartbeat);
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            every.tick().await; // the first tick is immediate
            loop {
                tokio::select! {
                    _ = every.tick() => {
                        // Never overwrites the stop.
                        beats.send_if_modified(|p| match p {
                            Pulse::Beat(n) => {
                                *n += 1;
                                true
                            }
                            Pulse::Stop => false,
                        });
                    }
                    () = stop.cancelled() => break,
                }
            }
        });
        Arc::new(Self {
            journal: journal::Journal::start(db.clone(), config.history_ops),
            db,
            client_ids,
            config,
            rooms: Mutex::new(HashMap::new()),
            next_conn: AtomicU64::new(1),
            slots: Arc::new(Semaphore::new(config.max_connections)),
            cancel,
            tasks: TaskTracker::new(),
            pulse,
        })
    }

    /// The server's id for the ops of `user_id`'s client `claimed` (see [`ClientIds`]).
    pub fn client_id(&self, user_id: &str, claimed: u64) -> u64 {
        self.client_ids.derive(user_id, claimed)
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
        let me = tx.downgrade();
        let (db, journal, id, config, cancel) = (
            self.db.clone(),
            self.journal.clone(),
            room_id.to_owned(),
            self.config.room,
            self.cancel.child_token(),
        );
        self.tasks.spawn(async move {
            if let Err(e) = room::run(id.clone(), db, journal, config, (me, rx), cancel).await {
                tracing::error!(room = %id, error = %e, "room stopped");
            }
        });
        rooms.insert(room_id.to_owned(), tx.clone());
        tx
    }

    /// The live actor of `room_id`, if any (without starting one).
    fn live(&self, room_id: &str) -> Option<mpsc::Sender<Command>> {
        let rooms = self
            .rooms
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        rooms.get(room_id).filter(|tx| !tx.is_closed()).cloned()
    }

    /// `user_id`'s access to `room_id` changed (`None`: possibly everyone's): the room, if live
    /// in this process, looks it up again and updates or closes the affected sockets.
    pub fn access_changed(&self, room_id: &str, user_id: Option<&str>) {
        let Some(tx) = self.live(room_id) else {
            return; // nobody is connected to it here
        };
        let cmd = Command::Recheck {
            user_id: user_id.map(str::to_owned),
        };
        if let Err(mpsc::error::TrySendError::Full(cmd)) = tx.try_send(cmd) {
            tokio::spawn(async move {
                let _ = tx.send(cmd).await;
            });
        }
    }

    /// The current scene of the room `room_id`: a copy from its actor if the room is live (so
    /// it includes what was just accepted), otherwise loaded from the room's snapshot and log
    /// without starting an actor (an export should not keep a room in memory).
    pub async fn scene(&self, room_id: &str) -> Result<inkroom_core::scene::Scene, DbError> {
        if let Some(tx) = self.live(room_id) {
            let (reply, answer) = tokio::sync::oneshot::channel();
            if tx.send(Command::Scene { reply }).await.is_ok()
                && let Ok(scene) = answer.await
            {
                return Ok(scene);
            }
            // The actor stopped meanwhile (idle or shutting down); it flushed its log first.
        }
        Ok(store::load(&self.db, room_id).await?.authority.into_scene())
    }

    /// The hub's storage.
    pub fn db(&self) -> &Db {
        &self.db
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

    /// The heartbeat and shutdown signal for a connection (see [`Pulse`]). The current value
    /// counts as seen; a connection that subscribes during shutdown sees [`Pulse::Stop`] in it.
    pub fn pulse(&self) -> watch::Receiver<Pulse> {
        self.pulse.subscribe()
    }

    /// Starts shutting down: every connection closes and every room flushes and stops.
    pub fn begin_shutdown(&self) {
        self.pulse.send_replace(Pulse::Stop);
        self.cancel.cancel();
    }

    /// Closes every connection and waits until every room has written its pending ops.
    pub async fn shutdown(&self) {
        self.begin_shutdown();
        self.tasks.close();
        self.tasks.wait().await;
    }
}
