//! Spelling variants (表記ゆれ): a query term that contains one spelling of a word also
//! finds the other spellings, ranked below the literal matches and marked
//! 「読み・表記ゆれで一致」.
//!
//! The table [`VARIANTS`] is curated from the rules public documents follow, which changed
//! over time, so documents of one city mix them:
//!
//! - 送り仮名: 「送り仮名の付け方」(昭和48年内閣告示第2号) 通則6 and its 許容, and
//!   「公用文における漢字使用等について」(平成22年内閣訓令第1号) 2(2), which keep the
//!   shorter 公用文 forms (取組, 打合せ, 申込み, 手続) beside the everyday forms
//!   (取り組み, 打ち合わせ, 申し込み, 手続き);
//! - 漢字か仮名か: 文化審議会建議「公用文作成の考え方」(令和4年) Ⅰ-2 (子供 — 文部科学省は
//!   平成25年から公用文で「子供」— beside 子ども; 全て/すべて, 様々/さまざま, 及び/および, …);
//! - 障害/障がい/障碍: laws write 障害; many cities write 障がい (内閣府
//!   「障害」の表記に関する検討結果について, 平成22年).
//!
//! A term is expanded with [`alternatives`]: for each group (in table order) whose form
//! (longest first) occurs in the normalised term, every occurrence of that form is replaced
//! by each other form of the group. So each alternative differs from the term in one group.
//! The browser gets the groups that occur in the site (`variants` in `manifest.json`, see
//! [`used_groups`]) and expands the same way (`src/search/js/variants.mjs`).
//!
//! Readings (ひらがなで漢字語を探す, こそだて → 子育て) come from the site's words
//! ([`super::readings`]) and follow the variants: [`alternatives_with`].

use super::analyzer::{normalize, query_tokens};
use super::docs::Corpus;
use super::index::SearchIndex;
use super::query::ParsedQuery;
use std::collections::HashMap;
use tantivy::Score;

/// Groups of spellings of one word, each already normalised (NFKC, lower case).
pub const VARIANTS: &[&[&str]] = &[
    &["子ども", "子供", "こども"],
    &["障害", "障がい", "障碍"],
    &["取組", "取り組み", "取組み"],
    &["打合せ", "打ち合わせ", "打合わせ"],
    &["申込み", "申し込み", "申込"],
    &["問合せ", "問い合わせ", "問合わせ"],
    &["手続", "手続き"],
    &["取扱い", "取り扱い", "取扱"],
    &["引継ぎ", "引き継ぎ"],
    &["話合い", "話し合い"],
    &["届出", "届け出"],
    &["貸付け", "貸し付け", "貸付"],
    &["一人ひとり", "一人一人"],
    &["誰もが", "だれもが"],
    &["全て", "すべて"],
    &["様々", "さまざま"],
    &["及び", "および"],
    &["暮らし", "くらし"],
    &["育む", "はぐくむ"],
    &["生きがい", "生き甲斐"],
];

/// At most this many alternatives per term (the table's groups are small; this bounds a
/// term that holds many of them).
pub const MAX_ALTERNATIVES: usize = 16;

/// The other spellings of `term` (normalised, without `term` itself), in table order.
pub fn alternatives(term: &str) -> Vec<String> {
    alternatives_in(term, VARIANTS.iter().map(|g| g.iter().copied()))
}

/// [`alternatives`] with another table (the browser's filtered copy is a subset).
fn alternatives_in<'a, G: Iterator<Item = &'a str>>(term: &str, groups: impl Iterator<Item = G>) -> Vec<String> {
    let norm = normalize(term);
    let mut out: Vec<String> = Vec::new();
    for group in groups {
        let mut forms: Vec<&str> = group.collect();
        // Longest first, then table order (a stable sort), so 取組み wins over 取組.
        forms.sort_by_key(|f| std::cmp::Reverse(f.chars().count()));
        let Some(found) = forms.iter().find(|f| norm.contains(**f)) else { continue };
        for other in forms.iter().filter(|f| *f != found) {
            let alt = norm.replace(found, other);
            if alt != norm && !out.contains(&alt) && out.len() < MAX_ALTERNATIVES {
                out.push(alt);
            }
        }
    }
    out
}

/// [`alternatives`], then the words of `extra` (the site's words read as the term) that are
/// neither the term nor already there, up to [`MAX_ALTERNATIVES`] in all.
pub fn alternatives_with(term: &str, extra: &[String]) -> Vec<String> {
    let norm = normalize(term);
    let mut out = alternatives(term);
    for w in extra {
        if out.len() < MAX_ALTERNATIVES && *w != norm && !out.contains(w) {
            out.push(w.clone());
        }
    }
    out
}

/// The query tokens of each alternative of `term` (alternatives without tokens dropped).
pub fn alternative_tokens(term: &str) -> Vec<Vec<(usize, String)>> {
    tokens_of(&alternatives(term))
}

