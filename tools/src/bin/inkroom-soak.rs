//! `inkroom-soak`: crashes a real server over and over while clients write, and counts the
//! acknowledged changes that did not survive (there must be none).
//!
//! Each cycle starts the `inkroom` binary on one database, lets a few clients send a burst of
//! new shapes (each with an id of its own), kills the server with SIGKILL at a random moment
//! of the burst, and starts it again. Clients keep what was never acknowledged and re-send it
//! after reconnecting, as the browser does (joining with their last sequence number and the
//! same client id, so the server recognises re-sends). After the restart a fresh connection
//! reads the whole board and every shape ever acknowledged must be on it.
//!
//! ```text
//! inkroom-soak --server target/release/inkroom --cycles 1000
//! ```
//! Not part of CI (a thousand cycles, about 100,000 shapes, take about half an hour);
//! `scripts/soak` runs it.

use clap::Parser;
use futures_util::{SinkExt, StreamExt};
use inkroom_core::element::{Element, ElementId, ElementKind, Props};
use inkroom_core::geom::{Rect, WorldPoint};
use inkroom_core::index::FracIndex;
use inkroom_tools::Ws;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;

#[derive(Debug, Parser)]
#[command(
    name = "inkroom-soak",
    about = "Kill a server mid-write, over and over; count lost acknowledged changes"
)]
struct Args {
    /// The `inkroom` binary.
    #[arg(long, default_value = "target/release/inkroom")]
    server: String,
    /// Cycles of write, kill, restart, check.
    #[arg(long, default_value_t = 1000)]
    cycles: u32,
    /// Writing clients.
    #[arg(long, default_value_t = 4)]
    clients: usize,
    /// Shapes each client sends per cycle.
    #[arg(long, default_value_t = 25)]
    burst: usize,
    /// The database (default: a SQLite file in a temporary directory).
    #[arg(long)]
    database_url: Option<String>,
}

/// A writer: its HTTP session, its client id, what it sent and what was acknowledged.
struct Writer {
    http: reqwest::Client,
    client: u64,
    last_seq: u64,
    next_op: u64,
    /// Sent, not acknowledged: op number → element (re-sent after a reconnect).
    pending: BTreeMap<u64, Value>,
    /// Acknowledged element ids.
    acked: BTreeSet<String>,
    /// The id the server files this client's ops under (from `joined`).
    me: Option<u64>,
}

impl Writer {
    /// Op `n` is durable on the server (acknowledged, or seen applied after a restart).
    fn confirm(&mut self, n: u64) {
        if let Some(e) = self.pending.remove(&n) {
            self.acked
                .insert(e["id"].as_str().unwrap_or_default().to_owned());
        }
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_or(0, |a| a.port())
}

fn start(server: &str, url: &str, port: u16) -> anyhow::Result<Child> {
    Ok(Command::new(server)
        .args(["--listen", &format!("127.0.0.1:{port}"), "--log", "error"])
        .args(["--auth-rate-per-minute", "100000"])
        .env("DATABASE_URL", url)
        .env_remove("REDIS_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?)
}

async fn wait_ready(base: &str) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if reqwest::get(format!("{base}/readyz"))
            .await
            .is_ok_and(|r| r.status() == 200)
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    anyhow::bail!("the server did not become ready")
}

/// The running server, killed when dropped: an error that ends the soak early must not leave
/// a server behind (one did, after a failed run).
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        kill(&mut self.0);
    }
}

fn kill(child: &mut Child) {
    // SIGKILL: no graceful shutdown, nothing flushed that was not already committed.
    let _ = child.kill();
    let _ = child.wait();
}

fn shape(x: f64) -> Value {
    let rect = Rect::from_corners(WorldPoint::new(x, 0.0), WorldPoint::new(x + 20.0, 20.0));
    let props = Props::new(
        ElementKind::Rectangle,
        rect,
        FracIndex::between(None, None).expect("index"),
    );
    let id = ElementId::from_u128(uuid::Uuid::new_v4().as_u128());
    serde_json::to_value(Element::new(id, props, 1, 0).expect("valid")).expect("serialises")
}

