//! Liveness (`/healthz`) and readiness (`/readyz`) probes.
//!
//! Liveness says only that the process answers HTTP; a load balancer restarts the process when it
//! fails. Readiness also checks the dependencies a request needs (the database, and Redis when
//! configured), so traffic is withheld from an instance that cannot serve it.

use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;

/// `GET /healthz`: 200 while the process is alive.
pub async fn healthz() -> &'static str {
    "ok"
}

/// The readiness report.
#[derive(Debug, Serialize)]
pub struct Readiness {
    /// `ok` or `unavailable`.
    pub database: &'static str,
    /// `ok`, `unavailable`, or `disabled` when no `REDIS_URL` is configured.
    pub redis: &'static str,
}

/// `GET /readyz`: 200 when every dependency answers, 503 otherwise.
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Readiness>) {
    let database = match state.db.ping().await {
        Ok(()) => "ok",
        Err(e) => {
            tracing::warn!(error = %e, "readiness: database unavailable");
            "unavailable"
        }
    };
    let redis = match &state.redis {
        None => "disabled",
        Some(client) => match crate::startup::redis_ping(client).await {
            Ok(()) => "ok",
            Err(e) => {
                tracing::warn!(error = %e, "readiness: redis unavailable");
                "unavailable"
            }
        },
    };
    let ready = database == "ok" && redis != "unavailable";
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(Readiness { database, redis }))
}
