//! The real-time hub over real WebSockets, on SQLite and PostgreSQL.

use crate::both_backends;
use crate::helpers::{Backend, TestApp, TestUser, spawn_app, spawn_app_with};
use futures_util::{SinkExt, StreamExt};
use inkroom_core::element::{Element, ElementId, ElementKind, Props};
use inkroom_core::geom::{Rect, WorldPoint};
use inkroom_core::index::FracIndex;
use serde_json::{Value, json};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

type Stream =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A WebSocket client speaking the JSON protocol.
pub struct Ws {
    stream: Stream,
}

impl Ws {
    pub async fn connect(app: &TestApp, user: &TestUser) -> Ws {
        Ws::connect_to(&app.address, &user.client).await
    }

    /// Connects to the server at `base` as the user signed in on `http` (via a ticket).
    pub async fn connect_to(base: &str, http: &reqwest::Client) -> Ws {
        match Ws::try_connect_to(base, http).await {
            Ok(ws) => ws,
            Err(status) => panic!("websocket upgrade refused with {status}"),
        }
    }

    /// Like [`Ws::connect_to`], returning the HTTP status when the upgrade is refused.
    pub async fn try_connect_to(base: &str, http: &reqwest::Client) -> Result<Ws, u16> {
        let t: Value = http
            .post(format!("{base}/api/auth/ws-ticket"))
            .json(&json!({}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let url = format!(
            "{}/ws?ticket={}",
            base.replacen("http", "ws", 1),
            t["token"].as_str().expect("ticket")
        );
        match tokio_tungstenite::connect_async(url).await {
            Ok((stream, _)) => Ok(Ws { stream }),
            Err(tokio_tungstenite::tungstenite::Error::Http(r)) => Err(r.status().as_u16()),
            Err(e) => panic!("websocket upgrade failed: {e}"),
        }
    }

    pub async fn send(&mut self, v: Value) {
        self.send_text(&v.to_string()).await;
    }

    pub async fn send_text(&mut self, text: &str) {
        self.stream.send(Message::text(text)).await.expect("send");
    }

    /// The next JSON message (skipping pings), failing after 5 s.
    pub async fn recv(&mut self) -> Value {
        loop {
            let msg = tokio::time::timeout(Duration::from_secs(5), self.stream.next())
                .await
                .expect("no message within 5 s")
                .expect("connection closed")
                .expect("websocket error");
            match msg {
                Message::Text(t) => return serde_json::from_str(&t).expect("server sent JSON"),
                Message::Close(c) => panic!("closed by server: {c:?}"),
                _ => continue,
            }
        }
    }

    /// The close frame's code, if the server closes the socket within `wait` (other messages
    /// are skipped).
    pub async fn closed_within(&mut self, wait: Duration) -> Option<u16> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            match tokio::time::timeout_at(deadline, self.stream.next()).await {
                Ok(Some(Ok(Message::Close(frame)))) => {
                    return Some(frame.map_or(1005, |f| u16::from(f.code)));
                }
                Ok(Some(Ok(_))) => continue,
                Ok(Some(Err(_)) | None) => return Some(1006),
                Err(_) => return None,
            }
        }
    }

    /// The next message of type `ty`, skipping others (presence, cursors…).
    pub async fn recv_type(&mut self, ty: &str) -> Value {
        loop {
            let m = self.recv().await;
            if m["type"] == ty {
                return m;
            }
        }
    }

    /// Whether any message of type `ty` arrives within `wait`.
    pub async fn quiet_for(&mut self, ty: &str, wait: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + wait;
        while let Ok(Some(Ok(msg))) = tokio::time::timeout_at(deadline, self.stream.next()).await {
            if let Message::Text(t) = msg {
                let v: Value = serde_json::from_str(&t).unwrap();
                if v["type"] == ty {
                    return false;
                }
            }
        }
        true
    }

    /// Joins `room`; returns the first reply (`room_state`, `ops` or `error`).
    pub async fn join(&mut self, room: &str, client: u64, last_seq: Option<u64>) -> Value {
        self.send(
            json!({ "type": "join_room", "room": room, "client": client, "last_seq": last_seq }),
        )
        .await;
        loop {
            let m = self.recv().await;
            if matches!(m["type"].as_str(), Some("room_state" | "ops" | "error")) {
                return m;
            }
        }
    }
}

