//! `planpress new`: a plan folder scaffolded from the city's table of contents (目次),
//! pasted as text, one title a line.
//!
//! The level of each line comes from its numbering (`第1章`, `1`, `1-1`, `1-(1)`, `(1)`,
//! `①`, `ア`, `1.1.1`, 「基本目標1」…) and its indentation (spaces, full-width spaces,
//! tabs): the first time a kind of numbering (at an indentation) is seen below the
//! current line, it defines a new, deeper level; seen again, the line is at that level.
//! Unnumbered lines go by indentation alone. Page numbers at the end of a line (after
//! leaders `……` or a tab) are dropped.
//!
//! Nodes with children become folders with `_index.md`, the others `.md` files; `number`
//! is the numbering as written, `title` the rest, and the ids (file and folder names)
//! come from the numbering, in ASCII (`1`, `1-2`, `1-2-3`). Nothing is ever overwritten.

use crate::diagnostics::{Diagnostic, Diagnostics};
use std::path::{Path, PathBuf};

/// Lines beyond this many are refused (a whole document pasted by mistake).
pub const MAX_LINES: usize = 5000;
/// Levels deeper than this are refused (every level is a folder).
pub const MAX_DEPTH: usize = 8;

/// What to scaffold.
#[derive(Debug, Clone)]
pub struct NewPlanOptions {
    /// The site root (holds `site.toml` and `content/`).
    pub root: PathBuf,
    /// The plan's folder name under `content/` (its URL).
    pub plan_id: String,
    /// The table of contents as text.
    pub toc: String,
    /// Where the text came from, for messages (`toc.txt`, `(標準入力)`).
    pub toc_name: PathBuf,
    /// The plan's title; else the first line of the text when it has no numbering.
    pub title: Option<String>,
}

/// What `new` made.
#[derive(Debug, Clone)]
pub struct NewPlanReport {
    /// The plan's folder.
    pub plan_dir: PathBuf,
    /// Every file written, in order.
    pub files: Vec<PathBuf>,
    /// Nodes made, and how many levels they have.
    pub nodes: usize,
    /// Depth of the tree.
    pub depth: usize,
    /// Whether the text named every level (so `levels` was written).
    pub levels_named: bool,
}

/// A kind of numbering. Two lines with the same kind at the same indentation are at the
/// same level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scheme {
    /// `第1章`, `第二節`: the character after the number.
    Dai(char),
    /// 「基本目標1」「政策2」: the word before the number, and how many parts (`施策1-2`: 2).
    Named(String, usize),
    /// `1`, `1.`, `1)`, `01`.
    Arabic,
    /// `1-1`, `1.1.1`, `1-(1)`, `1-1)`: the number of parts.
    Parts(usize),
    /// `(1)`, `（１）`.
    ParenDigit,
    /// `(ア)`.
    ParenKana,
    /// `(一)`.
    ParenKanji,
    /// `①`.
    Circled,
    /// `ア`, `イ` (followed by a space or `.`).
    Kana,
    /// `一、`.
    Kanji,
    /// `Ⅰ`, `Ⅱ`.
    Roman,
}

impl Scheme {
    /// The level's name when the numbering says it (`第1章` → 章, 「基本目標1」 → 基本目標).
    pub fn level_name(&self) -> Option<String> {
        match self {
            Scheme::Dai(c) => Some(c.to_string()),
            Scheme::Named(word, _) => Some(word.clone()),
            _ => None,
        }
    }
}

/// One line of the table of contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TocLine {
    /// 1-based line in the text.
    pub line: usize,
    /// Indentation in columns (space 1, full-width space 2, tab 4).
    pub indent: usize,
    /// The numbering as written, and its kind and value (`1-(2)` → 2), when there is one.
    pub number: Option<(String, Scheme, Option<u32>)>,
    /// The rest of the line.
    pub title: String,
}

/// A line placed in the tree: its depth (0 = top).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placed {
    /// The line.
    pub toc: TocLine,
    /// 0-based depth.
    pub depth: usize,
}

