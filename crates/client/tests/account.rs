//! One signed-in rep as both front ends hold it: an `Account` against our server on loopback,
//! with the OS keychain (a private keyring) and a real cache file.

use std::sync::Arc;
use std::time::Duration;

use crokodial_client::account::{Account, AccountEvent};
use crokodial_client::alert::AlertPlayer;
use crokodial_client::api::ApiClient;
use crokodial_client::home::Home;
use crokodial_client::secrets::{OsKeychain, SecretStore, Sensitive};
use crokodial_client::session::Session;
use crokodial_client::settings::{AlertSettings, Settings};
use crokodial_client::socket::ConnectionState;
use crokodial_core::edit::{EditField, LeadEdit};
use crokodial_testkit::{DesktopSession, TestServer};
use serde_json::json;
use tokio::sync::mpsc::UnboundedReceiver;

const WAIT: Duration = Duration::from_secs(10);

/// The next event `pick` takes, skipping the others.
async fn next_that<T>(events: &mut UnboundedReceiver<AccountEvent>, pick: impl Fn(AccountEvent) -> Option<T>) -> T {
    tokio::time::timeout(WAIT, async {
        loop {
            if let Some(found) = pick(events.recv().await.expect("the account's events ended")) {
                return found;
            }
        }
    })
    .await
    .expect("no such event in time")
}

#[tokio::test(flavor = "multi_thread")]
async fn an_account_goes_live_hands_out_a_lead_sends_an_edit_and_stops_when_closed() {
    DesktopSession::for_process();
    let server = TestServer::start(false).await.unwrap();
    let admin = server.admin("account@agency.test").await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let home = Home::at(dir.path());
    let keychain: Arc<dyn SecretStore> = Arc::new(OsKeychain::default());
    let session = Session::login(&home, &*keychain, &server.url(), &admin.email, &admin.password).await.unwrap();
    let account = Account::open(&home, keychain, session).unwrap();

    let silent = tokio::sync::watch::channel(Settings {
        alerts: AlertSettings { volume: 0.0, ..AlertSettings::default() },
        ..Settings::default()
    })
    .1;
    let mut events = account.go_live(AlertPlayer::start(None).unwrap(), silent).unwrap();
    let mut state = account.state();
    tokio::time::timeout(WAIT, state.wait_for(|s| s.connection == ConnectionState::Live)).await.unwrap().unwrap();
    // Live: the sync service syncs at once.
    next_that(&mut events, |e| match e {
        AccountEvent::Sync(s) => s.synced_at.map(drop),
        _ => None,
    })
    .await;

    let body = json!({"first_name": "Ada", "last_name": "Live", "phone": "3125550142", "state": "IL"});
    let id = server.post_nextgen(&admin.webhook, body).await.unwrap();
    let arrival = next_that(&mut events, |e| match e {
        AccountEvent::Lead(a) if a.lead.id == id => Some(a),
        _ => None,
    })
    .await;
    assert!(arrival.is_new && arrival.announce, "a new NextGen lead is announced");
    assert_eq!(arrival.lead.phone.as_deref(), Some("3125550142"));
    assert!(arrival.latency.delivery_ms.is_some(), "{:?}", arrival.latency);
    assert_eq!(account.lead(&id).await.unwrap().name, "Ada Live", "cached before it was handed out");
    assert!(account.state().borrow().last_event_at.is_some());

    // An edit is shown at once, pending, and the sync service sends it without being asked.
    account.edit(&id, LeadEdit::from([(EditField::Disposition, "Quoted".to_owned())])).await.unwrap();
    assert_eq!(account.lead(&id).await.unwrap().disposition.as_deref(), Some("Quoted"));
    next_that(&mut events, |e| match e {
        AccountEvent::Sync(s) if s.outbox.pending == 0 => Some(()),
        _ => None,
    })
    .await;
    let token = ApiClient::new(&server.url()).unwrap().login(&admin.email, &admin.password).await.unwrap().token;
    let api = ApiClient::new(&server.url()).unwrap().with_token(Sensitive(token));
    assert_eq!(api.lead(&id).await.unwrap().disposition.as_deref(), Some("Quoted"));

    // Logging out closes it, even while a command still holds it: its stream ends, and the
    // tasks it started stop, its socket with them.
    let sockets = || server.server.socket_count(&admin.tenant_id);
    assert_eq!(sockets(), 1);
    let held_by_a_command = Arc::new(account);
    held_by_a_command.close();
    let ended = tokio::time::timeout(WAIT, async { while events.recv().await.is_some() {} }).await;
    assert!(ended.is_ok(), "the account's stream outlived its close");
    let closed = tokio::time::timeout(WAIT, async {
        while sockets() > 0 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    });
    assert!(closed.await.is_ok(), "the account's socket outlived its close");
    assert_eq!(held_by_a_command.lead(&id).await.unwrap().name, "Ada Live", "a command under way still reads");
}

/// "Do not call" stops texts as well as calls, before Textdrip is asked anything.
#[tokio::test(flavor = "multi_thread")]
async fn a_do_not_call_outcome_stops_calls_and_texts() {
    DesktopSession::for_process();
    let server = TestServer::start(false).await.unwrap();
    let admin = server.admin("dnc-account@agency.test").await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let home = Home::at(dir.path());
    let keychain: Arc<dyn SecretStore> = Arc::new(OsKeychain::default());
    let session = Session::login(&home, &*keychain, &server.url(), &admin.email, &admin.password).await.unwrap();
    let account = Account::open(&home, keychain, session).unwrap();
    let body = json!({"first_name": "Ada", "last_name": "Stop", "phone": "3125550142", "state": "IL"});
    let id = server.post_nextgen(&admin.webhook, body).await.unwrap();
    account.sync().await.unwrap();

    let call = account.record_call(&id).await.unwrap();
    account.tell_outcome(&call.id, crokodial_core::calls::Outcome::DoNotCall, None).await.unwrap();
    account.push().await.unwrap();
    let lead = account.lead(&id).await.unwrap();
    assert!(lead.do_not_call.is_some(), "the server's mark came back with the answer");
    let refused = account.send_text(&lead, "Hi {first_name}", None, true).await.unwrap_err();
    assert!(matches!(refused, crokodial_client::textdrip::TextdripError::DoNotCall), "{refused}");
    assert!(matches!(
        account.add_to_campaign(&lead, "c1").await,
        Err(crokodial_client::textdrip::TextdripError::DoNotCall)
    ));
    assert!(account.record_call(&id).await.is_err());
    assert_eq!(account.do_not_call_list().await.unwrap()[0].phone, "3125550142");
}
