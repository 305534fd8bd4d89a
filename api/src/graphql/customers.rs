//! The customer record: search, look-up by phone, corrections and merges. Resolvers parse
//! arguments and call `crate::app::customers`; the `Customer` type itself lives with the
//! tickets (`tickets::types`), whose fields about a record's tickets ask the helpers here.

use crate::app::customers::{
    self as uc, CustomerRecord, CustomerTicketsKey, CustomerUpdate, TicketPosition, ticket_scope,
};
use crate::app::{AppError, AppResult};
use crate::graphql::connection::{
    connection, decode_keyed_cursor, encode_cursor, encode_keyed_cursor, first_or_default,
    list_cost, page_request,
};
use crate::graphql::loaders::{load_failed, loaders};
use crate::graphql::tickets::{Customer, Ticket, TicketConnection};
use crate::graphql::{Can, actor, app, found_id, parse_id};
use async_graphql::{Context, Enum, ID, InputObject, Object};
use careline_app::page::Page;
use careline_app::rows::customer;
use careline_domain::Action;
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// How much a customer matters to the business; VIP and key accounts get a higher default
/// priority at intake.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "careline_domain::customer::CustomerTier")]
pub enum CustomerTier {
    /// Everyone, unless told otherwise.
    Standard,
    /// A valued individual customer; new tickets start at `HIGH` priority or above.
    Vip,
    /// A business account the company depends on; new tickets start at `HIGH` priority or
    /// above.
    KeyAccount,
}

/// A correction of a customer record; omitted fields stay as they are. `tags` replaces the
/// whole list; changing `tier` needs a lead.
#[derive(InputObject, Clone)]
pub struct CustomerUpdateInput {
    /// The corrected name, 1 to 200 characters.
    pub name: Option<String>,
    /// The corrected phone; one another record has is `CONFLICT`.
    pub phone: Option<String>,
    /// The corrected email (stored lower-cased); one another record has is `CONFLICT`.
    pub email: Option<String>,
    /// The new tier; changing it needs a lead (supervisor, manager, admin), else `FORBIDDEN`.
    pub tier: Option<CustomerTier>,
    /// The whole new list of tags: each trimmed, 1 to 40 characters, at most 20, duplicates
    /// (ignoring case) dropped.
    pub tags: Option<Vec<String>>,
}

connection!(CustomerConnection, CustomerEdge, Customer);

fn wrap(record: CustomerRecord) -> Customer {
    Customer {
        model: record.model,
        reveal: record.reveal,
    }
}

/// Queries about customer records.
#[derive(Default)]
pub struct CustomerQuery;

#[Object]
impl CustomerQuery {
    /// Search by name, phone or email (staff; contact data masked by the usual rules).
    #[graphql(
        guard = "Can(Action::ReadCustomers)",
        complexity = "list_cost(first, None, child_complexity)"
    )]
    async fn customers(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "A case-insensitive part of the name or email, or of the phone number when the term looks like one; at most 200 characters."
        )]
        search: Option<String>,
        #[graphql(desc = "Only records of this tier.")] tier: Option<CustomerTier>,
        #[graphql(
            desc = "Return at most this many records from the start (0 to 100, default 20)."
        )]
        first: Option<i32>,
        #[graphql(
            desc = "Return the records after this cursor (an `endCursor` or edge `cursor` of this list)."
        )]
        after: Option<String>,
    ) -> AppResult<CustomerConnection> {
        let request = page_request(first, after, None, None)?;
        let page = uc::search(
            app(ctx)?,
            actor(ctx)?,
            search.as_deref(),
            tier.map(Into::into),
            request,
        )
        .await?;
        Ok(CustomerConnection::from_page(
            page,
            |r| encode_cursor(r.model.id),
            wrap,
        ))
    }

    /// One customer record; `null` when there is none.
    #[graphql(guard = "Can(Action::ReadCustomers)")]
    async fn customer(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The record's id.")] id: ID,
    ) -> AppResult<Option<Customer>> {
        let Some(id) = parse_id(&id) else {
            return Ok(None);
        };
        Ok(uc::get(app(ctx)?, actor(ctx)?, id).await?.map(wrap))
    }

    /// Exact match on the normalised number, for a caller the agent must recognise at once.
    #[graphql(guard = "Can(Action::ReadCustomers)")]
    async fn customer_by_phone(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The number however typed (`+86 138-0013-8000` finds `13800138000`); a value that is no phone number is `BAD_USER_INPUT`."
        )]
        phone: String,
    ) -> AppResult<Option<Customer>> {
        Ok(uc::by_phone(app(ctx)?, actor(ctx)?, &phone)
            .await?
            .map(wrap))
    }
}

