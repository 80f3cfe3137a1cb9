//! The challenge server functions, under `/api/challenges/…`, JSON or plain form posts like the
//! rest of the API (`docs/api.md`). Each one starts from [`super::access`].

// `#[server]` turns each function into a struct whose fields are its parameters: they are
// documented on the function (`docs/api.md` lists them), not field by field.
#![allow(missing_docs)]
// `admin/save` takes one argument per field of the admin's form (a flat form post); `#[server]`
// does not pass an item-level allow on to the client function it generates.
#![allow(clippy::too_many_arguments)]

use super::model::{
    Category, Challenge, ChallengeDetails, ChallengePage, Gallery, Likes, Overview, Profile,
    SubmissionCard, SubmissionDetails,
};
use crate::api::{JsonOrForm, json_or_form};
use crate::error::AppError;
use crate::rooms::RoomDetails;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::access::{
        is_admin, removable_submission, require_admin, visible_challenge, visible_submission,
    },
    super::catalogue::{CategoryEntry, Draft, default_slug, validate_category},
    super::db,
    super::model::{
        Cursor, Kind, MAX_DESCRIPTION_CHARS, MAX_PAGE, MAX_SUBMISSION_ELEMENTS,
        MAX_SUBMISSION_SCENE_BYTES, MAX_TITLE_CHARS, Sort, Status, validate_date, validate_line,
        validate_slug, validate_text,
    },
    crate::api::{redirect_form_post, respond},
    crate::rooms::{Role, access::InRoom, db as rooms_db},
    crate::ssr::{identity, state::ServerState, state::state},
    inkroom_core::challenge::streak,
    inkroom_core::element::{Element, ElementId},
};

/// What runs now, what comes next and what just closed, with the caller's streak.
#[server(prefix = "/api", endpoint = "challenges/overview", input = JsonOrForm)]
pub async fn challenge_overview() -> Result<Overview, AppError> {
    respond(async {
        let user = identity::current_user().await?;
        let st = state()?;
        let now = st.clock.now_ms();
        let pool = st.db.pool();
        let streak = match &user {
            Some(u) => streak(
                &db::daily_days(pool, &u.id).await?,
                now.div_euclid(inkroom_core::challenge::DAY_MS),
            ),
            None => Default::default(),
        };
        Ok(Overview {
            current: db::current(pool, now).await?,
            upcoming: db::upcoming(pool, now, None, 6).await?,
            past: db::past(pool, now, None, i64::MAX, 6).await?,
            is_admin: is_admin(pool, user.as_ref()).await?,
            streak,
            now,
        })
    })
    .await
}

/// Challenges that closed (`status = "past"`, newest first, paged with `before`: the
/// `next` of the previous page), are coming (`"upcoming"`, soonest first), or are retired
/// (`"retired"`, admins only); of one `kind` if given. `limit` 1–48.
#[server(prefix = "/api", endpoint = "challenges/list", input = JsonOrForm)]
pub async fn list_challenges(
    status: String,
    kind: Option<String>,
    before: Option<i64>,
    limit: i64,
) -> Result<ChallengePage, AppError> {
    respond(async move {
        check_limit(limit)?;
        let kind = match kind.as_deref().filter(|k| !k.is_empty()) {
            Some(k) => Some(
                Kind::parse(k)
                    .ok_or_else(|| AppError::invalid("kind", "daily, weekly or monthly"))?,
            ),
            None => None,
        };
        let user = identity::current_user().await?;
        let st = state()?;
        let now = st.clock.now_ms();
        let pool = st.db.pool();
        let challenges = match status.as_str() {
            "past" => db::past(pool, now, kind, before.unwrap_or(i64::MAX), limit).await?,
            "upcoming" => db::upcoming(pool, now, kind, limit).await?,
            "retired" if is_admin(pool, user.as_ref()).await? => {
                db::retired(pool, now, limit).await?
            }
            "retired" => return Err(AppError::Forbidden),
            _ => return Err(AppError::invalid("status", "past, upcoming or retired")),
        };
        let next = (status == "past" && challenges.len() as i64 == limit)
            .then(|| challenges.last().map(|c| c.starts_at))
            .flatten();
        Ok(ChallengePage { challenges, next })
    })
    .await
}

