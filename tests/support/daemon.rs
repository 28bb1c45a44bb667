//! `gazette run` as a child process: its log lines collected as they come, waits that fail the
//! test instead of hanging it, and a stop by SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Child, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::{Workdir, signal};

/// How long any wait here may take before the test fails: a hang guard, generous because the
/// machine may be busy, never a timing requirement.
const PATIENCE: Duration = Duration::from_secs(90);

/// `gazette ARGS run` in a work folder; killed if the test ends without [`Daemon::stop`].
pub struct Daemon {
    child: Child,
    log: Arc<Mutex<Vec<String>>>,
}

impl Daemon {
    /// Starts `gazette ARGS run` in `work` (ARGS: global options such as `--log-format json`).
    pub fn start(work: &Workdir, args: &[&str]) -> Daemon {
        let mut child = work
            .command(&[args, &["run"]].concat())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn gazette run");
        let stderr = child.stderr.take().expect("stderr");
        let log = Arc::new(Mutex::new(Vec::new()));
        let lines = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                lines.lock().expect("log lock").push(line);
            }
        });
        Daemon { child, log }
    }

    /// Everything logged so far.
    pub fn log(&self) -> String {
        self.log.lock().expect("log lock").join("\n")
    }

    /// Waits until a log line contains `text`.
    pub fn wait_for_log(&self, text: &str) {
        wait_until(&format!("a log line with {text:?}"), || {
            self.log
                .lock()
                .expect("log lock")
                .iter()
                .any(|line| line.contains(text))
        });
    }

    /// SIGTERM, then its exit status once it has stopped.
    pub fn stop(mut self) -> ExitStatus {
        signal(&self.child, libc::SIGTERM);
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "gazette run did not stop on SIGTERM:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// [`Daemon::stop`], which must end in success.
    pub fn stop_cleanly(self) {
        let log = Arc::clone(&self.log);
        let status = self.stop();
        assert!(
            status.success(),
            "{status}:\n{}",
            log.lock().expect("log lock").join("\n")
        );
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits until `done` holds, failing the test with `what` after [`PATIENCE`].
pub fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + PATIENCE;
    while !done() {
        assert!(Instant::now() < deadline, "gave up waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}
