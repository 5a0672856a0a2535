//! Plan trees: what a `_plan.md` and the node front matter of its files become — the plan
//! with its levels and themes, nodes with their indicators in natural sibling order — with
//! every value checked on the way.

use super::fiscal_year::FiscalYear;
use super::front_matter::*;
use super::model::*;
use super::render::{BodySlot, PendingBody};
use crate::config::SiteConfig;
use crate::diagnostics::{line_of, Diagnostic, Diagnostics, LineIndex};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use toml::Spanned;
use unicode_normalization::UnicodeNormalization;

/// Names inside a plan that planpress uses; node ids and chapters cannot use them.
pub const RESERVED_IN_PLAN: &[&str] = &["themes", "summary", "dashboard", "data", "indicators"];

/// Sort key among siblings: weight, then number (natural), then file order.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
struct OrderKey(i64, bool, Vec<NaturalPart>, String, usize);

/// A run of digits (by value) or of other characters, in [`natural`] order.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum NaturalPart {
    Num(u64),
    Text(String),
}

/// Splits a string into digit runs and text for natural ordering (`1-(2)` < `1-(10)`, ① < ②).
fn natural(s: &str) -> Vec<NaturalPart> {
    let norm: String = s.nfkc().collect();
    let mut out = Vec::new();
    let mut buf = String::new();
    let mut digits = false;
    for c in norm.chars() {
        let d = c.is_ascii_digit();
        if !buf.is_empty() && d != digits {
            out.push(part(&buf, digits));
            buf.clear();
        }
        digits = d;
        buf.push(c);
    }
    if !buf.is_empty() {
        out.push(part(&buf, digits));
    }
    out
}

/// One run of [`natural`].
fn part(s: &str, digits: bool) -> NaturalPart {
    if digits {
        NaturalPart::Num(s.parse().unwrap_or(u64::MAX))
    } else {
        NaturalPart::Text(s.to_string())
    }
}

/// The sort key of a node among its siblings; `inline` is its place among `[[children]]`
/// of one file (0 for the file's own node).
fn order_key(weight: Option<i64>, number: Option<&str>, file: &str, inline: usize) -> OrderKey {
    OrderKey(weight.unwrap_or(i64::MAX), number.is_none(), natural(number.unwrap_or("")), file.to_string(), inline)
}

/// Checks that `id` is usable in a URL.
pub(super) fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 100 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// `what` (`id`, a file name …) `id` at `file:line` is not usable in a URL.
pub(super) fn bad_id(file: &Path, line: usize, what: &str, id: &str) -> Diagnostic {
    Diagnostic::new(file, "id", format!("{what}「{id}」は URL に使えません"))
        .at_line(line)
        .help("id には半角の英数字、ハイフン(-)、下線(_)だけを使ってください(例: 1-1, kosodate)。ファイル名・フォルダ名は日本語でもかまいませんが、空白と記号(/ \\ ? # % & + : ; \" ' < > | * [ ] { } ^ ` など)は使えません")
}

/// Whether a file or folder name `name` (already NFC) can be a URL segment as it is, with
/// Japanese in it: written to disk as it is and percent-encoded in URLs by browsers. No
/// spaces (also the full-width one), control or invisible characters, and of ASCII only
/// letters, digits, `-`, `_`, `.`, `(` and `)`; not `.` or `..`.
pub(super) fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.chars().count() <= 100
        && name != "."
        && name != ".."
        && !name.starts_with('.')
        && name.chars().all(|c| {
            if c.is_ascii() {
                c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '(' | ')')
            } else {
                !c.is_whitespace() && !c.is_control() && !matches!(c, '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2060}'..='\u{206f}' | '\u{feff}')
            }
        })
}

