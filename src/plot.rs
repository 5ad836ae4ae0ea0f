//! Plots for the lab, drawn by the app as standalone SVG (axis labels, a legend, text
//! big enough for a projector) with the same data as CSV. No chart library: a
//! cumulative distribution is a few dozen lines, and the page's bundle never sees it
//! (the compute worker draws, the page shows).

use std::fmt::Write;

/// One line of a plot: its label and its values (any order).
pub struct Series {
    pub label: String,
    pub values: Vec<f64>,
}

/// Colours that stay apart for colour-blind readers (Okabe and Ito), dark enough on
/// white.
const COLOURS: [&str; 6] = [
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9",
];

const W: f64 = 900.0;
const H: f64 = 460.0;
const LEFT: f64 = 70.0;
const RIGHT: f64 = 230.0;
const TOP: f64 = 40.0;
const BOTTOM: f64 = 60.0;

/// Text as it may stand in HTML or SVG, in an element or a quoted attribute.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A plot's opening: the SVG element `w` by `h`, a white ground and the title at
/// (`x`, `y`).
fn open_svg(w: f64, h: f64, title: &str, x: f64, y: f64) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" font-family=\"system-ui, sans-serif\" role=\"img\" aria-label=\"{t}\" class=\"plot\">\
         <rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\
         <text x=\"{x}\" y=\"{y}\" font-size=\"17\" font-weight=\"600\" fill=\"#1d2330\">{t}</text>",
        t = escape(title)
    )
}

/// A number as the axis writes it: 100, 1000, 10k.
fn tick_label(v: f64) -> String {
    if v >= 10_000.0 {
        format!("{}k", (v / 1000.0).round())
    } else {
        format!("{}", v.round())
    }
}

