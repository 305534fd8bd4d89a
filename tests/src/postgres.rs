//! A PostgreSQL cluster of the test's own (`initdb` in a temporary directory, `pg_ctl` on a
//! free port), which the test can stop and start again to try an outage.
//!
//! The server binaries are found in `PG_BIN`, else the newest `/usr/lib/postgresql/*/bin`, else
//! `pg_config --bindir`, else `PATH`. PostgreSQL refuses to run as root: as root, the cluster is
//! owned by and run as the `postgres` user (`runuser`).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A private PostgreSQL cluster; stopped and removed on drop.
pub struct OwnPostgres {
    /// The port it listens on (127.0.0.1).
    pub port: u16,
    bin: PathBuf,
    dir: tempfile::TempDir,
    running: bool,
}

impl OwnPostgres {
    /// Creates a cluster (trust authentication, user `postgres`) on a free port and starts it.
    pub fn start_anywhere() -> OwnPostgres {
        let bin = server_binaries();
        let dir = tempfile::Builder::new()
            .prefix("careline-pg-")
            .tempdir()
            .expect("a temporary directory for the PostgreSQL cluster");
        if is_root() {
            let status = Command::new("chown")
                .args(["-R", "postgres:"])
                .arg(dir.path())
                .status()
                .expect("chown");
            assert!(
                status.success(),
                "cannot give the cluster directory to the postgres user"
            );
        }
        let port = crate::kit::free_port();
        let pg = OwnPostgres {
            port,
            bin,
            dir,
            running: false,
        };
        let output = pg
            .command("initdb")
            .args(["-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C"])
            .arg("--no-sync")
            .arg("-D")
            .arg(pg.data())
            .output()
            .expect("run initdb");
        assert!(
            output.status.success(),
            "initdb failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let mut pg = pg;
        pg.start();
        pg
    }

    /// `postgres://postgres@127.0.0.1:<port>/postgres`: the administrative database.
    pub fn admin_url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Starts the (stopped) cluster on its port and waits until it accepts connections.
    pub fn start(&mut self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off \
             -c max_connections=200",
            self.port,
            self.dir.path().display()
        );
        let output = self
            .command("pg_ctl")
            .arg("-D")
            .arg(self.data())
            .arg("-l")
            .arg(self.dir.path().join("server.log"))
            .args(["-o", &options, "-w", "-t", "60", "start"])
            .stdout(Stdio::null())
            .output()
            .expect("run pg_ctl start");
        assert!(
            output.status.success(),
            "pg_ctl start failed: {}\n{}",
            String::from_utf8_lossy(&output.stderr),
            std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
        );
        self.running = true;
    }

    /// Stops it the way a crash or `kill -9` of the server would (`pg_ctl -m immediate`):
    /// every session is cut, no transaction in flight is committed.
    pub fn crash(&mut self) {
        self.stop_with("immediate");
    }

    fn stop_with(&mut self, mode: &str) {
        if !self.running {
            return;
        }
        let _ = self
            .command("pg_ctl")
            .arg("-D")
            .arg(self.data())
            .args(["-m", mode, "-w", "-t", "30", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        self.running = false;
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// `tool` from the server binaries, run as the postgres user when we are root.
    fn command(&self, tool: &str) -> Command {
        let path = self.bin.join(tool);
        if is_root() {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(path);
            command
        } else {
            Command::new(path)
        }
    }
}

impl Drop for OwnPostgres {
    fn drop(&mut self) {
        self.stop_with("immediate");
    }
}

/// Whether the PostgreSQL server binaries can be found (see the module documentation).
pub fn server_binaries_present() -> bool {
    find_server_binaries().is_some()
}

fn server_binaries() -> PathBuf {
    find_server_binaries().unwrap_or_else(|| {
        panic!(
            "the PostgreSQL server binaries (initdb, pg_ctl) were not found: install PostgreSQL \
             (apt-get install postgresql) or set PG_BIN; .ci/run installs them"
        )
    })
}

fn find_server_binaries() -> Option<PathBuf> {
    let has_tools = |dir: &Path| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file();
    if let Some(dir) = std::env::var_os("PG_BIN").map(PathBuf::from) {
        return has_tools(&dir).then_some(dir);
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            Some((version, entry.path().join("bin")))
        })
        .filter(|(_, dir)| has_tools(dir))
        .collect();
    versions.sort();
    if let Some((_, dir)) = versions.pop() {
        return Some(dir);
    }
    if let Ok(output) = Command::new("pg_config").arg("--bindir").output() {
        let dir = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
        if has_tools(&dir) {
            return Some(dir);
        }
    }
    std::env::var_os("PATH").and_then(|paths| std::env::split_paths(&paths).find(|d| has_tools(d)))
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}
