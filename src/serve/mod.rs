//! `planpress serve`: build, serve on 127.0.0.1, watch the sources, rebuild only what a
//! change affects, and reload the browsers. Errors are shown in the terminal and over the
//! page; the last good site keeps being served, and fixing the file recovers.
//!
//! The site is built into a folder of its own (never `public/`), with `base_url` pointing
//! at the local server, so what `planpress build` publishes is never touched. Pages come
//! first, at start and after each edit; the search files follow in a background thread
//! once edits pause for a second, updated in place: only the shards (and positions and
//! documents) an edit changes are rewritten ([`crate::search::export::update`]). Stopping
//! (Ctrl+C) waits for that thread and removes the folder.

pub mod affected;
pub mod project;
pub mod server;

use crate::build::BuildOptions;
use crate::content::Site;
use crate::diagnostics::print;
use notify::{RecursiveMode, Watcher};
use project::{Changes, Project};
use server::{Event, ServerState};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

/// Settings of `planpress serve`.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The site root.
    pub root: PathBuf,
    /// Address to listen on (default 127.0.0.1).
    pub bind: String,
    /// Port (0 picks a free one).
    pub port: u16,
    /// Quiet period after the last file event before rebuilding.
    pub debounce: Duration,
    /// The base URL of the pages instead of `http://<address>/` (`--base-url`, as Zola's):
    /// a full URL, or only a host (`192.168.1.10`), which gets `http://` and the port.
    pub base_url: Option<String>,
}

/// A started `serve`: the address and the thread that watches and rebuilds.
pub struct Serving {
    /// Where the site is served.
    pub addr: std::net::SocketAddr,
    /// Where it is built.
    pub output: PathBuf,
    /// The base URL of the pages (`http://<addr>/` unless `--base-url`).
    pub base_url: String,
    stop: mpsc::Sender<()>,
    handle: Option<std::thread::JoinHandle<()>>,
    search: SearchRefresher,
    server: server::Running,
}

impl Serving {
    /// The site's URL: its base URL, which is where a browser opens it.
    pub fn url(&self) -> String {
        self.base_url.clone()
    }

    /// Blocks until the watcher stops (it does not unless stopped).
    pub fn wait(mut self) {
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }

    /// Stops watching and serving, waits for the search refresh to stop writing, and
    /// removes the folder the site was built in.
    pub fn stop(mut self) {
        let _ = self.stop.send(());
        self.server.stop();
        self.search.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.handle.take() {
            // The watcher holds the refresher's channel: once it ends, so does the refresher.
            let _ = h.join();
        }
        if let Some(h) = self.search.handle.take() {
            let _ = h.join();
        }
        let _ = std::fs::remove_dir_all(&self.output);
    }
}

