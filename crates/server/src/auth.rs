//! Passwords (argon2), session tokens (HS256 JWT, 30 days) and the bearer-token extractor.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts};
use chrono::Utc;
use crokodial_core::api::Claims;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;

use crate::error::ApiError;
use crate::state::AppState;
use crate::store::{self, UserRecord};

/// How long a session token is valid.
pub const TOKEN_DAYS: i64 = 30;

/// Signing and verification keys for session tokens.
#[derive(Clone)]
pub struct Jwt {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl Jwt {
    pub fn new(secret: &[u8]) -> Self {
        Jwt { encoding: EncodingKey::from_secret(secret), decoding: DecodingKey::from_secret(secret) }
    }

    /// A token for user `id`, valid [`TOKEN_DAYS`].
    pub fn issue(&self, id: &str) -> anyhow::Result<String> {
        let iat = Utc::now().timestamp();
        let claims = Claims { id: id.to_owned(), iat, exp: iat + TOKEN_DAYS * 86_400 };
        Ok(jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)?)
    }

    /// The claims of a valid, unexpired HS256 token.
    pub fn verify(&self, token: &str) -> Option<Claims> {
        let validation = Validation::new(Algorithm::HS256);
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation).ok().map(|d| d.claims)
    }
}

/// Hashes a password with argon2id (blocking: call from a blocking thread).
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let mut raw = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut raw);
    let salt = SaltString::encode_b64(&raw).map_err(|e| anyhow::anyhow!("salt: {e}"))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing password: {e}"))
}

/// Checks a password against a stored hash (blocking).
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// A hash no secret matches, to spend a real check's work where there is nothing to check, so
/// timing does not tell which emails exist or have an invite.
pub fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password("not a real password").unwrap_or_default())
}

/// A MongoDB-ObjectId-like id: 4 bytes of seconds since the epoch and 8 random bytes, in hex.
pub fn new_object_id() -> String {
    let secs = u32::try_from(Utc::now().timestamp()).unwrap_or(u32::MAX);
    let mut tail = [0u8; 8];
    rand::thread_rng().fill_bytes(&mut tail);
    let mut out = format!("{secs:08x}");
    for b in tail {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// Loads the user a token belongs to; a deactivated user's tokens are refused.
pub async fn user_for_token(state: &AppState, token: &str) -> Result<UserRecord, ApiError> {
    let claims = state.jwt.verify(token).ok_or_else(|| ApiError::unauthorized("invalid_token", "Invalid token"))?;
    let user = store::run(&state.store, move |s| s.user_by_id(&claims.id))
        .await?
        .ok_or_else(|| ApiError::unauthorized("user_not_found", "User not found"))?;
    if !user.active {
        return Err(ApiError::unauthorized("account_deactivated", DEACTIVATED));
    }
    Ok(user)
}

/// What a deactivated user is told.
pub const DEACTIVATED: &str = "This account has been deactivated. Ask your agency's admin.";

/// The authenticated caller of a route (`Authorization: Bearer <jwt>`).
pub struct AuthUser(pub UserRecord);

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| ApiError::unauthorized("no_token", "No auth token found"))?;
        user_for_token(state, token).await.map(AuthUser)
    }
}

/// The authenticated caller of an admin-only route; anyone else gets 403.
pub struct AdminUser(pub UserRecord);

impl FromRequestParts<AppState> for AdminUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let AuthUser(user) = AuthUser::from_request_parts(parts, state).await?;
        if user.role != crokodial_core::api::Role::Admin {
            return Err(ApiError::forbidden("Admin access required"));
        }
        Ok(AdminUser(user))
    }
}

/// Compares secrets in time independent of where they differ.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_reject_other_secrets() {
        let jwt = Jwt::new(b"one secret");
        let token = jwt.issue("abc").unwrap();
        let claims = jwt.verify(&token).unwrap();
        assert_eq!(claims.id, "abc");
        assert_eq!(claims.exp - claims.iat, 30 * 86_400);
        assert!(Jwt::new(b"another").verify(&token).is_none());
        assert!(jwt.verify("not.a.token").is_none());
    }

    #[test]
    fn expired_tokens_are_rejected() {
        let jwt = Jwt::new(b"s");
        let claims = Claims { id: "a".into(), iat: 1, exp: 2 };
        let token = jsonwebtoken::encode(&Header::default(), &claims, &jwt.encoding).unwrap();
        assert!(jwt.verify(&token).is_none());
    }

    #[test]
    fn passwords() {
        let h = hash_password("hunter2").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("hunter2", &h));
        assert!(!verify_password("hunter3", &h));
        assert!(!verify_password("hunter2", "garbage"));
    }

    #[test]
    fn object_ids() {
        let id = new_object_id();
        assert_eq!(id.len(), 24);
        assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(id, new_object_id());
    }
}
