//! Drawing challenges: daily, weekly and monthly prompts, boards opened for them, submissions
//! rendered by the server, a gallery with likes, remixes, streaks. In one order, as `rooms`:
//!
//! - [`model`]: the shared types and the validation of what people type;
//! - `db` (server): every challenge query;
//! - `access` (server): **who may do what**, the one place for it;
//! - `catalogue` (server): the catalogue file and its import (`inkroom challenges import`);
//! - [`api`]: the server functions (`/api/challenges/…`);
//! - [`pages`]: the challenge pages, the gallery, the submit dialog of a challenge board.
//!
//! The calendar (UTC periods), the hot order and streaks are pure rules in the core
//! ([`inkroom_core::challenge`]). A challenge is *current* when its period contains the time of
//! the question: nothing has to run at midnight.

#[cfg(feature = "ssr")]
pub mod access;
pub mod api;
#[cfg(feature = "ssr")]
pub mod catalogue;
#[cfg(feature = "ssr")]
pub mod db;
pub mod model;
pub mod pages;

pub use api::*;
pub use model::*;
