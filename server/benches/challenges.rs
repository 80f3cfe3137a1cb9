//! Challenge figures, printed (a benchmark, not a test: `cargo bench -p server --bench
//! challenges`, or `scripts/bench-challenges`):
//!
//! - a gallery page of 24 cards from a challenge with 100,000 submissions, in each order, at the
//!   first page and deep in the gallery, on SQLite and (with `TEST_DATABASE_URL`) PostgreSQL:
//!   the server's time in the query that builds the page;
//! - a submission's pictures (full image and thumbnail) for a board of 5,000 elements.
//!
//! Figures are medians and 95th percentiles over repeated runs, so compare them within one run.

use app::challenges::db::{self, NewChallenge};
use app::challenges::{Category, Cursor, Sort};
use app::ssr::db::Db;
use inkroom_core::challenge::{Difficulty, Kind, hot_score};
use inkroom_core::element::{Element, ElementId, ElementKind, Props};
use inkroom_core::geom::{Rect, WorldPoint};
use inkroom_core::index::FracIndex;
use inkroom_core::scene::Scene;
use std::time::{Duration, Instant};

const SUBMISSIONS: usize = 100_000;
const PAGE: i64 = 24;
const RUNS: usize = 200;

fn percentile(times: &mut [Duration], p: f64) -> Duration {
    times.sort();
    times[((times.len() - 1) as f64 * p).round() as usize]
}

fn report(what: &str, mut times: Vec<Duration>) {
    let median = percentile(&mut times, 0.5);
    let p95 = percentile(&mut times, 0.95);
    println!(
        "{what:<52} median {:>7.2} ms   p95 {:>7.2} ms",
        median.as_secs_f64() * 1e3,
        p95.as_secs_f64() * 1e3
    );
}

/// A challenge with `SUBMISSIONS` public submissions by as many users, likes spread over a
/// long tail, submitted over a month.
async fn fill(db: &Db) -> String {
    let pool = db.pool();
    db::upsert_category(
        pool,
        &Category {
            slug: "bench".into(),
            name: "Bench".into(),
            description: String::new(),
            color: "#000000".into(),
            icon: "cube".into(),
        },
    )
    .await
    .unwrap();
    let category_id = db::category_id(pool, "bench").await.unwrap().unwrap();
    let period = Kind::Monthly.period(1_800_000_000_000);
    db::upsert_challenge(
        pool,
        &NewChallenge {
            slug: "bench".into(),
            title: "Bench".into(),
            description: String::new(),
            prompt: "Draw".into(),
            category_id,
            difficulty: Difficulty::Beginner,
            kind: Kind::Monthly,
            starts_at: period.start_ms,
            ends_at: period.end_ms,
            image_url: None,
            tags: Vec::new(),
        },
    )
    .await
    .unwrap();
    let challenge = db::find(pool, "bench").await.unwrap().unwrap();
    // Pictures of realistic size would only make the table bigger: no gallery query reads them.
    let png = vec![0u8; 1024];
    let mut rng = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    const ROWS: usize = 200;
    for chunk in 0..SUBMISSIONS / ROWS {
        let mut tx = pool.begin().await.unwrap();
        let mut users = String::from(
            "INSERT INTO users (id, email, display_name, password_hash, created_at) VALUES ",
        );
        let mut subs = String::from(
            "INSERT INTO challenge_submissions (id, challenge_id, user_id, room_id, title, description, \
             is_public, scene, element_count, image, thumbnail, width, height, revision, like_count, hot, submitted_at) VALUES ",
        );
        let mut rows = Vec::new();
        for i in 0..ROWS {
            let n = chunk * ROWS + i;
            let sep = if i == 0 { "" } else { ", " };
            users.push_str(&format!(
                "{sep}('u{n}', 'u{n}@example.com', 'User {n}', 'x', 0)"
            ));
            let p = i * 5;
            subs.push_str(&format!(
                "{sep}('s{n}', '{}', 'u{n}', NULL, 'Drawing {n}', '', 1, '[]', 10, ${}, ${}, 800, 600, 1, ${}, ${}, ${})",
                challenge.id,
                p + 1,
                p + 2,
                p + 3,
                p + 4,
                p + 5
            ));
            // Likes: most drawings few, a long tail of popular ones.
            let likes = (next() % 1000).pow(3) as i64 / 10_000_000;
            let at = period.start_ms + (next() % (28 * 86_400_000)) as i64;
            rows.push((likes, hot_score(likes, at), at));
        }
        sqlx::query(&users).execute(&mut *tx).await.unwrap();
        let mut q = sqlx::query(&subs);
        for (likes, hot, at) in rows {
            q = q
                .bind(png.clone())
                .bind(png.clone())
                .bind(likes)
                .bind(hot)
                .bind(at);
        }
        q.execute(&mut *tx).await.unwrap();
        tx.commit().await.unwrap();
    }
    // Fresh statistics, as a database that grew to this size would have.
    sqlx::query("ANALYZE").execute(pool).await.unwrap();
    challenge.id
}

