//! Indicator charts as inline SVG: baseline → yearly actuals → target.
//!
//! The planned path (baseline to target) is dashed, actuals a solid line; baseline, actual
//! and target points have different marker shapes, so colour never carries meaning alone.
//! Colours keep 3:1 against white (WCAG 1.4.11); every mark has a class that the theme's
//! `forced-colors` rules map to system colours. The y-axis says where it starts (`縦軸は 60
//! から`): it is not always 0. No `style` attributes: the output runs under a strict
//! Content-Security-Policy.
//!
//! The viewBox is narrow (360 units) so that, scaled to a phone's column (about 317 CSS px
//! at 375 px wide), the 14-unit labels stay at least 12 CSS px.

use crate::content::model::{Better, Indicator};
use crate::html::escape;
use std::fmt::Write;

const W: f64 = 360.0;
const H: f64 = 236.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 50.0;
const BOTTOM: f64 = 32.0;
/// Label size in viewBox units.
const FONT: f64 = 14.0;
/// The most year labels on the x-axis (about 30 units apart at most).
const MAX_YEAR_LABELS: i32 = 9;
const INK: &str = "#1a1a1a";
const GRID: &str = "#d9d9d9";
const ACTUAL: &str = "#00118f";
const TARGET: &str = "#197a4b";
const PLAN: &str = "#4d4d4d";

