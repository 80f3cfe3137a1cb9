//! Server-rendered pages, static files and their caching and compression.

use crate::both_backends;
use crate::helpers::{Backend, spawn_app, spawn_app_with};

async fn the_home_page_is_rendered_on_the_server(backend: Backend) {
    let app = spawn_app(backend).await;
    let res = app.get("/").await;
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = res.text().await.unwrap();
    assert!(html.contains("<h1>Inkroom</h1>"), "{html}");
    assert!(html.contains(r#"<label for="board-name">"#));
    // The hydration script loads the wasm bundle.
    assert!(
        html.contains(r#"import init, { hydrate } from "/pkg/inkroom.js""#),
        "{html}"
    );
    app.stop().await;
}

async fn a_board_page_renders_its_toolbar_and_canvas(backend: Backend) {
    let app = spawn_app(backend).await;
    let html = app.get("/r/team-retro").await.text().await.unwrap();
    assert!(html.contains("<canvas"), "{html}");
    assert!(html.contains(r#"data-tool="rectangle""#));
    assert!(html.contains("team-retro"));
    assert!(
        html.contains("<title>team-retro · Inkroom</title>"),
        "{html}"
    );
    app.stop().await;
}

async fn unknown_paths_get_a_404_page(backend: Backend) {
    let app = spawn_app(backend).await;
    let res = app.get("/definitely/not/here").await;
    assert_eq!(res.status(), 404);
    assert!(res.text().await.unwrap().contains("Nothing here"));
    app.stop().await;
}

async fn the_open_form_redirects_to_the_board_without_javascript(backend: Backend) {
    let app = spawn_app(backend).await;
    let res = app.get("/open?name=Hello%20World!").await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/r/hello-world");
    let res = app.get("/open?name=%20%21").await;
    assert_eq!(res.headers()["location"], "/");
    app.stop().await;
}

both_backends!(
    the_home_page_is_rendered_on_the_server,
    a_board_page_renders_its_toolbar_and_canvas,
    unknown_paths_get_a_404_page,
    the_open_form_redirects_to_the_board_without_javascript,
);

#[tokio::test]
async fn hashed_assets_are_served_compressed_and_cached_forever() {
    let site = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(site.path().join("pkg")).unwrap();
    let js = "export default function init() {}\n".repeat(200);
    std::fs::write(site.path().join("pkg/inkroom.0123456789abcdef.js"), &js).unwrap();
    std::fs::write(site.path().join("favicon.svg"), "<svg/>").unwrap();
    std::fs::write(
        site.path().join("assets.json"),
        r#"{"js":"/pkg/inkroom.0123456789abcdef.js","wasm":"/pkg/inkroom.fedcba9876543210.wasm","css":"/pkg/inkroom.aa.css"}"#,
    )
    .unwrap();
    let root = site.path().to_owned();
    let app = spawn_app_with(Backend::Sqlite, move |args| args.site_root = root).await;

    let res = app
        .client
        .get(app.url("/pkg/inkroom.0123456789abcdef.js"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(res.headers()["content-encoding"], "gzip");

    // The page references the manifest's hashed names.
    let html = app.get("/").await.text().await.unwrap();
    assert!(html.contains("/pkg/inkroom.0123456789abcdef.js"));
    assert!(html.contains("/pkg/inkroom.fedcba9876543210.wasm"));
    assert!(html.contains(r#"href="/pkg/inkroom.aa.css""#));

    // Public files are served from the site root.
    assert_eq!(app.get("/favicon.svg").await.status(), 200);
    app.stop().await;
}