/// One challenge with the caller's board and submission for it.
#[server(prefix = "/api", endpoint = "challenges/get", input = JsonOrForm)]
pub async fn get_challenge(slug: String) -> Result<ChallengeDetails, AppError> {
    respond(async move {
        let user = identity::current_user().await?;
        let st = state()?;
        let pool = st.db.pool();
        let row = visible_challenge(pool, &slug, user.as_ref()).await?;
        let challenge = db::get(pool, &slug, st.clock.now_ms())
            .await?
            .ok_or_else(|| AppError::not_found("challenge"))?;
        let (my_board, my_submission) = match &user {
            Some(u) => (
                db::board_of(pool, &row.id, &u.id).await?,
                db::mine_for(pool, &row.id, &u.id).await?,
            ),
            None => (None, None),
        };
        Ok(ChallengeDetails {
            challenge,
            my_board,
            my_submission,
            is_admin: is_admin(pool, user.as_ref()).await?,
        })
    })
    .await
}

/// Every category.
#[server(prefix = "/api", endpoint = "challenges/categories", input = JsonOrForm)]
pub async fn list_categories() -> Result<Vec<Category>, AppError> {
    respond(async { Ok(db::categories(state()?.db.pool()).await?) }).await
}

/// Opens the caller's board for an open challenge: their existing one, or a new private room
/// linked to the challenge (collaborators join it by its code or a share link).
#[server(prefix = "/api", endpoint = "challenges/start", input = JsonOrForm)]
pub async fn start_challenge(slug: String) -> Result<RoomDetails, AppError> {
    respond(async move {
        let user = identity::require_user().await?;
        let st = state()?;
        let pool = st.db.pool();
        let challenge = visible_challenge(pool, &slug, Some(&user)).await?;
        if let Some(board) = db::board_of(pool, &challenge.id, &user.id).await? {
            redirect_form_post(&format!("/r/{board}"));
            let access = crate::rooms::access::visible(pool, &board, Some(&user)).await?;
            return Ok(rooms_db::details(pool, access.room, access.membership).await?);
        }
        match challenge.status(st.clock.now_ms()) {
            Status::Open => {}
            Status::Upcoming => {
                return Err(AppError::invalid(
                    "slug",
                    "this challenge has not started yet",
                ));
            }
            Status::Closed => return Err(AppError::invalid("slug", "this challenge is closed")),
        }
        let room = new_room(&st, &user.id, &challenge.title).await?;
        db::link_room(pool, &room.id, Some(&challenge.id), None).await?;
        redirect_form_post(&format!("/r/{}", room.slug));
        Ok(rooms_db::details(pool, room, Some(Role::Owner)).await?)
    })
    .await
}

