//! The workbook: one sheet per table (headings bold, shares as percentages) and each chart as
//! a native Excel chart beside the table it plots, reading the sheet's cells — so the chart
//! follows the numbers if someone edits them.

use super::{Cell, ChartKind, Document};
use rust_xlsxwriter::{Chart, ChartType, Format, Workbook};

/// Excel's limit on sheet names.
const SHEET_NAME_MAX: usize = 31;

/// A sheet name Excel accepts: without `[]:*?/\`, at most 31 characters.
fn sheet_name(title: &str) -> String {
    title
        .chars()
        .filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\'))
        .take(SHEET_NAME_MAX)
        .collect()
}

fn row_of(index: usize) -> anyhow::Result<u32> {
    Ok(u32::try_from(index)?)
}

fn col_of(index: usize) -> anyhow::Result<u16> {
    Ok(u16::try_from(index)?)
}

/// The workbook's bytes.
pub fn workbook(document: &Document) -> anyhow::Result<Vec<u8>> {
    let mut workbook = Workbook::new();
    let heading = Format::new().set_bold();
    let percent = Format::new().set_num_format("0.0%");
    let decimal = Format::new().set_num_format("0.00");
    let names: Vec<String> = document
        .tables
        .iter()
        .map(|t| sheet_name(&t.title))
        .collect();
    for (index, table) in document.tables.iter().enumerate() {
        let sheet = workbook.add_worksheet();
        sheet.set_name(&names[index])?;
        for (c, title) in table.columns.iter().enumerate() {
            sheet.write_string_with_format(0, col_of(c)?, title, &heading)?;
            sheet.set_column_width(col_of(c)?, 14)?;
        }
        for (r, row) in table.rows.iter().enumerate() {
            let r = row_of(r + 1)?;
            for (c, cell) in row.iter().enumerate() {
                let c = col_of(c)?;
                match cell {
                    Cell::Text(s) => {
                        sheet.write_string(r, c, s)?;
                    }
                    Cell::Int(n) => {
                        sheet.write_number(r, c, *n as f64)?;
                    }
                    Cell::Number(Some(v)) => {
                        sheet.write_number_with_format(r, c, *v, &decimal)?;
                    }
                    Cell::Percent(Some(v)) => {
                        sheet.write_number_with_format(r, c, *v, &percent)?;
                    }
                    Cell::Number(None) | Cell::Percent(None) => {}
                }
            }
        }
        // Charts sit to the right of their table, one under the other.
        let beside = col_of(table.columns.len() + 1)?;
        let charts = document.charts.iter().filter(|c| c.table == index);
        for (n, spec) in charts.enumerate() {
            let mut chart = Chart::new(match spec.kind {
                ChartKind::Line => ChartType::Line,
                ChartKind::Column => ChartType::Column,
            });
            chart.title().set_name(&spec.title);
            let name = names[index].as_str();
            let last = row_of(table.rows.len().max(1))?;
            let categories = col_of(spec.categories)?;
            for column in &spec.series {
                let column = col_of(*column)?;
                chart
                    .add_series()
                    .set_name((name, 0, column))
                    .set_categories((name, 1, categories, last, categories))
                    .set_values((name, 1, column, last, column));
            }
            if spec.percent {
                chart.y_axis().set_num_format("0%");
            }
            sheet.insert_chart(row_of(1 + n * 16)?, beside, &chart)?;
        }
    }
    Ok(workbook.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_drop_what_excel_refuses_and_fit_31_characters() {
        assert_eq!(sheet_name("a/b[c]?"), "abc");
        assert_eq!(sheet_name(&"x".repeat(40)).chars().count(), 31);
        assert_eq!(sheet_name("按团队"), "按团队");
    }
}
