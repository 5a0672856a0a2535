//! Readings (読み): a query term written in hiragana (こそだて) also finds the words of the
//! site that are read that way (子育て), after the literal matches and marked
//! 「読み・表記ゆれで一致」, like the spelling variants of [`super::variants`].
//!
//! The readings come from a morphological analyser, at build time only: lindera 0.3 with
//! the IPADIC dictionary (mecab-ipadic-2.7.0-20070801, embedded in its package). Every
//! distinct run of CJK characters of the site that holds a kanji is analysed once; each
//! word with a kanji gives its reading (katakana in the dictionary, kept in hiragana) and
//! its written form. Only the site's own words are kept, so the browser gets a table of
//! the site's vocabulary, in shards `y/<n>.json` (docs/SEARCH_FORMAT.md §10): a hiragana
//! query loads one small file.
//!
//! A reading matches whole words only: しえん finds 支援, こそだてしえん does not find
//! 子育て支援 (two words). A word whose reading is its written form (ひらがなの語) adds
//! nothing.

use super::analyzer::{is_cjk, normalize};
use super::docs::Corpus;
use super::query::ParsedQuery;
use super::variants;
use lindera_core::core::character_definition::CharacterDefinitions;
use lindera_core::core::connection::ConnectionCostMatrix;
use lindera_core::core::prefix_dict::PrefixDict;
use lindera_core::core::unknown_dictionary::UnknownDictionary;
use lindera_core::core::viterbi::{Lattice, Mode};
use lindera_core::core::word_entry::WordId;
use rayon::prelude::*;
use rustc_hash::FxHashSet;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// Runs longer than this (in characters) are analysed in pieces of this length (the
/// analyser's lattice grows with the run).
const MAX_RUN: usize = 256;

/// Runs are analysed in batches of about this many bytes.
const BATCH_BYTES: usize = 128 * 1024;

/// The written forms of the site's words, by reading.
#[derive(Debug, Clone, Default)]
pub struct Readings {
    words: BTreeMap<String, Vec<String>>,
}

/// Whether the normalised term `norm` is looked up as a reading: two or more hiragana
/// (and ー), nothing else.
pub fn is_reading(norm: &str) -> bool {
    norm.chars().count() >= 2 && norm.chars().all(|c| ('\u{3041}'..='\u{3096}').contains(&c) || c == 'ー')
}

/// Whether `c` is a kanji (CJK ideographs, their extensions and compatibility forms, 々, 〆).
fn is_kanji(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{3134F}' | '々' | '〆')
}

/// Katakana as hiragana (ァ … ヶ → ぁ … ゖ); other characters unchanged.
fn hiragana(katakana: &str) -> String {
    katakana
        .chars()
        .map(|c| if ('\u{30A1}'..='\u{30F6}').contains(&c) { char::from_u32(c as u32 - 0x60).unwrap_or(c) } else { c })
        .collect()
}

impl Readings {
    /// The readings of the words of `corpus` (titles, headings, bodies, lists).
    pub fn of_corpus(corpus: &Corpus) -> Readings {
        let runs: FxHashSet<String> = corpus
            .docs
            .par_iter()
            .fold(FxHashSet::default, |mut runs, d| {
                for part in d.field_texts() {
                    kanji_runs(&normalize(&part), &mut runs);
                }
                runs
            })
            .reduce(FxHashSet::default, |mut a, b| {
                a.extend(b);
                a
            });
        let mut runs: Vec<String> = runs.into_iter().collect();
        runs.sort_unstable();
        Readings::of_runs(&runs)
    }

    /// The readings of the words of `runs` (normalised CJK text).
    fn of_runs(runs: &[String]) -> Readings {
        // The runs are analysed in batches, one run per line. The batches depend on the
        // runs alone, so the readings do not depend on the number of cores.
        let mut batches: Vec<String> = Vec::new();
        for run in runs {
            match batches.last_mut() {
                Some(b) if b.len() + run.len() < BATCH_BYTES => {
                    b.push('\n');
                    b.push_str(run);
                }
                _ => batches.push(run.clone()),
            }
        }
        let dictionary = Dictionary::new();
        // First the words met (written form and dictionary entry), on every core: the
        // analyser's tables are shared, each core has its own lattice.
        let met: FxHashSet<(String, u32)> = batches
            .par_iter()
            .map_init(Analyser::default, |analyser, batch| {
                let mut met = FxHashSet::default();
                analyser.words(&dictionary, batch, |written, word| {
                    if written.chars().any(is_kanji) {
                        met.insert((written.to_string(), word));
                    }
                });
                met
            })
            .reduce(FxHashSet::default, |mut a, b| {
                a.extend(b);
                a
            });
        drop(dictionary);
        release_read_only_pages();
        // Then their readings.
        let table = ReadingTable::get();
        let mut words: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (written, word) in met {
            let reading = hiragana(table.reading(word).unwrap_or_default());
            if is_reading(&reading) {
                words.entry(reading).or_default().push(written);
            }
        }
        for forms in words.values_mut() {
            forms.sort_unstable();
            forms.dedup();
        }
        Readings { words }
    }

