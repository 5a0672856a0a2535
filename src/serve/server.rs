//! The local HTTP server of `planpress serve`: serves only files under the output folder,
//! with correct content types, the site's 404 page, and live reload over Server-Sent
//! Events. The reload script is injected into HTML responses here, so built files stay
//! exactly as `planpress build` writes them.

use std::borrow::Cow;
use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream};
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
/// connection — simple and robust for a preview on this computer. Only requests whose
/// `Host` names the bound address are answered (see [`host_allowed`]).
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
                let _ =
                    std::thread::Builder::new().name("planpress-conn".into()).spawn(move || handle(conn, &state, addr));
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
    /// The `Host` header.
    host: HostHeader,
}

/// The `Host` header of a request.
#[derive(Debug, PartialEq, Eq)]
enum HostHeader {
    /// None sent: an error in HTTP/1.1, normal in HTTP/1.0.
    Missing { http10: bool },
    /// Sent more than once, empty, or not UTF-8: always an error.
    Invalid,
    /// Sent once.
    Value(String),
}

/// What a connection sent first.
enum Incoming {
    Request(Request),
    /// Closed, or silent until the timeout (a browser's spare connection): nothing to answer.
    Nothing,
    /// Not an HTTP request head.
    Malformed,
    /// A head with more than [`MAX_HEADERS`] headers or more than [`MAX_HEAD`] bytes.
    TooLarge,
}

/// The most bytes a request head may have.
const MAX_HEAD: usize = 64 * 1024;
/// The most headers a request may have. Browsers with many cookies send more than 64.
const MAX_HEADERS: usize = 256;

/// Reads one request head (the body of a GET is empty; other methods are refused).
fn read_request(conn: &mut TcpStream) -> Incoming {
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
        match parse_head(&buf) {
            Parsed::Complete(_, len) if len > MAX_HEAD => return Incoming::TooLarge,
            Parsed::Complete(request, _) => return Incoming::Request(request),
            Parsed::Partial if buf.len() < MAX_HEAD => continue,
            Parsed::Partial | Parsed::TooManyHeaders => return Incoming::TooLarge,
            Parsed::Invalid => return Incoming::Malformed,
        }
    }
}

/// A request head parsed as far as it has arrived.
enum Parsed {
    /// The whole head, and its length in bytes.
    Complete(Request, usize),
    Partial,
    TooManyHeaders,
    Invalid,
}

/// Parses `buf` with room for 64 headers on the stack, then, for a head with more, again
/// with room for [`MAX_HEADERS`].
fn parse_head(buf: &[u8]) -> Parsed {
    let mut few = [httparse::EMPTY_HEADER; 64];
    match parse_with(buf, &mut few) {
        Parsed::TooManyHeaders => parse_with(buf, &mut vec![httparse::EMPTY_HEADER; MAX_HEADERS]),
        parsed => parsed,
    }
}

fn parse_with<'b>(buf: &'b [u8], headers: &mut [httparse::Header<'b>]) -> Parsed {
    let mut req = httparse::Request::new(headers);
    let len = match req.parse(buf) {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) => return Parsed::Partial,
        Err(httparse::Error::TooManyHeaders) => return Parsed::TooManyHeaders,
        Err(_) => return Parsed::Invalid,
    };
    let (Some(method), Some(target)) = (req.method, req.path) else { return Parsed::Invalid };
    let mut hosts = req.headers.iter().filter(|h| h.name.eq_ignore_ascii_case("host"));
    let host = match (hosts.next(), hosts.next()) {
        (None, _) => HostHeader::Missing { http10: req.version == Some(0) },
        (Some(h), None) => match std::str::from_utf8(h.value).map(str::trim) {
            Ok(v) if !v.is_empty() => HostHeader::Value(v.to_string()),
            _ => HostHeader::Invalid,
        },
        (Some(_), Some(_)) => HostHeader::Invalid,
    };
    Parsed::Complete(Request { method: method.to_string(), target: target.to_string(), host }, len)
}

