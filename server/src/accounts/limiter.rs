//! Rate limiting of failed sign-ins, per account and per client IP, over a sliding window.
//!
//! Kept in memory: it resets when the server restarts and is not shared between several
//! server processes. That is enough for one process guarding against password guessing; a
//! multi-process deployment would move it to the database. Per-account limits let someone
//! lock a known account out for the window: the accepted price for stopping guessing.

use std::{
    collections::{HashMap, VecDeque},
    hash::Hash,
    net::IpAddr,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

/// Failures count for this long.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Failed sign-ins allowed per account within the window.
pub const PER_ACCOUNT: usize = 5;
/// Failed sign-ins allowed per client IP within the window (across accounts).
pub const PER_IP: usize = 20;
/// Past this many tracked keys, stale ones are swept.
const SWEEP_ABOVE: usize = 10_000;

#[derive(Clone, Debug, Default)]
pub struct LoginLimiter {
    inner: Arc<Mutex<Failures>>,
}

#[derive(Debug, Default)]
struct Failures {
    by_account: HashMap<String, VecDeque<Instant>>,
    by_ip: HashMap<IpAddr, VecDeque<Instant>>,
}

impl LoginLimiter {
    /// `Err(seconds to wait)` when either the account or the IP has used up its failures.
    pub fn check(&self, account: &str, ip: IpAddr, now: Instant) -> Result<(), u64> {
        let mut failures = self.lock();
        let account_wait = wait(&mut failures.by_account, &key(account), PER_ACCOUNT, now);
        let ip_wait = wait(&mut failures.by_ip, &ip, PER_IP, now);
        match account_wait.max(ip_wait) {
            Some(wait) => Err(wait.as_secs() + 1),
            None => Ok(()),
        }
    }

    pub fn record_failure(&self, account: &str, ip: IpAddr, now: Instant) {
        let mut failures = self.lock();
        if failures.by_account.len() + failures.by_ip.len() > SWEEP_ABOVE {
            failures.sweep(now);
        }
        failures
            .by_account
            .entry(key(account))
            .or_default()
            .push_back(now);
        failures.by_ip.entry(ip).or_default().push_back(now);
    }

    /// A successful sign-in clears the account's failures (not the IP's).
    pub fn forget_account(&self, account: &str) {
        self.lock().by_account.remove(&key(account));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Failures> {
        // The data is plain counters: a panic elsewhere cannot leave it inconsistent.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Failures {
    fn sweep(&mut self, now: Instant) {
        self.by_account.retain(|_, times| {
            expire(times, now);
            !times.is_empty()
        });
        self.by_ip.retain(|_, times| {
            expire(times, now);
            !times.is_empty()
        });
    }
}

/// Accounts are counted by their lower-cased name, cut short so junk cannot grow the map.
fn key(account: &str) -> String {
    account.chars().take(64).collect::<String>().to_lowercase()
}

fn expire(times: &mut VecDeque<Instant>, now: Instant) {
    while times
        .front()
        .is_some_and(|first| now.duration_since(*first) >= WINDOW)
    {
        times.pop_front();
    }
}

/// How long until the key is under its limit again, if it is at it now.
fn wait<K: Hash + Eq>(
    map: &mut HashMap<K, VecDeque<Instant>>,
    key: &K,
    limit: usize,
    now: Instant,
) -> Option<Duration> {
    let times = map.get_mut(key)?;
    expire(times, now);
    if times.len() < limit {
        return None;
    }
    // The failure that must age out before one more attempt is allowed.
    let oldest_blocking = times[times.len() - limit];
    Some(WINDOW.saturating_sub(now.duration_since(oldest_blocking)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const IP: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

    #[test]
    fn five_failures_block_the_account_until_the_window_passes() {
        let limiter = LoginLimiter::default();
        let start = Instant::now();
        for _ in 0..PER_ACCOUNT {
            assert!(limiter.check("Alice", IP, start).is_ok());
            limiter.record_failure("alice", IP, start);
        }
        let wait = limiter.check("ALICE", IP, start).unwrap_err();
        assert!((899..=901).contains(&wait), "{wait}");
        assert!(limiter.check("bob", IP, start).is_ok(), "other accounts");
        assert!(limiter.check("alice", IP, start + WINDOW).is_ok());
    }

    #[test]
    fn twenty_failures_block_the_ip_across_accounts() {
        let limiter = LoginLimiter::default();
        let now = Instant::now();
        for n in 0..PER_IP {
            limiter.record_failure(&format!("user{n}"), IP, now);
        }
        assert!(limiter.check("fresh-user", IP, now).is_err());
        let other_ip: IpAddr = "10.0.0.2".parse().unwrap();
        assert!(limiter.check("fresh-user", other_ip, now).is_ok());
    }

    #[test]
    fn success_forgets_the_account_failures() {
        let limiter = LoginLimiter::default();
        let now = Instant::now();
        for _ in 0..PER_ACCOUNT {
            limiter.record_failure("alice", IP, now);
        }
        limiter.forget_account("alice");
        assert!(limiter.check("alice", IP, now).is_ok());
    }
}
