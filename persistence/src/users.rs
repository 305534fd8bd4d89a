//! Accounts: staff and customers.

use crate::entity::user::{self, Entity as User, Model};
use crate::page::{Page, PageRequest, paginate};
use crate::{StoreError, now};
use careline_domain::{Role, Roles};
use sea_orm::prelude::*;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveValue::Set, ConnectionTrait, QueryFilter};

/// What it takes to create an account. The password is already hashed.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Login email (lower-cased here).
    pub email: String,
    /// Display name.
    pub name: String,
    /// An argon2id PHC string.
    pub password_hash: String,
    /// Validated role set.
    pub roles: Roles,
    /// Home department.
    pub department_id: Option<Uuid>,
    /// Team within customer service.
    pub team_id: Option<Uuid>,
    /// Contact phone (customers).
    pub phone: Option<String>,
    /// Skill tags such as `technical`.
    pub skills: Vec<String>,
    /// Maximum open tickets.
    pub capacity: i32,
}

/// Creates an account; a taken email is a `Conflict`.
pub async fn insert<C: ConnectionTrait>(db: &C, new: NewUser) -> Result<Model, StoreError> {
    let at = now();
    let model = user::ActiveModel {
        id: Set(Uuid::now_v7()),
        email: Set(new.email.trim().to_lowercase()),
        name: Set(new.name),
        password_hash: Set(new.password_hash),
        roles: Set(new.roles.mask()),
        department_id: Set(new.department_id),
        team_id: Set(new.team_id),
        phone: Set(new.phone),
        skills: Set(serde_json::to_string(&new.skills).unwrap_or_else(|_| "[]".to_owned())),
        capacity: Set(new.capacity),
        presence: Set("OFFLINE".to_owned()),
        active: Set(true),
        auth_version: Set(0),
        last_assigned_at: Set(None),
        created_at: Set(at),
        updated_at: Set(at),
    };
    model
        .insert(db)
        .await
        .map_err(|e| StoreError::on_unique(e, "an account with this email already exists"))
}

/// One account by id.
pub async fn find<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<Option<Model>, StoreError> {
    Ok(User::find_by_id(id).one(db).await?)
}

/// One account by email (case-insensitive).
pub async fn find_by_email<C: ConnectionTrait>(
    db: &C,
    email: &str,
) -> Result<Option<Model>, StoreError> {
    Ok(User::find()
        .filter(user::Column::Email.eq(email.trim().to_lowercase()))
        .one(db)
        .await?)
}

/// Several accounts by id, in no particular order (for data loaders).
pub async fn find_many<C: ConnectionTrait>(db: &C, ids: &[Uuid]) -> Result<Vec<Model>, StoreError> {
    Ok(User::find()
        .filter(user::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?)
}

/// Members of the given teams (for data loaders).
pub async fn members_of<C: ConnectionTrait>(
    db: &C,
    team_ids: &[Uuid],
) -> Result<Vec<Model>, StoreError> {
    Ok(User::find()
        .filter(user::Column::TeamId.is_in(team_ids.iter().copied()))
        .all(db)
        .await?)
}

/// Active members of a department (its liaisons and anyone else it employs).
pub async fn active_in_department<C: ConnectionTrait>(
    db: &C,
    department_id: Uuid,
) -> Result<Vec<Model>, StoreError> {
    Ok(User::find()
        .filter(user::Column::DepartmentId.eq(department_id))
        .filter(user::Column::Active.eq(true))
        .all(db)
        .await?)
}

/// A page of accounts holding `role`, or of all staff when `role` is `None`.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    role: Option<Role>,
    page: PageRequest,
) -> Result<Page<Model>, StoreError> {
    let bits = match role {
        Some(role) => role.bit(),
        None => Role::ALL
            .into_iter()
            .filter(|r| r.is_staff())
            .fold(0, |acc, r| acc | r.bit()),
    };
    let select = User::find().filter(Expr::col(user::Column::Roles).bit_and(bits).ne(0));
    Ok(paginate(db, select, user::Column::Id, page).await?)
}

/// Whether any account exists (a fresh database gets the demo seed).
pub async fn any<C: ConnectionTrait>(db: &C) -> Result<bool, StoreError> {
    use sea_orm::PaginatorTrait;
    Ok(User::find().count(db).await? > 0)
}

/// Activates or deactivates an account. Returns the updated account.
pub async fn set_active<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    active: bool,
) -> Result<Model, StoreError> {
    update(db, id, |m| m.active = Set(active)).await
}

/// Sets the account's presence.
pub async fn set_presence<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    presence: &str,
) -> Result<Model, StoreError> {
    let presence = presence.to_owned();
    update(db, id, move |m| m.presence = Set(presence)).await
}

/// Replaces the password hash and invalidates every access token issued before.
pub async fn set_password<C: ConnectionTrait>(
    db: &C,
    current: &Model,
    password_hash: String,
) -> Result<Model, StoreError> {
    let next_version = current.auth_version + 1;
    update(db, current.id, move |m| {
        m.password_hash = Set(password_hash);
        m.auth_version = Set(next_version);
    })
    .await
}

async fn update<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    change: impl FnOnce(&mut user::ActiveModel),
) -> Result<Model, StoreError> {
    let mut model = user::ActiveModel {
        id: Set(id),
        updated_at: Set(now()),
        ..Default::default()
    };
    change(&mut model);
    match model.update(db).await {
        Ok(updated) => Ok(updated),
        Err(DbErr::RecordNotUpdated) => Err(StoreError::NotFound("user")),
        Err(e) => Err(e.into()),
    }
}

/// The ids of active accounts holding any of `roles`.
pub async fn active_with_roles<C: ConnectionTrait>(
    db: &C,
    roles: &[Role],
) -> Result<Vec<Uuid>, StoreError> {
    use sea_orm::QuerySelect;
    let bits = roles.iter().fold(0, |acc, r| acc | r.bit());
    Ok(User::find()
        .select_only()
        .column(user::Column::Id)
        .filter(Expr::col(user::Column::Roles).bit_and(bits).ne(0))
        .filter(user::Column::Active.eq(true))
        .into_tuple()
        .all(db)
        .await?)
}
