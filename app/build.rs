//! Rebuilds the app when a migration changes: `sqlx::migrate!` (in `ssr::db`) embeds them at
//! compile time.
fn main() {
    println!("cargo:rerun-if-changed=../migrations");
}
