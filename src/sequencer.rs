//! A room's ordering and durability pipeline, without I/O: the server's room actor drives it
//! with real storage and sockets, the deterministic simulator (`sim/`) with simulated ones, so
//! both run exactly this logic.
//!
//! Ops are applied to the [`Authority`] as they arrive (so each validates against the latest
//! state) and wait, numbered, for the log. At most one batch is written at a time; what arrives
//! meanwhile goes into the next one, so batches grow with load (group commit) while a lone op is
//! written at once. A batch becomes *durable* when its writer says so ([`Sequencer::committed`]);
//! only then are its ops released to be acknowledged and broadcast, so an acknowledged op is
//! always durable. A batch whose write failed is gone with the room: the room restarts from
//! storage and clients re-send what was never acknowledged.
//!
//! Before each batch is cut, what the ops since the last batch touched is settled with
//! [`follow::repair`](crate::follow::repair): arrows whose targets were deleted or moved by
//! someone who did not know about them, and text whose shape is gone, are brought back in step
//! by ops of the server's own ([`SERVER_CLIENT`]), sequenced like any other, so every replica
//! converges to a consistent board.
//!
//! Joiners get the ops after their `last_seq` when the recent durable ops still cover it, and
//! otherwise the whole scene ([`Catchup`]). The scene includes accepted ops that are not durable
//! yet, so such an answer is *held* until they are: had it gone out at once and the server
//! crashed before the write, the restarted room would give those sequence numbers to other ops,
//! and the joiner, rejoining with a delta from a number it should never have had, would diverge
//! without noticing (the deterministic simulator found this). While its answer is held, a
//! connection receives no broadcast: every op broadcast meanwhile is in the scene it will get.

use crate::element::{Element, ElementId};
use crate::ops::{Op, OpError};
use crate::replica::{Authority, ClientId, ClientOpId, Sequenced, Submitted};
use crate::scene::Scene;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, VecDeque};

/// The client id of the server's own ops (repairs); real clients are numbered from 1.
pub const SERVER_CLIENT: ClientId = 0;

/// Tuning of a room's pipeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SequencerConfig {
    /// Write a snapshot every this many ops.
    pub snapshot_every: u64,
    /// Durable ops kept in memory for reconnect deltas.
    pub recent_ops: usize,
    /// The most ops in one batch.
    pub max_batch: usize,
}

impl Default for SequencerConfig {
    fn default() -> Self {
        Self {
            snapshot_every: 1000,
            recent_ops: 10_000,
            max_batch: 2000,
        }
    }
}

/// A room's state as stored in a snapshot: the scene (tombstones included) and the last op
/// number applied per client, so ops re-sent after a restart are still recognised.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SnapshotState {
    /// Every element.
    pub elements: Vec<Element>,
    /// The last op number applied per client.
    pub applied: Vec<(ClientId, ClientOpId)>,
}

impl SnapshotState {
    /// The state of `authority`.
    pub fn of(authority: &Authority) -> Self {
        Self {
            elements: authority.scene().iter().cloned().collect(),
            applied: authority.applied().collect(),
        }
    }
}

/// Why stored state could not be loaded.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum LoadError {
    /// A snapshot element is invalid or repeated.
    #[error("snapshot at {seq}: {reason}")]
    Snapshot {
        /// The snapshot's sequence number.
        seq: u64,
        /// What is wrong.
        reason: String,
    },
    /// A logged op does not apply, or the log has a gap.
    #[error("log entry {seq}: {reason}")]
    Log {
        /// The entry's sequence number.
        seq: u64,
        /// What is wrong.
        reason: String,
    },
}

/// A room as loaded from storage.
#[derive(Clone, Debug, Default)]
pub struct Restored {
    /// The state after the newest snapshot and the log after it.
    pub authority: Authority,
    /// The elements the replayed log touched. Their repairs may not have been written (a crash
    /// between a batch and the one carrying its repairs), so the pipeline settles them again;
    /// at a snapshot everything was settled.
    pub unsettled: BTreeSet<ElementId>,
}

impl From<Authority> for Restored {
    fn from(authority: Authority) -> Self {
        Self {
            authority,
            unsettled: BTreeSet::new(),
        }
    }
}