pub fn rectangle(x: f64) -> Value {
    let rect = Rect::from_corners(WorldPoint::new(x, 0.0), WorldPoint::new(x + 50.0, 40.0));
    let props = Props::new(
        ElementKind::Rectangle,
        rect,
        FracIndex::between(None, None).unwrap(),
    );
    let e = Element::new(
        ElementId::from_u128(uuid::Uuid::new_v4().as_u128()),
        props,
        1,
        0,
    )
    .unwrap();
    serde_json::to_value(e).unwrap()
}

pub fn draw(client_op: u64, element: &Value) -> Value {
    json!({ "type": "draw", "client_op": client_op, "element": element })
}

/// Ada owns a public room that Bob has joined; both are connected and in it.
pub async fn pair(app: &TestApp, room: &str) -> (String, Ws, Ws) {
    let (ada, bob) = (app.sign_up("Ada").await, app.sign_up("Bob").await);
    let created = app.create_room(&ada, room, false, None).await;
    let slug = created["slug"].as_str().unwrap().to_owned();
    app.call(&bob.client, "/api/rooms/join", json!({ "slug": slug }))
        .await;
    let (mut a, mut b) = (Ws::connect(app, &ada).await, Ws::connect(app, &bob).await);
    assert_eq!(a.join(&slug, 1, None).await["type"], "room_state");
    let state = b.join(&slug, 2, None).await;
    assert_eq!(
        (state["seq"].as_u64(), state["you"]["role"].as_str()),
        (Some(0), Some("editor"))
    );
    (slug, a, b)
}

async fn event_count(app: &TestApp) -> i64 {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM room_events")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    n
}

async fn a_draw_is_acknowledged_after_it_is_logged_and_reaches_everyone(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, mut a, mut b) = pair(&app, "Live").await;

    let rect = rectangle(10.0);
    a.send(draw(1, &rect)).await;
    let ack = a.recv_type("ack").await;
    assert_eq!(
        (ack["client_op"].as_u64(), ack["seq"].as_u64()),
        (Some(1), Some(1))
    );
    // Acknowledged means durable: the event is already in the log.
    assert_eq!(event_count(&app).await, 1);
    let ops = b.recv_type("ops").await;
    assert_eq!(ops["ops"][0]["seq"], 1);
    assert_eq!(ops["ops"][0]["op"]["element"]["id"], rect["id"]);
    app.stop().await;
}

async fn concurrent_edits_to_different_properties_both_survive(backend: Backend) {
    let app = spawn_app(backend).await;
    let (slug, mut a, mut b) = pair(&app, "Merge").await;
    let rect = rectangle(0.0);
    let id = rect["id"].clone();
    a.send(draw(1, &rect)).await;
    a.recv_type("ack").await;
    b.recv_type("ops").await;
    // Both edit the same shape at once, different properties.
    a.send(json!({ "type": "edit_shape", "client_op": 2, "id": id, "patch": { "x": 300 } }))
        .await;
    b.send(json!({ "type": "edit_shape", "client_op": 1, "id": id, "patch": { "strokeColor": "#e03131" } })).await;
    a.recv_type("ack").await;
    b.recv_type("ack").await;
    let carol = app.sign_up("Carol").await;
    let state = Ws::connect(&app, &carol).await.join(&slug, 3, None).await;
    let e = &state["elements"][0];
    assert_eq!(
        (e["x"].as_f64(), e["strokeColor"].as_str()),
        (Some(300.0), Some("#e03131"))
    );
    app.stop().await;
}

