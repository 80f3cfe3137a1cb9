//! What must hold after every run, once the room has healed.
//!
//! 1. **Sequence numbers have no gaps**: the store's log is numbered 1, 2, 3, … and the server
//!    is at its last number.
//! 2. **No acknowledged op is lost**: every acknowledgement a client received names an op of that
//!    client, with that number, at that place in the durable log.
//! 3. **Everyone converges**: every client's scene is the server's, with nothing pending.
//! 4. **No deleted element comes back without an explicit undo**: once a durable op deleted an
//!    element, only an undo or redo of its owner brings it back.
//! 5. **Arrows stay bound to what they point at**: a live arrow's bindings name live elements,
//!    and each bound end is on its target's outline, its gap away (within [`SETTLED`], or as
//!    close as following the binding can put it). An arrow bound at both ends to overlapping
//!    shapes has no settled position (each end aims from the other, inside the other shape), so
//!    only its bindings are checked.

use crate::client::Client;
use crate::server::Server;
use inkroom_core::binding::{self, End};
use inkroom_core::element::ElementId;
use inkroom_core::geom::WorldPoint;
use inkroom_core::ops::Op;
use std::collections::{BTreeMap, BTreeSet};

/// How far (world units) past its gap a bound end may be from its target's outline.
pub const SETTLED: f64 = 1.0;

/// The distance from `p` to the closed polygon `outline`.
fn distance_to_outline(p: WorldPoint, outline: &[WorldPoint]) -> f64 {
    let n = outline.len();
    (0..n)
        .map(|i| {
            let (a, b) = (outline[i], outline[(i + 1) % n]);
            let ab = b - a;
            let len2 = ab.x * ab.x + ab.y * ab.y;
            let t = if len2 > 0.0 {
                (((p - a).x * ab.x + (p - a).y * ab.y) / len2).clamp(0.0, 1.0)
            } else {
                0.0
            };
            (p - (a + ab * t)).length()
        })
        .fold(f64::INFINITY, f64::min)
}