/// The query tokens of each of `alternatives` (those without tokens dropped).
pub fn tokens_of(alternatives: &[String]) -> Vec<Vec<(usize, String)>> {
    alternatives
        .iter()
        .filter_map(|a| {
            let toks = query_tokens(a);
            let first = toks.first()?.position;
            Some(toks.into_iter().map(|t| (t.position - first, t.text)).collect())
        })
        .collect()
}

/// The groups of [`VARIANTS`] with at least one form in the text the index holds (titles,
/// headings, bodies and lists, normalised), in table order: the browser's table. A group left
/// out could not match anything, so the browser finds what `planpress search` finds.
pub fn used_groups(corpus: &Corpus) -> Vec<Vec<&'static str>> {
    // Document by document (a national site's text would not fit in one string), until
    // every group is found.
    let mut used = vec![false; VARIANTS.len()];
    for d in &corpus.docs {
        for part in d.field_texts() {
            let part = normalize(&part);
            for (u, g) in used.iter_mut().zip(VARIANTS) {
                *u = *u || g.iter().any(|f| part.contains(f));
            }
        }
        if used.iter().all(|&u| u) {
            break;
        }
    }
    VARIANTS.iter().zip(used).filter(|(_, u)| *u).map(|(g, _)| g.to_vec()).collect()
}

/// One match of a query: document, score, and whether it matched only through a variant.
pub type Match = (usize, Score, bool);

/// Every document matching `q`: first the literal matches (tantivy's BM25, best first,
/// ties in document order), then the documents where every included term matches
/// literally or through one of its alternatives and no excluded term matches literally.
/// A variant match scores the sum, over included terms in order, of the best score of the
/// term's forms (literal and alternatives), each scored alone as a one-term query.
pub fn matches(index: &SearchIndex, q: &ParsedQuery) -> tantivy::Result<Vec<Match>> {
    let literal = index.matches(q)?;
    let mut out: Vec<Match> = literal.iter().map(|&(d, s)| (d, s, false)).collect();
    if q.include.iter().all(|t| t.alts.is_empty()) {
        return Ok(out);
    }
    let alone = |tokens: &[(usize, String)]| -> tantivy::Result<HashMap<usize, Score>> {
        let term = super::query::QueryTerm { raw: String::new(), tokens: tokens.to_vec(), alts: Vec::new() };
        let one = ParsedQuery { include: vec![term], exclude: Vec::new() };
        Ok(index.matches(&one)?.into_iter().collect())
    };
    let mut excluded = std::collections::HashSet::new();
    for t in &q.exclude {
        excluded.extend(alone(&t.tokens)?.into_keys());
    }
    excluded.extend(literal.iter().map(|&(d, _)| d));
    // Per included term: the best score of its forms in each document.
    let mut best: Vec<HashMap<usize, Score>> = Vec::new();
    for t in &q.include {
        let mut m = alone(&t.tokens)?;
        for a in &t.alts {
            for (d, s) in alone(a)? {
                let e = m.entry(d).or_insert(s);
                if s > *e {
                    *e = s;
                }
            }
        }
        best.push(m);
    }
    let mut variant: Vec<(usize, Score)> = Vec::new();
    let Some(first) = best.first() else { return Ok(out) };
    for &d in first.keys() {
        if excluded.contains(&d) {
            continue;
        }
        let mut total: Option<Score> = None;
        for m in &best {
            match m.get(&d) {
                Some(&s) => total = Some(total.map_or(s, |t| t + s)),
                None => {
                    total = None;
                    break;
                }
            }
        }
        if let Some(t) = total {
            variant.push((d, t));
        }
    }
    variant.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    out.extend(variant.into_iter().map(|(d, s)| (d, s, true)));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_is_normalised_and_in_one_group_only() {
        let mut seen = std::collections::HashSet::new();
        for g in VARIANTS {
            assert!(g.len() >= 2, "{g:?}");
            for f in *g {
                assert_eq!(normalize(f), *f, "{f} is not normalised");
                assert!(!query_tokens(f).is_empty(), "{f} has no tokens");
                assert!(seen.insert(*f), "{f} is in two groups");
            }
        }
    }

    #[test]
    fn every_form_finds_the_others() {
        for g in VARIANTS {
            for f in *g {
                let alts = alternatives(f);
                for other in g.iter().filter(|o| *o != f) {
                    assert!(alts.iter().any(|a| a == other), "{f} does not give {other}: {alts:?}");
                }
            }
        }
    }

    #[test]
    fn the_longest_form_is_replaced_inside_a_longer_term() {
        assert_eq!(alternatives("子供の居場所"), vec!["子どもの居場所", "こどもの居場所"]);
        assert_eq!(alternatives("取組み方針"), vec!["取り組み方針", "取組方針"]);
        assert_eq!(alternatives("ＤＸ推進"), Vec::<String>::new());
        // Full-width input is normalised first.
        assert_eq!(alternatives("障害者"), vec!["障がい者", "障碍者"]);
    }
}
