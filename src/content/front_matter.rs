//! The TOML front matter of each kind of content file, as webmasters write it.
//! See `docs/CONTENT.md`; unknown keys are errors so typos do not pass silently.

use super::fiscal_year::FiscalYear;
use super::model::{Better, Quantity};
use super::updated::UpdatedDate;
use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use std::fmt;
use toml::Spanned;

/// `_plan.md`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanFrontMatter {
    pub title: String,
    /// サブタイトル・副題, shown under the title.
    #[serde(default)]
    pub subtitle: Option<String>,
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub municipality: Option<String>,
    #[serde(default)]
    pub period: Option<Spanned<PeriodFrontMatter>>,
    #[serde(default)]
    pub vision: Option<String>,
    #[serde(default)]
    pub principles: Vec<String>,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub issued: Option<String>,
    #[serde(default)]
    pub publisher: Option<String>,
    #[serde(default)]
    pub weight: Option<i64>,
    /// 最終更新日 of the plan's top page.
    #[serde(default)]
    pub updated: Option<UpdatedDate>,
    #[serde(default)]
    pub levels: Option<Spanned<Vec<LevelFrontMatter>>>,
    #[serde(default)]
    pub themes: Vec<Spanned<ThemeFrontMatter>>,
    /// The yearly evaluation's grade scale.
    #[serde(default)]
    pub evaluation: Option<Spanned<GradeScaleFrontMatter>>,
    /// 下書き: the whole plan is left out of `planpress build` (without `--drafts`).
    #[serde(default)]
    pub draft: bool,
    /// Old URLs of the plan's page, each to get a redirect page.
    #[serde(default)]
    pub aliases: Vec<Spanned<String>>,
}

/// `[evaluation]` in `_plan.md`: `name` and `[[evaluation.grades]]`, best first.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GradeScaleFrontMatter {
    #[serde(default = "evaluation_name")]
    pub name: String,
    pub grades: Vec<Spanned<GradeFrontMatter>>,
}

fn evaluation_name() -> String {
    "施策評価".into()
}

/// `{ symbol = "A", label = "順調", definition = "…", good = true }`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GradeFrontMatter {
    pub symbol: String,
    pub label: String,
    #[serde(default)]
    pub definition: Option<String>,
    #[serde(default)]
    pub good: bool,
}

/// `[[evaluations]]` of a node: one fiscal year's grade, comment and costs.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvaluationFrontMatter {
    pub year: FiscalYear,
    #[serde(default)]
    pub grade: Option<Spanned<String>>,
    #[serde(default)]
    pub comment: Option<String>,
    #[serde(default)]
    pub results: Option<String>,
    #[serde(default)]
    pub budget: Option<Spanned<Quantity>>,
    #[serde(default)]
    pub settlement: Option<Spanned<Quantity>>,
}

/// `period = { start = "R3", end = "R7" }` (or only `start`). Both optional here so that
/// `{}` or an end alone get a message of their own; spanned so messages can name the line.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, expecting = "計画期間 { start = \"R3\", end = \"R7\" }")]
pub struct PeriodFrontMatter {
    #[serde(default)]
    pub start: Option<Spanned<PeriodYear>>,
    #[serde(default)]
    pub end: Option<Spanned<PeriodYear>>,
}

/// A year of the period as written: a fiscal year, or a word that says there is none yet
/// (`"未定"`, `""`), which gets its own message (leave the key out).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodYear {
    /// A fiscal year.
    Year(FiscalYear),
    /// `""`, `"未定"`, `"-"` …: no year.
    Undecided,
}