/// Checks every invariant; the first broken one is the error.
pub fn check(server: &Server, clients: &[Client]) -> Result<(), String> {
    let log = &server.store.log;
    let authority = server
        .authority()
        .ok_or("the server is down after healing")?;
    // 1. No gaps.
    for (i, op) in log.iter().enumerate() {
        if op.seq != i as u64 + 1 {
            return Err(format!("log position {} holds seq {}", i + 1, op.seq));
        }
    }
    if authority.seq() != log.len() as u64 {
        return Err(format!(
            "server at seq {} but the log has {} ops",
            authority.seq(),
            log.len()
        ));
    }
    // 2. Acknowledged ops are durable, where the acknowledgement said.
    for c in clients {
        for &(client_op, seq) in &c.acked {
            let logged = seq
                .checked_sub(1)
                .and_then(|i| log.get(i as usize))
                .filter(|op| op.client == c.id && op.client_op == client_op);
            if logged.is_none() {
                return Err(format!(
                    "client {} was acknowledged op {client_op} at seq {seq}, which the log does not hold",
                    c.id
                ));
            }
        }
    }
    // 3. Convergence.
    for c in clients {
        if c.editor.replica().pending().next().is_some() {
            return Err(format!("client {} still has unconfirmed ops", c.id));
        }
        if c.editor.replica().seq() != authority.seq() {
            return Err(format!(
                "client {} at seq {}, server at {}",
                c.id,
                c.editor.replica().seq(),
                authority.seq()
            ));
        }
        let (mine, theirs) = (c.editor.scene(), authority.scene());
        let ids: BTreeSet<ElementId> = mine.iter().chain(theirs.iter()).map(|e| e.id).collect();
        for id in ids {
            if mine.get(id) != theirs.get(id) {
                return Err(format!(
                    "client {} disagrees with the server on element {id}:\n  client: {:?}\n  server: {:?}",
                    c.id,
                    mine.get(id).map(|e| (
                        e.version(),
                        e.version_nonce(),
                        e.updated_at(),
                        e.props()
                    )),
                    theirs.get(id).map(|e| (
                        e.version(),
                        e.version_nonce(),
                        e.updated_at(),
                        e.props()
                    ))
                ));
            }
        }
    }
    // 4. Deleted elements come back only through undo or redo.
    let undo: BTreeSet<(u64, u64)> = clients
        .iter()
        .flat_map(|c| c.undo_ops.iter().map(move |n| (c.id, *n)))
        .collect();
    let mut deleted: BTreeMap<ElementId, u64> = BTreeMap::new();
    for op in log {
        match &op.op {
            Op::Delete { id } => {
                deleted.entry(*id).or_insert(op.seq);
            }
            Op::Update { id, patch } => {
                if patch.is_deleted == Some(true) {
                    deleted.entry(*id).or_insert(op.seq);
                } else if patch.is_deleted == Some(false)
                    && let Some(at) = deleted.remove(id)
                    && !undo.contains(&(op.client, op.client_op))
                {
                    return Err(format!(
                        "element {id}, deleted at seq {at}, came back at seq {} without an undo",
                        op.seq
                    ));
                }
            }
            Op::Create { .. } => {}
        }
    }
    // 5. Bound arrows point at live elements, and their bound ends sit on those elements.
    let scene = authority.scene();
    for e in scene.iter_live() {
        let p = e.props();
        let points = p.world_points();
        for end in End::BOTH {
            let Some(binding) = end.binding(p) else {
                continue;
            };
            let target = scene.get(binding.element_id);
            let Some(target) = target.filter(|t| !t.props().is_deleted) else {
                return Err(format!(
                    "arrow {} is bound to {}, which is {}\n{}",
                    e.id,
                    binding.element_id,
                    if target.is_some() {
                        "deleted"
                    } else {
                        "missing"
                    },
                    history(log, &[e.id, binding.element_id])
                ));
            };
            // Between overlapping shapes an arrow bound at both ends has no settled position
            // (each end aims from the other, inside the other shape): bindings only.
            let other = end.other().binding(p).and_then(|b| scene.get(b.element_id));
            if other.is_some_and(|o| o.props().rect().intersects(&target.props().rect())) {
                continue;
            }
            let outline = binding::outline(target.props());
            let off = distance_to_outline(points[end.index(points.len())], &outline);
            // Where following would put it: on an arrow bound at both ends between overlapping
            // shapes, following's bounded iteration may itself stop off the outline.
            let followed = binding::follow(p, |id| scene.get(id).map(|t| t.props()));
            let best = followed.world_points();
            let best = distance_to_outline(best[end.index(best.len())], &outline);
            if off > (binding.gap + SETTLED).max(best + SETTLED) {
                let rects: Vec<String> = [&p.start_binding, &p.end_binding]
                    .into_iter()
                    .flatten()
                    .filter_map(|b| scene.get(b.element_id))
                    .map(|t| format!("{:?} {:?}", t.props().kind, t.props().rect()))
                    .collect();
                return Err(format!(
                    "arrow {}'s {end:?} is {off:.1} from its target {} (gap {}); points {:?}; targets {rects:?}\n{}",
                    e.id,
                    binding.element_id,
                    binding.gap,
                    points,
                    history(log, &[e.id, binding.element_id])
                ));
            }
        }
    }
    Ok(())
}

/// The logged ops on `ids`, one per line, for failure reports.
fn history(log: &[inkroom_core::replica::Sequenced], ids: &[ElementId]) -> String {
    log.iter()
        .filter(|s| ids.contains(&s.op.element_id()))
        .map(|s| {
            format!(
                "    {}: client {} #{} {}",
                s.seq,
                s.client,
                s.client_op,
                crate::brief::op(&s.op)
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}
