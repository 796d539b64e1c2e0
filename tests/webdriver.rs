//! The real desktop app in a real webview, driven over WebDriver (tauri-driver + WebKitWebDriver)
//! on a virtual display, against our server on loopback: log in with a demo account, see the list,
//! receive webhook leads live — including one whose name is an HTML injection attempt — open a lead
//! from its notification, set, test and mute alerts; then lose the server: the app says it is
//! offline, search still works, a disposition set meanwhile is pending, and once the server is back
//! it is sent and marked synced. And a vendor's lead file imported through the import screen. And
//! Textdrip connected, used from a lead and disconnected; the admin page (NextGen credentials
//! revealed and rotated, a rep invited) and the invited rep's first login. And two reps of a
//! team: a claim in the app withdraws the lead from the other (on the command line).

use std::process::{Child, Stdio};
use std::time::Duration;

use crokodial_testkit::server::WebhookCredentials;
use crokodial_testkit::{CutProxy, DesktopSession, TestServer, Xvfb};
use fantoccini::{elements::Element, Client, ClientBuilder, Locator};
use serde_json::{json, Value};

const APP: &str = env!("CARGO_BIN_EXE_crokodial-desktop");
const HOSTILE: &str = "<img src=x onerror=alert(1)>";

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn artifacts() -> std::path::PathBuf {
    let dir =
        std::path::PathBuf::from(std::env::var("CROKODIAL_ARTIFACTS").unwrap_or_else(|_| "target/artifacts".into()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Polls `probe` for up to 15 s; on time-out saves a screenshot and the page source, then fails.
async fn wait_for<T, F, Fut>(client: &Client, what: &str, probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    wait_within(client, what, Duration::from_secs(15), probe).await
}

async fn wait_within<T, F, Fut>(client: &Client, what: &str, limit: Duration, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    for _ in 0..limit.as_millis() / 100 {
        if let Some(v) = probe().await {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let dir = artifacts();
    if let Ok(png) = client.screenshot().await {
        let _ = std::fs::write(dir.join("webdriver-failure.png"), png);
    }
    if let Ok(html) = client.source().await {
        let _ = std::fs::write(dir.join("webdriver-failure.html"), html);
    }
    panic!("timed out waiting for {what}; see {}/webdriver-failure.*", dir.display());
}

/// Starts tauri-driver on `display` and through it the app, pointed at `server_url`.
async fn launch(session: &DesktopSession, display: &Xvfb, server_url: &str) -> (Driver, Client) {
    launch_with(session, display, server_url, &[]).await
}

/// [`launch`] with more environment for the app (e.g. where Textdrip is).
async fn launch_with(
    session: &DesktopSession,
    display: &Xvfb,
    server_url: &str,
    env: &[(&str, &str)],
) -> (Driver, Client) {
    launch_app(session, display, APP, server_url, env).await
}

/// Starts tauri-driver and through it the app at `app` (the one this build made, or an installed one).
async fn launch_app(
    session: &DesktopSession,
    display: &Xvfb,
    app: &str,
    server_url: &str,
    env: &[(&str, &str)],
) -> (Driver, Client) {
    let port = free_port();
    let driver = session
        .command("tauri-driver")
        .args(["--port", &port.to_string(), "--native-port", &free_port().to_string()])
        .env("DISPLAY", display.display())
        .env("CROKODIAL_SERVER", server_url)
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .map(Driver)
        .expect("tauri-driver (scripts/setup --test installs it)");
    let caps: serde_json::Map<String, Value> =
        serde_json::from_value(json!({"browserName": "wry", "tauri:options": {"application": app}})).unwrap();
    (driver, connect(port, caps).await)
}

/// Connects to tauri-driver, which launches the app.
async fn connect(port: u16, caps: serde_json::Map<String, Value>) -> Client {
    let webdriver = format!("http://127.0.0.1:{port}");
    let mut last = None;
    for _ in 0..100 {
        match ClientBuilder::rustls().expect("rustls").capabilities(caps.clone()).connect(&webdriver).await {
            Ok(client) => return client,
            Err(e) => last = Some(e),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("cannot reach tauri-driver: {last:?}");
}

/// The element's `textContent`: exactly the text in the DOM (WebKit's rendered text can omit
/// parts laid out in flex boxes).
async fn text_of(el: &Element) -> String {
    el.prop("textContent").await.ok().flatten().unwrap_or_default()
}

async fn first_row(client: &Client) -> Option<(String, String)> {
    let row = client.find(Locator::Css("#lead-list tr.lead-row")).await.ok()?;
    let id = row.attr("data-lead-id").await.ok()??;
    let name = text_of(&row.find(Locator::Css(".lead-name")).await.ok()?).await;
    Some((id, name))
}

/// A token of the demo tenant's admin, logged in over the API.
async fn admin_token(server: &TestServer) -> String {
    let admin = server.server.demo_accounts().into_iter().find(|a| a.role == crokodial_core::api::Role::Admin).unwrap();
    login_token(server, &admin.email, &admin.password).await
}

/// A session token, logged in over the API.
async fn login_token(server: &TestServer, email: &str, password: &str) -> String {
    let login: Value = reqwest::Client::new()
        .post(format!("{}/api/auth/login", server.url()))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    login["token"].as_str().unwrap().to_owned()
}

/// The demo tenant's webhook credentials, fetched the way an admin would: over the API.
async fn demo_webhook(server: &TestServer, token: &str) -> WebhookCredentials {
    server_get(server, token, "/api/integrations/nextgen/credentials").await
}

async fn server_get<T: serde::de::DeserializeOwned>(server: &TestServer, token: &str, path: &str) -> T {
    let res = reqwest::Client::new().get(format!("{}{path}", server.url())).bearer_auth(token).send().await.unwrap();
    res.json().await.unwrap()
}

/// Opens a lead of the list by its id.
async fn open_lead(client: &Client, id: &str) {
    let row = client.find(Locator::Css(&format!("#lead-list tr.lead-row[data-lead-id='{id}']"))).await.unwrap();
    row.click().await.unwrap();
}

async fn is_displayed(client: &Client, id: &str) -> bool {
    match client.find(Locator::Id(id)).await {
        Ok(el) => el.is_displayed().await.unwrap_or(false),
        Err(_) => false,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn rep_logs_in_sees_leads_and_receives_webhook_leads_as_text() {
    // Several TLS back ends are linked into this test; fantoccini needs one chosen.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut session = DesktopSession::start().unwrap();
    let display = Xvfb::start().unwrap();
    let server = TestServer::start(true).await.unwrap();
    // The app reaches the server through a proxy the test can cut, as a lost connection would.
    let proxy = CutProxy::start(server.url().trim_start_matches("http://").parse().unwrap()).await.unwrap();
    let token = admin_token(&server).await;
    let creds = demo_webhook(&server, &token).await;
    let notifications = session.notification_daemon().await.unwrap();
    // Sound goes to a private null sink, paced like a sound card: the test alert plays without one.
    session.paced_sound().unwrap();

    let (driver, client) = launch(&session, &display, &proxy.url()).await;

    // The login screen is prefilled with the demo server and lists its demo accounts.
    let server_field =
        wait_for(&client, "the login form", || async { client.find(Locator::Id("server-url")).await.ok() }).await;
    assert_eq!(server_field.prop("value").await.unwrap().as_deref(), Some(proxy.url().as_str()));
    let rep_button = wait_for(&client, "the demo accounts", || async {
        for button in client.find_all(Locator::Css("#demo-accounts .demo-account")).await.ok()? {
            if text_of(&button).await.contains("rep@") {
                return Some(button);
            }
        }
        None
    })
    .await;
    rep_button.click().await.unwrap();
    client.find(Locator::Id("login-button")).await.unwrap().click().await.unwrap();

    // The tenant's lead list, newest first, and a live connection.
    let rows = wait_for(&client, "the lead list", || async {
        let rows = client.find_all(Locator::Css("#lead-list tr.lead-row")).await.ok()?;
        (rows.len() >= 10).then_some(rows.len())
    })
    .await;
    assert!(rows >= 10, "{rows} rows");
    // The list comes from the local cache, synced from the server; the count is the whole book.
    let synced = wait_for(&client, "the sync time", || async {
        Some(text_of(&client.find(Locator::Id("synced-at")).await.ok()?).await)
    })
    .await;
    assert!(synced.contains("synced"), "{synced:?}");
    let count = text_of(&client.find(Locator::Id("lead-count")).await.unwrap()).await;
    let total: usize = count.split_whitespace().next().and_then(|n| n.replace(',', "").parse().ok()).unwrap_or(0);
    assert!(total >= rows, "{count:?} counts every lead, not the rows shown ({rows})");
    wait_for(&client, "a live connection", || async {
        let badge = client.find(Locator::Id("connection-state")).await.ok()?;
        (badge.attr("data-state").await.ok()?? == "live").then_some(())
    })
    .await;

    // A webhook lead appears at the top.
    let rosa = json!({"first_name": "Rosa", "last_name": "Diaz", "phone": "3125550199", "state": "IL"});
    let id = server.post_nextgen(&creds, rosa).await.unwrap();
    let (top_id, top_name) = wait_for(&client, "the new lead at the top", || async {
        first_row(&client).await.filter(|(top, _)| *top == id)
    })
    .await;
    assert_eq!((top_id.as_str(), top_name.as_str()), (id.as_str(), "Rosa Diaz"));
    // …and an OS notification shows the lead's name; clicking it opens the lead.
    let shown = notifications.wait_for(Duration::from_secs(5), |n| n.body.contains("Rosa Diaz")).await.unwrap();
    assert_eq!((shown.summary.as_str(), shown.body.as_str()), ("New NextGen lead", "Rosa Diaz · (312) 555-0199 · IL"));
    assert!(shown.actions.chunks(2).any(|a| a[0] == "default"), "clickable: {:?}", shown.actions);
    wait_for(&client, "\"last lead … ago\"", || async {
        let text = text_of(&client.find(Locator::Id("last-event")).await.ok()?).await;
        (text.contains("ago") || text.contains("just now")).then_some(())
    })
    .await;
    // Another lead on top, then the click: Rosa's row is the one selected.
    server.post_nextgen(&creds, json!({"first_name": "Otto", "phone": "3125550101"})).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await; // its notification's click handler is listening
    notifications.click(shown.id).await.unwrap();
    let selected = wait_for(&client, "the clicked lead selected", || async {
        let row = client.find(Locator::Css("#lead-list tr.lead-row.selected")).await.ok()?;
        row.attr("data-lead-id").await.ok()?
    })
    .await;
    assert_eq!(selected, id);

    // A hostile name is shown as that literal text, never as markup.
    let id = server.post_nextgen(&creds, json!({"first_name": HOSTILE, "email": "hostile@example.com"})).await.unwrap();
    let (_, name) =
        wait_for(&client, "the hostile lead", || async { first_row(&client).await.filter(|(top, _)| *top == id) })
            .await;
    assert_eq!(name, HOSTILE);
    assert!(client.find_all(Locator::Css("#lead-list img")).await.unwrap().is_empty(), "no element was injected");
    assert!(client.get_alert_text().await.is_err(), "no script ran");
    let shown = notifications.wait_for(Duration::from_secs(5), |n| n.body.contains("onerror")).await.unwrap();
    assert!(shown.body.starts_with("&lt;img src=x onerror=alert(1)&gt;"), "escaped for the daemon: {}", shown.body);

    // Alert settings: choose the bell at 40%, hear it, save it.
    client.find(Locator::Id("settings-button")).await.unwrap().click().await.unwrap();
    let sound =
        wait_for(&client, "the alert settings", || async { client.find(Locator::Id("alert-sound")).await.ok() }).await;
    sound.select_by_value("bell").await.unwrap();
    client.execute("const v = document.getElementById('alert-volume'); v.value = '40'; v.dispatchEvent(new Event('input', {bubbles: true}));", vec![]).await.unwrap();
    client.find(Locator::Id("test-alert")).await.unwrap().click().await.unwrap();
    let played = wait_for(&client, "the test alert's result", || async {
        let text = text_of(&client.find(Locator::Id("test-alert-result")).await.ok()?).await;
        (!text.trim().is_empty()).then_some(text)
    })
    .await;
    assert_eq!(played.trim(), "Played");
    client.find(Locator::Id("save-alerts")).await.unwrap().click().await.unwrap();
    let settings_file = session.profile_dir().join("settings.json");
    let saved: Value = wait_for(&client, "the saved settings", || async {
        let v: Value = serde_json::from_str(&std::fs::read_to_string(&settings_file).ok()?).ok()?;
        (v["alerts"]["sound"] == "bell").then_some(v)
    })
    .await;
    assert_eq!(saved["alerts"]["volume"].as_f64().map(|v| (v * 100.0).round()), Some(40.0), "{saved}");
    client.find(Locator::Id("close-settings")).await.unwrap().click().await.unwrap();

    // Mute for an hour: the button says until when, and the setting is kept.
    client.find(Locator::Id("mute-button")).await.unwrap().click().await.unwrap();
    wait_for(&client, "the muted label", || async {
        text_of(&client.find(Locator::Id("mute-button")).await.ok()?).await.contains("Muted until").then_some(())
    })
    .await;
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&settings_file).unwrap()).unwrap();
    assert!(saved["alerts"]["mutedUntil"].is_string(), "{saved}");

    // The server is lost: the app says so, and the leads on this computer still answer a search.
    proxy.cut();
    wait_for(&client, "the offline banner", || async { is_displayed(&client, "offline-banner").await.then_some(()) })
        .await;
    let search = client.find(Locator::Id("search")).await.unwrap();
    search.send_keys("Rosa Diaz").await.unwrap();
    let rosa = wait_for(&client, "Rosa found offline", || async {
        let (top, name) = first_row(&client).await?;
        (name == "Rosa Diaz").then_some(top)
    })
    .await;
    // A disposition set offline shows at once, marked not yet sent.
    open_lead(&client, &rosa).await;
    let quoted = wait_for(&client, "the disposition picker", || async {
        client.find(Locator::Css("#disposition-picker [data-disposition='Quoted']")).await.ok()
    })
    .await;
    quoted.click().await.unwrap();
    wait_for(&client, "the pending disposition", || async {
        let current = text_of(&client.find(Locator::Id("current-disposition")).await.ok()?).await;
        let pending = client.find(Locator::Css("#lead-history li.history-entry[data-status='pending']")).await.ok();
        (current.contains("Quoted") && pending.is_some()).then_some(())
    })
    .await;
    let on_server: Value = server_get(&server, &token, &format!("/api/leads/{rosa}")).await;
    assert_ne!(on_server["disposition"], "Quoted", "not sent while offline");
    let shot = artifacts().join("webdriver-offline.png");
    std::fs::write(&shot, client.screenshot().await.unwrap()).unwrap();

    // The server is back: the app reconnects, sends the disposition and marks it synced.
    proxy.restore();
    // The reconnect backoff may have grown to several seconds while the server was away.
    wait_within(&client, "the disposition marked synced", Duration::from_secs(45), || async {
        client.find(Locator::Css("#lead-history li.history-entry[data-status='synced']")).await.ok()
    })
    .await;
    assert!(!is_displayed(&client, "offline-banner").await, "online again");
    wait_for(&client, "no change left to send", || async {
        (!is_displayed(&client, "pending-count").await).then_some(())
    })
    .await;
    let on_server: Value = server_get(&server, &token, &format!("/api/leads/{rosa}")).await;
    assert_eq!(on_server["disposition"], "Quoted");

    let shot = artifacts().join("webdriver-lead-list.png");
    std::fs::write(&shot, client.screenshot().await.unwrap()).unwrap();
    println!("screenshot: {}", shot.display());

    client.close().await.unwrap();
    drop(driver);
}

/// Imports a small vendor file through the import screen: the preview recognises it and maps its
/// columns, two columns onto one field are refused, the counts come before the import, and the
/// result names the error file. A lead already there from the webhook is updated, not doubled, and
/// the import shows one summary notification, never a lead alert.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_lead_file_is_previewed_mapped_checked_and_imported() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut session = DesktopSession::start().unwrap();
    let display = Xvfb::start().unwrap();
    let server = TestServer::start(false).await.unwrap();
    let rep = server.admin("importer@agency.test").await.unwrap();
    server
        .post_nextgen(&rep.webhook, json!({"first_name": "Rosa", "last_name": "Diaz", "phone": "3125550199"}))
        .await
        .unwrap();
    let notifications = session.notification_daemon().await.unwrap();
    session.paced_sound().unwrap();
    let file = session.home().join("agency leads.csv");
    std::fs::write(
        &file,
        "Full Name,Cell,Email,Zip,Notes\n\
         Rosa Diaz,(312) 555-0199,rosa@example.com,02134,\n\
         Ann Lee,312.555.0100,ANN@example.com,07030,=HYPERLINK(\"x\")\n\
         No Contact,,,10001,\n",
    )
    .unwrap();

    let (driver, client) = launch(&session, &display, &server.url()).await;

    let email = wait_for(&client, "the login form", || async { client.find(Locator::Id("email")).await.ok() }).await;
    email.send_keys(&rep.email).await.unwrap();
    client.find(Locator::Id("password")).await.unwrap().send_keys(&rep.password).await.unwrap();
    client.find(Locator::Id("login-button")).await.unwrap().click().await.unwrap();
    wait_for(&client, "Rosa in the list", || async {
        first_row(&client).await.filter(|(_, name)| name == "Rosa Diaz")
    })
    .await;

    // Rosa, offered to this rep a moment ago, may ring as they sign in; nothing after it may.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let lead_alerts =
        || notifications.shown().into_iter().filter(|n| n.summary.starts_with("New ")).collect::<Vec<_>>();
    let alerted_before = lead_alerts();
    client.find(Locator::Id("import-button")).await.unwrap().click().await.unwrap();
    let path =
        wait_for(&client, "the import dialog", || async { client.find(Locator::Id("import-path")).await.ok() }).await;
    path.send_keys(file.to_str().unwrap()).await.unwrap();
    client.find(Locator::Id("import-open")).await.unwrap().click().await.unwrap();
    let vendor = wait_for(&client, "the preview", || async {
        Some(text_of(&client.find(Locator::Id("import-vendor")).await.ok()?).await)
    })
    .await;
    assert!(vendor.contains("Other"), "{vendor:?}");
    let target = |column: usize| {
        let client = client.clone();
        async move { client.find(Locator::Css(&format!("select.import-target[data-column='{column}']"))).await.unwrap() }
    };
    assert_eq!(target(1).await.prop("value").await.unwrap().as_deref(), Some("phone"), "mapped by its header");

    // Two columns onto one field cannot go on; put it right and check the file.
    target(3).await.select_by_value("phone").await.unwrap();
    wait_for(&client, "the mapping problem", || async {
        is_displayed(&client, "import-mapping-problem").await.then_some(())
    })
    .await;
    target(3).await.select_by_value("zipcode").await.unwrap();
    client.find(Locator::Id("import-check")).await.unwrap().click().await.unwrap();
    let counts = wait_for(&client, "the counts", || async {
        Some(text_of(&client.find(Locator::Id("import-counts")).await.ok()?).await).filter(|t| !t.trim().is_empty())
    })
    .await;
    assert!(counts.contains("no phone or email"), "{counts:?}");
    assert!(counts.contains("1 new, 1 already among your leads"), "Rosa is in the synced list: {counts:?}");
    let start = client.find(Locator::Id("import-start")).await.unwrap();
    wait_for(&client, "the import button enabled", || async { start.is_enabled().await.ok()?.then_some(()) }).await;
    start.click().await.unwrap();

    let summary = wait_for(&client, "the result", || async {
        Some(text_of(&client.find(Locator::Id("import-result")).await.ok()?).await).filter(|t| !t.trim().is_empty())
    })
    .await;
    assert!(summary.contains("1 new") && summary.contains("1 updated"), "{summary:?}");
    assert!(is_displayed(&client, "import-save-errors").await, "the error file can be saved");
    let shot = artifacts().join("webdriver-import.png");
    std::fs::write(&shot, client.screenshot().await.unwrap()).unwrap();
    client.find(Locator::Id("import-done")).await.unwrap().click().await.unwrap();

    // The server has one lead per person, tagged with the import.
    let token = {
        let api = crokodial_client::api::ApiClient::new(&server.url()).unwrap();
        api.login(&rep.email, &rep.password).await.unwrap().token
    };
    let page: Value = server_get(&server, &token, "/api/leads?limit=10").await;
    assert_eq!(page["pagination"]["total"], 2, "{page}");
    let ann = page["leads"].as_array().unwrap().iter().find(|l| l["name"] == "Ann Lee").unwrap().clone();
    assert_eq!((ann["zipcode"].as_str(), ann["email"].as_str()), (Some("07030"), Some("ann@example.com")));
    assert!(ann["importBatch"].as_str().is_some_and(|t| t.starts_with("agency leads.csv ")), "{ann}");
    // …and the list shows Ann once the app has synced.
    let search = client.find(Locator::Id("search")).await.unwrap();
    search.send_keys("Ann Lee").await.unwrap();
    wait_for(&client, "Ann in the list", || async { first_row(&client).await.filter(|(_, name)| name == "Ann Lee") })
        .await;
    // The import is a filter of the list: both leads it brought (Rosa was updated by it).
    // (WebDriver's clear fires no input event; the list follows input events.)
    client
        .execute(
            "const s = document.getElementById('search'); s.value = ''; s.dispatchEvent(new Event('input', {bubbles: true}));",
            vec![],
        )
        .await
        .unwrap();
    let tag = ann["importBatch"].as_str().unwrap().to_owned();
    let filter = wait_for(&client, "the import among the filters", || async {
        let filter = client.find(Locator::Id("filter-import")).await.ok()?;
        filter.find(Locator::Css(&format!("option[value='{tag}']"))).await.ok()?;
        Some(filter)
    })
    .await;
    filter.select_by_value(&tag).await.unwrap();
    wait_for(&client, "the import's two leads", || async {
        let count = text_of(&client.find(Locator::Id("lead-count")).await.ok()?).await;
        count.starts_with("2 ").then_some(())
    })
    .await;

    let shown = notifications.wait_for(Duration::from_secs(5), |n| n.summary.starts_with("Imported")).await.unwrap();
    assert_eq!(shown.body, "1 new, 1 updated, 0 unchanged");
    let summaries = notifications.shown().into_iter().filter(|n| n.summary.starts_with("Imported")).count();
    assert_eq!(summaries, 1, "one summary for the whole import");
    assert_eq!(lead_alerts().len(), alerted_before.len(), "an import never alerts: {:?}", lead_alerts());

    client.close().await.unwrap();
    drop(driver);
}

/// Fills an input the way a person does (WebDriver's `clear` fires no input event).
async fn type_into(client: &Client, id: &str, text: &str) {
    let el = wait_for(client, id, || async { client.find(Locator::Id(id)).await.ok() }).await;
    client
        .execute(
            "const e = document.getElementById(arguments[0]); e.value = ''; e.dispatchEvent(new Event('input', {bubbles: true}));",
            vec![json!(id)],
        )
        .await
        .unwrap();
    el.send_keys(text).await.unwrap();
}

async fn click(client: &Client, id: &str) {
    let el = wait_for(client, id, || async { client.find(Locator::Id(id)).await.ok() }).await;
    el.click().await.unwrap();
}

async fn wait_text(client: &Client, id: &str, want: impl Fn(&str) -> bool) -> String {
    wait_for(client, &format!("#{id} as expected"), || async {
        let text = text_of(&client.find(Locator::Id(id)).await.ok()?).await;
        want(&text).then_some(text)
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn textdrip_is_connected_used_and_disconnected_and_an_admin_rotates_credentials_and_invites_a_rep() {
    use crokodial_testkit::textdrip::{TextdripStandIn, TOKEN};
    let _ = rustls::crypto::ring::default_provider().install_default();
    let session = DesktopSession::start().unwrap();
    let display = Xvfb::start().unwrap();
    let stand_in = TextdripStandIn::start().await.unwrap();
    let server = TestServer::start(false).await.unwrap();
    let admin = server.admin("owner@agency.test").await.unwrap();
    server
        .post_nextgen(
            &admin.webhook,
            json!({"first_name": "Rosa", "last_name": "Diaz", "phone": "3125550199", "state": "IL"}),
        )
        .await
        .unwrap();
    let textdrip_url = stand_in.url();
    let (driver, client) =
        launch_with(&session, &display, &server.url(), &[(crokodial_client::textdrip::URL_ENV, &textdrip_url)]).await;

    type_into(&client, "email", &admin.email).await;
    type_into(&client, "password", &admin.password).await;
    click(&client, "login-button").await;
    let (rosa, _) =
        wait_for(&client, "Rosa in the list", || async { first_row(&client).await.filter(|(_, n)| n == "Rosa Diaz") })
            .await;

    // Textdrip: a wrong token is refused and kept nowhere; the right one connects.
    click(&client, "connections-button").await;
    wait_text(&client, "textdrip-state", |t| t.contains("Not connected")).await;
    type_into(&client, "textdrip-token", "31337|wrong").await;
    click(&client, "textdrip-connect").await;
    wait_text(&client, "textdrip-error", |t| t.contains("refused")).await;
    type_into(&client, "textdrip-token", TOKEN).await;
    click(&client, "textdrip-connect").await;
    wait_text(&client, "textdrip-state", |t| t.contains("Connected")).await;
    let account = crokodial_client::textdrip::keychain_account(&server.url(), &admin.email);
    assert_eq!(session.keychain_lookup(crokodial_client::secrets::SERVICE, &account).unwrap().as_deref(), Some(TOKEN));
    let left = client
        .execute("const e = document.getElementById('textdrip-token'); return e ? e.value : ''", vec![])
        .await
        .unwrap();
    assert_eq!(left, json!(""), "the token does not stay in the form");
    click(&client, "close-connections").await;

    // Text Rosa from her detail, and add her to a campaign.
    open_lead(&client, &rosa).await;
    click(&client, "text-lead").await;
    type_into(&client, "text-message", "Hi {first_name}, it's {agent_name}").await;
    wait_text(&client, "text-preview", |t| t.contains("Hi Rosa, it's owner")).await;
    let count = wait_text(&client, "text-count", |t| t.contains("segment")).await;
    assert!(count.contains("1 segment"), "{count}");
    if is_displayed(&client, "text-hours-warning").await {
        click(&client, "text-confirm-hours").await;
    }
    click(&client, "text-send").await;
    wait_text(&client, "text-result", |t| t == "Sent to (312) 555-0199").await;
    assert_eq!(stand_in.sent().len(), 1);
    assert_eq!(stand_in.sent()[0].1, "Hi Rosa, it's owner");
    click(&client, "close-text").await;
    let select = wait_for(&client, "the campaigns", || async {
        let select = client.find(Locator::Id("campaign-select")).await.ok()?;
        select.find(Locator::Css("option[value='b7e9d4c2-1a5f-4e83-a6c0-92f3d8e5b140']")).await.ok()?;
        Some(select)
    })
    .await;
    select.select_by_value("b7e9d4c2-1a5f-4e83-a6c0-92f3d8e5b140").await.unwrap();
    click(&client, "add-to-campaign").await;
    wait_text(&client, "campaign-result", |t| t.contains("Final Expense")).await;
    assert_eq!(stand_in.campaign_adds().len(), 1);

    // The admin page: the webhook URL, credentials hidden until revealed, then rotated.
    click(&client, "admin-button").await;
    wait_text(&client, "nextgen-url", |t| t.contains(&format!("{}/api/webhooks/nextgen", server.url()))).await;
    wait_text(&client, "last-lead", |t| t.contains("Rosa")).await;
    let hidden = text_of(&client.find(Locator::Id("nextgen-sid")).await.unwrap()).await;
    assert!(!hidden.contains(&admin.webhook.sid), "hidden until revealed");
    click(&client, "reveal-credentials").await;
    wait_text(&client, "nextgen-sid", |t| t.contains(&admin.webhook.sid)).await;
    click(&client, "rotate-credentials").await;
    click(&client, "confirm-rotate").await;
    let rotated = wait_text(&client, "nextgen-sid", |t| t.starts_with("sid_") && !t.contains(&admin.webhook.sid)).await;
    let old = reqwest::Client::new()
        .post(format!("{}/api/webhooks/nextgen", server.url()))
        .header("sid", &admin.webhook.sid)
        .header("apikey", &admin.webhook.apikey)
        .json(&json!({"first_name": "Late", "phone": "3125550100"}))
        .send()
        .await
        .unwrap();
    assert_eq!(old.status(), 401, "the old credentials stopped working");
    assert!(rotated.trim().len() > 10);

    // Invite a rep: a one-time code, shown once.
    type_into(&client, "invite-email", "new.rep@agency.test").await;
    type_into(&client, "invite-name", "New Rep").await;
    click(&client, "invite-button").await;
    let lost = wait_text(&client, "invite-code", |t| t.trim().len() == 14).await.trim().to_owned();
    let renew = wait_for(&client, "the invited rep in the team", || async {
        client
            .find(Locator::Css("#team-list tr.team-member[data-email='new.rep@agency.test'] button.member-renew"))
            .await
            .ok()
    })
    .await;
    // The code was lost: a new one replaces it.
    renew.click().await.unwrap();
    let code = wait_text(&client, "invite-code", |t| t.trim().len() == 14 && t.trim() != lost).await.trim().to_owned();
    let me = client
        .find(Locator::Css("#team-list tr.team-member[data-email='owner@agency.test'] .member-textdrip"))
        .await
        .unwrap();
    assert_eq!(text_of(&me).await.trim(), "Connected", "the admin sees who has Textdrip connected");
    let new_rep = client
        .find(Locator::Css("#team-list tr.team-member[data-email='new.rep@agency.test'] .member-textdrip"))
        .await
        .unwrap();
    assert_eq!(text_of(&new_rep).await.trim(), "Not connected");
    click(&client, "close-admin").await;

    // Disconnect Textdrip: the keychain entry is gone.
    click(&client, "connections-button").await;
    click(&client, "textdrip-disconnect").await;
    wait_text(&client, "textdrip-state", |t| t.contains("Not connected")).await;
    assert_eq!(session.keychain_lookup(crokodial_client::secrets::SERVICE, &account).unwrap(), None);
    click(&client, "close-connections").await;

    // The invited rep sets a password with the code, and is in.
    click(&client, "logout-button").await;
    click(&client, "invite-toggle").await;
    type_into(&client, "email", "new.rep@agency.test").await;
    type_into(&client, "invite-code-input", &code).await;
    type_into(&client, "invite-password", "a new password").await;
    type_into(&client, "invite-password-confirm", "a new password").await;
    click(&client, "accept-invite").await;
    wait_for(&client, "Rosa in the rep's list", || async {
        first_row(&client).await.filter(|(_, n)| n == "Rosa Diaz")
    })
    .await;
    assert!(!is_displayed(&client, "admin-button").await, "a rep has no admin page");

    client.close().await.unwrap();
    drop(driver);

    // Nothing of the Textdrip token anywhere in the app's profile (files, the cache, logs), once
    // the app has written and closed everything.
    let secret = TOKEN.split_once('|').unwrap().1;
    let files = walk(&session.profile_dir());
    assert!(files.iter().any(|f| f.extension().is_some_and(|e| e == "sqlite")), "the cache is among them: {files:?}");
    for entry in files {
        let bytes = std::fs::read(&entry).unwrap();
        assert!(!bytes.windows(secret.len()).any(|w| w == secret.as_bytes()), "the token is in {}", entry.display());
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// A static update manifest and its artifact on loopback, as a release host serves them.
struct UpdateHost {
    url: String,
    manifest: std::sync::Arc<std::sync::Mutex<String>>,
    _task: tokio::task::JoinHandle<()>,
}

impl UpdateHost {
    async fn start(artifact: Vec<u8>) -> UpdateHost {
        use axum::routing::get;
        let manifest = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let served = manifest.clone();
        let app = axum::Router::new()
            .route("/latest.json", get(move || async move { served.lock().unwrap().clone() }))
            .route("/crokodial-update.tar.gz", get(move || async move { artifact.clone() }));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        UpdateHost { url, manifest, _task: task }
    }

    /// Offers `version`, with `signature` (base64 of a minisign signature, as `tauri signer` writes).
    fn offer(&self, version: &str, signature: &str) {
        let platform = json!({"signature": signature, "url": format!("{}/crokodial-update.tar.gz", self.url)});
        *self.manifest.lock().unwrap() = json!({
            "version": version,
            "notes": "Faster alerts",
            "pub_date": "2026-12-01T00:00:00Z",
            "platforms": {"linux-x86_64": platform, "linux-x86_64-deb": platform, "linux-x86_64-appimage": platform},
        })
        .to_string();
    }
}

/// A key pair made for the test: (the public key, and a signer of bytes), both base64 as the
/// updater takes them.
fn update_keys() -> (String, impl Fn(&[u8]) -> String) {
    use base64::Engine;
    let b64 = |s: String| base64::engine::general_purpose::STANDARD.encode(s);
    let keys = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
    let public = b64(keys.pk.to_box().unwrap().to_string());
    let sign = move |data: &[u8]| {
        let sig =
            minisign::sign(Some(&keys.pk), &keys.sk, std::io::Cursor::new(data), Some("test update"), None).unwrap();
        b64(sig.to_string())
    };
    (public, sign)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_instance_opens_lead_links_writes_the_login_entry_and_takes_only_signed_updates() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let session = DesktopSession::start().unwrap();
    let display = Xvfb::start().unwrap();
    let server = TestServer::start(false).await.unwrap();
    let rep = server.admin("desk@agency.test").await.unwrap();
    let rosa = server
        .post_nextgen(&rep.webhook, json!({"first_name": "Rosa", "last_name": "Diaz", "phone": "3125550199"}))
        .await
        .unwrap();
    server
        .post_nextgen(&rep.webhook, json!({"first_name": "Ann", "last_name": "Lee", "phone": "3125550100"}))
        .await
        .unwrap();
    let artifact = b"the new Crokodial".to_vec();
    let (public_key, sign) = update_keys();
    let host = UpdateHost::start(artifact.clone()).await;
    host.offer("9.9.9", &sign(&artifact));
    let manifest = format!("{}/latest.json", host.url);
    let env = [("CROKODIAL_UPDATE_URL", manifest.as_str()), ("CROKODIAL_UPDATER_PUBKEY", public_key.as_str())];
    let (driver, client) = launch_with(&session, &display, &server.url(), &env).await;

    type_into(&client, "email", &rep.email).await;
    type_into(&client, "password", &rep.password).await;
    click(&client, "login-button").await;
    wait_for(&client, "Ann on top", || async { first_row(&client).await.filter(|(_, n)| n == "Ann Lee") }).await;

    // A second launch with a link hands it to this one and exits; this one opens the lead.
    let started = std::time::Instant::now();
    let second = session
        .command(APP)
        .arg(format!("crokodial://lead/{rosa}"))
        .env("DISPLAY", display.display())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(second.success(), "the second instance exits cleanly: {second:?}");
    assert!(started.elapsed() < Duration::from_secs(15), "{:?}", started.elapsed());
    wait_text(&client, "lead-detail-name", |t| t == "Rosa Diaz").await;

    // Start at login: the OS's start-up entry, launching minimised to the tray.
    let entry = session.home().join(".config/autostart/Crokodial.desktop");
    click(&client, "settings-button").await;
    click(&client, "start-at-login").await;
    click(&client, "save-app-settings").await;
    let text = wait_for(&client, "the start-up entry", || async { std::fs::read_to_string(&entry).ok() }).await;
    assert!(text.contains("--minimized"), "{text}");
    click(&client, "start-at-login").await;
    click(&client, "save-app-settings").await;
    wait_for(&client, "the start-up entry gone", || async { (!entry.exists()).then_some(()) }).await;

    // An update signed with the build's key is found, downloaded, verified, and offered; the app
    // does not restart by itself.
    click(&client, "check-update-now").await;
    wait_text(&client, "update-banner", |t| t.contains("9.9.9 is ready")).await;
    assert!(is_displayed(&client, "restart-to-update").await);
    // One whose signature does not match its bytes is refused.
    host.offer("9.9.10", &sign(b"something else"));
    click(&client, "close-settings").await;
    click(&client, "update-later").await;
    click(&client, "settings-button").await;
    click(&client, "check-update-now").await;
    let refused = wait_text(&client, "update-status", |t| t.contains("refused")).await;
    assert!(refused.contains("9.9.10") && refused.to_lowercase().contains("signature"), "{refused}");

    client.close().await.unwrap();
    drop(driver);

    // The log: today's file in the profile, with what happened and no session token.
    let token = session
        .keychain_lookup(
            crokodial_client::secrets::SERVICE,
            &crokodial_client::secrets::session_account(&server.url(), &rep.email),
        )
        .unwrap()
        .expect("the session token is in the keychain");
    let logs: Vec<_> = walk(&session.profile_dir().join("logs"));
    assert_eq!(logs.len(), 1, "{logs:?}");
    let log = std::fs::read_to_string(&logs[0]).unwrap();
    assert!(log.contains("logged in") && log.contains("update refused"), "{log}");
    assert!(!log.contains(&token), "the session token is not logged");
}

/// The processes of the app at `exe` in this session (its profile), and all they started (WebKit's
/// web and network processes): each one's name and proportional set size in KiB.
fn app_memory(exe: &std::path::Path, profile: &std::path::Path) -> Vec<(String, u64)> {
    let pids: Vec<u32> =
        std::fs::read_dir("/proc").unwrap().filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok()).collect();
    let parent = |pid: u32| -> Option<u32> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        stat.rsplit(')').next()?.split_whitespace().nth(1)?.parse().ok()
    };
    let ours = |pid: u32| {
        let exe_ok = std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|p| p == exe);
        let env = std::fs::read(format!("/proc/{pid}/environ")).unwrap_or_default();
        let home = format!("CROKODIAL_HOME={}", profile.display());
        exe_ok && env.split(|b| *b == 0).any(|kv| kv == home.as_bytes())
    };
    let mut tree: Vec<u32> = pids.iter().copied().filter(|p| ours(*p)).collect();
    assert_eq!(tree.len(), 1, "one app process in this session");
    let mut grew = true;
    while grew {
        grew = false;
        for &pid in &pids {
            if !tree.contains(&pid) && parent(pid).is_some_and(|pp| tree.contains(&pp)) {
                tree.push(pid);
                grew = true;
            }
        }
    }
    let pss = |pid: u32| -> u64 {
        let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).unwrap_or_default();
        rollup
            .lines()
            .find_map(|l| l.strip_prefix("Pss:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    };
    let name = |pid: u32| std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default().trim().to_owned();
    tree.iter().map(|p| (name(*p), pss(*p))).collect()
}

/// The installed package (`scripts/package-test` builds the .deb, installs it with `dpkg -i`, runs
/// this with `CROKODIAL_INSTALLED_APP` naming the installed binary, then removes the package).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs the .deb installed: scripts/package-test"]
async fn the_installed_package_starts_shows_its_window_and_idles_small() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let installed =
        std::env::var("CROKODIAL_INSTALLED_APP").expect("CROKODIAL_INSTALLED_APP names the installed binary");
    let exe = std::fs::canonicalize(&installed).unwrap();
    let session = DesktopSession::start().unwrap();
    let display = Xvfb::start().unwrap();
    let server = TestServer::start(false).await.unwrap();
    let rep = server.admin("installed@agency.test").await.unwrap();
    server
        .post_nextgen(&rep.webhook, json!({"first_name": "Rosa", "last_name": "Diaz", "phone": "3125550199"}))
        .await
        .unwrap();
    let (driver, client) = launch_app(&session, &display, &installed, &server.url(), &[]).await;

    type_into(&client, "email", &rep.email).await;
    type_into(&client, "password", &rep.password).await;
    click(&client, "login-button").await;
    wait_for(&client, "Rosa in the list", || async { first_row(&client).await.filter(|(_, n)| n == "Rosa Diaz") })
        .await;
    let shot = client.screenshot().await.unwrap();
    std::fs::write(artifacts().join("installed-app.png"), &shot).unwrap();
    assert!(shot.len() > 10_000, "the window is drawn (a {}-byte screenshot)", shot.len());

    // Idle for a minute with the socket open, as a rep's app is most of the day.
    tokio::time::sleep(Duration::from_secs(60)).await;
    let processes = app_memory(&exe, &session.profile_dir());
    let kib: u64 = processes.iter().map(|(_, k)| k).sum();
    let each: Vec<String> = processes.iter().map(|(n, k)| format!("{n} {:.1} MB", *k as f64 / 1024.0)).collect();
    let line = format!("installed app idle after 60 s: {:.1} MB PSS in all ({})", kib as f64 / 1024.0, each.join(", "));
    println!("{line}");
    std::fs::write(artifacts().join("installed-app-memory.txt"), format!("{line}\n")).unwrap();
    assert!(processes.len() >= 2, "the app and WebKit's processes: {each:?}");
    assert!(kib < 600 * 1024, "{line}");

    client.close().await.unwrap();
    drop(driver);
}

/// The `crokodial` command line, built beside this test by the workspace build.
fn cli_binary() -> std::path::PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().and_then(|deps| deps.parent()).unwrap();
    let cli = dir.join(format!("crokodial{}", std::env::consts::EXE_SUFFIX));
    assert!(cli.exists(), "{} is missing: build the workspace (cargo build -p crokodial-cli)", cli.display());
    cli
}

/// Two reps of one team: Ann in the app, Bo on the command line in a session of his own. A lead
/// both are offered: Ann claims it from its notification's Claim button; Bo's `watch` hears the
/// claim and his own claim is refused with her name. Then Bo claims the next one from the
/// command line: Ann's app withdraws it (her notification says so) and shows who has it, and a
/// claim from her list is refused with his name. Ann goes away from the top bar: the server has it.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_claim_in_the_app_withdraws_the_lead_from_a_second_rep_and_shows_who_has_it() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let (session, bo_session) = (DesktopSession::start().unwrap(), DesktopSession::start().unwrap());
    let display = Xvfb::start().unwrap();
    let server = TestServer::start(false).await.unwrap();
    let ann = server.admin("ann@team.test").await.unwrap();
    let bo = server.rep("bo@team.test", &ann).await.unwrap();
    let notifications = session.notification_daemon().await.unwrap();
    let cli = cli_binary();
    let run_bo = |args: &[&str]| {
        let out = bo_session.command(&cli).args(args).output().unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let mut login = bo_session
        .command(&cli)
        .args(["login", "--server", &server.url(), "--email", &bo.email])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        writeln!(login.stdin.take().unwrap(), "{}", bo.password).unwrap();
    }
    assert!(login.wait().unwrap().success());
    let mut watch = bo_session
        .command(&cli)
        .args(["watch", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let bo_hears = crokodial_testkit::LineReader::new(watch.stdout.take().unwrap());
    let bo_state = crokodial_testkit::LineReader::new(watch.stderr.take().unwrap());
    bo_state.wait_for(Duration::from_secs(15), |l| l.starts_with("live")).expect("Bo's watch goes live");

    let (driver, client) = launch(&session, &display, &server.url()).await;
    type_into(&client, "email", &ann.email).await;
    type_into(&client, "password", &ann.password).await;
    click(&client, "login-button").await;
    wait_for(&client, "Ann available in the top bar", || async {
        text_of(&client.find(Locator::Id("availability")).await.ok()?).await.contains("Available").then_some(())
    })
    .await;

    // Both are offered the lead; Ann claims it from her notification.
    let first = server
        .post_nextgen(&ann.webhook, json!({"first_name": "Cleo", "last_name": "Park", "phone": "3125550111"}))
        .await
        .unwrap();
    let shown = notifications.wait_for(Duration::from_secs(10), |n| n.body.contains("Cleo Park")).await.unwrap();
    assert!(shown.actions.chunks(2).any(|a| a[0] == "claim" && a[1] == "Claim"), "{:?}", shown.actions);
    tokio::time::sleep(Duration::from_millis(300)).await; // its response handler is listening
    notifications.press(shown.id, "claim").await.unwrap();
    wait_for(&client, "Cleo claimed by Ann and opened", || async {
        let status = text_of(&client.find(Locator::Id("claim-status")).await.ok()?).await;
        status.contains("Yours").then_some(())
    })
    .await;
    let is_claim =
        |l: &str| serde_json::from_str::<Value>(l).is_ok_and(|v| v["type"] == "claim" && v["leadId"] == first);
    let claim = bo_hears.wait_for(Duration::from_secs(10), is_claim).expect("Bo hears the claim");
    let claim: Value = serde_json::from_str(&claim).unwrap();
    assert_eq!((claim["name"].as_str(), claim["mine"].as_bool()), (Some("ann"), Some(false)));
    let (ok, _, err) = run_bo(&["claim", &first]);
    assert!(!ok && err.contains("Claimed by ann"), "{err}");

    // Bo claims the next one from the command line: Ann's app withdraws it and shows who has it.
    let second = server
        .post_nextgen(&ann.webhook, json!({"first_name": "Dov", "last_name": "Reyes", "phone": "3125550112"}))
        .await
        .unwrap();
    let offered = notifications.wait_for(Duration::from_secs(10), |n| n.body.contains("Dov Reyes")).await.unwrap();
    let (ok, out, err) = run_bo(&["claim", &second]);
    assert!(ok && out.contains("Yours: Dov Reyes"), "{out}{err}");
    let replaced = notifications
        .wait_for(Duration::from_secs(10), |n| n.id == offered.id && n.summary == "Lead taken")
        .await
        .unwrap();
    assert_eq!(replaced.body, "Claimed by bo");
    let row = format!("#lead-list tr.lead-row[data-lead-id='{second}'] .claimed-by");
    wait_for(&client, "Dov's row claimed by Bo", || async {
        text_of(&client.find(Locator::Css(&row)).await.ok()?).await.contains("Claimed by bo").then_some(())
    })
    .await;
    open_lead(&client, &second).await;
    wait_text(&client, "claim-status", |t| t.contains("Claimed by bo")).await;
    assert!(!is_displayed(&client, "claim-lead").await, "nothing to claim");

    // Away from the top bar: the server has it.
    click(&client, "availability").await;
    wait_text(&client, "availability", |t| t.contains("Away")).await;
    let token = login_token(&server, &bo.email, &bo.password).await;
    let view: Value = server_get(&server, &token, "/api/routing").await;
    let ann_there = view["team"].as_array().unwrap().iter().find(|p| p["name"] == "ann").unwrap().clone();
    assert_eq!(ann_there["available"], false, "{view}");
    let shot = artifacts().join("webdriver-routing.png");
    std::fs::write(&shot, client.screenshot().await.unwrap()).unwrap();

    let _ = watch.kill();
    let _ = watch.wait();
    client.close().await.unwrap();
    drop(driver);
}

/// A rep's working day in the app: a call is recorded when Call is pressed and its outcome told
/// from the lead's calls (the server keeps both, the top bar counts the dial); a callback
/// scheduled on the lead for the next minute comes due while the app runs: a banner and an OS
/// notification (with Snooze) say so, and snoozing moves it ten minutes on, on the server too.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_call_is_recorded_with_its_outcome_and_a_due_callback_rings_and_is_snoozed() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let session = DesktopSession::start().unwrap();
    let display = Xvfb::start().unwrap();
    let server = TestServer::start(false).await.unwrap();
    let ann = server.admin("ann@day.test").await.unwrap();
    let notifications = session.notification_daemon().await.unwrap();
    let id = server
        .post_nextgen(
            &ann.webhook,
            json!({"first_name": "Rosa", "last_name": "Day", "phone": "3125550142", "state": "IL"}),
        )
        .await
        .unwrap();

    let (driver, client) = launch(&session, &display, &server.url()).await;
    type_into(&client, "email", &ann.email).await;
    type_into(&client, "password", &ann.password).await;
    click(&client, "login-button").await;
    let row = format!("#lead-list tr.lead-row[data-lead-id='{id}']");
    wait_for(&client, "Rosa's row", || async { client.find(Locator::Css(&row)).await.ok() }).await;
    open_lead(&client, &id).await;

    // Call: recorded at once (confirmed first when outside Illinois' hours now); the phone app
    // is the OS's, so the outcome is told from the lead's calls.
    click(&client, "call-button").await;
    for _ in 0..20 {
        if is_displayed(&client, "call-caution").await {
            click(&client, "call-anyway").await;
            break;
        }
        if client.find(Locator::Css("#lead-calls .tell-outcome")).await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // No phone app on this test machine: the app asks at once. Elsewhere, from the lead's calls.
    let tell = wait_for(&client, "the call in the lead's calls", || async {
        client.find(Locator::Css("#lead-calls .tell-outcome")).await.ok()
    })
    .await;
    if !is_displayed(&client, "call-outcome").await {
        tell.click().await.unwrap();
    }
    click(&client, "outcome-voicemail").await;
    wait_for(&client, "the prompt closed", || async { (!is_displayed(&client, "call-outcome").await).then_some(()) })
        .await;
    wait_text(&client, "dials-today", |t| t.contains('1')).await;
    wait_text(&client, "call-button", |t| t.contains("Call (1)")).await;
    let db = server.db_path();
    let outcome = wait_within(&client, "the call on the server", Duration::from_secs(15), || {
        let db = db.clone();
        async move {
            let conn = rusqlite::Connection::open(db).ok()?;
            conn.query_row("SELECT outcome FROM calls", [], |r| r.get::<_, Option<String>>(0)).ok().flatten()
        }
    })
    .await;
    assert_eq!(outcome, "voicemail");

    // A callback at the start of the next minute (at least 10 s away), on this computer's clock.
    let due = {
        use chrono::{DurationRound, Local, TimeDelta};
        let next = (Local::now() + TimeDelta::seconds(70)).duration_trunc(TimeDelta::minutes(1)).unwrap();
        next.format("%Y-%m-%dT%H:%M").to_string()
    };
    client
        .execute(
            "const e = document.getElementById('callback-at'); e.value = arguments[0]; \
             e.dispatchEvent(new Event('input', {bubbles: true})); e.dispatchEvent(new Event('change', {bubbles: true}));",
            vec![json!(due)],
        )
        .await
        .unwrap();
    type_into(&client, "callback-note", "quote ready").await;
    click(&client, "callback-schedule").await;
    wait_for(&client, "the callback listed on the lead", || async {
        text_of(&client.find(Locator::Id("lead-callbacks")).await.ok()?).await.contains("quote ready").then_some(())
    })
    .await;

    let shown = notifications
        .wait_for(Duration::from_secs(100), |n| n.summary == "Callback due" && n.body.contains("Rosa Day"))
        .await
        .unwrap();
    assert!(shown.body.contains("quote ready"), "{}", shown.body);
    assert!(shown.actions.chunks(2).any(|a| a[0] == "snooze"), "{:?}", shown.actions);
    wait_text(&client, "callback-due-banner", |t| t.contains("Rosa Day")).await;
    let shot = artifacts().join("webdriver-callback-due.png");
    std::fs::write(&shot, client.screenshot().await.unwrap()).unwrap();
    click(&client, "callback-due-snooze").await;
    wait_within(&client, "the snooze on the server", Duration::from_secs(20), || {
        let db = db.clone();
        async move {
            let conn = rusqlite::Connection::open(db).ok()?;
            let due: String =
                conn.query_row("SELECT due FROM followups WHERE due IS NOT NULL", [], |r| r.get(0)).ok()?;
            let due = chrono::DateTime::parse_from_rfc3339(&due).ok()?;
            (due.with_timezone(&chrono::Utc) > chrono::Utc::now() + chrono::Duration::minutes(8)).then_some(())
        }
    })
    .await;

    client.close().await.unwrap();
    drop(driver);
}
