//! Retrying GitHub calls that may pass: exponential backoff with full jitter
//! for server errors, timeouts and broken connections, and waiting exactly as
//! long as GitHub asks when it rate-limits bosun.
//!
//! Only whole forge operations are retried, never a single request on its
//! own: every operation re-reads what it changes before it writes (find the
//! comment by its marker, the check by its name, the PR by its branch), so a
//! write that reached GitHub before the connection broke is found, not
//! repeated.

use bosun_reconciler::ports::forge::ForgeError;
use std::future::Future;
use std::time::Duration;

/// How many times, and how patiently, a failed operation is tried again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first one included (at least 1).
    pub max_attempts: u32,
    /// The backoff before the second attempt; it doubles at each attempt.
    pub base_delay: Duration,
    /// The longest single backoff, and the longest rate-limit wait bosun
    /// sits through in-process; a longer `Retry-After` goes back to the caller
    /// as [`ForgeError::RateLimited`] so the work is requeued instead.
    pub max_delay: Duration,
    /// The most time spent waiting across all attempts of one operation.
    pub max_total_wait: Duration,
}

impl Default for RetryPolicy {
    /// Five attempts, backoff from 1 s up to 60 s, at most 90 s of waiting:
    /// enough to sit out one secondary rate limit (GitHub asks for a minute).
    fn default() -> Self {
        Self {
            max_attempts: 5,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(60),
            max_total_wait: Duration::from_secs(90),
        }
    }
}

impl RetryPolicy {
    /// The wait before attempt `attempt + 1` after a transient failure of
    /// attempt `attempt` (0-based): uniformly random between zero and the
    /// exponential bound ("full jitter").
    fn backoff(&self, attempt: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempt.min(20));
        let bound = self.base_delay.saturating_mul(factor).min(self.max_delay);
        let millis = u64::try_from(bound.as_millis()).unwrap_or(u64::MAX);
        Duration::from_millis(fastrand::u64(0..=millis))
    }

    /// Runs `operation` until it succeeds, fails for good, or the policy's
    /// attempts or waiting budget are spent; the last error is returned.
    pub async fn run<T, F, Fut>(&self, mut operation: F) -> Result<T, ForgeError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, ForgeError>>,
    {
        let mut waited = Duration::ZERO;
        let mut attempt = 0;
        loop {
            let error = match operation().await {
                Ok(value) => return Ok(value),
                Err(error) => error,
            };
            attempt += 1;
            if attempt >= self.max_attempts.max(1) {
                return Err(error);
            }
            let wait = match &error {
                ForgeError::RateLimited { retry_after } if *retry_after <= self.max_delay => {
                    *retry_after
                }
                ForgeError::Transient(_) => self.backoff(attempt - 1),
                _ => return Err(error),
            };
            if waited + wait > self.max_total_wait {
                return Err(error);
            }
            tracing::debug!(attempt, wait_ms = wait.as_millis() as u64, %error, "retrying a GitHub call");
            tokio::time::sleep(wait).await;
            waited += wait;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(5),
            max_total_wait: Duration::from_secs(10),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn transient_failures_are_retried_until_success() {
        let calls = Cell::new(0);
        let result = policy()
            .run(|| {
                calls.set(calls.get() + 1);
                let n = calls.get();
                async move {
                    if n < 3 {
                        Err(ForgeError::Transient("502".into()))
                    } else {
                        Ok(n)
                    }
                }
            })
            .await;
        assert_eq!(result, Ok(3));
    }

    #[tokio::test(start_paused = true)]
    async fn attempts_are_bounded() {
        let calls = Cell::new(0);
        let result: Result<(), _> = policy()
            .run(|| {
                calls.set(calls.get() + 1);
                async { Err(ForgeError::Transient("500".into())) }
            })
            .await;
        assert_eq!(result, Err(ForgeError::Transient("500".into())));
        assert_eq!(calls.get(), 4);
    }

    #[tokio::test(start_paused = true)]
    async fn rate_limits_are_waited_out_exactly() {
        let start = tokio::time::Instant::now();
        let calls = Cell::new(0);
        let result = policy()
            .run(|| {
                calls.set(calls.get() + 1);
                let first = calls.get() == 1;
                async move {
                    if first {
                        Err(ForgeError::RateLimited {
                            retry_after: Duration::from_secs(3),
                        })
                    } else {
                        Ok(())
                    }
                }
            })
            .await;
        assert_eq!(result, Ok(()));
        assert_eq!(start.elapsed(), Duration::from_secs(3));
    }

    #[tokio::test(start_paused = true)]
    async fn long_rate_limits_go_back_to_the_caller_at_once() {
        let start = tokio::time::Instant::now();
        let limited = ForgeError::RateLimited {
            retry_after: Duration::from_secs(3600),
        };
        let expected = limited.clone();
        let result: Result<(), _> = policy().run(|| async { Err(limited.clone()) }).await;
        assert_eq!(result, Err(expected));
        assert_eq!(start.elapsed(), Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn lasting_failures_are_not_retried() {
        let calls = Cell::new(0);
        let result: Result<(), _> = policy()
            .run(|| {
                calls.set(calls.get() + 1);
                async { Err(ForgeError::NotFound("pull 9".into())) }
            })
            .await;
        assert!(matches!(result, Err(ForgeError::NotFound(_))));
        assert_eq!(calls.get(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn the_total_wait_is_capped() {
        let tight = RetryPolicy {
            max_attempts: 10,
            max_total_wait: Duration::from_secs(4),
            ..policy()
        };
        let start = tokio::time::Instant::now();
        let result: Result<(), _> = tight
            .run(|| async {
                Err(ForgeError::RateLimited {
                    retry_after: Duration::from_secs(3),
                })
            })
            .await;
        assert!(matches!(result, Err(ForgeError::RateLimited { .. })));
        assert_eq!(start.elapsed(), Duration::from_secs(3));
    }

    #[test]
    fn backoff_has_full_jitter_under_an_exponential_cap() {
        let p = policy();
        for attempt in 0..12 {
            let bound = (p.base_delay * 2u32.pow(attempt)).min(p.max_delay);
            for _ in 0..50 {
                assert!(p.backoff(attempt) <= bound);
            }
        }
        let spread: std::collections::HashSet<_> = (0..50).map(|_| p.backoff(3)).collect();
        assert!(spread.len() > 1, "backoff is not randomised");
    }
}
