//! Shared helpers: a server on a loopback port over a temp dir, users, HTTP and sockets.
#![allow(dead_code)]

use std::time::Duration;

use crokodial_core::api::{LoginResponse, Role, User};
use crokodial_core::ws::{ClientMessage, ServerMessage};
use crokodial_server::{Config, NewUser, Server, TenantChoice, WebhookCredentials};
use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio_tungstenite::tungstenite::Message;

pub type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub struct Env {
    pub server: Server,
    pub http: reqwest::Client,
    pub dir: tempfile::TempDir,
}

pub const PASSWORD: &str = "correct horse battery";

impl Env {
    pub async fn start() -> Env {
        Self::start_with(|_| {}).await
    }

    pub async fn start_with(tweak: impl FnOnce(&mut Config)) -> Env {
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config::for_tests(dir.path().join("crokodial.db"));
        tweak(&mut config);
        let server = Server::start(config).await.unwrap();
        let http = reqwest::Client::builder().no_proxy().build().unwrap();
        Env { server, http, dir }
    }

    /// Stops the server and starts another on the same database (tokens must be issued again).
    pub async fn restart(self) -> Env {
        let Env { server, http, dir } = self;
        server.shutdown().await;
        let server = Server::start(Config::for_tests(dir.path().join("crokodial.db"))).await.unwrap();
        Env { server, http, dir }
    }

    pub fn db_path(&self) -> std::path::PathBuf {
        self.dir.path().join("crokodial.db")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.base_url())
    }

    /// Creates a user and logs in; returns the user and a token.
    pub async fn user(&self, email: &str, role: Role, tenant: TenantChoice) -> (User, String) {
        let user = self
            .server
            .create_user(NewUser {
                email: email.into(),
                name: format!("Name of {email}"),
                role,
                password: PASSWORD.into(),
                tenant,
            })
            .await
            .unwrap();
        let token = self.login(email, PASSWORD).await;
        (user, token)
    }

    pub async fn login(&self, email: &str, password: &str) -> String {
        let res = self
            .http
            .post(self.url("/api/auth/login"))
            .json(&serde_json::json!({ "email": email, "password": password }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "login {email}");
        res.json::<LoginResponse>().await.unwrap().token
    }

    pub async fn creds_of(&self, user: &User) -> WebhookCredentials {
        let tenant = self.server.tenant_of(&user.id).await.unwrap();
        self.server.webhook_credentials(&tenant).await.unwrap()
    }

    /// The tenant's latest sequence number: one more for every change the server recorded. (Read
    /// from one page holding every change: a page cut short would end at its last change.)
    pub async fn cursor(&self, token: &str) -> u64 {
        let changes: crokodial_core::api::LeadChanges =
            self.get("/api/sync/leads?after=0&limit=5000", token).await.json().await.unwrap();
        assert!(!changes.more, "more changes than one page");
        changes.cursor
    }

    pub async fn get(&self, path: &str, token: &str) -> reqwest::Response {
        self.http.get(self.url(path)).bearer_auth(token).send().await.unwrap()
    }

    pub async fn post_lead(&self, creds: &WebhookCredentials, body: &Value) -> reqwest::Response {
        self.http
            .post(self.url("/api/webhooks/nextgen"))
            .header("sid", &creds.sid)
            .header("apikey", &creds.apikey)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn socket(&self) -> Socket {
        let url = format!("ws://{}/", self.server.addr());
        tokio_tungstenite::connect_async(url).await.unwrap().0
    }

    /// A socket that has authenticated with `token`.
    pub async fn authed_socket(&self, token: &str) -> Socket {
        self.resumed_socket(token, None).await.0
    }

    /// A socket that has authenticated with `token`, asking to resume after `resume_after`; also
    /// returns the tenant's latest sequence number from `auth_success`.
    pub async fn resumed_socket(&self, token: &str, resume_after: Option<u64>) -> (Socket, u64) {
        let mut ws = self.socket().await;
        send(&mut ws, &ClientMessage::Authenticate { token: token.into(), resume_after }).await;
        match next_event(&mut ws, Duration::from_secs(5)).await {
            Some(ServerMessage::AuthSuccess { message, seq, .. }) => {
                assert_eq!(message, "WebSocket authenticated");
                (ws, seq.expect("our server tells its sequence number"))
            }
            other => panic!("expected auth_success, got {other:?}"),
        }
    }
}

/// A request as `token`'s user, with a JSON body when given.
pub async fn call(
    env: &Env,
    method: reqwest::Method,
    path: &str,
    token: &str,
    body: Option<serde_json::Value>,
) -> reqwest::Response {
    let mut req = env.http.request(method, env.url(path)).bearer_auth(token);
    if let Some(body) = body {
        req = req.json(&body);
    }
    req.send().await.unwrap()
}

pub async fn send(ws: &mut Socket, msg: &ClientMessage) {
    ws.send(Message::Text(serde_json::to_string(msg).unwrap().into())).await.unwrap();
}

/// The next text message as a [`ServerMessage`], or `None` if none arrives in `wait` (or the
/// socket closes).
pub async fn next_event(ws: &mut Socket, wait: Duration) -> Option<ServerMessage> {
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        match tokio::time::timeout_at(deadline, ws.next()).await {
            Ok(Some(Ok(Message::Text(t)))) => return Some(serde_json::from_str(&t).unwrap()),
            Ok(Some(Ok(Message::Close(_)))) | Ok(Some(Err(_))) | Ok(None) | Err(_) => return None,
            Ok(Some(Ok(_))) => continue,
        }
    }
}

/// Reads a resuming socket's open offers up to `caught_up`; returns their leads' ids in order.
pub async fn until_caught_up(ws: &mut Socket) -> Vec<String> {
    let mut offered = Vec::new();
    loop {
        match next_event(ws, Duration::from_secs(5)).await {
            Some(ServerMessage::LeadOffered { data }) => offered.push(data.lead_id),
            Some(ServerMessage::CaughtUp) => return offered,
            other => panic!("expected open offers then caught_up, got {other:?}"),
        }
    }
}

/// A NextGen body with a fresh vendor id.
/// A NextGen lead with no state, so no enrichment follows it (see `enrichment_follows_as_an_update`).
pub fn lead_body(first: &str, phone: &str) -> Value {
    serde_json::json!({
        "lead_id": format!("NG-{first}-{phone}"),
        "first_name": first,
        "last_name": "Tester",
        "phone": phone,
        "email": format!("{}@example.com", first.to_lowercase()),
        "zip_code": "07030",
    })
}
