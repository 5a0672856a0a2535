//! The local HTTP server of `planpress serve`: serves only files under the output folder,
//! with correct content types, the site's 404 page, and live reload over Server-Sent
//! Events. The reload script is injected into HTML responses here, so built files stay
//! exactly as `planpress build` writes them.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const RELOAD_JS: &str = include_str!("livereload.js");
const OVERLAY_CSS: &str = include_str!("overlay.css");
/// Tags added to every HTML response in serve mode; the script's URL carries the number
/// of the build the page comes from.
fn inject_tags(build: u64) -> String {
    format!("<link rel=\"stylesheet\" href=\"/__planpress/overlay.css\"><script src=\"/__planpress/livereload.js?build={build}\" defer></script>")
}

/// What the browsers are told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The site changed: reload.
    Reload,
    /// The last rebuild failed: show this text over the page.
    BuildError(String),
}

impl Event {
    fn to_sse(&self) -> String {
        match self {
            Event::Reload => "event: reload\ndata: {}\n\n".to_string(),
            Event::BuildError(text) => {
                let json = serde_json::to_string(&serde_json::json!({ "message": text })).expect("a string serializes");
                format!("event: build-error\ndata: {json}\n\n")
            }
        }
    }
}

/// Shared between the server threads and the rebuild loop.
pub struct ServerState {
    output: PathBuf,
    clients: Mutex<Vec<Sender<Event>>>,
    error: Mutex<Option<String>>,
    /// Successful rebuilds so far: a page whose build is older when its event stream
    /// connects missed a reload and reloads at once.
    build: AtomicU64,
}

impl ServerState {
    /// State serving `output`.
    pub fn new(output: PathBuf) -> Arc<ServerState> {
        Arc::new(ServerState {
            output,
            clients: Mutex::new(Vec::new()),
            error: Mutex::new(None),
            build: AtomicU64::new(0),
        })
    }

    /// Tells every connected browser about `event`, and remembers an error for browsers
    /// that connect later.
    pub fn broadcast(&self, event: Event) {
        if event == Event::Reload {
            self.build.fetch_add(1, Ordering::SeqCst);
        }
        *self.error.lock().expect("lock") = match &event {
            Event::BuildError(t) => Some(t.clone()),
            Event::Reload => None,
        };
        self.clients.lock().expect("lock").retain(|c| c.send(event.clone()).is_ok());
    }
}

/// A running server.
pub struct Running {
    /// The address it listens on.
    pub addr: SocketAddr,
    stopping: Arc<AtomicBool>,
}

impl Running {
    /// Stops accepting requests.
    pub fn stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
        // Wakes the accepting thread, which then sees the flag.
        let _ = TcpStream::connect(self.addr);
    }
}

/// Starts serving on `addr` (port 0 picks a free port) in background threads: one that
/// accepts, and one per connection (event streams stay open). Each response closes its
/// connection — simple and robust for a preview on this computer.
pub fn start(addr: &str, state: Arc<ServerState>) -> Result<Running, String> {
    let listener = TcpListener::bind(addr).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AddrInUse {
            format!("{addr} はほかのプログラムが使っています(別の planpress serve が動いていませんか)。\n  直し方: そちらを止めるか、--port 8081 のように別の番号を指定してください")
        } else {
            format!("{addr} で待ち受けできません: {e}")
        }
    })?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let stopping = Arc::new(AtomicBool::new(false));
    let stop = stopping.clone();
    std::thread::Builder::new()
        .name("planpress-http".into())
        .spawn(move || {
            for conn in listener.incoming() {
                if stop.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(conn) = conn else { continue };
                let state = state.clone();
                let _ = std::thread::Builder::new().name("planpress-conn".into()).spawn(move || handle(conn, &state));
            }
        })
        .map_err(|e| e.to_string())?;
    Ok(Running { addr, stopping })
}