/// Builds the site and starts serving and watching it. Prints to the terminal.
pub fn serve(opts: ServeOptions) -> Result<Serving, String> {
    let root = opts.root.canonicalize().map_err(|e| format!("{} を開けません: {e}", opts.root.display()))?;
    // One folder per serve, even several in one process (tests).
    static STARTED: AtomicUsize = AtomicUsize::new(0);
    let n = STARTED.fetch_add(1, Ordering::Relaxed);
    // The build folders of serves that were killed (no Ctrl+C) go first.
    crate::output::staging::remove_stale_folders(&std::env::temp_dir(), "planpress-serve-");
    let output = std::env::temp_dir().join(format!("planpress-serve-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&output);
    // Listen first, so the port (perhaps picked by the system) is known for base_url.
    let state = ServerState::new(output.clone());
    let running = server::start(&format!("{}:{}", opts.bind, opts.port), state.clone())?;
    let addr = running.addr;
    let base_url = serve_base_url(opts.base_url.as_deref(), addr);
    let build_opts = BuildOptions {
        root: root.clone(),
        output: Some(output.clone()),
        base_url: Some(base_url.clone()),
        progress: true,
        // A preview: readable HTML, and no minifier pass on every page an edit touches
        // (half the time of a re-render). `planpress build` minifies as site.toml says.
        minify: Some(false),
        // Pages first: the search files follow from the background refresher.
        defer_search: true,
        // serve's own temporary folder, written into by every edit.
        private_output: true,
        // A preview shows the drafts too, each marked 「下書き」.
        drafts: true,
    };
    // Watch before the first build, so that an edit saved while it runs is not lost.
    let (tx, rx) = mpsc::channel::<notify::Result<notify::Event>>();
    let watcher = notify::recommended_watcher(move |e| {
        let _ = tx.send(e);
    })
    .map_err(|e| format!("ファイルの監視を始められません: {e}"))?;
    let mut watch = Watch { watcher, root: root.clone(), armed: Vec::new() };
    watch.arm().map_err(|e| format!("{} を監視できません: {e}", root.display()))?;
    let started = Instant::now();
    // Pages are served as the first build writes them (a large site takes a while).
    state.set_first_build(crate::output::staging::Staging::folder_of(&output).ok());
    let opened = Project::open(build_opts.clone());
    state.set_first_build(None);
    if opened.is_ok() {
        // A page shown before its build was over reloads into the finished site.
        state.broadcast(Event::Reload);
    }
    let project = match opened {
        Ok(p) => {
            print::out().status(format!("サイトを組み立てました({:.1} 秒)", started.elapsed().as_secs_f64()));
            Some(p)
        }
        Err(d) => {
            print::err().diagnostics(&d);
            print::err().line("誤りを直して保存すると、組み立て直します。");
            state.broadcast(Event::BuildError(d.to_string()));
            std::fs::create_dir_all(&output).map_err(|e| e.to_string())?;
            None
        }
    };
    // What was saved during the first build may or may not be in it: read it all again,
    // and watch the folders that appeared meanwhile (a new `themes/` says nothing more
    // than its own name: the files saved in it were not watched).
    let theme = project.as_ref().map(|p| p.theme().to_string()).unwrap_or_else(|| "default".into());
    let mut first = Changes::default();
    let mut moved = false;
    while let Ok(e) = rx.try_recv() {
        moved |= e.as_ref().is_ok_and(|e| moves_folders(e, &root));
        collect(&mut first, e, &root, &theme);
    }
    if moved {
        if let Err(e) = watch.arm() {
            print::err().warning(format!("監視をやり直せません: {e}"));
        }
    }
    first.rescan = moved || !first.is_empty();
    let (stop_tx, stop_rx) = mpsc::channel();
    let (search, sites) = SearchRefresher::spawn(output.clone()).map_err(|e| e.to_string())?;
    if let Some(p) = &project {
        let _ = sites.send(p.site());
    }
    let handle = std::thread::Builder::new()
        .name("planpress-watch".into())
        .spawn(move || {
            let mut watch = watch; // dropped when the loop ends
            let ctx =
                Loop { build_opts, rx: &rx, stop: &stop_rx, state: &state, debounce: opts.debounce, search: &sites };
            watch_loop(project, first, &mut watch, &ctx);
        })
        .map_err(|e| e.to_string())?;
    Ok(Serving { addr, output, base_url, stop: stop_tx, handle: Some(handle), search, server: running })
}

/// The base URL `serve` gives the pages: `--base-url` as written when it has a scheme;
/// a bare host (`192.168.1.10`, `pc01.local`) with `http://` and the port it listens on;
/// else the address it listens on.
pub fn serve_base_url(given: Option<&str>, addr: std::net::SocketAddr) -> String {
    match given.map(str::trim).filter(|g| !g.is_empty()) {
        Some(url) if url.contains("://") => url.to_string(),
        Some(host) => {
            let host = host.trim_end_matches('/');
            // A host that already names its port keeps it.
            if host.rsplit_once(':').is_some_and(|(h, p)| !h.contains(':') && p.parse::<u16>().is_ok()) {
                format!("http://{host}/")
            } else {
                format!("http://{host}:{}/", addr.port())
            }
        }
        None => format!("http://{addr}/"),
    }
}

/// Opens `url` in the webmaster's browser (`serve --open`): `xdg-open` on Linux, `open`
/// on macOS, `start` on Windows. Does not wait for the browser.
pub fn open_browser(url: &str) -> Result<(), String> {
    let mut cmd = if cfg!(target_os = "windows") {
        let mut c = std::process::Command::new("cmd");
        c.args(["/C", "start", ""]);
        c
    } else if cfg!(target_os = "macos") {
        std::process::Command::new("open")
    } else {
        std::process::Command::new("xdg-open")
    };
    let mut child = cmd
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(|e| {
            format!("ブラウザーを開けませんでした({e})。{url} をブラウザーのアドレス欄に入れて開いてください")
        })?;
    // Reaped in the background, so no zombie is left while serve runs.
    std::thread::spawn(move || {
        let _ = child.wait();
    });
    Ok(())
}

/// The background thread that rewrites the search files for the newest site it is sent,
/// skipping snapshots that were superseded while it worked. It ends when its channel
/// closes, without starting another refresh; [`SearchRefresher::stop`] cuts short the
/// one under way.
struct SearchRefresher {
    stop: Arc<AtomicBool>,
    handle: Option<std::thread::JoinHandle<()>>,
}

impl SearchRefresher {
    fn spawn(output: PathBuf) -> std::io::Result<(SearchRefresher, mpsc::Sender<Arc<Site>>)> {
        let (tx, rx) = mpsc::channel::<Arc<Site>>();
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = stop.clone();
        let handle = std::thread::Builder::new()
            .name("planpress-search".into())
            .spawn(move || refresh_loop(&rx, &output, &stopping))?;
        Ok((SearchRefresher { stop, handle: Some(handle) }, tx))
    }
}

/// The refresher's loop (see [`SearchRefresher`]).
fn refresh_loop(rx: &mpsc::Receiver<Arc<Site>>, output: &Path, stop: &Arc<AtomicBool>) {
    // The export runs on a thread pool of its own (in rayon's global pool its long
    // parallel tasks made page rebuilds wait for a free worker), whose threads, started
    // from this one, inherit its priority.
    lower_priority();
    // The first site (serve's start) has no search files yet: no reason to wait.
    let mut first = true;
    'sites: while let Ok(mut site) = rx.recv() {
        // Wait for a quiet second: while someone is editing, pages come first.
        let quiet = Duration::from_secs(if std::mem::replace(&mut first, false) { 0 } else { 1 });
        loop {
            match rx.recv_timeout(quiet) {
                Ok(newer) => site = newer,
                Err(mpsc::RecvTimeoutError::Timeout) => break,
                Err(mpsc::RecvTimeoutError::Disconnected) => break 'sites,
            }
        }
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let started = Instant::now();
        match project::refresh_search(&site, output, stop) {
            Ok((files, changed)) => {
                print::out()
                    .status(format!("サイト内検索を使えるようにしました({:.1} 秒)", started.elapsed().as_secs_f64()));
                print::out().verbose(format!("  検索用のファイル {files} 個のうち {changed} 個を書き換え"));
            }
            Err(_) if stop.load(Ordering::Relaxed) => break,
            Err(d) => print::err().diagnostics(&d),
        }
    }
}

/// Makes the calling thread, and the threads it starts (tantivy's indexers), yield the
/// CPU to page rebuilds. On Linux the nice value is per thread and inherited.
fn lower_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority with who = 0 changes only the calling thread's nice value.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, 19);
    }
}

