//! The tantivy index: schema, indexing a [`Corpus`], and running a parsed query with
//! tantivy's BM25.

use super::analyzer::{JapaneseTokenizer, TOKENIZER_NAME};
use super::docs::Corpus;
use super::query::ParsedQuery;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::query::{BooleanQuery, BoostQuery, DisjunctionMaxQuery, EmptyQuery, Occur, PhraseQuery, Query, TermQuery};
use tantivy::schema::{
    Field, IndexRecordOption, NumericOptions, OwnedValue, Schema, TextFieldIndexing, TextOptions, STORED, STRING,
};
use tantivy::{DocId, Index, IndexWriter, ReloadPolicy, Score, Searcher, SegmentOrdinal, SegmentReader, Term};

/// The searched text fields and their boosts, in scoring order. `listed` holds the titles
/// (and summaries) of the pages a page lists: found there, a page ranks below those whose
/// own title, headings or body have the words.
pub const TEXT_FIELDS: [(&str, Score); 4] = [("title", 3.0), ("headings", 2.0), ("body", 1.0), ("listed", 0.25)];

/// Name of the fast field holding the document number (index into [`Corpus::docs`]).
pub const ORD_FIELD: &str = "ord";

/// The schema's fields.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// Searched text fields, as in [`TEXT_FIELDS`].
    pub text: [Field; 4],
    /// Breadcrumb (stored).
    pub breadcrumb: Field,
    /// Plan id (stored, indexed as one token).
    pub plan: Field,
    /// Top-level node `<plan>/<node>` (stored, indexed as one token).
    pub group: Field,
    /// Site-relative URL (stored, indexed as one token).
    pub url: Field,
    /// Document number (fast field).
    pub ord: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let indexing = TextFieldIndexing::default()
        .set_tokenizer(TOKENIZER_NAME)
        .set_index_option(IndexRecordOption::WithFreqsAndPositions);
    // A title contains a word or not: without its length in BM25 (no fieldnorms) a short
    // title (「戦略5 シティプロモーション分野」) no longer outranks the longer title of the
    // page about the word; the page's own body then decides.
    let title = b.add_text_field(
        TEXT_FIELDS[0].0,
        TextOptions::default().set_indexing_options(indexing.clone().set_fieldnorms(false)).set_stored(),
    );
    let headings = b.add_text_field(TEXT_FIELDS[1].0, TextOptions::default().set_indexing_options(indexing.clone()));
    let body = b.add_text_field(TEXT_FIELDS[2].0, TextOptions::default().set_indexing_options(indexing.clone()));
    let listed = b.add_text_field(TEXT_FIELDS[3].0, TextOptions::default().set_indexing_options(indexing));
    let breadcrumb = b.add_text_field("breadcrumb", STORED);
    let plan = b.add_text_field("plan", STRING | STORED);
    let group = b.add_text_field("field", STRING | STORED);
    let url = b.add_text_field("url", STRING | STORED);
    let ord = b.add_u64_field(ORD_FIELD, NumericOptions::default().set_fast().set_stored());
    (b.build(), Fields { text: [title, headings, body, listed], breadcrumb, plan, group, url, ord })
}

/// A document of the corpus as it waits in tantivy's queue of documents to index (up to
/// 10,000): the corpus and the document's number, its field values made only when an
/// indexing thread takes it. A queue of `TantivyDocument`s held a copy of the text of
/// every page not yet indexed, which at 10,000 pages was all of it.
struct QueuedDoc {
    corpus: Arc<Corpus>,
    ord: usize,
    fields: Fields,
    values: OnceLock<Vec<(Field, OwnedValue)>>,
}

impl QueuedDoc {
    fn values(&self) -> Vec<(Field, OwnedValue)> {
        let (corpus, fields) = (&self.corpus, &self.fields);
        let d = &corpus.docs[self.ord];
        let text = |field: Field, text: String| (field, OwnedValue::Str(text));
        let mut values: Vec<(Field, OwnedValue)> =
            fields.text.iter().zip(d.field_texts()).map(|(&field, t)| text(field, t)).collect();
        values.push(text(fields.breadcrumb, d.breadcrumb()));
        values.push(text(fields.plan, d.plan.clone()));
        values.push(text(fields.group, d.group.map(|g| corpus.groups[g].id.clone()).unwrap_or_default()));
        values.push(text(fields.url, d.url.clone()));
        values.push((fields.ord, OwnedValue::U64(self.ord as u64)));
        values
    }
}

