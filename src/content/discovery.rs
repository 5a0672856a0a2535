//! Discovery: walks `content/` and says what each Markdown file is by where it sits
//! ([`Role`]), reporting what cannot be read or placed (runaway depth, broken links, names
//! that clash on case-insensitive servers, Markdown with the wrong extension).

use super::checks;
use crate::diagnostics::{relative, Diagnostic, Diagnostics};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use unicode_normalization::UnicodeNormalization;

/// What a file under `content/` is, by where it sits.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) enum Role {
    /// `content/_index.md`, the home page.
    Home,
    /// A plan's `_plan.md`.
    Plan {
        /// The plan folder's name.
        plan: String,
    },
    /// A chapter page in a plan's `_pages`.
    Chapter {
        /// The plan folder's name.
        plan: String,
        /// The file name without `.md`.
        slug: String,
    },
    /// A node file; `dir` is its folder inside the plan, `index` for `_index.md`.
    Node {
        /// The plan folder's name.
        plan: String,
        /// The folders between the plan folder and the file.
        dir: Vec<String>,
        /// The file name without `.md`.
        stem: String,
        /// The file is `_index.md`: the node of its folder.
        index: bool,
    },
    /// A page outside plans.
    Free {
        /// Its page path (`info/policy/`).
        path: String,
    },
}

/// A Markdown file found under `content/`, with its role.
#[derive(Clone)]
pub(super) struct Found {
    /// Relative to the site root (`content/a/b.md`).
    pub(super) rel: PathBuf,
    /// Relative to `content/` with `/` separators (`a/b.md`).
    pub(super) content_rel: String,
    /// What the file is.
    pub(super) role: Role,
}

/// Walks `content/` (in file-name order) and returns every Markdown file with its role, or
/// every problem met on the way.
pub(super) fn discover(root: &Path, content: &Path) -> Result<Vec<Found>, Diagnostics> {
    let rel_content = relative(root, content);
    if !content.is_dir() {
        return Err(Diagnostic::new(&rel_content, "content", "content フォルダがありません")
            .help("サイトのフォルダに content フォルダを作り、計画のファイルを置いてください(planpress init で雛形を作れます)")
            .into());
    }
    let mut diags = Diagnostics::default();
    let plan_dirs: HashSet<String> = std::fs::read_dir(content)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .filter(|e| e.path().join("_plan.md").is_file())
                .map(|e| e.file_name().to_string_lossy().nfc().collect())
                .collect()
        })
        .unwrap_or_default();
    let mut out = Vec::new();
    let mut twins = checks::Twins::default();
    let walker = walkdir::WalkDir::new(content)
        .sort_by_file_name()
        .follow_links(true)
        .max_depth(MAX_CONTENT_DEPTH)
        .into_iter()
        // Hidden names; and a plan's `_data/`, spreadsheets read by `crate::import`: nothing
        // there is a page.
        .filter_entry(|e| {
            e.depth() == 0 || !(e.file_name().to_string_lossy().starts_with('.') || is_plan_data(e, &plan_dirs))
        });
    for entry in walker {
        let entry = match entry {
            Ok(e) if e.depth() == MAX_CONTENT_DEPTH && e.file_type().is_dir() => {
                diags.push(too_deep(root, e.path()));
                continue;
            }
            Ok(e) => e,
            Err(e) => {
                if let Some(d) = walk_error(root, &e) {
                    diags.push(d);
                }
                continue;
            }
        };
        // Names that are one file on Windows and macOS servers (issue #12).
        if entry.depth() > 0 {
            let inner = entry.path().strip_prefix(content).unwrap_or(entry.path()).to_string_lossy();
            if let Some(d) = twins.check(&relative(root, entry.path()), &inner, entry.file_type().is_dir()) {
                diags.push(d);
            }
        }
        if !entry.file_type().is_file() {
            continue;
        }
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some("md") {
            // `.MD`, `.markdown`, `a.md.txt`: Markdown that would go unread without a word.
            if let Some(d) = checks::unread_markdown(&relative(root, path), &entry.file_name().to_string_lossy()) {
                diags.push(d);
            }
            continue;
        }
        let rel = relative(root, path);
        let parts: Vec<String> = path
            .strip_prefix(content)
            .unwrap_or(path)
            .components()
            // macOS writes names decomposed (NFD): one name, one URL, whoever saved it.
            .map(|c| c.as_os_str().to_string_lossy().nfc().collect())
            .collect();
        let content_rel = parts.join("/");
        match classify(&parts, &plan_dirs) {
            Ok(role) => out.push(Found { rel, content_rel, role }),
            Err(d) => diags.push(Diagnostic { file: rel, ..d }),
        }
    }
    if out.is_empty() && diags.is_empty() {
        diags.push(
            Diagnostic::new(&rel_content, "content", "content フォルダに Markdown ファイル(.md)がありません")
                .help("計画フォルダ(_plan.md を含むフォルダ)を content に置いてください。書き方は docs/CONTENT.md、雛形は planpress init"),
        );
    }
    diags.into_result()?;
    Ok(out)
}