/// Whether a request whose `Host` header is `host` is answered by a server bound to
/// `bound`. This keeps a web page elsewhere from reading the preview through a domain of
/// its own that resolves to this computer (DNS rebinding): its requests carry that
/// domain as the host.
///
/// Allowed, each without a port or with the bound port: `localhost`, `127.0.0.1`,
/// `[::1]` and the bound address itself (a `--bind` LAN address, say). When bound to
/// all interfaces (`0.0.0.0` or `[::]`) the server can be reached at any address of
/// this computer, which it does not know, so any IP literal is allowed: a rebinding
/// page always comes with a domain name, never an IP literal.
pub fn host_allowed(host: &str, bound: SocketAddr) -> bool {
    let (name, port) = match host.strip_prefix('[') {
        // `[v6]` or `[v6]:port`.
        Some(rest) => match rest.split_once(']') {
            Some((ip, "")) => (ip, None),
            Some((ip, tail)) => match tail.strip_prefix(':') {
                Some(port) => (ip, Some(port)),
                None => return false,
            },
            None => return false,
        },
        None => match host.split_once(':') {
            Some((name, port)) => (name, Some(port)),
            None => (host, None),
        },
    };
    if let Some(port) = port {
        if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) || port.parse() != Ok(bound.port()) {
            return false;
        }
    }
    let bracketed = host.starts_with('[');
    let ip = if bracketed {
        match name.parse::<Ipv6Addr>() {
            Ok(ip) => IpAddr::V6(ip),
            Err(_) => return false,
        }
    } else {
        if name.eq_ignore_ascii_case("localhost") {
            return true;
        }
        match name.parse::<Ipv4Addr>() {
            Ok(ip) => IpAddr::V4(ip),
            Err(_) => return false,
        }
    };
    ip == IpAddr::V4(Ipv4Addr::LOCALHOST)
        || ip == IpAddr::V6(Ipv6Addr::LOCALHOST)
        || ip == bound.ip()
        || bound.ip().is_unspecified()
}

/// A response with its length; the connection closes after it.
struct Response<'a> {
    status: u16,
    content_type: Cow<'static, str>,
    body: Vec<u8>,
    /// Extra headers.
    headers: Vec<(&'a str, String)>,
}

impl<'a> Response<'a> {
    fn new(status: u16, content_type: impl Into<Cow<'static, str>>, body: Vec<u8>) -> Self {
        Response { status, content_type: content_type.into(), body, headers: Vec::new() }
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
            431 => "Request Header Fields Too Large",
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

/// Answers one request on `conn`, which reached the server bound to `bound`.
fn handle(mut conn: TcpStream, state: &ServerState, bound: SocketAddr) {
    let text = "text/plain; charset=utf-8";
    let request = match read_request(&mut conn) {
        Incoming::Request(r) => r,
        Incoming::Nothing => return,
        Incoming::Malformed => return refuse(conn, Response::new(400, text, b"bad request".to_vec())),
        Incoming::TooLarge => {
            let body = b"request header fields too large".to_vec();
            return refuse(conn, Response::new(431, text, body));
        }
    };
    match &request.host {
        HostHeader::Missing { http10: true } => {}
        HostHeader::Value(host) if host_allowed(host, bound) => {}
        HostHeader::Missing { http10: false } | HostHeader::Invalid => {
            return refuse(conn, Response::new(400, text, b"bad request: Host header".to_vec()));
        }
        HostHeader::Value(host) => {
            let body = format!(
                "このホスト名への要求には答えません: {host}\nplanpress serve は 127.0.0.1 と localhost(--bind を指定したときはそのアドレス)への要求にだけ答えます。\n"
            );
            return refuse(conn, Response::new(403, text, body.into_bytes()));
        }
    }
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
                    let body = inject(bytes, &ct, state);
                    Response::new(200, ct, body)
                }
                Err(_) => not_found(state),
            },
            // Only ever a path on this host; anything else (none known) is not followed.
            Resolved::Redirect(to) if to.starts_with('/') && !to.starts_with("//") && !to.starts_with("/\\") => {
                Response::new(301, "text/plain; charset=utf-8", Vec::new()).header("Location", to)
            }
            Resolved::Redirect(_) => not_found(state),
            Resolved::NotFound => not_found(state),
            Resolved::Forbidden => Response::new(403, "text/plain; charset=utf-8", b"forbidden".to_vec()),
        },
    };
    let _ = response.write(&mut conn, head_only);
}

