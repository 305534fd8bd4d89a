//! The `careline` binary run as a child process: an instance a test can kill with SIGKILL.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

/// The `careline` binary of this build, built first if need be.
///
/// `CARELINE_BIN` names one explicitly. Otherwise `cargo build -p careline-api --bin careline`
/// runs (with this build's target directory and profile, a no-op when it is up to date) and
/// the binary is taken from beside this test's own executable (`<target>/<profile>/`).
pub fn careline_binary() -> PathBuf {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY
        .get_or_init(|| {
            if let Some(path) = std::env::var_os("CARELINE_BIN") {
                return PathBuf::from(path);
            }
            // <target>/<profile>/deps/<test executable>
            let exe = std::env::current_exe().expect("the test executable's path");
            let profile_dir = exe
                .parent()
                .and_then(|deps| deps.parent())
                .expect("the test executable sits in <target>/<profile>/deps")
                .to_path_buf();
            let target_dir = profile_dir
                .parent()
                .expect("<target>/<profile>")
                .to_path_buf();
            let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
            let mut build = Command::new(cargo);
            build
                .args(["build", "-q", "-p", "careline-api", "--bin", "careline"])
                .arg("--target-dir")
                .arg(&target_dir)
                .current_dir(env!("CARGO_MANIFEST_DIR"));
            if profile_dir.file_name().is_some_and(|p| p == "release") {
                build.arg("--release");
            }
            let status = build
                .status()
                .expect("run cargo to build the careline binary");
            assert!(status.success(), "building the careline binary failed");
            let binary = profile_dir.join("careline");
            assert!(
                binary.is_file(),
                "the careline binary is not at {}",
                binary.display()
            );
            binary
        })
        .clone()
}

/// A `careline` server in a process of its own; killed on drop.
pub struct Instance {
    /// `http://127.0.0.1:<port>`.
    pub address: String,
    /// The port it listens on.
    pub port: u16,
    child: Child,
    log: PathBuf,
}

impl Instance {
    /// Starts `careline` on a free port with `env` (DATABASE_URL, REDIS_URL, …) added to a
    /// development configuration, and waits until `/healthz` answers.
    pub async fn start(env: &[(&str, String)], data_dir: &std::path::Path) -> Instance {
        let port = crate::kit::free_port();
        let mut command = Command::new(careline_binary());
        command
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOST", "127.0.0.1")
            .env("PORT", port.to_string())
            .env("DATA_DIR", data_dir)
            .env("SEED_DEMO", "false")
            .env("RUST_LOG", "warn")
            .env(
                "JWT_SECRET",
                String::from_utf8_lossy(crate::TEST_SECRET).as_ref(),
            )
            .current_dir(data_dir)
            .stdout(
                std::fs::File::create(data_dir.join(format!("careline-{port}.log")))
                    .map(Stdio::from)
                    .unwrap_or_else(|_| Stdio::null()),
            );
        for (name, value) in env {
            command.env(name, value);
        }
        let child = command.spawn().expect("start the careline binary");
        let instance = Instance {
            address: format!("http://127.0.0.1:{port}"),
            port,
            child,
            log: data_dir.join(format!("careline-{port}.log")),
        };
        let client = reqwest::Client::new();
        let healthy = crate::kit::wait_until(Duration::from_secs(30), async || {
            client
                .get(format!("{}/healthz", instance.address))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
        })
        .await;
        assert!(
            healthy,
            "the careline process did not answer /healthz within 30 s"
        );
        instance
    }

    /// What it logged so far (its standard output, at the `RUST_LOG` given; `warn` unless
    /// `env` says otherwise).
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Kills it with SIGKILL: no shutdown, no cleanup, connections cut mid-flight.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.kill();
    }
}
