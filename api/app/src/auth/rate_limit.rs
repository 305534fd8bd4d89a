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
//! instances does not multiply the limits. Each attempt Redis lets through is also counted in
//! this instance's memory, which answers alone while Redis is unreachable (a short timeout,
//! then Redis is left alone for a few seconds): an outage weakens the limits to per-instance
//! ones, never fails or stalls a sign-in.
//!
//! Keys hold a hash of the email, never the email itself.

use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{LazyLock, Mutex};
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
///
/// An attempt is counted when it begins, in the same atomic step that checks the limits, so
/// that many attempts in parallel cannot all pass the check before any of them fails; a
/// successful one is taken back. A refused attempt counts nowhere: hammering an address that is
/// already throttled must not use up the account's ceiling for everyone else.
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

    /// Begins an attempt: counts it as a failure unless it succeeds, or refuses it with the
    /// seconds to wait when any counter is at its limit.
    pub async fn begin(&self, address: Option<IpAddr>, email: &str) -> Result<(), u64> {
        let counters = counters(address, email);
        if let Some(redis) = &self.redis
            && let Some(outcome) = redis.begin(&counters).await
        {
            if outcome.is_ok() {
                // Mirrored, so that this instance can carry on alone if Redis goes away.
                self.memory.count(&counters, Instant::now());
            }
            return outcome;
        }
        self.memory.begin(&counters, Instant::now())
    }

    /// Takes back a successful attempt: the account at this address starts afresh, and the
    /// address and account counts lose the attempt (the owner signing in must not reset the
    /// count of an attack, but must not add to it either).
    pub async fn succeeded(&self, address: Option<IpAddr>, email: &str) {
        let counters = counters(address, email);
        self.memory.take_back(&counters, Instant::now());
        if let Some(redis) = &self.redis {
            redis.take_back(&counters).await;
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
    fn begin(&self, counters: &[Counter], now: Instant) -> Result<(), u64> {
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        let wait = counters
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
            .max();
        match wait {
            Some(wait) => Err(wait),
            None => {
                count(&mut windows, counters, now);
                Ok(())
            }
        }
    }

    fn count(&self, counters: &[Counter], now: Instant) {
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        count(&mut windows, counters, now);
    }

    fn take_back(&self, counters: &[Counter], now: Instant) {
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        let Some((pair, others)) = counters.split_first() else {
            return;
        };
        windows.remove(&pair.key);
        for counter in others {
            if let Some(window) = windows.get_mut(&counter.key)
                && window.open(now)
            {
                window.failures = window.failures.saturating_sub(1);
            }
        }
    }
}

fn count(windows: &mut HashMap<String, Window>, counters: &[Counter], now: Instant) {
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

/// Whole seconds to wait, at least one.
fn seconds(left: Duration) -> u64 {
    left.as_millis().div_ceil(1000).max(1) as u64
}

/// Checks every counter and, when none is at its limit, counts the attempt under each; a key's
/// expiry is set when its window opens, so attempts never extend it. Returns the milliseconds
/// to wait, 0 when the attempt may go ahead. ARGV holds each key's limit and window (ms).
const BEGIN: &str = r"
local wait = 0
for i, key in ipairs(KEYS) do
  local count = tonumber(redis.call('GET', key) or '0')
  if count >= tonumber(ARGV[2 * i - 1]) then
    local ttl = redis.call('PTTL', key)
    if ttl < 0 then ttl = tonumber(ARGV[2 * i]) end
    if ttl > wait then wait = ttl end
  end
end
if wait > 0 then return wait end
for i, key in ipairs(KEYS) do
  if redis.call('INCR', key) == 1 then redis.call('PEXPIRE', key, ARGV[2 * i]) end
end
return 0
";

/// Deletes the first key and takes one off each other that is still counting.
const TAKE_BACK: &str = r"
redis.call('DEL', KEYS[1])
for i = 2, #KEYS do
  if tonumber(redis.call('GET', KEYS[i]) or '0') > 0 then redis.call('DECR', KEYS[i]) end
end
return 0
";

static BEGIN_SCRIPT: LazyLock<redis::Script> = LazyLock::new(|| redis::Script::new(BEGIN));
static TAKE_BACK_SCRIPT: LazyLock<redis::Script> = LazyLock::new(|| redis::Script::new(TAKE_BACK));

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
    /// Redis's answer, or `None` when Redis did not give one.
    async fn begin(&self, counters: &[Counter]) -> Option<Result<(), u64>> {
        let mut invocation = BEGIN_SCRIPT.prepare_invoke();
        for counter in counters {
            invocation
                .key(format!("{}:{}", self.prefix, counter.key))
                .arg(counter.limit.failures)
                .arg(counter.limit.window.as_millis() as u64);
        }
        let wait_ms: u64 = self.run(&invocation).await?;
        Some(match wait_ms {
            0 => Ok(()),
            ms => Err(seconds(Duration::from_millis(ms))),
        })
    }

    async fn take_back(&self, counters: &[Counter]) {
        let mut invocation = TAKE_BACK_SCRIPT.prepare_invoke();
        for counter in counters {
            invocation.key(format!("{}:{}", self.prefix, counter.key));
        }
        let _: Option<u64> = self.run(&invocation).await;
    }

    /// Runs a script with a short timeout; `None` when Redis is down or was down moments ago.
    async fn run<T: redis::FromRedisValue>(
        &self,
        invocation: &redis::ScriptInvocation<'_>,
    ) -> Option<T> {
        {
            let down_until = self.down_until.lock().unwrap_or_else(|p| p.into_inner());
            if down_until.is_some_and(|until| Instant::now() < until) {
                return None;
            }
        }
        let mut connection = self.connection.clone();
        let outcome =
            tokio::time::timeout(REDIS_TIMEOUT, invocation.invoke_async::<T>(&mut connection))
                .await
                .map_err(|_| "timed out".to_owned())
                .and_then(|reply| reply.map_err(|e| crate::error::chain(&e)));
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

    /// An attempt that fails: `Err(wait)` when it was refused instead.
    fn fail(
        memory: &Memory,
        address: Option<IpAddr>,
        email: &str,
        now: Instant,
    ) -> Result<(), u64> {
        memory.begin(&counters(address, email), now)
    }

    fn succeed(
        memory: &Memory,
        address: Option<IpAddr>,
        email: &str,
        now: Instant,
    ) -> Result<(), u64> {
        let counters = counters(address, email);
        memory.begin(&counters, now)?;
        memory.take_back(&counters, now);
        Ok(())
    }

    fn failures(memory: &Memory, key: &str) -> u32 {
        let windows = memory.windows.lock().unwrap();
        windows.get(key).map_or(0, |w| w.failures)
    }

    #[test]
    fn the_sixth_attempt_on_one_account_from_one_address_waits_for_the_window() {
        let memory = Memory::default();
        let t0 = Instant::now();
        for _ in 0..ACCOUNT_AT_ADDRESS.failures {
            assert_eq!(fail(&memory, HERE, "a@x.io", t0), Ok(()));
        }
        assert_eq!(fail(&memory, HERE, " A@X.io", t0), Err(60));
        assert_eq!(
            fail(&memory, HERE, "a@x.io", t0 + Duration::from_millis(59_500)),
            Err(1)
        );
        assert_eq!(
            fail(&memory, HERE, "a@x.io", t0 + Duration::from_secs(60)),
            Ok(())
        );
    }

    #[test]
    fn failures_from_one_address_do_not_lock_the_account_elsewhere() {
        let memory = Memory::default();
        let t0 = Instant::now();
        for _ in 0..ACCOUNT_AT_ADDRESS.failures {
            fail(&memory, HERE, "a@x.io", t0).unwrap();
        }
        assert!(fail(&memory, HERE, "a@x.io", t0).is_err());
        assert_eq!(succeed(&memory, THERE, "a@x.io", t0), Ok(()));
    }

    #[test]
    fn refused_attempts_do_not_use_up_the_account_ceiling() {
        let memory = Memory::default();
        let t0 = Instant::now();
        for _ in 0..ACCOUNT.failures * 2 {
            let _ = fail(&memory, HERE, "a@x.io", t0);
        }
        let account = &counters(HERE, "a@x.io")[1].key;
        assert_eq!(failures(&memory, account), ACCOUNT_AT_ADDRESS.failures);
        assert_eq!(succeed(&memory, THERE, "a@x.io", t0), Ok(()));
    }

    #[test]
    fn the_account_ceiling_applies_across_addresses() {
        let memory = Memory::default();
        let t0 = Instant::now();
        for i in 0..ACCOUNT.failures {
            let address = Some(IpAddr::V4(Ipv4Addr::new(10, 1, (i / 250) as u8, i as u8)));
            fail(&memory, address, "a@x.io", t0).unwrap();
        }
        let fresh = Some(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1)));
        assert_eq!(fail(&memory, fresh, "a@x.io", t0), Err(15 * 60));
        assert_eq!(
            fail(&memory, fresh, "a@x.io", t0 + ACCOUNT.window),
            Ok(()),
            "the ceiling ends with its window"
        );
    }

    #[test]
    fn an_address_trying_many_accounts_is_refused() {
        let memory = Memory::default();
        let t0 = Instant::now();
        for i in 0..ADDRESS.failures {
            fail(&memory, HERE, &format!("u{i}@x.io"), t0).unwrap();
        }
        assert!(fail(&memory, HERE, "fresh@x.io", t0).is_err());
        assert_eq!(fail(&memory, THERE, "fresh@x.io", t0), Ok(()));
    }

    #[test]
    fn success_clears_the_account_at_that_address_and_counts_nowhere() {
        let memory = Memory::default();
        let t0 = Instant::now();
        for _ in 0..ACCOUNT_AT_ADDRESS.failures - 1 {
            fail(&memory, HERE, "a@x.io", t0).unwrap();
        }
        succeed(&memory, HERE, "a@x.io", t0).unwrap();
        let [pair, account, address] = &counters(HERE, "a@x.io")[..] else {
            panic!("three counters");
        };
        assert_eq!(failures(&memory, &pair.key), 0);
        assert_eq!(
            failures(&memory, &account.key),
            ACCOUNT_AT_ADDRESS.failures - 1
        );
        assert_eq!(
            failures(&memory, &address.key),
            ACCOUNT_AT_ADDRESS.failures - 1
        );
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
            limiter.begin(HERE, "a@x.io").await.unwrap();
        }
        assert!(limiter.begin(HERE, "a@x.io").await.is_err());
    }
}
