//! A stand-in for the deployed Crokodial server (Node/Express/MongoDB, which we do not control),
//! following `docs/legacy-crokodial-api.md`, quirks included, over real HTTP and WebSocket on
//! loopback. Leads are loose JSON documents, as Mongo holds them. [`WebApp`] is a client that
//! treats the socket as the deployed web app does.
//!
//! Users, created in this order: the admin [`ADMIN_EMAIL`] (the "first admin", who gets every
//! webhook lead), the rep [`EMAIL`] and another rep [`OTHER_EMAIL`], each a tenant of one, all
//! with [`PASSWORD`].

use std::cmp::Ordering;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{self, AtomicUsize};
use std::sync::{Arc, LazyLock, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::multipart::MultipartRejection;
use axum::extract::rejection::QueryRejection;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use crokodial_core::edit::EditField;
use crokodial_core::Lead;
use futures_util::{SinkExt, StreamExt};
use regex::Regex;
use serde_json::{json, Value};
use tokio::sync::mpsc;

/// The rep's token (what `POST /api/auth/login` gives [`EMAIL`]).
pub const TOKEN: &str = "legacy.jwt.token";
pub const ADMIN_TOKEN: &str = "legacy.jwt.admin";
pub const OTHER_TOKEN: &str = "legacy.jwt.other";
/// The rep.
pub const EMAIL: &str = "rep@legacy.test";
/// The first admin.
pub const ADMIN_EMAIL: &str = "admin@legacy.test";
/// Another rep, a tenant of their own.
pub const OTHER_EMAIL: &str = "other@legacy.test";
/// Every user's password.
pub const PASSWORD: &str = "legacy-password";

/// A lead document as Mongo holds it.
type Doc = serde_json::Map<String, Value>;

/// How the stand-in runs.
#[derive(Debug, Clone, Copy)]
pub struct LegacyOptions {
    /// Protocol pings to every socket; one that did not answer the previous ping is terminated.
    pub ping_every: Duration,
}

impl Default for LegacyOptions {
    fn default() -> Self {
        LegacyOptions { ping_every: Duration::from_secs(30) }
    }
}

/// A user's NextGen webhook credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub sid: String,
    pub api_key: String,
}

// ---------------------------------------------------------------------------------------------
// The server and its test helpers
// ---------------------------------------------------------------------------------------------

pub struct LegacyServer {
    addr: SocketAddr,
    inner: Arc<Inner>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for LegacyServer {
    fn drop(&mut self) {
        self.drop_sockets();
        self.task.abort();
    }
}

impl LegacyServer {
    pub async fn start() -> anyhow::Result<Self> {
        Self::start_with(LegacyOptions::default()).await
    }

    pub async fn start_with(options: LegacyOptions) -> anyhow::Result<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let inner = Arc::new(Inner {
            store: Mutex::new(Store::seeded()),
            sockets: Mutex::default(),
            puts: AtomicUsize::new(0),
            failing_puts: AtomicUsize::new(0),
            uploads: Mutex::default(),
            options,
            port: addr.port(),
            started: Instant::now(),
        });
        let app = routes(inner.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(LegacyServer { addr, inner, task })
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A fresh ObjectId-like id (24 hex digits).
    pub fn new_id(&self) -> String {
        new_id()
    }

    /// The `_id` of a user.
    pub fn user_id(&self, email: &str) -> String {
        self.inner.store().account(email).id.clone()
    }

    /// Stores a NextGen lead with id `id` in the rep's tenant, as the rep's own NextGen CSV upload
    /// would (`tenantId = assignedTo = rep`), created now; returns it.
    pub fn store_lead(&self, id: &str, name: &str) -> Lead {
        let doc = self.store_vendor_lead(id, EMAIL, name);
        serde_json::from_value(Value::Object(doc)).expect("a stored lead decodes")
    }

    /// Like [`LegacyServer::store_lead`], in `email`'s tenant with a fresh id; returns the id.
    pub fn store_lead_for(&self, email: &str, name: &str) -> String {
        let id = new_id();
        self.store_vendor_lead(&id, email, name);
        id
    }

    fn store_vendor_lead(&self, id: &str, email: &str, name: &str) -> Doc {
        let mut store = self.inner.store();
        let owner = store.account(email).id.clone();
        let doc = new_lead_doc(obj(json!({
            "_id": id, "tenantId": owner, "assignedTo": owner, "name": name, "source": "NextGen",
        })));
        store.leads.push(doc.clone());
        doc
    }

    /// Inserts any document as-is (an `_id` is added if it has none); returns its `_id`.
    pub fn store_raw(&self, doc: Value) -> String {
        let Value::Object(mut doc) = doc else { panic!("a lead document is a JSON object") };
        let id = doc.entry("_id").or_insert_with(|| new_id().into()).clone();
        self.inner.store().leads.push(doc);
        id.as_str().map_or_else(|| id.to_string(), str::to_owned)
    }

    /// A lead as stored, decoded; `None` if missing or too loose for [`Lead`].
    pub fn lead(&self, id: &str) -> Option<Lead> {
        serde_json::from_value(self.lead_doc(id)?).ok()
    }

    /// A lead's document exactly as stored.
    pub fn lead_doc(&self, id: &str) -> Option<Value> {
        let store = self.inner.store();
        store.lead_index(id).map(|i| Value::Object(store.leads[i].clone()))
    }

    /// Every stored lead that decodes as a [`Lead`], in insertion order (looser ones are skipped).
    pub fn leads(&self) -> Vec<Lead> {
        let store = self.inner.store();
        store.leads.iter().filter_map(|d| serde_json::from_value(Value::Object(d.clone())).ok()).collect()
    }

    /// Changes a lead as another user of the deployed server would (PUT semantics: an empty
    /// value changes nothing but notes and disposition, which it clears); no event.
    pub fn edit_elsewhere(&self, id: &str, field: EditField, value: &str) {
        let body = json!({ field.as_str(): value });
        let Ok(changes) = put_changes(&body) else { return };
        let mut store = self.inner.store();
        if let Some(i) = store.lead_index(id) {
            apply(&mut store.leads[i], changes);
        }
    }

    /// Sets a lead's notes as `PATCH /api/leads/:id/notes` does, broadcast included.
    pub fn notes_elsewhere(&self, id: &str, notes: &str) {
        let updated_at = {
            let mut store = self.inner.store();
            let Some(i) = store.lead_index(id) else { return };
            apply(&mut store.leads[i], vec![("notes", notes.into())])
        };
        self.inner.broadcast(notes_event(id, &notes.into(), &updated_at));
    }

    /// Deletes a lead, as an admin of the deployed server would (no event).
    pub fn delete_elsewhere(&self, id: &str) {
        let mut store = self.inner.store();
        if let Some(i) = store.lead_index(id) {
            store.leads.remove(i);
        }
    }

    /// The dials the user with `email` has counted to `phone` (any spelling).
    pub fn dial_count(&self, email: &str, phone: &str) -> u32 {
        let store = self.inner.store();
        let Some(user) = store.accounts.iter().find(|a| a.email == email) else { return 0 };
        store.dials.get(&(user.id.clone(), dial_key(phone))).copied().unwrap_or(0)
    }

    /// How many `PUT /api/leads/:id` requests it has received.
    pub fn puts(&self) -> usize {
        self.inner.puts.load(atomic::Ordering::SeqCst)
    }

    /// The next `n` PUTs answer 500 `{message:"Error updating lead"}` and change nothing.
    pub fn fail_puts(&self, n: usize) {
        self.inner.failing_puts.store(n, atomic::Ordering::SeqCst);
    }

    /// The rows processed by each CSV upload received, in order.
    pub fn uploads(&self) -> Vec<usize> {
        lock(&self.inner.uploads).clone()
    }

    /// Stores a webhook lead with id `id` for the first admin and announces it as the deployed
    /// server does: an id-less stub, then the event.
    pub fn webhook_lead(&self, id: &str, name: &str) {
        self.inner.broadcast(new_lead_event(json!({"name": name, "source": "NextGen", "isNew": true})));
        {
            let mut store = self.inner.store();
            let admin = store.first_admin().id.clone();
            let fields = json!({
                "_id": id, "tenantId": admin, "name": name, "source": "NextGen",
                "disposition": WEBHOOK_DISPOSITION, "status": "New",
            });
            store.leads.push(new_lead_doc(obj(fields)));
        }
        let event = json!({"leadId": id, "name": name, "source": "NextGen", "isNew": true, "processMs": 450.0});
        self.inner.broadcast(new_lead_event(event));
    }

    /// POSTs `body` to `/api/webhooks/nextgen` over HTTP with the first admin's credentials;
    /// returns the status and the body (a JSON string if it is not JSON).
    pub async fn post_webhook(&self, body: Value) -> (u16, Value) {
        let creds = self.credentials(ADMIN_EMAIL).expect("the admin has credentials");
        let resp = reqwest::Client::new()
            .post(format!("{}/api/webhooks/nextgen", self.url()))
            .header("sid", creds.sid)
            .header("apikey", creds.api_key)
            .json(&body)
            .send()
            .await
            .expect("the stand-in answers");
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    /// A user's active NextGen credentials.
    pub fn credentials(&self, email: &str) -> Option<Credentials> {
        let store = self.inner.store();
        let pair = store.active_pair(&store.account(email).id)?;
        Some(Credentials { sid: pair.sid.clone(), api_key: pair.api_key.clone() })
    }

    /// Deletes a user: their token then answers 401 `{error:"User not found"}` (the socket still
    /// takes it: the deployed server does not look the user up there).
    pub fn revoke(&self, email: &str) {
        let mut store = self.inner.store();
        if let Some(account) = store.accounts.iter_mut().find(|a| a.email == email) {
            account.revoked = true;
        }
    }

    /// Closes every open socket with `code`.
    pub fn close_sockets(&self, code: u16) {
        self.inner.sockets().each(|_| Push::Close(code, "Closed by the test"));
    }

    /// Ends every open socket without a close frame, as a restart of the dyno does.
    pub fn drop_sockets(&self) {
        self.inner.sockets().each(|_| Push::Drop);
    }

    /// How many sockets are open, authenticated or not.
    pub fn open_sockets(&self) -> usize {
        self.inner.sockets().open.len()
    }

    /// How many open sockets have authenticated as `email`.
    pub fn authenticated_sockets(&self, email: &str) -> usize {
        let id = self.user_id(email);
        self.inner.sockets().open.values().filter(|s| s.user.as_deref() == Some(id.as_str())).count()
    }
}

// ---------------------------------------------------------------------------------------------
// State
// ---------------------------------------------------------------------------------------------

struct Inner {
    store: Mutex<Store>,
    sockets: Mutex<Sockets>,
    /// `PUT /api/leads/:id` requests received.
    puts: AtomicUsize,
    /// PUTs still to fail (see [`LegacyServer::fail_puts`]).
    failing_puts: AtomicUsize,
    /// Rows processed by each CSV upload.
    uploads: Mutex<Vec<usize>>,
    options: LegacyOptions,
    port: u16,
    started: Instant,
}

impl Inner {
    fn store(&self) -> MutexGuard<'_, Store> {
        lock(&self.store)
    }

    fn sockets(&self) -> MutexGuard<'_, Sockets> {
        lock(&self.sockets)
    }

