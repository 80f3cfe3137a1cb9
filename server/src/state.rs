//! The state every handler shares ([`AppState`]), split out by `FromRef` into what each one
//! needs.

use crate::hub::Hub;
use crate::limits::AuthLimiter;
use app::Assets;
use app::ssr::db::Db;
use app::ssr::state::ServerState;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;

/// State shared by every handler.
#[derive(Clone, Debug, FromRef)]
pub struct AppState {
    /// Leptos's settings (site root, output name…).
    pub leptos_options: LeptosOptions,
    /// Storage.
    pub db: Db,
    /// Redis, when configured.
    pub redis: Option<redis::Client>,
    /// Hashed front-end file names.
    pub assets: Assets,
    /// What server functions receive as context.
    pub server: ServerState,
    /// Per-IP limiter for the auth endpoints.
    pub auth_limiter: AuthLimiter,
    /// Whether session cookies are `Secure` (and HSTS is sent).
    pub secure_cookies: bool,
    /// Origins allowed besides the site's own (see `security`).
    pub allowed_origins: Vec<String>,
    /// The real-time hub.
    pub hub: Arc<Hub>,
    /// The board exporter.
    pub exporter: crate::export::Exporter,
}
