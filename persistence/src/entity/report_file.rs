use sea_orm::entity::prelude::*;

/// One rendered file of a report (a workbook, a CSV table or an SVG chart), with its bytes.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "report_files")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub report_id: Uuid,
    /// The file name within the report, e.g. `teams.csv`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub name: String,
    /// `xlsx`, `csv` or `svg`.
    pub format: String,
    pub content_type: String,
    pub size_bytes: i32,
    #[sea_orm(column_type = "Blob")]
    pub content: Vec<u8>,
    /// The order files are listed in.
    pub position: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
