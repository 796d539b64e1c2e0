//! HTTP API: health, auth, leads, demo mode — over real loopback HTTP.

mod common;

use chrono::{Duration as Span, TimeZone, Utc};
use common::{Env, PASSWORD};
use crokodial_core::api::{Capabilities, ErrorBody, Health, LeadChanges, LeadsPage, Role, VerifyResponse};
use crokodial_core::{Lead, LeadSource};
use crokodial_server::{SqliteStore, Store, TenantChoice};

#[tokio::test]
async fn health() {
    let env = Env::start().await;
    let res = env.http.get(env.url("/api/health")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let h: Health = res.json().await.unwrap();
    assert_eq!(h.status, "ok");
    assert_eq!(h.server, "crokodial-server");
    assert_eq!(h.port, env.server.addr().port());
    assert!(!h.timestamp.is_empty());
}

#[tokio::test]
async fn unknown_routes_and_methods_are_json() {
    let env = Env::start().await;
    for (res, status) in [
        (env.http.get(env.url("/api/nope")).send().await.unwrap(), 404),
        (env.http.get(env.url("/elsewhere")).send().await.unwrap(), 404),
        (env.http.delete(env.url("/api/health")).send().await.unwrap(), 405),
    ] {
        assert_eq!(res.status(), status);
        let body: ErrorBody = res.json().await.unwrap();
        assert!(body.error.is_some() && body.message.is_some(), "{body:?}");
        // A route this server does not have says so, apart from a route that found nothing.
        assert_eq!(body.error.as_deref() == Some("no_route"), status == 404, "{body:?}");
    }
}

#[tokio::test]
async fn login_and_verify() {
    let env = Env::start().await;
    let (user, token) = env.user("Ann@Example.com", Role::Admin, TenantChoice::Own).await;
    assert_eq!(user.email, "ann@example.com");

    // Case-insensitive email.
    let again = env.login("ANN@EXAMPLE.COM", PASSWORD).await;
    assert!(!again.is_empty());

    let post = |body: serde_json::Value| env.http.post(env.url("/api/auth/login")).json(&body).send();
    let res = post(serde_json::json!({"email": "ann@example.com", "password": "wrong"})).await.unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(res.json::<ErrorBody>().await.unwrap().message.as_deref(), Some("Invalid credentials"));
    let res = post(serde_json::json!({"email": "nobody@example.com", "password": "x"})).await.unwrap();
    assert_eq!(res.status(), 400);
    let res = post(serde_json::json!({"email": "ann@example.com"})).await.unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(res.json::<ErrorBody>().await.unwrap().message.as_deref(), Some("Email and password are required"));
    let res = env.http.post(env.url("/api/auth/login")).body("{not json").send().await.unwrap();
    assert_eq!(res.status(), 400);
    assert!(res.json::<ErrorBody>().await.unwrap().error.is_some());

    // Verify.
    let res = env.get("/api/auth/verify", &token).await;
    assert_eq!(res.status(), 200);
    let v: VerifyResponse = res.json().await.unwrap();
    assert!(v.valid);
    assert_eq!(v.user.id, user.id);
    assert_eq!(v.user.role, Role::Admin);

    let res = env.get("/api/auth/verify", "garbage.token.here").await;
    assert_eq!(res.status(), 401);
    let body: ErrorBody = res.json().await.unwrap();
    assert_eq!(body.error.as_deref(), Some("invalid_token"));
    assert_eq!(body.message.as_deref(), Some("Invalid token"));

    let res = env.http.get(env.url("/api/auth/verify")).send().await.unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(res.json::<ErrorBody>().await.unwrap().message.as_deref(), Some("No auth token found"));

    // A token from another server (another secret) is refused.
    let other = Env::start().await;
    let (_, foreign) = other.user("ann@example.com", Role::Admin, TenantChoice::Own).await;
    assert_eq!(env.get("/api/auth/verify", &foreign).await.status(), 401);
}

#[tokio::test]
async fn jwt_shape() {
    let env = Env::start().await;
    let (user, token) = env.user("jwt@example.com", Role::User, TenantChoice::Own).await;
    let header = jsonwebtoken::decode_header(&token).unwrap();
    assert_eq!(header.alg, jsonwebtoken::Algorithm::HS256);
    let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
    v.insecure_disable_signature_validation();
    let data =
        jsonwebtoken::decode::<serde_json::Value>(&token, &jsonwebtoken::DecodingKey::from_secret(b""), &v).unwrap();
    assert_eq!(data.claims["_id"], user.id.as_str());
    let (iat, exp) = (data.claims["iat"].as_i64().unwrap(), data.claims["exp"].as_i64().unwrap());
    assert_eq!(exp - iat, 30 * 86_400);
}

fn lead(tenant: &str, i: i64, name: &str, state: &str, disposition: Option<&str>, phone: &str) -> Lead {
    let created = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap() + Span::minutes(i);
    Lead {
        id: format!("{i:024x}"),
        tenant_id: Some(tenant.into()),
        name: name.into(),
        first_name: name.split(' ').next().map(Into::into),
        email: Some(format!("lead{i}@example.com")),
        phone: Some(phone.into()),
        state: Some(state.into()),
        disposition: disposition.map(Into::into),
        source: Some(if i % 2 == 0 { LeadSource::NextGen } else { LeadSource::CsvImport }),
        created_at: Some(created),
        ..Lead::default()
    }
}

async fn page(env: &Env, token: &str, query: &str) -> (LeadsPage, reqwest::header::HeaderMap) {
    let res = env.get(&format!("/api/leads{query}"), token).await;
    assert_eq!(res.status(), 200, "{query}");
    let headers = res.headers().clone();
    (res.json().await.unwrap(), headers)
}

#[tokio::test]
async fn leads_are_filtered_sorted_paged_and_tenant_scoped() {
    let env = Env::start().await;
    let (a, token_a) = env.user("a@example.com", Role::Admin, TenantChoice::Own).await;
    let (b, token_b) = env.user("b@example.com", Role::Admin, TenantChoice::Own).await;
    let (_, rep_a) = env.user("rep@example.com", Role::User, TenantChoice::Of(a.id.clone())).await;

    let store = SqliteStore::open(&env.db_path()).unwrap();
    let states = ["NJ", "TX", "CT", "FL", "CA"];
    let mut leads: Vec<Lead> = (0..25)
        .map(|i| {
            let disposition = match i % 5 {
                0 => None,
                1 => Some(""),
                2 => Some("SOLD"),
                _ => Some("Quoted"),
            };
            let name = format!("Person{i:02} Smith");
            lead(&a.id, i, &name, states[i as usize % 5], disposition, &format!("2017{:06}", 340_000 + i))
        })
        .collect();
    leads.push(lead(&a.id, 100, "Zelda Quintero", "NJ", Some("SOLD"), "2125550100"));
    leads.push(lead(&b.id, 101, "Bea Other", "NJ", None, "3055550101"));
    store.insert_leads(&leads).unwrap();

    // Tenant filtering: A sees its 26, the rep in A's tenant too, B sees its one.
    let (p, headers) = page(&env, &token_a, "").await;
    assert_eq!(p.pagination.total, 26);
    assert_eq!(headers["x-total-count"], "26");
    assert!(headers.contains_key("x-query-time"));
    assert!(p.meta["requestId"].is_string() && p.meta["queryTime"].is_number());
    assert!(p.leads.iter().all(|l| l.tenant_id.as_deref() == Some(a.id.as_str())));
    assert_eq!(page(&env, &rep_a, "").await.0.pagination.total, 26);
    let (pb, _) = page(&env, &token_b, "").await;
    assert_eq!(pb.leads.len(), 1);
    assert_eq!(pb.leads[0].name, "Bea Other");

    // Default sort: newest first.
    assert_eq!(p.leads[0].name, "Zelda Quintero");
    assert_eq!(p.leads[1].name, "Person24 Smith");

    // Unknown key.
    let res = env.get("/api/leads?search=x&$where=1", &token_a).await;
    assert_eq!(res.status(), 400);
    let body: ErrorBody = res.json().await.unwrap();
    assert_eq!(body.success, Some(false));
    assert_eq!(body.error.as_deref(), Some("invalid_query"));
    assert_eq!(body.message.as_deref(), Some("Invalid query parameter: $where"));

    // Limits are clamped; pages add up.
    assert_eq!(page(&env, &token_a, "?limit=1000").await.0.pagination.limit, 100);
    let (p, _) = page(&env, &token_a, "?limit=1").await;
    assert_eq!((p.pagination.limit, p.pagination.pages, p.leads.len()), (10, 3, 10));
    let (p3, _) = page(&env, &token_a, "?limit=10&page=3").await;
    assert_eq!((p3.pagination.page, p3.leads.len()), (3, 6));
    let mut seen: Vec<String> = Vec::new();
    for n in 1..=3 {
        seen.extend(page(&env, &token_a, &format!("?limit=10&page={n}")).await.0.leads.into_iter().map(|l| l.id));
    }
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 26, "pages neither repeat nor skip");

    // Search: name case-insensitively, phone by its digits in any spelling.
    let (p, _) = page(&env, &token_a, "?search=zELDa").await;
    assert_eq!(p.leads.len(), 1);
    let (p, _) = page(&env, &token_a, "?search=%28201%29%20734-0007").await;
    assert_eq!(p.leads.len(), 1, "(201) 734-0007 finds 2017340007");
    assert_eq!(p.leads[0].name, "Person07 Smith");
    // B's lead is invisible to A's search.
    assert_eq!(page(&env, &token_a, "?search=Bea").await.0.pagination.total, 0);
    // LIKE wildcards are literal.
    assert_eq!(page(&env, &token_a, "?search=%25").await.0.pagination.total, 0);

    // States (comma list and repeated keys).
    let (p, _) = page(&env, &token_a, "?states=NJ,CT&limit=100").await;
    assert_eq!(p.pagination.total, 11);
    assert!(p.leads.iter().all(|l| matches!(l.state.as_deref(), Some("NJ" | "CT"))));
    assert_eq!(page(&env, &token_a, "?states=NJ&states=CT").await.0.pagination.total, 11);

    // "No Disposition" matches missing and empty.
    let (p, _) = page(&env, &token_a, "?dispositions=No%20Disposition&limit=100").await;
    assert_eq!(p.pagination.total, 10);
    assert!(p.leads.iter().all(|l| l.disposition.as_deref().unwrap_or("").is_empty()));
    assert_eq!(page(&env, &token_a, "?dispositions=No%20Disposition,SOLD").await.0.pagination.total, 16);

    // Sources and pipelineSource.
    let nextgen = page(&env, &token_a, "?sources=NextGen").await.0.pagination.total;
    assert_eq!(nextgen, 14);
    assert_eq!(page(&env, &token_a, "?pipelineSource=nextgen").await.0.pagination.total, nextgen);
    assert_eq!(page(&env, &token_a, "?pipelineSource=csv").await.0.pagination.total, 12);
    assert_eq!(page(&env, &token_a, "?sources=CSV%20Import").await.0.pagination.total, 12);

    // Sort by name ascending.
    let (p, _) = page(&env, &token_a, "?sortBy=name&sortDirection=asc&limit=100").await;
    let names: Vec<&str> = p.leads.iter().map(|l| l.name.as_str()).collect();
    let mut sorted = names.clone();
    sorted.sort_by_key(|n| n.to_lowercase());
    assert_eq!(names, sorted);
    assert_eq!(env.get("/api/leads?sortBy=password", &token_a).await.status(), 400);

    // Single lead: own tenant only.
    let own = &leads[3].id;
    let res = env.get(&format!("/api/leads/{own}"), &token_a).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Lead>().await.unwrap().id, *own);
    assert_eq!(env.get(&format!("/api/leads/{own}"), &token_b).await.status(), 404);
    assert_eq!(env.get("/api/leads/ffffffffffffffffffffffff", &token_a).await.status(), 404);
    assert_eq!(env.http.get(env.url("/api/leads")).send().await.unwrap().status(), 401);
}