/// What the watch loop works with.
struct Loop<'a> {
    build_opts: BuildOptions,
    rx: &'a mpsc::Receiver<notify::Result<notify::Event>>,
    stop: &'a mpsc::Receiver<()>,
    state: &'a ServerState,
    debounce: Duration,
    search: &'a mpsc::Sender<Arc<Site>>,
}

/// The watched folders: the site root itself (not recursive: it sees `content/`,
/// `themes/`, `static/` and `site.toml` come and go) and each of those folders that
/// exists, recursively. Re-armed whenever one of them appears, vanishes or moves, and
/// whenever a folder inside them does (a watch follows an inode, not a path).
struct Watch {
    watcher: notify::RecommendedWatcher,
    root: PathBuf,
    armed: Vec<PathBuf>,
}

/// The folders under the root that are watched recursively.
const WATCHED: [&str; 3] = ["content", "themes", "static"];

impl Watch {
    /// (Re)starts every watch. The root's own watch must succeed; a source folder that
    /// cannot be watched is reported.
    fn arm(&mut self) -> notify::Result<()> {
        for p in std::mem::take(&mut self.armed) {
            let _ = self.watcher.unwatch(&p);
        }
        self.watcher.watch(&self.root, RecursiveMode::NonRecursive)?;
        self.armed.push(self.root.clone());
        for dir in WATCHED {
            let p = self.root.join(dir);
            if p.is_dir() {
                match self.watcher.watch(&p, RecursiveMode::Recursive) {
                    Ok(()) => self.armed.push(p),
                    Err(e) => print::err().warning(format!("{} を監視できません: {e}", p.display())),
                }
            }
        }
        Ok(())
    }
}

