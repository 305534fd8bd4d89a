//! Login throttling. Failed attempts are counted in fixed windows under three keys:
//!
//! | key                   | limit                  | stops                                        |
//! |-----------------------|------------------------|----------------------------------------------|
//! | account at an address | 5 failures / minute    | guessing one account's password              |
//! | address               | 20 failures / minute   | one address trying many accounts             |
//! | account               | 50 failures / 15 min   | a distributed attack on one account          |
//!
//! Because the tight limit is per account *and* address, an attacker on one address cannot lock
//! the account for its owner elsewhere; only a distributed attack reaches the account ceiling,
//! and even that lasts only as long as its window. A successful sign-in clears the count of
//! the account at that address.
//!
//! With Redis (`REDIS_URL`) the counters are shared by every instance, so running more
//! instances does not multiply the limits. Each failure is also counted in this instance's
//! memory, which answers alone while Redis is unreachable (a short timeout, then Redis is left
//! alone for a few seconds): an outage weakens the limits to per-instance ones, never fails
//! or stalls a sign-in.
//!
//! Keys hold a hash of the email, never the email itself.

use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// How many failures a key allows within its window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// Failures allowed; the next attempt is refused.
    pub failures: u32,
    /// Window length.
    pub window: Duration,
}

/// One account from one client address.
pub const ACCOUNT_AT_ADDRESS: Limit = Limit {
    failures: 5,
    window: Duration::from_secs(60),
};
/// One client address, whatever the account (higher: offices share addresses).
pub const ADDRESS: Limit = Limit {
    failures: 20,
    window: Duration::from_secs(60),
};
/// One account, from every address together.
pub const ACCOUNT: Limit = Limit {
    failures: 50,
    window: Duration::from_secs(15 * 60),
};

/// How long a Redis call may take before the instance's own counts answer instead.
const REDIS_TIMEOUT: Duration = Duration::from_millis(300);
/// After a failed Redis call, how long to use the instance's own counts before trying again.
const REDIS_BACKOFF: Duration = Duration::from_secs(5);
/// Above this many tracked keys, expired windows are swept on the next failure.
const SWEEP_AT: usize = 10_000;

/// A counter name and its limit.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Counter {
    key: String,
    limit: Limit,
}

/// The counters one attempt touches. The account is named by a hash of its normalised email.
fn counters(address: Option<IpAddr>, email: &str) -> Vec<Counter> {
    let account = account_hash(email);
    let at = address.map_or_else(|| "unknown".to_owned(), |a| a.to_string());
    let mut counters = vec![
        Counter {
            key: format!("pair:{account}:{at}"),
            limit: ACCOUNT_AT_ADDRESS,
        },
        Counter {
            key: format!("account:{account}"),
            limit: ACCOUNT,
        },
    ];
    if let Some(address) = address {
        counters.push(Counter {
            key: format!("addr:{address}"),
            limit: ADDRESS,
        });
    }
    counters
}