/// A writer reconnects after a restart: joins with its last sequence number, re-sends what was
/// never acknowledged, and waits until all of it is confirmed (acknowledged, or seen applied).
/// Not cut short by the kill: each cycle's kill then falls in a fresh burst, not in an
/// ever-growing re-send (which, before this split, throttled every later cycle to nothing).
async fn resume(base: &str, slug: &str, w: &mut Writer) -> anyhow::Result<Ws> {
    let mut ws = inkroom_tools::socket(base, &w.http).await?;
    let mut join = json!({ "type": "join_room", "room": slug, "client": w.client });
    if w.last_seq > 0 {
        join["last_seq"] = json!(w.last_seq);
    }
    ws.send(Message::text(join.to_string())).await?;
    for (n, e) in &w.pending {
        ws.send(Message::text(
            json!({ "type": "draw", "client_op": n, "element": e }).to_string(),
        ))
        .await?;
    }
    drain(&mut ws, w).await?;
    if !w.pending.is_empty() {
        anyhow::bail!(
            "client {}: {} re-sent shapes not confirmed after a restart",
            w.client,
            w.pending.len()
        );
    }
    Ok(ws)
}

/// A burst of `burst` new shapes on a resumed connection, collecting acknowledgements until the
/// socket dies (the kill) or all are acknowledged.
async fn write(ws: &mut Ws, w: &mut Writer, burst: usize) -> anyhow::Result<()> {
    for _ in 0..burst {
        let e = shape(w.next_op as f64);
        let n = w.next_op;
        w.next_op += 1;
        // Pending before it is sent: a kill during the send must not forget it.
        w.pending.insert(n, e.clone());
        ws.send(Message::text(
            json!({ "type": "draw", "client_op": n, "element": e }).to_string(),
        ))
        .await?;
    }
    drain(ws, w).await
}

/// Reads until nothing is pending or the socket is quiet for 5 s (or gone).
async fn drain(ws: &mut Ws, w: &mut Writer) -> anyhow::Result<()> {
    while !w.pending.is_empty() {
        let Ok(Some(Ok(msg))) = tokio::time::timeout(Duration::from_secs(5), ws.next()).await
        else {
            break;
        };
        let Message::Text(text) = msg else { continue };
        let v: Value = serde_json::from_str(&text)?;
        match v["type"].as_str() {
            Some("ack") => w.confirm(v["client_op"].as_u64().unwrap_or(0)),
            // The server files this client's ops under an id of its own; ops it applied before
            // a crash but never acknowledged come back under it, in the delta or the scene.
            Some("joined") => w.me = v["client"].as_u64(),
            Some("ops") => {
                for op in v["ops"].as_array().into_iter().flatten() {
                    w.last_seq = w.last_seq.max(op["seq"].as_u64().unwrap_or(0));
                    if w.me.is_some() && op["client"].as_u64() == w.me {
                        w.confirm(op["client_op"].as_u64().unwrap_or(0));
                    }
                }
            }
            Some("room_state") => {
                w.last_seq = v["seq"].as_u64().unwrap_or(0);
                let applied = v["applied"].as_u64().unwrap_or(0);
                let done: Vec<u64> = w.pending.range(..=applied).map(|(n, _)| *n).collect();
                for n in done {
                    w.confirm(n);
                }
            }
            Some("rejected") => {
                // A re-sent create the server had applied before its restart but whose ack
                // was lost would be recognised, not rejected; a rejection is a bug.
                anyhow::bail!("rejected: {v}");
            }
            _ => {}
        }
    }
    Ok(())
}

