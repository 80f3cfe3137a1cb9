//! Replicas of a room's scene, and the server order that makes them converge.
//!
//! The server is the ordering authority ([`Authority`]): it applies each client's ops in arrival
//! order, numbers every accepted op with the room's next sequence number and broadcasts it. Every
//! [`Replica`] applies the same sequenced ops in the same order to its *confirmed* scene, so all
//! confirmed scenes are equal. On top of that, a replica shows its own not-yet-acknowledged
//! (pending) ops optimistically: its *view* of an element is the confirmed element with the
//! pending ops for it re-applied. When a remote op arrives only the elements it touches are
//! rebuilt, which keeps this cheap on 100k-element boards. Once every op is acknowledged the view
//! equals the confirmed scene, on every replica.
//!
//! Scale-out keeps one authority per room at a time; see `docs/protocol.md`.

use crate::element::ElementId;
use crate::ops::{Op, OpError, Stamp};
use crate::scene::Scene;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, VecDeque};

/// Identifies one client (a browser tab, a script) across reconnects.
pub type ClientId = u64;
/// Numbers one client's ops, increasing from 1; lets the server acknowledge and de-duplicate.
pub type ClientOpId = u64;

/// An op as the server ordered it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sequenced {
    /// The room's sequence number for this op (1, 2, 3, … without gaps).
    pub seq: u64,
    /// The op.
    pub op: Op,
    /// Which client sent it.
    pub client: ClientId,
    /// The sender's number for it.
    pub client_op: ClientOpId,
    /// When the server accepted it, Unix milliseconds.
    pub at_ms: i64,
}

impl Sequenced {
    fn stamp(&self) -> Stamp {
        // The sequence number is as good a nonce as any, and the same on every replica.
        Stamp {
            nonce: self.seq as u32,
            at_ms: self.at_ms,
        }
    }
}

/// The server side of a room: the scene every accepted op has been applied to.
#[derive(Clone, Debug, Default)]
pub struct Authority {
    scene: Scene,
    seq: u64,
    /// The highest op number applied per client, to drop ops re-sent after a reconnect.
    applied: HashMap<ClientId, ClientOpId>,
}

/// The outcome of submitting an op to the [`Authority`].
#[derive(Clone, Debug, PartialEq)]
pub enum Submitted {
    /// Applied and numbered: broadcast it (and acknowledge it to the sender). Boxed: an op
    /// carrying a whole element is a few hundred bytes, the other variant nothing.
    Accepted(Box<Sequenced>),
    /// Already applied earlier (a re-send): acknowledge, broadcast nothing.
    Duplicate,
}

impl Authority {
    /// An authority over `scene`, whose last op had number `seq` (0 for a new room).
    pub fn new(scene: Scene, seq: u64) -> Self {
        Self {
            scene,
            seq,
            applied: HashMap::new(),
        }
    }

    /// An authority restored from a snapshot: the scene at `seq` and the last op number applied
    /// per client (so ops re-sent after a server restart are still recognised).
    pub fn restore(
        scene: Scene,
        seq: u64,
        applied: impl IntoIterator<Item = (ClientId, ClientOpId)>,
    ) -> Self {
        Self {
            scene,
            seq,
            applied: applied.into_iter().collect(),
        }
    }

    /// Re-applies an op from the log while loading (it was valid when it was accepted).
    pub fn replay(&mut self, s: &Sequenced) -> Result<(), OpError> {
        self.scene.apply(&s.op, s.stamp())?;
        self.seq = s.seq;
        let last = self.applied.entry(s.client).or_default();
        *last = (*last).max(s.client_op);
        Ok(())
    }

    /// The last op number applied for `client` (0 if none).
    pub fn applied_for(&self, client: ClientId) -> ClientOpId {
        self.applied.get(&client).copied().unwrap_or(0)
    }