/// Submits the board `room` (the caller must be able to edit it, and it must be linked to an
/// open challenge), or only the elements `element_ids` (ids separated by spaces or commas).
/// The server renders the picture; the scene is kept so the drawing reopens exactly. Replaces
/// the caller's earlier submission to the challenge.
#[server(prefix = "/api", endpoint = "challenges/submit", input = JsonOrForm)]
pub async fn submit_drawing(
    room: String,
    title: String,
    description: Option<String>,
    is_public: bool,
    element_ids: Option<String>,
) -> Result<SubmissionCard, AppError> {
    respond(async move {
        let title = validate_line("title", &title, MAX_TITLE_CHARS)?;
        let description = validate_text("description", description.as_deref().unwrap_or(""), MAX_DESCRIPTION_CHARS)?;
        let only = parse_ids(element_ids.as_deref())?;
        let member = InRoom::require(&room, Role::Editor).await?;
        let st = state()?;
        let pool = st.db.pool();
        let challenge_id = db::challenge_of_room(pool, &member.room.id)
            .await?
            .ok_or_else(|| AppError::invalid("room", "this board is not linked to a challenge"))?;
        let challenge = db::find_by_id(pool, &challenge_id)
            .await?
            .filter(|c| c.is_active)
            .ok_or_else(|| AppError::not_found("challenge"))?;
        match challenge.status(st.clock.now_ms()) {
            Status::Open => {}
            Status::Upcoming => return Err(AppError::invalid("room", "this challenge has not started yet")),
            Status::Closed => return Err(AppError::invalid("room", "this challenge is closed; submissions are final")),
        }
        let mut elements = st.boards.elements(&member.room.id).await?;
        if let Some(only) = &only {
            elements.retain(|e| only.contains(&e.id));
        }
        if elements.is_empty() {
            return Err(AppError::invalid(
                "element_ids",
                if only.is_some() { "none of these elements is on the board" } else { "the board is empty: draw something first" },
            ));
        }
        if elements.len() > MAX_SUBMISSION_ELEMENTS {
            return Err(AppError::LimitReached {
                message: format!("a submission holds at most {MAX_SUBMISSION_ELEMENTS} elements; submit a selection"),
            });
        }
        let scene = serde_json::to_string(&elements).map_err(|e| {
            tracing::error!(error = %e, "serialising a submission");
            AppError::Internal
        })?;
        if scene.len() > MAX_SUBMISSION_SCENE_BYTES {
            return Err(AppError::LimitReached {
                message: format!("the drawing is {} MB; a submission holds at most {} MB", scene.len() >> 20, MAX_SUBMISSION_SCENE_BYTES >> 20),
            });
        }
        let element_count = elements.len() as i64;
        let picture = st.boards.picture(elements).await?;
        let mut credits = vec![member.user.id.clone()];
        for u in db::drew_on(pool, &member.room.id).await? {
            if !credits.contains(&u) {
                credits.push(u);
            }
        }
        let id = db::save_submission(pool, &db::NewSubmission {
            challenge_id: &challenge.id,
            user_id: &member.user.id,
            room_id: Some(&member.room.id),
            title: &title,
            description: &description,
            is_public,
            scene: &scene,
            element_count,
            image: &picture.image,
            thumbnail: &picture.thumbnail,
            width: i64::from(picture.width),
            height: i64::from(picture.height),
            credits: &credits,
        })
        .await?;
        redirect_form_post(&format!("/submissions/{id}"));
        db::submission_card(pool, &id, Some(&member.user.id))
            .await?
            .ok_or(AppError::Internal)
    })
    .await
}

/// One page of a challenge's public submissions: `sort` is `hot` (default), `new` or `top`;
/// `cursor` is the previous page's `next`; `limit` 1–48.
#[server(prefix = "/api", endpoint = "challenges/submissions", input = JsonOrForm)]
pub async fn challenge_gallery(
    challenge: String,
    sort: Option<String>,
    cursor: Option<String>,
    limit: i64,
) -> Result<Gallery, AppError> {
    respond(async move {
        check_limit(limit)?;
        let sort = match sort.as_deref().filter(|s| !s.is_empty()) {
            Some(s) => {
                Sort::parse(s).ok_or_else(|| AppError::invalid("sort", "hot, new or top"))?
            }
            None => Sort::default(),
        };
        let cursor = match cursor.as_deref().filter(|c| !c.is_empty()) {
            Some(c) => Some(Cursor::decode(sort, c)?),
            None => None,
        };
        let user = identity::current_user().await?;
        let pool = state()?.db;
        let pool = pool.pool();
        let row = visible_challenge(pool, &challenge, user.as_ref()).await?;
        let viewer = user.as_ref().map(|u| u.id.as_str());
        let (submissions, next) =
            db::gallery(pool, &row.id, viewer, sort, cursor.as_ref(), limit).await?;
        Ok(Gallery { submissions, next })
    })
    .await
}