/// Whether `event` changes which folders exist under the watched ones (so the watches
/// must be re-armed and everything read again).
fn moves_folders(event: &notify::Event, root: &Path) -> bool {
    use notify::event::{CreateKind, EventKind, ModifyKind, RemoveKind};
    let top = |p: &Path| p.parent() == Some(root) && WATCHED.iter().any(|d| p.file_name() == Some(d.as_ref()));
    // Only the watched folders count (not `public/` or a staging folder beside them), and
    // not what planpress does not read: an editor that saves through a hidden temporary
    // file (gedit's `.goutputstream-XXXXXX`) would otherwise re-read the site on each save.
    let inside = |p: &Path| WATCHED.iter().any(|d| p.starts_with(root.join(d))) && !ignored(p, root);
    let mut paths = event.paths.iter().filter(|p| inside(p));
    // Events were lost (the kernel's queue overflowed): what they said is not known.
    if event.need_rescan() {
        return true;
    }
    match event.kind {
        EventKind::Create(CreateKind::Folder) | EventKind::Remove(RemoveKind::Folder) => paths.next().is_some(),
        EventKind::Modify(ModifyKind::Name(_)) => {
            // A renamed folder (its new name is a folder; or its old name has no extension
            // and is gone).
            paths.any(|p| top(p) || p.is_dir() || (p.extension().is_none() && !p.exists()))
        }
        // A watched folder itself, as backends that do not say "folder" report it.
        EventKind::Create(_) | EventKind::Remove(_) | EventKind::Any | EventKind::Other => paths.any(|p| top(p)),
        // Not an opened folder (every build reads `content/`: that would start another
        // build, and so on without end) nor its changed times or permissions.
        EventKind::Access(_) | EventKind::Modify(_) => false,
    }
}

fn watch_loop(mut project: Option<Project>, mut pending: Changes, watch: &mut Watch, ctx: &Loop<'_>) {
    // What a failed rebuild was to apply: the project kept its last good state, which has
    // not seen it, so it goes with the next change (the fix). A full re-read after folders
    // moved, above all: the fix is often in a file the last good state knows (a link to a
    // renamed folder), and alone it would be read against the old folders.
    let mut failed = Changes::default();
    loop {
        if ctx.stop.try_recv().is_ok() {
            return;
        }
        let theme = project.as_ref().map(|p| p.theme().to_string()).unwrap_or_else(|| "default".into());
        let mut changes = std::mem::take(&mut pending);
        let mut rearm = false;
        if changes.is_empty() {
            let first = match ctx.rx.recv_timeout(Duration::from_millis(200)) {
                Ok(e) => e,
                Err(mpsc::RecvTimeoutError::Timeout) => continue,
                Err(mpsc::RecvTimeoutError::Disconnected) => return,
            };
            // Editors save in several steps: wait for a quiet moment, a short one once the
            // last event says a file is complete.
            let mut quiet = quiet_after(&first, ctx.debounce);
            rearm |= first.as_ref().is_ok_and(|e| moves_folders(e, &watch.root));
            collect(&mut changes, first, &watch.root, &theme);
            while let Ok(e) = ctx.rx.recv_timeout(quiet) {
                quiet = quiet_after(&e, ctx.debounce);
                rearm |= e.as_ref().is_ok_and(|e| moves_folders(e, &watch.root));
                collect(&mut changes, e, &watch.root, &theme);
            }
        }
        if rearm {
            if let Err(e) = watch.arm() {
                print::err().warning(format!("監視をやり直せません: {e}"));
            }
            // What changed before the new watches started is found by reading it all.
            changes.rescan = true;
        }
        if changes.is_empty() {
            continue;
        }
        merge(&mut changes, std::mem::take(&mut failed));
        let result = match project.as_mut() {
            Some(p) => p.rebuild(&changes).map(Some),
            // No good build yet: try a full one.
            None => Project::open(ctx.build_opts.clone()).map(|p| {
                project = Some(p);
                None
            }),
        };
        match result {
            Ok(r) => {
                ctx.state.broadcast(Event::Reload);
                // A first good build (after a failed start) has no search files yet.
                let opened = r.is_none();
                match r {
                    Some(r) => {
                        print::out().status(format!(
                            "更新しました: {} ページ{}({:.1} 秒)",
                            r.rendered,
                            if r.removed > 0 { format!("、{} ページを削除", r.removed) } else { String::new() },
                            r.elapsed.as_secs_f64()
                        ));
                        print::out().verbose(format!(
                            "  描画 {} ページ、書き換え {} ファイル、{:.0} ms",
                            r.rendered,
                            r.written,
                            r.elapsed.as_secs_f64() * 1000.0
                        ));
                    }
                    None => print::out().status("サイトを組み立て直しました"),
                }
                if !changes.content.is_empty() || changes.config || changes.rescan || opened {
                    if let Some(p) = &project {
                        let _ = ctx.search.send(p.site());
                    }
                }
            }
            Err(d) => {
                print::err().diagnostics(&d);
                print::err().line("前回の正しいサイトを表示し続けます。誤りを直して保存してください。");
                ctx.state.broadcast(Event::BuildError(d.to_string()));
                failed = changes;
            }
        }
    }
}

