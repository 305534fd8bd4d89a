//! Sessions: sign-in with throttling, token refresh with rotation and reuse detection, sign-out,
//! customer registration, password change.

use super::error::{AppError, AppResult};
use super::{Actor, App, text};
use crate::auth::jwt::JwtKeys;
use crate::auth::rate_limit::LoginLimiter;
use crate::auth::{password, refresh};
use careline_domain::contact::{Email, Phone};
use careline_domain::{Role, Roles, password::check_policy};
use careline_persistence::{entity::user, now, tokens, users};
use chrono::{DateTime, Utc};
use sea_orm::TransactionTrait;
use std::net::IpAddr;
use uuid::Uuid;

const BAD_CREDENTIALS: &str = "the email or password is not correct";

/// What signing in or refreshing yields.
pub struct Session {
    /// The short-lived access token.
    pub access_token: String,
    /// The opaque refresh token (stored hashed).
    pub refresh_token: String,
    /// When the access token expires.
    pub access_token_expires_at: DateTime<Utc>,
    /// The account.
    pub user: user::Model,
}

/// What the session use cases need besides the database.
pub struct Keys<'a> {
    /// Access token signing.
    pub jwt: &'a JwtKeys,
    /// Failed sign-in counters.
    pub limiter: &'a LoginLimiter,
    /// Refresh token lifetime.
    pub refresh_ttl: chrono::Duration,
}

async fn issue(app: &App, keys: &Keys<'_>, user: user::Model, family: Uuid) -> AppResult<Session> {
    let at = now();
    let (access_token, access_token_expires_at) = keys
        .jwt
        .issue(user.id, user.role_set(), user.auth_version, at)
        .map_err(|e| AppError::internal(e, "signing an access token"))?;
    let refresh_token = refresh::generate();
    tokens::insert(
        &app.db,
        user.id,
        family,
        refresh::hash(&refresh_token),
        at + keys.refresh_ttl,
    )
    .await?;
    Ok(Session {
        access_token,
        refresh_token,
        access_token_expires_at,
        user,
    })
}

/// Signs in with email and password, throttled per account at the client address, per address
/// and per account (see [`crate::auth::rate_limit`]).
pub async fn login(
    app: &App,
    keys: &Keys<'_>,
    address: Option<IpAddr>,
    email: &str,
    password: String,
) -> AppResult<Session> {
    // Counted as a failure from here on, unless it succeeds.
    begin_attempt(keys, address, email).await?;
    if password.chars().count() > careline_domain::password::MAX_CHARS {
        return Err(AppError::Unauthenticated(BAD_CREDENTIALS.to_owned()));
    }
    let account = users::find_by_email(&app.db, email).await?;
    let verified = match &account {
        Some(account) => password::verify(password, account.password_hash.clone()).await?,
        None => {
            password::verify_against_dummy(password).await?;
            false
        }
    };
    match account {
        Some(account) if verified && account.active => {
            keys.limiter.succeeded(address, email).await;
            tracing::info!(user.id = %account.id, "signed in");
            issue(app, keys, account, Uuid::now_v7()).await
        }
        _ => Err(AppError::Unauthenticated(BAD_CREDENTIALS.to_owned())),
    }
}

/// Throttles a password check (see [`LoginLimiter`]).
async fn begin_attempt(keys: &Keys<'_>, address: Option<IpAddr>, email: &str) -> AppResult<()> {
    keys.limiter
        .begin(address, email)
        .await
        .map_err(|retry_after_seconds| AppError::RateLimited {
            retry_after_seconds,
        })
}

