//! Drawing challenges over HTTP, on both databases: scheduling at day, week and month boundaries
//! with a test clock, the catalogue import, submissions (rendered by the server, replaceable
//! until the challenge closes), likes under concurrency, privacy, admin-only operations and
//! remixes.

use crate::both_backends;
use crate::helpers::{Backend, TestApp, TestUser, spawn_app, spawn_app_with};
use crate::realtime::{Ws, draw, rectangle};
use app::challenges::{catalogue, db as challenges_db};
use app::ssr::clock::Clock;
use inkroom_core::challenge::Date;
use serde_json::{Value, json};

fn ms(date: &str) -> i64 {
    Date::parse(date).expect("date").start_ms()
}

/// A catalogue of two categories and a few prompts of each kind from `starts`.
fn small_catalogue(starts: &str) -> String {
    let mut text = format!(
        "[season]\nstarts = \"{starts}\"\n\n\
         [[category]]\nslug = \"creatures\"\nname = \"Animals\"\ndescription = \"Animals.\"\ncolor = \"#2f9e44\"\nicon = \"paw\"\n\n\
         [[category]]\nslug = \"places\"\nname = \"Places\"\ndescription = \"Places.\"\ncolor = \"#1971c2\"\nicon = \"building\"\n\n"
    );
    for kind in ["daily", "weekly", "monthly"] {
        for n in 1..=3 {
            text.push_str(&format!(
                "[[{kind}]]\ntitle = \"{kind} {n}\"\nprompt = \"Draw {kind} thing number {n}.\"\n\
                 category = \"creatures\"\ndifficulty = \"beginner\"\ntags = [\"t{n}\"]\n\n"
            ));
        }
    }
    text
}

/// Imports `text` into the app's database.
async fn import(app: &TestApp, text: &str) -> catalogue::Imported {
    let c = catalogue::parse(text).expect("catalogue parses");
    catalogue::import(&app.db, &c).await.expect("import")
}

/// Rows in `table` (a fixed name).
async fn count(app: &TestApp, table: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    n
}

/// A server whose clock the test holds.
async fn app_at(backend: Backend, now: i64) -> (TestApp, Clock) {
    let clock = Clock::manual(now);
    let c = clock.clone();
    let app = spawn_app_with(backend, move |args| args.clock = c).await;
    (app, clock)
}

fn titles(list: &Value) -> Vec<String> {
    list.as_array()
        .expect("a list")
        .iter()
        .map(|c| c["title"].as_str().unwrap().to_owned())
        .collect()
}

/// Opens `user`'s board for `slug`, draws `n` rectangles on it; returns the room slug.
async fn board_with_drawing(app: &TestApp, user: &TestUser, slug: &str, n: usize) -> String {
    let (s, room) = app
        .call(
            &user.client,
            "/api/challenges/start",
            json!({ "slug": slug }),
        )
        .await;
    assert_eq!(s, 200, "{room}");
    let room = room["slug"].as_str().unwrap().to_owned();
    let mut ws = Ws::connect(app, user).await;
    ws.join(&room, 7, None).await;
    for i in 0..n {
        ws.send(draw(i as u64 + 1, &rectangle(i as f64 * 60.0)))
            .await;
        ws.recv_type("ack").await;
    }
    room
}

async fn submit(app: &TestApp, user: &TestUser, room: &str, title: &str) -> (u16, Value) {
    app.call(
        &user.client,
        "/api/challenges/submit",
        json!({ "room": room, "title": title, "is_public": true }),
    )
    .await
}

