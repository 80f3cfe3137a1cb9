//! Accounts and sessions through the real `/api/auth/*` endpoints.

use crate::both_backends;
use crate::helpers::{
    Backend, ServerProcess, new_client, spawn_app, spawn_app_sharing, spawn_app_with,
};
use serde_json::json;

async fn signing_up_signs_the_browser_in(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = new_client();
    let res = client
        .post(app.url("/api/auth/sign-up"))
        .json(&json!({ "email": "  Ada@Example.com ", "display_name": "Ada", "password": "analytical" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("inkroom.sid="), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    let user: serde_json::Value = res.json().await.unwrap();
    assert_eq!(user["email"], "ada@example.com");
    assert!(user.get("password_hash").is_none());

    let (status, me) = app.call(&client, "/api/auth/me", json!({})).await;
    assert_eq!((status, &me["display_name"]), (200, &json!("Ada")));
    app.stop().await;
}

async fn a_wrong_password_and_an_unknown_email_get_the_same_answer(backend: Backend) {
    let app = spawn_app(backend).await;
    let ada = app.sign_up("Ada").await;
    let c = new_client();
    let wrong = app
        .call(
            &c,
            "/api/auth/sign-in",
            json!({ "email": ada.email, "password": "nope-nope" }),
        )
        .await;
    let unknown = app
        .call(
            &c,
            "/api/auth/sign-in",
            json!({ "email": "nobody@example.com", "password": "nope-nope" }),
        )
        .await;
    assert_eq!(wrong.0, 401);
    assert_eq!(wrong, unknown);
    assert_eq!(wrong.1["kind"], "bad_credentials");
    let ok = app
        .call(
            &c,
            "/api/auth/sign-in",
            json!({ "email": ada.email, "password": ada.password }),
        )
        .await;
    assert_eq!(ok.0, 200, "{}", ok.1);
    app.stop().await;
}

async fn bad_sign_up_input_is_rejected_per_field_and_stores_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let c = new_client();
    let cases = [
        (
            json!({ "email": "", "display_name": "Ada", "password": "long enough" }),
            "email",
        ),
        (
            json!({ "email": "not-an-email", "display_name": "Ada", "password": "long enough" }),
            "email",
        ),
        (
            json!({ "email": "a@example.com", "display_name": "   ", "password": "long enough" }),
            "display_name",
        ),
        (
            json!({ "email": "a@example.com", "display_name": "x".repeat(51), "password": "long enough" }),
            "display_name",
        ),
        (
            json!({ "email": "a@example.com", "display_name": "Ada", "password": "short" }),
            "password",
        ),
    ];
    for (body, field) in cases {
        let (status, err) = app.call(&c, "/api/auth/sign-up", body).await;
        assert_eq!(status, 422, "{err}");
        assert_eq!(
            (err["kind"].as_str(), err["field"].as_str()),
            (Some("invalid"), Some(field))
        );
    }
    // Missing arguments and malformed JSON are bad requests, not server errors.
    let (status, _) = app
        .call(&c, "/api/auth/sign-up", json!({ "email": "a@example.com" }))
        .await;
    assert_eq!(status, 400);
    let res = c
        .post(app.url("/api/auth/sign-up"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    // A 10 MB name never reaches the handler.
    let huge = json!({ "email": "a@example.com", "display_name": "x".repeat(10 << 20), "password": "long enough" });
    let (status, _) = app.call(&c, "/api/auth/sign-up", huge).await;
    assert_eq!(status, 413);

    let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(count, 0);
    app.stop().await;
}

async fn a_taken_email_is_a_conflict(backend: Backend) {
    let app = spawn_app(backend).await;
    let ada = app.sign_up("Ada").await;
    let (status, err) = app
        .call(
            &new_client(),
            "/api/auth/sign-up",
            json!({ "email": ada.email.to_uppercase(), "display_name": "Eve", "password": "long enough" }),
        )
        .await;
    assert_eq!((status, err["kind"].as_str()), (409, Some("conflict")));
    app.stop().await;
}

async fn signing_out_ends_the_session(backend: Backend) {
    let app = spawn_app(backend).await;
    let ada = app.sign_up("Ada").await;
    assert_eq!(
        app.call(&ada.client, "/api/auth/sign-out", json!({}))
            .await
            .0,
        200
    );
    let (status, me) = app.call(&ada.client, "/api/auth/me", json!({})).await;
    assert_eq!((status, me), (200, serde_json::Value::Null));
    let (status, _) = app.call(&ada.client, "/api/rooms/mine", json!({})).await;
    assert_eq!(status, 401);
    app.stop().await;
}

async fn five_failures_lock_the_account_even_for_the_right_password(backend: Backend) {
    let app = spawn_app(backend).await;
    let ada = app.sign_up("Ada").await;
    let c = new_client();
    for _ in 0..4 {
        let (status, _) = app
            .call(
                &c,
                "/api/auth/sign-in",
                json!({ "email": ada.email, "password": "guess-guess" }),
            )
            .await;
        assert_eq!(status, 401);
    }
    let (status, err) = app
        .call(
            &c,
            "/api/auth/sign-in",
            json!({ "email": ada.email, "password": "guess-guess" }),
        )
        .await;
    assert_eq!((status, err["kind"].as_str()), (429, Some("rate_limited")));
    assert!(err["retry_after_secs"].as_u64().unwrap() > 14 * 60);
    let (status, _) = app
        .call(
            &c,
            "/api/auth/sign-in",
            json!({ "email": ada.email, "password": ada.password }),
        )
        .await;
    assert_eq!(
        status, 429,
        "locked accounts refuse even the right password"
    );
    // Tokens go through the same check.
    let (status, _) = app
        .call(
            &c,
            "/api/auth/token",
            json!({ "email": ada.email, "password": ada.password }),
        )
        .await;
    assert_eq!(status, 429);
    app.stop().await;
}

/// A client whose requests come from another loopback address (another "machine").
fn client_from(ip: [u8; 4]) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(std::net::IpAddr::from(ip))
        .cookie_store(true)
        .build()
        .unwrap()
}

/// Five wrong passwords from one address lock the account for that address only: a stranger
/// guessing cannot lock the owner out (before, they locked the account for everyone).
async fn a_lockout_holds_for_the_guessing_address_only(backend: Backend) {
    let app = spawn_app(backend).await;
    let ada = app.sign_up("Ada").await;
    let stranger = client_from([127, 0, 0, 2]);
    for _ in 0..5 {
        app.call(
            &stranger,
            "/api/auth/sign-in",
            json!({ "email": ada.email, "password": "guess-guess" }),
        )
        .await;
    }
    let (status, _) = app
        .call(
            &stranger,
            "/api/auth/sign-in",
            json!({ "email": ada.email, "password": ada.password }),
        )
        .await;
    assert_eq!(status, 429, "the guessing address is locked out");
    let (status, _) = app
        .call(
            &client_from([127, 0, 0, 3]),
            "/api/auth/sign-in",
            json!({ "email": ada.email, "password": ada.password }),
        )
        .await;
    assert_eq!(status, 200, "the owner, elsewhere, is not");
    app.stop().await;
}

/// Twenty wrong guesses at once: each is counted before it is tried, so no more than the
/// allowance is tried (before, checking the lock and then counting let all twenty through).
async fn parallel_guesses_get_no_more_tries_than_serial_ones(backend: Backend) {
    let app = spawn_app(backend).await;
    let ada = app.sign_up("Ada").await;
    let guesser = client_from([127, 0, 0, 4]);
    let guesses = (0..20).map(|i| {
        app.call(
            &guesser,
            "/api/auth/sign-in",
            json!({ "email": ada.email, "password": format!("guess-{i}") }),
        )
    });
    let statuses: Vec<u16> = futures_util::future::join_all(guesses)
        .await
        .into_iter()
        .map(|(s, _)| s)
        .collect();
    let tried = statuses.iter().filter(|s| **s == 401).count();
    assert!(tried < 5, "{tried} guesses were tried: {statuses:?}");
    assert!(
        statuses.iter().all(|s| *s == 401 || *s == 429),
        "{statuses:?}"
    );
    app.stop().await;
}

/// Signing out ends the API tokens and WebSocket tickets issued so far, not only the cookie.
async fn signing_out_revokes_bearer_tokens(backend: Backend) {
    let app = spawn_app(backend).await;
    let ada = app.sign_up("Ada").await;
    let (_, token) = app
        .call(
            &new_client(),
            "/api/auth/token",
            json!({ "email": ada.email, "password": ada.password }),
        )
        .await;
    let token = token["token"].as_str().unwrap().to_owned();
    let bearer = |path: &'static str| {
        reqwest::Client::new()
            .post(app.url(path))
            .bearer_auth(&token)
            .json(&json!({}))
            .send()
    };
    assert_eq!(bearer("/api/rooms/mine").await.unwrap().status(), 200);
    let (_, ticket) = app
        .call(&ada.client, "/api/auth/ws-ticket", json!({}))
        .await;
    app.call(&ada.client, "/api/auth/sign-out", json!({})).await;
    assert_eq!(bearer("/api/rooms/mine").await.unwrap().status(), 401);
    let url = format!(
        "{}/ws?ticket={}",
        app.address.replacen("http", "ws", 1),
        ticket["token"].as_str().unwrap()
    );
    match tokio_tungstenite::connect_async(url).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(r)) => assert_eq!(r.status(), 401),
        other => panic!("a revoked ticket opened a socket: {:?}", other.map(|_| ())),
    }
    // Signing in again issues tokens that work.
    let (_, fresh) = app
        .call(
            &new_client(),
            "/api/auth/token",
            json!({ "email": ada.email, "password": ada.password }),
        )
        .await;
    let res = reqwest::Client::new()
        .post(app.url("/api/rooms/mine"))
        .bearer_auth(fresh["token"].as_str().unwrap())
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    app.stop().await;
}

