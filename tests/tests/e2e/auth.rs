//! Sign-in, tokens and sessions, end to end.

use careline_tests::kit::{AARON, ADMIN, ALICE, BELLA, DEACTIVATE, REFRESH, TECH, claims, mint};
use careline_tests::{DEMO_PASSWORD, TEST_SECRET, TestApp, data, error_code};
use serde_json::{Value, json};

const ME: &str = "{ me { id email roles active } }";

#[tokio::test]
async fn login_returns_tokens_that_identify_the_user() {
    let app = TestApp::spawn().await;
    let body = app.login_payload(ALICE, DEMO_PASSWORD).await;
    let login = &data(&body)["login"];
    assert_eq!(login["user"]["roles"], json!(["AGENT"]));
    assert!(login["refreshToken"].as_str().unwrap().len() >= 40);
    let token = login["accessToken"].as_str().unwrap();
    let me = app.gql(Some(token), ME, json!({})).await;
    assert_eq!(data(&me)["me"]["email"], ALICE);
    let header: Value = {
        use base64::Engine;
        let part = token.split('.').next().unwrap();
        serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(part)
                .unwrap(),
        )
        .unwrap()
    };
    assert_eq!(header["alg"], "HS256");
}

#[tokio::test]
async fn unknown_email_and_wrong_password_fail_identically() {
    let app = TestApp::spawn().await;
    let wrong = app.login_payload(ALICE, "not-the-password").await;
    let unknown = app
        .login_payload("nobody@careline.example", "not-the-password")
        .await;
    assert_eq!(error_code(&wrong), Some("UNAUTHENTICATED"));
    assert_eq!(
        wrong["errors"][0]["message"],
        unknown["errors"][0]["message"]
    );
    // Everything but the request id, which names each request by design.
    let extensions = |body: &serde_json::Value| {
        let mut e = body["errors"][0]["extensions"].clone();
        e.as_object_mut().map(|o| o.remove("requestId"));
        e
    };
    assert_eq!(extensions(&wrong), extensions(&unknown));
}

#[tokio::test]
async fn login_is_rate_limited_after_five_failures_for_one_email() {
    let app = TestApp::spawn().await;
    for _ in 0..5 {
        let body = app.login_payload(AARON, "wrong-password-1").await;
        assert_eq!(error_code(&body), Some("UNAUTHENTICATED"));
    }
    // Even the right password is refused while the window lasts.
    let body = app.login_payload(AARON, DEMO_PASSWORD).await;
    assert_eq!(error_code(&body), Some("RATE_LIMITED"), "{body}");
    let retry = body["errors"][0]["extensions"]["retryAfterSeconds"]
        .as_u64()
        .unwrap();
    assert!((1..=60).contains(&retry));
    // Another account is not affected.
    let other = app.login_payload(BELLA, DEMO_PASSWORD).await;
    assert!(other["data"]["login"]["accessToken"].is_string());
}

