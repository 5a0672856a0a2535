//! A folder of scratch files for the tantivy index: the index of a large site no longer
//! waits in memory while it is built and read back.
//!
//! An index in RAM holds every segment on the heap (some 700 MB at 100,000 pages) from
//! the first segment until the export has read the last posting list. Here the segments go
//! into files of a fresh temporary folder (under `TMPDIR`), and every read is a `pread`
//! into a buffer that lives as long as tantivy needs those bytes: the page cache, not the
//! process, holds the files. No `mmap`: mapped pages would count as the process's memory
//! once read.
//!
//! planpress made the folder and every file in it, and removes the folder when the last
//! handle on the index is dropped (or the OS cleans its temporary folder, if the process
//! is killed).

use std::fmt;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tantivy::directory::error::{DeleteError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    AntiCallToken, Directory, FileHandle, OwnedBytes, TerminatingWrite, WatchCallback, WatchHandle, WritePtr,
};
use tantivy::HasLen;

/// The index's files, in a temporary folder of their own (removed with the last clone).
#[derive(Clone)]
pub struct ScratchDirectory {
    folder: Arc<tempfile::TempDir>,
}

impl fmt::Debug for ScratchDirectory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ScratchDirectory({})", self.folder.path().display())
    }
}

impl ScratchDirectory {
    /// A new, empty folder in the OS's temporary folder.
    pub fn new() -> io::Result<ScratchDirectory> {
        let folder = tempfile::Builder::new().prefix("planpress-search-").tempdir()?;
        Ok(ScratchDirectory { folder: Arc::new(folder) })
    }

    fn file(&self, path: &Path) -> PathBuf {
        self.folder.path().join(path)
    }
}

/// A file read with `pread`, a buffer per read.
#[derive(Debug)]
struct ReadAt {
    file: File,
    len: usize,
}

impl HasLen for ReadAt {
    fn len(&self) -> usize {
        self.len
    }
}

impl FileHandle for ReadAt {
    fn read_bytes(&self, range: Range<usize>) -> io::Result<OwnedBytes> {
        if range.end > self.len || range.start > range.end {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{range:?} is outside {} bytes", self.len),
            ));
        }
        if range.is_empty() {
            return Ok(OwnedBytes::empty());
        }
        let mut buf = vec![0u8; range.len()];
        crate::content::body::read_exact_at(&self.file, &mut buf, range.start as u64)?;
        Ok(OwnedBytes::new(buf))
    }
}

/// A file being written: done when tantivy terminates it (the buffer above it is flushed
/// by then).
struct WriteFile(File);

impl Write for WriteFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

impl TerminatingWrite for WriteFile {
    fn terminate_ref(&mut self, _: AntiCallToken) -> io::Result<()> {
        self.0.flush()
    }
}

impl Directory for ScratchDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        let open = || -> io::Result<ReadAt> {
            let file = File::open(self.file(path))?;
            let len = file.metadata()?.len() as usize;
            Ok(ReadAt { file, len })
        };
        match open() {
            Ok(handle) => Ok(Arc::new(handle)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Err(OpenReadError::FileDoesNotExist(path.to_path_buf())),
            Err(e) => Err(OpenReadError::wrap_io_error(e, path.to_path_buf())),
        }
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        std::fs::remove_file(self.file(path)).map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => DeleteError::FileDoesNotExist(path.to_path_buf()),
            _ => DeleteError::IoError { io_error: Arc::new(e), filepath: path.to_path_buf() },
        })
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.file(path).try_exists().map_err(|e| OpenReadError::wrap_io_error(e, path.to_path_buf()))
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        match File::create_new(self.file(path)) {
            Ok(file) => Ok(BufWriter::new(Box::new(WriteFile(file)))),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                Err(OpenWriteError::FileAlreadyExists(path.to_path_buf()))
            }
            Err(e) => Err(OpenWriteError::wrap_io_error(e, path.to_path_buf())),
        }
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        std::fs::read(self.file(path)).map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => OpenReadError::FileDoesNotExist(path.to_path_buf()),
            _ => OpenReadError::wrap_io_error(e, path.to_path_buf()),
        })
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        // Written beside, then renamed over: a reader sees the old bytes or the new.
        let mut tmp = tempfile::NamedTempFile::new_in(self.folder.path())?;
        tmp.write_all(data)?;
        tmp.persist(self.file(path)).map_err(|e| e.error)?;
        Ok(())
    }

    fn sync_directory(&self) -> io::Result<()> {
        // Scratch files: nothing to keep across a crash.
        Ok(())
    }

    fn watch(&self, _: WatchCallback) -> tantivy::Result<WatchHandle> {
        // Nothing else writes to the folder; the reader is reloaded by hand.
        Ok(WatchHandle::empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_file_reads_back_by_ranges_and_the_folder_goes_with_the_last_clone() {
        let dir = ScratchDirectory::new().unwrap();
        let folder = dir.folder.path().to_path_buf();
        let mut w = dir.open_write(Path::new("a.bin")).unwrap();
        w.write_all(b"0123456789").unwrap();
        w.terminate().unwrap();
        let h = dir.get_file_handle(Path::new("a.bin")).unwrap();
        assert_eq!(h.len(), 10);
        assert_eq!(h.read_bytes(2..5).unwrap().as_slice(), b"234");
        assert!(h.read_bytes(4..4).unwrap().is_empty());
        assert!(h.read_bytes(8..11).is_err(), "past the end is an error, not a panic");
        assert!(matches!(dir.open_write(Path::new("a.bin")), Err(OpenWriteError::FileAlreadyExists(_))));
        dir.atomic_write(Path::new("meta.json"), b"{}").unwrap();
        dir.atomic_write(Path::new("meta.json"), b"{\"a\":1}").unwrap();
        assert_eq!(dir.atomic_read(Path::new("meta.json")).unwrap(), b"{\"a\":1}");
        assert!(matches!(dir.atomic_read(Path::new("nope")), Err(OpenReadError::FileDoesNotExist(_))));
        dir.delete(Path::new("a.bin")).unwrap();
        assert!(!dir.exists(Path::new("a.bin")).unwrap());
        let clone = dir.clone();
        drop(dir);
        assert!(folder.is_dir(), "a clone still uses it");
        drop(clone);
        assert!(!folder.exists());
    }
}