/// The URL segment a city's own number gives (`1-(1)` → `1-1`, `①` → `1`, `第2章` →
/// none): NFKC, then runs of anything but ASCII letters and digits become one `-`. `None`
/// when the number has letters other than ASCII (the Japanese name is then clearer).
pub(super) fn number_slug(number: &str) -> Option<String> {
    let norm: String = number.nfkc().collect();
    if norm.chars().any(|c| c.is_alphabetic() && !c.is_ascii_alphabetic()) {
        return None;
    }
    let mut out = String::new();
    for c in norm.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_string();
    valid_id(&out).then_some(out)
}

/// The id of a node without `id` in its front matter, from its file or folder `name`
/// (NFC) and its `number`: the name when it is ASCII ([`valid_id`]), else the number's
/// slug ([`number_slug`]) unless another node has it, else the Japanese name itself with a
/// warning that renaming the file changes the URL; `None` (reported) when the name cannot
/// be a URL segment at all.
pub(super) fn default_node_id(
    name: &str,
    number: Option<&str>,
    taken: &HashMap<String, (PathBuf, usize)>,
    file: &Path,
    diags: &mut Diagnostics,
) -> Option<String> {
    if valid_id(name) {
        return Some(name.to_string());
    }
    if let Some(slug) = number.and_then(number_slug).filter(|s| !taken.contains_key(s)) {
        return Some(slug);
    }
    if !valid_name(name) {
        diags.push(bad_id(file, 1, "ファイル名・フォルダ名", name));
        return None;
    }
    diags.push(japanese_url(file, name, NODE_ID_HELP));
    Some(name.to_string())
}

/// How to keep a node's URL when its file name is Japanese.
const NODE_ID_HELP: &str = "前付けに id = \"kihon-koso\" のような半角英数字の id を書くと、ファイル名を変えても URL は変わりません(number = \"1-(1)\" を書いても、そこから 1-1 のような URL が作られます)";

/// How to keep the URL of a page or plan folder whose name is Japanese.
pub(super) const NAME_HELP: &str = "URL を変えたくないときは、ファイル名・フォルダ名を半角英数字にしてください(例: kihon-koso.md)。移したページには aliases で古い URL を残せます";

/// The warning for a page whose URL is made from its Japanese file or folder `name`;
/// `help` says how to keep the URL.
pub(super) fn japanese_url(file: &Path, name: &str, help: &str) -> Diagnostic {
    Diagnostic::new(
        file,
        "japanese-url",
        format!("URL が日本語の名前「{name}」から作られます。ファイル名やフォルダ名を変えると URL も変わり、ほかのサイトからのリンクやブックマークが切れます"),
    )
    .at_line(1)
    .help(help)
    .warning()
}

/// A plan while its nodes are added.
pub(super) struct PlanBuilder {
    /// The plan so far; siblings are sorted by [`finish_plan`].
    pub(super) plan: Plan,
    /// Each node's sort key among its siblings, by node index.
    keys: Vec<OrderKey>,
    /// Folder inside the plan → its `_index.md` node.
    pub(super) dir_nodes: HashMap<Vec<String>, NodeId>,
    /// Node id → where it is given (file, line), for duplicates.
    pub(super) ids: HashMap<String, (PathBuf, usize)>,
    /// Node id → content-relative file, for `@/` links.
    pub(super) files: Vec<(String, NodeId)>,
    /// Keep `[[children]]` marked `draft = true` (`SiteConfig::drafts`).
    pub(super) include_drafts: bool,
    /// Draft `[[children]]` entries left out.
    pub(super) drafts_left_out: usize,
    /// Declared departments (`site.toml`): id, name and former names → the current name.
    /// Empty: departments are free names.
    departments: HashMap<String, String>,
    /// The site's `base_url`, for aliases written as full URLs.
    pub(super) base_url: String,
}

