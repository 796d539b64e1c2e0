//! The HTTP client for a Crokodial server: ours, or the deployed one.

use crokodial_core::calls::{
    Call, CallAnswer, CallList, CallReport, DialCount, DialCounts, DoNotCallAdd, DoNotCallEntry, DoNotCallList,
};
use std::time::Duration;

use crokodial_core::api::{
    AcceptInvite, Capabilities, CsvUploadAnswer, DemoAccount, ErrorBody, ImportBatch, ImportStats, Invitation,
    InviteRequest, LeadChanges, LeadQuery, LeadsPage, LoginRequest, LoginResponse, MemberUpdate, NewLead,
    NextGenIntegration, ProfileUpdate, TeamMember, TextdripConnection, User, VerifyResponse, WebhookCredentials,
};
use crokodial_core::edit::{
    default_dispositions, Disposition, DispositionChange, Dispositions, EditAnswer, EditRequest, LeadEdit,
};
use crokodial_core::followups::{FollowUp, FollowUps};
use crokodial_core::routing::{Availability, Claimed, RoutingUpdate, RoutingView, SpeedReport};
use crokodial_core::Lead;
use reqwest::{RequestBuilder, Response, StatusCode};
use serde::de::DeserializeOwned;
use url::Url;

use crate::error::{ClientError, Result};
use crate::secrets::Sensitive;

#[derive(Clone)]
pub struct ApiClient {
    base: Url,
    http: reqwest::Client,
    token: Option<Sensitive<String>>,
}

impl std::fmt::Debug for ApiClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiClient").field("base", &self.base.as_str()).field("token", &self.token).finish()
    }
}

