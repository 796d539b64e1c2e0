//! An admin's agency and a user's profile through the `Account`, against our server and the
//! deployed server's stand-in: dispositions added, moved and removed; a lead typed in and
//! deleted; the profile changed, and never a password sent to the deployed server.

use std::sync::Arc;

use crokodial_client::account::Account;
use crokodial_client::error::ClientError;
use crokodial_client::home::Home;
use crokodial_client::secrets::{OsKeychain, SecretStore};
use crokodial_client::session::Session;
use crokodial_core::api::{NewLead, ProfileUpdate};
use crokodial_core::edit::DispositionChange;
use crokodial_core::LeadSource;
use crokodial_testkit::legacy::{self, LegacyServer};
use crokodial_testkit::{DesktopSession, TestServer};

async fn account(url: &str, email: &str, password: &str) -> (tempfile::TempDir, Account) {
    DesktopSession::for_process();
    let dir = tempfile::tempdir().unwrap();
    let home = Home::at(dir.path());
    let keychain: Arc<dyn SecretStore> = Arc::new(OsKeychain::default());
    let session = Session::login(&home, &*keychain, url, email, password).await.unwrap();
    let account = Account::open(&home, keychain, session).unwrap();
    account.sync().await.unwrap();
    (dir, account)
}

fn named(name: &str, color: &str) -> DispositionChange {
    DispositionChange { name: Some(name.into()), color: Some(color.into()), ..DispositionChange::default() }
}

#[tokio::test(flavor = "multi_thread")]
async fn on_our_server_an_admin_keeps_the_agency_and_changes_their_password() {
    let server = TestServer::start(false).await.unwrap();
    let admin = server.admin("agency@ours.test").await.unwrap();
    let (_dir, account) = account(&server.url(), &admin.email, &admin.password).await;

    let list = account.add_disposition(&named("Call back set", "#123456")).await.unwrap();
    let added = list.iter().find(|d| d.name == "Call back set").unwrap().clone();
    assert_eq!(added.sort_order, 14);
    let mut order: Vec<String> = list.iter().map(|d| d.id.clone()).collect();
    order.retain(|id| *id != added.id);
    order.insert(0, added.id.clone());
    let list = account.reorder_dispositions(&order).await.unwrap();
    assert_eq!(list[0].name, "Call back set");
    assert_eq!(account.dispositions().await.unwrap()[0].name, "Call back set", "the picker's list is kept");
    let list = account.remove_disposition(&added.id).await.unwrap();
    assert_eq!(list.len(), 14);

    let lead = NewLead { first_name: Some("Ivy".into()), phone: Some("312-555-0199".into()), ..NewLead::default() };
    let made = account.create_lead(&lead).await.unwrap();
    assert_eq!(
        (made.source, account.lead(&made.id).await.unwrap().phone.as_deref()),
        (Some(LeadSource::ManualEntry), Some("3125550199"))
    );
    account.delete_lead(&made.id).await.unwrap();
    assert!(account.lead(&made.id).await.is_err(), "gone from the cache too");

    let update = ProfileUpdate {
        name: Some("Agency Boss".into()),
        password: Some("a-new-pass-1".into()),
        current_password: Some(admin.password.clone()),
        ..ProfileUpdate::default()
    };
    assert_eq!(account.update_profile(&update).await.unwrap().name, "Agency Boss");
    let again = crokodial_client::api::ApiClient::new(&server.url()).unwrap().login(&admin.email, "a-new-pass-1").await;
    assert!(again.is_ok(), "the new password logs in");
}

#[tokio::test(flavor = "multi_thread")]
async fn on_the_deployed_server_no_password_is_ever_sent_and_reps_cannot_delete() {
    let server = LegacyServer::start().await.unwrap();
    let (_dir, rep) = account(&server.url(), legacy::EMAIL, legacy::PASSWORD).await;
    let update = ProfileUpdate {
        name: Some("Renamed Rep".into()),
        password: Some("whatever-1".into()),
        ..ProfileUpdate::default()
    };
    assert!(matches!(rep.update_profile(&update).await, Err(ClientError::InvalidInput(_))));
    let update = ProfileUpdate { name: Some("Renamed Rep".into()), ..ProfileUpdate::default() };
    assert_eq!(rep.update_profile(&update).await.unwrap().name, "Renamed Rep");
    let login =
        crokodial_client::api::ApiClient::new(&server.url()).unwrap().login(legacy::EMAIL, legacy::PASSWORD).await;
    assert!(login.is_ok(), "the password still works: it was never sent");

    let id = server.store_lead_for(legacy::EMAIL, "Legacy Lead");
    assert!(matches!(rep.delete_lead(&id).await, Err(ClientError::Forbidden(_))));
    assert!(matches!(
        rep.create_lead(&NewLead { name: Some("X".into()), ..NewLead::default() }).await,
        Err(ClientError::Forbidden(_))
    ));

    // An admin's lead typed in with first and last names is named by them, not "Blank Lead".
    let (_admin_dir, admin) = account(&server.url(), legacy::ADMIN_EMAIL, legacy::PASSWORD).await;
    let typed = NewLead { first_name: Some("Ivy".into()), last_name: Some("Hand".into()), ..NewLead::default() };
    let made = admin.create_lead(&typed).await.unwrap();
    assert_eq!(server.lead(&made.id).unwrap().name, "Ivy Hand");

    // The deployed server lists a user's own dispositions with the defaults.
    let list = rep.add_disposition(&named("Mine", "#123456")).await.unwrap();
    assert_eq!(list.len(), 15);
    assert!(rep.remove_disposition(&list[0].id).await.is_err(), "a default is not a rep's to remove");
}