async fn a_reconnecting_client_gets_only_what_it_missed(backend: Backend) {
    let app = spawn_app(backend).await;
    let ada = app.sign_up("Ada").await;
    let room = app.create_room(&ada, "Resync", false, None).await;
    let slug = room["slug"].as_str().unwrap();
    let mut a = Ws::connect(&app, &ada).await;
    a.join(slug, 1, None).await;
    for n in 1..=3 {
        a.send(draw(n, &rectangle(n as f64))).await;
        a.recv_type("ack").await;
    }
    let mut again = Ws::connect(&app, &ada).await;
    let delta = again.join(slug, 1, Some(1)).await;
    assert_eq!(delta["type"], "ops");
    let seqs: Vec<u64> = delta["ops"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["seq"].as_u64().unwrap())
        .collect();
    assert_eq!(seqs, vec![2, 3]);
    // Re-sending an op that was already applied (its ack was lost) does not apply it twice.
    again.send(draw(3, &rectangle(99.0))).await;
    assert!(again.quiet_for("ack", Duration::from_millis(300)).await);
    assert_eq!(event_count(&app).await, 3);
    app.stop().await;
}

async fn erasing_twice_is_harmless(backend: Backend) {
    let app = spawn_app(backend).await;
    let ada = app.sign_up("Ada").await;
    let room = app.create_room(&ada, "Erase", false, None).await;
    let slug = room["slug"].as_str().unwrap();
    let mut a = Ws::connect(&app, &ada).await;
    a.join(slug, 1, None).await;
    let rect = rectangle(0.0);
    a.send(draw(1, &rect)).await;
    a.recv_type("ack").await;
    for n in 2..=3 {
        a.send(json!({ "type": "erase", "client_op": n, "id": rect["id"] }))
            .await;
        assert_eq!(a.recv_type("ack").await["client_op"], n);
    }
    // An edit racing the erase does not bring the shape back.
    a.send(json!({ "type": "edit_shape", "client_op": 4, "id": rect["id"], "patch": { "y": 5 } }))
        .await;
    a.recv_type("ack").await;
    let state = Ws::connect(&app, &ada).await.join(slug, 2, None).await;
    assert_eq!(state["elements"][0]["isDeleted"], true);
    app.stop().await;
}

async fn bad_frames_get_clear_errors_and_change_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let ada = app.sign_up("Ada").await;
    let room = app.create_room(&ada, "Bad", false, None).await;
    let slug = room["slug"].as_str().unwrap();
    let mut a = Ws::connect(&app, &ada).await;
    a.send(json!({ "type": "chat", "text": "hi" })).await;
    assert_eq!(a.recv().await["code"], "not_joined");
    a.join(slug, 1, None).await;
    a.send_text("{this is not json").await;
    assert_eq!(a.recv_type("error").await["code"], "malformed");
    a.send(json!({ "type": "teleport" })).await;
    assert_eq!(a.recv_type("error").await["code"], "malformed");
    a.send_text(&format!(
        r#"{{"type":"chat","text":"{}"}}"#,
        "x".repeat(1_500_000)
    ))
    .await;
    assert_eq!(a.recv_type("error").await["code"], "too_large");
    let mut far = rectangle(0.0);
    far["x"] = json!(1e300);
    a.send(draw(1, &far)).await;
    assert_eq!(a.recv_type("rejected").await["code"], "invalid_op");
    a.send(json!({ "type": "edit_shape", "client_op": 2, "id": ElementId::from_u128(uuid::Uuid::new_v4().as_u128()), "patch": { "x": 1 } })).await;
    assert_eq!(a.recv_type("rejected").await["code"], "invalid_op");
    // The connection survived all of that.
    a.send(json!({ "type": "get_participant_count" })).await;
    assert_eq!(a.recv_type("participant_count").await["count"], 1);
    assert_eq!(event_count(&app).await, 0);
    app.stop().await;
}

async fn chat_is_stored_broadcast_and_paged(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, mut a, mut b) = pair(&app, "Chatty").await;
    for n in 1..=3 {
        a.send(json!({ "type": "chat", "text": format!("message {n}") }))
            .await;
        let got = b.recv_type("chat").await;
        assert_eq!(
            (
                got["message"]["text"].as_str(),
                got["message"]["name"].as_str()
            ),
            (Some(&*format!("message {n}")), Some("Ada"))
        );
    }
    b.send(json!({ "type": "chat_history", "limit": 2 })).await;
    let page = b.recv_type("chat_history").await;
    let texts: Vec<_> = page["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].clone())
        .collect();
    assert_eq!(texts, vec![json!("message 3"), json!("message 2")]);
    b.send(json!({ "type": "chat_history", "before": page["next_before"], "limit": 2 }))
        .await;
    let older = b.recv_type("chat_history").await;
    assert_eq!(older["messages"][0]["text"], "message 1");
    assert_eq!(older["next_before"], Value::Null);
    a.send(json!({ "type": "chat", "text": "   " })).await;
    assert_eq!(a.recv_type("error").await["code"], "malformed");
    app.stop().await;
}