/// The plan `id` of a `_plan.md` front matter `fm` (its text `fm_text` starts at line
/// `fm_line` of `file`), with no nodes yet (problems go to `diags`; the plan is still
/// built so that its nodes are checked too).
pub(super) fn build_plan(
    id: String,
    fm: PlanFrontMatter,
    config: &SiteConfig,
    file: &Path,
    fm_text: &str,
    fm_line: usize,
    diags: &mut Diagnostics,
) -> Option<PlanBuilder> {
    let line_at = |span: std::ops::Range<usize>| fm_line + line_of(fm_text, span.start) - 1;
    let levels_span = fm.levels.as_ref().map(|l| l.span()).unwrap_or_default();
    let levels: Vec<Level> = fm
        .levels
        .map(Spanned::into_inner)
        .unwrap_or_default()
        .into_iter()
        .map(|l| match l {
            LevelFrontMatter::Name(name) => Level { name, pages: true, keep_empty: false },
            LevelFrontMatter::Table { name, pages } => {
                Level { name, pages: pages.unwrap_or(true), keep_empty: pages == Some(true) }
            }
        })
        .collect();
    if levels.first().is_some_and(|l| !l.pages) {
        diags.push(
            Diagnostic::new(
                file,
                "levels",
                format!("最上位の階層「{}」には pages = false を付けられません", levels[0].name),
            )
            .at_line(line_at(levels_span.clone()))
            .help("pages = false は、親のページの中に載せる下の階層にだけ付けてください"),
        );
    }
    if let Some(i) = levels.windows(2).position(|w| !w[0].pages && w[1].pages) {
        diags.push(
            Diagnostic::new(
                file,
                "levels",
                format!(
                    "階層「{}」はページを持たないので、その下の「{}」もページを持てません",
                    levels[i].name,
                    levels[i + 1].name
                ),
            )
            .at_line(line_at(levels_span))
            .help("下の階層にも pages = false を付けてください"),
        );
    }
    let period = fm.period.and_then(|p| plan_period(p, file, line_at, diags));
    let mut themes = Vec::new();
    let mut seen = HashSet::new();
    for t in fm.themes {
        let line = line_at(t.span());
        let t = t.into_inner();
        if !valid_id(&t.id) {
            diags.push(bad_id(file, line, "横断的取組の id", &t.id));
        } else if !seen.insert(t.id.clone()) {
            diags.push(
                Diagnostic::new(file, "duplicate-id", format!("横断的取組の id「{}」が2回あります", t.id))
                    .at_line(line)
                    .help("id を別の名前にしてください"),
            );
        }
        themes.push(CrossCuttingTheme { id: t.id, number: t.number, title: t.title, summary: t.summary });
    }
    let evaluation = fm.evaluation.and_then(|e| super::evaluation::scale(e, file, line_at, diags));
    let aliases = super::aliases::read_aliases(
        &fm.aliases,
        config.base_url.as_deref().unwrap_or(""),
        file,
        &|s| line_at(s),
        diags,
    );
    let plan = Plan {
        id,
        title: fm.title,
        subtitle: fm.subtitle.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()),
        kind: fm.kind,
        municipality: fm.municipality.unwrap_or_else(|| config.municipality.clone()),
        period,
        vision: fm.vision.map(|v| v.trim().to_string()).filter(|v| !v.is_empty()),
        principles: fm.principles.into_iter().map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect(),
        summary: fm.summary,
        issued: fm.issued,
        publisher: fm.publisher,
        weight: fm.weight,
        levels,
        themes,
        evaluation,
        body_html: Default::default(),
        headings: Vec::new(),
        sections: Vec::new(),
        chapters: Vec::new(),
        nodes: Vec::new(),
        roots: Vec::new(),
        source: file.to_path_buf(),
        draft: fm.draft,
        drafts_left_out: 0,
        aliases,
        updated: fm.updated,
    };
    Some(PlanBuilder {
        plan,
        keys: Vec::new(),
        dir_nodes: HashMap::new(),
        ids: HashMap::new(),
        files: Vec::new(),
        include_drafts: config.drafts,
        drafts_left_out: 0,
        departments: config
            .departments
            .iter()
            .flat_map(|d| {
                std::iter::once(&d.id).chain(&d.former_names).chain([&d.name]).map(|k| (k.clone(), d.name.clone()))
            })
            .collect(),
        base_url: config.base_url.clone().unwrap_or_default(),
    })
}