/// Whether `e` is the `_data` folder of a plan (`content/<plan>/_data`).
fn is_plan_data(e: &walkdir::DirEntry, plan_dirs: &HashSet<String>) -> bool {
    e.depth() == 2
        && e.file_name() == crate::import::DATA_DIR
        && e.path()
            .parent()
            .and_then(|p| p.file_name())
            .is_some_and(|p| plan_dirs.contains(&p.to_string_lossy().nfc().collect::<String>()))
}

/// How deep folders under `content/` are read: far more than any plan's levels, and a bound
/// for a runaway tree (a copy inside a copy, a link back up).
const MAX_CONTENT_DEPTH: usize = 32;

/// The folder `dir` is deeper than [`MAX_CONTENT_DEPTH`].
fn too_deep(root: &Path, dir: &Path) -> Diagnostic {
    Diagnostic::new(
        relative(root, dir),
        "layout",
        format!("フォルダの入れ子が深すぎます(content から {MAX_CONTENT_DEPTH} 階層まで)。このフォルダの中は読みません"),
    )
    .help("フォルダの入れ子を浅くしてください(計画の階層は levels の数だけで、ふつうは 3〜5 階層です)。フォルダの中にフォルダを丸ごとコピーしていないか、上のフォルダへのリンク(シンボリックリンク)がないかも確かめてください")
}

/// A folder or file the walk of `content/` cannot enter or read: a link (symbolic link)
/// back to a folder above it, a link to nothing, no permission. Hidden names (an editor's
/// lock link such as `.#a.md`) are left alone, as the walk leaves them.
fn walk_error(root: &Path, e: &walkdir::Error) -> Option<Diagnostic> {
    let path = e.path().unwrap_or(Path::new("content"));
    if path.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')) {
        return None;
    }
    let rel = relative(root, path);
    if let Some(ancestor) = e.loop_ancestor() {
        return Some(
            Diagnostic::new(
                &rel,
                "io",
                format!(
                    "このリンク(シンボリックリンク)は上のフォルダ {} を指していて、フォルダが限りなく続きます",
                    relative(root, ancestor).display()
                ),
            )
            .help("このリンクを消すか、content の外の、このフォルダを含まないフォルダを指すように作り直してください"),
        );
    }
    let dangling = path.symlink_metadata().is_ok_and(|m| m.file_type().is_symlink()) && !path.exists();
    if dangling {
        let target = std::fs::read_link(path).map(|t| t.display().to_string()).unwrap_or_default();
        return Some(
            Diagnostic::new(&rel, "io", format!("リンク(シンボリックリンク)のリンク先 {target} がありません"))
                .help("リンクを消すか、あるファイル・フォルダを指すように作り直してください"),
        );
    }
    let why = e.io_error().map(crate::diagnostics::io_reason).unwrap_or("読み取れませんでした");
    Some(
        Diagnostic::new(&rel, "io", format!("読めません({why})"))
            .help("フォルダとファイルの読み取りの権限(アクセス許可)を確かめてください。パスが長すぎるなら、フォルダの入れ子を浅くしてください")
            .detail(e.to_string()),
    )
}

