//! Helpers for unit tests that edit a copy of a fixture site.

use std::path::{Path, PathBuf};

/// Copies the folder `src` into `to` (created as needed).
pub(crate) fn copy_dir(src: &Path, to: &Path) {
    for e in walkdir::WalkDir::new(src).into_iter().filter_map(Result::ok) {
        let target = to.join(e.path().strip_prefix(src).unwrap());
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

/// A temporary copy of `tests/fixtures/<name>`.
pub(crate) fn fixture_copy(name: &str) -> tempfile::TempDir {
    let t = tempfile::tempdir().unwrap();
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name), t.path());
    t
}

/// Replaces the first `from` in the file `rel` of the site at `root` with `to`; returns `rel`.
pub(crate) fn edit(root: &Path, rel: &str, from: &str, to: &str) -> PathBuf {
    let p = root.join(rel);
    let text = std::fs::read_to_string(&p).unwrap();
    assert!(text.contains(from), "{rel} lacks {from}");
    std::fs::write(&p, text.replacen(from, to, 1)).unwrap();
    PathBuf::from(rel)
}
