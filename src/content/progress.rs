//! Where an indicator stands: time-aware, explainable status (docs/CONTENT.md §12).
//!
//! The setting is [`ProgressRule`] (`[progress]` in site.toml, read by `config`); this
//! module judges with it. Three rules:
//!
//! - `expected` (default): progress = (actual − baseline) ÷ (target − baseline) against the
//!   expected progress = (year of the actual − baseline year) ÷ (target year − baseline
//!   year). 達成 at `achieved`, 順調 at or above `expected × on_track`, else 遅れ.
//! - `target`: progress against fixed bands only (達成 / 順調 / 遅れ).
//! - `baseline`: 達成 at `achieved`; otherwise the change from the baseline as a share of
//!   |baseline|: 改善 above `+tolerance`, 悪化 below `−tolerance`, 横ばい within.
//!
//! **Rounding.** Every percentage is shown floored to a whole percent after snapping float
//! noise ([`shown_pct`]: 0.29 → 29, 0.499 → 49), and the status is decided from the same
//! shown integers, so a label never contradicts the number beside it.

use super::fiscal_year::FiscalYear;
use super::model::{Better, Indicator, Quantity};
pub use crate::config::{ProgressRule, RuleKind};
use serde::Serialize;

/// Where an indicator stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// 達成: the target is reached.
    Achieved,
    /// 順調: progress at or above the on-track line.
    OnTrack,
    /// 改善: better than the baseline by more than the tolerance (rule `baseline`).
    Improved,
    /// 横ばい: within the tolerance of the baseline (rule `baseline`).
    Unchanged,
    /// 遅れ: progress below the on-track line.
    Behind,
    /// 悪化: worse than the baseline by more than the tolerance (rule `baseline`).
    Worsened,
    /// 未評価: no actual after the baseline year, or nothing to judge by.
    Unrated,
}

impl Status {
    /// Every status, in display order (a rule gives only some: [`ProgressRule::statuses`]).
    pub const ALL: [Status; 7] = [
        Status::Achieved,
        Status::OnTrack,
        Status::Improved,
        Status::Unchanged,
        Status::Behind,
        Status::Worsened,
        Status::Unrated,
    ];

    /// Japanese label.
    pub fn label(self) -> &'static str {
        match self {
            Status::Achieved => "達成",
            Status::OnTrack => "順調",
            Status::Improved => "改善",
            Status::Unchanged => "横ばい",
            Status::Behind => "遅れ",
            Status::Worsened => "悪化",
            Status::Unrated => "未評価",
        }
    }

    /// Stable machine name (`achieved` …), used for CSS classes and open data.
    pub fn key(self) -> &'static str {
        match self {
            Status::Achieved => "achieved",
            Status::OnTrack => "on_track",
            Status::Improved => "improved",
            Status::Unchanged => "unchanged",
            Status::Behind => "behind",
            Status::Worsened => "worsened",
            Status::Unrated => "unrated",
        }
    }

    /// Whether the status counts as good (達成・順調・改善).
    pub fn good(self) -> bool {
        matches!(self, Status::Achieved | Status::OnTrack | Status::Improved)
    }
}

/// An indicator's status with the numbers it was decided from and why, in words.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessment {
    /// The status.
    pub status: Status,
    /// 進捗率 in whole percent as shown ([`shown_pct`]); `None` when not rated.
    pub progress_pct: Option<i64>,
    /// 期待される進捗 in whole percent at `year` (rule `expected` only).
    pub expected_pct: Option<i64>,
    /// Change from the baseline in whole percent of |baseline|, positive = better (rule
    /// `baseline` only; `None` when the baseline is 0).
    pub change_pct: Option<i64>,
    /// Fiscal year of the actual judged (the latest one counted).
    pub year: Option<FiscalYear>,
    /// Why, in plain Japanese (「令和4年度の実績: 期待される進捗 40% に対し 49%」).
    pub reason: String,
}

/// A share (0.5 = 50%) as the whole percent shown: ×100, snapped to an integer when within
/// 1e-9 of one (float noise: 0.29 × 100 = 28.999…), then floored (0.499 → 49, −0.252 → −26:
/// never better than it is). `None` for a value that is not finite.
pub fn shown_pct(share: f64) -> Option<i64> {
    let x = share * 100.0;
    if !x.is_finite() {
        return None;
    }
    let r = x.round();
    // `as` saturates: no panic on huge values.
    Some(if (x - r).abs() < 1e-9 { r as i64 } else { x.floor() as i64 })
}

