//! The Japanese analyzer, used at index time and at query time (and mirrored, rule for
//! rule, by `src/search/js/analyzer.mjs` (bundled into the theme's search.js); both run `tests/search/tokenizer-vectors.json`).
//!
//! # Rules
//!
//! 1. **Normalisation.** The text is cut into *segments*: a character and the combining
//!    marks after it (General_Category = Mark, plus the half-width sound marks ﾞ ﾟ). Each
//!    segment is NFKC-normalised on its own and lower-cased character by character
//!    (ＩＣＴ → ict, ｶﾞｲﾄﾞ → ガイド, ① → 1). Variation selectors and invisible format
//!    characters (ZWSP, ZWNJ, ZWJ, WJ, BOM, soft hyphen) are dropped. Every normalised
//!    character remembers the segment it came from, so a token maps back to the original
//!    text (for highlighting). The *normalised text* is the concatenation of the results.
//! 2. **Units.** A normalised character and the marks that follow it form a unit.
//! 3. **Classes.** A unit is *CJK* (Han, Hiragana, Katakana, ー, 々, 〆, 〇, ヶ …, see
//!    [`is_cjk`]), a *word* unit (alphabetic or numeric), or a *separator* (everything
//!    else: spaces, punctuation, symbols, ・).
//! 4. **Tokens.** A run of n CJK units gives, for every unit i, the unigram of unit i at
//!    position p+i and the bigram of units i, i+1 at position p+i (i < n−1); the next token
//!    starts at p+n. A run of word units is one token at the next position. Runs follow
//!    each other with consecutive positions (子育て支援ICT化: 子育 0 … 支援 3, ict 5, 化 6).
//!    A run of separators between two tokens advances the position by one more, so
//!    `子育て、支援` is 子育 0, 育て 1, 支援 4.
//! 5. **Query tokens** ([`query_tokens`]) are the same tokens without the unigrams of CJK
//!    runs longer than one unit: a term is the phrase of its bigrams (a lone CJK character is
//!    its unigram). Because the index holds every unigram and bigram at its own position,
//!    a query term made of one CJK run matches exactly where the normalised text contains
//!    it as a substring, and a term mixing scripts (`支援ict`, `69.4`) matches where the
//!    same units follow each other with the same kind of boundary (none, or separators).
//!    Word tokens match whole words: `ict` finds ICT, `ic` does not.

use std::ops::Range;
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// The name the analyzer is registered under in the tantivy index.
pub const TOKENIZER_NAME: &str = "planpress_ja";

/// What produced a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A run of letters and digits.
    Word,
    /// One CJK unit; `run` is the length of its CJK run in units.
    Unigram {
        /// Length of the CJK run the unit belongs to.
        run: usize,
    },
    /// Two consecutive CJK units.
    Bigram,
}

/// A token with its position and where it came from in the original text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tok {
    /// The normalised token text.
    pub text: String,
    /// Position (see the module documentation).
    pub position: usize,
    /// Byte range in the original text.
    pub offsets: Range<usize>,
    /// What produced it.
    pub kind: Kind,
}

/// A normalised character and the byte range of the original segment it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NormChar {
    /// The character after normalisation.
    pub ch: char,
    /// Byte range of its segment in the original text.
    pub src: Range<usize>,
}

/// Characters dropped by normalisation: variation selectors and invisible format characters.
pub fn is_ignorable(c: char) -> bool {
    matches!(c, '\u{FE00}'..='\u{FE0F}' | '\u{E0100}'..='\u{E01EF}' | '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}')
}

/// Whether `c` continues the segment of the previous character (a combining mark, or a
/// half-width sound mark that NFKC turns into one).
fn continues_segment(c: char) -> bool {
    is_combining_mark(c) || c == '\u{FF9E}' || c == '\u{FF9F}'
}

/// Characters NFKC and lower-casing leave alone (the bulk of Japanese text); a fast path
/// with the same result as the general one.
fn is_stable(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3041}'..='\u{3096}' | '\u{30A1}'..='\u{30FA}' | '\u{30FC}' | '\u{3001}'..='\u{3003}' | '\u{3005}'..='\u{3007}' | '\u{300C}'..='\u{300F}')
}

