//! The access table: every server function, called as each kind of caller, with the outcome it
//! must have. A server function without a row here fails
//! `every_server_function_has_a_row_in_the_access_table`, so new endpoints cannot skip the check.

use crate::both_backends;
use crate::helpers::{Backend, TestApp, TestUser, new_client, spawn_app};
use crate::realtime::Ws;
use serde_json::{Value, json};

/// Who is calling, from least to most privileged. Rows are called in this order, so that an
/// allowed call by a more powerful caller (e.g. the owner deleting the room) comes last.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Caller {
    Anonymous,
    Outsider,
    Viewer,
    Editor,
    Owner,
}

const CALLERS: [Caller; 5] = [
    Caller::Anonymous,
    Caller::Outsider,
    Caller::Viewer,
    Caller::Editor,
    Caller::Owner,
];

/// A private room with one member of each role, a public room, and what the calls need.
struct Fixture {
    anonymous: reqwest::Client,
    owner: TestUser,
    editor: TestUser,
    viewer: TestUser,
    outsider: TestUser,
    /// Another editor: the target of kick and set-role.
    extra: TestUser,
    code: String,
    viewer_link: String,
    /// Slugs of this fixture's rooms (unique per fixture: several share one database).
    private: String,
    public: String,
    /// A current challenge the private room is linked to, and a public submission to it by
    /// `extra`.
    challenge: String,
    submission: String,
}

impl Fixture {
    async fn new(app: &TestApp) -> Self {
        let owner = app.sign_up("Owner").await;
        let room = app.create_room(&owner, "Private", true, None).await;
        let private = room["slug"].as_str().unwrap().to_owned();
        let public = app.create_room(&owner, "Public", false, None).await["slug"]
            .as_str()
            .unwrap()
            .to_owned();
        let code = room["code"].as_str().unwrap().to_owned();
        let editor = app.sign_up("Editor").await;
        let extra = app.sign_up("Extra").await;
        for u in [&editor, &extra] {
            let (s, b) = app
                .call(&u.client, "/api/rooms/join-code", json!({ "code": code }))
                .await;
            assert_eq!(s, 200, "{b}");
        }
        let (_, link) = app
            .call(
                &owner.client,
                "/api/rooms/share-links/create",
                json!({ "slug": private, "role": "viewer" }),
            )
            .await;
        let viewer_link = link["token"].as_str().unwrap().to_owned();
        let viewer = app.sign_up("Viewer").await;
        let (s, _) = app
            .call(
                &viewer.client,
                "/api/rooms/join-link",
                json!({ "token": viewer_link }),
            )
            .await;
        assert_eq!(s, 200);
        let outsider = app.sign_up("Outsider").await;
        let (challenge, submission) =
            crate::challenges::access_fixture(app, &private, &extra).await;
        Self {
            anonymous: new_client(),
            owner,
            editor,
            viewer,
            outsider,
            extra,
            code,
            viewer_link,
            challenge,
            submission,
            private,
            public,
        }
    }

    fn client(&self, who: Caller) -> &reqwest::Client {
        match who {
            Caller::Anonymous => &self.anonymous,
            Caller::Outsider => &self.outsider.client,
            Caller::Viewer => &self.viewer.client,
            Caller::Editor => &self.editor.client,
            Caller::Owner => &self.owner.client,
        }
    }

    /// Credentials a caller signs in with (anonymous callers use the spare account's).
    fn credentials(&self, who: Caller) -> Value {
        let u = match who {
            Caller::Anonymous => &self.extra,
            Caller::Outsider => &self.outsider,
            Caller::Viewer => &self.viewer,
            Caller::Editor => &self.editor,
            Caller::Owner => &self.owner,
        };
        json!({ "email": u.email, "password": u.password })
    }
}

type Body = fn(&Fixture, Caller) -> Value;

/// One server function: its path, its arguments, and the expected status per caller, in the
/// order anonymous, outsider, viewer, editor, owner.
struct Row {
    path: &'static str,
    body: Body,
    expect: [u16; 5],
}

