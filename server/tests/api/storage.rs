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

/// A snapshot every 100 ops, history of 250: once the log reaches 1,000, what is older than the
/// newest snapshot at or before 750 is gone, and the room still loads to the same scene.
async fn old_events_and_snapshots_are_pruned_behind_the_history_window(backend: Backend) {
    use inkroom_core::element::{Element, ElementId, ElementKind, Props};
    use inkroom_core::geom::{Rect, WorldPoint};
    use inkroom_core::index::FracIndex;
    use inkroom_core::ops::{Op, Patch};
    use inkroom_core::replica::Authority;
    use inkroom_core::sequencer::SnapshotState;
    use inkroom_server::hub::store::{self, LogEntry, Part};

    let app = spawn_app(backend).await;
    let owner = users::insert(app.db.pool(), new_user("ada@example.com"))
        .await
        .unwrap();
    let room_id = rooms::insert(app.db.pool(), room("history", &owner.id))
        .await
        .unwrap()
        .id;
    let id = ElementId::from_u128(1);
    let rect = Rect::from_corners(WorldPoint::new(0.0, 0.0), WorldPoint::new(10.0, 10.0));
    let props = Props::new(
        ElementKind::Rectangle,
        rect,
        FracIndex::between(None, None).unwrap(),
    );
    let mut authority = Authority::default();
    for n in 1..=1000u64 {
        let op = if n == 1 {
            Op::Create {
                element: Element::new(id, props.clone(), 0, 0).unwrap(),
            }
        } else {
            Op::Update {
                id,
                patch: Patch {
                    x: Some(n as f64),
                    ..Patch::default()
                },
            }
        };
        let inkroom_core::replica::Submitted::Accepted(s) = authority.submit(7, n, op, 0).unwrap()
        else {
            panic!("accepted")
        };
        let entry = LogEntry {
            op: *s,
            user_id: owner.id.clone(),
        };
        let snapshot = (n % 100 == 0)
            .then(|| store::serialize_snapshot(&room_id, n, &SnapshotState::of(&authority)))
            .flatten();
        let part = Part {
            room_id: &room_id,
            entries: std::slice::from_ref(&entry),
            snapshot: snapshot.as_ref(),
        };
        store::append_many(&app.db, &[part], 250).await.unwrap();
    }
    let count = |sql: &'static str| {
        let (db, room_id) = (app.db.clone(), room_id.clone());
        async move {
            let (n,): (i64,) = sqlx::query_as(sql)
                .bind(room_id)
                .fetch_one(db.pool())
                .await
                .unwrap();
            n
        }
    };
    // At 1,000 the horizon is 750: its base snapshot is 700; events 701..=1000 stay.
    assert_eq!(
        count("SELECT MIN(seq) FROM room_events WHERE room_id = $1").await,
        701
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM room_events WHERE room_id = $1").await,
        300
    );
    assert_eq!(
        count("SELECT MIN(seq) FROM room_snapshots WHERE room_id = $1").await,
        700
    );
    let loaded = store::load(&app.db, &room_id).await.unwrap();
    assert_eq!(loaded.authority.seq(), 1000);
    assert_eq!(loaded.authority.scene().get(id).unwrap().props().x, 1000.0);
    app.stop().await;
}

both_backends!(
    old_events_and_snapshots_are_pruned_behind_the_history_window,
    a_user_can_be_stored_and_found_by_email,
    a_taken_email_is_a_conflict_and_changes_nothing,
    rooms_need_an_existing_owner_and_a_unique_slug,
    migrations_can_run_again_on_a_migrated_database,
);
