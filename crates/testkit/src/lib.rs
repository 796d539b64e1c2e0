//! Test support for end-to-end tests: a private desktop session so a test never touches the
//! developer's real profile, keychain or sound card.
//!
//! - [`DesktopSession`]: a fresh HOME, a private D-Bus session bus with an unlocked GNOME Keyring
//!   (the real Secret Service), a `CROKODIAL_HOME`, and optionally sound captured to a WAV file
//!   through ALSA's file plugin.
//! - [`NullSink`]: sound played in real time into nothing, for long-running apps.
//! - [`Xvfb`]: a virtual display for the real desktop app.
//! - [`TestServer`]: our server on a loopback port with a fresh database.

use std::ffi::OsString;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};

pub use crokodial_server as server;

pub mod legacy;
pub mod notifications;
pub mod textdrip;

/// A private desktop session. Dropping it stops its processes and removes its files.
pub struct DesktopSession {
    dir: tempfile::TempDir,
    bus_address: String,
    children: Vec<Child>,
    sink: Option<NullSink>,
}

impl Drop for DesktopSession {
    fn drop(&mut self) {
        for child in self.children.iter_mut().rev() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl DesktopSession {
    /// One private session for the whole test process, its environment set on the process, so
    /// code that reads the keychain in-process (the engine's tests) uses its keyring.
    pub fn for_process() -> &'static DesktopSession {
        static SESSION: std::sync::OnceLock<DesktopSession> = std::sync::OnceLock::new();
        SESSION.get_or_init(|| {
            let session = DesktopSession::start().expect("a private keyring session");
            for (key, value) in session.env() {
                std::env::set_var(key, value);
            }
            session
        })
    }

    pub fn start() -> anyhow::Result<Self> {
        let dir = tempfile::Builder::new().prefix("crokodial-session-").tempdir()?;
        let runtime = dir.path().join("run");
        std::fs::create_dir(&runtime)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&runtime, std::fs::Permissions::from_mode(0o700))?;
        }
        let socket = dir.path().join("bus");
        let bus_address = format!("unix:path={}", socket.display());
        let mut session = DesktopSession { dir, bus_address, children: Vec::new(), sink: None };

        let mut dbus = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--nopidfile", "--print-address=1"])
            .arg(format!("--address={}", session.bus_address))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .context("starting dbus-daemon (install the `dbus` package; scripts/test does)")?;
        let mut first_line = String::new();
        BufReader::new(dbus.stdout.take().expect("piped")).read_line(&mut first_line)?;
        session.children.push(dbus);
        if first_line.trim().is_empty() {
            bail!("dbus-daemon did not start");
        }

