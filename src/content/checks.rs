//! Checks that no single file can make (issue #12 item 7): names that differ only in case or
//! in how a character is composed (one file on Windows and macOS servers), two files for one
//! page, files that look like content but are not read, and a `main_plan` naming no plan.

use super::loader::{RESERVED_IN_PLAN, RESERVED_TOP};
use super::model::{Page, Plan, Site};
use crate::config::{key_line, CONFIG_FILE};
use crate::diagnostics::{Diagnostic, Diagnostics};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use unicode_normalization::UnicodeNormalization;

/// The form in which two names are the same file on a case-insensitive file system that
/// also ignores Unicode composition (macOS stores names decomposed, NFD).
pub fn fold(name: &str) -> String {
    if name.is_ascii() {
        return name.to_ascii_lowercase(); // (composition changes no ASCII)
    }
    name.nfc().collect::<String>().to_lowercase()
}

const TWIN_HELP: &str =
    "どちらかの名前を変えてください。ファイル名・フォルダ名・id は、半角の小文字にそろえると安全です";

/// The paths under `content/` met so far in a walk, by [`fold`]ed form.
#[derive(Default)]
pub struct Twins {
    seen: HashMap<String, PathBuf>,
    /// Folded folders already reported: what is inside them is not reported again.
    clashed: Vec<String>,
}

impl Twins {
    /// Notes `rel` (relative to the site root; `content_rel` is the same path relative to
    /// `content/`, with `/`) and returns an error when an earlier path is the same file on
    /// Windows and macOS.
    pub fn check(&mut self, rel: &Path, content_rel: &str, is_dir: bool) -> Option<Diagnostic> {
        let key = fold(content_rel);
        if self.clashed.iter().any(|d| key.starts_with(d.as_str()) && key[d.len()..].starts_with('/')) {
            return None;
        }
        let other = match self.seen.get(&key) {
            Some(other) => other.clone(),
            None => {
                self.seen.insert(key, rel.to_path_buf());
                return None;
            }
        };
        if is_dir {
            self.clashed.push(key);
        }
        Some(
            Diagnostic::new(
                rel,
                "case-collision",
                format!(
                    "{} と {} は、大文字と小文字(または濁点などの文字の表し方)しか違わないため、Windows や macOS では同じ{}になり、片方が消えます",
                    other.display(),
                    rel.display(),
                    if is_dir { "フォルダ" } else { "ファイル" },
                ),
            )
            .help(TWIN_HELP),
        )
    }
}

/// The error for a file named like Markdown that planpress does not read: `.MD`,
/// `.markdown`, `.mdown` …, and `a.md.txt` (saved as text where Windows hides extensions).
pub fn unread_markdown(rel: &Path, name: &str) -> Option<Diagnostic> {
    if name.ends_with(".md") {
        return None;
    }
    let n = name.len();
    if let Some(stem) =
        name.get(..n.saturating_sub(7)).filter(|_| n > 7 && name[n - 7..].eq_ignore_ascii_case(".md.txt"))
    {
        return Some(
            Diagnostic::new(rel, "extension", format!("拡張子 .txt のファイルは読みません({name} はテキストファイルとして保存されています)"))
                .help(format!(
                    "ファイル名を {stem}.md に変えてください。Windows では拡張子が隠れていることがあります(エクスプローラーの「表示」で「ファイル名拡張子」をオンにすると見えます)"
                )),
        );
    }
    let (stem, ext) = name.rsplit_once('.')?;
    if stem.is_empty() || !["md", "markdown", "mdown", "mkd", "mkdn"].contains(&ext.to_ascii_lowercase().as_str()) {
        return None;
    }
    Some(Diagnostic::new(rel, "extension", format!("拡張子 .{ext} のファイルは読みません")).help(format!(
        "ファイル名を {stem}.md に変えてください(planpress が読むのは、拡張子が小文字の .md のファイルだけです)"
    )))
}

