//! The rep's Textdrip against a local stand-in (the documented API: 401, 400 "Contact not
//! found", 429, slow answers), with the token in the real OS keychain of a private session and our
//! real server on loopback.

use std::time::Duration;

use chrono::{TimeZone, Utc};
use crokodial_client::home::Home;
use crokodial_client::secrets::{OsKeychain, Sensitive, SERVICE};
use crokodial_client::session::Session;
use crokodial_client::textdrip::{self, Status, TextdripClient, TextdripError, Texting};
use crokodial_core::Lead;
use crokodial_testkit::textdrip::{TextdripStandIn, CAMPAIGNS, TOKEN};
use crokodial_testkit::{DesktopSession, TestServer};

fn texting(stand_in: &TextdripStandIn, timeout: Duration) -> Texting {
    Texting::new(TextdripClient::with_base(&stand_in.url(), Sensitive(TOKEN.into()), timeout).unwrap())
}

fn lead(state: &str, phone: &str) -> Lead {
    Lead {
        id: format!("lead-{state}"),
        name: "Rosa Díaz".into(),
        first_name: Some("Rosa".into()),
        state: Some(state.into()),
        phone: Some(phone.into()),
        ..Lead::default()
    }
}

/// Noon in Chicago, 1 PM in New York.
fn midday() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 18, 0, 0).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn connect_checks_the_token_keeps_it_in_the_keychain_and_disconnect_forgets_it() {
    let desktop = DesktopSession::for_process();
    let stand_in = TextdripStandIn::start().await.unwrap();
    std::env::set_var(textdrip::URL_ENV, stand_in.url());
    let server = TestServer::start(false).await.unwrap();
    let admin = server.admin("texter@agency.test").await.unwrap();
    let home = Home::at(desktop.profile_dir().join("textdrip-connect"));
    let keychain = OsKeychain::default();
    let session = Session::login(&home, &keychain, &server.url(), &admin.email, &admin.password).await.unwrap();
    let account = textdrip::keychain_account(&server.url(), &admin.email);
    let kept = || desktop.keychain_lookup(SERVICE, &account).unwrap();

    assert_eq!(Texting::status(&keychain, &session).await, Status::NotConnected);
    let wrong = "31337|not-the-token";
    let err = Texting::connect(&keychain, &session, wrong).await.err().expect("refused");
    assert!(matches!(err, TextdripError::InvalidToken), "{err:?}");
    assert_eq!(kept(), None, "a token Textdrip refused is not kept");
    let err = Texting::connect(&keychain, &session, "  ").await.err().expect("refused");
    assert!(matches!(err, TextdripError::InvalidInput(_)), "{err:?}");

    Texting::connect(&keychain, &session, &format!(" {TOKEN}\n")).await.unwrap();
    // Read back by the keyring's own tool, not by our code.
    assert_eq!(kept().as_deref(), Some(TOKEN));
    assert_eq!(Texting::status(&keychain, &session).await, Status::Connected);
    let team = session.api().team().await.unwrap();
    assert!(team[0].textdrip_connected, "the admin sees the rep connected");

    // Textdrip revokes the token: the status says to connect again.
    stand_in.revoke(TOKEN);
    assert_eq!(Texting::status(&keychain, &session).await, Status::Invalid);
    let err = Texting::open(&keychain, &session).unwrap().campaigns().await.unwrap_err();
    assert!(matches!(err, TextdripError::InvalidToken), "{err:?}");
    stand_in.allow(TOKEN);

    Texting::disconnect(&keychain, &session).await.unwrap();
    assert_eq!(kept(), None);
    assert_eq!(Texting::status(&keychain, &session).await, Status::NotConnected);
    assert!(matches!(Texting::open(&keychain, &session), Err(TextdripError::NotConnected)));
    assert!(!session.api().team().await.unwrap()[0].textdrip_connected);
    // Every call carried the token as a bearer token, and nothing else did.
    for r in stand_in.requests() {
        let auth = r.authorization.unwrap_or_default();
        assert!(auth == format!("Bearer {TOKEN}") || auth == format!("Bearer {wrong}"), "{auth}");
        assert!(!r.body.to_string().contains(TOKEN));
    }
}

