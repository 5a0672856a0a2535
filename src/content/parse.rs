//! Parsing: reads one found file, decodes it, splits off its front matter and parses that
//! as the front matter of the file's role ([`Front`]).

use super::discovery::{Found, Role};
use super::front_matter::*;
use crate::diagnostics::Diagnostic;
use crate::source::{decode_utf8, parse_toml, split_front_matter};
use std::path::Path;

/// A parsed file before assembly.
#[derive(Clone)]
pub(super) struct Parsed {
    /// The file and its role.
    pub(super) found: Found,
    /// Its front matter.
    pub(super) front: Front,
    /// Front matter text, for turning spans into lines.
    pub(super) fm_text: String,
    /// The file's line where the front matter text starts.
    pub(super) fm_line: usize,
    /// The Markdown below the front matter.
    pub(super) body: String,
    /// The file's line where the body starts.
    pub(super) body_line: usize,
}

/// Front matter, of the kind the file's role calls for.
#[derive(Clone, PartialEq)]
pub(super) enum Front {
    /// Of the home page.
    Home(HomeFrontMatter),
    /// Of a plan's `_plan.md`.
    Plan(PlanFrontMatter),
    /// Of a chapter or free page.
    Page(PageFrontMatter),
    /// Of a node file.
    Node(NodeFrontMatter),
}

/// Reads and parses `found`: the first problem is the file's one diagnostic.
pub(super) fn parse_file(root: &Path, found: Found) -> Result<Parsed, Diagnostic> {
    let path = root.join(&found.rel);
    let bytes = std::fs::read(&path).map_err(|e| {
        Diagnostic::new(&found.rel, "io", format!("ファイルを読めません: {e}")).help(
            "ファイルの読み取りの権限(アクセス許可)を確かめてください。ほかのソフトが開いたままなら閉じてください",
        )
    })?;
    let text = decode_utf8(bytes, &found.rel)?;
    let src = split_front_matter(&text, &found.rel)?;
    let missing = |what: &str| {
        Diagnostic::new(&found.rel, "front-matter", format!("前付け(+++ で囲んだ設定)がありません。{what}"))
            .at_line(1)
            .help("ファイルの先頭に +++ の行、title = \"題名\" などの設定、+++ の行を書いてください(docs/CONTENT.md)")
    };
    let fm = &src.front_matter;
    let at = src.front_matter_line;
    let front = match &found.role {
        Role::Home if fm.is_empty() => Front::Home(HomeFrontMatter::default()),
        Role::Home => Front::Home(parse_toml(fm, &found.rel, at)?),
        Role::Plan { .. } if fm.trim().is_empty() => return Err(missing("計画には title が必要です")),
        Role::Plan { .. } => Front::Plan(parse_toml(fm, &found.rel, at)?),
        Role::Chapter { .. } | Role::Free { .. } if fm.trim().is_empty() => {
            return Err(missing("ページには title が必要です"))
        }
        Role::Chapter { .. } | Role::Free { .. } => {
            Front::Page(parse_toml(fm, &found.rel, at).map_err(|e| missing_plan_file(&found, fm).unwrap_or(e))?)
        }
        Role::Node { .. } if fm.trim().is_empty() => return Err(missing("ノードには title が必要です")),
        Role::Node { .. } => Front::Node(parse_toml(fm, &found.rel, at)?),
    };
    Ok(Parsed { found, front, fm_text: src.front_matter, fm_line: at, body: src.body, body_line: src.body_line })
}

/// Keys only nodes have: a page with one of them is a node of a plan.
const NODE_ONLY_KEYS: &[&str] = &["id", "number", "sdgs", "departments", "themes", "indicators", "children"];

/// For a page in a folder of `content/` without `_plan.md` whose front matter fails as a
/// page's and reads as a node's: the folder is a plan whose `_plan.md` is missing. Every
/// such file of the folder gives this same diagnostic, which the sorted batch keeps once,
/// in place of an error per key per node.
fn missing_plan_file(found: &Found, fm: &str) -> Option<Diagnostic> {
    let Role::Free { .. } = found.role else { return None };
    let (top, _) = found.content_rel.split_once('/')?;
    let table: toml::Table = toml::from_str(fm).ok()?;
    if !table.keys().any(|k| NODE_ONLY_KEYS.contains(&k.as_str())) {
        return None;
    }
    let folder = format!("content/{top}");
    Some(Diagnostic::new(&folder, "plan", format!("{folder} に計画のファイル _plan.md がありません")).help(format!(
        "{folder}/_plan.md を作り、+++ の行で囲んだ前付けに計画名(あれば計画期間と階層の名前も)を書いてください\
                 (例: title = \"第2次総合計画\"、period = {{ start = \"R3\", end = \"R7\" }}、\
                 levels = [\"政策分野\", \"施策\"]。書き方は docs/CONTENT.md §3)。\
                 計画ではないページのフォルダなら、ノードの項目({})を消してください",
        NODE_ONLY_KEYS.join(", ")
    )))
}
