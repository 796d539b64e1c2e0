//! The rep's own Textdrip: connect (the token goes from the form to the keychain and never comes
//! back), status, disconnect; texting a lead and adding them to a campaign.

use std::sync::Arc;

use crokodial_client::settings::{Settings, TextTemplate as KeptTemplate};
use crokodial_client::textdrip::{self, Texting};
use tauri::State;

use crate::dto::{TextPreview, TextSent, TextTemplate, TextdripCampaign, TextdripContact, TextdripStatus};
use crate::error::{AppError, CmdResult};
use crate::state::AppState;

/// The session's Textdrip, opened from the keychain on first use.
fn texting(state: &AppState) -> CmdResult<Arc<Texting>> {
    let session = state.signed_in()?;
    let mut slot = state.texting.lock().expect("texting lock");
    if let Some(t) = slot.as_ref() {
        return Ok(Arc::clone(t));
    }
    let t = Arc::new(Texting::open(&state.keychain, &session)?);
    *slot = Some(Arc::clone(&t));
    Ok(t)
}

#[tauri::command]
pub async fn textdrip_status(state: State<'_, AppState>) -> CmdResult<TextdripStatus> {
    let session = state.signed_in()?;
    Ok(Texting::status(&state.keychain, &session).await.into())
}

/// Checks the token with Textdrip, then keeps it in the OS keychain. Nothing of it is returned.
#[tauri::command]
pub async fn textdrip_connect(state: State<'_, AppState>, token: String) -> CmdResult<TextdripStatus> {
    let session = state.signed_in()?;
    let texting = Texting::connect(&state.keychain, &session, &token).await?;
    *state.texting.lock().expect("texting lock") = Some(Arc::new(texting));
    tracing::info!("Textdrip connected");
    Ok(textdrip::Status::Connected.into())
}

#[tauri::command]
pub async fn textdrip_disconnect(state: State<'_, AppState>) -> CmdResult<TextdripStatus> {
    let session = state.signed_in()?;
    state.texting.lock().expect("texting lock").take();
    Texting::disconnect(&state.keychain, &session).await?;
    tracing::info!("Textdrip disconnected");
    Ok(textdrip::Status::NotConnected.into())
}

#[tauri::command]
pub async fn textdrip_campaigns(state: State<'_, AppState>) -> CmdResult<Vec<TextdripCampaign>> {
    let list = texting(&state)?.campaigns().await?;
    Ok(list.into_iter().map(|c| TextdripCampaign { id: c.id, title: c.title }).collect())
}

#[tauri::command]
pub fn text_templates(state: State<'_, AppState>) -> Vec<TextTemplate> {
    Settings::load(&state.home)
        .text_templates
        .into_iter()
        .map(|t| TextTemplate { name: t.name, body: t.body })
        .collect()
}

#[tauri::command]
pub fn save_text_templates(state: State<'_, AppState>, templates: Vec<TextTemplate>) -> CmdResult<()> {
    let mut settings = Settings::load(&state.home);
    settings.text_templates = templates
        .into_iter()
        .filter(|t| !t.name.trim().is_empty())
        .map(|t| KeptTemplate { name: t.name.trim().to_owned(), body: t.body })
        .collect();
    settings.save(&state.home).map_err(AppError::internal)
}

/// The text as it would go. Without Textdrip connected, there are no senders but the rest is there.
#[tauri::command]
pub async fn textdrip_compose(
    state: State<'_, AppState>,
    lead_id: String,
    message: String,
    sender: Option<String>,
) -> CmdResult<TextPreview> {
    let lead = super::leads::cached_lead(&state, &lead_id).await?;
    let agent = state.signed_in()?.user().name.clone();
    let now = chrono::Utc::now();
    let (text, phones) = match texting(&state) {
        Ok(t) => t.preview(&lead, &message, &agent, sender.as_deref(), now).await,
        Err(_) => (textdrip::compose(&lead, &message, &agent, &[], sender.as_deref(), now), Vec::new()),
    };
    Ok(TextPreview::new(&text, &phones))
}

#[tauri::command]
pub async fn textdrip_send(
    state: State<'_, AppState>,
    lead_id: String,
    message: String,
    sender: Option<String>,
    confirm_outside_hours: bool,
) -> CmdResult<TextSent> {
    let lead = super::leads::cached_lead(&state, &lead_id).await?;
    let agent = state.signed_in()?.user().name.clone();
    let sent = texting(&state)?
        .send(&lead, &message, &agent, sender.as_deref(), confirm_outside_hours, chrono::Utc::now())
        .await?;
    Ok(TextSent { to: sent.to, sender: sent.sender })
}

#[tauri::command]
pub async fn textdrip_contact(state: State<'_, AppState>, lead_id: String) -> CmdResult<TextdripContact> {
    let lead = super::leads::cached_lead(&state, &lead_id).await?;
    let contact = texting(&state)?.contact(&lead).await?;
    Ok(TextdripContact { exists: contact.is_some(), opted_out: contact.is_some_and(|c| c.opted_out) })
}

#[tauri::command]
pub async fn textdrip_add_to_campaign(
    state: State<'_, AppState>,
    lead_id: String,
    campaign_id: String,
) -> CmdResult<TextdripContact> {
    let lead = super::leads::cached_lead(&state, &lead_id).await?;
    let contact = texting(&state)?.add_to_campaign(&lead, &campaign_id).await?;
    Ok(TextdripContact { exists: true, opted_out: contact.opted_out })
}