/// How deep a plan's nodes may nest (folders and `[[children]]` together): far more than
/// any plan has, and a bound for a runaway file.
const MAX_NODE_DEPTH: usize = 32;

/// The period of `period = { … }`, or `None` (with a message) when it states no start:
/// `{}`, an end alone, `"未定"` or `""`. Left out, the plan simply has no period.
fn plan_period(
    p: Spanned<PeriodFrontMatter>,
    file: &Path,
    line_at: impl Fn(std::ops::Range<usize>) -> usize,
    diags: &mut Diagnostics,
) -> Option<Period> {
    const OMIT: &str =
        "計画期間が決まっていない・書かないときは、period の行を消してください(ページには計画期間を表示しません)";
    let line = line_at(p.span());
    let p = p.into_inner();
    let year = |y: &Option<Spanned<PeriodYear>>| -> Result<Option<FiscalYear>, usize> {
        match y {
            None => Ok(None),
            Some(s) => match s.get_ref() {
                PeriodYear::Year(y) => Ok(Some(*y)),
                PeriodYear::Undecided => Err(line_at(s.span())),
            },
        }
    };
    let start = match year(&p.start) {
        Ok(Some(start)) => start,
        Ok(None) => {
            let msg = if p.end.is_some() {
                "計画期間に始まりの年度(start)がありません"
            } else {
                "計画期間 period に年度が書かれていません"
            };
            diags.push(Diagnostic::new(file, "period", msg).at_line(line).help(format!(
                "period = {{ start = \"R3\", end = \"R7\" }} のように書いてください(始まりだけなら period = {{ start = \"R3\" }})。{OMIT}"
            )));
            return None;
        }
        Err(at) => {
            diags.push(
                Diagnostic::new(file, "period", "計画期間の始まり(start)が年度ではありません").at_line(at).help(OMIT),
            );
            return None;
        }
    };
    let end = match year(&p.end) {
        Ok(end) => end,
        Err(at) => {
            diags.push(
                Diagnostic::new(file, "period", "計画期間の終わり(end)が年度ではありません").at_line(at).help(format!(
                    "終わりの年度が決まっていないときは end を消してください(period = {{ start = \"{}\" }} で「{}〜」と表示します)",
                    start.wareki(),
                    start.wareki()
                )),
            );
            return None;
        }
    };
    if let (Some(end), Some(end_at)) = (end, &p.end) {
        if end < start {
            diags.push(
                Diagnostic::new(file, "period", format!("計画期間の終わり({end})が始まり({start})より前です"))
                    .at_line(line_at(end_at.span()))
                    .help(format!(
                        "period = {{ start = …, end = … }} の end を start({start})と同じか後の年度にしてください(年度の書き方は docs/CONTENT.md §6)"
                    )),
            );
        }
    }
    Some(Period { start, end })
}

/// The node file whose front matter is being read, for the lines of its values.
pub(super) struct NodeCtx<'a> {
    /// The file, relative to the site root.
    pub(super) file: &'a Path,
    /// The file relative to `content/`: siblings in one folder fall back to file order.
    pub(super) file_key: &'a str,
    /// Its front matter text.
    pub(super) fm_text: &'a str,
    /// Lines of [`Self::fm_text`].
    pub(super) lines: LineIndex,
    /// The file's line where [`Self::fm_text`] starts.
    pub(super) fm_line: usize,
}

impl NodeCtx<'_> {
    /// The file's line of the value `s`.
    fn line<T>(&self, s: &Spanned<T>) -> usize {
        self.fm_line + self.lines.line(s.span().start) - 1
    }
}