const ALL_OK: [u16; 5] = [200, 200, 200, 200, 200];
const SIGNED_IN: [u16; 5] = [401, 200, 200, 200, 200];
const MEMBERS: [u16; 5] = [401, 404, 200, 200, 200];
const OWNER_ONLY: [u16; 5] = [401, 404, 403, 403, 200];
/// Nobody in the fixture is a site admin (`challenges.rs` tests admins).
const ADMINS_ONLY: [u16; 5] = [401, 403, 403, 403, 403];

fn private(f: &Fixture, _: Caller) -> Value {
    json!({ "slug": f.private })
}

/// A small square, for the recognition endpoints.
fn square(_: &Fixture, _: Caller) -> Value {
    json!({ "strokes": [[[0, 0], [100, 0], [100, 100], [0, 100], [0, 0]]] })
}

fn table() -> Vec<Row> {
    vec![
        Row {
            path: "/api/ai/shape-recognition",
            body: square,
            expect: SIGNED_IN,
        },
        Row {
            path: "/api/ai/handwriting-recognition",
            body: square,
            expect: SIGNED_IN,
        },
        Row {
            path: "/api/auth/sign-up",
            body: |_, who| json!({ "email": format!("new-{who:?}-{}@example.com", rand_suffix()), "display_name": "New", "password": "long enough" }),
            expect: ALL_OK,
        },
        Row {
            path: "/api/auth/sign-in",
            body: |f, who| f.credentials(who),
            expect: ALL_OK,
        },
        Row {
            path: "/api/auth/sign-out",
            body: |_, _| json!({}),
            expect: ALL_OK,
        },
        Row {
            path: "/api/auth/me",
            body: |_, _| json!({}),
            expect: ALL_OK,
        },
        Row {
            path: "/api/auth/token",
            body: |f, who| f.credentials(who),
            expect: ALL_OK,
        },
        Row {
            path: "/api/auth/ws-ticket",
            body: |_, _| json!({}),
            expect: SIGNED_IN,
        },
        Row {
            path: "/api/rooms/create",
            body: |_, who| json!({ "name": format!("Made by {who:?}"), "is_private": true }),
            expect: SIGNED_IN,
        },
        Row {
            path: "/api/rooms/public",
            body: |_, _| json!({ "offset": 0, "limit": 10 }),
            expect: ALL_OK,
        },
        Row {
            path: "/api/rooms/mine",
            body: |_, _| json!({}),
            expect: SIGNED_IN,
        },
        // A private room: invisible to non-members.
        Row {
            path: "/api/rooms/get",
            body: private,
            expect: [404, 404, 200, 200, 200],
        },
        Row {
            path: "/api/rooms/join",
            body: |f, _| json!({ "slug": f.public }),
            expect: SIGNED_IN,
        },
        Row {
            path: "/api/rooms/join-code",
            body: |f, _| json!({ "code": f.code }),
            expect: SIGNED_IN,
        },
        Row {
            path: "/api/rooms/join-link",
            body: |f, _| json!({ "token": f.viewer_link }),
            expect: SIGNED_IN,
        },
        // Owners cannot leave (409): they delete the room instead.
        Row {
            path: "/api/rooms/leave",
            body: private,
            expect: [401, 404, 200, 200, 409],
        },
        Row {
            path: "/api/rooms/rename",
            body: |f, _| json!({ "slug": f.private, "name": "Renamed" }),
            expect: OWNER_ONLY,
        },
        Row {
            path: "/api/rooms/delete",
            body: private,
            expect: OWNER_ONLY,
        },
        Row {
            path: "/api/rooms/rotate-code",
            body: private,
            expect: OWNER_ONLY,
        },
        Row {
            path: "/api/rooms/set-password",
            body: |f, _| json!({ "slug": f.private, "password": "new password" }),
            expect: OWNER_ONLY,
        },
        Row {
            path: "/api/rooms/members",
            body: private,
            expect: MEMBERS,
        },
        Row {
            path: "/api/rooms/kick",
            body: |f, _| json!({ "slug": f.private, "user_id": f.extra.id }),
            expect: OWNER_ONLY,
        },
        Row {
            path: "/api/rooms/set-role",
            body: |f, _| json!({ "slug": f.private, "user_id": f.extra.id, "role": "viewer" }),
            expect: OWNER_ONLY,
        },
        Row {
            path: "/api/rooms/share-links/create",
            body: |f, _| json!({ "slug": f.private, "role": "editor" }),
            expect: OWNER_ONLY,
        },
        Row {
            path: "/api/rooms/share-links/list",
            body: private,
            expect: OWNER_ONLY,
        },
        Row {
            path: "/api/rooms/share-links/revoke",
            body: |f, _| json!({ "slug": f.private, "token": f.viewer_link }),
            expect: OWNER_ONLY,
        },
        Row {
            path: "/api/challenges/overview",
            body: |_, _| json!({}),
            expect: ALL_OK,
        },
        Row {
            path: "/api/challenges/list",
            body: |_, _| json!({ "status": "past", "limit": 10 }),
            expect: ALL_OK,
        },
        Row {
            path: "/api/challenges/get",
            body: |f, _| json!({ "slug": f.challenge }),
            expect: ALL_OK,
        },
        Row {
            path: "/api/challenges/categories",
            body: |_, _| json!({}),
            expect: ALL_OK,
        },
        Row {
            path: "/api/challenges/start",
            body: |f, _| json!({ "slug": f.challenge }),
            expect: SIGNED_IN,
        },
        // The private room is the owner's board for the challenge: its editors submit it.
        Row {
            path: "/api/challenges/submit",
            body: |f, _| json!({ "room": f.private, "title": "Ours", "is_public": true }),
            expect: [401, 404, 403, 200, 200],
        },
        Row {
            path: "/api/challenges/for-board",
            body: |f, _| json!({ "room": f.private }),
            expect: MEMBERS,
        },
        Row {
            path: "/api/challenges/submissions",
            body: |f, _| json!({ "challenge": f.challenge, "limit": 24 }),
            expect: ALL_OK,
        },
        Row {
            path: "/api/challenges/submission",
            body: |f, _| json!({ "id": f.submission }),
            expect: ALL_OK,
        },
        Row {
            path: "/api/challenges/like",
            body: |f, _| json!({ "id": f.submission, "like": true }),
            expect: SIGNED_IN,
        },
        Row {
            path: "/api/challenges/remix",
            body: |f, _| json!({ "id": f.submission }),
            expect: SIGNED_IN,
        },
        Row {
            path: "/api/challenges/mine",
            body: |_, _| json!({}),
            expect: SIGNED_IN,
        },
        Row {
            path: "/api/challenges/profile",
            body: |f, _| json!({ "user_id": f.extra.id }),
            expect: ALL_OK,
        },
        // Only its author (`extra`, not a caller here) or an admin removes a submission.
        Row {
            path: "/api/challenges/delete-submission",
            body: |f, _| json!({ "id": f.submission }),
            expect: ADMINS_ONLY,
        },
        Row {
            path: "/api/challenges/admin/category",
            body: |_, _| json!({ "slug": "sneaky", "name": "Sneaky", "description": "", "color": "#000000", "icon": "cube" }),
            expect: ADMINS_ONLY,
        },
        Row {
            path: "/api/challenges/admin/save",
            body: |_, _| json!({ "title": "T", "description": "", "prompt": "P", "category": "access", "difficulty": "beginner", "kind": "monthly", "starts_on": "2031-01-01" }),
            expect: ADMINS_ONLY,
        },
        Row {
            path: "/api/challenges/admin/retire",
            body: |f, _| json!({ "slug": f.challenge, "active": false }),
            expect: ADMINS_ONLY,
        },
    ]
}

