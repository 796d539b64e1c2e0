//! The rep's settings on this machine, in `settings.json` under the profile directory. No secret
//! is ever kept here. A damaged file is set aside (`settings.json.bad`) and defaults are used, so
//! a bad file never stops the app or the alerts. [`SettingsStore`] is their one owner in a process.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveTime, Utc};
use crokodial_core::LeadSource;
use serde::{Deserialize, Serialize};
use tokio::sync::watch;

use crate::alert::Sound;
use crate::home::Home;

/// The web app plays its alert at 0.3; a desktop alert must be heard over a headset's call audio.
pub const DEFAULT_VOLUME: f32 = 0.6;

/// "Mute for 1 h": how long a mute lasts unless told otherwise.
pub const MUTE_MINUTES: u32 = 60;

/// A volume as people set it (0 to 100, more is 100) as the player takes it (0.0 to 1.0).
pub fn volume_from_percent(percent: u8) -> f32 {
    f32::from(percent.min(100)) / 100.0
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Settings {
    pub alerts: AlertSettings,
    /// Text messages the rep reuses, with `{first_name}`-style fields.
    pub text_templates: Vec<TextTemplate>,
    pub desktop: DesktopSettings,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            alerts: AlertSettings::default(),
            text_templates: default_templates(),
            desktop: DesktopSettings::default(),
        }
    }
}

/// How the desktop app lives on this machine (start at login is the OS's own entry, not kept here).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct DesktopSettings {
    pub log_level: LogLevel,
    pub check_for_updates: bool,
    /// The rep was told, once, that closing the window keeps Crokodial in the tray.
    pub told_about_tray: bool,
}

impl Default for DesktopSettings {
    fn default() -> Self {
        DesktopSettings { log_level: LogLevel::Info, check_for_updates: true, told_about_tray: false }
    }
}

/// How much the app's log file says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogLevel {
    Error,
    Warn,
    #[default]
    Info,
    Debug,
    Trace,
}

impl LogLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            LogLevel::Error => "error",
            LogLevel::Warn => "warn",
            LogLevel::Info => "info",
            LogLevel::Debug => "debug",
            LogLevel::Trace => "trace",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextTemplate {
    pub name: String,
    pub body: String,
}

/// The templates a rep starts with.
pub fn default_templates() -> Vec<TextTemplate> {
    let t = |name: &str, body: &str| TextTemplate { name: name.into(), body: body.into() };
    vec![
        t(
            "First contact",
            "Hi {first_name}, this is {agent_name}. You asked about health insurance options in {state}. \
             When is a good time for a quick call?",
        ),
        t(
            "Missed call",
            "Hi {first_name}, {agent_name} here. Sorry I missed you! Call or text me back at this number.",
        ),
    ]
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct AlertSettings {
    pub sound: Sound,
    /// 0.0 (silent) to 1.0.
    pub volume: f32,
    /// An output device by name; `None` follows the system's default output.
    pub device: Option<String>,
    /// No sound in these hours (local time); leads are still shown and notified.
    pub quiet_hours: Option<QuietHours>,
    /// No sound until then ("mute for 1 h").
    pub muted_until: Option<DateTime<Utc>>,
    /// New leads from these sources are announced and rung; others are only listed.
    pub sources: BTreeSet<LeadSource>,
    /// Flash the taskbar entry until the window is looked at (desktop).
    pub taskbar_attention: bool,
}

impl Default for AlertSettings {
    fn default() -> Self {
        AlertSettings {
            sound: Sound::default(),
            volume: DEFAULT_VOLUME,
            device: None,
            quiet_hours: None,
            muted_until: None,
            sources: LeadSource::ALL.into_iter().filter(|s| s.is_vendor()).collect(),
            taskbar_attention: true,
        }
    }
}

/// A daily span of local time; it may run over midnight (21:00–08:00).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuietHours {
    #[serde(with = "hh_mm")]
    pub start: NaiveTime,
    #[serde(with = "hh_mm")]
    pub end: NaiveTime,
}

impl QuietHours {
    pub fn contains(&self, t: NaiveTime) -> bool {
        if self.start <= self.end {
            self.start <= t && t < self.end
        } else {
            t >= self.start || t < self.end
        }
    }

