//! Login throttling: failures are counted per client address and per email in fixed one-minute
//! windows. A window ends on its own, so an attacker can slow a real user down only while the
//! attack lasts, never lock them out for good; a successful login clears the email's count.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures per email within one window before further attempts are refused.
pub const EMAIL_FAILURES: u32 = 5;
/// Failures per client address within one window (higher: offices share addresses).
pub const ADDRESS_FAILURES: u32 = 20;
/// Window length.
pub const WINDOW: Duration = Duration::from_secs(60);
/// Above this many tracked keys, expired windows are swept on the next failure.
const SWEEP_AT: usize = 10_000;

#[derive(Debug, Clone, Copy)]
struct Window {
    started: Instant,
    failures: u32,
}

/// In-memory failure counters of this instance.
#[derive(Debug, Default)]
pub struct LoginLimiter {
    windows: Mutex<HashMap<String, Window>>,
}

impl LoginLimiter {
    /// Seconds to wait before trying again, if this address or email is over its limit.
    pub fn check(&self, address: Option<IpAddr>, email: &str, now: Instant) -> Option<u64> {
        let windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        let mut wait = None;
        for (key, limit) in keys(address, email) {
            if let Some(window) = windows.get(&key)
                && now.duration_since(window.started) < WINDOW
                && window.failures >= limit
            {
                let remaining = WINDOW.saturating_sub(now.duration_since(window.started));
                let secs = remaining.as_secs().max(1);
                wait = Some(wait.map_or(secs, |w: u64| w.max(secs)));
            }
        }
        wait
    }

    /// Counts a failed attempt.
    pub fn record_failure(&self, address: Option<IpAddr>, email: &str, now: Instant) {
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        if windows.len() > SWEEP_AT {
            windows.retain(|_, w| now.duration_since(w.started) < WINDOW);
        }
        for (key, _) in keys(address, email) {
            let window = windows.entry(key).or_insert(Window {
                started: now,
                failures: 0,
            });
            if now.duration_since(window.started) >= WINDOW {
                *window = Window {
                    started: now,
                    failures: 0,
                };
            }
            window.failures += 1;
        }
    }

    /// Clears the email's count after a successful login.
    pub fn record_success(&self, email: &str) {
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        windows.remove(&email_key(email));
    }
}

fn email_key(email: &str) -> String {
    format!("email:{}", email.trim().to_lowercase())
}

fn keys(address: Option<IpAddr>, email: &str) -> Vec<(String, u32)> {
    let mut keys = vec![(email_key(email), EMAIL_FAILURES)];
    if let Some(address) = address {
        keys.push((format!("addr:{address}"), ADDRESS_FAILURES));
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    const ADDR: Option<IpAddr> = Some(IpAddr::V4(std::net::Ipv4Addr::LOCALHOST));

    #[test]
    fn the_sixth_failure_for_one_email_is_refused_until_the_window_ends() {
        let limiter = LoginLimiter::default();
        let t0 = Instant::now();
        for _ in 0..EMAIL_FAILURES {
            assert_eq!(limiter.check(ADDR, "a@x.io", t0), None);
            limiter.record_failure(ADDR, "a@x.io", t0);
        }
        let wait = limiter.check(ADDR, "A@X.io", t0).unwrap();
        assert!((1..=60).contains(&wait));
        assert_eq!(limiter.check(ADDR, "a@x.io", t0 + WINDOW), None);
    }

    #[test]
    fn an_address_trying_many_emails_is_refused() {
        let limiter = LoginLimiter::default();
        let t0 = Instant::now();
        for i in 0..ADDRESS_FAILURES {
            limiter.record_failure(ADDR, &format!("u{i}@x.io"), t0);
        }
        assert!(limiter.check(ADDR, "fresh@x.io", t0).is_some());
        let other = Some(IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 1)));
        assert_eq!(limiter.check(other, "fresh@x.io", t0), None);
    }

    #[test]
    fn success_clears_the_email_count() {
        let limiter = LoginLimiter::default();
        let t0 = Instant::now();
        for _ in 0..EMAIL_FAILURES {
            limiter.record_failure(None, "a@x.io", t0);
        }
        limiter.record_success("a@x.io");
        assert_eq!(limiter.check(None, "a@x.io", t0), None);
    }
}
