//! A stand-in for the deployed Crokodial server's real-time behaviour, to test the engine against
//! the protocol as it is: no sequence numbers, every lead announced as an id-less stub and then
//! in full, one socket per user (close code 4000 for the older), no replay after a reconnect.
//! It serves only what the engine uses: login, the lead list, one lead, `PUT` of a lead (which,
//! like the deployed server, has no idempotency keys and ignores fields it does not take), the CSV
//! upload (NextGen's layout recognised by its exact header, at most 15,000 rows, upsert on the
//! phone, else email) and the socket.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use crokodial_core::api::{LeadsPage, LoginResponse, Pagination, Role, User};
use crokodial_core::edit::{self, EditField, LeadEdit};
use crokodial_core::ws::{ClientMessage, NewLeadNotification, ServerMessage};
use crokodial_core::{Lead, LeadSource};
use futures_util::StreamExt;
use tokio::sync::broadcast;

pub const TOKEN: &str = "legacy.jwt.token";
pub const EMAIL: &str = "rep@legacy.test";
pub const PASSWORD: &str = "legacy-password";

/// What the stand-in tells its open sockets.
#[derive(Debug, Clone)]
enum Push {
    Text(String),
    Close(u16),
}

#[derive(Clone, Default)]
struct Shared {
    leads: Arc<Mutex<Vec<Lead>>>,
    /// `PUT /api/leads/:id` requests received.
    puts: Arc<std::sync::atomic::AtomicUsize>,
    /// Rows of each `POST /api/csv-upload` received.
    uploads: Arc<Mutex<Vec<usize>>>,
}

