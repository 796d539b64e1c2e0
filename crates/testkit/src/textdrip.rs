//! A stand-in for Textdrip, the third-party SMS service, to test our client against the API as it
//! is documented: every call a `POST` with a JSON body under `/api`, a bearer token (a bad one gets
//! HTTP 401 `Unauthenticated.`), an envelope `{status, message}`, contacts looked up by phone (HTTP
//! 400 "Contact not found"), `create-contact` answering without the new id, phones in E.164, and
//! a `phone-token` header choosing the sender. Tests can revoke tokens, make the next requests fail
//! (e.g. 429 with `Retry-After`), slow every answer down, and read back every request received.
//!
//! A request is handled (and recorded) as soon as it arrives; a delay set with
//! [`TextdripStandIn::set_delay`] only holds back its answer, as a slow server that has done the
//! work would: a client that gives up waiting may still have sent its message.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use serde_json::{json, Value};

/// A valid token when the stand-in starts (Textdrip's shape: `<digits>|<40 alphanumerics>`).
pub const TOKEN: &str = "31337|Xk9fQ2mLp7RtV4wZs8NcB3hJd6GyE1aUo5KiT0qP";

/// The account's campaigns, `(id, title)`.
pub const CAMPAIGNS: [(&str, &str); 2] = [
    ("3f6c2a9e-8b1d-4c57-9e2a-6d4b1f0c7a21", "Medicare Follow-up"),
    ("b7e9d4c2-1a5f-4e83-a6c0-92f3d8e5b140", "Final Expense"),
];

/// The account's sender numbers at start, `(phone, phone_token, primary)`.
const PHONES: [(&str, &str, bool); 2] = [("+13125550100", "pt-chicago", true), ("+12125550100", "pt-newyork", false)];

pub const AGENT_EMAIL: &str = "agent@textdrip.test";

/// One request as the stand-in received it, with the status it answered.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// The full path, e.g. `/api/send-message`.
    pub path: String,
    /// The `Authorization` header as sent (`Bearer …`).
    pub authorization: Option<String>,
    /// The `phone-token` header as sent.
    pub phone_token: Option<String>,
    /// The JSON body (`null` when there was none or it was not JSON).
    pub body: Value,
    pub status: u16,
}

#[derive(Default)]
struct Failing {
    left: usize,
    status: u16,
    retry_after: Option<u64>,
}

struct Inner {
    tokens: HashSet<String>,
    phones: Vec<(String, String, bool)>,
    /// Each a JSON object with at least `id`, `name`, `phone`, `email`, `opted_out` (0 or 1).
    contacts: Vec<Value>,
    contacts_made: usize,
    failing: Failing,
    delay: Duration,
    requests: Vec<Recorded>,
    sent: Vec<(String, String, Option<String>)>,
    campaign_adds: Vec<(String, String)>,
}

type Shared = Arc<Mutex<Inner>>;