/// The least whole percent at or above the share `x` (×100, noise snapped): an integer
/// percentage `p` is ≥ x×100 exactly when `p ≥ least_pct(x)`.
fn least_pct(x: f64) -> i64 {
    let y = x * 100.0;
    let r = y.round();
    if (y - r).abs() < 1e-9 {
        r as i64
    } else {
        y.ceil() as i64
    }
}

/// A share as a percentage for text: `100`, `12.5`, `33.33`.
fn pct_text(x: f64) -> String {
    let s = format!("{:.2}", x * 100.0);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}

impl ProgressRule {
    /// The statuses this rule can give, in display order.
    pub fn statuses(&self) -> Vec<Status> {
        match self.kind {
            RuleKind::Expected | RuleKind::Target => {
                vec![Status::Achieved, Status::OnTrack, Status::Behind, Status::Unrated]
            }
            RuleKind::Baseline => {
                vec![Status::Achieved, Status::Improved, Status::Unchanged, Status::Worsened, Status::Unrated]
            }
        }
    }

    /// The definition of each status of [`ProgressRule::statuses`], made from the
    /// thresholds, so the legend always says what [`Indicator::assess`] does.
    pub fn legend(&self) -> Vec<(Status, String)> {
        let achieved = format!("進捗率が {}% 以上(目標値に達した)", pct_text(self.achieved));
        let unrated = "基準年度より後の実績がまだない(または判定できない)".to_string();
        let line = if self.on_track == 1.0 {
            "期待される進捗".to_string()
        } else {
            format!("期待される進捗の {}% ", pct_text(self.on_track))
        };
        let tol = pct_text(self.tolerance);
        self.statuses()
            .into_iter()
            .map(|s| {
                let text = match (self.kind, s) {
                    (_, Status::Achieved) => achieved.clone(),
                    (_, Status::Unrated) => unrated.clone(),
                    (RuleKind::Expected, Status::OnTrack) => format!("達成ではなく、進捗率が{line}以上"),
                    (RuleKind::Expected, _) => format!("進捗率が{line}に満たない"),
                    (RuleKind::Target, Status::OnTrack) => {
                        format!("達成ではなく、進捗率が {}% 以上", pct_text(self.on_track))
                    }
                    (RuleKind::Target, _) => format!("進捗率が {}% 未満", pct_text(self.on_track)),
                    (RuleKind::Baseline, Status::Improved) => {
                        format!("達成ではなく、基準値から {tol}% を超えて良くなった")
                    }
                    (RuleKind::Baseline, Status::Unchanged) => format!("基準値との差が ±{tol}% 以内"),
                    (RuleKind::Baseline, _) => format!("基準値から {tol}% を超えて悪くなった"),
                };
                (s, text)
            })
            .collect()
    }

    /// How the numbers are computed, in one paragraph for the legend.
    pub fn method(&self) -> String {
        let progress = "進捗率 =(実績 − 基準値)÷(目標値 − 基準値)。低いほど良い指標も同じ式で、目標の方向に進めば正の値になります。累計の指標は、基準年度より後の実績の合計 ÷ 目標値です。";
        let rounding = "割合は小数点以下を切り捨てた % で表示し、判定もその表示の数で行います。";
        match self.kind {
            RuleKind::Expected => format!(
                "{progress}期待される進捗 =(実績の年度 − 基準年度)÷(目標年度 − 基準年度)で、目標年度を過ぎた実績では 100% です。{rounding}"
            ),
            RuleKind::Target => format!("{progress}{rounding}"),
            RuleKind::Baseline => format!(
                "{progress}基準値からの変化 =(実績 − 基準値)÷ 基準値の大きさ で、良くなる向きを正とします(基準値が 0 のときは差の正負で判定)。{rounding}"
            ),
        }
    }
}