/// The access table for WebSocket messages: what each role may send in a room.
async fn every_message_type_is_authorised_by_role(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.sign_up("Owner").await;
    let room = app.create_room(&owner, "Secret", true, None).await;
    let slug = room["slug"].as_str().unwrap();
    let (_, link) = app
        .call(
            &owner.client,
            "/api/rooms/share-links/create",
            json!({ "slug": slug, "role": "viewer" }),
        )
        .await;
    let viewer = app.sign_up("Viewer").await;
    app.call(
        &viewer.client,
        "/api/rooms/join-link",
        json!({ "token": link["token"] }),
    )
    .await;
    let outsider = app.sign_up("Outsider").await;

    // Anonymous: no upgrade at all.
    let url = format!("{}/ws", app.address.replacen("http", "ws", 1));
    let err = tokio_tungstenite::connect_async(url)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("401"), "{err}");
    // A non-member of a private room: as if it did not exist.
    let mut o = Ws::connect(&app, &outsider).await;
    assert_eq!(o.join(slug, 9, None).await["code"], "unknown_room");

    let mut v = Ws::connect(&app, &viewer).await;
    assert_eq!(v.join(slug, 3, None).await["you"]["role"], "viewer");
    let mut w = Ws::connect(&app, &owner).await;
    w.join(slug, 4, None).await;
    let rect = rectangle(0.0);
    w.send(draw(1, &rect)).await;
    w.recv_type("ack").await;

    let writes = [
        draw(1, &rectangle(5.0)),
        json!({ "type": "edit_shape", "client_op": 2, "id": rect["id"], "patch": { "x": 9 } }),
        json!({ "type": "erase", "client_op": 3, "id": rect["id"] }),
    ];
    for m in &writes {
        v.send(m.clone()).await;
        assert_eq!(
            v.recv_type("rejected").await["code"],
            "forbidden",
            "viewer sent {m}"
        );
    }
    v.send(json!({ "type": "chat", "text": "hello" })).await;
    assert_eq!(v.recv_type("error").await["code"], "forbidden");
    // What viewers may do.
    v.send(json!({ "type": "cursor_update", "x": 1, "y": 2 }))
        .await;
    assert_eq!(w.recv_type("cursor").await["user_id"], viewer.id.as_str());
    v.send(json!({ "type": "user_activity", "activity": "idle" }))
        .await;
    assert_eq!(w.recv_type("user_activity").await["activity"], "idle");
    v.send(json!({ "type": "get_participant_count" })).await;
    assert_eq!(v.recv_type("participant_count").await["count"], 2);
    v.send(json!({ "type": "chat_history", "limit": 10 })).await;
    v.recv_type("chat_history").await;
    // The owner (and editors) may do everything.
    for (n, m) in writes.iter().enumerate() {
        let mut m = m.clone();
        m["client_op"] = json!(n + 2);
        w.send(m).await;
        w.recv_type("ack").await;
    }
    w.send(json!({ "type": "chat", "text": "owner here" }))
        .await;
    w.recv_type("chat").await;
    assert_eq!(
        event_count(&app).await,
        4,
        "the viewer's writes changed nothing"
    );
    app.stop().await;
}

both_backends!(
    a_draw_is_acknowledged_after_it_is_logged_and_reaches_everyone,
    concurrent_edits_to_different_properties_both_survive,
    a_reconnecting_client_gets_only_what_it_missed,
    erasing_twice_is_harmless,
    bad_frames_get_clear_errors_and_change_nothing,
    chat_is_stored_broadcast_and_paged,
    every_message_type_is_authorised_by_role,
);

