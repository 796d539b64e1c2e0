//! The admin's routes: the team, invitations, NextGen credentials, Textdrip connection state.
//! Every admin route refuses a rep with 403.

mod common;

use std::time::Duration;

use common::{call, lead_body, next_event, Env};
use crokodial_core::api::{Invitation, LoginResponse, NextGenIntegration, Role, TeamMember, WebhookCredentials};
use crokodial_core::ws::ServerMessage;
use crokodial_server::TenantChoice;
use reqwest::Method;
use serde_json::{json, Value};

#[tokio::test]
async fn a_rep_gets_403_on_every_admin_route() {
    let env = Env::start().await;
    let (admin, _) = env.user("boss@agency.test", Role::Admin, TenantChoice::Own).await;
    let (rep, rep_token) = env.user("rep@agency.test", Role::User, TenantChoice::Of(admin.id.clone())).await;
    let routes: [(Method, String, Option<Value>); 7] = [
        (Method::GET, "/api/team".into(), None),
        (Method::POST, format!("/api/team/{}/invite", rep.id), None),
        (Method::POST, "/api/team/invites".into(), Some(json!({"email": "x@agency.test", "role": "admin"}))),
        (Method::PATCH, format!("/api/team/{}", rep.id), Some(json!({"role": "admin"}))),
        (Method::GET, "/api/integrations/nextgen".into(), None),
        (Method::GET, "/api/integrations/nextgen/credentials".into(), None),
        (Method::POST, "/api/integrations/nextgen/credentials/rotate".into(), None),
    ];
    for (method, path, body) in routes {
        let res = call(&env, method.clone(), &path, &rep_token, body.clone()).await;
        assert_eq!(res.status(), 403, "{method} {path}");
        let err: Value = res.json().await.unwrap();
        assert_eq!(err["error"], "forbidden");
        // Without a token: 401.
        let res = env.http.request(method.clone(), env.url(&path)).send().await.unwrap();
        assert_eq!(res.status(), 401, "{method} {path} without a token");
    }
    // Nothing changed: the rep is still a rep, and no one was invited.
    let admin_token = env.login("boss@agency.test", common::PASSWORD).await;
    let team: Vec<TeamMember> = env.get("/api/team", &admin_token).await.json().await.unwrap();
    assert_eq!(team.len(), 2);
    assert_eq!(team[1].role, Role::User);
}

#[tokio::test]
async fn rotating_credentials_stops_the_old_ones_at_once() {
    let env = Env::start().await;
    let (admin, token) = env.user("boss@agency.test", Role::Admin, TenantChoice::Own).await;
    let old: WebhookCredentials = env.get("/api/integrations/nextgen/credentials", &token).await.json().await.unwrap();
    assert_eq!(old, env.creds_of(&admin).await);
    // The old credentials are known (and cached by the server) before the rotation.
    assert_eq!(env.post_lead(&old, &lead_body("Ann", "3125550101")).await.status(), 201);

    let res = call(&env, Method::POST, "/api/integrations/nextgen/credentials/rotate", &token, None).await;
    assert_eq!(res.status(), 200);
    let new: WebhookCredentials = res.json().await.unwrap();
    assert_ne!(new.sid, old.sid);
    assert_ne!(new.apikey, old.apikey);
    assert_eq!(env.post_lead(&old, &lead_body("Bo", "3125550102")).await.status(), 401, "old credentials refused");
    assert_eq!(env.post_lead(&new, &lead_body("Cy", "3125550103")).await.status(), 201);
    let shown: WebhookCredentials =
        env.get("/api/integrations/nextgen/credentials", &token).await.json().await.unwrap();
    assert_eq!(shown, new);

    // The integration page: the webhook URL as the server was reached, and the last lead.
    let info: NextGenIntegration = env.get("/api/integrations/nextgen", &token).await.json().await.unwrap();
    assert_eq!(info.webhook_url, env.url("/api/webhooks/nextgen"));
    let last = info.last_lead.expect("a last lead");
    assert!(last.name.starts_with("Cy"), "{last:?}");
    assert!((chrono::Utc::now() - last.received_at).num_seconds() < 60);
}

