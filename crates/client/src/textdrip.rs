//! Each rep's own Textdrip (SMS) account: the token in the OS keychain and nowhere else; the
//! Textdrip API called from here (never from the web view); texting a lead and adding them to a
//! campaign, with the rules of `crokodial_core::textdrip` (templates, length, sender, local hours).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use crokodial_core::calling::Window;
use crokodial_core::textdrip::{self as rules, Rendered, Sender, SmsLength};
use crokodial_core::Lead;
use reqwest::StatusCode;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};
use url::Url;

use crate::secrets::{KeychainError, SecretStore, Sensitive};
use crate::session::Session;

/// Textdrip's API.
pub const DEFAULT_URL: &str = "https://api.textdrip.com/api";
/// Points the engine at another Textdrip (tests use a local stand-in).
pub const URL_ENV: &str = "CROKODIAL_TEXTDRIP_URL";
/// How long a fetched campaign or phone list is used before asking again.
pub const LIST_TTL: Duration = Duration::from_secs(300);
/// Tries of a call Textdrip answers 429 (too many requests).
const TRIES: u32 = 4;
/// Longest wait between tries, whatever `Retry-After` asks.
const MAX_WAIT: Duration = Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
pub enum TextdripError {
    #[error("Textdrip is not connected: connect your Textdrip account first")]
    NotConnected,
    #[error("Textdrip refused the token (it was revoked or is wrong): connect Textdrip again with a new token")]
    InvalidToken,
    #[error("Textdrip is busy (too many requests); try again in a minute")]
    RateLimited,
    #[error("Textdrip did not answer within {0} s")]
    Timeout(u64),
    #[error("cannot reach Textdrip: {0}")]
    Network(String),
    #[error("Textdrip refused: {message}")]
    Refused { status: u16, message: String },
    #[error("Textdrip answered {status}: {message}")]
    Unexpected { status: u16, message: String },
    #[error("this lead has no phone number Textdrip can text")]
    NoPhone,
    #[error("this lead opted out of texts")]
    OptedOut,
    #[error("this lead's phone is on the do-not-call list: no texts")]
    DoNotCall,
    #[error("it is {time} for this lead, outside their hours ({hours}); confirm to send anyway")]
    OutsideHours { time: String, hours: String },
    #[error("this lead's local time is unknown (no time zone, state, zip code or US phone); confirm to send anyway")]
    UnknownLocalTime,
    #[error("{0}")]
    InvalidInput(String),
    #[error(transparent)]
    Keychain(#[from] KeychainError),
}

pub type Result<T, E = TextdripError> = std::result::Result<T, E>;

/// The keychain account of `email`'s Textdrip token for `server`.
pub fn keychain_account(server: &str, email: &str) -> String {
    format!("textdrip:{}@{}", email.to_lowercase(), server.trim_end_matches('/'))
}

fn account_of(session: &Session) -> String {
    keychain_account(&session.profile.server_url, &session.user().email)
}

/// A campaign of the rep's account.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Campaign {
    pub id: String,
    #[serde(default)]
    pub title: String,
}

/// One of the account's sender numbers. The phone token picks it in a send.
#[derive(Clone, PartialEq, Eq, Deserialize)]
pub struct SenderPhone {
    pub phone: String,
    #[serde(default)]
    pub phone_token: String,
    #[serde(default, deserialize_with = "truthy")]
    pub primary: bool,
}

impl std::fmt::Debug for SenderPhone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SenderPhone").field("phone", &self.phone).field("primary", &self.primary).finish()
    }
}

/// A lead as a Textdrip contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub id: String,
    pub opted_out: bool,
}

/// Textdrip sends booleans as `true`, `1` or `"1"`.
fn truthy<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<bool, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Bool(b) => b,
        Value::Number(n) => n.as_i64().unwrap_or(0) != 0,
        Value::String(s) => matches!(s.as_str(), "1" | "true" | "yes"),
        _ => false,
    })
}