/// Rebuilds a room from its newest snapshot (if any) and the logged ops after it, in order. The
/// log must continue the snapshot without gaps.
pub fn restore(
    snapshot: Option<(u64, SnapshotState)>,
    log: impl IntoIterator<Item = Sequenced>,
) -> Result<Restored, LoadError> {
    let mut unsettled = BTreeSet::new();
    let mut authority = match snapshot {
        Some((seq, state)) => {
            let mut scene = Scene::default();
            for e in state.elements {
                // Tombstones written before they were stripped lose their content here.
                scene
                    .insert(e.stripped())
                    .map_err(|e| LoadError::Snapshot {
                        seq,
                        reason: e.to_string(),
                    })?;
            }
            Authority::restore(scene, seq, state.applied)
        }
        None => Authority::default(),
    };
    for s in log {
        if s.seq <= authority.seq() {
            continue; // covered by the snapshot
        }
        if s.seq != authority.seq() + 1 {
            return Err(LoadError::Log {
                seq: s.seq,
                reason: format!("expected {}", authority.seq() + 1),
            });
        }
        authority.replay(&s).map_err(|e| LoadError::Log {
            seq: s.seq,
            reason: e.to_string(),
        })?;
        unsettled.insert(s.op.element_id());
    }
    Ok(Restored {
        authority,
        unsettled,
    })
}

/// Ops on their way to storage, with a snapshot at their end when one is due.
#[derive(Clone, Debug)]
pub struct Batch<T> {
    /// The ops in sequence order, each with its sender's tag.
    pub entries: Vec<(Sequenced, T)>,
    /// The room's state after the last entry, when a snapshot is due.
    pub snapshot: Option<(u64, SnapshotState)>,
}

/// What a joining client needs to catch up.
#[derive(Clone, Debug, PartialEq)]
pub enum Catchup {
    /// The durable ops after the client's `last_seq` (possibly none).
    Delta(Vec<Sequenced>),
    /// The whole scene at `seq`, and the last op number of the client applied (0 if none).
    Full {
        /// The sequence number the scene is at.
        seq: u64,
        /// Every element, tombstones included.
        elements: Vec<Element>,
        /// The joining client's last applied op number.
        applied: ClientOpId,
    },
}

/// What became of a submitted op.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// Applied and numbered; it will be released once durable.
    Accepted(u64),
    /// Applied before (a re-send after a reconnect): nothing to do; the client's rejoin delta
    /// or snapshot carries it.
    Duplicate,
    /// Refused; the scene is unchanged.
    Refused(OpError),
}

/// What a commit releases, to be sent in this order: the held answers to joins, then the
/// acknowledgements of the ops to their senders, then the ops to every connection not catching
/// up ([`Sequencer::is_catching_up`]).
#[derive(Debug)]
pub struct Released<T, C> {
    /// Joins whose scene is now durable: `(connection, answer)`.
    pub joins: Vec<(C, Catchup)>,
    /// The ops made durable, with their senders' tags.
    pub ops: Vec<(Sequenced, T)>,
}

/// A room's ordering and durability pipeline. `T` tags each op with what the driver needs to
/// answer its sender (the server: the connection and the user); `C` names connections.
#[derive(Debug)]
pub struct Sequencer<T, C = T> {
    authority: Authority,
    config: SequencerConfig,
    /// The last durable sequence number.
    durable: u64,
    /// Durable ops, newest last, for deltas.
    recent: VecDeque<Sequenced>,
    /// Accepted, not yet handed to a writer.
    unflushed: Vec<(Sequenced, T)>,
    /// Whether a batch is being written.
    writing: bool,
    /// The sequence number of the last snapshot written (or loaded).
    last_snapshot: u64,
    /// Answers to joins waiting for their scene to be durable.
    held: Vec<(C, Catchup)>,
    /// Elements changed since the last repair.
    touched: BTreeSet<ElementId>,
    /// The tag of the server's own ops.
    own: T,
    /// How big the scene is (for quotas): live elements, and estimated bytes of every element.
    size: Size,
}

/// How big a room's scene is, kept up to date with every applied op (quotas read it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Size {
    /// Elements not deleted.
    pub live: usize,
    /// Estimated bytes of every element, tombstones included ([`Props::approx_bytes`]).
    ///
    /// [`Props::approx_bytes`]: crate::element::Props::approx_bytes
    pub bytes: usize,
}

impl Size {
    /// The size of `scene`.
    pub fn of(scene: &Scene) -> Self {
        let mut size = Self::default();
        for e in scene.iter() {
            size.add(Some(e));
        }
        size
    }

    fn add(&mut self, e: Option<&Element>) {
        if let Some(e) = e {
            self.live += usize::from(!e.props().is_deleted);
            self.bytes += e.props().approx_bytes();
        }
    }