pub struct LegacyServer {
    addr: SocketAddr,
    shared: Shared,
    push: broadcast::Sender<Push>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for LegacyServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl LegacyServer {
    pub async fn start() -> anyhow::Result<Self> {
        let shared = Shared::default();
        let (push, _) = broadcast::channel(1024);
        let push2 = push.clone();
        let app = Router::new()
            .route("/api/auth/login", post(login))
            .route("/api/leads", get(leads))
            .route("/api/leads/{id}", get(lead).put(update_lead))
            .route("/api/csv-upload", post(csv_upload))
            // Express's answer to a route it does not have.
            .route("/api/{*rest}", axum::routing::any(|| async { (axum::http::StatusCode::NOT_FOUND, "Cannot GET") }))
            .with_state(shared.clone())
            .fallback(move |ws: WebSocketUpgrade| {
                let push = push2.clone();
                async move { ws.on_upgrade(move |socket| serve(socket, push)) }
            });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(LegacyServer { addr, shared, push, task })
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stores a NextGen lead named `name`; returns it.
    pub fn store_lead(&self, id: &str, name: &str) -> Lead {
        let lead = Lead {
            id: id.into(),
            name: name.into(),
            source: Some(LeadSource::NextGen),
            created_at: Some(chrono::Utc::now()),
            ..Lead::default()
        };
        self.shared.leads.lock().expect("leads").push(lead.clone());
        lead
    }

    /// A lead as stored now.
    pub fn lead(&self, id: &str) -> Option<Lead> {
        self.shared.leads.lock().expect("leads").iter().find(|l| l.id == id).cloned()
    }

    /// Changes a lead as another user of the deployed server would.
    pub fn edit_elsewhere(&self, id: &str, field: EditField, value: &str) {
        let mut leads = self.shared.leads.lock().expect("leads");
        if let Some(lead) = leads.iter_mut().find(|l| l.id == id) {
            edit::apply(&LeadEdit::from([(field, value.to_owned())]), lead);
        }
    }

    /// How many `PUT /api/leads/:id` requests it has received.
    pub fn puts(&self) -> usize {
        self.shared.puts.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// The rows of each CSV upload received, in order.
    pub fn uploads(&self) -> Vec<usize> {
        self.shared.uploads.lock().expect("uploads").clone()
    }

    pub fn leads(&self) -> Vec<Lead> {
        self.shared.leads.lock().expect("leads").clone()
    }

    /// Stores a lead and announces it as the deployed server does: a stub before the write,
    /// then the full event.
    pub fn webhook_lead(&self, id: &str, name: &str) {
        let stub = NewLeadNotification {
            name: name.into(),
            source: Some("NextGen".into()),
            is_new: true,
            is_stub: Some(true),
            ..NewLeadNotification::default()
        };
        self.send(ServerMessage::NewLead { data: stub, timestamp: None, seq: None });
        let lead = self.store_lead(id, name);
        let full = NewLeadNotification {
            lead_id: Some(lead.id),
            name: lead.name,
            source: Some("NextGen".into()),
            is_new: true,
            process_ms: Some(450.0),
            ..NewLeadNotification::default()
        };
        self.send(ServerMessage::NewLead { data: full, timestamp: None, seq: None });
    }

    fn send(&self, msg: ServerMessage) {
        let _ = self.push.send(Push::Text(serde_json::to_string(&msg).expect("serialisable")));
    }

    /// Closes every open socket with `code` (4000: a newer session of the user took over;
    /// 1006-like drops: use 1011).
    pub fn close_sockets(&self, code: u16) {
        let _ = self.push.send(Push::Close(code));
    }

    pub fn open_sockets(&self) -> usize {
        self.push.receiver_count()
    }
}

async fn login() -> Json<LoginResponse> {
    let user = User {
        id: "u1".into(),
        name: "Legacy Rep".into(),
        email: EMAIL.into(),
        role: Role::User,
        profile_picture: None,
    };
    Json(LoginResponse { token: TOKEN.into(), user })
}

/// Newest first, in pages as the deployed server gives them (`limit` clamped to 10..=100).
async fn leads(
    State(shared): State<Shared>,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> Json<LeadsPage> {
    let number = |k: &str, default: u32| q.get(k).and_then(|v| v.parse::<u32>().ok()).unwrap_or(default);
    let (page, limit) = (number("page", 1).max(1), number("limit", 20).clamp(10, 100));
    let mut leads = shared.leads.lock().expect("leads").clone();
    leads.reverse();
    let total = leads.len() as u64;
    let pages = (total as u32).div_ceil(limit);
    let leads = leads.into_iter().skip(((page - 1) * limit) as usize).take(limit as usize).collect();
    Json(LeadsPage { leads, pagination: Pagination { total, page, pages, limit }, meta: Default::default() })
}

async fn lead(State(shared): State<Shared>, Path(id): Path<String>) -> Result<Json<Lead>, StatusCode> {
    let leads = shared.leads.lock().expect("leads");
    leads.iter().find(|l| l.id == id).cloned().map(Json).ok_or(StatusCode::NOT_FOUND)
}

/// Takes the fields of the contract, ignores any other, as the deployed server does.
async fn update_lead(
    State(shared): State<Shared>,
    Path(id): Path<String>,
    Json(body): Json<serde_json::Map<String, serde_json::Value>>,
) -> Result<Json<Lead>, StatusCode> {
    shared.puts.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let fields: LeadEdit =
        EditField::ALL.into_iter().filter_map(|f| Some((f, body.get(f.as_str())?.as_str()?.to_owned()))).collect();
    let mut leads = shared.leads.lock().expect("leads");
    let lead = leads.iter_mut().find(|l| l.id == id).ok_or(StatusCode::NOT_FOUND)?;
    if edit::apply(&fields, lead) {
        lead.updated_at = Some(chrono::Utc::now());
    }
    Ok(Json(lead.clone()))
}

/// The NextGen layout only (by its first header names), the first 15,000 rows, each upserted on
/// its phone, else email; rows with neither are skipped.
async fn csv_upload(
    State(shared): State<Shared>,
    mut multipart: axum::extract::Multipart,
) -> Result<Json<serde_json::Value>, (StatusCode, Json<serde_json::Value>)> {
    let none = || (StatusCode::BAD_REQUEST, Json(serde_json::json!({"error": "No CSV file uploaded"})));
    let mut body = None;
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.name() == Some("file") {
            body = field.bytes().await.ok();
        }
    }
    let body = body.ok_or_else(none)?;
    let mut rows = csv::Reader::from_reader(body.as_ref());
    let headers = rows.headers().map_err(|_| none())?.clone();
    if !headers.iter().take(3).eq(["created_at", "purchase_id", "product"]) {
        return Ok(Json(
            serde_json::json!({"success": true, "vendor": "Unknown", "stats": {"imported": 0, "updated": 0, "processed": 0}}),
        ));
    }
    let col = |name: &str| headers.iter().position(|h| h == name).expect("a NextGen column");
    let (first, last, phone, email, zip) =
        (col("first_name"), col("last_name"), col("phone"), col("email"), col("zipcode"));
    let (mut imported, mut updated, mut processed) = (0, 0, 0);
    let mut leads = shared.leads.lock().expect("leads");
    for record in rows.records().take(15_000).flatten() {
        processed += 1;
        let cell = |i: usize| record.get(i).filter(|v| !v.is_empty()).map(str::to_owned);
        let (phone, email) = (cell(phone), cell(email));
        if phone.is_none() && email.is_none() {
            continue;
        }
        let lead = Lead {
            name: format!("{} {}", cell(first).unwrap_or_default(), cell(last).unwrap_or_default()).trim().to_owned(),
            phone: phone.clone(),
            email: email.clone(),
            zipcode: cell(zip),
            source: Some(LeadSource::CsvImport),
            created_at: Some(chrono::Utc::now()),
            ..Lead::default()
        };
        let same = |l: &&mut Lead| match &phone {
            Some(p) => l.phone.as_ref() == Some(p),
            None => l.email == email,
        };
        match leads.iter_mut().find(same) {
            Some(existing) => {
                let id = existing.id.clone();
                *existing = Lead { id, ..lead };
                updated += 1;
            }
            None => {
                let id = format!("csv{}", leads.len());
                leads.push(Lead { id, ..lead });
                imported += 1;
            }
        }
    }
    shared.uploads.lock().expect("uploads").push(processed);
    Ok(Json(serde_json::json!({
        "success": true, "vendor": "NextGen", "stats": {"imported": imported, "updated": updated, "processed": processed}
    })))
}

async fn serve(mut socket: WebSocket, push: broadcast::Sender<Push>) {
    // Authenticate first; events go to every socket after that.
    let authed = matches!(
        socket.recv().await,
        Some(Ok(Message::Text(t))) if matches!(
            serde_json::from_str::<ClientMessage>(&t),
            Ok(ClientMessage::Authenticate { token, .. }) if token == TOKEN
        )
    );
    let reply = if authed {
        ServerMessage::AuthSuccess { message: "WebSocket authenticated".into(), seq: None }
    } else {
        ServerMessage::AuthFailure { message: "Invalid token".into(), code: Some("INVALID_TOKEN".into()) }
    };
    if socket.send(Message::Text(serde_json::to_string(&reply).expect("json").into())).await.is_err() || !authed {
        return;
    }
    let mut rx = push.subscribe();
    loop {
        tokio::select! {
            incoming = socket.next() => if !matches!(incoming, Some(Ok(_))) { return },
            pushed = rx.recv() => match pushed {
                Ok(Push::Text(text)) => if socket.send(Message::Text(text.into())).await.is_err() { return },
                Ok(Push::Close(code)) => {
                    let _ = socket.send(Message::Close(Some(CloseFrame { code, reason: "closed by test".into() }))).await;
                    return;
                }
                Err(_) => return,
            }
        }
    }
}