    /// The written forms of the site's words read `norm` (a normalised term), in code
    /// point order; empty unless [`is_reading`].
    pub fn words(&self, norm: &str) -> &[String] {
        if !is_reading(norm) {
            return &[];
        }
        self.words.get(norm).map_or(&[], Vec::as_slice)
    }

    /// Adds to every included term of `q` read as words of the site those words, after its
    /// spelling variants ([`super::variants::alternatives_with`]).
    pub fn extend(&self, q: &mut ParsedQuery) {
        for t in &mut q.include {
            let words = self.words(&normalize(&t.raw));
            if !words.is_empty() {
                t.alts = variants::tokens_of(&variants::alternatives_with(&t.raw, words));
            }
        }
    }

    /// Every reading with its written forms, in code point order of the readings.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Vec<String>)> {
        self.words.iter()
    }

    /// Number of readings.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }
}

/// The reading (katakana) of every word of the dictionary, some 7 MB, decoded once per
/// process from the dictionary's word details. Those are 60 MB, which lindera-ipadic can
/// only copy out of the program: read and copied, they are 120 MB more in memory for a
/// moment, so a build decodes them first thing ([`prepare`]), while the site is still
/// small in memory, instead of when its model, pages and index are all there.
struct ReadingTable {
    /// Where the reading of each word ends in `text`.
    ends: Box<[u32]>,
    text: Box<str>,
}

static READING_TABLE: OnceLock<ReadingTable> = OnceLock::new();

/// Starts decoding the dictionary's readings on a thread of its own: a build calls it
/// before it loads the site. Whatever needs a reading later waits for that thread.
pub fn prepare() {
    // A thread that cannot start leaves the work to the first reading looked up.
    let _ = std::thread::Builder::new().name("planpress-readings".into()).spawn(ReadingTable::get);
}

impl ReadingTable {
    fn get() -> &'static ReadingTable {
        READING_TABLE.get_or_init(ReadingTable::decode)
    }

    fn decode() -> ReadingTable {
        let details = WordDetails::new();
        let (mut ends, mut text) = (Vec::with_capacity(details.len()), String::new());
        for word in 0..details.len() as u32 {
            text.push_str(details.reading(word).unwrap_or_default());
            ends.push(text.len() as u32);
        }
        drop(details);
        release_read_only_pages();
        ReadingTable { ends: ends.into_boxed_slice(), text: text.into_boxed_str() }
    }

    /// The reading of dictionary word `word`, if it has one.
    fn reading(&self, word: u32) -> Option<&str> {
        let end = *self.ends.get(word as usize)? as usize;
        let start = word.checked_sub(1).map_or(0, |w| self.ends[w as usize] as usize);
        Some(&self.text[start..end]).filter(|r| !r.is_empty())
    }
}

/// The tables of the IPADIC analyser (its dictionary of words, connection costs, character
/// classes and unknown words): some 10 MB, read from the program, shared by every core.
///
/// planpress drives lindera's lattice itself rather than through `lindera::Tokenizer`:
/// that one holds a copy of the word data (60 MB) per analyser and copies it again at
/// every call, and it looks up every word's details where only the readings of the
/// distinct words are wanted.
struct Dictionary {
    words: PrefixDict,
    costs: ConnectionCostMatrix,
    chars: CharacterDefinitions,
    unknown: UnknownDictionary,
}

impl Dictionary {
    fn new() -> Self {
        Dictionary {
            words: lindera_ipadic::prefix_dict(),
            costs: lindera_ipadic::connection(),
            chars: lindera_ipadic::char_def(),
            unknown: lindera_ipadic::unknown_dict(),
        }
    }
}

/// One core's lattice, and the words of its last text.
#[derive(Default)]
struct Analyser {
    lattice: Lattice,
    offsets: Vec<(usize, WordId)>,
}

