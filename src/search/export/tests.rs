//! Whole exports: what the browser reads back, in place and fresh, and stopping.

use super::*;
use crate::search::docs::Corpus;
use crate::search::index::TEXT_FIELDS;
use std::path::PathBuf;

fn varint(bytes: &[u8], at: &mut usize) -> u64 {
    get_varint(bytes, at).expect("a varint")
}

/// Every term of the export in `dir`: per field its df, document part and positions
/// bytes (read where the entry points), and the chain's bigram dfs.
#[allow(clippy::type_complexity)]
fn decode(dir: &Path) -> std::collections::BTreeMap<Vec<u8>, Vec<(u64, Vec<u8>, Option<Vec<u8>>, Vec<u64>)>> {
    let mut out = std::collections::BTreeMap::new();
    for e in std::fs::read_dir(dir.join("t")).unwrap() {
        let bytes = std::fs::read(e.unwrap().path()).unwrap();
        let mut at = 0;
        while at < bytes.len() {
            let len = varint(&bytes, &mut at) as usize;
            let key = bytes[at..at + len].to_vec();
            at += len;
            let bigrams = varint(&bytes, &mut at);
            let mut fields = Vec::new();
            for _ in TEXT_FIELDS {
                let df = varint(&bytes, &mut at);
                if df == 0 {
                    fields.push((0, Vec::new(), None, Vec::new()));
                    continue;
                }
                let n = varint(&bytes, &mut at) as usize;
                let docs = bytes[at..at + n].to_vec();
                at += n;
                let file = varint(&bytes, &mut at);
                let positions = (file > 0).then(|| {
                    let (offset, len) = (varint(&bytes, &mut at) as usize, varint(&bytes, &mut at) as usize);
                    std::fs::read(dir.join(format!("p/{}.bin", file - 1))).unwrap()[offset..offset + len].to_vec()
                });
                let dfs = (0..bigrams).map(|_| varint(&bytes, &mut at)).collect();
                fields.push((df, docs, positions, dfs));
            }
            out.insert(key, fields);
        }
    }
    out
}

fn tree(dir: &Path) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().strip_prefix(dir).unwrap().to_path_buf(), std::fs::read(e.path()).unwrap()))
        .collect()
}

fn index_of(root: &Path) -> SearchIndex {
    let site =
        crate::build::load(&crate::build::BuildOptions { root: root.to_path_buf(), ..Default::default() }).unwrap();
    SearchIndex::build(Corpus::new(&site)).unwrap()
}

#[test]
fn in_place_updates_rewrite_only_what_an_edit_changes() {
    let site = crate::test_support::fixture_copy("features");
    let root = site.path();
    let t = tempfile::tempdir().unwrap();
    let (fresh, live) = (t.path().join("fresh"), t.path().join("live"));
    let first = write_index(&index_of(root), &fresh).unwrap();
    // serve: the build's export, then refreshes in place with its number of shards.
    write_index(&index_of(root), &live).unwrap();
    let shards = shards_of(&live).unwrap();
    assert_eq!(shards, first.shards);
    write_index_with(&index_of(root), &live, Layout { in_place: true, shards: Some(shards), stop: None }).unwrap();
    assert_eq!(decode(&live), decode(&fresh), "the same terms, postings and positions, positions by shard");

    crate::test_support::edit(root, "content/showcase/kankyo/3-2.md", "公園・緑地の充実", "公園と緑地の充実");
    let index = index_of(root);
    let r = write_index_with(&index, &live, Layout { in_place: true, shards: Some(shards), stop: None }).unwrap();
    // (On this 11-page fixture most shards hold a term of the edited page.)
    assert!(r.changed > 0 && r.changed < r.files, "an edit rewrites some files, not all: {r:?}");
    // The same as exporting the edited site afresh with that layout.
    let again = t.path().join("again");
    write_index_with(&index, &again, Layout { in_place: true, shards: Some(shards), stop: None }).unwrap();
    assert_eq!(tree(&live), tree(&again));
    let edited = t.path().join("edited");
    write_index(&index, &edited).unwrap();
    assert_eq!(decode(&live), decode(&edited));
    // Nothing changed: nothing written.
    let r = write_index_with(&index, &live, Layout { in_place: true, shards: Some(shards), stop: None }).unwrap();
    assert_eq!((r.changed, r.removed), (0, 0), "{r:?}");
}

#[test]
fn a_first_export_in_serve_layout_holds_what_a_build_does() {
    let site = crate::test_support::fixture_copy("features");
    let t = tempfile::tempdir().unwrap();
    let (built, served) = (t.path().join("built"), t.path().join("served"));
    let report = write_index(&index_of(site.path()), &built).unwrap();
    let r = write_index_with(&index_of(site.path()), &served, Layout { in_place: true, ..Default::default() }).unwrap();
    assert_eq!(decode(&served), decode(&built));
    // About as many shards as a build (positions locations are estimated).
    assert!(r.shards.abs_diff(report.shards) * 8 <= report.shards, "{} vs {}", r.shards, report.shards);
    assert_eq!(r.changed, r.files);
}

#[test]
fn a_stopped_update_writes_nothing() {
    let site = crate::test_support::fixture_copy("features");
    let root = site.path();
    let t = tempfile::tempdir().unwrap();
    let live = t.path().join("live");
    write_index(&index_of(root), &live).unwrap();
    let before = tree(&live);
    crate::test_support::edit(root, "content/showcase/kankyo/3-2.md", "公園・緑地の充実", "公園と緑地の充実");
    let stop = Some(Arc::new(AtomicBool::new(true)));
    let layout = Layout { in_place: true, shards: shards_of(&live), stop };
    let err = write_index_with(&index_of(root), &live, layout).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::Interrupted);
    assert_eq!(tree(&live), before, "no file written or removed");
}

#[test]
fn mixed_chains_are_terms_and_only_full_ones_keep_positions() {
    use crate::search::docs::SearchDoc;
    let doc = SearchDoc::sample;
    let corpus = Corpus {
        docs: vec![doc("ICT化", "ICT化とICT化"), doc("分野", "ICT・化、69.4%"), doc("年度", "令和7年度")],
        groups: vec![],
    };
    let t = tempfile::tempdir().unwrap();
    write_index(&SearchIndex::build(corpus).unwrap(), t.path()).unwrap();
    let terms = decode(t.path());
    let pair = &terms["ict化".as_bytes()];
    // title: doc 0; body: doc 0 (twice); not doc 1, where separators are between.
    assert_eq!(pair[0].0, 1);
    assert_eq!(pair[2].0, 1);
    assert!(pair.iter().all(|f| f.2.is_none()), "no positions");
    assert!(terms.contains_key("とict".as_bytes()));
    assert!(!terms.keys().any(|k| k.contains(&b' ')), "separators end a chain");
    let full = &terms["令和7年度".as_bytes()];
    assert_eq!(full[2].0, 1);
    assert!(full[2].2.is_some(), "a chain of MAX_CHAIN units keeps its positions");
    assert_eq!(full[2].3.len(), 3, "the dfs of 令和, 7, 年度");
}
