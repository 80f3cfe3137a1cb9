//! Every query about challenges: categories, challenges, submissions with their credits and
//! likes, and the site-admin flag. Queries answer [`DbError`]; who may call them is decided in
//! `access` and the server functions.
//!
//! The gallery pages by key, never by `OFFSET`: each order walks one index
//! (`submissions_newest`, `_top`, `_hot`) from the last card shown, so page 4,000 costs what
//! page 1 does.

use super::model::{
    Category, Challenge, Cursor, Difficulty, Kind, Likes, Sort, Status, SubmissionCard,
};
use crate::ssr::db::{DbError, now_ms};
use inkroom_core::challenge::hot_score;
use sqlx::any::AnyRow;
use sqlx::{AnyExecutor, AnyPool, Row};

// ---------------------------------------------------------------------------------------------
// Admins

/// Whether `user_id` is a site admin (read at the time of asking: the flag can change).
pub async fn is_admin<'e>(db: impl AnyExecutor<'e>, user_id: &str) -> Result<bool, DbError> {
    let flag: Option<(i64,)> = sqlx::query_as("SELECT is_admin FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(db)
        .await?;
    Ok(flag.is_some_and(|(f,)| f != 0))
}

/// Grants or revokes the admin flag of the account with this (normalised) email; `false` when
/// there is no such account.
pub async fn set_admin<'e>(
    db: impl AnyExecutor<'e>,
    email: &str,
    admin: bool,
) -> Result<bool, DbError> {
    let done = sqlx::query("UPDATE users SET is_admin = $1 WHERE email = $2")
        .bind(i64::from(admin))
        .bind(email)
        .execute(db)
        .await?;
    Ok(done.rows_affected() > 0)
}

// ---------------------------------------------------------------------------------------------
// Categories

/// Creates or updates the category `c.slug`.
pub async fn upsert_category<'e>(db: impl AnyExecutor<'e>, c: &Category) -> Result<(), DbError> {
    let now = now_ms();
    sqlx::query(
        "INSERT INTO challenge_categories (id, slug, name, description, color, icon, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) \
         ON CONFLICT (slug) DO UPDATE SET name = excluded.name, description = excluded.description, \
         color = excluded.color, icon = excluded.icon, updated_at = excluded.updated_at",
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(&c.slug)
    .bind(&c.name)
    .bind(&c.description)
    .bind(&c.color)
    .bind(&c.icon)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

/// Every category, by name.
pub async fn categories<'e>(db: impl AnyExecutor<'e>) -> Result<Vec<Category>, DbError> {
    let rows = sqlx::query(
        "SELECT slug, name, description, color, icon FROM challenge_categories ORDER BY name",
    )
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Category {
                slug: r.try_get("slug")?,
                name: r.try_get("name")?,
                description: r.try_get("description")?,
                color: r.try_get("color")?,
                icon: r.try_get("icon")?,
            })
        })
        .collect()
}

/// The id of the category `slug`.
pub async fn category_id<'e>(
    db: impl AnyExecutor<'e>,
    slug: &str,
) -> Result<Option<String>, DbError> {
    let id: Option<(String,)> =
        sqlx::query_as("SELECT id FROM challenge_categories WHERE slug = $1")
            .bind(slug)
            .fetch_optional(db)
            .await?;
    Ok(id.map(|(id,)| id))
}

// ---------------------------------------------------------------------------------------------
// Challenges

/// A challenge as stored, before it is shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewChallenge {
    /// URL key.
    pub slug: String,
    /// Short title.
    pub title: String,
    /// Guidance.
    pub description: String,
    /// The ask.
    pub prompt: String,
    /// The category's id.
    pub category_id: String,
    /// How hard.
    pub difficulty: Difficulty,
    /// How long.
    pub kind: Kind,
    /// Period start, Unix ms.
    pub starts_at: i64,
    /// Period end, Unix ms.
    pub ends_at: i64,
    /// Reference image.
    pub image_url: Option<String>,
    /// Tags.
    pub tags: Vec<String>,
}

/// A stored challenge's identity and period (what access and submission checks need).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChallengeRow {
    /// UUID text.
    pub id: String,
    /// URL key.
    pub slug: String,
    /// Title.
    pub title: String,
    /// Period start.
    pub starts_at: i64,
    /// Period end.
    pub ends_at: i64,
    /// Not retired.
    pub is_active: bool,
}

