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
    assert!(html.contains("Public rooms"));
    // The hydration script loads the wasm bundle.
    assert!(
        html.contains(r#"import init, { hydrate } from "/pkg/inkroom.js""#),
        "{html}"
    );
    app.stop().await;
}

async fn a_board_page_renders_its_toolbar_and_canvas(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.sign_up("Owner").await;
    app.create_room(&owner, "Team Retro", false, None).await;
    let html = owner
        .client
        .get(app.url("/r/team-retro"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("<canvas"), "{html}");
    assert!(html.contains(r#"data-tool="rectangle""#));
    assert!(html.contains("Team Retro"));
    assert!(
        html.contains(r#"data-testid="role" class="badge">owner<"#),
        "{html}"
    );
    // Anonymous visitors of a public room get a read-only board.
    let anon = app.get("/r/team-retro").await.text().await.unwrap();
    assert!(
        anon.contains("<canvas") && anon.contains("View only"),
        "{anon}"
    );
    assert!(!anon.contains(r#"data-tool="rectangle""#));
    assert!(
        html.contains("<title>team-retro · Inkroom</title>"),
        "{html}"
    );
    app.stop().await;
}

async fn pages_that_need_an_account_render_a_sign_in_prompt_with_status_200(backend: Backend) {
    let app = spawn_app(backend).await;
    let res = app.get("/dashboard").await;
    assert_eq!(
        res.status(),
        200,
        "a failed server function inside a page must not set its status"
    );
    assert!(res.text().await.unwrap().contains("Sign in first"));
    app.stop().await;
}

async fn unknown_paths_get_a_404_page(backend: Backend) {
    let app = spawn_app(backend).await;
    let res = app.get("/definitely/not/here").await;
    assert_eq!(res.status(), 404);
    assert!(res.text().await.unwrap().contains("Nothing here"));
    app.stop().await;
}

both_backends!(
    the_home_page_is_rendered_on_the_server,
    a_board_page_renders_its_toolbar_and_canvas,
    unknown_paths_get_a_404_page,
    pages_that_need_an_account_render_a_sign_in_prompt_with_status_200,
    the_forms_work_without_javascript,
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

/// A browser without JavaScript: posts forms as `application/x-www-form-urlencoded` and asks for
/// HTML.
async fn post_form(
    app: &crate::helpers::TestApp,
    client: &reqwest::Client,
    path: &str,
    form: &[(&str, &str)],
    referer: &str,
) -> reqwest::Response {
    client
        .post(app.url(path))
        .header("accept", "text/html,application/xhtml+xml")
        .header("referer", app.url(referer))
        .form(form)
        .send()
        .await
        .unwrap()
}

async fn the_forms_work_without_javascript(backend: Backend) {
    let app = spawn_app(backend).await;
    let browser = crate::helpers::new_client();
    let form = [
        ("email", "nojs@example.com"),
        ("display_name", "No JS"),
        ("password", "plain html"),
    ];
    let res = post_form(&app, &browser, "/api/auth/sign-up", &form, "/signup").await;
    assert_eq!(res.status(), 302);
    assert_eq!(res.headers()["location"], "/dashboard");

    let room = [
        ("name", "Paper Plans"),
        ("is_private", "true"),
        ("password", ""),
    ];
    let res = post_form(&app, &browser, "/api/rooms/create", &room, "/dashboard").await;
    assert_eq!(res.status(), 302);
    assert_eq!(res.headers()["location"], "/r/paper-plans");

    // A failed post goes back to the form's page with the error encoded for it to show.
    let bad = [("code", "WRONG1"), ("password", "")];
    let res = post_form(&app, &browser, "/api/rooms/join-code", &bad, "/dashboard").await;
    assert_eq!(res.status(), 302);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.contains("/dashboard?") && location.contains("__err="),
        "{location}"
    );
    let html = browser
        .get(&location)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("wrong room code or password"),
        "the page shows the error"
    );

    // The session cookie from the form sign-up works for server-rendered pages.
    let dashboard = browser
        .get(app.url("/dashboard"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        dashboard.contains(r#"data-testid="signed-in-as" class="who">No JS<"#),
        "{dashboard}"
    );
    assert!(dashboard.contains("Paper Plans"));
    app.stop().await;
}
