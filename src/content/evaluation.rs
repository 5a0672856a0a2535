//! Yearly evaluations (施策評価): the plan's grade scale (`[evaluation]` in `_plan.md`) and
//! each node's `[[evaluations]]`, checked against it. Spreadsheets in `_data/` add more
//! (see `crate::import`); both end in [`Evaluation`]s of the model.

use super::fiscal_year::FiscalYear;
use super::front_matter::{EvaluationFrontMatter, GradeScaleFrontMatter};
use super::model::{Evaluation, Grade, GradeScale, Origin, Quantity};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::markdown::{self, LinkTargets, MarkdownContext};
use std::collections::HashSet;
use std::path::Path;
use toml::Spanned;

/// The grade scale of `_plan.md` (`file`); `line` turns a span into a file line.
pub(super) fn scale(
    fm: Spanned<GradeScaleFrontMatter>,
    file: &Path,
    line: impl Fn(std::ops::Range<usize>) -> usize,
    diags: &mut Diagnostics,
) -> Option<GradeScale> {
    let at = line(fm.span());
    let fm = fm.into_inner();
    if fm.grades.is_empty() {
        diags.push(
            Diagnostic::new(file, "evaluation", "[evaluation] に評価の区分(grades)がありません").at_line(at).help(
                "grades = [{ symbol = \"A\", label = \"順調\", good = true }, { symbol = \"B\", label = \"遅れ\" }] のように、良い順に区分を書いてください(docs/CONTENT.md)",
            ),
        );
        return None;
    }
    let mut seen = HashSet::new();
    let mut grades = Vec::with_capacity(fm.grades.len());
    for g in fm.grades {
        let at = line(g.span());
        let g = g.into_inner();
        let symbol = g.symbol.trim().to_string();
        if symbol.is_empty() || g.label.trim().is_empty() {
            diags.push(
                Diagnostic::new(file, "evaluation", "評価の区分の symbol または label が空です")
                    .at_line(at)
                    .help("symbol に記号(例: \"A\")、label に短い名前(例: \"順調\")を書いてください"),
            );
            continue;
        }
        let scale_so_far = GradeScale { name: String::new(), grades: grades.clone() };
        if scale_so_far.find(&symbol).is_some() || !seen.insert(symbol.clone()) {
            diags.push(
                Diagnostic::new(file, "evaluation", format!("評価の記号「{symbol}」が2回あります"))
                    .at_line(at)
                    .help("区分ごとに別の記号にしてください"),
            );
            continue;
        }
        grades.push(Grade { symbol, label: g.label.trim().to_string(), definition: g.definition, good: g.good });
    }
    Some(GradeScale { name: fm.name, grades })
}

/// A node's `[[evaluations]]` from its file `file`, sorted by year.
pub(super) fn from_front_matter(
    items: &[Spanned<EvaluationFrontMatter>],
    scale: Option<&GradeScale>,
    plan_file: &Path,
    file: &Path,
    line: impl Fn(std::ops::Range<usize>) -> usize,
    diags: &mut Diagnostics,
) -> Vec<Evaluation> {
    let mut out: Vec<Evaluation> = Vec::with_capacity(items.len());
    for item in items {
        let at = line(item.span());
        let e = item.get_ref();
        let grade = match (&e.grade, scale) {
            (None, _) => None,
            (Some(g), Some(scale)) => match scale.find(g.get_ref()) {
                Some(i) => Some(i),
                None => {
                    diags.push(unknown_grade(file, Some(line(g.span())), g.get_ref(), scale));
                    None
                }
            },
            (Some(g), None) => {
                diags.push(
                    Diagnostic::new(
                        file,
                        "evaluation",
                        format!("評価「{}」を書くには、計画に評価の区分が必要です", g.get_ref()),
                    )
                    .at_line(line(g.span()))
                    .help(format!(
                        "{} に [evaluation] と grades(評価の区分)を書いてください(docs/CONTENT.md)",
                        plan_file.display()
                    )),
                );
                None
            }
        };
        let origin = Origin { file: file.to_path_buf(), line: Some(at), sheet: None };
        let evaluation = build(e.year, grade, e.comment.as_deref(), e.results.as_deref(), origin, diags)
            .with_costs(e.budget.as_ref().map(|q| *q.get_ref()), e.settlement.as_ref().map(|q| *q.get_ref()));
        if let Some(prev) = out.iter().find(|p| p.year == e.year) {
            diags.push(duplicate_year(&evaluation.origin, &prev.origin, e.year));
            continue;
        }
        out.push(evaluation);
    }
    out.sort_by_key(|e| e.year);
    out
}

impl Evaluation {
    fn with_costs(self, budget: Option<Quantity>, settlement: Option<Quantity>) -> Self {
        Evaluation { budget, settlement, ..self }
    }
}