impl ChallengeRow {
    /// Where it stands at `now`.
    pub fn status(&self, now: i64) -> Status {
        Status::of(
            inkroom_core::challenge::Period {
                start_ms: self.starts_at,
                end_ms: self.ends_at,
            },
            now,
        )
    }
}

/// Inserts or, when `c.slug` exists, rewrites a challenge (an import run twice changes
/// nothing). A period already taken by another active challenge of the kind is
/// [`DbError::Conflict`].
pub async fn upsert_challenge<'e>(
    db: impl AnyExecutor<'e>,
    c: &NewChallenge,
) -> Result<(), DbError> {
    let now = now_ms();
    sqlx::query(
        "INSERT INTO challenges (id, slug, title, description, prompt, category_id, difficulty, kind, \
         starts_at, ends_at, is_active, image_url, tags, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, $11, $12, $13, $13) \
         ON CONFLICT (slug) DO UPDATE SET title = excluded.title, description = excluded.description, \
         prompt = excluded.prompt, category_id = excluded.category_id, difficulty = excluded.difficulty, \
         kind = excluded.kind, starts_at = excluded.starts_at, ends_at = excluded.ends_at, \
         image_url = excluded.image_url, tags = excluded.tags, updated_at = excluded.updated_at",
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(&c.slug)
    .bind(&c.title)
    .bind(&c.description)
    .bind(&c.prompt)
    .bind(&c.category_id)
    .bind(c.difficulty.as_str())
    .bind(c.kind.as_str())
    .bind(c.starts_at)
    .bind(c.ends_at)
    .bind(&c.image_url)
    .bind(c.tags.join(" "))
    .bind(now)
    .execute(db)
    .await
    .map_err(|e| DbError::on_unique(e, "an active challenge of this kind for this period"))?;
    Ok(())
}

/// Retires (`false`) or restores a challenge; `false` when there is no such challenge.
pub async fn set_active<'e>(
    db: impl AnyExecutor<'e>,
    slug: &str,
    active: bool,
) -> Result<bool, DbError> {
    let done = sqlx::query("UPDATE challenges SET is_active = $1, updated_at = $2 WHERE slug = $3")
        .bind(i64::from(active))
        .bind(now_ms())
        .bind(slug)
        .execute(db)
        .await
        .map_err(|e| DbError::on_unique(e, "an active challenge of this kind for this period"))?;
    Ok(done.rows_affected() > 0)
}

/// The challenge `slug`'s identity and period.
pub async fn find<'e>(
    db: impl AnyExecutor<'e>,
    slug: &str,
) -> Result<Option<ChallengeRow>, DbError> {
    find_where(db, "slug", slug).await
}

/// The challenge with id `id`.
pub async fn find_by_id<'e>(
    db: impl AnyExecutor<'e>,
    id: &str,
) -> Result<Option<ChallengeRow>, DbError> {
    find_where(db, "id", id).await
}

/// The challenge whose unique `column` (a fixed name, never user input) is `value`.
async fn find_where<'e>(
    db: impl AnyExecutor<'e>,
    column: &'static str,
    value: &str,
) -> Result<Option<ChallengeRow>, DbError> {
    let row = sqlx::query(&format!(
        "SELECT id, slug, title, starts_at, ends_at, is_active FROM challenges WHERE {column} = $1"
    ))
    .bind(value)
    .fetch_optional(db)
    .await?;
    row.map(|r| challenge_row(&r)).transpose()
}

fn challenge_row(r: &AnyRow) -> Result<ChallengeRow, DbError> {
    Ok(ChallengeRow {
        id: r.try_get("id")?,
        slug: r.try_get("slug")?,
        title: r.try_get("title")?,
        starts_at: r.try_get("starts_at")?,
        ends_at: r.try_get("ends_at")?,
        is_active: r.try_get::<i64, _>("is_active")? != 0,
    })
}

const CHALLENGE_SELECT: &str = "SELECT c.slug, c.title, c.description, c.prompt, c.difficulty, \
    c.kind, c.starts_at, c.ends_at, c.is_active, c.image_url, c.tags, \
    k.slug AS k_slug, k.name AS k_name, k.description AS k_description, k.color AS k_color, \
    k.icon AS k_icon, \
    (SELECT COUNT(*) FROM challenge_submissions s WHERE s.challenge_id = c.id AND s.is_public = 1) AS submission_count \
    FROM challenges c JOIN challenge_categories k ON k.id = c.category_id";