/// Adds the changes of `more` to `changes`.
fn merge(changes: &mut Changes, more: Changes) {
    changes.config |= more.config;
    changes.rescan |= more.rescan;
    changes.templates.extend(more.templates);
    changes.content.extend(more.content);
    changes.statics.extend(more.statics);
}

/// How long to wait for more events after `event`: [`SETTLED`] when it completes a file
/// (closed after writing, moved into place, removed), else `debounce`.
fn quiet_after(event: &notify::Result<notify::Event>, debounce: Duration) -> Duration {
    use notify::event::{AccessKind, AccessMode, EventKind, ModifyKind, RenameMode};
    let complete = event.as_ref().is_ok_and(|e| {
        matches!(
            e.kind,
            EventKind::Access(AccessKind::Close(AccessMode::Write))
                | EventKind::Modify(ModifyKind::Name(RenameMode::To | RenameMode::Both))
                | EventKind::Remove(_)
        )
    });
    if complete {
        SETTLED.min(debounce)
    } else {
        debounce
    }
}

/// The wait after an event that completes a file: long enough for the events of a save
/// that touches several files at once, short next to a page reload.
const SETTLED: Duration = Duration::from_millis(5);

fn collect(changes: &mut Changes, event: notify::Result<notify::Event>, root: &Path, theme: &str) {
    let Ok(event) = event else { return };
    if matches!(event.kind, notify::EventKind::Access(_)) {
        return;
    }
    for path in event.paths {
        if !ignored(&path, root) {
            changes.add(path.strip_prefix(root).unwrap_or(&path), theme);
        }
    }
}