impl<'de> Deserialize<'de> for PeriodYear {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = PeriodYear;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("年度 (2025、\"R7\"、\"令和7年度\" など)")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<PeriodYear, E> {
                FiscalYear::deserialize(de::value::I64Deserializer::<E>::new(v)).map(PeriodYear::Year)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<PeriodYear, E> {
                FiscalYear::deserialize(de::value::U64Deserializer::<E>::new(v)).map(PeriodYear::Year)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<PeriodYear, E> {
                let t = v.trim();
                if t.is_empty() || ["未定", "なし", "無し", "-", "ー", "―", "－", "なし(未定)"].contains(&t)
                {
                    return Ok(PeriodYear::Undecided);
                }
                FiscalYear::parse(v).map(PeriodYear::Year).map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

/// A level: `"施策"` or `{ name = "施策の方向", pages = false }`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum LevelFrontMatter {
    Name(String),
    Table {
        name: String,
        /// `None` when not written: pages, except for nodes with nothing to show.
        #[serde(default)]
        pages: Option<bool>,
    },
}

/// `[[themes]]` in `_plan.md`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThemeFrontMatter {
    pub id: String,
    #[serde(default)]
    pub number: Option<String>,
    pub title: String,
    #[serde(default)]
    pub summary: Option<String>,
}

/// A node file, or an inline `[[children]]` entry.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeFrontMatter {
    #[serde(default)]
    pub id: Option<Spanned<String>>,
    #[serde(default)]
    pub number: Option<String>,
    pub title: String,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub weight: Option<i64>,
    /// 最終更新日 of the node's page.
    #[serde(default)]
    pub updated: Option<UpdatedDate>,
    #[serde(default)]
    pub sdgs: Vec<Spanned<i64>>,
    #[serde(default)]
    pub departments: Vec<Spanned<String>>,
    #[serde(default)]
    pub themes: Vec<Spanned<String>>,
    #[serde(default)]
    pub indicators: Vec<Spanned<IndicatorFrontMatter>>,
    #[serde(default)]
    pub evaluations: Vec<Spanned<EvaluationFrontMatter>>,
    #[serde(default)]
    pub children: Vec<Spanned<NodeFrontMatter>>,
    /// Only in `[[children]]`: the Markdown body.
    #[serde(default)]
    pub body: Option<Spanned<String>>,
    /// 下書き: the node and everything under it are left out of `planpress build`.
    #[serde(default)]
    pub draft: bool,
    /// Old URLs of the node's page, each to get a redirect page.
    #[serde(default)]
    pub aliases: Vec<Spanned<String>>,
}

/// `[[indicators]]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorFrontMatter {
    #[serde(default)]
    pub id: Option<String>,
    pub name: String,
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub better: Better,
    pub baseline: MeasurementFrontMatter,
    pub target: MeasurementFrontMatter,
    #[serde(default)]
    pub actuals: Vec<MeasurementFrontMatter>,
    /// 累計: the target is a total of the yearly actuals.
    #[serde(default)]
    pub cumulative: bool,
    #[serde(default)]
    pub note: Option<String>,
}

/// `{ value = 69.4, year = "R1" }`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeasurementFrontMatter {
    /// Spanned so the decimals can be read from the text as written (`88.0` keeps `.0`).
    pub value: Spanned<Quantity>,
    pub year: FiscalYear,
    /// 備考 on an actual (not allowed on baseline and target).
    #[serde(default)]
    pub note: Option<String>,
}

/// A free page or plan chapter.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageFrontMatter {
    pub title: String,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub weight: Option<i64>,
    #[serde(default)]
    pub footer: bool,
    /// 下書き: the page is left out of `planpress build` (without `--drafts`).
    #[serde(default)]
    pub draft: bool,
    /// Old URLs of the page, each to get a redirect page.
    #[serde(default)]
    pub aliases: Vec<Spanned<String>>,
    /// 最終更新日.
    #[serde(default)]
    pub updated: Option<UpdatedDate>,
}

/// `content/_index.md`.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct HomeFrontMatter {
    #[serde(default)]
    pub title: Option<String>,
    /// 最終更新日 of the home page.
    #[serde(default)]
    pub updated: Option<UpdatedDate>,
}