    /// Sends a message to every open socket, authenticated or not, whatever the tenant.
    fn broadcast(&self, message: Value) {
        let text = message.to_string();
        self.sockets().each(|_| Push::Text(text.clone()));
    }
}

/// A poisoned lock only means a test panicked; the data is still good for the next.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

struct Account {
    id: String,
    name: String,
    email: String,
    password: String,
    admin: bool,
    token: String,
    revoked: bool,
}

/// A NextGen credential pair.
struct Pair {
    user_id: String,
    sid: String,
    api_key: String,
    created_at: String,
    active: bool,
}

struct Store {
    accounts: Vec<Account>,
    pairs: Vec<Pair>,
    /// In insertion order.
    leads: Vec<Doc>,
    dispositions: Vec<Value>,
    /// Each user's dials, by the phone's last 10 digits.
    dials: HashMap<(String, String), u32>,
}

impl Store {
    fn seeded() -> Store {
        let account = |email: &str, name: &str, admin: bool, token: &str| Account {
            id: new_id(),
            name: name.into(),
            email: email.into(),
            password: PASSWORD.into(),
            admin,
            token: token.into(),
            revoked: false,
        };
        let accounts = vec![
            account(ADMIN_EMAIL, "Legacy Admin", true, ADMIN_TOKEN),
            account(EMAIL, "Legacy Rep", false, TOKEN),
            account(OTHER_EMAIL, "Other Rep", false, OTHER_TOKEN),
        ];
        let mut store = Store {
            accounts,
            pairs: Vec::new(),
            leads: Vec::new(),
            dispositions: default_dispositions(),
            dials: HashMap::new(),
        };
        for user_id in store.accounts.iter().map(|a| a.id.clone()).collect::<Vec<_>>() {
            store.issue_pair(&user_id);
        }
        store
    }

    fn account(&self, email: &str) -> &Account {
        self.accounts.iter().find(|a| a.email == email).unwrap_or_else(|| panic!("no user {email}"))
    }

    fn first_admin(&self) -> &Account {
        self.accounts.iter().find(|a| a.admin).expect("an admin")
    }

    fn active_pair(&self, user_id: &str) -> Option<&Pair> {
        self.pairs.iter().rev().find(|p| p.active && p.user_id == user_id)
    }

    /// Deactivates the user's pairs and issues a new one.
    fn issue_pair(&mut self, user_id: &str) -> &Pair {
        for pair in self.pairs.iter_mut().filter(|p| p.user_id == user_id) {
            pair.active = false;
        }
        self.pairs.push(Pair {
            user_id: user_id.into(),
            sid: format!("crk_{}", random_hex(16)),
            api_key: format!("key_{}", random_hex(32)),
            created_at: now_iso(),
            active: true,
        });
        self.pairs.last().expect("just pushed")
    }

    fn lead_index(&self, id: &str) -> Option<usize> {
        self.leads.iter().position(|d| d.get("_id").and_then(Value::as_str) == Some(id))
    }

    /// The lead `id` if its `tenantId` is `owner`.
    fn owned_lead(&self, id: &str, owner: &str) -> Option<&Doc> {
        self.leads.iter().find(|d| str_field(d, "_id") == Some(id) && str_field(d, "tenantId") == Some(owner))
    }

    fn owned_lead_mut(&mut self, id: &str, owner: &str) -> Option<&mut Doc> {
        self.leads.iter_mut().find(|d| str_field(d, "_id") == Some(id) && str_field(d, "tenantId") == Some(owner))
    }

    /// The lead of `owner` whose `key` field equals `value`.
    fn find_by(&mut self, owner: &str, key: &str, value: &str) -> Option<&mut Doc> {
        self.leads.iter_mut().find(|d| str_field(d, "tenantId") == Some(owner) && str_field(d, key) == Some(value))
    }
}

/// The seeded dispositions, as the deployed server stores them.
fn default_dispositions() -> Vec<Value> {
    let now = now_iso();
    crokodial_core::edit::default_dispositions()
        .into_iter()
        .map(|d| {
            json!({
                "_id": new_id(), "name": d.name, "color": d.color, "emoji": d.emoji, "isDefault": true,
                "createdBy": null, "sortOrder": d.sort_order, "createdAt": now, "updatedAt": now, "__v": 0,
            })
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// HTTP: routes, authentication, answers
// ---------------------------------------------------------------------------------------------

type Reply = Result<Response, Response>;

/// An error answer from a helper, boxed to keep its `Result` small; `?` in a handler unboxes it.
struct Refusal(Box<Response>);

impl From<Response> for Refusal {
    fn from(resp: Response) -> Self {
        Refusal(Box::new(resp))
    }
}

impl From<Refusal> for Response {
    fn from(refusal: Refusal) -> Self {
        *refusal.0
    }
}

/// The caller of an authenticated route.
struct Caller {
    id: String,
    admin: bool,
}

fn routes(inner: Arc<Inner>) -> Router {
    Router::new()
        .route("/api/health", get(health).fallback(fallback))
        .route("/api/webhooks/health", get(webhook_health).fallback(fallback))
        .route("/api/auth/login", post(login).fallback(fallback))
        .route("/api/auth/verify", get(verify).fallback(fallback))
        .route("/api/auth/profile", get(profile).put(update_profile).fallback(fallback))
        .route("/api/leads", get(list_leads).post(create_lead).fallback(fallback))
        .route("/api/leads/{id}", get(get_lead).put(update_lead).delete(delete_lead).fallback(fallback))
        .route("/api/leads/{id}/notes", axum::routing::patch(patch_notes).fallback(fallback))
        .route(
            "/api/csv-upload",
            post(csv_upload).layer(DefaultBodyLimit::max(CSV_MAX_BYTES + 1024 * 1024)).fallback(fallback),
        )
        .route("/api/webhooks/nextgen", post(nextgen_webhook).fallback(fallback))
        .route("/api/integrations/nextgen/credentials", get(get_credentials).fallback(fallback))
        .route("/api/integrations/nextgen/credentials/rotate", post(rotate_credentials).fallback(fallback))
        .route("/api/dispositions", get(list_dispositions).post(add_disposition).fallback(fallback))
        .route(
            "/api/dispositions/{id}",
            axum::routing::put(update_disposition).delete(delete_disposition).fallback(fallback),
        )
        .route("/api/dial-counts", get(dial_counts).fallback(fallback))
        .route("/api/dial-counts/increment", post(count_dial).fallback(fallback))
        .fallback(fallback)
        .with_state(inner)
}

fn reply(status: u16, body: Value) -> Response {
    (StatusCode::from_u16(status).expect("a status"), Json(body)).into_response()
}

fn message(status: u16, text: &str) -> Response {
    reply(status, json!({ "message": text }))
}

/// Express's page for a path it has no route for.
fn express_404(method: &Method, path: &str) -> Response {
    let path = path.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    let page = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Error</title>\n</head>\n\
         <body>\n<pre>Cannot {method} {path}</pre>\n</body>\n</html>\n"
    );
    (StatusCode::NOT_FOUND, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], page).into_response()
}

/// What Express's global error handler answers.
fn global_error(status: u16, text: &str) -> Response {
    reply(status, json!({"success": false, "error": {"message": text, "status": status, "details": null}}))
}

impl Inner {
    /// The deployed server's `auth` middleware.
    fn auth(&self, headers: &HeaderMap) -> Result<Caller, Refusal> {
        let raw = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or("");
        let token = raw.replacen("Bearer ", "", 1);
        if token.is_empty() {
            return Err(reply(401, json!({"error": "No auth token found"})).into());
        }
        match self.store().accounts.iter().find(|a| a.token == token) {
            None => Err(reply(401, json!({"error": "Invalid token", "details": "invalid signature"})).into()),
            Some(a) if a.revoked => Err(reply(401, json!({"error": "User not found"})).into()),
            Some(a) => Ok(Caller { id: a.id.clone(), admin: a.admin }),
        }
    }
}

/// A JSON body as Express's `json()` parser reads it: empty is `{}`, anything unparsable (or not
/// an object or array) is a 400 from the global handler.
fn json_body(bytes: &Bytes) -> Result<Value, Refusal> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(json!({}));
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(v) if v.is_object() || v.is_array() => Ok(v),
        Ok(_) => Err(global_error(400, "Unexpected token in JSON").into()),
        Err(e) => Err(global_error(400, &e.to_string()).into()),
    }
}

/// Any path without a route: the socket for non-`/api` paths, else Express's 404 (after the
/// 401 under the routers that authenticate every path first).
async fn fallback(
    State(s): State<Arc<Inner>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let path = uri.path();
    if path == "/api" || path.starts_with("/api/") {
        let auth_first = ["/api/integrations", "/api/documents"]
            .iter()
            .any(|p| path == *p || path.strip_prefix(p).is_some_and(|rest| rest.starts_with('/')));
        if auth_first {
            if let Err(refused) = s.auth(&headers) {
                return refused.into();
            }
        }
        return express_404(&method, path);
    }
    match upgrade {
        Ok(upgrade) => upgrade.on_upgrade(move |socket| serve_socket(s, socket)),
        Err(_) => express_404(&method, path),
    }
}

async fn health(State(s): State<Arc<Inner>>) -> Response {
    let body = json!({
        "status": "ok", "server": "Production Server", "port": s.port.to_string(),
        "uptime": s.started.elapsed().as_secs_f64(), "timestamp": now_iso(),
    });
    reply(200, body)
}

async fn webhook_health() -> Response {
    reply(200, json!({"status": "ok", "service": "webhook", "timestamp": now_iso()}))
}

// --- Auth ---------------------------------------------------------------------------------------

fn user_json(a: &Account) -> Value {
    json!({"_id": a.id, "id": a.id, "name": a.name, "email": a.email, "profilePicture": "",
           "role": if a.admin { "admin" } else { "user" }})
}

async fn login(State(s): State<Arc<Inner>>, body: Bytes) -> Reply {
    let body = json_body(&body)?;
    let (Some(email), Some(password)) = (body["email"].as_str(), body["password"].as_str()) else {
        return Err(message(400, "Email and password are required"));
    };
    let store = s.store();
    let account = store
        .accounts
        .iter()
        .find(|a| a.email == email && a.password == password && !a.revoked)
        .ok_or_else(|| message(400, "Invalid credentials"))?;
    let mut user = user_json(account);
    user.as_object_mut().expect("an object").remove("profilePicture");
    Ok(reply(200, json!({"token": account.token, "user": user})))
}

fn caller_json(s: &Inner, caller: &Caller) -> Value {
    let store = s.store();
    user_json(store.accounts.iter().find(|a| a.id == caller.id).expect("the caller exists"))
}

async fn verify(State(s): State<Arc<Inner>>, headers: HeaderMap) -> Reply {
    let caller = s.auth(&headers)?;
    Ok(reply(200, json!({"valid": true, "user": caller_json(&s, &caller)})))
}

async fn profile(State(s): State<Arc<Inner>>, headers: HeaderMap) -> Reply {
    let caller = s.auth(&headers)?;
    Ok(reply(200, caller_json(&s, &caller)))
}

/// Empty values are ignored; a password is stored hashed twice, so no password logs in after.
async fn update_profile(State(s): State<Arc<Inner>>, headers: HeaderMap, body: Bytes) -> Reply {
    let caller = s.auth(&headers)?;
    let body = json_body(&body)?;
    let text = |k: &str| body.get(k).and_then(Value::as_str).filter(|v| !v.is_empty()).map(str::to_owned);
    {
        let mut store = s.store();
        if let Some(email) = text("email") {
            if store.accounts.iter().any(|a| a.email == email && a.id != caller.id) {
                return Err(message(400, "Email is already in use"));
            }
        }
        let me = store.accounts.iter_mut().find(|a| a.id == caller.id).expect("the caller exists");
        if let Some(name) = text("name") {
            me.name = name;
        }
        if let Some(email) = text("email") {
            me.email = email;
        }
        if text("password").is_some() {
            me.password = format!("hashed twice {}", new_id());
        }
    }
    Ok(reply(200, caller_json(&s, &caller)))
}

/// Admins only: a lead for the caller, `source` "Manual Entry" unless given, "Blank Lead" when
/// it has no `name` (the schema's default; first and last names do not make one).
async fn create_lead(State(s): State<Arc<Inner>>, headers: HeaderMap, body: Bytes) -> Reply {
    let caller = s.auth(&headers)?;
    if !caller.admin {
        return Err(message(403, "Access denied"));
    }
    let Value::Object(mut fields) = json_body(&body)? else { return Err(message(400, "Invalid lead")) };
    fields.retain(|k, _| !["_id", "tenantId", "assignedTo", "createdAt", "updatedAt", "__v"].contains(&k.as_str()));
    fields.entry("source").or_insert_with(|| "Manual Entry".into());
    fields.insert("tenantId".into(), caller.id.clone().into());
    fields.insert("assignedTo".into(), caller.id.clone().into());
    let doc = new_lead_doc(fields);
    s.store().leads.push(doc.clone());
    Ok(reply(201, Value::Object(doc)))
}