/// The SVG for `ind`; `id` makes its element ids unique on the page.
pub fn indicator_chart(ind: &Indicator, id: &str) -> String {
    let mut pts: Vec<(i32, f64)> = vec![(ind.baseline.year.0, ind.baseline.value.value)];
    pts.extend(ind.actuals.iter().map(|a| (a.year.0, a.value.value)));
    let target = (ind.target.year.0, ind.target.value.value);
    let years = pts.iter().map(|p| p.0).chain([target.0]);
    let (y0, y1) = (years.clone().min().unwrap_or(target.0), years.max().unwrap_or(target.0));
    let (y0, y1) = if y0 == y1 { (y0 - 1, y1 + 1) } else { (y0, y1) };
    let values = pts.iter().map(|p| p.1).chain([target.1]);
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
    let (lo, hi, step) = nice_range(lo, hi);
    let decimals = usize::from(step_decimals(step));
    let grid_values = grid(lo, hi, step);
    let labels: Vec<String> = grid_values.iter().map(|&v| group(v, decimals)).collect();
    // The plot starts right of the widest value label (digits are about 0.6 em).
    let widest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(1);
    let left = (widest as f64 * FONT * 0.6 + 10.0).clamp(36.0, 120.0).round();
    let x = |year: i32| left + (f64::from(year - y0)) / f64::from(y1 - y0) * (W - left - RIGHT);
    let y = |v: f64| TOP + (hi - v) / (hi - lo) * (H - TOP - BOTTOM);
    let unit = escape(&ind.unit);

    let mut s = String::with_capacity(2048);
    let title_id = format!("{id}-title");
    let _ = write!(
        s,
        "<svg class=\"chart\" viewBox=\"0 0 {W} {H}\" width=\"{W}\" height=\"{H}\" role=\"img\" aria-labelledby=\"{title_id}\" xmlns=\"http://www.w3.org/2000/svg\">\
         <title id=\"{title_id}\">{}の推移のグラフ(基準値 {}{unit}、{}目標値 {}{unit})</title>",
        escape(&ind.name),
        ind.baseline.value.display(),
        ind.latest().map(|l| format!("最新の実績 {}{unit}({})、", l.value.display(), l.year.wareki())).unwrap_or_default(),
        ind.target.value.display(),
    );
    // Shared presentation sits on groups (inherited), so each mark carries only its
    // coordinates: pages with dozens of charts stay small.
    // Grid lines, then the axes.
    s.push_str("<path class=\"c-grid\" fill=\"none\" stroke=\"");
    s.push_str(GRID);
    s.push_str("\" d=\"");
    for &v in &grid_values {
        let _ = write!(s, "M{left} {}H{}", N(y(v)), N(W - RIGHT));
    }
    let _ = write!(
        s,
        "\"/><path class=\"c-axis\" fill=\"none\" stroke=\"{INK}\" d=\"M{left} {TOP}V{}H{}\"/>",
        N(H - BOTTOM),
        N(W - RIGHT)
    );
    // Labels: values (right-aligned), years (centred, at most MAX_YEAR_LABELS), unit,
    // where the axis starts, and direction.
    let _ = write!(s, "<g class=\"c-text\" font-size=\"{FONT}\" fill=\"{INK}\"><g text-anchor=\"end\">");
    for (&v, l) in grid_values.iter().zip(&labels) {
        let _ = write!(s, "<text x=\"{}\" y=\"{}\">{l}</text>", N(left - 6.0), N(y(v) + 5.0));
    }
    let arrow = match ind.better {
        Better::Higher => "↑ 高いほど良い",
        Better::Lower => "↓ 低いほど良い",
    };
    let _ = write!(s, "<text x=\"{}\" y=\"16\">{arrow}</text></g><g text-anchor=\"middle\">", N(W - RIGHT));
    let span = y1 - y0;
    let every = usize::try_from(span.saturating_add(MAX_YEAR_LABELS - 2) / (MAX_YEAR_LABELS - 1)).unwrap_or(1).max(1);
    for year in (y0..=y1).step_by(every) {
        let _ = write!(s, "<text x=\"{}\" y=\"{}\">{}</text>", N(x(year)), N(H - BOTTOM + 20.0), short_wareki(year));
    }
    s.push_str("</g>");
    if !unit.is_empty() {
        let _ = write!(s, "<text x=\"2\" y=\"16\">単位: {unit}</text>");
    }
    let _ = write!(s, "<text x=\"2\" y=\"36\">縦軸は {} から</text>", labels[0]);
    s.push_str("</g>");
    // Planned path: baseline → target.
    let (bx, by) = (x(pts[0].0), y(pts[0].1));
    let (tx, ty) = (x(target.0), y(target.1));
    let _ = write!(
        s,
        "<path class=\"c-plan\" fill=\"none\" stroke=\"{PLAN}\" stroke-width=\"2\" stroke-dasharray=\"6 4\" d=\"M{} {}L{} {}\"/>",
        N(bx),
        N(by),
        N(tx),
        N(ty)
    );
    // Actuals: a solid line from the baseline through every actual.
    if pts.len() > 1 {
        s.push_str("<polyline class=\"c-actual\" fill=\"none\" stroke=\"");
        s.push_str(ACTUAL);
        s.push_str("\" stroke-width=\"3\" points=\"");
        for (i, &(yr, v)) in pts.iter().enumerate() {
            let _ = write!(s, "{}{},{}", if i > 0 { " " } else { "" }, N(x(yr)), N(y(v)));
        }
        s.push_str("\"/>");
    }
    // Markers: baseline circle, actual squares, target diamond.
    let _ = write!(
        s,
        "<circle class=\"c-base\" cx=\"{}\" cy=\"{}\" r=\"6\" fill=\"#fff\" stroke=\"{INK}\" stroke-width=\"2\"/>",
        N(bx),
        N(by)
    );
    if pts.len() > 1 {
        let _ = write!(s, "<g class=\"c-points\" fill=\"{ACTUAL}\">");
        for &(yr, v) in &pts[1..] {
            let _ = write!(s, "<rect x=\"{}\" y=\"{}\" width=\"10\" height=\"10\"/>", N(x(yr) - 5.0), N(y(v) - 5.0));
        }
        s.push_str("</g>");
    }
    let _ = write!(
        s,
        "<path class=\"c-target\" fill=\"#fff\" stroke=\"{TARGET}\" stroke-width=\"3\" d=\"M{} {}L{} {}L{} {}L{} {}Z\"/>",
        N(tx),
        N(ty - 8.0),
        N(tx + 8.0),
        N(ty),
        N(tx),
        N(ty + 8.0),
        N(tx - 8.0),
        N(ty)
    );
    s.push_str("</svg>");
    s
}

/// A coordinate with at most one decimal and no trailing `.0` (`210`, `165.5`).
struct N(f64);

