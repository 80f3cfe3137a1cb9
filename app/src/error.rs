//! The error every server function returns.
//!
//! Variants are what a client can act on; each documents the HTTP status it maps to. Internal
//! failures (database, hashing) are logged on the server with their cause and reach the client
//! only as [`AppError::Internal`], so no SQL, path or secret ever leaks.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// A client-facing error, serialised as JSON (`{"kind": "...", ...}`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AppError {
    /// 401: not signed in (or the token expired).
    #[error("please sign in first")]
    Unauthorized,
    /// 401: sign-in failed. One message for a wrong email *or* password: no account enumeration.
    #[error("wrong email or password")]
    BadCredentials,
    /// 403: signed in, but this user may not do this.
    #[error("you do not have permission to do that")]
    Forbidden,
    /// 403: a private room's code or password did not match. One message for both.
    #[error("wrong room code or password")]
    BadRoomCredentials,
    /// 404: no such thing (or not visible to this user).
    #[error("{what} not found")]
    NotFound {
        /// What was looked for ("room", "member"…).
        what: String,
    },
    /// 409: conflicts with existing data.
    #[error("{message}")]
    Conflict {
        /// Human-readable explanation.
        message: String,
    },
    /// 422: an input field is invalid.
    #[error("{field}: {message}")]
    Invalid {
        /// The offending field's name.
        field: String,
        /// What is wrong with it.
        message: String,
    },
    /// 422: a limit on what one user may have is reached (rooms owned…).
    #[error("{message}")]
    LimitReached {
        /// What limit, and what to do about it.
        message: String,
    },
    /// 429: too many attempts.
    #[error("too many attempts; try again in {retry_after_secs} seconds")]
    RateLimited {
        /// Seconds until another attempt may succeed.
        retry_after_secs: u64,
    },
    /// 400: the request itself was malformed (bad JSON, missing arguments).
    #[error("bad request: {message}")]
    BadRequest {
        /// What the decoder said.
        message: String,
    },
    /// 503: a feature's backing service (e.g. a recognition model) is not available here.
    #[error("{message}")]
    Unavailable {
        /// What is missing.
        message: String,
    },
    /// 500: something failed on the server; details are in the server log.
    #[error("something went wrong on our side; please try again")]
    Internal,
}

impl AppError {
    /// An [`AppError::Invalid`] for `field`.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::Invalid {
            field: field.to_owned(),
            message: message.into(),
        }
    }

    /// An [`AppError::NotFound`] for `what`.
    pub fn not_found(what: &str) -> Self {
        Self::NotFound {
            what: what.to_owned(),
        }
    }

    /// The HTTP status code for this error.
    pub fn status(&self) -> u16 {
        match self {
            Self::BadRequest { .. } => 400,
            Self::Unauthorized | Self::BadCredentials => 401,
            Self::Forbidden | Self::BadRoomCredentials => 403,
            Self::NotFound { .. } => 404,
            Self::Conflict { .. } => 409,
            Self::Invalid { .. } | Self::LimitReached { .. } => 422,
            Self::RateLimited { .. } => 429,
            Self::Internal => 500,
            Self::Unavailable { .. } => 503,
        }
    }

    /// The field this error is about, for showing it next to a form input.
    pub fn field(&self) -> Option<&str> {
        match self {
            Self::Invalid { field, .. } => Some(field),
            _ => None,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(e: ServerFnErrorErr) -> Self {
        let err = Self::from_framework(e);
        // Decoding failures happen before the body (and its status mapping) runs.
        #[cfg(feature = "ssr")]
        ssr::set_status(&err);
        err
    }
}

impl AppError {
    fn from_framework(e: ServerFnErrorErr) -> Self {
        match e {
            ServerFnErrorErr::Args(m)
            | ServerFnErrorErr::Deserialization(m)
            | ServerFnErrorErr::MissingArg(m) => Self::BadRequest { message: m },
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Response(_) => Self::Internal,
            other => {
                #[cfg(feature = "ssr")]
                tracing::error!(error = %other, "server function failure");
                let _ = other;
                Self::Internal
            }
        }
    }
}

#[cfg(feature = "ssr")]
pub mod ssr {
    //! How an error reaches the HTTP response of a server function.
    use super::AppError;
    use leptos::prelude::use_context;

    /// Whether this request is a call to a server function (as opposed to rendering a page).
    fn is_api_request() -> bool {
        use_context::<axum::http::request::Parts>()
            .is_some_and(|parts| parts.uri.path().starts_with("/api/"))
    }

    /// Whether this request is a plain HTML form post (the browser asks for HTML), as opposed to
    /// a call from the hydrated app or a script (which ask for JSON).
    pub fn is_html_form_post() -> bool {
        use_context::<axum::http::request::Parts>()
            .and_then(|parts| {
                parts
                    .headers
                    .get(axum::http::header::ACCEPT)?
                    .to_str()
                    .ok()
                    .map(|a| a.contains("text/html"))
            })
            .unwrap_or(false)
    }

    /// Sets the HTTP status of the current server-function response to the error's.
    pub fn set_status(e: &AppError) {
        // A form post is answered with a redirect back to the form, the error encoded in the
        // URL (server_fn's form redirects); an error status here would replace that redirect.
        // And when a page calls a server function while rendering, the error belongs to that
        // resource, not to the page's status.
        if is_html_form_post() || !is_api_request() {
            return;
        }
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>()
            && let Ok(status) = axum::http::StatusCode::from_u16(e.status())
        {
            response.set_status(status);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_serialize_with_a_kind_tag() {
        let e = AppError::invalid("email", "is not an email address");
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["kind"], "invalid");
        assert_eq!(json["field"], "email");
        assert_eq!(serde_json::from_value::<AppError>(json).unwrap(), e);
        assert_eq!(e.status(), 422);
    }

    #[test]
    fn decoding_failures_become_bad_requests() {
        let e = AppError::from_server_fn_error(ServerFnErrorErr::Args("missing field".into()));
        assert_eq!(e.status(), 400);
    }
}