/// Pages of one plan whose files would be one file on Windows and macOS: node ids,
/// chapter names and theme ids that differ only in case, also from planpress's own names.
/// `ids` are the plan's node ids with their file and line.
pub fn check_plan_names(plan: &Plan, ids: &HashMap<String, (PathBuf, usize)>, diags: &mut Diagnostics) {
    // Each name with its file and line; none for planpress's own pages.
    type At<'a> = Option<(&'a Path, Option<usize>)>;
    let mut names: Vec<(&str, At)> = Vec::new();
    for n in plan.nodes.iter().filter(|n| n.has_page) {
        let line = ids.get(&n.id).map(|(_, l)| *l).unwrap_or(n.line);
        names.push((&n.id, Some((&n.source, Some(line)))));
    }
    for c in &plan.chapters {
        let slug = c.path.trim_end_matches('/').rsplit('/').next().unwrap_or("");
        names.push((slug, Some((&c.source, None))));
    }
    names.sort_by(|a, b| a.1.cmp(&b.1));
    names.extend(RESERVED_IN_PLAN.iter().map(|r| (*r, None)));
    let mut seen: HashMap<String, (&str, At)> = HashMap::new();
    for (name, at) in names {
        let Some(&(other, other_at)) = seen.get(&name.to_lowercase()) else {
            seen.insert(name.to_lowercase(), (name, at));
            continue;
        };
        if other == name {
            continue; // the same name twice is reported where ids are checked
        }
        // Reported at the file (planpress's own names come last, with no file).
        let ours = "planpress が作るページ".to_string();
        let (here, named, twin, there, page) = match (at, other_at) {
            (Some(here), Some(there)) => (here, name, other, located(there), name),
            (Some(here), None) => (here, name, other, ours, other),
            (None, Some(here)) => (here, other, name, ours, name),
            (None, None) => continue,
        };
        diags.push(
            Diagnostic::new(
                here.0,
                "case-collision",
                format!(
                    "「{named}」と「{twin}」({there})は大文字と小文字しか違わないため、Windows や macOS のサーバーでは同じページ {}/{page}/ になります",
                    plan.id
                ),
            )
            .at_opt_line(here.1)
            .help(TWIN_HELP),
        );
    }
    let mut themes: HashMap<String, &str> = HashMap::new();
    for t in &plan.themes {
        if let Some(other) = themes.insert(t.id.to_lowercase(), &t.id) {
            if other != t.id {
                diags.push(
                    Diagnostic::new(
                        &plan.source,
                        "case-collision",
                        format!(
                            "横断的取組の id「{other}」と「{}」は大文字と小文字しか違わないため、Windows や macOS のサーバーでは同じページになります",
                            t.id
                        ),
                    )
                    .help("どちらかの id を変えてください(半角の小文字にそろえると安全です)"),
                );
            }
        }
    }
}

fn located((file, line): (&Path, Option<usize>)) -> String {
    match line {
        Some(l) => format!("{}:{l}", file.display()),
        None => file.display().to_string(),
    }
}