impl std::fmt::Display for N {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let tenths = (self.0 * 10.0).round() as i64;
        let sign = if tenths < 0 { "-" } else { "" };
        let abs = tenths.unsigned_abs();
        match abs % 10 {
            0 => write!(f, "{sign}{}", abs / 10),
            d => write!(f, "{sign}{}.{d}", abs / 10),
        }
    }
}

/// `R7`, `R1`, `H30` for axis labels.
fn short_wareki(year: i32) -> String {
    if year >= 2019 {
        format!("R{}", year - 2018)
    } else if year >= 1989 {
        format!("H{}", year - 1988)
    } else {
        year.to_string()
    }
}

/// The most grid lines a chart draws (a bound for any values).
const MAX_GRID_LINES: usize = 12;

/// A range covering `lo..hi` with 3–6 round steps. Any finite inputs give a finite range
/// with a positive step that is not lost against the values (8.17 vs 8.170000000000002,
/// values near `f64::MAX`): the grid below never loops on a step that adds nothing.
fn nice_range(lo: f64, hi: f64) -> (f64, f64, f64) {
    const LIMIT: f64 = 1e300;
    if !lo.is_finite() || !hi.is_finite() || lo.abs() > LIMIT || hi.abs() > LIMIT {
        return (0.0, 1.0, 0.25);
    }
    // A difference lost in rounding (or none) is no difference: a range around the value.
    let scale = lo.abs().max(hi.abs());
    let span = if hi - lo > scale * 1e-9 { hi - lo } else { scale.max(1.0) };
    let raw = span / 4.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0].iter().map(|m| m * mag).find(|s| span / s <= 5.0).unwrap_or(10.0 * mag);
    let mut start = (lo / step).floor() * step;
    let mut end = (hi / step).ceil() * step;
    if end - start < step {
        start -= step;
        end += step;
    }
    (start, end, step)
}

/// The values of the grid lines of `nice_range`'s range, at most [`MAX_GRID_LINES`].
fn grid(lo: f64, hi: f64, step: f64) -> Vec<f64> {
    let count = ((hi - lo) / step).round();
    let count = if count.is_finite() && count >= 0.0 { (count as usize).min(MAX_GRID_LINES - 1) } else { 0 };
    (0..=count).map(|i| lo + step * i as f64).collect()
}

fn step_decimals(step: f64) -> u8 {
    let mut d = 0;
    let mut s = step;
    while (s - s.round()).abs() > 1e-9 && d < 4 {
        s *= 10.0;
        d += 1;
    }
    d
}

