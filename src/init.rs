//! `planpress init`: a small working site to start from.

use std::io;
use std::path::Path;

/// The starter site's files (path relative to the new site, contents).
pub const STARTER: &[(&str, &str)] = &[
    ("site.toml", include_str!("init_site/site.toml")),
    ("content/_index.md", include_str!("init_site/content/_index.md")),
    ("content/about.md", include_str!("init_site/content/about.md")),
    ("content/plan/_plan.md", include_str!("init_site/content/plan/_plan.md")),
    ("content/plan/1/_index.md", include_str!("init_site/content/plan/1/_index.md")),
    ("content/plan/1/1-1.md", include_str!("init_site/content/plan/1/1-1.md")),
    ("content/plan/_data/README.md", include_str!("init_site/content/plan/_data/README.md")),
];

/// Creates a new site in `dir`, which must not exist or be empty.
pub fn init(dir: &Path) -> io::Result<()> {
    if dir.exists() && std::fs::read_dir(dir)?.next().is_some() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("{} は空のフォルダではありません。新しいフォルダ名を指定してください", dir.display()),
        ));
    }
    for (rel, text) in STARTER {
        let path = dir.join(rel);
        if let Some(p) = path.parent() {
            std::fs::create_dir_all(p)?;
        }
        std::fs::write(path, text)?;
    }
    std::fs::create_dir_all(dir.join("static"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn refuses_non_empty_dir() {
        let t = tempfile::tempdir().unwrap();
        std::fs::write(t.path().join("x"), "").unwrap();
        assert!(super::init(t.path()).is_err());
    }
}