#[tokio::test]
async fn an_invited_rep_sets_a_password_once_and_logs_in() {
    let env = Env::start().await;
    let (admin, token) = env.user("boss@agency.test", Role::Admin, TenantChoice::Own).await;
    let body = json!({"email": " New.Rep@Agency.test ", "name": "New Rep", "role": "user"});
    let res = call(&env, Method::POST, "/api/team/invites", &token, Some(body.clone())).await;
    assert_eq!(res.status(), 201);
    let invitation: Invitation = res.json().await.unwrap();
    assert_eq!(invitation.member.email, "new.rep@agency.test");
    assert!(invitation.member.invited && invitation.member.active);
    assert_eq!(invitation.code.len(), 14, "XXXX-XXXX-XXXX: {}", invitation.code);
    // The same email again is refused.
    assert_eq!(call(&env, Method::POST, "/api/team/invites", &token, Some(body)).await.status(), 409);
    let bad = json!({"email": "not an email", "role": "user"});
    assert_eq!(call(&env, Method::POST, "/api/team/invites", &token, Some(bad)).await.status(), 400);

    // No password works before the invite is accepted.
    let login = json!({"email": "new.rep@agency.test", "password": "a good password"});
    let res = env.http.post(env.url("/api/auth/login")).json(&login).send().await.unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(res.json::<Value>().await.unwrap()["error"], "invalid_credentials");

    let accept = |code: &str, password: &str| {
        let body = json!({"email": "new.rep@agency.test", "code": code, "password": password});
        env.http.post(env.url("/api/auth/accept-invite")).json(&body).send()
    };
    assert_eq!(accept("AAAA-BBBB-CCCC", "a good password").await.unwrap().status(), 400, "wrong code");
    assert_eq!(accept(&invitation.code, "short").await.unwrap().status(), 400, "too short");
    // The code is read without its dashes and case.
    let typed = invitation.code.replace('-', " ").to_lowercase();
    let res = accept(&typed, "a good password").await.unwrap();
    assert_eq!(res.status(), 200);
    let session: LoginResponse = res.json().await.unwrap();
    assert_eq!(session.user.role, Role::User);
    // The rep is in the admin's tenant: their token reads the tenant's leads.
    assert_eq!(env.get("/api/leads", &session.token).await.status(), 200);
    assert_eq!(env.server.tenant_of(&session.user.id).await.unwrap(), env.server.tenant_of(&admin.id).await.unwrap());
    // Used once.
    assert_eq!(accept(&invitation.code, "another password").await.unwrap().status(), 400);
    env.login("new.rep@agency.test", "a good password").await;
    let team: Vec<TeamMember> = env.get("/api/team", &token).await.json().await.unwrap();
    assert!(!team[1].invited);
}

#[tokio::test]
async fn a_deactivated_user_is_disconnected_and_refused() {
    let env = Env::start().await;
    let (admin, token) = env.user("boss@agency.test", Role::Admin, TenantChoice::Own).await;
    let (rep, rep_token) = env.user("rep@agency.test", Role::User, TenantChoice::Of(admin.id.clone())).await;
    let mut ws = env.authed_socket(&rep_token).await;

    let res = call(&env, Method::PATCH, &format!("/api/team/{}", rep.id), &token, Some(json!({"active": false}))).await;
    assert_eq!(res.status(), 200);
    assert!(!res.json::<TeamMember>().await.unwrap().active);
    // The socket is told why and closed, so the app stops instead of reconnecting.
    match next_event(&mut ws, Duration::from_secs(5)).await {
        Some(ServerMessage::AuthFailure { message, .. }) => assert!(message.contains("deactivated"), "{message}"),
        other => panic!("expected an auth failure, got {other:?}"),
    }
    use futures_util::StreamExt;
    match tokio::time::timeout(Duration::from_secs(5), ws.next()).await {
        Ok(Some(Ok(tokio_tungstenite::tungstenite::Message::Close(Some(frame))))) => {
            assert_eq!(u16::from(frame.code), 1008, "a policy close: the app stops reconnecting")
        }
        other => panic!("expected the socket to close, got {other:?}"),
    }
    // The token no longer works, nor does the password.
    let res = env.get("/api/leads", &rep_token).await;
    assert_eq!(res.status(), 401);
    assert_eq!(res.json::<Value>().await.unwrap()["error"], "account_deactivated");
    let login = json!({"email": "rep@agency.test", "password": common::PASSWORD});
    let res = env.http.post(env.url("/api/auth/login")).json(&login).send().await.unwrap();
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("deactivated"));

    // Reactivated, the rep logs in again; promoted, they can read the team.
    let res = call(
        &env,
        Method::PATCH,
        &format!("/api/team/{}", rep.id),
        &token,
        Some(json!({"active": true, "role": "admin"})),
    )
    .await;
    assert_eq!(res.status(), 200);
    let again = env.login("rep@agency.test", common::PASSWORD).await;
    assert_eq!(env.get("/api/team", &again).await.status(), 200);
}

