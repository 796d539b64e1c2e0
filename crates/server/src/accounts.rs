//! Users and tenants: creation (with password hashing) and webhook credentials.

use std::sync::Arc;

use anyhow::Context;
use crokodial_core::api::{Role, User};
use rand::distributions::{Alphanumeric, DistString};

use crate::auth::{hash_password, new_object_id};
use crate::store::{self, Store, StoreResult, UserRecord, WebhookCredentials};

/// A user to create.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: String,
    pub name: String,
    pub role: Role,
    pub password: String,
    pub tenant: TenantChoice,
}

/// Which tenant a new user joins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TenantChoice {
    /// A new tenant whose id is the user's own id, as on the deployed server.
    Own,
    /// An existing tenant, by id.
    Of(String),
}

/// Creates a user. Emails are stored trimmed and lower-case, and are unique in any case.
pub async fn create_user(store: &Arc<dyn Store>, new: NewUser) -> anyhow::Result<User> {
    let email = new.email.trim().to_lowercase();
    anyhow::ensure!(email.contains('@'), "{email:?} is not an email address");
    anyhow::ensure!(!new.password.is_empty(), "the password is empty");
    let password = new.password;
    let hash = tokio::task::spawn_blocking(move || hash_password(&password)).await??;
    let id = new_object_id();
    let record = UserRecord {
        tenant_id: match new.tenant {
            TenantChoice::Own => id.clone(),
            TenantChoice::Of(t) => t,
        },
        id,
        email,
        name: new.name.trim().to_owned(),
        role: new.role,
        password_hash: hash,
    };
    let user = record.to_api();
    store::run(store, move |s| {
        if record.tenant_id != record.id && !s.tenant_exists(&record.tenant_id)? {
            return Err(store::StoreError::NoTenant(record.tenant_id.clone()));
        }
        s.insert_user(&record)
    })
    .await?;
    Ok(user)
}

/// The tenant's NextGen webhook credentials, created on first need.
pub async fn webhook_credentials(store: &Arc<dyn Store>, tenant_id: &str) -> StoreResult<WebhookCredentials> {
    let tenant = tenant_id.to_owned();
    store::run(store, move |s| s.ensure_credentials(&tenant, random_credentials())).await
}

/// The tenant of user `user_id`.
pub async fn tenant_of(store: &Arc<dyn Store>, user_id: &str) -> anyhow::Result<String> {
    let id = user_id.to_owned();
    let user = store::run(store, move |s| s.user_by_id(&id)).await?;
    Ok(user.with_context(|| format!("no user {user_id}"))?.tenant_id)
}

fn random_credentials() -> WebhookCredentials {
    let mut rng = rand::rngs::OsRng;
    WebhookCredentials {
        sid: format!("sid_{}", Alphanumeric.sample_string(&mut rng, 24)),
        apikey: format!("key_{}", Alphanumeric.sample_string(&mut rng, 40)),
    }
}
