//! The settings of a run and what it observed: per learner and overall, printed as figures
//! and checked.

use std::{collections::BTreeMap, time::Duration};

use trailmap_core::progress::Entry;

use crate::process::SERVER_LOG;

#[derive(Clone, Debug)]
pub struct Settings {
    pub learners: usize,
    pub duration: Duration,
    /// Kill the server with SIGKILL half-way through, then restart it.
    pub crash: bool,
    /// The longest pause between two actions of a learner.
    pub think_ms: u64,
}

impl Settings {
    pub fn from_env() -> Self {
        fn number(name: &str, default: u64) -> u64 {
            match std::env::var(name) {
                Ok(raw) if !raw.trim().is_empty() => raw
                    .trim()
                    .parse()
                    .unwrap_or_else(|_| panic!("{name} must be a whole number, not `{raw}`")),
                _ => default,
            }
        }
        Self {
            learners: number("TRAILMAP_SOAK_LEARNERS", 100).max(1) as usize,
            duration: Duration::from_secs(number("TRAILMAP_SOAK_SECONDS", 60).max(1)),
            crash: number("TRAILMAP_SOAK_CRASH", 0) != 0,
            think_ms: number("TRAILMAP_SOAK_THINK_MS", 100),
        }
    }
}

/// The kinds of request, for the latency figures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Csrf,
    Signup,
    Signin,
    Push,
    Pull,
}

impl Kind {
    pub const ALL: [Kind; 5] = [
        Kind::Csrf,
        Kind::Signup,
        Kind::Signin,
        Kind::Push,
        Kind::Pull,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Csrf => "csrf",
            Kind::Signup => "sign-up",
            Kind::Signin => "sign-in",
            Kind::Push => "push",
            Kind::Pull => "pull",
        }
    }
}

/// A learner's rows in the database file.
pub struct StoredLearner {
    pub progress: BTreeMap<String, Entry>,
    pub last_applied_id: Option<u64>,
}

/// What one run observed.
pub struct Report {
    pub learners: Vec<LearnerReport>,
    pub elapsed: Duration,
    /// The crash, if one was staged.
    pub crash: Option<CrashReport>,
}

pub struct CrashReport {
    /// Acknowledged writes (learner, topic) checked in the database file right after the kill.
    pub acknowledged_checked: usize,
    /// Those missing or older in the database: must be none.
    pub lost: Vec<String>,
    pub down_for: Duration,
}

#[derive(Default)]
pub struct LearnerReport {
    pub username: String,
    /// Latencies of answered requests, per kind.
    pub latencies: BTreeMap<Kind, Vec<Duration>>,
    /// Requests that could not reach the server (connection refused or reset): expected only
    /// while it is down.
    pub connection_failures: usize,
    /// 5xx answers (retried like connection failures, but a fault of a running server).
    pub server_errors: Vec<String>,
    /// Everything else that went wrong: 4xx answers, unreadable bodies, timeouts, verification.
    pub errors: Vec<String>,
    pub pushes: usize,
    /// Mutations acknowledged by the server.
    pub mutations: u64,
    pub pulls: usize,
    /// Topics compared in the final verification.
    pub topics_verified: usize,
    /// The learner's final belief, kept for the database comparison.
    pub belief: BTreeMap<String, Entry>,
    /// The last mutation id the learner created.
    pub last_id: u64,
}

impl LearnerReport {
    /// The learner's belief must equal its rows in the database file, and the server must
    /// have applied exactly the mutation ids the learner created.
    pub fn verify_database(&mut self, stored: &BTreeMap<String, StoredLearner>) {
        if !self.errors.is_empty() {
            return; // Already failed; the belief is incomplete.
        }
        let Some(stored) = stored.get(&self.username) else {
            self.errors.push("no account in the database".into());
            return;
        };
        if stored.progress != self.belief {
            self.errors.push(format!(
                "the database differs from the belief: {}",
                difference(&self.belief, &stored.progress)
            ));
        }
        if self.last_id > 0 && stored.last_applied_id != Some(self.last_id) {
            self.errors.push(format!(
                "created mutations 1..={}, the database applied through {:?}",
                self.last_id, stored.last_applied_id
            ));
        }
    }
}