// --- The lead list --------------------------------------------------------------------------------

const LIST_KEYS: [&str; 12] = [
    "search",
    "states",
    "dispositions",
    "sources",
    "pipelineSource",
    "sortBy",
    "sortDirection",
    "page",
    "limit",
    "requestId",
    "getAllResults",
    "format",
];
const SORT_FIELDS: [&str; 7] = ["createdAt", "name", "email", "phone", "state", "disposition", "timeZone"];
const SEARCH_FIELDS: [&str; 5] = ["name", "firstName", "lastName", "email", "phone"];

/// `GET /api/leads`'s query, checked as the deployed server checks it.
struct ListQuery {
    values: HashMap<String, Vec<String>>,
    /// Upper-cased.
    states: Vec<String>,
    /// `pipelineSource`'s source, else `sources`.
    sources: Vec<String>,
    dispositions: Vec<String>,
    sort_by: String,
    descending: bool,
    page: usize,
    limit: usize,
}

impl ListQuery {
    fn parse(pairs: &[(String, String)]) -> Result<ListQuery, Refusal> {
        let refuse = |text: String| Refusal::from(reply(400, json!({"success": false, "message": text})));
        let mut values: HashMap<String, Vec<String>> = HashMap::new();
        for (key, value) in pairs {
            // As `qs` parses it: `states[]` is `states`.
            let key = key.split('[').next().unwrap_or_default();
            if !LIST_KEYS.contains(&key) {
                return Err(refuse(format!("Invalid query parameter: {key}")));
            }
            values.entry(key.to_owned()).or_default().push(value.clone());
        }
        let single = |key: &str| match values.get(key).map(Vec::as_slice) {
            None => Ok(None),
            Some([one]) => Ok(Some(one.as_str())),
            Some(_) => Err(()),
        };
        let sort_by = match single("sortBy") {
            Ok(None) => "createdAt",
            Ok(Some(field)) if SORT_FIELDS.contains(&field) => field,
            _ => return Err(refuse("Invalid sort field".into())),
        }
        .to_owned();
        let descending = match single("sortDirection") {
            Ok(None | Some("desc")) => true,
            Ok(Some("asc")) => false,
            _ => return Err(refuse("Sort direction must be \"asc\" or \"desc\"".into())),
        };
        let number = |key: &str| values.get(key).and_then(|v| parse_int(v.first()?));
        let page = number("page").unwrap_or(1).max(1) as usize;
        let mut limit = number("limit").unwrap_or(50).clamp(10, 100) as usize;
        let first = |key: &str| values.get(key).and_then(|v| v.first()).map(String::as_str);
        if first("getAllResults") == Some("true") || first("format") == Some("csv") {
            limit = 10_000;
        }
        // Lists: repeated keys and comma-separated values.
        let list = |key: &str| -> Vec<String> {
            let values = values.get(key).map(Vec::as_slice).unwrap_or_default();
            values
                .iter()
                .flat_map(|v| v.split(','))
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
                .collect()
        };
        let states = list("states").iter().map(|s| s.to_uppercase()).collect();
        let sources = match first("pipelineSource").and_then(pipeline_source) {
            Some(None) => Vec::new(),
            Some(Some(source)) => vec![source.to_owned()],
            None => list("sources"),
        };
        let dispositions = list("dispositions");
        Ok(ListQuery { states, sources, dispositions, values, sort_by, descending, page, limit })
    }

    /// The `search` regex; `Err` where the deployed server answers 500 (a bad pattern, a repeated key).
    fn search(&self) -> Result<Option<Regex>, ()> {
        match self.values.get("search").map(Vec::as_slice) {
            None => Ok(None),
            Some([pattern]) if pattern.is_empty() => Ok(None),
            Some([pattern]) => {
                regex::RegexBuilder::new(pattern).case_insensitive(true).build().map(Some).map_err(|_| ())
            }
            Some(_) => Err(()),
        }
    }

    fn matches(&self, doc: &Doc, search: Option<&Regex>) -> bool {
        let one_of = |key: &str, wanted: &[String]| {
            wanted.is_empty() || str_field(doc, key).is_some_and(|v| wanted.iter().any(|w| w == v))
        };
        if !one_of("state", &self.states) || !one_of("source", &self.sources) {
            return false;
        }
        let found = search.map(|re| SEARCH_FIELDS.iter().any(|f| str_field(doc, f).is_some_and(|v| re.is_match(v))));
        let disposed = (!self.dispositions.is_empty()).then(|| {
            let disposition = str_field(doc, "disposition").unwrap_or_default();
            self.dispositions.iter().any(|d| d == disposition || (d == "No Disposition" && disposition.is_empty()))
        });
        // The deployed server ORs the two.
        match (found, disposed) {
            (Some(a), Some(b)) => a || b,
            (Some(x), None) | (None, Some(x)) => x,
            (None, None) => true,
        }
    }
}

/// `Some(None)` for `all`, `Some(Some(source))` for a known key, `None` for anything else.
fn pipeline_source(key: &str) -> Option<Option<&'static str>> {
    Some(Some(match key {
        "all" => return Some(None),
        "nextgen" => "NextGen",
        "marketplace" => "Marketplace",
        "selfgen" => "Self Generated",
        "csv" => "CSV Import",
        "manual" => "Manual Entry",
        "usha" => "Usha",
        _ => return None,
    }))
}

/// Which leads the caller lists: their own; admins also those without a `tenantId`.
fn listed_to(doc: &Doc, caller: &Caller) -> bool {
    match doc.get("tenantId") {
        None | Some(Value::Null) => caller.admin,
        Some(t) => t.as_str() == Some(caller.id.as_str()),
    }
}

