//! The real server binary: started on a port (0: a free one), killed with SIGKILL.

use std::{
    io::{BufRead, BufReader},
    path::PathBuf,
    process::{Child, Command, Stdio},
    sync::Mutex,
    time::Duration,
};

/// The server's errors (at most 20; its stderr too), printed with the report.
pub static SERVER_LOG: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn keep_server_log(line: String) {
    let mut kept = SERVER_LOG.lock().unwrap();
    if kept.len() < 20 {
        kept.push(line);
    }
}

/// A server process, killed (SIGKILL) when dropped, so a failing test leaves none behind.
pub struct ServerProcess {
    child: Child,
    pub address: String,
}

impl ServerProcess {
    /// Starts the binary on `addr` (port 0: a free one) and waits until it listens. A port just
    /// released by a killed server can take a moment to bind again: a few attempts are made.
    pub fn start(database_url: &str, addr: &str) -> Self {
        let mut last_log = String::new();
        for _ in 0..50 {
            match Self::try_start(database_url, addr) {
                Ok(server) => return server,
                Err(log) => last_log = log,
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("the server did not start on {addr}: {last_log}");
    }

    fn try_start(database_url: &str, addr: &str) -> Result<Self, String> {
        let mut child = Command::new(env!("CARGO_BIN_EXE_server"))
            .args(["--addr", addr, "--database-url", database_url])
            .arg("--roadmaps")
            .arg(workspace_path("roadmaps"))
            .arg("--site-root")
            .arg(workspace_path("target/site"))
            // Only the start-up line: a log line per request would slow the server down.
            .env("RUST_LOG", "warn,server=info")
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the server binary starts");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout is piped")).lines();
        while let Some(Ok(line)) = lines.next() {
            if let Some(at) = line.find("listening on http://") {
                let address: String = line[at + "listening on ".len()..]
                    .chars()
                    .take_while(|c| !c.is_whitespace())
                    .collect();
                // Keep draining the log so the server never blocks on a full pipe; keep its
                // errors for the report.
                std::thread::spawn(move || {
                    for line in lines.map_while(Result::ok) {
                        if line.contains("ERROR") {
                            keep_server_log(line);
                        }
                    }
                });
                let stderr = BufReader::new(child.stderr.take().expect("stderr is piped"));
                std::thread::spawn(move || {
                    stderr
                        .lines()
                        .map_while(Result::ok)
                        .for_each(keep_server_log)
                });
                return Ok(Self { child, address });
            }
        }
        let mut stderr = String::new();
        if let Some(mut pipe) = child.stderr.take() {
            let _ = std::io::Read::read_to_string(&mut pipe, &mut stderr);
        }
        let _ = child.kill();
        let _ = child.wait();
        Err(stderr)
    }

    pub fn kill_9(&mut self) {
        let _ = self.child.kill(); // SIGKILL: no graceful shutdown, no pool close
        let _ = self.child.wait();
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.kill_9();
    }
}

pub fn workspace_path(relative: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/..")).join(relative)
}
