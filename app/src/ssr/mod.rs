//! Server-only code (feature `ssr`): storage, password hashing, sessions, tokens, who is asking,
//! and the state server functions run with.
//!
//! The feature modules (`auth`, `rooms`, `challenges`, `ai`) keep their own queries and rules next to their
//! server functions; what several of them share lives here. Layers, lowest first: `db` ←
//! `password`, `tokens`, `sessions`, `limits`, `recognizer`, `notify`, `boards`, `clock` ←
//! `state` ← `identity`.

pub mod boards;
pub mod clock;
pub mod db;
pub mod identity;
pub mod limits;
pub mod notify;
pub mod password;
pub mod recognizer;
pub mod sessions;
pub mod state;
pub mod tokens;