/// The parts of a request the server looks at.
struct Request {
    method: String,
    /// The request target as sent (path and query).
    target: String,
}

/// What a connection sent first.
enum Incoming {
    Request(Request),
    /// Closed, or silent until the timeout (a browser's spare connection): nothing to answer.
    Nothing,
    /// Not an HTTP request head (or one too large).
    Malformed,
}

/// Reads one request head (the body of a GET is empty; other methods are refused).
fn read_request(conn: &mut TcpStream) -> Incoming {
    const MAX_HEAD: usize = 64 * 1024;
    if conn.set_read_timeout(Some(Duration::from_secs(10))).is_err() {
        return Incoming::Nothing;
    }
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 4096];
    loop {
        let n = match conn.read(&mut chunk) {
            Ok(0) | Err(_) if buf.is_empty() => return Incoming::Nothing,
            Ok(0) | Err(_) => return Incoming::Malformed,
            Ok(n) => n,
        };
        buf.extend_from_slice(&chunk[..n]);
        let mut headers = [httparse::EMPTY_HEADER; 64];
        let mut req = httparse::Request::new(&mut headers);
        match req.parse(&buf) {
            Ok(httparse::Status::Complete(_)) => {
                return match (req.method, req.path) {
                    (Some(method), Some(target)) => {
                        Incoming::Request(Request { method: method.to_string(), target: target.to_string() })
                    }
                    _ => Incoming::Malformed,
                };
            }
            Ok(httparse::Status::Partial) if buf.len() < MAX_HEAD => continue,
            _ => return Incoming::Malformed,
        }
    }
}

/// A response with its length; the connection closes after it.
struct Response<'a> {
    status: u16,
    content_type: &'a str,
    body: Vec<u8>,
    /// Extra headers.
    headers: Vec<(&'a str, String)>,
}

impl<'a> Response<'a> {
    fn new(status: u16, content_type: &'a str, body: Vec<u8>) -> Self {
        Response { status, content_type, body, headers: Vec::new() }
    }

    fn header(mut self, name: &'a str, value: String) -> Self {
        self.headers.push((name, value));
        self
    }

    fn write(&self, conn: &mut TcpStream, head_only: bool) -> std::io::Result<()> {
        let reason = match self.status {
            200 => "OK",
            301 => "Moved Permanently",
            400 => "Bad Request",
            403 => "Forbidden",
            404 => "Not Found",
            405 => "Method Not Allowed",
            _ => "",
        };
        let mut head = format!(
            "HTTP/1.1 {} {reason}\r\nContent-Type: {}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n",
            self.status,
            self.content_type,
            self.body.len()
        );
        for (name, value) in &self.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        conn.write_all(head.as_bytes())?;
        if !head_only {
            conn.write_all(&self.body)?;
        }
        conn.flush()
    }
}

fn handle(mut conn: TcpStream, state: &ServerState) {
    let request = match read_request(&mut conn) {
        Incoming::Request(r) => r,
        Incoming::Nothing => return,
        Incoming::Malformed => {
            let _ = Response::new(400, "text/plain; charset=utf-8", b"bad request".to_vec()).write(&mut conn, false);
            return;
        }
    };
    let head_only = request.method == "HEAD";
    if request.method != "GET" && !head_only {
        let refused = Response::new(405, "text/plain; charset=utf-8", b"method not allowed".to_vec())
            .header("Allow", "GET, HEAD".into());
        let _ = refused.write(&mut conn, false);
        return;
    }
    let path = request.target.split(['?', '#']).next().unwrap_or("/").to_string();
    let response = match path.as_str() {
        "/__planpress/events" if !head_only => return events(conn, state),
        "/__planpress/livereload.js" => {
            Response::new(200, "text/javascript; charset=utf-8", RELOAD_JS.as_bytes().to_vec())
        }
        "/__planpress/overlay.css" => Response::new(200, "text/css; charset=utf-8", OVERLAY_CSS.as_bytes().to_vec()),
        _ => match resolve(&state.output, &path) {
            Resolved::File(file) => match std::fs::read(&file) {
                Ok(bytes) => {
                    let ct = content_type(&file);
                    Response::new(200, ct, inject(bytes, ct, state))
                }
                Err(_) => not_found(state),
            },
            Resolved::Redirect(to) => {
                Response::new(301, "text/plain; charset=utf-8", Vec::new()).header("Location", to)
            }
            Resolved::NotFound => not_found(state),
            Resolved::Forbidden => Response::new(403, "text/plain; charset=utf-8", b"forbidden".to_vec()),
        },
    };
    let _ = response.write(&mut conn, head_only);
}

