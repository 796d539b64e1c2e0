//! What admins keep for their agency and what each user keeps for themselves: the dispositions,
//! a lead typed in by hand, who may delete a lead, and the profile.

mod common;

use std::time::Duration;

use common::{call, lead_body, next_event, Env};
use crokodial_core::api::{Role, User, WebhookAck};
use crokodial_core::edit::{Disposition, Dispositions};
use crokodial_core::ws::ServerMessage;
use crokodial_core::{Lead, LeadSource};
use crokodial_server::TenantChoice;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn admins_keep_the_agencys_dispositions() {
    let env = Env::start().await;
    let (admin, token) = env.user("boss@dispo.test", Role::Admin, TenantChoice::Own).await;
    let (_rep, rep_token) = env.user("ann@dispo.test", Role::User, TenantChoice::Of(admin.id.clone())).await;
    let (_other, other_token) = env.user("eve@else.test", Role::Admin, TenantChoice::Own).await;
    let list = |who: String| {
        let env = &env;
        async move {
            call(env, Method::GET, "/api/dispositions", &who, None)
                .await
                .json::<Dispositions>()
                .await
                .unwrap()
                .dispositions
        }
    };
    let seeded = list(rep_token.clone()).await;
    assert_eq!(seeded.len(), 14);
    assert_eq!((seeded[7].name.as_str(), seeded[7].color.as_str()), ("Quoted", "#00BCD4"));

    let res = call(
        &env,
        Method::POST,
        "/api/dispositions",
        &token,
        Some(json!({"name": "Callback Set", "color": "#123456"})),
    )
    .await;
    assert_eq!(res.status(), 201);
    let added: Disposition = res.json().await.unwrap();
    assert_eq!((added.sort_order, added.is_default), (14, false));
    let again = call(
        &env,
        Method::POST,
        "/api/dispositions",
        &token,
        Some(json!({"name": "callback set", "color": "#123456"})),
    )
    .await;
    assert_eq!(again.status(), 400, "names are unique, whatever the case");
    let by_rep =
        call(&env, Method::POST, "/api/dispositions", &rep_token, Some(json!({"name": "Mine", "color": "#123456"})))
            .await;
    assert_eq!(by_rep.status(), 403);
    let bad = call(&env, Method::POST, "/api/dispositions", &token, Some(json!({"name": "Red", "color": "red"}))).await;
    assert_eq!(bad.status(), 400);

    // Renamed, recoloured, moved first; a rename onto another's name is refused.
    let path = format!("/api/dispositions/{}", added.id);
    let res = call(
        &env,
        Method::PUT,
        &path,
        &token,
        Some(json!({"name": "Call back set", "color": "#abcdef", "sortOrder": 0})),
    )
    .await;
    let changed: Disposition = res.json().await.unwrap();
    assert_eq!((changed.name.as_str(), changed.color.as_str()), ("Call back set", "#abcdef"));
    assert_eq!(call(&env, Method::PUT, &path, &token, Some(json!({"name": "SOLD"}))).await.status(), 400);
    let now = list(token.clone()).await;
    assert_eq!(now.iter().take(2).map(|d| d.name.as_str()).collect::<Vec<_>>(), ["Call back set", "Positive Contact"]);

    assert_eq!(call(&env, Method::DELETE, &path, &token, None).await.status(), 200);
    assert_eq!(call(&env, Method::DELETE, &path, &token, None).await.status(), 404);
    assert_eq!(list(token).await.len(), 14);
    assert_eq!(list(other_token).await.len(), 14, "another agency's list is its own");
}

