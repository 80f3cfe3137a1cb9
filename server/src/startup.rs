//! Building and running the application.
//!
//! [`Application::build`] connects to storage, runs migrations and binds the listener before
//! returning, so the caller knows the actual port (tests bind port 0) and every configuration error
//! surfaces before the first request.

use crate::config::ServeArgs;
use crate::health;
use crate::limits::{AuthLimiter, limit_auth};
use crate::state::AppState;
use app::ssr::db::{self, Db, DbError};
use app::ssr::recognizer::Recognizer;
use app::ssr::sessions::SqlSessionStore;
use app::ssr::state::ServerState;
use app::ssr::tokens::TokenKeys;
use app::{App, Assets, shell};
use axum::Router;
use axum::http::{HeaderValue, header};
use axum::routing::get;
use axum::serve::ListenerExt;
use leptos::config::LeptosOptions;
use leptos_axum::{LeptosRoutes, generate_route_list};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::cookie::time::Duration as CookieDuration;
use tower_sessions::session_store::ExpiredDeletion;
use tower_sessions::{Expiry, SessionManagerLayer};

/// Largest request body accepted (server-function arguments are small; scenes are synced over the
/// WebSocket). Larger requests get 413 before anything is parsed.
pub const MAX_BODY_BYTES: usize = 1 << 20;
/// The shortest token-signing secret accepted (HS256's key is as strong as its secret: 32 bytes
/// is 256 bits when random).
pub const MIN_SECRET_BYTES: usize = 32;
/// Cookie sessions end after this long without a request.
pub const SESSION_IDLE_DAYS: i64 = 14;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    /// Storage could not be opened or migrated.
    #[error(transparent)]
    Db(#[from] DbError),
    /// Redis is configured but unusable.
    #[error("cannot reach Redis at {url}: {source}")]
    Redis {
        /// The URL with any password removed.
        url: String,
        /// Why.
        source: redis::RedisError,
    },
    /// The listen address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: std::net::SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The configured token secret is too short to resist guessing.
    #[error(
        "INKROOM_JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes (it is {0}); or leave it unset to have one generated"
    )]
    WeakSecret(usize),
    /// The site's asset manifest exists but is unreadable.
    #[error("cannot read asset manifest {path}: {reason}")]
    Assets {
        /// The manifest path.
        path: String,
        /// Why.
        reason: String,
    },
}

/// A bound, ready-to-run server.
pub struct Application {
    listener: TcpListener,
    router: Router,
    state: AppState,
}

impl Application {
    /// Connects to storage (running migrations), to Redis if configured, and binds the listener.
    pub async fn build(args: ServeArgs) -> Result<Self, StartupError> {
        let url = match &args.database_url {
            Some(url) => url.clone(),
            None => db::default_sqlite_url(&args.data_dir)?,
        };
        let db = Db::connect(&url).await?;
        db.migrate().await?;
        tracing::info!(database = %db::redact(&url), backend = ?db.backend(), "storage ready");

        let redis = match &args.redis_url {
            None => None,
            Some(url) => {
                let redis_err = |source| StartupError::Redis {
                    url: db::redact(url),
                    source,
                };
                let client = redis::Client::open(url.as_str()).map_err(redis_err)?;
                redis_ping(&client).await.map_err(redis_err)?;
                Some(client)
            }
        };

        if let Some(secret) = args.jwt_secret.as_deref().filter(|s| !s.is_empty())
            && secret.len() < MIN_SECRET_BYTES
        {
            return Err(StartupError::WeakSecret(secret.len()));
        }
        let tokens = TokenKeys::load_or_create(&db, args.jwt_secret.as_deref()).await?;
        let assets = load_assets(&args.site_root)?;
        let leptos_options = LeptosOptions::builder()
            .output_name("inkroom")
            .site_root(args.site_root.display().to_string())
            .site_pkg_dir("pkg")
            .site_addr(args.listen)
            .build();
        let hub_config = hub_config(&args);
        let hub = crate::hub::Hub::new(db.clone(), hub_config, tokens.client_ids());
        let recognizer = load_models(args.models_dir.clone()).await;
        let access = crate::hub::bus::AccessBus::new(hub.clone(), redis.clone());
        tokio::spawn(access.clone().subscribe());
        let exporter = crate::export::Exporter::new(hub.clone(), args.limits.max_export_mb << 20);
        let state = AppState {
            leptos_options,
            server: ServerState {
                db: db.clone(),
                tokens,
                recognizer,
                notifier: Arc::new(access.clone()),
                hashers: app::ssr::password::Hashers::new(
                    args.limits.password_hashers,
                    args.limits.password_queue,
                ),
                max_rooms_per_user: args.limits.max_rooms_per_user,
                boards: Arc::new(exporter.clone()),
                clock: args.clock.clone(),
            },
            exporter,
            db,
            redis,
            assets,
            auth_limiter: AuthLimiter::per_minute(args.auth_rate_per_minute),
            hub,
            secure_cookies: args.secure_cookies,
            allowed_origins: args.allowed_origins.clone(),
        };
        let router = router(state.clone());
        let listener =
            TcpListener::bind(args.listen)
                .await
                .map_err(|source| StartupError::Bind {
                    addr: args.listen,
                    source,
                })?;
        Ok(Self {
            listener,
            router,
            state,
        })
    }

