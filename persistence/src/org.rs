//! Departments and teams.

use crate::entity::department::{self, Entity as Department};
use crate::entity::team::{self, Entity as Team};
use crate::{StoreError, now};
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, ConnectionTrait, QueryFilter, QueryOrder};

/// Creates a department; a taken name is a `Conflict`.
pub async fn insert_department<C: ConnectionTrait>(
    db: &C,
    name: &str,
    kind: &str,
    calendar_id: Option<Uuid>,
) -> Result<department::Model, StoreError> {
    department::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(name.trim().to_owned()),
        kind: Set(kind.to_owned()),
        calendar_id: Set(calendar_id),
        created_at: Set(now()),
    }
    .insert(db)
    .await
    .map_err(|e| StoreError::on_unique(e, "a department with this name already exists"))
}

/// Creates a team; a taken name is a `Conflict`, an unknown department `InvalidReference`.
pub async fn insert_team<C: ConnectionTrait>(
    db: &C,
    name: &str,
    department_id: Uuid,
    supervisor_id: Option<Uuid>,
) -> Result<team::Model, StoreError> {
    team::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(name.trim().to_owned()),
        department_id: Set(department_id),
        supervisor_id: Set(supervisor_id),
        created_at: Set(now()),
    }
    .insert(db)
    .await
    .map_err(|e| StoreError::on_unique(e, "a team with this name already exists"))
}

/// Every department, by name. Departments are few; the list is not paginated.
pub async fn departments<C: ConnectionTrait>(db: &C) -> Result<Vec<department::Model>, StoreError> {
    Ok(Department::find()
        .order_by_asc(department::Column::Name)
        .all(db)
        .await?)
}

/// One department.
pub async fn department<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
) -> Result<Option<department::Model>, StoreError> {
    Ok(Department::find_by_id(id).one(db).await?)
}

/// Several departments by id (for data loaders).
pub async fn departments_by_id<C: ConnectionTrait>(
    db: &C,
    ids: &[Uuid],
) -> Result<Vec<department::Model>, StoreError> {
    Ok(Department::find()
        .filter(department::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?)
}

/// Every team, by name. Teams are few; the list is not paginated.
pub async fn teams<C: ConnectionTrait>(db: &C) -> Result<Vec<team::Model>, StoreError> {
    Ok(Team::find()
        .order_by_asc(team::Column::Name)
        .all(db)
        .await?)
}

/// One team.
pub async fn team<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<Option<team::Model>, StoreError> {
    Ok(Team::find_by_id(id).one(db).await?)
}

/// Several teams by id (for data loaders).
pub async fn teams_by_id<C: ConnectionTrait>(
    db: &C,
    ids: &[Uuid],
) -> Result<Vec<team::Model>, StoreError> {
    Ok(Team::find()
        .filter(team::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?)
}

/// Sets a team's supervisor.
pub async fn set_team_supervisor<C: ConnectionTrait>(
    db: &C,
    team_id: Uuid,
    supervisor_id: Uuid,
) -> Result<(), StoreError> {
    team::ActiveModel {
        id: Set(team_id),
        supervisor_id: Set(Some(supervisor_id)),
        ..Default::default()
    }
    .update(db)
    .await?;
    Ok(())
}

/// The teams naming any of `people` as supervisor.
pub async fn teams_supervised_by<C: ConnectionTrait>(
    db: &C,
    people: &[Uuid],
) -> Result<Vec<team::Model>, StoreError> {
    Ok(team::Entity::find()
        .filter(team::Column::SupervisorId.is_in(people.iter().copied()))
        .all(db)
        .await?)
}
