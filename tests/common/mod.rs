//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root (the example site).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fixture site folder under tests/fixtures.
pub fn fixture(name: &str) -> PathBuf {
    repo().join("tests/fixtures").join(name)
}

/// Copies a site (site.toml, content/, static/, themes/) into a fresh temp folder.
pub fn copy_site(src: &Path) -> tempfile::TempDir {
    let t = tempfile::tempdir().unwrap();
    for name in ["site.toml", "content", "static", "themes"] {
        let from = src.join(name);
        if from.is_file() {
            std::fs::copy(&from, t.path().join(name)).unwrap();
        } else if from.is_dir() {
            for e in walkdir::WalkDir::new(&from).into_iter().filter_map(Result::ok) {
                let to = t.path().join(name).join(e.path().strip_prefix(&from).unwrap());
                if e.file_type().is_dir() {
                    std::fs::create_dir_all(&to).unwrap();
                } else {
                    std::fs::copy(e.path(), &to).unwrap();
                }
            }
        }
    }
    t
}

/// Runs the planpress binary.
pub fn planpress(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_planpress")).args(args).output().expect("planpress runs")
}

/// Runs `planpress build --root root [--output out]`.
pub fn build(root: &Path, out: Option<&Path>) -> Output {
    let mut args = vec!["build", "--root", root.to_str().unwrap()];
    if let Some(o) = out {
        args.extend(["--output", o.to_str().unwrap()]);
    }
    planpress(&args)
}

/// Every file under `dir` with its bytes, for byte-for-byte comparisons.
pub fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().strip_prefix(dir).unwrap().to_path_buf(), std::fs::read(e.path()).unwrap()))
        .collect()
}

/// stdout + stderr as text.
pub fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// GETs `path` from the server at `addr` (a `planpress serve`) and reads the whole
/// response: (status, head, body). The unit tests have the same in `src/test_support.rs`.
pub fn http_get(addr: std::net::SocketAddr, path: &str) -> std::io::Result<(u16, String, Vec<u8>)> {
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
