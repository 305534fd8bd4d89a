//! A Redis server of the test's own, which the test can stop and restart to try an outage.

use std::time::Duration;

/// A private `redis-server` on a port of its own; killed on drop.
pub struct OwnRedis {
    /// The port it listens on (127.0.0.1).
    pub port: u16,
    child: std::process::Child,
}

impl OwnRedis {
    /// Starts one on a free port.
    pub fn start_anywhere() -> OwnRedis {
        Self::start(crate::kit::free_port())
    }

    /// Starts one on `port` and waits until it accepts connections.
    pub fn start(port: u16) -> OwnRedis {
        let child = std::process::Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("redis-server must be installed for outage tests (CI machines have it)");
        crate::kit::wait_for_port(port, Duration::from_secs(5));
        OwnRedis { port, child }
    }

    /// `redis://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Kills it (an outage, not a shutdown).
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        self.stop();
    }
}