fn digit(c: char) -> Option<u32> {
    match c {
        '0'..='9' => Some(c as u32 - '0' as u32),
        '０'..='９' => Some(c as u32 - '０' as u32),
        _ => None,
    }
}

fn kanji_digit(c: char) -> Option<u32> {
    "〇一二三四五六七八九".chars().position(|k| k == c).map(|p| p as u32)
}

/// Reads a number of ASCII or full-width digits at the start: (value, bytes).
fn digits(s: &str) -> Option<(u32, usize)> {
    let mut value: u32 = 0;
    let mut len = 0;
    for c in s.chars() {
        match digit(c) {
            Some(d) => {
                value = value.saturating_mul(10).saturating_add(d);
                len += c.len_utf8();
            }
            None => break,
        }
    }
    (len > 0).then_some((value, len))
}

/// Reads a kanji number (一, 十二, 二十三) at the start: (value, bytes).
fn kanji_number(s: &str) -> Option<(u32, usize)> {
    let (mut value, mut current, mut len) = (0u32, 0u32, 0usize);
    for c in s.chars() {
        if let Some(d) = kanji_digit(c) {
            current = current.saturating_mul(10).saturating_add(d);
        } else if c == '十' {
            value = value.saturating_add(current.max(1).saturating_mul(10));
            current = 0;
        } else {
            break;
        }
        len += c.len_utf8();
    }
    (len > 0).then_some((value.saturating_add(current), len))
}

const AIUEO: &str = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲン";

fn is_separator(c: char) -> bool {
    matches!(c, ' ' | '\u{3000}' | '\t' | '.' | '．' | '、' | ':' | '：')
}

/// True at the end of the text or before a separator.
fn ends_token(rest: &str) -> bool {
    rest.chars().next().is_none_or(is_separator)
}

fn is_word_char(c: char) -> bool {
    matches!(c as u32, 0x4E00..=0x9FFF | 0x3041..=0x3096 | 0x30A1..=0x30FA | 0x30FC)
}