fn not_found(state: &ServerState) -> Response<'static> {
    let page = std::fs::read(state.output.join("404.html"))
        .unwrap_or_else(|_| b"<!DOCTYPE html><title>404</title><p>404".to_vec());
    let ct = "text/html; charset=utf-8";
    Response::new(404, ct, inject(page, ct, state))
}

fn inject(bytes: Vec<u8>, content_type: &str, state: &ServerState) -> Vec<u8> {
    if !content_type.starts_with("text/html") {
        return bytes;
    }
    let mut out = bytes;
    out.extend_from_slice(inject_tags(state.build.load(Ordering::SeqCst)).as_bytes());
    out
}

/// A Server-Sent Events stream, written straight to the socket so each event is flushed.
fn events(mut conn: TcpStream, state: &ServerState) {
    let (tx, rx) = mpsc::channel();
    let pending = state.error.lock().expect("lock").clone();
    state.clients.lock().expect("lock").push(tx);
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\nCache-Control: no-store\r\nConnection: close\r\n\r\nretry: 500\n\n";
    let hello = format!("event: hello\ndata: {{\"build\":{}}}\n\n", state.build.load(Ordering::SeqCst));
    if conn
        .write_all(head.as_bytes())
        .and_then(|_| conn.write_all(hello.as_bytes()))
        .and_then(|_| conn.flush())
        .is_err()
    {
        return;
    }
    if let Some(text) = pending {
        let _ = conn.write_all(Event::BuildError(text).to_sse().as_bytes()).and_then(|_| conn.flush());
    }
    stream(&mut conn, &rx);
}

fn stream(w: &mut dyn Write, rx: &Receiver<Event>) {
    loop {
        let chunk = match rx.recv_timeout(Duration::from_secs(15)) {
            Ok(e) => e.to_sse(),
            Err(RecvTimeoutError::Timeout) => ": ping\n\n".to_string(),
            Err(RecvTimeoutError::Disconnected) => return,
        };
        if w.write_all(chunk.as_bytes()).and_then(|_| w.flush()).is_err() {
            return;
        }
    }
}

/// Where a URL path leads inside the output folder.
#[derive(Debug, PartialEq, Eq)]
pub enum Resolved {
    /// A file to send.
    File(PathBuf),
    /// A folder asked for without its trailing slash.
    Redirect(String),
    /// Nothing there.
    NotFound,
    /// Outside the output folder (traversal, encoded separators, symlinks out).
    Forbidden,
}

/// Resolves a URL path safely: `..`, encoded separators, NUL and links that lead outside
/// `root` are refused.
pub fn resolve(root: &Path, url_path: &str) -> Resolved {
    let Some(rest) = url_path.strip_prefix('/') else { return Resolved::Forbidden };
    let mut rel = PathBuf::new();
    for raw in rest.split('/') {
        let Some(seg) = decode(raw) else { return Resolved::Forbidden };
        if seg == ".." || seg.contains(['/', '\\', '\0']) || (seg.len() >= 2 && seg.as_bytes()[1] == b':') {
            return Resolved::Forbidden;
        }
        if seg.is_empty() || seg == "." {
            continue;
        }
        rel.push(seg);
    }
    let path = root.join(&rel);
    let Ok(real) = path.canonicalize() else { return Resolved::NotFound };
    let Ok(real_root) = root.canonicalize() else { return Resolved::NotFound };
    if !real.starts_with(&real_root) {
        return Resolved::Forbidden;
    }
    if real.is_dir() {
        if !url_path.ends_with('/') {
            return Resolved::Redirect(format!("{url_path}/"));
        }
        let index = real.join("index.html");
        return if index.is_file() { Resolved::File(index) } else { Resolved::NotFound };
    }
    if real.is_file() {
        Resolved::File(real)
    } else {
        Resolved::NotFound
    }
}

