//! The session token lives in the OS keychain (macOS Keychain, Windows Credential Manager, the
//! Secret Service on Linux) and nowhere else. Where no keychain is reachable we say so and stop:
//! there is no plaintext fallback.

use std::fmt;

/// Keychain entries are namespaced by this service name (the app identifier).
pub const SERVICE: &str = "com.crokodial.desktop";

/// A value that must never be printed or logged.
#[derive(Clone, PartialEq, Eq)]
pub struct Sensitive<T>(pub T);

impl<T> fmt::Debug for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum KeychainError {
    #[error(
        "the OS keychain is not available ({0}). Unlock your keychain or start a keyring service \
         (on Linux: the Secret Service, e.g. GNOME Keyring or KWallet). Crokodial never keeps the \
         session in a plain file."
    )]
    Unavailable(String),
    #[error("the OS keychain refused access: {0}")]
    Failed(String),
}

impl From<keyring::Error> for KeychainError {
    fn from(e: keyring::Error) -> Self {
        match e {
            keyring::Error::PlatformFailure(inner) | keyring::Error::NoStorageAccess(inner) => {
                KeychainError::Unavailable(inner.to_string())
            }
            other => KeychainError::Failed(other.to_string()),
        }
    }
}

/// Where tokens are kept. The OS keychain in the app; tests of logic above it may use memory.
pub trait SecretStore: Send + Sync {
    fn get(&self, account: &str) -> Result<Option<Sensitive<String>>, KeychainError>;
    fn set(&self, account: &str, secret: &Sensitive<String>) -> Result<(), KeychainError>;
    fn delete(&self, account: &str) -> Result<(), KeychainError>;
}

/// The OS keychain, through `keyring`.
#[derive(Debug, Clone)]
pub struct OsKeychain {
    service: String,
}

impl Default for OsKeychain {
    fn default() -> Self {
        OsKeychain { service: SERVICE.to_owned() }
    }
}

impl OsKeychain {
    fn entry(&self, account: &str) -> Result<keyring::Entry, KeychainError> {
        Ok(keyring::Entry::new(&self.service, account)?)
    }
}

impl SecretStore for OsKeychain {
    fn get(&self, account: &str) -> Result<Option<Sensitive<String>>, KeychainError> {
        match self.entry(account)?.get_password() {
            Ok(secret) => Ok(Some(Sensitive(secret))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    fn set(&self, account: &str, secret: &Sensitive<String>) -> Result<(), KeychainError> {
        Ok(self.entry(account)?.set_password(&secret.0)?)
    }

    fn delete(&self, account: &str) -> Result<(), KeychainError> {
        match self.entry(account)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}

/// The keychain account that holds the session token of `email` on `server`.
pub fn session_account(server: &str, email: &str) -> String {
    format!("session:{}@{}", email.to_lowercase(), server.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sensitive_is_redacted() {
        assert_eq!(format!("{:?}", Sensitive("hunter2".to_string())), "<redacted>");
    }

    #[test]
    fn accounts_are_namespaced_by_server_and_email() {
        assert_eq!(session_account("http://a:3005/", "Ann@X.co"), "session:ann@x.co@http://a:3005");
        assert_ne!(session_account("http://a", "e@x.co"), session_account("http://b", "e@x.co"));
    }
}