/// The numbering at the start of `s` (already without indentation): (kind, value, bytes).
pub fn numbering(s: &str) -> Option<(Scheme, Option<u32>, usize)> {
    let first = s.chars().next()?;
    // 第1章, 第十二節
    if let Some(after) = s.strip_prefix('第') {
        if let Some((n, len)) = digits(after).or_else(|| kanji_number(after)) {
            let rest = &after[len..];
            // Parts of a document; not 第3次 or 第2期 (which name the plan itself).
            if let Some(c) = rest.chars().next().filter(|c| "章節編部款項条篇".contains(*c)) {
                return Some((Scheme::Dai(c), Some(n), '第'.len_utf8() + len + c.len_utf8()));
            }
        }
    }
    // ① … ⑳, ㉑ … ㉟, ㊱ … ㊿
    let circled = match first as u32 {
        c @ 0x2460..=0x2473 => Some(c - 0x2460 + 1),
        c @ 0x3251..=0x325F => Some(c - 0x3251 + 21),
        c @ 0x32B1..=0x32BF => Some(c - 0x32B1 + 36),
        _ => None,
    };
    if let Some(n) = circled {
        return Some((Scheme::Circled, Some(n), first.len_utf8()));
    }
    // Ⅰ … Ⅻ
    if let c @ 0x2160..=0x216B = first as u32 {
        return Some((Scheme::Roman, Some(c - 0x2160 + 1), first.len_utf8()));
    }
    // (1) (ア) (一)
    if matches!(first, '(' | '（') {
        let inner = &s[first.len_utf8()..];
        let close = |rest: &str| rest.chars().next().filter(|c| matches!(c, ')' | '）')).map(char::len_utf8);
        if let Some((n, len)) = digits(inner) {
            if let Some(c) = close(&inner[len..]) {
                return Some((Scheme::ParenDigit, Some(n), first.len_utf8() + len + c));
            }
        }
        if let Some(k) = inner.chars().next() {
            if let Some(p) = AIUEO.chars().position(|a| a == k) {
                if let Some(c) = close(&inner[k.len_utf8()..]) {
                    return Some((Scheme::ParenKana, Some(p as u32 + 1), first.len_utf8() + k.len_utf8() + c));
                }
            }
        }
        if let Some((n, len)) = kanji_number(inner) {
            if let Some(c) = close(&inner[len..]) {
                return Some((Scheme::ParenKanji, Some(n), first.len_utf8() + len + c));
            }
        }
        return None;
    }
    // 1, 1-1, 1.1.1, 1-(1), 1-1) — but not 4つの, 10年後 (a count in the title)
    if let Some((n, len)) = digits(s) {
        let (parts, last, len) = parts(s, n, len);
        if s[len..]
            .starts_with(|c: char| matches!(c as u32, 0x3041..=0x3096) || "年月日人回か箇ヶ万億%％倍割".contains(c))
        {
            return None;
        }
        let mut len = len;
        // A closing `)` after the number (`1)`, `1-1)`).
        if let Some(c) = s[len..].chars().next().filter(|c| matches!(c, ')' | '）')) {
            len += c.len_utf8();
        }
        let scheme = if parts == 1 { Scheme::Arabic } else { Scheme::Parts(parts) };
        return Some((scheme, Some(last), len));
    }
    // ア, イ (only before a separator: アクセス is a word)
    if let Some(p) = AIUEO.chars().position(|a| a == first) {
        if ends_token(&s[first.len_utf8()..]) && s.len() > first.len_utf8() {
            return Some((Scheme::Kana, Some(p as u32 + 1), first.len_utf8()));
        }
    }
    // 一、 二．
    if let Some((n, len)) = kanji_number(s) {
        if s[len..].starts_with(['、', '．', '.', ' ', '\u{3000}']) {
            return Some((Scheme::Kanji, Some(n), len));
        }
    }
    // 基本目標1, 政策2, 施策1-2 (a short word, then a number, then a separator or the end)
    let word: usize = s.chars().take_while(|&c| is_word_char(c)).take(7).map(char::len_utf8).sum();
    if word > 0 && s[..word].chars().count() <= 6 {
        if let Some((n, len)) = digits(&s[word..]) {
            let (parts, last, len) = parts(&s[word..], n, len);
            if ends_token(&s[word + len..]) {
                return Some((Scheme::Named(s[..word].to_string(), parts), Some(last), word + len));
            }
        }
    }
    None
}

/// After a first number (value `n`, `len` bytes) of `s`: the parts `-1`, `.1`, `-(1)`
/// that follow. Returns (parts, the last part's value, bytes).
fn parts(s: &str, n: u32, len: usize) -> (usize, u32, usize) {
    let (mut parts, mut last, mut len) = (1, n, len);
    loop {
        let rest = &s[len..];
        let Some(sep) = rest.chars().next().filter(|c| matches!(c, '-' | '‐' | '－' | '−' | '.' | '．' | '‑'))
        else {
            break;
        };
        let after = &rest[sep.len_utf8()..];
        if let Some((m, l)) = digits(after) {
            (parts, last, len) = (parts + 1, m, len + sep.len_utf8() + l);
            continue;
        }
        // 1-(1)
        if let Some(inner) = after.strip_prefix(['(', '（']) {
            if let Some((m, l)) = digits(inner) {
                if let Some(c) = inner[l..].chars().next().filter(|c| matches!(c, ')' | '）')) {
                    let open = after.chars().next().map_or(1, char::len_utf8);
                    (parts, last, len) = (parts + 1, m, len + sep.len_utf8() + open + l + c.len_utf8());
                    continue;
                }
            }
        }
        break;
    }
    (parts, last, len)
}