async fn list_leads(
    State(s): State<Arc<Inner>>,
    headers: HeaderMap,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Reply {
    let started = Instant::now();
    let caller = s.auth(&headers)?;
    let pairs = query.map(|q| q.0).unwrap_or_default();
    let q = ListQuery::parse(&pairs)?;
    let request_id = format!("req_{}_{}", chrono::Utc::now().timestamp_millis(), random_hex(4));
    let ms = |started: Instant| started.elapsed().as_secs_f64() * 1000.0;
    let failed = || {
        let body = json!({"error": "Failed to fetch leads", "requestId": request_id, "queryTime": ms(started)});
        reply(500, body)
    };
    let search = q.search().map_err(|()| failed())?;

    let store = s.store();
    let mut hits: Vec<&Doc> =
        store.leads.iter().filter(|d| listed_to(d, &caller) && q.matches(d, search.as_ref())).collect();
    // Ties come back newest-stored first when descending.
    if q.descending {
        hits.reverse();
    }
    hits.sort_by(|a, b| {
        let order = mongo_cmp(a.get(&q.sort_by), b.get(&q.sort_by));
        if q.descending {
            order.reverse()
        } else {
            order
        }
    });
    let total = hits.len();
    let leads: Vec<Value> = hits
        .iter()
        .skip((q.page - 1).saturating_mul(q.limit))
        .take(q.limit)
        .map(|d| Value::Object(as_listed(d)))
        .collect();
    drop(store);

    let query_time = ms(started);
    let body = json!({
        "leads": leads,
        "pagination": {"total": total, "page": q.page, "pages": total.div_ceil(q.limit), "limit": q.limit},
        "meta": {"queryTime": query_time, "cached": false, "requestId": request_id},
    });
    let mut resp = reply(200, body);
    let h = resp.headers_mut();
    h.insert("x-total-count", HeaderValue::from(total));
    h.insert("x-query-time", HeaderValue::from_str(&format!("{query_time:.0}ms")).expect("ascii"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=60"));
    Ok(resp)
}

/// Mongo's sort order across types: missing and null first, then numbers, strings, objects,
/// arrays, booleans.
fn mongo_cmp(a: Option<&Value>, b: Option<&Value>) -> Ordering {
    let rank = |v: Option<&Value>| match v {
        None | Some(Value::Null) => 0,
        Some(Value::Number(_)) => 1,
        Some(Value::String(_)) => 2,
        Some(Value::Object(_)) => 3,
        Some(Value::Array(_)) => 4,
        Some(Value::Bool(_)) => 5,
    };
    match (a, b) {
        (Some(Value::Number(x)), Some(Value::Number(y))) => {
            x.as_f64().partial_cmp(&y.as_f64()).unwrap_or(Ordering::Equal)
        }
        (Some(Value::String(x)), Some(Value::String(y))) => x.cmp(y),
        (Some(Value::Bool(x)), Some(Value::Bool(y))) => x.cmp(y),
        _ => rank(a).cmp(&rank(b)),
    }
}

// --- One lead ---------------------------------------------------------------------------------------

const PUT_FIELDS: [&str; 11] =
    ["disposition", "notes", "name", "email", "phone", "zipcode", "dob", "height", "weight", "gender", "state"];

fn is_object_id(id: &str) -> bool {
    id.len() == 24 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

fn not_found() -> Response {
    message(404, "Lead not found")
}

async fn get_lead(State(s): State<Arc<Inner>>, headers: HeaderMap, Path(id): Path<String>) -> Reply {
    let caller = s.auth(&headers)?;
    if !is_object_id(&id) {
        return Err(message(400, "Invalid lead ID format"));
    }
    if !caller.admin {
        return Err(message(403, "Access denied"));
    }
    let store = s.store();
    let mut doc = as_listed(store.owned_lead(&id, &caller.id).ok_or_else(not_found)?);
    if let Some(assignee) = doc.get("assignedTo").and_then(Value::as_str).map(str::to_owned) {
        let populated = store
            .accounts
            .iter()
            .find(|a| a.id == assignee)
            .map_or(Value::Null, |a| json!({"_id": a.id, "name": a.name, "email": a.email}));
        doc.insert("assignedTo".into(), populated);
    }
    Ok(reply(200, Value::Object(doc)))
}

/// The changes a PUT body asks for, in the deployed server's terms; `Err` for an email it
/// refuses (then nothing is applied).
fn put_changes(body: &Value) -> Result<Vec<(&'static str, Value)>, ()> {
    let mut changes = Vec::new();
    for key in PUT_FIELDS {
        let Some(value) = body.get(key) else { continue };
        let clearable = key == "notes" || key == "disposition";
        let empty = value.is_null() || value.as_str() == Some("");
        if empty && !clearable {
            continue;
        }
        if key == "email" {
            let email = value.as_str().map_or_else(|| value.to_string(), str::to_owned).trim().to_lowercase();
            if !is_email(&email) {
                return Err(());
            }
            changes.push((key, Value::String(email)));
        } else {
            changes.push((key, value.clone()));
        }
    }
    Ok(changes)
}

/// Applies changes and stamps `updatedAt`; returns that time.
fn apply(doc: &mut Doc, changes: Vec<(&str, Value)>) -> String {
    for (key, value) in changes {
        doc.insert(key.into(), value);
    }
    let now = now_iso();
    doc.insert("updatedAt".into(), now.clone().into());
    now
}

fn notes_event(lead_id: &str, notes: &Value, updated_at: &str) -> Value {
    json!({"type": "LEAD_NOTES_UPDATED", "leadId": lead_id, "notes": notes, "updatedAt": updated_at})
}

async fn update_lead(State(s): State<Arc<Inner>>, headers: HeaderMap, Path(id): Path<String>, body: Bytes) -> Reply {
    s.puts.fetch_add(1, atomic::Ordering::SeqCst);
    let caller = s.auth(&headers)?;
    let failed = || message(500, "Error updating lead");
    let injected =
        s.failing_puts.fetch_update(atomic::Ordering::SeqCst, atomic::Ordering::SeqCst, |n| n.checked_sub(1));
    if injected.is_ok() {
        return Err(failed());
    }
    let body = json_body(&body)?;
    if !is_object_id(&id) {
        return Err(failed());
    }
    let changes = put_changes(&body).map_err(|()| failed())?;
    let (answer, updated_at) = {
        let mut store = s.store();
        let doc = store.owned_lead_mut(&id, &caller.id).ok_or_else(not_found)?;
        let updated_at = apply(doc, changes);
        (as_stored(doc), updated_at)
    };
    if let Some(notes) = body.get("notes") {
        s.broadcast(notes_event(&id, notes, &updated_at));
    }
    Ok(reply(200, Value::Object(answer)))
}

async fn patch_notes(State(s): State<Arc<Inner>>, headers: HeaderMap, Path(id): Path<String>, body: Bytes) -> Reply {
    let caller = s.auth(&headers)?;
    let body = json_body(&body)?;
    let Some(notes) = body.get("notes").filter(|n| n.is_string()).cloned() else {
        return Err(message(400, "Notes must be provided as a string"));
    };
    if !is_object_id(&id) {
        return Err(message(500, "Error updating notes"));
    }
    let updated_at = {
        let mut store = s.store();
        let doc = store.owned_lead_mut(&id, &caller.id).ok_or_else(not_found)?;
        apply(doc, vec![("notes", notes.clone())])
    };
    s.broadcast(notes_event(&id, &notes, &updated_at));
    Ok(reply(200, json!({"success": true, "leadId": id, "notes": notes})))
}

async fn delete_lead(State(s): State<Arc<Inner>>, headers: HeaderMap, Path(id): Path<String>) -> Reply {
    let caller = s.auth(&headers)?;
    if !caller.admin {
        return Err(message(403, "Access denied"));
    }
    if !is_object_id(&id) {
        return Err(message(500, "Error deleting lead"));
    }
    let mut store = s.store();
    let i = store.lead_index(&id).ok_or_else(not_found)?;
    store.leads.remove(i);
    Ok(message(200, "Lead deleted successfully"))
}

// --- Leads as answered ----------------------------------------------------------------------------------

/// Lines the deployed server leaves out of the notes it answers (the stored text keeps them).
fn hidden_note_line(line: &str) -> bool {
    static VENDOR_HEADER: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?i)^\s*(🌟\s*)?New (Marketplace|NextGen) Lead").expect("a regex"));
    const PREFIXES: [&str; 9] = [
        "Imported on:",
        "File:",
        "Location:",
        "Demographics:",
        "DOB:",
        "Gender:",
        "Campaign:",
        "Source:",
        "Original Status:",
    ];
    VENDOR_HEADER.is_match(line) || PREFIXES.iter().any(|p| line.starts_with(p))
}

fn sanitise_notes(notes: &str) -> String {
    notes.lines().filter(|l| !hidden_note_line(l)).collect::<Vec<_>>().join("\n")
}

/// A lead as a PUT answers it: `__v`, notes sanitised.
fn as_stored(doc: &Doc) -> Doc {
    let mut doc = doc.clone();
    doc.entry("__v").or_insert(0.into());
    if let Some(Value::String(notes)) = doc.get_mut("notes") {
        *notes = sanitise_notes(notes);
    }
    doc
}

/// A lead as the list and `GET /:id` answer it: also `disposition` "" when unset and `formattedJson`.
fn as_listed(doc: &Doc) -> Doc {
    let mut answer = as_stored(doc);
    if answer.get("disposition").is_none_or(Value::is_null) {
        answer.insert("disposition".into(), "".into());
    }
    answer.insert("formattedJson".into(), formatted_json(doc).into());
    answer
}

/// The lead in NextGen CSV terms, as a JSON string.
fn formatted_json(doc: &Doc) -> String {
    let mut out = Doc::new();
    out.insert("created_at".into(), doc.get("createdAt").cloned().unwrap_or_else(|| "".into()));
    for (column, key) in NEXTGEN_COLUMNS {
        out.insert(column.into(), doc.get(key).cloned().unwrap_or_else(|| "".into()));
    }
    Value::Object(out).to_string()
}

/// A new lead as Mongoose writes it: the schema's defaults, then `fields`.
fn new_lead_doc(fields: Doc) -> Doc {
    let now = now_iso();
    let mut doc = obj(json!({
        "_id": new_id(), "name": "Blank Lead", "email": "", "phone": "", "status": "New", "disposition": "",
        "military": false, "pregnant": false, "tobaccoUser": false, "hasPrescription": false,
        "hasMedicarePartsAB": false, "hasMedicalCondition": false, "medicalConditions": [], "timeZone": "",
        "createdAt": now, "updatedAt": now, "__v": 0,
    }));
    doc.extend(fields);
    doc
}

// ---------------------------------------------------------------------------------------------
// CSV upload
// ---------------------------------------------------------------------------------------------

const CSV_MAX_BYTES: usize = 50 * 1024 * 1024;
const CSV_MAX_ROWS: usize = 15_000;
const STATUSES: [&str; 5] = ["New", "Contacted", "Follow-up", "Won", "Lost"];
const BOOLEAN_FIELDS: [&str; 6] =
    ["military", "pregnant", "tobaccoUser", "hasPrescription", "hasMedicarePartsAB", "hasMedicalCondition"];

/// NextGen's columns and the lead fields they fill (the others go to `notesMetadata`).
const NEXTGEN_COLUMNS: [(&str, &str); 35] = [
    ("first_name", "firstName"),
    ("last_name", "lastName"),
    ("phone", "phone"),
    ("email", "email"),
    ("street_1", "street1"),
    ("street_2", "street2"),
    ("city", "city"),
    ("state", "state"),
    ("zipcode", "zipcode"),
    ("dob", "dob"),
    ("gender", "gender"),
    ("height", "height"),
    ("weight", "weight"),
    ("household_size", "householdSize"),
    ("household_income", "householdIncome"),
    ("military", "military"),
    ("pregnant", "pregnant"),
    ("tobacco_user", "tobaccoUser"),
    ("has_prescription", "hasPrescription"),
    ("has_medicare_parts_a_b", "hasMedicarePartsAB"),
    ("has_medical_condition", "hasMedicalCondition"),
    ("medical_conditions", "medicalConditions"),
    ("insurance_timeframe", "insuranceTimeframe"),
    ("campaign_name", "campaignName"),
    ("product", "product"),
    ("vendor_name", "vendorName"),
    ("account_name", "accountName"),
    ("bid_type", "bidType"),
    ("price", "price"),
    ("status", "status"),
    ("disposition", "disposition"),
    ("call_log_id", "callLogId"),
    ("call_duration", "callDuration"),
    ("source_hash", "sourceHash"),
    ("sub_id_hash", "subIdHash"),
];

/// Marketplace's mapped columns (`addressOne`, `income`, `household` are not: a legacy defect).
const MARKETPLACE_COLUMNS: [(&str, &str); 10] = [
    ("firstName", "firstName"),
    ("lastName", "lastName"),
    ("primaryPhone", "phone"),
    ("email", "email"),
    ("city", "city"),
    ("state", "state"),
    ("postalCode", "zipcode"),
    ("dateOfBirth", "dob"),
    ("gender", "gender"),
    ("campaignName", "campaignName"),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Vendor {
    NextGen,
    Marketplace,
}

impl Vendor {
    /// Known by the presence of any one header.
    fn detect(headers: &csv::StringRecord) -> Option<Vendor> {
        let has = |names: &[&str]| headers.iter().any(|h| names.contains(&h));
        if has(&["purchase_id", "vertical_id", "vendor_id"]) {
            Some(Vendor::NextGen)
        } else if has(&["leadID", "utm_source", "primaryPhone"]) {
            Some(Vendor::Marketplace)
        } else {
            None
        }
    }

    fn name(self) -> &'static str {
        match self {
            Vendor::NextGen => "NextGen",
            Vendor::Marketplace => "Marketplace",
        }
    }

    fn columns(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Vendor::NextGen => &NEXTGEN_COLUMNS,
            Vendor::Marketplace => &MARKETPLACE_COLUMNS,
        }
    }
}

#[derive(Default)]
struct ImportStats {
    imported: usize,
    updated: usize,
    processed: usize,
}

async fn csv_upload(
    State(s): State<Arc<Inner>>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Reply {
    let caller = s.auth(&headers)?;
    let no_file = || reply(400, json!({"error": "No CSV file uploaded"}));
    let file = read_csv_file(multipart.map_err(|_| no_file())?).await?.ok_or_else(no_file)?;
    let (vendor, stats) = s.import_csv(&caller.id, &file);
    lock(&s.uploads).push(stats.processed);
    let vendor = vendor.map_or("Unknown", Vendor::name);
    let stats = json!({"imported": stats.imported, "updated": stats.updated, "processed": stats.processed});
    Ok(reply(200, json!({"success": true, "vendor": vendor, "stats": stats})))
}

/// The one file in field `file`, refused as multer refuses it.
async fn read_csv_file(mut multipart: Multipart) -> Result<Option<Bytes>, Response> {
    let mut file = None;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => return Ok(file),
            Err(e) => return Err(global_error(500, &e.to_string())),
        };
        let Some(file_name) = field.file_name().map(str::to_owned) else { continue };
        if field.name() != Some("file") {
            return Err(global_error(500, "Unexpected field"));
        }
        if file.is_some() {
            return Err(global_error(500, "Too many files"));
        }
        if !file_name.to_lowercase().ends_with(".csv") && field.content_type() != Some("text/csv") {
            return Err(global_error(500, "Only CSV files are allowed"));
        }
        let bytes = field.bytes().await.map_err(|e| global_error(500, &e.to_string()))?;
        if bytes.len() > CSV_MAX_BYTES {
            return Err(global_error(500, "File too large"));
        }
        file = Some(bytes);
    }
}

impl Inner {
    /// Upserts each row for the uploader and announces each new one; `None` for an unknown file.
    fn import_csv(&self, uploader: &str, file: &[u8]) -> (Option<Vendor>, ImportStats) {
        let mut stats = ImportStats::default();
        let text = String::from_utf8_lossy(file);
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .flexible(true)
            .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
        let Some(vendor) = reader.headers().ok().and_then(Vendor::detect) else { return (None, stats) };
        let headers = reader.headers().expect("read above").clone();
        let mut events = Vec::new();
        {
            let mut store = self.store();
            for record in reader.records().take(CSV_MAX_ROWS) {
                let Ok(record) = record else { continue };
                stats.processed += 1;
                match store.upsert_row(uploader, vendor, csv_row(vendor, &headers, &record)) {
                    RowOutcome::Imported(event) => {
                        stats.imported += 1;
                        events.push(event);
                    }
                    RowOutcome::Updated => stats.updated += 1,
                    RowOutcome::Dropped => {}
                }
            }
        }
        for event in events {
            self.broadcast(event);
        }
        (Some(vendor), stats)
    }
}

/// A row's lead fields, `notesMetadata` included.
fn csv_row(vendor: Vendor, headers: &csv::StringRecord, record: &csv::StringRecord) -> Doc {
    let mut fields = Doc::new();
    let mut metadata = Doc::new();
    let mut original = Doc::new();
    for (i, header) in headers.iter().enumerate() {
        let raw = record.get(i).unwrap_or_default();
        original.insert(header.into(), cell_value(raw));
        let Some((_, key)) = vendor.columns().iter().find(|(column, _)| *column == header) else {
            metadata.insert(header.into(), cell_value(raw));
            continue;
        };
        if raw.is_empty() {
            continue;
        }
        let value = match *key {
            "phone" => Value::String(format_phone(raw)),
            "email" => Value::String(raw.to_lowercase()),
            "state" => Value::String(raw.to_uppercase()),
            "dob" => Value::String(format_dob(raw)),
            "medicalConditions" => raw.split(',').map(|c| Value::String(c.trim().into())).collect(),
            k if BOOLEAN_FIELDS.contains(&k) => {
                Value::Bool(matches!(raw.to_lowercase().as_str(), "true" | "yes" | "1" | "t" | "y"))
            }
            _ => cell_value(raw),
        };
        fields.insert((*key).into(), value);
    }
    let part = |k: &str| headers.iter().position(|h| Some(h) == column_of(vendor, k)).and_then(|i| record.get(i));
    let name =
        [part("firstName"), part("lastName")].into_iter().flatten().filter(|p| !p.is_empty()).collect::<Vec<_>>();
    if !name.is_empty() {
        fields.insert("name".into(), name.join(" ").into());
    }
    fields.insert("source".into(), vendor.name().into());
    metadata.insert("importedOn".into(), now_iso().into());
    metadata.insert("source".into(), vendor.name().into());
    metadata.insert("originalData".into(), Value::Object(original));
    fields.insert("notesMetadata".into(), Value::Object(metadata));
    fields
}

fn column_of(vendor: Vendor, key: &str) -> Option<&'static str> {
    vendor.columns().iter().find(|(_, k)| *k == key).map(|(column, _)| *column)
}

