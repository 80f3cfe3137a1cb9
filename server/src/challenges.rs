//! The server's part of drawing challenges (the rest, server functions included, is in
//! `app::challenges`): submission images as plain, cacheable downloads, and the operator's
//! commands `inkroom challenges import FILE` and `inkroom admin grant|revoke EMAIL`.

use crate::api_error::ApiError;
use crate::config::DatabaseArgs;
use crate::state::AppState;
use app::challenges::access::visible_submission;
use app::challenges::{catalogue, db as challenges_db};
use app::error::AppError;
use app::ssr::db::{self, Db};
use app::ssr::identity;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get};
use clap::Subcommand;
use tower_sessions::Session;

/// The routes to add to the router.
pub fn routes() -> [(&'static str, MethodRouter<AppState>); 1] {
    [(
        "/api/challenges/submissions/{id}/{revision}/{file}",
        get(image),
    )]
}

/// `GET /api/challenges/submissions/{id}/{revision}/{image.png|thumbnail.png}`: a
/// submission's picture, to whoever may see the submission. The URL names the revision, so a
/// public picture never changes and is cached for a year; replacing the drawing makes new URLs.
async fn image(
    State(state): State<AppState>,
    Path((id, revision, file)): Path<(String, i64, String)>,
    headers: HeaderMap,
    session: Session,
) -> Response {
    match picture(&state, &id, revision, &file, &headers, &session).await {
        Ok(r) => r,
        Err(e) => ApiError(e).into_response(),
    }
}

async fn picture(
    state: &AppState,
    id: &str,
    revision: i64,
    file: &str,
    headers: &HeaderMap,
    session: &Session,
) -> Result<Response, AppError> {
    let thumbnail = match file {
        "image.png" => false,
        "thumbnail.png" => true,
        _ => return Err(AppError::not_found("image")),
    };
    let pool = state.db.pool();
    let user = identity::user_of(&state.db, &state.server.tokens, headers, session).await?;
    let row = visible_submission(pool, id, user.as_ref()).await?;
    let png = challenges_db::image(pool, &row.id, revision, thumbnail)
        .await?
        .ok_or_else(|| AppError::not_found("image"))?;
    let mut response = png.into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/png"));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(if row.is_public {
            "public, max-age=31536000, immutable"
        } else {
            // Only its author sees it: never in a shared cache.
            "private, max-age=3600"
        }),
    );
    Ok(response)
}

/// `inkroom challenges …`.
#[derive(Debug, Subcommand)]
pub enum ChallengesCommand {
    /// Load a catalogue file (categories and scheduled prompts). Idempotent: entries are
    /// rewritten by slug; an invalid file changes nothing.
    Import {
        /// The catalogue (TOML; `catalogue/challenges.toml` is the starter one).
        file: std::path::PathBuf,
        /// Storage.
        #[command(flatten)]
        db: DatabaseArgs,
    },
}

/// `inkroom admin …`.
#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Make the account with this email a site admin (manages challenges).
    Grant {
        /// The account's email.
        email: String,
        /// Storage.
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Take the admin flag away again.
    Revoke {
        /// The account's email.
        email: String,
        /// Storage.
        #[command(flatten)]
        db: DatabaseArgs,
    },
}

async fn open(args: &DatabaseArgs) -> Result<Db, String> {
    let url = match &args.database_url {
        Some(url) => url.clone(),
        None => db::default_sqlite_url(&args.data_dir).map_err(|e| e.to_string())?,
    };
    let db = Db::connect(&url).await.map_err(|e| e.to_string())?;
    db.migrate().await.map_err(|e| e.to_string())?;
    Ok(db)
}

/// Runs `inkroom challenges …`; the message says what was done.
pub async fn challenges(command: ChallengesCommand) -> Result<String, String> {
    match command {
        ChallengesCommand::Import { file, db } => {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            let catalogue =
                catalogue::parse(&text).map_err(|e| format!("{}: {e}", file.display()))?;
            let db = open(&db).await?;
            let done = catalogue::import(&db, &catalogue)
                .await
                .map_err(|e| format!("{}: {e}", file.display()))?;
            let [daily, weekly, monthly] = done.challenges;
            Ok(format!(
                "imported {} categories and {daily} daily, {weekly} weekly and {monthly} monthly challenges",
                done.categories
            ))
        }
    }
}

/// Runs `inkroom admin …`.
pub async fn admin(command: AdminCommand) -> Result<String, String> {
    let (email, db, grant) = match command {
        AdminCommand::Grant { email, db } => (email, db, true),
        AdminCommand::Revoke { email, db } => (email, db, false),
    };
    let email = email.trim().to_lowercase();
    let db = open(&db).await?;
    match challenges_db::set_admin(db.pool(), &email, grant).await {
        Ok(true) if grant => Ok(format!("{email} is now a site admin")),
        Ok(true) => Ok(format!("{email} is no longer a site admin")),
        Ok(false) => Err(format!("no account with the email {email}")),
        Err(e) => Err(e.to_string()),
    }
}
