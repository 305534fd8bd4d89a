//! Customer records: deduplicated by phone key or email, linked to a customer account when the
//! ticket comes from the app; searched, looked up by phone, edited and merged.

use crate::entity::customer::{self, Entity as Customer, Model};
use crate::entity::ticket::{self, Column as T, Entity as Ticket};
use crate::page::{Page, PageRequest, paginate};
use crate::{StoreError, now};
use careline_domain::contact::phone_key;
use careline_domain::ticket::ReadScope;
use chrono::{DateTime, Utc};
use sea_orm::prelude::*;
use sea_orm::sea_query::{
    Condition, Expr, ExprTrait, Func, LikeExpr, OnConflict, Order, Query, WindowStatement,
};
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, FromQueryResult, QueryFilter, QueryOrder, QuerySelect,
};

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
    let key = phone.as_deref().and_then(phone_key);
    if let Some(found) = by_contact(db, key.as_deref(), email.as_deref()).await? {
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
            customer::Column::PhoneKey,
            customer::Column::UserId,
            customer::Column::CreatedAt,
            customer::Column::UpdatedAt,
        ])
        .values([
            id.into(),
            name.into(),
            phone.clone().into(),
            email.clone().into(),
            key.clone().into(),
            user_id.into(),
            at.into(),
            at.into(),
        ])
        .map_err(|e| StoreError::Db(DbErr::Custom(e.to_string())))?
        .on_conflict(OnConflict::new().do_nothing().to_owned())
        .returning_all()
        .to_owned();
    // One round trip: the new row comes back, or none when someone was faster.
    if let Some(row) = db.query_one(&insert).await? {
        return Ok(Model::from_query_result(&row, "")?);
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
        None => by_contact(db, key.as_deref(), email.as_deref())
            .await?
            .ok_or(StoreError::Conflict(
                "the customer record changed concurrently; try again".to_owned(),
            )),
    }
}