enum RowOutcome {
    /// New: the event announcing it.
    Imported(Value),
    Updated,
    /// Without phone and email, or a new row that failed validation.
    Dropped,
}

impl Store {
    fn upsert_row(&mut self, uploader: &str, vendor: Vendor, fields: Doc) -> RowOutcome {
        let phone = str_field(&fields, "phone").filter(|p| !p.is_empty()).map(str::to_owned);
        let email = str_field(&fields, "email").filter(|e| !e.is_empty()).map(str::to_owned);
        let (key, value) = match (&phone, &email) {
            (Some(p), _) => ("phone", p.clone()),
            (None, Some(e)) => ("email", e.clone()),
            (None, None) => return RowOutcome::Dropped,
        };
        if let Some(existing) = self.find_by(uploader, key, &value) {
            existing.extend(fields);
            existing.insert("updatedAt".into(), now_iso().into());
            return RowOutcome::Updated;
        }
        let bad_email = email.as_deref().is_some_and(|e| !is_email(e));
        let bad_status = fields.get("status").is_some_and(|s| !s.as_str().is_some_and(|s| STATUSES.contains(&s)));
        if bad_email || bad_status {
            return RowOutcome::Dropped;
        }
        let mut doc = new_lead_doc(fields);
        doc.insert("tenantId".into(), uploader.into());
        doc.insert("assignedTo".into(), uploader.into());
        let name = doc.get("name").cloned().unwrap_or_default();
        self.leads.push(doc);
        RowOutcome::Imported(new_lead_event(
            json!({"leadId": value, "name": name, "source": vendor.name(), "isNew": true}),
        ))
    }
}

/// A trimmed cell as the deployed server stores it: number-looking cells become numbers.
fn cell_value(raw: &str) -> Value {
    let numeric = raw.chars().any(|c| c.is_ascii_digit())
        && raw.chars().all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | '.' | 'e' | 'E'));
    match raw.parse::<f64>() {
        Ok(n) if numeric && n.is_finite() => number_value(n),
        _ => Value::String(raw.into()),
    }
}

fn number_value(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 9e15 {
        json!(n as i64)
    } else {
        json!(n)
    }
}

/// A 10-digit phone as `(XXX) XXX-XXXX`, any other as its digits.
fn format_phone(raw: &str) -> String {
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    if digits.len() == 10 {
        format!("({}) {}-{}", &digits[..3], &digits[3..6], &digits[6..])
    } else {
        digits
    }
}

/// A date with a 4-digit year as `MM/DD/YYYY`; anything else as it is.
fn format_dob(raw: &str) -> String {
    let parts: Vec<&str> = raw.split(['-', '/']).collect();
    let year = |p: &str| p.len() == 4 && p.bytes().all(|b| b.is_ascii_digit());
    let pad = |p: &str| format!("{p:0>2}");
    match parts.as_slice() {
        [y, m, d] if year(y) => format!("{}/{}/{y}", pad(m), pad(d)),
        [m, d, y] if year(y) => format!("{}/{}/{y}", pad(m), pad(d)),
        _ => raw.into(),
    }
}

// ---------------------------------------------------------------------------------------------
// NextGen webhook and credentials
// ---------------------------------------------------------------------------------------------

/// Disposition of every webhook lead.
const WEBHOOK_DISPOSITION: &str = "New Lead";

const WEBHOOK_STRINGS: [&str; 26] = [
    "lead_id",
    "nextgen_id",
    "first_name",
    "last_name",
    "phone",
    "phone_number",
    "city",
    "zip_code",
    "street_address",
    "dob",
    "date_of_birth",
    "gender",
    "height",
    "weight",
    "household_size",
    "household_income",
    "campaign_name",
    "product",
    "vendor_name",
    "account_name",
    "bid_type",
    "price",
    "call_log_id",
    "call_duration",
    "source_hash",
    "sub_id_hash",
];
const WEBHOOK_BOOLEANS: [(&str, &str); 5] = [
    ("tobacco_user", "tobaccoUser"),
    ("pregnant", "pregnant"),
    ("has_prescription", "hasPrescription"),
    ("has_medicare_parts_ab", "hasMedicarePartsAB"),
    ("has_medical_condition", "hasMedicalCondition"),
];
/// String fields stored as sent, under their camel-case names.
const WEBHOOK_COPIED: [(&str, &str); 13] = [
    ("city", "city"),
    ("zip_code", "zipcode"),
    ("street_address", "street1"),
    ("weight", "weight"),
    ("household_size", "householdSize"),
    ("household_income", "householdIncome"),
    ("campaign_name", "campaignName"),
    ("product", "product"),
    ("vendor_name", "vendorName"),
    ("account_name", "accountName"),
    ("bid_type", "bidType"),
    ("source_hash", "sourceHash"),
    ("sub_id_hash", "subIdHash"),
];

fn new_lead_event(data: Value) -> Value {
    json!({"type": "new_lead_notification", "data": data, "timestamp": now_iso()})
}

/// The zod check: each known key of the right type; unknown keys are dropped.
fn webhook_issues(body: &Value) -> Vec<Value> {
    let type_name = |v: &Value| match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    let Some(fields) = body.as_object() else {
        return vec![json!({"code": "invalid_type", "expected": "object", "received": type_name(body), "path": []})];
    };
    let mut issues = Vec::new();
    for (key, value) in fields {
        let (ok, expected) = match key.as_str() {
            k if WEBHOOK_STRINGS.contains(&k) => (value.is_string(), "string"),
            "email" => (value.as_str().is_some_and(is_email), "email"),
            "state" => (value.as_str().is_some_and(|s| s.chars().count() == 2), "string of 2 characters"),
            "age" => (value.is_number(), "number"),
            k if WEBHOOK_BOOLEANS.iter().any(|(w, _)| *w == k) => (value.is_boolean(), "boolean"),
            "medical_conditions" => (value.as_array().is_some_and(|a| a.iter().all(Value::is_string)), "array"),
            _ => (true, ""),
        };
        if !ok {
            issues.push(json!({
                "code": "invalid_type", "expected": expected, "received": type_name(value), "path": [key],
                "message": format!("Expected {expected}, received {}", type_name(value)),
            }));
        }
    }
    issues
}

/// The stored fields of a webhook lead (the upsert key and tenancy aside).
fn webhook_fields(body: &Doc, name: &str, phone: &str, email: &str) -> Doc {
    let text = |k: &str| body.get(k).and_then(Value::as_str).filter(|s| !s.is_empty());
    let mut doc = obj(json!({
        "name": name, "source": "NextGen", "disposition": WEBHOOK_DISPOSITION, "status": "New", "updatedAt": now_iso(),
    }));
    let mut set = |key: &str, value: Value| {
        doc.insert(key.into(), value);
    };
    for (key, value) in [("phone", phone), ("email", email)] {
        if !value.is_empty() {
            set(key, value.into());
        }
    }
    for (wire, key) in [("first_name", "firstName"), ("last_name", "lastName")] {
        if let Some(v) = text(wire) {
            set(key, v.into());
        }
    }
    if let Some(id) = text("nextgen_id").or(text("lead_id")) {
        set("nextgenId", id.into());
    }
    if let Some(state) = text("state") {
        set("state", state.to_uppercase().into());
    }
    if let Some(dob) = text("dob").or(text("date_of_birth")) {
        set("dob", dob.into());
    }
    if let Some(gender) = text("gender") {
        let gender = match gender.to_lowercase().as_str() {
            "m" | "male" => "Male".to_owned(),
            "f" | "female" => "Female".to_owned(),
            _ => gender.to_owned(),
        };
        set("gender", gender.into());
    }
    if let Some(height) = text("height") {
        let feet = height.parse::<u32>().map_or_else(|_| height.to_owned(), |i| format!("{}'{}\"", i / 12, i % 12));
        set("height", feet.into());
    }
    for (wire, key) in [("price", "price"), ("call_duration", "callDuration")] {
        if let Some(n) = text(wire).and_then(parse_float_prefix) {
            set(key, js_number_string(n).into());
        }
    }
    for (wire, key) in WEBHOOK_COPIED {
        if let Some(v) = text(wire) {
            set(key, v.into());
        }
    }
    for (wire, key) in WEBHOOK_BOOLEANS {
        if let Some(b) = body.get(wire).and_then(Value::as_bool) {
            set(key, b.into());
        }
    }
    if let Some(conditions) = body.get("medical_conditions").filter(|v| v.is_array()) {
        set("medicalConditions", conditions.clone());
    }
    doc
}

impl Store {
    /// Upserts a webhook lead for the first admin by phone as sent, else email; returns the
    /// lead's id and whether it is new.
    fn upsert_webhook_lead(&mut self, fields: Doc, phone: &str, email: &str) -> (String, bool) {
        let admin = self.first_admin().id.clone();
        let (key, value) = if phone.is_empty() { ("email", email) } else { ("phone", phone) };
        if let Some(existing) = self.find_by(&admin, key, value) {
            existing.extend(fields);
            return (str_field(existing, "_id").unwrap_or_default().to_owned(), false);
        }
        let mut doc = new_lead_doc(fields);
        doc.insert("tenantId".into(), admin.into());
        let id = str_field(&doc, "_id").unwrap_or_default().to_owned();
        self.leads.push(doc);
        (id, true)
    }
}

async fn nextgen_webhook(State(s): State<Arc<Inner>>, headers: HeaderMap, body: Bytes) -> Reply {
    let started = Instant::now();
    let refuse = |text: &str| reply(401, json!({"success": false, "message": text}));
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).filter(|v| !v.is_empty());
    let (Some(sid), Some(api_key)) = (header("sid"), header("apikey")) else {
        return Err(refuse("Missing creds"));
    };
    if !s.store().pairs.iter().any(|p| p.active && p.sid == sid && p.api_key == api_key) {
        return Err(refuse("Bad creds"));
    }
    let body = json_body(&body)?;
    let issues = webhook_issues(&body);
    if !issues.is_empty() {
        return Err(reply(400, json!({"success": false, "message": "Invalid payload format", "errors": issues})));
    }
    let body = body.as_object().expect("checked above");
    let text = |k: &str| body.get(k).and_then(Value::as_str);
    let name = crokodial_core::lead::full_name(text("first_name"), text("last_name"));
    let name = if name.is_empty() { "NextGen Lead".to_owned() } else { name };
    s.broadcast(new_lead_event(json!({"name": name, "source": "NextGen", "isNew": true})));

    // `phone` wins over `phone_number`, even when it is "".
    let phone = text("phone").or(text("phone_number")).unwrap_or("");
    let email = text("email").unwrap_or("").trim().to_lowercase();
    if phone.is_empty() && email.is_empty() {
        return Err(reply(400, json!({"success": false, "message": "Lead must have either email or phone"})));
    }
    let fields = webhook_fields(body, &name, phone, &email);
    let (lead_id, is_new) = s.store().upsert_webhook_lead(fields, phone, &email);
    let process_ms = started.elapsed().as_secs_f64() * 1000.0;
    let event = json!({"leadId": lead_id, "name": name, "source": "NextGen", "isNew": is_new, "processMs": process_ms});
    s.broadcast(new_lead_event(event));
    let text = if is_new { "Lead successfully created" } else { "Lead successfully updated" };
    let ack = json!({"success": true, "leadId": lead_id, "message": text, "isNew": is_new, "processMs": process_ms});
    let mut resp = reply(if is_new { 201 } else { 200 }, ack);
    resp.headers_mut().insert("x-process-time", HeaderValue::from_str(&format!("{process_ms:.0}ms")).expect("ascii"));
    Ok(resp)
}