/// Whether `path` is one planpress does not read: a hidden name, or an editor's backup or
/// swap file, anywhere below the root.
fn ignored(path: &Path, root: &Path) -> bool {
    path.strip_prefix(root).unwrap_or(path).components().any(|c| {
        let s = c.as_os_str().to_string_lossy();
        s.starts_with('.') || s.ends_with('~') || s.ends_with(".swp")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{AccessKind, AccessMode, DataChange, EventKind, ModifyKind, RemoveKind, RenameMode};

    #[test]
    fn a_completed_file_shortens_the_wait() {
        let debounce = Duration::from_millis(30);
        let after = |kind| quiet_after(&Ok(notify::Event::new(kind)), debounce);
        assert_eq!(after(EventKind::Modify(ModifyKind::Data(DataChange::Any))), debounce, "still being written");
        assert_eq!(after(EventKind::Create(notify::event::CreateKind::File)), debounce);
        assert_eq!(after(EventKind::Access(AccessKind::Close(AccessMode::Write))), SETTLED);
        assert_eq!(after(EventKind::Modify(ModifyKind::Name(RenameMode::To))), SETTLED, "moved into place");
        assert_eq!(after(EventKind::Remove(RemoveKind::File)), SETTLED);
        assert_eq!(quiet_after(&Err(notify::Error::generic("x")), debounce), debounce);
        assert_eq!(
            quiet_after(&Ok(notify::Event::new(EventKind::Remove(RemoveKind::File))), Duration::from_millis(2)),
            Duration::from_millis(2)
        );
    }

    #[test]
    fn only_folders_that_come_and_go_under_the_watched_ones_count() {
        use notify::event::CreateKind;
        let t = tempfile::tempdir().unwrap();
        let root = t.path();
        std::fs::create_dir_all(root.join("content/plan/sub")).unwrap();
        std::fs::write(root.join("content/plan/a.md"), "").unwrap();
        let moves = |kind, paths: &[&str]| {
            let mut e = notify::Event::new(kind);
            for p in paths {
                e = e.add_path(root.join(p));
            }
            moves_folders(&e, root)
        };
        let (create, remove) = (EventKind::Create(CreateKind::Folder), EventKind::Remove(RemoveKind::Folder));
        let (from, to, both) = (
            EventKind::Modify(ModifyKind::Name(RenameMode::From)),
            EventKind::Modify(ModifyKind::Name(RenameMode::To)),
            EventKind::Modify(ModifyKind::Name(RenameMode::Both)),
        );
        // The output and the staging folders beside it are not sources.
        assert!(!moves(create, &["public"]));
        assert!(!moves(create, &["public/showcase"]));
        assert!(!moves(remove, &["public"]));
        assert!(!moves(create, &[".public.staging-1"]));
        assert!(!moves(both, &[".public.staging-1", "public"]));
        assert!(!moves(remove, &[".public.staging-1"]));
        // Folders under content/ (and the sources' own folders).
        assert!(moves(create, &["content/plan/sub"]));
        assert!(moves(remove, &["content/old"]));
        assert!(moves(create, &["themes"]));
        assert!(moves(create, &["content"]));
        // content/ renamed away and back (the root's watch sees both).
        assert!(moves(from, &["content"]));
        assert!(moves(to, &["content"]));
        assert!(moves(both, &["content", "content.old"]));
        assert!(moves(both, &["content/gone", "content/plan/sub"]), "a plan folder renamed");
        assert!(moves(from, &["content/gone"]), "a folder moved out of the site");
        // Files are not folders: created, written, removed, renamed into place.
        assert!(!moves(EventKind::Create(CreateKind::File), &["content/plan/a.md"]));
        assert!(!moves(EventKind::Modify(ModifyKind::Data(DataChange::Any)), &["content/plan/a.md"]));
        assert!(!moves(EventKind::Remove(RemoveKind::File), &["content/plan/b.md"]));
        assert!(!moves(both, &["content/plan/a.md.tmp", "content/plan/a.md"]));
        assert!(!moves(from, &["content/plan/b.md"]), "a file moved away");
        // An editor that saves through a hidden temporary file (gedit: .goutputstream-XXXXXX)
        // moves no folder: planpress does not read hidden names.
        assert!(!moves(both, &["content/plan/.goutputstream-ABC123", "content/plan/a.md"]));
        assert!(!moves(from, &["content/plan/.goutputstream-ABC123"]));
        assert!(!moves(create, &["content/.git"]));
        // Reading a folder (every build does) or touching it moves nothing.
        assert!(!moves(EventKind::Access(AccessKind::Open(AccessMode::Any)), &["content"]));
        assert!(!moves(EventKind::Access(AccessKind::Open(AccessMode::Any)), &["static"]));
        assert!(!moves(EventKind::Access(AccessKind::Close(AccessMode::Read)), &["themes"]));
        assert!(!moves(EventKind::Modify(ModifyKind::Metadata(notify::event::MetadataKind::Any)), &["content"]));
        // Backends that do not tell folders from files.
        assert!(moves(EventKind::Remove(RemoveKind::Any), &["content"]));
        assert!(moves(EventKind::Create(CreateKind::Any), &["themes"]));
        // Lost events (the kernel's queue overflowed) may have moved anything.
        assert!(moves_folders(&notify::Event::new(EventKind::Other).set_flag(notify::event::Flag::Rescan), root));
    }
}

#[cfg(test)]
mod base_url_tests {
    use super::serve_base_url;

    #[test]
    fn base_url_of_serve() {
        let addr: std::net::SocketAddr = "127.0.0.1:1111".parse().unwrap();
        assert_eq!(serve_base_url(None, addr), "http://127.0.0.1:1111/");
        assert_eq!(serve_base_url(Some("192.168.1.10"), addr), "http://192.168.1.10:1111/");
        assert_eq!(serve_base_url(Some("pc01.local:8080/"), addr), "http://pc01.local:8080/");
        assert_eq!(serve_base_url(Some("https://x.example/keikaku/"), addr), "https://x.example/keikaku/");
        assert_eq!(serve_base_url(Some(" "), addr), "http://127.0.0.1:1111/");
    }
}