    /// The bound port (useful when listening on port 0).
    pub fn port(&self) -> u16 {
        self.listener.local_addr().map_or(0, |a| a.port())
    }

    /// Serves until `shutdown` completes, then lets in-flight requests finish and closes storage.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        tracing::info!(addr = ?self.listener.local_addr().ok(), "listening");
        let housekeeping = tokio::spawn(housekeeping(self.state.clone()));
        // Connect info: the per-IP limiter needs the peer address.
        let service = self
            .router
            .into_make_service_with_connect_info::<std::net::SocketAddr>();
        // WebSocket connections outlive HTTP's graceful shutdown (they are upgraded), so the hub
        // is told at the same moment: sockets close, and rooms write what they have pending.
        let hub = self.state.hub.clone();
        let stop = async move {
            shutdown.await;
            hub.begin_shutdown();
        };
        // Frames are small and latency-bound: without TCP_NODELAY, Nagle's algorithm holds a
        // frame written while an earlier one is unacknowledged, and the peer's delayed ACK makes
        // that a stall of up to 40 ms (browsers set it on their side for the same reason).
        let listener = self.listener.tap_io(|tcp| {
            if let Err(e) = tcp.set_nodelay(true) {
                tracing::debug!(error = %e, "TCP_NODELAY not set");
            }
        });
        let served = axum::serve(listener, service)
            .with_graceful_shutdown(stop)
            .await;
        housekeeping.abort();
        self.state.hub.shutdown().await;
        served?;
        self.state.db.close().await;
        tracing::info!("stopped");
        Ok(())
    }
}

/// The hub's tuning from the command line.
fn hub_config(args: &ServeArgs) -> crate::hub::HubConfig {
    use crate::hub::rate::Rate;
    let limits = &args.limits;
    let defaults = crate::hub::HubConfig::default();
    crate::hub::HubConfig {
        max_connections: args.max_connections,
        ops: Rate {
            per_second: limits.ops_per_second.max(1) as f32,
            burst: limits.ops_burst.max(1) as f32,
        },
        chat: Rate {
            per_second: limits.chat_per_minute.max(1) as f32 / 60.0,
            burst: defaults.chat.burst,
        },
        history_ops: limits.history_ops,
        room: crate::hub::room::RoomConfig {
            max_elements: limits.max_elements,
            max_bytes: limits.max_room_mb.saturating_mul(1 << 20),
            ..defaults.room
        },
        ..defaults
    }
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown signal received");
}

/// Periodic clean-up: expired sessions, sign-in failures past their window, idle rate-limiter
/// entries.
async fn housekeeping(state: AppState) {
    let store = SqlSessionStore::new(state.db.clone());
    let mut tick = tokio::time::interval(Duration::from_secs(600));
    loop {
        tick.tick().await;
        if let Err(e) = store.delete_expired().await {
            tracing::warn!(error = %e, "could not delete expired sessions");
        }
        if let Err(e) = app::ssr::limits::prune(&state.db).await {
            tracing::warn!(error = %e, "could not prune sign-in failures");
        }
        state.auth_limiter.prune();
    }
}