/// Indentation in columns and the bytes it takes. Markdown headings (`## 1 趣旨`, from a
/// pasted Markdown outline) count 4 columns a `#`.
fn indentation(s: &str) -> (usize, usize) {
    let (mut cols, mut bytes) = (0, 0);
    for c in s.chars() {
        match c {
            ' ' => cols += 1,
            '\u{3000}' => cols += 2,
            '\t' => cols += 4,
            _ => break,
        }
        bytes += c.len_utf8();
    }
    let hashes = s[bytes..].bytes().take_while(|&b| b == b'#').count();
    if hashes > 0 && s[bytes + hashes..].starts_with([' ', '\u{3000}']) {
        let (more, after) = indentation(&s[bytes + hashes..]);
        return (cols + hashes * 4 + more, bytes + hashes + after);
    }
    (cols, bytes)
}

/// `title` without a page number at its end (`施策 …… 12`, `施策\t12`, `施策・・・12`).
fn without_page_number(title: &str) -> &str {
    let t = title.trim_end();
    let body = t.trim_end_matches(|c: char| digit(c).is_some());
    if body.len() == t.len() || body.is_empty() {
        return t;
    }
    let leaders = body.trim_end_matches(['.', '．', '…', '‥', '・', '･', '·', '-', '─', '—', ' ', '\u{3000}', '\t']);
    let gap = &body[leaders.len()..];
    let dotted = gap.chars().filter(|c| !c.is_whitespace()).count() >= 2;
    let spaced = gap.contains('\t') || gap.contains("  ") || gap.contains('\u{3000}');
    if !leaders.is_empty() && (dotted || spaced) {
        leaders.trim_end()
    } else {
        t
    }
}

/// Parses one line (None for a blank line).
pub fn parse_line(text: &str, line: usize) -> Option<TocLine> {
    let text = text.trim_end_matches(['\r', '\n']).trim_start_matches('\u{feff}');
    let (indent, bytes) = indentation(text);
    let rest = &text[bytes..];
    if rest.trim().is_empty() {
        return None;
    }
    let rest = without_page_number(rest);
    let number = numbering(rest).map(|(scheme, value, len)| (rest[..len].to_string(), scheme, value, len));
    match number {
        Some((written, scheme, value, len)) => {
            let title = rest[len..].trim_start_matches(is_separator).trim().to_string();
            Some(TocLine { line, indent, number: Some((written, scheme, value)), title })
        }
        None => Some(TocLine { line, indent, number: None, title: rest.trim().to_string() }),
    }
}

/// Places every line at its depth: a kind of numbering (at an indentation) first seen
/// below the current line opens a level; seen again, it is that level. An unnumbered
/// line less indented than the current one goes up to the level of that indentation.
pub fn place(lines: Vec<TocLine>) -> Vec<Placed> {
    // The key of each open level: (indentation, numbering kind).
    let mut stack: Vec<(usize, Option<Scheme>)> = Vec::new();
    let mut out = Vec::with_capacity(lines.len());
    for toc in lines {
        let key = (toc.indent, toc.number.as_ref().map(|(_, s, _)| s.clone()));
        let depth = if let Some(i) = stack.iter().position(|k| *k == key) {
            i
        } else if let Some(i) = stack.iter().position(|(indent, _)| *indent > toc.indent) {
            // Less indented than an open level: the line belongs where that level is.
            i
        } else if key.1.is_none() && stack.last().is_some_and(|(indent, _)| *indent == toc.indent) {
            // Unnumbered, as indented as the line before: a sibling.
            stack.len() - 1
        } else {
            stack.len()
        };
        stack.truncate(depth);
        stack.push(key);
        out.push(Placed { toc, depth });
    }
    out
}

/// One node of the tree being written.
struct Node {
    placed: Placed,
    id: String,
    children: Vec<usize>,
}