/// The record a person's contact details lead to: by phone key (however the number was typed),
/// else by email; the oldest record when several share a key.
async fn by_contact<C: ConnectionTrait>(
    db: &C,
    key: Option<&str>,
    email: Option<&str>,
) -> Result<Option<Model>, StoreError> {
    let mut any = Condition::any();
    if let Some(key) = key {
        any = any.add(customer::Column::PhoneKey.eq(key));
    }
    if let Some(email) = email {
        any = any.add(customer::Column::Email.eq(email));
    }
    if key.is_none() && email.is_none() {
        return Ok(None);
    }
    // Phone first: it is what staff ask for on a call.
    let mut rows = Customer::find()
        .filter(any)
        .order_by_asc(customer::Column::Id)
        .all(db)
        .await?;
    rows.sort_by_key(|m| key.is_none() || m.phone_key.as_deref() != key);
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

/// Gives every record with a phone but no phone key its key (records stored before keys
/// existed); returns how many were filled. Safe to run at every start.
pub async fn backfill_phone_keys<C: ConnectionTrait>(db: &C) -> Result<u64, StoreError> {
    let mut filled = 0;
    let mut after: Option<Uuid> = None;
    loop {
        let mut query = Customer::find()
            .filter(customer::Column::Phone.is_not_null())
            .filter(customer::Column::PhoneKey.is_null());
        if let Some(after) = after {
            query = query.filter(customer::Column::Id.gt(after));
        }
        let batch = query
            .order_by_asc(customer::Column::Id)
            .limit(500)
            .all(db)
            .await?;
        let Some(last) = batch.last() else {
            return Ok(filled);
        };
        after = Some(last.id);
        for row in &batch {
            // A stored phone without a digit keeps no key; the walk moves past it.
            let Some(key) = row.phone.as_deref().and_then(phone_key) else {
                continue;
            };
            let result = Customer::update_many()
                .col_expr(customer::Column::PhoneKey, Expr::value(key))
                .filter(customer::Column::Id.eq(row.id))
                .filter(customer::Column::PhoneKey.is_null())
                .exec(db)
                .await?;
            filled += result.rows_affected;
        }
    }
}

/// What the customer list may narrow to; every given part must match.
#[derive(Debug, Clone, Default)]
pub struct CustomerFilter {
    /// Case-insensitive substring of the name or the email.
    pub text: Option<String>,
    /// Substring of the phone key (a search that looks like a phone number, normalised).
    pub phone_key: Option<String>,
    /// This tier (stored spelling).
    pub tier: Option<String>,
}

fn like_pattern(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('%');
    for ch in s.to_lowercase().chars() {
        if matches!(ch, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(ch);
    }
    out.push('%');
    out
}

fn lower_like(col: customer::Column, pattern: &str) -> Expr {
    Expr::expr(Func::lower(Expr::col((Customer, col)))).like(LikeExpr::new(pattern).escape('\\'))
}

/// One page of the customer records matching `filter`, oldest first, with the total across
/// pages. The text and the phone key are alternatives (a search term matches either).
pub async fn list<C: ConnectionTrait>(
    db: &C,
    filter: &CustomerFilter,
    req: PageRequest,
) -> Result<Page<Model>, StoreError> {
    let mut c = Condition::all();
    let mut search = Condition::any();
    let mut searching = false;
    if let Some(text) = filter
        .text
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        let p = like_pattern(text);
        search = search
            .add(lower_like(customer::Column::Name, &p))
            .add(lower_like(customer::Column::Email, &p));
        searching = true;
    }
    if let Some(key) = filter.phone_key.as_deref().filter(|k| !k.is_empty()) {
        search = search.add(
            Expr::col((Customer, customer::Column::PhoneKey))
                .like(LikeExpr::new(like_pattern(key)).escape('\\')),
        );
        searching = true;
    }
    if searching {
        c = c.add(search);
    }
    if let Some(tier) = &filter.tier {
        c = c.add(customer::Column::Tier.eq(tier.as_str()));
    }
    Ok(paginate(db, Customer::find().filter(c), customer::Column::Id, req).await?)
}

/// The record with exactly this phone key (the oldest, should several share it).
pub async fn find_by_phone_key<C: ConnectionTrait>(
    db: &C,
    key: &str,
) -> Result<Option<Model>, StoreError> {
    Ok(Customer::find()
        .filter(customer::Column::PhoneKey.eq(key))
        .order_by_asc(customer::Column::Id)
        .one(db)
        .await?)
}

/// Of `ids`, the records with a ticket that `staff` owns or is assigned to.
pub async fn accountable_for<C: ConnectionTrait>(
    db: &C,
    staff: Uuid,
    ids: &[Uuid],
) -> Result<Vec<Uuid>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(Ticket::find()
        .select_only()
        .column(T::CustomerId)
        .distinct()
        .filter(T::CustomerId.is_in(ids.iter().copied()))
        .filter(
            Condition::any()
                .add(T::OwnerId.eq(staff))
                .add(T::AssigneeId.eq(staff)),
        )
        .into_tuple::<Uuid>()
        .all(db)
        .await?)
}

/// The tickets `scope` may read, as a condition on the ticket table.
fn readable(scope: ReadScope) -> Condition {
    let c = Condition::all();
    match scope {
        ReadScope::All => c,
        ReadScope::Department(d) => c.add(T::DepartmentId.eq(d)),
        ReadScope::CustomerAccount(u) => c.add(
            T::CustomerId.in_subquery(
                Query::select()
                    .column(customer::Column::Id)
                    .from(Customer)
                    .and_where(customer::Column::UserId.eq(u))
                    .to_owned(),
            ),
        ),
        ReadScope::Nothing => c.add(T::Id.is_null()),
    }
}

/// How many tickets a record has and when the latest was created, counting only those the
/// viewer may read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TicketStats {
    /// Tickets.
    pub count: u64,
    /// The newest one's creation.
    pub last_created_at: Option<DateTime<Utc>>,
}