/// Ada, Bob and Cy in Ada's public room, each connected and joined; returns the users and their
/// sockets in that order.
async fn trio(app: &TestApp) -> ([TestUser; 3], [Ws; 3]) {
    let users = [
        app.sign_up("Ada").await,
        app.sign_up("Bob").await,
        app.sign_up("Cy").await,
    ];
    let created = app.create_room(&users[0], "Trio", false, None).await;
    let slug = created["slug"].as_str().unwrap().to_owned();
    let mut sockets = Vec::new();
    for (n, u) in users.iter().enumerate() {
        if n > 0 {
            app.call(&u.client, "/api/rooms/join", json!({ "slug": slug }))
                .await;
        }
        let mut ws = Ws::connect(app, u).await;
        assert_eq!(
            ws.join(&slug, n as u64 + 1, None).await["type"],
            "room_state"
        );
        sockets.push(ws);
    }
    let Ok(sockets) = <[Ws; 3]>::try_from(sockets) else {
        unreachable!("three sockets")
    };
    (users, sockets)
}

/// Cursor moves arrive one by one when the room is idle and batched when they arrive together;
/// either way every move reaches every other member, in order, and none is lost to batching.
#[tokio::test]
async fn every_cursor_move_arrives_alone_or_batched() {
    let app = spawn_app(Backend::Sqlite).await;
    let (users, [mut a, mut b, mut c]) = trio(&app).await;
    // Within a connection's burst of presence messages (docs/limits.md): past it, moves are
    // dropped by design.
    const MOVES: usize = 200;
    for i in 0..MOVES {
        let m = json!({ "type": "cursor_update", "x": i, "y": 0 });
        b.send(m.clone()).await;
        c.send(m).await;
    }
    let mut seen: std::collections::HashMap<String, Vec<f64>> = Default::default();
    let (mut singles, mut batches) = (0, 0);
    while seen.values().map(Vec::len).sum::<usize>() < 2 * MOVES {
        let m = a.recv().await;
        let entries = match m["type"].as_str() {
            Some("cursor") => {
                singles += 1;
                vec![m]
            }
            Some("cursors") => {
                batches += 1;
                m["cursors"].as_array().unwrap().clone()
            }
            _ => continue,
        };
        for e in entries {
            let who = e["user_id"].as_str().unwrap().to_owned();
            assert_ne!(
                who, users[0].id,
                "a lone move never goes back to its sender"
            );
            seen.entry(who).or_default().push(e["x"].as_f64().unwrap());
        }
    }
    let expected: Vec<f64> = (0..MOVES).map(|i| i as f64).collect();
    assert_eq!(
        seen[&users[1].id], expected,
        "Bob's moves, all and in order"
    );
    assert_eq!(seen[&users[2].id], expected, "Cy's moves, all and in order");
    assert!(singles + batches > 0);
    // Nothing is stored.
    assert_eq!(event_count(&app).await, 0);
    app.stop().await;
}