pub struct TextdripStandIn {
    addr: SocketAddr,
    shared: Shared,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for TextdripStandIn {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl TextdripStandIn {
    pub async fn start() -> anyhow::Result<Self> {
        let shared = Arc::new(Mutex::new(Inner {
            tokens: HashSet::from([TOKEN.to_owned()]),
            phones: PHONES.iter().map(|&(p, t, primary)| (p.into(), t.into(), primary)).collect(),
            contacts: Vec::new(),
            contacts_made: 0,
            failing: Failing::default(),
            delay: Duration::ZERO,
            requests: Vec::new(),
            sent: Vec::new(),
            campaign_adds: Vec::new(),
        }));
        // One handler for everything, so that every request (even to a route it lacks) is recorded.
        let app = Router::new().fallback(handle).with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(TextdripStandIn { addr, shared, task })
    }

    /// The base URL a client is configured with (Textdrip's is `https://api.textdrip.com/api`).
    pub fn url(&self) -> String {
        format!("http://{}/api", self.addr)
    }

    fn inner(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.shared.lock().expect("textdrip state")
    }

    /// From now on, every call with `token` gets 401.
    pub fn revoke(&self, token: &str) {
        self.inner().tokens.remove(token);
    }

    /// From now on, `token` is valid.
    pub fn allow(&self, token: &str) {
        self.inner().tokens.insert(token.to_owned());
    }

    /// Stores a contact (or updates the one with that phone); returns its id.
    pub fn add_contact(&self, phone: &str, name: &str, opted_out: bool) -> String {
        let mut fields = serde_json::Map::new();
        fields.insert("name".into(), name.into());
        fields.insert("phone".into(), phone.into());
        fields.insert("email".into(), "".into());
        fields.insert("opted_out".into(), u8::from(opted_out).into());
        upsert_contact(&mut self.inner(), fields).0
    }

    /// The next `n` requests that pass authentication, to any route, get HTTP `status` with body
    /// `{"status":false,"message":"Too Many Attempts."}`, and a `Retry-After: <seconds>` header
    /// when `retry_after` is given.
    pub fn fail_next(&self, n: usize, status: u16, retry_after: Option<u64>) {
        self.inner().failing = Failing { left: n, status, retry_after };
    }

    /// Every answer from now on waits `delay` before it leaves (the request is handled at once).
    pub fn set_delay(&self, delay: Duration) {
        self.inner().delay = delay;
    }

    /// Replaces the account's sender numbers, `(phone, phone_token, primary)`.
    pub fn set_phones(&self, phones: Vec<(&str, &str, bool)>) {
        self.inner().phones = phones.into_iter().map(|(p, t, primary)| (p.into(), t.into(), primary)).collect();
    }

    /// Every request received, in order, refused ones included.
    pub fn requests(&self) -> Vec<Recorded> {
        self.inner().requests.clone()
    }

    /// The messages accepted, `(receiver, message, phone-token header)`, in order.
    pub fn sent(&self) -> Vec<(String, String, Option<String>)> {
        self.inner().sent.clone()
    }

    /// The contacts added to campaigns, `(contact_id, campaign_id)`, in order.
    pub fn campaign_adds(&self) -> Vec<(String, String)> {
        self.inner().campaign_adds.clone()
    }

    /// The contacts as stored now (JSON objects with `id`, `name`, `phone`, `email`, `opted_out`
    /// and whatever else `create-contact` was given).
    pub fn contacts(&self) -> Vec<Value> {
        self.inner().contacts.clone()
    }
}

/// `+1` and 10 digits.
fn is_e164(phone: &str) -> bool {
    phone
        .strip_prefix('+')
        .is_some_and(|d| d.len() == 11 && d.starts_with('1') && d.bytes().all(|b| b.is_ascii_digit()))
}

/// 0 or 1 from a JSON boolean, number or string.
fn flag(v: Option<&Value>) -> u8 {
    match v {
        Some(Value::Bool(b)) => u8::from(*b),
        Some(Value::Number(n)) => u8::from(n.as_f64().is_some_and(|n| n != 0.0)),
        Some(Value::String(s)) => u8::from(matches!(s.as_str(), "1" | "true")),
        _ => 0,
    }
}

/// Stores `fields` as a new contact, or over the one with the same phone; returns its id and
/// whether it is new.
fn upsert_contact(inner: &mut Inner, mut fields: serde_json::Map<String, Value>) -> (String, bool) {
    let phone = fields.get("phone").cloned();
    if let Some(existing) = inner.contacts.iter_mut().find(|c| c.get("phone") == phone.as_ref()) {
        let id = existing["id"].as_str().unwrap_or_default().to_owned();
        let existing = existing.as_object_mut().expect("a contact is an object");
        fields.remove("id");
        existing.extend(fields);
        return (id, false);
    }
    inner.contacts_made += 1;
    let id = format!("c-{}", inner.contacts_made);
    fields.insert("id".into(), id.clone().into());
    inner.contacts.push(Value::Object(fields));
    (id, true)
}

fn text<'a>(body: &'a Value, key: &str) -> Option<&'a str> {
    body.get(key).and_then(Value::as_str)
}

/// Textdrip's refusals: `{status:false, message}`.
fn refusal(status: StatusCode, message: &str) -> (StatusCode, Value) {
    (status, json!({"status": false, "message": message}))
}

fn bad(message: &str) -> (StatusCode, Value) {
    refusal(StatusCode::BAD_REQUEST, message)
}

fn ok(body: Value) -> (StatusCode, Value) {
    (StatusCode::OK, body)
}

async fn handle(
    axum::extract::State(shared): axum::extract::State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let authorization = header("authorization");
    let phone_token = header("phone-token");
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let path = uri.path().to_owned();

    let mut extra = HeaderMap::new();
    let (status, answer, delay) = {
        let mut inner = shared.lock().expect("textdrip state");
        let route = path.strip_prefix("/api/").unwrap_or("");
        let (status, answer) = if !ROUTES.contains(&route) {
            refusal(StatusCode::NOT_FOUND, "Not Found")
        } else if method != Method::POST {
            refusal(StatusCode::METHOD_NOT_ALLOWED, "The method is not supported for this route.")
        } else if !authorization
            .as_deref()
            .and_then(|a| a.strip_prefix("Bearer "))
            .is_some_and(|t| inner.tokens.contains(t.trim()))
        {
            refusal(StatusCode::UNAUTHORIZED, "Unauthenticated.")
        } else if inner.failing.left > 0 {
            inner.failing.left -= 1;
            if let Some(seconds) = inner.failing.retry_after {
                extra.insert("retry-after", HeaderValue::from(seconds));
            }
            let status = StatusCode::from_u16(inner.failing.status).unwrap_or(StatusCode::TOO_MANY_REQUESTS);
            refusal(status, "Too Many Attempts.")
        } else {
            route_call(&mut inner, route, &body, phone_token.as_deref())
        };
        inner.requests.push(Recorded { path, authorization, phone_token, body, status: status.as_u16() });
        (status, answer, inner.delay)
    };
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    (status, extra, Json(answer)).into_response()
}