/// The sync routes: what the server can do, and a tenant's lead changes after a cursor.
#[tokio::test]
async fn sync_routes_list_changes_after_a_cursor_for_the_tenant_only() {
    let env = Env::start().await;
    let (a, token) = env.user("sync@example.com", Role::Admin, TenantChoice::Own).await;
    let (b, _) = env.user("other@example.com", Role::Admin, TenantChoice::Own).await;
    let (creds_a, creds_b) = (env.creds_of(&a).await, env.creds_of(&b).await);
    for i in 0..3 {
        env.post_lead(&creds_a, &common::lead_body(&format!("A{i}"), &format!("201555010{i}"))).await;
    }
    env.post_lead(&creds_b, &common::lead_body("B", "2025550100")).await;

    let caps: Capabilities = env.get("/api/sync/capabilities", &token).await.json().await.unwrap();
    assert!(caps.lead_changes && caps.socket_resume);
    let all: LeadChanges = env.get("/api/sync/leads?after=0&limit=2", &token).await.json().await.unwrap();
    let seqs: Vec<u64> = all.changes.iter().map(|c| c.seq).collect();
    assert_eq!((seqs, all.cursor, all.more), (vec![1, 2], 2, true));
    let rest: LeadChanges = env.get("/api/sync/leads?after=2", &token).await.json().await.unwrap();
    assert_eq!(
        (rest.changes.len(), rest.changes[0].lead.name.as_str(), rest.cursor, rest.more),
        (1, "A2 Tester", 3, false)
    );
    let none: LeadChanges = env.get("/api/sync/leads?after=3", &token).await.json().await.unwrap();
    assert_eq!((none.changes.len(), none.cursor, none.more), (0, 3, false));

    assert_eq!(env.get("/api/sync/leads?after=0&since=x", &token).await.status(), 400, "unknown keys are refused");
    assert_eq!(env.get("/api/sync/leads?after=-1", &token).await.status(), 400);
    assert_eq!(env.get("/api/sync/leads", "not-a-token").await.status(), 401);
}