/// [`TicketStats`] of each of `ids` that has a readable ticket (the others have none).
pub async fn ticket_stats<C: ConnectionTrait>(
    db: &C,
    scope: ReadScope,
    ids: &[Uuid],
) -> Result<Vec<(Uuid, TicketStats)>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(Uuid, i64, Option<DateTime<Utc>>)> = Ticket::find()
        .select_only()
        .column(T::CustomerId)
        .column_as(Expr::col((Ticket, T::Id)).count(), "n")
        .column_as(Expr::col((Ticket, T::CreatedAt)).max(), "last")
        .filter(T::CustomerId.is_in(ids.iter().copied()))
        .filter(readable(scope))
        .group_by(T::CustomerId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, n, last)| {
            let stats = TicketStats {
                count: u64::try_from(n).unwrap_or(0),
                last_created_at: last,
            };
            (id, stats)
        })
        .collect())
}

/// A position in a record's ticket list (newest first): creation time, then id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TicketPosition {
    /// The ticket's creation.
    pub created_at: DateTime<Utc>,
    /// The ticket.
    pub id: Uuid,
}

/// The position of `t` in its customer's ticket list.
pub fn position_of(t: &ticket::Model) -> TicketPosition {
    TicketPosition {
        created_at: t.created_at,
        id: t.id,
    }
}

/// For each of `ids`, its newest readable tickets after `after`, at most `per_customer` of
/// each, newest first: one statement for every record (a window over the tickets).
pub async fn tickets_of<C: ConnectionTrait>(
    db: &C,
    scope: ReadScope,
    ids: &[Uuid],
    after: Option<TicketPosition>,
    per_customer: u64,
) -> Result<Vec<ticket::Model>, StoreError> {
    if ids.is_empty() || per_customer == 0 {
        return Ok(Vec::new());
    }
    let mut c = Condition::all()
        .add(T::CustomerId.is_in(ids.iter().copied()))
        .add(readable(scope));
    if let Some(p) = after {
        c = c.add(
            Condition::any().add(T::CreatedAt.lt(p.created_at)).add(
                Condition::all()
                    .add(T::CreatedAt.eq(p.created_at))
                    .add(T::Id.lt(p.id)),
            ),
        );
    }
    let window = WindowStatement::partition_by((Ticket, T::CustomerId))
        .order_by((Ticket, T::CreatedAt), Order::Desc)
        .order_by((Ticket, T::Id), Order::Desc)
        .take();
    let ranked = Query::select()
        .column((Ticket, T::Id))
        .expr_window_as(Expr::cust("ROW_NUMBER()"), window, "rn")
        .from(Ticket)
        .cond_where(c)
        .to_owned();
    let newest = Query::select()
        .column("id")
        .from_subquery(ranked, "ranked")
        .and_where(Expr::col("rn").lte(i64::try_from(per_customer).unwrap_or(i64::MAX)))
        .to_owned();
    Ok(Ticket::find()
        .filter(T::Id.in_subquery(newest))
        .order_by_desc(T::CreatedAt)
        .order_by_desc(T::Id)
        .all(db)
        .await?)
}

/// A correction of a record; `None` leaves a part as it is. Values are already validated.
#[derive(Debug, Clone, Default)]
pub struct CustomerChange {
    /// The name.
    pub name: Option<String>,
    /// The phone as written (its key is derived here).
    pub phone: Option<String>,
    /// The email, lower-cased.
    pub email: Option<String>,
    /// The tier (stored spelling).
    pub tier: Option<String>,
    /// The tags.
    pub tags: Option<Vec<String>>,
}

const PHONE_TAKEN: &str = "another customer record has this phone number";
const EMAIL_TAKEN: &str = "another customer record has this email address";

