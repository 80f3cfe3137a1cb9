//! # Inkroom's deterministic simulator
//!
//! One seed drives a whole room: a simulated server running the core's real
//! [`Sequencer`](inkroom_core::sequencer::Sequencer) over a simulated store, and several simulated
//! users running the real [`Editor`](inkroom_core::editor::Editor) (replica, undo history, tools)
//! and the browser's connection logic. The network delivers each connection's messages in order
//! (a WebSocket is one TCP stream) but at random moments, so users' messages interleave
//! arbitrarily; connections drop (losing what was in flight both ways) while users keep editing
//! offline; the server crashes before a write commits, between the commit and the
//! acknowledgements, and between the acknowledgements and the broadcast, and restarts from its
//! store; re-sent ops after a reconnect are duplicates the server must recognise.
//!
//! After the faults, everything heals (everyone reconnects, every message is delivered, every
//! write commits) and the invariants are checked ([`invariants`]). The approach is
//! FoundationDB's and TigerBeetle's: no threads, no clock, no I/O, so a failing seed replays
//! exactly, and seeds that once failed are kept as regression tests (`tests/regressions.rs`).
//!
//! - [`rng`]: the deterministic generator.
//! - [`server`]: the simulated server and store.
//! - [`client`]: the simulated users.
//! - [`invariants`]: what must hold after every run.

pub mod brief;
pub mod client;
pub mod invariants;
pub mod rng;
pub mod server;

use client::Client;
use inkroom_core::protocol::{ClientMessage, ServerMessage};
use inkroom_core::sequencer::SequencerConfig;
use rng::Rng;
use server::{ConnId, CrashPoint, Server};
use std::collections::VecDeque;

/// How hard a run shakes the room.
#[derive(Clone, Copy, Debug)]
pub struct SimConfig {
    /// Users.
    pub clients: usize,
    /// Random steps before healing.
    pub steps: usize,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            clients: 3,
            steps: 300,
        }
    }
}

/// What a run did, for the report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Ops in the final log.
    pub ops: u64,
    /// Server crashes.
    pub crashes: u64,
    /// Dropped connections.
    pub disconnects: u64,
    /// Acknowledgements received.
    pub acks: u64,
}

/// A run that broke an invariant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// The seed that reproduces it.
    pub seed: u64,
    /// What broke.
    pub reason: String,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "seed {} failed: {}\n  reproduce: cargo run -p inkroom-sim --release -- --seed {}",
            self.seed, self.reason, self.seed
        )
    }
}

/// One connection: what travels each way, in order.
#[derive(Debug)]
struct Link {
    conn: ConnId,
    client: usize,
    up: VecDeque<ClientMessage>,
    down: VecDeque<ServerMessage>,
}

/// The simulated world.
struct World {
    rng: Rng,
    server: Server,
    clients: Vec<Client>,
    links: Vec<Link>,
    next_conn: ConnId,
    now_ms: i64,
    stats: Stats,
    /// Prints every event (`INKROOM_SIM_TRACE=1`), to read how a failing seed failed.
    trace: bool,
}

macro_rules! trace {
    ($world:expr, $($arg:tt)*) => {
        if $world.trace {
            eprintln!($($arg)*);
        }
    };
}

impl World {
    fn new(seed: u64, config: &SimConfig) -> Self {
        let mut rng = Rng::new(seed);
        // Small snapshot and delta windows, so that snapshots, full resyncs and deltas all happen.
        let sequencer = SequencerConfig {
            snapshot_every: 1 + rng.below(12) as u64,
            recent_ops: 1 + rng.below(20),
            max_batch: 1 + rng.below(8),
        };
        let clients = (0..config.clients)
            .map(|i| Client::new(1 + i as u64 * 1000 + rng.below(1000) as u64))
            .collect();
        Self {
            rng,
            server: Server::new(sequencer),
            clients,
            links: Vec::new(),
            next_conn: 1,
            now_ms: 1_000_000,
            stats: Stats::default(),
            trace: std::env::var_os("INKROOM_SIM_TRACE").is_some(),
        }
    }

    fn link_of(&self, client: usize) -> Option<usize> {
        let conn = self.clients[client].conn?;
        self.links.iter().position(|l| l.conn == conn)
    }

    /// Opens a connection for `client` (its join and re-sent ops go out first).
    fn connect(&mut self, client: usize) {
        if self.clients[client].conn.is_some() || !self.server.is_up() {
            return;
        }
        let conn = self.next_conn;
        self.next_conn += 1;
        self.clients[client].conn = Some(conn);
        let up: VecDeque<ClientMessage> = self.clients[client].on_open().into();
        trace!(
            self,
            "client {client} connects as {conn}: {:?}",
            up.iter().map(brief::up).collect::<Vec<_>>()
        );
        self.links.push(Link {
            conn,
            client,
            up,
            down: VecDeque::new(),
        });
    }

    /// Drops `client`'s connection; what was in flight either way is lost.
    fn disconnect(&mut self, client: usize) {
        if let Some(i) = self.link_of(client) {
            let link = self.links.remove(i);
            trace!(
                self,
                "client {client} disconnects ({} up, {} down lost)",
                link.up.len(),
                link.down.len()
            );
            self.server.disconnect(link.conn);
            self.stats.disconnects += 1;
        }
        self.clients[client].conn = None;
    }

    fn route(&mut self, out: server::Outbox) {
        for (conn, msg) in out {
            if let Some(link) = self.links.iter_mut().find(|l| l.conn == conn) {
                link.down.push_back(msg);
            }
        }
    }