/// The cumulative distribution of each series on a log-scale x axis (the Raft paper's
/// Figure 16 style): the share of trials done by each value.
pub fn cdf_svg(title: &str, x_label: &str, series: &[Series]) -> String {
    let all = series.iter().flat_map(|s| s.values.iter().copied());
    let (lo, hi) = all.fold((f64::MAX, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let (lo, hi) = if hi > 0.0 {
        (
            10f64.powf(lo.max(1.0).log10().floor()),
            10f64.powf(hi.max(10.0).log10().ceil()),
        )
    } else {
        (1.0, 10.0)
    };
    let plot_w = W - LEFT - RIGHT;
    let plot_h = H - TOP - BOTTOM;
    let x = |v: f64| LEFT + (v.max(lo).log10() - lo.log10()) / (hi.log10() - lo.log10()) * plot_w;
    let y = |share: f64| TOP + (1.0 - share) * plot_h;
    let mut out = open_svg(W, H, title, LEFT, 24.0);
    // Grid and ticks: each power of ten, and 2 and 5 between.
    let mut decade = lo;
    while decade <= hi * 1.0001 {
        for m in [1.0, 2.0, 5.0] {
            let v = decade * m;
            if v > hi * 1.0001 {
                break;
            }
            let px = x(v);
            let major = m == 1.0;
            let _ = write!(
                out,
                "<line x1=\"{px:.1}\" y1=\"{TOP}\" x2=\"{px:.1}\" y2=\"{:.1}\" stroke=\"#d6d9e0\" stroke-width=\"{}\"/>",
                TOP + plot_h,
                if major { 1.2 } else { 0.6 }
            );
            let _ = write!(
                out,
                "<text x=\"{px:.1}\" y=\"{:.1}\" font-size=\"14\" text-anchor=\"middle\" fill=\"#3d4656\">{}</text>",
                TOP + plot_h + 20.0,
                tick_label(v)
            );
        }
        decade *= 10.0;
    }
    for k in 0..=4 {
        let share = k as f64 / 4.0;
        let py = y(share);
        let _ = write!(
            out,
            "<line x1=\"{LEFT}\" y1=\"{py:.1}\" x2=\"{:.1}\" y2=\"{py:.1}\" stroke=\"#d6d9e0\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"14\" text-anchor=\"end\" fill=\"#3d4656\">{}%</text>",
            LEFT + plot_w,
            LEFT - 8.0,
            py + 5.0,
            k * 25
        );
    }
    let _ = write!(
        out,
        "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"15\" text-anchor=\"middle\" fill=\"#1d2330\">{}</text>\
         <text transform=\"translate(18 {:.1}) rotate(-90)\" font-size=\"15\" text-anchor=\"middle\" fill=\"#1d2330\">cumulative share of trials</text>",
        LEFT + plot_w / 2.0,
        H - 14.0,
        escape(x_label),
        TOP + plot_h / 2.0
    );
    for (i, s) in series.iter().enumerate() {
        let colour = COLOURS[i % COLOURS.len()];
        let mut v = s.values.clone();
        v.sort_unstable_by(f64::total_cmp);
        let n = v.len().max(1) as f64;
        let mut d = format!("M{:.1} {:.1}", x(lo), y(0.0));
        for (k, value) in v.iter().enumerate() {
            let px = x(*value);
            let _ = write!(d, "H{px:.1}V{:.1}", y((k + 1) as f64 / n));
        }
        let _ = write!(
            out,
            "<path d=\"{d}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2.5\" data-series=\"{}\"/>",
            escape(&s.label)
        );
        let ly = TOP + 10.0 + i as f64 * 26.0;
        let _ = write!(
            out,
            "<line x1=\"{:.1}\" y1=\"{ly:.1}\" x2=\"{:.1}\" y2=\"{ly:.1}\" stroke=\"{colour}\" stroke-width=\"4\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"15\" fill=\"#1d2330\">{}</text>",
            W - RIGHT + 16.0,
            W - RIGHT + 44.0,
            W - RIGHT + 52.0,
            ly + 5.0,
            escape(&s.label)
        );
    }
    out.push_str("</svg>");
    out
}

/// The same data as CSV: one line per value, its series and its cumulative share.
pub fn cdf_csv(value_name: &str, series: &[Series]) -> String {
    let mut out = format!("series,{value_name},cumulative_share\n");
    for s in series {
        let mut v = s.values.clone();
        v.sort_unstable_by(f64::total_cmp);
        let n = v.len().max(1) as f64;
        for (k, value) in v.iter().enumerate() {
            let _ = writeln!(out, "{},{value},{:.4}", s.label, (k + 1) as f64 / n);
        }
    }
    out
}

/// How a line of a panel is drawn: measurements solid with markers, the textbook's
/// formula dotted, the fitted growth dashed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Measured,
    MeasuredAlt,
    Reference,
    Fit,
}

pub struct PanelLine {
    pub label: String,
    pub points: Vec<(f64, f64)>,
    pub style: Style,
}

/// One small plot of a grid: its title and lines on linear axes.
pub struct Panel {
    pub title: String,
    pub lines: Vec<PanelLine>,
}

/// A round step for an axis running to `hi` in about five steps: 1, 2 or 5 times a
/// power of ten.
fn nice_step(hi: f64) -> f64 {
    let raw = (hi / 5.0).max(1.0);
    let power = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * power)
}

/// A linear x axis from 0 to `hi` in steps of `step`: a grid line from `top` to
/// `bottom` and a label under it (with its `unit`) at each step.
fn x_grid(
    out: &mut String,
    (hi, step): (f64, f64),
    x: &dyn Fn(f64) -> f64,
    (top, bottom): (f64, f64),
    stroke: &str,
    unit: &str,
) {
    let mut v = 0.0;
    while v <= hi + 1e-9 {
        let px = x(v);
        let _ = write!(
            out,
            "<line x1=\"{px:.1}\" y1=\"{top:.1}\" x2=\"{px:.1}\" y2=\"{bottom:.1}\" stroke=\"{stroke}\"/><text x=\"{px:.1}\" y=\"{:.1}\" font-size=\"13\" text-anchor=\"middle\" fill=\"#3d4656\">{}{unit}</text>",
            bottom + 18.0,
            tick_label(v)
        );
        v += step;
    }
}

