//! Rooms through the real `/api/rooms/*` endpoints.

use crate::both_backends;
use crate::helpers::{Backend, new_client, spawn_app};
use serde_json::json;

async fn a_private_room_is_joined_by_code_and_password(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.sign_up("Owner").await;
    let room = app
        .create_room(&owner, "Design Review", true, Some("s3same"))
        .await;
    assert_eq!(room["slug"], "design-review");
    assert_eq!(room["role"], "owner");
    assert_eq!(room["has_password"], true);
    let code = room["code"].as_str().unwrap().to_owned();
    assert_eq!(code.len(), 6);

    let guest = app.sign_up("Guest").await;
    // Not a member yet: the room does not exist as far as the guest can tell.
    let (status, _) = app
        .call(
            &guest.client,
            "/api/rooms/get",
            json!({ "slug": "design-review" }),
        )
        .await;
    assert_eq!(status, 404);
    let (status, err) = app
        .call(
            &guest.client,
            "/api/rooms/join-code",
            json!({ "code": code, "password": "wrong" }),
        )
        .await;
    assert_eq!(
        (status, err["kind"].as_str()),
        (403, Some("bad_room_credentials"))
    );
    let (status, err) = app
        .call(
            &guest.client,
            "/api/rooms/join-code",
            json!({ "code": "ZZZZZZ" }),
        )
        .await;
    assert_eq!(
        (status, err["kind"].as_str()),
        (403, Some("bad_room_credentials")),
        "same answer for a wrong code"
    );
    let typed = format!(" {}-{} ", &code[..3].to_lowercase(), &code[3..]);
    let (status, joined) = app
        .call(
            &guest.client,
            "/api/rooms/join-code",
            json!({ "code": typed, "password": "s3same" }),
        )
        .await;
    assert_eq!(status, 200, "{joined}");
    assert_eq!(joined["role"], "editor");
    assert_eq!(
        joined["code"],
        serde_json::Value::Null,
        "only the owner sees the code"
    );
    let (status, _) = app
        .call(
            &guest.client,
            "/api/rooms/get",
            json!({ "slug": "design-review" }),
        )
        .await;
    assert_eq!(status, 200);
    app.stop().await;
}

async fn rotating_the_code_retires_the_old_one(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.sign_up("Owner").await;
    let room = app.create_room(&owner, "Plans", true, None).await;
    let old = room["code"].as_str().unwrap().to_owned();
    let (status, rotated) = app
        .call(
            &owner.client,
            "/api/rooms/rotate-code",
            json!({ "slug": "plans" }),
        )
        .await;
    assert_eq!(status, 200);
    let new = rotated["code"].as_str().unwrap().to_owned();
    assert_ne!(old, new);
    let guest = app.sign_up("Guest").await;
    assert_eq!(
        app.call(
            &guest.client,
            "/api/rooms/join-code",
            json!({ "code": old })
        )
        .await
        .0,
        403
    );
    assert_eq!(
        app.call(
            &guest.client,
            "/api/rooms/join-code",
            json!({ "code": new })
        )
        .await
        .0,
        200
    );
    app.stop().await;
}

async fn public_rooms_are_listed_in_pages_for_everyone(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.sign_up("Owner").await;
    for i in 0..5 {
        app.create_room(&owner, &format!("Public {i}"), false, None)
            .await;
    }
    app.create_room(&owner, "Secret", true, None).await;
    let anon = new_client();
    let (status, page) = app
        .call(
            &anon,
            "/api/rooms/public",
            json!({ "offset": 0, "limit": 3 }),
        )
        .await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["rooms"].as_array().unwrap().len(), 3);
    assert_eq!(page["next_offset"], 3);
    let (_, page2) = app
        .call(
            &anon,
            "/api/rooms/public",
            json!({ "offset": 3, "limit": 3 }),
        )
        .await;
    let names: Vec<_> = page2["rooms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].clone())
        .collect();
    assert_eq!(names.len(), 2);
    assert_eq!(page2["next_offset"], serde_json::Value::Null);
    assert!(!names.contains(&json!("Secret")));
    let (status, _) = app
        .call(
            &anon,
            "/api/rooms/public",
            json!({ "offset": 0, "limit": 500 }),
        )
        .await;
    assert_eq!(status, 422);
    app.stop().await;
}

async fn joining_a_public_room_makes_an_editor_and_lists_it_as_mine(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.sign_up("Owner").await;
    app.create_room(&owner, "Town Square", false, None).await;
    let ada = app.sign_up("Ada").await;
    let (status, joined) = app
        .call(
            &ada.client,
            "/api/rooms/join",
            json!({ "slug": "town-square" }),
        )
        .await;
    assert_eq!((status, joined["role"].as_str()), (200, Some("editor")));
    let (_, mine) = app.call(&ada.client, "/api/rooms/mine", json!({})).await;
    assert_eq!(mine[0]["slug"], "town-square");
    assert_eq!(mine[0]["member_count"], 2);
    let (status, _) = app
        .call(
            &ada.client,
            "/api/rooms/leave",
            json!({ "slug": "town-square" }),
        )
        .await;
    assert_eq!(status, 200);
    let (_, mine) = app.call(&ada.client, "/api/rooms/mine", json!({})).await;
    assert_eq!(mine, json!([]));
    app.stop().await;
}

