//! Customer records: deduplicated by phone or email, linked to a customer account when the
//! ticket comes from the app.

use crate::entity::customer::{self, Entity as Customer, Model};
use crate::{StoreError, now};
use sea_orm::prelude::*;
use sea_orm::sea_query::{Condition, OnConflict, Query};
use sea_orm::{ActiveValue::Set, ConnectionTrait, QueryFilter};

/// Who a new ticket is about.
#[derive(Debug, Clone)]
pub enum CustomerSource {
    /// A signed-in customer: their account is the customer.
    Account {
        /// The account.
        user_id: Uuid,
        /// The account's name.
        name: String,
        /// The account's email.
        email: String,
        /// The account's phone, if known.
        phone: Option<String>,
    },
    /// Contact details taken by staff at intake (already validated).
    Contact {
        /// Name as given.
        name: String,
        /// Phone, if given.
        phone: Option<String>,
        /// Email (lower-cased), if given.
        email: Option<String>,
    },
}

/// Finds or creates the customer record for `source`. Safe under concurrency: the insert does
/// nothing when another request created the same person first, and the lookup that follows
/// finds theirs.
pub async fn upsert<C: ConnectionTrait>(
    db: &C,
    source: &CustomerSource,
) -> Result<Model, StoreError> {
    let (name, phone, email, user_id) = match source {
        CustomerSource::Account {
            user_id,
            name,
            email,
            phone,
        } => {
            if let Some(found) = Customer::find()
                .filter(customer::Column::UserId.eq(*user_id))
                .one(db)
                .await?
            {
                return Ok(found);
            }
            (
                name.clone(),
                phone.clone(),
                Some(email.trim().to_lowercase()),
                Some(*user_id),
            )
        }
        CustomerSource::Contact { name, phone, email } => (
            name.clone(),
            phone.clone(),
            email.as_ref().map(|e| e.trim().to_lowercase()),
            None,
        ),
    };
    if let Some(found) = by_contact(db, phone.as_deref(), email.as_deref()).await? {
        // A record staff created before the person signed up becomes theirs.
        if let (Some(user_id), None) = (user_id, found.user_id) {
            let linked = customer::ActiveModel {
                id: Set(found.id),
                user_id: Set(Some(user_id)),
                updated_at: Set(now()),
                ..Default::default()
            }
            .update(db)
            .await;
            return match linked {
                Ok(m) => Ok(m),
                Err(e) => Err(StoreError::on_unique(
                    e,
                    "this customer record is linked to another account",
                )),
            };
        }
        return Ok(found);
    }
    let at = now();
    let id = Uuid::now_v7();
    // No conflict target: a clash on phone, email or account all mean "someone was faster".
    let insert = Query::insert()
        .into_table(Customer)
        .columns([
            customer::Column::Id,
            customer::Column::Name,
            customer::Column::Phone,
            customer::Column::Email,
            customer::Column::UserId,
            customer::Column::CreatedAt,
            customer::Column::UpdatedAt,
        ])
        .values([
            id.into(),
            name.into(),
            phone.clone().into(),
            email.clone().into(),
            user_id.into(),
            at.into(),
            at.into(),
        ])
        .map_err(|e| StoreError::Db(DbErr::Custom(e.to_string())))?
        .on_conflict(OnConflict::new().do_nothing().to_owned())
        .to_owned();
    db.execute(&insert).await?;
    if let Some(created) = Customer::find_by_id(id).one(db).await? {
        return Ok(created);
    }
    // Someone else inserted the same person concurrently.
    let found = match user_id {
        Some(u) => {
            Customer::find()
                .filter(customer::Column::UserId.eq(u))
                .one(db)
                .await?
        }
        None => None,
    };
    match found {
        Some(f) => Ok(f),
        None => by_contact(db, phone.as_deref(), email.as_deref())
            .await?
            .ok_or(StoreError::Conflict(
                "the customer record changed concurrently; try again".to_owned(),
            )),
    }
}

async fn by_contact<C: ConnectionTrait>(
    db: &C,
    phone: Option<&str>,
    email: Option<&str>,
) -> Result<Option<Model>, StoreError> {
    let mut any = Condition::any();
    if let Some(phone) = phone {
        any = any.add(customer::Column::Phone.eq(phone));
    }
    if let Some(email) = email {
        any = any.add(customer::Column::Email.eq(email));
    }
    if phone.is_none() && email.is_none() {
        return Ok(None);
    }
    // Phone first: it is what staff ask for on a call.
    let mut rows = Customer::find().filter(any).all(db).await?;
    rows.sort_by_key(|m| phone.is_none() || m.phone.as_deref() != phone);
    Ok(rows.into_iter().next())
}

/// Several customer records by id (for data loaders).
pub async fn find_many<C: ConnectionTrait>(db: &C, ids: &[Uuid]) -> Result<Vec<Model>, StoreError> {
    Ok(Customer::find()
        .filter(customer::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?)
}

/// One customer record.
pub async fn find<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<Option<Model>, StoreError> {
    Ok(Customer::find_by_id(id).one(db).await?)
}
