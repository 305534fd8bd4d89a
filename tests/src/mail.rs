//! Real mail servers a test starts itself: [`Dovecot`], a private IMAP server whose mailboxes
//! the test fills and inspects on disk, and [`SmtpSink`], an SMTP server that keeps whatever it
//! is sent. Both listen on 127.0.0.1 at a free port, keep everything in a temporary directory
//! of their own (so any number run side by side) and are killed when dropped.

use std::fs;
use std::io::Write as _;
use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How long a server may take to start listening.
const START_TIMEOUT: Duration = Duration::from_secs(10);

/// The account Debian's `dovecot-core` creates for Dovecot's internal processes; the test
/// mailboxes belong to it too (Dovecot refuses to touch mail as root).
const MAIL_ACCOUNT: &str = "dovecot";

/// A private Dovecot IMAP server (Debian's `dovecot-imapd`), run as `dovecot -F -c <config>`
/// with its configuration, runtime directory, state, log, password file and Maildirs in a
/// temporary directory of its own; killed on drop.
///
/// Users sign in with `LOGIN`/`AUTHENTICATE PLAIN` over plain TCP (no TLS) with the password
/// given to [`Dovecot::add_user`]. Each user has one mailbox, `INBOX`, a Maildir at
/// `<dir>/mail/<user>` that [`Dovecot::deliver`] drops messages into and the counting helpers
/// read, so a test can check what an IMAP client did without speaking IMAP itself.
///
/// It must run as root (as CI does): the master process switches to the `dovecot` and
/// `dovenull` accounts the package creates, and the mailboxes belong to `dovecot`.
pub struct Dovecot {
    child: Child,
    port: u16,
    /// The account owning the Maildirs (`dovecot`).
    mail_uid: u32,
    mail_gid: u32,
    dir: tempfile::TempDir,
}

impl Dovecot {
    /// Starts one on a free port, with no users yet, and waits until it accepts connections.
    ///
    /// Panics if Dovecot is not installed (`apt-get install dovecot-imapd`; `.ci/run` does)
    /// or does not start (the message carries its log).
    pub fn start() -> Dovecot {
        Self::start_with_users(&[])
    }