#[tokio::test]
async fn a_text_goes_from_the_leads_state_number_in_e164_within_hours_and_never_to_an_opt_out() {
    let stand_in = TextdripStandIn::start().await.unwrap();
    let t = texting(&stand_in, Duration::from_secs(10));
    let chicago = lead("IL", "(312) 555-0123");
    let sent = t.send(&chicago, "Hi {first_name}, {agent_name} here.", "Ann", None, false, midday()).await.unwrap();
    assert_eq!((sent.to.as_str(), sent.sender.as_deref()), ("+13125550123", Some("+13125550100")));
    let new_york = lead("NY", "2125550123");
    t.send(&new_york, "Hello {first_name}", "Ann", None, false, midday()).await.unwrap();
    // A sender the rep picks wins over the state's.
    t.send(&new_york, "Again", "Ann", Some("+13125550100"), false, midday()).await.unwrap();
    let sent: Vec<_> =
        stand_in.sent().into_iter().map(|(to, text, token)| (to, text, token.unwrap_or_default())).collect();
    assert_eq!(
        sent,
        [
            ("+13125550123".into(), "Hi Rosa, Ann here.".into(), "pt-chicago".into()),
            ("+12125550123".into(), "Hello Rosa".into(), "pt-newyork".into()),
            ("+12125550123".into(), "Again".into(), "pt-chicago".into()),
        ]
    );

    // 9:30 PM in Chicago: refused unless confirmed, and it says the lead's time and hours.
    let late = Utc.with_ymd_and_hms(2026, 12, 2, 3, 30, 0).unwrap();
    match t.send(&chicago, "Late", "Ann", None, false, late).await {
        Err(TextdripError::OutsideHours { time, hours }) => {
            assert_eq!((time.as_str(), hours.as_str()), ("9:30 PM CST", "8 AM–9 PM"))
        }
        other => panic!("expected outside hours, got {other:?}"),
    }
    assert_eq!(stand_in.sent().len(), 3);
    t.send(&chicago, "Late", "Ann", None, true, late).await.unwrap();
    assert_eq!(stand_in.sent().len(), 4);

    // No zone can be told (no state or zip, a toll-free number): it asks, as outside hours.
    let nowhere = Lead { state: None, phone: Some("8005550123".into()), ..chicago.clone() };
    assert!(matches!(t.send(&nowhere, "x", "", None, false, midday()).await, Err(TextdripError::UnknownLocalTime)));
    assert_eq!(stand_in.sent().len(), 4);

    // Opted out in Textdrip (the lead replied STOP): the preview says so, and nothing is sent
    // nor added to a campaign.
    stand_in.add_contact("+14155550123", "Stopped", true);
    let stopped = lead("CA", "4155550123");
    let (preview, _) = t.preview(&stopped, "x", "", None, midday()).await;
    assert!(preview.opted_out);
    assert!(!t.preview(&chicago, "x", "", None, midday()).await.0.opted_out);
    assert!(matches!(t.send(&stopped, "x", "", None, false, midday()).await, Err(TextdripError::OptedOut)));
    assert!(matches!(t.add_to_campaign(&stopped, CAMPAIGNS[0].0).await, Err(TextdripError::OptedOut)));
    assert!(stand_in.campaign_adds().is_empty());
    let no_phone = Lead { phone: Some("555-0123".into()), ..chicago.clone() };
    assert!(matches!(t.send(&no_phone, "x", "", None, false, midday()).await, Err(TextdripError::NoPhone)));
    assert!(matches!(
        t.send(&chicago, "{policy}", "", None, false, midday()).await,
        Err(TextdripError::InvalidInput(_))
    ));
    assert_eq!(stand_in.sent().len(), 4);
}