impl tantivy::Document for QueuedDoc {
    type Value<'a> = &'a OwnedValue;
    type FieldsValuesIter<'a> = std::iter::Map<
        std::slice::Iter<'a, (Field, OwnedValue)>,
        fn(&'a (Field, OwnedValue)) -> (Field, &'a OwnedValue),
    >;

    fn iter_fields_and_values(&self) -> Self::FieldsValuesIter<'_> {
        self.values.get_or_init(|| self.values()).iter().map(|(field, value)| (*field, value))
    }
}

/// A corpus indexed with tantivy, in memory.
pub struct SearchIndex {
    /// The documents (their numbers are the `ord` field).
    pub corpus: Corpus,
    /// The tantivy index.
    pub index: Index,
    /// A searcher over it.
    pub searcher: Searcher,
    /// The schema's fields.
    pub fields: Fields,
    /// The readings of the site's words (hiragana queries), found at the first need:
    /// see [`SearchIndex::readings`].
    pub readings: std::sync::OnceLock<super::readings::Readings>,
}

impl SearchIndex {
    /// Indexes `corpus` in RAM with the Japanese analyzer.
    pub fn build(corpus: Corpus) -> tantivy::Result<SearchIndex> {
        Self::build_unless(corpus, &AtomicBool::new(false))
    }

    /// [`SearchIndex::build`], given up (with an error) once `stop` is set: `serve`
    /// stopping while its background refresh indexes.
    pub fn build_unless(corpus: Corpus, stop: &AtomicBool) -> tantivy::Result<SearchIndex> {
        let scratch = text_bytes(&corpus) > SCRATCH_ABOVE;
        Self::build_in(corpus, stop, scratch)
    }

    /// [`SearchIndex::build_unless`], in a scratch folder or in RAM.
    fn build_in(corpus: Corpus, stop: &AtomicBool, scratch: bool) -> tantivy::Result<SearchIndex> {
        let corpus = Arc::new(corpus);
        let (index, searcher, fields) = Self::tantivy_index(&corpus, stop, scratch)?;
        // The indexing threads are done: no document holds the corpus any more.
        let corpus = Arc::unwrap_or_clone(corpus);
        Ok(SearchIndex { corpus, index, searcher, fields, readings: std::sync::OnceLock::new() })
    }

    /// The readings of the site's words (the analyser runs at the first call). The build's
    /// export does not use this: it finds them before it builds the tantivy index, so that
    /// the analyser's dictionary and the index are never in memory at once.
    pub fn readings(&self) -> &super::readings::Readings {
        self.readings.get_or_init(|| super::readings::Readings::of_corpus(&self.corpus))
    }

