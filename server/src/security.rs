//! Request-level defences, as one middleware ([`guard`]):
//!
//! - **Origin checks.** A browser attaches its cookies to requests that other sites make, so a
//!   state-changing request (any method but GET/HEAD/OPTIONS, and the WebSocket upgrade, a GET
//!   that opens a live session) must come from this site: its `Origin` header must name the host
//!   the request was sent to, or one of `--allowed-origins`. Browsers send `Origin` on every such
//!   request (WebSocket upgrades and cross-origin POSTs always; same-origin POSTs too in every
//!   current browser); clients without one (scripts, the load generator) are not browsers and
//!   carry no ambient cookies to abuse. This covers what `SameSite=Lax` does not: other ports
//!   and sibling subdomains of the same site. A CSRF token was rejected as redundant with this
//!   for the browsers Inkroom supports, and it would need a round trip before every form post.
//! - **Content types.** Server functions take JSON or form posts only, so a cross-site "simple"
//!   `text/plain` request can never be read as a JSON call (415 otherwise).
//! - **Headers** on every response: `X-Content-Type-Options: nosniff`, `Referrer-Policy`,
//!   `X-Frame-Options: DENY`, `Cross-Origin-Opener-Policy`, HSTS with `--secure-cookies`, and a
//!   strict `Content-Security-Policy` for everything that is not a page (pages get theirs, with a
//!   per-response script nonce, from the app's shell).

use crate::api_error::ApiError;
use app::error::AppError;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// The policy for responses that are not pages (JSON, files, probes): nothing may run or load.
pub const DEFAULT_CSP: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

/// What [`guard`] enforces.
#[derive(Clone, Debug)]
pub struct Security {
    /// Origins allowed besides the request's own host, exactly as browsers send them
    /// (`https://board.example.com`).
    allowed: Arc<[String]>,
    /// Whether to send `Strict-Transport-Security` (only behind HTTPS).
    hsts: bool,
}

impl Security {
    /// A policy allowing `allowed` origins besides the site itself, with HSTS when `hsts`.
    pub fn new(allowed: &[String], hsts: bool) -> Self {
        let allowed = allowed
            .iter()
            .map(|o| o.trim().trim_end_matches('/').to_ascii_lowercase())
            .filter(|o| !o.is_empty())
            .collect();
        Self { allowed, hsts }
    }

    /// Whether a request with these headers comes from this site (or names no origin at all).
    pub fn origin_allowed(&self, headers: &HeaderMap) -> bool {
        let Some(origin) = headers.get(header::ORIGIN) else {
            return true;
        };
        let Ok(origin) = origin.to_str() else {
            return false;
        };
        let origin = origin.trim().to_ascii_lowercase();
        if self.allowed.contains(&origin) {
            return true;
        }
        // Same origin: the authority after the scheme is the host the request was sent to.
        // (`null`, sent by sandboxed frames and local files, has no authority and fails.)
        let authority = origin
            .strip_prefix("https://")
            .or_else(|| origin.strip_prefix("http://"));
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .map(str::to_ascii_lowercase);
        matches!((authority, host), (Some(a), Some(h)) if a == h)
    }
}

/// Whether a request changes state or opens a live session.
fn state_changing(req: &Request) -> bool {
    !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS)
        || req.uri().path() == "/ws"
}

/// Whether a server-function call has a body type they read.
fn readable_body(req: &Request) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|ct| ct.to_str().ok())
        .map(|ct| {
            ct.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        })
        .is_some_and(|ct| ct == "application/json" || ct == "application/x-www-form-urlencoded")
}

/// The middleware: refuses cross-site state changes and unreadable server-function bodies, and
/// puts the security headers on every response.
pub async fn guard(State(security): State<Security>, req: Request, next: Next) -> Response {
    if state_changing(&req) && !security.origin_allowed(req.headers()) {
        tracing::info!(origin = ?req.headers().get(header::ORIGIN), path = %req.uri().path(), "refused a cross-site request");
        let mut res = ApiError(AppError::Forbidden).into_response();
        security.headers(res.headers_mut());
        return res;
    }
    if req.method() == Method::POST && req.uri().path().starts_with("/api/") && !readable_body(&req)
    {
        let mut res = (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            axum::Json(AppError::BadRequest {
                message: "send application/json (or a form post)".into(),
            }),
        )
            .into_response();
        security.headers(res.headers_mut());
        return res;
    }
    let mut res = next.run(req).await;
    security.headers(res.headers_mut());
    res
}

impl Security {
    /// Adds the security headers (a page's own `Content-Security-Policy` is kept).
    fn headers(&self, h: &mut HeaderMap) {
        let set = |h: &mut HeaderMap, name, value: &'static str| {
            h.insert(name, HeaderValue::from_static(value));
        };
        set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
        set(
            h,
            header::REFERRER_POLICY,
            "strict-origin-when-cross-origin",
        );
        set(h, header::X_FRAME_OPTIONS, "DENY");
        set(
            h,
            header::HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        );
        if self.hsts {
            set(
                h,
                header::STRICT_TRANSPORT_SECURITY,
                "max-age=31536000; includeSubDomains",
            );
        }
        if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
            set(h, header::CONTENT_SECURITY_POLICY, DEFAULT_CSP);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(origin: Option<&str>, host: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_str(host).unwrap());
        if let Some(o) = origin {
            h.insert(header::ORIGIN, HeaderValue::from_str(o).unwrap());
        }
        h
    }

    #[test]
    fn only_this_site_or_a_listed_origin_may_change_state() {
        let s = Security::new(&["https://Board.Example.com/".into()], false);
        assert!(s.origin_allowed(&headers(Some("http://localhost:3000"), "localhost:3000")));
        assert!(s.origin_allowed(&headers(Some("https://board.example.com"), "10.0.0.5:3000")));
        assert!(
            s.origin_allowed(&headers(None, "localhost:3000")),
            "not a browser"
        );
        for foreign in [
            "http://localhost:3001",
            "http://evil.example",
            "https://sub.localhost:3000",
            "null",
            "localhost:3000",
        ] {
            assert!(
                !s.origin_allowed(&headers(Some(foreign), "localhost:3000")),
                "{foreign}"
            );
        }
    }
}