    fn remove(&mut self, e: Option<&Element>) {
        if let Some(e) = e {
            self.live -= usize::from(!e.props().is_deleted);
            self.bytes -= e.props().approx_bytes();
        }
    }
}

impl<T: Clone, C: PartialEq> Sequencer<T, C> {
    /// A pipeline over a restored room, whose state is all durable. `own` tags the server's own
    /// ops (they have no sender to answer).
    pub fn new(room: impl Into<Restored>, config: SequencerConfig, own: T) -> Self {
        let Restored {
            authority,
            unsettled,
        } = room.into();
        let seq = authority.seq();
        let size = Size::of(authority.scene());
        Self {
            size,
            authority,
            config,
            durable: seq,
            recent: VecDeque::new(),
            unflushed: Vec::new(),
            writing: false,
            last_snapshot: seq,
            held: Vec::new(),
            touched: unsettled,
            own,
        }
    }

    /// The room's current state (accepted ops included, durable or not).
    pub fn authority(&self) -> &Authority {
        &self.authority
    }

    /// The last durable sequence number.
    pub fn durable(&self) -> u64 {
        self.durable
    }

    /// How big the scene is now.
    pub fn size(&self) -> Size {
        self.size
    }

    /// Applies `op` to the authority, keeping [`Sequencer::size`] in step.
    fn apply(
        &mut self,
        client: ClientId,
        client_op: ClientOpId,
        op: Op,
        at_ms: i64,
    ) -> Result<Submitted, OpError> {
        let id = op.element_id();
        self.size.remove(self.authority.scene().get(id));
        let result = self.authority.submit(client, client_op, op, at_ms);
        self.size.add(self.authority.scene().get(id));
        result
    }

    /// Whether accepted ops wait to be written or are being written.
    pub fn is_pending(&self) -> bool {
        self.writing || !self.unflushed.is_empty()
    }

    /// Applies `op` from `client` (tagged `tag`) at `at_ms`.
    pub fn submit(
        &mut self,
        client: ClientId,
        client_op: ClientOpId,
        op: Op,
        at_ms: i64,
        tag: T,
    ) -> Outcome {
        let id = op.element_id();
        match self.apply(client, client_op, op, at_ms) {
            Ok(Submitted::Accepted(s)) => {
                let seq = s.seq;
                self.touched.insert(id);
                self.unflushed.push((*s, tag));
                Outcome::Accepted(seq)
            }
            Ok(Submitted::Duplicate) => Outcome::Duplicate,
            Err(e) => Outcome::Refused(e),
        }
    }

    /// Sequences the server's repairs of what was touched since the last call (see the module
    /// documentation), stamped `at_ms`.
    fn repair(&mut self, at_ms: i64) {
        if self.touched.is_empty() {
            return;
        }
        // (A room restored with unsettled elements but no new op settles them with its first
        // batch, which the repairs alone may make.)
        let touched = std::mem::take(&mut self.touched);
        for op in crate::follow::repair(self.authority.scene(), &touched) {
            let client_op = self.authority.seq() + 1;
            // A repair is derived from a valid scene, so it applies; if it ever did not, the
            // board is left as it was rather than the room stopped.
            if let Ok(Submitted::Accepted(s)) = self.apply(SERVER_CLIENT, client_op, op, at_ms) {
                self.unflushed.push((*s, self.own.clone()));
            }
        }
    }

    /// The next batch to write, if none is being written and ops are waiting, after the
    /// server's repairs. The caller writes it and then calls [`Sequencer::committed`] (or drops
    /// the room if the write failed).
    pub fn next_batch(&mut self, now_ms: i64) -> Option<Batch<T>> {
        if self.writing {
            return None;
        }
        self.repair(now_ms);
        if self.unflushed.is_empty() {
            return None;
        }
        let n = self.unflushed.len().min(self.config.max_batch);
        let entries: Vec<(Sequenced, T)> = self.unflushed.drain(..n).collect();
        let last_seq = entries.last().map_or(self.durable, |(s, _)| s.seq);
        // A snapshot is only correct if the authority is exactly at the batch's end.
        let snapshot = (self.unflushed.is_empty()
            && last_seq == self.authority.seq()
            && last_seq - self.last_snapshot >= self.config.snapshot_every)
            .then(|| (last_seq, SnapshotState::of(&self.authority)));
        if snapshot.is_some() {
            self.last_snapshot = last_seq;
        }
        self.writing = true;
        Some(Batch { entries, snapshot })
    }