fn account_hash(email: &str) -> String {
    let digest = Sha256::digest(email.trim().to_lowercase().as_bytes());
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// Failure counters: this instance's memory, and Redis when configured.
pub struct LoginLimiter {
    memory: Memory,
    redis: Option<Shared>,
}

impl Default for LoginLimiter {
    fn default() -> Self {
        Self::in_memory()
    }
}

impl LoginLimiter {
    /// Counters in this instance's memory only.
    pub fn in_memory() -> Self {
        LoginLimiter {
            memory: Memory::default(),
            redis: None,
        }
    }

    /// Counters shared through Redis under `prefix` (the deployment's event channel, so that
    /// deployments sharing a Redis do not share counts).
    pub fn shared(connection: redis::aio::ConnectionManager, prefix: &str) -> Self {
        LoginLimiter {
            memory: Memory::default(),
            redis: Some(Shared {
                connection,
                prefix: format!("{prefix}:login"),
                down_until: Mutex::new(None),
                degraded: AtomicBool::new(false),
            }),
        }
    }

    /// Seconds to wait before trying again, if any counter of this attempt is at its limit.
    pub async fn check(&self, address: Option<IpAddr>, email: &str) -> Option<u64> {
        let counters = counters(address, email);
        if let Some(redis) = &self.redis
            && let Some(wait) = redis.check(&counters).await
        {
            return wait;
        }
        self.memory.check(&counters, Instant::now())
    }

    /// Counts a failed attempt.
    pub async fn record_failure(&self, address: Option<IpAddr>, email: &str) {
        let counters = counters(address, email);
        self.memory.record_failure(&counters, Instant::now());
        if let Some(redis) = &self.redis {
            redis.record_failure(&counters).await;
        }
    }

    /// Clears the count of this account at this address after a successful sign-in. The
    /// address and account counts stay: the owner signing in must not reset an attack.
    pub async fn record_success(&self, address: Option<IpAddr>, email: &str) {
        let counters = counters(address, email);
        let pair = &counters[0];
        self.memory.clear(&pair.key);
        if let Some(redis) = &self.redis {
            redis.clear(&pair.key).await;
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Window {
    started: Instant,
    length: Duration,
    failures: u32,
}

impl Window {
    fn open(&self, now: Instant) -> bool {
        now.duration_since(self.started) < self.length
    }
}

/// This instance's counters.
#[derive(Debug, Default)]
struct Memory {
    windows: Mutex<HashMap<String, Window>>,
}

impl Memory {
    fn check(&self, counters: &[Counter], now: Instant) -> Option<u64> {
        let windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        counters
            .iter()
            .filter_map(|counter| {
                let window = windows.get(&counter.key)?;
                (window.open(now) && window.failures >= counter.limit.failures).then(|| {
                    let left = window
                        .length
                        .saturating_sub(now.duration_since(window.started));
                    seconds(left)
                })
            })
            .max()
    }

    fn record_failure(&self, counters: &[Counter], now: Instant) {
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        if windows.len() > SWEEP_AT {
            windows.retain(|_, w| w.open(now));
        }
        for counter in counters {
            let fresh = Window {
                started: now,
                length: counter.limit.window,
                failures: 0,
            };
            let window = windows.entry(counter.key.clone()).or_insert(fresh);
            if !window.open(now) {
                *window = fresh;
            }
            window.failures += 1;
        }
    }

    fn clear(&self, key: &str) {
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        windows.remove(key);
    }
}

/// Whole seconds to wait, at least one.
fn seconds(left: Duration) -> u64 {
    left.as_millis().div_ceil(1000).max(1) as u64
}

/// The counters every instance shares.
struct Shared {
    connection: redis::aio::ConnectionManager,
    prefix: String,
    /// While set and in the future, Redis is not asked.
    down_until: Mutex<Option<Instant>>,
    /// Whether the outage has been logged (once per outage).
    degraded: AtomicBool,
}

impl Shared {
    fn key(&self, counter: &Counter) -> String {
        format!("{}:{}", self.prefix, counter.key)
    }

    /// `Some(wait)` from Redis, or `None` when Redis did not answer.
    async fn check(&self, counters: &[Counter]) -> Option<Option<u64>> {
        let mut pipe = redis::pipe();
        for counter in counters {
            let key = self.key(counter);
            pipe.cmd("GET").arg(&key).cmd("PTTL").arg(&key);
        }
        let replies: Vec<Option<i64>> = self.run(pipe).await?;
        let wait = counters
            .iter()
            .zip(replies.chunks(2))
            .filter_map(|(counter, reply)| {
                let failures = reply.first().copied().flatten().unwrap_or(0);
                let ttl_ms = reply.get(1).copied().flatten().unwrap_or(-2);
                (failures >= i64::from(counter.limit.failures)).then(|| {
                    // -1 (no expiry) cannot happen as keys are written; treat it as a full window.
                    let left = if ttl_ms >= 0 {
                        Duration::from_millis(ttl_ms as u64)
                    } else {
                        counter.limit.window
                    };
                    seconds(left)
                })
            })
            .max();
        Some(wait)
    }

    async fn record_failure(&self, counters: &[Counter]) {
        // One transaction: each key starts at 0 with its window's expiry if absent, then
        // counts up. The expiry is set only when the window opens, so failures never extend it.
        let mut pipe = redis::pipe();
        pipe.atomic();
        for counter in counters {
            let key = self.key(counter);
            let window_ms = counter.limit.window.as_millis() as u64;
            pipe.cmd("SET")
                .arg(&key)
                .arg(0)
                .arg("PX")
                .arg(window_ms)
                .arg("NX")
                .ignore()
                .cmd("INCR")
                .arg(&key)
                .ignore();
        }
        let _: Option<()> = self.run(pipe).await;
    }

    async fn clear(&self, key: &str) {
        let mut pipe = redis::pipe();
        pipe.cmd("DEL")
            .arg(format!("{}:{key}", self.prefix))
            .ignore();
        let _: Option<()> = self.run(pipe).await;
    }

    /// Runs a pipeline with a short timeout; `None` when Redis is down or was down moments ago.
    async fn run<T: redis::FromRedisValue>(&self, pipe: redis::Pipeline) -> Option<T> {
        {
            let down_until = self.down_until.lock().unwrap_or_else(|p| p.into_inner());
            if down_until.is_some_and(|until| Instant::now() < until) {
                return None;
            }
        }
        let mut connection = self.connection.clone();
        let outcome = tokio::time::timeout(REDIS_TIMEOUT, pipe.query_async::<T>(&mut connection))
            .await
            .map_err(|_| "timed out".to_owned())
            .and_then(|reply| reply.map_err(|e| crate::app::error::chain(&e)));
        match outcome {
            Ok(value) => {
                if self.degraded.swap(false, Ordering::Relaxed) {
                    tracing::info!("login throttling is shared through Redis again");
                }
                Some(value)
            }
            Err(error) => {
                *self.down_until.lock().unwrap_or_else(|p| p.into_inner()) =
                    Some(Instant::now() + REDIS_BACKOFF);
                if !self.degraded.swap(true, Ordering::Relaxed) {
                    tracing::warn!(
                        error.detail = %error,
                        "Redis unreachable: login throttling counts on this instance only"
                    );
                }
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    const HERE: Option<IpAddr> = Some(IpAddr::V4(Ipv4Addr::LOCALHOST));
    const THERE: Option<IpAddr> = Some(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)));

    fn fail(memory: &Memory, address: Option<IpAddr>, email: &str, now: Instant) {
        memory.record_failure(&counters(address, email), now);
    }

    fn wait(memory: &Memory, address: Option<IpAddr>, email: &str, now: Instant) -> Option<u64> {
        memory.check(&counters(address, email), now)
    }

    #[test]
    fn the_sixth_attempt_on_one_account_from_one_address_waits_for_the_window() {
        let memory = Memory::default();
        let t0 = Instant::now();
        for _ in 0..ACCOUNT_AT_ADDRESS.failures {
            assert_eq!(wait(&memory, HERE, "a@x.io", t0), None);
            fail(&memory, HERE, "a@x.io", t0);
        }
        assert_eq!(wait(&memory, HERE, " A@X.io", t0), Some(60));
        assert_eq!(
            wait(&memory, HERE, "a@x.io", t0 + Duration::from_millis(59_500)),
            Some(1)
        );
        assert_eq!(
            wait(&memory, HERE, "a@x.io", t0 + Duration::from_secs(60)),
            None
        );
    }

    #[test]
    fn failures_from_one_address_do_not_lock_the_account_elsewhere() {
        let memory = Memory::default();
        let t0 = Instant::now();
        for _ in 0..ACCOUNT_AT_ADDRESS.failures {
            fail(&memory, HERE, "a@x.io", t0);
        }
        assert!(wait(&memory, HERE, "a@x.io", t0).is_some());
        assert_eq!(wait(&memory, THERE, "a@x.io", t0), None);
    }

    #[test]
    fn the_account_ceiling_applies_across_addresses() {
        let memory = Memory::default();
        let t0 = Instant::now();
        for i in 0..ACCOUNT.failures {
            let address = Some(IpAddr::V4(Ipv4Addr::new(10, 1, (i / 250) as u8, i as u8)));
            fail(&memory, address, "a@x.io", t0);
        }
        let fresh = Some(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1)));
        assert_eq!(wait(&memory, fresh, "a@x.io", t0), Some(15 * 60));
        assert_eq!(
            wait(&memory, fresh, "a@x.io", t0 + ACCOUNT.window),
            None,
            "the ceiling ends with its window"
        );
    }

    #[test]
    fn an_address_trying_many_accounts_is_refused() {
        let memory = Memory::default();
        let t0 = Instant::now();
        for i in 0..ADDRESS.failures {
            fail(&memory, HERE, &format!("u{i}@x.io"), t0);
        }
        assert!(wait(&memory, HERE, "fresh@x.io", t0).is_some());
        assert_eq!(wait(&memory, THERE, "fresh@x.io", t0), None);
    }

    #[test]
    fn success_clears_only_the_account_at_that_address() {
        let memory = Memory::default();
        let t0 = Instant::now();
        for _ in 0..ACCOUNT_AT_ADDRESS.failures {
            fail(&memory, HERE, "a@x.io", t0);
        }
        memory.clear(&counters(HERE, "a@x.io")[0].key);
        assert_eq!(wait(&memory, HERE, "a@x.io", t0), None);
        let windows = memory.windows.lock().unwrap();
        let account = &counters(HERE, "a@x.io")[1].key;
        assert_eq!(windows[account].failures, ACCOUNT_AT_ADDRESS.failures);
    }

    #[test]
    fn keys_never_hold_the_email() {
        for counter in counters(HERE, "someone@example.com") {
            assert!(!counter.key.contains("someone"), "{}", counter.key);
        }
    }

    #[tokio::test]
    async fn the_limiter_without_redis_counts_in_memory() {
        let limiter = LoginLimiter::in_memory();
        for _ in 0..ACCOUNT_AT_ADDRESS.failures {
            limiter.record_failure(HERE, "a@x.io").await;
        }
        assert!(limiter.check(HERE, "a@x.io").await.is_some());
        limiter.record_success(HERE, "a@x.io").await;
        assert_eq!(limiter.check(HERE, "a@x.io").await, None);
    }
}