/// One node file being added to its plan: the plan, the file, and where problems and
/// the bodies of `[[children]]` go.
pub(super) struct NodeFile<'a> {
    /// The plan the file's nodes go into.
    pub(super) plan: &'a mut PlanBuilder,
    /// The file.
    pub(super) ctx: NodeCtx<'a>,
    /// Problems found.
    pub(super) diags: &'a mut Diagnostics,
    /// Bodies waiting for rendering.
    pub(super) pending: &'a mut Vec<PendingBody>,
}

/// Where one node goes in its plan's tree.
pub(super) struct NodeAt {
    /// Its parent, or `None` for a top-level node.
    pub(super) parent: Option<NodeId>,
    /// Its id when the front matter gives none: the file or folder name, or
    /// `<parent id>-<k>` for the `k`-th of `[[children]]`.
    pub(super) default_id: String,
    /// Its line in the file.
    pub(super) line: usize,
    /// 0 for a file's own node, `k` for the `k`-th of its parent's `[[children]]`.
    pub(super) inline_index: usize,
}

impl NodeFile<'_> {
    /// Adds the node of `fm` at `at`, and its `[[children]]` below it; returns its index, or
    /// `None` when its id or depth rules it out (its children are then left out too).
    pub(super) fn add(&mut self, fm: NodeFrontMatter, at: NodeAt) -> Option<NodeId> {
        let NodeAt { parent, default_id, line, inline_index } = at;
        let (b, ctx, diags, pending) = (&mut *self.plan, &self.ctx, &mut *self.diags, &mut *self.pending);
        let file = ctx.file;
        let (id, id_line) = match &fm.id {
            Some(s) => (s.get_ref().clone(), ctx.line(s)),
            None => (default_id, line),
        };
        let usable = if fm.id.is_some() { valid_id(&id) } else { valid_name(&id) };
        if !usable {
            diags.push(bad_id(file, id_line, "id", &id));
            return None;
        }
        if RESERVED_IN_PLAN.contains(&id.as_str()) {
            diags.push(
                Diagnostic::new(file, "reserved", format!("id「{id}」は planpress が使う名前です"))
                    .at_line(id_line)
                    .help(format!("別の id にしてください({} は使えません)", RESERVED_IN_PLAN.join(", "))),
            );
            return None;
        }
        if let Some((other, other_line)) = b.ids.get(&id) {
            diags.push(
                Diagnostic::new(
                    file,
                    "duplicate-id",
                    format!("id「{id}」が重複しています({}:{other_line} と同じ)", other.display()),
                )
                .at_line(id_line)
                .help("同じ計画の中では id を重ねられません。どちらかの id を変えてください"),
            );
            return None;
        }
        b.ids.insert(id.clone(), (file.to_path_buf(), id_line));
        if fm.title.trim().is_empty() {
            diags.push(Diagnostic::new(file, "title", "title が空です").at_line(line).help("題名を書いてください"));
        }
        // Any depth is a plan's own shape: levels may name fewer levels than there are
        // (pages then say 分野 / 項目). Only a runaway nesting of [[children]] is refused.
        let depth = parent.map(|p| b.plan.nodes[p].depth + 1).unwrap_or(0);
        if depth >= MAX_NODE_DEPTH {
            diags.push(
                Diagnostic::new(
                    file,
                    "layout",
                    format!("階層が深すぎます(第{}階層。{MAX_NODE_DEPTH} 階層まで)", depth + 1),
                )
                .at_line(line)
                .help("[[children]] の中の children を浅くしてください(計画の階層は、ふつう 3〜5 階層です)"),
            );
            return None;
        }
        let mut sdgs = Vec::new();
        for g in &fm.sdgs {
            let v = *g.get_ref();
            if (1..=17).contains(&v) {
                sdgs.push(v as u8);
            } else {
                diags.push(
                    Diagnostic::new(file, "sdgs", format!("SDGs のゴール {v} はありません"))
                        .at_line(ctx.line(g))
                        .help("SDGs のゴールは 1〜17 の番号で書いてください(例: sdgs = [4, 11])"),
                );
            }
        }
        sdgs.sort_unstable();
        sdgs.dedup();
        let mut themes = Vec::new();
        for t in &fm.themes {
            let tid = t.get_ref();
            if b.plan.theme(tid).is_none() {
                let known: Vec<&str> = b.plan.themes.iter().map(|t| t.id.as_str()).collect();
                let help = if known.is_empty() {
                    format!("{} に [[themes]] で横断的取組を定義してください", b.plan.source.display())
                } else {
                    format!("定義されている id は {} です({})", known.join(", "), b.plan.source.display())
                };
                diags.push(
                    Diagnostic::new(file, "unknown-theme", format!("横断的取組「{tid}」は定義されていません"))
                        .at_line(ctx.line(t))
                        .help(help),
                );
            } else if !themes.contains(tid) {
                themes.push(tid.clone());
            }
        }
        let mut indicators = Vec::new();
        for (k, ind) in fm.indicators.iter().enumerate() {
            if let Some(i) = build_indicator(ind, &id, k, ctx, diags) {
                indicators.push(i);
            }
        }
        let mut departments = Vec::with_capacity(fm.departments.len());
        for d in &fm.departments {
            match d.get_ref().trim() {
                "" => {
                    diags.push(Diagnostic::new(file, "department", "担当課の名前が空です").at_line(ctx.line(d)).help(
                        "departments = [\"学校教育課\"] のように担当課の名前を書くか、空の \"\" を消してください",
                    ))
                }
                name if b.departments.is_empty() => departments.push(name.to_string()),
                name => match b.departments.get(name) {
                    Some(current) if !departments.contains(current) => departments.push(current.clone()),
                    Some(_) => {}
                    None => diags.push(unknown_department(name, &b.departments, file, ctx.line(d))),
                },
            }
        }
        let evaluations = super::evaluation::from_front_matter(
            &fm.evaluations,
            b.plan.evaluation.as_ref(),
            &b.plan.source,
            file,
            |span| ctx.fm_line + ctx.lines.line(span.start) - 1,
            diags,
        );
        let aliases = super::aliases::read_aliases(
            &fm.aliases,
            &b.base_url,
            file,
            &|span| ctx.fm_line + ctx.lines.line(span.start) - 1,
            diags,
        );
        let number = fm.number.filter(|n| !n.trim().is_empty());
        let key = order_key(fm.weight, number.as_deref(), ctx.file_key, inline_index);
        let nid = b.plan.nodes.len();
        b.plan.nodes.push(Node {
            id: id.clone(),
            number,
            title: fm.title,
            summary: fm.summary,
            weight: fm.weight,
            sdgs,
            departments,
            themes,
            indicators,
            evaluations,
            body_html: Default::default(),
            headings: Vec::new(),
            sections: Vec::new(),
            depth,
            parent,
            children: Vec::new(),
            has_page: b.plan.level_has_pages(depth),
            source: file.to_path_buf(),
            line,
            draft: fm.draft || b.plan.draft || parent.is_some_and(|p| b.plan.nodes[p].draft),
            aliases,
            updated: fm.updated,
        });
        b.keys.push(key);
        match parent {
            Some(p) => b.plan.nodes[p].children.push(nid),
            None => b.plan.roots.push(nid),
        }
        if let Some(body) = &fm.body {
            pending.push(PendingBody {
                slot: BodySlot::Node(b.plan.id.clone(), nid),
                markdown: body.get_ref().clone(),
                file: file.to_path_buf(),
                first_line: ctx.line(body),
            });
        }
        for (k, child) in fm.children.into_iter().enumerate() {
            if child.get_ref().draft && !self.plan.include_drafts {
                self.plan.drafts_left_out += 1; // its place keeps the default ids of the others
                continue;
            }
            let line = self.ctx.line(&child);
            let at = NodeAt { parent: Some(nid), default_id: format!("{id}-{}", k + 1), line, inline_index: k + 1 };
            self.add(child.into_inner(), at);
        }
        Some(nid)
    }
}

