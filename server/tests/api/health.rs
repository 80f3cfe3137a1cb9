//! Liveness and readiness probes.

use crate::both_backends;
use crate::helpers::{Backend, redis_url, spawn_app, spawn_app_with};

async fn liveness_answers_ok(backend: Backend) {
    let app = spawn_app(backend).await;
    let res = app.get("/healthz").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.text().await.unwrap(), "ok");
    app.stop().await;
}

async fn readiness_reports_the_database_and_redis_as_disabled(backend: Backend) {
    let app = spawn_app(backend).await;
    let res = app.get("/readyz").await;
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(
        body,
        serde_json::json!({ "database": "ok", "redis": "disabled" })
    );
    app.stop().await;
}

async fn readiness_checks_redis_when_it_is_configured(backend: Backend) {
    let app = spawn_app_with(backend, |args| args.redis_url = Some(redis_url())).await;
    let body: serde_json::Value = app.get("/readyz").await.json().await.unwrap();
    assert_eq!(body["redis"], "ok");
    app.stop().await;
}

both_backends!(
    liveness_answers_ok,
    readiness_reports_the_database_and_redis_as_disabled,
    readiness_checks_redis_when_it_is_configured,
);

#[tokio::test]
async fn an_unreachable_redis_stops_start_up_with_a_clear_error() {
    let db = crate::helpers::TestDb::new(Backend::Sqlite).await;
    let mut args = inkroom_server::config::ServeArgs::for_tests(db.url().to_owned());
    args.redis_url = Some("redis://:hunter2@127.0.0.1:1".into());
    let err = inkroom_server::startup::Application::build(args)
        .await
        .err()
        .expect("must fail");
    let msg = err.to_string();
    assert!(msg.contains("cannot reach Redis"), "{msg}");
    assert!(!msg.contains("hunter2"), "the password leaked: {msg}");
}

#[tokio::test]
async fn readiness_fails_while_postgres_refuses_connections() {
    let app = spawn_app(Backend::Postgres).await;
    let name = app.database_name().expect("a postgres database").to_owned();
    let mut admin =
        <sqlx::PgConnection as sqlx::Connection>::connect(&crate::helpers::postgres_admin_url())
            .await
            .unwrap();
    sqlx::query(&format!(
        "ALTER DATABASE \"{name}\" ALLOW_CONNECTIONS false"
    ))
    .execute(&mut admin)
    .await
    .unwrap();
    sqlx::query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1")
        .bind(&name)
        .execute(&mut admin)
        .await
        .unwrap();

    let res = app.get("/readyz").await;
    assert_eq!(res.status(), 503);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["database"], "unavailable");
    // Liveness is not readiness: the process itself is fine.
    assert_eq!(app.get("/healthz").await.status(), 200);

    sqlx::query(&format!("ALTER DATABASE \"{name}\" ALLOW_CONNECTIONS true"))
        .execute(&mut admin)
        .await
        .unwrap();
    assert_eq!(app.get("/readyz").await.status(), 200, "readiness recovers");
    app.stop().await;
}