#[tokio::test]
async fn the_team_keeps_an_admin_and_other_tenants_are_out_of_reach() {
    let env = Env::start().await;
    let (admin, token) = env.user("boss@agency.test", Role::Admin, TenantChoice::Own).await;
    let (other, _) = env.user("other@elsewhere.test", Role::User, TenantChoice::Own).await;
    // An invited admin who has not accepted does not count.
    let invited = json!({"email": "later@agency.test", "role": "admin"});
    assert_eq!(call(&env, Method::POST, "/api/team/invites", &token, Some(invited)).await.status(), 201);
    for body in [json!({"active": false}), json!({"role": "user"})] {
        let res = call(&env, Method::PATCH, &format!("/api/team/{}", admin.id), &token, Some(body)).await;
        assert_eq!(res.status(), 409);
        assert_eq!(res.json::<Value>().await.unwrap()["error"], "last_admin");
    }
    let res =
        call(&env, Method::PATCH, &format!("/api/team/{}", other.id), &token, Some(json!({"active": false}))).await;
    assert_eq!(res.status(), 404, "another tenant's user");
    let team: Vec<TeamMember> = env.get("/api/team", &token).await.json().await.unwrap();
    assert_eq!(team.iter().map(|m| m.email.as_str()).collect::<Vec<_>>(), ["boss@agency.test", "later@agency.test"]);
    assert!(team[0].active && team[0].role == Role::Admin);
}

#[tokio::test]
async fn a_lost_or_expired_code_is_replaced_and_the_old_one_stops() {
    let env = Env::start().await;
    let (_, token) = env.user("boss@agency.test", Role::Admin, TenantChoice::Own).await;
    let body = json!({"email": "slow@agency.test", "role": "user"});
    let first: Invitation =
        call(&env, Method::POST, "/api/team/invites", &token, Some(body)).await.json().await.unwrap();
    let accept = |code: String| {
        let body = json!({"email": "slow@agency.test", "code": code, "password": "a good password"});
        env.http.post(env.url("/api/auth/accept-invite")).json(&body).send()
    };
    // Eight days later the code has expired.
    let db = rusqlite::Connection::open(env.db_path()).unwrap();
    let old = (chrono::Utc::now() - chrono::Duration::days(8)).to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    db.execute("UPDATE users SET invited_at = ?1 WHERE email = 'slow@agency.test'", [old]).unwrap();
    let res = accept(first.code.clone()).await.unwrap();
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("expired"));

    let res = call(&env, Method::POST, &format!("/api/team/{}/invite", first.member.id), &token, None).await;
    assert_eq!(res.status(), 200);
    let renewed: Invitation = res.json().await.unwrap();
    assert_ne!(renewed.code, first.code);
    assert_eq!(accept(first.code).await.unwrap().status(), 400, "the old code stopped");
    assert_eq!(accept(renewed.code).await.unwrap().status(), 200);
    // Accepted: no more codes for this user.
    let res = call(&env, Method::POST, &format!("/api/team/{}/invite", first.member.id), &token, None).await;
    assert_eq!(res.status(), 404);
}

#[tokio::test]
async fn each_users_textdrip_state_is_visible_to_the_admin_never_a_token() {
    let env = Env::start().await;
    let (admin, token) = env.user("boss@agency.test", Role::Admin, TenantChoice::Own).await;
    let (_, rep_token) = env.user("rep@agency.test", Role::User, TenantChoice::Of(admin.id.clone())).await;
    let put = |connected: bool| {
        call(&env, Method::PUT, "/api/integrations/textdrip", &rep_token, Some(json!({"connected": connected})))
    };
    assert_eq!(put(true).await.status(), 204);
    let team: Value = env.get("/api/team", &token).await.json().await.unwrap();
    assert_eq!(team[1]["textdripConnected"], true);
    assert_eq!(team[0]["textdripConnected"], false);
    let keys: Vec<&String> = team[1].as_object().unwrap().keys().collect();
    assert!(
        keys.iter().all(|k| !k.to_lowercase().contains("token") && !k.to_lowercase().contains("password")),
        "{keys:?}"
    );
    assert_eq!(put(false).await.status(), 204);
    let team: Vec<TeamMember> = env.get("/api/team", &token).await.json().await.unwrap();
    assert!(!team[1].textdrip_connected);
}