impl Analyser {
    /// Calls `found` with every word of `text` the dictionary knows (its written form
    /// and its entry), splitting the text after each 。 and 、 as lindera's tokenizer
    /// does. The lattice failing on some text loses that text's words, nothing else: it
    /// is made anew.
    fn words(&mut self, dictionary: &Dictionary, mut text: &str, mut found: impl FnMut(&str, u32)) {
        while !text.is_empty() {
            let end = text.find(['。', '、']).map_or(text.len(), |i| i + '。'.len_utf8());
            let (piece, rest) = text.split_at(end);
            let done = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                self.lattice.set_text(&dictionary.words, &dictionary.chars, &dictionary.unknown, piece, &Mode::Normal);
                self.lattice.calculate_path_costs(&dictionary.costs, &Mode::Normal);
                self.lattice.tokens_offset(&mut self.offsets);
            }));
            if done.is_err() {
                *self = Analyser::default();
            } else {
                for (i, &(start, word)) in self.offsets.iter().enumerate() {
                    let stop = self.offsets.get(i + 1).map_or(piece.len(), |&(next, _)| next);
                    if let (false, Some(written)) = (word.is_unknown(), piece.get(start..stop)) {
                        found(written, word.0);
                    }
                }
            }
            text = rest;
        }
    }
}

/// The details of the dictionary's words (part of speech, base form, reading, …).
struct WordDetails {
    index: Vec<u8>,
    data: Vec<u8>,
}

impl WordDetails {
    fn new() -> Self {
        WordDetails { index: lindera_ipadic::words_idx_data(), data: lindera_ipadic::words_data() }
    }

    /// Number of words.
    fn len(&self) -> usize {
        self.index.len() / 4
    }

    /// The reading (katakana) of word `word`: the eighth of its details, which the
    /// dictionary keeps as a bincode list of strings (a u64 count, then each string as a
    /// u64 length and its bytes, little-endian). None if the data says otherwise.
    fn reading(&self, word: u32) -> Option<&str> {
        let at = 4 * word as usize;
        let start = u32::from_le_bytes(self.index.get(at..at + 4)?.try_into().ok()?) as usize;
        let mut data = self.data.get(start..)?;
        let mut take = |n: usize| -> Option<&[u8]> {
            let (head, rest) = (data.get(..n)?, data.get(n..)?);
            data = rest;
            Some(head)
        };
        let u64_at = |b: &[u8]| b.try_into().ok().map(u64::from_le_bytes).and_then(|n| usize::try_from(n).ok());
        let count = u64_at(take(8)?)?;
        if count < 8 {
            return None;
        }
        for _ in 0..7 {
            let len = u64_at(take(8)?)?;
            take(len)?;
        }
        let len = u64_at(take(8)?)?;
        std::str::from_utf8(take(len)?).ok()
    }
}

/// Adds the runs of CJK characters of the normalised `text` that hold a kanji to `runs`
/// (cut into pieces of [`MAX_RUN`] characters).
fn kanji_runs(text: &str, runs: &mut FxHashSet<String>) {
    let mut add = |run: &[char]| {
        for piece in run.chunks(MAX_RUN) {
            if piece.iter().any(|&c| is_kanji(c)) {
                runs.insert(piece.iter().collect());
            }
        }
    };
    let mut run: Vec<char> = Vec::new();
    for c in text.chars() {
        if is_cjk(c) {
            run.push(c);
        } else if !run.is_empty() {
            add(&run);
            run.clear();
        }
    }
    if !run.is_empty() {
        add(&run);
    }
}