/// Normalises `text` (rule 1), keeping each character's source range.
pub fn normalize_chars(text: &str) -> Vec<NormChar> {
    let mut out = Vec::with_capacity(text.len() / 2);
    let mut chars = text.char_indices().peekable();
    let mut seg = String::new();
    while let Some((start, c)) = chars.next() {
        let simple =
            chars.peek().is_none_or(|&(_, next)| next < '\u{300}' || is_stable(next) || !continues_segment(next));
        if simple && (c.is_ascii() || is_stable(c)) {
            out.push(NormChar { ch: c.to_ascii_lowercase(), src: start..start + c.len_utf8() });
            continue;
        }
        seg.clear();
        seg.push(c);
        let mut end = start + c.len_utf8();
        while let Some(&(i, next)) = chars.peek() {
            if !continues_segment(next) {
                break;
            }
            seg.push(next);
            end = i + next.len_utf8();
            chars.next();
        }
        for n in seg.nfkc() {
            if is_ignorable(n) {
                continue;
            }
            for l in n.to_lowercase() {
                out.push(NormChar { ch: l, src: start..end });
            }
        }
    }
    out
}

/// The normalised text of `text` (rule 1).
pub fn normalize(text: &str) -> String {
    normalize_chars(text).into_iter().map(|c| c.ch).collect()
}

/// Whether a normalised character belongs to CJK runs: Han (with 々 〆 〇 and the CJK
/// compatibility and extension blocks), Hiragana, Katakana (with ー, ヶ and the small
/// katakana extension), and the kana sound marks; not the katakana middle dot ・.
pub fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3005}'..='\u{3007}'      // 々 〆 〇
        | '\u{3041}'..='\u{3096}'    // hiragana
        | '\u{3099}'..='\u{309F}'    // sound marks, ゝ ゞ ゟ
        | '\u{30A1}'..='\u{30FA}'    // katakana
        | '\u{30FC}'..='\u{30FF}'    // ー ヽ ヾ ヿ
        | '\u{31F0}'..='\u{31FF}'    // small katakana
        | '\u{3400}'..='\u{4DBF}'    // CJK extension A
        | '\u{4E00}'..='\u{9FFF}'    // CJK unified ideographs
        | '\u{F900}'..='\u{FAFF}'    // CJK compatibility ideographs
        | '\u{1B000}'..='\u{1B16F}'  // kana supplement / extended
        | '\u{20000}'..='\u{323AF}'  // CJK extensions B–H, compatibility supplement
    )
}

/// Whether a normalised character is part of a word (letters and digits).
pub fn is_word(c: char) -> bool {
    c.is_alphabetic() || c.is_numeric()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Cjk,
    Word,
    Sep,
}

fn class(c: char) -> Class {
    if is_cjk(c) {
        Class::Cjk
    } else if is_word(c) {
        Class::Word
    } else {
        Class::Sep
    }
}

/// Whether a normalised character belongs to the unit before it (a combining mark).
fn continues_unit(c: char) -> bool {
    c >= '\u{300}' && !is_stable(c) && is_combining_mark(c)
}

/// The byte length of the first unit (a character and its marks) of normalised `text`.
pub fn first_unit_len(text: &str) -> usize {
    let mut chars = text.char_indices();
    let Some((_, first)) = chars.next() else { return 0 };
    chars.find(|&(_, c)| !continues_unit(c)).map_or(text.len(), |(i, _)| i).max(first.len_utf8())
}

/// A unit: normalised characters `chars[start..end]` (a base and its marks).
struct Unit {
    start: usize,
    end: usize,
    class: Class,
}

fn units(chars: &[NormChar]) -> Vec<Unit> {
    let mut out: Vec<Unit> = Vec::with_capacity(chars.len());
    for (i, c) in chars.iter().enumerate() {
        if continues_unit(c.ch) {
            if let Some(last) = out.last_mut() {
                last.end = i + 1;
                continue;
            }
        }
        out.push(Unit { start: i, end: i + 1, class: class(c.ch) });
    }
    out
}

/// A token as [`for_each_token`] shows it: its text is only valid until the next one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRef<'a> {
    /// The normalised token text.
    pub text: &'a str,
    /// Position (see the module documentation).
    pub position: usize,
    /// Byte range in the original text.
    pub offsets: Range<usize>,
    /// What produced it.
    pub kind: Kind,
}

