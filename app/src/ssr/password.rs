//! Password hashing with argon2id, off the async runtime and bounded.
//!
//! Hashing is deliberately slow (tens of milliseconds) and takes 19 MiB, so it runs on tokio's
//! blocking pool with the caller's tracing span carried along, and [`Hashers`] bounds how many
//! run at once and how many may wait: a burst of sign-ups or password-protected rooms costs a
//! fixed amount of memory, and callers past the queue get 429 at once. Verifying against an
//! unknown account still runs a full verification against a fixed dummy hash, so response time
//! does not reveal which emails exist.

use crate::error::AppError;
use argon2::password_hash::SaltString;
use argon2::password_hash::rand_core::OsRng;
use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};
use std::sync::Arc;
use std::sync::LazyLock;
use tokio::sync::Semaphore;

/// Longest password accepted (bytes). Bounds the work an attacker can make argon2 do per request.
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// A valid hash of a random password nobody knows, verified against when the account is unknown.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    let random = SaltString::generate(&mut OsRng);
    hash_blocking(random.as_str()).unwrap_or_default()
});

fn hash_blocking(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    // Argon2::default() is argon2id, m = 19 MiB, t = 2, p = 1: OWASP's recommended minimum.
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)?
        .to_string())
}

fn verify_blocking(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// The argon2 workers: at most `concurrency` hashes at once, at most `queue` more waiting.
#[derive(Clone, Debug)]
pub struct Hashers {
    /// Callers admitted (running or waiting).
    admitted: Arc<Semaphore>,
    /// Callers running.
    running: Arc<Semaphore>,
}

impl Default for Hashers {
    fn default() -> Self {
        Self::new(2, 64)
    }
}

impl Hashers {
    /// Workers running `concurrency` hashes at once (at least one), with `queue` waiting.
    pub fn new(concurrency: usize, queue: usize) -> Self {
        let concurrency = concurrency.max(1);
        Self {
            admitted: Arc::new(Semaphore::new(concurrency + queue)),
            running: Arc::new(Semaphore::new(concurrency)),
        }
    }

    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AppError> {
        let Ok(_admitted) = self.admitted.try_acquire() else {
            return Err(AppError::RateLimited {
                retry_after_secs: 1,
            });
        };
        let _running = self
            .running
            .acquire()
            .await
            .map_err(|_| AppError::Internal)?;
        let span = tracing::Span::current();
        tokio::task::spawn_blocking(move || span.in_scope(f))
            .await
            .map_err(|e| {
                tracing::error!(error = %e, "password task failed");
                AppError::Internal
            })
    }

    /// Hashes a password into PHC string format.
    pub async fn hash(&self, password: String) -> Result<String, AppError> {
        self.run(move || hash_blocking(&password))
            .await?
            .map_err(|e| {
                tracing::error!(error = %e, "password hashing failed");
                AppError::Internal
            })
    }

    /// Whether `password` matches `hash`. With `hash = None` (no such account) the dummy hash is
    /// verified instead, taking the same time, and the answer is `false`.
    pub async fn verify(&self, password: String, hash: Option<String>) -> Result<bool, AppError> {
        if password.len() > MAX_PASSWORD_BYTES {
            return Ok(false);
        }
        self.run(move || match hash {
            Some(h) => verify_blocking(&password, &h),
            None => {
                let _ = verify_blocking(&password, &DUMMY_HASH);
                false
            }
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_and_nothing_else() {
        let hashers = Hashers::default();
        let h = hashers.hash("correct horse".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(
            hashers
                .verify("correct horse".into(), Some(h.clone()))
                .await
                .unwrap()
        );
        assert!(!hashers.verify("wrong horse".into(), Some(h)).await.unwrap());
    }

    #[tokio::test]
    async fn unknown_accounts_and_garbage_hashes_never_verify() {
        let hashers = Hashers::default();
        assert!(!hashers.verify("anything".into(), None).await.unwrap());
        assert!(
            !hashers
                .verify("anything".into(), Some("not a hash".into()))
                .await
                .unwrap()
        );
        assert!(
            !hashers
                .verify("x".repeat(MAX_PASSWORD_BYTES + 1), None)
                .await
                .unwrap()
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn callers_past_the_queue_are_told_to_come_back() {
        let hashers = Hashers::new(1, 1);
        let calls: Vec<_> = (0..6)
            .map(|i| {
                let h = hashers.clone();
                tokio::spawn(async move { h.hash(format!("password {i}")).await })
            })
            .collect();
        let mut limited = 0;
        for call in calls {
            match call.await.unwrap() {
                Ok(hash) => assert!(hash.starts_with("$argon2id$")),
                Err(AppError::RateLimited { .. }) => limited += 1,
                Err(e) => panic!("{e}"),
            }
        }
        assert!(
            limited >= 1,
            "one runs, one waits, the rest are refused at once"
        );
    }
}