/// One submission with its description and credits.
#[server(prefix = "/api", endpoint = "challenges/submission", input = JsonOrForm)]
pub async fn get_submission(id: String) -> Result<SubmissionDetails, AppError> {
    respond(async move {
        let user = identity::current_user().await?;
        let db = state()?.db;
        let pool = db.pool();
        let row = visible_submission(pool, &id, user.as_ref()).await?;
        let viewer = user.as_ref().map(|u| u.id.as_str());
        let card = db::submission_card(pool, &row.id, viewer)
            .await?
            .ok_or_else(|| AppError::not_found("submission"))?;
        let (description, width, height, element_count) = db::submission_extra(pool, &row.id)
            .await?
            .ok_or_else(|| AppError::not_found("submission"))?;
        let can_delete = match &user {
            Some(u) => u.id == row.user_id || is_admin(pool, Some(u)).await?,
            None => false,
        };
        Ok(SubmissionDetails {
            card,
            description,
            credits: db::credits(pool, &row.id).await?,
            width,
            height,
            element_count,
            can_delete,
        })
    })
    .await
}

/// Likes (`like = true`) or unlikes a public submission; answers the new count. Repeating
/// either changes nothing.
#[server(prefix = "/api", endpoint = "challenges/like", input = JsonOrForm)]
pub async fn like_submission(id: String, like: bool) -> Result<Likes, AppError> {
    respond(async move {
        let user = identity::require_user().await?;
        let db = state()?.db;
        let row = visible_submission(db.pool(), &id, Some(&user)).await?;
        if !row.is_public {
            return Err(AppError::invalid(
                "id",
                "private submissions cannot be liked",
            ));
        }
        Ok(db::set_like(db.pool(), &row.id, &user.id, like).await?)
    })
    .await
}

/// Opens a copy of a submission's drawing as a new private board of the caller's, crediting
/// the original.
#[server(prefix = "/api", endpoint = "challenges/remix", input = JsonOrForm)]
pub async fn remix_submission(id: String) -> Result<RoomDetails, AppError> {
    respond(async move {
        let user = identity::require_user().await?;
        let st = state()?;
        let pool = st.db.pool();
        let row = visible_submission(pool, &id, Some(&user)).await?;
        let card = db::submission_card(pool, &row.id, None)
            .await?
            .ok_or_else(|| AppError::not_found("submission"))?;
        let scene = db::scene_of(pool, &row.id)
            .await?
            .ok_or_else(|| AppError::not_found("submission"))?;
        let elements: Vec<Element> = serde_json::from_str(&scene).map_err(|e| {
            tracing::error!(submission = %row.id, error = %e, "a stored submission does not parse");
            AppError::Internal
        })?;
        let name: String = format!("{} (after {})", card.title, card.author)
            .chars()
            .take(80)
            .collect();
        let room = new_room(&st, &user.id, &name).await?;
        db::link_room(pool, &room.id, None, Some(&row.id)).await?;
        st.boards.seed(&room.id, elements).await?;
        redirect_form_post(&format!("/r/{}", room.slug));
        Ok(rooms_db::details(pool, room, Some(Role::Owner)).await?)
    })
    .await
}

/// The caller's submissions, newest first, private ones included.
#[server(prefix = "/api", endpoint = "challenges/mine", input = JsonOrForm)]
pub async fn my_submissions() -> Result<Vec<SubmissionCard>, AppError> {
    respond(async {
        let user = identity::require_user().await?;
        Ok(db::by_author(state()?.db.pool(), &user.id, Some(&user.id), 200).await?)
    })
    .await
}

/// A user's profile: name, daily streak and the submissions the caller may see.
#[server(prefix = "/api", endpoint = "challenges/profile", input = JsonOrForm)]
pub async fn user_profile(user_id: String) -> Result<Profile, AppError> {
    respond(async move {
        let viewer = identity::current_user().await?;
        let st = state()?;
        let pool = st.db.pool();
        let display_name = db::display_name(pool, &user_id)
            .await?
            .ok_or_else(|| AppError::not_found("user"))?;
        let today = st
            .clock
            .now_ms()
            .div_euclid(inkroom_core::challenge::DAY_MS);
        Ok(Profile {
            display_name,
            streak: streak(&db::daily_days(pool, &user_id).await?, today),
            submissions: db::by_author(pool, &user_id, viewer.as_ref().map(|u| u.id.as_str()), 200)
                .await?,
        })
    })
    .await
}

