//! Build into a staging folder next to the output, then swap it into place in one step,
//! so a failed build never touches the last good site.
//!
//! # Ownership (the rule that keeps a webmaster's files safe)
//!
//! planpress replaces only a folder it can recognise as its own:
//!
//! - a folder that does not exist yet (it is created), or an empty one;
//! - a folder holding the [`MARKER`] file that every build writes, *and* nothing but the
//!   files that marker lists (a file someone put there since is never deleted: the build
//!   stops and names it);
//! - an output of a planpress from before the marker (`sitemap.xml` and
//!   `data/plan.schema.json`), when every file in it is of a kind planpress writes.
//!
//! Anything else is refused with a message that says which folder and how to choose
//! another. An output that is a symlink (say `public -> /var/www/keikaku`) is followed:
//! its target is judged by the same rule and replaced in place; the link itself is never
//! replaced. Staging folders of builds that were killed are removed by the next build
//! (only those whose process is gone and whose name planpress gives them).

use crate::diagnostics::Diagnostic;
use std::io;
use std::path::{Path, PathBuf};

/// The file every output holds: a comment line, then the relative path of every file the
/// build wrote, one per line (`/` separated).
pub const MARKER: &str = ".planpress-output";

/// The first line of [`MARKER`].
const MARKER_HEADER: &str =
    "# planpress が書き出したフォルダです。次の組み立てで置き換えます。以下は書き出したファイルの一覧です。";

/// How many symlinks are followed from the output path before giving up.
const MAX_LINKS: usize = 40;

/// How many foreign files an error names.
const NAMED_FILES: usize = 5;

/// A staging folder beside the output folder; removed on drop unless committed.
pub struct Staging {
    dir: PathBuf,
    /// The real folder to replace (the output path with symlinks followed).
    target: PathBuf,
    committed: bool,
    /// Whether the output is checked for foreign files (see [`Staging::new_private`]).
    check: bool,
}

impl Staging {
    /// Checks that `output` may be replaced (see the module docs), removes the staging
    /// folders of killed builds beside it, and creates an empty staging folder beside
    /// the real output folder (same file system, so the final rename is atomic).
    pub fn new(output: &Path) -> Result<Staging, Diagnostic> {
        Staging::create(output, true)
    }

    /// Like [`Staging::new`] for a folder this process owns alone (serve's build folder,
    /// which its incremental rebuilds write into directly): replaced without the check.
    pub fn new_private(output: &Path) -> Result<Staging, Diagnostic> {
        Staging::create(output, false)
    }

    /// The folder this process's build of `output` writes into until it commits (`serve`
    /// shows the pages of its first build from there while the rest are being written).
    pub fn folder_of(output: &Path) -> Result<PathBuf, Diagnostic> {
        let target = resolve_links(output)?;
        Ok(parent_of(&target).join(format!(".{}.staging-{}", folder_name(&target), std::process::id())))
    }

    fn create(output: &Path, check: bool) -> Result<Staging, Diagnostic> {
        let target = resolve_links(output)?;
        if check {
            check_replaceable(output, &target)?;
        }
        let parent = parent_of(&target);
        std::fs::create_dir_all(&parent).map_err(|e| io_error(&parent, &e))?;
        remove_stale_stagings(&parent, &folder_name(&target));
        let dir = Self::folder_of(&target)?;
        if dir.exists() {
            // Our own process id: a folder left by this very process (serve rebuilding).
            std::fs::remove_dir_all(&dir).map_err(|e| io_error(&dir, &e))?;
        }
        std::fs::create_dir(&dir).map_err(|e| io_error(&dir, &e))?;
        // Marked at once, so that a build killed from here on leaves a folder the next
        // build can recognise as its own.
        std::fs::write(dir.join(MARKER), format!("{MARKER_HEADER}\n")).map_err(|e| io_error(&dir, &e))?;
        Ok(Staging { dir, target, committed: false, check })
    }