fn challenge(r: &AnyRow, now: i64) -> Result<Challenge, DbError> {
    let bad = |what: &str| DbError::Sqlx(sqlx::Error::Decode(format!("bad {what}").into()));
    let starts_at: i64 = r.try_get("starts_at")?;
    let ends_at: i64 = r.try_get("ends_at")?;
    let tags: String = r.try_get("tags")?;
    Ok(Challenge {
        slug: r.try_get("slug")?,
        title: r.try_get("title")?,
        description: r.try_get("description")?,
        prompt: r.try_get("prompt")?,
        category: Category {
            slug: r.try_get("k_slug")?,
            name: r.try_get("k_name")?,
            description: r.try_get("k_description")?,
            color: r.try_get("k_color")?,
            icon: r.try_get("k_icon")?,
        },
        difficulty: Difficulty::parse(&r.try_get::<String, _>("difficulty")?)
            .ok_or_else(|| bad("difficulty"))?,
        kind: Kind::parse(&r.try_get::<String, _>("kind")?).ok_or_else(|| bad("kind"))?,
        starts_at,
        ends_at,
        is_active: r.try_get::<i64, _>("is_active")? != 0,
        image_url: r.try_get("image_url")?,
        tags: tags.split_whitespace().map(str::to_owned).collect(),
        status: Status::of(
            inkroom_core::challenge::Period {
                start_ms: starts_at,
                end_ms: ends_at,
            },
            now,
        ),
        submission_count: r.try_get("submission_count")?,
    })
}

/// The challenge `slug` as shown at `now` (retired ones too: the caller decides who sees them).
pub async fn get<'e>(
    db: impl AnyExecutor<'e>,
    slug: &str,
    now: i64,
) -> Result<Option<Challenge>, DbError> {
    let row = sqlx::query(&format!("{CHALLENGE_SELECT} WHERE c.slug = $1"))
        .bind(slug)
        .fetch_optional(db)
        .await?;
    row.map(|r| challenge(&r, now)).transpose()
}

/// The active challenges open at `now`, daily, weekly, monthly.
pub async fn current(pool: &AnyPool, now: i64) -> Result<Vec<Challenge>, DbError> {
    let rows = sqlx::query(&format!(
        "{CHALLENGE_SELECT} WHERE c.is_active = 1 AND c.starts_at <= $1 AND c.ends_at > $1"
    ))
    .bind(now)
    .fetch_all(pool)
    .await?;
    let mut all = rows
        .iter()
        .map(|r| challenge(r, now))
        .collect::<Result<Vec<_>, _>>()?;
    all.sort_by_key(|c| c.kind);
    Ok(all)
}

/// Active challenges starting after `now`, soonest first, `limit` of them (of `kind` if given).
pub async fn upcoming(
    pool: &AnyPool,
    now: i64,
    kind: Option<Kind>,
    limit: i64,
) -> Result<Vec<Challenge>, DbError> {
    let rows = sqlx::query(&format!(
        "{CHALLENGE_SELECT} WHERE c.is_active = 1 AND c.starts_at > $1 \
         AND ($2 = '' OR c.kind = $2) ORDER BY c.starts_at, c.kind LIMIT $3"
    ))
    .bind(now)
    .bind(kind.map_or("", Kind::as_str))
    .bind(limit)
    .fetch_all(pool)
    .await?;
    rows.iter().map(|r| challenge(r, now)).collect()
}

/// Active challenges closed by `now` that started before `before`, newest first.
pub async fn past(
    pool: &AnyPool,
    now: i64,
    kind: Option<Kind>,
    before: i64,
    limit: i64,
) -> Result<Vec<Challenge>, DbError> {
    let rows = sqlx::query(&format!(
        "{CHALLENGE_SELECT} WHERE c.is_active = 1 AND c.ends_at <= $1 AND c.starts_at < $2 \
         AND ($3 = '' OR c.kind = $3) ORDER BY c.starts_at DESC, c.kind LIMIT $4"
    ))
    .bind(now)
    .bind(before)
    .bind(kind.map_or("", Kind::as_str))
    .bind(limit)
    .fetch_all(pool)
    .await?;
    rows.iter().map(|r| challenge(r, now)).collect()
}