async fn bearer_tokens_authenticate_non_browser_clients(backend: Backend) {
    let app = spawn_app(backend).await;
    let ada = app.sign_up("Ada").await;
    let script = reqwest::Client::new();
    let (status, token) = app
        .call(
            &script,
            "/api/auth/token",
            json!({ "email": ada.email, "password": ada.password }),
        )
        .await;
    assert_eq!(status, 200, "{token}");
    let bearer = format!("Bearer {}", token["token"].as_str().unwrap());
    let me: serde_json::Value = script
        .post(app.url("/api/auth/me"))
        .header("authorization", &bearer)
        .json(&json!({}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["id"], ada.id.as_str());
    let res = script
        .post(app.url("/api/rooms/mine"))
        .header("authorization", "Bearer not.a.token")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        401,
        "a bad token is an error, not an anonymous call"
    );
    // A WebSocket ticket is not an API token.
    let (_, ticket) = app
        .call(&ada.client, "/api/auth/ws-ticket", json!({}))
        .await;
    let res = script
        .post(app.url("/api/auth/me"))
        .header(
            "authorization",
            format!("Bearer {}", ticket["token"].as_str().unwrap()),
        )
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    app.stop().await;
}

async fn sessions_survive_a_restart_and_work_on_another_instance(backend: Backend) {
    let app = spawn_app(backend).await;
    let ada = app.sign_up("Ada").await;
    let (second, stop_second) = spawn_app_sharing(&app).await;
    // The cookie was issued for 127.0.0.1 (any port), so the same jar talks to the second server.
    let me: serde_json::Value = ada
        .client
        .post(format!("{second}/api/auth/me"))
        .json(&json!({}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["id"], ada.id.as_str());
    let _ = stop_second.send(());
    app.stop().await;
}

both_backends!(
    signing_up_signs_the_browser_in,
    a_wrong_password_and_an_unknown_email_get_the_same_answer,
    bad_sign_up_input_is_rejected_per_field_and_stores_nothing,
    a_taken_email_is_a_conflict,
    signing_out_ends_the_session,
    five_failures_lock_the_account_even_for_the_right_password,
    a_lockout_holds_for_the_guessing_address_only,
    parallel_guesses_get_no_more_tries_than_serial_ones,
    signing_out_revokes_bearer_tokens,
    bearer_tokens_authenticate_non_browser_clients,
    sessions_survive_a_restart_and_work_on_another_instance,
);

#[tokio::test]
async fn the_lockout_is_shared_by_two_server_processes_on_postgres() {
    let db = crate::helpers::TestDb::new(Backend::Postgres).await;
    let (a, b) = (
        ServerProcess::start(db.url()).await,
        ServerProcess::start(db.url()).await,
    );
    let c = new_client();
    let post = |base: &str, path: &str, body: serde_json::Value| {
        c.post(format!("{base}{path}")).json(&body).send()
    };
    let email = "shared-lock@example.com";
    let res = post(
        &a.base,
        "/api/auth/sign-up",
        json!({ "email": email, "display_name": "Ada", "password": "right password" }),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), 200);
    // Alternate between the processes: the count is in the database, so both see all five.
    for i in 0..5 {
        let base = if i % 2 == 0 { &a.base } else { &b.base };
        post(
            base,
            "/api/auth/sign-in",
            json!({ "email": email, "password": "guess-guess" }),
        )
        .await
        .unwrap();
    }
    for base in [&a.base, &b.base] {
        let res = post(
            base,
            "/api/auth/sign-in",
            json!({ "email": email, "password": "right password" }),
        )
        .await
        .unwrap();
        assert_eq!(res.status(), 429, "process {base} must see the lock");
    }
}

#[tokio::test]
async fn one_address_is_rate_limited_on_auth_endpoints() {
    let app = spawn_app_with(Backend::Sqlite, |args| args.auth_rate_per_minute = 3).await;
    let c = new_client();
    let body = json!({ "email": "x@example.com", "password": "whatever-1" });
    for _ in 0..3 {
        assert_eq!(app.call(&c, "/api/auth/sign-in", body.clone()).await.0, 401);
    }
    let res = c
        .post(app.url("/api/auth/sign-in"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 429);
    assert!(res.headers().contains_key("retry-after"));
    // Other endpoints are not limited.
    assert_eq!(app.call(&c, "/api/auth/me", json!({})).await.0, 200);
    app.stop().await;
}
