//! planpress never deletes or overwrites a file it did not write, whatever the output
//! path, symlink or mistake; a killed build or a full disk leaves the last site as it was.

mod common;

use common::*;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// The names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    v.sort();
    v
}

fn fails_with(o: &std::process::Output) -> String {
    let out = text(o);
    assert_eq!(o.status.code(), Some(1), "exit 1, not a panic:\n{out}");
    assert!(!out.contains("panicked"), "{out}");
    assert!(out.contains("直し方:"), "{out}");
    out
}

#[cfg(unix)]
#[test]
fn regression_a_symlinked_web_root_with_other_files_is_never_touched() {
    let t = tempfile::tempdir().unwrap();
    let www = t.path().join("var/www/keikaku");
    std::fs::create_dir_all(www.join("img")).unwrap();
    std::fs::write(www.join("index.html"), "the city's page").unwrap();
    std::fs::write(www.join("img/logo.png"), "png").unwrap();
    let before = snapshot(&www);
    let site = copy_site(&fixture("mine"));
    let link = site.path().join("public");
    std::os::unix::fs::symlink(&www, &link).unwrap();

    let out = fails_with(&build(site.path(), None));
    assert!(out.contains("img/logo.png") && out.contains("planpress が書き出したのではない"), "{out}");
    assert!(out.contains("出力先には何も書き出していません"), "the summary claims nothing false:\n{out}");
    assert!(!out.contains("前回"), "{out}");
    assert_eq!(snapshot(&www), before, "the web root is untouched");
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink(), "the link stays a link");
    assert_eq!(names(&t.path().join("var/www")), ["keikaku"], "nothing written beside it");

    // Emptied by the webmaster: built through the link, which stays a link; then rebuilt.
    std::fs::remove_dir_all(&www).unwrap();
    std::fs::create_dir(&www).unwrap();
    for _ in 0..2 {
        let o = build(site.path(), None);
        assert!(o.status.success(), "{}", text(&o));
        assert!(www.join("index.html").is_file() && www.join(".planpress-output").is_file());
        assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
        assert_eq!(names(&t.path().join("var/www")), ["keikaku"]);
    }
}

#[test]
fn regression_output_on_a_folder_planpress_did_not_create_is_refused() {
    let t = tempfile::tempdir().unwrap();
    let docs = t.path().join("docs");
    std::fs::create_dir(&docs).unwrap();
    std::fs::write(docs.join("report.docx"), "minutes").unwrap();
    let out = fails_with(&build(&fixture("mine"), Some(&docs)));
    assert!(out.contains("report.docx") && out.contains("--output"), "{out}");
    assert_eq!(std::fs::read(docs.join("report.docx")).unwrap(), b"minutes");
    assert_eq!(names(&docs), ["report.docx"]);
    assert_eq!(names(t.path()), ["docs"], "no staging folder left");
}

#[test]
fn a_file_added_to_the_output_by_hand_stops_the_next_build() {
    let t = tempfile::tempdir().unwrap();
    let public = t.path().join("public");
    assert!(build(&fixture("mine"), Some(&public)).status.success());
    std::fs::write(public.join("upload.pdf"), "council papers").unwrap();
    let before = snapshot(&public);
    let out = fails_with(&build(&fixture("mine"), Some(&public)));
    assert!(out.contains("upload.pdf") && out.contains("static/"), "{out}");
    assert_eq!(snapshot(&public), before);
}

#[test]
fn an_output_that_is_a_file_is_refused() {
    let t = tempfile::tempdir().unwrap();
    let file = t.path().join("public");
    std::fs::write(&file, "x").unwrap();
    let out = fails_with(&build(&fixture("mine"), Some(&file)));
    assert!(out.contains("ファイルです"), "{out}");
    assert_eq!(std::fs::read(&file).unwrap(), b"x");
}