/// Retired challenges, newest first (admins only see these).
pub async fn retired(pool: &AnyPool, now: i64, limit: i64) -> Result<Vec<Challenge>, DbError> {
    let rows = sqlx::query(&format!(
        "{CHALLENGE_SELECT} WHERE c.is_active = 0 ORDER BY c.starts_at DESC LIMIT $1"
    ))
    .bind(limit)
    .fetch_all(pool)
    .await?;
    rows.iter().map(|r| challenge(r, now)).collect()
}

// ---------------------------------------------------------------------------------------------
// Boards

/// The slug of `user_id`'s board for the challenge `challenge_id`, if they opened one.
pub async fn board_of<'e>(
    db: impl AnyExecutor<'e>,
    challenge_id: &str,
    user_id: &str,
) -> Result<Option<String>, DbError> {
    let slug: Option<(String,)> = sqlx::query_as(
        "SELECT slug FROM rooms WHERE challenge_id = $1 AND owner_id = $2 ORDER BY created_at LIMIT 1",
    )
    .bind(challenge_id)
    .bind(user_id)
    .fetch_optional(db)
    .await?;
    Ok(slug.map(|(s,)| s))
}

/// Links the room `room_id` to a challenge, or records the submission it was remixed from.
pub async fn link_room<'e>(
    db: impl AnyExecutor<'e>,
    room_id: &str,
    challenge_id: Option<&str>,
    remixed_from: Option<&str>,
) -> Result<(), DbError> {
    sqlx::query("UPDATE rooms SET challenge_id = $1, remixed_from = $2 WHERE id = $3")
        .bind(challenge_id)
        .bind(remixed_from)
        .bind(room_id)
        .execute(db)
        .await?;
    Ok(())
}

/// The challenge the room `room_id` was opened for.
pub async fn challenge_of_room<'e>(
    db: impl AnyExecutor<'e>,
    room_id: &str,
) -> Result<Option<String>, DbError> {
    let id: Option<(Option<String>,)> =
        sqlx::query_as("SELECT challenge_id FROM rooms WHERE id = $1")
            .bind(room_id)
            .fetch_optional(db)
            .await?;
    Ok(id.and_then(|(c,)| c))
}

/// Members of `room_id` (editors and owners) who wrote to its event log: who drew on it.
pub async fn drew_on<'e>(db: impl AnyExecutor<'e>, room_id: &str) -> Result<Vec<String>, DbError> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT m.user_id FROM room_members m WHERE m.room_id = $1 AND m.role IN ('owner', 'editor') \
         AND EXISTS (SELECT 1 FROM room_events e WHERE e.room_id = m.room_id AND e.user_id = m.user_id)",
    )
    .bind(room_id)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|(u,)| u).collect())
}

// ---------------------------------------------------------------------------------------------
// Submissions

/// A submission to store.
#[derive(Clone, Debug)]
pub struct NewSubmission<'a> {
    /// The challenge's id.
    pub challenge_id: &'a str,
    /// The author.
    pub user_id: &'a str,
    /// The board it came from.
    pub room_id: Option<&'a str>,
    /// Title.
    pub title: &'a str,
    /// Description.
    pub description: &'a str,
    /// Public or private.
    pub is_public: bool,
    /// The elements as JSON (a JSON array).
    pub scene: &'a str,
    /// How many elements.
    pub element_count: i64,
    /// The PNG.
    pub image: &'a [u8],
    /// The thumbnail PNG.
    pub thumbnail: &'a [u8],
    /// Image width in pixels.
    pub width: i64,
    /// Image height in pixels.
    pub height: i64,
    /// Everyone credited, author included.
    pub credits: &'a [String],
}

