//! The simulated server: the core's [`Sequencer`] (the same ordering and durability logic the
//! real room actor drives) over a simulated store that keeps exactly what was committed, and a
//! process that can crash at any point and restart from that store.
//!
//! The glue mirrors the room actor (`server/src/hub/room/`): a join gets a delta or the whole
//! scene, ops are submitted and refused with `rejected`, and a committed batch is acknowledged
//! to its senders' connections and broadcast to everyone. The actor sends acknowledgements and
//! the broadcast of a batch together, after the commit; the simulator can crash between the
//! commit and the acknowledgements, and between the acknowledgements and the broadcast.

use inkroom_core::protocol::{ClientMessage, ErrorCode, Participant, ServerMessage};
use inkroom_core::replica::{ClientId, Sequenced};
use inkroom_core::sequencer::{
    self, Batch, Catchup, Outcome, Sequencer, SequencerConfig, SnapshotState,
};
use std::collections::BTreeMap;

/// Identifies one connection (a client gets a new one each time it reconnects).
pub type ConnId = u64;

/// What is on disk: every committed op and the newest snapshot.
#[derive(Clone, Debug, Default)]
pub struct Store {
    /// Committed ops in sequence order.
    pub log: Vec<Sequenced>,
    /// The newest snapshot.
    pub snapshot: Option<(u64, SnapshotState)>,
}

impl Store {
    /// Commits a batch: its ops and its snapshot, atomically.
    fn commit(&mut self, batch: &Batch<ConnId>) {
        self.log
            .extend(batch.entries.iter().map(|(s, _)| s.clone()));
        if let Some(snapshot) = &batch.snapshot {
            self.snapshot = Some(snapshot.clone());
        }
    }
}

/// The running process's memory (lost in a crash).
#[derive(Debug)]
struct Process {
    seq: Sequencer<ConnId>,
    /// The batch being written.
    writing: Option<Batch<ConnId>>,
    /// Connections: which client each belongs to.
    conns: BTreeMap<ConnId, ClientId>,
    /// Committed ops whose acknowledgements are sent but whose broadcast is not.
    unbroadcast: Vec<Sequenced>,
}

/// Where a crash may happen relative to the write of a batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CrashPoint {
    /// Before the batch being written is committed: it is lost (it was never acknowledged).
    BeforeCommit,
    /// After the commit, before the acknowledgements went out.
    AfterCommit,
    /// After the acknowledgements, before the broadcast.
    AfterAcks,
}

/// The simulated server.
#[derive(Debug)]
pub struct Server {
    /// What survives crashes.
    pub store: Store,
    config: SequencerConfig,
    process: Option<Process>,
    /// The time of the last message, for the server's own ops.
    now_ms: i64,
}

/// Messages the server sends, to connections.
pub type Outbox = Vec<(ConnId, ServerMessage)>;

fn participant() -> Participant {
    Participant {
        user_id: "sim".into(),
        name: "Sim".into(),
        color: "#000000".into(),
        role: "editor".into(),
    }
}

impl Server {
    /// A server with an empty room.
    pub fn new(config: SequencerConfig) -> Self {
        let mut server = Self {
            store: Store::default(),
            config,
            process: None,
            now_ms: 0,
        };
        server.start();
        server
    }

    /// Whether the process runs.
    pub fn is_up(&self) -> bool {
        self.process.is_some()
    }

    /// Starts the process from the store, as the real room loads its snapshot and log.
    pub fn start(&mut self) {
        let restored = sequencer::restore(self.store.snapshot.clone(), self.store.log.clone())
            .expect("the store always loads");
        self.process = Some(Process {
            seq: Sequencer::new(restored, self.config, 0),
            writing: None,
            conns: BTreeMap::new(),
            unbroadcast: Vec::new(),
        });
    }

    /// The room's current scene and sequence number (accepted ops included).
    pub fn authority(&self) -> Option<&inkroom_core::replica::Authority> {
        self.process.as_ref().map(|p| p.seq.authority())
    }

