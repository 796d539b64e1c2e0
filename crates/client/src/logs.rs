//! The app's log: `tracing` to a file a day under `<profile>/logs` (the last [`KEEP_FILES`] kept),
//! every line scrubbed of anything shaped like a secret first; and the diagnostics zip a rep sends
//! to support (logs, versions, settings; never a token).

use std::borrow::Cow;
use std::io::{self, Write};
use std::path::Path;
use std::sync::OnceLock;

use regex::Regex;
use tracing_subscriber::fmt::MakeWriter;

use crate::home::Home;

/// Daily files kept: two weeks.
pub const KEEP_FILES: usize = 14;

/// What stands in for a secret in a log line.
pub const REDACTED: &str = "<redacted>";

/// The shapes of secrets, each with what replaces it: a JWT (our session), a Textdrip token
/// (`<digits>|<40 alphanumerics>`), an `Authorization` value whole, a bearer or basic credential,
/// and the value of any `key=value` or `key: value` whose key names a secret (`token`,
/// `access_token`, `client_secret`, `password`, `api-key`, `apikey`, `sid`, `invite_code`…),
/// quoted values whole. Lines go through it unformatted (no colour codes between key and value).
fn patterns() -> &'static [(Regex, String)] {
    static PATTERNS: OnceLock<Vec<(Regex, String)>> = OnceLock::new();
    PATTERNS.get_or_init(|| {
        let keyed = format!("$1$2{REDACTED}");
        [
            (r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}", REDACTED.to_owned()),
            (r"\b\d+\|[A-Za-z0-9]{40}\b", REDACTED.to_owned()),
            (r#"(?i)\b((?:proxy-)?authorization)(["']?\s*[:=]\s*["']?)[^"'\r\n,;}]+"#, keyed.clone()),
            (r"(?i)\b(bearer|basic)(\s+)[A-Za-z0-9._~+/=-]{6,}", keyed.clone()),
            (
                r#"(?i)\b([\w-]*(?:token|secret|passw(?:or)?d|api[_-]?key|sid|invite[_-]?code))(["']?\s*[:=]\s*)("[^"]*"|'[^']*'|[^\s"',;&}]+)"#,
                keyed,
            ),
        ]
        .into_iter()
        .map(|(p, with)| (Regex::new(p).expect("a valid pattern"), with))
        .collect()
    })
}

/// `line` with anything shaped like a secret replaced by [`REDACTED`].
pub fn redact(line: &str) -> Cow<'_, str> {
    let mut out = Cow::Borrowed(line);
    for (pattern, with) in patterns() {
        if pattern.is_match(&out) {
            out = Cow::Owned(pattern.replace_all(&out, with.as_str()).into_owned());
        }
    }
    out
}

/// A writer that redacts what goes through it. `tracing`'s formatter writes an event in one call,
/// so a secret is never split between two writes.
pub struct Redacting<W>(W);

impl<W> Redacting<W> {
    pub fn new(inner: W) -> Self {
        Redacting(inner)
    }
}

impl<W: Write> Write for Redacting<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        self.0.write_all(redact(&text).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// Makes [`Redacting`] writers over another maker's writers.
pub struct RedactingWriter<M>(pub M);

impl<'a, M: MakeWriter<'a>> MakeWriter<'a> for RedactingWriter<M> {
    type Writer = Redacting<M::Writer>;

    fn make_writer(&'a self) -> Self::Writer {
        Redacting(self.0.make_writer())
    }
}

/// Daily log files under `<profile>/logs` (`crokodial.YYYY-MM-DD.log`), the oldest beyond
/// [`KEEP_FILES`] removed, every line redacted.
pub fn daily_files(home: &Home) -> io::Result<RedactingWriter<tracing_appender::rolling::RollingFileAppender>> {
    let appender = tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix("crokodial")
        .filename_suffix("log")
        .max_log_files(KEEP_FILES)
        .build(home.logs_dir())
        .map_err(io::Error::other)?;
    Ok(RedactingWriter(appender))
}