/// Calls `f` with every token of `text`, as indexed (rule 4), in order: what [`tokenize`]
/// returns, without allocating a string per token (the index and the mixed chains tokenize
/// every text of the site).
pub fn for_each_token(text: &str, mut f: impl FnMut(TokenRef<'_>)) {
    let chars = normalize_chars(text);
    let units = units(&chars);
    let mut buf = String::new();
    let mut pos = 0usize;
    let mut gap = false;
    let mut any = false;
    let push_unit = |s: &mut String, u: &Unit| s.extend(chars[u.start..u.end].iter().map(|c| c.ch));
    let range = |a: &Unit, b: &Unit| chars[a.start].src.start..chars[b.end - 1].src.end;
    let mut i = 0;
    while i < units.len() {
        let class = units[i].class;
        let mut j = i + 1;
        while j < units.len() && units[j].class == class {
            j += 1;
        }
        match class {
            Class::Sep => gap = true,
            Class::Cjk | Class::Word => {
                if gap && any {
                    pos += 1;
                }
                gap = false;
                any = true;
                if class == Class::Word {
                    buf.clear();
                    units[i..j].iter().for_each(|u| push_unit(&mut buf, u));
                    let offsets = range(&units[i], &units[j - 1]);
                    f(TokenRef { text: &buf, position: pos, offsets, kind: Kind::Word });
                    pos += 1;
                } else {
                    let run = j - i;
                    for k in i..j {
                        let p = pos + (k - i);
                        buf.clear();
                        push_unit(&mut buf, &units[k]);
                        let offsets = range(&units[k], &units[k]);
                        f(TokenRef { text: &buf, position: p, offsets, kind: Kind::Unigram { run } });
                        if k + 1 < j {
                            push_unit(&mut buf, &units[k + 1]);
                            let offsets = range(&units[k], &units[k + 1]);
                            f(TokenRef { text: &buf, position: p, offsets, kind: Kind::Bigram });
                        }
                    }
                    pos += run;
                }
            }
        }
        i = j;
    }
}

/// All tokens of `text`, as indexed (rule 4).
pub fn tokenize(text: &str) -> Vec<Tok> {
    let mut out = Vec::new();
    for_each_token(text, |t| {
        out.push(Tok { text: t.text.to_string(), position: t.position, offsets: t.offsets, kind: t.kind })
    });
    out
}

/// The tokens a query term is matched with (rule 5): every token but the unigrams of CJK
/// runs longer than one unit.
pub fn query_tokens(term: &str) -> Vec<Tok> {
    tokenize(term).into_iter().filter(|t| !matches!(t.kind, Kind::Unigram { run } if run > 1)).collect()
}

/// The analyzer as a tantivy tokenizer (registered as [`TOKENIZER_NAME`]).
#[derive(Clone, Copy, Debug, Default)]
pub struct JapaneseTokenizer;

/// The token stream of [`JapaneseTokenizer`]: the tokens of a text, their texts one after
/// the other in one string.
pub struct JapaneseTokenStream {
    texts: String,
    /// Per token: the end of its text in `texts`, its position and its offsets.
    tokens: Vec<(usize, usize, Range<usize>)>,
    next: usize,
    token: Token,
}

impl Tokenizer for JapaneseTokenizer {
    type TokenStream<'a> = JapaneseTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> JapaneseTokenStream {
        let mut texts = String::with_capacity(text.len() * 2);
        let mut tokens = Vec::new();
        for_each_token(text, |t| {
            texts.push_str(t.text);
            tokens.push((texts.len(), t.position, t.offsets));
        });
        JapaneseTokenStream { texts, tokens, next: 0, token: Token::default() }
    }
}

