//! Mixed chains: the runs of 2 to [`MAX_CHAIN`] touching units, CJK units and words (runs
//! of letters and digits), that hold a word (`ict化`, `第2次`, `令和7年度`), with their
//! counts per document, so that the browser answers a term mixing scripts from one small
//! entry instead of the positions of tokens that each occur everywhere.
//!
//! Without them such a term is a phrase of frequent tokens (`第`, `2`, `次`): the browser
//! would load their posting lists and positions, a hundred kilobytes and more on a large
//! site, to count the places where they follow each other. A mixed chain is a term of its
//! own: its key is the normalised text of its units (a word always whole, of a CJK run any
//! units), which is never a term of the index (a token never mixes a word with CJK) nor a
//! chain of CJK units ([`crate::search::chains`]). Like those chains it has the document
//! frequency of each of its query tokens (its idf is theirs summed, as for tantivy's
//! phrase), and a chain of [`MAX_CHAIN`] units keeps its positions, so a longer term is
//! answered by the few chains that cover it (`src/search/js/chains.mjs` `plan`).
//!
//! The chains of two units are the term's *guards*: the browser looks them up first, and
//! one missing from a field means that the term cannot match there, so nothing more is
//! loaded for it.
//!
//! Only tokens that touch (consecutive positions) make a chain. In a phrase, a token one
//! position after a word is the start of the next run, so the chain is exact; a token two
//! positions after it may be after separators or the second unit of a CJK run (`69.4`
//! matches `69年4` for tantivy), so separators end a chain. CJK units alone are the
//! chains of [`crate::search::chains`].

use super::analyzer::{for_each_token, Kind};
use super::chains::{Postings, MAX_CHAIN};
use super::index::TEXT_FIELDS;
use rayon::prelude::*;
use std::collections::BTreeMap;

/// One mixed chain met in a text: its key, the position of its first unit and whether it
/// has [`MAX_CHAIN`] units (and so keeps positions).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Found {
    /// The units' normalised texts, joined.
    pub key: String,
    /// The position of its first unit.
    pub position: u32,
    /// Whether it has [`MAX_CHAIN`] units.
    pub full: bool,
}

/// The mixed chains of one text, in text order (by first unit, then length).
pub fn text_chains(text: &str) -> Vec<Found> {
    // Words and CJK units in position order (bigrams are two units already listed): their
    // texts one after the other in `texts`, each ending at `end`.
    struct Unit {
        end: usize,
        position: usize,
        word: bool,
    }
    let mut texts = String::new();
    let mut units: Vec<Unit> = Vec::new();
    for_each_token(text, |t| {
        if t.kind != Kind::Bigram {
            texts.push_str(t.text);
            units.push(Unit { end: texts.len(), position: t.position, word: t.kind == Kind::Word });
        }
    });
    let text_of = |i: usize| &texts[i.checked_sub(1).map_or(0, |p| units[p].end)..units[i].end];
    let mut out = Vec::new();
    let mut key = String::new();
    let mut start = 0;
    while start < units.len() {
        let mut end = start + 1;
        while end < units.len() && units[end].position == units[end - 1].position + 1 {
            end += 1;
        }
        // A run of CJK units alone holds no mixed chain.
        if units[start..end].iter().any(|u| u.word) {
            // words[i]: the number of words among the first i units of the run.
            let mut words = vec![0usize; end - start + 1];
            for (i, u) in units[start..end].iter().enumerate() {
                words[i + 1] = words[i] + usize::from(u.word);
            }
            for i in 0..end - start {
                key.clear();
                key.push_str(text_of(start + i));
                for n in 2..=MAX_CHAIN.min(end - start - i) {
                    key.push_str(text_of(start + i + n - 1));
                    if words[i + n] > words[i] {
                        let position = units[start + i].position as u32;
                        out.push(Found { key: key.clone(), position, full: n == MAX_CHAIN });
                    }
                }
            }
        }
        start = end;
    }
    out
}

/// A mixed chain of a corpus: its key, whether it has [`MAX_CHAIN`] units, and per text
/// field its documents, counts and (when full) positions.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct MixedChain {
    /// The units' normalised texts, joined.
    pub key: String,
    /// Whether it has [`MAX_CHAIN`] units (and so keeps positions).
    pub full: bool,
    /// Where it occurs, per text field in [`TEXT_FIELDS`] order.
    pub fields: Vec<Postings>,
}