/// Sends an error response and closes without a reset: reads and drops what the client
/// is still sending (at most 1 MiB, for at most 2 seconds), so it gets to read the
/// response rather than "connection reset".
fn refuse(mut conn: TcpStream, response: Response) {
    if response.write(&mut conn, false).is_err() || conn.shutdown(std::net::Shutdown::Write).is_err() {
        return;
    }
    let deadline = std::time::Instant::now() + Duration::from_secs(2);
    let mut sink = [0u8; 4096];
    let mut left: usize = 1024 * 1024;
    while left > 0 {
        let Some(wait) = deadline.checked_duration_since(std::time::Instant::now()).filter(|d| !d.is_zero()) else {
            return;
        };
        if conn.set_read_timeout(Some(wait)).is_err() {
            return;
        }
        match conn.read(&mut sink) {
            Ok(0) | Err(_) => return,
            Ok(n) => left = left.saturating_sub(n),
        }
    }
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
    /// A folder asked for without its trailing slash: where it is, always a path on this
    /// host (never `//host/…`).
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
            // Built from the segments as sent (still percent-encoded), without empty and `.`
            // ones: `//kakegawa-2` must not become `//kakegawa-2/`, which a browser reads
            // as the host `kakegawa-2`.
            let mut to = String::from("/");
            for seg in rest.split('/').filter(|s| !s.is_empty() && *s != ".") {
                to.push_str(seg);
                to.push('/');
            }
            return Resolved::Redirect(to);
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

/// Percent-decodes one path segment; `None` for a malformed escape (a `%` not followed by
/// two hex digits, which [`percent_encoding`] would keep as it is) or invalid UTF-8.
fn decode(s: &str) -> Option<String> {
    let well_formed =
        s.split('%').skip(1).all(|after| after.len() >= 2 && after.as_bytes()[..2].iter().all(u8::is_ascii_hexdigit));
    if !well_formed {
        return None;
    }
    percent_encoding::percent_decode_str(s).decode_utf8().ok().map(|s| s.into_owned())
}

/// Content type by file extension ([`mime_guess`]), with `charset=utf-8` for text: the
/// output is all UTF-8, and a browser must not guess otherwise for Japanese pages.
pub fn content_type(path: &Path) -> Cow<'static, str> {
    let guessed = mime_guess::from_path(path).first_raw().unwrap_or("application/octet-stream");
    let essence = match guessed {
        // RFC 9239: JavaScript is text/javascript (mime_guess still says application/ for .mjs).
        "application/javascript" => "text/javascript",
        // RFC 7303 prefers application/xml (mime_guess: text/xml), as `sitemap.xml` is served.
        "text/xml" => "application/xml",
        other => other,
    };
    let textual = essence.starts_with("text/")
        || matches!(essence, "application/json" | "application/xml")
        || essence.ends_with("+json")
        || essence.ends_with("+xml");
    if textual {
        Cow::Owned(format!("{essence}; charset=utf-8"))
    } else {
        Cow::Borrowed(essence)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::http_get;

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
    fn content_types_are_those_served_before_mime_guess() {
        for (ext, want) in [
            ("html", "text/html; charset=utf-8"),
            ("htm", "text/html; charset=utf-8"),
            ("HTML", "text/html; charset=utf-8"),
            ("css", "text/css; charset=utf-8"),
            ("js", "text/javascript; charset=utf-8"),
            ("mjs", "text/javascript; charset=utf-8"),
            ("json", "application/json; charset=utf-8"),
            ("csv", "text/csv; charset=utf-8"),
            ("svg", "image/svg+xml; charset=utf-8"),
            ("xml", "application/xml; charset=utf-8"),
            ("txt", "text/plain; charset=utf-8"),
            ("png", "image/png"),
            ("jpg", "image/jpeg"),
            ("jpeg", "image/jpeg"),
            ("gif", "image/gif"),
            ("webp", "image/webp"),
            ("ico", "image/x-icon"),
            ("pdf", "application/pdf"),
            ("woff2", "font/woff2"),
            ("wasm", "application/wasm"),
            ("gz", "application/gzip"),
            ("unknown-ext", "application/octet-stream"),
        ] {
            assert_eq!(content_type(Path::new(&format!("a/f.{ext}"))), want, "{ext}");
        }
        assert_eq!(content_type(Path::new("a/no-extension")), "application/octet-stream");
        assert_eq!(content_type(Path::new("site.webmanifest")), "application/manifest+json; charset=utf-8");
    }

    #[test]
    fn decode_is_strict() {
        assert_eq!(decode("%E8%A8%88%E7%94%BB").as_deref(), Some("計画"));
        assert_eq!(decode("a%2fb").as_deref(), Some("a/b"));
        assert_eq!(decode("plain").as_deref(), Some("plain"));
        for bad in ["%", "%2", "%zz", "a%2", "%%41", "%FF", "%E8%A8"] {
            assert_eq!(decode(bad), None, "{bad}");
        }
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
                write!(s, "GET /a/ HTTP/1.1\r\nHost: {}\r\nConnection: keep-alive\r\n\r\n", run.addr).unwrap();
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
        write!(s, "GET /__planpress/events HTTP/1.1\r\nHost: {addr}\r\n\r\n").unwrap();
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

    /// Sends `request` as it is and reads the whole response.
    fn raw(addr: SocketAddr, request: &str) -> String {
        let mut s = std::net::TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        s.write_all(request.as_bytes()).unwrap();
        let mut buf = Vec::new();
        let _ = s.read_to_end(&mut buf);
        String::from_utf8_lossy(&buf).into_owned()
    }

    /// The `Location` header of a response head, if any.
    fn location(head: &str) -> Option<String> {
        head.lines().find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("location").then(|| value.trim().to_string())
        })
    }

    /// A redirect target a browser resolves on this host: a path, not `//host`, `/\host`
    /// or `scheme://host`.
    fn on_this_host(to: &str) -> bool {
        to.starts_with('/') && !to.starts_with("//") && !to.starts_with("/\\") && !to.contains("://")
    }

    #[test]
    fn a_double_slash_path_redirects_on_this_host() {
        // Regression: `GET //kakegawa-2` answered `Location: //kakegawa-2/`, which a browser
        // reads as the host `kakegawa-2`.
        let t = site();
        let out = t.path().join("out");
        std::fs::create_dir_all(out.join("kakegawa-2")).unwrap();
        std::fs::create_dir_all(out.join("evil.com")).unwrap();
        assert_eq!(resolve(&out, "//kakegawa-2"), Resolved::Redirect("/kakegawa-2/".into()));
        let run = start("127.0.0.1:0", ServerState::new(out)).unwrap();
        for (path, to) in [
            ("//kakegawa-2", "/kakegawa-2/"),
            ("///kakegawa-2", "/kakegawa-2/"),
            ("//evil.com", "/evil.com/"),
            ("/.//evil.com", "/evil.com/"),
            ("/a//", ""),
            ("/.", "/"),
            ("//.", "/"),
            ("/./.", "/"),
            ("/kakegawa-2", "/kakegawa-2/"),
        ] {
            let (status, head, _) = http_get(run.addr, path).unwrap();
            if to.is_empty() {
                assert_eq!(status, 200, "{path}: {head}");
                continue;
            }
            assert_eq!(status, 301, "{path}: {head}");
            assert_eq!(location(&head).as_deref(), Some(to), "{path}: {head}");
        }
        // Encoded or backslashed slashes never lead to another host either.
        for path in [
            "/\\evil.com",
            "/\\\\evil.com",
            "//\\evil.com",
            "/%2F%2Fevil",
            "/%2F%2Fevil.com",
            "/%2f/evil.com",
            "/%5Cevil.com",
            "/%5C%5Cevil.com",
            "/http://evil.com",
            "/http:%2F%2Fevil.com",
        ] {
            let (status, head, _) = http_get(run.addr, path).unwrap();
            if let Some(to) = location(&head) {
                assert!(on_this_host(&to), "{path} -> {to}");
            }
            assert_ne!(status, 200, "{path}: {head}");
        }
        run.stop();
    }

    #[test]
    fn a_foreign_host_header_is_refused() {
        // Regression: any Host was answered, so a page on a domain that resolves to
        // 127.0.0.1 (DNS rebinding) could read the preview.
        let t = site();
        let run = start("127.0.0.1:0", ServerState::new(t.path().join("out"))).unwrap();
        let port = run.addr.port();
        for host in [
            "evil.com".to_string(),
            format!("evil.com:{port}"),
            format!("127.0.0.1.evil.com:{port}"),
            format!("localhost.evil.com:{port}"),
            "localhost:1".to_string(),
            format!("[::2]:{port}"),
            format!("10.0.0.1:{port}"),
            format!("evil.com@127.0.0.1:{port}"),
        ] {
            for path in ["/", "/__planpress/events", "/a"] {
                let got = raw(run.addr, &format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"));
                assert!(got.starts_with("HTTP/1.1 403"), "{host} {path}: {got}");
                assert!(got.contains("127.0.0.1") && got.contains("--bind") && got.contains("ホスト"), "{got}");
                assert!(location(&got).is_none(), "{got}");
            }
        }
        for host in [
            "localhost".to_string(),
            format!("localhost:{port}"),
            format!("LocalHost:{port}"),
            "127.0.0.1".to_string(),
            format!("127.0.0.1:{port}"),
            "[::1]".to_string(),
            format!("[::1]:{port}"),
        ] {
            let got = raw(run.addr, &format!("GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"));
            assert!(got.starts_with("HTTP/1.1 200"), "{host}: {got}");
        }
        run.stop();
    }

    #[test]
    fn a_request_without_a_host_header_gets_400() {
        let t = site();
        let run = start("127.0.0.1:0", ServerState::new(t.path().join("out"))).unwrap();
        let addr = run.addr;
        for request in [
            "GET / HTTP/1.1\r\nConnection: close\r\n\r\n".to_string(),
            "GET / HTTP/1.1\r\nHost:\r\nConnection: close\r\n\r\n".to_string(),
            format!("GET / HTTP/1.1\r\nHost: {addr}\r\nHost: {addr}\r\nConnection: close\r\n\r\n"),
        ] {
            let got = raw(addr, &request);
            assert!(got.starts_with("HTTP/1.1 400"), "{request:?}: {got}");
        }
        // HTTP/1.0 has no Host requirement.
        assert!(raw(addr, "GET / HTTP/1.0\r\n\r\n").starts_with("HTTP/1.1 200"));
        run.stop();
    }

    #[test]
    fn a_request_with_100_headers_is_answered() {
        // Regression: more than 64 headers (a browser with many cookies) got 400.
        let t = site();
        let run = start("127.0.0.1:0", ServerState::new(t.path().join("out"))).unwrap();
        for n in [63, 64, 65, 100, 250] {
            let cookies: String = (0..n).map(|i| format!("Cookie: c{i}=v{i}\r\n")).collect();
            let got =
                raw(run.addr, &format!("GET / HTTP/1.1\r\nHost: {}\r\n{cookies}Connection: close\r\n\r\n", run.addr));
            assert!(got.starts_with("HTTP/1.1 200"), "{n} headers: {got}");
        }
        run.stop();
    }

    #[test]
    fn a_request_with_too_many_headers_or_too_large_a_head_gets_431() {
        let t = site();
        let run = start("127.0.0.1:0", ServerState::new(t.path().join("out"))).unwrap();
        let addr = run.addr;
        let many: String = (0..1000).map(|i| format!("X-H{i}: v\r\n")).collect();
        let big = format!("Cookie: c={}\r\n", "x".repeat(70_000));
        for extra in [many, big] {
            let got = raw(addr, &format!("GET / HTTP/1.1\r\nHost: {addr}\r\n{extra}Connection: close\r\n\r\n"));
            assert!(got.starts_with("HTTP/1.1 431 Request Header Fields Too Large"), "{}", &got[..got.len().min(200)]);
        }
        // A head that never ends is cut off at the bound too.
        let mut s = std::net::TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        write!(s, "GET / HTTP/1.1\r\nHost: {addr}\r\n").unwrap();
        let line = format!("X-Pad: {}\r\n", "y".repeat(1000));
        let mut sent = 0;
        while sent < 200_000 && s.write_all(line.as_bytes()).is_ok() {
            sent += line.len();
        }
        let mut got = Vec::new();
        let _ = s.read_to_end(&mut got);
        assert!(String::from_utf8_lossy(&got).starts_with("HTTP/1.1 431"), "{}", String::from_utf8_lossy(&got));
        run.stop();
    }

    #[test]
    fn hosts_allowed_follow_the_bound_address() {
        let local: SocketAddr = "127.0.0.1:8080".parse().unwrap();
        let lan: SocketAddr = "192.168.1.5:8080".parse().unwrap();
        let any4: SocketAddr = "0.0.0.0:8080".parse().unwrap();
        let any6: SocketAddr = "[::]:8080".parse().unwrap();
        let v6: SocketAddr = "[::1]:8080".parse().unwrap();
        for bound in [local, lan, any4, any6, v6] {
            for host in ["localhost", "localhost:8080", "127.0.0.1", "127.0.0.1:8080", "[::1]", "[::1]:8080"] {
                assert!(host_allowed(host, bound), "{host} on {bound}");
            }
            for host in [
                "evil.com",
                "evil.com:8080",
                "localhost:8081",
                "localhost:",
                "localhost:+8080",
                "127.0.0.1:80",
                "[::1]:8081",
                "[::1",
                "[::1]x",
                "::1",
                "[127.0.0.1]",
                "localhost.evil.com",
                "127.0.0.1.nip.io",
                "192.168.1.5.nip.io:8080",
            ] {
                assert!(!host_allowed(host, bound), "{host} on {bound}");
            }
        }
        // `--bind 192.168.1.5`: that address too, but not another one.
        assert!(host_allowed("192.168.1.5:8080", lan) && host_allowed("192.168.1.5", lan));
        assert!(!host_allowed("192.168.1.6:8080", lan) && !host_allowed("192.168.1.5:8080", local));
        // All interfaces: any IP literal (the machine's addresses are not known), never a name.
        for bound in [any4, any6] {
            for host in ["192.168.1.5:8080", "10.0.0.7", "0.0.0.0:8080", "[fe80::1]:8080", "[::]:8080"] {
                assert!(host_allowed(host, bound), "{host} on {bound}");
            }
            assert!(!host_allowed("router.local:8080", bound) && !host_allowed("10.0.0.7:9", bound));
        }
    }
}
