//! The engine against the real OS keychain (a private GNOME Keyring on a private session bus,
//! so the developer's own keychain is never touched) and a real server on loopback.

use crokodial_client::home::Home;
use crokodial_client::secrets::{session_account, OsKeychain, SecretStore, Sensitive};
use crokodial_client::session::Session;
use crokodial_testkit::{DesktopSession, TestServer};

#[test]
fn secrets_survive_across_entries_and_are_deleted() {
    DesktopSession::for_process();
    let store = OsKeychain::default();
    let account = "round-trip@test";
    assert!(store.get(account).unwrap().is_none());
    store.set(account, &Sensitive("s3cret".into())).unwrap();
    // A fresh store object reads what the first wrote: it is really in the keychain.
    assert_eq!(OsKeychain::default().get(account).unwrap(), Some(Sensitive("s3cret".into())));
    store.delete(account).unwrap();
    assert!(store.get(account).unwrap().is_none());
    store.delete(account).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn login_keeps_the_token_in_the_keychain_and_restore_finds_it() {
    let desktop = DesktopSession::for_process();
    let server = TestServer::start(false).await.unwrap();
    let admin = server.admin("keys@agency.test").await.unwrap();
    let home = Home::at(desktop.profile_dir().join("login-test"));
    let keychain = OsKeychain::default();

    let err = Session::login(&home, &keychain, &server.url(), &admin.email, "nope").await.unwrap_err();
    assert!(err.to_string().contains("Invalid credentials"), "{err}");
    assert!(!home.profile_file().exists());

    let session = Session::login(&home, &keychain, &server.url(), &admin.email, &admin.password).await.unwrap();
    let account = session_account(&server.url(), &admin.email);
    let token = keychain.get(&account).unwrap().expect("token stored");
    assert_eq!(Some(&token), session.api().token());
    assert!(!std::fs::read_to_string(home.profile_file()).unwrap().contains(&token.0));

    let restored = Session::restore(&home, &keychain).unwrap().expect("restored");
    let verified = restored.api().verify().await.unwrap();
    assert_eq!(verified.user.email, admin.email);

    Session::logout(&home, &keychain).unwrap();
    assert!(keychain.get(&account).unwrap().is_none());
    assert!(Session::restore(&home, &keychain).unwrap().is_none());
}
