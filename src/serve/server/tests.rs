//! Tests of the preview server: routing, traversal, host checks, limits, events.
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
fn resolves_japanese_page_folders_sent_percent_encoded() {
    let t = site();
    let out = t.path().join("out");
    std::fs::create_dir_all(out.join("k/基本構想")).unwrap();
    std::fs::write(out.join("k/基本構想/index.html"), "x").unwrap();
    let encoded = "/k/%E5%9F%BA%E6%9C%AC%E6%A7%8B%E6%83%B3/";
    assert!(matches!(resolve(&out, encoded), Resolved::File(p) if p.ends_with("k/基本構想/index.html")));
    assert_eq!(resolve(&out, encoded.trim_end_matches('/')), Resolved::Redirect(encoded.into()));
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
        let got = raw(run.addr, &format!("GET / HTTP/1.1\r\nHost: {}\r\n{cookies}Connection: close\r\n\r\n", run.addr));
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

#[test]
fn pages_of_the_first_build_are_served_as_they_are_written() {
    // #18: on a large site the first build takes a while; its pages show as they come.
    let t = site();
    let state = ServerState::new(t.path().join("not-yet"));
    state.set_first_build(Some(t.path().join("out")));
    let run = start("127.0.0.1:0", state.clone()).unwrap();
    let (status, _, body) = http_get(run.addr, "/").unwrap();
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&body).contains("home"));
    let (status, head, _) = http_get(run.addr, "/a").unwrap();
    assert_eq!(status, 301, "{head}");
    // Not written yet: says so in Japanese and asks again without a script.
    let (status, head, body) = http_get(run.addr, "/b/").unwrap();
    assert_eq!(status, 503);
    assert!(head.contains("Retry-After: 1"), "{head}");
    let body = String::from_utf8_lossy(&body);
    assert!(body.contains("サイトを組み立てています") && body.contains("http-equiv=\"refresh\""), "{body}");
    // Traversal is refused in the build's folder too.
    let (status, _, _) = http_get(run.addr, "/%2e%2e/secret.txt").unwrap();
    assert_eq!(status, 403);
    // Once the build is over, a missing page is a 404 again.
    state.set_first_build(None);
    let (status, _, _) = http_get(run.addr, "/b/").unwrap();
    assert_eq!(status, 404);
    run.stop();
}