impl Indicator {
    /// The status of the latest actual (only actuals of years ≤ `as_of` when given) under
    /// `rule`, with the numbers shown and the reason in words. Never panics.
    pub fn assess(&self, rule: &ProgressRule, as_of: Option<FiscalYear>) -> Assessment {
        let unrated = |year, reason: String| Assessment {
            status: Status::Unrated,
            progress_pct: None,
            expected_pct: None,
            change_pct: None,
            year,
            reason,
        };
        let counted: Vec<_> = self.actuals.iter().filter(|a| as_of.is_none_or(|y| a.year <= y)).collect();
        let Some(latest) = counted.last() else {
            return unrated(
                None,
                match as_of {
                    Some(y) => format!("{}までの実績がまだありません", y.wareki()),
                    None => "実績がまだありません".into(),
                },
            );
        };
        let (year, base_year, target_year) = (latest.year, self.baseline.year, self.target.year);
        if year <= base_year {
            return unrated(
                Some(year),
                format!(
                    "最新の実績({})が基準年度({})より後ではないため、判定しません",
                    year.wareki(),
                    base_year.wareki()
                ),
            );
        }
        let unit = &self.unit;
        let (base, target) = (self.baseline.value.value, self.target.value.value);
        // The progress as a share, and the words for the value judged.
        let (progress, value_text) = if self.cumulative {
            if self.better == Better::Lower {
                return unrated(
                    Some(year),
                    "累計の指標は、実績を積み上げて目標値に届くもの(高いほど良い)だけを判定します".into(),
                );
            }
            if target <= 0.0 {
                return unrated(Some(year), "累計の目標値が 0 以下のため、判定できません".into());
            }
            let summed: Vec<_> = counted.iter().filter(|a| a.year > base_year).collect();
            let sum: f64 = summed.iter().map(|a| a.value.value).sum();
            let decimals = summed.iter().map(|a| a.value.decimals).max().unwrap_or(0);
            let total = Quantity { value: sum, decimals }.display();
            (sum / target, format!("{}までの累計 {total}{unit}", year.wareki()))
        } else if target == base {
            let v = latest.value.value;
            let met = match self.better {
                Better::Higher => v >= target,
                Better::Lower => v <= target,
            };
            let how = if met { "満たしています" } else { "満たしていません" };
            let text = format!(
                "{}の実績 {}{unit} は、基準値と同じ目標値 {}{unit} を{how}",
                year.wareki(),
                latest.value.display(),
                self.target.value.display()
            );
            (if met { 1.0 } else { 0.0 }, text)
        } else {
            ((latest.value.value - base) / (target - base), format!("{}の実績", year.wareki()))
        };
        let Some(p) = shown_pct(progress) else {
            return unrated(Some(year), "値が大きすぎて進捗率を計算できません".into());
        };
        let rated = |status, expected_pct, change_pct, why: String| Assessment {
            status,
            progress_pct: Some(p),
            expected_pct,
            change_pct,
            year: Some(year),
            reason: format!("{value_text}: {why}"),
        };
        let late = if year > target_year {
            format!("(目標年度の{}を過ぎています)", target_year.wareki())
        } else {
            String::new()
        };
        if p >= least_pct(rule.achieved) {
            return rated(Status::Achieved, None, None, format!("目標値に達しています(進捗率 {p}%){late}"));
        }
        match rule.kind {
            RuleKind::Expected => {
                let e = expected_pct(year, base_year, target_year);
                let line = least_pct(e as f64 / 100.0 * rule.on_track);
                let status = if p >= line { Status::OnTrack } else { Status::Behind };
                let mark = if rule.on_track == 1.0 { String::new() } else { format!("(順調の目安 {line}%)") };
                rated(status, Some(e), None, format!("期待される進捗 {e}%{mark} に対し {p}%{late}"))
            }
            RuleKind::Target => {
                let line = least_pct(rule.on_track);
                let (status, cmp) = if p >= line { (Status::OnTrack, "以上") } else { (Status::Behind, "未満") };
                rated(status, None, None, format!("進捗率 {p}%(順調の目安 {}% {cmp}){late}", pct_text(rule.on_track)))
            }
            RuleKind::Baseline => self.baseline_status(rule, latest.value.value, p, year, value_text, late),
        }
    }

