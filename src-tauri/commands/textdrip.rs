//! The rep's own Textdrip: connect (the token goes from the form to the keychain and never comes
//! back), status, disconnect; texting a lead and adding them to a campaign.

use crokodial_client::settings::TextTemplate as KeptTemplate;
use crokodial_client::textdrip;
use crokodial_core::phone::format_us;
use serde::{Deserialize, Serialize};
use tauri::State;
use ts_rs::TS;

use crate::error::{AppError, CmdResult};
use crate::state::AppState;

#[tauri::command]
pub async fn textdrip_status(state: State<'_, AppState>) -> CmdResult<TextdripStatus> {
    Ok(state.account()?.textdrip_status().await.into())
}

/// Checks the token with Textdrip, then keeps it in the OS keychain. Nothing of it is returned.
#[tauri::command]
pub async fn textdrip_connect(state: State<'_, AppState>, token: String) -> CmdResult<TextdripStatus> {
    state.account()?.connect_textdrip(&token).await?;
    tracing::info!("Textdrip connected");
    Ok(textdrip::Status::Connected.into())
}

#[tauri::command]
pub async fn textdrip_disconnect(state: State<'_, AppState>) -> CmdResult<TextdripStatus> {
    state.account()?.disconnect_textdrip().await?;
    tracing::info!("Textdrip disconnected");
    Ok(textdrip::Status::NotConnected.into())
}

#[tauri::command]
pub async fn textdrip_campaigns(state: State<'_, AppState>) -> CmdResult<Vec<TextdripCampaign>> {
    let list = state.account()?.texting()?.campaigns().await?;
    Ok(list.into_iter().map(|c| TextdripCampaign { id: c.id, title: c.title }).collect())
}

#[tauri::command]
pub fn text_templates(state: State<'_, AppState>) -> Vec<TextTemplate> {
    state.settings.get().text_templates.into_iter().map(|t| TextTemplate { name: t.name, body: t.body }).collect()
}

#[tauri::command]
pub fn save_text_templates(state: State<'_, AppState>, templates: Vec<TextTemplate>) -> CmdResult<()> {
    let templates: Vec<KeptTemplate> = templates
        .into_iter()
        .filter(|t| !t.name.trim().is_empty())
        .map(|t| KeptTemplate { name: t.name.trim().to_owned(), body: t.body })
        .collect();
    state.settings.update(|s| s.text_templates = templates).map_err(AppError::internal)
}

/// The text as it would go. Without Textdrip connected, there are no senders but the rest is there.
#[tauri::command]
pub async fn textdrip_compose(
    state: State<'_, AppState>,
    lead_id: String,
    message: String,
    sender: Option<String>,
) -> CmdResult<TextPreview> {
    let account = state.account()?;
    let lead = account.lead(&lead_id).await?;
    let (text, phones) = account.preview_text(&lead, &message, sender.as_deref()).await;
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
    let account = state.account()?;
    let lead = account.lead(&lead_id).await?;
    let sent = account.send_text(&lead, &message, sender.as_deref(), confirm_outside_hours).await?;
    Ok(TextSent { to: format_us(&sent.to), sender: sent.sender.as_deref().map(format_us) })
}

#[tauri::command]
pub async fn textdrip_contact(state: State<'_, AppState>, lead_id: String) -> CmdResult<TextdripContact> {
    let account = state.account()?;
    let contact = account.texting()?.contact(&account.lead(&lead_id).await?).await?;
    Ok(TextdripContact { exists: contact.is_some(), opted_out: contact.is_some_and(|c| c.opted_out) })
}

#[tauri::command]
pub async fn textdrip_add_to_campaign(
    state: State<'_, AppState>,
    lead_id: String,
    campaign_id: String,
) -> CmdResult<TextdripContact> {
    let account = state.account()?;
    let contact = account.add_to_campaign(&account.lead(&lead_id).await?, &campaign_id).await?;
    Ok(TextdripContact { exists: true, opted_out: contact.opted_out })
}

