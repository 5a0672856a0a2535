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
    /// While the first build runs: the folder it writes into. Its pages are served from
    /// there as they are written; one not written yet gets a 「組み立てています」 page.
    first_build: Mutex<Option<PathBuf>>,
}

impl ServerState {
    /// State serving `output`.
    pub fn new(output: PathBuf) -> Arc<ServerState> {
        Arc::new(ServerState {
            output,
            clients: Mutex::new(Vec::new()),
            error: Mutex::new(None),
            build: AtomicU64::new(0),
            first_build: Mutex::new(None),
        })
    }

    /// Serves the pages of the first build from `folder` as they are written (`Some`),
    /// or stops doing so once it is over (`None`).
    pub fn set_first_build(&self, folder: Option<PathBuf>) {
        *self.first_build.lock().expect("lock") = folder;
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
            503 => "Service Unavailable",
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
        _ => match resolve_during_first_build(state, &path) {
            None => building_page(state),
            Some(Resolved::File(file)) => match std::fs::read(&file) {
                Ok(bytes) => {
                    let ct = content_type(&file);
                    let body = inject(bytes, &ct, state);
                    Response::new(200, ct, body)
                }
                Err(_) => not_found(state),
            },
            // Only ever a path on this host; anything else (none known) is not followed.
            Some(Resolved::Redirect(to)) if to.starts_with('/') && !to.starts_with("//") && !to.starts_with("/\\") => {
                Response::new(301, "text/plain; charset=utf-8", Vec::new()).header("Location", to)
            }
            Some(Resolved::Redirect(_) | Resolved::NotFound) => not_found(state),
            Some(Resolved::Forbidden) => Response::new(403, "text/plain; charset=utf-8", b"forbidden".to_vec()),
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

/// [`resolve`] in the output; while the first build runs, in the folder it writes into
/// as well, and `None` for a file it has not written yet.
fn resolve_during_first_build(state: &ServerState, path: &str) -> Option<Resolved> {
    let resolved = resolve(&state.output, path);
    let building = state.first_build.lock().expect("lock").clone();
    match (resolved, building) {
        (Resolved::NotFound, Some(folder)) => match resolve(&folder, path) {
            Resolved::NotFound => None,
            found => Some(found),
        },
        (resolved, _) => Some(resolved),
    }
}

/// The answer for a page the first build has not written yet: it says so and asks again
/// a second later (a meta refresh: no script, which the site's CSP would not allow).
fn building_page(state: &ServerState) -> Response<'static> {
    const PAGE: &str = "<!DOCTYPE html><html lang=\"ja\"><head><meta charset=\"utf-8\">\
        <meta http-equiv=\"refresh\" content=\"1\"><meta name=\"viewport\" content=\"width=device-width\">\
        <title>組み立てています</title></head><body><p>サイトを組み立てています。\
        このページはまだできていません。できしだい表示します…</p></body></html>";
    let ct = "text/html; charset=utf-8";
    Response::new(503, ct, inject(PAGE.as_bytes().to_vec(), ct, state)).header("Retry-After", "1".into())
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
mod tests;
