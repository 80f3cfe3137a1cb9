//! Integration tests: the real server on port 0, over HTTP, against SQLite and PostgreSQL.
//!
//! One test binary (faster to link than one per file). Every storage-touching test runs twice,
//! once per backend, through [`both_backends!`]. PostgreSQL comes from `TEST_DATABASE_URL` (set by
//! `scripts/test`); its absence is a failure, never a silent skip.

mod helpers;

mod access;
mod ai;
mod auth;
mod challenges;
mod cli;
mod export;
mod hardening;
mod health;
mod pages;
mod realtime;
mod rooms;
mod storage;
