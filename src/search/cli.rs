//! `planpress search`: what residents will find, for webmasters. Loads the site, builds the
//! search index in memory with the same code as `planpress build` (nothing is cached), and
//! returns ranked results for `main` to print. It reads `site.toml` and the content as
//! `build` does, with no overrides.

use super::highlight::Marked;
use super::{search, SearchOptions, SearchResults};
use crate::config::SiteConfig;
use crate::diagnostics::{Diagnostic, Diagnostics};
use serde::Deserialize;
use std::fmt::Write as _;
use std::path::PathBuf;

/// Arguments of `planpress search`.
#[derive(Debug, Clone, Default)]
pub struct CliOptions {
    /// The site root (holds `site.toml`).
    pub root: PathBuf,
    /// The query.
    pub query: String,
    /// Only this policy field (`<plan>/<node>` or the node id).
    pub field: Option<String>,
    /// Hits to show.
    pub limit: usize,
    /// Print JSON (with scores) instead of text.
    pub json: bool,
    /// Run every query of this JSON file (an array of strings or `{"q": …, "field": …}`)
    /// and print a JSON array of results; for tests.
    pub queries: Option<PathBuf>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum BatchQuery {
    Plain(String),
    Full {
        q: String,
        #[serde(default)]
        field: Option<String>,
    },
}

/// Runs `planpress search` and returns what to print.
pub fn run(opts: &CliOptions) -> Result<String, Diagnostics> {
    let site = crate::content::load_site(&opts.root, SiteConfig::load(&opts.root)?)?;
    let index = super::index_site(&site)
        .map_err(|e| Diagnostic::new("search", "search-index", format!("検索用の索引を作れません: {e}")))?;
    let fail = |e: super::SearchError| -> Diagnostics {
        Diagnostic::new("--field", "search", e.to_string())
            .help("--field には分野の ID(計画ID/ノードID またはノードID)を指定します")
            .into()
    };
    if let Some(file) = &opts.queries {
        let text =
            std::fs::read_to_string(file).map_err(|e| Diagnostic::new(file, "io", format!("読めません: {e}")))?;
        let list: Vec<BatchQuery> = serde_json::from_str(&text)
            .map_err(|e| Diagnostic::new(file, "search", format!("クエリの一覧(JSON)を読めません: {e}")))?;
        let mut out = Vec::new();
        for q in list {
            let (q, field) = match q {
                BatchQuery::Plain(q) => (q, None),
                BatchQuery::Full { q, field } => (q, field),
            };
            let limit = Some(opts.limit);
            out.push(search(&index, &q, &SearchOptions { field, limit }).map_err(fail)?);
        }
        return Ok(serde_json::to_string_pretty(&out).unwrap_or_default());
    }
    let results = search(&index, &opts.query, &SearchOptions { field: opts.field.clone(), limit: Some(opts.limit) })
        .map_err(fail)?;
    if opts.json {
        return Ok(serde_json::to_string_pretty(&results).unwrap_or_default());
    }
    Ok(text(&results, site.config.url_prefix()))
}

/// The mark of a hit found only through another spelling (the search page shows the same).
pub const VARIANT_LABEL: &str = "読み・表記ゆれで一致";

fn marked(m: &Marked) -> String {
    m.iter().map(|(t, on)| if *on { format!("«{t}»") } else { t.clone() }).collect()
}

/// The human-readable report: count, counts per field, then each hit with its title,
/// breadcrumb, URL, score and snippet (occurrences between « »).
pub fn text(r: &SearchResults, base_url: &str) -> String {
    let mut s = String::new();
    if r.parsed.include.is_empty() {
        let _ = writeln!(s, "検索する語がありません(記号だけの語や、除外する語(-語)だけでは検索できません)。");
        return s;
    }
    let _ = write!(s, "「{}」の検索結果: {} 件", r.query, r.matched);
    if let Some(f) = &r.field {
        let _ = write!(s, "(分野 {f} で絞り込み。全体では {} 件)", r.total);
    }
    s.push('\n');
    if r.total > 0 {
        let mut parts: Vec<String> = r.counts.iter().map(|c| format!("{} {} 件", c.label, c.count)).collect();
        if r.other > 0 {
            parts.push(format!("分野外 {} 件", r.other));
        }
        let _ = writeln!(s, "分野ごと: {}", parts.join("、"));
    }
    for (i, h) in r.hits.iter().enumerate() {
        let _ = writeln!(s, "\n{:>2}. {}  (スコア {:.4})", i + 1, marked(&h.display.title), h.score);
        if h.variant {
            let _ = writeln!(s, "    {VARIANT_LABEL}");
        }
        let _ = writeln!(s, "    {}", h.breadcrumb.join(" > "));
        let _ = writeln!(s, "    {}{}", base_url, h.link());
        let snippet = marked(&h.display.snippet);
        if !snippet.is_empty() {
            let _ = writeln!(s, "    {snippet}");
        }
        for sec in &h.display.sections {
            let _ = writeln!(s, "    見出し: {} (#{})", marked(&sec.heading), sec.anchor);
        }
    }
    if r.hits.len() < r.matched {
        let _ = writeln!(s, "\nほか {} 件(--limit で表示件数を変えられます)", r.matched - r.hits.len());
    }
    s
}