    /// Moves `client`'s new ops onto its connection.
    fn flush(&mut self, client: usize) {
        let msgs = self.clients[client].take_messages();
        if let Some(i) = self.link_of(client) {
            self.links[i].up.extend(msgs);
        }
    }

    /// Delivers the next message on link `i`, one way or the other.
    fn deliver(&mut self, i: usize, upward: bool) {
        let (conn, client) = (self.links[i].conn, self.links[i].client);
        if upward {
            let Some(msg) = self.links[i].up.pop_front() else {
                return;
            };
            let id = self.clients[client].id;
            trace!(self, "server <- {conn}: {}", brief::up(&msg));
            let out = self.server.receive(conn, id, msg, self.now_ms);
            self.route(out);
        } else {
            let Some(msg) = self.links[i].down.pop_front() else {
                return;
            };
            if matches!(msg, ServerMessage::Ack { .. }) {
                self.stats.acks += 1;
            }
            trace!(self, "client {client} <- {}", brief::down(&msg));
            if !self.clients[client].receive(msg) {
                // A gap or a divergence: the browser drops the socket and rejoins.
                self.disconnect(client);
                self.connect(client);
            }
        }
    }

    fn crash(&mut self) {
        let point = *self.rng.pick(&[
            CrashPoint::BeforeCommit,
            CrashPoint::AfterCommit,
            CrashPoint::AfterAcks,
        ]);
        trace!(self, "server crashes {point:?}");
        let last = self.server.crash(point);
        self.route(last);
        self.stats.crashes += 1;
        // Every socket closes with the process: what clients sent is lost, and of what was
        // already on its way to them, some leading part still arrives.
        let links: Vec<Link> = std::mem::take(&mut self.links);
        for link in links {
            let client = link.client;
            let arrives = self.rng.below(link.down.len() + 1);
            for msg in link.down.into_iter().take(arrives) {
                if !self.clients[client].receive(msg) {
                    break;
                }
            }
            self.clients[client].conn = None;
        }
    }

    /// With tracing on: every client's view of an element without pending ops equals its
    /// confirmed copy (the replica's own invariant), checked after every step.
    fn check_views(&self) {
        for (i, c) in self.clients.iter().enumerate() {
            let r = c.editor.replica();
            let pending: std::collections::BTreeSet<_> =
                r.pending().map(|(_, op)| op.element_id()).collect();
            for e in r.view().iter() {
                if !pending.contains(&e.id) && r.confirmed().get(e.id) != Some(e) {
                    eprintln!("client {i}: view of {} differs from confirmed", e.id);
                }
            }
        }
    }

    /// One random step.
    fn step(&mut self) {
        if self.trace {
            self.check_views();
        }
        self.now_ms += self.rng.below(50) as i64;
        let roll = self.rng.below(1000);
        match roll {
            0..=299 => {
                let c = self.rng.below(self.clients.len());
                let now = self.now_ms;
                self.clients[c].act(&mut self.rng, now);
                trace!(
                    self,
                    "client {c} acts; pending: {:?}",
                    self.clients[c]
                        .editor
                        .replica()
                        .pending()
                        .map(|(n, o)| format!("#{n} {}", brief::op(o)))
                        .collect::<Vec<_>>()
                );
                self.flush(c);
            }
            300..=699 if !self.links.is_empty() => {
                let i = self.rng.below(self.links.len());
                let upward = self.rng.chance(0.5);
                self.deliver(i, upward);
            }
            700..=849 => {
                let hold = self.rng.chance(0.2);
                trace!(self, "server completes a write");
                let out = self.server.complete_write(hold);
                self.route(out);
            }
            850..=879 => {
                let out = self.server.broadcast();
                self.route(out);
            }
            880..=939 => {
                let c = self.rng.below(self.clients.len());
                self.connect(c);
            }
            940..=979 => {
                let c = self.rng.below(self.clients.len());
                self.disconnect(c);
            }
            980..=989 => {
                if self.server.is_up() {
                    self.crash();
                } else {
                    trace!(self, "server starts");
                    self.server.start();
                }
            }
            _ => {
                if !self.server.is_up() {
                    self.server.start();
                }
            }
        }
    }

    /// Ends the faults: the server runs, everyone connects, every message is delivered and
    /// every write commits, until nothing moves.
    fn heal(&mut self) -> Result<(), String> {
        if !self.server.is_up() {
            self.server.start();
        }
        for round in 0.. {
            if round > 10_000 {
                return Err("the room never settled".into());
            }
            for c in 0..self.clients.len() {
                self.connect(c);
                self.flush(c);
            }
            let mut moved = false;
            for i in 0..self.links.len() {
                while !self.links[i].up.is_empty() {
                    self.deliver(i, true);
                    moved = true;
                }
            }
            if self.server.is_busy() {
                let out = self.server.complete_write(false);
                self.route(out);
                moved = true;
            }
            let mut i = 0;
            while i < self.links.len() {
                if !self.links[i].down.is_empty() {
                    self.deliver(i, false);
                    moved = true;
                    continue; // a resync may have replaced the link
                }
                i += 1;
            }
            if !moved {
                return Ok(());
            }
        }
        Ok(())
    }
}

/// Runs the simulation for `seed`.
pub fn run(seed: u64, config: &SimConfig) -> Result<Stats, Failure> {
    let fail = |reason: String| Failure { seed, reason };
    let mut world = World::new(seed, config);
    for _ in 0..config.steps {
        world.step();
    }
    world.heal().map_err(fail)?;
    invariants::check(&world.server, &world.clients).map_err(fail)?;
    world.stats.ops = world.server.store.log.len() as u64;
    Ok(world.stats)
}
