//! The organisation facts escalations are routed by, the complaint-handling working group, and
//! who each escalation was routed to. The routing rule itself is
//! `careline_domain::sla::recipients`; this module only reads and writes what it is given.

use crate::StoreError;
use crate::entity::escalation_recipient::{self, Entity as Recipient};
use crate::entity::user::{self, Entity as User};
use crate::entity::working_group_member::{self, Entity as Member};
use careline_domain::Role;
use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveValue::Set, ConnectionTrait, QueryFilter, QueryOrder, QuerySelect};

/// Active accounts in `ids`, in the order given.
async fn active_among<C: ConnectionTrait>(db: &C, ids: &[Uuid]) -> Result<Vec<Uuid>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let active: Vec<Uuid> = User::find()
        .select_only()
        .column(user::Column::Id)
        .filter(user::Column::Id.is_in(ids.iter().copied()))
        .filter(user::Column::Active.eq(true))
        .into_tuple()
        .all(db)
        .await?;
    Ok(ids.iter().copied().filter(|i| active.contains(i)).collect())
}

/// The active supervisor of `team_id`, if it names one.
pub async fn team_supervisor<C: ConnectionTrait>(
    db: &C,
    team_id: Uuid,
) -> Result<Option<Uuid>, StoreError> {
    let Some(team) = crate::org::team(db, team_id).await? else {
        return Ok(None);
    };
    let Some(supervisor) = team.supervisor_id else {
        return Ok(None);
    };
    Ok(active_among(db, &[supervisor]).await?.into_iter().next())
}

/// The active holders of `role` whose home department is `department_id`, by id.
pub async fn department_people<C: ConnectionTrait>(
    db: &C,
    department_id: Uuid,
    role: Role,
) -> Result<Vec<Uuid>, StoreError> {
    Ok(User::find()
        .select_only()
        .column(user::Column::Id)
        .filter(user::Column::DepartmentId.eq(department_id))
        .filter(Expr::col(user::Column::Roles).bit_and(role.bit()).ne(0))
        .filter(user::Column::Active.eq(true))
        .order_by_asc(user::Column::Id)
        .into_tuple()
        .all(db)
        .await?)
}

/// The working group's members, active or not, by name.
pub async fn working_group<C: ConnectionTrait>(db: &C) -> Result<Vec<user::Model>, StoreError> {
    let ids: Vec<Uuid> = Member::find()
        .select_only()
        .column(working_group_member::Column::UserId)
        .into_tuple()
        .all(db)
        .await?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(User::find()
        .filter(user::Column::Id.is_in(ids))
        .order_by_asc(user::Column::Name)
        .order_by_asc(user::Column::Id)
        .all(db)
        .await?)
}

/// The working group's active members, by id.
pub async fn active_working_group<C: ConnectionTrait>(db: &C) -> Result<Vec<Uuid>, StoreError> {
    let mut ids: Vec<Uuid> = Member::find()
        .select_only()
        .column(working_group_member::Column::UserId)
        .into_tuple()
        .all(db)
        .await?;
    ids.sort();
    active_among(db, &ids).await
}

/// Replaces the working group's members with `members` (distinct, checked by the caller).
pub async fn set_working_group<C: ConnectionTrait>(
    db: &C,
    members: &[Uuid],
    by: Uuid,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    Member::delete_many().exec(db).await?;
    if members.is_empty() {
        return Ok(());
    }
    Member::insert_many(members.iter().map(|id| working_group_member::ActiveModel {
        user_id: Set(*id),
        added_by: Set(Some(by)),
        added_at: Set(at),
    }))
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Records who an escalation was routed to (the journal calls this with the escalation).
pub async fn insert_recipients<C: ConnectionTrait>(
    db: &C,
    rows: Vec<(Uuid, Uuid)>,
) -> Result<(), StoreError> {
    if rows.is_empty() {
        return Ok(());
    }
    Recipient::insert_many(rows.into_iter().map(|(escalation_id, user_id)| {
        escalation_recipient::ActiveModel {
            escalation_id: Set(escalation_id),
            user_id: Set(user_id),
        }
    }))
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Who each of `escalation_ids` was routed to, as (escalation, account) pairs.
pub async fn recipients_of<C: ConnectionTrait>(
    db: &C,
    escalation_ids: &[Uuid],
) -> Result<Vec<(Uuid, user::Model)>, StoreError> {
    let links = Recipient::find()
        .filter(escalation_recipient::Column::EscalationId.is_in(escalation_ids.iter().copied()))
        .all(db)
        .await?;
    let ids: Vec<Uuid> = links.iter().map(|l| l.user_id).collect();
    let users = crate::users::find_many(db, &ids).await?;
    Ok(links
        .into_iter()
        .filter_map(|l| {
            users
                .iter()
                .find(|u| u.id == l.user_id)
                .map(|u| (l.escalation_id, u.clone()))
        })
        .collect())
}

/// Whether any escalation of `ticket_id` was routed to `user_id`.
pub async fn routed_on_ticket<C: ConnectionTrait>(
    db: &C,
    ticket_id: Uuid,
    user_id: Uuid,
) -> Result<bool, StoreError> {
    use crate::entity::escalation;
    use sea_orm::PaginatorTrait;
    let escalations = sea_orm::sea_query::Query::select()
        .column(escalation::Column::Id)
        .from(escalation::Entity)
        .and_where(escalation::Column::TicketId.eq(ticket_id))
        .to_owned();
    Ok(Recipient::find()
        .filter(escalation_recipient::Column::UserId.eq(user_id))
        .filter(escalation_recipient::Column::EscalationId.in_subquery(escalations))
        .count(db)
        .await?
        > 0)
}

/// The ids of the people one escalation was routed to.
pub async fn routed_to<C: ConnectionTrait>(
    db: &C,
    escalation_id: Uuid,
) -> Result<Vec<Uuid>, StoreError> {
    Ok(Recipient::find()
        .select_only()
        .column(escalation_recipient::Column::UserId)
        .filter(escalation_recipient::Column::EscalationId.eq(escalation_id))
        .into_tuple()
        .all(db)
        .await?)
}