#[tokio::test]
async fn credentials_are_for_admins_of_the_tenant() {
    let env = Env::start().await;
    let (a, admin) = env.user("a@example.com", Role::Admin, TenantChoice::Own).await;
    let (_, rep) = env.user("r@example.com", Role::User, TenantChoice::Of(a.id.clone())).await;
    let res = env.get("/api/integrations/nextgen/credentials", &admin).await;
    assert_eq!(res.status(), 200);
    let creds: crokodial_server::WebhookCredentials = res.json().await.unwrap();
    assert_eq!(creds, env.creds_of(&a).await, "stable once created");
    assert_eq!(env.get("/api/integrations/nextgen/credentials", &rep).await.status(), 403);
}

#[tokio::test]
async fn demo_mode_seeds_once_and_lists_accounts() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let mut config = crokodial_server::Config::for_tests(db.clone());
    config.demo = true;
    let server = crokodial_server::Server::start(config.clone()).await.unwrap();
    let accounts = server.demo_accounts();
    assert_eq!(accounts.len(), 2);
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let listed: Vec<crokodial_core::api::DemoAccount> =
        http.get(format!("{}/api/demo/accounts", server.base_url())).send().await.unwrap().json().await.unwrap();
    assert_eq!(listed, accounts);

    let mut tokens = Vec::new();
    for a in &accounts {
        let res = http
            .post(format!("{}/api/auth/login", server.base_url()))
            .json(&serde_json::json!({"email": a.email, "password": a.password}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{}", a.email);
        tokens.push(res.json::<crokodial_core::api::LoginResponse>().await.unwrap());
    }
    assert!(tokens.iter().any(|t| t.user.role == Role::Admin && t.user.email == "admin@demo.crokodial.test"));
    assert!(tokens.iter().any(|t| t.user.role == Role::User && t.user.email == "rep@demo.crokodial.test"));
    let count = |base: String, token: String| {
        let http = http.clone();
        let url = format!("{base}/api/leads?limit=100");
        async move { http.get(url).bearer_auth(token).send().await.unwrap().json::<LeadsPage>().await.unwrap() }
    };
    let p = count(server.base_url(), tokens[1].token.clone()).await;
    assert_eq!(p.pagination.total, 300, "the rep shares the admin's tenant");
    let sources: std::collections::HashSet<_> = p.leads.iter().filter_map(|l| l.source).collect();
    assert!(sources.len() >= 2, "{sources:?}");
    server.shutdown().await;

    // Restart on the same file: same passwords, no second batch.
    let server = crokodial_server::Server::start(config).await.unwrap();
    assert_eq!(server.demo_accounts(), accounts);
    let p = count(server.base_url(), tokens[0].token.clone()).await;
    assert_eq!(p.pagination.total, 300);
    server.shutdown().await;
}

#[tokio::test]
async fn demo_accounts_are_404_outside_demo_mode() {
    let env = Env::start().await;
    assert!(env.server.demo_accounts().is_empty());
    let res = env.http.get(env.url("/api/demo/accounts")).send().await.unwrap();
    assert_eq!(res.status(), 404);
    assert!(res.json::<ErrorBody>().await.unwrap().error.is_some());
}
