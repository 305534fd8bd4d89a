//! Generated reports in storage: the report row and its files' bytes, written together, and
//! the one-per-month guarantee of scheduled reports (an insert that does nothing when another
//! instance stored the same `schedule_key` first).

use crate::StoreError;
use crate::entity::report::{self, Column as R, Entity as Report};
use crate::entity::report_file::{self, Column as F, Entity as ReportFile};
use sea_orm::prelude::*;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, QueryOrder, QuerySelect, TransactionSession, TransactionTrait};

/// A rendered file to store.
#[derive(Debug, Clone)]
pub struct NewFile {
    /// The file name within the report, e.g. `teams.csv`.
    pub name: String,
    /// `xlsx`, `csv` or `svg`.
    pub format: String,
    /// Its media type.
    pub content_type: String,
    /// Its bytes.
    pub content: Vec<u8>,
}

/// A stored file without its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileInfo {
    /// The report it belongs to.
    pub report_id: Uuid,
    /// The file name within the report.
    pub name: String,
    /// `xlsx`, `csv` or `svg`.
    pub format: String,
    /// Its size.
    pub size_bytes: i32,
}

/// Stores a report and its files in one transaction. A scheduled report whose
/// `schedule_key` is already stored is not stored again: `None`.
pub async fn insert<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    report: report::Model,
    files: Vec<NewFile>,
) -> Result<Option<report::Model>, StoreError> {
    let txn = db.begin().await?;
    let inserted = Report::insert(report::ActiveModel::from(report.clone()))
        .on_conflict(OnConflict::column(R::ScheduleKey).do_nothing().to_owned())
        .exec_without_returning(&txn)
        .await?;
    if inserted == 0 {
        return Ok(None);
    }
    for (position, file) in files.into_iter().enumerate() {
        let size = i32::try_from(file.content.len())
            .map_err(|_| StoreError::Db(DbErr::Custom("report file too large".into())))?;
        report_file::ActiveModel {
            report_id: Set(report.id),
            name: Set(file.name),
            format: Set(file.format),
            content_type: Set(file.content_type),
            size_bytes: Set(size),
            content: Set(file.content),
            position: Set(i32::try_from(position).unwrap_or(i32::MAX)),
        }
        .insert(&txn)
        .await?;
    }
    txn.commit().await?;
    Ok(Some(report))
}

/// Whether the scheduled report with this key is stored.
pub async fn scheduled_exists<C: ConnectionTrait>(db: &C, key: &str) -> Result<bool, StoreError> {
    Ok(Report::find()
        .filter(R::ScheduleKey.eq(key))
        .count(db)
        .await?
        > 0)
}

/// Reports, newest first, of one kind if given.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    kind: Option<&str>,
    limit: u64,
) -> Result<Vec<report::Model>, StoreError> {
    let mut query = Report::find()
        .order_by_desc(R::GeneratedAt)
        .order_by_desc(R::Id);
    if let Some(kind) = kind {
        query = query.filter(R::Kind.eq(kind));
    }
    Ok(query.limit(limit).all(db).await?)
}

/// One report.
pub async fn find<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
) -> Result<Option<report::Model>, StoreError> {
    Ok(Report::find_by_id(id).one(db).await?)
}

/// The files of these reports, without their bytes, in each report's order.
pub async fn files_of<C: ConnectionTrait>(
    db: &C,
    reports: &[Uuid],
) -> Result<Vec<FileInfo>, StoreError> {
    let rows: Vec<(Uuid, String, String, i32)> = ReportFile::find()
        .select_only()
        .columns([F::ReportId, F::Name, F::Format, F::SizeBytes])
        .filter(F::ReportId.is_in(reports.iter().copied()))
        .order_by_asc(F::ReportId)
        .order_by_asc(F::Position)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(report_id, name, format, size_bytes)| FileInfo {
            report_id,
            name,
            format,
            size_bytes,
        })
        .collect())
}

/// One file of a report, with its bytes.
pub async fn file<C: ConnectionTrait>(
    db: &C,
    report: Uuid,
    name: &str,
) -> Result<Option<report_file::Model>, StoreError> {
    Ok(ReportFile::find_by_id((report, name.to_owned()))
        .one(db)
        .await?)
}