/// Removes a submission: its author's own, or any as an admin.
#[server(prefix = "/api", endpoint = "challenges/delete-submission", input = JsonOrForm)]
pub async fn delete_submission(id: String) -> Result<(), AppError> {
    respond(async move {
        let user = identity::require_user().await?;
        let db = state()?.db;
        let row = removable_submission(db.pool(), &id, &user).await?;
        db::delete_submission(db.pool(), &row.id).await?;
        redirect_form_post("/challenges");
        Ok(())
    })
    .await
}

/// Admins: creates or updates the category `slug`.
#[server(prefix = "/api", endpoint = "challenges/admin/category", input = JsonOrForm)]
pub async fn save_category(
    slug: String,
    name: String,
    description: String,
    color: String,
    icon: String,
) -> Result<Category, AppError> {
    respond(async move {
        let (st, _) = require_admin().await?;
        let category = validate_category(&CategoryEntry {
            slug,
            name,
            description,
            color,
            icon,
        })?;
        db::upsert_category(st.db.pool(), &category).await?;
        Ok(category)
    })
    .await
}

/// Admins: creates a challenge (without `slug`), or edits the challenge `slug`. It runs for the
/// `kind`'s UTC period containing `starts_on` (`YYYY-MM-DD`); one active challenge per kind and
/// period. `tags` are separated by commas or spaces.
#[server(prefix = "/api", endpoint = "challenges/admin/save", input = JsonOrForm)]
pub async fn save_challenge(
    slug: Option<String>,
    title: String,
    description: String,
    prompt: String,
    category: String,
    difficulty: String,
    kind: String,
    starts_on: String,
    image_url: Option<String>,
    tags: Option<String>,
) -> Result<Challenge, AppError> {
    respond(async move {
        let (st, _) = require_admin().await?;
        let pool = st.db.pool();
        let category_id = db::category_id(pool, &category)
            .await?
            .ok_or_else(|| AppError::invalid("category", "no such category"))?;
        let draft = Draft {
            title: &title,
            description: &description,
            prompt: &prompt,
            difficulty: &difficulty,
            kind: &kind,
            starts_on: validate_date("starts_on", &starts_on)?,
            image_url: image_url.as_deref(),
            tags: tags.as_deref().unwrap_or(""),
        };
        let slug = match slug.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => {
                let s = validate_slug("slug", s)?;
                db::find(pool, &s)
                    .await?
                    .ok_or_else(|| AppError::not_found("challenge"))?;
                s
            }
            None => free_slug(&st, &draft).await?,
        };
        let challenge = draft.validate(category_id, Some(&slug))?;
        db::upsert_challenge(pool, &challenge)
            .await
            .map_err(|e| match e {
                crate::ssr::db::DbError::Conflict(_) => AppError::Conflict {
                    message: format!(
                        "another {} challenge is scheduled for that {}; retire it first",
                        challenge.kind.as_str(),
                        match challenge.kind {
                            Kind::Daily => "day",
                            Kind::Weekly => "week",
                            Kind::Monthly => "month",
                        }
                    ),
                },
                e => e.into(),
            })?;
        redirect_form_post(&format!("/challenges/{slug}"));
        db::get(pool, &slug, st.clock.now_ms())
            .await?
            .ok_or(AppError::Internal)
    })
    .await
}

/// Admins: retires (`active = false`) or restores a challenge. Retired challenges disappear for
/// everyone else; their submissions stay.
#[server(prefix = "/api", endpoint = "challenges/admin/retire", input = JsonOrForm)]
pub async fn retire_challenge(slug: String, active: bool) -> Result<(), AppError> {
    respond(async move {
        let (st, _) = require_admin().await?;
        let found = db::set_active(st.db.pool(), &slug, active)
            .await
            .map_err(|e| match e {
                crate::ssr::db::DbError::Conflict(_) => AppError::Conflict {
                    message: "another active challenge has this period; retire it first".into(),
                },
                e => e.into(),
            })?;
        if !found {
            return Err(AppError::not_found("challenge"));
        }
        Ok(())
    })
    .await
}