/// Every mixed chain of the documents `docs` (`texts` gives a document's text fields in
/// [`TEXT_FIELDS`] order), in key order.
pub fn mixed_chains<D, T>(docs: &[D], texts: impl Fn(&D) -> [T; TEXT_FIELDS.len()] + Sync) -> Vec<MixedChain>
where
    D: Sync,
    T: AsRef<str>,
{
    // Per document and field, its chains sorted by key and position.
    let per_doc: Vec<Vec<Vec<Found>>> = docs
        .par_iter()
        .map(|d| {
            texts(d)
                .iter()
                .map(|t| {
                    let mut found = text_chains(t.as_ref());
                    found.sort_unstable();
                    found
                })
                .collect()
        })
        .collect();
    let mut all: BTreeMap<String, MixedChain> = BTreeMap::new();
    for (doc, fields) in per_doc.into_iter().enumerate() {
        for (fi, mut found) in fields.into_iter().enumerate() {
            let mut i = 0;
            while i < found.len() {
                let mut j = i + 1;
                while j < found.len() && found[j].key == found[i].key {
                    j += 1;
                }
                let full = found[i].full;
                let chain = all.entry(std::mem::take(&mut found[i].key)).or_insert_with_key(|key| MixedChain {
                    key: key.clone(),
                    full,
                    fields: vec![Postings::default(); TEXT_FIELDS.len()],
                });
                let p = &mut chain.fields[fi];
                p.docs.push(doc as u32);
                p.tfs.push((j - i) as u32);
                if full {
                    p.positions.extend(found[i..j].iter().map(|f| f.position));
                }
                i = j;
            }
        }
    }
    all.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(text: &str) -> Vec<String> {
        text_chains(text).into_iter().map(|f| f.key).collect()
    }

    #[test]
    fn a_word_makes_chains_with_the_units_it_touches() {
        assert_eq!(keys("DX推進"), ["dx推", "dx推進"]);
        assert_eq!(keys("ＩＣＴ化"), ["ict化"], "normalised as the index is");
        assert_eq!(keys("第3次"), ["第3", "第3次", "3次"]);
        assert_eq!(
            keys("子育て支援ICT化"),
            ["育て支援ict", "て支援ict", "て支援ict化", "支援ict", "支援ict化", "援ict", "援ict化", "ict化"]
        );
    }

    #[test]
    fn chains_stop_at_max_chain_units() {
        let found = text_chains("令和7年度計画");
        let longest = found.iter().map(|f| f.key.chars().count()).max();
        assert_eq!(longest, Some(MAX_CHAIN), "{found:?}");
        assert!(found.iter().any(|f| f.key == "令和7年度" && f.full && f.position == 0));
        assert!(found.iter().any(|f| f.key == "和7年度計" && f.full && f.position == 1));
        assert!(found.iter().all(|f| f.full == (f.key.chars().count() == MAX_CHAIN)));
    }

    #[test]
    fn separators_end_a_chain() {
        assert!(keys("69.4%").is_empty());
        assert!(keys("ICT ・ 化").is_empty());
        assert_eq!(keys("第3次、計画"), ["第3", "第3次", "3次"]);
    }

    #[test]
    fn cjk_runs_alone_make_no_mixed_chains() {
        assert!(keys("子育て、支援").is_empty());
        assert!(keys("子育て支援").is_empty());
        assert!(keys("ict").is_empty());
    }

    /// The chains as first written, from the tokens of `tokenize`: what [`text_chains`]
    /// must still give.
    fn chains_from_tokens(text: &str) -> Vec<Found> {
        let units: Vec<_> =
            crate::search::analyzer::tokenize(text).into_iter().filter(|t| t.kind != Kind::Bigram).collect();
        let mut out = Vec::new();
        let mut start = 0;
        while start < units.len() {
            let mut end = start + 1;
            while end < units.len() && units[end].position == units[end - 1].position + 1 {
                end += 1;
            }
            let run = &units[start..end];
            let mut words = vec![0usize; run.len() + 1];
            for (i, u) in run.iter().enumerate() {
                words[i + 1] = words[i] + usize::from(u.kind == Kind::Word);
            }
            for i in 0..run.len() {
                let mut key = run[i].text.clone();
                for n in 2..=MAX_CHAIN.min(run.len() - i) {
                    key.push_str(&run[i + n - 1].text);
                    if words[i + n] > words[i] {
                        out.push(Found { key: key.clone(), position: run[i].position as u32, full: n == MAX_CHAIN });
                    }
                }
            }
            start = end;
        }
        out
    }

    proptest::proptest! {
        #[test]
        fn chains_are_those_of_the_tokens(text in "[子育て支援第次年度ガイドｶﾞ々ー・ＩＣＴict0-9２、 .\u{3099}\u{301}\u{FE00}]{0,40}") {
            proptest::prop_assert_eq!(text_chains(&text), chains_from_tokens(&text));
        }
    }

    #[test]
    fn counts_and_positions_per_document_and_field() {
        let docs = [["第3次", "", "第3次と第3次", ""], ["", "", "", "第2次"]];
        let all: BTreeMap<String, Vec<Postings>> =
            mixed_chains(&docs, |d| *d).into_iter().map(|c| (c.key, c.fields)).collect();
        assert_eq!(all["第3次"][0], Postings { docs: vec![0], tfs: vec![1], positions: vec![] });
        assert_eq!(all["第3次"][2].tfs, vec![2]);
        assert_eq!(all["第2次"][3].docs, vec![1]);
        assert!(all["第2次"][0].docs.is_empty());
    }
}
