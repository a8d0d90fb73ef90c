//! Rate limits, each a token bucket (governor's GCRA) that allows a burst and then a steady
//! rate: the API's writes per user, so a runaway script slows down instead of flooding the
//! catalogue's history; and failed authentications per client address, so that guessing API
//! tokens is refused before any is looked up.

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

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

/// Failed authentications per client address: `per_minute` on average after a burst of as
/// many. An address that has used its allowance is refused (`429`) before its credentials are
/// looked at, until the allowance refills.
#[derive(Clone)]
pub struct AuthFailures {
    limiter: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    /// Addresses that must wait, until when.
    blocked: Arc<Mutex<HashMap<IpAddr, Instant>>>,
    clock: DefaultClock,
}

impl std::fmt::Debug for AuthFailures {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthFailures").finish_non_exhaustive()
    }
}

/// More blocked addresses than this and the expired ones are swept out.
const MAX_BLOCKED: usize = 10_000;

impl AuthFailures {
    pub fn new(per_minute: u32) -> Self {
        let rate = NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
        Self {
            limiter: Arc::new(RateLimiter::keyed(
                Quota::per_minute(rate).allow_burst(rate),
            )),
            blocked: Arc::new(Mutex::new(HashMap::new())),
            clock: DefaultClock::default(),
        }
    }

    /// `Some(seconds)` while `addr` must wait before it may try credentials again.
    pub fn waiting(&self, addr: IpAddr) -> Option<u64> {
        let mut blocked = self.blocked.lock().unwrap_or_else(|e| e.into_inner());
        let until = *blocked.get(&addr)?;
        let now = Instant::now();
        if until <= now {
            blocked.remove(&addr);
            return None;
        }
        Some(whole_seconds(until - now))
    }

    /// Counts a failure of `addr`; `Some(seconds)` when it used up the allowance.
    pub fn failed(&self, addr: IpAddr) -> Option<u64> {
        let Err(not_until) = self.limiter.check_key(&addr) else {
            return None;
        };
        let wait = not_until.wait_time_from(self.clock.now());
        let mut blocked = self.blocked.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        if blocked.len() >= MAX_BLOCKED {
            blocked.retain(|_, until| *until > now);
            self.limiter.retain_recent();
        }
        blocked.insert(addr, now + wait);
        Some(whole_seconds(wait))
    }
}

fn whole_seconds(d: Duration) -> u64 {
    (d.as_secs() + u64::from(d.subsec_nanos() > 0)).max(1)
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

    #[test]
    fn an_address_that_keeps_failing_waits_and_others_do_not() {
        let f = AuthFailures::new(2);
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        assert_eq!(f.waiting(a), None);
        assert_eq!(f.failed(a), None);
        assert_eq!(f.failed(a), None);
        let wait = f
            .failed(a)
            .expect("the third failure in a burst of two waits");
        assert!((1..=60).contains(&wait), "{wait}");
        assert!(f.waiting(a).is_some());
        assert_eq!(f.waiting(b), None);
        assert_eq!(f.failed(b), None);
    }
}