/// Following: the follower gets the followed user's viewport (the latest at once, then every
/// change), the followed user learns who follows them, nobody else gets viewports, and bad
/// follows and viewports are refused.
#[tokio::test]
async fn a_follower_sees_the_followed_viewport_and_nobody_else_does() {
    let app = spawn_app(Backend::Sqlite).await;
    let ([ada, bob, cy], [mut a, mut b, mut c]) = trio(&app).await;
    let view = |x: f64| json!({ "x": x, "y": -20.0, "width": 1280.0, "height": 720.0 });
    // Reported before anyone follows: relayed to nobody, but remembered.
    a.send(json!({ "type": "viewport_update", "view": view(10.0) }))
        .await;
    assert!(b.quiet_for("viewport", Duration::from_millis(300)).await);

    b.send(json!({ "type": "follow", "user_id": ada.id })).await;
    assert_eq!(
        a.recv_type("followers").await["user_ids"],
        json!([bob.id.clone()])
    );
    let first = b.recv_type("viewport").await;
    assert_eq!(
        (first["user_id"].as_str(), &first["view"]),
        (Some(ada.id.as_str()), &view(10.0))
    );

    a.send(json!({ "type": "viewport_update", "view": view(99.5) }))
        .await;
    assert_eq!(b.recv_type("viewport").await["view"], view(99.5));
    assert!(
        c.quiet_for("viewport", Duration::from_millis(300)).await,
        "Cy follows nobody"
    );

    // Refused: someone not in the room, oneself, and viewports that are not finite and sized.
    c.send(json!({ "type": "follow", "user_id": "nobody" }))
        .await;
    assert_eq!(c.recv_type("error").await["code"], "malformed");
    c.send(json!({ "type": "follow", "user_id": cy.id })).await;
    assert_eq!(c.recv_type("error").await["code"], "malformed");
    a.send(
        json!({ "type": "viewport_update", "view": { "x": 0, "y": 0, "width": 0, "height": 5 } }),
    )
    .await;
    assert_eq!(a.recv_type("error").await["code"], "malformed");
    a.send_text(r#"{"type":"viewport_update","view":{"x":0,"y":0,"width":1e400,"height":5}}"#)
        .await;
    assert_eq!(a.recv_type("error").await["code"], "malformed");

    // Stopping tells the followed user; further viewports go nowhere.
    b.send(json!({ "type": "follow", "user_id": null })).await;
    assert_eq!(a.recv_type("followers").await["user_ids"], json!([]));
    a.send(json!({ "type": "viewport_update", "view": view(5.0) }))
        .await;
    assert!(b.quiet_for("viewport", Duration::from_millis(300)).await);

    // Two followers are listed once each, sorted; a follower leaving updates the list.
    b.send(json!({ "type": "follow", "user_id": ada.id })).await;
    a.recv_type("followers").await;
    c.send(json!({ "type": "follow", "user_id": ada.id })).await;
    let mut both = vec![bob.id.clone(), cy.id.clone()];
    both.sort();
    assert_eq!(a.recv_type("followers").await["user_ids"], json!(both));
    drop(c);
    assert_eq!(
        a.recv_type("followers").await["user_ids"],
        json!([bob.id.clone()])
    );
    app.stop().await;
}

/// How the server is stopped in the middle of a burst of writes.
#[derive(Clone, Copy, PartialEq)]
enum Stop {
    /// SIGKILL: no chance to flush anything.
    Kill,
    /// SIGTERM: a graceful shutdown, which must write everything it accepted.
    Term,
}

#[tokio::test]
async fn a_killed_server_keeps_every_acknowledged_change() {
    stop_during_a_burst(Stop::Kill).await;
}

#[tokio::test]
async fn a_graceful_shutdown_writes_everything_it_accepted() {
    stop_during_a_burst(Stop::Term).await;
}

async fn stop_during_a_burst(stop: Stop) {
    use crate::helpers::{ServerProcess, TestDb, new_client};
    let db = TestDb::new(Backend::Sqlite).await;
    let server = ServerProcess::start(db.url()).await;
    let http = new_client();
    let post =
        |base: &str, path: &str, body: Value| http.post(format!("{base}{path}")).json(&body).send();
    post(
        &server.base,
        "/api/auth/sign-up",
        json!({ "email": "k@example.com", "display_name": "K", "password": "long enough" }),
    )
    .await
    .unwrap();
    let room: Value = post(
        &server.base,
        "/api/rooms/create",
        json!({ "name": "Crash", "is_private": false }),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let slug = room["slug"].as_str().unwrap().to_owned();
    let mut ws = Ws::connect_to(&server.base, &http).await;
    ws.join(&slug, 7, None).await;

    // A burst of 400 shapes, sent without waiting; the server is stopped after 100 acks.
    let mut ids = Vec::new();
    for n in 1..=400u64 {
        let rect = rectangle(n as f64);
        ids.push(rect["id"].clone());
        ws.send(draw(n, &rect)).await;
    }
    let mut acked = Vec::new();
    let mut server = Some(server);
    loop {
        let next = tokio::time::timeout(Duration::from_secs(5), ws.stream.next()).await;
        match next {
            Ok(Some(Ok(Message::Text(t)))) => {
                let v: Value = serde_json::from_str(&t).unwrap();
                if v["type"] == "ack" {
                    acked.push(v["client_op"].as_u64().unwrap());
                    if acked.len() == 100 {
                        let mut s = server.take().expect("stopped once");
                        if stop == Stop::Term {
                            s.terminate();
                        }
                        drop(s); // SIGKILL (a no-op after a clean exit)
                    }
                }
            }
            Ok(Some(Ok(_))) => {}
            _ => break, // the connection died with the process
        }
    }
    assert!(
        acked.len() >= 100,
        "only {} acks before the kill",
        acked.len()
    );

    let restarted = ServerProcess::start(db.url()).await;
    let http2 = new_client();
    http2
        .post(format!("{}/api/auth/sign-in", restarted.base))
        .json(&json!({ "email": "k@example.com", "password": "long enough" }))
        .send()
        .await
        .unwrap();
    let mut ws = Ws::connect_to(&restarted.base, &http2).await;
    let state = ws.join(&slug, 8, None).await;
    let present: std::collections::HashSet<String> = state["elements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect();
    for op in &acked {
        let id = ids[*op as usize - 1].as_str().unwrap();
        assert!(present.contains(id), "acknowledged op {op} was lost");
    }
    assert!(state["seq"].as_u64().unwrap() >= acked.len() as u64);
    if stop == Stop::Term {
        // Everything the server sequenced was written: the ops present are exactly the first
        // `seq` of the burst (ops arrive in order on one socket), with no gap.
        let seq = state["seq"].as_u64().unwrap() as usize;
        assert_eq!(present.len(), seq);
        for (n, id) in ids.iter().enumerate().take(seq) {
            assert!(
                present.contains(id.as_str().unwrap()),
                "accepted op {} missing",
                n + 1
            );
        }
    }
}

#[tokio::test]
async fn the_upgrade_accepts_the_browser_session_cookie() {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let app = spawn_app(Backend::Sqlite).await;
    let browser = crate::helpers::new_client();
    let res = browser
        .post(app.url("/api/auth/sign-up"))
        .json(&json!({ "email": "cookie@example.com", "display_name": "Cookie", "password": "long enough" }))
        .send()
        .await
        .unwrap();
    let cookie = res.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let (_, room) = app
        .call(
            &browser,
            "/api/rooms/create",
            json!({ "name": "Jar", "is_private": true }),
        )
        .await;
    let mut request = format!("{}/ws", app.address.replacen("http", "ws", 1))
        .into_client_request()
        .unwrap();
    request
        .headers_mut()
        .insert("cookie", cookie.parse().unwrap());
    let (stream, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("cookie upgrade");
    let mut ws = Ws { stream };
    let state = ws.join(room["slug"].as_str().unwrap(), 5, None).await;
    assert_eq!(state["you"]["role"], "owner");
    // A ticket that is not a WebSocket ticket is refused.
    let url = format!(
        "{}/ws?ticket=not-a-ticket",
        app.address.replacen("http", "ws", 1)
    );
    assert!(
        tokio_tungstenite::connect_async(url)
            .await
            .unwrap_err()
            .to_string()
            .contains("401")
    );
    app.stop().await;
}

/// Past the connection cap the upgrade is refused with 503; a closed connection gives its place
/// back (the connection task holds its place until it ends).
#[tokio::test]
async fn the_connection_cap_refuses_extra_sockets_and_frees_closed_ones() {
    let app = spawn_app_with(Backend::Sqlite, |a| a.max_connections = 2).await;
    let (_slug, a, _b) = pair(&app, "Capped").await;
    let cy = app.sign_up("Cy").await;
    assert_eq!(
        Ws::try_connect_to(&app.address, &cy.client).await.err(),
        Some(503)
    );
    drop(a);
    let mut freed = false;
    for _ in 0..50 {
        match Ws::try_connect_to(&app.address, &cy.client).await {
            Ok(_) => {
                freed = true;
                break;
            }
            Err(503) => tokio::time::sleep(Duration::from_millis(100)).await,
            Err(status) => panic!("unexpected {status}"),
        }
    }
    assert!(freed, "the closed connection's place never came back");
}