/// Hands the pages of the program's read-only data back to the kernel once the analyser is
/// done with its dictionary: the dictionary embedded in the program (about 80 MB) was read
/// from them and is not needed again, but its pages would count in the process's memory
/// for the rest of the build. `MADV_PAGEOUT` only drops pages that are the same as the
/// file (a page written to stays), so nothing is lost; a page read again is read back
/// from the page cache.
fn release_read_only_pages() {
    #[cfg(target_os = "linux")]
    {
        let (Ok(exe), Ok(maps)) = (std::fs::read_link("/proc/self/exe"), std::fs::read_to_string("/proc/self/maps"))
        else {
            return;
        };
        let exe = exe.to_string_lossy();
        for line in maps.lines().filter(|l| l.ends_with(exe.as_ref())) {
            // 55d0c0a00000-55d0c4a00000 r--p 00000000 fd:01 1234   /path/to/planpress
            let mut fields = line.split_whitespace();
            let (Some(range), Some("r--p")) = (fields.next(), fields.next()) else { continue };
            let Some((start, end)) = range.split_once('-') else { continue };
            let (Ok(start), Ok(end)) = (usize::from_str_radix(start, 16), usize::from_str_radix(end, 16)) else {
                continue;
            };
            // SAFETY: the range is a mapping of this process (from /proc/self/maps), and
            // MADV_PAGEOUT changes no byte of it, only where its pages are kept.
            unsafe {
                libc::madvise(start as *mut libc::c_void, end.saturating_sub(start), libc::MADV_PAGEOUT);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(texts: &[&str]) -> Readings {
        let mut runs = FxHashSet::default();
        for t in texts {
            kanji_runs(&normalize(t), &mut runs);
        }
        let mut runs: Vec<String> = runs.into_iter().collect();
        runs.sort();
        Readings::of_runs(&runs)
    }

    /// The resident bytes of the program's read-only mappings (`/proc/self/smaps`).
    #[cfg(target_os = "linux")]
    fn resident_read_only() -> usize {
        let exe = std::fs::read_link("/proc/self/exe").unwrap();
        let smaps = std::fs::read_to_string("/proc/self/smaps").unwrap();
        let (mut ours, mut kb) = (false, 0);
        for line in smaps.lines() {
            if line.contains(" r--p ") || line.contains(" r-xp ") || line.contains(" rw-p ") || line.contains(" ---p ")
            {
                ours = line.contains(" r--p ") && line.ends_with(exe.to_string_lossy().as_ref());
            } else if let Some(v) = line.strip_prefix("Rss:").filter(|_| ours) {
                kb += v.trim().trim_end_matches(" kB").parse::<usize>().unwrap();
            }
        }
        kb * 1024
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_dictionary_pages_go_back_to_the_kernel_after_the_readings() {
        let r = of(&["子育て支援"]);
        // Read through the embedded dictionary, as the analyser does when it starts.
        drop((Dictionary::new(), WordDetails::new()));
        let before = resident_read_only();
        release_read_only_pages();
        let after = resident_read_only();
        assert!(after < before, "resident read-only bytes {before} -> {after}");
        // Nothing is lost: the analyser reads its dictionary again.
        assert_eq!(of(&["子育て支援"]).words("しえん"), r.words("しえん"));
    }

    #[test]
    fn hiragana_finds_the_words_read_so() {
        let r = of(&["子育て支援を充実します。", "障害者福祉と子供の居場所"]);
        assert_eq!(r.words("こそだて"), ["子育て"]);
        assert_eq!(r.words("しえん"), ["支援"]);
        assert_eq!(r.words("こども"), ["子供"]);
        assert!(r.words("こそだてしえん").is_empty(), "whole words only");
        assert!(r.words("子育て").is_empty(), "a term with kanji is no reading");
    }

    #[test]
    fn only_hiragana_terms_are_readings() {
        assert!(is_reading("こそだて"));
        assert!(is_reading("ぼーる"));
        assert!(!is_reading("こ"), "one character finds too much");
        assert!(!is_reading("コソダテ"));
        assert!(!is_reading("こそだて2"));
        assert_eq!(hiragana("コソダテヴ"), "こそだてゔ");
    }

    #[test]
    fn a_word_past_the_dictionary_has_no_reading() {
        let (details, table) = (WordDetails::new(), ReadingTable::get());
        assert_eq!(details.reading(u32::MAX), None);
        assert_eq!(table.reading(u32::MAX), None);
        assert_eq!(table.reading(details.len() as u32), None);
        let mut met = Vec::new();
        Analyser::default().words(&Dictionary::new(), "支援。", |w, id| met.push((w.to_string(), id)));
        assert_eq!(met.len(), 2, "{met:?}");
        assert_eq!(details.reading(met[0].1), Some("シエン"));
        assert_eq!(table.reading(met[0].1), Some("シエン"), "the table reads as the dictionary says");
        for word in (0..details.len() as u32).step_by(997) {
            assert_eq!(table.reading(word), details.reading(word).filter(|r| !r.is_empty()), "word {word}");
        }
    }

    #[test]
    fn odd_text_gives_no_panic() {
        let long: String = "子".repeat(5000);
        let r = of(&[&long, "\u{20B9F}野家", "𠮷", "々々々", "〆切"]);
        assert!(r.len() < 100);
    }
}
