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
    #[error("the OS keychain is not available ({0}). {UNAVAILABLE_ADVICE} Crokodial never keeps the session in a plain file.")]
    Unavailable(String),
    #[error("the OS keychain refused access: {0}")]
    Failed(String),
}

/// What the rep can do about a keychain that cannot be reached, on this OS.
#[cfg(target_os = "macos")]
const UNAVAILABLE_ADVICE: &str = "When macOS asks whether Crokodial may use your keychain, enter your \
    password and choose Always Allow; if it does not ask, unlock the login keychain in Keychain Access.";
#[cfg(windows)]
const UNAVAILABLE_ADVICE: &str = "Windows Credential Manager could not be reached: sign in to Windows \
    with your own account (not a temporary profile), or ask your IT team whether a policy blocks \
    saved credentials.";
#[cfg(not(any(target_os = "macos", windows)))]
const UNAVAILABLE_ADVICE: &str = "Unlock your keychain or start a keyring service (the Secret Service, \
    e.g. GNOME Keyring or KWallet).";

impl From<keyring::Error> for KeychainError {
    fn from(e: keyring::Error) -> Self {
        match e {
            keyring::Error::PlatformFailure(inner) | keyring::Error::NoStorageAccess(inner) => {
                KeychainError::Unavailable(inner.to_string())
            }
            keyring::Error::TooLong(what, limit) => {
                KeychainError::Failed(format!("the {what} is longer than the keychain keeps ({limit} bytes at most)"))
            }
            keyring::Error::BadEncoding(_) => {
                KeychainError::Failed("the keychain entry is not text; log in again to replace it".into())
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

/// Secrets are kept as UTF-8 bytes on every OS. (keyring's `set_password` would write UTF-16 on
/// Windows, halving what Credential Manager's 2,560-byte limit holds; elsewhere it writes UTF-8,
/// so entries made with it read back the same.)
impl SecretStore for OsKeychain {
    fn get(&self, account: &str) -> Result<Option<Sensitive<String>>, KeychainError> {
        match self.entry(account)?.get_secret() {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(secret) => Ok(Some(Sensitive(secret))),
                Err(e) => Err(keyring::Error::BadEncoding(e.into_bytes()).into()),
            },
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    fn set(&self, account: &str, secret: &Sensitive<String>) -> Result<(), KeychainError> {
        Ok(self.entry(account)?.set_secret(secret.0.as_bytes())?)
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
    fn keychain_errors_say_what_to_do() {
        let locked: KeychainError = keyring::Error::NoStorageAccess("locked".into()).into();
        assert!(locked.to_string().contains(UNAVAILABLE_ADVICE), "{locked}");
        let long: KeychainError = keyring::Error::TooLong("password".into(), 2560).into();
        assert_eq!(
            long.to_string(),
            "the OS keychain refused access: the password is longer than the keychain keeps (2560 bytes at most)"
        );
        let garbled: KeychainError = keyring::Error::BadEncoding(vec![0xff]).into();
        assert!(garbled.to_string().contains("log in again"), "{garbled}");
    }

    #[test]
    fn accounts_are_namespaced_by_server_and_email() {
        assert_eq!(session_account("http://a:3005/", "Ann@X.co"), "session:ann@x.co@http://a:3005");
        assert_ne!(session_account("http://a", "e@x.co"), session_account("http://b", "e@x.co"));
    }
}