/// Changes to customer records.
#[derive(Default)]
pub struct CustomerMutation;

#[Object]
impl CustomerMutation {
    /// Correct a record's name and contact data, set its tags, and (leads) its tier.
    #[graphql(guard = "Can(Action::EditCustomers)")]
    async fn update_customer(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The record's id.")] id: ID,
        #[graphql(desc = "The changes; omitted fields stay as they are.")]
        input: CustomerUpdateInput,
    ) -> AppResult<Customer> {
        let id = found_id(&id, "customer")?;
        let update = CustomerUpdate {
            name: input.name,
            phone: input.phone,
            email: input.email,
            tier: input.tier.map(Into::into),
            tags: input.tags,
        };
        Ok(wrap(uc::update(app(ctx)?, actor(ctx)?, id, update).await?))
    }

    /// Move every ticket of mergeId to keepId and remove mergeId.
    #[graphql(guard = "Can(Action::ManageCustomers)")]
    async fn merge_customers(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The record that stays and receives every ticket.")] keep_id: ID,
        #[graphql(desc = "The duplicate record, removed after the merge.")] merge_id: ID,
    ) -> AppResult<Customer> {
        let keep = found_id(&keep_id, "customer")?;
        let merge = found_id(&merge_id, "customer")?;
        Ok(wrap(uc::merge(app(ctx)?, actor(ctx)?, keep, merge).await?))
    }
}

/// A record's tier.
pub(crate) fn tier(model: &customer::Model) -> AppResult<CustomerTier> {
    Ok(uc::tier_of(model)?.into())
}

/// A record's tags, for staff; customers see none.
pub(crate) fn tags(ctx: &Context<'_>, model: &customer::Model) -> AppResult<Vec<String>> {
    if !careline_domain::customer::can_see_tags(actor(ctx)?.roles()) {
        return Ok(Vec::new());
    }
    uc::tags_of(model)
}

/// How many of a record's tickets the caller may read, and when the newest was created.
pub(crate) async fn ticket_stats(
    ctx: &Context<'_>,
    model: &customer::Model,
) -> AppResult<(i32, Option<DateTime<Utc>>)> {
    let scope = ticket_scope(actor(ctx)?);
    let stats = loaders(ctx)?
        .customer_ticket_stats
        .load_one((model.id, scope))
        .await
        .map_err(load_failed)?
        .unwrap_or_default();
    Ok((
        i32::try_from(stats.count).unwrap_or(i32::MAX),
        stats.last_created_at,
    ))
}

const TICKETS_CURSOR: &str = "customer-tickets";

fn encode_position(t: &careline_app::rows::ticket::Model) -> String {
    let p = uc::position_of(t);
    encode_keyed_cursor(
        TICKETS_CURSOR,
        &format!("{}:{}", p.created_at.timestamp_micros(), p.id),
    )
}

fn decode_position(cursor: &str) -> AppResult<TicketPosition> {
    let bad = || AppError::bad_input("after", "not a cursor from this list");
    let position = decode_keyed_cursor(TICKETS_CURSOR, cursor, "after")?;
    let (micros, id) = position.split_once(':').ok_or_else(bad)?;
    Ok(TicketPosition {
        created_at: micros
            .parse()
            .ok()
            .and_then(DateTime::<Utc>::from_timestamp_micros)
            .ok_or_else(bad)?,
        id: Uuid::parse_str(id).map_err(|_| bad())?,
    })
}

/// A page of a record's tickets the caller may read, newest first.
pub(crate) async fn tickets(
    ctx: &Context<'_>,
    model: &customer::Model,
    first: Option<i32>,
    after: Option<String>,
) -> AppResult<TicketConnection> {
    let limit = first_or_default(first)?;
    let after = after.as_deref().map(decode_position).transpose()?;
    let scope = ticket_scope(actor(ctx)?);
    let l = loaders(ctx)?;
    let key = CustomerTicketsKey {
        customer_id: model.id,
        scope,
        after,
        limit: limit + 1,
    };
    let (rows, stats) = futures_util::try_join!(
        async { l.customer_tickets.load_one(key).await.map_err(load_failed) },
        async {
            l.customer_ticket_stats
                .load_one((model.id, scope))
                .await
                .map_err(load_failed)
        },
    )?;
    let mut items = rows.unwrap_or_default();
    let has_next = items.len() as u64 > limit;
    items.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    let page = Page {
        items,
        has_next,
        has_previous: after.is_some(),
        total: stats.unwrap_or_default().count,
    };
    Ok(TicketConnection::from_page(page, encode_position, Ticket))
}