    /// The last op number applied per client (saved with snapshots).
    pub fn applied(&self) -> impl Iterator<Item = (ClientId, ClientOpId)> + '_ {
        self.applied.iter().map(|(c, o)| (*c, *o))
    }

    /// The current scene.
    pub fn scene(&self) -> &Scene {
        &self.scene
    }

    /// The scene, taking it out of the authority.
    pub fn into_scene(self) -> Scene {
        self.scene
    }

    /// The number of the last accepted op.
    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// Applies `op` from `client`. Invalid ops are refused (the scene is unchanged and nothing is
    /// numbered); re-sent ops are recognised by their op number and not applied twice.
    pub fn submit(
        &mut self,
        client: ClientId,
        client_op: ClientOpId,
        op: Op,
        at_ms: i64,
    ) -> Result<Submitted, OpError> {
        if self
            .applied
            .get(&client)
            .is_some_and(|&last| client_op <= last)
        {
            return Ok(Submitted::Duplicate);
        }
        let seq = self.seq + 1;
        let stamp = Stamp {
            nonce: seq as u32,
            at_ms,
        };
        // No-ops (erasing an erased shape) are numbered too: the sender gets its acknowledgement
        // and every replica applies the same sequence.
        self.scene.apply(&op, stamp)?;
        self.seq = seq;
        self.applied.insert(client, client_op);
        Ok(Submitted::Accepted(Box::new(Sequenced {
            seq,
            op,
            client,
            client_op,
            at_ms,
        })))
    }
}

/// Why a replica could not take a sequenced op.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReplicaError {
    /// Ops were missed (e.g. a dropped connection): ask the server for what follows `have`.
    #[error("missed ops after {have} (got {got}); resync needed")]
    Gap {
        /// The last op this replica has.
        have: u64,
        /// The op that arrived.
        got: u64,
    },
    /// The server's op does not apply here: the replica has diverged and must reload.
    #[error("op {0} does not apply; reload needed")]
    Diverged(u64),
}

#[derive(Clone, Debug)]
struct Pending {
    client_op: ClientOpId,
    op: Op,
    stamp: Stamp,
}

/// A client's copy of a room's scene: confirmed state plus its own pending ops.
#[derive(Clone, Debug)]
pub struct Replica {
    client: ClientId,
    confirmed: Scene,
    seq: u64,
    view: Scene,
    pending: VecDeque<Pending>,
    next_op: ClientOpId,
}

impl Replica {
    /// A replica for `client` starting from `scene` at sequence number `seq`.
    pub fn new(client: ClientId, scene: Scene, seq: u64) -> Self {
        Self {
            client,
            view: scene.clone(),
            confirmed: scene,
            seq,
            pending: VecDeque::new(),
            next_op: 1,
        }
    }

    /// What the user sees: confirmed state with pending local ops applied.
    pub fn view(&self) -> &Scene {
        &self.view
    }

    /// The state every replica agrees on, up to [`Replica::seq`].
    pub fn confirmed(&self) -> &Scene {
        &self.confirmed
    }

    /// The number of the last sequenced op applied.
    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// This replica's client id.
    pub fn client(&self) -> ClientId {
        self.client
    }

    /// Adopts the id the server files this client's ops under (its `joined` message), by which
    /// the replica recognises its own ops when they come back sequenced.
    pub fn set_client(&mut self, client: ClientId) {
        self.client = client;
    }

    /// Applies a local op optimistically and queues it for the server. Returns its op number.
    pub fn local(&mut self, op: Op, stamp: Stamp) -> Result<ClientOpId, OpError> {
        self.view.apply(&op, stamp)?;
        let client_op = self.next_op;
        self.next_op += 1;
        self.pending.push_back(Pending {
            client_op,
            op,
            stamp,
        });
        Ok(client_op)
    }

    /// Ops sent (or to send) and not yet sequenced, oldest first: re-sent after a reconnect.
    pub fn pending(&self) -> impl Iterator<Item = (ClientOpId, &Op)> {
        self.pending.iter().map(|p| (p.client_op, &p.op))
    }

    /// Takes the next sequenced op from the server.
    pub fn receive(&mut self, s: &Sequenced) -> Result<(), ReplicaError> {
        if s.seq <= self.seq {
            return Ok(()); // already have it (overlapping resync)
        }
        if s.seq != self.seq + 1 {
            return Err(ReplicaError::Gap {
                have: self.seq,
                got: s.seq,
            });
        }
        self.confirmed
            .apply(&s.op, s.stamp())
            .map_err(|_| ReplicaError::Diverged(s.seq))?;
        self.seq = s.seq;
        if s.client == self.client {
            // The server applies one client's ops in order, so ours arrive in queue order.
            while self
                .pending
                .front()
                .is_some_and(|p| p.client_op <= s.client_op)
            {
                self.pending.pop_front();
            }
        }
        self.rebuild(s.op.element_id());
        Ok(())
    }