/// The first few topics on which two logs differ.
pub fn difference(belief: &BTreeMap<String, Entry>, other: &BTreeMap<String, Entry>) -> String {
    let mut topics: Vec<&String> = belief.keys().chain(other.keys()).collect();
    topics.sort();
    topics.dedup();
    topics
        .into_iter()
        .filter(|topic| belief.get(*topic) != other.get(*topic))
        .take(3)
        .map(|topic| {
            format!(
                "{topic}: believed {:?}, found {:?}",
                belief.get(topic),
                other.get(topic)
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

impl Report {
    pub fn print(&self, settings: &Settings) {
        let sum = |f: fn(&LearnerReport) -> usize| self.learners.iter().map(f).sum::<usize>();
        let requests = sum(|l| l.latencies.values().map(Vec::len).sum());
        let mutations: u64 = self.learners.iter().map(|l| l.mutations).sum();
        println!(
            "soak: {} learners, {:.1} s planned, {:.1} s run (sign-up and sign-in included), \
             think time up to {} ms, crash: {}",
            settings.learners,
            settings.duration.as_secs_f64(),
            self.elapsed.as_secs_f64(),
            settings.think_ms,
            if settings.crash {
                "kill -9 half-way, then restart"
            } else {
                "no"
            }
        );
        println!(
            "  requests answered: {requests} ({:.0}/s) · pushes: {} · mutations acknowledged: \
             {mutations} · pulls: {}",
            requests as f64 / self.elapsed.as_secs_f64(),
            sum(|l| l.pushes),
            sum(|l| l.pulls),
        );
        println!(
            "  errors: {} · server errors (5xx): {} · connection failures retried: {}",
            sum(|l| l.errors.len()),
            sum(|l| l.server_errors.len()),
            sum(|l| l.connection_failures),
        );
        println!("  latency      count      p50      p90      p99      max");
        for kind in Kind::ALL {
            let mut all: Vec<Duration> = self
                .learners
                .iter()
                .filter_map(|l| l.latencies.get(&kind))
                .flatten()
                .copied()
                .collect();
            if all.is_empty() {
                continue;
            }
            all.sort();
            let at = |p: f64| all[((all.len() as f64 * p).ceil() as usize).clamp(1, all.len()) - 1];
            println!(
                "  {:<9} {:>8} {:>8} {:>8} {:>8} {:>8}",
                kind.name(),
                all.len(),
                ms(at(0.50)),
                ms(at(0.90)),
                ms(at(0.99)),
                ms(all[all.len() - 1])
            );
        }
        if let Some(crash) = &self.crash {
            println!(
                "  crash: server down {:.2} s; {} acknowledged writes checked in the file right \
                 after the kill, {} lost",
                crash.down_for.as_secs_f64(),
                crash.acknowledged_checked,
                crash.lost.len()
            );
        }
        let verified = sum(|l| l.topics_verified);
        let failed = self
            .learners
            .iter()
            .filter(|l| !l.errors.is_empty())
            .count();
        println!(
            "  verification: {} of {} learners hold exactly what the server and the database \
             file hold ({verified} topics compared)",
            self.learners.len() - failed,
            self.learners.len()
        );
        for learner in self
            .learners
            .iter()
            .filter(|l| !l.errors.is_empty())
            .take(5)
        {
            println!("    {}: {}", learner.username, learner.errors.join(" | "));
        }
        for learner in self
            .learners
            .iter()
            .filter(|l| !l.server_errors.is_empty())
            .take(5)
        {
            println!("    {}: {}", learner.username, learner.server_errors[0]);
        }
        for line in SERVER_LOG.lock().unwrap().iter() {
            println!("    server log: {line}");
        }
    }

    pub fn assert_clean(&self, settings: &Settings) {
        let errors: Vec<String> = self
            .learners
            .iter()
            .flat_map(|l| l.errors.iter().map(move |e| format!("{}: {e}", l.username)))
            .collect();
        assert!(errors.is_empty(), "{} errors: {errors:#?}", errors.len());
        let server_errors: Vec<&String> = self
            .learners
            .iter()
            .flat_map(|l| &l.server_errors)
            .collect();
        assert!(server_errors.is_empty(), "5xx answers: {server_errors:#?}");
        assert!(
            self.learners
                .iter()
                .all(|l| l.pushes > 0 && l.topics_verified > 0),
            "every learner pushed and had its progress verified"
        );
        let failures: usize = self.learners.iter().map(|l| l.connection_failures).sum();
        match &self.crash {
            None => assert_eq!(failures, 0, "no connection failures without a crash"),
            Some(crash) => {
                assert!(crash.lost.is_empty(), "lost writes: {:#?}", crash.lost);
                assert!(
                    crash.acknowledged_checked > 0,
                    "writes were acknowledged before the kill"
                );
                assert!(
                    failures > 0,
                    "learners noticed the server was down, and resumed (they all verified)"
                );
            }
        }
        assert!(settings.learners == self.learners.len());
    }
}

fn ms(duration: Duration) -> String {
    format!("{:.1}ms", duration.as_secs_f64() * 1000.0)
}
