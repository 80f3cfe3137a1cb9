//! The recognition endpoints over HTTP: real models, real requests, bad input refused.
//!
//! Recognition touches no storage, so these run on SQLite only.

use crate::helpers::{Backend, spawn_app, spawn_app_with};
use serde_json::{Value, json};
use std::f64::consts::TAU;

fn circle(cx: f64, cy: f64, r: f64) -> Value {
    let pts: Vec<Value> = (0..=60)
        .map(|i| {
            let t = TAU * f64::from(i) / 60.0;
            json!([cx + r * t.cos(), cy + r * t.sin()])
        })
        .collect();
    json!([pts])
}

#[tokio::test]
async fn shapes_are_recognised_and_fitted() {
    let app = spawn_app(Backend::Sqlite).await;
    let user = app.sign_up("Sketcher").await;

    let rect = json!([[[10, 10], [210, 12], [212, 110], [11, 108], [10, 12]]]);
    let (s, b) = app
        .call(
            &user.client,
            "/api/ai/shape-recognition",
            json!({ "strokes": rect }),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["class"], "rectangle", "{b}");
    assert_eq!(b["shape"]["kind"], "rectangle");
    let w = b["shape"]["width"].as_f64().unwrap();
    assert!((190.0..215.0).contains(&w), "{b}");

    let (s, b) = app
        .call(
            &user.client,
            "/api/ai/shape-recognition",
            json!({ "strokes": circle(300.0, 200.0, 80.0) }),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["class"], "ellipse", "{b}");
    let c = &b["shape"]["center"];
    assert!((c[0].as_f64().unwrap() - 300.0).abs() < 3.0, "{b}");
    assert!(b["confidence"].as_f64().unwrap() > 0.5);
    app.stop().await;
}

#[tokio::test]
async fn handwriting_answers_a_reading() {
    let app = spawn_app(Backend::Sqlite).await;
    let user = app.sign_up("Writer").await;
    // A "1": one vertical stroke with a small flag.
    let one = json!([[[52, 20], [60, 10], [60, 40], [60, 70], [60, 100]]]);
    let (s, b) = app
        .call(
            &user.client,
            "/api/ai/handwriting-recognition",
            json!({ "strokes": one }),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let text = b["text"].as_str().unwrap();
    assert!(["1", "l", "I", "|"].contains(&text), "{b}");
    assert!(b["alternatives"].as_array().unwrap().len() >= 2, "{b}");
    // The caller's charset decides what the same ink may be.
    for (charset, expected) in [("digits", "1"), ("upper", "I"), ("lower", "l")] {
        let (s, b) = app
            .call(
                &user.client,
                "/api/ai/handwriting-recognition",
                json!({ "strokes": one, "charset": charset }),
            )
            .await;
        assert_eq!(
            (s, b["text"].as_str()),
            (200, Some(expected)),
            "{charset}: {b}"
        );
    }
    let (s, b) = app
        .call(
            &user.client,
            "/api/ai/handwriting-recognition",
            json!({ "strokes": one, "charset": "runes" }),
        )
        .await;
    assert!(s == 400 || s == 422, "{s} {b}");
    app.stop().await;
}

#[tokio::test]
async fn bad_ink_is_refused_with_a_clear_error() {
    let app = spawn_app(Backend::Sqlite).await;
    let user = app.sign_up("Vandal").await;
    for path in [
        "/api/ai/shape-recognition",
        "/api/ai/handwriting-recognition",
    ] {
        // No points.
        let (s, b) = app
            .call(&user.client, path, json!({ "strokes": [[]] }))
            .await;
        assert_eq!((s, b["kind"].as_str()), (422, Some("invalid")), "{b}");
        assert_eq!(b["field"], "strokes");
        // 100,000 points.
        let many: Vec<Value> = (0..100_000).map(|i| json!([i % 100, i / 100])).collect();
        let (s, b) = app
            .call(&user.client, path, json!({ "strokes": [many] }))
            .await;
        assert_eq!(s, 422, "{b}");
        assert!(b["message"].as_str().unwrap().contains("too large"), "{b}");
        // Not numbers (JSON has no NaN), wrong arity, out of range.
        for strokes in [json!([[["NaN", 1]]]), json!([[[1]]]), json!([[[1e300, 1]]])] {
            let (s, b) = app
                .call(&user.client, path, json!({ "strokes": strokes }))
                .await;
            assert!(s == 400 || s == 422, "{strokes}: {s} {b}");
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn a_server_without_models_answers_503() {
    let app = spawn_app_with(Backend::Sqlite, |args| {
        args.models_dir = "/nonexistent-models".into();
    })
    .await;
    let user = app.sign_up("Early").await;
    let (s, b) = app
        .call(
            &user.client,
            "/api/ai/shape-recognition",
            json!({ "strokes": circle(0.0, 0.0, 10.0) }),
        )
        .await;
    assert_eq!((s, b["kind"].as_str()), (503, Some("unavailable")), "{b}");
    app.stop().await;
}