    /// The folder to write into.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The real output folder this staging replaces (symlinks followed).
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Writes the marker listing every file in the staging folder, checks once more that
    /// the output may be replaced (a file may have been put there during the build), and
    /// puts the staging folder in its place. Readers see either the old or the new site,
    /// never a mix. Returns a warning when the old site could not be removed afterwards
    /// (the new site is in place all the same).
    pub fn commit(mut self) -> Result<Option<Diagnostic>, Diagnostic> {
        write_marker(&self.dir).map_err(|e| io_error(&self.dir, &e))?;
        if self.check {
            check_replaceable(&self.target, &self.target)?;
        }
        match std::fs::symlink_metadata(&self.target) {
            Ok(meta) => {
                // Keep the folder's permissions (a web root's group access, say).
                let _ = std::fs::set_permissions(&self.dir, meta.permissions());
                exchange(&self.dir, &self.target).map_err(|e| io_error(&self.target, &e))?;
                self.committed = true;
                // `self.dir` now holds the old site.
                if let Err(e) = remove_dir_all_parallel(&self.dir) {
                    return Ok(Some(
                        Diagnostic::new(
                            &self.dir,
                            "io",
                            format!("前回のサイトを消せませんでした({})", crate::diagnostics::io_reason(&e)),
                        )
                        .help("新しいサイトは書き出してあります。このフォルダは手で消してかまいません")
                        .detail(e.to_string()),
                    ));
                }
            }
            Err(_) => {
                std::fs::rename(&self.dir, &self.target).map_err(|e| io_error(&self.target, &e))?;
                self.committed = true;
            }
        }
        Ok(None)
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

fn io_error(path: &Path, e: &io::Error) -> Diagnostic {
    super::write_error(path, e)
}

/// The output path with every symlink followed, also when the final target does not exist
/// yet (a link to a web root that is still to be created). Loops end with an error.
pub fn resolve_links(output: &Path) -> Result<PathBuf, Diagnostic> {
    let mut path = absolute(output);
    for _ in 0..MAX_LINKS {
        match std::fs::symlink_metadata(&path) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let link = std::fs::read_link(&path).map_err(|e| io_error(&path, &e))?;
                path = if link.is_absolute() { link } else { parent_of(&path).join(link) };
                path = absolute(&path);
            }
            _ => return Ok(path),
        }
    }
    Err(Diagnostic::new(
        output,
        "output",
        "出力先のシンボリックリンクが循環しています(リンクの先がまたリンクを指しています)",
    )
    .help("出力先を、実在するフォルダを指すリンクか、普通のフォルダにしてください"))
}

/// `p` made absolute, `.` and `..` resolved lexically and the existing part's symlinks
/// (other than the last component's) resolved by the system.
fn absolute(p: &Path) -> PathBuf {
    let abs = if p.is_absolute() { p.to_path_buf() } else { std::env::current_dir().unwrap_or_default().join(p) };
    let mut out = PathBuf::new();
    for c in abs.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    match (out.parent(), out.file_name()) {
        (Some(parent), Some(name)) => parent.canonicalize().map(|p| p.join(name)).unwrap_or(out),
        _ => out,
    }
}

fn parent_of(p: &Path) -> PathBuf {
    p.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new(".")).to_path_buf()
}

fn folder_name(p: &Path) -> String {
    p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "public".into())
}