    /// The batch being written is durable: its ops join the recent ops for deltas, and they and
    /// the joins they made durable are released (see [`Released`] for the order to send them in).
    pub fn committed(&mut self, entries: Vec<(Sequenced, T)>) -> Released<T, C> {
        self.writing = false;
        for (s, _) in &entries {
            self.durable = s.seq;
            self.recent.push_back(s.clone());
            if self.recent.len() > self.config.recent_ops {
                self.recent.pop_front();
            }
        }
        let durable = self.durable;
        let (ready, waiting) = std::mem::take(&mut self.held)
            .into_iter()
            .partition(|(_, answer)| Self::answer_seq(answer) <= durable);
        self.held = waiting;
        Released {
            joins: ready,
            ops: entries,
        }
    }

    /// Connection `conn` of `client`, which has everything up to `last_seq` (`None`: nothing),
    /// joins: the answer to send now, or `None` when it is held until its scene is durable (it
    /// then comes out of [`Sequencer::committed`]).
    pub fn join(&mut self, conn: C, client: ClientId, last_seq: Option<u64>) -> Option<Catchup> {
        let answer = self.catch_up(client, last_seq);
        if Self::answer_seq(&answer) <= self.durable {
            return Some(answer);
        }
        self.held.push((conn, answer));
        None
    }

    /// A connection left: its held answer, if any, is dropped.
    pub fn leave(&mut self, conn: &C) {
        self.held.retain(|(c, _)| c != conn);
    }

    /// Whether `conn` waits for its held answer (broadcasts skip it meanwhile).
    pub fn is_catching_up(&self, conn: &C) -> bool {
        self.held.iter().any(|(c, _)| c == conn)
    }

    /// The sequence number an answer brings its client to.
    fn answer_seq(answer: &Catchup) -> u64 {
        match answer {
            Catchup::Delta(ops) => ops.last().map_or(0, |s| s.seq),
            Catchup::Full { seq, .. } => *seq,
        }
    }

