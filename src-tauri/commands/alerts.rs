use crokodial_client::alert::{self, Sound};
use crokodial_client::settings::volume_from_percent;
use crokodial_core::LeadSource;
use tauri::{AppHandle, Manager, State};

use crate::dto::{AlertPanel, AlertSettings, AlertSound, AudioHealth};
use crate::error::{AppError, CmdResult, ErrorCode};
use crate::state::AppState;

#[tauri::command]
pub fn alert_panel(state: State<'_, AppState>) -> AlertPanel {
    panel(&state)
}

#[tauri::command]
pub async fn save_alert_settings(
    app: AppHandle,
    state: State<'_, AppState>,
    settings: AlertSettings,
) -> CmdResult<AlertPanel> {
    let current = state.alerts();
    let next = settings.to_engine(&current).map_err(|m| AppError::new(ErrorCode::InvalidInput, m))?;
    if next.device != current.device {
        state.alert.use_device(next.device.clone()).await;
    }
    apply(&app, next)?;
    Ok(panel(&state))
}

/// Plays a sound now, as a new lead would: the saved one, or the one being chosen on screen.
#[tauri::command]
pub async fn test_alert(state: State<'_, AppState>, sound: Option<AlertSound>, volume: Option<u8>) -> CmdResult<()> {
    let a = state.alerts();
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
    let mut next = app.state::<AppState>().alerts();
    next.mute_for(minutes, chrono::Utc::now());
    apply(app, next)?;
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

/// Saves and applies new alert settings, and tells the UI and the tray.
fn apply(app: &AppHandle, next: crokodial_client::settings::AlertSettings) -> CmdResult<()> {
    let state = app.state::<AppState>();
    state.set_alerts(next).map_err(AppError::internal)?;
    crate::live::alert_settings_changed(app);
    Ok(())
}

fn panel(state: &AppState) -> AlertPanel {
    AlertPanel {
        settings: AlertSettings::from(&state.alerts()),
        sounds: Sound::ALL.into_iter().map(AlertSound::from).collect(),
        devices: alert::output_devices(),
        sources: LeadSource::ALL.iter().map(|s| s.as_str().to_owned()).collect(),
        audio: AudioHealth::from(&state.alert.status()),
    }
}