    /// The process dies at `point`: all its memory and connections are gone. Returns the
    /// messages that still went out before it died.
    pub fn crash(&mut self, point: CrashPoint) -> Outbox {
        let mut out = Vec::new();
        if let Some(p) = &mut self.process
            && let Some(batch) = p.writing.take()
        {
            if point != CrashPoint::BeforeCommit {
                self.store.commit(&batch);
            }
            if point == CrashPoint::AfterAcks {
                for (s, conn) in &batch.entries {
                    if p.conns.contains_key(conn) {
                        out.push((
                            *conn,
                            ServerMessage::Ack {
                                client_op: s.client_op,
                                seq: s.seq,
                            },
                        ));
                    }
                }
            }
        }
        self.process = None;
        out
    }

    /// A connection closed.
    pub fn disconnect(&mut self, conn: ConnId) {
        if let Some(p) = &mut self.process {
            p.conns.remove(&conn);
            p.seq.leave(&conn);
        }
    }

    /// Whether a write is in flight or ops wait for one.
    pub fn is_busy(&self) -> bool {
        self.process
            .as_ref()
            .is_some_and(|p| p.writing.is_some() || p.seq.is_pending() || !p.unbroadcast.is_empty())
    }

    /// Handles one message from `conn` (of client `client`).
    pub fn receive(
        &mut self,
        conn: ConnId,
        client: ClientId,
        msg: ClientMessage,
        at_ms: i64,
    ) -> Outbox {
        self.now_ms = at_ms;
        let Some(p) = &mut self.process else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let msg = match msg.into_op() {
            Ok((client_op, op)) => {
                if !p.conns.contains_key(&conn) {
                    return out;
                }
                if let Outcome::Refused(e) = p.seq.submit(client, client_op, op, at_ms, conn) {
                    out.push((
                        conn,
                        ServerMessage::Rejected {
                            client_op,
                            code: ErrorCode::InvalidOp,
                            message: e.to_string(),
                        },
                    ));
                }
                self.start_write();
                return out;
            }
            Err(msg) => msg,
        };
        if let ClientMessage::JoinRoom { last_seq, .. } = msg {
            p.conns.insert(conn, client);
            if let Some(answer) = p.seq.join(conn, client, last_seq) {
                out.push((conn, answer_message(answer)));
            }
        }
        out
    }

    /// Hands the next batch to the (simulated) writer, if it is idle.
    fn start_write(&mut self) {
        if let Some(p) = &mut self.process
            && p.writing.is_none()
        {
            p.writing = p.seq.next_batch(self.now_ms);
        }
    }

    /// The write in flight completes: the batch is committed, acknowledged and broadcast (the
    /// broadcast may be held back with `hold_broadcast`, to crash between the two).
    pub fn complete_write(&mut self, hold_broadcast: bool) -> Outbox {
        let Some(p) = &mut self.process else {
            return Vec::new();
        };
        let mut out = Vec::new();
        if let Some(batch) = p.writing.take() {
            self.store.commit(&batch);
            let released = p.seq.committed(batch.entries);
            for (conn, answer) in released.joins {
                out.push((conn, answer_message(answer)));
            }
            let released = released.ops;
            for (s, conn) in &released {
                if p.conns.contains_key(conn) {
                    out.push((
                        *conn,
                        ServerMessage::Ack {
                            client_op: s.client_op,
                            seq: s.seq,
                        },
                    ));
                }
            }
            p.unbroadcast.extend(released.into_iter().map(|(s, _)| s));
        }
        if !hold_broadcast {
            out.extend(self.broadcast());
        }
        self.start_write();
        out
    }

    /// Sends the held broadcast.
    pub fn broadcast(&mut self) -> Outbox {
        let Some(p) = &mut self.process else {
            return Vec::new();
        };
        if p.unbroadcast.is_empty() {
            return Vec::new();
        }
        let ops = std::mem::take(&mut p.unbroadcast);
        p.conns
            .keys()
            .filter(|c| !p.seq.is_catching_up(c))
            .map(|c| (*c, ServerMessage::Ops { ops: ops.clone() }))
            .collect()
    }
}

/// The message that answers a join.
fn answer_message(answer: Catchup) -> ServerMessage {
    match answer {
        Catchup::Delta(ops) => ServerMessage::Ops { ops },
        Catchup::Full {
            seq,
            elements,
            applied,
        } => ServerMessage::RoomState {
            seq,
            elements,
            participants: vec![participant()],
            you: participant(),
            applied,
        },
    }
}
