//! Brute-force protection for sign-in: after [`MAX_FAILURES`] failed attempts on one account
//! from one client address within [`WINDOW`], that account is locked *for that address* for
//! [`LOCKOUT`] (the product design's figures).
//!
//! Keying by account and address means a stranger cannot lock someone out of their own account
//! by guessing from elsewhere (the previous, per-account lock let anyone do that with five
//! requests); the per-address rate limit (`server/src/limits.rs`) bounds how many accounts one
//! address may try. Counters live in the database, so every server process enforces the same
//! lock, and unknown emails are counted exactly like known ones, so the lock reveals nothing
//! about which accounts exist.
//!
//! An attempt is *charged before* the password is checked ([`charge`]), in one atomic statement:
//! parallel guesses each take a place in the count, so the sixth of six simultaneous guesses is
//! refused without being tried (checking the lock, then recording the failure, let every
//! parallel guess through). A successful sign-in refunds the charge ([`clear`]).

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

/// What [`charge`] decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Charge {
    /// Try the password. `last` says this attempt is the last one before a lock.
    Try {
        /// A failure now locks the account for this address.
        last: bool,
    },
    /// Locked: do not try; the lock ends in this many seconds.
    Locked(u64),
}

/// Counts an attempt on `account` from `client` before its password is checked.
pub async fn charge(db: &Db, account: &str, client: &str) -> Result<Charge, DbError> {
    let now = now_ms();
    let window_start = now - ms(WINDOW);
    let (failures, locked_until): (i64, i64) = sqlx::query_as(
        "INSERT INTO sign_in_failures (account, client, failures, first_failure_at, locked_until) \
         VALUES ($1, $2, 1, $3, 0) \
         ON CONFLICT (account, client) DO UPDATE SET \
           failures = CASE WHEN sign_in_failures.first_failure_at < $4 \
                             AND sign_in_failures.locked_until < $3 THEN 1 \
                           ELSE sign_in_failures.failures + 1 END, \
           first_failure_at = CASE WHEN sign_in_failures.first_failure_at < $4 \
                                     AND sign_in_failures.locked_until < $3 THEN $3 \
                                   ELSE sign_in_failures.first_failure_at END \
         RETURNING failures, locked_until",
    )
    .bind(account)
    .bind(client)
    .bind(now)
    .bind(window_start)
    .fetch_one(db.pool())
    .await?;
    if locked_until > now {
        return Ok(Charge::Locked(seconds_until(locked_until, now)));
    }
    if failures > MAX_FAILURES {
        // Attempts raced past the count: the extra ones are refused untried.
        return Ok(Charge::Locked(lock(db, account, client, now).await?));
    }
    Ok(Charge::Try {
        last: failures == MAX_FAILURES,
    })
}

/// Locks `account` for `client` from `now`; returns the lock's seconds.
async fn lock(db: &Db, account: &str, client: &str, now: i64) -> Result<u64, DbError> {
    let until = now + ms(LOCKOUT);
    // A fresh count after the lock: the first failure after it is the first again.
    sqlx::query(
        "UPDATE sign_in_failures SET locked_until = $3, failures = 0, first_failure_at = $4 \
         WHERE account = $1 AND client = $2 AND locked_until <= $4",
    )
    .bind(account)
    .bind(client)
    .bind(until)
    .bind(now)
    .execute(db.pool())
    .await?;
    Ok(seconds_until(until, now))
}

/// The attempt charged with [`charge`] failed and was its `last` one: locks the account for
/// `client`, returning the lock's seconds.
pub async fn lock_after_failure(db: &Db, account: &str, client: &str) -> Result<u64, DbError> {
    lock(db, account, client, now_ms()).await
}

/// Forgets the failures of `account` from `client` after a successful sign-in.
pub async fn clear(db: &Db, account: &str, client: &str) -> Result<(), DbError> {
    sqlx::query("DELETE FROM sign_in_failures WHERE account = $1 AND client = $2")
        .bind(account)
        .bind(client)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Deletes counters that are neither locking nor within their window (housekeeping).
pub async fn prune(db: &Db) -> Result<u64, DbError> {
    let now = now_ms();
    let done = sqlx::query(
        "DELETE FROM sign_in_failures WHERE locked_until < $1 AND first_failure_at < $2",
    )
    .bind(now)
    .bind(now - ms(WINDOW))
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected())
}
