//! Rate limits on sign-in failures and sign-ups, per account, per client address and (for
//! sign-ups) for everyone together.
//!
//! An attempt is counted *before* its password is checked (reserve, verify, settle): the
//! reservation is what a concurrent burst runs into, so 40 simultaneous guesses at one account
//! get at most 5 checks, not however many passed a check-then-count race. A sign-in that
//! succeeds takes its reservation back (the account's failures are forgotten, the address's
//! hit refunded); a wrong password leaves it as the failure. A crash in between counts as a
//! failure: the safe side.
//!
//! The counters live in the database (`store::rate_limits`), so every server process on one
//! database shares them and a restart resets nothing. Per-account limits let someone lock a
//! known account out for the window: the accepted price for stopping guessing.

use std::{
    net::IpAddr,
    sync::{
        atomic::{AtomicI64, Ordering},
        Arc,
    },
};

use crate::{
    config::Limits,
    store::{
        rate_limits::{self, Counter},
        Db,
    },
};

/// Sign-in failures count for this long.
pub const SIGNIN_WINDOW_SECS: i64 = 15 * 60;
/// Failed sign-ins allowed per account within the window.
pub const SIGNIN_PER_ACCOUNT: usize = 5;
/// Failed sign-ins allowed per client address within the window (across accounts).
pub const SIGNIN_PER_IP: usize = 20;
/// Sign-ups count for this long.
pub const SIGNUP_WINDOW_SECS: i64 = 60 * 60;
/// Expired counters are swept at most this often (by whichever request comes along).
const SWEEP_EVERY_SECS: i64 = 60;

/// The database's rate limits as this process applies them; cheap to clone.
#[derive(Clone, Debug)]
pub struct LoginLimiter {
    db: Db,
    signups_per_ip: usize,
    signups_per_hour: usize,
    last_sweep: Arc<AtomicI64>,
}

/// A limit is used up: wait this many seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub retry_after: u64,
}

/// A sign-in counted as a failure until it is settled.
#[must_use = "settle the attempt once the password is checked"]
#[derive(Debug)]
pub struct SigninAttempt {
    account: Counter,
    ip: Counter,
    at: i64,
}

/// A counted sign-up, given back only if it could not be carried out.
#[derive(Debug)]
pub struct SignupAttempt {
    counters: [Counter; 2],
    at: i64,
}

impl LoginLimiter {
    pub fn new(db: Db, limits: &Limits) -> Self {
        Self {
            db,
            signups_per_ip: limits.signups_per_ip,
            signups_per_hour: limits.signups_per_hour,
            last_sweep: Arc::default(),
        }
    }

    /// Reserves a sign-in for `account` from `ip`, or refuses it when the account or the
    /// address has used up its failures.
    pub async fn begin_signin(
        &self,
        account: &str,
        ip: IpAddr,
        now: i64,
    ) -> Result<Result<SigninAttempt, Refusal>, sqlx::Error> {
        let attempt = SigninAttempt {
            account: Counter {
                key: format!("signin:account:{}", account_key(account)),
                limit: SIGNIN_PER_ACCOUNT,
                window_secs: SIGNIN_WINDOW_SECS,
            },
            ip: Counter {
                key: format!("signin:ip:{}", ip_key(ip)),
                limit: SIGNIN_PER_IP,
                window_secs: SIGNIN_WINDOW_SECS,
            },
            at: now,
        };
        let counted = self
            .hit(&[attempt.account.clone(), attempt.ip.clone()], now)
            .await?;
        Ok(counted.map(|()| attempt))
    }

    /// The password was right: the account's failures are forgotten and the address gets its
    /// hit back.
    pub async fn signin_succeeded(&self, attempt: SigninAttempt) -> Result<(), sqlx::Error> {
        rate_limits::clear(&self.db, &attempt.account.key).await?;
        rate_limits::refund(&self.db, &attempt.ip, attempt.at).await
    }

    /// The password was wrong: the reservation stays, as the failure.
    pub fn signin_failed(&self, attempt: SigninAttempt) {
        drop(attempt);
    }

    /// The password could not be checked (the server was busy): nothing counts.
    pub async fn signin_not_checked(&self, attempt: SigninAttempt) -> Result<(), sqlx::Error> {
        rate_limits::refund(&self.db, &attempt.account, attempt.at).await?;
        rate_limits::refund(&self.db, &attempt.ip, attempt.at).await
    }

    /// Counts a sign-up from `ip`, or refuses it when the address or everyone together has
    /// used up the hour's sign-ups. It counts whatever comes of it (a taken name too).
    pub async fn begin_signup(
        &self,
        ip: IpAddr,
        now: i64,
    ) -> Result<Result<SignupAttempt, Refusal>, sqlx::Error> {
        let counters = [
            Counter {
                key: format!("signup:ip:{}", ip_key(ip)),
                limit: self.signups_per_ip,
                window_secs: SIGNUP_WINDOW_SECS,
            },
            Counter {
                key: "signup:all".into(),
                limit: self.signups_per_hour,
                window_secs: SIGNUP_WINDOW_SECS,
            },
        ];
        let counted = self.hit(&counters, now).await?;
        Ok(counted.map(|()| SignupAttempt { counters, at: now }))
    }

    /// The password could not be hashed (the server was busy): the sign-up does not count.
    pub async fn signup_not_done(&self, attempt: SignupAttempt) -> Result<(), sqlx::Error> {
        for counter in &attempt.counters {
            rate_limits::refund(&self.db, counter, attempt.at).await?;
        }
        Ok(())
    }

    async fn hit(
        &self,
        counters: &[Counter],
        now: i64,
    ) -> Result<Result<(), Refusal>, sqlx::Error> {
        self.sweep_now_and_then(now).await;
        Ok(rate_limits::hit(&self.db, counters, now)
            .await?
            .map_err(|retry_after| Refusal { retry_after }))
    }

    async fn sweep_now_and_then(&self, now: i64) {
        let last = self.last_sweep.load(Ordering::Relaxed);
        if now - last < SWEEP_EVERY_SECS
            || self
                .last_sweep
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_err()
        {
            return;
        }
        if let Err(error) = rate_limits::sweep(&self.db, now).await {
            tracing::warn!(%error, "could not sweep expired rate-limit counters");
        }
    }
}

/// Accounts are counted by their lower-cased name, cut short so junk cannot grow the key.
fn account_key(account: &str) -> String {
    account.chars().take(64).collect::<String>().to_lowercase()
}

/// Addresses are counted as they are for IPv4, and by their /64 network for IPv6 (one
/// subscriber usually holds a whole /64, so counting single addresses would count nothing).
fn ip_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let segments = v6.segments();
                format!(
                    "{:x}:{:x}:{:x}:{:x}::/64",
                    segments[0], segments[1], segments[2], segments[3]
                )
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_keys_ignore_case_and_stop_at_64_characters() {
        assert_eq!(account_key("Alice"), "alice");
        assert_eq!(account_key(&"x".repeat(1000)).len(), 64);
    }

    #[test]
    fn ipv6_addresses_count_by_their_64_network() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        let other: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(ip_key(a), ip_key(b));
        assert_ne!(ip_key(a), ip_key(other));
        assert_eq!(ip_key(a), "2001:db8:1:2::/64");
        let mapped: IpAddr = "::ffff:203.0.113.7".parse().unwrap();
        assert_eq!(ip_key(mapped), "203.0.113.7");
    }
}