    /// Parses `"21:00-08:00"`.
    pub fn parse(s: &str) -> Option<Self> {
        let (a, b) = s.split_once('-')?;
        let t = |x: &str| NaiveTime::parse_from_str(x.trim(), "%H:%M").ok();
        Some(QuietHours { start: t(a)?, end: t(b)? })
    }
}

impl std::fmt::Display for QuietHours {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", self.start.format("%H:%M"), self.end.format("%H:%M"))
    }
}

mod hh_mm {
    use chrono::NaiveTime;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &NaiveTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&t.format("%H:%M").to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveTime, D::Error> {
        let s = String::deserialize(d)?;
        NaiveTime::parse_from_str(&s, "%H:%M").map_err(serde::de::Error::custom)
    }
}

/// Why a lead that is announced makes no sound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hush {
    Muted { until: DateTime<Utc> },
    QuietHours,
}

impl AlertSettings {
    /// Whether leads of `source` are announced.
    pub fn alerts_for(&self, source: Option<LeadSource>) -> bool {
        source.is_some_and(|s| self.sources.contains(&s))
    }

    /// When the mute ends, while it is in force at `now`.
    pub fn muted_at(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.muted_until.filter(|u| *u > now)
    }

    /// Mutes for `minutes` from `now`; 0 unmutes.
    pub fn mute_for(&mut self, minutes: u32, now: DateTime<Utc>) {
        self.muted_until = (minutes > 0).then(|| now + chrono::Duration::minutes(minutes.into()));
    }

    /// The volume as people set it, 0 to 100.
    pub fn volume_percent(&self) -> u8 {
        (self.volume * 100.0).round() as u8
    }

    /// Whether the sound is hushed at `now` (`local` is the same instant on the local clock).
    pub fn hush(&self, now: DateTime<Utc>, local: NaiveTime) -> Option<Hush> {
        if let Some(until) = self.muted_at(now) {
            return Some(Hush::Muted { until });
        }
        self.quiet_hours.filter(|q| q.contains(local)).map(|_| Hush::QuietHours)
    }

    /// Brings values from an edited file or the UI into range.
    pub fn clamped(mut self) -> Self {
        self.volume = if self.volume.is_finite() { self.volume.clamp(0.0, 1.0) } else { DEFAULT_VOLUME };
        self.device = self.device.filter(|d| !d.trim().is_empty());
        self
    }
}

#[derive(Debug, thiserror::Error)]
#[error("cannot save settings to {path}: {source}")]
pub struct SaveError {
    path: String,
    source: std::io::Error,
}

/// What the settings file holds now.
enum OnDisk {
    Missing,
    /// Not settings (a hand edit gone wrong): set aside by whoever writes next.
    Damaged(serde_json::Error),
    Good(Settings),
}

impl OnDisk {
    fn read(home: &Home) -> std::io::Result<OnDisk> {
        let text = match std::fs::read_to_string(home.settings_file()) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(OnDisk::Missing),
            Err(e) => return Err(e),
        };
        Ok(match serde_json::from_str::<Settings>(&text) {
            Ok(mut s) => {
                s.alerts = s.alerts.clamped();
                OnDisk::Good(s)
            }
            Err(e) => OnDisk::Damaged(e),
        })
    }
}

/// Moves a damaged settings file to `settings.json.bad`, so the next save does not lose it.
fn set_aside(home: &Home, why: &serde_json::Error) {
    let path = home.settings_file();
    let aside = path.with_extension("json.bad");
    tracing::warn!(error = %why, kept = %aside.display(), "damaged settings file set aside");
    let _ = std::fs::rename(&path, aside);
}

impl Settings {
    /// Reads the settings; a missing file gives defaults, a damaged one is set aside with a warning.
    pub fn load(home: &Home) -> Settings {
        match OnDisk::read(home) {
            Ok(OnDisk::Good(s)) => s,
            Ok(OnDisk::Missing) => Settings::default(),
            Ok(OnDisk::Damaged(e)) => {
                set_aside(home, &e);
                Settings::default()
            }
            Err(e) => {
                tracing::warn!(error = %e, path = %home.settings_file().display(), "cannot read settings; using defaults");
                Settings::default()
            }
        }
    }

    /// Writes the settings atomically: a crash mid-write leaves the old file whole.
    pub fn save(&self, home: &Home) -> Result<(), SaveError> {
        let path = home.settings_file();
        crate::home::write_atomically(&path, &serde_json::to_vec_pretty(self).expect("settings serialise"))
            .map_err(|source| SaveError { path: path.display().to_string(), source })
    }
}

