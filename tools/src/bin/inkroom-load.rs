//! `inkroom-load`: a load generator for capacity planning.
//!
//! Creates users and rooms through the API, opens ROOMS × USERS WebSockets, and has every user
//! send cursor moves (default 20 Hz) and shape changes (default 2 Hz) for a fixed time. It reports
//! delivered messages per second, end-to-end latency of shape changes (sender → every receiver),
//! acknowledgement latency, cursor loss, undelivered changes and, given `--server-pid`, the
//! server's CPU time per delivered message and its memory. `--idle N` instead holds N joined,
//! silent connections and reports the server's memory per connection.
//!
//! Loopback only by design: point it at a server on this machine. Every loop is bounded in time.

use clap::Parser;
use futures_util::{SinkExt, StreamExt};
use inkroom_core::element::{Element, ElementId, ElementKind, Props};
use inkroom_core::geom::{Rect, WorldPoint};
use inkroom_core::index::FracIndex;
use inkroom_tools::Ws;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;

#[derive(Debug, Parser)]
#[command(
    name = "inkroom-load",
    about = "Load generator for an Inkroom server on this machine"
)]
struct Args {
    /// The server's base URL.
    #[arg(long, default_value = "http://127.0.0.1:3000")]
    url: String,
    /// Number of rooms.
    #[arg(long, default_value_t = 10)]
    rooms: usize,
    /// Users per room.
    #[arg(long, default_value_t = 10)]
    users: usize,
    /// How long to send, in seconds.
    #[arg(long, default_value_t = 20)]
    seconds: u64,
    /// Cursor updates per second per user.
    #[arg(long, default_value_t = 20.0)]
    cursor_hz: f64,
    /// Shape changes per second per user.
    #[arg(long, default_value_t = 2.0)]
    edit_hz: f64,
    /// The server's process id, to report its CPU time and memory.
    #[arg(long)]
    server_pid: Option<u32>,
    /// Hold this many idle joined connections instead and report memory per connection.
    #[arg(long)]
    idle: Option<usize>,
    /// With `--idle`: seconds to let the server settle before each memory reading. Allocators
    /// return freed memory (handshake buffers, sign-ups) to the system lazily, jemalloc after
    /// about ten seconds; reading sooner counts garbage as connection memory.
    #[arg(long, default_value_t = 12)]
    settle: u64,
}

/// Wall-clock milliseconds modulo 10^8: small enough to carry in a shape's x coordinate.
fn clock() -> f64 {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    (ms % 100_000_000) as f64
}

fn elapsed_ms(sent: f64) -> f64 {
    (clock() - sent).rem_euclid(100_000_000.0)
}

#[derive(Default)]
struct Stats {
    latencies: Vec<f64>,
    cursor_latencies: Vec<f64>,
    ack_latencies: Vec<f64>,
    ops_received: u64,
    cursors_sent: u64,
    cursors_received: u64,
    acks: u64,
    messages: u64,
    reconnects: u64,
}

/// Counts one room message: cursors (alone or batched; their x coordinate carries the send
/// time), acks (with their latency), and ops (with the sender-to-receiver latency carried in
/// their x coordinate); tracks the last sequence number and this user's id (`me`).
fn count(
    v: &Value,
    local: &mut Stats,
    pending: &mut BTreeMap<u64, (f64, String)>,
    last_seq: &mut u64,
    me: &mut String,
) {
    let mut cursor = |c: &Value| {
        if c["user_id"].as_str() != Some(me.as_str()) {
            local.cursors_received += 1;
            if let Some(x) = c["x"].as_f64() {
                local.cursor_latencies.push(elapsed_ms(x));
            }
        }
    };
    match v["type"].as_str() {
        Some("cursor") => cursor(v),
        Some("cursors") => v["cursors"]
            .as_array()
            .into_iter()
            .flatten()
            .for_each(cursor),
        Some("ack") => {
            local.acks += 1;
            if let Some((sent, _)) = v["client_op"].as_u64().and_then(|n| pending.remove(&n)) {
                local.ack_latencies.push(elapsed_ms(sent));
            }
            if let Some(seq) = v["seq"].as_u64() {
                *last_seq = (*last_seq).max(seq);
            }
        }
        Some("ops") => {
            for o in v["ops"].as_array().into_iter().flatten() {
                local.ops_received += 1;
                if let Some(seq) = o["seq"].as_u64() {
                    *last_seq = (*last_seq).max(seq);
                }
                let x = o["op"]["patch"]["x"]
                    .as_f64()
                    .or_else(|| o["op"]["element"]["x"].as_f64());
                if let Some(x) = x {
                    local.latencies.push(elapsed_ms(x));
                }
            }
        }
        Some("room_state") => {
            if let Some(id) = v["you"]["user_id"].as_str() {
                *me = id.to_owned();
            }
            if let Some(seq) = v["seq"].as_u64() {
                *last_seq = (*last_seq).max(seq);
            }
        }
        _ => {}
    }
}

