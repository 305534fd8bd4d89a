//! Sign-in, token refresh with rotation and reuse detection, sign-out, customer registration,
//! password change.

use super::people::User;
use super::{ClientAddr, SignedIn, actor, state};
use crate::app::AppResult;
use crate::app::sessions::{self as uc, Keys, Registration, Session};
use crate::state::AppState;
use async_graphql::{Context, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use std::net::IpAddr;

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
    /// Sign-in email address; an address another account has is refused with `CONFLICT`.
    pub email: String,
    /// Display name (at most 200 characters).
    pub name: String,
    /// Password: 10 to 128 characters, not one of the most common passwords.
    pub password: String,
    /// Phone number, kept as written: 5 to 20 digits, with `+`, `-`, spaces and brackets
    /// allowed.
    pub phone: Option<String>,
}

fn keys(state: &AppState) -> Keys<'_> {
    Keys {
        jwt: &state.jwt,
        limiter: &state.limiter,
        refresh_ttl: state.settings.refresh_token_ttl,
    }
}

fn address(ctx: &Context<'_>) -> Option<IpAddr> {
    ctx.data_opt::<ClientAddr>().and_then(|a| a.0)
}

impl From<Session> for AuthPayload {
    fn from(s: Session) -> Self {
        AuthPayload {
            access_token: s.access_token,
            refresh_token: s.refresh_token,
            access_token_expires_at: s.access_token_expires_at,
            user: User(s.user),
        }
    }
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
        #[graphql(desc = "The account's sign-in email address.")] email: String,
        #[graphql(desc = "The account's password.")] password: String,
    ) -> AppResult<AuthPayload> {
        let state = state(ctx)?;
        let session = uc::login(&state.app, &keys(state), address(ctx), &email, password).await?;
        Ok(session.into())
    }

    /// Exchanges a refresh token for new tokens. Each refresh token works once; presenting one
    /// that was already used revokes every token descended from the same sign-in.
    async fn refresh_token(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The `refreshToken` of the latest sign-in or refresh; it works once.")]
        refresh_token: String,
    ) -> AppResult<AuthPayload> {
        let state = state(ctx)?;
        Ok(uc::refresh(&state.app, &keys(state), &refresh_token)
            .await?
            .into())
    }

    /// Ends the session the refresh token belongs to. Returns whether the token was known.
    async fn logout(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A refresh token of the session to end.")] refresh_token: String,
    ) -> AppResult<bool> {
        uc::logout(&state(ctx)?.app, &refresh_token).await
    }

    /// Creates a customer account for the mobile app and signs it in.
    async fn register_customer(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new customer's details.")] input: RegisterCustomerInput,
    ) -> AppResult<AuthPayload> {
        let state = state(ctx)?;
        let registration = Registration {
            email: input.email,
            name: input.name,
            password: input.password,
            phone: input.phone,
        };
        Ok(
            uc::register_customer(&state.app, &keys(state), registration)
                .await?
                .into(),
        )
    }

    /// Changes the caller's password. Every session ends, this one included: sign in again
    /// with the new password.
    #[graphql(guard = "SignedIn")]
    async fn change_password(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The caller's current password; wrong ones are throttled like sign-in.")]
        current_password: String,
        #[graphql(
            desc = "The new password: 10 to 128 characters, not one of the most common passwords, different from the current one."
        )]
        new_password: String,
    ) -> AppResult<bool> {
        let state = state(ctx)?;
        let (actor, address) = (actor(ctx)?, address(ctx));
        uc::change_password(
            &state.app,
            &keys(state),
            actor,
            address,
            current_password,
            new_password,
        )
        .await?;
        Ok(true)
    }
}