async fn get_credentials(State(s): State<Arc<Inner>>, headers: HeaderMap) -> Reply {
    let caller = s.auth(&headers)?;
    let store = s.store();
    let pair = store.active_pair(&caller.id).ok_or_else(|| reply(404, json!({"connected": false})))?;
    Ok(reply(200, json!({"connected": true, "sid": pair.sid, "apiKey": pair.api_key, "createdAt": pair.created_at})))
}

async fn rotate_credentials(State(s): State<Arc<Inner>>, headers: HeaderMap) -> Reply {
    let caller = s.auth(&headers)?;
    let mut store = s.store();
    let pair = store.issue_pair(&caller.id);
    Ok(reply(200, json!({"sid": pair.sid, "apiKey": pair.api_key, "createdAt": pair.created_at})))
}

/// The defaults and the caller's own, defaults first, then by `sortOrder`, then by name.
async fn list_dispositions(State(s): State<Arc<Inner>>, headers: HeaderMap) -> Reply {
    let caller = s.auth(&headers)?;
    let store = s.store();
    let mut mine: Vec<&Value> = store
        .dispositions
        .iter()
        .filter(|d| d["isDefault"] == true || d["createdBy"].as_str() == Some(caller.id.as_str()))
        .collect();
    mine.sort_by_key(|d| (d["isDefault"] != true, d["sortOrder"].as_u64(), d["name"].as_str().map(str::to_owned)));
    Ok(reply(200, json!({ "dispositions": mine })))
}

async fn add_disposition(State(s): State<Arc<Inner>>, headers: HeaderMap, body: Bytes) -> Reply {
    let caller = s.auth(&headers)?;
    let body = json_body(&body)?;
    let text = |k: &str| body.get(k).and_then(Value::as_str).filter(|v| !v.is_empty()).map(str::to_owned);
    let (Some(name), Some(color)) = (text("name"), text("color")) else {
        return Err(message(400, "Name and color are required"));
    };
    let mut store = s.store();
    if store.dispositions.iter().any(|d| d["name"].as_str() == Some(name.as_str())) {
        return Err(message(400, "A disposition with this name already exists"));
    }
    let last = store.dispositions.iter().filter_map(|d| d["sortOrder"].as_u64()).max().map_or(0, |m| m + 1);
    let now = now_iso();
    let d = json!({
        "_id": new_id(), "name": name, "color": color, "emoji": text("emoji").unwrap_or_default(), "isDefault": false,
        "createdBy": caller.id, "sortOrder": last, "createdAt": now, "updatedAt": now, "__v": 0,
    });
    store.dispositions.push(d.clone());
    Ok(reply(201, d))
}

/// The disposition `id` the caller may change (`what`: "update" or "delete"): an admin any, a
/// user only their own.
fn own_disposition(store: &Store, caller: &Caller, id: &str, what: &str) -> Result<usize, Refusal> {
    if !is_object_id(id) {
        return Err(message(500, &format!("Error {what}ing disposition")).into());
    }
    let i = store
        .dispositions
        .iter()
        .position(|d| d["_id"].as_str() == Some(id))
        .ok_or_else(|| message(404, "Disposition not found"))?;
    if !caller.admin && store.dispositions[i]["createdBy"].as_str() != Some(caller.id.as_str()) {
        return Err(message(403, &format!("Not authorized to {what} this disposition")).into());
    }
    Ok(i)
}

async fn update_disposition(
    State(s): State<Arc<Inner>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Reply {
    let caller = s.auth(&headers)?;
    let body = json_body(&body)?;
    let mut store = s.store();
    let i = own_disposition(&store, &caller, &id, "update")?;
    let d = &mut store.dispositions[i];
    for key in ["name", "color", "emoji", "sortOrder"] {
        if let Some(v) = body.get(key).filter(|v| !v.is_null()) {
            d[key] = v.clone();
        }
    }
    d["updatedAt"] = now_iso().into();
    Ok(reply(200, d.clone()))
}

async fn delete_disposition(State(s): State<Arc<Inner>>, headers: HeaderMap, Path(id): Path<String>) -> Reply {
    let caller = s.auth(&headers)?;
    let mut store = s.store();
    let i = own_disposition(&store, &caller, &id, "delete")?;
    store.dispositions.remove(i);
    Ok(message(200, "Disposition deleted successfully"))
}

/// A phone as the dial counts key it: its last 10 digits.
fn dial_key(phone: &str) -> String {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    digits[digits.len().saturating_sub(10)..].to_owned()
}

async fn count_dial(State(s): State<Arc<Inner>>, headers: HeaderMap, body: Bytes) -> Reply {
    let caller = s.auth(&headers)?;
    let body = json_body(&body)?;
    let Some(phone) = body.get("phone").and_then(Value::as_str).map(dial_key).filter(|p| !p.is_empty()) else {
        return Err(message(400, "Missing phone"));
    };
    let mut store = s.store();
    let count = store.dials.entry((caller.id, phone.clone())).or_default();
    *count += 1;
    Ok(reply(200, json!({"phone": phone, "count": *count})))
}

async fn dial_counts(
    State(s): State<Arc<Inner>>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Reply {
    let caller = s.auth(&headers)?;
    let store = s.store();
    let mut counts = serde_json::Map::new();
    for phone in q.get("phones").map(|p| p.split(',').map(dial_key).collect::<Vec<_>>()).unwrap_or_default() {
        if let Some(n) = store.dials.get(&(caller.id.clone(), phone.clone())) {
            counts.insert(phone, json!(n));
        }
    }
    Ok(reply(200, json!({ "counts": counts })))
}

// ---------------------------------------------------------------------------------------------
// The socket
// ---------------------------------------------------------------------------------------------

/// What the stand-in tells one open socket.
#[derive(Debug, Clone)]
enum Push {
    Text(String),
    Close(u16, &'static str),
    /// End it without a close frame.
    Drop,
}

struct OpenSocket {
    tx: mpsc::UnboundedSender<Push>,
    /// The user it authenticated as.
    user: Option<String>,
}

#[derive(Default)]
struct Sockets {
    next: u64,
    open: HashMap<u64, OpenSocket>,
}

impl Sockets {
    fn each(&self, push: impl Fn(u64) -> Push) {
        for (id, socket) in &self.open {
            let _ = socket.tx.send(push(*id));
        }
    }
}

/// Removes a socket from the open ones when its task ends, however it ends.
struct Registered<'a>(&'a Inner, u64);

impl Drop for Registered<'_> {
    fn drop(&mut self) {
        self.0.sockets().open.remove(&self.1);
    }
}

async fn serve_socket(s: Arc<Inner>, mut socket: WebSocket) {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let id = {
        let mut sockets = s.sockets();
        sockets.next += 1;
        let id = sockets.next;
        sockets.open.insert(id, OpenSocket { tx: tx.clone(), user: None });
        id
    };
    let _registered = Registered(&s, id);
    let every = s.options.ping_every;
    let mut pings = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    let mut awaiting_pong = false;
    loop {
        tokio::select! {
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    if let Some(answer) = s.socket_text(id, &text, &tx) {
                        if socket.send(Message::Text(answer.to_string().into())).await.is_err() {
                            return;
                        }
                    }
                }
                Some(Ok(Message::Pong(_))) => awaiting_pong = false,
                Some(Ok(Message::Close(_)) | Err(_)) | None => return,
                Some(Ok(_)) => {}
            },
            push = rx.recv() => match push {
                Some(Push::Text(text)) => {
                    if socket.send(Message::Text(text.into())).await.is_err() {
                        return;
                    }
                }
                Some(Push::Close(code, reason)) => {
                    let _ = socket.send(Message::Close(Some(CloseFrame { code, reason: reason.into() }))).await;
                    return;
                }
                Some(Push::Drop) | None => return,
            },
            _ = pings.tick() => {
                if awaiting_pong {
                    return; // terminated: no close frame
                }
                awaiting_pong = true;
                if socket.send(Message::Ping(Bytes::new())).await.is_err() {
                    return;
                }
            }
        }
    }
}

impl Inner {
    /// Handles a text frame from socket `id`; returns the answer, if any.
    fn socket_text(&self, id: u64, text: &str, tx: &mpsc::UnboundedSender<Push>) -> Option<Value> {
        let Ok(msg) = serde_json::from_str::<Value>(text) else {
            return Some(json!({"type": "error", "message": "Invalid message format"}));
        };
        if msg["type"] != "authenticate" {
            return None;
        }
        let token = match &msg["token"] {
            Value::Null | Value::Bool(false) => return None,
            Value::String(t) if t.is_empty() => return None,
            Value::String(t) => t.clone(),
            _ => String::new(), // truthy but not a token
        };
        // The user is not looked up: a deleted user's token still authenticates.
        let user = self.store().accounts.iter().find(|a| a.token == token).map(|a| a.id.clone());
        let Some(user) = user else {
            let tx = tx.clone();
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(100)).await;
                let _ = tx.send(Push::Close(1008, "Authentication failed"));
            });
            return Some(json!({"type": "auth_failure", "message": "Invalid token", "code": "TOKEN_MISMATCH"}));
        };
        // One socket per user: the older one is closed.
        let mut sockets = self.sockets();
        for (_, socket) in sockets.open.iter().filter(|(other, s)| **other != id && s.user.as_ref() == Some(&user)) {
            let _ = socket.tx.send(Push::Close(4000, "New session established"));
        }
        if let Some(me) = sockets.open.get_mut(&id) {
            me.user = Some(user);
        }
        Some(json!({"type": "auth_success", "message": "WebSocket authenticated"}))
    }
}

// ---------------------------------------------------------------------------------------------
// A web-app-like client
// ---------------------------------------------------------------------------------------------

/// How the deployed web app treats its socket.
#[derive(Debug, Clone, Copy)]
pub struct WebAppTimings {
    /// Reconnects this long after any close.
    pub reconnect_after: Duration,
    /// Drops and reopens a socket that has heard no message this long (protocol pings do not
    /// count: a browser never sees them).
    pub quiet_limit: Duration,
}

impl Default for WebAppTimings {
    fn default() -> Self {
        WebAppTimings { reconnect_after: Duration::from_secs(1), quiet_limit: Duration::from_secs(60) }
    }
}

#[derive(Default)]
struct WebAppLog {
    connections: usize,
    superseded: usize,
    connected: bool,
    messages: Vec<Value>,
}