        let mut keyring = session
            .command("gnome-keyring-daemon")
            .args(["--foreground", "--unlock", "--components=secrets"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("starting gnome-keyring-daemon (install `gnome-keyring`; scripts/test does)")?;
        {
            use std::io::Write;
            let mut stdin = keyring.stdin.take().expect("piped");
            stdin.write_all(b"test-keyring-password")?;
        }
        session.children.push(keyring);
        session.wait_for_bus_name("org.freedesktop.secrets", Duration::from_secs(10))?;
        Ok(session)
    }

    fn wait_for_bus_name(&self, name: &str, limit: Duration) -> anyhow::Result<()> {
        let start = Instant::now();
        while start.elapsed() < limit {
            let out = self
                .command("dbus-send")
                .args(["--session", "--print-reply", "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus"])
                .args(["org.freedesktop.DBus.NameHasOwner", &format!("string:{name}")])
                .output()?;
            if String::from_utf8_lossy(&out.stdout).contains("boolean true") {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        bail!("{name} did not appear on the private session bus")
    }

    /// The fake HOME of this session.
    pub fn home(&self) -> &Path {
        self.dir.path()
    }

    /// The Crokodial profile directory (`CROKODIAL_HOME`).
    pub fn profile_dir(&self) -> PathBuf {
        self.dir.path().join("crokodial")
    }

    /// The environment a process needs to live in this session (and nowhere else).
    pub fn env(&self) -> Vec<(&'static str, OsString)> {
        let home = self.dir.path();
        vec![
            ("HOME", home.into()),
            ("XDG_RUNTIME_DIR", home.join("run").into()),
            ("XDG_DATA_HOME", home.join(".local/share").into()),
            ("XDG_CONFIG_HOME", home.join(".config").into()),
            ("XDG_CACHE_HOME", home.join(".cache").into()),
            ("DBUS_SESSION_BUS_ADDRESS", self.bus_address.clone().into()),
            ("CROKODIAL_HOME", self.profile_dir().into()),
        ]
    }

    /// A command that runs inside this session.
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut cmd = Command::new(program);
        cmd.envs(self.env());
        cmd
    }

    /// Routes ALSA's default output of processes in this session to a private PulseAudio null
    /// sink (see [`NullSink`]), for long-running apps.
    pub fn paced_sound(&mut self) -> anyhow::Result<()> {
        self.sink = Some(NullSink::start(self.dir.path())?);
        Ok(())
    }

    /// Routes ALSA's default output of processes in this session to a WAV file, which it returns.
    pub fn capture_sound(&self) -> anyhow::Result<PathBuf> {
        let wav = self.dir.path().join("sound-out.wav");
        let conf = format!(
            "pcm.!default {{ type plug slave {{ pcm \"tap\" format S16_LE rate 44100 channels 2 }} }}\n\
             pcm.tap {{ type file slave.pcm \"null\" file \"{}\" format \"wav\" }}\n",
            wav.display()
        );
        std::fs::write(self.dir.path().join(".asoundrc"), conf)?;
        Ok(wav)
    }

    /// A stand-in notification daemon on this session's bus (see [`notifications`]).
    pub async fn notification_daemon(&self) -> anyhow::Result<notifications::NotificationDaemon> {
        notifications::NotificationDaemon::start(&self.bus_address).await
    }

    /// The secret the keychain holds for `(service, account)`, read with `secret-tool`.
    pub fn keychain_lookup(&self, service: &str, account: &str) -> anyhow::Result<Option<String>> {
        let out = self
            .command("secret-tool")
            .args(["lookup", "service", service, "username", account])
            .output()
            .context("running secret-tool (install `libsecret-tools`)")?;
        let text = String::from_utf8(out.stdout)?;
        Ok((out.status.success() && !text.is_empty()).then_some(text))
    }
}

/// Notifications sent on a [`DesktopSession`]'s bus.
/// A private PulseAudio server whose one sink, a null sink, plays in real time like a sound card,
/// as the default ALSA output of processes whose HOME is `home` (and XDG_RUNTIME_DIR `home/run`).
/// ALSA's own `null` and `file` devices are not paced: on them a long-running app's mixer thread
/// spins a core. Stopped on drop.
pub struct NullSink(Child);

impl NullSink {
    pub fn start(home: &Path) -> anyhow::Result<NullSink> {
        let runtime = home.join("run");
        std::fs::create_dir_all(&runtime)?;
        let command = |program: &str| {
            let mut cmd = Command::new(program);
            cmd.env("HOME", home).env("XDG_RUNTIME_DIR", &runtime).stdout(Stdio::null()).stderr(Stdio::null());
            cmd
        };
        let sink = NullSink(
            command("pulseaudio")
                .args(["-n", "--daemonize=no", "--exit-idle-time=-1", "--use-pid-file=no"])
                .args(["--load=module-native-protocol-unix", "--load=module-null-sink sink_name=speakers"])
                .spawn()
                .context("starting pulseaudio (scripts/setup --test installs it)")?,
        );
        let deadline = Instant::now() + Duration::from_secs(10);
        while !runtime.join("pulse/native").exists() {
            if Instant::now() > deadline {
                bail!("pulseaudio did not start");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        if !command("pactl").args(["set-default-sink", "speakers"]).status()?.success() {
            bail!("pactl set-default-sink failed");
        }
        std::fs::write(home.join(".asoundrc"), "pcm.!default { type pulse }\nctl.!default { type pulse }\n")?;
        Ok(sink)
    }
}

impl Drop for NullSink {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A virtual X display.
pub struct Xvfb {
    child: Child,
    display: String,
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Xvfb {
    pub fn start() -> anyhow::Result<Self> {
        let mut child = Command::new("Xvfb")
            .args(["-displayfd", "1", "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .context("starting Xvfb (install `xvfb`; scripts/test does)")?;
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("piped")).read_line(&mut line)?;
        let number: u32 = line.trim().parse().with_context(|| format!("Xvfb printed {line:?} for its display"))?;
        Ok(Xvfb { child, display: format!(":{number}") })
    }

    pub fn display(&self) -> &str {
        &self.display
    }
}

/// What a captured WAV holds.
#[derive(Debug, Clone, Copy)]
pub struct WavStats {
    /// The whole capture, silence included.
    pub seconds: f64,
    /// From the first to the last audible sample.
    pub audible_seconds: f64,
    pub peak: i16,
    pub non_silent: usize,
}

/// Reads a 16-bit WAV written by ALSA's file plugin. The plugin may leave the header's length
/// at zero, so the samples are read from the data that is there.
pub fn wav_stats(path: &Path) -> anyhow::Result<WavStats> {
    let mut bytes = Vec::new();
    std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?.read_to_end(&mut bytes)?;
    let reader = hound::WavReader::new(std::io::Cursor::new(&bytes[..]))?;
    let spec = reader.spec();
    if spec.bits_per_sample != 16 {
        bail!("expected 16-bit samples, got {spec:?}");
    }
    let data_start = bytes.windows(4).position(|w| w == b"data").context("no data chunk")? + 8;
    let samples: Vec<i16> = bytes[data_start..].chunks_exact(2).map(|c| i16::from_le_bytes([c[0], c[1]])).collect();
    let per_second = spec.channels as f64 * spec.sample_rate as f64;
    let audible = |s: &&i16| s.unsigned_abs() > 1000;
    let first = samples.iter().position(|s| audible(&s));
    let last = samples.iter().rposition(|s| audible(&s));
    Ok(WavStats {
        seconds: samples.len() as f64 / per_second,
        audible_seconds: first.zip(last).map_or(0.0, |(a, b)| (b - a) as f64 / per_second),
        peak: samples.iter().map(|s| s.saturating_abs()).max().unwrap_or(0),
        non_silent: samples.iter().filter(audible).count(),
    })
}

/// Our server on a loopback port, with a fresh database that lives as long as it does.
pub struct TestServer {
    pub server: crokodial_server::Server,
    dir: tempfile::TempDir,
}

/// An account made for a test, with its tenant's webhook credentials.
#[derive(Debug, Clone)]
pub struct TestAccount {
    pub email: String,
    pub password: String,
    pub user_id: String,
    pub tenant_id: String,
    pub webhook: crokodial_server::WebhookCredentials,
}

const DB_FILE: &str = "server.db";

impl TestServer {
    pub async fn start(demo: bool) -> anyhow::Result<Self> {
        let dir = tempfile::tempdir()?;
        let mut config = crokodial_server::Config::for_tests(dir.path().join(DB_FILE));
        config.demo = demo;
        let server = crokodial_server::Server::start(config).await?;
        Ok(TestServer { server, dir })
    }

    pub fn url(&self) -> String {
        self.server.base_url()
    }

    /// The server's database, for a second connection that fills it faster than its API can.
    pub fn db_path(&self) -> PathBuf {
        self.dir.path().join(DB_FILE)
    }

    /// An admin with a tenant of their own.
    pub async fn admin(&self, email: &str) -> anyhow::Result<TestAccount> {
        let (user, password) =
            self.user(email, crokodial_core::api::Role::Admin, crokodial_server::TenantChoice::Own).await?;
        let tenant_id = self.server.tenant_of(&user.id).await?;
        let webhook = self.server.webhook_credentials(&tenant_id).await?;
        Ok(TestAccount { email: email.into(), password, user_id: user.id, tenant_id, webhook })
    }

    /// A rep (not an admin) of `admin`'s tenant.
    pub async fn rep(&self, email: &str, admin: &TestAccount) -> anyhow::Result<TestAccount> {
        let tenant = crokodial_server::TenantChoice::Of(admin.user_id.clone());
        let (user, password) = self.user(email, crokodial_core::api::Role::User, tenant).await?;
        Ok(TestAccount { email: email.into(), password, user_id: user.id, ..admin.clone() })
    }

    /// A user named after their email, with a password of this process.
    async fn user(
        &self,
        email: &str,
        role: crokodial_core::api::Role,
        tenant: crokodial_server::TenantChoice,
    ) -> anyhow::Result<(crokodial_core::api::User, String)> {
        let password = format!("pw-{email}-{}", std::process::id());
        let name = email.split('@').next().unwrap_or(email).into();
        let new = crokodial_server::NewUser { email: email.into(), name, role, password: password.clone(), tenant };
        Ok((self.server.create_user(new).await?, password))
    }

    /// POSTs a NextGen lead to the real webhook over HTTP; returns the new lead's id.
    pub async fn post_nextgen(
        &self,
        webhook: &crokodial_server::WebhookCredentials,
        body: serde_json::Value,
    ) -> anyhow::Result<String> {
        let resp = reqwest::Client::new()
            .post(format!("{}/api/webhooks/nextgen", self.url()))
            .header("sid", &webhook.sid)
            .header("apikey", &webhook.apikey)
            .json(&body)
            .send()
            .await?;
        let status = resp.status();
        let ack: serde_json::Value = resp.json().await?;
        if !status.is_success() {
            bail!("webhook answered {status}: {ack}");
        }
        Ok(ack["leadId"].as_str().context("ack without leadId")?.to_owned())
    }
}

/// Reads lines from a child's pipe on a thread, so a test can wait for one with a deadline.
pub struct LineReader(std::sync::mpsc::Receiver<String>);

impl LineReader {
    pub fn new(pipe: impl Read + Send + 'static) -> Self {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        LineReader(rx)
    }

    /// The first line (at most `limit` from now) that satisfies `want`; other lines are skipped.
    pub fn wait_for(&self, limit: Duration, want: impl Fn(&str) -> bool) -> anyhow::Result<String> {
        let deadline = Instant::now() + limit;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.0.recv_timeout(left) {
                Ok(line) if want(&line) => return Ok(line),
                Ok(_) => continue,
                Err(e) => bail!("no matching line within {limit:?}: {e}"),
            }
        }
    }
}

/// A TCP proxy on loopback whose connections a test can cut (the client sees them close) or
/// freeze (bytes vanish while the connections stay open: a half-open connection).
pub struct CutProxy {
    addr: std::net::SocketAddr,
    links: Arc<Mutex<Vec<tokio::task::JoinHandle<()>>>>,
    refusing: Arc<AtomicBool>,
    frozen: Arc<AtomicBool>,
    accepting: tokio::task::JoinHandle<()>,
}

impl Drop for CutProxy {
    fn drop(&mut self) {
        self.accepting.abort();
        self.cut_links();
    }
}

/// Copies bytes one way; while `frozen`, drops them.
async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    frozen: Arc<AtomicBool>,
) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        if !frozen.load(Ordering::SeqCst) && to.write_all(&buf[..n]).await.is_err() {
            return;
        }
    }
}

impl CutProxy {
    pub async fn start(target: std::net::SocketAddr) -> anyhow::Result<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let links = Arc::new(Mutex::new(Vec::new()));
        let refusing = Arc::new(AtomicBool::new(false));
        let frozen = Arc::new(AtomicBool::new(false));
        let (links2, refusing2, frozen2) = (links.clone(), refusing.clone(), frozen.clone());
        let accepting = tokio::spawn(async move {
            while let Ok((inbound, _)) = listener.accept().await {
                if refusing2.load(Ordering::SeqCst) {
                    continue; // dropped: the client sees its connection closed at once
                }
                let Ok(outbound) = tokio::net::TcpStream::connect(target).await else { continue };
                let ((ri, wi), (ro, wo)) = (inbound.into_split(), outbound.into_split());
                let mut links = links2.lock().expect("links");
                links.push(tokio::spawn(pump(ri, wo, frozen2.clone())));
                links.push(tokio::spawn(pump(ro, wi, frozen2.clone())));
            }
        });
        Ok(CutProxy { addr, links, refusing, frozen, accepting })
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn cut_links(&self) {
        for link in self.links.lock().expect("links").drain(..) {
            link.abort();
        }
    }

    /// Drops every open connection and refuses new ones until [`CutProxy::restore`].
    pub fn cut(&self) {
        self.refusing.store(true, Ordering::SeqCst);
        self.cut_links();
    }

    /// Stops delivering bytes on open connections without closing them.
    pub fn freeze(&self) {
        self.frozen.store(true, Ordering::SeqCst);
    }

    /// Accepts connections and delivers bytes again (connections frozen meanwhile are dropped).
    pub fn restore(&self) {
        if self.frozen.swap(false, Ordering::SeqCst) {
            self.cut_links();
        }
        self.refusing.store(false, Ordering::SeqCst);
    }
}

/// Runs this test binary again as a child process running only the ignored test `test` (which
/// reads what to do from `env`), its stdout piped to the caller: a process a test can kill.
pub fn rerun_test(test: &str, env: &[(&str, String)]) -> std::process::Child {
    let mut cmd = std::process::Command::new(std::env::current_exe().expect("the test binary"));
    cmd.args([test, "--exact", "--ignored", "--nocapture"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::inherit());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.spawn().expect("the test binary runs again")
}

/// Kills `child` with SIGKILL (no destructor, no SQLite rollback, no flush runs) and reaps it.
pub fn sigkill(child: &mut std::process::Child) {
    child.kill().expect("the child can be killed");
    child.wait().expect("the child is reaped");
}