/// A department that `site.toml` does not declare, with the nearest declared name.
fn unknown_department(name: &str, known: &HashMap<String, String>, file: &Path, line: usize) -> Diagnostic {
    let mut names: Vec<&str> = known.values().map(String::as_str).collect();
    names.sort_unstable();
    names.dedup();
    let near = known
        .keys()
        .map(|k| (crate::import::apply::distance(name, k), k))
        .filter(|(d, k)| *d < name.chars().count().max(k.chars().count()) && *d <= 3)
        .min_by_key(|&(d, k)| (d, k.clone()))
        .map(|(_, k)| k.as_str());
    let list = names.join("、");
    let help = match near {
        Some(k) => format!(
            "もしかして「{k}」ですか。担当課は site.toml の [[departments]] の id か name(以前の名前なら former_names)で書いてください(定義されている課: {list})"
        ),
        None => format!(
            "担当課は site.toml の [[departments]] の id か name で書いてください。新しい課なら site.toml に [[departments]] を足してください(定義されている課: {list})"
        ),
    };
    Diagnostic::new(file, "unknown-department", format!("担当課「{name}」は site.toml に定義されていません"))
        .at_line(line)
        .help(help)
}

/// The `k`-th indicator of the node `node_id`, or `None` when it has no name.
fn build_indicator(
    s: &Spanned<IndicatorFrontMatter>,
    node_id: &str,
    k: usize,
    ctx: &NodeCtx,
    diags: &mut Diagnostics,
) -> Option<Indicator> {
    let line = ctx.line(s);
    let ind = s.get_ref();
    let err =
        |msg: String, help: &str| Diagnostic::new(ctx.file, "indicator", msg).at_line(line).help(help.to_string());
    if ind.name.trim().is_empty() {
        diags.push(err("指標の name が空です".into(), "指標の名前を書いてください"));
        return None;
    }
    if ind.target.year < ind.baseline.year {
        diags.push(err(
            format!("指標「{}」の目標年度({})が基準年度({})より前です", ind.name, ind.target.year, ind.baseline.year),
            "baseline と target の year を確認してください",
        ));
    }
    let at = |m: &MeasurementFrontMatter| Measurement { value: as_written(&m.value, ctx.fm_text), year: m.year };
    for (what, m) in [("baseline", &ind.baseline), ("target", &ind.target)] {
        if m.note.is_some() {
            diags.push(err(
                format!("指標「{}」の {what} に note は書けません", ind.name),
                "note は actuals の各年度の実績の備考にだけ書けます。指標全体の注記は指標の note = \"…\" に書いてください",
            ));
        }
    }
    let actual_notes = ind.actuals.iter().filter_map(|m| Some((m.year, m.note.clone()?))).collect();
    let mut actuals: Vec<Measurement> = ind.actuals.iter().map(at).collect();
    actuals.sort_by_key(|a| a.year);
    let mut years: Vec<FiscalYear> = actuals.iter().map(|a| a.year).collect();
    years.dedup();
    if years.len() != actuals.len() {
        diags.push(err(
            format!("指標「{}」の実績に同じ年度が2つあります", ind.name),
            "actuals の year を確認してください",
        ));
    }
    Some(Indicator {
        id: ind.id.clone().unwrap_or_else(|| format!("{node_id}-{}", k + 1)),
        name: ind.name.clone(),
        unit: ind.unit.clone(),
        better: ind.better,
        baseline: at(&ind.baseline),
        target: at(&ind.target),
        actuals,
        actual_notes,
        cumulative: ind.cumulative,
        note: ind.note.clone(),
    })
}