/// Makes the plan folder. Refuses, writing nothing, when any file it would write exists.
pub fn create(opts: &NewPlanOptions) -> Result<NewPlanReport, Diagnostics> {
    let id = &opts.plan_id;
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return Err(Diagnostic::new(
            "(コマンド)",
            "new-plan-id",
            format!("計画のフォルダ名「{id}」は使えません。URL になるので、英数字・ハイフン(-)・下線(_)だけで書きます"),
        )
        .help("例: planpress new kihon-keikaku --from toc.txt")
        .into());
    }
    let file = &opts.toc_name;
    let mut lines: Vec<TocLine> = opts.toc.lines().enumerate().filter_map(|(i, l)| parse_line(l, i + 1)).collect();
    if lines.len() > MAX_LINES {
        return Err(Diagnostic::new(
            file,
            "new-toc",
            format!("目次が {} 行あります。{MAX_LINES} 行までにしてください", lines.len()),
        )
        .help("目次(章・施策の題名の一覧)だけを貼り付けてください。本文は、できたファイルに書きます")
        .into());
    }
    // The title: given, or the first line when it has no numbering and others follow.
    let title = match &opts.title {
        Some(t) if !t.trim().is_empty() => t.trim().to_string(),
        _ => match lines.first() {
            Some(first) if first.number.is_none() && lines.len() > 1 => lines.remove(0).title,
            _ => {
                return Err(Diagnostic::new(file, "new-title", "計画の名前が分かりません")
                    .at_opt_line(lines.first().map(|l| l.line))
                    .help("1 行目に番号のない計画の名前を書くか、--title \"第2次○○市総合計画 基本計画\" のように指定してください")
                    .into())
            }
        },
    };
    if lines.is_empty() {
        return Err(Diagnostic::new(file, "new-toc", "目次に題名が 1 行もありません")
            .help("章・施策の題名を 1 行に 1 つずつ書いてください(例: 「1 教育・文化分野」「1-1 生涯学習の推進」)")
            .into());
    }
    let placed = place(lines);
    if let Some(deep) = placed.iter().find(|p| p.depth >= MAX_DEPTH) {
        return Err(Diagnostic::new(
            file,
            "new-depth",
            format!("目次の階層が深すぎます({} 段目。{MAX_DEPTH} 段まで)", deep.depth + 1),
        )
        .at_line(deep.toc.line)
        .help("同じ階層の行は、同じ番号の付け方と字下げにそろえてください")
        .into());
    }
    let depth = placed.iter().map(|p| p.depth + 1).max().unwrap_or(0);
    // Level names, when the numbering of every level says it.
    let mut names: Vec<Option<String>> = vec![None; depth];
    for p in &placed {
        if names[p.depth].is_none() {
            names[p.depth] = Some(p.toc.number.as_ref().and_then(|(_, s, _)| s.level_name()).unwrap_or_default());
        }
    }
    let names: Option<Vec<String>> = names.into_iter().map(|n| n.filter(|n| !n.is_empty())).collect();
    // The tree and the ids.
    let mut nodes: Vec<Node> = Vec::with_capacity(placed.len());
    let mut roots = Vec::new();
    let mut path: Vec<usize> = Vec::new();
    let mut used = std::collections::HashSet::new();
    for p in placed {
        path.truncate(p.depth);
        let parent = path.last().copied();
        let siblings = parent.map_or(roots.len(), |i| nodes[i].children.len());
        let part = p.toc.number.as_ref().and_then(|(_, _, v)| *v).unwrap_or(siblings as u32 + 1);
        let base = match parent {
            Some(i) => format!("{}-{part}", nodes[i].id),
            None => part.to_string(),
        };
        let mut id = base.clone();
        let mut n = 2;
        while !used.insert(id.clone()) {
            id = format!("{base}-{n}");
            n += 1;
        }
        let index = nodes.len();
        nodes.push(Node { placed: p, id, children: Vec::new() });
        match parent {
            Some(i) => nodes[i].children.push(index),
            None => roots.push(index),
        }
        path.push(index);
    }
    let plan_dir = opts.root.join("content").join(id);
    let mut files: Vec<(PathBuf, String)> =
        vec![(plan_dir.join("_plan.md"), plan_file(&title, names.as_deref(), depth))];
    fn walk(nodes: &[Node], i: usize, dir: &Path, files: &mut Vec<(PathBuf, String)>) {
        let node = &nodes[i];
        let text = node_file(node);
        if node.children.is_empty() {
            files.push((dir.join(format!("{}.md", node.id)), text));
        } else {
            let sub = dir.join(&node.id);
            files.push((sub.join("_index.md"), text));
            for &c in &node.children {
                walk(nodes, c, &sub, files);
            }
        }
    }
    for &r in &roots {
        walk(&nodes, r, &plan_dir, &mut files);
    }
    let existing: Vec<&PathBuf> = files.iter().map(|(p, _)| p).filter(|p| p.exists()).collect();
    if let Some(first) = existing.first() {
        let shown = crate::diagnostics::relative(&opts.root, first);
        return Err(Diagnostic::new(
            shown,
            "new-exists",
            format!(
                "このファイルはもうあります(作るファイルのうち {} 個がすでにあります)。何も書き換えていません",
                existing.len()
            ),
        )
        .help(format!("別の計画のフォルダ名を指定するか、content/{id}/ を別の場所に移してからやり直してください"))
        .into());
    }
    let mut written = Vec::with_capacity(files.len());
    for (path, text) in &files {
        write_new(path, text).map_err(|e| {
            Diagnostics::from(
                Diagnostic::new(
                    crate::diagnostics::relative(&opts.root, path),
                    "new-write",
                    format!("書き出せません: {e}"),
                )
                .help("フォルダに書き込めるか、ディスクに空きがあるかを確かめてください"),
            )
        })?;
        written.push(path.clone());
    }
    Ok(NewPlanReport { plan_dir, files: written, nodes: nodes.len(), depth, levels_named: names.is_some() })
}

