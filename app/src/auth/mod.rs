//! Accounts: sign-up, sign-in, sign-out, "who am I", and bearer tokens for non-browser clients.
//!
//! Layout (as in every feature module): shared types and validation ([`model`]) → server
//! functions ([`api`], public endpoints under `/api/auth/…` taking JSON, `docs/api.md`) →
//! [`pages`].

pub mod api;
pub mod model;
pub mod pages;

pub use api::*;
pub use model::*;