/// Stores `s`, replacing the author's earlier submission to the same challenge (its likes
/// stay; its revision grows, so the old images' URLs stop being served). Returns the id.
pub async fn save_submission(pool: &AnyPool, s: &NewSubmission<'_>) -> Result<String, DbError> {
    let now = now_ms();
    let mut tx = pool.begin().await?;
    let existing: Option<(String, i64, i64)> = sqlx::query_as(
        "SELECT id, revision, like_count FROM challenge_submissions WHERE challenge_id = $1 AND user_id = $2",
    )
    .bind(s.challenge_id)
    .bind(s.user_id)
    .fetch_optional(&mut *tx)
    .await?;
    let id = match existing {
        Some((id, revision, likes)) => {
            sqlx::query(
                "UPDATE challenge_submissions SET room_id = $1, title = $2, description = $3, \
                 is_public = $4, scene = $5, element_count = $6, image = $7, thumbnail = $8, \
                 width = $9, height = $10, revision = $11, hot = $12, submitted_at = $13 WHERE id = $14",
            )
            .bind(s.room_id)
            .bind(s.title)
            .bind(s.description)
            .bind(i64::from(s.is_public))
            .bind(s.scene)
            .bind(s.element_count)
            .bind(s.image)
            .bind(s.thumbnail)
            .bind(s.width)
            .bind(s.height)
            .bind(revision + 1)
            .bind(hot_score(likes, now))
            .bind(now)
            .bind(&id)
            .execute(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM submission_credits WHERE submission_id = $1")
                .bind(&id)
                .execute(&mut *tx)
                .await?;
            id
        }
        None => {
            let id = uuid::Uuid::new_v4().to_string();
            sqlx::query(
                "INSERT INTO challenge_submissions (id, challenge_id, user_id, room_id, title, description, \
                 is_public, scene, element_count, image, thumbnail, width, height, revision, like_count, hot, submitted_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 1, 0, $14, $15)",
            )
            .bind(&id)
            .bind(s.challenge_id)
            .bind(s.user_id)
            .bind(s.room_id)
            .bind(s.title)
            .bind(s.description)
            .bind(i64::from(s.is_public))
            .bind(s.scene)
            .bind(s.element_count)
            .bind(s.image)
            .bind(s.thumbnail)
            .bind(s.width)
            .bind(s.height)
            .bind(hot_score(0, now))
            .bind(now)
            .execute(&mut *tx)
            .await
            // Two submits racing for a first submission: one wins, the other is told.
            .map_err(|e| DbError::on_unique(e, "a submission of yours to this challenge"))?;
            id
        }
    };
    for user in s.credits {
        sqlx::query(
            "INSERT INTO submission_credits (submission_id, user_id) VALUES ($1, $2) \
             ON CONFLICT (submission_id, user_id) DO NOTHING",
        )
        .bind(&id)
        .bind(user)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// A stored submission's facts that decide who may see and do what with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubmissionRow {
    /// UUID text.
    pub id: String,
    /// Its challenge's id.
    pub challenge_id: String,
    /// Its author.
    pub user_id: String,
    /// Public or private.
    pub is_public: bool,
    /// Current revision.
    pub revision: i64,
}

/// The submission `id`'s facts.
pub async fn find_submission<'e>(
    db: impl AnyExecutor<'e>,
    id: &str,
) -> Result<Option<SubmissionRow>, DbError> {
    let row = sqlx::query(
        "SELECT id, challenge_id, user_id, is_public, revision FROM challenge_submissions WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(db)
    .await?;
    row.map(|r| {
        Ok(SubmissionRow {
            id: r.try_get("id")?,
            challenge_id: r.try_get("challenge_id")?,
            user_id: r.try_get("user_id")?,
            is_public: r.try_get::<i64, _>("is_public")? != 0,
            revision: r.try_get("revision")?,
        })
    })
    .transpose()
}

const CARD_SELECT: &str = "SELECT s.id, s.title, s.user_id, s.like_count, s.is_public, \
    s.submitted_at, s.revision, s.hot, c.slug AS c_slug, c.title AS c_title, u.display_name, \
    (SELECT COUNT(*) FROM submission_likes l WHERE l.submission_id = s.id AND l.user_id = $1) AS liked \
    FROM challenge_submissions s JOIN challenges c ON c.id = s.challenge_id \
    JOIN users u ON u.id = s.user_id";

fn card(r: &AnyRow) -> Result<SubmissionCard, DbError> {
    let id: String = r.try_get("id")?;
    let revision: i64 = r.try_get("revision")?;
    Ok(SubmissionCard {
        thumbnail: format!("/api/challenges/submissions/{id}/{revision}/thumbnail.png"),
        image: format!("/api/challenges/submissions/{id}/{revision}/image.png"),
        id,
        challenge: r.try_get("c_slug")?,
        challenge_title: r.try_get("c_title")?,
        title: r.try_get("title")?,
        author_id: r.try_get("user_id")?,
        author: r.try_get("display_name")?,
        likes: r.try_get("like_count")?,
        liked: r.try_get::<i64, _>("liked")? > 0,
        is_public: r.try_get::<i64, _>("is_public")? != 0,
        submitted_at: r.try_get("submitted_at")?,
    })
}

/// One gallery page of the challenge `challenge_id`'s public submissions, after `cursor`, as
/// `viewer` sees them (their likes marked). Fetches `limit` cards and answers the cursor of the
/// last one if there may be more.
pub async fn gallery(
    pool: &AnyPool,
    challenge_id: &str,
    viewer: Option<&str>,
    sort: Sort,
    cursor: Option<&Cursor>,
    limit: i64,
) -> Result<(Vec<SubmissionCard>, Option<String>), DbError> {
    // Row-value comparisons `(a, b) < ($x, $y)` work on both engines and use the index.
    let (after, order) = match sort {
        Sort::New => (
            "(s.submitted_at, s.id) < ($3, $4)",
            "s.submitted_at DESC, s.id DESC",
        ),
        Sort::Top => (
            "(s.like_count, s.id) < ($3, $4)",
            "s.like_count DESC, s.id DESC",
        ),
        Sort::Hot => ("(s.hot, s.id) < ($3, $4)", "s.hot DESC, s.id DESC"),
    };
    let sql = match cursor {
        Some(_) => format!(
            "{CARD_SELECT} WHERE s.challenge_id = $2 AND s.is_public = 1 AND {after} \
             ORDER BY {order} LIMIT $5"
        ),
        None => format!(
            "{CARD_SELECT} WHERE s.challenge_id = $2 AND s.is_public = 1 ORDER BY {order} LIMIT $3"
        ),
    };
    let q = sqlx::query(&sql)
        .bind(viewer.unwrap_or(""))
        .bind(challenge_id);
    let q = match cursor {
        Some(Cursor::New(t, id)) => q.bind(*t).bind(id.clone()),
        Some(Cursor::Top(l, id)) => q.bind(*l).bind(id.clone()),
        Some(Cursor::Hot(h, id)) => q.bind(*h).bind(id.clone()),
        None => q,
    };
    let rows = q.bind(limit).fetch_all(pool).await?;
    let cards = rows.iter().map(card).collect::<Result<Vec<_>, _>>()?;
    let next = if rows.len() as i64 == limit {
        match rows.last() {
            Some(last) => {
                let id: String = last.try_get("id")?;
                Some(match sort {
                    Sort::New => Cursor::New(last.try_get("submitted_at")?, id),
                    Sort::Top => Cursor::Top(last.try_get("like_count")?, id),
                    Sort::Hot => Cursor::Hot(last.try_get("hot")?, id),
                })
            }
            None => None,
        }
    } else {
        None
    };
    Ok((cards, next.map(|c| c.encode())))
}

/// The submission `id` as a card for `viewer`.
pub async fn submission_card(
    pool: &AnyPool,
    id: &str,
    viewer: Option<&str>,
) -> Result<Option<SubmissionCard>, DbError> {
    let row = sqlx::query(&format!("{CARD_SELECT} WHERE s.id = $2"))
        .bind(viewer.unwrap_or(""))
        .bind(id)
        .fetch_optional(pool)
        .await?;
    row.map(|r| card(&r)).transpose()
}

/// The submission `id`'s description, image size and element count.
pub async fn submission_extra(
    pool: &AnyPool,
    id: &str,
) -> Result<Option<(String, i64, i64, i64)>, DbError> {
    Ok(sqlx::query_as(
        "SELECT description, width, height, element_count FROM challenge_submissions WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?)
}

/// Display names of everyone credited on `id`, its author first.
pub async fn credits(pool: &AnyPool, id: &str) -> Result<Vec<String>, DbError> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT u.display_name FROM submission_credits sc JOIN users u ON u.id = sc.user_id \
         JOIN challenge_submissions s ON s.id = sc.submission_id \
         WHERE sc.submission_id = $1 ORDER BY CASE WHEN sc.user_id = s.user_id THEN 0 ELSE 1 END, u.display_name",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|(n,)| n).collect())
}

/// Submissions by `author`, newest first: all of them when `viewer` is the author, otherwise
/// the public ones.
pub async fn by_author(
    pool: &AnyPool,
    author: &str,
    viewer: Option<&str>,
    limit: i64,
) -> Result<Vec<SubmissionCard>, DbError> {
    let rows = sqlx::query(&format!(
        "{CARD_SELECT} WHERE s.user_id = $2 AND (s.is_public = 1 OR s.user_id = $1) \
         ORDER BY s.submitted_at DESC, s.id DESC LIMIT $3"
    ))
    .bind(viewer.unwrap_or(""))
    .bind(author)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    rows.iter().map(card).collect()
}

/// The caller's submission to `challenge_id`, if any.
pub async fn mine_for(
    pool: &AnyPool,
    challenge_id: &str,
    user_id: &str,
) -> Result<Option<SubmissionCard>, DbError> {
    let row = sqlx::query(&format!(
        "{CARD_SELECT} WHERE s.challenge_id = $2 AND s.user_id = $1"
    ))
    .bind(user_id)
    .bind(challenge_id)
    .fetch_optional(pool)
    .await?;
    row.map(|r| card(&r)).transpose()
}

/// The submission's scene JSON (for remixing).
pub async fn scene_of(pool: &AnyPool, id: &str) -> Result<Option<String>, DbError> {
    let scene: Option<(String,)> =
        sqlx::query_as("SELECT scene FROM challenge_submissions WHERE id = $1")
            .bind(id)
            .fetch_optional(pool)
            .await?;
    Ok(scene.map(|(s,)| s))
}

/// The PNG of `id` at `revision` (`thumbnail` or the full image); `None` when the submission or
/// that revision does not exist.
pub async fn image(
    pool: &AnyPool,
    id: &str,
    revision: i64,
    thumbnail: bool,
) -> Result<Option<Vec<u8>>, DbError> {
    let column = if thumbnail { "thumbnail" } else { "image" };
    let png: Option<(Vec<u8>,)> = sqlx::query_as(&format!(
        "SELECT {column} FROM challenge_submissions WHERE id = $1 AND revision = $2"
    ))
    .bind(id)
    .bind(revision)
    .fetch_optional(pool)
    .await?;
    Ok(png.map(|(p,)| p))
}

/// Deletes the submission `id`.
pub async fn delete_submission<'e>(db: impl AnyExecutor<'e>, id: &str) -> Result<bool, DbError> {
    let done = sqlx::query("DELETE FROM challenge_submissions WHERE id = $1")
        .bind(id)
        .execute(db)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Likes (`like`) or unlikes `id` for `user_id`. The count moves only when the like row was
/// really inserted or deleted, inside one transaction, by `like_count ± 1` in SQL: concurrent
/// likes from 100 users give exactly 100, and a repeated like changes nothing.
pub async fn set_like(
    pool: &AnyPool,
    id: &str,
    user_id: &str,
    like: bool,
) -> Result<Likes, DbError> {
    let mut tx = pool.begin().await?;
    let changed = if like {
        sqlx::query(
            "INSERT INTO submission_likes (submission_id, user_id, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (submission_id, user_id) DO NOTHING",
        )
        .bind(id)
        .bind(user_id)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?
        .rows_affected()
    } else {
        sqlx::query("DELETE FROM submission_likes WHERE submission_id = $1 AND user_id = $2")
            .bind(id)
            .bind(user_id)
            .execute(&mut *tx)
            .await?
            .rows_affected()
    };
    let delta: i64 = match (changed > 0, like) {
        (false, _) => 0,
        (true, true) => 1,
        (true, false) => -1,
    };
    if delta != 0 {
        sqlx::query("UPDATE challenge_submissions SET like_count = like_count + $1 WHERE id = $2")
            .bind(delta)
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    let (likes, submitted_at): (i64, i64) =
        sqlx::query_as("SELECT like_count, submitted_at FROM challenge_submissions WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
    if delta != 0 {
        // The hot score follows from the committed count, read in the same transaction.
        sqlx::query("UPDATE challenge_submissions SET hot = $1 WHERE id = $2")
            .bind(hot_score(likes, submitted_at))
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(Likes { liked: like, likes })
}

/// The start days (days since 1970-01-01) of the daily challenges `user_id` is credited on.
pub async fn daily_days(pool: &AnyPool, user_id: &str) -> Result<Vec<i64>, DbError> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT c.starts_at FROM submission_credits sc \
         JOIN challenge_submissions s ON s.id = sc.submission_id \
         JOIN challenges c ON c.id = s.challenge_id \
         WHERE sc.user_id = $1 AND c.kind = 'daily' ORDER BY c.starts_at DESC LIMIT 1000",
    )
    .bind(user_id)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(t,)| t.div_euclid(inkroom_core::challenge::DAY_MS))
        .collect())
}

/// The display name of the user `id`.
pub async fn display_name(pool: &AnyPool, id: &str) -> Result<Option<String>, DbError> {
    let name: Option<(String,)> = sqlx::query_as("SELECT display_name FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await?;
    Ok(name.map(|(n,)| n))
}