/// Writes `text` to a file that must not exist yet.
fn write_new(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut f = std::fs::OpenOptions::new().write(true).create_new(true).open(path)?;
    f.write_all(text.as_bytes())
}

/// A TOML string, quoted and escaped.
fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn plan_file(title: &str, levels: Option<&[String]>, depth: usize) -> String {
    let mut out = String::from("+++\n");
    out.push_str(&format!("title = {}\n", toml_string(title)));
    out.push_str(
        "# 計画期間(任意。書かなければページに出しません)。年度の書き方は docs/CONTENT.md 6 章。\n# 例: period = { start = \"R7\", end = \"R11\" }\n",
    );
    match levels {
        Some(levels) => {
            let list: Vec<String> = levels.iter().map(|l| toml_string(l)).collect();
            out.push_str("# 階層の名前(目次の番号から)。上から順に\n");
            out.push_str(&format!("levels = [{}]\n", list.join(", ")));
        }
        None => {
            out.push_str(&format!(
                "# 階層の名前(任意)。目次からは分かりませんでした。書くなら上から順に {depth} つ(docs/CONTENT.md 3 章)。\n# 書かなければ「分野」「項目」と表示します。\n# 例: levels = [\"政策分野\", \"施策\"]\n"
            ));
        }
    }
    out.push_str("+++\n");
    out
}