/// Percent-decodes one path segment; `None` for malformed escapes or invalid UTF-8.
fn decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = |c: u8| (c as char).to_digit(16);
            let (h, l) = (hex(*b.get(i + 1)?)?, hex(*b.get(i + 2)?)?);
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Content type by file extension, UTF-8 for text.
pub fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("html" | "htm") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("json") => "application/json; charset=utf-8",
        Some("csv") => "text/csv; charset=utf-8",
        Some("svg") => "image/svg+xml; charset=utf-8",
        Some("xml") => "application/xml; charset=utf-8",
        Some("txt") => "text/plain; charset=utf-8",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("ico") => "image/x-icon",
        Some("pdf") => "application/pdf",
        Some("woff2") => "font/woff2",
        Some("wasm") => "application/wasm",
        Some("gz") => "application/gzip",
        _ => "application/octet-stream",
    }
}

/// Reads a whole HTTP response from `addr` for `path` (used by tests and the benchmark).
pub fn http_get(addr: SocketAddr, path: &str) -> std::io::Result<(u16, String, Vec<u8>)> {
    let mut s = std::net::TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(s, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n")?;
    let mut buf = Vec::new();
    s.read_to_end(&mut buf)?;
    let split = buf.windows(4).position(|w| w == b"\r\n\r\n").unwrap_or(buf.len());
    let head = String::from_utf8_lossy(&buf[..split]).into_owned();
    let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = buf.get(split + 4..).unwrap_or_default().to_vec();
    Ok((status, head, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> tempfile::TempDir {
        let t = tempfile::tempdir().unwrap();
        let out = t.path().join("out");
        std::fs::create_dir_all(out.join("a")).unwrap();
        std::fs::write(out.join("index.html"), "<!DOCTYPE html><html lang=ja><title>t</title><p>home").unwrap();
        std::fs::write(out.join("a/index.html"), "a").unwrap();
        std::fs::write(out.join("404.html"), "<!DOCTYPE html><title>nf</title><p>見つかりません").unwrap();
        std::fs::write(out.join("d.csv"), "x").unwrap();
        std::fs::write(t.path().join("secret.txt"), "secret").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(t.path().join("secret.txt"), out.join("link.txt")).unwrap();
        t
    }

    #[test]
    fn resolves_files_and_folders() {
        let t = site();
        let out = t.path().join("out");
        assert!(matches!(resolve(&out, "/"), Resolved::File(p) if p.ends_with("index.html")));
        assert!(matches!(resolve(&out, "/a/"), Resolved::File(p) if p.ends_with("a/index.html")));
        assert_eq!(resolve(&out, "/a"), Resolved::Redirect("/a/".into()));
        assert_eq!(resolve(&out, "/nope/"), Resolved::NotFound);
    }

    #[test]
    fn many_connections_at_once_are_all_answered() {
        // A browser opens several connections at once and keeps them open. tiny_http (used
        // before) lost the wake-up of some of them in its thread pool; they waited until
        // another connection closed, and the search page at times never finished loading.
        let t = site();
        let run = start("127.0.0.1:0", ServerState::new(t.path().join("out"))).unwrap();
        let mut open = Vec::new();
        for round in 0..20 {
            let mut conns: Vec<std::net::TcpStream> =
                (0..8).map(|_| std::net::TcpStream::connect(run.addr).unwrap()).collect();
            for s in &mut conns {
                write!(s, "GET /a/ HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n").unwrap();
            }
            for (i, s) in conns.iter_mut().enumerate() {
                s.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
                let mut buf = [0u8; 512];
                let n = s.read(&mut buf).unwrap_or_else(|e| panic!("round {round}, connection {i} not answered: {e}"));
                assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"), "connection {i}");
            }
            open.extend(conns);
        }
        run.stop();
    }

    #[test]
    fn a_malformed_request_gets_400_and_a_silent_connection_nothing() {
        let t = site();
        let run = start("127.0.0.1:0", ServerState::new(t.path().join("out"))).unwrap();
        let mut s = std::net::TcpStream::connect(run.addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        s.write_all(b"NOT HTTP\r\n\r\n").unwrap();
        let mut got = String::new();
        let _ = s.read_to_string(&mut got);
        assert!(got.starts_with("HTTP/1.1 400"), "{got}");
        // A connection that sends nothing and closes is not answered.
        let mut silent = std::net::TcpStream::connect(run.addr).unwrap();
        silent.shutdown(std::net::Shutdown::Write).unwrap();
        silent.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut got = Vec::new();
        let _ = silent.read_to_end(&mut got);
        assert!(got.is_empty(), "{}", String::from_utf8_lossy(&got));
        run.stop();
    }

    #[test]
    fn large_files_are_sent_whole_with_their_length() {
        // Every response says its length (tiny_http, used before, sent 32 KB or more
        // chunked).
        let t = site();
        let out = t.path().join("out");
        let big = "x".repeat(100_000);
        std::fs::write(out.join("big.js"), &big).unwrap();
        std::fs::write(out.join("big.html"), format!("<!DOCTYPE html><title>b</title><p>{big}")).unwrap();
        let run = start("127.0.0.1:0", ServerState::new(out)).unwrap();
        for path in ["/big.js", "/big.html", "/nope"] {
            let (_, head, body) = http_get(run.addr, path).unwrap();
            let head = head.to_ascii_lowercase();
            assert!(!head.contains("transfer-encoding"), "{path}: {head}");
            assert!(head.contains(&format!("content-length: {}", body.len())), "{path}: {head}");
        }
        run.stop();
    }

    #[test]
    fn refuses_traversal_in_every_form() {
        let t = site();
        let out = t.path().join("out");
        for p in [
            "/../secret.txt",
            "/a/../../secret.txt",
            "/%2e%2e/secret.txt",
            "/%2E%2E/secret.txt",
            "/a%2f..%2f..%2fsecret.txt",
            "/..%5csecret.txt",
            "/%00",
            "/%zz",
            "/C:/x",
            "relative",
        ] {
            assert_eq!(resolve(&out, p), Resolved::Forbidden, "{p}");
        }
        assert_eq!(resolve(&out, "/link.txt"), Resolved::Forbidden, "symlink pointing outside");
        // An absolute path inside the URL stays inside the output folder.
        assert_eq!(resolve(&out, "//etc/passwd"), Resolved::NotFound);
    }

    #[test]
    fn serves_with_types_404_and_injection() {
        let t = site();
        let state = ServerState::new(t.path().join("out"));
        let run = start("127.0.0.1:0", state).unwrap();
        let (status, head, body) = http_get(run.addr, "/").unwrap();
        assert_eq!(status, 200);
        assert!(head.to_lowercase().contains("content-type: text/html; charset=utf-8"), "{head}");
        assert!(String::from_utf8_lossy(&body).contains("/__planpress/livereload.js"));
        let (status, head, _) = http_get(run.addr, "/d.csv").unwrap();
        assert_eq!(status, 200);
        assert!(head.to_lowercase().contains("text/csv; charset=utf-8"));
        let (status, _, body) = http_get(run.addr, "/missing/page/").unwrap();
        assert_eq!(status, 404);
        assert!(String::from_utf8_lossy(&body).contains("見つかりません"));
        let (status, _, _) = http_get(run.addr, "/../secret.txt").unwrap();
        assert!(status == 403 || status == 400, "{status}");
        let (status, _, _) = http_get(run.addr, "/%2e%2e/secret.txt").unwrap();
        assert_eq!(status, 403);
        let (status, head, _) = http_get(run.addr, "/a").unwrap();
        assert_eq!(status, 301);
        assert!(head.contains("/a/"));
        run.stop();
    }

    #[test]
    fn event_stream_delivers_reload_and_errors() {
        let t = site();
        let state = ServerState::new(t.path().join("out"));
        let run = start("127.0.0.1:0", state.clone()).unwrap();
        let mut s = open_events(run.addr);
        let mut got = String::new();
        read_until(&mut s, &mut got, "retry:");
        // Wait until the client is registered, then broadcast.
        for _ in 0..100 {
            if !state.clients.lock().unwrap().is_empty() {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        state.broadcast(Event::BuildError("content/a.md:3: だめ <b>".into()));
        state.broadcast(Event::Reload);
        read_until(&mut s, &mut got, "event: reload");
        assert!(got.contains("event: build-error") && got.contains("content/a.md:3"), "{got}");
        run.stop();
    }

    #[test]
    fn a_port_in_use_says_how_to_pick_another() {
        let t = site();
        let first = start("127.0.0.1:0", ServerState::new(t.path().join("out"))).unwrap();
        let Err(e) = start(&first.addr.to_string(), ServerState::new(t.path().join("out"))) else {
            panic!("the port is taken")
        };
        assert!(e.contains(&first.addr.to_string()) && e.contains("--port"), "{e}");
        first.stop();
    }

    /// A connection to the event stream.
    fn open_events(addr: SocketAddr) -> std::net::TcpStream {
        let mut s = std::net::TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        write!(s, "GET /__planpress/events HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        s
    }

    /// Reads from `s` into `got` until `until` appears.
    fn read_until(s: &mut std::net::TcpStream, got: &mut String, until: &str) {
        let mut buf = [0u8; 4096];
        while !got.contains(until) {
            let n = s.read(&mut buf).unwrap();
            got.push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    }

    /// Reads a new event stream from its start until `until` appears.
    fn events_until(addr: SocketAddr, until: &str) -> String {
        let mut got = String::new();
        read_until(&mut open_events(addr), &mut got, until);
        got
    }

    #[test]
    fn a_page_served_before_a_rebuild_learns_of_it_when_it_connects() {
        // Regression: a page loaded just before a rebuild, whose event stream connected
        // just after the reload was sent, kept showing the old content.
        let t = site();
        let state = ServerState::new(t.path().join("out"));
        let run = start("127.0.0.1:0", state.clone()).unwrap();
        let (_, _, body) = http_get(run.addr, "/").unwrap();
        assert!(String::from_utf8_lossy(&body).contains("/__planpress/livereload.js?build=0"));
        let got = events_until(run.addr, "}\n\n");
        assert!(got.contains("event: hello\ndata: {\"build\":0}"), "{got}");
        state.broadcast(Event::Reload);
        // The page still says 0; the stream it opens now says 1, so the page reloads.
        let got = events_until(run.addr, "}\n\n");
        assert!(got.contains("event: hello\ndata: {\"build\":1}"), "{got}");
        let (_, _, body) = http_get(run.addr, "/").unwrap();
        assert!(String::from_utf8_lossy(&body).contains("/__planpress/livereload.js?build=1"));
        // An error does not count as a build.
        state.broadcast(Event::BuildError("x".into()));
        assert!(events_until(run.addr, "event: build-error").contains("{\"build\":1}"));
        run.stop();
    }
}