    /// The tantivy index of `corpus` and a searcher over it: in a scratch folder if
    /// `scratch` and one can be made, else in RAM.
    fn tantivy_index(
        corpus: &Arc<Corpus>,
        stop: &AtomicBool,
        scratch: bool,
    ) -> tantivy::Result<(Index, Searcher, Fields)> {
        let (schema, fields) = schema();
        let index = match scratch.then(super::scratch::ScratchDirectory::new) {
            Some(Ok(dir)) => Index::create(dir, schema, tantivy::IndexSettings::default())?,
            _ => Index::create_in_ram(schema),
        };
        index.tokenizers().register(TOKENIZER_NAME, JapaneseTokenizer);
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 4);
        let mut writer: IndexWriter<QueuedDoc> = index.writer_with_num_threads(threads, threads * WRITER_BUDGET)?;
        writer.set_merge_policy(Box::new(tantivy::merge_policy::NoMergePolicy));
        for ord in 0..corpus.docs.len() {
            if stop.load(Ordering::Relaxed) {
                return Err(tantivy::TantivyError::InternalError("stopped".into()));
            }
            writer.add_document(QueuedDoc { corpus: corpus.clone(), ord, fields, values: OnceLock::new() })?;
        }
        writer.commit()?;
        writer.wait_merging_threads()?;
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        let searcher = reader.searcher();
        Ok((index, searcher, fields))
    }

    /// The tantivy query for `q`: every included term must match (in any text field, as a
    /// phrase of its tokens), no excluded term may match. A term scores the larger of the
    /// sum of the boosted BM25 scores of the page's own fields (title, headings, body) it
    /// matches in and the boosted BM25 score of `listed`; a query the sum over its terms.
    pub fn query(&self, q: &ParsedQuery) -> Box<dyn Query> {
        self.query_with(q, true)
    }

    /// [`SearchIndex::query`], without the excluded terms unless `exclusions`.
    fn query_with(&self, q: &ParsedQuery, exclusions: bool) -> Box<dyn Query> {
        if q.include.is_empty() {
            return Box::new(EmptyQuery);
        }
        let term = |tokens: &[(usize, String)], scored: bool| -> Box<dyn Query> {
            let mut per_field: Vec<(Occur, Box<dyn Query>)> = TEXT_FIELDS
                .iter()
                .zip(self.fields.text)
                .map(|(&(_, boost), field)| {
                    let q: Box<dyn Query> = if tokens.len() == 1 {
                        Box::new(TermQuery::new(
                            Term::from_field_text(field, &tokens[0].1),
                            IndexRecordOption::WithFreqs,
                        ))
                    } else {
                        Box::new(PhraseQuery::new_with_offset(
                            tokens.iter().map(|(p, t)| (*p, Term::from_field_text(field, t))).collect(),
                        ))
                    };
                    let q: Box<dyn Query> = if boost == 1.0 { q } else { Box::new(BoostQuery::new(q, boost)) };
                    (Occur::Should, q)
                })
                .collect();
            // The page's own text (sum over title, headings, body) or what it lists,
            // whichever scores higher: a parent listing a child's title is found, but its
            // list adds nothing to a match in its own text, so it never outranks the child
            // on the child's words.
            if !scored {
                // An excluded term only needs its documents (and tantivy's exclusion seeks
                // past the end of a phrase inside a DisjunctionMaxQuery).
                return Box::new(BooleanQuery::new(per_field));
            }
            let listed = per_field.pop().map(|(_, q)| q).into_iter();
            let own: Box<dyn Query> = Box::new(BooleanQuery::new(per_field));
            Box::new(DisjunctionMaxQuery::new(std::iter::once(own).chain(listed).collect()))
        };
        let mut clauses: Vec<(Occur, Box<dyn Query>)> =
            q.include.iter().map(|t| (Occur::Must, term(&t.tokens, true))).collect();
        if exclusions {
            clauses.extend(q.exclude.iter().map(|t| (Occur::MustNot, term(&t.tokens, false))));
        }
        Box::new(BooleanQuery::new(clauses))
    }

    /// Every document matching `q` with its tantivy score, best first; ties deeper pages
    /// first (see [`super::docs::SearchDoc::depth`]), then in document order.
    pub fn matches(&self, q: &ParsedQuery) -> tantivy::Result<Vec<(usize, Score)>> {
        // Excluded terms are looked up on their own and their documents dropped: tantivy
        // (0.27, debug builds) asserts when its exclusion seeks a phrase scorer that has
        // ended inside a union of fields.
        let mut all = self.searcher.search(self.query_with(q, false).as_ref(), &AllScored)?;
        if !q.exclude.is_empty() {
            let mut out = std::collections::HashSet::new();
            for t in &q.exclude {
                let one = ParsedQuery { include: vec![t.clone()], exclude: Vec::new() };
                out.extend(
                    self.searcher.search(self.query_with(&one, false).as_ref(), &AllScored)?.into_iter().map(|m| m.0),
                );
            }
            all.retain(|m| !out.contains(&m.0));
        }
        let depth = |d: usize| self.corpus.docs[d].depth();
        all.sort_by(|a, b| b.1.total_cmp(&a.1).then(depth(b.0).cmp(&depth(a.0))).then(a.0.cmp(&b.0)));
        Ok(all)
    }
}

/// Collects every matching document with its score, as (document number, score).
struct AllScored;

struct AllScoredSegment {
    ords: tantivy::columnar::Column<u64>,
    out: Vec<(usize, Score)>,
}

impl Collector for AllScored {
    type Fruit = Vec<(usize, Score)>;
    type Child = AllScoredSegment;

    fn for_segment(&self, _: SegmentOrdinal, segment: &SegmentReader) -> tantivy::Result<AllScoredSegment> {
        Ok(AllScoredSegment { ords: segment.fast_fields().u64(ORD_FIELD)?, out: Vec::new() })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<Vec<(usize, Score)>>) -> tantivy::Result<Vec<(usize, Score)>> {
        Ok(fruits.into_iter().flatten().collect())
    }
}

impl SegmentCollector for AllScoredSegment {
    type Fruit = Vec<(usize, Score)>;

    fn collect(&mut self, doc: DocId, score: Score) {
        if let Some(ord) = self.ords.first(doc) {
            self.out.push((ord as usize, score));
        }
    }