/// Whether `target` (the real folder behind `output`) may be replaced; see the module docs.
fn check_replaceable(output: &Path, target: &Path) -> Result<(), Diagnostic> {
    let shown = if output == target {
        target.display().to_string()
    } else {
        format!("{}(リンク先 {})", output.display(), target.display())
    };
    let meta = match std::fs::symlink_metadata(target) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io_error(target, &e)),
    };
    if !meta.is_dir() {
        return Err(Diagnostic::new(output, "output", format!("出力先 {shown} はフォルダではなくファイルです"))
            .help("planpress はそのファイルを消しません。--output で別のフォルダ名を指定してください"));
    }
    let foreign = foreign_files(target).map_err(|e| io_error(target, &e))?;
    if foreign.is_empty() {
        return Ok(());
    }
    let mut named: Vec<String> = foreign.iter().take(NAMED_FILES).cloned().collect();
    if foreign.len() > NAMED_FILES {
        named.push(format!("ほか {} 個", foreign.len() - NAMED_FILES));
    }
    Err(Diagnostic::new(
        output,
        "output-not-own",
        format!(
            "出力先 {shown} には planpress が書き出したのではないファイルがあるので、置き換えません: {}",
            named.join("、")
        ),
    )
    .help(
        "planpress は、自分で作ったフォルダか空のフォルダにだけ書き出します。--output で空のフォルダか、\
         まだないフォルダを指定してください。そのファイルも公開したいなら、static/ に置くと毎回の出力に含まれます",
    ))
}

