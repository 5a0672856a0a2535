//! When a page was last updated: `updated = "2026-04-01"` in its front matter, else the
//! date of the last commit of its file when the site is a git checkout.
//!
//! The dates of all files come from one `git log` run over `content/` (newest commit
//! first, so a file's first mention is its last change): a site of 10,000 pages costs
//! one process, not 10,000. No git, no checkout or an untracked file: no date, no error.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A calendar date as `YYYY-MM-DD`, checked to be a real date.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UpdatedDate(String);

impl UpdatedDate {
    /// Reads `2026-04-01` (also `2026/4/1`), or `None` when it is not a date.
    pub fn parse(text: &str) -> Option<UpdatedDate> {
        let t = text.trim();
        let parts: Vec<&str> = t.split(['-', '/']).collect();
        let [y, m, d] = parts.as_slice() else { return None };
        let digits =
            |s: &str, n: std::ops::RangeInclusive<usize>| n.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(y, 4..=4) || !digits(m, 1..=2) || !digits(d, 1..=2) {
            return None;
        }
        let (y, m, d): (u32, u32, u32) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        let days = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
        if y < 1900 || !(1..=12).contains(&m) || d == 0 || d > days[m as usize - 1] {
            return None;
        }
        Some(UpdatedDate(format!("{y:04}-{m:02}-{d:02}")))
    }

    /// `2026-04-01`.
    pub fn iso(&self) -> &str {
        &self.0
    }

    fn ymd(&self) -> (u32, u32, u32) {
        let n = |r: std::ops::Range<usize>| self.0[r].parse().unwrap_or(0);
        (n(0..4), n(5..7), n(8..10))
    }

    /// `2026年4月1日`.
    pub fn western(&self) -> String {
        let (y, m, d) = self.ymd();
        format!("{y}年{m}月{d}日")
    }

    /// `令和8年4月1日` (`令和元年5月1日`); before 平成, the western date.
    pub fn wareki(&self) -> String {
        let (y, m, d) = self.ymd();
        let (era, first) = if (y, m, d) >= (2019, 5, 1) {
            ("令和", 2019)
        } else if (y, m, d) >= (1989, 1, 8) {
            ("平成", 1989)
        } else {
            return self.western();
        };
        let n = y - first + 1;
        if n == 1 {
            format!("{era}元年{m}月{d}日")
        } else {
            format!("{era}{n}年{m}月{d}日")
        }
    }
}

impl<'de> serde::Deserialize<'de> for UpdatedDate {
    /// A string (`updated = "2026-04-01"`) or a TOML date (`updated = 2026-04-01`).
    fn deserialize<D: serde::Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = UpdatedDate;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("updated は updated = \"2026-04-01\" のように 年-月-日 で書きます")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<UpdatedDate, E> {
                UpdatedDate::parse(v).ok_or_else(|| {
                    E::custom(format!(
                        "updated「{v}」は日付になっていません。updated = \"2026-04-01\" のように 年-月-日 で書いてください"
                    ))
                })
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<UpdatedDate, A::Error> {
                // A TOML date arrives as a one-entry map holding its text.
                let Some((_, v)) = map.next_entry::<String, String>()? else {
                    return Err(serde::de::Error::custom(
                        "updated は updated = \"2026-04-01\" のように 年-月-日 で書きます",
                    ));
                };
                if v.len() != 10 {
                    return Err(serde::de::Error::custom(format!(
                        "updated「{v}」には日付だけを書きます(時刻は書きません)。例: updated = \"2026-04-01\""
                    )));
                }
                self.visit_str(&v)
            }
        }
        de.deserialize_any(V)
    }
}

/// The date of the last commit of every file under `root/content` that git knows, by path
/// relative to `root` (`content/plan/1.md`). Empty when `root` is not in a git checkout
/// or git is not installed. Dates later than the build date (`SOURCE_DATE_EPOCH`) are
/// clamped to it, so a reproducible build shows no date after its own.
pub fn git_dates(root: &Path) -> HashMap<PathBuf, UpdatedDate> {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["-c", "core.quotePath=false", "log", "--format=%x01%cs", "--name-only", "--relative", "--", "content"])
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output();
    match out {
        Ok(o) if o.status.success() => parse_log(&String::from_utf8_lossy(&o.stdout), &crate::html::build_date()),
        _ => HashMap::new(),
    }
}

/// Parses `git log --format=%x01%cs --name-only` (newest first): each file's first date.
fn parse_log(log: &str, latest: &str) -> HashMap<PathBuf, UpdatedDate> {
    let latest = UpdatedDate::parse(latest);
    let mut dates = HashMap::new();
    let mut current: Option<UpdatedDate> = None;
    for line in log.lines() {
        if let Some(date) = line.strip_prefix('\u{1}') {
            current = UpdatedDate::parse(date).map(|d| match &latest {
                Some(l) if &d > l => l.clone(),
                _ => d,
            });
        } else if !line.is_empty() {
            if let Some(d) = &current {
                dates.entry(PathBuf::from(line)).or_insert_with(|| d.clone());
            }
        }
    }
    dates
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_checked_and_shown_in_both_calendars() {
        let d = UpdatedDate::parse("2026-04-01").unwrap();
        assert_eq!((d.iso(), d.wareki(), d.western()), ("2026-04-01", "令和8年4月1日".into(), "2026年4月1日".into()));
        assert_eq!(UpdatedDate::parse("2019/5/1").unwrap().wareki(), "令和元年5月1日");
        assert_eq!(UpdatedDate::parse("2019-04-30").unwrap().wareki(), "平成31年4月30日");
        assert_eq!(UpdatedDate::parse("1989-01-08").unwrap().wareki(), "平成元年1月8日");
        assert_eq!(UpdatedDate::parse("1980-01-01").unwrap().wareki(), "1980年1月1日");
        for bad in ["2026-02-30", "2026-13-01", "R8-4-1", "2026-04", "", "2026-04-01T10:00", "２０２６-04-01"] {
            assert_eq!(UpdatedDate::parse(bad), None, "{bad}");
        }
        assert!(UpdatedDate::parse("2024-02-29").is_some());
        assert!(UpdatedDate::parse("2100-02-29").is_none());
    }

    #[test]
    fn the_newest_commit_of_each_file_wins_and_none_is_after_the_build() {
        let log = "\u{1}2030-01-01\n\ncontent/a.md\n\u{1}2026-03-01\n\ncontent/b.md\ncontent/a.md\n\u{1}2025-01-01\n\ncontent/c 子.md\n";
        let d = parse_log(log, "2026-06-01");
        assert_eq!(d[Path::new("content/a.md")].iso(), "2026-06-01", "clamped to the build date");
        assert_eq!(d[Path::new("content/b.md")].iso(), "2026-03-01");
        assert_eq!(d[Path::new("content/c 子.md")].iso(), "2025-01-01");
        assert_eq!(d.len(), 3);
    }

    #[test]
    fn no_checkout_no_dates() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("content")).unwrap();
        // A temporary folder is outside any checkout (unless /tmp itself is one).
        let dates = git_dates(dir.path());
        assert!(dates.is_empty(), "{dates:?}");
    }
}