    /// The server refused one of our ops: forget it and show the confirmed state again.
    pub fn rejected(&mut self, client_op: ClientOpId) {
        if let Some(pos) = self.pending.iter().position(|p| p.client_op == client_op) {
            let p = self.pending.remove(pos).expect("position is in range");
            self.rebuild(p.op.element_id());
        }
    }

    /// Replaces the confirmed state with a snapshot (a resync after being far behind), keeping
    /// pending ops on top. Pending ops the server had already applied are dropped when their
    /// sequenced copies arrive or, if `applied_up_to` says so, right away.
    pub fn reset(&mut self, scene: Scene, seq: u64, applied_up_to: ClientOpId) {
        self.pending.retain(|p| p.client_op > applied_up_to);
        self.confirmed = scene;
        self.seq = seq;
        self.view = self.confirmed.clone();
        for p in &self.pending {
            let _ = self.view.apply(&p.op, p.stamp);
        }
    }

    /// Recomputes the view of one element: confirmed state plus our pending ops on it.
    fn rebuild(&mut self, id: ElementId) {
        match self.confirmed.get(id) {
            Some(e) => self.view.replace(e.clone()),
            None => {
                self.view.remove(id);
            }
        }
        for p in self.pending.iter().filter(|p| p.op.element_id() == id) {
            // An op that no longer applies stays queued: the server will refuse it, and
            // `rejected` drops it then.
            let _ = self.view.apply(&p.op, p.stamp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::element::{Color, Element, ElementKind};
    use crate::index::FracIndex;
    use crate::ops::Patch;
    use proptest::prelude::*;

    const T: Stamp = Stamp { nonce: 0, at_ms: 0 };

    fn element(n: u128, index: FracIndex) -> Element {
        crate::testing::element(n, ElementKind::Rectangle, index)
    }

    fn base_scene() -> Scene {
        let mut s = Scene::default();
        for n in 1..=3 {
            let e = element(n, s.next_index());
            s.insert(e).unwrap();
        }
        s
    }

    fn send(server: &mut Authority, r: &Replica, client_op: ClientOpId, op: &Op) -> Sequenced {
        match server.submit(r.client(), client_op, op.clone(), 0).unwrap() {
            Submitted::Accepted(s) => *s,
            Submitted::Duplicate => panic!("unexpected duplicate"),
        }
    }

    #[test]
    fn concurrent_edits_of_different_properties_both_survive_everywhere() {
        let mut server = Authority::new(base_scene(), 0);
        let mut alice = Replica::new(1, base_scene(), 0);
        let mut bob = Replica::new(2, base_scene(), 0);
        let id = ElementId::from_u128(1);
        let a = Op::Update {
            id,
            patch: Patch {
                x: Some(100.0),
                ..Patch::default()
            },
        };
        let b = Op::Update {
            id,
            patch: Patch {
                stroke_color: Some(Color::rgba(0, 0, 255, 255)),
                ..Patch::default()
            },
        };
        let a_op = alice.local(a.clone(), T).unwrap();
        let b_op = bob.local(b.clone(), T).unwrap();
        // Each still sees their own edit optimistically while the other's arrives first.
        let sb = send(&mut server, &bob, b_op, &b);
        let sa = send(&mut server, &alice, a_op, &a);
        alice.receive(&sb).unwrap();
        assert_eq!(
            alice.view().get(id).unwrap().props().x,
            100.0,
            "pending edit stays visible"
        );
        alice.receive(&sa).unwrap();
        bob.receive(&sb).unwrap();
        bob.receive(&sa).unwrap();
        for r in [&alice, &bob] {
            let p = r.view().get(id).unwrap().props();
            assert_eq!((p.x, p.stroke_color), (100.0, Color::rgba(0, 0, 255, 255)));
            assert_eq!(r.pending().count(), 0);
            assert_eq!(r.view().get(id), server.scene().get(id));
        }
    }

    #[test]
    fn the_same_property_goes_to_the_op_the_server_ordered_last() {
        let mut server = Authority::new(base_scene(), 0);
        let mut alice = Replica::new(1, base_scene(), 0);
        let mut bob = Replica::new(2, base_scene(), 0);
        let id = ElementId::from_u128(2);
        let a = Op::Update {
            id,
            patch: Patch {
                opacity: Some(10),
                ..Patch::default()
            },
        };
        let b = Op::Update {
            id,
            patch: Patch {
                opacity: Some(90),
                ..Patch::default()
            },
        };
        let (a_op, b_op) = (
            alice.local(a.clone(), T).unwrap(),
            bob.local(b.clone(), T).unwrap(),
        );
        let sa = send(&mut server, &alice, a_op, &a);
        let sb = send(&mut server, &bob, b_op, &b);
        for r in [&mut alice, &mut bob] {
            r.receive(&sa).unwrap();
            r.receive(&sb).unwrap();
            assert_eq!(r.view().get(id).unwrap().props().opacity, 90);
        }
    }

    #[test]
    fn resent_ops_are_applied_once_and_gaps_are_reported() {
        let mut server = Authority::new(base_scene(), 0);
        let mut alice = Replica::new(1, base_scene(), 0);
        let op = Op::Delete {
            id: ElementId::from_u128(3),
        };
        let n = alice.local(op.clone(), T).unwrap();
        let s = send(&mut server, &alice, n, &op);
        // The ack was lost; after reconnecting, alice re-sends.
        assert_eq!(server.submit(1, n, op, 0).unwrap(), Submitted::Duplicate);
        assert_eq!(server.seq(), 1);
        let later = Sequenced {
            seq: 5,
            ..s.clone()
        };
        assert_eq!(
            alice.receive(&later),
            Err(ReplicaError::Gap { have: 0, got: 5 })
        );
        alice.receive(&s).unwrap();
        alice.receive(&s).unwrap(); // duplicates from overlapping resyncs are harmless
        assert_eq!(alice.pending().count(), 0);
    }

    #[test]
    fn a_restored_authority_still_recognises_resent_ops() {
        let mut server = Authority::new(base_scene(), 0);
        let alice = Replica::new(1, base_scene(), 0);
        let op = Op::Delete {
            id: ElementId::from_u128(1),
        };
        let s = send(&mut server, &alice, 1, &op);
        // Restart from the original snapshot plus the log.
        let mut restored = Authority::restore(base_scene(), 0, []);
        restored.replay(&s).unwrap();
        assert_eq!(restored.seq(), 1);
        assert_eq!(restored.submit(1, 1, op, 0).unwrap(), Submitted::Duplicate);
        let saved: Vec<_> = restored.applied().collect();
        assert_eq!(saved, vec![(1, 1)]);
    }

    #[test]
    fn a_rejected_op_disappears_from_the_view() {
        let mut alice = Replica::new(1, base_scene(), 0);
        let id = ElementId::from_u128(1);
        let n = alice
            .local(
                Op::Update {
                    id,
                    patch: Patch {
                        x: Some(7.0),
                        ..Patch::default()
                    },
                },
                T,
            )
            .unwrap();
        assert_eq!(alice.view().get(id).unwrap().props().x, 7.0);
        alice.rejected(n);
        assert_eq!(alice.view().get(id).unwrap().props().x, 0.0);
    }

    /// One step of a random schedule.
    #[derive(Clone, Debug)]
    enum Step {
        /// Replica `r` makes a local change: `kind` picks the op, `target` the element.
        Local {
            r: usize,
            kind: u8,
            target: u8,
            value: u8,
        },
        /// The server takes replica `r`'s oldest unsent op.
        Upload { r: usize },
        /// Replica `r` takes its oldest undelivered sequenced op.
        Download { r: usize },
    }

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            (0..3usize, 0..6u8, 0..5u8, any::<u8>()).prop_map(|(r, kind, target, value)| {
                Step::Local {
                    r,
                    kind,
                    target,
                    value,
                }
            }),
            (0..3usize).prop_map(|r| Step::Upload { r }),
            (0..3usize).prop_map(|r| Step::Download { r }),
        ]
    }

    fn random_op(r: &Replica, kind: u8, target: u8, value: u8, fresh: u128) -> Op {
        let ids: Vec<ElementId> = r.view().iter().map(|e| e.id).collect();
        let id = ids[target as usize % ids.len()];
        let v = f64::from(value);
        match kind {
            0 => Op::Update {
                id,
                patch: Patch {
                    x: Some(v),
                    ..Patch::default()
                },
            },
            1 => Op::Update {
                id,
                patch: Patch {
                    y: Some(v),
                    width: Some(v + 1.0),
                    ..Patch::default()
                },
            },
            2 => Op::Update {
                id,
                patch: Patch {
                    opacity: Some(value % 101),
                    ..Patch::default()
                },
            },
            3 => Op::Delete { id },
            4 => {
                // Reorder: above or below a random element.
                let other = r
                    .view()
                    .get(ids[value as usize % ids.len()])
                    .unwrap()
                    .props()
                    .index
                    .clone();
                let index = if value.is_multiple_of(2) {
                    FracIndex::between(Some(&other), None).unwrap()
                } else {
                    FracIndex::between(None, Some(&other)).unwrap()
                };
                Op::Update {
                    id,
                    patch: Patch {
                        index: Some(index),
                        ..Patch::default()
                    },
                }
            }
            _ => Op::Create {
                element: element(fresh, r.view().next_index()),
            },
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// Any interleaving of concurrent edits, deletes, reorders and creates converges: once
        /// everything is delivered, every replica shows exactly the server's scene.
        #[test]
        fn any_interleaving_converges(steps in prop::collection::vec(step(), 1..120)) {
            let mut server = Authority::new(base_scene(), 0);
            let mut replicas: Vec<Replica> = (0..3).map(|c| Replica::new(c as ClientId + 1, base_scene(), 0)).collect();
            let mut outbox: Vec<VecDeque<(ClientOpId, Op)>> = vec![VecDeque::new(); 3];
            let mut inbox: Vec<VecDeque<Sequenced>> = vec![VecDeque::new(); 3];
            let mut fresh = 1000u128;
            let upload = |server: &mut Authority, replicas: &mut Vec<Replica>, inbox: &mut Vec<VecDeque<Sequenced>>, r: usize, n: ClientOpId, op: Op| {
                match server.submit(replicas[r].client(), n, op, 0) {
                    Ok(Submitted::Accepted(s)) => inbox.iter_mut().for_each(|q| q.push_back((*s).clone())),
                    Ok(Submitted::Duplicate) => {}
                    Err(_) => replicas[r].rejected(n),
                }
            };
            for s in steps {
                match s {
                    Step::Local { r, kind, target, value } => {
                        fresh += 1;
                        let op = random_op(&replicas[r], kind, target, value, fresh);
                        if let Ok(n) = replicas[r].local(op.clone(), T) {
                            outbox[r].push_back((n, op));
                        }
                    }
                    Step::Upload { r } => {
                        if let Some((n, op)) = outbox[r].pop_front() {
                            upload(&mut server, &mut replicas, &mut inbox, r, n, op);
                        }
                    }
                    Step::Download { r } => {
                        if let Some(s) = inbox[r].pop_front() {
                            replicas[r].receive(&s).unwrap();
                        }
                    }
                }
            }
            for (r, queue) in outbox.iter_mut().enumerate() {
                while let Some((n, op)) = queue.pop_front() {
                    upload(&mut server, &mut replicas, &mut inbox, r, n, op);
                }
            }
            for (r, replica) in replicas.iter_mut().enumerate() {
                while let Some(s) = inbox[r].pop_front() {
                    replica.receive(&s).unwrap();
                }
                prop_assert_eq!(replica.pending().count(), 0);
                let view: Vec<_> = replica.view().iter().map(|e| (e.id, e.props().clone())).collect();
                let truth: Vec<_> = server.scene().iter().map(|e| (e.id, e.props().clone())).collect();
                prop_assert_eq!(view, truth);
            }
        }
    }
}
