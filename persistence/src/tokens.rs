//! Refresh tokens: stored as hashes, rotated on use, revoked by family.

use crate::entity::refresh_token::{self, Entity as RefreshToken, Model};
use crate::{StoreError, now};
use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ConnectionTrait, QueryFilter};

/// Stores a new refresh token's hash.
pub async fn insert<C: ConnectionTrait>(
    db: &C,
    user_id: Uuid,
    family_id: Uuid,
    token_hash: String,
    expires_at: DateTime<Utc>,
) -> Result<Model, StoreError> {
    Ok(refresh_token::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user_id),
        family_id: Set(family_id),
        token_hash: Set(token_hash),
        expires_at: Set(expires_at),
        created_at: Set(now()),
        used_at: Set(None),
        revoked_at: Set(None),
    }
    .insert(db)
    .await?)
}

/// The token with this hash, whatever its state.
pub async fn find_by_hash<C: ConnectionTrait>(
    db: &C,
    token_hash: &str,
) -> Result<Option<Model>, StoreError> {
    Ok(RefreshToken::find()
        .filter(refresh_token::Column::TokenHash.eq(token_hash))
        .one(db)
        .await?)
}

/// Marks a token used, only if it is still unused and unrevoked. Returns whether this call
/// did it: of two concurrent rotations of one token exactly one wins.
pub async fn consume<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<bool, StoreError> {
    let result = RefreshToken::update_many()
        .col_expr(refresh_token::Column::UsedAt, Expr::value(now()))
        .filter(refresh_token::Column::Id.eq(id))
        .filter(refresh_token::Column::UsedAt.is_null())
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Revokes every token of a family (reuse detected, or logout).
pub async fn revoke_family<C: ConnectionTrait>(db: &C, family_id: Uuid) -> Result<(), StoreError> {
    RefreshToken::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(now()))
        .filter(refresh_token::Column::FamilyId.eq(family_id))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Revokes every token of a user (deactivation).
pub async fn revoke_user<C: ConnectionTrait>(db: &C, user_id: Uuid) -> Result<(), StoreError> {
    RefreshToken::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(now()))
        .filter(refresh_token::Column::UserId.eq(user_id))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Ends every session of a user: revokes all their refresh tokens and announces it on the bus
/// (`SessionsEnded`), so their open WebSockets close on every instance. Call inside the
/// transaction that changes the account, and signal the relay after it commits.
pub async fn end_sessions<C: ConnectionTrait>(db: &C, user_id: Uuid) -> Result<(), StoreError> {
    revoke_user(db, user_id).await?;
    let ended = careline_domain::event::Event::SessionsEnded { user_id, at: now() };
    crate::outbox::enqueue(db, &[careline_domain::event::Envelope::new(ended)]).await
}
