//! The Crokodial companion server: the deployed server's API (auth, leads, NextGen webhook,
//! real-time socket) on embedded SQLite, with tenant isolation the deployed server lacks.
//!
//! [`Server::start`] runs it in-process (tests use this); `main.rs` is a thin CLI over it.

mod accounts;
mod auth;
mod config;
pub mod demo;
mod enrich;
mod error;
mod hub;
mod routes;
mod routing;
mod state;
pub mod store;
mod ws;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use axum::serve::ListenerExt;
use crokodial_core::api::{DemoAccount, User};
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use accounts::{NewUser, TenantChoice};
pub use config::{random_secret, Config, DEFAULT_WEBHOOK_RATE};
pub use store::{SqliteStore, Store, WebhookCredentials};

use state::AppState;

/// A running server.
pub struct Server {
    addr: SocketAddr,
    state: AppState,
    shutdown: watch::Sender<bool>,
    serving: JoinHandle<()>,
    feed: Option<JoinHandle<()>>,
    deadlines: JoinHandle<()>,
}

impl Server {
    /// Opens and migrates the database, seeds the demo tenant if asked, binds, and serves in a
    /// background task.
    pub async fn start(config: Config) -> anyhow::Result<Server> {
        anyhow::ensure!(config.jwt_secret.len() >= 16, "the JWT secret must be at least 16 bytes");
        anyhow::ensure!(!config.ping_interval.is_zero(), "the ping interval must be positive");
        let path = config.db_path.clone();
        let store: Arc<dyn Store> = Arc::new(
            tokio::task::spawn_blocking(move || SqliteStore::open(&path))
                .await?
                .with_context(|| format!("opening {}", config.db_path.display()))?,
        );
        let demo_accounts = if config.demo { Some(Arc::new(demo::seed(&store).await?)) } else { None };

        let listener =
            tokio::net::TcpListener::bind(config.listen).await.with_context(|| format!("binding {}", config.listen))?;
        let addr = listener.local_addr()?;
        let (shutdown, shutdown_rx) = watch::channel(false);
        let (hub, in_order) = (hub::Hub::default(), Arc::<std::sync::Mutex<()>>::default());
        let router = {
            let (store, hub, in_order) = (Arc::clone(&store), hub.clone(), Arc::clone(&in_order));
            tokio::task::spawn_blocking(move || routing::Router::load(store, hub, in_order)).await??
        };
        let deadlines = router.spawn_deadlines();
        let state = AppState {
            router,
            enricher: enrich::Enricher::start(store.clone(), hub.clone(), Arc::clone(&in_order)),
            store,
            jwt: auth::Jwt::new(&config.jwt_secret),
            hub,
            in_order,
            known_credentials: Default::default(),
            webhook_limit: Arc::new(governor::RateLimiter::keyed(
                governor::Quota::per_second(config.webhook_rate).allow_burst(config.webhook_rate),
            )),
            started: Instant::now(),
            port: addr.port(),
            demo_accounts,
            ping_interval: config.ping_interval,
            shutdown: shutdown_rx.clone(),
        };
        let app = routes::router(state.clone());
        let mut stop = shutdown_rx;
        let serving = tokio::spawn(async move {
            let graceful = async move {
                let _ = stop.wait_for(|s| *s).await;
            };
            if let Err(e) = axum::serve(
                listener.tap_io(|tcp| {
                    // Events are small frames that must leave at once, not wait for Nagle.
                    if let Err(e) = tcp.set_nodelay(true) {
                        tracing::warn!("cannot set TCP_NODELAY: {e}");
                    }
                }),
                app,
            )
            .with_graceful_shutdown(graceful)
            .await
            {
                tracing::error!("server error: {e}");
            }
        });
        let mut server = Server { addr, state, shutdown, serving, feed: None, deadlines };
        if let (true, Some(every)) = (config.demo, config.demo_feed) {
            let tenant = accounts::tenant_of(&server.state.store, &server.demo_admin_id().await?).await?;
            let creds = server.webhook_credentials(&tenant).await?;
            server.feed = Some(tokio::spawn(demo::feed(server.base_url(), creds.sid, creds.apikey, every)));
        }
        tracing::info!("listening on {}", server.base_url());
        Ok(server)
    }

    async fn demo_admin_id(&self) -> anyhow::Result<String> {
        let user = store::run(&self.state.store, |s| s.user_by_email(demo::ADMIN_EMAIL)).await?;
        Ok(user.context("the demo admin is missing")?.id)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://IP:PORT`, without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub async fn create_user(&self, new: NewUser) -> anyhow::Result<User> {
        accounts::create_user(&self.state.store, new).await
    }

    /// The tenant's NextGen webhook credentials, created on first need.
    pub async fn webhook_credentials(&self, tenant_id: &str) -> anyhow::Result<WebhookCredentials> {
        Ok(accounts::webhook_credentials(&self.state.store, tenant_id).await?)
    }

    /// The tenant id of a user.
    pub async fn tenant_of(&self, user_id: &str) -> anyhow::Result<String> {
        accounts::tenant_of(&self.state.store, user_id).await
    }

    /// The demo accounts, with their passwords; empty unless in demo mode.
    pub fn demo_accounts(&self) -> Vec<DemoAccount> {
        self.state.demo_accounts.as_deref().cloned().unwrap_or_default()
    }

    /// Authenticated sockets currently joined to a tenant.
    pub fn socket_count(&self, tenant_id: &str) -> usize {
        self.state.hub.count(tenant_id)
    }

    /// Stops accepting, closes sockets, and waits (up to 5 s) for requests in flight.
    pub async fn shutdown(self) {
        if let Some(feed) = self.feed {
            feed.abort();
        }
        self.deadlines.abort();
        let _ = self.shutdown.send(true);
        let mut serving = self.serving;
        if tokio::time::timeout(Duration::from_secs(5), &mut serving).await.is_err() {
            tracing::warn!("connections still open after 5 s; aborting them");
            serving.abort();
        }
    }
}

/// Creates a user in the database at `db_path` without starting a server (the `user add` CLI).
/// Returns the user and, for an admin with their own tenant, the tenant's webhook credentials.
pub async fn add_user(db_path: &std::path::Path, new: NewUser) -> anyhow::Result<(User, Option<WebhookCredentials>)> {
    let path = db_path.to_owned();
    let store: Arc<dyn Store> = Arc::new(tokio::task::spawn_blocking(move || SqliteStore::open(&path)).await??);
    let own_admin = new.tenant == TenantChoice::Own && new.role == crokodial_core::api::Role::Admin;
    let user = accounts::create_user(&store, new).await?;
    let creds = if own_admin { Some(accounts::webhook_credentials(&store, &user.id).await?) } else { None };
    Ok((user, creds))
}

/// The tenant of the user with this email, in the database at `db_path`.
pub async fn tenant_of_email(db_path: &std::path::Path, email: &str) -> anyhow::Result<String> {
    let path = db_path.to_owned();
    let email = email.to_owned();
    let user = tokio::task::spawn_blocking(move || SqliteStore::open(&path)?.user_by_email(&email)).await??;
    Ok(user.context("no user with that email")?.tenant_id)
}