/// The live element ids of the board, read by a fresh connection.
async fn board(base: &str, http: &reqwest::Client, slug: &str) -> anyhow::Result<BTreeSet<String>> {
    let mut ws = inkroom_tools::socket(base, http).await?;
    ws.send(Message::text(
        json!({ "type": "join_room", "room": slug, "client": 999_999 }).to_string(),
    ))
    .await?;
    while let Some(msg) = ws.next().await {
        if let Message::Text(text) = msg? {
            let v: Value = serde_json::from_str(&text)?;
            if v["type"] == "room_state" {
                return Ok(v["elements"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|e| e["isDeleted"] != true)
                    .filter_map(|e| e["id"].as_str().map(str::to_owned))
                    .collect());
            }
        }
    }
    anyhow::bail!("no room state")
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let dir = std::env::temp_dir().join(format!("inkroom-soak-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let url = args
        .database_url
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}?mode=rwc", dir.join("soak.db").display()));
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut server = Server(start(&args.server, &url, port)?);
    wait_ready(&base).await?;

    // The owner makes the room; every writer joins it.
    let run = uuid::Uuid::new_v4().simple().to_string();
    let owner = inkroom_tools::user(&base, &format!("owner-{run}"), "soak.example.com").await?;
    let room: Value = owner
        .post(format!("{base}/api/rooms/create"))
        .json(&json!({ "name": format!("Soak {run}"), "is_private": false }))
        .send()
        .await?
        .json()
        .await?;
    let slug = room["slug"]
        .as_str()
        .ok_or_else(|| anyhow::anyhow!("no room: {room}"))?
        .to_owned();
    let mut writers = Vec::new();
    for i in 0..args.clients {
        let http = inkroom_tools::user(&base, &format!("w{i}-{run}"), "soak.example.com").await?;
        http.post(format!("{base}/api/rooms/join"))
            .json(&json!({ "slug": slug }))
            .send()
            .await?;
        writers.push(Writer {
            http,
            client: 1 + i as u64,
            last_seq: 0,
            next_op: 1,
            pending: BTreeMap::new(),
            acked: BTreeSet::new(),
            me: None,
        });
    }

    let started = Instant::now();
    let mut lost_total = 0usize;
    for cycle in 1..=args.cycles {
        // Everyone reconnects and gets what they had pending confirmed, then bursts; the kill
        // falls somewhere in the bursts (a burst takes tens of milliseconds here).
        let mut sockets = Vec::new();
        for w in writers.iter_mut() {
            sockets.push(resume(&base, &slug, w).await?);
        }
        let kill_after = Duration::from_millis(u64::from(cycle * 7919 % 60));
        let writes = futures_util::future::join_all(
            writers
                .iter_mut()
                .zip(sockets.iter_mut())
                .map(|(w, ws)| write(ws, w, args.burst)),
        );
        // Cut short by the kill: what was not acknowledged stays pending for the next cycle.
        let finished = tokio::time::timeout(kill_after, writes)
            .await
            .unwrap_or_default();
        kill(&mut server.0);
        for r in finished {
            r?;
        }
        server = Server(start(&args.server, &url, port)?);
        wait_ready(&base).await?;
        let on_board = board(&base, &owner, &slug).await?;
        let acked: usize = writers.iter().map(|w| w.acked.len()).sum();
        let lost: Vec<&String> = writers
            .iter()
            .flat_map(|w| w.acked.iter())
            .filter(|id| !on_board.contains(*id))
            .collect();
        lost_total = lost.len();
        if !lost.is_empty() {
            eprintln!(
                "cycle {cycle}: {} acknowledged shapes lost: {lost:?}",
                lost.len()
            );
            kill(&mut server.0);
            std::process::exit(1);
        }
        if cycle % 50 == 0 || cycle == args.cycles {
            println!(
                "cycle {cycle}: {acked} acknowledged shapes, all on the board ({} in all); {:.0} s",
                on_board.len(),
                started.elapsed().as_secs_f64()
            );
        }
    }
    // Finally, everything still pending goes through.
    for w in &mut writers {
        resume(&base, &slug, w).await?;
    }
    let on_board = board(&base, &owner, &slug).await?;
    let acked: usize = writers.iter().map(|w| w.acked.len()).sum();
    let missing = writers
        .iter()
        .flat_map(|w| w.acked.iter())
        .filter(|id| !on_board.contains(*id))
        .count();
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
    println!(
        "{} cycles of write + SIGKILL: {acked} acknowledged shapes, {} lost",
        args.cycles,
        missing.max(lost_total)
    );
    if missing > 0 {
        std::process::exit(1);
    }
    Ok(())
}