/// Parses and checks a server URL as a user typed it: `http(s)://host[:port][/]`.
pub fn parse_server_url(input: &str) -> Result<Url> {
    let trimmed = input.trim();
    let url = Url::parse(trimmed).map_err(|e| ClientError::InvalidInput(format!("server URL {trimmed:?}: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(ClientError::InvalidInput(format!("server URL {trimmed:?} must start with http:// or https://")));
    }
    Ok(url)
}

impl ApiClient {
    pub fn new(server_url: &str) -> Result<Self> {
        let base = parse_server_url(server_url)?;
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(30))
            .user_agent(concat!("crokodial/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ClientError::Network(e.to_string()))?;
        Ok(ApiClient { base, http, token: None })
    }

    pub fn with_token(mut self, token: Sensitive<String>) -> Self {
        self.token = Some(token);
        self
    }

    /// The server URL without a trailing slash, as users see it.
    pub fn server_url(&self) -> String {
        self.base.as_str().trim_end_matches('/').to_owned()
    }

    pub fn token(&self) -> Option<&Sensitive<String>> {
        self.token.as_ref()
    }

    /// The WebSocket URL on the same host (the web app uses `/`).
    pub fn socket_url(&self) -> Url {
        let mut url = self.base.join("/").expect("joining a path onto an http URL");
        let scheme = if url.scheme() == "https" { "wss" } else { "ws" };
        url.set_scheme(scheme).expect("ws and wss are valid schemes for an http URL");
        url
    }

    fn url(&self, path: &str) -> Url {
        self.base.join(path).expect("API paths are valid relative URLs")
    }

    fn authed(&self, req: RequestBuilder) -> Result<RequestBuilder> {
        let token = self.token.as_ref().ok_or(ClientError::NotLoggedIn)?;
        Ok(req.bearer_auth(&token.0))
    }

    pub async fn login(&self, email: &str, password: &str) -> Result<LoginResponse> {
        let body = LoginRequest { email: email.trim().to_owned(), password: password.to_owned() };
        let resp = send(self.http.post(self.url("/api/auth/login")).json(&body)).await?;
        if resp.status() == StatusCode::BAD_REQUEST {
            let msg = error_text(resp).await;
            return Err(ClientError::InvalidCredentials(msg));
        }
        decode(resp).await
    }

    pub async fn verify(&self) -> Result<VerifyResponse> {
        decode(send(self.authed(self.http.get(self.url("/api/auth/verify")))?).await?).await
    }

    pub async fn leads(&self, query: &LeadQuery) -> Result<LeadsPage> {
        let req = self.http.get(self.url("/api/leads")).query(&query.to_pairs());
        decode(send(self.authed(req)?).await?).await
    }

    /// `collection` (e.g. "/api/leads") and one id after it, the id escaped as a path segment.
    fn item_url(&self, collection: &str, id: &str) -> Url {
        let mut url = self.url(collection);
        url.path_segments_mut().expect("http URLs have paths").pop_if_empty().push(id);
        url
    }

    fn lead_url(&self, id: &str) -> Url {
        self.item_url("/api/leads", id)
    }

    pub async fn lead(&self, id: &str) -> Result<Lead> {
        decode(send(self.authed(self.http.get(self.lead_url(id)))?).await?).await
    }

    /// `PUT /api/leads/:id`: sets the given fields; answers the lead as it is now.
    pub async fn update_lead(&self, id: &str, fields: &LeadEdit) -> Result<Lead> {
        decode(send(self.authed(self.http.put(self.lead_url(id)).json(fields))?).await?).await
    }

    /// `POST /api/sync/edits` (our server): a queued edit, applied once per key.
    pub async fn submit_edit(&self, edit: &EditRequest) -> Result<EditReply> {
        let resp = send(self.authed(self.http.post(self.url("/api/sync/edits")).json(edit))?).await?;
        match resp.status() {
            StatusCode::CONFLICT => {
                let bytes = resp.bytes().await.map_err(|e| ClientError::Network(describe(&e)))?;
                let answer = serde_json::from_slice(&bytes)
                    .map_err(|e| ClientError::Server { status: 409, message: format!("unexpected answer: {e}") })?;
                Ok(EditReply::Conflict(answer))
            }
            StatusCode::NOT_FOUND => Ok(EditReply::NotFound),
            _ => decode(resp).await.map(EditReply::Done),
        }
    }

    /// The tenant's dispositions, in their order.
    pub async fn dispositions(&self) -> Result<Vec<Disposition>> {
        let resp = send(self.authed(self.http.get(self.url("/api/dispositions")))?).await?;
        if resp.status() == StatusCode::NOT_FOUND {
            return Ok(default_dispositions());
        }
        let mut found: Dispositions = decode(resp).await?;
        found.dispositions.sort_by_key(|d| d.sort_order);
        Ok(found.dispositions)
    }

    /// Demo accounts of a demo server; any other server (the deployed one has no such route) has none.
    pub async fn demo_accounts(&self) -> Result<Vec<DemoAccount>> {
        let resp = send(self.http.get(self.url("/api/demo/accounts"))).await?;
        if resp.status() == StatusCode::NOT_FOUND {
            return Ok(Vec::new());
        }
        decode(resp).await
    }

    /// What the server can do beyond the deployed server's API; the deployed server (no such
    /// route) can do none of it.
    pub async fn capabilities(&self) -> Result<Capabilities> {
        let resp = send(self.authed(self.http.get(self.url("/api/sync/capabilities")))?).await?;
        // A server without the route answers 404, or 400/405 if something else holds the path.
        if matches!(resp.status(), StatusCode::NOT_FOUND | StatusCode::BAD_REQUEST | StatusCode::METHOD_NOT_ALLOWED) {
            return Ok(Capabilities::default());
        }
        decode(resp).await
    }

    /// `POST /api/import/leads` (our server): one batch of an import, applied once per batch id.
    pub async fn import_batch(&self, batch: &ImportBatch) -> Result<ImportStats> {
        decode(send(self.authed(self.http.post(self.url("/api/import/leads")).json(batch))?).await?).await
    }

    /// `POST /api/csv-upload`: a CSV file, as the contract's multipart field `file`.
    pub async fn csv_upload(&self, file_name: &str, csv: Vec<u8>) -> Result<CsvUploadAnswer> {
        let part = reqwest::multipart::Part::bytes(csv)
            .file_name(file_name.to_owned())
            .mime_str("text/csv")
            .expect("a valid MIME type");
        let form = reqwest::multipart::Form::new().part("file", part);
        decode(send(self.authed(self.http.post(self.url("/api/csv-upload")).multipart(form))?).await?).await
    }

    /// `POST /api/auth/accept-invite` (our server): an invited user sets their password.
    pub async fn accept_invite(&self, email: &str, code: &str, password: &str) -> Result<LoginResponse> {
        let body = AcceptInvite {
            email: email.trim().to_owned(),
            code: code.trim().to_owned(),
            password: password.to_owned(),
        };
        let resp = send(self.http.post(self.url("/api/auth/accept-invite")).json(&body)).await?;
        if resp.status() == StatusCode::BAD_REQUEST {
            return Err(ClientError::InvalidCredentials(error_text(resp).await));
        }
        decode_ours(resp).await
    }

    /// `GET /api/team` (our server): the tenant's users (admins only).
    pub async fn team(&self) -> Result<Vec<TeamMember>> {
        decode_ours(send(self.authed(self.http.get(self.url("/api/team")))?).await?).await
    }

    /// `POST /api/team/invites` (our server): a new user, and their one-time code.
    pub async fn invite(&self, invite: &InviteRequest) -> Result<Invitation> {
        decode_ours(send(self.authed(self.http.post(self.url("/api/team/invites")).json(invite))?).await?).await
    }

    /// `POST /api/team/:id/invite` (our server): a new code for a user who has not accepted.
    pub async fn renew_invite(&self, id: &str) -> Result<Invitation> {
        let mut url = self.item_url("/api/team", id);
        url.path_segments_mut().expect("http URLs have paths").push("invite");
        decode_ours(send(self.authed(self.http.post(url))?).await?).await
    }

    /// `PATCH /api/team/:id` (our server).
    pub async fn update_member(&self, id: &str, update: &MemberUpdate) -> Result<TeamMember> {
        let url = self.item_url("/api/team", id);
        decode_ours(send(self.authed(self.http.patch(url).json(update))?).await?).await
    }

    /// The NextGen integration without credentials: from our server's `GET /api/integrations/nextgen`;
    /// the deployed server has no such route, so its webhook URL is told from the server URL and
    /// the last lead is unknown.
    pub async fn nextgen_integration(&self) -> Result<NextGenIntegration> {
        match decode_ours(send(self.authed(self.http.get(self.url("/api/integrations/nextgen")))?).await?).await {
            Err(ClientError::Unsupported) => Ok(NextGenIntegration {
                webhook_url: format!("{}/api/webhooks/nextgen", self.server_url()),
                last_lead: None,
            }),
            other => other,
        }
    }

    /// `GET /api/integrations/nextgen/credentials` (admins only).
    pub async fn nextgen_credentials(&self) -> Result<WebhookCredentials> {
        decode_ours(send(self.authed(self.http.get(self.url("/api/integrations/nextgen/credentials")))?).await?).await
    }

    /// `POST /api/integrations/nextgen/credentials/rotate` (admins only): the new credentials.
    pub async fn rotate_nextgen(&self) -> Result<WebhookCredentials> {
        let url = self.url("/api/integrations/nextgen/credentials/rotate");
        decode_ours(send(self.authed(self.http.post(url))?).await?).await
    }

    /// `PUT /api/integrations/textdrip` (our server): whether this user has Textdrip connected.
    pub async fn report_textdrip(&self, connected: bool) -> Result<()> {
        let body = TextdripConnection { connected };
        let resp = send(self.authed(self.http.put(self.url("/api/integrations/textdrip")).json(&body))?).await?;
        match resp.status() {
            s if s.is_success() => Ok(()),
            StatusCode::NOT_FOUND => Err(ClientError::Unsupported),
            StatusCode::UNAUTHORIZED => Err(ClientError::Unauthorized(error_text(resp).await)),
            s => Err(ClientError::Server { status: s.as_u16(), message: error_text(resp).await }),
        }
    }

    /// `GET /api/routing` (ours): the team's routing and who is available.
    pub async fn routing(&self) -> Result<RoutingView> {
        decode_ours(send(self.authed(self.http.get(self.url("/api/routing")))?).await?).await
    }

    /// `PUT /api/routing` (ours; admins).
    pub async fn set_routing(&self, update: &RoutingUpdate) -> Result<RoutingView> {
        decode_ours(send(self.authed(self.http.put(self.url("/api/routing")).json(update))?).await?).await
    }

    /// `PUT /api/routing/availability` (ours): this rep available, or away.
    pub async fn set_available(&self, available: bool) -> Result<RoutingView> {
        let req = self.http.put(self.url("/api/routing/availability")).json(&Availability { available });
        decode_ours(send(self.authed(req)?).await?).await
    }

    /// `POST /api/leads/:id/claim` (ours): the lead is this rep's, or why not.
    pub async fn claim(&self, id: &str) -> Result<ClaimAnswer> {
        let mut url = self.lead_url(id);
        url.path_segments_mut().expect("http URLs have paths").push("claim");
        let resp = send(self.authed(self.http.post(url))?).await?;
        if resp.status() == StatusCode::CONFLICT {
            let bytes = resp.bytes().await.unwrap_or_default();
            let body = serde_json::from_slice::<ErrorBody>(&bytes).unwrap_or_default();
            return Ok(ClaimAnswer::Refused {
                code: body.error.clone().unwrap_or_default(),
                message: body.text().unwrap_or("Someone else has this lead").to_owned(),
            });
        }
        decode_ours(resp).await.map(|c| ClaimAnswer::Yours(Box::new(c)))
    }

    /// `GET /api/reports/speed` (ours; admins): offers, claims and time to claim over a period.
    pub async fn speed_report(
        &self,
        since: chrono::DateTime<chrono::Utc>,
        until: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Result<SpeedReport> {
        let mut query = vec![("since", crokodial_core::rfc3339(since))];
        query.extend(until.map(|u| ("until", crokodial_core::rfc3339(u))));
        let req = self.http.get(self.url("/api/reports/speed")).query(&query);
        decode_ours(send(self.authed(req)?).await?).await
    }

    /// `PUT /api/calls/:id` (ours): keeps the attempt once per id, with its outcome when told;
    /// answers it and the lead with its tally.
    pub async fn put_call(&self, call: &Call) -> Result<CallAnswer> {
        let url = self.item_url("/api/calls", &call.id);
        let report =
            CallReport { lead_id: call.lead_id.clone(), at: call.at, outcome: call.outcome, note: call.note.clone() };
        decode_ours(send(self.authed(self.http.put(url).json(&report))?).await?).await
    }

    /// `GET /api/calls?leadId=` (ours): the lead's calls by everyone, newest first.
    pub async fn calls(&self, lead_id: &str) -> Result<Vec<Call>> {
        let req = self.http.get(self.url("/api/calls")).query(&[("leadId", lead_id)]);
        decode_ours::<CallList>(send(self.authed(req)?).await?).await.map(|l| l.calls)
    }

    /// `POST /api/dispositions` (admins on ours; anyone's own on the deployed server).
    pub async fn add_disposition(&self, change: &DispositionChange) -> Result<Disposition> {
        decode_ours(send(self.authed(self.http.post(self.url("/api/dispositions")).json(change))?).await?).await
    }

    /// `PUT /api/dispositions/:id`: its name, colour, emoji or place.
    pub async fn change_disposition(&self, id: &str, change: &DispositionChange) -> Result<Disposition> {
        decode_ours(send(self.authed(self.http.put(self.item_url("/api/dispositions", id)).json(change))?).await?).await
    }

    /// `DELETE /api/dispositions/:id`.
    pub async fn remove_disposition(&self, id: &str) -> Result<()> {
        decode_ours::<serde_json::Value>(
            send(self.authed(self.http.delete(self.item_url("/api/dispositions", id)))?).await?,
        )
        .await
        .map(drop)
    }

    /// `GET /api/auth/profile`: the user as the server has them now.
    pub async fn profile(&self) -> Result<User> {
        decode(send(self.authed(self.http.get(self.url("/api/auth/profile")))?).await?).await
    }

    /// `PUT /api/auth/profile`. Callers never send a password to the deployed server (see
    /// [`ProfileUpdate`]).
    pub async fn update_profile(&self, update: &ProfileUpdate) -> Result<User> {
        let req = self.http.put(self.url("/api/auth/profile")).json(update);
        decode(send(self.authed(req)?).await?).await
    }

    /// `POST /api/leads` (admins): a lead typed in by hand, for the caller.
    pub async fn create_lead(&self, lead: &NewLead) -> Result<Lead> {
        decode_ours(send(self.authed(self.http.post(self.url("/api/leads")).json(lead))?).await?).await
    }

    /// `DELETE /api/leads/:id`: admins (and, on ours, the lead's owner).
    pub async fn delete_lead(&self, id: &str) -> Result<()> {
        let resp = send(self.authed(self.http.delete(self.lead_url(id)))?).await?;
        if resp.status().is_success() {
            return Ok(());
        }
        decode_ours::<serde_json::Value>(resp).await.map(drop)
    }

    /// `GET /api/followups` (ours): this rep's callbacks and pins.
    pub async fn followups(&self) -> Result<Vec<FollowUp>> {
        let req = self.http.get(self.url("/api/followups"));
        decode_ours::<FollowUps>(send(self.authed(req)?).await?).await.map(|l| l.followups)
    }

    /// `PUT /api/followups/:id` (ours): answers the one the server keeps (a later change wins).
    pub async fn put_followup(&self, followup: &FollowUp) -> Result<FollowUp> {
        let req = self.http.put(self.item_url("/api/followups", &followup.id)).json(followup);
        decode_ours(send(self.authed(req)?).await?).await
    }

    /// `DELETE /api/followups/:id` (ours); one already gone is not an error.
    pub async fn delete_followup(&self, id: &str) -> Result<()> {
        let resp = send(self.authed(self.http.delete(self.item_url("/api/followups", id)))?).await?;
        match resp.status() {
            s if s.is_success() || s == StatusCode::NOT_FOUND => Ok(()),
            _ => decode_ours::<serde_json::Value>(resp).await.map(drop),
        }
    }

    /// `GET /api/do-not-call` (ours): the agency's list.
    pub async fn do_not_call(&self) -> Result<Vec<DoNotCallEntry>> {
        let req = self.http.get(self.url("/api/do-not-call"));
        decode_ours::<DoNotCallList>(send(self.authed(req)?).await?).await.map(|l| l.phones)
    }

    /// `POST /api/do-not-call` (ours): puts `phone` on the list; answers the list.
    pub async fn add_do_not_call(&self, phone: &str) -> Result<Vec<DoNotCallEntry>> {
        let req = self.http.post(self.url("/api/do-not-call")).json(&DoNotCallAdd { phone: phone.into() });
        decode_ours::<DoNotCallList>(send(self.authed(req)?).await?).await.map(|l| l.phones)
    }

    /// `DELETE /api/do-not-call/:phone` (ours; admins): takes `phone` off; answers the list.
    pub async fn remove_do_not_call(&self, phone: &str) -> Result<Vec<DoNotCallEntry>> {
        let url = self.item_url("/api/do-not-call", phone);
        decode_ours::<DoNotCallList>(send(self.authed(self.http.delete(url))?).await?).await.map(|l| l.phones)
    }

    /// `POST /api/dial-counts/increment` (the deployed server's): one more dial of `phone`;
    /// answers the rep's count for it now.
    pub async fn count_dial(&self, phone: &str) -> Result<u32> {
        let req =
            self.http.post(self.url("/api/dial-counts/increment")).json(&DialCount { phone: phone.into(), count: 0 });
        decode::<DialCount>(send(self.authed(req)?).await?).await.map(|d| d.count)
    }

    /// `GET /api/dial-counts?phones=…` (the deployed server's): the rep's dials per phone; phones
    /// never dialled are absent.
    pub async fn dial_counts(&self, phones: &[String]) -> Result<DialCounts> {
        let req = self.http.get(self.url("/api/dial-counts")).query(&[("phones", phones.join(","))]);
        decode(send(self.authed(req)?).await?).await
    }

    /// The tenant's lead changes after sequence number `after` (our server only).
    pub async fn lead_changes(&self, after: u64, limit: u32) -> Result<LeadChanges> {
        let req = self.http.get(self.url("/api/sync/leads")).query(&[("after", after), ("limit", u64::from(limit))]);
        decode(send(self.authed(req)?).await?).await
    }
}

/// What became of a claim.
#[derive(Debug, Clone, PartialEq)]
pub enum ClaimAnswer {
    /// The lead is this rep's now.
    Yours(Box<Claimed>),
    /// Someone has it, or it is offered to another rep alone for now (`code`: see
    /// [`crokodial_core::routing::refusal`]); `message` says who.
    Refused { code: String, message: String },
}

/// What our server did with a queued edit.
#[derive(Debug, Clone, PartialEq)]
pub enum EditReply {
    /// Applied now or before; the lead as it is now.
    Done(EditAnswer),
    /// A field it changes was changed elsewhere; nothing applied.
    Conflict(EditAnswer),
    /// No such lead (any more).
    NotFound,
}

async fn send(req: RequestBuilder) -> Result<Response> {
    req.send().await.map_err(|e| transport(&e))
}

/// A request that failed on the way. A server that took the request and did not answer in time
/// is a server error (504), like the 503 Heroku's router gives after 30 s: the request may have
/// been applied, and may be tried again later, as any 5xx.
fn transport(e: &reqwest::Error) -> ClientError {
    if e.is_timeout() {
        ClientError::Server { status: 504, message: format!("no answer in time ({})", describe(e)) }
    } else {
        ClientError::Network(describe(e))
    }
}

async fn decode<T: DeserializeOwned>(resp: Response) -> Result<T> {
    let status = resp.status();
    if status == StatusCode::UNAUTHORIZED {
        return Err(ClientError::Unauthorized(error_text(resp).await));
    }
    if !status.is_success() {
        return Err(ClientError::Server { status: status.as_u16(), message: error_text(resp).await });
    }
    let bytes = resp.bytes().await.map_err(|e| transport(&e))?;
    serde_json::from_slice(&bytes)
        .map_err(|e| ClientError::Server { status: status.as_u16(), message: format!("unexpected answer: {e}") })
}

/// [`decode`] for a route the deployed server may not have: a 404 that is not our JSON error (the
/// deployed server's), or is our server's `no_route`, is `Unsupported`; 403 is `Forbidden`.
async fn decode_ours<T: DeserializeOwned>(resp: Response) -> Result<T> {
    match resp.status() {
        StatusCode::FORBIDDEN => Err(ClientError::Forbidden(error_text(resp).await)),
        StatusCode::NOT_FOUND => {
            let bytes = resp.bytes().await.unwrap_or_default();
            match serde_json::from_slice::<ErrorBody>(&bytes) {
                Ok(body) if body.error.as_deref() != Some("no_route") => {
                    Err(ClientError::Server { status: 404, message: body.text().unwrap_or("Not found").to_owned() })
                }
                _ => Err(ClientError::Unsupported),
            }
        }
        _ => decode(resp).await,
    }
}

async fn error_text(resp: Response) -> String {
    let status = resp.status();
    let bytes = resp.bytes().await.unwrap_or_default();
    serde_json::from_slice::<ErrorBody>(&bytes)
        .ok()
        .and_then(|b| b.text().map(str::to_owned))
        .unwrap_or_else(|| status.canonical_reason().unwrap_or("error").to_owned())
}

/// reqwest's Display hides the cause ("error sending request"); include the innermost one.
fn describe(e: &reqwest::Error) -> String {
    let mut msg = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        if std::error::Error::source(s).is_none() {
            msg = format!("{msg}: {s}");
        }
        source = std::error::Error::source(s);
    }
    msg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_urls() {
        assert!(parse_server_url("ftp://x").is_err());
        assert!(parse_server_url("localhost:3005").is_err());
        assert!(parse_server_url(" http://127.0.0.1:3005/ ").is_ok());
    }

    #[test]
    fn socket_url_follows_the_scheme() {
        let c = ApiClient::new("https://crm.example.com/app/").unwrap();
        assert_eq!(c.socket_url().as_str(), "wss://crm.example.com/");
        let c = ApiClient::new("http://127.0.0.1:3005").unwrap();
        assert_eq!(c.socket_url().as_str(), "ws://127.0.0.1:3005/");
        assert_eq!(c.server_url(), "http://127.0.0.1:3005");
    }

    #[test]
    fn debug_hides_the_token() {
        let c = ApiClient::new("http://h").unwrap().with_token(Sensitive("jwt.secret".into()));
        assert!(!format!("{c:?}").contains("jwt.secret"));
    }

    #[tokio::test]
    async fn unreachable_server_is_a_network_error() {
        // Port 9 on loopback: nothing listens there.
        let c = ApiClient::new("http://127.0.0.1:9").unwrap();
        let err = c.login("a@b.co", "pw").await.unwrap_err();
        assert!(matches!(err, ClientError::Network(_)), "{err:?}");
    }
}