    fn harvest(self) -> Vec<(usize, Score)> {
        self.out
    }
}

/// Text (bytes) above which the index is built in a scratch folder (`scratch`), not in
/// RAM: a site of some 2,000 pages. Below it the index is small, and RAM is faster for
/// `serve`'s refresh after every edit (and for the tests).
const SCRATCH_ABOVE: usize = 8 << 20;

/// The memory of each indexing thread's arena, in bytes: a segment is written out when it is
/// full. The arenas of all threads fill while the pages render, and the build's peak was
/// there: 60 MB a thread made it 380 MB at 10,000 pages, 25 MB 300 MB; smaller segments
/// cost the export next to nothing (the output is the same). tantivy's least is 15 MB.
const WRITER_BUDGET: usize = 25_000_000;

/// The bytes of text `corpus` indexes.
fn text_bytes(corpus: &Corpus) -> usize {
    corpus.docs.iter().flat_map(|d| d.sections.iter().chain(&d.listed)).map(|s| s.text.len()).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::docs::SearchDoc;
    use crate::search::query::parse;

    fn doc(title: &str, body: &str) -> SearchDoc {
        SearchDoc::sample(title, body)
    }

    fn index() -> SearchIndex {
        let docs = vec![
            doc("子育て支援", "子育て支援センターを充実します。"),
            doc("協働", "市民との協働のまちづくり。子育てにも取り組む。"),
            doc("茶業", "お茶の振興と茶園の維持。DXの推進。"),
        ];
        SearchIndex::build(Corpus { docs, groups: vec![] }).unwrap()
    }

    fn ords(idx: &SearchIndex, q: &str) -> Vec<usize> {
        let mut v: Vec<usize> = idx.matches(&parse(q)).unwrap().into_iter().map(|(d, _)| d).collect();
        v.sort();
        v
    }

    #[test]
    fn the_index_in_a_scratch_folder_gives_the_export_of_the_one_in_ram() {
        let corpus = || index().corpus.clone();
        let never = AtomicBool::new(false);
        let (ram, disk) = (
            SearchIndex::build_in(corpus(), &never, false).unwrap(),
            SearchIndex::build_in(corpus(), &never, true).unwrap(),
        );
        for q in ["子育て", "協働 子育て", "dx", "-茶業 子育て"] {
            assert_eq!(ords(&ram, q), ords(&disk, q), "{q}");
        }
        let out = tempfile::tempdir().unwrap();
        let files = |idx: &SearchIndex, name: &str| {
            let dir = out.path().join(name);
            crate::search::export::write_index(idx, &dir).unwrap();
            let mut files: Vec<(std::path::PathBuf, Vec<u8>)> = walkdir::WalkDir::new(&dir)
                .into_iter()
                .map(|e| e.unwrap())
                .filter(|e| e.file_type().is_file())
                .map(|e| (e.path().strip_prefix(&dir).unwrap().to_path_buf(), std::fs::read(e.path()).unwrap()))
                .collect();
            files.sort();
            files
        };
        let ram_files = files(&ram, "ram");
        assert!(ram_files.len() > 3);
        assert_eq!(ram_files, files(&disk, "disk"));
    }

    #[test]
    fn a_stopped_build_gives_up() {
        let docs = vec![doc("子育て支援", "子育て支援センター")];
        assert!(
            SearchIndex::build_unless(Corpus { docs: docs.clone(), groups: vec![] }, &AtomicBool::new(true)).is_err()
        );
        assert!(SearchIndex::build_unless(Corpus { docs, groups: vec![] }, &AtomicBool::new(false)).is_ok());
    }

    #[test]
    fn phrase_substring_semantics() {
        let idx = index();
        assert_eq!(ords(&idx, "子育て"), vec![0, 1]);
        assert_eq!(ords(&idx, "育て支"), vec![0]);
        assert_eq!(ords(&idx, "茶"), vec![2]);
        assert_eq!(ords(&idx, "ＤＸ"), vec![2]);
        assert_eq!(ords(&idx, "子育て -協働"), vec![0]);
        assert_eq!(ords(&idx, "子育て 協働"), vec![1]);
        assert_eq!(ords(&idx, "支援セ協働"), Vec::<usize>::new());
        assert_eq!(ords(&idx, "-協働"), Vec::<usize>::new());
    }

    #[test]
    fn title_matches_rank_first() {
        let idx = index();
        let m = idx.matches(&parse("子育て")).unwrap();
        assert_eq!(m[0].0, 0);
        assert!(m[0].1 > m[1].1);
    }
}