/// An evaluation with its Markdown texts rendered.
pub fn build(
    year: FiscalYear,
    grade: Option<usize>,
    comment: Option<&str>,
    results: Option<&str>,
    origin: Origin,
    diags: &mut Diagnostics,
) -> Evaluation {
    let (comment_html, comment) = render_text(comment.unwrap_or(""), &origin, diags);
    let (results_html, results) = render_text(results.unwrap_or(""), &origin, diags);
    Evaluation { year, grade, comment_html, comment, results_html, results, budget: None, settlement: None, origin }
}

/// Markdown of a comment cell or key: its HTML and plain text. Headings become h4 (the
/// comment sits under a year's h3).
pub fn render_text(md: &str, origin: &Origin, diags: &mut Diagnostics) -> (String, String) {
    if md.trim().is_empty() {
        return (String::new(), String::new());
    }
    let links = LinkTargets::new();
    let ctx = MarkdownContext {
        root: "",
        links: &links,
        unreadable: &markdown::Unreadable::new(),
        site_root: None,
        file: &origin.file,
        first_line: origin.line.unwrap_or(1),
        reserved_ids: &[],
        base_level: 4,
    };
    let (rendered, problems) = markdown::render(md, &ctx);
    for d in problems {
        diags.push(d);
    }
    let text = rendered.sections.iter().map(|s| &*s.text).collect::<Vec<_>>().join("\n");
    (rendered.html, text)
}

/// `symbol` is not a grade of `scale`.
pub fn unknown_grade(file: &Path, line: Option<usize>, symbol: &str, scale: &GradeScale) -> Diagnostic {
    let known: Vec<String> = scale.grades.iter().map(|g| format!("{}({})", g.symbol, g.label)).collect();
    Diagnostic::new(file, "evaluation", format!("評価「{symbol}」は計画の評価の区分にありません"))
        .at_opt_line(line)
        .help(format!("使える評価は {} です", known.join("、")))
}

/// Two evaluations of one node for `year`.
pub fn duplicate_year(here: &Origin, other: &Origin, year: FiscalYear) -> Diagnostic {
    Diagnostic::new(
        &here.file,
        "evaluation",
        format!("{} の評価が2つあります({} にもあります)", year.wareki(), describe(other)),
    )
    .at_opt_line(here.line)
    .help("同じ年度の評価は1か所にだけ書いてください(前付けか _data/ の表のどちらか)")
}

/// `content/k/1.md の 12 行目`, `content/k/_data/R6.xlsx の「評価」シート 5 行目`.
pub fn describe(o: &Origin) -> String {
    let file = o.file.display();
    match (&o.sheet, o.line) {
        (Some(sheet), Some(row)) => format!("{file} の「{sheet}」シート {row} 行目"),
        (None, Some(line)) => format!("{file} の {line} 行目"),
        (Some(sheet), None) => format!("{file} の「{sheet}」シート"),
        (None, None) => file.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scale_of(toml: &str) -> (Option<GradeScale>, Diagnostics) {
        #[derive(serde::Deserialize)]
        struct T {
            evaluation: Spanned<GradeScaleFrontMatter>,
        }
        let t: T = toml::from_str(toml).unwrap();
        let mut d = Diagnostics::default();
        (scale(t.evaluation, Path::new("p.md"), |_| 1, &mut d), d)
    }

    #[test]
    fn a_scale_keeps_the_city_order_and_finds_full_width_symbols() {
        let (s, d) = scale_of(
            "[evaluation]\nname = \"施策評価\"\ngrades = [{ symbol = \"S\", label = \"目標値以上\", good = true }, { symbol = \"A\", label = \"目標値どおり\", good = true }, { symbol = \"B\", label = \"要改善\" }]",
        );
        assert!(d.is_empty());
        let s = s.unwrap();
        assert_eq!(s.grades.iter().map(|g| g.symbol.as_str()).collect::<Vec<_>>(), ["S", "A", "B"]);
        assert_eq!(s.find("Ｂ"), Some(2));
        assert_eq!(s.find(" A "), Some(1));
        assert_eq!(s.find("C"), None);
    }

    #[test]
    fn duplicate_and_empty_grades_are_errors() {
        let (_, d) =
            scale_of("[evaluation]\ngrades = [{ symbol = \"A\", label = \"a\" }, { symbol = \"Ａ\", label = \"b\" }]");
        assert_eq!(d.0.len(), 1, "{d:?}");
        let (s, d) = scale_of("[evaluation]\ngrades = []");
        assert!(s.is_none() && d.0.len() == 1);
    }

    #[test]
    fn comments_are_markdown() {
        let mut d = Diagnostics::default();
        let o = Origin { file: "a.md".into(), line: Some(3), sheet: None };
        let (html, text) = render_text("**重点**として実施\n\n- 一つ目", &o, &mut d);
        assert!(html.contains("<strong>重点</strong>") && html.contains("<li>"), "{html}");
        assert!(text.contains("重点として実施") && text.contains("一つ目"), "{text}");
    }
}
