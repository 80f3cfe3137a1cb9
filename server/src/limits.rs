//! Per-IP rate limiting of the endpoints worth brute-forcing (sign-in, sign-up, tokens, join by
//! code), with the `governor` crate's keyed GCRA limiter.
//!
//! This complements the per-account lockout in `app::ssr::limits`: the lockout stops guessing one
//! account's password from many addresses, this stops one address from trying many accounts or
//! room codes. Behind a reverse proxy every client shares the proxy's address; put the limit in
//! the proxy there, or raise `--auth-rate-per-minute`.

use crate::api_error::ApiError;
use app::error::AppError;
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;

/// The paths this limiter guards: those that try a password or code, and those that make the
/// server hash one.
pub const LIMITED_PATHS: &[&str] = &[
    "/api/auth/sign-in",
    "/api/auth/sign-up",
    "/api/auth/token",
    "/api/rooms/join-code",
    "/api/rooms/create",
    "/api/rooms/set-password",
];

/// A shared per-IP limiter.
#[derive(Clone, Debug)]
pub struct AuthLimiter(Arc<DefaultKeyedRateLimiter<IpAddr>>);

impl AuthLimiter {
    /// Allows `per_minute` requests per minute per IP, bursting up to the same number.
    pub fn per_minute(per_minute: u32) -> Self {
        let n = NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
        Self(Arc::new(RateLimiter::keyed(
            Quota::per_minute(n).allow_burst(n),
        )))
    }

    /// Forgets addresses whose allowance is full again (call periodically).
    pub fn prune(&self) {
        self.0.retain_recent();
    }
}

/// Middleware: answers 429 with a JSON [`AppError::RateLimited`] when an address exceeds its
/// allowance on a guarded path.
pub async fn limit_auth(
    State(limiter): State<AuthLimiter>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    req: Request,
    next: Next,
) -> Response {
    if LIMITED_PATHS.contains(&req.uri().path())
        && let Err(not_until) = limiter.0.check_key(&addr.ip())
    {
        let wait = not_until.wait_time_from(DefaultClock::default().now());
        let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        return ApiError(AppError::RateLimited {
            retry_after_secs: secs,
        })
        .into_response();
    }
    next.run(req).await
}
