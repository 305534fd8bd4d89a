//! Sign-in, token refresh with rotation and reuse detection, sign-out, customer registration,
//! password change.

use super::people::{User, check_email, check_phone};
use super::{ClientAddr, SignedIn, state, text, viewer};
use crate::auth::{password, refresh};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use async_graphql::{Context, InputObject, Object, SimpleObject};
use careline_domain::{Role, Roles, password::check_policy};
use careline_persistence::{entity::user, now, tokens, users};
use chrono::{DateTime, Utc};
use std::time::Instant;
use uuid::Uuid;

/// Tokens for a signed-in account.
#[derive(SimpleObject)]
pub struct AuthPayload {
    /// Short-lived JWT for `Authorization: Bearer`.
    pub access_token: String,
    /// Opaque, single-use token for `refreshToken`.
    pub refresh_token: String,
    /// When the access token stops working.
    pub access_token_expires_at: DateTime<Utc>,
    /// The account.
    pub user: User,
}

/// A new customer account.
#[derive(InputObject)]
pub struct RegisterCustomerInput {
    pub email: String,
    pub name: String,
    pub password: String,
    pub phone: Option<String>,
}

const BAD_CREDENTIALS: &str = "the email or password is not correct";

/// Issues an access token and a refresh token in `family` (a new family for a new login).
async fn issue(state: &AppState, user: user::Model, family: Uuid) -> ApiResult<AuthPayload> {
    let at = now();
    let (access_token, access_token_expires_at) = state
        .jwt
        .issue(user.id, user.role_set(), user.auth_version, at)
        .map_err(|e| ApiError::internal(e, "signing an access token"))?;
    let refresh_token = refresh::generate();
    tokens::insert(
        &state.db,
        user.id,
        family,
        refresh::hash(&refresh_token),
        at + state.settings.refresh_token_ttl,
    )
    .await?;
    Ok(AuthPayload {
        access_token,
        refresh_token,
        access_token_expires_at,
        user: User(user),
    })
}

/// Sign-in and session mutations.
#[derive(Default)]
pub struct AuthMutation;

#[Object]
impl AuthMutation {
    /// Signs in. Unknown email and wrong password fail the same way, in comparable time;
    /// repeated failures are throttled per address and per email (`RATE_LIMITED`).
    async fn login(
        &self,
        ctx: &Context<'_>,
        email: String,
        password: String,
    ) -> ApiResult<AuthPayload> {
        let state = state(ctx)?;
        let address = ctx.data_opt::<ClientAddr>().and_then(|a| a.0);
        if let Some(retry_after_seconds) = state.limiter.check(address, &email, Instant::now()) {
            return Err(ApiError::RateLimited {
                retry_after_seconds,
            });
        }
        if password.chars().count() > careline_domain::password::MAX_CHARS {
            state
                .limiter
                .record_failure(address, &email, Instant::now());
            return Err(ApiError::Unauthenticated(BAD_CREDENTIALS.to_owned()));
        }
        let account = users::find_by_email(&state.db, &email).await?;
        let verified = match &account {
            Some(account) => password::verify(password, account.password_hash.clone()).await?,
            None => {
                password::verify_against_dummy(password).await?;
                false
            }
        };
        match account {
            Some(account) if verified && account.active => {
                state.limiter.record_success(&email);
                tracing::info!(user.id = %account.id, "signed in");
                issue(state, account, Uuid::now_v7()).await
            }
            _ => {
                state
                    .limiter
                    .record_failure(address, &email, Instant::now());
                Err(ApiError::Unauthenticated(BAD_CREDENTIALS.to_owned()))
            }
        }
    }

    /// Exchanges a refresh token for new tokens. Each refresh token works once; presenting one
    /// that was already used revokes every token descended from the same sign-in.
    async fn refresh_token(
        &self,
        ctx: &Context<'_>,
        refresh_token: String,
    ) -> ApiResult<AuthPayload> {
        let state = state(ctx)?;
        let invalid =
            || ApiError::Unauthenticated("the refresh token is not valid; sign in again".into());
        let Some(stored) = tokens::find_by_hash(&state.db, &refresh::hash(&refresh_token)).await?
        else {
            return Err(invalid());
        };
        if stored.revoked_at.is_some() {
            return Err(invalid());
        }
        if stored.used_at.is_some() || !tokens::consume(&state.db, stored.id).await? {
            // Reuse: someone holds a copy of a rotated token. End the whole session.
            tokens::revoke_family(&state.db, stored.family_id).await?;
            tracing::warn!(user.id = %stored.user_id, "refresh token reuse detected; session revoked");
            return Err(invalid());
        }
        if stored.expires_at <= now() {
            return Err(invalid());
        }
        match users::find(&state.db, stored.user_id).await? {
            Some(account) if account.active => issue(state, account, stored.family_id).await,
            _ => {
                tokens::revoke_family(&state.db, stored.family_id).await?;
                Err(invalid())
            }
        }
    }

    /// Ends the session the refresh token belongs to. Returns whether the token was known.
    async fn logout(&self, ctx: &Context<'_>, refresh_token: String) -> ApiResult<bool> {
        let state = state(ctx)?;
        match tokens::find_by_hash(&state.db, &refresh::hash(&refresh_token)).await? {
            Some(stored) => {
                tokens::revoke_family(&state.db, stored.family_id).await?;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// Creates a customer account for the mobile app and signs it in.
    async fn register_customer(
        &self,
        ctx: &Context<'_>,
        input: RegisterCustomerInput,
    ) -> ApiResult<AuthPayload> {
        let state = state(ctx)?;
        let email = check_email(&input.email, "input.email")?;
        let name = text(&input.name, "input.name", 200)?;
        let phone = input
            .phone
            .as_deref()
            .map(|p| check_phone(p, "input.phone"))
            .transpose()?;
        check_policy(&input.password, "input.password")?;
        let password_hash = password::hash(input.password).await?;
        let account = users::insert(
            &state.db,
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
        issue(state, account, Uuid::now_v7()).await
    }

    /// Changes the caller's password. Every session ends, this one included: sign in again
    /// with the new password.
    #[graphql(guard = "SignedIn")]
    async fn change_password(
        &self,
        ctx: &Context<'_>,
        current_password: String,
        new_password: String,
    ) -> ApiResult<bool> {
        let state = state(ctx)?;
        let viewer = viewer(ctx)?;
        let address = ctx.data_opt::<ClientAddr>().and_then(|a| a.0);
        let key = viewer.user.email.clone();
        if let Some(retry_after_seconds) = state.limiter.check(address, &key, Instant::now()) {
            return Err(ApiError::RateLimited {
                retry_after_seconds,
            });
        }
        if !password::verify(current_password.clone(), viewer.user.password_hash.clone()).await? {
            state.limiter.record_failure(address, &key, Instant::now());
            return Err(ApiError::bad_input(
                "currentPassword",
                "the current password is not correct",
            ));
        }
        check_policy(&new_password, "newPassword")?;
        if new_password == current_password {
            return Err(ApiError::bad_input(
                "newPassword",
                "the new password must differ from the current one",
            ));
        }
        let hash = password::hash(new_password).await?;
        users::set_password(&state.db, &viewer.user, hash).await?;
        tokens::revoke_user(&state.db, viewer.id()).await?;
        tracing::info!(user.id = %viewer.id(), "password changed; sessions revoked");
        Ok(true)
    }
}
