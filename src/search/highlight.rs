//! Where query terms occur in a text, and the snippet shown for a hit. The script
//! implements the same rules, so both show the same snippets.
//!
//! A term occurs where the text's tokens contain the term's query tokens at the same
//! relative positions; the occurrence spans from its first token's start to its last
//! token's end in the original text. Offsets here are in code points.

use super::analyzer::tokenize;
use super::docs::SearchDoc;
use super::query::ParsedQuery;
use serde::Serialize;
use std::collections::HashMap;
use std::ops::Range;

/// Code points shown before the first occurrence in a snippet.
pub const SNIPPET_BEFORE: usize = 30;
/// Code points in a snippet.
pub const SNIPPET_LENGTH: usize = 110;
/// Matching sections listed under a hit.
pub const MAX_SECTIONS: usize = 3;

/// Text split into plain and marked parts.
pub type Marked = Vec<(String, bool)>;

/// Code point ranges where any included term of `q`, or one of its other spellings
/// ([`super::variants`]), occurs in `text`, sorted and merged.
pub fn occurrences(text: &str, q: &ParsedQuery) -> Vec<Range<usize>> {
    if q.include.is_empty() || text.is_empty() {
        return Vec::new();
    }
    let mut cp = vec![0usize; text.len() + 1];
    let mut n = 0;
    for (i, c) in text.char_indices() {
        cp[i] = n;
        n += 1;
        for k in 1..c.len_utf8() {
            cp[i + k] = n;
        }
    }
    cp[text.len()] = n;
    let toks = tokenize(text);
    let mut at: HashMap<(&str, usize), Range<usize>> = HashMap::with_capacity(toks.len());
    let mut by_text: HashMap<&str, Vec<usize>> = HashMap::new();
    for t in &toks {
        at.insert((t.text.as_str(), t.position), t.offsets.clone());
        by_text.entry(t.text.as_str()).or_default().push(t.position);
    }
    let mut out = Vec::new();
    for tokens in q.include.iter().flat_map(|t| std::iter::once(&t.tokens).chain(&t.alts)) {
        let Some((_, first)) = tokens.first() else { continue };
        for &p in by_text.get(first.as_str()).map(Vec::as_slice).unwrap_or(&[]) {
            let mut span: Option<Range<usize>> = None;
            for (rel, t) in tokens {
                match at.get(&(t.as_str(), p + rel)) {
                    Some(o) => {
                        let s = span.get_or_insert(o.clone());
                        s.start = s.start.min(o.start);
                        s.end = s.end.max(o.end);
                    }
                    None => {
                        span = None;
                        break;
                    }
                }
            }
            if let Some(s) = span {
                out.push(cp[s.start]..cp[s.end]);
            }
        }
    }
    merge(out)
}

fn merge(mut v: Vec<Range<usize>>) -> Vec<Range<usize>> {
    v.sort_by_key(|r| (r.start, r.end));
    let mut out: Vec<Range<usize>> = Vec::with_capacity(v.len());
    for r in v {
        match out.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => out.push(r),
        }
    }
    out
}

/// `text` with `ranges` marked (whole text).
pub fn mark(text: &str, ranges: &[Range<usize>]) -> Marked {
    let chars: Vec<char> = text.chars().collect();
    window(&chars, ranges, 0, chars.len())
}

fn window(chars: &[char], ranges: &[Range<usize>], start: usize, end: usize) -> Marked {
    let mut out: Marked = Vec::new();
    let mut push = |s: &[char], marked: bool| {
        if s.is_empty() {
            return;
        }
        let s: String = s.iter().map(|&c| if c == '\n' { ' ' } else { c }).collect();
        match out.last_mut() {
            Some((t, m)) if *m == marked => t.push_str(&s),
            _ => out.push((s, marked)),
        }
    };
    let mut cur = start;
    for r in ranges {
        let (a, b) = (r.start.max(start), r.end.min(end));
        if a >= b {
            continue;
        }
        push(&chars[cur..a], false);
        push(&chars[a..b], true);
        cur = b;
    }
    push(&chars[cur..end], false);
    out
}