#[test]
fn a_failed_first_build_says_nothing_was_written() {
    let site = copy_site(&fixture("mine"));
    let p = site.path().join("content/mine-2/5.md");
    let t = std::fs::read_to_string(&p).unwrap();
    std::fs::write(&p, t.replacen("title = ", "title = = ", 1)).unwrap();
    let out = fails_with(&build(site.path(), None));
    assert!(out.contains("サイトは書き出していません。"), "{out}");
    assert!(!out.contains("前回"), "there is no last site:\n{out}");
    assert!(!site.path().join("public").exists());
}

#[cfg(unix)]
#[test]
fn regression_a_killed_build_leaves_the_site_and_its_staging_is_removed_next_time() {
    let site = copy_site(&repo());
    let root = site.path();
    let public = root.join("public");
    assert!(build(root, None).status.success());
    let before = snapshot(&public);
    // Kill a build while it writes pages into its staging folder.
    let mut killed = 0;
    for _ in 0..3 {
        let mut child = Command::new(env!("CARGO_BIN_EXE_planpress"))
            .args(["build", "--root", root.to_str().unwrap()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let staging = root.join(format!(".public.staging-{}", child.id()));
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(20) {
            let pages = walkdir::WalkDir::new(&staging).into_iter().filter_map(Result::ok).count();
            if pages > 20 || child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        // SIGKILL: no destructor runs.
        let _ = child.kill();
        let status = child.wait().unwrap();
        if staging.exists() && !status.success() {
            killed += 1;
        }
    }
    assert!(killed > 0, "at least one build was killed mid-way");
    assert_eq!(snapshot(&public), before, "the last site is as it was");
    let stale = names(root).into_iter().filter(|n| n.contains(".staging-")).count();
    // Each build removes the staging folders of the builds killed before it: they never
    // pile up (the last one is still there).
    assert_eq!(stale, 1, "{:?}", names(root));
    let o = build(root, None);
    assert!(o.status.success(), "{}", text(&o));
    assert!(names(root).iter().all(|n| !n.contains(".staging-")), "the next build removes them: {:?}", names(root));
}

/// Mounts a tmpfs of `size` at `dir`; false where the machine does not allow it.
#[cfg(target_os = "linux")]
fn mount_tmpfs(dir: &Path, size: &str) -> bool {
    Command::new("mount")
        .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs", dir.to_str().unwrap()])
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// A build that runs out of disk space: a clear error and the last site unchanged. On a
/// tiny tmpfs where the machine allows mounting one (root), else with the file size limit
/// (RLIMIT_FSIZE), which fails writes the same way.
#[cfg(target_os = "linux")]
#[test]
fn regression_a_full_disk_fails_cleanly_and_keeps_the_last_site() {
    use std::os::unix::process::CommandExt;
    let t = tempfile::tempdir().unwrap();
    let disk = t.path().join("disk");
    std::fs::create_dir(&disk).unwrap();
    let mounted = mount_tmpfs(&disk, "2500k");
    struct Unmount<'a>(&'a Path, bool);
    impl Drop for Unmount<'_> {
        fn drop(&mut self) {
            if self.1 {
                let _ = Command::new("umount").arg(self.0).status();
            }
        }
    }
    let _guard = Unmount(&disk, mounted);
    let public = disk.join("public");
    // A small site first, then the large example into the same place.
    assert!(build(&fixture("mine"), Some(&public)).status.success());
    let before = snapshot(&public);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_planpress"));
    cmd.args(["build", "--root", repo().to_str().unwrap(), "--output", public.to_str().unwrap()]);
    if !mounted {
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            cmd.pre_exec(|| {
                libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
                let lim = libc::rlimit { rlim_cur: 200_000, rlim_max: 200_000 };
                libc::setrlimit(libc::RLIMIT_FSIZE, &lim);
                Ok(())
            });
        }
    }
    let o = cmd.output().unwrap();
    let out = fails_with(&o);
    assert!(out.contains("書き出せません") && out.contains("ディスクの空き"), "{out}");
    // regression: a full disk fails every page after it; one error says so, not one per page.
    assert!(out.matches("エラー:").count() <= 2, "one disk-full error, not one per page:\n{out}");
    assert_eq!(snapshot(&public), before, "the last site is as it was");
    assert_eq!(names(&disk), ["public"], "the staging folder is removed");
}