/// Sends PING, bounded to two seconds.
pub async fn redis_ping(client: &redis::Client) -> Result<(), redis::RedisError> {
    let ping = async {
        let mut conn = client.get_multiplexed_async_connection().await?;
        redis::cmd("PING").query_async::<String>(&mut conn).await?;
        Ok(())
    };
    match tokio::time::timeout(Duration::from_secs(2), ping).await {
        Ok(result) => result,
        Err(_) => Err(redis::RedisError::from((redis::ErrorKind::Io, "timed out"))),
    }
}

/// Reads `assets.json` from the site root, or falls back to unhashed names if there is none.
fn load_assets(site_root: &Path) -> Result<Assets, StartupError> {
    let path = site_root.join("assets.json");
    match std::fs::read_to_string(&path) {
        Ok(text) => serde_json::from_str(&text).map_err(|e| StartupError::Assets {
            path: path.display().to_string(),
            reason: e.to_string(),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            tracing::warn!(path = %path.display(), "no asset manifest: was the site built? (scripts/build-site)");
            Ok(Assets::default())
        }
        Err(e) => Err(StartupError::Assets {
            path: path.display().to_string(),
            reason: e.to_string(),
        }),
    }
}

/// The complete router: probes, the front end's hashed files, Leptos pages and static files.
pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let pkg_dir = Path::new(&*state.leptos_options.site_root).join("pkg");
    // Hashed names change whenever the content does, so these may be cached for a year.
    let pkg = tower::ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=31536000, immutable"),
        ))
        // build-site writes .gz copies; serving them avoids compressing the bundle per request.
        .service(ServeDir::new(pkg_dir).precompressed_gzip());
    let shell_state = state.clone();
    let error_state = state.clone();
    let server_state = state.server.clone();
    app::ssr::state::set_process_state(server_state.clone());
    // Server functions and SSR both get the ServerState as Leptos context, and every page a
    // fresh nonce for its inline scripts (the shell puts it in the page's CSP).
    let context = move || {
        leptos::prelude::provide_context(server_state.clone());
        leptos::nonce::provide_nonce();
    };
    let security = crate::security::Security::new(&state.allowed_origins, state.secure_cookies);
    let sessions = SessionManagerLayer::new(SqlSessionStore::new(state.db.clone()))
        .with_name("inkroom.sid")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(state.secure_cookies)
        .with_expiry(Expiry::OnInactivity(CookieDuration::days(
            SESSION_IDLE_DAYS,
        )));
    let mut router = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/ws", get(crate::hub::conn::ws_handler));
    for (path, route) in crate::challenges::routes() {
        router = router.route(path, route);
    }
    for (path, route) in crate::export::route::routes() {
        router = router.route(path, route);
    }
    router
        .nest_service("/pkg", pkg)
        .leptos_routes_with_context(&state, routes, context.clone(), move || {
            shell(
                shell_state.leptos_options.clone(),
                shell_state.assets.clone(),
            )
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(context, move |options| {
            shell(options, error_state.assets.clone())
        }))
        .layer(axum::middleware::from_fn_with_state(
            state.auth_limiter.clone(),
            limit_auth,
        ))
        .layer(sessions)
        .layer(axum::middleware::from_fn_with_state(
            security,
            crate::security::guard,
        ))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Loads the recognition models on the blocking pool. A missing model is a warning, not a
/// startup failure: the rest of the app works without it and its API answers 503.
async fn load_models(dir: PathBuf) -> Arc<dyn Recognizer> {
    let started = std::time::Instant::now();
    let shown = dir.display().to_string();
    let (models, errors) = tokio::task::spawn_blocking(move || crate::ai::Models::load(&dir))
        .await
        .unwrap_or_else(|_| {
            (
                crate::ai::Models {
                    shapes: None,
                    chars: None,
                    words: None,
                },
                Vec::new(),
            )
        });
    for e in errors {
        tracing::warn!(error = format!("{e:#}"), "recognition model not loaded");
    }
    let service = crate::ai::ModelService(Arc::new(models));
    tracing::info!(dir = %shown, models = ?service, ms = started.elapsed().as_millis() as u64, "recognition models loaded");
    Arc::new(service)
}
