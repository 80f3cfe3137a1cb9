//! Board export over HTTP: shapes drawn over the WebSocket come back as PNG, SVG and JSON.

use crate::both_backends;
use crate::helpers::{Backend, TestApp, TestUser, spawn_app};
use crate::realtime::Ws;
use inkroom_core::element::{Color, Element, ElementId, ElementKind, FillStyle, MAX_POINTS, Props};
use inkroom_core::geom::{Rect, WorldPoint};
use inkroom_core::index::FracIndex;
use serde_json::{Value, json};

fn element(props: Props) -> Value {
    let e = Element::new(
        ElementId::from_u128(uuid::Uuid::new_v4().as_u128()),
        props,
        1,
        0,
    )
    .expect("valid element");
    serde_json::to_value(e).expect("serialises")
}

/// How many pixels are not the white background.
fn inked(image: &tiny_skia::Pixmap) -> usize {
    image
        .pixels()
        .iter()
        .filter(|p| (p.red(), p.green(), p.blue()) != (255, 255, 255))
        .count()
}

/// What an export answered.
struct File {
    status: u16,
    content_type: String,
    disposition: String,
    bytes: Vec<u8>,
}

impl File {
    /// The body as a JSON error (or document).
    fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes).unwrap_or(Value::Null)
    }

    fn png(&self) -> tiny_skia::Pixmap {
        tiny_skia::Pixmap::decode_png(&self.bytes).expect("a PNG")
    }
}