/// How often a running app looks at the settings file for another process's changes.
pub const FOLLOW_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

/// The settings' one owner in a process. Readers see one snapshot in memory ([`SettingsStore::get`],
/// or [`SettingsStore::subscribe`] for the value and every change after it); every change is saved
/// at once; and a change another process saves (`crokodial alerts set` while the app runs) is
/// picked up by [`SettingsStore::follow_file`]. A change is made to the file's latest content
/// under a lock on `settings.json.lock`, so two writers (the app, the CLI) never lose each
/// other's change.
#[derive(Clone)]
pub struct SettingsStore {
    home: Home,
    all: watch::Sender<Settings>,
}

impl SettingsStore {
    pub fn open(home: &Home) -> Self {
        let settings = Settings::load(home);
        SettingsStore { home: home.clone(), all: watch::Sender::new(settings) }
    }

    pub fn get(&self) -> Settings {
        self.all.borrow().clone()
    }

    pub fn alerts(&self) -> AlertSettings {
        self.all.borrow().alerts.clone()
    }

    /// The settings now, then each change (from this process or another); the lead feed reads
    /// them at each lead.
    pub fn subscribe(&self) -> watch::Receiver<Settings> {
        self.all.subscribe()
    }

    /// Changes the settings as they are in the file now (as this process last knew them, when
    /// the file is missing or damaged), saves them, and puts them in force. A file that cannot
    /// be read is not overwritten.
    pub fn update<T>(&self, change: impl FnOnce(&mut Settings) -> T) -> Result<T, SaveError> {
        let _lock = self.lock_file();
        let failed = |source| SaveError { path: self.home.settings_file().display().to_string(), source };
        let mut settings = match OnDisk::read(&self.home).map_err(failed)? {
            OnDisk::Good(s) => s,
            OnDisk::Missing => self.get(),
            OnDisk::Damaged(e) => {
                set_aside(&self.home, &e);
                self.get()
            }
        };
        let out = change(&mut settings);
        settings.alerts = settings.alerts.clamped();
        settings.save(&self.home)?;
        self.publish(settings);
        Ok(out)
    }

    /// Puts in force what the file holds now, if it holds good settings; else keeps the snapshot.
    pub fn reload(&self) {
        match OnDisk::read(&self.home) {
            Ok(OnDisk::Good(s)) => self.publish(s),
            Ok(OnDisk::Missing) => {}
            Ok(OnDisk::Damaged(e)) => {
                tracing::warn!(error = %e, "the settings file is damaged; keeping the settings in force")
            }
            Err(e) => tracing::debug!(error = %e, "cannot read the settings file now; keeping the settings in force"),
        }
    }

