//! Pacing of content-creating requests (POST, PATCH, PUT, DELETE), per
//! installation, under GitHub's secondary rate limits: at most 80 a minute
//! and 500 an hour.
//!
//! A sliding window of the times of recent writes is kept per installation,
//! so the limits hold over every minute and every hour, not only on average
//! (a token bucket with a burst would let up to twice the limit through in a
//! window that straddles a refill). Time is tokio's, so tests can pause it.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

const MINUTE: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);

/// How many content-creating requests one installation may send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleLimits {
    /// In any 60 seconds.
    pub per_minute: usize,
    /// In any hour.
    pub per_hour: usize,
}

impl Default for ThrottleLimits {
    /// GitHub's documented secondary limits: 80 a minute, 500 an hour.
    fn default() -> Self {
        Self {
            per_minute: 80,
            per_hour: 500,
        }
    }
}

/// The write pacer: one sliding window per installation.
#[derive(Debug)]
pub(crate) struct Throttle {
    limits: ThrottleLimits,
    sent: Mutex<HashMap<u64, VecDeque<Instant>>>,
}

impl Throttle {
    /// A pacer enforcing `limits`.
    pub(crate) fn new(limits: ThrottleLimits) -> Self {
        Self {
            limits,
            sent: Mutex::new(HashMap::new()),
        }
    }

    /// Takes a slot for one write of `installation` now, or says how long
    /// to wait before one frees up.
    pub(crate) fn try_acquire(&self, installation: u64) -> Result<(), Duration> {
        let now = Instant::now();
        let mut sent = self.sent.lock().unwrap_or_else(|e| e.into_inner());
        let window = sent.entry(installation).or_default();
        while window
            .front()
            .is_some_and(|t| now.duration_since(*t) >= HOUR)
        {
            window.pop_front();
        }
        let in_last_minute = window
            .iter()
            .rev()
            .take_while(|t| now.duration_since(**t) < MINUTE)
            .count();
        let mut wait = Duration::ZERO;
        if in_last_minute >= self.limits.per_minute.max(1) {
            // The write that must leave the minute window before one more fits.
            let oldest = window[window.len() - in_last_minute];
            let freed = oldest + MINUTE;
            wait = wait.max(freed.duration_since(now));
        }
        if window.len() >= self.limits.per_hour.max(1) {
            let oldest = window[window.len() - self.limits.per_hour.max(1)];
            wait = wait.max((oldest + HOUR).duration_since(now));
        }
        if wait.is_zero() {
            window.push_back(now);
            Ok(())
        } else {
            Err(wait)
        }
    }

    /// Waits until `installation` may send one more write, and takes the slot.
    pub(crate) async fn acquire(&self, installation: u64) {
        while let Err(wait) = self.try_acquire(installation) {
            tracing::debug!(
                installation,
                wait_ms = wait.as_millis() as u64,
                "pacing GitHub writes"
            );
            tokio::time::sleep(wait).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn the_minute_limit_holds_over_any_sixty_seconds() {
        let throttle = Throttle::new(ThrottleLimits {
            per_minute: 3,
            per_hour: 100,
        });
        for _ in 0..3 {
            assert_eq!(throttle.try_acquire(1), Ok(()));
        }
        assert_eq!(throttle.try_acquire(1), Err(MINUTE));
        tokio::time::advance(Duration::from_secs(20)).await;
        assert_eq!(throttle.try_acquire(1), Err(Duration::from_secs(40)));
        let start = Instant::now();
        throttle.acquire(1).await;
        assert_eq!(start.elapsed(), Duration::from_secs(40));
    }

    #[tokio::test(start_paused = true)]
    async fn the_hour_limit_holds_too() {
        let throttle = Throttle::new(ThrottleLimits {
            per_minute: 10,
            per_hour: 12,
        });
        for round in 0..2 {
            for _ in 0..6 {
                assert_eq!(throttle.try_acquire(7), Ok(()), "round {round}");
            }
            tokio::time::advance(MINUTE).await;
        }
        assert_eq!(throttle.try_acquire(7), Err(HOUR - 2 * MINUTE));
    }

    #[tokio::test(start_paused = true)]
    async fn installations_are_paced_separately() {
        let throttle = Throttle::new(ThrottleLimits {
            per_minute: 1,
            per_hour: 1,
        });
        assert_eq!(throttle.try_acquire(1), Ok(()));
        assert_eq!(throttle.try_acquire(2), Ok(()));
        assert!(throttle.try_acquire(1).is_err());
    }
}