/// Sorts siblings and checks indicator ids, once all nodes of a plan are in.
pub(super) fn finish_plan(b: &mut PlanBuilder, diags: &mut Diagnostics) {
    let keys = &b.keys;
    let by_key = |ids: &mut Vec<NodeId>| ids.sort_by(|x, y| keys[*x].cmp(&keys[*y]));
    by_key(&mut b.plan.roots);
    // Kept for the whole build: no spare capacity from the pushes.
    b.plan.nodes.shrink_to_fit();
    for i in 0..b.plan.nodes.len() {
        let mut c = std::mem::take(&mut b.plan.nodes[i].children);
        by_key(&mut c);
        b.plan.nodes[i].children = c;
    }
    let mut seen: HashMap<&str, &Node> = HashMap::new();
    for n in &b.plan.nodes {
        for ind in &n.indicators {
            if let Some(other) = seen.insert(&ind.id, n) {
                diags.push(
                    Diagnostic::new(
                        &n.source,
                        "duplicate-id",
                        format!("指標の id「{}」が重複しています({} と同じ)", ind.id, other.source.display()),
                    )
                    .at_line(n.line)
                    .help("指標の id を変えてください"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_order_of_city_numbers() {
        let sorted = |mut v: Vec<&'static str>| {
            v.sort_by_key(|s| natural(s));
            v
        };
        assert_eq!(sorted(vec!["1-(10)", "1-(2)", "1-(1)"]), ["1-(1)", "1-(2)", "1-(10)"]);
        assert_eq!(sorted(vec!["⑩", "②", "①"]), ["①", "②", "⑩"]);
        assert_eq!(sorted(vec!["戦略10", "戦略2"]), ["戦略2", "戦略10"]);
        assert_eq!(sorted(vec!["6-(12)", "6-(9)"]), ["6-(9)", "6-(12)"]);
    }

    #[test]
    fn ids_must_be_url_safe() {
        assert!(valid_id("1-1_a"));
        assert!(!valid_id("子育て"));
        assert!(!valid_id("a b"));
        assert!(!valid_id(""));
    }

    #[test]
    fn japanese_names_are_url_segments() {
        assert!(valid_name("基本構想") && valid_name("計画の推進に向けて") && valid_name("第2次総合計画"));
        assert!(valid_name("1-(1)子育て") && valid_name("kosodate"));
        assert!(!valid_name("子育て 支援") && !valid_name("子育て\u{3000}支援"), "spaces");
        assert!(!valid_name("a?b") && !valid_name("a#b") && !valid_name("a%b") && !valid_name("a&b"));
        assert!(!valid_name("..") && !valid_name("") && !valid_name("基本\u{200b}構想"));
    }

    #[test]
    fn numbers_give_ascii_slugs() {
        assert_eq!(number_slug("1-(1)").as_deref(), Some("1-1"));
        assert_eq!(number_slug("１－（２）").as_deref(), Some("1-2"));
        assert_eq!(number_slug("①").as_deref(), Some("1"));
        assert_eq!(number_slug("(3)").as_deref(), Some("3"));
        assert_eq!(number_slug("第2章"), None);
        assert_eq!(number_slug("・"), None);
    }

    #[test]
    fn default_ids_prefer_ascii_then_number_then_the_name() {
        let mut diags = Diagnostics::default();
        let mut taken = HashMap::new();
        let f = Path::new("content/k/基本構想.md");
        assert_eq!(default_node_id("kihon", Some("1"), &taken, f, &mut diags).as_deref(), Some("kihon"));
        assert_eq!(default_node_id("基本構想", Some("1-(1)"), &taken, f, &mut diags).as_deref(), Some("1-1"));
        assert!(diags.is_empty());
        taken.insert("1-1".to_string(), (PathBuf::from("content/k/a.md"), 1));
        assert_eq!(default_node_id("基本構想", Some("1-(1)"), &taken, f, &mut diags).as_deref(), Some("基本構想"));
        assert_eq!(diags.len(), 1);
        assert!(!diags.has_errors(), "a Japanese URL is a warning");
        assert_eq!(default_node_id("基本 構想", None, &taken, f, &mut diags), None);
        assert!(diags.has_errors());
    }
}