/// The routes the stand-in serves, under `/api/`.
const ROUTES: [&str; 8] = [
    "profile",
    "get-all-tags",
    "get-campaign",
    "get-phone-list",
    "get-contact-detail",
    "create-contact",
    "add-campaign",
    "send-message",
];

/// An authenticated call to one of [`ROUTES`].
fn route_call(inner: &mut Inner, route: &str, body: &Value, phone_token: Option<&str>) -> (StatusCode, Value) {
    match route {
        "profile" => ok(json!({"status": true, "data": {"id": 1, "name": "Stand-in Agent", "email": AGENT_EMAIL}})),
        "get-all-tags" => ok(json!({"status": true, "data": []})),
        "get-campaign" => {
            let data: Vec<Value> = CAMPAIGNS.iter().map(|(id, title)| json!({"id": id, "title": title})).collect();
            ok(json!({"status": true, "data": data}))
        }
        "get-phone-list" => {
            let data: Vec<Value> = inner
                .phones
                .iter()
                .map(|(phone, token, primary)| json!({"phone": phone, "phone_token": token, "primary": primary}))
                .collect();
            ok(json!({"status": true, "data": data}))
        }
        "get-contact-detail" => {
            let Some(phone) = text(body, "phone").filter(|p| !p.is_empty()) else {
                return bad("The phone field is required.");
            };
            match inner.contacts.iter().find(|c| c["phone"].as_str() == Some(phone)) {
                Some(contact) => ok(json!({"status": true, "contact": contact})),
                None => bad("Contact not found"),
            }
        }
        "create-contact" => {
            let Some(phone) = text(body, "phone").filter(|p| !p.is_empty()) else {
                return bad("The phone field is required.");
            };
            if !is_e164(phone) {
                return bad("The phone must be a valid phone number.");
            }
            let mut fields = serde_json::Map::new();
            for key in ["name", "phone", "email", "state", "zipcode", "birthdate", "campaign"] {
                fields.insert(key.into(), body.get(key).cloned().unwrap_or(Value::Null));
            }
            fields.insert("opted_out".into(), flag(body.get("opted_out")).into());
            let (_, new) = upsert_contact(inner, fields);
            let message = if new { "Contact created" } else { "Contact updated" };
            ok(json!({"status": true, "message": message}))
        }
        "add-campaign" => {
            let contact_id = body.get("contact_id").map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned));
            let Some(contact_id) = contact_id.filter(|c| inner.contacts.iter().any(|k| k["id"] == c.as_str())) else {
                return bad("Contact not found");
            };
            let Some(campaign_id) = text(body, "campaign_id").filter(|c| CAMPAIGNS.iter().any(|(id, _)| id == c))
            else {
                return bad("Campaign not found");
            };
            inner.campaign_adds.push((contact_id, campaign_id.to_owned()));
            ok(json!({"status": true, "message": "Contact added to campaign"}))
        }
        "send-message" => {
            let receiver = text(body, "receiver").unwrap_or_default();
            if !is_e164(receiver) {
                return bad("The receiver must be a valid phone number.");
            }
            let message = text(body, "message").unwrap_or_default();
            if message.trim().is_empty() {
                return bad("The message field is required.");
            }
            if let Some(token) = phone_token {
                if !inner.phones.iter().any(|(_, t, _)| t == token) {
                    return bad("Invalid phone token.");
                }
            }
            inner.sent.push((receiver.to_owned(), message.to_owned(), phone_token.map(str::to_owned)));
            ok(json!({"status": true, "message": "Message sent"}))
        }
        _ => refusal(StatusCode::NOT_FOUND, "Not Found"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn call(
        td: &TextdripStandIn,
        route: &str,
        token: &str,
        phone_token: Option<&str>,
        body: Value,
    ) -> (u16, Option<String>, Value) {
        let mut req = reqwest::Client::new()
            .post(format!("{}/{route}", td.url()))
            .bearer_auth(token)
            .header("accept", "application/json")
            .json(&body);
        if let Some(pt) = phone_token {
            req = req.header("phone-token", pt);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status().as_u16();
        let retry_after = resp.headers().get("retry-after").map(|v| v.to_str().expect("ascii").to_owned());
        (status, retry_after, resp.json().await.expect("json body"))
    }

    #[tokio::test]
    async fn textdrip_bad_or_revoked_token_gets_401() {
        let td = TextdripStandIn::start().await.unwrap();
        let (status, _, body) = call(&td, "profile", "1|nope", None, json!({})).await;
        assert_eq!(status, 401);
        assert_eq!(body, json!({"status": false, "message": "Unauthenticated."}));
        let (status, _, body) = call(&td, "profile", TOKEN, None, json!({})).await;
        assert_eq!(status, 200);
        assert_eq!(body["data"]["name"], "Stand-in Agent");
        td.revoke(TOKEN);
        assert_eq!(call(&td, "get-all-tags", TOKEN, None, json!({})).await.0, 401);
        let statuses: Vec<u16> = td.requests().iter().map(|r| r.status).collect();
        assert_eq!(statuses, [401, 200, 401]);
        assert_eq!(td.requests()[0].authorization.as_deref(), Some("Bearer 1|nope"));
    }

    #[tokio::test]
    async fn textdrip_send_is_recorded_with_its_phone_token() {
        let td = TextdripStandIn::start().await.unwrap();
        let body = json!({"receiver": "+15555550123", "message": "Hi Ann"});
        let (status, _, answer) = call(&td, "send-message", TOKEN, Some("pt-newyork"), body.clone()).await;
        assert_eq!((status, answer), (200, json!({"status": true, "message": "Message sent"})));
        assert_eq!(call(&td, "send-message", TOKEN, None, body.clone()).await.0, 200);
        assert_eq!(call(&td, "send-message", TOKEN, Some("pt-unknown"), body).await.0, 400);
        let bad_receiver = json!({"receiver": "5555550123", "message": "Hi"});
        assert_eq!(call(&td, "send-message", TOKEN, None, bad_receiver).await.0, 400);
        let (r, m) = ("+15555550123".to_owned(), "Hi Ann".to_owned());
        assert_eq!(td.sent(), [(r.clone(), m.clone(), Some("pt-newyork".to_owned())), (r, m, None)]);
        assert_eq!(td.requests()[0].phone_token.as_deref(), Some("pt-newyork"));
    }

    #[tokio::test]
    async fn textdrip_fail_next_answers_429_with_retry_after_then_recovers() {
        let td = TextdripStandIn::start().await.unwrap();
        td.fail_next(1, 429, Some(1));
        let (status, retry_after, body) = call(&td, "get-campaign", TOKEN, None, json!({})).await;
        assert_eq!((status, retry_after.as_deref()), (429, Some("1")));
        assert_eq!(body, json!({"status": false, "message": "Too Many Attempts."}));
        let (status, retry_after, body) = call(&td, "get-campaign", TOKEN, None, json!({})).await;
        assert_eq!((status, retry_after), (200, None));
        assert_eq!(body["data"][1], json!({"id": CAMPAIGNS[1].0, "title": "Final Expense"}));
    }

    #[tokio::test]
    async fn textdrip_contact_not_found_until_created() {
        let td = TextdripStandIn::start().await.unwrap();
        let lookup = json!({"phone": "+15555550123"});
        let (status, _, body) = call(&td, "get-contact-detail", TOKEN, None, lookup.clone()).await;
        assert_eq!((status, body), (400, json!({"status": false, "message": "Contact not found"})));
        let new = json!({
            "name": "Ann Lee", "phone": "+15555550123", "email": "ann@example.com", "state": "IL",
            "zipcode": "60601", "birthdate": "1950-01-02", "campaign": "", "opted_out": 0
        });
        let (status, _, body) = call(&td, "create-contact", TOKEN, None, new).await;
        assert_eq!((status, body), (200, json!({"status": true, "message": "Contact created"})));
        let (status, _, body) = call(&td, "get-contact-detail", TOKEN, None, lookup).await;
        assert_eq!(status, 200);
        assert_eq!(body["contact"]["name"], "Ann Lee");
        assert_eq!(body["contact"]["opted_out"], 0);
        let id = body["contact"]["id"].as_str().unwrap().to_owned();
        let add = json!({"contact_id": id, "campaign_id": CAMPAIGNS[0].0, "already_scheduled_remove": false});
        assert_eq!(call(&td, "add-campaign", TOKEN, None, add).await.0, 200);
        assert_eq!(td.campaign_adds(), [(id, CAMPAIGNS[0].0.to_owned())]);
        assert_eq!(td.add_contact("+15555550999", "Bo", true), "c-2");
        assert_eq!(td.contacts().len(), 2);
    }
}