    /// Starts one like [`Dovecot::start`] with `users` (name, password) already there, each
    /// with an empty `INBOX`: the quick way, as [`Dovecot::add_user`] may have to wait.
    pub fn start_with_users(users: &[(&str, &str)]) -> Dovecot {
        let binary = dovecot_binary();
        let dir = tempfile::tempdir().expect("a directory for Dovecot");
        let own_uid = fs::metadata(dir.path())
            .expect("the Dovecot directory's owner")
            .uid();
        assert_eq!(
            own_uid, 0,
            "a test's own Dovecot must be started as root (its master process switches to the \
             `dovecot` and `dovenull` accounts); CI runs the tests as root"
        );
        let (mail_uid, mail_gid) = account(MAIL_ACCOUNT);
        // Dovecot's processes run as `dovecot` and `dovenull`: they must reach their sockets
        // in the runtime directory and the mailboxes (a fresh temporary directory is 0700).
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755))
            .expect("open the Dovecot directory to Dovecot's accounts");
        for sub in ["run", "state", "mail"] {
            fs::create_dir(dir.path().join(sub)).expect("a Dovecot directory");
        }
        fs::write(dir.path().join("passwd"), "").expect("Dovecot's password file");
        for (user, password) in users {
            add_user(dir.path(), (mail_uid, mail_gid), user, password);
        }
        let port = crate::kit::free_port();
        let config = dir.path().join("dovecot.conf");
        fs::write(&config, config_text(dir.path(), port)).expect("write Dovecot's configuration");
        // Errors before the log process is up (a bad configuration, a port in use) go to
        // stderr: keep them beside the log.
        let stderr = fs::File::create(dir.path().join("stderr.log")).expect("Dovecot's stderr");
        let mut child = Command::new(binary)
            .arg("-F")
            .arg("-c")
            .arg(&config)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .expect("run dovecot");
        if !crate::kit::wait_for_port(port, START_TIMEOUT) {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "Dovecot did not listen on 127.0.0.1:{port} within {START_TIMEOUT:?}\n\
                 stderr:\n{}\nlog:\n{}",
                fs::read_to_string(dir.path().join("stderr.log")).unwrap_or_default(),
                fs::read_to_string(dir.path().join("dovecot.log")).unwrap_or_default(),
            );
        }
        Dovecot {
            child,
            port,
            mail_uid,
            mail_gid,
            dir,
        }
    }

    /// Adds `user`, signing in with `password`, with an empty `INBOX` (an existing user keeps
    /// the first password). Returns once Dovecot is sure to know the user.
    ///
    /// Dovecot re-reads its password file when the file changes, but looks at it at most once
    /// a second: so this waits for the next second of the clock (half a second on average).
    /// Users known up front are better given to [`Dovecot::start_with_users`].
    pub fn add_user(&self, user: &str, password: &str) {
        add_user(
            self.dir.path(),
            (self.mail_uid, self.mail_gid),
            user,
            password,
        );
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("a clock after 1970");
        let next_second = Duration::from_secs(now.as_secs() + 1) + Duration::from_millis(10);
        std::thread::sleep(next_second.saturating_sub(now));
    }

    /// The port it listens on (127.0.0.1).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `imap://<user>@127.0.0.1:<port>/INBOX` (`@`, `:`, `%` and the like in `user`
    /// percent-encoded).
    pub fn imap_url(&self, user: &str) -> String {
        format!(
            "imap://{}@127.0.0.1:{}/INBOX",
            percent_encode_userinfo(user),
            self.port
        )
    }

    /// Drops the raw RFC 5322 message `raw` into `user`'s `INBOX`, as a delivery agent would:
    /// written under `tmp/`, then renamed into `new/` (unread, not yet seen by any client).
    pub fn deliver(&self, user: &str, raw: &[u8]) {
        static SEQUENCE: AtomicU64 = AtomicU64::new(0);
        let maildir = maildir(self.dir.path(), (self.mail_uid, self.mail_gid), user);
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("a clock after 1970");
        let name = format!(
            "{}.M{}P{}Q{}.careline-tests",
            now.as_secs(),
            now.subsec_micros(),
            std::process::id(),
            SEQUENCE.fetch_add(1, Ordering::Relaxed)
        );
        let tmp = maildir.join("tmp").join(&name);
        fs::write(&tmp, raw).expect("write the message under tmp/");
        give_to(&tmp, (self.mail_uid, self.mail_gid));
        fs::rename(&tmp, maildir.join("new").join(&name)).expect("move the message into new/");
    }

    /// How many messages `user`'s `INBOX` holds.
    pub fn messages_in(&self, user: &str) -> usize {
        self.message_flags(user).len()
    }

    /// How many of `user`'s messages are flagged `\Seen`.
    pub fn seen_count(&self, user: &str) -> usize {
        self.message_flags(user)
            .iter()
            .filter(|flags| flags.contains('S'))
            .count()
    }

    /// How many of `user`'s messages are not flagged `\Seen` (new ones included).
    pub fn unseen_count(&self, user: &str) -> usize {
        self.message_flags(user)
            .iter()
            .filter(|flags| !flags.contains('S'))
            .count()
    }

    /// Takes the `\Seen` flag off every message of `user` in the Maildir, as if whoever read
    /// them had crashed before flagging them; how many it changed. (Dovecot notices renamed
    /// files on its next look at the folder.)
    pub fn mark_all_unseen(&self, user: &str) -> usize {
        let cur = self.dir.path().join("mail").join(user).join("cur");
        let mut changed = 0;
        for entry in fs::read_dir(&cur).into_iter().flatten().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some((base, flags)) = name.split_once(":2,") else {
                continue;
            };
            if flags.contains('S') {
                let flags: String = flags.chars().filter(|c| *c != 'S').collect();
                fs::rename(entry.path(), cur.join(format!("{base}:2,{flags}")))
                    .expect("rename a message in cur/");
                changed += 1;
            }
        }
        changed
    }

    /// Dovecot's log so far: logins, errors (for a failing test's message, or to check that
    /// a password never shows up).
    pub fn log(&self) -> String {
        let mut log = fs::read_to_string(self.dir.path().join("stderr.log")).unwrap_or_default();
        log.push_str(&fs::read_to_string(self.dir.path().join("dovecot.log")).unwrap_or_default());
        log
    }

    /// The Maildir flags of each of `user`'s messages: empty for a message in `new/`, the
    /// letters after `:2,` for one in `cur/` (`S` seen, `R` answered, `T` deleted, …).
    fn message_flags(&self, user: &str) -> Vec<String> {
        let maildir = self.dir.path().join("mail").join(user);
        let names = |sub: &str| -> Vec<String> {
            fs::read_dir(maildir.join(sub))
                .map(|entries| {
                    entries
                        .filter_map(Result::ok)
                        .map(|e| e.file_name().to_string_lossy().into_owned())
                        .collect()
                })
                .unwrap_or_default()
        };
        let new = names("new").into_iter().map(|_| String::new());
        let cur = names("cur").into_iter().map(|name| {
            name.split_once(":2,")
                .map(|(_, flags)| flags.to_owned())
                .unwrap_or_default()
        });
        new.chain(cur).collect()
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        // Its child processes exit on their own once the master is gone.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Adds `user` with `password` to the password file of the Dovecot in `dir`, and creates its
/// Maildir, owned by `owner` (uid, gid).
fn add_user(dir: &Path, owner: (u32, u32), user: &str, password: &str) {
    assert!(
        !user.is_empty()
            && !user.contains([':', '/', '\n', '\r'])
            && !password.contains([':', '\n', '\r']),
        "Dovecot test users: no ':', '/' or line breaks in {user:?} or its password"
    );
    maildir(dir, owner, user);
    let mut passwd = fs::OpenOptions::new()
        .append(true)
        .open(dir.join("passwd"))
        .expect("open Dovecot's password file");
    writeln!(passwd, "{user}:{{PLAIN}}{password}").expect("add a user to the password file");
}

/// `user`'s Maildir in the Dovecot in `dir`, created (owned by `owner`) if need be.
fn maildir(dir: &Path, owner: (u32, u32), user: &str) -> PathBuf {
    let maildir = dir.join("mail").join(user);
    for path in [
        maildir.clone(),
        maildir.join("cur"),
        maildir.join("new"),
        maildir.join("tmp"),
    ] {
        if !path.is_dir() {
            fs::create_dir(&path).expect("create a Maildir directory");
            give_to(&path, owner);
        }
    }
    maildir
}

/// Makes `path` belong to `owner` (uid, gid): Dovecot's mail account.
fn give_to(path: &Path, (uid, gid): (u32, u32)) {
    std::os::unix::fs::chown(path, Some(uid), Some(gid))
        .expect("hand a mail file to Dovecot's account");
}

/// The `dovecot` binary: on `PATH`, or where Debian puts it (`/usr/sbin` is not on every
/// `PATH`).
fn dovecot_binary() -> PathBuf {
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .chain([PathBuf::from("/usr/sbin")])
        .map(|dir| dir.join("dovecot"))
        .find(|binary| binary.is_file())
        .unwrap_or_else(|| {
            panic!(
                "dovecot is not installed: apt-get install dovecot-imapd (.ci/run does) \
                 for the tests that read mail over IMAP"
            )
        })
}

/// The uid and gid of `name` in `/etc/passwd`.
fn account(name: &str) -> (u32, u32) {
    let passwd = fs::read_to_string("/etc/passwd").expect("read /etc/passwd");
    passwd
        .lines()
        .map(|line| line.split(':').collect::<Vec<_>>())
        .find(|fields| fields.first() == Some(&name))
        .and_then(|fields| Some((fields.get(2)?.parse().ok()?, fields.get(3)?.parse().ok()?)))
        .unwrap_or_else(|| {
            panic!(
                "no `{name}` account: Debian's dovecot-core creates it \
                 (apt-get install dovecot-imapd; .ci/run does)"
            )
        })
}

/// A self-contained Dovecot 2.3 configuration (nothing from `/etc/dovecot`) for the server in
/// `dir` listening on 127.0.0.1:`port`.
fn config_text(dir: &Path, port: u16) -> String {
    let dir = dir.display();
    format!(
        r#"# A test's private Dovecot: everything under {dir}.
base_dir = {dir}/run
state_dir = {dir}/state
log_path = {dir}/dovecot.log
info_log_path = {dir}/dovecot.log
debug_log_path = {dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
# A wrong password is answered at once, and does not slow down the next attempts from
# 127.0.0.1: no failure delay, and no auth penalty (no `anvil-auth-penalty` socket, so the auth
# process runs without one, silently).
auth_failure_delay = 0
# The package's accounts run the internal and login processes (the defaults, spelled out).
default_internal_user = dovecot
default_internal_group = dovecot
default_login_user = dovenull
# Mail is read and written as `dovecot` (a system uid, so below the default 500); Dovecot
# never accesses mail as root.
first_valid_uid = 1
mail_location = maildir:~
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {dir}/passwd
}}
userdb {{
  driver = static
  args = uid=dovecot gid=dovecot home={dir}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  # No IMAPS: several test servers must not all claim port 993.
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
"#
    )
}

/// `user` fit for the userinfo of a URL: everything but unreserved characters
/// percent-encoded.
fn percent_encode_userinfo(user: &str) -> String {
    user.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A real SMTP server (aiosmtpd from `tests/clients/.venv`) keeping every message it accepts
/// in a Maildir of its own; killed on drop.
pub struct SmtpSink {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl SmtpSink {
    /// Starts one on a free port and waits until it accepts connections.
    ///
    /// Panics if `tests/clients/.venv` is missing (`.ci/run` creates it).
    pub fn start() -> SmtpSink {
        let python = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("clients/.venv/bin/python");
        assert!(
            python.is_file(),
            "install the clients first: python3 -m venv tests/clients/.venv; \
             tests/clients/.venv/bin/pip install -r tests/clients/requirements.txt (.ci/run does)"
        );
        let dir = tempfile::tempdir().expect("a directory for the SMTP sink");
        let port = crate::kit::free_port();
        let mut child = Command::new(python)
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            // A path that does not exist yet: the handler creates the Maildir there.
            .arg(dir.path().join("mail"))
            .stdin(Stdio::null())
            .spawn()
            .expect("run aiosmtpd");
        if !crate::kit::wait_for_port(port, START_TIMEOUT) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("aiosmtpd did not listen on 127.0.0.1:{port} within {START_TIMEOUT:?}");
        }
        SmtpSink { child, port, dir }
    }

    /// The port it listens on (127.0.0.1).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `smtp://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// The raw messages received so far, in no particular order.
    pub fn messages(&self) -> Vec<String> {
        let Ok(entries) = fs::read_dir(self.dir.path().join("mail/new")) else {
            return Vec::new();
        };
        entries
            .map(|entry| {
                let path = entry.expect("a received message").path();
                fs::read_to_string(path).expect("read a received message")
            })
            .collect()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[cfg(test)]
mod tests {
    //! The servers themselves, driven by hand. The crate's `[lib]` has `test = false`, so run
    //! these explicitly: `cargo test -p careline-tests --lib -- --ignored`.

    use super::*;
    use std::io::{BufRead as _, BufReader, Read as _};
    use std::net::TcpStream;

    const MESSAGE: &[u8] = b"From: Wang Fang <wang.fang@example.com>\r\n\
        To: support@careline.example\r\n\
        Subject: Where is my parcel?\r\n\
        Message-ID: <parcel-1@example.com>\r\n\
        \r\n\
        It has not arrived.\r\n";

    /// A minimal IMAP client: one command at a time, literals read whole.
    struct Imap {
        reader: BufReader<TcpStream>,
        writer: TcpStream,
    }

    impl Imap {
        fn connect(port: u16) -> Imap {
            let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect to Dovecot");
            stream
                .set_read_timeout(Some(Duration::from_secs(10)))
                .expect("a read timeout");
            let mut imap = Imap {
                reader: BufReader::new(stream.try_clone().expect("clone the stream")),
                writer: stream,
            };
            let greeting = imap.line();
            assert!(greeting.starts_with("* OK"), "greeting: {greeting}");
            imap
        }

        fn line(&mut self) -> String {
            let mut line = String::new();
            self.reader.read_line(&mut line).expect("read a line");
            line
        }

        /// Sends `tag command`; answers everything up to and including the tagged reply.
        fn run(&mut self, tag: &str, command: &str) -> String {
            write!(self.writer, "{tag} {command}\r\n").expect("send a command");
            let mut response = String::new();
            loop {
                let line = self.line();
                assert!(!line.is_empty(), "connection closed; so far: {response}");
                response.push_str(&line);
                if let Some(size) = line
                    .trim_end()
                    .strip_suffix('}')
                    .and_then(|l| l.rsplit_once('{'))
                    .and_then(|(_, n)| n.parse::<usize>().ok())
                {
                    let mut literal = vec![0; size];
                    self.reader.read_exact(&mut literal).expect("a literal");
                    response.push_str(&String::from_utf8_lossy(&literal));
                } else if line.starts_with(&format!("{tag} ")) {
                    assert!(
                        line.starts_with(&format!("{tag} OK")),
                        "{command}: {response}"
                    );
                    return response;
                }
            }
        }
    }

    #[test]
    #[ignore = "needs dovecot-imapd; .ci/run installs it"]
    fn an_imap_client_reads_a_delivered_message_and_marks_it_seen() {
        let dovecot = Dovecot::start_with_users(&[("support@careline.example", "s3cret-pw")]);
        let user = "support@careline.example";
        dovecot.deliver(user, MESSAGE);
        assert_eq!(dovecot.messages_in(user), 1);
        assert_eq!(dovecot.unseen_count(user), 1);
        assert_eq!(dovecot.seen_count(user), 0);
        assert_eq!(
            dovecot.imap_url(user),
            format!(
                "imap://support%40careline.example@127.0.0.1:{}/INBOX",
                dovecot.port()
            )
        );

        let mut imap = Imap::connect(dovecot.port());
        imap.run("a", &format!("LOGIN {user} s3cret-pw"));
        imap.run("b", "SELECT INBOX");
        let unseen = imap.run("c", "UID SEARCH UNSEEN");
        assert!(unseen.contains("* SEARCH 1\r\n"), "{unseen}");
        let fetched = imap.run("d", "UID FETCH 1 BODY.PEEK[]");
        assert!(fetched.contains("It has not arrived."), "{fetched}");
        // PEEK leaves it unseen.
        assert_eq!(dovecot.unseen_count(user), 1);
        imap.run("e", "UID STORE 1 +FLAGS (\\Seen)");
        imap.run("f", "LOGOUT");

        assert_eq!(dovecot.messages_in(user), 1);
        assert_eq!(dovecot.seen_count(user), 1);
        assert_eq!(dovecot.unseen_count(user), 0);
        let log = dovecot.log();
        assert!(
            log.contains("Login: user=<support@careline.example>"),
            "{log}"
        );
        assert!(!log.contains("s3cret-pw"), "{log}");
    }

    #[test]
    #[ignore = "needs dovecot-imapd; .ci/run installs it"]
    fn a_wrong_password_is_refused_and_users_added_later_can_sign_in() {
        let dovecot = Dovecot::start();
        let mut imap = Imap::connect(dovecot.port());
        write!(imap.writer, "a LOGIN late pw\r\n").expect("send LOGIN");
        let refused = imap.line();
        assert!(refused.starts_with("a NO"), "{refused}");
        dovecot.add_user("late", "pw");
        // No penalty for the failure: the next attempt is not held back by seconds.
        let started = std::time::Instant::now();
        imap.run("b", "LOGIN late pw");
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "{:?}",
            started.elapsed()
        );
        let status = imap.run("c", "STATUS INBOX (MESSAGES)");
        assert!(status.contains("MESSAGES 0"), "{status}");
    }

    #[test]
    #[ignore = "needs dovecot-imapd; .ci/run installs it"]
    fn several_dovecots_run_side_by_side() {
        let servers: Vec<Dovecot> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..4)
                .map(|_| scope.spawn(|| Dovecot::start_with_users(&[("agent", "pw")])))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("a Dovecot started"))
                .collect()
        });
        for (i, dovecot) in servers.iter().enumerate() {
            for _ in 0..=i {
                dovecot.deliver("agent", MESSAGE);
            }
        }
        for (i, dovecot) in servers.iter().enumerate() {
            let mut imap = Imap::connect(dovecot.port());
            imap.run("a", "LOGIN agent pw");
            let selected = imap.run("b", "SELECT INBOX");
            assert!(
                selected.contains(&format!("* {} EXISTS", i + 1)),
                "{selected}"
            );
            imap.run("c", "STORE 1:* +FLAGS (\\Seen)");
            assert_eq!(dovecot.seen_count("agent"), i + 1);
            let log = dovecot.log();
            assert!(!log.contains("Error"), "{log}");
            assert!(!log.contains("Warning"), "{log}");
        }
    }

    #[test]
    #[ignore = "needs aiosmtpd from tests/clients/.venv; .ci/run installs it"]
    fn the_smtp_sink_keeps_what_it_is_sent() {
        let sink = SmtpSink::start();
        assert_eq!(sink.url(), format!("smtp://127.0.0.1:{}", sink.port()));
        assert!(sink.messages().is_empty());
        let mut writer = TcpStream::connect(("127.0.0.1", sink.port())).expect("connect");
        writer
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("a read timeout");
        let mut reader = BufReader::new(writer.try_clone().expect("clone the stream"));
        let mut reply = |code: &str| {
            let mut line = String::new();
            // Multi-line replies continue with `<code>-`.
            while {
                line.clear();
                reader.read_line(&mut line).expect("an SMTP reply");
                line.as_bytes().get(3) == Some(&b'-')
            } {}
            assert!(line.starts_with(code), "expected {code}: {line}");
        };
        reply("220");
        for (command, code) in [
            ("EHLO test".as_bytes(), "250"),
            (b"MAIL FROM:<support@careline.example>", "250"),
            (b"RCPT TO:<wang.fang@example.com>", "250"),
            (b"DATA", "354"),
            (MESSAGE, ""),
            (b".", "250"),
            (b"QUIT", "221"),
        ] {
            writer.write_all(command).expect("send");
            if !command.ends_with(b"\r\n") {
                writer.write_all(b"\r\n").expect("send");
            }
            if !code.is_empty() {
                reply(code);
            }
        }
        let messages = sink.messages();
        assert_eq!(messages.len(), 1, "{messages:?}");
        assert!(
            messages[0].contains("Subject: Where is my parcel?"),
            "{messages:?}"
        );
    }
}