/// The checks of the whole site: `main_plan`, two free pages at one place, and free pages
/// and plans whose folders differ from each other or from planpress's only in case.
pub fn check_site(root: &Path, site: &Site, diags: &mut Diagnostics) {
    check_main_plan(root, site, diags);
    let mut by_path: HashMap<String, &Page> = HashMap::new();
    for page in &site.pages {
        if let Some(other) = by_path.get(&fold(&page.path)) {
            let (rule, what) = if other.path == page.path {
                ("duplicate-page", "同じページ")
            } else {
                ("case-collision", "大文字と小文字しか違わないため、Windows や macOS のサーバーでは同じページ")
            };
            let (a, b) = if other.source <= page.source { (*other, page) } else { (page, *other) };
            diags.push(
                Diagnostic::new(
                    &b.source,
                    rule,
                    format!("{} と {} は{what}(/{})になります", a.source.display(), b.source.display(), b.path),
                )
                .help("どちらかのファイルを消すか、名前を変えてください(info.md と info/_index.md のような、同じページの2つのファイルは置けません)"),
            );
            continue;
        }
        by_path.insert(fold(&page.path), page);
    }
    let tops = site
        .pages
        .iter()
        .map(|p| (p.path.split('/').next().unwrap_or(""), &p.source, "ページの場所"))
        .chain(site.plans.iter().map(|p| (p.id.as_str(), &p.source, "計画フォルダ名")));
    for (first, source, what) in tops {
        let key = first.to_lowercase();
        let twin =
            site.plans.iter().map(|p| (p.id.as_str(), Some(&p.source))).chain(RESERVED_TOP.iter().map(|r| (*r, None)));
        for (other, other_source) in twin {
            if other != first && other.to_lowercase() == key {
                let there = match other_source {
                    Some(s) => format!("計画フォルダ {}", s.parent().unwrap_or(s).display()),
                    None => "planpress が作るフォルダ".to_string(),
                };
                diags.push(
                    Diagnostic::new(
                        source,
                        "case-collision",
                        format!("{what}「{first}」は「{other}」({there})と大文字と小文字しか違わないため、Windows や macOS のサーバーでは同じフォルダになります"),
                    )
                    .help(TWIN_HELP),
                );
            }
        }
    }
}

/// `main_plan` of `site.toml` must name a plan (a plan folder whose `_plan.md` is missing
/// or failed to load has its own error).
fn check_main_plan(root: &Path, site: &Site, diags: &mut Diagnostics) {
    let Some(wanted) = &site.config.main_plan else { return };
    if site.plans.iter().any(|p| &p.id == wanted) || root.join("content").join(wanted).is_dir() {
        return;
    }
    let text = std::fs::read_to_string(root.join(CONFIG_FILE)).unwrap_or_default();
    let ids: Vec<&str> = site.plans.iter().map(|p| p.id.as_str()).collect();
    let help = if ids.is_empty() {
        format!("計画がまだありません。main_plan の行を消すか、content/{wanted}/_plan.md を作ってください")
    } else {
        format!("main_plan には計画フォルダの名前を書いてください。いまある計画: {}(main_plan を書かなければ最初の計画です)", ids.join(", "))
    };
    diags.push(
        Diagnostic::new(CONFIG_FILE, "main-plan", format!("main_plan「{wanted}」という計画はありません"))
            .at_opt_line(key_line(&text, "main_plan"))
            .help(help),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_joins_case_and_composition() {
        assert_eq!(fold("Foo.md"), fold("foo.md"));
        assert_eq!(fold("cafe\u{301}"), fold("caf\u{e9}"));
        assert_eq!(fold("か\u{3099}"), fold("が"));
        assert_ne!(fold("a.md"), fold("b.md"));
    }

    #[test]
    fn twins_report_once_per_folder() {
        let mut t = Twins::default();
        let mut check = |p: &str, dir: bool| t.check(&Path::new("content").join(p), p, dir).is_some();
        assert!(!check("Plan", true));
        assert!(!check("Plan/_plan.md", false));
        assert!(check("plan", true));
        assert!(!check("plan/_plan.md", false), "inside a reported folder");
        assert!(!check("planb", true));
        assert!(check("PlanB", true));
    }

    #[test]
    fn markdown_look_alikes() {
        let e = |name: &str| unread_markdown(Path::new(name), name).map(|d| (d.message, d.help.unwrap()));
        assert!(e("a.md").is_none() && e("a.png").is_none() && e("a.txt").is_none() && e(".md").is_none());
        let (m, h) = e("a.MD").unwrap();
        assert_eq!(m, "拡張子 .MD のファイルは読みません");
        assert!(h.contains("a.md に"), "{h}");
        assert!(e("b.Markdown").unwrap().1.contains("b.md に"));
        assert!(e("c.mdown").is_some());
        let (m, h) = e("計画.md.TXT").unwrap();
        assert!(m.contains(".txt") && h.contains("計画.md に") && h.contains("Windows"), "{m} {h}");
    }
}