/// Small multiples: one panel per run, two to a row, each with its own y axis (the
/// runs differ by orders of magnitude), its lines and their legend under the title.
pub fn panels_svg(title: &str, x_label: &str, y_label: &str, panels: &[Panel]) -> String {
    const PW: f64 = 450.0;
    const PH: f64 = 330.0;
    const PL: f64 = 62.0;
    const PR: f64 = 14.0;
    const PT: f64 = 96.0;
    const PB: f64 = 50.0;
    let columns = if panels.len() > 1 { 2 } else { 1 };
    let rows = panels.len().div_ceil(columns).max(1);
    let (w, h) = (PW * columns as f64, 40.0 + PH * rows as f64);
    let mut out = open_svg(w, h, title, 16.0, 26.0);
    for (i, panel) in panels.iter().enumerate() {
        let (ox, oy) = ((i % columns) as f64 * PW, 40.0 + (i / columns) as f64 * PH);
        let x_hi = panel
            .lines
            .iter()
            .flat_map(|l| l.points.iter().map(|p| p.0))
            .fold(1.0f64, f64::max);
        let y_top = panel
            .lines
            .iter()
            .flat_map(|l| l.points.iter().map(|p| p.1))
            .fold(1.0f64, f64::max);
        let y_step = nice_step(y_top);
        let y_hi = (y_top / y_step).ceil() * y_step;
        let x_step = nice_step(x_hi);
        let x_hi = (x_hi / x_step).ceil() * x_step;
        let (left, right, top, bottom) = (ox + PL, ox + PW - PR, oy + PT, oy + PH - PB);
        let x = |v: f64| left + v / x_hi * (right - left);
        let y = |v: f64| bottom - v / y_hi * (bottom - top);
        let _ = write!(
            out,
            "<g data-panel=\"{}\"><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"15\" font-weight=\"600\" fill=\"#1d2330\">{}</text>",
            escape(&panel.title),
            ox + 16.0,
            oy + 18.0,
            escape(&panel.title)
        );
        let mut v = 0.0;
        while v <= y_hi + 1e-9 {
            let py = y(v);
            let _ = write!(
                out,
                "<line x1=\"{left:.1}\" y1=\"{py:.1}\" x2=\"{right:.1}\" y2=\"{py:.1}\" stroke=\"#d6d9e0\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"13\" text-anchor=\"end\" fill=\"#3d4656\">{}</text>",
                left - 6.0,
                py + 4.5,
                tick_label(v)
            );
            v += y_step;
        }
        x_grid(&mut out, (x_hi, x_step), &x, (top, bottom), "#eceef2", "");
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"13\" text-anchor=\"middle\" fill=\"#1d2330\">{}</text><text transform=\"translate({:.1} {:.1}) rotate(-90)\" font-size=\"13\" text-anchor=\"middle\" fill=\"#1d2330\">{}</text>",
            (left + right) / 2.0,
            bottom + 36.0,
            escape(x_label),
            ox + 14.0,
            (top + bottom) / 2.0,
            escape(y_label)
        );
        for (k, line) in panel.lines.iter().enumerate() {
            let (colour, dash, width) = match line.style {
                Style::Measured => (COLOURS[0], "", 2.5),
                Style::MeasuredAlt => (COLOURS[1], "", 2.5),
                Style::Reference => ("#5b6475", " stroke-dasharray=\"2 4\"", 2.0),
                Style::Fit => (COLOURS[2], " stroke-dasharray=\"8 5\"", 2.0),
            };
            let mut d = String::new();
            for (j, &(px, py)) in line.points.iter().enumerate() {
                let _ = write!(
                    d,
                    "{}{:.1} {:.1}",
                    if j == 0 { "M" } else { "L" },
                    x(px),
                    y(py.min(y_hi))
                );
            }
            let _ = write!(
                out,
                "<path d=\"{d}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"{width}\"{dash} data-line=\"{}\"/>",
                escape(&line.label)
            );
            if matches!(line.style, Style::Measured | Style::MeasuredAlt) {
                for &(px, py) in &line.points {
                    let _ = write!(
                        out,
                        "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3.5\" fill=\"{colour}\"/>",
                        x(px),
                        y(py)
                    );
                }
            }
            let (lx, ly) = (
                ox + 16.0 + (k % 2) as f64 * 215.0,
                oy + 40.0 + (k / 2) as f64 * 22.0,
            );
            let _ = write!(
                out,
                "<line x1=\"{lx:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"{colour}\" stroke-width=\"3\"{dash}/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"13\" fill=\"#1d2330\">{}</text>",
                ly - 4.0,
                lx + 26.0,
                ly - 4.0,
                lx + 32.0,
                ly,
                escape(&line.label)
            );
        }
        out.push_str("</g>");
    }
    out.push_str("</svg>");
    out
}