#[tokio::test]
async fn a_lead_becomes_a_contact_before_joining_a_campaign_and_lists_are_fetched_once() {
    let stand_in = TextdripStandIn::start().await.unwrap();
    let t = texting(&stand_in, Duration::from_secs(10));
    let campaigns = t.campaigns().await.unwrap();
    assert_eq!(campaigns.iter().map(|c| c.title.as_str()).collect::<Vec<_>>(), [CAMPAIGNS[0].1, CAMPAIGNS[1].1]);
    t.campaigns().await.unwrap();
    t.phones().await.unwrap();
    t.phones().await.unwrap();
    let count = |path: &str| stand_in.requests().iter().filter(|r| r.path == path).count();
    assert_eq!((count("/api/get-campaign"), count("/api/get-phone-list")), (1, 1), "kept for a while");

    let rosa = lead("IL", "3125550123");
    assert_eq!(t.contact(&rosa).await.unwrap(), None, "400 Contact not found is no contact");
    // A 404 (a route that moved) is an error, not "no contact".
    let moved = Texting::new(
        TextdripClient::with_base(&format!("{}/v0", stand_in.url()), Sensitive(TOKEN.into()), Duration::from_secs(5))
            .unwrap(),
    );
    let err = moved.contact(&rosa).await.unwrap_err();
    assert!(matches!(err, TextdripError::Refused { status: 404, .. }), "{err:?}");
    let contact = t.add_to_campaign(&rosa, CAMPAIGNS[1].0).await.unwrap();
    assert_eq!(stand_in.campaign_adds(), [(contact.id.clone(), CAMPAIGNS[1].0.to_owned())]);
    let created = stand_in.contacts();
    assert_eq!(created.len(), 1);
    assert_eq!(created[0]["phone"], "+13125550123");
    assert_eq!(t.contact(&rosa).await.unwrap().map(|c| c.id), Some(contact.id.clone()));
    // Again: no second contact.
    t.add_to_campaign(&rosa, CAMPAIGNS[0].0).await.unwrap();
    assert_eq!(stand_in.contacts().len(), 1);
    let err = t.add_to_campaign(&rosa, "no-such-campaign").await.unwrap_err();
    assert!(matches!(err, TextdripError::Refused { status: 400, .. }), "{err:?}");
}

#[tokio::test]
async fn too_many_requests_are_waited_out_and_a_slow_textdrip_times_out() {
    let stand_in = TextdripStandIn::start().await.unwrap();
    let t = texting(&stand_in, Duration::from_millis(800));
    stand_in.fail_next(2, 429, Some(0));
    t.client().check().await.unwrap();
    assert_eq!(stand_in.requests().iter().map(|r| r.status).collect::<Vec<_>>(), [429, 429, 200]);

    stand_in.fail_next(4, 429, Some(0));
    assert!(matches!(t.client().check().await, Err(TextdripError::RateLimited)));
    // Retry-After is honoured (2 s, against a first backoff of 1 s).
    stand_in.fail_next(1, 429, Some(2));
    let started = std::time::Instant::now();
    t.client().check().await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(1900), "{:?}", started.elapsed());
    // Without Retry-After, it backs off (1 s) and tries again.
    stand_in.fail_next(1, 429, None);
    let started = std::time::Instant::now();
    t.client().check().await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(900), "{:?}", started.elapsed());

    stand_in.set_delay(Duration::from_secs(3));
    let started = std::time::Instant::now();
    assert!(matches!(t.client().check().await, Err(TextdripError::Timeout(_))));
    assert!(started.elapsed() < Duration::from_secs(3));
    stand_in.set_delay(Duration::ZERO);
    stand_in.fail_next(1, 500, None);
    assert!(matches!(t.client().check().await, Err(TextdripError::Unexpected { status: 500, .. })));
}
