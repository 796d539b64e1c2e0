//! Team lead routing as reps' engines live it, against our server on loopback: who is rung, a
//! claim withdrawing the lead elsewhere, an offer moving on, and what came during an outage.

use std::sync::Arc;
use std::time::Duration;

use crokodial_client::account::{Account, AccountEvent, Arrival, Routed};
use crokodial_client::alert::AlertPlayer;
use crokodial_client::api::ClaimAnswer;
use crokodial_client::feed::Unannounced;
use crokodial_client::home::Home;
use crokodial_client::secrets::{OsKeychain, SecretStore};
use crokodial_client::session::Session;
use crokodial_client::settings::{AlertSettings, Settings};
use crokodial_client::socket::ConnectionState;
use crokodial_core::routing::{RoutingMode, RoutingUpdate};
use crokodial_testkit::{CutProxy, DesktopSession, TestAccount, TestServer};
use serde_json::json;
use tokio::sync::mpsc::UnboundedReceiver;

const WAIT: Duration = Duration::from_secs(10);

struct Rep {
    account: Account,
    events: UnboundedReceiver<AccountEvent>,
    id: String,
    _home: tempfile::TempDir,
}

/// `who` signed in through `url` and live, with silent alerts.
async fn live(url: &str, who: &TestAccount) -> Rep {
    let dir = tempfile::tempdir().unwrap();
    let home = Home::at(dir.path());
    let keychain: Arc<dyn SecretStore> = Arc::new(OsKeychain::default());
    let session = Session::login(&home, &*keychain, url, &who.email, &who.password).await.unwrap();
    let account = Account::open(&home, keychain, session).unwrap();
    let silent = tokio::sync::watch::channel(Settings {
        alerts: AlertSettings { volume: 0.0, ..AlertSettings::default() },
        ..Settings::default()
    })
    .1;
    let events = account.go_live(AlertPlayer::start(None).unwrap(), silent).unwrap();
    let mut state = account.state();
    tokio::time::timeout(WAIT, state.wait_for(|s| s.connection == ConnectionState::Live)).await.unwrap().unwrap();
    Rep { account, events, id: who.user_id.clone(), _home: dir }
}

impl Rep {
    /// The next event `pick` takes, skipping the others.
    async fn next<T>(&mut self, pick: impl Fn(AccountEvent) -> Option<T>) -> T {
        tokio::time::timeout(WAIT, async {
            loop {
                if let Some(found) = pick(self.events.recv().await.expect("the account's events ended")) {
                    return found;
                }
            }
        })
        .await
        .expect("no such event in time")
    }

    async fn arrival(&mut self, lead: &str) -> Box<Arrival> {
        self.next(|e| match e {
            AccountEvent::Lead(a) if a.lead.id == lead => Some(a),
            _ => None,
        })
        .await
    }

    async fn routed(&mut self) -> Routed {
        self.next(|e| match e {
            AccountEvent::Routing(r) => Some(r),
            _ => None,
        })
        .await
    }
}

fn lead(first: &str, phone: &str) -> serde_json::Value {
    json!({"first_name": first, "last_name": "Routed", "phone": phone, "lead_id": format!("NG-{phone}")})
}