/// (utime + stime in seconds, RSS in KiB) of a process.
fn process_usage(pid: u32) -> Option<(f64, u64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let rss = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some((ticks / 100.0, rss))
}

/// Opens a socket and joins `slug` as client `id`, resuming after `last_seq` when given. Returns
/// the socket and the first room message (`room_state`, or `ops` with the missed delta).
async fn connect(
    client: &reqwest::Client,
    base: &str,
    slug: &str,
    id: u64,
    last_seq: Option<u64>,
) -> anyhow::Result<(Ws, Value)> {
    let mut ws = inkroom_tools::socket(base, client).await?;
    let mut join = json!({ "type": "join_room", "room": slug, "client": id });
    if let Some(seq) = last_seq {
        join["last_seq"] = json!(seq);
    }
    ws.send(Message::text(join.to_string())).await?;
    while let Some(msg) = ws.next().await {
        if let Message::Text(t) = msg?
            && (t.contains("\"room_state\"") || t.contains("\"ops\""))
        {
            return Ok((ws, serde_json::from_str(&t)?));
        }
    }
    anyhow::bail!("closed before joining")
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let run = std::process::id();
    let base = args.url.trim_end_matches('/').to_owned();

    // Rooms and their members.
    let mut rooms = Vec::new();
    let users_per_room = if args.idle.is_some() { 1 } else { args.users };
    let room_count = if args.idle.is_some() { 1 } else { args.rooms };
    for r in 0..room_count {
        let owner =
            inkroom_tools::user(&base, &format!("load{run}r{r}u0"), "load.example.com").await?;
        let room: Value = owner
            .post(format!("{base}/api/rooms/create"))
            .json(&json!({ "name": format!("Load {run} {r}"), "is_private": false }))
            .send()
            .await?
            .json()
            .await?;
        let slug = room["slug"]
            .as_str()
            .ok_or_else(|| anyhow::anyhow!("room not created: {room}"))?
            .to_owned();
        let mut members = vec![owner];
        for u in 1..users_per_room {
            let c = inkroom_tools::user(&base, &format!("load{run}r{r}u{u}"), "load.example.com")
                .await?;
            c.post(format!("{base}/api/rooms/join"))
                .json(&json!({ "slug": slug }))
                .send()
                .await?;
            members.push(c);
        }
        rooms.push((slug, members));
    }

    if let Some(n) = args.idle {
        let (slug, members) = &rooms[0];
        let settle = Duration::from_secs(args.settle);
        tokio::time::sleep(settle).await;
        let before = args.server_pid.and_then(process_usage);
        let mut sockets = Vec::with_capacity(n);
        let mut half = None;
        for i in 0..n {
            if i == n / 2 {
                tokio::time::sleep(settle).await;
                half = args.server_pid.and_then(process_usage);
            }
            sockets.push(
                connect(
                    &members[0],
                    &base,
                    slug,
                    ((run as u64) << 20) | (i as u64 + 1),
                    None,
                )
                .await?
                .0,
            );
        }
        tokio::time::sleep(settle).await;
        let after = args.server_pid.and_then(process_usage);
        println!("idle joined connections: {n}");
        if let (Some((_, a)), Some((_, b))) = (before, after) {
            println!(
                "server RSS: {a} KiB before, {b} KiB with them: {:.2} KiB per connection",
                (b as f64 - a as f64) / n as f64
            );
            // The second half alone: memory the allocator had cached before the run (freed by
            // sign-ups, say) and that the first connections reuse does not flatter this figure.
            if let Some((_, h)) = half {
                println!(
                    "server RSS over the second half: {:.2} KiB per connection",
                    (b as f64 - h as f64) / (n - n / 2) as f64
                );
            }
        }
        drop(sockets);
        return Ok(());
    }

    // Everyone joins first: the clock and the server's CPU count start when all are in, so
    // neither the set-up nor changes made before the last member joined (which reach late
    // joiners in their room state, not as ops) distort the figures.
    let mut joined = Vec::new();
    let mut next_id = 1u64;
    for (slug, members) in &rooms {
        for member in members {
            let client_id = ((run as u64) << 20) | next_id;
            next_id += 1;
            let (ws, first) = connect(member, &base, slug, client_id, None).await?;
            // This user's id, so that its own entries in `cursors` batches are not counted.
            let me = first["you"]["user_id"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            joined.push((slug.clone(), member.clone(), client_id, ws, me));
        }
    }
    let stats = Arc::new(Mutex::new(Stats::default()));
    let start_usage = args.server_pid.and_then(process_usage);
    let own_start = process_usage(std::process::id());
    let started = Instant::now();
    let deadline = started + Duration::from_secs(args.seconds);
    let mut tasks = Vec::new();
    for (slug, member, client_id, ws, me) in joined {
        {
            let stats = stats.clone();
            let (cursor_every, edit_every) = (
                Duration::from_secs_f64(1.0 / args.cursor_hz),
                Duration::from_secs_f64(1.0 / args.edit_hz),
            );
            let base = base.clone();
            tasks.push(tokio::spawn(async move {
                let mut ws = ws;
                let mut local = Stats::default();
                // Unacknowledged changes: when they were sent, and the frame to re-send.
                let mut pending: BTreeMap<u64, (f64, String)> = BTreeMap::new();
                // Each user's timers start at their own phase, as real users' do; timers started
                // together would send every user's move in the same instant.
                let phase = |every: Duration| {
                    let spread = (client_id.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 11) as f64
                        / (1u64 << 53) as f64;
                    tokio::time::Instant::now() + every.mul_f64(spread)
                };
                let mut cursor = tokio::time::interval_at(phase(cursor_every), cursor_every);
                let mut edit = tokio::time::interval_at(phase(edit_every), edit_every);
                let id = ElementId::from_u128(uuid::Uuid::new_v4().as_u128());
                let mut op = 0u64;
                let mut last_seq = 0u64;
                let mut me = me;
                let drain_until = deadline + Duration::from_secs(2);
                'connection: loop {
                    let (mut tx, mut rx) = ws.split();
                    loop {
                        let now = tokio::time::Instant::now();
                        let sending = Instant::now() < deadline;
                        tokio::select! {
                            _ = cursor.tick(), if sending => {
                                let m = json!({ "type": "cursor_update", "x": clock(), "y": 2.0 });
                                if tx.send(Message::text(m.to_string())).await.is_err() { break; }
                                local.cursors_sent += 1;
                            }
                            _ = edit.tick(), if sending => {
                                op += 1;
                                let x = clock();
                                let m = if op == 1 {
                                    let rect = Rect::from_corners(WorldPoint::new(x, 0.0), WorldPoint::new(x + 10.0, 10.0));
                                    let index = FracIndex::between(None, None).expect("first index");
                                    let Ok(e) = Element::new(id, Props::new(ElementKind::Rectangle, rect, index), 1, 0) else { break 'connection };
                                    json!({ "type": "draw", "client_op": op, "element": e })
                                } else {
                                    json!({ "type": "edit_shape", "client_op": op, "id": id, "patch": { "x": x } })
                                };
                                let text = m.to_string();
                                pending.insert(op, (x, text.clone()));
                                if tx.send(Message::text(text)).await.is_err() { break; }
                            }
                            msg = rx.next() => {
                                let t = match msg {
                                    Some(Ok(Message::Text(t))) => t,
                                    Some(Ok(Message::Close(_)) | Err(_)) | None => break,
                                    Some(Ok(_)) => continue,
                                };
                                local.messages += 1;
                                let Ok(v) = serde_json::from_str::<Value>(&t) else { continue };
                                count(&v, &mut local, &mut pending, &mut last_seq, &mut me);
                            }
                            () = tokio::time::sleep_until(now + Duration::from_millis(200)), if !sending => {
                                if Instant::now() > drain_until { break 'connection; }
                            }
                        }
                    }
                    // The server closed us (too slow: resync) or the socket failed: come back
                    // like the real client, with the last sequence seen, and re-send what was
                    // never acknowledged (the server applies each client op once).
                    if Instant::now() > drain_until {
                        break;
                    }
                    local.reconnects += 1;
                    let Ok((fresh, first)) = connect(&member, &base, &slug, client_id, Some(last_seq)).await else {
                        break;
                    };
                    count(&first, &mut local, &mut pending, &mut last_seq, &mut me);
                    ws = fresh;
                    for (_, text) in pending.values() {
                        if ws.send(Message::text(text.clone())).await.is_err() {
                            break;
                        }
                    }
                }
                let mut s = stats.lock().unwrap_or_else(|p| p.into_inner());
                s.latencies.extend(local.latencies);
                s.cursor_latencies.extend(local.cursor_latencies);
                s.ack_latencies.extend(local.ack_latencies);
                s.ops_received += local.ops_received;
                s.cursors_sent += local.cursors_sent;
                s.cursors_received += local.cursors_received;
                s.acks += local.acks;
                s.messages += local.messages;
                s.reconnects += local.reconnects;
            }));
        }
    }
    for t in tasks {
        let _ = t.await;
    }
    let secs = args.seconds as f64;
    let end_usage = args.server_pid.and_then(process_usage);
    let own_end = process_usage(std::process::id());
    let mut s = Arc::try_unwrap(stats)
        .map_err(|_| anyhow::anyhow!("stats still shared"))?
        .into_inner()
        .unwrap_or_default();
    s.latencies.sort_by(f64::total_cmp);
    s.cursor_latencies.sort_by(f64::total_cmp);
    s.ack_latencies.sort_by(f64::total_cmp);
    let users = rooms.len() * args.users;
    let expected_cursors = s.cursors_sent as f64 * (args.users as f64 - 1.0);
    let expected_ops = s.acks as f64 * args.users as f64;
    println!(
        "rooms {} × users {} = {users} connections, {secs} s",
        rooms.len(),
        args.users
    );
    // Updates are what users see arrive (each cursor move, op and ack); frames are what crossed
    // the socket (the room batches cursor moves that arrive together into one frame).
    let updates = s.cursors_received + s.ops_received + s.acks;
    println!(
        "delivered messages: {updates} updates ({:.0}/s) in {} frames ({:.0}/s)",
        updates as f64 / secs,
        s.messages,
        s.messages as f64 / secs
    );
    for (what, sorted) in [
        ("shape change latency sender→receivers", &s.latencies),
        ("cursor latency sender→receivers", &s.cursor_latencies),
        ("ack latency (durable)", &s.ack_latencies),
    ] {
        // An empty sample (e.g. one user per room: nobody receives anyone's cursor) has no
        // percentiles; say so instead of printing NaN.
        let Some(max) = sorted.last() else {
            println!("{what} (ms): n/a (no samples)");
            continue;
        };
        println!(
            "{what} (ms): p50 {:.1} p95 {:.1} p99 {:.1} max {max:.1}",
            percentile(sorted, 0.5),
            percentile(sorted, 0.95),
            percentile(sorted, 0.99),
        );
    }
    if expected_cursors > 0.0 {
        println!(
            "cursor loss: {:.2} % ({} of {:.0} expected deliveries arrived)",
            100.0 * (1.0 - s.cursors_received as f64 / expected_cursors),
            s.cursors_received,
            expected_cursors
        );
    } else {
        println!("cursor loss: n/a (no cursor deliveries expected)");
    }
    println!(
        "acknowledged (durable) changes: {} ({:.0}/s); undelivered change copies: {:.0}; reconnects: {}",
        s.acks,
        s.acks as f64 / secs,
        (expected_ops - s.ops_received as f64).max(0.0),
        s.reconnects
    );
    if let (Some((c0, _)), Some((c1, rss))) = (start_usage, end_usage) {
        let cpu = c1 - c0;
        println!(
            "server CPU: {cpu:.2} s ({:.2} µs per delivered update, {:.2} µs per frame); RSS {rss} KiB",
            cpu * 1e6 / updates.max(1) as f64,
            cpu * 1e6 / s.messages.max(1) as f64
        );
    }
    // A saturated generator delays its own reads: its latency figures would then measure itself.
    if let (Some((c0, _)), Some((c1, _))) = (own_start, own_end) {
        println!(
            "generator CPU: {:.2} s ({:.0} % of one core over the run)",
            c1 - c0,
            100.0 * (c1 - c0) / started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}