async fn scheduling_follows_utc_day_week_and_month_boundaries(backend: Backend) {
    // 2027-01-31 is a Sunday: one millisecond before midnight, a day, a week and a month end.
    let (app, clock) = app_at(backend, ms("2027-02-01") - 1).await;
    let done = import(&app, &small_catalogue("2027-01-30")).await;
    assert_eq!(done.challenges, [3, 3, 3]);

    let (s, o) = app
        .call(&app.client, "/api/challenges/overview", json!({}))
        .await;
    assert_eq!(s, 200, "{o}");
    // Daily from Jan 30 (#1), Jan 31 (#2); weekly from the week of Jan 25 (#1); monthly January.
    assert_eq!(titles(&o["current"]), ["daily 2", "weekly 1", "monthly 1"]);
    assert_eq!(o["current"][0]["status"], "open");

    // Midnight UTC: all three close at once and their successors open; nothing ran to do it.
    clock.set(ms("2027-02-01"));
    let (_, o) = app
        .call(&app.client, "/api/challenges/overview", json!({}))
        .await;
    assert_eq!(titles(&o["current"]), ["daily 3", "weekly 2", "monthly 2"]);
    let past = titles(&o["past"]);
    for closed in ["daily 2", "weekly 1", "monthly 1", "daily 1"] {
        assert!(
            past.contains(&closed.to_owned()),
            "{closed} not in {past:?}"
        );
    }
    assert_eq!(titles(&o["upcoming"]), ["weekly 3", "monthly 3"]);
    let (_, page) = app
        .call(
            &app.client,
            "/api/challenges/list",
            json!({ "status": "past", "kind": "daily", "limit": 1 }),
        )
        .await;
    assert_eq!(titles(&page["challenges"]), ["daily 2"]);
    let (_, page) = app
        .call(
            &app.client,
            "/api/challenges/list",
            json!({ "status": "past", "kind": "daily", "limit": 1, "before": page["next"] }),
        )
        .await;
    assert_eq!(titles(&page["challenges"]), ["daily 1"]);

    // A restarted server on the same database gives the same answer (no state but the clock).
    let second_clock = Clock::manual(ms("2027-02-01") + 5);
    let (base, stop) =
        crate::helpers::spawn_app_sharing_with(&app, |a| a.clock = second_clock).await;
    let o2: Value = app
        .client
        .post(format!("{base}/api/challenges/overview"))
        .header("accept", "application/json")
        .json(&json!({}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(titles(&o2["current"]), ["daily 3", "weekly 2", "monthly 2"]);
    let _ = stop.send(());

    // Importing again changes nothing; a damaged catalogue changes nothing either.
    import(&app, &small_catalogue("2027-01-30")).await;
    assert_eq!(count(&app, "challenges").await, 9);
    let bad = small_catalogue("2027-01-30").replace(
        "difficulty = \"beginner\"\ntags = [\"t3\"]",
        "difficulty = \"impossible\"\ntags = [\"t3\"]",
    );
    let err = catalogue::import(&app.db, &catalogue::parse(&bad).unwrap())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("difficulty"), "{err}");
    assert_eq!(count(&app, "challenges").await, 9);
    app.stop().await;
}

async fn submissions_are_rendered_replaceable_until_close_and_final_after(backend: Backend) {
    let (app, clock) = app_at(backend, ms("2027-03-10") + 3_600_000).await;
    import(&app, &small_catalogue("2027-03-10")).await;
    let slug = "daily-2027-03-10";
    let ada = app.sign_up("Ada").await;

    // Nothing drawn yet: a clear error, nothing stored.
    let (s, room) = app
        .call(
            &ada.client,
            "/api/challenges/start",
            json!({ "slug": slug }),
        )
        .await;
    assert_eq!(s, 200, "{room}");
    let room = room["slug"].as_str().unwrap().to_owned();
    let (s, body) = submit(&app, &ada, &room, "Empty").await;
    assert_eq!(
        (s, body["field"].as_str()),
        (422, Some("element_ids")),
        "{body}"
    );

    // Opening it again gives the same board.
    let (_, again) = app
        .call(
            &ada.client,
            "/api/challenges/start",
            json!({ "slug": slug }),
        )
        .await;
    assert_eq!(again["slug"], room.as_str());
    let room = board_with_drawing(&app, &ada, slug, 3).await;

    // Bad titles: a clear error, nothing stored.
    for title in ["", "   "] {
        let (s, body) = submit(&app, &ada, &room, title).await;
        assert_eq!((s, body["field"].as_str()), (422, Some("title")), "{body}");
    }
    let (s, _) = submit(&app, &ada, &room, &"x".repeat(10 << 20)).await;
    assert!((400..500).contains(&s), "a 10 MB title answered {s}");
    assert_eq!(count(&app, "challenge_submissions").await, 0);

    // The submission: a PNG the server drew, and the scene.
    let (s, card) = submit(&app, &ada, &room, "Three boxes").await;
    assert_eq!(s, 200, "{card}");
    let id = card["id"].as_str().unwrap().to_owned();
    let image = app.get(card["image"].as_str().unwrap()).await;
    assert_eq!(image.status(), 200);
    assert_eq!(
        image.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    let png = tiny_skia::Pixmap::decode_png(&image.bytes().await.unwrap()).expect("a PNG");
    assert!(
        png.width() > png.height(),
        "three boxes side by side: {}x{}",
        png.width(),
        png.height()
    );
    let thumb = app.get(card["thumbnail"].as_str().unwrap()).await;
    let thumb = tiny_skia::Pixmap::decode_png(&thumb.bytes().await.unwrap()).expect("a PNG");
    assert!(thumb.width() <= 480 && thumb.height() <= 360);

    // Replaced while open: same id, new images, old image URL gone.
    let (s, card2) = submit(&app, &ada, &room, "Three boxes, again").await;
    assert_eq!(s, 200, "{card2}");
    assert_eq!(card2["id"], id.as_str());
    assert_ne!(card2["image"], card["image"]);
    assert_eq!(app.get(card["image"].as_str().unwrap()).await.status(), 404);
    let (_, details) = app
        .call(
            &ada.client,
            "/api/challenges/submission",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(details["card"]["title"], "Three boxes, again");
    assert_eq!(details["element_count"], 3);

    // Closed at midnight UTC: no more submissions, the old one stays.
    clock.set(ms("2027-03-11"));
    let (s, body) = submit(&app, &ada, &room, "Too late").await;
    assert_eq!(s, 422, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("closed"),
        "{body}"
    );
    let bob = app.sign_up("Bob").await;
    let (s, _) = app
        .call(
            &bob.client,
            "/api/challenges/start",
            json!({ "slug": slug }),
        )
        .await;
    assert_eq!(s, 422, "a closed challenge opens no new boards");
    let (_, details) = app
        .call(
            &ada.client,
            "/api/challenges/submission",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(details["card"]["title"], "Three boxes, again");

    // Unknown challenges and boards not linked to one.
    let (s, _) = app
        .call(
            &bob.client,
            "/api/challenges/start",
            json!({ "slug": "daily-1999-01-01" }),
        )
        .await;
    assert_eq!(s, 404);
    let plain = app.create_room(&bob, "Plain", true, None).await;
    let (s, body) = submit(&app, &bob, plain["slug"].as_str().unwrap(), "Nope").await;
    assert_eq!((s, body["field"].as_str()), (422, Some("room")), "{body}");
    app.stop().await;
}

async fn a_hundred_concurrent_likes_count_exactly_a_hundred(backend: Backend) {
    let (app, _clock) = app_at(backend, ms("2027-04-02") + 1000).await;
    import(&app, &small_catalogue("2027-04-01")).await;
    let ada = app.sign_up("Ada").await;
    let room = board_with_drawing(&app, &ada, "daily-2027-04-02", 1).await;
    let (_, card) = submit(&app, &ada, &room, "Liked").await;
    let id = card["id"].as_str().unwrap().to_owned();

    let mut fans = Vec::new();
    for chunk in 0..5 {
        let names: Vec<String> = (0..20).map(|i| format!("Fan{chunk}x{i}")).collect();
        let batch = futures_util::future::join_all(names.iter().map(|n| app.sign_up(n))).await;
        fans.extend(batch);
    }
    let likes = futures_util::future::join_all(fans.iter().map(|f| {
        app.call(
            &f.client,
            "/api/challenges/like",
            json!({ "id": id, "like": true }),
        )
    }))
    .await;
    assert!(likes.iter().all(|(s, _)| *s == 200), "{likes:?}");
    let (_, details) = app
        .call(
            &ada.client,
            "/api/challenges/submission",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(details["card"]["likes"], 100);

    // Liking twice counts once; unliking takes one off; the caller's own flag follows.
    let (_, l) = app
        .call(
            &fans[0].client,
            "/api/challenges/like",
            json!({ "id": id, "like": true }),
        )
        .await;
    assert_eq!(l, json!({ "liked": true, "likes": 100 }));
    let (_, l) = app
        .call(
            &fans[0].client,
            "/api/challenges/like",
            json!({ "id": id, "like": false }),
        )
        .await;
    assert_eq!(l, json!({ "liked": false, "likes": 99 }));
    let (_, l) = app
        .call(
            &fans[0].client,
            "/api/challenges/like",
            json!({ "id": id, "like": false }),
        )
        .await;
    assert_eq!(l["likes"], 99);

    // The gallery's orders: the liked one is top and hot.
    let bob = app.sign_up("Bob").await;
    let room = board_with_drawing(&app, &bob, "daily-2027-04-02", 1).await;
    submit(&app, &bob, &room, "Newer").await;
    for (sort, first) in [("new", "Newer"), ("top", "Liked"), ("hot", "Liked")] {
        let (_, g) = app
            .call(
                &app.client,
                "/api/challenges/submissions",
                json!({ "challenge": "daily-2027-04-02", "sort": sort, "limit": 10 }),
            )
            .await;
        assert_eq!(g["submissions"][0]["title"], first, "{sort}: {g}");
    }
    app.stop().await;
}

async fn private_submissions_never_reach_others(backend: Backend) {
    let (app, _clock) = app_at(backend, ms("2027-05-05") + 1000).await;
    import(&app, &small_catalogue("2027-05-05")).await;
    let ada = app.sign_up("Ada").await;
    let bob = app.sign_up("Bob").await;
    let room = board_with_drawing(&app, &ada, "daily-2027-05-05", 2).await;
    let (s, card) = app
        .call(
            &ada.client,
            "/api/challenges/submit",
            json!({ "room": room, "title": "Secret", "is_public": false }),
        )
        .await;
    assert_eq!(s, 200, "{card}");
    let id = card["id"].as_str().unwrap();

    // Its author sees it, with a private cache header.
    let own = ada
        .client
        .get(app.url(card["image"].as_str().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(own.status(), 200);
    assert_eq!(own.headers()["cache-control"], "private, max-age=3600");
    let (_, mine) = app
        .call(&ada.client, "/api/challenges/mine", json!({}))
        .await;
    assert_eq!(mine[0]["title"], "Secret");

    // Nobody else does: not in the gallery, the profile, the page, the image, likes or remixes.
    let (_, g) = app
        .call(
            &bob.client,
            "/api/challenges/submissions",
            json!({ "challenge": "daily-2027-05-05", "limit": 10 }),
        )
        .await;
    assert_eq!(g["submissions"], json!([]));
    let (_, p) = app
        .call(
            &bob.client,
            "/api/challenges/profile",
            json!({ "user_id": ada.id }),
        )
        .await;
    assert_eq!(p["submissions"], json!([]));
    for path in ["/api/challenges/submission", "/api/challenges/remix"] {
        let (s, _) = app.call(&bob.client, path, json!({ "id": id })).await;
        assert_eq!(s, 404, "{path}");
    }
    let (s, _) = app
        .call(
            &bob.client,
            "/api/challenges/like",
            json!({ "id": id, "like": true }),
        )
        .await;
    assert_eq!(s, 404);
    let img = bob
        .client
        .get(app.url(card["image"].as_str().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(img.status(), 404);
    // Its author cannot like it either: private drawings have no likes.
    let (s, _) = app
        .call(
            &ada.client,
            "/api/challenges/like",
            json!({ "id": id, "like": true }),
        )
        .await;
    assert_eq!(s, 422);
    let (s, _) = app
        .call(
            &app.client,
            "/api/challenges/like",
            json!({ "id": "no-such-id", "like": true }),
        )
        .await;
    assert_eq!(s, 401, "signed out");
    let (s, _) = app
        .call(
            &bob.client,
            "/api/challenges/like",
            json!({ "id": "no-such-id", "like": true }),
        )
        .await;
    assert_eq!(s, 404);
    app.stop().await;
}

async fn only_admins_manage_challenges(backend: Backend) {
    let (app, _clock) = app_at(backend, ms("2027-06-01") + 1000).await;
    import(&app, &small_catalogue("2027-06-01")).await;
    let admin = app.sign_up("Admin").await;
    let user = app.sign_up("User").await;
    let new_challenge = json!({
        "title": "Harbour at Night", "prompt": "Draw boats under the harbour lights.",
        "description": "Reflections make it.", "category": "places", "difficulty": "intermediate",
        "kind": "daily", "starts_on": "2027-06-20", "tags": "sea, night"
    });
    let (s, _) = app
        .call(
            &user.client,
            "/api/challenges/admin/save",
            new_challenge.clone(),
        )
        .await;
    assert_eq!(s, 403);

    // Granted (as `inkroom admin grant` does), the same call works; revoked, it stops at once.
    assert!(
        challenges_db::set_admin(app.db.pool(), &admin.email, true)
            .await
            .unwrap()
    );
    let (s, created) = app
        .call(
            &admin.client,
            "/api/challenges/admin/save",
            new_challenge.clone(),
        )
        .await;
    assert_eq!(s, 200, "{created}");
    assert_eq!(created["slug"], "daily-2027-06-20");
    assert_eq!(created["status"], "upcoming");
    assert_eq!(created["tags"], json!(["sea", "night"]));
    let (_, up) = app
        .call(
            &user.client,
            "/api/challenges/list",
            json!({ "status": "upcoming", "kind": "daily", "limit": 48 }),
        )
        .await;
    assert!(titles(&up["challenges"]).contains(&"Harbour at Night".to_owned()));

    // A second daily for the same day is refused; editing the first works.
    let (s, body) = app
        .call(
            &admin.client,
            "/api/challenges/admin/save",
            new_challenge.clone(),
        )
        .await;
    assert_eq!(s, 409, "{body}");
    let mut edit = new_challenge.clone();
    edit["slug"] = json!("daily-2027-06-20");
    edit["title"] = json!("Harbour Lights");
    let (s, edited) = app
        .call(&admin.client, "/api/challenges/admin/save", edit)
        .await;
    assert_eq!(
        (s, &edited["title"]),
        (200, &json!("Harbour Lights")),
        "{edited}"
    );

    // Categories, retiring, and removing others' submissions: admins only.
    let category = json!({ "slug": "machines", "name": "Machines", "description": "Gears.", "color": "#495057", "icon": "cube" });
    let (s, _) = app
        .call(
            &user.client,
            "/api/challenges/admin/category",
            category.clone(),
        )
        .await;
    assert_eq!(s, 403);
    let (s, _) = app
        .call(&admin.client, "/api/challenges/admin/category", category)
        .await;
    assert_eq!(s, 200);
    let (s, _) = app
        .call(
            &user.client,
            "/api/challenges/admin/retire",
            json!({ "slug": "daily-2027-06-20", "active": false }),
        )
        .await;
    assert_eq!(s, 403);
    let (s, _) = app
        .call(
            &admin.client,
            "/api/challenges/admin/retire",
            json!({ "slug": "daily-2027-06-20", "active": false }),
        )
        .await;
    assert_eq!(s, 200);
    let (s, _) = app
        .call(
            &user.client,
            "/api/challenges/get",
            json!({ "slug": "daily-2027-06-20" }),
        )
        .await;
    assert_eq!(s, 404, "retired challenges are hidden");
    let (s, _) = app
        .call(
            &admin.client,
            "/api/challenges/get",
            json!({ "slug": "daily-2027-06-20" }),
        )
        .await;
    assert_eq!(s, 200, "but not from admins");

    let room = board_with_drawing(&app, &user, "daily-2027-06-01", 1).await;
    let (_, card) = submit(&app, &user, &room, "Mine").await;
    let other = app.sign_up("Other").await;
    let (s, _) = app
        .call(
            &other.client,
            "/api/challenges/delete-submission",
            json!({ "id": card["id"] }),
        )
        .await;
    assert_eq!(s, 403);
    let (s, _) = app
        .call(
            &admin.client,
            "/api/challenges/delete-submission",
            json!({ "id": card["id"] }),
        )
        .await;
    assert_eq!(s, 200);

    assert!(
        challenges_db::set_admin(app.db.pool(), &admin.email, false)
            .await
            .unwrap()
    );
    let (s, _) = app
        .call(
            &admin.client,
            "/api/challenges/admin/retire",
            json!({ "slug": "daily-2027-06-20", "active": true }),
        )
        .await;
    assert_eq!(s, 403, "the flag is read when asked");
    app.stop().await;
}

async fn a_remix_opens_the_same_drawing_as_a_new_board(backend: Backend) {
    let (app, _clock) = app_at(backend, ms("2027-07-07") + 1000).await;
    import(&app, &small_catalogue("2027-07-07")).await;
    let ada = app.sign_up("Ada").await;
    let cy = app.sign_up("Cy").await;
    // A team board: Cy joins Ada's board by its code and draws too; both are credited.
    let room = board_with_drawing(&app, &ada, "daily-2027-07-07", 2).await;
    let (_, details) = app
        .call(&ada.client, "/api/rooms/get", json!({ "slug": room }))
        .await;
    let (s, _) = app
        .call(
            &cy.client,
            "/api/rooms/join-code",
            json!({ "code": details["code"] }),
        )
        .await;
    assert_eq!(s, 200);
    let mut ws = Ws::connect(&app, &cy).await;
    ws.join(&room, 9, None).await;
    ws.send(draw(1, &rectangle(500.0))).await;
    ws.recv_type("ack").await;
    let (_, card) = submit(&app, &ada, &room, "Team work").await;
    let (_, sub) = app
        .call(
            &ada.client,
            "/api/challenges/submission",
            json!({ "id": card["id"] }),
        )
        .await;
    assert_eq!(sub["credits"], json!(["Ada", "Cy"]));

    let bob = app.sign_up("Bob").await;
    let (s, copy) = app
        .call(
            &bob.client,
            "/api/challenges/remix",
            json!({ "id": card["id"] }),
        )
        .await;
    assert_eq!(s, 200, "{copy}");
    assert_eq!(copy["role"], "owner");
    assert!(
        copy["name"].as_str().unwrap().contains("after Ada"),
        "{copy}"
    );
    let mut ws = Ws::connect(&app, &bob).await;
    let state = ws.join(copy["slug"].as_str().unwrap(), 1, None).await;
    let elements = state["elements"].as_array().expect("room_state elements");
    assert_eq!(elements.len(), 3, "{state}");
    // Drawing on the copy works, and the original is untouched.
    ws.send(draw(1, &rectangle(900.0))).await;
    ws.recv_type("ack").await;
    let mut ws = Ws::connect(&app, &ada).await;
    let original = ws.join(&room, 2, None).await;
    assert_eq!(original["elements"].as_array().unwrap().len(), 3);
    app.stop().await;
}

async fn a_board_over_the_submission_limit_is_refused_and_nothing_stored(backend: Backend) {
    let (app, _clock) = app_at(backend, ms("2027-08-08") + 1000).await;
    import(&app, &small_catalogue("2027-08-08")).await;
    let ada = app.sign_up("Ada").await;
    let (_, room) = app
        .call(
            &ada.client,
            "/api/challenges/start",
            json!({ "slug": "daily-2027-08-08" }),
        )
        .await;
    let slug = room["slug"].as_str().unwrap();
    // One element more than a submission may hold (a board may hold many more).
    let limit = app::challenges::MAX_SUBMISSION_ELEMENTS;
    let elements: Vec<inkroom_core::element::Element> = (0..=limit)
        .map(|i| serde_json::from_value(rectangle(i as f64 * 60.0)).unwrap())
        .collect();
    let (room_id,): (String,) = sqlx::query_as("SELECT id FROM rooms WHERE slug = $1")
        .bind(slug)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    inkroom_server::hub::store::seed(&app.db, &room_id, elements)
        .await
        .unwrap();
    let (s, body) = submit(&app, &ada, slug, "Too much").await;
    assert_eq!(
        (s, body["kind"].as_str()),
        (422, Some("limit_reached")),
        "{body}"
    );
    assert!(
        body["message"].as_str().unwrap().contains("selection"),
        "{body}"
    );
    assert_eq!(count(&app, "challenge_submissions").await, 0);
    app.stop().await;
}

async fn the_starter_catalogue_schedules_a_year(backend: Backend) {
    let app = spawn_app(backend).await;
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../catalogue/challenges.toml"
    ))
    .unwrap();
    let done = import(&app, &text).await;
    assert_eq!(done.categories, 10);
    assert!(
        done.challenges[0] >= 365 && done.challenges[1] >= 52 && done.challenges[2] >= 12,
        "{done:?}"
    );
    // Every day of the year from the season's start has exactly one daily challenge.
    let (days,): (i64,) =
        sqlx::query_as("SELECT COUNT(DISTINCT starts_at) FROM challenges WHERE kind = 'daily'")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    assert!(days >= 365);
    app.stop().await;
}

both_backends!(
    scheduling_follows_utc_day_week_and_month_boundaries,
    submissions_are_rendered_replaceable_until_close_and_final_after,
    a_hundred_concurrent_likes_count_exactly_a_hundred,
    private_submissions_never_reach_others,
    only_admins_manage_challenges,
    a_remix_opens_the_same_drawing_as_a_new_board,
    a_board_over_the_submission_limit_is_refused_and_nothing_stored,
    the_starter_catalogue_schedules_a_year,
);

/// What the access table needs for the challenge endpoints: a current daily challenge (one per
/// database, shared by every fixture), the private room `room` linked to it with a drawing on
/// it, and a public submission by `author`. Returns the challenge's slug and the submission's id.
pub async fn access_fixture(app: &TestApp, room: &str, author: &TestUser) -> (String, String) {
    let pool = app.db.pool();
    let category = app::challenges::Category {
        slug: "access".into(),
        name: "Access".into(),
        description: String::new(),
        color: "#000000".into(),
        icon: "cube".into(),
    };
    challenges_db::upsert_category(pool, &category)
        .await
        .unwrap();
    let category_id = challenges_db::category_id(pool, "access")
        .await
        .unwrap()
        .unwrap();
    let period = inkroom_core::challenge::Kind::Daily.period(app::ssr::db::now_ms());
    let challenge = challenges_db::NewChallenge {
        slug: "access-daily".into(),
        title: "Access".into(),
        description: String::new(),
        prompt: "Draw the access table.".into(),
        category_id,
        difficulty: inkroom_core::challenge::Difficulty::Beginner,
        kind: inkroom_core::challenge::Kind::Daily,
        starts_at: period.start_ms,
        ends_at: period.end_ms,
        image_url: None,
        tags: Vec::new(),
    };
    challenges_db::upsert_challenge(pool, &challenge)
        .await
        .unwrap();
    let row = challenges_db::find(pool, "access-daily")
        .await
        .unwrap()
        .unwrap();
    let (room_id,): (String,) = sqlx::query_as("SELECT id FROM rooms WHERE slug = $1")
        .bind(room)
        .fetch_one(pool)
        .await
        .unwrap();
    challenges_db::link_room(pool, &room_id, Some(&row.id), None)
        .await
        .unwrap();
    let element: inkroom_core::element::Element = serde_json::from_value(rectangle(0.0)).unwrap();
    inkroom_server::hub::store::seed(&app.db, &room_id, vec![element])
        .await
        .unwrap();
    let id = challenges_db::save_submission(
        pool,
        &challenges_db::NewSubmission {
            challenge_id: &row.id,
            user_id: &author.id,
            room_id: None,
            title: "By the author",
            description: "",
            is_public: true,
            scene: "[]",
            element_count: 0,
            image: b"png",
            thumbnail: b"png",
            width: 1,
            height: 1,
            credits: std::slice::from_ref(&author.id),
        },
    )
    .await
    .unwrap();
    (row.slug, id)
}
