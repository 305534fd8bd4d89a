//! Rendering a report into files: one [`Document`] of tables and charts, written as an XLSX
//! workbook with native Excel charts ([`xlsx`]), one CSV per table ([`csv`]) and one SVG per
//! chart ([`svg`]). The figures in a document come from the KPI, complaint, quality and
//! training use cases (`crate::reports`); nothing here computes them.

pub mod csv;
pub mod svg;
pub mod xlsx;

/// A value in a table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text.
    Text(String),
    /// A count.
    Int(i64),
    /// A measure; blank when there was nothing to measure.
    Number(Option<f64>),
    /// A share from 0 to 1; blank when there was nothing to count.
    Percent(Option<f64>),
}

impl Cell {
    /// The value as a chart plots it (text plots as nothing).
    pub fn plotted(&self) -> Option<f64> {
        match self {
            Cell::Text(_) => None,
            Cell::Int(n) => Some(*n as f64),
            Cell::Number(v) | Cell::Percent(v) => *v,
        }
    }

    /// The value as a CSV field: numbers plain, shares as fractions, blanks empty.
    pub fn to_field(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Int(n) => n.to_string(),
            Cell::Number(Some(v)) => format!("{v:.2}"),
            Cell::Percent(Some(v)) => format!("{v:.4}"),
            Cell::Number(None) | Cell::Percent(None) => String::new(),
        }
    }
}

/// A table: a sheet in the workbook and a CSV file.
#[derive(Debug, Clone)]
pub struct Table {
    /// File stem of its CSV, `[a-z0-9-]`, e.g. `teams`.
    pub name: &'static str,
    /// The sheet name, in the report's language (at most 31 characters).
    pub title: String,
    /// Column headings.
    pub columns: Vec<String>,
    /// Rows, each as long as `columns`.
    pub rows: Vec<Vec<Cell>>,
}

/// How a chart draws its series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartKind {
    /// Lines over the categories (trends).
    Line,
    /// Columns per category (breakdowns).
    Column,
}

/// A chart of some columns of a table: a native chart in the workbook and an SVG file.
#[derive(Debug, Clone)]
pub struct Chart {
    /// File stem of its SVG, e.g. `tickets-per-day`.
    pub name: &'static str,
    /// The title, in the report's language.
    pub title: String,
    /// Lines or columns.
    pub kind: ChartKind,
    /// The table it plots (index into [`Document::tables`]).
    pub table: usize,
    /// The column holding the category labels.
    pub categories: usize,
    /// The columns plotted, one series each (named by their heading).
    pub series: Vec<usize>,
    /// Whether the values are shares (axis 0–100 %).
    pub percent: bool,
}

/// A report as tables and charts.
#[derive(Debug, Clone)]
pub struct Document {
    /// Tables, in order.
    pub tables: Vec<Table>,
    /// Charts, in order.
    pub charts: Vec<Chart>,
}

/// One rendered file.
#[derive(Debug, Clone)]
pub struct File {
    /// The name within the report, e.g. `teams.csv`.
    pub name: String,
    /// `xlsx`, `csv` or `svg`.
    pub format: &'static str,
    /// Its media type.
    pub content_type: &'static str,
    /// Its bytes.
    pub content: Vec<u8>,
}

/// The workbook's media type.
pub const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
/// CSV's media type.
pub const CSV_TYPE: &str = "text/csv; charset=utf-8";
/// SVG's media type.
pub const SVG_TYPE: &str = "image/svg+xml";

/// The file name of a report's workbook.
pub const WORKBOOK: &str = "report.xlsx";

/// Renders every file of `document`: the workbook first, then a CSV per table, then an SVG
/// per chart.
pub fn render(document: &Document) -> anyhow::Result<Vec<File>> {
    let mut files = vec![File {
        name: WORKBOOK.to_owned(),
        format: "xlsx",
        content_type: XLSX_TYPE,
        content: xlsx::workbook(document)?,
    }];
    for table in &document.tables {
        files.push(File {
            name: format!("{}.csv", table.name),
            format: "csv",
            content_type: CSV_TYPE,
            content: csv::table(table)?,
        });
    }
    for chart in &document.charts {
        let table = document
            .tables
            .get(chart.table)
            .ok_or_else(|| anyhow::anyhow!("chart {} plots a missing table", chart.name))?;
        files.push(File {
            name: format!("{}.svg", chart.name),
            format: "svg",
            content_type: SVG_TYPE,
            content: svg::chart(chart, table)?.into_bytes(),
        });
    }
    Ok(files)
}