async fn share_links_grant_their_role_until_revoked(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.sign_up("Owner").await;
    app.create_room(&owner, "Board", true, None).await;
    let (_, link) = app
        .call(
            &owner.client,
            "/api/rooms/share-links/create",
            json!({ "slug": "board", "role": "viewer" }),
        )
        .await;
    let token = link["token"].as_str().unwrap().to_owned();
    let viewer = app.sign_up("Viewer").await;
    let (status, joined) = app
        .call(
            &viewer.client,
            "/api/rooms/join-link",
            json!({ "token": token }),
        )
        .await;
    assert_eq!((status, joined["role"].as_str()), (200, Some("viewer")));
    let (status, _) = app
        .call(
            &owner.client,
            "/api/rooms/share-links/revoke",
            json!({ "slug": "board", "token": token }),
        )
        .await;
    assert_eq!(status, 200);
    let late = app.sign_up("Late").await;
    let (status, _) = app
        .call(
            &late.client,
            "/api/rooms/join-link",
            json!({ "token": token }),
        )
        .await;
    assert_eq!(status, 404);
    // Revoking a link does not remove those who joined through it.
    assert_eq!(
        app.call(&viewer.client, "/api/rooms/get", json!({ "slug": "board" }))
            .await
            .0,
        200
    );
    app.stop().await;
}

async fn the_owner_manages_members_and_settings(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.sign_up("Owner").await;
    let room = app.create_room(&owner, "Team", true, None).await;
    let code = room["code"].as_str().unwrap();
    let bob = app.sign_up("Bob").await;
    app.call(&bob.client, "/api/rooms/join-code", json!({ "code": code }))
        .await;

    let (_, members) = app
        .call(&bob.client, "/api/rooms/members", json!({ "slug": "team" }))
        .await;
    assert_eq!(members.as_array().unwrap().len(), 2);
    assert_eq!(members[0]["role"], "owner");
    let (status, _) = app
        .call(
            &owner.client,
            "/api/rooms/set-role",
            json!({ "slug": "team", "user_id": bob.id, "role": "viewer" }),
        )
        .await;
    assert_eq!(status, 200);
    let (_, seen) = app
        .call(&bob.client, "/api/rooms/get", json!({ "slug": "team" }))
        .await;
    assert_eq!(seen["role"], "viewer");

    let (status, renamed) = app
        .call(
            &owner.client,
            "/api/rooms/rename",
            json!({ "slug": "team", "name": "Team A" }),
        )
        .await;
    assert_eq!((status, renamed["name"].as_str()), (200, Some("Team A")));
    let (status, _) = app
        .call(
            &owner.client,
            "/api/rooms/set-password",
            json!({ "slug": "team", "password": "hunter2!" }),
        )
        .await;
    assert_eq!(status, 200);

    let (status, _) = app
        .call(
            &owner.client,
            "/api/rooms/kick",
            json!({ "slug": "team", "user_id": bob.id }),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        app.call(&bob.client, "/api/rooms/get", json!({ "slug": "team" }))
            .await
            .0,
        404
    );

    let (status, _) = app
        .call(
            &owner.client,
            "/api/rooms/delete",
            json!({ "slug": "team" }),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        app.call(&owner.client, "/api/rooms/get", json!({ "slug": "team" }))
            .await
            .0,
        404
    );
    app.stop().await;
}

async fn bad_room_input_gets_clear_errors_and_changes_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.sign_up("Owner").await;
    let c = &owner.client;
    let (status, err) = app
        .call(
            c,
            "/api/rooms/create",
            json!({ "name": "", "is_private": false }),
        )
        .await;
    assert_eq!((status, err["field"].as_str()), (422, Some("name")));
    let (status, err) = app
        .call(
            c,
            "/api/rooms/create",
            json!({ "name": "Open", "is_private": false, "password": "abcd" }),
        )
        .await;
    assert_eq!((status, err["field"].as_str()), (422, Some("password")));
    let (status, err) = app
        .call(c, "/api/rooms/get", json!({ "slug": "no-such-room" }))
        .await;
    assert_eq!((status, err["kind"].as_str()), (404, Some("not_found")));
    let (status, _) = app
        .call(c, "/api/rooms/join-code", json!({ "code": "" }))
        .await;
    assert_eq!(status, 403);
    let (_, mine) = app.call(c, "/api/rooms/mine", json!({})).await;
    assert_eq!(mine, json!([]));
    // Two rooms with one name get distinct slugs.
    let a = app.create_room(&owner, "Same", false, None).await;
    let b = app.create_room(&owner, "Same", false, None).await;
    assert_ne!(a["slug"], b["slug"]);
    app.stop().await;
}

both_backends!(
    a_private_room_is_joined_by_code_and_password,
    rotating_the_code_retires_the_old_one,
    public_rooms_are_listed_in_pages_for_everyone,
    joining_a_public_room_makes_an_editor_and_lists_it_as_mine,
    share_links_grant_their_role_until_revoked,
    the_owner_manages_members_and_settings,
    bad_room_input_gets_clear_errors_and_changes_nothing,
);
