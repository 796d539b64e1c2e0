use chrono::NaiveTime;
use crokodial_client::alert::{self, Sound};
use crokodial_client::settings::{self, volume_from_percent, QuietHours};
use crokodial_core::{rfc3339, LeadSource};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Manager, State};
use ts_rs::TS;

use crate::error::{AppError, CmdResult, ErrorCode};
use crate::state::AppState;

#[tauri::command]
pub fn alert_panel(state: State<'_, AppState>) -> AlertPanel {
    panel(&state)
}

/// Saves the alert settings; `live::watch_settings` puts them in force (the output too).
#[tauri::command]
pub fn save_alert_settings(state: State<'_, AppState>, settings: AlertSettings) -> CmdResult<AlertPanel> {
    let next = settings.to_engine(&state.settings.alerts()).map_err(|m| AppError::new(ErrorCode::InvalidInput, m))?;
    state.settings.update(|s| s.alerts = next).map_err(AppError::internal)?;
    Ok(panel(&state))
}

/// Plays a sound now, as a new lead would: the saved one, or the one being chosen on screen.
#[tauri::command]
pub async fn test_alert(state: State<'_, AppState>, sound: Option<AlertSound>, volume: Option<u8>) -> CmdResult<()> {
    let a = state.settings.alerts();
    let sound = sound.map_or(a.sound, Sound::from);
    let volume = volume.map_or(a.volume, volume_from_percent);
    let mut playback = state.alert.play(sound, volume);
    if playback.started_after().await.is_some() {
        return Ok(());
    }
    let status = state.alert.status();
    let why = status.problem().unwrap_or("the sound could not start");
    Err(AppError::new(ErrorCode::NoSound, format!("No sound output: {why}")))
}

/// Mutes alert sounds for `minutes` (0: unmute).
#[tauri::command]
pub fn mute_alerts(app: AppHandle, state: State<'_, AppState>, minutes: u32) -> CmdResult<AlertPanel> {
    mute(&app, minutes)?;
    Ok(panel(&state))
}

/// Mutes for `minutes` (0: unmute); the tray menu uses this too.
pub fn mute(app: &AppHandle, minutes: u32) -> CmdResult<()> {
    let settings = &app.state::<AppState>().settings;
    settings.update(|s| s.alerts.mute_for(minutes, chrono::Utc::now())).map_err(AppError::internal)?;
    if minutes > 0 {
        // Tell the tray and the UI again when the mute runs out.
        let app = app.clone();
        tauri::async_runtime::spawn(async move {
            tokio::time::sleep(std::time::Duration::from_secs(u64::from(minutes) * 60 + 1)).await;
            crate::live::alert_settings_changed(&app);
        });
    }
    Ok(())
}

fn panel(state: &AppState) -> AlertPanel {
    AlertPanel {
        settings: AlertSettings::from(&state.settings.alerts()),
        sounds: Sound::ALL.into_iter().map(AlertSound::from).collect(),
        devices: alert::output_devices(),
        sources: LeadSource::ALL.iter().map(|s| s.as_str().to_owned()).collect(),
        audio: AudioHealth::from(&state.alert.status()),
    }
}

// What crosses to the UI (TypeScript in ui/src/lib/bindings.ts).

/// The alert settings as the settings screen edits them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AlertSettings {
    pub sound: AlertSound,
    /// 0 to 100.
    pub volume: u8,
    /// An output device by name; null follows the system default.
    pub device: Option<String>,
    /// Quiet hours ("HH:MM", local time): both set, or both null for none.
    pub quiet_start: Option<String>,
    pub quiet_end: Option<String>,
    /// RFC 3339; set by the mute command, ignored when saving.
    pub muted_until: Option<String>,
    /// The sources that alert, in the server's spelling ("NextGen", "CSV Import").
    pub sources: Vec<String>,
    pub taskbar_attention: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum AlertSound {
    Chime,
    Bell,
    Triple,
    /// A callback is due (played by `test_alert`; not a lead sound).
    Reminder,
}

impl From<Sound> for AlertSound {
    fn from(s: Sound) -> Self {
        match s {
            Sound::Chime => AlertSound::Chime,
            Sound::Bell => AlertSound::Bell,
            Sound::Triple => AlertSound::Triple,
            Sound::Reminder => AlertSound::Reminder,
        }
    }
}

impl From<AlertSound> for Sound {
    fn from(s: AlertSound) -> Self {
        match s {
            AlertSound::Chime => Sound::Chime,
            AlertSound::Bell => Sound::Bell,
            AlertSound::Triple => Sound::Triple,
            AlertSound::Reminder => Sound::Reminder,
        }
    }
}

impl From<&settings::AlertSettings> for AlertSettings {
    fn from(a: &settings::AlertSettings) -> Self {
        let hhmm = |t: NaiveTime| t.format("%H:%M").to_string();
        AlertSettings {
            sound: a.sound.into(),
            volume: a.volume_percent(),
            device: a.device.clone(),
            quiet_start: a.quiet_hours.map(|q| hhmm(q.start)),
            quiet_end: a.quiet_hours.map(|q| hhmm(q.end)),
            muted_until: a.muted_until.map(rfc3339),
            sources: a.sources.iter().map(|s| s.as_str().to_owned()).collect(),
            taskbar_attention: a.taskbar_attention,
        }
    }
}

impl AlertSettings {
    /// The engine's settings, or what is wrong with these. `muted_until` is kept from `current`.
    pub fn to_engine(&self, current: &settings::AlertSettings) -> Result<settings::AlertSettings, String> {
        let time = |s: &str| NaiveTime::parse_from_str(s.trim(), "%H:%M").map_err(|_| format!("{s:?} is not HH:MM"));
        let quiet_hours = match (self.quiet_start.as_deref(), self.quiet_end.as_deref()) {
            (None, None) => None,
            (Some(a), Some(b)) => Some(QuietHours { start: time(a)?, end: time(b)? }),
            _ => return Err("quiet hours need both a start and an end".into()),
        };
        if self.sound == AlertSound::Reminder {
            return Err("the reminder is the callbacks' own sound, not one for leads".into());
        }
        let sources = self
            .sources
            .iter()
            .map(|s| LeadSource::parse(s).ok_or_else(|| format!("{s:?} is not a lead source")))
            .collect::<Result<_, _>>()?;
        Ok(settings::AlertSettings {
            sound: self.sound.into(),
            volume: settings::volume_from_percent(self.volume),
            device: self.device.clone(),
            quiet_hours,
            muted_until: current.muted_until,
            sources,
            taskbar_attention: self.taskbar_attention,
        }
        .clamped())
    }
}

/// The settings screen's alert section: the settings and the choices it offers.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AlertPanel {
    pub settings: AlertSettings,
    pub sounds: Vec<AlertSound>,
    /// Output devices the system offers, by name.
    pub devices: Vec<String>,
    /// Every lead source, in the server's spelling.
    pub sources: Vec<String>,
    pub audio: AudioHealth,
}

/// Where alerts sound, sent with the `audio-changed` event when an output goes or comes back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AudioHealth {
    /// No output could be opened: alerts are silent.
    pub silent: bool,
    /// What the rep should know: why alerts are silent, or that the chosen output is missing and
    /// alerts play on the default one. `None` when all is as chosen.
    pub problem: Option<String>,
}

impl From<&crokodial_client::alert::AudioStatus> for AudioHealth {
    fn from(status: &crokodial_client::alert::AudioStatus) -> Self {
        use crokodial_client::alert::AudioStatus;
        AudioHealth { silent: matches!(status, AudioStatus::NoOutput(_)), problem: status.problem().map(str::to_owned) }
    }
}
