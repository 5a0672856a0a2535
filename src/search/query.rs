//! Query syntax: whitespace (including U+3000) separates terms and every term must match;
//! `"…"` keeps spaces inside a term; a leading `-` excludes a term. Each term matches as
//! an exact substring of the normalised text (see [`super::analyzer`]).

use super::analyzer::query_tokens;
use serde::Serialize;

/// One term of a query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueryTerm {
    /// The term as typed (without quotes and minus).
    pub raw: String,
    /// Its query tokens with positions relative to the first (which is 0).
    pub tokens: Vec<(usize, String)>,
    /// The query tokens of its other spellings ([`super::variants::alternative_tokens`];
    /// empty for excluded terms).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub alts: Vec<Vec<(usize, String)>>,
}

/// A parsed query.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ParsedQuery {
    /// Terms that must match, in the order typed.
    pub include: Vec<QueryTerm>,
    /// Terms that must not match.
    pub exclude: Vec<QueryTerm>,
}

/// Unicode White_Space (the same set as the script's `WS` class).
pub fn is_space(c: char) -> bool {
    c.is_whitespace()
}

fn is_quote(c: char) -> bool {
    matches!(c, '"' | '\u{FF02}' | '\u{201C}' | '\u{201D}')
}

fn is_minus(c: char) -> bool {
    matches!(c, '-' | '\u{FF0D}' | '\u{2212}')
}

/// Splits `input` into (excluded?, raw term) pairs.
pub fn split_terms(input: &str) -> Vec<(bool, String)> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut negated = false;
    let mut started = false;
    let mut quoted = false;
    let mut flush = |cur: &mut String, negated: &mut bool, started: &mut bool| {
        if !cur.is_empty() {
            out.push((*negated, std::mem::take(cur)));
        }
        *negated = false;
        *started = false;
    };
    for c in input.chars() {
        if quoted {
            if is_quote(c) {
                quoted = false;
            } else {
                cur.push(c);
            }
            continue;
        }
        if is_quote(c) {
            quoted = true;
            started = true;
        } else if is_space(c) {
            flush(&mut cur, &mut negated, &mut started);
        } else if !started && !negated && is_minus(c) {
            negated = true;
        } else {
            cur.push(c);
            started = true;
        }
    }
    flush(&mut cur, &mut negated, &mut started);
    out
}

/// Parses a query; terms without any token (only punctuation) are dropped.
pub fn parse(input: &str) -> ParsedQuery {
    let mut q = ParsedQuery::default();
    for (negated, raw) in split_terms(input) {
        let toks = query_tokens(&raw);
        let Some(first) = toks.first().map(|t| t.position) else { continue };
        let tokens = toks.into_iter().map(|t| (t.position - first, t.text)).collect();
        let alts = if negated { Vec::new() } else { super::variants::alternative_tokens(&raw) };
        let term = QueryTerm { raw, tokens, alts };
        if negated {
            q.exclude.push(term);
        } else {
            q.include.push(term);
        }
    }
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitting() {
        let s = |v: &[(bool, &str)]| v.iter().map(|(n, t)| (*n, t.to_string())).collect::<Vec<_>>();
        assert_eq!(split_terms("子育て　支援 -協働"), s(&[(false, "子育て"), (false, "支援"), (true, "協働")]));
        assert_eq!(split_terms("\"地域 循環\" -\"a b\""), s(&[(false, "地域 循環"), (true, "a b")]));
        assert_eq!(split_terms("- x-y －z"), s(&[(false, "x-y"), (true, "z")]));
        assert_eq!(split_terms("\"unclosed quote"), s(&[(false, "unclosed quote")]));
    }

    #[test]
    fn parsing_drops_empty_terms_and_rebases_positions() {
        let q = parse("、 「子育て」 -ＤＸ");
        assert_eq!(q.include.len(), 1);
        assert_eq!(q.include[0].tokens, vec![(0, "子育".to_string()), (1, "育て".to_string())]);
        assert_eq!(q.exclude[0].tokens, vec![(0, "dx".to_string())]);
    }
}