/// The role of the file at `parts` (its path under `content/`, one part per component);
/// `plan_dirs` are the folders of `content/` holding a `_plan.md`.
fn classify(parts: &[String], plan_dirs: &HashSet<String>) -> Result<Role, Diagnostic> {
    let file = parts.last().map(String::as_str).unwrap_or("");
    let stem = file.strip_suffix(".md").unwrap_or(file).to_string();
    let err = |msg: String, help: &str| Diagnostic::new("", "layout", msg).help(help.to_string());
    if parts.len() == 1 && file == "_index.md" {
        return Ok(Role::Home);
    }
    if parts.len() >= 2 && plan_dirs.contains(&parts[0]) {
        let plan = parts[0].clone();
        let inner = &parts[1..];
        if inner.len() == 1 && file == "_plan.md" {
            return Ok(Role::Plan { plan });
        }
        if inner[0] == "_pages" {
            if inner.len() != 2 {
                return Err(err(
                    "_pages の中にフォルダは置けません".into(),
                    "章のページは _pages の直下に置いてください",
                ));
            }
            return Ok(Role::Chapter { plan, slug: stem });
        }
        if file == "_plan.md" {
            return Err(err(
                "_plan.md は計画フォルダの直下にだけ置けます".into(),
                "このファイルを消すか、計画フォルダの直下に移してください",
            ));
        }
        if file.starts_with('_') && file != "_index.md" {
            return Err(err(
                format!("ファイル名 {file} は使えません(_ で始まる名前は特別な意味を持ちます)"),
                "ノードのファイルは _ で始まらない名前にしてください。フォルダのノードは _index.md です",
            ));
        }
        let dir = inner[..inner.len() - 1].to_vec();
        return Ok(Role::Node { plan, dir, stem, index: file == "_index.md" });
    }
    if file == "_plan.md" {
        return Err(err(
            "計画フォルダは content の直下に置いてください".into(),
            "content/計画ID/_plan.md の形にしてください",
        ));
    }
    let mut segs: Vec<&str> = parts[..parts.len() - 1].iter().map(String::as_str).collect();
    if file != "_index.md" {
        segs.push(&stem);
    }
    let path = segs.iter().map(|s| format!("{s}/")).collect::<String>();
    Ok(Role::Free { path })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classify_roles() {
        let plans: HashSet<String> = ["k".to_string()].into();
        let v = |s: &str| s.split('/').map(String::from).collect::<Vec<_>>();
        assert_eq!(classify(&v("_index.md"), &plans).unwrap(), Role::Home);
        assert_eq!(classify(&v("k/_plan.md"), &plans).unwrap(), Role::Plan { plan: "k".into() });
        assert_eq!(
            classify(&v("k/_pages/a.md"), &plans).unwrap(),
            Role::Chapter { plan: "k".into(), slug: "a".into() }
        );
        assert_eq!(
            classify(&v("k/1/1-1.md"), &plans).unwrap(),
            Role::Node { plan: "k".into(), dir: vec!["1".into()], stem: "1-1".into(), index: false }
        );
        assert_eq!(classify(&v("info/policy.md"), &plans).unwrap(), Role::Free { path: "info/policy/".into() });
        assert_eq!(classify(&v("info/_index.md"), &plans).unwrap(), Role::Free { path: "info/".into() });
        assert!(classify(&v("x/_plan.md"), &plans).is_err());
        assert!(classify(&v("k/_draft.md"), &plans).is_err());
    }
}