#[tokio::test(flavor = "multi_thread")]
async fn a_claim_withdraws_the_lead_from_the_other_rep_and_says_who() {
    DesktopSession::for_process();
    let server = TestServer::start(false).await.unwrap();
    let admin = server.admin("ann@claims.test").await.unwrap();
    let rep = server.rep("bo@claims.test", &admin).await.unwrap();
    let (mut ann, mut bo) = (live(&server.url(), &admin).await, live(&server.url(), &rep).await);
    assert_eq!(ann.account.state().borrow().available, Some(true), "read from the server once live");

    let id = server.post_nextgen(&admin.webhook, lead("Cy", "3125550101")).await.unwrap();
    for rep in [&mut ann, &mut bo] {
        let arrival = rep.arrival(&id).await;
        assert!(arrival.announce && arrival.alert.is_some(), "everyone: both are rung");
        assert!(arrival.offer.as_ref().is_some_and(|o| o.is_for(&rep.id)));
    }

    let ClaimAnswer::Yours(claimed) = bo.account.claim(&id).await.unwrap() else { panic!("Bo claimed first") };
    assert_eq!(claimed.lead.assigned_to.as_deref(), Some(bo.id.as_str()));
    assert_eq!(bo.account.lead(&id).await.unwrap().claim.map(|c| c.by), Some(bo.id.clone()), "cached as Bo's at once");
    let Routed::Claimed(seen) = ann.routed().await else { panic!("Ann hears the claim") };
    assert_eq!((seen.id.as_str(), seen.claim.as_ref().unwrap().name.as_str()), (id.as_str(), "bo"));
    assert_eq!(ann.account.lead(&id).await.unwrap().claim.map(|c| c.name), Some("bo".into()), "Ann's list says who");
    let Routed::Claimed(mine) = bo.routed().await else { panic!("Bo hears it too") };
    assert_eq!(mine.claim.unwrap().by, bo.id);

    match ann.account.claim(&id).await.unwrap() {
        ClaimAnswer::Refused { code, message } => {
            assert_eq!((code.as_str(), message.as_str()), ("claimed", "Claimed by bo"))
        }
        other => panic!("a second claim must be refused: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn round_robin_rings_one_rep_then_moves_on_and_withdraws() {
    DesktopSession::for_process();
    let server = TestServer::start(false).await.unwrap();
    let admin = server.admin("ann@turns.test").await.unwrap();
    let rep = server.rep("bo@turns.test", &admin).await.unwrap();
    let (mut ann, mut bo) = (live(&server.url(), &admin).await, live(&server.url(), &rep).await);
    let update = RoutingUpdate {
        mode: Some(RoutingMode::RoundRobin),
        offer_seconds: Some(5),
        pool_after_seconds: Some(60),
        owner: None,
    };
    ann.account.set_routing(&update).await.unwrap();

    let id = server.post_nextgen(&admin.webhook, lead("Cy", "3125550102")).await.unwrap();
    let (a, b) = (ann.arrival(&id).await, bo.arrival(&id).await);
    assert!(a.announce != b.announce, "one rep is rung: Ann {} Bo {}", a.announce, b.announce);
    let (first, second) = if a.announce { (&mut ann, &mut bo) } else { (&mut bo, &mut ann) };
    let skipped = if a.announce { &b } else { &a };
    assert!(matches!(&skipped.unannounced, Some(Unannounced::OfferedTo(_))), "{:?}", skipped.unannounced);

    // Unclaimed for its 5 s: the second rep is rung, the first's is withdrawn.
    let moved = second.arrival(&id).await;
    assert!(moved.announce && moved.offer.as_ref().is_some_and(|o| o.is_for(&second.id)));
    let Routed::Withdrawn { lead_id, to } = first.routed().await else { panic!("withdrawn") };
    assert_eq!(lead_id, id);
    assert!(to == "ann" || to == "bo", "names who has it: {to}");
}

#[tokio::test(flavor = "multi_thread")]
async fn back_from_an_outage_the_rep_hears_what_came_and_what_is_still_open() {
    DesktopSession::for_process();
    let server = TestServer::start(false).await.unwrap();
    let admin = server.admin("ann@outage.test").await.unwrap();
    let rep = server.rep("bo@outage.test", &admin).await.unwrap();
    let proxy = CutProxy::start(server.server.addr()).await.unwrap();
    let (mut ann, bo) = (live(&proxy.url(), &admin).await, live(&server.url(), &rep).await);

    proxy.cut();
    let mut state = ann.account.state();
    tokio::time::timeout(WAIT, state.wait_for(|s| !s.connection.is_live())).await.unwrap().unwrap();
    let taken = server.post_nextgen(&admin.webhook, lead("Di", "3125550103")).await.unwrap();
    let open = server.post_nextgen(&admin.webhook, lead("Ed", "3125550104")).await.unwrap();
    assert!(matches!(bo.account.claim(&taken).await.unwrap(), ClaimAnswer::Yours(_)));
    proxy.restore();

    let rung = ann
        .next(|e| match e {
            AccountEvent::Lead(a) if a.announce => Some(a),
            _ => None,
        })
        .await;
    assert_eq!(rung.lead.id, open, "only the lead still open is rung, once");
    let Routed::Missed(missed) = ann.routed().await else { panic!("what came while offline") };
    let told: Vec<(&str, bool)> = missed.iter().map(|l| (l.id.as_str(), l.claim.is_some())).collect();
    assert_eq!(told, [(taken.as_str(), true), (open.as_str(), false)]);

    // Away, then back: what came meanwhile is told again from the cache.
    ann.account.set_available(false).await.unwrap();
    assert_eq!(ann.account.state().borrow().available, Some(false));
    let later = server.post_nextgen(&admin.webhook, lead("Flo", "3125550105")).await.unwrap();
    let quiet = ann.arrival(&later).await;
    assert_eq!(quiet.unannounced, Some(Unannounced::OfferedTo("bo".into())), "an away rep is not rung");
    ann.account.set_available(true).await.unwrap();
    let Routed::Missed(meanwhile) = ann.routed().await else { panic!("what came while away") };
    assert_eq!(meanwhile.iter().map(|l| l.id.as_str()).collect::<Vec<_>>(), [later.as_str()]);
}
