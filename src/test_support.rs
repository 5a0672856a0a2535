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

/// GETs `path` from the server at `addr` and reads the whole response: (status, head,
/// body). The integration tests have the same in `tests/common/mod.rs`.
pub(crate) fn http_get(addr: std::net::SocketAddr, path: &str) -> std::io::Result<(u16, String, Vec<u8>)> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr)?;
    s.set_read_timeout(Some(std::time::Duration::from_secs(10)))?;
    write!(s, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n")?;
    let mut buf = Vec::new();
    s.read_to_end(&mut buf)?;
    let split = buf.windows(4).position(|w| w == b"\r\n\r\n").unwrap_or(buf.len());
    let head = String::from_utf8_lossy(&buf[..split]).into_owned();
    let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = buf.get(split + 4..).unwrap_or_default().to_vec();
    Ok((status, head, body))
}
