//! What the page's lab shows, measured natively: Figure 16's preset (randomness in the
//! election timeout is what ends split votes) and the plot and CSV drawn from it.

use electionscope::experiment::recovery_series;
use electionscope::lab::{FIGURE16, figure16, figure16_report};
use electionscope::plot::{Series, cdf_csv, cdf_svg};

#[test]
fn figure16_shows_that_randomness_ends_split_votes() {
    let rows = figure16(30, 1, &mut |_| {}).unwrap();
    assert_eq!(rows.len(), FIGURE16.len());
    let median = |i: usize| {
        let mut v: Vec<u64> = rows[i].recoveries_us.clone();
        v.sort_unstable();
        v.get(v.len().saturating_sub(1) / 2)
            .copied()
            .unwrap_or(u64::MAX)
    };
    // No randomness: split vote after split vote. 5 ms of it: far faster.
    assert!(
        rows[0].failed > 0 || median(0) > 3 * median(2),
        "150-150: {} failed, median {}us; 150-155: {}us",
        rows[0].failed,
        median(0),
        median(2)
    );
    // With 150 ms of randomness every trial elects, within a second.
    assert_eq!(rows[5].failed, 0);
    assert!(rows[5].recoveries_us.iter().all(|&t| t < 1_000_000));
    let html = figure16_report(&rows, 30).html;
    assert_eq!(html.matches("<tr data-run=").count(), 6);
    assert!(html.contains("median 287 ms"));
}

#[test]
fn a_cdf_plot_has_a_line_and_a_legend_entry_per_series_and_its_csv_every_value() {
    let series = vec![
        Series {
            label: "a".into(),
            values: vec![150.0, 300.0, 200.0],
        },
        Series {
            label: "b<&>".into(),
            values: vec![1000.0, 20_000.0],
        },
    ];
    let svg = cdf_svg("Title & more", "ms", &series);
    assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
    assert_eq!(svg.matches("<path ").count(), 2);
    assert!(svg.contains("data-series=\"b&lt;&amp;&gt;\"") && svg.contains("Title &amp; more"));
    // A log axis from 100 to 100k: its decade labels.
    for label in [">100<", ">1000<", ">10k<", ">100k<"] {
        assert!(svg.contains(label), "{label}");
    }
    let csv = cdf_csv("ms", &series);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "series,ms,cumulative_share");
    assert_eq!(lines.len(), 1 + 5);
    assert_eq!(lines[1], "a,150,0.3333");
    assert_eq!(lines[3], "a,300,1.0000");
    let rows = figure16(2, 1, &mut |_| {}).unwrap();
    assert_eq!(recovery_series(&rows).len(), 6);
}
