//! One CSV file per table: UTF-8 with a byte-order mark, so Excel opens Chinese headings as
//! text rather than mojibake; RFC 4180 quoting.

use super::Table;

/// The UTF-8 byte-order mark.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The table as CSV: a heading row, then one row per table row.
pub fn table(table: &Table) -> anyhow::Result<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(BOM.to_vec());
    writer.write_record(&table.columns)?;
    for row in &table.rows {
        writer.write_record(row.iter().map(super::Cell::to_field))?;
    }
    Ok(writer.into_inner().map_err(|e| e.into_error())?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::Cell;

    #[test]
    fn starts_with_the_bom_and_quotes_what_needs_it() {
        let csv = table(&Table {
            name: "t",
            title: "表".to_owned(),
            columns: vec!["团队".to_owned(), "n".to_owned()],
            rows: vec![vec![Cell::Text("a, \"b\"".to_owned()), Cell::Int(3)]],
        })
        .unwrap_or_default();
        assert!(csv.starts_with(BOM));
        assert_eq!(
            String::from_utf8_lossy(&csv[BOM.len()..]),
            "团队,n\n\"a, \"\"b\"\"\",3\n"
        );
    }
}
