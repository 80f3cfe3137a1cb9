//! Brute-force protection for sign-in: after [`MAX_FAILURES`] failed attempts on one account within
//! [`WINDOW`], the account is locked for [`LOCKOUT`] (the product design's figures).
//!
//! Counters live in the database, so every server process sharing it enforces the same lock.
//! Unknown emails are counted exactly like known ones, so the lock's behaviour reveals nothing
//! about which accounts exist.

use super::db::{Db, DbError, now_ms};
use std::time::Duration;

/// Failed attempts that trigger a lock.
pub const MAX_FAILURES: i64 = 5;
/// How long failures are remembered.
pub const WINDOW: Duration = Duration::from_secs(60 * 60);
/// How long a lock lasts.
pub const LOCKOUT: Duration = Duration::from_secs(15 * 60);

fn ms(d: Duration) -> i64 {
    d.as_millis() as i64
}

fn seconds_until(until_ms: i64, now: i64) -> u64 {
    ((until_ms - now).max(0) as u64).div_ceil(1000)
}

/// If `email` is locked now, the seconds until it unlocks.
pub async fn locked_for(db: &Db, email: &str) -> Result<Option<u64>, DbError> {
    let now = now_ms();
    let row: Option<(i64,)> =
        sqlx::query_as("SELECT locked_until FROM login_failures WHERE email = $1")
            .bind(email)
            .fetch_optional(db.pool())
            .await?;
    Ok(row
        .filter(|(until,)| *until > now)
        .map(|(until,)| seconds_until(until, now)))
}

/// Counts one failed attempt. Returns the lock's remaining seconds if this attempt locked the
/// account.
pub async fn record_failure(db: &Db, email: &str) -> Result<Option<u64>, DbError> {
    let now = now_ms();
    let window_start = now - ms(WINDOW);
    // One atomic statement, so concurrent failures on several processes are all counted.
    let (failures,): (i64,) = sqlx::query_as(
        "INSERT INTO login_failures (email, failures, first_failure_at, locked_until) \
         VALUES ($1, 1, $2, 0) \
         ON CONFLICT (email) DO UPDATE SET \
           failures = CASE WHEN login_failures.first_failure_at < $3 THEN 1 \
                           ELSE login_failures.failures + 1 END, \
           first_failure_at = CASE WHEN login_failures.first_failure_at < $3 THEN $2 \
                                   ELSE login_failures.first_failure_at END \
         RETURNING failures",
    )
    .bind(email)
    .bind(now)
    .bind(window_start)
    .fetch_one(db.pool())
    .await?;
    if failures < MAX_FAILURES {
        return Ok(None);
    }
    let until = now + ms(LOCKOUT);
    // Start a fresh count after the lock: the next failure after unlocking is the first again.
    sqlx::query(
        "UPDATE login_failures SET locked_until = $2, failures = 0, first_failure_at = $3 \
         WHERE email = $1",
    )
    .bind(email)
    .bind(until)
    .bind(now)
    .execute(db.pool())
    .await?;
    Ok(Some(seconds_until(until, now)))
}

/// Forgets failures after a successful sign-in.
pub async fn clear(db: &Db, email: &str) -> Result<(), DbError> {
    sqlx::query("DELETE FROM login_failures WHERE email = $1")
        .bind(email)
        .execute(db.pool())
        .await?;
    Ok(())
}