/// The Textdrip API with one rep's token.
#[derive(Clone)]
pub struct TextdripClient {
    base: Url,
    http: reqwest::Client,
    token: Sensitive<String>,
    timeout: Duration,
}

impl std::fmt::Debug for TextdripClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TextdripClient").field("base", &self.base.as_str()).field("token", &self.token).finish()
    }
}

impl TextdripClient {
    /// A client of `CROKODIAL_TEXTDRIP_URL`, else Textdrip itself.
    pub fn new(token: Sensitive<String>) -> Result<Self> {
        let base = std::env::var(URL_ENV).ok().filter(|u| !u.trim().is_empty());
        Self::with_base(base.as_deref().unwrap_or(DEFAULT_URL), token, Duration::from_secs(20))
    }

    pub fn with_base(base: &str, token: Sensitive<String>, timeout: Duration) -> Result<Self> {
        let mut base =
            Url::parse(base.trim()).map_err(|e| TextdripError::InvalidInput(format!("Textdrip URL: {e}")))?;
        if !base.path().ends_with('/') {
            base.set_path(&format!("{}/", base.path()));
        }
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10).min(timeout))
            .timeout(timeout)
            .user_agent(concat!("crokodial/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| TextdripError::Network(e.to_string()))?;
        Ok(TextdripClient { base, http, token, timeout })
    }

    /// One `POST` of the API, tried again after a 429 (as long as `Retry-After` says, else 1, 2,
    /// 4 s; at most [`MAX_WAIT`] a wait).
    async fn call<T: DeserializeOwned>(&self, path: &str, body: Value, phone_token: Option<&str>) -> Result<T> {
        let url = self.base.join(path).map_err(|e| TextdripError::InvalidInput(e.to_string()))?;
        let mut backoff = Duration::from_secs(1);
        for attempt in 1..=TRIES {
            let mut req =
                self.http.post(url.clone()).bearer_auth(&self.token.0).header("Accept", "application/json").json(&body);
            if let Some(t) = phone_token {
                req = req.header("phone-token", t);
            }
            let resp = req.send().await.map_err(|e| self.transport(e))?;
            let status = resp.status();
            if status == StatusCode::TOO_MANY_REQUESTS {
                if attempt == TRIES {
                    return Err(TextdripError::RateLimited);
                }
                let asked = resp
                    .headers()
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .map(Duration::from_secs);
                let wait = asked.unwrap_or(backoff).min(MAX_WAIT);
                tracing::info!(path, wait_ms = wait.as_millis() as u64, "Textdrip answered 429; waiting");
                tokio::time::sleep(wait).await;
                backoff *= 2;
                continue;
            }
            let bytes = resp.bytes().await.map_err(|e| self.transport(e))?;
            let value: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
            let message = value.get("message").and_then(Value::as_str).unwrap_or_default().to_owned();
            return match status {
                StatusCode::UNAUTHORIZED => Err(TextdripError::InvalidToken),
                s if s.is_success() => {
                    if value.get("status").and_then(Value::as_bool) == Some(false) {
                        let message = if message.is_empty() { "no reason given".into() } else { message };
                        return Err(TextdripError::Refused { status: s.as_u16(), message });
                    }
                    serde_json::from_value(value).map_err(|e| TextdripError::Unexpected {
                        status: s.as_u16(),
                        message: format!("unexpected answer: {e}"),
                    })
                }
                s if s.is_client_error() => Err(TextdripError::Refused {
                    status: s.as_u16(),
                    message: if message.is_empty() {
                        s.canonical_reason().unwrap_or("refused").to_owned()
                    } else {
                        message
                    },
                }),
                s => Err(TextdripError::Unexpected { status: s.as_u16(), message }),
            };
        }
        unreachable!("the last try returns")
    }

    fn transport(&self, e: reqwest::Error) -> TextdripError {
        if e.is_timeout() {
            TextdripError::Timeout(self.timeout.as_secs().max(1))
        } else {
            TextdripError::Network(e.to_string())
        }
    }

    /// Checks the token with Textdrip (`/profile`).
    pub async fn check(&self) -> Result<()> {
        self.call::<Value>("profile", json!({}), None).await.map(drop)
    }

    pub async fn campaigns(&self) -> Result<Vec<Campaign>> {
        #[derive(Deserialize)]
        struct Answer {
            #[serde(default)]
            data: Vec<Campaign>,
        }
        Ok(self.call::<Answer>("get-campaign", json!({}), None).await?.data)
    }

    pub async fn phones(&self) -> Result<Vec<SenderPhone>> {
        #[derive(Deserialize)]
        struct Answer {
            #[serde(default)]
            data: Vec<SenderPhone>,
        }
        Ok(self.call::<Answer>("get-phone-list", json!({}), None).await?.data)
    }

    /// The contact with this phone (E.164), if Textdrip has one.
    pub async fn contact(&self, phone: &str) -> Result<Option<Contact>> {
        #[derive(Deserialize)]
        struct Found {
            id: Value,
            #[serde(default, deserialize_with = "truthy")]
            opted_out: bool,
        }
        #[derive(Deserialize)]
        struct Answer {
            contact: Option<Found>,
        }
        match self.call::<Answer>("get-contact-detail", json!({ "phone": phone }), None).await {
            Ok(Answer { contact: Some(c) }) => {
                let id = match c.id {
                    Value::String(s) => s,
                    other => other.to_string(),
                };
                Ok(Some(Contact { id, opted_out: c.opted_out }))
            }
            Ok(Answer { contact: None }) => Ok(None),
            // Textdrip's "no such contact"; any other refusal (a 404 of a moved route) is an error.
            Err(TextdripError::Refused { status: 400, message })
                if message.eq_ignore_ascii_case("contact not found") =>
            {
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// Creates the lead as a contact (Textdrip answers no id: look it up after).
    async fn create_contact(&self, lead: &Lead, phone: &str) -> Result<()> {
        let body = json!({
            "name": lead.name,
            "phone": phone,
            "email": lead.email.clone().unwrap_or_default(),
            "state": lead.state.clone().unwrap_or_default(),
            "zipcode": lead.zipcode.clone().unwrap_or_default(),
            "birthdate": lead.dob.clone().unwrap_or_default(),
            "campaign": "",
            "opted_out": 0,
        });
        self.call::<Value>("create-contact", body, None).await.map(drop)
    }

    /// Sends `message` to `receiver` (E.164) from the sender `phone_token` picks (else the
    /// account's default).
    pub async fn send_message(&self, receiver: &str, message: &str, phone_token: Option<&str>) -> Result<()> {
        let body = json!({ "receiver": receiver, "message": message });
        self.call::<Value>("send-message", body, phone_token.filter(|t| !t.is_empty())).await.map(drop)
    }

    async fn add_campaign(&self, contact_id: &str, campaign_id: &str) -> Result<()> {
        let body = json!({ "contact_id": contact_id, "campaign_id": campaign_id, "already_scheduled_remove": false });
        self.call::<Value>("add-campaign", body, None).await.map(drop)
    }
}

/// Whether the rep's Textdrip is usable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Connected,
    NotConnected,
    /// Textdrip refused the kept token: connect again.
    Invalid,
    /// The keychain could not be read (locked, or no keyring service); says what to do.
    KeychainUnavailable(String),
}

/// The rep's Textdrip while logged in: the client, and what it fetched lately (lists, and the
/// contacts looked up for previews, by phone).
pub struct Texting {
    client: TextdripClient,
    campaigns: Mutex<Option<(Instant, Vec<Campaign>)>>,
    phones: Mutex<Option<(Instant, Vec<SenderPhone>)>>,
    contacts: Mutex<HashMap<String, (Instant, Option<Contact>)>>,
}

impl Texting {
    pub fn new(client: TextdripClient) -> Self {
        Texting { client, campaigns: Mutex::new(None), phones: Mutex::new(None), contacts: Mutex::new(HashMap::new()) }
    }

    /// The kept token's Textdrip; `NotConnected` when there is none.
    pub fn open(secrets: &dyn SecretStore, session: &Session) -> Result<Self> {
        Self::open_account(secrets, &account_of(session))
    }

    fn open_account(secrets: &dyn SecretStore, account: &str) -> Result<Self> {
        let token = secrets.get(account)?.ok_or(TextdripError::NotConnected)?;
        Ok(Texting::new(TextdripClient::new(token)?))
    }

    /// Checks `token` with Textdrip, then keeps it in the keychain (only then), and tells our
    /// server the rep is connected (for their admin; never the token).
    pub async fn connect(secrets: &dyn SecretStore, session: &Session, token: &str) -> Result<Self> {
        let token = token.trim();
        if token.is_empty() || token.chars().any(char::is_whitespace) {
            return Err(TextdripError::InvalidInput("paste the API token from Textdrip's settings".into()));
        }
        let client = TextdripClient::new(Sensitive(token.to_owned()))?;
        client.check().await?;
        secrets.set(&account_of(session), &client.token)?;
        report(session, true).await;
        Ok(Texting::new(client))
    }

    /// Forgets the token (the keychain entry) and tells our server.
    pub async fn disconnect(secrets: &dyn SecretStore, session: &Session) -> Result<()> {
        secrets.delete(&account_of(session))?;
        report(session, false).await;
        Ok(())
    }

    /// Whether Textdrip is usable: a kept token Textdrip accepts (a Textdrip that cannot be
    /// reached now counts as connected).
    pub async fn status(secrets: &dyn SecretStore, session: &Session) -> Status {
        Self::status_of(secrets, &account_of(session)).await
    }

    async fn status_of(secrets: &dyn SecretStore, account: &str) -> Status {
        match Texting::open_account(secrets, account) {
            Ok(t) => match t.client.check().await {
                Err(TextdripError::InvalidToken) => Status::Invalid,
                _ => Status::Connected,
            },
            Err(TextdripError::Keychain(e)) => Status::KeychainUnavailable(e.to_string()),
            Err(_) => Status::NotConnected,
        }
    }

    pub fn client(&self) -> &TextdripClient {
        &self.client
    }

    /// The account's campaigns, fetched at most every [`LIST_TTL`].
    pub async fn campaigns(&self) -> Result<Vec<Campaign>> {
        kept_or_fetched(&self.campaigns, self.client.campaigns()).await
    }

    /// The account's sender numbers, fetched at most every [`LIST_TTL`].
    pub async fn phones(&self) -> Result<Vec<SenderPhone>> {
        kept_or_fetched(&self.phones, self.client.phones()).await
    }

    /// [`compose`] with the account's numbers and whether Textdrip says the lead opted out (a
    /// contact looked up at most every [`LIST_TTL`]). Textdrip's errors leave those out.
    pub async fn preview(
        &self,
        lead: &Lead,
        template: &str,
        agent_name: &str,
        sender: Option<&str>,
        now: DateTime<Utc>,
    ) -> (Compose, Vec<SenderPhone>) {
        let phones = self.phones().await.unwrap_or_default();
        let mut text = compose(lead, template, agent_name, &phones, sender, now);
        if let Some(to) = &text.to {
            let kept =
                self.contacts.lock().expect("contacts lock").get(to).filter(|(at, _)| at.elapsed() < LIST_TTL).cloned();
            let contact = match kept {
                Some((_, contact)) => contact,
                None => self.look_up(to).await.ok().flatten(),
            };
            text.opted_out = contact.is_some_and(|c| c.opted_out);
        }
        (text, phones)
    }

    /// The contact with this phone, asked of Textdrip now (and kept for previews).
    async fn look_up(&self, phone: &str) -> Result<Option<Contact>> {
        let contact = self.client.contact(phone).await?;
        self.contacts.lock().expect("contacts lock").insert(phone.to_owned(), (Instant::now(), contact.clone()));
        Ok(contact)
    }

    /// Sends the template, filled in for `lead`, from `sender` (a phone of the account; else the
    /// one for the lead's state). Refuses a lead Textdrip says opted out (asked now), and outside
    /// the lead's texting hours at `now` (or when their local time is unknown) unless
    /// `confirmed_outside_hours`.
    pub async fn send(
        &self,
        lead: &Lead,
        template: &str,
        agent_name: &str,
        sender: Option<&str>,
        confirmed_outside_hours: bool,
        now: DateTime<Utc>,
    ) -> Result<Sent> {
        let phones = self.phones().await?;
        let text = compose(lead, template, agent_name, &phones, sender, now);
        let to = text.to.clone().ok_or(TextdripError::NoPhone)?;
        if text.rendered.text.trim().is_empty() {
            return Err(TextdripError::InvalidInput("the message is empty".into()));
        }
        if !confirmed_outside_hours {
            match &text.local {
                None => return Err(TextdripError::UnknownLocalTime),
                Some(local) if !local.open => {
                    return Err(TextdripError::OutsideHours {
                        time: local.local_time.clone(),
                        hours: local.hours.clone(),
                    })
                }
                Some(_) => {}
            }
        }
        if self.look_up(&to).await?.is_some_and(|c| c.opted_out) {
            return Err(TextdripError::OptedOut);
        }
        let chosen = text.sender.and_then(|i| phones.get(i));
        self.client.send_message(&to, &text.rendered.text, chosen.map(|p| p.phone_token.as_str())).await?;
        tracing::info!(lead = %lead.id, segments = text.length.segments, "text sent");
        Ok(Sent { to, sender: chosen.map(|p| p.phone.clone()) })
    }

    /// The lead as a Textdrip contact, if they are one (asked now).
    pub async fn contact(&self, lead: &Lead) -> Result<Option<Contact>> {
        let phone = lead.phone.as_deref().and_then(rules::e164).ok_or(TextdripError::NoPhone)?;
        self.look_up(&phone).await
    }

    /// Adds the lead to a campaign, making them a contact first if they are not one; refuses a
    /// contact who opted out (a drip campaign texts them).
    pub async fn add_to_campaign(&self, lead: &Lead, campaign_id: &str) -> Result<Contact> {
        let phone = lead.phone.as_deref().and_then(rules::e164).ok_or(TextdripError::NoPhone)?;
        let contact = match self.look_up(&phone).await? {
            Some(c) => c,
            None => {
                self.client.create_contact(lead, &phone).await?;
                self.look_up(&phone).await?.ok_or_else(|| TextdripError::Unexpected {
                    status: 200,
                    message: "the new contact cannot be found".into(),
                })?
            }
        };
        if contact.opted_out {
            return Err(TextdripError::OptedOut);
        }
        self.client.add_campaign(&contact.id, campaign_id).await?;
        Ok(contact)
    }
}

/// The list kept in `slot` if fetched less than [`LIST_TTL`] ago, else `fetch`'s, kept.
async fn kept_or_fetched<T: Clone>(
    slot: &Mutex<Option<(Instant, T)>>,
    fetch: impl std::future::Future<Output = Result<T>>,
) -> Result<T> {
    if let Some((_, kept)) = slot.lock().expect("list lock").as_ref().filter(|(at, _)| at.elapsed() < LIST_TTL) {
        return Ok(kept.clone());
    }
    let list = fetch.await?;
    *slot.lock().expect("list lock") = Some((Instant::now(), list.clone()));
    Ok(list)
}

/// Tells our server whether the rep has Textdrip connected; a server without the route (the
/// deployed one) or one that cannot be reached is not an error: the token is what matters.
async fn report(session: &Session, connected: bool) {
    if let Err(e) = session.api().report_textdrip(connected).await {
        tracing::debug!(error = %e, "the server was not told of the Textdrip connection");
    }
}

/// A text as it would go to a lead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compose {
    pub rendered: Rendered,
    pub length: SmsLength,
    /// The lead's phone in E.164, if it has one Textdrip can text.
    pub to: Option<String>,
    /// Index of the sender in the phone list.
    pub sender: Option<usize>,
    pub local: Option<Window>,
    /// Textdrip says the lead opted out (known only from a lookup: [`Texting::preview`]).
    pub opted_out: bool,
}

/// A text to `lead` as it would go at `now`: the template filled in, its length, the number, the
/// sender (`sender` if it is one of `phones`, else the one for the lead's state), the lead's local
/// time. No network.
pub fn compose(
    lead: &Lead,
    template: &str,
    agent_name: &str,
    phones: &[SenderPhone],
    sender: Option<&str>,
    now: DateTime<Utc>,
) -> Compose {
    let rendered = rules::render(template, lead, agent_name);
    let length = rules::sms_length(&rendered.text);
    let chosen = sender.and_then(|want| phones.iter().position(|p| p.phone == want));
    let senders: Vec<Sender<'_>> = phones.iter().map(|p| Sender { phone: &p.phone, primary: p.primary }).collect();
    Compose {
        rendered,
        length,
        to: lead.phone.as_deref().and_then(rules::e164),
        sender: chosen.or_else(|| rules::choose_sender(&senders, lead.state.as_deref())),
        local: rules::local_time(lead, now),
        opted_out: false,
    }
}

/// A text that went out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    pub to: String,
    pub sender: Option<String>,
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::session::tests::MemoryStore;

    /// A keychain that is locked.
    struct Locked;

    impl SecretStore for Locked {
        fn get(&self, _: &str) -> Result<Option<Sensitive<String>>, KeychainError> {
            Err(KeychainError::Unavailable("the collection is locked".into()))
        }
        fn set(&self, _: &str, _: &Sensitive<String>) -> Result<(), KeychainError> {
            Err(KeychainError::Unavailable("the collection is locked".into()))
        }
        fn delete(&self, _: &str) -> Result<(), KeychainError> {
            Err(KeychainError::Unavailable("the collection is locked".into()))
        }
    }

    #[tokio::test]
    async fn a_locked_keychain_is_said_with_what_to_do() {
        match Texting::status_of(&Locked, "textdrip:a@b").await {
            Status::KeychainUnavailable(why) => {
                assert!(why.contains("locked") && why.contains("Unlock your keychain"), "{why}")
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(Texting::status_of(&MemoryStore::default(), "textdrip:a@b").await, Status::NotConnected);
        assert!(matches!(Texting::open_account(&Locked, "x"), Err(TextdripError::Keychain(_))));
    }

    #[test]
    fn the_rep_may_pick_a_sender_of_the_account_and_nothing_else() {
        let phone = |p: &str, primary: bool| SenderPhone { phone: p.into(), phone_token: format!("t{p}"), primary };
        let phones = [phone("+13125550100", true), phone("+12125550100", false)];
        let lead = Lead { state: Some("NY".into()), phone: Some("3125550123".into()), ..Lead::default() };
        let now = Utc.with_ymd_and_hms(2026, 12, 1, 18, 0, 0).unwrap();
        let by_state = compose(&lead, "x", "", &phones, None, now);
        assert_eq!(by_state.sender, Some(1));
        assert_eq!(compose(&lead, "x", "", &phones, Some("+13125550100"), now).sender, Some(0));
        assert_eq!(
            compose(&lead, "x", "", &phones, Some("+19995550100"), now).sender,
            Some(1),
            "not a number of the account"
        );
        assert_eq!(compose(&lead, "x", "", &[], None, now).sender, None);
        assert_eq!(by_state.to.as_deref(), Some("+13125550123"));
        assert!(!format!("{:?}", phones[0]).contains("t+1"), "the phone token is not printed");
    }
}
