//! Logging in, restoring the last session at start-up, and logging out.
//!
//! What is kept: the token in the OS keychain; the server URL and the user (no secret) in
//! `profile.json` under the profile directory.

use std::path::Path;

use crokodial_core::api::{LoginResponse, User};
use serde::{Deserialize, Serialize};

use crate::api::ApiClient;
use crate::error::{ClientError, Result};
use crate::home::Home;
use crate::secrets::{session_account, SecretStore, Sensitive};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    pub server_url: String,
    pub user: User,
}

impl Profile {
    /// The last session's profile (server and user; no secret), if any. No keychain, no network.
    pub fn read(home: &Home) -> Result<Option<Profile>> {
        read_profile(home)
    }
}

#[derive(Debug, Clone)]
pub struct Session {
    pub profile: Profile,
    api: ApiClient,
}

impl Session {
    /// Logs in and keeps the session: the token goes to the keychain first, so a keychain that
    /// cannot be reached fails the login and leaves nothing behind.
    pub async fn login(
        home: &Home,
        secrets: &dyn SecretStore,
        server_url: &str,
        email: &str,
        password: &str,
    ) -> Result<Self> {
        if email.trim().is_empty() || password.is_empty() {
            return Err(ClientError::InvalidInput("enter an email and a password".into()));
        }
        let api = ApiClient::new(server_url)?;
        let resp = api.login(email, password).await?;
        Self::keep(home, secrets, api, resp)
    }

    /// Sets an invited user's password with their one-time code, and keeps the session as a login does.
    pub async fn accept_invite(
        home: &Home,
        secrets: &dyn SecretStore,
        server_url: &str,
        email: &str,
        code: &str,
        password: &str,
    ) -> Result<Self> {
        if email.trim().is_empty() || code.trim().is_empty() {
            return Err(ClientError::InvalidInput("enter your email and the invite code".into()));
        }
        if password.chars().count() < crokodial_core::api::PASSWORD_MIN {
            return Err(ClientError::InvalidInput(format!(
                "choose a password of at least {} characters",
                crokodial_core::api::PASSWORD_MIN
            )));
        }
        let api = ApiClient::new(server_url)?;
        let resp = api.accept_invite(email, code, password).await?;
        Self::keep(home, secrets, api, resp)
    }

    /// Keeps a session the server granted: the token to the keychain first, then the profile.
    fn keep(home: &Home, secrets: &dyn SecretStore, api: ApiClient, resp: LoginResponse) -> Result<Self> {
        let profile = Profile { server_url: api.server_url(), user: resp.user };
        let token = Sensitive(resp.token);
        secrets.set(&session_account(&profile.server_url, &profile.user.email), &token)?;
        write_profile(home, &profile)?;
        Ok(Session { api: api.with_token(token), profile })
    }

    /// The last session, if its profile and its keychain token are both there. No network.
    pub fn restore(home: &Home, secrets: &dyn SecretStore) -> Result<Option<Self>> {
        let Some(profile) = read_profile(home)? else { return Ok(None) };
        let Some(token) = secrets.get(&session_account(&profile.server_url, &profile.user.email))? else {
            return Ok(None);
        };
        let api = ApiClient::new(&profile.server_url)?.with_token(token);
        Ok(Some(Session { profile, api }))
    }

    /// The last session without its token, for work on this computer only (the lead cache, the
    /// outbox): no keychain, no network. The server refuses anything it is sent.
    pub fn offline(home: &Home) -> Result<Option<Self>> {
        let Some(profile) = read_profile(home)? else { return Ok(None) };
        let api = ApiClient::new(&profile.server_url)?;
        Ok(Some(Session { profile, api }))
    }

    /// Forgets the session: the keychain entry and the profile.
    pub fn logout(home: &Home, secrets: &dyn SecretStore) -> Result<()> {
        if let Some(profile) = read_profile(home)? {
            secrets.delete(&session_account(&profile.server_url, &profile.user.email))?;
        }
        let path = home.profile_file();
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(profile_error(&path, e)),
        }
    }

    pub fn api(&self) -> &ApiClient {
        &self.api
    }

    pub fn user(&self) -> &User {
        &self.profile.user
    }
}

fn profile_error(path: &Path, source: std::io::Error) -> ClientError {
    ClientError::Profile { path: path.display().to_string(), source }
}

fn read_profile(home: &Home) -> Result<Option<Profile>> {
    let path = home.profile_file();
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(profile_error(&path, e)),
    };
    // A damaged profile is not fatal: it only means logging in again.
    Ok(serde_json::from_slice(&bytes).ok())
}

/// Writes the profile atomically, so a killed process never leaves half a file.
fn write_profile(home: &Home, profile: &Profile) -> Result<()> {
    let path = home.profile_file();
    let json = serde_json::to_vec_pretty(profile).expect("a profile always serialises");
    crate::home::write_atomically(&path, &json).map_err(|e| profile_error(&path, e))
}

#[cfg(test)]
pub(crate) mod tests {
    use std::collections::HashMap;
    use std::sync::Mutex;

    use super::*;
    use crate::secrets::KeychainError;

    /// An in-memory store, for testing the logic above the keychain.
    #[derive(Default)]
    pub struct MemoryStore(pub Mutex<HashMap<String, String>>);

    impl SecretStore for MemoryStore {
        fn get(&self, account: &str) -> Result<Option<Sensitive<String>>, KeychainError> {
            Ok(self.0.lock().unwrap().get(account).cloned().map(Sensitive))
        }
        fn set(&self, account: &str, secret: &Sensitive<String>) -> Result<(), KeychainError> {
            self.0.lock().unwrap().insert(account.into(), secret.0.clone());
            Ok(())
        }
        fn delete(&self, account: &str) -> Result<(), KeychainError> {
            self.0.lock().unwrap().remove(account);
            Ok(())
        }
    }

    #[test]
    fn restore_needs_profile_and_token() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::at(dir.path());
        let store = MemoryStore::default();
        assert!(Session::restore(&home, &store).unwrap().is_none());

        let profile = Profile {
            server_url: "http://127.0.0.1:1".into(),
            user: User {
                id: "u1".into(),
                name: "Ann".into(),
                email: "ann@x.co".into(),
                role: crokodial_core::api::Role::User,
                profile_picture: None,
            },
        };
        write_profile(&home, &profile).unwrap();
        assert!(Session::restore(&home, &store).unwrap().is_none(), "no token, no session");

        store.set(&session_account(&profile.server_url, "ann@x.co"), &Sensitive("tok".into())).unwrap();
        let s = Session::restore(&home, &store).unwrap().unwrap();
        assert_eq!(s.profile, profile);
        assert_eq!(s.api().token(), Some(&Sensitive("tok".into())));

        Session::logout(&home, &store).unwrap();
        assert!(store.0.lock().unwrap().is_empty());
        assert!(!home.profile_file().exists());
        Session::logout(&home, &store).unwrap();
    }

    #[test]
    fn profile_file_holds_no_token() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::at(dir.path());
        let profile = Profile {
            server_url: "http://h".into(),
            user: User {
                id: "u".into(),
                name: "".into(),
                email: "e@x.co".into(),
                role: crokodial_core::api::Role::Admin,
                profile_picture: None,
            },
        };
        write_profile(&home, &profile).unwrap();
        let text = std::fs::read_to_string(home.profile_file()).unwrap();
        assert!(!text.to_lowercase().contains("token"), "{text}");
    }
}