impl<'de> Deserialize<'de> for Quantity {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Quantity;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("数値 (例: 80, 69.4, -242)")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Quantity, E> {
                Ok(Quantity { value: v as f64, decimals: 0 })
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Quantity, E> {
                Ok(Quantity { value: v as f64, decimals: 0 })
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Quantity, E> {
                if !v.is_finite() {
                    return Err(E::custom("値は有限の数で書いてください"));
                }
                let text = format!("{v}");
                let decimals = text.split_once('.').map(|(_, f)| f.len().min(6) as u8).unwrap_or(0);
                Ok(Quantity { value: v, decimals })
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Quantity, E> {
                Err(E::custom(format!(
                    "値「{v}」は文字列です。数値だけを引用符なしで書き(例: value = 80)、単位は unit = \"%\" に書いてください"
                )))
            }
        }
        d.deserialize_any(V)
    }
}

/// The quantity with its decimals as written in `source` (`88.0` → 1, `1_000` → 0).
pub fn as_written(q: &Spanned<Quantity>, source: &str) -> Quantity {
    let raw = source.get(q.span()).unwrap_or("");
    let mantissa = raw.split(['e', 'E']).next().unwrap_or("");
    let decimals = mantissa.split_once('.').map(|(_, f)| f.chars().filter(char::is_ascii_digit).count().min(6) as u8);
    Quantity { decimals: decimals.unwrap_or(q.get_ref().decimals), ..*q.get_ref() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn period_years_may_be_undecided_words_for_a_message() {
        let p: PeriodFrontMatter = toml::from_str("start = \"R3\"\nend = \"未定\"").unwrap();
        assert_eq!(*p.start.unwrap().get_ref(), PeriodYear::Year(FiscalYear(2021)));
        assert_eq!(*p.end.unwrap().get_ref(), PeriodYear::Undecided);
        let p: PeriodFrontMatter = toml::from_str("start = 2021").unwrap();
        assert!(p.end.is_none());
        assert!(toml::from_str::<PeriodFrontMatter>("start = \"R3x\"").is_err());
    }

    #[test]
    fn node_with_children_and_indicators_parses() {
        let t = r#"
title = "子どもの育成"
number = "1-(1)"
sdgs = [4]
[[indicators]]
name = "割合"
unit = "%"
baseline = { value = 69.4, year = "R1" }
target = { value = 80, year = 2025 }
[[children]]
title = "教育の充実"
body = "本文"
"#;
        let n: NodeFrontMatter = toml::from_str(t).unwrap();
        assert_eq!(n.children.len(), 1);
        let ind = &n.indicators[0].get_ref();
        assert_eq!(*ind.baseline.value.get_ref(), Quantity { value: 69.4, decimals: 1 });
        assert_eq!(*ind.target.value.get_ref(), Quantity { value: 80.0, decimals: 0 });
        assert_eq!(ind.target.year, FiscalYear(2025));
    }

    #[test]
    fn decimals_follow_the_text_as_written() {
        let src = "baseline = { value = 88.0, year = 2020 }\ntarget = { value = 1_000, year = 2021 }\nname = \"a\"";
        let ind: IndicatorFrontMatter = toml::from_str(src).unwrap();
        assert_eq!(as_written(&ind.baseline.value, src), Quantity { value: 88.0, decimals: 1 });
        assert_eq!(as_written(&ind.target.value, src), Quantity { value: 1000.0, decimals: 0 });
    }

    #[test]
    fn value_as_string_explains_units() {
        let t = "name = \"a\"\nbaseline = { value = \"80%\", year = 2020 }\ntarget = { value = 1, year = 2021 }";
        let e = toml::from_str::<IndicatorFrontMatter>(t).unwrap_err();
        assert!(e.message().contains("unit"), "{}", e.message());
    }

    #[test]
    fn levels_accept_strings_and_tables() {
        #[derive(Deserialize)]
        struct T {
            levels: Vec<LevelFrontMatter>,
        }
        let t: T = toml::from_str("levels = [\"施策\", { name = \"方向\", pages = false }]").unwrap();
        assert!(matches!(&t.levels[1], LevelFrontMatter::Table { pages: Some(false), .. }));
    }
}
