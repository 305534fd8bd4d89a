//! The customer record: search by name, phone or email, look-up by phone, corrections, tiers
//! and tags, merging duplicates; and the keys of the batched reads behind a record's ticket
//! count, last contact and ticket history. Logs name records by id only, never by their
//! contact data.

use super::error::{AppError, AppResult};
use super::tickets::{stored, viewer_of};
use super::{Actor, App, text};
use careline_domain::Action;
use careline_domain::contact::{Email, Phone, phone_search_key};
use careline_domain::customer::{self as rules, CustomerTier, MergeSide};
use careline_domain::ticket::{ReadScope, read_scope};
use careline_persistence::customers::{self, CustomerChange, CustomerFilter, MergedRecord};
use careline_persistence::entity::customer;
use careline_persistence::page::{Page, PageRequest};
use sea_orm::TransactionTrait;
use uuid::Uuid;

pub use careline_persistence::customers::{TicketPosition, TicketStats, position_of};

/// The longest name a record keeps (the column's size).
pub const MAX_NAME_CHARS: usize = 200;

/// The longest search term.
pub const MAX_SEARCH_CHARS: usize = 200;

/// A customer record as the actor may see it: `reveal` says whether its phone and email are
/// shown in full (`careline_domain::customer::can_see_contact`).
#[derive(Debug, Clone)]
pub struct CustomerRecord {
    /// The record.
    pub model: customer::Model,
    /// Whether the actor sees the contact data unmasked.
    pub reveal: bool,
}

/// Decides `reveal` for each record, with one statement for the page at most (whether the
/// actor owns or is assigned a ticket of each record).
async fn with_reveal(
    app: &App,
    actor: &Actor,
    models: Vec<customer::Model>,
) -> AppResult<Vec<CustomerRecord>> {
    let v = viewer_of(&actor.user);
    let undecided: Vec<Uuid> = models
        .iter()
        .filter(|m| !rules::can_see_contact(&v, m.user_id, false))
        .map(|m| m.id)
        .collect();
    let accountable = if undecided.is_empty() || !actor.roles().is_staff() {
        Vec::new()
    } else {
        customers::accountable_for(&app.db, actor.id(), &undecided).await?
    };
    Ok(models
        .into_iter()
        .map(|model| {
            let reveal = rules::can_see_contact(&v, model.user_id, accountable.contains(&model.id));
            CustomerRecord { model, reveal }
        })
        .collect())
}

pub(crate) async fn one(
    app: &App,
    actor: &Actor,
    model: customer::Model,
) -> AppResult<CustomerRecord> {
    let mut records = with_reveal(app, actor, vec![model]).await?;
    records
        .pop()
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("record lost"), "customer record"))
}

/// A page of customer records matching `search` (a case-insensitive part of the name or the
/// email, or, when the term looks like a phone number, part of the normalised number) and
/// `tier`, oldest first.
pub async fn search(
    app: &App,
    actor: &Actor,
    search: Option<&str>,
    tier: Option<CustomerTier>,
    page: PageRequest,
) -> AppResult<Page<CustomerRecord>> {
    actor.require(Action::ReadCustomers)?;
    let term = search.map(str::trim).filter(|s| !s.is_empty());
    if let Some(term) = term
        && term.chars().count() > MAX_SEARCH_CHARS
    {
        return Err(AppError::bad_input(
            "search",
            format!("must be at most {MAX_SEARCH_CHARS} characters"),
        ));
    }
    let filter = CustomerFilter {
        text: term.map(str::to_owned),
        phone_key: term.and_then(phone_search_key),
        tier: tier.map(|t| t.as_str().to_owned()),
    };
    let found = customers::list(&app.db, &filter, page).await?;
    Ok(Page {
        items: with_reveal(app, actor, found.items).await?,
        has_next: found.has_next,
        has_previous: found.has_previous,
        total: found.total,
    })
}

/// One customer record; `None` when there is none.
pub async fn get(app: &App, actor: &Actor, id: Uuid) -> AppResult<Option<CustomerRecord>> {
    actor.require(Action::ReadCustomers)?;
    match customers::find(&app.db, id).await? {
        Some(model) => Ok(Some(one(app, actor, model).await?)),
        None => Ok(None),
    }
}

/// The record of a caller's number, however it is typed (`+86 138-0013-8000` finds
/// `13800138000`): an exact match on the indexed phone key. `None` when no record has it; a
/// value that is no phone number is `BAD_USER_INPUT` on `phone`.
pub async fn by_phone(app: &App, actor: &Actor, phone: &str) -> AppResult<Option<CustomerRecord>> {
    actor.require(Action::ReadCustomers)?;
    let key = Phone::parse(phone, "phone")?.key();
    match customers::find_by_phone_key(&app.db, &key).await? {
        Some(model) => Ok(Some(one(app, actor, model).await?)),
        None => Ok(None),
    }
}

/// A correction of a record as typed; `None` leaves a part unchanged.
#[derive(Debug, Clone, Default)]
pub struct CustomerUpdate {
    /// The name.
    pub name: Option<String>,
    /// The phone.
    pub phone: Option<String>,
    /// The email.
    pub email: Option<String>,
    /// The tier (changing it needs `ManageCustomers`).
    pub tier: Option<CustomerTier>,
    /// The whole new list of tags.
    pub tags: Option<Vec<String>>,
}