/// Downloads `/api/rooms/{slug}/export.{ext}{query}` with `client`.
async fn download(
    app: &TestApp,
    client: &reqwest::Client,
    slug: &str,
    ext: &str,
    query: &str,
) -> File {
    let res = client
        .get(app.url(&format!("/api/rooms/{slug}/export.{ext}{query}")))
        .send()
        .await
        .expect("request");
    let header = |name| {
        res.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    File {
        status: res.status().as_u16(),
        content_type: header(reqwest::header::CONTENT_TYPE),
        disposition: header(reqwest::header::CONTENT_DISPOSITION),
        bytes: res.bytes().await.expect("body").to_vec(),
    }
}

/// Downloads an export as `user`.
async fn export(app: &TestApp, user: &TestUser, slug: &str, ext: &str, query: &str) -> File {
    download(app, &user.client, slug, ext, query).await
}

async fn a_drawn_board_exports_as_png_svg_and_json(backend: Backend) {
    // Arrange: a red filled rectangle at (10, 20), 100 × 50, and an arrow inside it.
    let app = spawn_app(backend).await;
    let ada = app.sign_up("Ada").await;
    let room = app.create_room(&ada, "Export", false, None).await;
    let slug = room["slug"].as_str().expect("slug").to_owned();
    let mut ws = Ws::connect(&app, &ada).await;
    ws.join(&slug, 1, None).await;
    let index = FracIndex::between(None, None).expect("index");
    let mut rect = Props::new(
        ElementKind::Rectangle,
        Rect::from_corners(WorldPoint::new(10.0, 20.0), WorldPoint::new(110.0, 70.0)),
        index.clone(),
    );
    rect.background_color = Color::rgba(255, 0, 0, 255);
    rect.fill_style = FillStyle::Solid;
    let arrow = Props::through(
        ElementKind::Arrow,
        &[WorldPoint::new(40.0, 45.0), WorldPoint::new(80.0, 45.0)],
        FracIndex::between(Some(&index), None).expect("index"),
    )
    .expect("points");
    for (n, props) in [rect, arrow].into_iter().enumerate() {
        ws.send(json!({ "type": "draw", "client_op": n + 1, "element": element(props) }))
            .await;
        ws.recv_type("ack").await;
    }

    // Act: export while the room is live.
    let png = export(&app, &ada, &slug, "png", "?scale=2").await;

    // Assert: the frame is the rectangle's bounds (stroke included) plus 10 units each side.
    assert_eq!(png.status, 200, "{}", png.json());
    assert_eq!(png.content_type, "image/png");
    assert_eq!(
        png.disposition,
        format!("attachment; filename=\"{slug}.png\"")
    );
    let image = png.png();
    assert_eq!((image.width(), image.height()), (244, 144));
    let pixel = |x: u32, y: u32| image.pixel(x, y).expect("inside").demultiply();
    let inside = pixel(50, 100); // world (24, 59): filled, away from the border and the arrow
    assert_eq!((inside.red(), inside.green(), inside.blue()), (255, 0, 0));
    let corner = pixel(2, 2);
    assert_eq!(
        (corner.red(), corner.green(), corner.blue()),
        (255, 255, 255)
    );
    let ink = inked(&image);
    assert!(ink > 15_000, "only {ink} non-background pixels");

    let svg = export(&app, &ada, &slug, "svg", "").await;
    assert_eq!(
        (svg.status, svg.content_type.as_str()),
        (200, "image/svg+xml")
    );
    let text = String::from_utf8(svg.bytes).expect("UTF-8");
    assert!(
        text.starts_with("<svg") && text.contains("width=\"122\""),
        "{text}"
    );
    assert_eq!(
        text.matches("<path").count(),
        4,
        "fill, outline, shaft, head: {text}"
    );

    // The room goes idle when its last connection closes; the export then reads the log.
    drop(ws);
    let file = export(&app, &ada, &slug, "json", "").await;
    assert_eq!(
        (file.status, file.content_type.as_str()),
        (200, "application/json")
    );
    let doc = file.json();
    assert_eq!(doc["type"], "inkroom");
    let kinds: Vec<&str> = doc["elements"]
        .as_array()
        .expect("elements")
        .iter()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    assert_eq!(kinds, ["rectangle", "arrow"]);
    app.stop().await;
}

async fn exports_check_their_arguments(backend: Backend) {
    let app = spawn_app(backend).await;
    let ada = app.sign_up("Ada").await;
    let room = app.create_room(&ada, "Args", false, None).await;
    let slug = room["slug"].as_str().expect("slug");
    let big = export(&app, &ada, slug, "png", "?scale=40").await;
    assert_eq!(
        (big.status, big.json()["field"].as_str()),
        (422, Some("scale"))
    );
    let nan = export(&app, &ada, slug, "png", "?scale=NaN").await;
    assert_eq!(
        (nan.status, nan.json()["field"].as_str()),
        (422, Some("scale"))
    );
    let garbled = export(&app, &ada, slug, "png", "?scale=big").await;
    assert_eq!(garbled.status, 400);
    assert_eq!(export(&app, &ada, slug, "gif", "").await.status, 404);
    // Who may export: whoever may watch the room. Anonymous callers sign in first, and a room
    // that does not exist (or is private) is not found.
    let anonymous = download(&app, &crate::helpers::new_client(), slug, "png", "").await;
    assert_eq!(
        (anonymous.status, anonymous.json()["kind"].as_str()),
        (401, Some("unauthorized"))
    );
    assert_eq!(
        export(&app, &ada, "no-such-room", "png", "").await.status,
        404
    );
    let private = app.create_room(&ada, "Secret", true, None).await;
    let bob = app.sign_up("Bob").await;
    let secret = private["slug"].as_str().expect("slug");
    assert_eq!(export(&app, &bob, secret, "json", "").await.status, 404);
    // A signed-in visitor of a public room watches it, so may export it.
    assert_eq!(export(&app, &bob, slug, "json", "").await.status, 200);
    // An empty board is a small blank image, not an error.
    let empty = export(&app, &ada, slug, "png", "").await;
    assert_eq!((empty.status, empty.png().width()), (200, 20));
    app.stop().await;
}

async fn the_largest_stroke_travels_in_one_frame_and_exports(backend: Backend) {
    let app = spawn_app(backend).await;
    let ada = app.sign_up("Ada").await;
    let room = app.create_room(&ada, "Ink", false, None).await;
    let slug = room["slug"].as_str().expect("slug");
    let mut ws = Ws::connect(&app, &ada).await;
    ws.join(slug, 1, None).await;
    // A 10,000-point spiral with pressures: the most points an element may have.
    let points: Vec<WorldPoint> = (0..MAX_POINTS)
        .map(|i| {
            let a = i as f64 / 200.0;
            WorldPoint::new(
                300.0 + a.cos() * (5.0 + a * 4.0),
                300.0 + a.sin() * (5.0 + a * 4.0),
            )
        })
        .collect();
    let mut props = Props::through(
        ElementKind::Freedraw,
        &points,
        FracIndex::between(None, None).expect("index"),
    )
    .expect("points");
    props.pressures = (0..MAX_POINTS).map(|i| (i % 100) as f32 / 100.0).collect();
    ws.send(json!({ "type": "draw", "client_op": 1, "element": element(props) }))
        .await;
    assert_eq!(ws.recv_type("ack").await["seq"], 1);
    let file = export(&app, &ada, slug, "png", "").await;
    assert_eq!(file.status, 200, "{}", file.json());
    let ink = inked(&file.png());
    assert!(ink > 10_000, "only {ink} inked pixels");
    app.stop().await;
}

both_backends!(
    a_drawn_board_exports_as_png_svg_and_json,
    exports_check_their_arguments,
    the_largest_stroke_travels_in_one_frame_and_exports
);