/// The board linked to the room `room`, for its top bar: `None` for ordinary rooms.
#[server(prefix = "/api", endpoint = "challenges/for-board", input = JsonOrForm)]
pub async fn board_challenge(room: String) -> Result<Option<ChallengeDetails>, AppError> {
    respond(async move {
        let member = InRoom::require(&room, Role::Viewer).await?;
        let st = state()?;
        let pool = st.db.pool();
        let Some(id) = db::challenge_of_room(pool, &member.room.id).await? else {
            return Ok(None);
        };
        let Some(row) = db::find_by_id(pool, &id).await?.filter(|c| c.is_active) else {
            return Ok(None);
        };
        let challenge = db::get(pool, &row.slug, st.clock.now_ms())
            .await?
            .ok_or(AppError::Internal)?;
        Ok(Some(ChallengeDetails {
            challenge,
            my_board: Some(member.room.slug.clone()),
            my_submission: db::mine_for(pool, &row.id, &member.user.id).await?,
            is_admin: false,
        }))
    })
    .await
}

#[cfg(feature = "ssr")]
fn check_limit(limit: i64) -> Result<(), AppError> {
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(AppError::invalid(
            "limit",
            format!("must be 1 to {MAX_PAGE}"),
        ));
    }
    Ok(())
}

/// Element ids separated by spaces or commas; `None` for the whole board.
#[cfg(feature = "ssr")]
fn parse_ids(text: Option<&str>) -> Result<Option<Vec<ElementId>>, AppError> {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let ids = text
        .split([' ', ','])
        .filter(|s| !s.is_empty())
        .take(MAX_SUBMISSION_ELEMENTS + 1)
        .map(|s| {
            s.parse::<ElementId>()
                .map_err(|_| AppError::invalid("element_ids", "not element ids"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(ids))
}

/// A new private room owned by `owner`, within their room quota.
#[cfg(feature = "ssr")]
async fn new_room(st: &ServerState, owner: &str, name: &str) -> Result<rooms_db::Room, AppError> {
    let pool = st.db.pool();
    let owned = rooms_db::count_owned(pool, owner).await?;
    if owned >= i64::from(st.max_rooms_per_user) {
        return Err(AppError::LimitReached {
            message: format!(
                "you own {owned} rooms, the most one person may; delete one to make another"
            ),
        });
    }
    let name =
        crate::rooms::validate_room_name(name).unwrap_or_else(|_| "Challenge board".to_owned());
    rooms_db::create(pool, &name, owner, true, None)
        .await?
        .ok_or_else(|| AppError::Conflict {
            message: "could not find a free address for this board; try again".into(),
        })
}

/// `<kind>-<date>`, or with a suffix when a retired challenge holds it.
#[cfg(feature = "ssr")]
async fn free_slug(st: &ServerState, draft: &Draft<'_>) -> Result<String, AppError> {
    let kind = Kind::parse(draft.kind)
        .ok_or_else(|| AppError::invalid("kind", "daily, weekly or monthly"))?;
    let base = default_slug(kind, kind.period(draft.starts_on.start_ms()).start_ms);
    for n in 1..100 {
        let slug = if n == 1 {
            base.clone()
        } else {
            format!("{base}-{n}")
        };
        if db::find(st.db.pool(), &slug).await?.is_none() {
            return Ok(slug);
        }
    }
    Err(AppError::Conflict {
        message: "too many challenges for this period".into(),
    })
}

json_or_form!(
    ChallengeOverview,
    ListChallenges,
    GetChallenge,
    ListCategories,
    StartChallenge,
    SubmitDrawing,
    ChallengeGallery,
    GetSubmission,
    LikeSubmission,
    RemixSubmission,
    MySubmissions,
    UserProfile,
    DeleteSubmission,
    SaveCategory,
    SaveChallenge,
    RetireChallenge,
    BoardChallenge,
);