async fn gallery(db: &Db, name: &str) {
    let started = Instant::now();
    let challenge = fill(db).await;
    println!(
        "{name}: {SUBMISSIONS} submissions written in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let pool = db.pool();
    for sort in [Sort::Hot, Sort::New, Sort::Top] {
        // The first page, then a page 2,000 cards deep (found by walking there once).
        let mut first = Vec::with_capacity(RUNS);
        for _ in 0..RUNS {
            let t = Instant::now();
            let (cards, _) = db::gallery(pool, &challenge, Some("u1"), sort, None, PAGE)
                .await
                .unwrap();
            first.push(t.elapsed());
            assert_eq!(cards.len(), PAGE as usize);
        }
        let mut cursor: Option<String> = None;
        for _ in 0..2000 / PAGE {
            let c = cursor.as_deref().map(|c| Cursor::decode(sort, c).unwrap());
            cursor = db::gallery(pool, &challenge, None, sort, c.as_ref(), PAGE)
                .await
                .unwrap()
                .1;
        }
        let deep_cursor = Cursor::decode(sort, cursor.as_deref().unwrap()).unwrap();
        let mut deep = Vec::with_capacity(RUNS);
        for _ in 0..RUNS {
            let t = Instant::now();
            let (cards, _) =
                db::gallery(pool, &challenge, Some("u1"), sort, Some(&deep_cursor), PAGE)
                    .await
                    .unwrap();
            deep.push(t.elapsed());
            assert_eq!(cards.len(), PAGE as usize);
        }
        report(
            &format!("{name} gallery, {} order, first page of 24", sort.as_str()),
            first,
        );
        report(
            &format!("{name} gallery, {} order, 24 after 2,000", sort.as_str()),
            deep,
        );
    }
}

/// A board of `n` mixed elements on a grid: rectangles, ellipses, diamonds, lines, text.
fn board(n: usize) -> Scene {
    let mut scene = Scene::default();
    let mut index: Option<FracIndex> = None;
    for i in 0..n {
        let x = (i % 100) as f64 * 60.0;
        let y = (i / 100) as f64 * 60.0;
        let next = FracIndex::between(index.as_ref(), None).unwrap();
        let at = |dx: f64, dy: f64| WorldPoint::new(x + dx, y + dy);
        let props = match i % 5 {
            0 => Props::new(
                ElementKind::Rectangle,
                Rect::from_corners(at(0.0, 0.0), at(40.0, 30.0)),
                next.clone(),
            ),
            1 => Props::new(
                ElementKind::Ellipse,
                Rect::from_corners(at(0.0, 0.0), at(40.0, 30.0)),
                next.clone(),
            ),
            2 => Props::new(
                ElementKind::Diamond,
                Rect::from_corners(at(0.0, 0.0), at(40.0, 30.0)),
                next.clone(),
            ),
            3 => Props::through(
                ElementKind::Arrow,
                &[at(0.0, 0.0), at(30.0, 10.0), at(45.0, 40.0)],
                next.clone(),
            )
            .unwrap(),
            _ => Props::text(at(0.0, 0.0), "label", 16.0, next.clone()),
        };
        let e = Element::new(ElementId::from_u128(i as u128 + 1), props, 1, 0).unwrap();
        scene.insert(e).unwrap();
        index = Some(next);
    }
    scene
}

fn render() {
    let scene = board(5000);
    let mut times = Vec::new();
    let mut size = (0, 0);
    for _ in 0..10 {
        let t = Instant::now();
        let p = inkroom_server::export::boards::picture(&scene).unwrap();
        times.push(t.elapsed());
        size = (p.width, p.height);
    }
    report(
        &format!(
            "picture + thumbnail, 5,000 elements ({}x{} px)",
            size.0, size.1
        ),
        times,
    );
}

#[tokio::main]
async fn main() {
    render();
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("bench.db").display()
    );
    let db = Db::connect(&url).await.unwrap();
    db.migrate().await.unwrap();
    gallery(&db, "SQLite").await;
    drop(db);

    match std::env::var("TEST_DATABASE_URL") {
        Ok(admin) => {
            use sqlx::Connection;
            let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap();
            sqlx::query("DROP DATABASE IF EXISTS inkroom_bench WITH (FORCE)")
                .execute(&mut conn)
                .await
                .unwrap();
            sqlx::query("CREATE DATABASE inkroom_bench")
                .execute(&mut conn)
                .await
                .unwrap();
            let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
            let db = Db::connect(&format!("{base}/inkroom_bench")).await.unwrap();
            db.migrate().await.unwrap();
            gallery(&db, "PostgreSQL").await;
            drop(db);
            sqlx::query("DROP DATABASE IF EXISTS inkroom_bench WITH (FORCE)")
                .execute(&mut conn)
                .await
                .unwrap();
        }
        Err(_) => println!("PostgreSQL: skipped (set TEST_DATABASE_URL)"),
    }
}
