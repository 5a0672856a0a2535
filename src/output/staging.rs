//! Build into a staging folder next to the output, then swap it into place in one step,
//! so a failed build never touches the last good site.

use std::io;
use std::path::{Path, PathBuf};

/// A staging folder beside the output folder; removed on drop unless committed.
pub struct Staging {
    dir: PathBuf,
    output: PathBuf,
    committed: bool,
}

impl Staging {
    /// Creates an empty staging folder beside `output` (same file system, so the final
    /// rename is atomic).
    pub fn new(output: &Path) -> io::Result<Staging> {
        let parent = output.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent)?;
        let name = output.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "public".into());
        let dir = parent.join(format!(".{name}.staging-{}", std::process::id()));
        if dir.exists() {
            std::fs::remove_dir_all(&dir)?;
        }
        std::fs::create_dir(&dir)?;
        Ok(Staging { dir, output: output.to_path_buf(), committed: false })
    }

    /// The folder to write into.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Puts the staging folder in place of the output folder. The old output is gone
    /// afterwards; readers see either the old or the new site, never a mix.
    pub fn commit(mut self) -> io::Result<()> {
        if self.output.exists() {
            if !self.output.is_dir() {
                return Err(io::Error::other(format!("{} はフォルダではありません", self.output.display())));
            }
            exchange(&self.dir, &self.output)?;
            // `self.dir` now holds the old site.
            remove_dir_all_parallel(&self.dir)?;
        } else {
            std::fs::rename(&self.dir, &self.output)?;
        }
        self.committed = true;
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
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

    #[test]
    fn commit_replaces_output() {
        let t = tempfile::tempdir().unwrap();
        let out = t.path().join("public");
        std::fs::create_dir(&out).unwrap();
        std::fs::write(out.join("old.html"), "old").unwrap();
        let s = Staging::new(&out).unwrap();
        std::fs::write(s.dir().join("new.html"), "new").unwrap();
        s.commit().unwrap();
        assert!(out.join("new.html").exists());
        assert!(!out.join("old.html").exists());
        assert_eq!(std::fs::read_dir(t.path()).unwrap().count(), 1, "staging and old site are gone");
    }

    #[test]
    fn dropped_staging_leaves_output_alone() {
        let t = tempfile::tempdir().unwrap();
        let out = t.path().join("public");
        std::fs::create_dir(&out).unwrap();
        std::fs::write(out.join("old.html"), "old").unwrap();
        {
            let s = Staging::new(&out).unwrap();
            std::fs::write(s.dir().join("new.html"), "new").unwrap();
        }
        assert!(out.join("old.html").exists());
        assert!(!out.join("new.html").exists());
        assert_eq!(std::fs::read_dir(t.path()).unwrap().count(), 1);
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
}