/// Files (relative, `/` separated, sorted) under `dir` that planpress did not write there.
fn foreign_files(dir: &Path) -> io::Result<Vec<String>> {
    let listed: Option<std::collections::HashSet<String>> = match std::fs::read_to_string(dir.join(MARKER)) {
        Ok(text) => Some(text.lines().filter(|l| !l.starts_with('#') && !l.is_empty()).map(String::from).collect()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(e),
    };
    let legacy = listed.is_none() && dir.join("sitemap.xml").is_file() && dir.join("data/plan.schema.json").is_file();
    let mut foreign = Vec::new();
    for entry in walkdir::WalkDir::new(dir).min_depth(1).follow_links(false).sort_by_file_name() {
        let entry = entry.map_err(io::Error::other)?;
        if entry.file_type().is_dir() {
            continue;
        }
        let rel = relative_name(dir, entry.path());
        if rel == MARKER {
            continue;
        }
        let own = match &listed {
            Some(listed) => listed.contains(&rel),
            None => legacy && looks_written_by_planpress(&rel),
        };
        if !own {
            foreign.push(rel);
        }
    }
    Ok(foreign)
}

/// For outputs from before the marker: the kinds of files planpress writes.
fn looks_written_by_planpress(rel: &str) -> bool {
    const OWN_FOLDERS: [&str; 3] = ["assets/", "search/", "data/"];
    const OWN_TOP: [&str; 3] = ["sitemap.xml", "robots.txt", "404.html"];
    OWN_FOLDERS.iter().any(|f| rel.starts_with(f)) || OWN_TOP.contains(&rel) || rel.ends_with("index.html")
}

fn relative_name(dir: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(dir).unwrap_or(path);
    rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

/// Writes [`MARKER`] into `dir`, listing every file in it.
fn write_marker(dir: &Path) -> io::Result<()> {
    let mut text = String::from(MARKER_HEADER);
    text.push('\n');
    for entry in walkdir::WalkDir::new(dir).min_depth(1).follow_links(false).sort_by_file_name() {
        let entry = entry.map_err(io::Error::other)?;
        if entry.file_type().is_dir() {
            continue;
        }
        let rel = relative_name(dir, entry.path());
        if rel != MARKER {
            text.push_str(&rel);
            text.push('\n');
        }
    }
    std::fs::write(dir.join(MARKER), text)
}

/// Removes the staging folders of builds that were killed: `.{name}.staging-{pid}` beside
/// the output whose process is gone. A folder of a live process, or one that does not hold
/// the marker, or is not a folder, is left alone.
fn remove_stale_stagings(parent: &Path, name: &str) {
    let prefix = format!(".{name}.staging-");
    let Ok(entries) = std::fs::read_dir(parent) else { return };
    for entry in entries.filter_map(Result::ok) {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = file_name.strip_prefix(&prefix).and_then(|p| p.parse::<u32>().ok()) else { continue };
        let path = entry.path();
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if is_dir && pid != std::process::id() && !process_alive(pid) && (path.join(MARKER).is_file() || all_own(&path))
        {
            let _ = std::fs::remove_dir_all(&path);
        }
    }
}

/// Whether every file under `dir` is of a kind planpress writes (a staging folder left by
/// a planpress from before the marker).
fn all_own(dir: &Path) -> bool {
    walkdir::WalkDir::new(dir)
        .min_depth(1)
        .follow_links(false)
        .into_iter()
        .all(|e| e.is_ok_and(|e| e.file_type().is_dir() || looks_written_by_planpress(&relative_name(dir, e.path()))))
}

/// Removes the folders `{prefix}{pid}-…` in `parent` whose process is gone and that hold
/// the marker (serve's build folders after a kill).
pub fn remove_stale_folders(parent: &Path, prefix: &str) {
    let Ok(entries) = std::fs::read_dir(parent) else { return };
    for entry in entries.filter_map(Result::ok) {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) =
            file_name.strip_prefix(prefix).and_then(|p| p.split('-').next()).and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        let path = entry.path();
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if is_dir && pid != std::process::id() && !process_alive(pid) && path.join(MARKER).is_file() {
            let _ = std::fs::remove_dir_all(&path);
        }
    }
}

/// Whether a process with this id runs. Where that cannot be told, it is assumed to run
/// (so nothing is removed).
fn process_alive(pid: u32) -> bool {
    #[cfg(target_os = "linux")]
    {
        Path::new("/proc").join(pid.to_string()).exists()
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = pid;
        true
    }
}

/// Removes a large folder, its top-level entries in parallel.
fn remove_dir_all_parallel(dir: &Path) -> io::Result<()> {
    use rayon::prelude::*;
    // The entry's own type: a symlink to a folder is removed as a link, never followed.
    let entries: Vec<(PathBuf, bool)> = std::fs::read_dir(dir)?
        .map(|e| e.and_then(|e| Ok((e.path(), e.file_type()?.is_dir()))))
        .collect::<io::Result<_>>()?;
    entries
        .par_iter()
        .try_for_each(|(p, is_dir)| if *is_dir { std::fs::remove_dir_all(p) } else { std::fs::remove_file(p) })?;
    std::fs::remove_dir(dir)
}

/// Swaps two folders atomically (Linux `renameat2(RENAME_EXCHANGE)`), falling back to two
/// renames where the system cannot.
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        use std::ffi::CString;
        use std::os::unix::ffi::OsStrExt;
        let ca = CString::new(a.as_os_str().as_bytes()).map_err(io::Error::other)?;
        let cb = CString::new(b.as_os_str().as_bytes()).map_err(io::Error::other)?;
        // SAFETY: both are valid NUL-terminated paths; AT_FDCWD resolves them relative to
        // the working directory like rename(2).
        let r = unsafe {
            libc::syscall(
                libc::SYS_renameat2,
                libc::AT_FDCWD,
                ca.as_ptr(),
                libc::AT_FDCWD,
                cb.as_ptr(),
                libc::RENAME_EXCHANGE,
            )
        };
        if r == 0 {
            return Ok(());
        }
        let err = io::Error::last_os_error();
        if !matches!(err.raw_os_error(), Some(libc::ENOSYS) | Some(libc::EINVAL)) {
            return Err(err);
        }
    }
    let old = a.with_extension("old");
    std::fs::rename(b, &old)?;
    std::fs::rename(a, b)?;
    std::fs::rename(&old, a)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> =
            std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        v.sort();
        v
    }

    /// A first build into `out`, so that it holds the marker.
    fn built(out: &Path, file: &str) {
        let s = Staging::new(out).unwrap();
        std::fs::write(s.dir().join(file), "old").unwrap();
        s.commit().unwrap();
    }

    #[test]
    fn commit_replaces_own_output() {
        let t = tempfile::tempdir().unwrap();
        let out = t.path().join("public");
        built(&out, "old.html");
        let s = Staging::new(&out).unwrap();
        std::fs::write(s.dir().join("new.html"), "new").unwrap();
        s.commit().unwrap();
        assert!(out.join("new.html").exists());
        assert!(!out.join("old.html").exists());
        assert_eq!(names(t.path()), ["public"], "staging and old site are gone");
        let marker = std::fs::read_to_string(out.join(MARKER)).unwrap();
        assert!(marker.lines().any(|l| l == "new.html"), "{marker}");
    }

    #[test]
    fn dropped_staging_leaves_output_alone() {
        let t = tempfile::tempdir().unwrap();
        let out = t.path().join("public");
        built(&out, "old.html");
        {
            let s = Staging::new(&out).unwrap();
            std::fs::write(s.dir().join("new.html"), "new").unwrap();
        }
        assert!(out.join("old.html").exists());
        assert!(!out.join("new.html").exists());
        assert_eq!(names(t.path()), ["public"]);
    }

    #[test]
    fn commit_creates_missing_output() {
        let t = tempfile::tempdir().unwrap();
        let out = t.path().join("a/public");
        let s = Staging::new(&out).unwrap();
        std::fs::write(s.dir().join("x"), "x").unwrap();
        s.commit().unwrap();
        assert!(out.join("x").exists());
    }

    #[test]
    fn an_empty_folder_is_taken() {
        let t = tempfile::tempdir().unwrap();
        let out = t.path().join("public");
        std::fs::create_dir(&out).unwrap();
        Staging::new(&out).unwrap().commit().unwrap();
        assert!(out.join(MARKER).is_file());
    }

    #[test]
    fn regression_a_folder_planpress_did_not_write_is_refused() {
        let t = tempfile::tempdir().unwrap();
        let out = t.path().join("docs");
        std::fs::create_dir(&out).unwrap();
        std::fs::write(out.join("report.docx"), "mine").unwrap();
        let err = Staging::new(&out).err().expect("refused");
        assert_eq!(err.rule, "output-not-own");
        assert!(err.message.contains("report.docx"), "{}", err.message);
        assert_eq!(std::fs::read(out.join("report.docx")).unwrap(), b"mine");
        assert_eq!(names(t.path()), ["docs"], "no staging folder is left");
    }

    #[test]
    fn a_file_put_into_the_output_after_a_build_is_never_deleted() {
        let t = tempfile::tempdir().unwrap();
        let out = t.path().join("public");
        built(&out, "index.html");
        std::fs::write(out.join("upload.pdf"), "city's").unwrap();
        let err = Staging::new(&out).err().expect("refused");
        assert!(err.message.contains("upload.pdf"));
        // Also when the file arrives during the build.
        std::fs::remove_file(out.join("upload.pdf")).unwrap();
        let s = Staging::new(&out).unwrap();
        std::fs::write(out.join("late.pdf"), "city's").unwrap();
        assert!(s.commit().is_err());
        assert_eq!(std::fs::read(out.join("late.pdf")).unwrap(), b"city's");
        assert!(out.join("index.html").is_file());
    }

    #[test]
    fn a_file_as_output_is_refused() {
        let t = tempfile::tempdir().unwrap();
        let out = t.path().join("public");
        std::fs::write(&out, "x").unwrap();
        assert_eq!(Staging::new(&out).err().unwrap().rule, "output");
        assert_eq!(std::fs::read(&out).unwrap(), b"x");
    }

    #[cfg(unix)]
    #[test]
    fn regression_a_symlinked_output_is_followed_and_never_replaced() {
        let t = tempfile::tempdir().unwrap();
        let www = t.path().join("www/keikaku");
        std::fs::create_dir_all(&www).unwrap();
        std::fs::write(www.join("other.html"), "not planpress").unwrap();
        let site = t.path().join("site");
        std::fs::create_dir(&site).unwrap();
        let link = site.join("public");
        std::os::unix::fs::symlink(&www, &link).unwrap();
        // A web root with files of its own: refused, nothing touched.
        let err = Staging::new(&link).err().expect("refused");
        assert!(err.message.contains("other.html") && err.message.contains("リンク先"), "{}", err.message);
        assert_eq!(std::fs::read(www.join("other.html")).unwrap(), b"not planpress");
        // An empty one: built into, through the link, which stays a link.
        std::fs::remove_file(www.join("other.html")).unwrap();
        let s = Staging::new(&link).unwrap();
        assert_eq!(s.target(), www.canonicalize().unwrap());
        std::fs::write(s.dir().join("index.html"), "new").unwrap();
        s.commit().unwrap();
        assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
        assert_eq!(std::fs::read(link.join("index.html")).unwrap(), b"new");
        assert_eq!(names(&t.path().join("www")), ["keikaku"], "no staging left beside the target");
        // And again, replacing its own output behind the link.
        built(&link, "second.html");
        assert!(www.join("second.html").is_file() && !www.join("index.html").exists());
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_loop_is_an_error() {
        let t = tempfile::tempdir().unwrap();
        let a = t.path().join("a");
        let b = t.path().join("b");
        std::os::unix::fs::symlink(&b, &a).unwrap();
        std::os::unix::fs::symlink(&a, &b).unwrap();
        assert!(Staging::new(&a).err().unwrap().message.contains("循環"));
    }

    #[test]
    fn legacy_output_without_marker_is_recognised() {
        let t = tempfile::tempdir().unwrap();
        let out = t.path().join("public");
        std::fs::create_dir_all(out.join("data")).unwrap();
        std::fs::write(out.join("sitemap.xml"), "x").unwrap();
        std::fs::write(out.join("data/plan.schema.json"), "x").unwrap();
        std::fs::write(out.join("index.html"), "x").unwrap();
        assert!(Staging::new(&out).is_ok());
        std::fs::write(out.join("notes.txt"), "x").unwrap();
        assert!(Staging::new(&out).err().unwrap().message.contains("notes.txt"));
    }

    #[test]
    fn regression_stale_stagings_of_killed_builds_are_removed() {
        let t = tempfile::tempdir().unwrap();
        let out = t.path().join("public");
        // A process id that cannot be running (above the kernel's maximum).
        let dead = t.path().join(".public.staging-4194305");
        std::fs::create_dir(&dead).unwrap();
        std::fs::write(dead.join(MARKER), "#\n").unwrap();
        std::fs::write(dead.join("page.html"), "x").unwrap();
        // From a planpress before the marker: pages only.
        let old = t.path().join(".public.staging-4194307");
        std::fs::create_dir_all(old.join("plan/1")).unwrap();
        std::fs::write(old.join("plan/1/index.html"), "x").unwrap();
        // Not ours: a file planpress does not write, or a live process (this one's
        // parent), or another name.
        let unmarked = t.path().join(".public.staging-4194306");
        std::fs::create_dir(&unmarked).unwrap();
        std::fs::write(unmarked.join("notes.txt"), "x").unwrap();
        let live = t.path().join(format!(".public.staging-{}", std::os::unix::process::parent_id()));
        std::fs::create_dir(&live).unwrap();
        std::fs::write(live.join(MARKER), "#\n").unwrap();
        let other = t.path().join(".public.staging-x");
        std::fs::create_dir(&other).unwrap();
        Staging::new(&out).unwrap().commit().unwrap();
        let left = names(t.path());
        assert!(!left.contains(&".public.staging-4194305".to_string()), "{left:?}");
        assert!(!left.contains(&".public.staging-4194307".to_string()), "{left:?}");
        for kept in [".public.staging-4194306", ".public.staging-x"] {
            assert!(left.contains(&kept.to_string()), "{left:?}");
        }
        assert!(live.exists());
    }
}
