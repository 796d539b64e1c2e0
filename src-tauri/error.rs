//! The error that crosses to the UI: `{code, message}`. The UI branches on `code` (a closed set),
//! never on the message.

use crokodial_client::cache::CacheError;
use crokodial_client::import::ImportFailure;
use crokodial_client::secrets::KeychainError;
use crokodial_client::sync::SyncError;
use crokodial_client::textdrip::TextdripError;
use crokodial_client::ClientError;
use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    InvalidCredentials,
    InvalidInput,
    Network,
    Server,
    KeychainUnavailable,
    NotLoggedIn,
    /// No sound output: alerts are silent.
    NoSound,
    /// The user cancelled (an import).
    Cancelled,
    /// No Textdrip token is kept: connect Textdrip.
    TextdripNotConnected,
    /// Textdrip refused the kept token: connect again.
    TextdripInvalid,
    /// Textdrip kept answering "too many requests".
    RateLimited,
    /// The lead's local time is outside texting hours, or unknown: send again with confirmation.
    OutsideHours,
    /// The lead opted out of texts.
    OptedOut,
    /// Admins only.
    Forbidden,
    /// The server does not offer this (the deployed server lacks our routes).
    Unsupported,
    Internal,
}

#[derive(Debug, Clone, TS)]
pub struct AppError {
    pub code: ErrorCode,
    pub message: String,
}

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        AppError { code, message: message.into() }
    }

    /// Something that should not fail did: the message says what.
    pub fn internal(e: impl std::fmt::Display) -> Self {
        AppError::new(ErrorCode::Internal, e.to_string())
    }
}

impl From<ClientError> for AppError {
    fn from(e: ClientError) -> Self {
        if let ClientError::Textdrip(e) = e {
            return e.into();
        }
        let code = match &e {
            ClientError::InvalidCredentials(_) => ErrorCode::InvalidCredentials,
            ClientError::Unauthorized(_) | ClientError::NotLoggedIn => ErrorCode::NotLoggedIn,
            ClientError::InvalidInput(_) => ErrorCode::InvalidInput,
            ClientError::Network(_) => ErrorCode::Network,
            ClientError::Server { .. } => ErrorCode::Server,
            ClientError::Keychain(KeychainError::Unavailable(_) | KeychainError::Failed(_)) => {
                ErrorCode::KeychainUnavailable
            }
            ClientError::Profile { .. } => ErrorCode::Internal,
            ClientError::Forbidden(_) => ErrorCode::Forbidden,
            ClientError::Unsupported => ErrorCode::Unsupported,
            ClientError::Textdrip(_) => unreachable!("handled above"),
        };
        AppError::new(code, e.to_string())
    }
}

impl From<TextdripError> for AppError {
    fn from(e: TextdripError) -> Self {
        let code = match &e {
            TextdripError::NotConnected => ErrorCode::TextdripNotConnected,
            TextdripError::InvalidToken => ErrorCode::TextdripInvalid,
            TextdripError::RateLimited => ErrorCode::RateLimited,
            TextdripError::Timeout(_) | TextdripError::Network(_) => ErrorCode::Network,
            TextdripError::Refused { .. } | TextdripError::Unexpected { .. } => ErrorCode::Server,
            TextdripError::NoPhone | TextdripError::InvalidInput(_) => ErrorCode::InvalidInput,
            TextdripError::OptedOut | TextdripError::DoNotCall => ErrorCode::OptedOut,
            TextdripError::OutsideHours { .. } | TextdripError::UnknownLocalTime => ErrorCode::OutsideHours,
            TextdripError::Keychain(_) => ErrorCode::KeychainUnavailable,
        };
        AppError::new(code, e.to_string())
    }
}

impl From<KeychainError> for AppError {
    fn from(e: KeychainError) -> Self {
        ClientError::from(e).into()
    }
}

/// Every command's failure crosses to the UI here, once: it is logged here, once.
impl Serialize for AppError {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        tracing::info!(code = ?self.code, message = %self.message, "a command failed");
        #[derive(Serialize)]
        struct Wire<'a> {
            code: ErrorCode,
            message: &'a str,
        }
        Wire { code: self.code, message: &self.message }.serialize(s)
    }
}

impl From<CacheError> for AppError {
    fn from(e: CacheError) -> Self {
        let code = match e {
            CacheError::NotCached(_)
            | CacheError::NoSuchEdit
            | CacheError::Edit(_)
            | CacheError::Call(_)
            | CacheError::FollowUp(_) => ErrorCode::InvalidInput,
            _ => ErrorCode::Internal,
        };
        AppError::new(code, e.to_string())
    }
}

impl From<ImportFailure> for AppError {
    fn from(e: ImportFailure) -> Self {
        let code = match &e {
            ImportFailure::Cancelled | ImportFailure::CancelledSending { .. } => ErrorCode::Cancelled,
            ImportFailure::Refused(_) => ErrorCode::Server,
            ImportFailure::Cache(_) => ErrorCode::Internal,
            _ => ErrorCode::InvalidInput,
        };
        AppError::new(code, e.to_string())
    }
}

impl From<SyncError> for AppError {
    fn from(e: SyncError) -> Self {
        match e {
            SyncError::Server(e) => e.into(),
            SyncError::Cache(e) => e.into(),
        }
    }
}

pub type CmdResult<T> = Result<T, AppError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_as_code_and_message() {
        let e: AppError = ClientError::Keychain(KeychainError::Unavailable("locked".into())).into();
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(v["code"], "keychain_unavailable");
        assert!(v["message"].as_str().unwrap().contains("locked"));
        let e: AppError = ClientError::Unauthorized("expired".into()).into();
        assert_eq!(e.code, ErrorCode::NotLoggedIn);
    }
}
