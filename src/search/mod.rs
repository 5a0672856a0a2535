//! Japanese full-text search.
//!
//! - [`analyzer`]: the Japanese analyzer (NFKC, lower case, CJK bigrams with positions,
//!   words), registered in tantivy and mirrored by the browser script.
//! - [`docs`]: what is searched — one document per page, cut into sections at headings.
//! - [`query`]: query syntax (terms, `"…"`, `-term`).
//! - [`index`]: the tantivy index and BM25 scoring.
//! - `scratch`: the folder of temporary files the tantivy index is built in, read back
//!   without holding it in memory.
//! - [`highlight`]: occurrences, snippets and the sections a hit links to.
//! - [`chains`]: substrings of CJK runs (3–5 units) with their counts, so the browser
//!   counts most phrases without positions.
//! - [`mixed`]: runs of touching words and CJK units (`第2次`, `ict化`) with their counts,
//!   so the browser answers a term mixing scripts without the positions of its tokens.
//! - [`export`]: the sharded copy of the index under `search/` for the browser (format:
//!   `docs/SEARCH_FORMAT.md`).
//! - [`variants`]: spelling variants (表記ゆれ) of query terms, matched after literal hits.
//! - [`readings`]: the readings of the site's words, so that a hiragana term finds the
//!   kanji words read that way, like a variant.
//! - [`cli`]: `planpress search`.
//!
//! `planpress build` calls [`export::write`]; `planpress search` builds the same index
//! from the site (the same code path) and runs [`search`] on it, so what the
//! command prints is what residents get from the search page.

pub mod analyzer;
pub mod chains;
pub mod cli;
pub mod docs;
pub mod export;
pub mod highlight;
pub mod index;
pub mod mixed;
pub mod query;
pub mod readings;
mod scratch;
pub mod variants;

use docs::Corpus;
use highlight::Display;
use index::SearchIndex;
use query::ParsedQuery;
use serde::Serialize;

/// Filters and paging for [`search`].
#[derive(Debug, Clone, Default)]
pub struct SearchOptions {
    /// Only pages under this policy field: its id `<plan>/<node>`, or the node id alone
    /// when that is unambiguous; `"none"` (or `""`) for pages outside any policy field.
    pub field: Option<String>,
    /// How many hits to return with their display (`None`: all).
    pub limit: Option<usize>,
}

/// Results of one query.
#[derive(Debug, Clone, Serialize)]
pub struct SearchResults {
    /// The query as typed.
    pub query: String,
    /// The query as understood.
    pub parsed: ParsedQuery,
    /// The policy field filtered by, if any.
    pub field: Option<String>,
    /// Pages matching the query, before the field filter.
    pub total: usize,
    /// Matches per policy field (only fields with matches, in site order).
    pub counts: Vec<FieldCount>,
    /// Matches outside any policy field.
    pub other: usize,
    /// Matches after the field filter.
    pub matched: usize,
    /// The first `limit` matches after the filter, best first.
    pub hits: Vec<Hit>,
}

/// Number of matches in one policy field.
#[derive(Debug, Clone, Serialize)]
pub struct FieldCount {
    /// `<plan>/<node>`.
    pub id: String,
    /// The field's label.
    pub label: String,
    /// Matches.
    pub count: usize,
}

/// One result.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    /// Document number.
    pub doc: usize,
    /// tantivy's BM25 score.
    pub score: f32,
    /// Site-relative URL of the page.
    pub url: String,
    /// The title.
    pub title: String,
    /// Breadcrumb labels.
    pub breadcrumb: Vec<String>,
    /// Policy field id, if any.
    pub field: Option<String>,
    /// Marked title, link anchor, snippet and matching sections.
    pub display: Display,
    /// Matched only through another spelling of a term (「読み・表記ゆれで一致」).
    pub variant: bool,
}

impl Hit {
    /// The URL to link to: the page, or its first matching section.
    pub fn link(&self) -> String {
        if self.display.anchor.is_empty() {
            self.url.clone()
        } else {
            format!("{}#{}", self.url, self.display.anchor)
        }
    }
}

/// An error of [`search`].
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The field filter names no policy field.
    #[error("分野「{0}」はありません。指定できる分野: {1}")]
    UnknownField(String, String),
    /// tantivy failed.
    #[error("検索できません: {0}")]
    Index(#[from] tantivy::TantivyError),
}

/// Builds the search index of a site in memory (as `planpress build` does).
pub fn index_site(site: &crate::content::Site) -> tantivy::Result<SearchIndex> {
    SearchIndex::build(Corpus::new(site))
}

/// Resolves a field filter to a group index (`None` = pages outside any field).
fn resolve_field(corpus: &Corpus, field: &str) -> Result<Option<usize>, SearchError> {
    if field.is_empty() || field == "none" {
        return Ok(None);
    }
    if let Some(i) = corpus.groups.iter().position(|g| g.id == field) {
        return Ok(Some(i));
    }
    let by_node: Vec<usize> =
        (0..corpus.groups.len()).filter(|&i| corpus.groups[i].id.rsplit('/').next() == Some(field)).collect();
    match by_node.as_slice() {
        [i] => Ok(Some(*i)),
        _ => Err(SearchError::UnknownField(
            field.to_string(),
            corpus.groups.iter().map(|g| format!("{}({})", g.id, g.label)).collect::<Vec<_>>().join("、"),
        )),
    }
}

/// Runs `query` against `index`: every match ranked by tantivy's BM25 (ties in document
/// order; matches through spelling variants after the literal ones, see [`variants`]), counted per policy field, filtered, and the first `limit` prepared for display.
pub fn search(index: &SearchIndex, query: &str, opts: &SearchOptions) -> Result<SearchResults, SearchError> {
    let corpus = &index.corpus;
    let filter = opts.field.as_deref().map(|f| resolve_field(corpus, f)).transpose()?;
    let mut parsed = query::parse(query);
    index.readings().extend(&mut parsed);
    let all = variants::matches(index, &parsed)?;
    let mut per_group = vec![0usize; corpus.groups.len()];
    let mut other = 0;
    for &(d, _, _) in &all {
        match corpus.docs[d].group {
            Some(g) => per_group[g] += 1,
            None => other += 1,
        }
    }
    let counts = corpus
        .groups
        .iter()
        .zip(&per_group)
        .filter(|(_, &c)| c > 0)
        .map(|(g, &count)| FieldCount { id: g.id.clone(), label: g.label.clone(), count })
        .collect();
    let kept: Vec<variants::Match> =
        all.iter().copied().filter(|&(d, _, _)| filter.is_none_or(|f| corpus.docs[d].group == f)).collect();
    let hits = kept
        .iter()
        .take(opts.limit.unwrap_or(usize::MAX))
        .map(|&(d, score, variant)| {
            let doc = &corpus.docs[d];
            Hit {
                doc: d,
                score,
                url: doc.url.clone(),
                title: doc.title.clone(),
                breadcrumb: doc.crumbs.clone(),
                field: doc.group.map(|g| corpus.groups[g].id.clone()),
                display: highlight::display(doc, &parsed),
                variant,
            }
        })
        .collect();
    Ok(SearchResults {
        query: query.to_string(),
        parsed,
        field: opts.field.clone(),
        total: all.len(),
        counts,
        other,
        matched: kept.len(),
        hits,
    })
}