    /// The `baseline` rule below 達成: 改善 / 横ばい / 悪化 by the change from the baseline.
    fn baseline_status(
        &self,
        rule: &ProgressRule,
        value: f64,
        p: i64,
        year: FiscalYear,
        value_text: String,
        late: String,
    ) -> Assessment {
        let base = self.baseline.value.value;
        let target = self.target.value.value;
        // Which way is better: towards the target, or as `better` says when they are equal.
        let up = if target != base { target > base } else { self.better == Better::Higher };
        let sign = if up { 1.0 } else { -1.0 };
        let tol = pct_text(rule.tolerance);
        let (status, change_pct, why) = if base == 0.0 {
            let d = (value - base) * sign;
            let status = if d > 0.0 {
                Status::Improved
            } else if d < 0.0 {
                Status::Worsened
            } else {
                Status::Unchanged
            };
            (status, None, format!("基準値 0 からの変化で判定しました({})", status.label()))
        } else {
            let c = shown_pct((value - base) * sign / base.abs()).unwrap_or(0);
            let band = rule.tolerance * 100.0;
            let (status, why) = if (c as f64) > band + 1e-9 {
                (Status::Improved, format!("基準値から {c}% 良くなりました(±{tol}% を超える)"))
            } else if (c as f64) < -band - 1e-9 {
                (Status::Worsened, format!("基準値から {}% 悪くなりました(±{tol}% を超える)", -c))
            } else {
                (Status::Unchanged, format!("基準値との差は {c:+}%(±{tol}% 以内)"))
            };
            (status, Some(c), why)
        };
        Assessment {
            status,
            progress_pct: Some(p),
            expected_pct: None,
            change_pct,
            year: Some(year),
            reason: format!("{value_text}: {why}{late}"),
        }
    }
}