/// Exchanges a refresh token for a new pair. A token used twice ends its whole session.
pub async fn refresh(app: &App, keys: &Keys<'_>, refresh_token: &str) -> AppResult<Session> {
    let invalid =
        || AppError::Unauthenticated("the refresh token is not valid; sign in again".into());
    let Some(stored) = tokens::find_by_hash(&app.db, &refresh::hash(refresh_token)).await? else {
        return Err(invalid());
    };
    if stored.revoked_at.is_some() {
        return Err(invalid());
    }
    if stored.used_at.is_some() || !tokens::consume(&app.db, stored.id).await? {
        // Reuse: someone holds a copy of a rotated token. End the whole session.
        tokens::revoke_family(&app.db, stored.family_id).await?;
        tracing::warn!(user.id = %stored.user_id, "refresh token reuse detected; session revoked");
        return Err(invalid());
    }
    if stored.expires_at <= now() {
        return Err(invalid());
    }
    match users::find(&app.db, stored.user_id).await? {
        Some(account) if account.active => issue(app, keys, account, stored.family_id).await,
        _ => {
            tokens::revoke_family(&app.db, stored.family_id).await?;
            Err(invalid())
        }
    }
}

/// Ends the session a refresh token belongs to; `false` when there was none.
pub async fn logout(app: &App, refresh_token: &str) -> AppResult<bool> {
    match tokens::find_by_hash(&app.db, &refresh::hash(refresh_token)).await? {
        Some(stored) => {
            tokens::revoke_family(&app.db, stored.family_id).await?;
            Ok(true)
        }
        None => Ok(false),
    }
}

/// A customer signing up, as typed.
pub struct Registration {
    /// Sign-in email.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Password (checked against the policy).
    pub password: String,
    /// Phone, if given.
    pub phone: Option<String>,
}

/// Creates a customer account and signs it in.
pub async fn register_customer(
    app: &App,
    keys: &Keys<'_>,
    input: Registration,
) -> AppResult<Session> {
    let email = Email::parse(&input.email, "input.email")?.into_inner();
    let name = text(&input.name, "input.name", 200)?;
    let phone = input
        .phone
        .as_deref()
        .map(|p| Phone::parse(p, "input.phone"))
        .transpose()?
        .map(Phone::into_inner);
    check_policy(&input.password, "input.password")?;
    let password_hash = password::hash(input.password).await?;
    let account = users::insert(
        &app.db,
        users::NewUser {
            email,
            name,
            password_hash,
            roles: Roles::from_iter([Role::Customer]),
            department_id: None,
            team_id: None,
            phone,
            skills: Vec::new(),
            capacity: 0,
        },
    )
    .await?;
    tracing::info!(user.id = %account.id, "customer registered");
    issue(app, keys, account, Uuid::now_v7()).await
}

/// Changes the actor's password (throttled like sign-in) and ends every session they have, in
/// one transaction: every refresh token is revoked, access tokens stop working (the account's
/// `auth_version` moves on) and open WebSockets close (`SessionsEnded`).
pub async fn change_password(
    app: &App,
    keys: &Keys<'_>,
    actor: &Actor,
    address: Option<IpAddr>,
    current_password: String,
    new_password: String,
) -> AppResult<()> {
    let key = actor.user.email.clone();
    begin_attempt(keys, address, &key).await?;
    if !password::verify(current_password.clone(), actor.user.password_hash.clone()).await? {
        return Err(AppError::bad_input(
            "currentPassword",
            "the current password is not correct",
        ));
    }
    keys.limiter.succeeded(address, &key).await;
    check_policy(&new_password, "newPassword")?;
    if new_password == current_password {
        return Err(AppError::bad_input(
            "newPassword",
            "the new password must differ from the current one",
        ));
    }
    let hash = password::hash(new_password).await?;
    let txn = app.db.begin().await?;
    users::set_password(&txn, &actor.user, hash).await?;
    tokens::end_sessions(&txn, actor.id()).await?;
    txn.commit().await?;
    app.committed();
    tracing::info!(user.id = %actor.id(), "password changed; sessions revoked");
    Ok(())
}

/// Whether `viewer` is still signed in as the token they connected with says: their account
/// exists, is active, and no password change or sign-out everywhere happened since.
pub async fn still_signed_in(app: &App, viewer: &Actor) -> AppResult<bool> {
    Ok(
        match careline_persistence::users::find(&app.db, viewer.id()).await? {
            Some(user) => user.active && user.auth_version == viewer.user.auth_version,
            None => false,
        },
    )
}
