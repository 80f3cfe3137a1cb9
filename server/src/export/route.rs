//! `GET /api/rooms/{slug}/export.{png,svg,json}[?scale=S]`: a board as a file download.
//!
//! Who may export: whoever may watch the room live (the access rule's acting role): a signed-in
//! member, or any signed-in user for a public room. Anonymous callers may not: rendering costs
//! real CPU, and the live board needs a sign-in too. Errors are the API's JSON errors (401, 404,
//! 422 on `scale`, 500).

use super::{ExportError, ExportFormat, validate_scale};
use crate::api_error::ApiError;
use crate::state::AppState;
use app::error::AppError;
use app::rooms::access::access;
use app::ssr::identity;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get};
use tower_sessions::Session;

/// The query string of an export.
#[derive(Debug, Default, serde::Deserialize)]
pub struct ExportQuery {
    /// Pixels per world unit (0.1–4, default 1); images only.
    pub scale: Option<f64>,
}

/// The routes, one per format, to add to the router.
pub fn routes() -> [(&'static str, MethodRouter<AppState>); 3] {
    [
        ("/api/rooms/{slug}/export.png", route(ExportFormat::Png)),
        ("/api/rooms/{slug}/export.svg", route(ExportFormat::Svg)),
        ("/api/rooms/{slug}/export.json", route(ExportFormat::Json)),
    ]
}

fn route(format: ExportFormat) -> MethodRouter<AppState> {
    get(
        move |state: State<AppState>,
              slug: Path<String>,
              query: Query<ExportQuery>,
              headers: HeaderMap,
              session: Session| export(format, state, slug, query, headers, session),
    )
}

async fn export(
    format: ExportFormat,
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(query): Query<ExportQuery>,
    headers: HeaderMap,
    session: Session,
) -> Response {
    match file(format, &state, &slug, query, &headers, &session).await {
        Ok(response) => response,
        Err(e) => ApiError(e).into_response(),
    }
}

async fn file(
    format: ExportFormat,
    state: &AppState,
    slug: &str,
    query: ExportQuery,
    headers: &HeaderMap,
    session: &Session,
) -> Result<Response, AppError> {
    let user = identity::user_of(&state.db, &state.server.tokens, headers, session)
        .await?
        .ok_or(AppError::Unauthorized)?;
    let room = access(state.db.pool(), slug, Some(&user.id))
        .await?
        .filter(|a| a.role().is_some())
        .ok_or_else(|| AppError::not_found("room"))?
        .room;
    let scale = validate_scale(query.scale).map_err(api_error)?;
    let rendered = state
        .exporter
        .export(&room.id, format, scale)
        .await
        .map_err(api_error)?;
    // The slug is lowercase letters, digits and dashes: safe inside the header's quotes.
    let disposition = format!(
        "attachment; filename=\"{}.{}\"",
        room.slug,
        format.extension()
    );
    let mut response = rendered.bytes.into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.mime()),
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    // A board is private to who may see it: never cached by shared caches.
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(response)
}

fn api_error(e: ExportError) -> AppError {
    match e {
        ExportError::BadScale | ExportError::TooLarge { .. } => {
            AppError::invalid("scale", e.to_string())
        }
        ExportError::DocumentTooLarge { .. } => AppError::LimitReached {
            message: e.to_string(),
        },
        ExportError::Internal => AppError::Internal,
    }
}
