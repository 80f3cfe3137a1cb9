//! The storage layer on both engines: migrations, constraints, queries.

use crate::both_backends;
use crate::helpers::{Backend, spawn_app};
use app::rooms::db as rooms;
use inkroom_server::db::{DbError, users};

fn new_user(email: &str) -> users::NewUser<'_> {
    users::NewUser {
        email,
        display_name: "Ada",
        password_hash: "$argon2id$stub-not-checked-here",
    }
}

fn room<'a>(slug: &'a str, owner_id: &'a str) -> rooms::NewRoom<'a> {
    rooms::NewRoom {
        slug,
        name: "Retro",
        owner_id,
        is_private: true,
        code: None,
        password_hash: None,
    }
}

async fn a_user_can_be_stored_and_found_by_email(backend: Backend) {
    let app = spawn_app(backend).await;
    let created = users::insert(app.db.pool(), new_user("ada@example.com"))
        .await
        .unwrap();
    let found = users::find_by_email(app.db.pool(), "ada@example.com")
        .await
        .unwrap();
    assert_eq!(found, Some(created));
    assert_eq!(
        users::find_by_email(app.db.pool(), "bob@example.com")
            .await
            .unwrap(),
        None
    );
    app.stop().await;
}

async fn a_taken_email_is_a_conflict_and_changes_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let first = users::insert(app.db.pool(), new_user("ada@example.com"))
        .await
        .unwrap();
    let err = users::insert(app.db.pool(), new_user("ada@example.com"))
        .await
        .unwrap_err();
    assert!(matches!(err, DbError::Conflict(_)), "{err:?}");
    let found = users::find_by_email(app.db.pool(), "ada@example.com")
        .await
        .unwrap();
    assert_eq!(found.map(|u| u.id), Some(first.id));
    app.stop().await;
}

async fn rooms_need_an_existing_owner_and_a_unique_slug(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = users::insert(app.db.pool(), new_user("ada@example.com"))
        .await
        .unwrap();
    let owner_id = owner.id.as_str();
    let created = rooms::insert(app.db.pool(), room("retro", owner_id))
        .await
        .unwrap();
    assert!(created.is_private);
    assert_eq!(
        rooms::find_by_slug(app.db.pool(), "retro").await.unwrap(),
        Some(created)
    );

    let dup = rooms::insert(app.db.pool(), room("retro", owner_id))
        .await
        .unwrap_err();
    assert!(matches!(dup, DbError::Conflict(_)), "{dup:?}");
    let orphan = rooms::insert(app.db.pool(), room("orphan", "no-such-user"))
        .await
        .unwrap_err();
    assert!(
        matches!(orphan, DbError::Sqlx(_)),
        "foreign key must be enforced: {orphan:?}"
    );
    assert_eq!(
        rooms::find_by_slug(app.db.pool(), "orphan").await.unwrap(),
        None
    );
    app.stop().await;
}

async fn migrations_can_run_again_on_a_migrated_database(backend: Backend) {
    let app = spawn_app(backend).await;
    app.db
        .migrate()
        .await
        .expect("second migration run is a no-op");
    app.stop().await;
}

both_backends!(
    a_user_can_be_stored_and_found_by_email,
    a_taken_email_is_a_conflict_and_changes_nothing,
    rooms_need_an_existing_owner_and_a_unique_slug,
    migrations_can_run_again_on_a_migrated_database,
);