#[tokio::test]
async fn refresh_rotates_the_token_and_reuse_revokes_the_whole_session() {
    let app = TestApp::spawn().await;
    let body = app.login_payload(ALICE, DEMO_PASSWORD).await;
    let first = data(&body)["login"]["refreshToken"]
        .as_str()
        .unwrap()
        .to_owned();

    let rotated = app.gql(None, REFRESH, json!({ "t": first })).await;
    let second = data(&rotated)["refreshToken"]["refreshToken"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(first, second);

    // The first token was used: presenting it again is theft, and ends the session.
    let reused = app.gql(None, REFRESH, json!({ "t": first })).await;
    assert_eq!(error_code(&reused), Some("UNAUTHENTICATED"));
    let after_reuse = app.gql(None, REFRESH, json!({ "t": second })).await;
    assert_eq!(
        error_code(&after_reuse),
        Some("UNAUTHENTICATED"),
        "{after_reuse}"
    );
}

#[tokio::test]
async fn logout_revokes_the_refresh_token() {
    let app = TestApp::spawn().await;
    let body = app.login_payload(ALICE, DEMO_PASSWORD).await;
    let refresh = data(&body)["login"]["refreshToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let out = app
        .gql(
            None,
            "mutation($t: String!) { logout(refreshToken: $t) }",
            json!({ "t": refresh }),
        )
        .await;
    assert_eq!(data(&out)["logout"], true);
    let again = app.gql(None, REFRESH, json!({ "t": refresh })).await;
    assert_eq!(error_code(&again), Some("UNAUTHENTICATED"));
}

#[tokio::test]
async fn a_deactivated_user_is_shut_out_at_once() {
    let app = TestApp::spawn().await;
    let admin = app.login(ADMIN).await;
    let body = app.login_payload(BELLA, DEMO_PASSWORD).await;
    let access = data(&body)["login"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let refresh = data(&body)["login"]["refreshToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let id = app.user_id(BELLA).await;

    let off = app.gql(Some(&admin), DEACTIVATE, json!({ "id": id })).await;
    assert_eq!(data(&off)["setUserActive"]["active"], false);

    assert_eq!(
        error_code(&app.gql(Some(&access), ME, json!({})).await),
        Some("UNAUTHENTICATED")
    );
    assert_eq!(
        error_code(&app.gql(None, REFRESH, json!({ "t": refresh })).await),
        Some("UNAUTHENTICATED")
    );
    let login = app.login_payload(BELLA, DEMO_PASSWORD).await;
    assert_eq!(error_code(&login), Some("UNAUTHENTICATED"));

    // Reactivated, they can sign in again.
    app.gql(
        Some(&admin),
        "mutation($id: ID!) { setUserActive(id: $id, active: true) { active } }",
        json!({ "id": id }),
    )
    .await;
    app.login(BELLA).await;
}

#[tokio::test]
async fn hostile_tokens_are_refused() {
    let app = TestApp::spawn().await;
    let admin_id = app.user_id(ADMIN).await;
    let genuine = app.login(ADMIN).await;
    assert!(data(&app.gql(Some(&genuine), ME, json!({})).await)["me"].is_object());

    // A valid token with its payload changed: the signature no longer matches.
    let parts: Vec<&str> = genuine.split('.').collect();
    let forged_payload = {
        use base64::Engine;
        let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let mut claims: Value = serde_json::from_slice(&engine.decode(parts[1]).unwrap()).unwrap();
        claims["roles"] = json!(["ADMIN", "MANAGER"]);
        claims["exp"] = json!(claims["exp"].as_i64().unwrap() + 86_400);
        engine.encode(serde_json::to_vec(&claims).unwrap())
    };
    let tampered = format!("{}.{}.{}", parts[0], forged_payload, parts[2]);

    // `alg: none` with no signature.
    let none = {
        use base64::Engine;
        let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        format!(
            "{}.{}.",
            engine.encode(br#"{"alg":"none","typ":"JWT"}"#),
            engine.encode(serde_json::to_vec(&claims(&admin_id, "ADMIN", 600)).unwrap())
        )
    };
    let expired = mint(
        claims(&admin_id, "ADMIN", -3600),
        TEST_SECRET,
        jsonwebtoken::Algorithm::HS256,
    );
    let other_alg = mint(
        claims(&admin_id, "ADMIN", 600),
        TEST_SECRET,
        jsonwebtoken::Algorithm::HS512,
    );
    let wrong_secret = mint(
        claims(&admin_id, "ADMIN", 600),
        b"another-secret-another-secret-xx",
        jsonwebtoken::Algorithm::HS256,
    );
    let mut wrong_audience = claims(&admin_id, "ADMIN", 600);
    wrong_audience["aud"] = json!("someone-else");
    let wrong_audience = mint(wrong_audience, TEST_SECRET, jsonwebtoken::Algorithm::HS256);
    let mut refresh_typed = claims(&admin_id, "ADMIN", 600);
    refresh_typed["typ"] = json!("refresh");
    let refresh_typed = mint(refresh_typed, TEST_SECRET, jsonwebtoken::Algorithm::HS256);

    for (name, token) in [
        ("tampered", tampered),
        ("alg none", none),
        ("expired", expired.clone()),
        ("HS512", other_alg),
        ("wrong secret", wrong_secret),
        ("wrong audience", wrong_audience),
        ("wrong type", refresh_typed),
        ("garbage", "not.a.jwt".to_owned()),
    ] {
        let body = app.gql(Some(&token), ME, json!({})).await;
        assert_eq!(error_code(&body), Some("UNAUTHENTICATED"), "{name}: {body}");
    }
    let body = app.gql(Some(&expired), ME, json!({})).await;
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("expired")
    );
}

#[tokio::test]
async fn change_password_checks_the_current_one_and_ends_every_session() {
    let app = TestApp::spawn().await;
    let body = app.login_payload(TECH, DEMO_PASSWORD).await;
    let access = data(&body)["login"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let refresh = data(&body)["login"]["refreshToken"]
        .as_str()
        .unwrap()
        .to_owned();
    const CHANGE: &str = "mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) }";

    let wrong = app
        .gql(
            Some(&access),
            CHANGE,
            json!({ "c": "nope-nope-nope", "n": "a much better passphrase" }),
        )
        .await;
    assert_eq!(error_code(&wrong), Some("BAD_USER_INPUT"));
    assert_eq!(wrong["errors"][0]["extensions"]["field"], "currentPassword");

    let weak = app
        .gql(
            Some(&access),
            CHANGE,
            json!({ "c": DEMO_PASSWORD, "n": "password123" }),
        )
        .await;
    assert_eq!(error_code(&weak), Some("BAD_USER_INPUT"));
    assert_eq!(weak["errors"][0]["extensions"]["field"], "newPassword");

    let ok = app
        .gql(
            Some(&access),
            CHANGE,
            json!({ "c": DEMO_PASSWORD, "n": "a much better passphrase" }),
        )
        .await;
    assert_eq!(data(&ok)["changePassword"], true);
    assert_eq!(
        error_code(&app.gql(Some(&access), ME, json!({})).await),
        Some("UNAUTHENTICATED")
    );
    assert_eq!(
        error_code(&app.gql(None, REFRESH, json!({ "t": refresh })).await),
        Some("UNAUTHENTICATED")
    );
    assert_eq!(
        error_code(&app.login_payload(TECH, DEMO_PASSWORD).await),
        Some("UNAUTHENTICATED")
    );
    let fresh = app.login_payload(TECH, "a much better passphrase").await;
    assert!(fresh["data"]["login"]["accessToken"].is_string());
}

#[tokio::test]
async fn customers_register_with_a_policy_checked_password() {
    let app = TestApp::spawn().await;
    const REGISTER: &str = "mutation($i: RegisterCustomerInput!) { registerCustomer(input: $i) { accessToken user { email roles } } }";
    let weak = app
        .gql(
            None,
            REGISTER,
            json!({ "i": { "email": "new@example.com", "name": "New", "password": "short" } }),
        )
        .await;
    assert_eq!(error_code(&weak), Some("BAD_USER_INPUT"));
    assert_eq!(weak["errors"][0]["extensions"]["field"], "input.password");

    let common = app
        .gql(None, REGISTER, json!({ "i": { "email": "new@example.com", "name": "New", "password": "qwertyuiop123" } }))
        .await;
    assert!(
        common["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("too common")
    );

    let bad_email = app
        .gql(None, REGISTER, json!({ "i": { "email": "not-an-email", "name": "New", "password": "a fine passphrase" } }))
        .await;
    assert_eq!(bad_email["errors"][0]["extensions"]["field"], "input.email");

    let ok = app
        .gql(None, REGISTER, json!({ "i": { "email": "New@Example.com", "name": "New", "password": "a fine passphrase", "phone": "+86 138 0000 1111" } }))
        .await;
    assert_eq!(
        data(&ok)["registerCustomer"]["user"]["roles"],
        json!(["CUSTOMER"])
    );
    assert_eq!(
        data(&ok)["registerCustomer"]["user"]["email"],
        "new@example.com"
    );

    let again = app
        .gql(None, REGISTER, json!({ "i": { "email": "new@example.com", "name": "Again", "password": "a fine passphrase" } }))
        .await;
    assert_eq!(error_code(&again), Some("CONFLICT"));
}

#[tokio::test]
async fn the_bootstrap_admin_is_created_at_start() {
    let app = TestApp::spawn_with(|s| {
        s.seed_demo = false;
        s.bootstrap_admin = Some(("root@ops.example".into(), "a long bootstrap secret".into()));
    })
    .await;
    let body = app
        .login_payload("root@ops.example", "a long bootstrap secret")
        .await;
    assert_eq!(data(&body)["login"]["user"]["roles"], json!(["ADMIN"]));
    // Without the demo seed there are no demo accounts.
    let demo = app.login_payload(ADMIN, DEMO_PASSWORD).await;
    assert_eq!(error_code(&demo), Some("UNAUTHENTICATED"));
}