fn node_file(node: &Node) -> String {
    let mut out = String::from("+++\n");
    let toc = &node.placed.toc;
    let title = if toc.title.is_empty() { toc.number.as_ref().map_or("", |(w, _, _)| w.as_str()) } else { &toc.title };
    if let Some((written, _, _)) = &toc.number {
        if !toc.title.is_empty() {
            out.push_str(&format!("number = {}\n", toml_string(written)));
        }
    }
    out.push_str(&format!("title = {}\n", toml_string(title)));
    out.push_str("+++\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scheme(s: &str) -> Option<(Scheme, Option<u32>, String)> {
        numbering(s).map(|(k, v, len)| (k, v, s[..len].to_string()))
    }

    #[test]
    fn numbering_kinds() {
        assert_eq!(scheme("第1章 総論"), Some((Scheme::Dai('章'), Some(1), "第1章".into())));
        assert_eq!(scheme("第十二節 x"), Some((Scheme::Dai('節'), Some(12), "第十二節".into())));
        assert_eq!(scheme("第3次菊池市総合計画"), None, "the plan's generation, not a part");
        assert_eq!(scheme("1 教育"), Some((Scheme::Arabic, Some(1), "1".into())));
        assert_eq!(scheme("1.産業と経済"), Some((Scheme::Arabic, Some(1), "1".into())));
        assert_eq!(scheme("01 基本構想"), Some((Scheme::Arabic, Some(1), "01".into())));
        assert_eq!(scheme("１－２ 全角"), Some((Scheme::Parts(2), Some(2), "１－２".into())));
        assert_eq!(scheme("1-1) 市民総ぐるみ"), Some((Scheme::Parts(2), Some(1), "1-1)".into())));
        assert_eq!(scheme("1-(3) x"), Some((Scheme::Parts(2), Some(3), "1-(3)".into())));
        assert_eq!(scheme("1.1.2 x"), Some((Scheme::Parts(3), Some(2), "1.1.2".into())));
        assert_eq!(scheme("(2) x"), Some((Scheme::ParenDigit, Some(2), "(2)".into())));
        assert_eq!(scheme("（１）x"), Some((Scheme::ParenDigit, Some(1), "（１）".into())));
        assert_eq!(scheme("(イ) x"), Some((Scheme::ParenKana, Some(2), "(イ)".into())));
        assert_eq!(scheme("③ x"), Some((Scheme::Circled, Some(3), "③".into())));
        assert_eq!(scheme("㉑ x"), Some((Scheme::Circled, Some(21), "㉑".into())));
        assert_eq!(scheme("ウ　x"), Some((Scheme::Kana, Some(3), "ウ".into())));
        assert_eq!(scheme("二、x"), Some((Scheme::Kanji, Some(2), "二".into())));
        assert_eq!(scheme("Ⅲ x"), Some((Scheme::Roman, Some(3), "Ⅲ".into())));
        assert_eq!(
            scheme("基本目標1 子育て"),
            Some((Scheme::Named("基本目標".into(), 1), Some(1), "基本目標1".into()))
        );
        assert_eq!(scheme("施策1-2：x"), Some((Scheme::Named("施策".into(), 2), Some(2), "施策1-2".into())));
        // Words that only look like numbering.
        assert_eq!(scheme("アクセスの向上"), None);
        assert_eq!(scheme("令和6年度の取組"), None);
        assert_eq!(scheme("4つの横断的に取り組む項目"), None, "a count, not a number");
        assert_eq!(scheme("10年後の姿"), None);
        assert_eq!(scheme("一人ひとりが輝く"), None);
        assert_eq!(scheme("(仮称)市民会館"), None);
        assert_eq!(scheme("計画の推進"), None);
    }

    #[test]
    fn page_numbers_and_indentation() {
        let l = parse_line("\u{3000}\u{3000}1-1 生涯学習の推進 ……… 12", 3).unwrap();
        assert_eq!(l.indent, 4);
        assert_eq!(l.title, "生涯学習の推進");
        assert_eq!(l.number.as_ref().unwrap().0, "1-1");
        assert_eq!(parse_line("\t第2章\t総論\t5", 1).unwrap().title, "総論");
        assert_eq!(parse_line("SDGs 17", 1).unwrap().title, "SDGs 17", "one space before a number: a title");
        assert_eq!(parse_line("   ", 1), None);
    }

    fn depths(text: &str) -> Vec<(usize, String)> {
        let lines = text.lines().enumerate().filter_map(|(i, l)| parse_line(l, i + 1)).collect();
        place(lines).into_iter().map(|p| (p.depth, p.toc.title)).collect()
    }

    #[test]
    fn numbering_defines_levels_in_the_order_seen() {
        // Kakegawa: fields, measures (1-1)), directions (①); no indentation.
        let d = depths("1 教育・文化分野\n1-1) 市民総ぐるみで取り組む\n① 人材の育成\n② 学びの推進\n1-2) 生涯学習の拠点づくり\n2 健康・子育て・福祉分野\n2-1) 子育て力の向上\n");
        let got: Vec<usize> = d.iter().map(|(d, _)| *d).collect();
        assert_eq!(got, [0, 1, 2, 2, 1, 0, 1]);
        // A kind seen again deeper up the stack goes back to its level.
        let d = depths("第1章 総論\n1 計画の趣旨\n(1) 背景\n(2) 目的\n2 計画の期間\n第2章 基本構想\n1 将来像\n");
        let got: Vec<usize> = d.iter().map(|(d, _)| *d).collect();
        assert_eq!(got, [0, 1, 2, 2, 1, 0, 1]);
    }

    #[test]
    fn indentation_alone_and_with_numbering() {
        let d = depths("子育て\n  保育\n  教育\n    学校\n福祉\n\t高齢者\n");
        let got: Vec<usize> = d.iter().map(|(d, _)| *d).collect();
        assert_eq!(got, [0, 1, 1, 2, 0, 1]);
        // The same numbering at two indentations is two levels.
        let d = depths("1 教育\n  1 学校\n  2 生涯学習\n2 健康\n  1 医療\n");
        let got: Vec<usize> = d.iter().map(|(d, _)| *d).collect();
        assert_eq!(got, [0, 1, 1, 0, 1]);
    }

    #[test]
    fn scaffolds_files_ids_and_levels() {
        let t = tempfile::tempdir().unwrap();
        let opts = NewPlanOptions {
            root: t.path().to_path_buf(),
            plan_id: "kihon".into(),
            toc: "第3次○○市総合計画\n第1章 \"総論\"\n第1節 趣旨\n第2節 期間\n第2章 基本計画\n".into(),
            toc_name: "toc.txt".into(),
            title: None,
        };
        let r = create(&opts).unwrap();
        assert_eq!((r.nodes, r.depth, r.levels_named), (4, 2, true));
        let plan = std::fs::read_to_string(t.path().join("content/kihon/_plan.md")).unwrap();
        assert!(plan.contains("title = \"第3次○○市総合計画\""), "{plan}");
        assert!(plan.contains("levels = [\"章\", \"節\"]"), "{plan}");
        let ch1 = std::fs::read_to_string(t.path().join("content/kihon/1/_index.md")).unwrap();
        assert_eq!(ch1, "+++\nnumber = \"第1章\"\ntitle = '\"総論\"'\n+++\n");
        assert!(t.path().join("content/kihon/1/1-2.md").is_file());
        assert!(t.path().join("content/kihon/2.md").is_file());
        // Never overwrites: a second run refuses and writes nothing.
        std::fs::write(t.path().join("content/kihon/2.md"), "mine").unwrap();
        let e = create(&opts).unwrap_err();
        assert_eq!(e.0[0].rule, "new-exists");
        assert_eq!(std::fs::read_to_string(t.path().join("content/kihon/2.md")).unwrap(), "mine");
    }

    #[test]
    fn unnamed_levels_are_left_as_a_comment_and_bad_input_is_refused() {
        let t = tempfile::tempdir().unwrap();
        let mut opts = NewPlanOptions {
            root: t.path().to_path_buf(),
            plan_id: "p".into(),
            toc: "1 教育\n1-1 学校\n1-1 学校\n".into(),
            toc_name: "toc.txt".into(),
            title: Some("計画".into()),
        };
        let r = create(&opts).unwrap();
        assert!(!r.levels_named);
        let plan = std::fs::read_to_string(t.path().join("content/p/_plan.md")).unwrap();
        assert!(plan.contains("# 例: levels") && !plan.contains("\nlevels"), "{plan}");
        assert!(t.path().join("content/p/1/1-1-2.md").is_file(), "duplicate ids get a suffix");
        opts.plan_id = "計画".into();
        assert_eq!(create(&opts).unwrap_err().0[0].rule, "new-plan-id");
        opts.plan_id = "q".into();
        opts.title = None;
        assert_eq!(create(&opts).unwrap_err().0[0].rule, "new-title");
        opts.toc = "題名だけ\n".into();
        assert_eq!(create(&opts).unwrap_err().0[0].rule, "new-title");
        opts.toc = (1..=MAX_DEPTH + 1).map(|d| format!("{}x\n", " ".repeat(d))).collect();
        opts.title = Some("t".into());
        assert_eq!(create(&opts).unwrap_err().0[0].rule, "new-depth");
    }
}
