//! Rooms: public and private boards, membership with roles, join codes, passwords and share
//! links. Everything about rooms is here, in one order:
//!
//! - [`model`]: the shared types (roles, room views) and the validation of what users type;
//! - `db` (server): every room query;
//! - `access` (server): **the one access rule**, used by the server functions below, the board
//!   export and the WebSocket hub;
//! - [`api`]: the server functions;
//! - [`pages`]: the room pages and the forms and lists the dashboard shows.
//!
//! Who may do what (`server/tests/api/access.rs` holds the table that proves it): a **public**
//! room is visible to everyone and any signed-in user may join it as an editor (or watch it as a
//! viewer without joining); a **private** room is invisible to non-members, who join with its
//! 6-character code (and password, if set) as editors, or through a share link granting editor or
//! viewer. **Owners** rename, delete, rotate the code (the old one stops working), set or clear
//! the password, change roles, kick members and manage share links. **Editors** change the scene
//! and chat. **Viewers** see everything live and may read the chat, but neither draw nor post: a
//! read-only link should not become a way to talk into a room.

#[cfg(feature = "ssr")]
pub mod access;
pub mod api;
#[cfg(feature = "ssr")]
pub mod db;
pub mod model;
pub mod pages;

pub use api::*;
pub use model::*;
