//! Rate limits on the API's writes, per user: a token bucket (governor's GCRA) that allows a
//! burst and then a steady rate, so a runaway script slows down instead of flooding the
//! catalogue's history.

use std::num::NonZeroU32;
use std::sync::Arc;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// Writes per user: `per_minute` on average, up to `burst` at once.
#[derive(Clone)]
pub struct WriteLimiter {
    limiter: Arc<DefaultKeyedRateLimiter<i64>>,
    clock: DefaultClock,
}

impl std::fmt::Debug for WriteLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WriteLimiter").finish_non_exhaustive()
    }
}

impl WriteLimiter {
    pub fn new(per_minute: u32, burst: u32) -> Self {
        let rate = NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(burst.max(1)).unwrap_or(NonZeroU32::MIN);
        Self {
            limiter: Arc::new(RateLimiter::keyed(
                Quota::per_minute(rate).allow_burst(burst),
            )),
            clock: DefaultClock::default(),
        }
    }

    /// `None` when user `key` may write now; else the whole seconds to wait.
    pub fn check(&self, key: i64) -> Option<u64> {
        match self.limiter.check_key(&key) {
            Ok(()) => None,
            Err(not_until) => {
                let wait = not_until.wait_time_from(self.clock.now());
                Some(wait.as_secs() + u64::from(wait.subsec_nanos() > 0))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_a_wait_per_user() {
        let l = WriteLimiter::new(1, 2);
        assert_eq!(l.check(1), None);
        assert_eq!(l.check(1), None);
        let wait = l.check(1).expect("the third write waits");
        assert!((1..=60).contains(&wait), "{wait}");
        // Another user is not slowed by the first.
        assert_eq!(l.check(2), None);
    }
}