/// One group of bars: its label and each bar's value (the series in the order of
/// `series`).
pub struct BarGroup {
    pub label: String,
    pub values: Vec<f64>,
}

/// Horizontal bars, a group per run and a bar per series, on one axis from 0 (a share
/// in percent, for instance), each bar with its value written beside it.
pub fn bars_svg(title: &str, unit: &str, series: &[&str], groups: &[BarGroup]) -> String {
    const LABELS: f64 = 340.0;
    const BAR: f64 = 22.0;
    const GAP: f64 = 18.0;
    const TOP: f64 = 84.0;
    let per_group = BAR * series.len() as f64 + GAP;
    let h = TOP + per_group * groups.len() as f64 + 40.0;
    let plot_w = W - LABELS - 90.0;
    let top = groups
        .iter()
        .flat_map(|g| g.values.iter().copied())
        .fold(1.0f64, f64::max);
    let step = nice_step(top);
    let hi = (top / step).ceil() * step;
    let x = |v: f64| LABELS + v / hi * plot_w;
    let mut out = open_svg(W, h, title, 16.0, 26.0);
    for (k, name) in series.iter().enumerate() {
        let lx = 16.0 + k as f64 * 260.0;
        let _ = write!(
            out,
            "<rect x=\"{lx}\" y=\"44\" width=\"22\" height=\"14\" fill=\"{}\"/><text x=\"{}\" y=\"56\" font-size=\"14\" fill=\"#1d2330\">{}</text>",
            COLOURS[k % COLOURS.len()],
            lx + 30.0,
            escape(name)
        );
    }
    let bottom = h - 40.0;
    x_grid(&mut out, (hi, step), &x, (TOP, bottom), "#d6d9e0", unit);
    for (i, group) in groups.iter().enumerate() {
        let gy = TOP + 6.0 + i as f64 * per_group;
        // A label longer than its column is cut (the group keeps it whole).
        let shown: String = if group.label.chars().count() > 36 {
            group.label.chars().take(35).chain(['…']).collect()
        } else {
            group.label.clone()
        };
        let _ = write!(
            out,
            "<g data-group=\"{}\"><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"14\" text-anchor=\"end\" fill=\"#1d2330\">{}</text>",
            escape(&group.label),
            LABELS - 10.0,
            gy + BAR * series.len() as f64 / 2.0 + 5.0,
            escape(&shown)
        );
        for (k, value) in group.values.iter().enumerate() {
            let y = gy + k as f64 * BAR;
            let _ = write!(
                out,
                "<rect x=\"{LABELS}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{}\" data-value=\"{value}\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"13\" fill=\"#1d2330\">{value:.1}{unit}</text>",
                x(*value) - LABELS,
                BAR - 4.0,
                COLOURS[k % COLOURS.len()],
                x(*value) + 6.0,
                y + BAR / 2.0 + 3.0
            );
        }
        out.push_str("</g>");
    }
    out.push_str("</svg>");
    out
}
