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
    /// Warnings about the front matter (a key that most likely belongs to the parent).
    pub(super) warnings: Vec<Diagnostic>,
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
        Diagnostic::new(&found.rel, "io", format!("ファイルを読めません({})", crate::diagnostics::io_reason(&e)))
            .help(
                "ファイルの読み取りの権限(アクセス許可)を確かめてください。ほかのソフトが開いたままなら閉じてください",
            )
            .detail(e.to_string())
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
    let warnings = match &front {
        Front::Node(fm) => parent_keys_in_last_child(fm, &src.front_matter, &found.rel, at),
        _ => Vec::new(),
    };
    Ok(Parsed {
        found,
        front,
        fm_text: src.front_matter,
        fm_line: at,
        body: src.body,
        body_line: src.body_line,
        warnings,
    })
}

/// Keys of a node that a parent usually has and its children usually share.
const PARENT_KEYS: &[&str] = &["departments", "sdgs", "themes"];

/// Keys written after `[[children]]` belong to the last child, up to the next header: a
/// `departments` meant for the node itself, written at the end of the front matter, gives
/// it to the last child, and the node silently has no 担当課. Warns where that is what most
/// likely happened, and only there (a false warning is worse than none): the node has at
/// least two `[[children]]`, neither the node nor any other child has the key, and the
/// last child has it directly under its `[[children]]`, after its `title`, and after its
/// `body` or after a blank line (set apart from the child's own keys).
fn parent_keys_in_last_child(fm: &NodeFrontMatter, text: &str, file: &Path, first_line: usize) -> Vec<Diagnostic> {
    use crate::diagnostics::toml::{outline, Line};
    let [others @ .., last] = fm.children.as_slice() else { return Vec::new() };
    if others.is_empty() {
        return Vec::new();
    }
    let has = |n: &NodeFrontMatter, key: &str| match key {
        "departments" => !n.departments.is_empty(),
        "sdgs" => !n.sdgs.is_empty(),
        _ => !n.themes.is_empty(),
    };
    let outline = outline(text);
    let Some(header) = outline.iter().rposition(|(_, l)| matches!(l, Line::Header { .. })) else { return Vec::new() };
    let (header_line, Line::Header { name, array: true }) = &outline[header] else { return Vec::new() };
    if name != "children" {
        return Vec::new();
    }
    let entry = &outline[header + 1..];
    let Some(title_at) = entry.iter().position(|(_, l)| *l == Line::Key("title".into())) else { return Vec::new() };
    PARENT_KEYS
        .iter()
        .filter(|key| !has(fm, key) && has(last.get_ref(), key) && !others.iter().any(|c| has(c.get_ref(), key)))
        .filter_map(|key| {
            let after_title = &entry[title_at + 1..];
            let at = after_title.iter().position(|(_, l)| *l == Line::Key(key.to_string()))?;
            let line = after_title[at].0;
            let after_body = after_title[..at].iter().any(|(_, l)| *l == Line::Key("body".into()))
                || entry[..title_at].iter().any(|(_, l)| *l == Line::Key("body".into()));
            let after_blank = line > 0 && text.lines().nth(line - 1).is_some_and(|l| l.trim().is_empty());
            if !(after_body || after_blank) {
                return None;
            }
            Some(
                Diagnostic::new(
                    file,
                    "children-scope",
                    format!(
                        "{key} が最後の [[children]]({} 行目から)の中に入っています(このノード自身の {key} にはなりません)",
                        first_line + header_line
                    ),
                )
                .at_line(first_line + line)
                .help(format!(
                    "[[children]] の見出しより後に書いた項目は、すべてその子ノードのものになります。\
                     このノード自身の {key} なら、最初の [[children]] より前(title などの並び)に移してください。\
                     最後の子ノードだけの {key} なら、その子の title のすぐ下(body より前、空行を空けずに)に書くと、この注意は出ません"
                ))
                .warning(),
            )
        })
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;

    fn warned(text: &str) -> Vec<(Option<usize>, String)> {
        let fm: NodeFrontMatter = toml::from_str(text).unwrap();
        parent_keys_in_last_child(&fm, text, Path::new("content/p/1.md"), 2)
            .into_iter()
            .map(|d| {
                assert_eq!(d.severity, crate::diagnostics::Severity::Warning);
                (d.line, d.message)
            })
            .collect()
    }

    const TWO: &str = "title = \"施策\"\n[[children]]\ntitle = \"一\"\n[[children]]\ntitle = \"二\"\n";

    #[test]
    fn regression_departments_after_the_last_child_warn_at_their_line() {
        let w = warned(&format!("{TWO}\ndepartments = [\"企画課\"]\n"));
        assert_eq!(w.len(), 1, "{w:?}");
        assert_eq!(w[0].0, Some(8));
        assert!(w[0].1.contains("departments") && w[0].1.contains("[[children]](5 行目から)"), "{w:?}");
        let w = warned(&format!("{TWO}body = \"\"\"\n本文\n\"\"\"\nsdgs = [3]\nthemes = [\"x\"]\n"));
        assert_eq!(w.iter().map(|w| w.0).collect::<Vec<_>>(), [Some(10), Some(11)], "{w:?}");
    }

    #[test]
    fn keys_that_plausibly_belong_to_the_child_do_not_warn() {
        // Right under the child's title, no blank line: the child's own.
        assert!(warned(&format!("{TWO}departments = [\"企画課\"]\n")).is_empty());
        // The node has its own departments, or another child has some too.
        let t = format!("departments = [\"総務課\"]\n{TWO}\ndepartments = [\"企画課\"]\n");
        assert!(warned(&t).is_empty());
        let t =
            "title = \"施策\"\n[[children]]\ntitle = \"一\"\nsdgs = [1]\n[[children]]\ntitle = \"二\"\n\nsdgs = [3]\n";
        assert!(warned(t).is_empty());
        // One child only: nothing to compare with.
        assert!(warned("title = \"施策\"\n[[children]]\ntitle = \"一\"\n\nsdgs = [3]\n").is_empty());
        // Under a grandchild's header, or before the child's title.
        let t = format!("{TWO}[[children.children]]\ntitle = \"孫\"\n\nsdgs = [3]\n");
        assert!(warned(&t).is_empty());
        assert!(warned("title = \"a\"\n[[children]]\ntitle = \"一\"\n[[children]]\n\nsdgs = [3]\ntitle = \"二\"\n")
            .is_empty());
    }
}