impl TokenStream for JapaneseTokenStream {
    fn advance(&mut self) -> bool {
        let Some((end, position, offsets)) = self.tokens.get(self.next).cloned() else { return false };
        let start = self.next.checked_sub(1).map_or(0, |i| self.tokens[i].0);
        self.next += 1;
        let token = &mut self.token;
        token.offset_from = offsets.start;
        token.offset_to = offsets.end;
        token.position = position;
        token.position_length = 1;
        token.text.clear();
        token.text.push_str(&self.texts[start..end]);
        true
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize)]
    struct Vector {
        input: String,
        /// [text, position, from, to] with offsets in code points.
        tokens: Vec<(String, usize, usize, usize)>,
        query: Vec<(String, usize)>,
        #[serde(default)]
        normalized: Option<String>,
    }

    /// One vector per block, one token per line.
    fn compact_json(vectors: &[serde_json::Value]) -> String {
        let j = |v: &serde_json::Value| serde_json::to_string(v).unwrap();
        let mut s = String::from("[\n");
        for (i, v) in vectors.iter().enumerate() {
            s.push_str(&format!(
                "  {{\"input\": {}, \"normalized\": {},\n   \"tokens\": [",
                j(&v["input"]),
                j(&v["normalized"])
            ));
            let toks = v["tokens"].as_array().unwrap();
            for (k, t) in toks.iter().enumerate() {
                s.push_str(&format!("{}{}", if k == 0 { "\n    " } else { ",\n    " }, j(t)));
            }
            s.push_str(&format!(
                "],\n   \"query\": {}}}{}\n",
                j(&v["query"]),
                if i + 1 < vectors.len() { "," } else { "" }
            ));
        }
        s.push_str("]\n");
        s
    }

    fn char_index(text: &str, byte: usize) -> usize {
        text[..byte].chars().count()
    }

    #[test]
    fn shared_vectors() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/search/tokenizer-vectors.json");
        let vectors: Vec<Vector> = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        if std::env::var_os("PLANPRESS_UPDATE_VECTORS").is_some() {
            // Regenerates the expectations from this implementation; review the diff.
            let out: Vec<serde_json::Value> = vectors
                .iter()
                .map(|v| {
                    let tokens: Vec<_> = tokenize(&v.input)
                        .into_iter()
                        .map(|t| serde_json::json!([t.text, t.position, char_index(&v.input, t.offsets.start), char_index(&v.input, t.offsets.end)]))
                        .collect();
                    let query: Vec<_> = query_tokens(&v.input).into_iter().map(|t| serde_json::json!([t.text, t.position])).collect();
                    serde_json::json!({"input": v.input, "normalized": normalize(&v.input), "tokens": tokens, "query": query})
                })
                .collect();
            std::fs::write(path, compact_json(&out)).unwrap();
            return;
        }
        assert!(vectors.len() >= 20);
        for v in &vectors {
            let got: Vec<(String, usize, usize, usize)> = tokenize(&v.input)
                .into_iter()
                .map(|t| {
                    (t.text, t.position, char_index(&v.input, t.offsets.start), char_index(&v.input, t.offsets.end))
                })
                .collect();
            assert_eq!(got, v.tokens, "tokens of {:?}", v.input);
            let q: Vec<(String, usize)> = query_tokens(&v.input).into_iter().map(|t| (t.text, t.position)).collect();
            assert_eq!(q, v.query, "query tokens of {:?}", v.input);
            if let Some(n) = &v.normalized {
                assert_eq!(&normalize(&v.input), n, "normalised {:?}", v.input);
            }
        }
    }

    #[test]
    fn normalisation() {
        assert_eq!(normalize("ＩＣＴとｶﾀｶﾅ"), "ictとカタカナ");
        assert_eq!(normalize("ｶﾞｲﾄﾞ"), "ガイド");
        assert_eq!(normalize("葛\u{E0100}飾"), "葛飾");
        assert_eq!(normalize("①ＤＸ　"), "1dx ");
    }

    #[test]
    fn positions_and_script_boundaries() {
        let t: Vec<(String, usize)> =
            query_tokens("子育て支援ICT化").into_iter().map(|t| (t.text, t.position)).collect();
        let s = |a: &str, p| (a.to_string(), p);
        assert_eq!(t, vec![s("子育", 0), s("育て", 1), s("て支", 2), s("支援", 3), s("ict", 5), s("化", 6)]);
    }

    #[test]
    fn tantivy_stream_matches_tokenize() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/search/tokenizer-vectors.json");
        let vectors: Vec<Vector> = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let mut inputs: Vec<String> = vectors.into_iter().map(|v| v.input).collect();
        inputs.extend(["市民協働 NPO", "", "、、", "第2次ＩＣＴ化 子育て"].map(String::from));
        for input in &inputs {
            let mut tok = JapaneseTokenizer;
            let mut stream = tok.token_stream(input);
            let mut seen = Vec::new();
            while let Some(t) = stream.next() {
                seen.push((t.text.clone(), t.position, t.offset_from..t.offset_to, t.position_length));
            }
            let want: Vec<_> = tokenize(input).into_iter().map(|t| (t.text, t.position, t.offsets, 1)).collect();
            assert_eq!(seen, want, "{input:?}");
        }
        let mut stream = JapaneseTokenizer.token_stream("市民協働 NPO");
        while stream.advance() {}
        assert_eq!((stream.token().text.as_str(), stream.token().position), ("npo", 5));
    }
}