    /// What a client that has everything up to `last_seq` (`None`: nothing) needs.
    fn catch_up(&self, client: ClientId, last_seq: Option<u64>) -> Catchup {
        let first_recent = self.recent.front().map_or(self.durable + 1, |s| s.seq);
        match last_seq {
            Some(have) if have <= self.durable && have + 1 >= first_recent => Catchup::Delta(
                self.recent
                    .iter()
                    .filter(|s| s.seq > have)
                    .cloned()
                    .collect(),
            ),
            _ => Catchup::Full {
                seq: self.authority.seq(),
                elements: self.authority.scene().iter().cloned().collect(),
                applied: self.authority.applied_for(client),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::element::{ElementId, ElementKind};
    use crate::index::FracIndex;

    fn create(n: u128) -> Op {
        Op::Create {
            element: crate::testing::element(
                n,
                ElementKind::Rectangle,
                FracIndex::between(None, None).unwrap(),
            ),
        }
    }

    fn small() -> SequencerConfig {
        SequencerConfig {
            snapshot_every: 2,
            recent_ops: 3,
            max_batch: 2,
        }
    }

    #[test]
    fn ops_are_released_only_once_their_batch_is_durable() {
        let mut s: Sequencer<&str> = Sequencer::new(Authority::default(), small(), "");
        assert_eq!(s.submit(1, 1, create(1), 0, "a"), Outcome::Accepted(1));
        let batch = s.next_batch(0).expect("a batch");
        // Arrivals during the write wait for the next batch.
        assert_eq!(s.submit(1, 2, create(2), 0, "a"), Outcome::Accepted(2));
        assert!(s.next_batch(0).is_none(), "one write at a time");
        assert_eq!(s.durable(), 0);
        let released = s.committed(batch.entries);
        assert_eq!(released.ops.len(), 1);
        assert_eq!((s.durable(), s.authority().seq()), (1, 2));
        let next = s.next_batch(0).expect("the waiting op");
        assert_eq!(next.entries[0].0.seq, 2);
    }

    #[test]
    fn a_snapshot_rides_with_the_batch_that_reaches_the_interval() {
        let mut s: Sequencer<()> = Sequencer::new(Authority::default(), small(), ());
        s.submit(1, 1, create(1), 0, ());
        s.submit(1, 2, create(2), 0, ());
        let batch = s.next_batch(0).expect("batch");
        let (seq, state) = batch.snapshot.expect("due after 2 ops");
        assert_eq!(
            (seq, state.elements.len(), state.applied),
            (2, 2, vec![(1, 2)])
        );
    }

    #[test]
    fn the_size_follows_creates_and_deletes() {
        let mut s: Sequencer<()> = Sequencer::new(Authority::default(), small(), ());
        s.submit(1, 1, create(1), 0, ());
        s.submit(1, 2, create(2), 0, ());
        let two = s.size();
        assert_eq!(two.live, 2);
        s.submit(
            1,
            3,
            Op::Delete {
                id: ElementId::from_u128(1),
            },
            0,
            (),
        );
        assert_eq!(s.size().live, 1);
        assert_eq!(s.size(), Size::of(s.authority().scene()));
    }

    #[test]
    fn duplicates_and_invalid_ops_are_not_numbered() {
        let mut s: Sequencer<()> = Sequencer::new(Authority::default(), small(), ());
        s.submit(1, 1, create(1), 0, ());
        assert_eq!(s.submit(1, 1, create(1), 0, ()), Outcome::Duplicate);
        let unknown = Op::Update {
            id: ElementId::from_u128(9),
            patch: crate::ops::Patch {
                x: Some(1.0),
                ..Default::default()
            },
        };
        assert!(matches!(
            s.submit(1, 2, unknown, 0, ()),
            Outcome::Refused(_)
        ));
        assert_eq!(s.authority().seq(), 1);
    }

    #[test]
    fn joiners_get_a_delta_while_recent_ops_cover_them_and_the_scene_otherwise() {
        let mut s: Sequencer<()> = Sequencer::new(Authority::default(), small(), ());
        for n in 1..=5 {
            s.submit(7, n as u64, create(n), 0, ());
            let b = s.next_batch(0).unwrap();
            s.committed(b.entries);
        }
        // Recent ops are 3, 4, 5.
        match s.join((), 7, Some(2)) {
            Some(Catchup::Delta(ops)) => {
                assert_eq!(ops.iter().map(|o| o.seq).collect::<Vec<_>>(), [3, 4, 5])
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(s.join((), 7, Some(5)), Some(Catchup::Delta(vec![])));
        assert!(matches!(
            s.join((), 7, Some(1)),
            Some(Catchup::Full {
                seq: 5,
                applied: 5,
                ..
            })
        ));
        assert!(matches!(s.join((), 7, None), Some(Catchup::Full { .. })));
        // Ahead of what is durable (the room restarted and lost unwritten ops): the scene.
        assert!(matches!(s.join((), 7, Some(9)), Some(Catchup::Full { .. })));
    }

    #[test]
    fn a_scene_with_ops_not_yet_durable_is_held_until_they_are() {
        let mut s: Sequencer<(), u8> = Sequencer::new(Authority::default(), small(), ());
        s.submit(1, 1, create(1), 0, ());
        assert_eq!(s.join(9, 2, None), None, "op 1 is not durable yet");
        assert!(s.is_catching_up(&9));
        // The joiner that leaves before the write loses nothing; another stays held.
        assert_eq!(s.join(8, 3, None), None);
        s.leave(&8);
        let batch = s.next_batch(0).unwrap();
        let released = s.committed(batch.entries);
        assert_eq!(released.joins.len(), 1);
        assert!(matches!(
            &released.joins[0],
            (9, Catchup::Full { seq: 1, .. })
        ));
        assert!(!s.is_catching_up(&9));
    }

    #[test]
    fn restore_replays_the_log_after_the_snapshot_and_refuses_gaps() {
        let mut s: Sequencer<()> = Sequencer::new(Authority::default(), small(), ());
        let mut log = Vec::new();
        let mut snapshot = None;
        for n in 1..=3 {
            s.submit(1, n as u64, create(n), 0, ());
            let b = s.next_batch(0).unwrap();
            snapshot = b.snapshot.or(snapshot);
            log.extend(s.committed(b.entries).ops.into_iter().map(|(op, ())| op));
        }
        let restored = restore(snapshot.clone(), log.clone()).unwrap();
        let elements = |a: &Authority| a.scene().iter().cloned().collect::<Vec<_>>();
        assert_eq!(elements(&restored.authority), elements(s.authority()));
        assert_eq!(restored.authority.applied_for(1), 3);
        assert_eq!(
            restored.unsettled.len(),
            1,
            "only the op after the snapshot is unsettled"
        );
        let gap: Vec<_> = log.iter().filter(|o| o.seq != 2).cloned().collect();
        assert!(restore(None, gap).is_err());
    }
}