    /// Looks at the file every `every` (see [`FOLLOW_EVERY`]) and puts in force what another
    /// process saved; stops when dropped. It compares the content (a few kilobytes), so no change
    /// hides behind a coarse modification time.
    pub fn follow_file(&self, every: std::time::Duration) -> crate::AbortOnDrop {
        let store = self.clone();
        crate::AbortOnDrop(tokio::spawn(async move {
            let path = store.home.settings_file();
            let mut seen = None;
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                let (s, path, last) = (store.clone(), path.clone(), seen.take());
                // Writers rename a whole file into place: what is read is never half a file.
                let looked = tokio::task::spawn_blocking(move || match std::fs::read(&path) {
                    Ok(now) if Some(&now) != last.as_ref() => {
                        s.reload();
                        Some(now)
                    }
                    _ => last,
                });
                match looked.await {
                    Ok(now) => seen = now,
                    Err(_) => return,
                }
            }
        }))
    }

    fn publish(&self, settings: Settings) {
        self.all.send_if_modified(|s| std::mem::replace(s, settings.clone()) != settings);
    }

    /// Held while a change is read, made and saved; released when dropped. Where the file system
    /// offers no lock (some network shares), the change is made without one rather than lost.
    fn lock_file(&self) -> Option<std::fs::File> {
        let path = self.home.settings_file().with_extension("json.lock");
        let locked = (|| {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let file = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&path)?;
            file.lock()?;
            Ok::<_, std::io::Error>(file)
        })();
        locked.map_err(|e| tracing::warn!(error = %e, path = %path.display(), "settings saved without a lock")).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn quiet_hours_over_midnight_and_within_a_day() {
        let night = QuietHours::parse("21:00-08:00").unwrap();
        for (at, quiet) in [(t(20, 59), false), (t(21, 0), true), (t(23, 30), true), (t(7, 59), true), (t(8, 0), false)]
        {
            assert_eq!(night.contains(at), quiet, "{at}");
        }
        let lunch = QuietHours::parse("12:00-13:00").unwrap();
        assert!(lunch.contains(t(12, 30)) && !lunch.contains(t(13, 0)) && !lunch.contains(t(11, 59)));
        assert_eq!(night.to_string(), "21:00-08:00");
        assert_eq!(QuietHours::parse("9pm-8am"), None);
    }

    #[test]
    fn mute_wins_until_it_runs_out_then_quiet_hours_apply() {
        let now = Utc::now();
        let s = AlertSettings {
            muted_until: Some(now + chrono::Duration::hours(1)),
            quiet_hours: QuietHours::parse("00:00-23:59"),
            ..AlertSettings::default()
        };
        assert_eq!(s.hush(now, t(12, 0)), Some(Hush::Muted { until: now + chrono::Duration::hours(1) }));
        assert_eq!(s.hush(now + chrono::Duration::hours(2), t(12, 0)), Some(Hush::QuietHours));
        assert_eq!(AlertSettings::default().hush(now, t(12, 0)), None);
    }

    #[test]
    fn vendor_leads_alert_by_default_imports_do_not() {
        let s = AlertSettings::default();
        assert!(s.alerts_for(Some(LeadSource::NextGen)) && s.alerts_for(Some(LeadSource::Marketplace)));
        assert!(!s.alerts_for(Some(LeadSource::CsvImport)) && !s.alerts_for(Some(LeadSource::ManualEntry)));
        assert!(!s.alerts_for(None));
    }

    #[test]
    fn saves_and_loads_and_survives_a_damaged_file() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::at(dir.path());
        assert_eq!(Settings::load(&home), Settings::default(), "no file: defaults");

        let mut s = Settings::default();
        s.alerts.sound = Sound::Bell;
        s.alerts.volume = 0.25;
        s.alerts.quiet_hours = QuietHours::parse("21:00-08:00");
        s.save(&home).unwrap();
        assert_eq!(Settings::load(&home), s);
        let text = std::fs::read_to_string(home.settings_file()).unwrap();
        assert!(text.contains(r#""quietHours""#) && text.contains(r#""21:00""#), "{text}");

        std::fs::write(home.settings_file(), "{ not json").unwrap();
        assert_eq!(Settings::load(&home), Settings::default());
        assert!(dir.path().join("settings.json.bad").exists(), "the damaged file is kept for a look");
    }

    /// A file damaged or gone while the app runs never resets what is in force; the next change
    /// starts from what is in force, and keeps the damaged file aside.
    #[test]
    fn a_running_app_keeps_its_settings_when_the_file_goes_bad() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::at(dir.path());
        let store = SettingsStore::open(&home);
        store.update(|s| s.alerts.sound = Sound::Triple).unwrap();

        std::fs::write(home.settings_file(), "{ half a hand edit").unwrap();
        store.reload();
        assert_eq!(store.alerts().sound, Sound::Triple, "a damaged file is not defaults");
        assert!(home.settings_file().exists(), "following the file never moves it");

        store.update(|s| s.alerts.volume = 0.5).unwrap();
        let saved = Settings::load(&home);
        assert_eq!((saved.alerts.sound, saved.alerts.volume), (Sound::Triple, 0.5));
        assert!(dir.path().join("settings.json.bad").exists(), "the damaged file is kept for a look");

        std::fs::remove_file(home.settings_file()).unwrap();
        store.reload();
        assert_eq!(store.alerts().sound, Sound::Triple, "a missing file is not defaults either");
    }

    #[test]
    fn out_of_range_values_are_brought_into_range() {
        let s: Settings = serde_json::from_str(r#"{"alerts":{"volume":7,"device":" "}}"#).unwrap();
        let a = s.alerts.clamped();
        assert_eq!((a.volume, a.device), (1.0, None));
        let old: Settings = serde_json::from_str(r#"{"alerts":{"sound":"bell"},"later":1}"#).unwrap();
        assert_eq!(old.alerts.sound, Sound::Bell, "unknown keys from a newer app are ignored");
        assert!(old.alerts.alerts_for(Some(LeadSource::NextGen)), "missing keys take defaults");
    }
}
