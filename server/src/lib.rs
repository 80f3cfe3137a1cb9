//! # Inkroom server
//!
//! The `inkroom` binary's library: everything except argument parsing lives here so that
//! integration tests can start the real server in-process on port 0.
//!
//! # Layout
//! - [`config`]: command line and environment.
//! - [`telemetry`]: structured logs.
//! - [`db`]: SQLite / PostgreSQL storage and migrations (defined in `app::ssr::db`, next to the
//!   server functions that query it, and re-exported here).
//! - [`state`]: the state every handler shares.
//! - [`startup`]: builds the axum router, binds the listener, runs until a shutdown signal.
//! - [`api_error`]: the API's JSON errors for plain axum handlers.
//! - [`security`]: Origin checks, content types and security headers.
//! - [`health`]: liveness and readiness probes.
//! - [`hub`]: the real-time WebSocket hub (rooms' actors, event log, connections).
//! - [`export`]: boards as PNG, SVG and JSON files (`GET /api/rooms/{slug}/export.*`), painted
//!   from the core's drawing commands.
//! - [`challenges`]: submission images (`GET /api/challenges/submissions/{id}/{rev}/…`) and the
//!   `challenges import` and `admin grant` commands (the rest is in `app::challenges`).
//! - [`ai`]: the recognition models (shapes, handwriting): training, evaluation, inference.

// Leptos views are deeply nested types; the board's view tree outgrows the default limit of 128
// when the server computes the layout of its render future.
#![recursion_limit = "256"]

pub mod ai;
pub mod api_error;
pub mod challenges;
pub mod config;
pub mod export;
pub mod health;
pub mod hub;
pub mod limits;
pub mod security;
pub mod startup;
pub mod state;
pub mod telemetry;

pub use app::ssr::db;
