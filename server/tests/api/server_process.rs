//! The real server binary as a child process, for what an in-process server cannot show: its
//! own resident memory (the test process holds every other test's server too).

use std::{
    io::{BufRead, BufReader},
    process::{Child, Command, Stdio},
    sync::{mpsc, Arc, Mutex},
    time::Duration,
};

use crate::helpers::workspace_path;

pub struct ServerProcess {
    child: Child,
    pub address: String,
    pub metrics_address: Option<String>,
    /// Every line the server has logged so far.
    pub log: Arc<Mutex<Vec<String>>>,
}

impl ServerProcess {
    /// Starts `server` on a free port with the bundled roadmaps and `database_url`, plus
    /// `extra` flags; waits until it listens.
    pub fn start(database_url: &str, extra: &[&str]) -> Self {
        Self::start_with(
            Command::new(env!("CARGO_BIN_EXE_server")),
            database_url,
            extra,
        )
    }

    /// Like `start`, with at most `max_open_files` file descriptors (soft and hard limit).
    pub fn start_with_open_files(database_url: &str, extra: &[&str], max_open_files: u32) -> Self {
        let mut shell = Command::new("sh");
        shell.args([
            "-c",
            &format!("ulimit -n {max_open_files} && exec \"$0\" \"$@\""),
            env!("CARGO_BIN_EXE_server"),
        ]);
        Self::start_with(shell, database_url, extra)
    }

    fn start_with(mut command: Command, database_url: &str, extra: &[&str]) -> Self {
        let mut child = command
            .args(["--addr", "127.0.0.1:0", "--database-url", database_url])
            .arg("--roadmaps")
            .arg(workspace_path("roadmaps"))
            .arg("--site-root")
            .arg(workspace_path("target/site"))
            .args(extra)
            .env("RUST_LOG", "warn,server=info")
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the server binary starts");
        let stdout = child.stdout.take().expect("stdout is piped");
        let (found, addresses) = mpsc::channel();
        let log = Arc::new(Mutex::new(Vec::new()));
        let kept = log.clone();
        // Reads the start-up lines, then keeps draining the log so the server never blocks.
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                kept.lock().unwrap().push(line.clone());
                for (marker, kind) in [("listening on ", "app"), ("metrics at ", "metrics")] {
                    if let Some(at) = line.find(marker) {
                        let url: String = line[at + marker.len()..]
                            .chars()
                            .take_while(|c| !c.is_whitespace())
                            .collect();
                        let url = url.trim_end_matches("/metrics").to_owned();
                        let _ = found.send((kind, url));
                    }
                }
            }
        });
        let wants_metrics = extra.contains(&"--metrics-addr");
        let mut process = Self {
            child,
            address: String::new(),
            metrics_address: None,
            log,
        };
        while process.address.is_empty() || (wants_metrics && process.metrics_address.is_none()) {
            let (kind, url) = addresses
                .recv_timeout(Duration::from_secs(60))
                .expect("the server says where it listens");
            match kind {
                "app" => process.address = url,
                _ => process.metrics_address = Some(url),
            }
        }
        process
    }

    /// A line of `/proc/<pid>/status` in KiB (`VmRSS`, `VmHWM`: the peak).
    pub fn memory_kib(&self, field: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("the server's /proc status");
        status
            .lines()
            .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
            .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or_else(|| panic!("no {field} in /proc status"))
    }

    /// SIGKILL: no graceful shutdown, no pool close.
    pub fn kill_9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Killed when dropped, so a failing test leaves no server behind.
impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.kill_9();
    }
}