/// A client that keeps a socket open as the deployed web app does. Stops when dropped.
pub struct WebApp {
    log: Arc<Mutex<WebAppLog>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for WebApp {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl WebApp {
    /// Opens the web app's socket to `server_url` (`http://host:port`) as the user of `token`.
    pub fn open(server_url: &str, token: &str) -> WebApp {
        Self::open_with(server_url, token, WebAppTimings::default())
    }

    pub fn open_with(server_url: &str, token: &str, timings: WebAppTimings) -> WebApp {
        let log = Arc::new(Mutex::new(WebAppLog::default()));
        let url = socket_url(server_url);
        let task = tokio::spawn(run_web_app(url, token.to_owned(), timings, log.clone()));
        WebApp { log, task }
    }

    /// How many times it has connected.
    pub fn connections(&self) -> usize {
        lock(&self.log).connections
    }

    /// How many times the server closed it with 4000 ("New session established").
    pub fn superseded(&self) -> usize {
        lock(&self.log).superseded
    }

    /// Whether its socket is open now.
    pub fn is_connected(&self) -> bool {
        lock(&self.log).connected
    }

    /// Every JSON message it has heard, auth answers included, in order.
    pub fn events(&self) -> Vec<Value> {
        lock(&self.log).messages.clone()
    }

    /// Stops it (its socket ends without a close frame, like a closed tab).
    pub fn close(self) {}
}

fn socket_url(server_url: &str) -> String {
    let (scheme, rest) = match server_url.split_once("://") {
        Some(("https", rest)) => ("wss", rest),
        Some((_, rest)) => ("ws", rest),
        None => ("ws", server_url),
    };
    let host = rest.split('/').next().unwrap_or(rest);
    format!("{scheme}://{host}/")
}

async fn run_web_app(url: String, token: String, timings: WebAppTimings, log: Arc<Mutex<WebAppLog>>) {
    loop {
        if let Ok((socket, _)) = tokio_tungstenite::connect_async(url.as_str()).await {
            {
                let mut log = lock(&log);
                log.connections += 1;
                log.connected = true;
            }
            web_app_session(socket, &token, timings, &log).await;
            lock(&log).connected = false;
        }
        tokio::time::sleep(timings.reconnect_after).await;
    }
}

/// One socket of the web app, until it closes or goes quiet.
async fn web_app_session<S>(
    mut socket: tokio_tungstenite::WebSocketStream<S>,
    token: &str,
    timings: WebAppTimings,
    log: &Mutex<WebAppLog>,
) where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    use tokio_tungstenite::tungstenite::Message as WsMessage;
    let auth = json!({"type": "authenticate", "token": token}).to_string();
    if socket.send(WsMessage::Text(auth.into())).await.is_err() {
        return;
    }
    let mut quiet_until = tokio::time::Instant::now() + timings.quiet_limit;
    loop {
        tokio::select! {
            incoming = socket.next() => match incoming {
                Some(Ok(WsMessage::Text(text))) => {
                    quiet_until = tokio::time::Instant::now() + timings.quiet_limit;
                    if let Ok(msg) = serde_json::from_str(&text) {
                        lock(log).messages.push(msg);
                    }
                }
                Some(Ok(WsMessage::Close(frame))) => {
                    if frame.is_some_and(|f| u16::from(f.code) == 4000) {
                        lock(log).superseded += 1;
                    }
                    return;
                }
                Some(Ok(_)) => {} // protocol pings, unseen by a browser
                Some(Err(_)) | None => return,
            },
            _ = tokio::time::sleep_until(quiet_until) => {
                let _ = socket.close(None).await;
                return;
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

/// A fresh ObjectId-like id: seconds since the epoch, then random digits (24 hex digits).
pub fn new_id() -> String {
    format!("{:08x}{}", chrono::Utc::now().timestamp() as u32, random_hex(8))
}

fn random_hex(bytes: usize) -> String {
    (0..bytes).map(|_| format!("{:02x}", rand::random::<u8>())).collect()
}

/// Now as JavaScript's `Date.toISOString()` writes it.
fn now_iso() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

fn obj(value: Value) -> Doc {
    match value {
        Value::Object(doc) => doc,
        _ => unreachable!("an object literal"),
    }
}

fn str_field<'a>(doc: &'a Doc, key: &str) -> Option<&'a str> {
    doc.get(key).and_then(Value::as_str)
}

fn is_email(s: &str) -> bool {
    static EMAIL: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\S+@\S+\.\S+$").expect("a regex"));
    EMAIL.is_match(s)
}

/// JavaScript's `parseInt` for a query value: leading digits, else `None`.
fn parse_int(s: &str) -> Option<i64> {
    let s = s.trim_start();
    let (sign, digits) = match s.strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, s.strip_prefix('+').unwrap_or(s)),
    };
    let end = digits.find(|c: char| !c.is_ascii_digit()).unwrap_or(digits.len());
    digits[..end].parse::<i64>().ok().map(|n| sign * n)
}

/// JavaScript's `parseFloat`: the leading number, else `None` (`"30s"` → 30).
fn parse_float_prefix(s: &str) -> Option<f64> {
    let s = s.trim_start();
    let bytes = s.as_bytes();
    let mut end = usize::from(matches!(bytes.first(), Some(b'+' | b'-')));
    let mut seen_dot = false;
    while let Some(&b) = bytes.get(end) {
        match b {
            b'0'..=b'9' => end += 1,
            b'.' if !seen_dot => {
                seen_dot = true;
                end += 1;
            }
            _ => break,
        }
    }
    s[..end].parse::<f64>().ok()
}

/// A number as JavaScript's `String(n)` writes it, for the usual values.
fn js_number_string(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio_tungstenite::tungstenite::Message as WsMessage;

    type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

    const WAIT: Duration = Duration::from_secs(5);

    async fn eventually(what: &str, done: impl Fn() -> bool) {
        let deadline = Instant::now() + WAIT;
        while !done() {
            assert!(Instant::now() < deadline, "never: {what}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    async fn socket(server: &LegacyServer) -> Socket {
        tokio_tungstenite::connect_async(socket_url(&server.url())).await.expect("the socket opens").0
    }

    async fn send(ws: &mut Socket, text: &str) {
        ws.send(WsMessage::Text(text.into())).await.expect("sent");
    }

    /// The next frame that is not a protocol ping or pong.
    async fn next_frame(ws: &mut Socket) -> WsMessage {
        loop {
            match tokio::time::timeout(WAIT, ws.next()).await.expect("a frame in time") {
                Some(Ok(WsMessage::Ping(_) | WsMessage::Pong(_))) => continue,
                Some(Ok(frame)) => return frame,
                other => panic!("the socket ended: {other:?}"),
            }
        }
    }

    async fn next_json(ws: &mut Socket) -> Value {
        match next_frame(ws).await {
            WsMessage::Text(text) => serde_json::from_str(&text).expect("JSON"),
            other => panic!("expected text, got {other:?}"),
        }
    }

    async fn next_close(ws: &mut Socket) -> (u16, String) {
        match next_frame(ws).await {
            WsMessage::Close(Some(frame)) => (frame.code.into(), frame.reason.to_string()),
            other => panic!("expected a close, got {other:?}"),
        }
    }

    async fn authenticated(server: &LegacyServer, token: &str) -> Socket {
        let mut ws = socket(server).await;
        send(&mut ws, &json!({"type": "authenticate", "token": token}).to_string()).await;
        assert_eq!(next_json(&mut ws).await["type"], "auth_success");
        ws
    }

    async fn get(server: &LegacyServer, token: &str, path: &str) -> (u16, Value) {
        let resp = reqwest::Client::new()
            .get(format!("{}{path}", server.url()))
            .bearer_auth(token)
            .send()
            .await
            .expect("an answer");
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    #[tokio::test]
    async fn reps_get_403_for_one_lead_and_admins_get_the_assignee_populated() {
        let server = LegacyServer::start().await.unwrap();
        let (admin, rep) = (server.user_id(ADMIN_EMAIL), server.user_id(EMAIL));
        let own = server.store_lead_for(EMAIL, "Ann Lee");
        assert_eq!(get(&server, TOKEN, &format!("/api/leads/{own}")).await.0, 403, "even the rep's own lead");
        assert_eq!(get(&server, TOKEN, "/api/leads/not-an-id").await.0, 400);

        let notes = "🌟 New NextGen Lead\nSource: NextGen\ncall after 5";
        let id = server.store_raw(json!({"tenantId": admin, "assignedTo": rep, "name": "Bo", "notes": notes}));
        let (status, lead) = get(&server, ADMIN_TOKEN, &format!("/api/leads/{id}")).await;
        assert_eq!(status, 200, "{lead}");
        assert_eq!(lead["assignedTo"], json!({"_id": rep, "name": "Legacy Rep", "email": EMAIL}));
        assert_eq!((lead["notes"].as_str(), lead["disposition"].as_str()), (Some("call after 5"), Some("")));
        assert!(lead["formattedJson"].is_string() && lead["__v"] == 0, "{lead}");
        assert_eq!(server.lead_doc(&id).unwrap()["notes"], notes, "the stored text keeps the hidden lines");
        // Listed but not the admin's own: 404.
        let orphan = server.store_raw(json!({"name": "Old"}));
        assert_eq!(get(&server, ADMIN_TOKEN, &format!("/api/leads/{orphan}")).await.0, 404);
        let (_, page) = get(&server, ADMIN_TOKEN, "/api/leads").await;
        assert_eq!(page["pagination"]["total"], 2, "the admin lists leads without a tenant: {page}");
    }

    #[tokio::test]
    async fn a_second_socket_of_a_user_closes_the_first_and_unauthenticated_sockets_hear_everything() {
        let server = LegacyServer::start().await.unwrap();
        let mut anonymous = socket(&server).await;
        send(&mut anonymous, r#"{"type":"authenticate"}"#).await;
        send(&mut anonymous, "not json").await;
        assert_eq!(next_json(&mut anonymous).await, json!({"type": "error", "message": "Invalid message format"}));

        let mut first = authenticated(&server, TOKEN).await;
        let mut second = authenticated(&server, TOKEN).await;
        assert_eq!(next_close(&mut first).await, (4000, "New session established".to_owned()));
        eventually("one socket of the rep", || server.authenticated_sockets(EMAIL) == 1).await;

        let id = new_id();
        server.webhook_lead(&id, "Ann");
        for ws in [&mut anonymous, &mut second] {
            let stub = next_json(ws).await;
            assert_eq!(stub["data"], json!({"name": "Ann", "source": "NextGen", "isNew": true}));
            assert_eq!(next_json(ws).await["data"]["leadId"], id.as_str());
        }

        let mut bad = socket(&server).await;
        send(&mut bad, r#"{"type":"authenticate","token":"forged"}"#).await;
        assert_eq!(next_json(&mut bad).await["code"], "TOKEN_MISMATCH");
        assert_eq!(next_close(&mut bad).await.0, 1008);
    }

    #[tokio::test]
    async fn sockets_that_do_not_answer_pings_are_terminated() {
        let server = LegacyServer::start_with(LegacyOptions { ping_every: Duration::from_millis(200) }).await.unwrap();
        let _silent = socket(&server).await; // never read, so never answers
        let mut live = socket(&server).await;
        let reader = tokio::spawn(async move { while let Some(Ok(_)) = live.next().await {} });
        eventually("two sockets", || server.open_sockets() == 2).await;
        tokio::time::sleep(Duration::from_millis(1200)).await;
        assert_eq!(server.open_sockets(), 1, "only the one that answers pings is left");
        server.drop_sockets();
        eventually("no socket", || server.open_sockets() == 0).await;
        reader.await.unwrap();
    }

    #[tokio::test]
    async fn a_web_app_reconnects_after_any_close_and_takes_the_socket_back() {
        let server = LegacyServer::start().await.unwrap();
        let timings = WebAppTimings { reconnect_after: Duration::from_millis(200), ..WebAppTimings::default() };
        let app = WebApp::open_with(&server.url(), TOKEN, timings);
        eventually("the web app connects", || server.authenticated_sockets(EMAIL) == 1).await;

        server.close_sockets(1011);
        eventually("it reconnects", || app.connections() == 2 && server.authenticated_sockets(EMAIL) == 1).await;

        // Another client of the same user: the web app is closed with 4000, comes back, and closes it.
        let mut desktop = authenticated(&server, TOKEN).await;
        eventually("the web app is superseded", || app.superseded() == 1).await;
        assert_eq!(next_close(&mut desktop).await.0, 4000);
        eventually("and back", || app.connections() == 3 && app.is_connected()).await;

        server.webhook_lead(&new_id(), "Ann");
        eventually("it hears events", || {
            app.events().iter().filter(|e| e["type"] == "new_lead_notification").count() == 2
        })
        .await;
        app.close();
        eventually("its socket ends", || server.open_sockets() == 0).await;
    }

    #[tokio::test]
    async fn a_quiet_web_app_reopens_its_socket_though_pings_flow() {
        let server = LegacyServer::start_with(LegacyOptions { ping_every: Duration::from_millis(100) }).await.unwrap();
        let timings =
            WebAppTimings { reconnect_after: Duration::from_millis(100), quiet_limit: Duration::from_millis(700) };
        let app = WebApp::open_with(&server.url(), TOKEN, timings);
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(app.connections(), 1, "five pings answered, and none counted as a message");
        eventually("it reopens", || app.connections() >= 3).await;
        assert_eq!(app.superseded(), 0);
    }

    const NEXTGEN_HEADER: &str = "created_at,purchase_id,product,lead_id,vendor_id,vendor_name,vertical_id,account_id,\
account_name,campaign_id,campaign_name,bid_type,first_name,last_name,phone,street_1,street_2,email,city,state,zipcode,\
dob,gender,height,household_size,household_income,weight,military,pregnant,tobacco_user,has_prescription,\
has_medicare_parts_a_b,has_medical_condition,medical_conditions,insurance_timeframe,price,status,disposition,\
call_log_id,call_duration,source_hash,sub_id_hash";

    fn nextgen_row(first: &str, phone: &str, email: &str, status: &str) -> String {
        format!(
            "2025-05-01T02:06:31Z,p1,data,l1,v1,NG,vt,a1,acct,c1,camp,exclusive,{first},Lee,{phone},1 Main St,,{email},\
Hoboken,nj,07030,1980-05-01,F,66,2,50000,150,false,no,yes,false,true,false,[],soon,45.50,{status},,cl1,30,sh,sub"
        )
    }

    async fn upload(server: &LegacyServer, csv: String) -> Value {
        let part = reqwest::multipart::Part::text(csv).file_name("leads.csv").mime_str("text/csv").unwrap();
        let resp = reqwest::Client::new()
            .post(format!("{}/api/csv-upload", server.url()))
            .bearer_auth(TOKEN)
            .multipart(reqwest::multipart::Form::new().part("file", part))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        resp.json().await.unwrap()
    }

    #[tokio::test]
    async fn a_csv_upload_announces_each_new_row_with_its_phone_as_lead_id() {
        let server = LegacyServer::start().await.unwrap();
        let mut anonymous = socket(&server).await;
        eventually("the socket is open", || server.open_sockets() == 1).await;
        let rows = [
            nextgen_row("Ann", "2015550101", "ANN@example.com", ""),
            nextgen_row("Bea", "617-555-0102", "", "New"),
            nextgen_row("Cy", "3125550103", "", "complete"), // vanishes
            nextgen_row("Di", "", "", ""),                   // skipped
            nextgen_row("Ann", "201 555 0101", "", "Contacted"), // the first again
        ];
        let answer = upload(&server, format!("{NEXTGEN_HEADER}\n{}\n", rows.join("\n"))).await;
        assert_eq!(answer["vendor"], "NextGen");
        assert_eq!(answer["stats"], json!({"imported": 2, "updated": 1, "processed": 5}));
        assert_eq!(server.uploads(), [5]);

        for (phone, name) in [("(201) 555-0101", "Ann Lee"), ("(617) 555-0102", "Bea Lee")] {
            let event = next_json(&mut anonymous).await;
            assert_eq!(event["type"], "new_lead_notification");
            assert_eq!(event["data"], json!({"leadId": phone, "name": name, "source": "NextGen", "isNew": true}));
        }
        let (_, page) = get(&server, TOKEN, "/api/leads?sortBy=name&sortDirection=asc").await;
        let ann = &page["leads"][0];
        assert_eq!((ann["name"].as_str(), ann["zipcode"].as_i64()), (Some("Ann Lee"), Some(7030)));
        assert_eq!((ann["email"].as_str(), ann["state"].as_str()), (Some("ann@example.com"), Some("NJ")));
        assert_eq!((ann["status"].as_str(), ann["dob"].as_str()), (Some("Contacted"), Some("05/01/1980")));
        assert_eq!((ann["tobaccoUser"].as_bool(), ann["pregnant"].as_bool()), (Some(true), Some(false)));
        let rep = server.user_id(EMAIL);
        assert_eq!((ann["tenantId"].as_str(), ann["assignedTo"].as_str()), (Some(rep.as_str()), Some(rep.as_str())));
        assert_eq!(ann["notesMetadata"]["purchase_id"], "p1");
        assert_eq!(ann["notesMetadata"]["originalData"]["zipcode"], 7030);
        assert_eq!(page["pagination"]["total"], 2);

        let unknown = upload(&server, "a,b\n1,2\n".into()).await;
        assert_eq!(unknown["vendor"], "Unknown");
    }

    #[tokio::test]
    async fn the_list_refuses_unknown_keys_and_gives_pages_of_10000_for_all_results() {
        let server = LegacyServer::start().await.unwrap();
        for i in 0..120 {
            server.store_lead_for(EMAIL, &format!("Lead{i}"));
        }
        server.store_lead_for(OTHER_EMAIL, "Not yours");
        let (status, body) = get(&server, TOKEN, "/api/leads?since=2024").await;
        assert_eq!((status, body), (400, json!({"success": false, "message": "Invalid query parameter: since"})));
        assert_eq!(get(&server, TOKEN, "/api/leads?states[]=NJ&states=NY").await.0, 200);
        assert_eq!(get(&server, TOKEN, "/api/leads?sortBy=city").await.0, 400);
        assert_eq!(get(&server, TOKEN, "/api/leads?sortDirection=up").await.0, 400);
        assert_eq!(get(&server, TOKEN, "/api/leads?search=(201").await.0, 500);

        let (_, all) = get(&server, TOKEN, "/api/leads?getAllResults=true&limit=20").await;
        assert_eq!(all["pagination"], json!({"total": 120, "page": 1, "pages": 1, "limit": 10_000}));
        assert_eq!(all["leads"].as_array().unwrap().len(), 120);
        let (_, capped) = get(&server, TOKEN, "/api/leads?limit=500&page=2").await;
        assert_eq!(capped["pagination"], json!({"total": 120, "page": 2, "pages": 2, "limit": 100}));
        assert_eq!(capped["leads"].as_array().unwrap().len(), 20);
        let (_, fallback) = get(&server, TOKEN, "/api/leads?limit=lots").await;
        assert_eq!(fallback["pagination"]["limit"], 50);
        let (_, found) = get(&server, TOKEN, "/api/leads?search=lead11.").await;
        assert_eq!(found["pagination"]["total"], 10, "a regex: Lead110..Lead119");
    }

    #[tokio::test]
    async fn puts_store_as_sent_refuse_bad_emails_and_announce_notes() {
        let server = LegacyServer::start().await.unwrap();
        let id = server.store_lead_for(EMAIL, "Ann");
        let mut ws = socket(&server).await;
        eventually("the socket is open", || server.open_sockets() == 1).await;
        let put = |token: &'static str, id: String, body: Value| {
            let url = format!("{}/api/leads/{id}", server.url());
            async move {
                let resp = reqwest::Client::new().put(url).bearer_auth(token).json(&body).send().await.unwrap();
                (resp.status().as_u16(), resp.json::<Value>().await.unwrap())
            }
        };
        let (status, _) = put(TOKEN, id.clone(), json!({"email": "nope", "disposition": "Quoted"})).await;
        assert_eq!(status, 500);
        assert_eq!(server.lead_doc(&id).unwrap()["disposition"], "", "nothing applied");

        let body = json!({"notes": "Source: x\nwants a PPO", "phone": "2015550101", "name": "", "city": "Nowhere"});
        let (status, lead) = put(TOKEN, id.clone(), body).await;
        assert_eq!(status, 200);
        assert_eq!((lead["notes"].as_str(), lead["phone"].as_str()), (Some("wants a PPO"), Some("2015550101")));
        assert_eq!((lead["name"].as_str(), lead.get("city")), (Some("Ann"), None));
        let event = next_json(&mut ws).await;
        assert_eq!(
            (event["type"].as_str(), event["notes"].as_str()),
            (Some("LEAD_NOTES_UPDATED"), Some("Source: x\nwants a PPO"))
        );

        assert_eq!(put(OTHER_TOKEN, id.clone(), json!({"name": "Mine"})).await.0, 404);
        server.fail_puts(1);
        assert_eq!(put(TOKEN, id.clone(), json!({"name": "Bo"})).await.0, 500);
        assert_eq!(put(TOKEN, id.clone(), json!({"name": "Bo"})).await.0, 200);
        assert_eq!(server.puts(), 5);
        assert_eq!(server.lead(&id).unwrap().name, "Bo");
    }

    #[tokio::test]
    async fn api_key_is_camel_case_and_a_rotation_kills_the_old_pair_at_once() {
        let server = LegacyServer::start().await.unwrap();
        let (status, creds) = get(&server, TOKEN, "/api/integrations/nextgen/credentials").await;
        assert_eq!((status, &creds["connected"]), (200, &json!(true)));
        let old = Credentials {
            sid: creds["sid"].as_str().unwrap().into(),
            api_key: creds["apiKey"].as_str().expect("camel case apiKey").into(),
        };
        assert_eq!(server.credentials(EMAIL), Some(old.clone()));
        assert!(old.sid.starts_with("crk_") && old.sid.len() == 36 && old.api_key.len() == 68);

        let post = |creds: Credentials, body: Value| {
            let url = format!("{}/api/webhooks/nextgen", server.url());
            async move {
                let req = reqwest::Client::new().post(url).header("sid", creds.sid).header("apikey", creds.api_key);
                let resp = req.json(&body).send().await.unwrap();
                (resp.status().as_u16(), resp.json::<Value>().await.unwrap())
            }
        };
        let lead = json!({"first_name": "Vi", "phone": "2015550199", "price": "45.50", "height": "70"});
        let (status, ack) = post(old.clone(), lead.clone()).await;
        assert_eq!((status, &ack["isNew"]), (201, &json!(true)), "{ack}");
        let stored = server.lead_doc(ack["leadId"].as_str().unwrap()).unwrap();
        assert_eq!(stored["tenantId"], server.user_id(ADMIN_EMAIL).as_str(), "webhook leads go to the first admin");
        assert_eq!((stored["price"].as_str(), stored["height"].as_str()), (Some("45.5"), Some("5'10\"")));

        let rotate = reqwest::Client::new()
            .post(format!("{}/api/integrations/nextgen/credentials/rotate", server.url()))
            .bearer_auth(TOKEN)
            .send()
            .await
            .unwrap();
        let fresh: Value = rotate.json().await.unwrap();
        let new = Credentials {
            sid: fresh["sid"].as_str().unwrap().into(),
            api_key: fresh["apiKey"].as_str().unwrap().into(),
        };
        assert_ne!(new, old);
        assert_eq!(post(old, lead.clone()).await, (401, json!({"success": false, "message": "Bad creds"})));
        let (status, ack) = post(new, lead).await;
        assert_eq!((status, &ack["isNew"]), (200, &json!(false)));
        assert_eq!(server.post_webhook(json!({"phone": 2015550199u64})).await.0, 400, "a numeric phone");
        assert_eq!(server.post_webhook(json!({"city": "X"})).await.0, 400, "neither phone nor email");

        // Other paths under the router: 401 first, then Express's HTML 404.
        let other = format!("{}/api/integrations/nextgen", server.url());
        assert_eq!(reqwest::get(&other).await.unwrap().status(), 401);
        let page = reqwest::Client::new().get(&other).bearer_auth(TOKEN).send().await.unwrap();
        assert_eq!(page.status(), 404);
        assert!(page.text().await.unwrap().contains("Cannot GET /api/integrations/nextgen"));
    }
}
