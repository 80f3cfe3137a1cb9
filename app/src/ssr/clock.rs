//! The time server functions see. Real time in production; a clock a test sets, so that
//! scheduling at day, week and month boundaries is tested against a real server without waiting.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// Unix milliseconds from the system clock, or from a test's hand.
#[derive(Clone, Debug, Default)]
pub struct Clock(Option<Arc<AtomicI64>>);

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Self(None)
    }

    /// A clock that shows `now_ms` until [`Clock::set`] moves it.
    pub fn manual(now_ms: i64) -> Self {
        Self(Some(Arc::new(AtomicI64::new(now_ms))))
    }

    /// Moves a manual clock (and every clone of it); no effect on the system clock.
    pub fn set(&self, now_ms: i64) {
        if let Some(t) = &self.0 {
            t.store(now_ms, Ordering::SeqCst);
        }
    }

    /// The time, Unix milliseconds.
    pub fn now_ms(&self) -> i64 {
        match &self.0 {
            Some(t) => t.load(Ordering::SeqCst),
            None => super::db::now_ms(),
        }
    }
}
