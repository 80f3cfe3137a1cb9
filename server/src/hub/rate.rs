//! Token buckets for what one connection may send: a few bytes in the connection's task, counted
//! in milliseconds since the connection opened.

/// A token bucket of `burst` tokens refilled at `per_second`.
#[derive(Clone, Copy, Debug)]
pub struct Bucket {
    tokens: f32,
    /// When the bucket was last refilled, ms since the connection opened.
    at_ms: u32,
}

/// A bucket's rate and size.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rate {
    /// Tokens added per second.
    pub per_second: f32,
    /// The most tokens held (what may be spent at once).
    pub burst: f32,
}

impl Bucket {
    /// A full bucket at `now_ms`.
    pub fn full(rate: Rate, now_ms: u32) -> Self {
        Self {
            tokens: rate.burst,
            at_ms: now_ms,
        }
    }

    /// Takes one token at `now_ms`; when there is none, how many milliseconds until there is.
    pub fn take(&mut self, rate: Rate, now_ms: u32) -> Result<(), u32> {
        let elapsed = now_ms.saturating_sub(self.at_ms) as f32 / 1000.0;
        self.tokens = (self.tokens + elapsed * rate.per_second).min(rate.burst);
        self.at_ms = now_ms;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            return Ok(());
        }
        let missing = 1.0 - self.tokens;
        Err((missing / rate.per_second.max(f32::MIN_POSITIVE) * 1000.0).ceil() as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_is_allowed_then_the_rate_applies() {
        let rate = Rate {
            per_second: 10.0,
            burst: 3.0,
        };
        let mut b = Bucket::full(rate, 0);
        assert!((0..3).all(|_| b.take(rate, 0).is_ok()));
        assert_eq!(b.take(rate, 0), Err(100), "one token every 100 ms");
        assert!(b.take(rate, 100).is_ok());
        assert!(b.take(rate, 150).is_err());
        // A long pause refills to the burst, not beyond.
        assert!((0..3).all(|_| b.take(rate, 10_000).is_ok()));
        assert!(b.take(rate, 10_000).is_err());
    }
}
