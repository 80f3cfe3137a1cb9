//! Short renderings of messages and ops for the simulator's trace (`INKROOM_SIM_TRACE=1`).

use inkroom_core::ops::{Op, Patch};
use inkroom_core::protocol::{ClientMessage, ServerMessage};

fn id(id: impl std::fmt::Display) -> String {
    id.to_string()[..4].to_owned()
}

fn fields(patch: &Patch) -> String {
    let json = serde_json_like(patch);
    json.join(",")
}

/// The names of the fields a patch sets, with the deletion flag's value.
fn serde_json_like(patch: &Patch) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(d) = patch.is_deleted {
        out.push(format!("deleted={d}"));
    }
    if patch.x.is_some() || patch.y.is_some() {
        out.push("xy".into());
    }
    if patch.index.is_some() {
        out.push("index".into());
    }
    if patch.start_binding.is_some() || patch.end_binding.is_some() {
        out.push("binding".into());
    }
    if patch.points.is_some() {
        out.push("points".into());
    }
    if patch.group_ids.is_some() {
        out.push("groups".into());
    }
    if out.is_empty() {
        out.push("other".into());
    }
    out
}

/// `create 16b9`, `update 16b9{xy}`, `delete 16b9`.
pub fn op(op: &Op) -> String {
    match op {
        Op::Create { element } => format!("create {}", id(element.id)),
        Op::Update { id: e, patch } => format!("update {}{{{}}}", id(e), fields(patch)),
        Op::Delete { id: e } => format!("delete {}", id(e)),
    }
}

/// A client message in one short line.
pub fn up(msg: &ClientMessage) -> String {
    match msg {
        ClientMessage::JoinRoom { last_seq, .. } => format!("join(last_seq={last_seq:?})"),
        other => match other.clone().into_op() {
            Ok((n, o)) => format!("#{n} {}", op(&o)),
            Err(m) => format!("{m:?}"),
        },
    }
}

/// A server message in one short line.
pub fn down(msg: &ServerMessage) -> String {
    match msg {
        ServerMessage::RoomState {
            seq,
            elements,
            applied,
            ..
        } => format!(
            "room_state(seq={seq}, {} elements, applied={applied})",
            elements.len()
        ),
        ServerMessage::Ops { ops } => {
            let list: Vec<String> = ops
                .iter()
                .map(|s| format!("{}:c{}#{} {}", s.seq, s.client, s.client_op, op(&s.op)))
                .collect();
            format!("ops[{}]", list.join(", "))
        }
        ServerMessage::Ack { client_op, seq } => format!("ack(#{client_op} at {seq})"),
        ServerMessage::Rejected {
            client_op, message, ..
        } => format!("rejected(#{client_op}: {message})"),
        other => format!("{other:?}"),
    }
}