#[tokio::test]
async fn an_admin_types_in_a_lead_and_only_admins_and_owners_delete() {
    let env = Env::start().await;
    let (admin, token) = env.user("boss@manual.test", Role::Admin, TenantChoice::Own).await;
    let (_rep, rep_token) = env.user("bo@manual.test", Role::User, TenantChoice::Of(admin.id.clone())).await;
    let mut ws = env.authed_socket(&rep_token).await;

    let body = json!({"firstName": "Ivy", "lastName": "Hand", "phone": "(312) 555-0199", "email": "IVY@Example.com", "state": "illinois"});
    let res = call(&env, Method::POST, "/api/leads", &token, Some(body.clone())).await;
    assert_eq!(res.status(), 201);
    let lead: Lead = res.json().await.unwrap();
    assert_eq!(
        (lead.name.as_str(), lead.phone.as_deref(), lead.email.as_deref(), lead.state.as_deref(), lead.source),
        ("Ivy Hand", Some("3125550199"), Some("ivy@example.com"), Some("IL"), Some(LeadSource::ManualEntry))
    );
    assert_eq!(lead.assigned_to.as_deref(), Some(admin.id.as_str()));
    match next_event(&mut ws, Duration::from_secs(5)).await {
        Some(ServerMessage::NewLead { data, .. }) => {
            assert!(data.is_new && data.lead_id.as_deref() == Some(lead.id.as_str()))
        }
        other => panic!("expected the new lead, got {other:?}"),
    }
    assert_eq!(call(&env, Method::POST, "/api/leads", &rep_token, Some(body)).await.status(), 403, "admins only");
    assert_eq!(call(&env, Method::POST, "/api/leads", &token, Some(json!({"notes": "who?"}))).await.status(), 400);
    assert_eq!(call(&env, Method::POST, "/api/leads", &token, Some(json!({"phone": "12"}))).await.status(), 400);

    // A rep deletes only what is theirs: a lead they claimed, not the admin's.
    let ack: WebhookAck =
        env.post_lead(&env.creds_of(&admin).await, &lead_body("Cy", "3125550100")).await.json().await.unwrap();
    let theirs = ack.lead_id;
    assert_eq!(call(&env, Method::POST, &format!("/api/leads/{theirs}/claim"), &rep_token, None).await.status(), 200);
    assert_eq!(call(&env, Method::DELETE, &format!("/api/leads/{}", lead.id), &rep_token, None).await.status(), 403);
    assert_eq!(call(&env, Method::DELETE, &format!("/api/leads/{theirs}"), &rep_token, None).await.status(), 204);
    assert_eq!(call(&env, Method::DELETE, &format!("/api/leads/{}", lead.id), &token, None).await.status(), 204);
}

#[tokio::test]
async fn a_user_changes_their_name_email_and_password() {
    let env = Env::start().await;
    let (_me, token) = env.user("me@profile.test", Role::Admin, TenantChoice::Own).await;
    env.user("taken@profile.test", Role::Admin, TenantChoice::Own).await;
    let me: User = call(&env, Method::GET, "/api/auth/profile", &token, None).await.json().await.unwrap();
    assert_eq!(me.email, "me@profile.test");

    let res = call(
        &env,
        Method::PUT,
        "/api/auth/profile",
        &token,
        Some(json!({"name": "Me Myself", "email": " Me2@Profile.test ", "password": ""})),
    )
    .await;
    let me: User = res.json().await.unwrap();
    assert_eq!((me.name.as_str(), me.email.as_str()), ("Me Myself", "me2@profile.test"));
    let taken =
        call(&env, Method::PUT, "/api/auth/profile", &token, Some(json!({"email": "TAKEN@profile.test"}))).await;
    assert_eq!(taken.status(), 400);

    let change = |current: &str, new: &str| json!({"password": new, "currentPassword": current});
    let wrong = call(&env, Method::PUT, "/api/auth/profile", &token, Some(change("nope", "a-new-pass-1"))).await;
    assert_eq!(wrong.status(), 400);
    let short = call(&env, Method::PUT, "/api/auth/profile", &token, Some(change(common::PASSWORD, "short"))).await;
    assert_eq!(short.status(), 400);
    let ok = call(&env, Method::PUT, "/api/auth/profile", &token, Some(change(common::PASSWORD, "a-new-pass-1"))).await;
    assert_eq!(ok.status(), 200);
    let login = |password: &'static str| {
        let env = &env;
        async move {
            env.http
                .post(env.url("/api/auth/login"))
                .json(&json!({"email": "me2@profile.test", "password": password}))
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(login("a-new-pass-1").await, 200);
    assert_eq!(login(common::PASSWORD).await, 400, "the old password no longer works");
}
