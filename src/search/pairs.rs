//! Pairs: where a word (a run of letters and digits) meets the token before or after it,
//! so that the browser can tell from one small file that a term mixing scripts occurs
//! nowhere (`ICT化`, `DX推進`, `69.4`).
//!
//! Without them such a term is a phrase of tokens that each occur often (`ict`, `化`); the
//! browser would load their posting lists and then the positions of both to find no place
//! where they follow each other, a hundred kilobytes and more on a large site for no
//! result. A pair is a term of its own: its key is the two tokens that touch, the word
//! whole and of the CJK run only the unit at the meeting point (`ict化`, `援ict`, `dx推`).
//! Such a key is never a term of the index (a token never mixes a word with CJK). Its
//! entry has the documents and counts, no positions. The browser looks up the pairs of a
//! term first: a pair missing from a field means that the term cannot match there
//! (`src/search/js/chains.mjs`), so its tokens need not be loaded.
//!
//! Only tokens that touch make pairs. In a phrase, a token one position after a word is
//! the start of the next run, so the pair is exact; a token two positions after it may be
//! after separators or the second unit of a CJK run (`69.4` matches `69年4` for tantivy),
//! so separators make no pair, and neither do CJK runs (they are one run or separated).

use super::analyzer::{tokenize, Kind};
use super::chains::Postings;
use super::docs::Corpus;
use super::index::TEXT_FIELDS;
use rayon::prelude::*;
use std::collections::BTreeMap;

/// The pairs of one text, `(key, position of the first token)`, in text order.
pub fn text_pairs(text: &str) -> Vec<(String, u32)> {
    // Words and CJK units in position order; bigrams add nothing at a meeting point.
    let tokens: Vec<_> = tokenize(text).into_iter().filter(|t| t.kind != Kind::Bigram).collect();
    let mut out = Vec::new();
    for w in tokens.windows(2) {
        let (a, b) = (&w[0], &w[1]);
        let words = matches!(a.kind, Kind::Word) || matches!(b.kind, Kind::Word);
        if words && b.position == a.position + 1 {
            out.push((format!("{}{}", a.text, b.text), a.position as u32));
        }
    }
    out
}

/// Every pair of `corpus`, in key order, with its documents and counts per text field
/// (no positions).
pub fn pairs(corpus: &Corpus) -> Vec<(String, Vec<Postings>)> {
    // Per document and field, its pairs with their counts.
    let per_doc: Vec<Vec<Vec<(String, u32)>>> =
        corpus.docs.par_iter().map(|d| d.field_texts().iter().map(|t| counted(t)).collect()).collect();
    let mut all: BTreeMap<String, Vec<Postings>> = BTreeMap::new();
    for (doc, fields) in per_doc.into_iter().enumerate() {
        for (fi, counted) in fields.into_iter().enumerate() {
            for (key, tf) in counted {
                let fields = all.entry(key).or_insert_with(|| vec![Postings::default(); TEXT_FIELDS.len()]);
                fields[fi].docs.push(doc as u32);
                fields[fi].tfs.push(tf);
            }
        }
    }
    all.into_iter().collect()
}

/// The pairs of `text` with the number of times each occurs, in key order.
fn counted(text: &str) -> Vec<(String, u32)> {
    let mut keys: Vec<String> = text_pairs(text).into_iter().map(|(k, _)| k).collect();
    keys.sort_unstable();
    let mut out: Vec<(String, u32)> = Vec::new();
    for k in keys {
        match out.last_mut() {
            Some((last, n)) if *last == k => *n += 1,
            _ => out.push((k, 1)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(text: &str) -> Vec<String> {
        text_pairs(text).into_iter().map(|(k, _)| k).collect()
    }

    #[test]
    fn a_word_pairs_with_the_unit_it_touches() {
        assert_eq!(keys("子育て支援ICT化"), ["援ict", "ict化"]);
        assert_eq!(keys("DX推進"), ["dx推"]);
        assert_eq!(keys("ＩＣＴ化"), ["ict化"], "normalised as the index is");
    }

    #[test]
    fn separators_make_no_pair() {
        assert!(keys("69.4%").is_empty());
        assert!(keys("ICT ・ 化").is_empty());
        assert_eq!(keys("第3次"), ["第3", "3次"]);
    }

    #[test]
    fn cjk_runs_alone_make_no_pairs() {
        assert!(keys("子育て、支援").is_empty());
        assert!(keys("子育て支援").is_empty());
        assert!(keys("ict").is_empty());
    }

    #[test]
    fn positions_are_those_of_the_first_token() {
        assert_eq!(text_pairs("子育て支援ICT化"), [("援ict".to_string(), 4), ("ict化".to_string(), 5)]);
    }
}
