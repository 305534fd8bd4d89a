//! One SVG per chart, drawn with plotters' SVG backend: a title, the series as lines or
//! columns over the table's categories, and a legend naming each series by its heading. Text
//! stays text (no fonts are embedded): the viewer renders Chinese with its own fonts.

use super::{Chart, ChartKind, Table};
use plotters::coord::Shift;
use plotters::prelude::*;

const WIDTH: u32 = 960;
const HEIGHT: u32 = 540;
const FONT: &str = "sans-serif";
const PALETTE: [RGBColor; 4] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
];

/// The chart's values: each series' name and its value per category (`None`: not measured).
struct Series {
    name: String,
    values: Vec<Option<f64>>,
}

fn series_of(chart: &Chart, table: &Table) -> Vec<Series> {
    chart
        .series
        .iter()
        .map(|&column| Series {
            name: table.columns.get(column).cloned().unwrap_or_default(),
            values: table
                .rows
                .iter()
                .map(|row| {
                    row.get(column)
                        .and_then(super::Cell::plotted)
                        .map(|v| if chart.percent { v * 100.0 } else { v })
                })
                .collect(),
        })
        .collect()
}

fn labels_of(chart: &Chart, table: &Table) -> Vec<String> {
    table
        .rows
        .iter()
        .map(|row| {
            row.get(chart.categories)
                .map(super::Cell::to_field)
                .unwrap_or_default()
        })
        .collect()
}

/// The chart as an SVG document.
pub fn chart(chart: &Chart, table: &Table) -> anyhow::Result<String> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(plot_error)?;
        draw(&root, chart, table)?;
        root.present().map_err(plot_error)?;
    }
    Ok(out)
}

fn plot_error<E: std::error::Error + Send + Sync>(err: DrawingAreaErrorKind<E>) -> anyhow::Error {
    anyhow::anyhow!("drawing a chart failed: {err}")
}

fn draw(
    root: &DrawingArea<SVGBackend<'_>, Shift>,
    chart: &Chart,
    table: &Table,
) -> anyhow::Result<()> {
    let series = series_of(chart, table);
    let labels = labels_of(chart, table);
    let n = labels.len().max(1);
    let top = series
        .iter()
        .flat_map(|s| s.values.iter().flatten().copied())
        .fold(0.0_f64, f64::max);
    // Counts and scores get whole-number ticks; shares run 0–100 %.
    let top = if chart.percent {
        100.0
    } else {
        (top * 1.1).ceil().max(1.0)
    };
    let y_ticks = if chart.percent {
        11
    } else {
        (top as usize).min(10) + 1
    };
    let y_label = |v: &f64| {
        if chart.percent {
            format!("{v:.0}%")
        } else {
            format!("{v:.0}")
        }
    };
    let label_of = |i: usize| labels.get(i).cloned().unwrap_or_default();
    let mut builder = ChartBuilder::on(root);
    builder
        .caption(&chart.title, (FONT, 24))
        .margin(16)
        .x_label_area_size(48)
        .y_label_area_size(56);
    match chart.kind {
        ChartKind::Line => {
            let mut ctx = builder
                .build_cartesian_2d(0..(n as i32 - 1).max(1), 0.0..top)
                .map_err(plot_error)?;
            ctx.configure_mesh()
                .x_labels(n.min(12))
                .x_label_formatter(&|i| label_of(usize::try_from(*i).unwrap_or(0)))
                .y_labels(y_ticks)
                .y_label_formatter(&y_label)
                .label_style((FONT, 13))
                .draw()
                .map_err(plot_error)?;
            for (k, s) in series.iter().enumerate() {
                let color = PALETTE[k % PALETTE.len()];
                let points: Vec<(i32, f64)> = s
                    .values
                    .iter()
                    .enumerate()
                    .filter_map(|(i, v)| Some((i32::try_from(i).ok()?, (*v)?)))
                    .collect();
                ctx.draw_series(LineSeries::new(points, color.stroke_width(2)))
                    .map_err(plot_error)?
                    .label(s.name.clone())
                    .legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
                    });
            }
            ctx.configure_series_labels()
                .background_style(WHITE.mix(0.8))
                .border_style(BLACK)
                .label_font((FONT, 14))
                .draw()
                .map_err(plot_error)?;
        }
        ChartKind::Column => {
            let width = series.len().max(1) as f64;
            let mut ctx = builder
                .build_cartesian_2d(0.0..n as f64, 0.0..top)
                .map_err(plot_error)?;
            ctx.configure_mesh()
                .disable_x_mesh()
                .y_labels(y_ticks)
                .y_label_formatter(&y_label)
                .x_labels(n.min(12) * 2 + 1)
                .x_label_formatter(&|x| {
                    // Labels sit at the middle of each category's slot.
                    let slot = x - 0.5;
                    if slot >= 0.0 && (slot - slot.round()).abs() < 1e-6 {
                        label_of(slot.round() as usize)
                    } else {
                        String::new()
                    }
                })
                .label_style((FONT, 13))
                .draw()
                .map_err(plot_error)?;
            for (k, s) in series.iter().enumerate() {
                let color = PALETTE[k % PALETTE.len()];
                let bars = s.values.iter().enumerate().filter_map(move |(i, v)| {
                    let left = i as f64 + 0.1 + 0.8 * k as f64 / width;
                    let right = left + 0.8 / width;
                    Some(Rectangle::new(
                        [(left, 0.0), (right, (*v)?)],
                        color.filled(),
                    ))
                });
                ctx.draw_series(bars)
                    .map_err(plot_error)?
                    .label(s.name.clone())
                    .legend(move |(x, y)| {
                        Rectangle::new([(x, y - 5), (x + 12, y + 5)], color.filled())
                    });
            }
            ctx.configure_series_labels()
                .background_style(WHITE.mix(0.8))
                .border_style(BLACK)
                .label_font((FONT, 14))
                .draw()
                .map_err(plot_error)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::Cell;

    #[test]
    fn a_column_chart_names_its_title_and_series() {
        let table = Table {
            name: "t",
            title: "t".to_owned(),
            columns: vec!["类别".to_owned(), "投诉 & 数".to_owned()],
            rows: vec![
                vec![Cell::Text("产品质量".to_owned()), Cell::Int(3)],
                vec![Cell::Text("配送延误".to_owned()), Cell::Int(1)],
            ],
        };
        let spec = Chart {
            name: "c",
            title: "按类别的投诉".to_owned(),
            kind: ChartKind::Column,
            table: 0,
            categories: 0,
            series: vec![1],
            percent: false,
        };
        let svg = chart(&spec, &table).unwrap_or_default();
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("按类别的投诉"));
        assert!(svg.contains("投诉 &amp; 数"));
        assert!(svg.contains("产品质量"));
    }
}