/// Corrects a record's name and contact data, sets its tags and (leads) its tier. Every part
/// is checked before anything is written: a malformed value is `BAD_USER_INPUT` on its field,
/// a tier change by someone who may not is `FORBIDDEN`, a phone or email another record has is
/// `CONFLICT`.
pub async fn update(
    app: &App,
    actor: &Actor,
    id: Uuid,
    input: CustomerUpdate,
) -> AppResult<CustomerRecord> {
    actor.require(Action::EditCustomers)?;
    let name = input
        .name
        .map(|n| text(&n, "input.name", MAX_NAME_CHARS))
        .transpose()?;
    let phone = input
        .phone
        .map(|p| Phone::parse(&p, "input.phone"))
        .transpose()?;
    let email = input
        .email
        .map(|e| Email::parse(&e, "input.email"))
        .transpose()?;
    let tags = input
        .tags
        .map(|t| rules::tags(&t, "input.tags"))
        .transpose()?;
    let current = customers::find(&app.db, id)
        .await?
        .ok_or_else(|| AppError::NotFound("customer not found".to_owned()))?;
    if let Some(wanted) = input.tier {
        rules::check_tier_change(actor.roles(), tier_of(&current)?, wanted)?;
    }
    let change = CustomerChange {
        name,
        phone: phone.map(Phone::into_inner),
        email: email.map(Email::into_inner),
        tier: input.tier.map(|t| t.as_str().to_owned()),
        tags,
    };
    let updated = customers::update(&app.db, id, change).await?;
    tracing::info!(customer.id = %id, "customer record updated");
    one(app, actor, updated).await
}

fn side(m: &customer::Model) -> AppResult<MergeSide> {
    Ok(MergeSide {
        id: m.id,
        user_id: m.user_id,
        phone: m.phone.clone(),
        email: m.email.clone(),
        tier: tier_of(m)?,
        tags: tags_of(m)?,
    })
}

/// Merges record `merge_id` into `keep_id` in one transaction: every ticket moves to the kept
/// record, the other record is deleted, and the kept one fills its missing phone, email and
/// account from it, takes the union of the tags and the higher tier
/// (`careline_domain::customer::merge`).
pub async fn merge(
    app: &App,
    actor: &Actor,
    keep_id: Uuid,
    merge_id: Uuid,
) -> AppResult<CustomerRecord> {
    actor.require(Action::ManageCustomers)?;
    let txn = app.db.begin().await?;
    let missing = || AppError::NotFound("customer not found".to_owned());
    let keep = customers::find(&txn, keep_id).await?.ok_or_else(missing)?;
    let other = customers::find(&txn, merge_id).await?.ok_or_else(missing)?;
    let merged = rules::merge(&side(&keep)?, &side(&other)?)?;
    let record = MergedRecord {
        phone: merged.phone,
        email: merged.email,
        user_id: merged.user_id,
        tier: merged.tier.as_str().to_owned(),
        tags: merged.tags,
    };
    let (kept, moved) = customers::merge(&txn, keep_id, merge_id, record).await?;
    txn.commit().await?;
    tracing::info!(
        customer.id = %keep_id,
        customer.merged_id = %merge_id,
        tickets.moved = moved,
        "customer records merged"
    );
    one(app, actor, kept).await
}

/// A record's tier.
pub fn tier_of(m: &customer::Model) -> AppResult<CustomerTier> {
    stored(CustomerTier::parse(&m.tier), "customer tier")
}

/// A record's tags.
pub fn tags_of(m: &customer::Model) -> AppResult<Vec<String>> {
    serde_json::from_str(&m.tags).map_err(|e| AppError::internal(e, "customer tags"))
}

/// [`ReadScope`] as a data-loader key (the tickets a viewer may read).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TicketScope {
    /// Every ticket.
    All,
    /// Tickets dispatched to this department.
    Department(Uuid),
    /// Tickets of records linked to this account.
    CustomerAccount(Uuid),
    /// None.
    Nothing,
}

impl From<ReadScope> for TicketScope {
    fn from(scope: ReadScope) -> Self {
        match scope {
            ReadScope::All => TicketScope::All,
            ReadScope::Department(d) => TicketScope::Department(d),
            ReadScope::CustomerAccount(u) => TicketScope::CustomerAccount(u),
            ReadScope::Nothing => TicketScope::Nothing,
        }
    }
}

impl From<TicketScope> for ReadScope {
    fn from(scope: TicketScope) -> Self {
        match scope {
            TicketScope::All => ReadScope::All,
            TicketScope::Department(d) => ReadScope::Department(d),
            TicketScope::CustomerAccount(u) => ReadScope::CustomerAccount(u),
            TicketScope::Nothing => ReadScope::Nothing,
        }
    }
}

/// The tickets `actor` may read, as a loader key.
pub fn ticket_scope(actor: &Actor) -> TicketScope {
    read_scope(&viewer_of(&actor.user)).into()
}

/// One page of one record's tickets, newest first, as a loader key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CustomerTicketsKey {
    /// The record.
    pub customer_id: Uuid,
    /// What the viewer may read.
    pub scope: TicketScope,
    /// Tickets after this one.
    pub after: Option<TicketPosition>,
    /// At most this many (the page size plus one, to tell whether more follow).
    pub limit: u64,
}
