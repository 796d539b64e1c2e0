//! Users and tenants: creation (with password hashing) and webhook credentials.

use std::sync::Arc;

use anyhow::Context;
use crokodial_core::api::{Role, User};
use rand::distributions::{Alphanumeric, DistString};

use crate::auth::{hash_password, new_object_id};
use crate::state::KnownCredentials;
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
        active: true,
        invite_hash: None,
        invited_at: None,
        textdrip_connected: false,
        available: true,
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

/// Letters and digits that cannot be misread for one another (no 0/O, 1/I/L).
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/// Adds an invited user to `tenant_id`: no password yet, and a one-time code (returned once,
/// kept only as its hash) with which they set one.
pub async fn invite_user(
    store: &Arc<dyn Store>,
    tenant_id: &str,
    email: &str,
    name: &str,
    role: Role,
) -> Result<(UserRecord, String), InviteError> {
    let email = email.trim().to_lowercase();
    if !valid_email(&email) {
        return Err(InviteError::Email(email));
    }
    let (code, hash) = new_code().await?;
    let record = UserRecord {
        id: new_object_id(),
        tenant_id: tenant_id.to_owned(),
        email,
        name: name.trim().to_owned(),
        role,
        password_hash: String::new(),
        active: true,
        invite_hash: Some(hash),
        invited_at: Some(chrono::Utc::now()),
        textdrip_connected: false,
        available: true,
    };
    let insert = record.clone();
    store::run(store, move |s| s.insert_user(&insert)).await.map_err(|e| match e {
        store::StoreError::EmailTaken(email) => InviteError::Taken(email),
        other => InviteError::Other(other.into()),
    })?;
    Ok((record, code))
}

/// A new code for a tenant's invited user who has not accepted (the old code stops working);
/// `None` if there is no such user.
pub async fn renew_invite(
    store: &Arc<dyn Store>,
    tenant_id: &str,
    user_id: &str,
) -> Result<Option<(UserRecord, String)>, InviteError> {
    let (code, hash) = new_code().await?;
    let (tenant, id) = (tenant_id.to_owned(), user_id.to_owned());
    let user = store::run(store, move |s| s.renew_invite(&tenant, &id, &hash))
        .await
        .map_err(|e| InviteError::Other(e.into()))?;
    Ok(user.map(|u| (u, code)))
}

/// A one-time code as shown (`XXXX-XXXX-XXXX`), and the argon2 hash of its 12 characters.
async fn new_code() -> Result<(String, String), InviteError> {
    let code: String = {
        use rand::Rng;
        let mut rng = rand::rngs::OsRng;
        (0..12).map(|_| CODE_ALPHABET[rng.gen_range(0..CODE_ALPHABET.len())] as char).collect()
    };
    let plain = code.clone();
    let hash = tokio::task::spawn_blocking(move || hash_password(&plain))
        .await
        .map_err(|e| InviteError::Other(e.into()))?
        .map_err(InviteError::Other)?;
    Ok((format!("{}-{}-{}", &code[..4], &code[4..8], &code[8..]), hash))
}

/// An invite code as typed: case, spaces and dashes do not matter.
pub fn normalise_code(typed: &str) -> String {
    typed.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_uppercase()).collect()
}

fn valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else { return false };
    !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !email.chars().any(char::is_whitespace)
}

#[derive(Debug, thiserror::Error)]
pub enum InviteError {
    #[error("{0:?} is not an email address")]
    Email(String),
    #[error("a user with email {0} already exists")]
    Taken(String),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
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

/// Replaces the tenant's NextGen credentials with new random ones, and forgets the old ones in
/// the same blocking call as the write, so no dropped request can leave them remembered.
pub async fn rotate_credentials(
    store: &Arc<dyn Store>,
    known: &KnownCredentials,
    tenant_id: &str,
) -> StoreResult<WebhookCredentials> {
    let (tenant, known) = (tenant_id.to_owned(), known.clone());
    store::run(store, move |s| {
        let new = random_credentials();
        s.replace_credentials(&tenant, &new)?;
        known.forget_tenant(&tenant);
        Ok(new)
    })
    .await
}

fn random_credentials() -> WebhookCredentials {
    let mut rng = rand::rngs::OsRng;
    WebhookCredentials {
        sid: format!("sid_{}", Alphanumeric.sample_string(&mut rng, 24)),
        apikey: format!("key_{}", Alphanumeric.sample_string(&mut rng, 40)),
    }
}