/// Writes the diagnostics zip to `out`: `about.txt` (the lines of `about`: versions, platform),
/// `settings.json`, `profile.json` (server and user, no token) and the log files, redacted once
/// more. Returns the names written. Nothing else of the profile goes in: no lead data, no cache.
pub fn write_diagnostics(home: &Home, out: &Path, about: &[(&str, String)]) -> io::Result<Vec<String>> {
    let file = std::fs::File::create(out)?;
    let mut zip = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let mut names = Vec::new();
    let mut add = |zip: &mut zip::ZipWriter<std::fs::File>, name: String, text: &str| -> io::Result<()> {
        zip.start_file(name.as_str(), options).map_err(io::Error::other)?;
        zip.write_all(redact(text).as_bytes())?;
        names.push(name);
        Ok(())
    };
    let about: String = about.iter().map(|(k, v)| format!("{k}: {v}\n")).collect();
    add(&mut zip, "about.txt".into(), &about)?;
    for (name, path) in [("settings.json", home.settings_file()), ("profile.json", home.profile_file())] {
        if let Ok(text) = std::fs::read_to_string(&path) {
            add(&mut zip, name.into(), &text)?;
        }
    }
    let mut logs: Vec<_> = match std::fs::read_dir(home.logs_dir()) {
        Ok(dir) => dir.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.is_file()).collect(),
        Err(_) => Vec::new(),
    };
    logs.sort();
    for path in logs {
        let name = format!("logs/{}", path.file_name().unwrap_or_default().to_string_lossy());
        add(&mut zip, name, &String::from_utf8_lossy(&std::fs::read(&path)?))?;
    }
    zip.finish().map_err(io::Error::other)?;
    Ok(names)
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    const JWT: &str = "eyJhbGciOiJIUzI1NiJ9.eyJfaWQiOiJhYmMifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ";
    const TEXTDRIP: &str = "31337|Xk9fQ2mLp7RtV4wZs8NcB3hJd6GyE1aUo5KiT0qP";

    #[test]
    fn every_shape_of_secret_is_scrubbed() {
        let cases = [
            ("access_token=abc123def", "access_token=<redacted>"),
            ("refresh_token: \"r-1\"", "refresh_token: <redacted>"),
            ("client_secret=s3", "client_secret=<redacted>"),
            ("x-api-key: k-99", "x-api-key: <redacted>"),
            ("password=\"two words\" next=1", "password=<redacted> next=1"),
            ("Authorization: Basic dXNlcjpwYXNz", "Authorization: <redacted>"),
            ("sent with basic dXNlcjpwYXNz", "sent with basic <redacted>"),
            ("sid=sid_abc apikey=key_def", "sid=<redacted> apikey=<redacted>"),
            ("invite_code=ABCD-EFGH", "invite_code=<redacted>"),
            ("GET /x?token=abc&lead=1", "GET /x?token=<redacted>&lead=1"),
        ];
        for (line, want) in cases {
            assert_eq!(redact(line), want, "{line}");
        }
        // Words that only look like keys are kept.
        for kept in ["close code: 1008", "status=429", "considered=yes", "tokens left: 3 leads"] {
            assert_eq!(redact(kept), kept);
        }
    }

    #[test]
    fn secrets_are_scrubbed_and_the_rest_kept() {
        let line = format!(
            "login ok token={JWT} then Authorization: Bearer {JWT}, textdrip {TEXTDRIP} apikey: \"key_abc\" \
             password=hunter2 lead=abc123 phone=3125550199"
        );
        let out = redact(&line);
        for secret in [JWT, TEXTDRIP, "key_abc", "hunter2"] {
            assert!(!out.contains(secret), "{secret} left in {out}");
        }
        assert!(out.contains("login ok token=<redacted>"), "{out}");
        assert!(out.contains("lead=abc123") && out.contains("phone=3125550199"), "{out}");
        assert!(matches!(redact("nothing secret here, 42 leads"), Cow::Borrowed(_)));
    }

    #[test]
    fn the_log_file_and_the_zip_hold_no_secret() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::at(dir.path());
        std::fs::write(home.settings_file(), "{\"alerts\":{}}").unwrap();
        std::fs::write(home.profile_file(), "{\"serverUrl\":\"http://x\"}").unwrap();
        {
            let writer = daily_files(&home).unwrap();
            let subscriber = tracing_subscriber::fmt().with_writer(writer).with_ansi(false).finish();
            tracing::subscriber::with_default(subscriber, || {
                tracing::info!(token = JWT, "session kept");
                tracing::warn!("textdrip said no to {TEXTDRIP}");
                tracing::info!(password = "hunter2", apikey = "key_abc", "fields named as secrets");
            });
        }
        let files: Vec<_> = std::fs::read_dir(home.logs_dir()).unwrap().map(|e| e.unwrap().path()).collect();
        assert_eq!(files.len(), 1);
        let name = files[0].file_name().unwrap().to_string_lossy().into_owned();
        assert!(name.starts_with("crokodial.") && name.ends_with(".log"), "{name}");
        let logged = std::fs::read_to_string(&files[0]).unwrap();
        assert!(logged.contains("session kept") && logged.contains("textdrip said no"), "{logged}");
        assert!(!logged.contains(JWT) && !logged.contains(TEXTDRIP), "{logged}");
        assert!(!logged.contains("hunter2") && !logged.contains("key_abc"), "{logged}");
        assert!(logged.contains("fields named as secrets"), "{logged}");

        // A log line written by something else, unredacted, is redacted in the zip.
        std::fs::write(home.logs_dir().join("crokodial.2026-01-01.log"), format!("old {TEXTDRIP}\n")).unwrap();
        std::fs::create_dir_all(dir.path().join("cache")).unwrap();
        std::fs::write(dir.path().join("cache").join("x.sqlite"), "lead data").unwrap();
        let out = dir.path().join("diag.zip");
        let names = write_diagnostics(&home, &out, &[("version", "1.2.3".into())]).unwrap();
        assert_eq!(names[..3], ["about.txt", "settings.json", "profile.json"]);
        assert_eq!(names.len(), 5, "no lead data, no cache: {names:?}");
        let mut zip = zip::ZipArchive::new(std::fs::File::open(&out).unwrap()).unwrap();
        let mut all = String::new();
        for i in 0..zip.len() {
            zip.by_index(i).unwrap().read_to_string(&mut all).unwrap();
        }
        assert!(all.contains("version: 1.2.3") && all.contains("old <redacted>"), "{all}");
        assert!(!all.contains(TEXTDRIP) && !all.contains(JWT));
    }
}
