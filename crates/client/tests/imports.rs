//! Importing a lead file through the engine: read and queued in the cache, then sent in batches,
//! to our server (once per batch id, so a batch resent after a crash changes nothing) and to the
//! deployed server's stand-in (NextGen-layout uploads under its 15,000-row cap).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use crokodial_client::api::ApiClient;
use crokodial_client::cache::{CacheHandle, ImportState, LeadCache};
use crokodial_client::home::Home;
use crokodial_client::import::{self, Control, MappingChoice, Staged};
use crokodial_client::secrets::Sensitive;
use crokodial_client::sync;
use crokodial_core::api::{ImportBatch, LeadQuery};
use crokodial_testkit::legacy::{self, LegacyServer};
use crokodial_testkit::TestServer;

/// A file of `rows` leads in a layout no vendor uses (so it is mapped by its header names), with
/// one row that has no phone or email.
fn lead_file(dir: &Path, rows: usize) -> PathBuf {
    let mut text = String::from("First Name,Last Name,Cell Phone,E-mail,Zip\n");
    for i in 0..rows {
        writeln!(text, "Ann{i},Lee,(312) 555-{i:04},,02134").unwrap();
    }
    text.push_str("Nobody,Here,,,10001\n");
    let path = dir.join("agency leads.csv");
    std::fs::write(&path, text).unwrap();
    path
}

fn stage(home: &Home, cache: &CacheHandle, path: &Path) -> Staged {
    let cancel = AtomicBool::new(false);
    let mut seen = Vec::new();
    let staged = import::stage(
        home,
        cache,
        path,
        &MappingChoice::Automatic,
        Control { cancel: &cancel, progress: &mut |p| seen.push(p.done) },
    )
    .unwrap();
    assert!(!seen.is_empty(), "a file of thousands of rows reports its progress");
    assert!(seen.windows(2).all(|w| w[0] < w[1]), "progress only goes forward: {seen:?}");
    assert!(seen.iter().all(|&rows| rows <= staged.checked.tally.rows), "{seen:?}");
    staged
}

#[tokio::test(flavor = "multi_thread")]
async fn a_file_reaches_our_server_once_even_when_a_batch_is_resent_after_a_crash() {
    let server = TestServer::start(false).await.unwrap();
    let admin = server.admin("imports@agency.test").await.unwrap();
    let api = ApiClient::new(&server.url()).unwrap();
    let token = api.login(&admin.email, &admin.password).await.unwrap().token;
    let api = api.with_token(Sensitive(token));
    let dir = tempfile::tempdir().unwrap();
    let home = Home::at(dir.path().join("home"));
    let cache = CacheHandle::new(LeadCache::open_at(&dir.path().join("cache.sqlite")).unwrap());
    let path = lead_file(dir.path(), 2500);
    // A webhook lead of one of the file's people, already in the cache.
    server
        .post_nextgen(&admin.webhook, serde_json::json!({"first_name": "Ann1", "phone": "3125550001"}))
        .await
        .unwrap();
    sync::sync(&api, &cache).await.unwrap();

    let staged = {
        let (home, cache, path) = (home.clone(), cache.clone(), path.clone());
        tokio::task::spawn_blocking(move || stage(&home, &cache, &path)).await.unwrap()
    };
    assert_eq!((staged.checked.tally.leads, staged.checked.tally.invalid), (2500, 1));
    let errors = std::fs::read_to_string(staged.error_file.as_ref().unwrap()).unwrap();
    assert!(errors.lines().nth(1).unwrap().starts_with("2502,no phone or email,Nobody"), "{errors}");
    assert!(staged.tag.starts_with("agency leads.csv 20"), "a file of no known vendor by its name: {}", staged.tag);

    // The server takes the first batch, but the app dies before it marks it sent.
    let first = cache.blocking().next_import_batch().unwrap().unwrap();
    api.import_batch(&ImportBatch { batch_id: first.batch_id(), leads: first.leads.clone() }).await.unwrap();

    let mut reports = Vec::new();
    sync::send_imports(&api, &cache, None, &mut |q| reports.push(q.sent)).await.unwrap();
    assert_eq!(reports, [2000, 2500]);
    let done = cache.blocking().import(&staged.id).unwrap().unwrap();
    assert_eq!((done.state, done.sent, done.stats.imported, done.stats.updated), (ImportState::Sent, 2500, 2499, 1));
    sync::sync(&api, &cache).await.unwrap();
    assert_eq!(cache.blocking().facets().unwrap().batches, [(staged.tag.clone(), 2500)], "the updated lead too");
    let page = api.leads(&LeadQuery { limit: Some(10), ..LeadQuery::default() }).await.unwrap();
    assert_eq!(page.pagination.total, 2500, "the resent batch and the webhook lead added nothing");
    assert!(page
        .leads
        .iter()
        .all(|l| l.zipcode.as_deref() == Some("02134") && l.import_batch == Some(staged.tag.clone())));

    // The same file again: every lead is already there.
    let again = {
        let (home, cache, path) = (home.clone(), cache.clone(), path.clone());
        tokio::task::spawn_blocking(move || stage(&home, &cache, &path)).await.unwrap()
    };
    sync::send_imports(&api, &cache, None, &mut |_| ()).await.unwrap();
    let second = cache.blocking().import(&again.id).unwrap().unwrap();
    assert_eq!((second.stats.imported, second.stats.unchanged), (0, 2500));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_deployed_server_gets_nextgen_uploads_under_its_row_cap() {
    let server = LegacyServer::start().await.unwrap();
    let api = ApiClient::new(&server.url()).unwrap();
    let token = api.login(legacy::EMAIL, legacy::PASSWORD).await.unwrap().token;
    let api = api.with_token(Sensitive(token));
    let dir = tempfile::tempdir().unwrap();
    let home = Home::at(dir.path().join("home"));
    let cache = CacheHandle::new(LeadCache::open_at(&dir.path().join("cache.sqlite")).unwrap());
    let path = lead_file(dir.path(), 2500);
    let staged = {
        let (home, cache, path) = (home.clone(), cache.clone(), path.clone());
        tokio::task::spawn_blocking(move || stage(&home, &cache, &path)).await.unwrap()
    };

    sync::send_imports(&api, &cache, None, &mut |_| ()).await.unwrap();
    assert_eq!(server.uploads(), [2000, 500], "batches, each far under the 15,000-row cap");
    let leads = server.leads();
    assert_eq!(leads.len(), 2500);
    // As the deployed server keeps them: the zip cast to a number (its known defect), the phone
    // formatted.
    assert!(leads.iter().all(|l| l.zipcode.as_deref() == Some("2134")
        && l.phone.as_ref().is_some_and(|p| p.len() == 14 && p.starts_with('('))));
    let done = cache.blocking().import(&staged.id).unwrap().unwrap();
    assert_eq!((done.state, done.stats.imported), (ImportState::Sent, 2500));
}