/// The snippet of `text`: [`SNIPPET_LENGTH`] code points starting [`SNIPPET_BEFORE`] before
/// the first range (or from the start), newlines shown as spaces, `…` where cut.
pub fn snippet(text: &str, ranges: &[Range<usize>]) -> Marked {
    let chars: Vec<char> = text.chars().collect();
    let len = chars.len();
    let mut start = ranges.first().map_or(0, |r| r.start.saturating_sub(SNIPPET_BEFORE));
    let end = (start + SNIPPET_LENGTH).min(len);
    if end - start < SNIPPET_LENGTH {
        start = end.saturating_sub(SNIPPET_LENGTH);
    }
    let mut out = window(&chars, ranges, start, end);
    if start > 0 {
        out.insert(0, ("…".into(), false));
    }
    if end < len {
        out.push(("…".into(), false));
    }
    // Merge neighbouring plain parts again after adding the ellipses.
    let mut merged: Marked = Vec::with_capacity(out.len());
    for (t, m) in out {
        match merged.last_mut() {
            Some((lt, lm)) if *lm == m => lt.push_str(&t),
            _ => merged.push((t, m)),
        }
    }
    merged
}

/// A section of a hit that contains the query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SectionHit {
    /// The heading's `id`.
    pub anchor: String,
    /// The heading, marked.
    pub heading: Marked,
}

/// How a hit is shown: marked title, where to link, snippet, matching sections.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Display {
    /// The title with occurrences marked.
    pub title: Marked,
    /// Anchor of the first section that contains the query (`""`: the page itself).
    pub anchor: String,
    /// The snippet.
    pub snippet: Marked,
    /// Up to [`MAX_SECTIONS`] sections with an anchor that contain the query.
    pub sections: Vec<SectionHit>,
}

/// Works out how `doc` is shown for `q`:
/// - the link goes to the first section (in page order) whose heading or text contains the
///   query, or to the page when only the title does;
/// - the snippet comes from the first section whose text contains the query, or from the
///   start of that first section (or of the first section with text);
/// - the listed sections are the first [`MAX_SECTIONS`] containing sections with an anchor.
pub fn display(doc: &SearchDoc, q: &ParsedQuery) -> Display {
    let title = mark(&doc.title, &occurrences(&doc.title, q));
    let all: Vec<&super::docs::Section> = doc.display_sections().collect();
    let mut anchor = None;
    let mut snippet_from: Option<(usize, Vec<Range<usize>>)> = None;
    let mut sections = Vec::new();
    for (i, s) in all.iter().enumerate() {
        let h = occurrences(&s.heading, q);
        let t = occurrences(&s.text, q);
        if h.is_empty() && t.is_empty() {
            continue;
        }
        anchor.get_or_insert(i);
        if snippet_from.is_none() && !t.is_empty() {
            snippet_from = Some((i, t));
        }
        if !s.anchor.is_empty() && sections.len() < MAX_SECTIONS {
            sections.push(SectionHit { anchor: s.anchor.clone(), heading: mark(&s.heading, &h) });
        }
    }
    let snippet = match (snippet_from, anchor) {
        (Some((i, ranges)), _) => snippet(&all[i].text, &ranges),
        (None, Some(i)) if !all[i].text.is_empty() => snippet(&all[i].text, &[]),
        _ => all.iter().find(|s| !s.text.is_empty()).map(|s| snippet(&s.text, &[])).unwrap_or_default(),
    };
    Display { title, anchor: anchor.map(|i| all[i].anchor.clone()).unwrap_or_default(), snippet, sections }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::query::parse;

    #[test]
    fn occurrences_are_code_point_ranges_in_the_original() {
        let q = parse("ＩＣＴ 子育て");
        assert_eq!(occurrences("子育て支援ICT化と子育て", &q), vec![0..3, 5..8, 10..13]);
        assert_eq!(occurrences("ict", &parse("ｉｃｔ")), vec![0..3]);
        assert!(occurrences("子育", &q).is_empty());
    }

    #[test]
    fn snippets_cut_and_mark() {
        let text = format!("{}協働{}", "あ".repeat(50), "い".repeat(100));
        let s = snippet(&text, &occurrences(&text, &parse("協働")));
        assert_eq!(s[0], (format!("…{}", "あ".repeat(30)), false));
        assert_eq!(s[1], ("協働".to_string(), true));
        assert_eq!(s[2], (format!("{}…", "い".repeat(78)), false));
        let short = snippet("短い\n文", &[]);
        assert_eq!(short, vec![("短い 文".to_string(), false)]);
    }
}