/// A plain route (not a server function), fetched with GET: `/api/rooms/{room}/{file}`, and the
/// expected status per caller.
struct Route {
    room: fn(&Fixture) -> &str,
    file: &'static str,
    expect: [u16; 5],
}

fn private_slug(f: &Fixture) -> &str {
    &f.private
}

fn public_slug(f: &Fixture) -> &str {
    &f.public
}

fn routes() -> Vec<Route> {
    let (private, public) = (private_slug, public_slug);
    vec![
        // Whoever may watch the room may export it.
        Route {
            room: private,
            file: "export.png",
            expect: MEMBERS,
        },
        Route {
            room: private,
            file: "export.svg",
            expect: MEMBERS,
        },
        Route {
            room: private,
            file: "export.json",
            expect: MEMBERS,
        },
        // A public room: signed-in visitors watch it without joining.
        Route {
            room: public,
            file: "export.json",
            expect: SIGNED_IN,
        },
    ]
}

fn rand_suffix() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

async fn every_endpoint_answers_each_caller_as_the_table_says(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut failures = Vec::new();
    for row in table() {
        // A fresh fixture per endpoint, so one endpoint's effects never leak into another's.
        let f = Fixture::new(&app).await;
        for (who, expected) in CALLERS.into_iter().zip(row.expect) {
            let (status, body) = app.call(f.client(who), row.path, (row.body)(&f, who)).await;
            if status != expected {
                failures.push(format!(
                    "{} as {who:?}: expected {expected}, got {status} {body}",
                    row.path
                ));
            }
        }
    }
    let f = Fixture::new(&app).await;
    for route in routes() {
        let path = format!("/api/rooms/{}/{}", (route.room)(&f), route.file);
        for (who, expected) in CALLERS.into_iter().zip(route.expect) {
            let res = f
                .client(who)
                .get(app.url(&path))
                .send()
                .await
                .expect("request");
            let status = res.status().as_u16();
            if status != expected {
                failures.push(format!(
                    "GET {path} as {who:?}: expected {expected}, got {status}"
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "access table violations:\n{}",
        failures.join("\n")
    );
    app.stop().await;
}

/// The access rule exists once (`app::rooms::access`): a non-member is refused a private room
/// and watches a public one as a viewer, through a server function and through the socket alike.
async fn the_socket_and_the_server_functions_apply_one_access_rule(backend: Backend) {
    let app = spawn_app(backend).await;
    let f = Fixture::new(&app).await;
    let outsider = &f.outsider.client;

    let (status, _) = app
        .call(outsider, "/api/rooms/get", json!({ "slug": f.private }))
        .await;
    assert_eq!(status, 404);
    let mut ws = Ws::connect_to(&app.address, outsider).await;
    assert_eq!(ws.join(&f.private, 1, None).await["code"], "unknown_room");

    let (status, room) = app
        .call(outsider, "/api/rooms/get", json!({ "slug": f.public }))
        .await;
    assert_eq!(
        (status, &room["role"]),
        (200, &Value::Null),
        "visible, not a member"
    );
    let mut ws = Ws::connect_to(&app.address, outsider).await;
    let state = ws.join(&f.public, 2, None).await;
    assert_eq!(state["you"]["role"], "viewer", "{state}");

    // A viewer through a link is a viewer on both paths.
    let (_, room) = app
        .call(
            &f.viewer.client,
            "/api/rooms/get",
            json!({ "slug": f.private }),
        )
        .await;
    assert_eq!(room["role"], "viewer");
    let mut ws = Ws::connect_to(&app.address, &f.viewer.client).await;
    assert_eq!(ws.join(&f.private, 3, None).await["you"]["role"], "viewer");
    app.stop().await;
}

both_backends!(
    every_endpoint_answers_each_caller_as_the_table_says,
    the_socket_and_the_server_functions_apply_one_access_rule,
);

#[test]
fn every_server_function_has_a_row_in_the_access_table() {
    let mut registered: Vec<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_owned())
        .collect();
    registered.sort();
    let mut covered: Vec<String> = table().iter().map(|r| r.path.to_owned()).collect();
    covered.sort();
    assert_eq!(
        registered, covered,
        "add a row to the access table for every server function"
    );
}