fn group(v: f64, decimals: usize) -> String {
    crate::content::model::Quantity { value: v, decimals: decimals as u8 }.display()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::model::{Measurement, Quantity};
    use crate::content::FiscalYear;

    fn ind(name: &str, actuals: &[(i32, f64)]) -> Indicator {
        let m = |y: i32, v: f64| Measurement { value: Quantity { value: v, decimals: 1 }, year: FiscalYear(y) };
        Indicator {
            id: "a".into(),
            name: name.into(),
            unit: "%".into(),
            better: Better::Lower,
            baseline: m(2017, 94.9),
            target: m(2025, 67.5),
            actuals: actuals.iter().map(|&(y, v)| m(y, v)).collect(),
            actual_notes: Default::default(),
            cumulative: false,
            note: None,
        }
    }

    #[test]
    fn chart_has_name_markers_and_no_style() {
        let svg = indicator_chart(&ind("排出率<script>", &[(2020, 90.0), (2021, 85.5)]), "c1");
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("role=\"img\"") && svg.contains("aria-labelledby=\"c1-title\""));
        assert!(svg.contains("排出率&lt;script&gt;の推移"));
        assert!(!svg.contains("<script"));
        assert!(!svg.contains("style="));
        assert_eq!(svg.matches("<rect").count(), 2, "one square per actual");
        assert!(svg.contains("↓ 低いほど良い"));
        assert!(svg.contains(">H29<") && svg.contains(">R7<"));
        assert!(svg.contains("最新の実績 85.5%(令和3年度)"));
        assert!(svg.contains(">縦軸は 60 から<"), "the axis says where it starts");
        assert!(svg.contains(">単位: %<"));
        for class in ["c-grid", "c-axis", "c-text", "c-plan", "c-actual", "c-base", "c-points", "c-target"] {
            assert!(svg.contains(&format!("class=\"{class}\"")), "{class} for forced colours");
        }
    }

    #[test]
    fn long_spans_label_at_most_nine_years() {
        let mut i = ind("x", &[]);
        i.baseline.year = FiscalYear(2000);
        i.target.year = FiscalYear(2030);
        let svg = indicator_chart(&i, "c5");
        let g = svg.split("text-anchor=\"middle\">").nth(1).unwrap().split("</g>").next().unwrap();
        assert!(g.matches("<text").count() <= 9, "{g}");
    }

    #[test]
    fn coordinates_are_short() {
        assert_eq!(N(210.0).to_string(), "210");
        assert_eq!(N(165.46).to_string(), "165.5");
        assert_eq!(N(-0.04).to_string(), "0");
        assert_eq!(N(-3.25).to_string(), "-3.3");
    }

    #[test]
    fn chart_without_actuals_has_plan_only() {
        let svg = indicator_chart(&ind("x", &[]), "c2");
        assert!(!svg.contains("<polyline"));
        assert!(svg.contains("stroke-dasharray"));
    }

    #[test]
    fn regression_a_rounding_error_between_baseline_and_target_does_not_loop() {
        let mut i = ind("x", &[]);
        i.baseline.value.value = 8.17;
        i.target.value.value = 8.170000000000002;
        let svg = indicator_chart(&i, "c3");
        assert!(svg.ends_with("</svg>"));
        for (lo, hi) in [(8.17, 8.170000000000002), (f64::MAX / 2.0, f64::MAX), (-f64::MAX, f64::MAX), (1e-300, 2e-300)]
        {
            let (a, b, step) = nice_range(lo, hi);
            assert!(a.is_finite() && b.is_finite() && step > 0.0 && a < b, "{lo} {hi}: {a} {b} {step}");
            assert!(grid(a, b, step).len() <= MAX_GRID_LINES);
        }
    }

    #[test]
    fn regression_values_near_the_float_maximum_draw_a_chart() {
        let mut i = ind("x", &[(2020, f64::MAX), (2021, -f64::MAX)]);
        i.target.value.value = f64::MAX;
        let svg = indicator_chart(&i, "c4");
        assert!(svg.ends_with("</svg>") && svg.len() < 20_000);
    }

    proptest::proptest! {
        /// Any finite values and any years draw a bounded chart, without a panic.
        #[test]
        fn any_values_draw_a_bounded_chart(
            values in proptest::collection::vec(proptest::num::f64::NORMAL | proptest::num::f64::SUBNORMAL | proptest::num::f64::ZERO, 2..6),
            years in proptest::collection::vec(-3000i32..30000, 2..6),
        ) {
            let mut i = ind("x", &[]);
            i.baseline.value.value = values[0];
            i.baseline.year = FiscalYear(years[0]);
            i.target.value.value = values[1];
            i.target.year = FiscalYear(years[1]);
            for (k, v) in values.iter().enumerate().skip(2) {
                let m = Measurement { value: Quantity { value: *v, decimals: 1 }, year: FiscalYear(years[k % years.len()]) };
                i.actuals.push(m);
            }
            let svg = indicator_chart(&i, "p");
            proptest::prop_assert!(svg.ends_with("</svg>"));
            proptest::prop_assert!(svg.len() < 20_000, "{} bytes", svg.len());
        }
    }

    #[test]
    fn nice_ranges() {
        assert_eq!(nice_range(67.5, 94.9), (60.0, 100.0, 10.0));
        let (lo, hi, step) = nice_range(5.0, 5.0);
        assert!(lo < 5.0 && hi > 5.0 && step > 0.0);
        let (lo, hi, _) = nice_range(-242.0, 150.0);
        assert!(lo <= -242.0 && hi >= 150.0);
        assert_eq!(step_decimals(0.25), 2);
    }
}