/// Applies `change` to record `id`. A phone (by key) or email another record has is a
/// `Conflict`, as is a record changed so as to collide concurrently.
pub async fn update<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    change: CustomerChange,
) -> Result<Model, StoreError> {
    find(db, id)
        .await?
        .ok_or(StoreError::NotFound("customer"))?;
    let mut row = customer::ActiveModel {
        id: Set(id),
        updated_at: Set(now()),
        ..Default::default()
    };
    if let Some(name) = change.name {
        row.name = Set(name);
    }
    if let Some(phone) = change.phone {
        let key = phone_key(&phone);
        if let Some(key) = &key {
            let taken = Customer::find()
                .filter(customer::Column::PhoneKey.eq(key.as_str()))
                .filter(customer::Column::Id.ne(id))
                .one(db)
                .await?;
            if taken.is_some() {
                return Err(StoreError::Conflict(PHONE_TAKEN.to_owned()));
            }
        }
        row.phone = Set(Some(phone));
        row.phone_key = Set(key);
    }
    if let Some(email) = change.email {
        let taken = Customer::find()
            .filter(customer::Column::Email.eq(email.as_str()))
            .filter(customer::Column::Id.ne(id))
            .one(db)
            .await?;
        if taken.is_some() {
            return Err(StoreError::Conflict(EMAIL_TAKEN.to_owned()));
        }
        row.email = Set(Some(email));
    }
    if let Some(tier) = change.tier {
        row.tier = Set(tier);
    }
    if let Some(tags) = change.tags {
        row.tags = Set(tags_json(&tags)?);
    }
    row.update(db).await.map_err(|e| {
        StoreError::on_unique(e, "another customer record has this phone number or email")
    })
}

fn tags_json(tags: &[String]) -> Result<String, StoreError> {
    serde_json::to_string(tags).map_err(|e| StoreError::Db(DbErr::Custom(e.to_string())))
}

/// What the kept record becomes in a merge (already decided by the domain).
#[derive(Debug, Clone)]
pub struct MergedRecord {
    /// Phone as written.
    pub phone: Option<String>,
    /// Email.
    pub email: Option<String>,
    /// Linked account.
    pub user_id: Option<Uuid>,
    /// Tier (stored spelling).
    pub tier: String,
    /// Tags.
    pub tags: Vec<String>,
}

/// Merges record `merged` into `keep`: moves every ticket of `merged` to `keep`, deletes
/// `merged`, then gives `keep` its merged contact data, account, tier and tags. Run it in a
/// transaction: the steps only make sense together. Returns the kept record and how many
/// tickets moved.
pub async fn merge<C: ConnectionTrait>(
    db: &C,
    keep: Uuid,
    merged: Uuid,
    record: MergedRecord,
) -> Result<(Model, u64), StoreError> {
    let moved = Ticket::update_many()
        .col_expr(T::CustomerId, Expr::value(keep))
        .filter(T::CustomerId.eq(merged))
        .exec(db)
        .await?
        .rows_affected;
    crate::surveys::merge_customers(db, keep, merged).await?;
    // Deleted before the kept record takes its phone, email or account: each is unique.
    // A ticket taken for `merged` meanwhile still points at it: try again.
    let deleted = Customer::delete_by_id(merged)
        .exec(db)
        .await
        .map_err(|e| match e.sql_err() {
            Some(sea_orm::SqlErr::ForeignKeyConstraintViolation(_)) => StoreError::Conflict(
                "a ticket was taken for the merged record meanwhile; try again".to_owned(),
            ),
            _ => StoreError::Db(e),
        })?;
    if deleted.rows_affected == 0 {
        return Err(StoreError::NotFound("customer"));
    }
    let key = record.phone.as_deref().and_then(phone_key);
    let updated = customer::ActiveModel {
        id: Set(keep),
        phone: Set(record.phone),
        phone_key: Set(key),
        email: Set(record.email),
        user_id: Set(record.user_id),
        tier: Set(record.tier),
        tags: Set(tags_json(&record.tags)?),
        updated_at: Set(now()),
        ..Default::default()
    }
    .update(db)
    .await
    .map_err(|e| StoreError::on_unique(e, "the customer record changed meanwhile; try again"))?;
    Ok((updated, moved))
}