// What crosses to the UI (TypeScript in ui/src/lib/bindings.ts).

/// Whether the rep's Textdrip is usable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum TextdripState {
    Connected,
    NotConnected,
    /// Textdrip refused the kept token: connect again.
    Invalid,
    KeychainUnavailable,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct TextdripStatus {
    pub state: TextdripState,
    /// What to do, in words, for every state but connected.
    pub detail: Option<String>,
}

impl From<textdrip::Status> for TextdripStatus {
    fn from(s: textdrip::Status) -> Self {
        let (state, detail) = match s {
            textdrip::Status::Connected => (TextdripState::Connected, None),
            textdrip::Status::NotConnected => {
                (TextdripState::NotConnected, Some("Paste your API token from Textdrip's settings to connect.".into()))
            }
            textdrip::Status::Invalid => (
                TextdripState::Invalid,
                Some("Textdrip refused the kept token (revoked or changed). Connect again with a new token.".into()),
            ),
            textdrip::Status::KeychainUnavailable(why) => (TextdripState::KeychainUnavailable, Some(why)),
        };
        TextdripStatus { state, detail }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct TextdripCampaign {
    pub id: String,
    pub title: String,
}

/// A sender number of the rep's account (its phone token stays in Rust).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct TextdripSender {
    /// E.164: the value to send back as the chosen sender.
    pub phone: String,
    /// For people to read.
    pub display: String,
    pub primary: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct TextdripContact {
    pub exists: bool,
    #[serde(rename = "optedOut")]
    pub opted_out: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum TextEncoding {
    Gsm7,
    Ucs2,
}

/// A text as it would go to a lead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TextPreview {
    /// The message with the lead's fields filled in.
    pub text: String,
    #[ts(type = "number")]
    pub chars: u64,
    #[ts(type = "number")]
    pub segments: u64,
    pub encoding: TextEncoding,
    /// Placeholders the lead has no value for, or that are not fields.
    pub missing: Vec<String>,
    /// The lead's phone, for people to read; null when it has none Textdrip can text.
    pub to: Option<String>,
    /// The sender chosen: one of `senders`' `phone`.
    pub sender: Option<String>,
    pub senders: Vec<TextdripSender>,
    /// The lead's local time, e.g. "8:15 PM CST"; null when unknown.
    pub local_time: Option<String>,
    /// Today's calling hours in the lead's state, e.g. "8 AM–8 PM" (texts keep to them too).
    pub hours: Option<String>,
    /// Outside those hours, or the lead's local time is unknown: sending needs confirmation.
    pub outside_hours: bool,
    /// Textdrip says the lead opted out: no text can go.
    pub opted_out: bool,
}

impl TextPreview {
    pub fn new(c: &textdrip::Compose, phones: &[textdrip::SenderPhone]) -> Self {
        TextPreview {
            text: c.rendered.text.clone(),
            chars: c.length.chars as u64,
            segments: c.length.segments as u64,
            encoding: match c.length.encoding {
                crokodial_core::textdrip::Encoding::Gsm7 => TextEncoding::Gsm7,
                crokodial_core::textdrip::Encoding::Ucs2 => TextEncoding::Ucs2,
            },
            missing: c.rendered.missing.clone(),
            to: c.to.as_deref().map(format_us),
            sender: c.sender.and_then(|i| phones.get(i)).map(|p| p.phone.clone()),
            senders: phones
                .iter()
                .map(|p| TextdripSender { phone: p.phone.clone(), display: format_us(&p.phone), primary: p.primary })
                .collect(),
            local_time: c.local.as_ref().map(|l| l.local_time.clone()),
            hours: c.local.as_ref().map(|l| l.hours.clone()),
            // Unknown local time asks for the same confirmation.
            outside_hours: c.local.as_ref().is_none_or(|l| !l.open),
            opted_out: c.opted_out,
        }
    }
}

/// Where a text went, for people to read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct TextSent {
    pub to: String,
    pub sender: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TextTemplate {
    pub name: String,
    pub body: String,
}