/// 期待される進捗 in whole percent at `year`: (year − baseline year) ÷ (target year −
/// baseline year), floored, clamped to 0–100 (100 after the target year, or when the
/// target year is the baseline year). Integer arithmetic: no float noise.
pub fn expected_pct(year: FiscalYear, base_year: FiscalYear, target_year: FiscalYear) -> i64 {
    let elapsed = i64::from(year.0) - i64::from(base_year.0);
    let span = i64::from(target_year.0) - i64::from(base_year.0);
    if elapsed <= 0 {
        return 0;
    }
    if span <= 0 || elapsed >= span {
        return 100;
    }
    (elapsed * 100).div_euclid(span)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::model::Measurement;

    fn m(value: f64, year: i32) -> Measurement {
        Measurement { value: Quantity { value, decimals: 1 }, year: FiscalYear(year) }
    }

    /// An indicator from (value, year) pairs.
    fn ind(better: Better, base: (f64, i32), target: (f64, i32), actuals: &[(f64, i32)]) -> Indicator {
        Indicator {
            id: "i".into(),
            name: "n".into(),
            unit: "%".into(),
            better,
            baseline: m(base.0, base.1),
            target: m(target.0, target.1),
            actuals: actuals.iter().map(|&(v, y)| m(v, y)).collect(),
            actual_notes: Default::default(),
            cumulative: false,
            note: None,
        }
    }

    /// Baseline 0 in 2020, target 100 in 2030: progress = actual %, expected = 10% a year.
    fn hundred(actual: f64, year: i32) -> Indicator {
        ind(Better::Higher, (0.0, 2020), (100.0, 2030), &[(actual, year)])
    }

    fn rule(kind: RuleKind) -> ProgressRule {
        ProgressRule::of(kind)
    }

    #[test]
    fn regression_on_schedule_indicator_is_not_labelled_behind() {
        // Baseline 120.5 (R2), actual 150.2 (R4), target 180 (R7): 49% done after 40% of the time.
        let i = ind(Better::Higher, (120.5, 2020), (180.0, 2025), &[(150.2, 2022)]);
        let a = i.assess(&ProgressRule::default(), None);
        assert_eq!(a.status, Status::OnTrack);
        assert_eq!((a.progress_pct, a.expected_pct), (Some(49), Some(40)));
        assert_eq!(a.year, Some(FiscalYear(2022)));
        assert!(a.reason.contains("40%") && a.reason.contains("49%"), "{}", a.reason);
        assert_eq!(a.reason, "令和4年度の実績: 期待される進捗 40% に対し 49%");
        // Under the old rule (target only, 50%) it is 遅れ, and says 49, not a rounded 50.
        let old = i.assess(&rule(RuleKind::Target), None);
        assert_eq!((old.status, old.progress_pct), (Status::Behind, Some(49)));
        // Under the baseline rule it is 24% better than the baseline (docs/CONTENT.md §12).
        let b = i.assess(&rule(RuleKind::Baseline), None);
        assert_eq!((b.status, b.change_pct), (Status::Improved, Some(24)));
    }

    #[test]
    fn shown_pct_floors_after_snapping_noise() {
        assert_eq!(shown_pct(0.499), Some(49));
        assert_eq!(shown_pct(0.5), Some(50));
        assert_eq!(shown_pct(0.29), Some(29), "0.29 × 100 = 28.999…");
        assert_eq!(shown_pct(0.57), Some(57), "0.57 × 100 = 56.999…");
        assert_eq!(shown_pct(0.9999999), Some(99));
        assert_eq!(shown_pct(1.0), Some(100));
        assert_eq!(shown_pct(-0.252), Some(-26));
        assert_eq!(shown_pct(0.0), Some(0));
        assert_eq!(shown_pct(f64::INFINITY), None);
        assert_eq!(shown_pct(f64::NAN), None);
        assert_eq!(shown_pct(1e300), Some(i64::MAX));
        // (60.3 − 50.1) ÷ (70.5 − 50.1) is 0.5 up to noise.
        assert_eq!(shown_pct((60.3 - 50.1) / (70.5 - 50.1)), Some(50));
    }

    #[test]
    fn expected_rule_at_the_boundaries() {
        let r = ProgressRule::default();
        // 2024: expected 40%.
        let at = |v: f64| hundred(v, 2024).assess(&r, None);
        assert_eq!(at(40.0).status, Status::OnTrack, "on the line");
        assert_eq!(at(39.99).status, Status::Behind);
        assert_eq!(at(39.99).progress_pct, Some(39));
        assert_eq!(at(99.99).status, Status::OnTrack);
        assert_eq!(at(100.0).status, Status::Achieved);
        assert_eq!(at(100.0).reason, "令和6年度の実績: 目標値に達しています(進捗率 100%)");
        assert_eq!(at(-5.0).status, Status::Behind);
        // Baseline 0, target 1: 0.4 is 40.000000000000001% or so; it snaps to 40 and is on the line.
        let noisy = ind(Better::Higher, (0.1, 2020), (1.1, 2030), &[(0.5, 2024)]).assess(&r, None);
        assert_eq!((noisy.progress_pct, noisy.expected_pct, noisy.status), (Some(40), Some(40), Status::OnTrack));
        // Expected is floored too: 1 of 3 years = 33%.
        let third = ind(Better::Higher, (0.0, 2020), (100.0, 2023), &[(33.0, 2021)]).assess(&r, None);
        assert_eq!((third.expected_pct, third.status), (Some(33), Status::OnTrack));
    }

    #[test]
    fn expected_rule_with_a_looser_line_and_achieved_threshold() {
        let r = ProgressRule { on_track: 0.8, ..ProgressRule::default() };
        // 2025: expected 50%, line 40%.
        let a = hundred(40.0, 2025).assess(&r, None);
        assert_eq!(a.status, Status::OnTrack);
        assert_eq!(a.reason, "令和7年度の実績: 期待される進捗 50%(順調の目安 40%) に対し 40%");
        assert_eq!(hundred(39.9, 2025).assess(&r, None).status, Status::Behind);
        // 3 of 7 years = 42%, × 0.8 = 33.6: 34 is on track, 33 is not.
        let seven = |v| ind(Better::Higher, (0.0, 2020), (100.0, 2027), &[(v, 2023)]).assess(&r, None);
        assert_eq!(seven(34.0).status, Status::OnTrack);
        assert_eq!(seven(33.9).status, Status::Behind);
        let strict = ProgressRule { achieved: 0.9, ..ProgressRule::default() };
        assert_eq!(hundred(90.0, 2021).assess(&strict, None).status, Status::Achieved);
        assert_eq!(hundred(89.99, 2029).assess(&strict, None).status, Status::Behind);
    }

    #[test]
    fn target_rule_is_bands_of_progress() {
        let r = rule(RuleKind::Target);
        assert_eq!(hundred(50.0, 2021).assess(&r, None).status, Status::OnTrack);
        assert_eq!(hundred(49.9, 2029).assess(&r, None).status, Status::Behind);
        assert_eq!(hundred(49.9, 2029).assess(&r, None).reason, "令和11年度の実績: 進捗率 49%(順調の目安 50% 未満)");
        assert_eq!(hundred(100.0, 2021).assess(&r, None).status, Status::Achieved);
        assert_eq!(hundred(50.0, 2021).assess(&r, None).expected_pct, None);
        // 富士市: 80% 以上 / 50% 以上 80% 未満 / 50% 未満.
        let fuji = ProgressRule { achieved: 0.8, ..r };
        assert_eq!(hundred(80.0, 2022).assess(&fuji, None).status, Status::Achieved);
        assert_eq!(hundred(79.99, 2022).assess(&fuji, None).status, Status::OnTrack);
    }

    #[test]
    fn baseline_rule_with_its_tolerance_band() {
        let r = rule(RuleKind::Baseline);
        // Baseline 50 → target 70: the band is ±5.
        let at = |v: f64| ind(Better::Higher, (50.0, 2020), (70.0, 2025), &[(v, 2022)]).assess(&r, None);
        assert_eq!(at(70.0).status, Status::Achieved);
        assert_eq!(at(55.5).status, Status::Improved, "+11%");
        assert_eq!(at(55.5).change_pct, Some(11));
        assert_eq!(at(55.5).reason, "令和4年度の実績: 基準値から 11% 良くなりました(±10% を超える)");
        assert_eq!(at(55.0).status, Status::Unchanged, "+10% is within the band");
        assert_eq!(at(55.4).status, Status::Unchanged, "+10.8% shows as 10%: within, as shown");
        assert_eq!(at(45.0).status, Status::Unchanged, "−10%");
        assert_eq!(at(45.0).reason, "令和4年度の実績: 基準値との差は -10%(±10% 以内)");
        assert_eq!(at(44.9).status, Status::Worsened);
        assert_eq!(at(44.9).reason, "令和4年度の実績: 基準値から 11% 悪くなりました(±10% を超える)");
        // Lower is better: a drop is an improvement.
        let low = |v: f64| ind(Better::Lower, (50.0, 2020), (30.0, 2025), &[(v, 2022)]).assess(&r, None);
        assert_eq!(low(40.0).status, Status::Improved);
        assert_eq!(low(60.0).status, Status::Worsened);
        assert_eq!(low(30.0).status, Status::Achieved);
        // Baseline 0: the sign of the change decides.
        let zero = |v: f64| ind(Better::Higher, (0.0, 2020), (10.0, 2025), &[(v, 2022)]).assess(&r, None);
        assert_eq!(zero(0.5).status, Status::Improved);
        assert_eq!(zero(0.0).status, Status::Unchanged);
        assert_eq!(zero(-0.5).status, Status::Worsened);
        assert_eq!(zero(0.5).change_pct, None);
        // A wider band.
        let wide = ProgressRule { tolerance: 0.25, ..r };
        assert_eq!(
            ind(Better::Higher, (50.0, 2020), (70.0, 2025), &[(62.0, 2022)]).assess(&wide, None).status,
            Status::Unchanged
        );
    }

    #[test]
    fn lower_is_better_uses_the_same_formula() {
        let r = ProgressRule::default();
        // 94.9 (H29) → 67.5 (R7); 88.0 in R3 is 25% of the way after 50% of the time.
        let i = ind(Better::Lower, (94.9, 2017), (67.5, 2025), &[(91.2, 2020), (88.0, 2021)]);
        let a = i.assess(&r, None);
        assert_eq!((a.status, a.progress_pct, a.expected_pct), (Status::Behind, Some(25), Some(50)));
        let up = ind(Better::Lower, (94.9, 2017), (67.5, 2025), &[(99.0, 2021)]).assess(&r, None);
        assert_eq!((up.status, up.progress_pct), (Status::Behind, Some(-15)));
        assert_eq!(
            ind(Better::Lower, (94.9, 2017), (67.5, 2025), &[(60.0, 2021)]).assess(&r, None).status,
            Status::Achieved
        );
    }

    #[test]
    fn target_equal_to_baseline_is_achieved_iff_met() {
        for r in [ProgressRule::default(), rule(RuleKind::Target), rule(RuleKind::Baseline)] {
            let keep = |b, v| ind(b, (5.0, 2020), (5.0, 2025), &[(v, 2022)]).assess(&r, None);
            assert_eq!(keep(Better::Higher, 5.0).status, Status::Achieved);
            assert_eq!(keep(Better::Higher, 6.0).status, Status::Achieved);
            assert_ne!(keep(Better::Higher, 4.0).status, Status::Achieved);
            assert_eq!(keep(Better::Lower, 4.0).status, Status::Achieved);
            assert_ne!(keep(Better::Lower, 6.0).status, Status::Achieved);
            assert_eq!(keep(Better::Lower, 6.0).progress_pct, Some(0));
        }
        let a = ind(Better::Lower, (5.0, 2020), (5.0, 2025), &[(6.0, 2022)]).assess(&ProgressRule::default(), None);
        assert_eq!(a.status, Status::Behind);
        assert!(a.reason.contains("基準値と同じ目標値 5.0% を満たしていません"), "{}", a.reason);
    }

    #[test]
    fn cumulative_sums_the_years_after_the_baseline() {
        let r = ProgressRule::default();
        let mut i = ind(Better::Higher, (3.0, 2020), (100.0, 2030), &[(3.0, 2020), (10.0, 2021), (15.0, 2022)]);
        i.cumulative = true;
        let a = i.assess(&r, None);
        // 10 + 15 = 25 of 100 after 20% of the time; the baseline year's 3 is not counted.
        assert_eq!((a.status, a.progress_pct, a.expected_pct), (Status::OnTrack, Some(25), Some(20)));
        assert_eq!(a.reason, "令和4年度までの累計 25.0%: 期待される進捗 20% に対し 25%");
        let early = i.assess(&r, Some(FiscalYear(2021)));
        assert_eq!((early.status, early.progress_pct, early.expected_pct), (Status::OnTrack, Some(10), Some(10)));
        let mut slow = i.clone();
        slow.actuals[1].value.value = 9.0;
        assert_eq!(slow.assess(&r, Some(FiscalYear(2021))).status, Status::Behind);
        i.actuals.push(m(80.0, 2023));
        assert_eq!(i.assess(&r, None).status, Status::Achieved);
        i.better = Better::Lower;
        assert_eq!(i.assess(&r, None).status, Status::Unrated);
        i.better = Better::Higher;
        i.target.value.value = 0.0;
        let zero = i.assess(&r, None);
        assert_eq!(
            (zero.status, zero.reason.as_str()),
            (Status::Unrated, "累計の目標値が 0 以下のため、判定できません")
        );
    }

    #[test]
    fn actuals_outside_the_period() {
        let r = ProgressRule::default();
        // After the target year the line is 100%: not 達成 is 遅れ.
        let late = hundred(95.0, 2032).assess(&r, None);
        assert_eq!((late.status, late.expected_pct), (Status::Behind, Some(100)));
        assert!(late.reason.contains("目標年度の令和12年度を過ぎています"), "{}", late.reason);
        // At or before the baseline year: not rated, and says why.
        let early = hundred(50.0, 2020).assess(&r, None);
        assert_eq!((early.status, early.progress_pct), (Status::Unrated, None));
        assert_eq!(early.reason, "最新の実績(令和2年度)が基準年度(令和2年度)より後ではないため、判定しません");
        assert_eq!(hundred(50.0, 2018).assess(&r, None).status, Status::Unrated);
        // Target year equal to the baseline year: expected is 100% at once.
        assert_eq!(expected_pct(FiscalYear(2021), FiscalYear(2020), FiscalYear(2020)), 100);
        assert_eq!(expected_pct(FiscalYear(2020), FiscalYear(2020), FiscalYear(2020)), 0);
    }

    #[test]
    fn as_of_counts_only_the_years_up_to_it() {
        let r = ProgressRule::default();
        let i = ind(Better::Higher, (0.0, 2020), (100.0, 2030), &[(5.0, 2021), (35.0, 2023), (60.0, 2025)]);
        assert_eq!(i.assess(&r, None).year, Some(FiscalYear(2025)));
        assert_eq!(i.assess(&r, None).status, Status::OnTrack);
        let r23 = i.assess(&r, Some(FiscalYear(2023)));
        assert_eq!((r23.year, r23.progress_pct, r23.status), (Some(FiscalYear(2023)), Some(35), Status::OnTrack));
        let r22 = i.assess(&r, Some(FiscalYear(2022)));
        assert_eq!((r22.year, r22.progress_pct, r22.status), (Some(FiscalYear(2021)), Some(5), Status::Behind));
        let r20 = i.assess(&r, Some(FiscalYear(2020)));
        assert_eq!((r20.status, r20.reason.as_str()), (Status::Unrated, "令和2年度までの実績がまだありません"));
        assert_eq!(ind(Better::Higher, (0.0, 2020), (1.0, 2030), &[]).assess(&r, None).reason, "実績がまだありません");
    }

    #[test]
    fn legend_is_made_from_the_thresholds() {
        let d = ProgressRule::default();
        let keys: Vec<Status> = d.legend().into_iter().map(|(s, _)| s).collect();
        assert_eq!(keys, d.statuses());
        assert_eq!(d.legend()[1].1, "達成ではなく、進捗率が期待される進捗以上");
        let loose = ProgressRule { on_track: 0.8, achieved: 0.95, ..d };
        assert_eq!(loose.legend()[0].1, "進捗率が 95% 以上(目標値に達した)");
        assert_eq!(loose.legend()[2].1, "進捗率が期待される進捗の 80% に満たない");
        let t = ProgressRule { on_track: 0.625, ..rule(RuleKind::Target) };
        assert_eq!(t.legend()[1].1, "達成ではなく、進捗率が 62.5% 以上");
        let b = rule(RuleKind::Baseline);
        assert_eq!(
            b.statuses(),
            [Status::Achieved, Status::Improved, Status::Unchanged, Status::Worsened, Status::Unrated]
        );
        assert_eq!(b.legend()[2].1, "基準値との差が ±10% 以内");
        assert!(d.method().contains("期待される進捗 ="));
        assert!(!rule(RuleKind::Target).method().contains("期待される進捗"));
    }

    #[test]
    fn statuses_have_keys_labels_and_goodness() {
        let keys: std::collections::HashSet<&str> = Status::ALL.iter().map(|s| s.key()).collect();
        assert_eq!(keys.len(), Status::ALL.len());
        assert!(Status::Improved.good() && !Status::Unchanged.good() && !Status::Worsened.good());
        assert_eq!(Status::Unchanged.label(), "横ばい");
        for kind in RuleKind::ALL {
            assert!(rule(kind).statuses().iter().all(|s| Status::ALL.contains(s)));
        }
    }

    /// The legend's definitions, checked against the shown integers only.
    fn agrees_with_legend(r: &ProgressRule, a: &Assessment) -> bool {
        let Some(p) = a.progress_pct else {
            return a.status == Status::Unrated;
        };
        let achieved = (p as f64) >= r.achieved * 100.0 - 1e-9;
        if achieved {
            return a.status == Status::Achieved;
        }
        match r.kind {
            RuleKind::Expected => {
                let Some(e) = a.expected_pct else { return false };
                let on = (p as f64) >= e as f64 * r.on_track - 1e-9;
                a.status == if on { Status::OnTrack } else { Status::Behind }
            }
            RuleKind::Target => {
                let on = (p as f64) >= r.on_track * 100.0 - 1e-9;
                a.status == if on { Status::OnTrack } else { Status::Behind }
            }
            RuleKind::Baseline => match a.change_pct {
                Some(c) if (c as f64) > r.tolerance * 100.0 + 1e-9 => a.status == Status::Improved,
                Some(c) if (c as f64) < -r.tolerance * 100.0 - 1e-9 => a.status == Status::Worsened,
                Some(_) => a.status == Status::Unchanged,
                None => matches!(a.status, Status::Improved | Status::Unchanged | Status::Worsened),
            },
        }
    }

    proptest::proptest! {
        #[test]
        fn shown_numbers_and_label_agree_with_the_legend(
            kind in 0usize..3,
            base in -1e6f64..1e6,
            target in -1e6f64..1e6,
            actual in -1e6f64..1e6,
            years in (2000i32..2040, 0i32..15, -5i32..20),
            achieved in 0.5f64..1.5,
            line in 0.0f64..1.0,
            tolerance in 0.0f64..1.0,
            lower in proptest::bool::ANY,
            cumulative in proptest::bool::ANY,
            round in proptest::bool::ANY,
        ) {
            let kind = RuleKind::ALL[kind];
            let (b, t, v) = if round { (base.round(), target.round(), actual.round()) } else { (base, target, actual) };
            let r = ProgressRule { kind, achieved, on_track: line * achieved, tolerance };
            let better = if lower { Better::Lower } else { Better::Higher };
            let mut i = ind(better, (b, years.0), (t, years.0 + years.1), &[(v, years.0 + years.2)]);
            i.cumulative = cumulative;
            let a = i.assess(&r, None);
            proptest::prop_assert!(agrees_with_legend(&r, &a), "{r:?} {a:?}");
            proptest::prop_assert!(!a.reason.is_empty());
            if let Some(p) = a.progress_pct {
                let shown = format!("{p}%");
                proptest::prop_assert!(a.status == Status::Achieved || kind == RuleKind::Baseline || a.reason.contains(&shown), "{a:?}");
            }
        }
    }
}
