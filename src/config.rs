//! `site.toml`: the site-wide settings.

use crate::diagnostics::Diagnostic;
use crate::source::{decode_utf8, parse_toml};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The name of the settings file at a site's root.
pub const CONFIG_FILE: &str = "site.toml";

/// Site-wide settings, read from `site.toml`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    /// The site's name (shown in the header and page titles).
    pub title: String,
    /// The municipality that publishes the plans (e.g. 掛川市).
    pub municipality: String,
    /// Where the site will be published, e.g. `https://www.city.example.lg.jp/keikaku/`.
    pub base_url: String,
    /// A sentence for search engines.
    #[serde(default)]
    pub description: Option<String>,
    /// Page language (`ja`).
    #[serde(default = "default_language")]
    pub language: String,
    /// Theme folder under `themes/` (the built-in theme is used where it has no file).
    #[serde(default = "default_theme")]
    pub theme: String,
    /// Output folder, relative to the site root.
    #[serde(default = "default_output")]
    pub output_dir: PathBuf,
    /// Minify HTML output.
    #[serde(default = "default_true")]
    pub minify: bool,
    /// Build the site search (index, search page, header search box). A site that links
    /// to the municipality's own search can turn it off with `search = false`.
    #[serde(default = "default_true")]
    pub search: bool,
    /// The plan whose fields the navigation shows on pages outside any plan.
    #[serde(default)]
    pub main_plan: Option<String>,
    /// Footer copyright holder (defaults to the municipality).
    #[serde(default)]
    pub copyright: Option<String>,
    /// 全国地方公共団体コード (6 digits, e.g. `222135`), written into every open-data file.
    #[serde(default)]
    pub municipality_code: Option<String>,
    /// Licence of the content and open data (default `CC BY 4.0`), shown in the footer.
    #[serde(default = "default_license")]
    pub license: String,
    /// Thresholds for indicator status on the dashboard (`[progress]`).
    #[serde(default)]
    pub progress: ProgressThresholds,
}

/// Progress thresholds for indicator status (`[progress]` in site.toml).
#[derive(Debug, Clone, Copy, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgressThresholds {
    /// Progress at or above this is 達成 (default 1.0).
    #[serde(default = "one")]
    pub achieved: f64,
    /// Progress at or above this is 順調 (default 0.5).
    #[serde(default = "half")]
    pub on_track: f64,
}

fn one() -> f64 {
    1.0
}
fn half() -> f64 {
    0.5
}

impl Default for ProgressThresholds {
    fn default() -> Self {
        ProgressThresholds { achieved: 1.0, on_track: 0.5 }
    }
}

fn default_license() -> String {
    "CC BY 4.0".into()
}
fn default_language() -> String {
    "ja".into()
}
fn default_theme() -> String {
    "default".into()
}
fn default_output() -> PathBuf {
    PathBuf::from("public")
}
fn default_true() -> bool {
    true
}

impl SiteConfig {
    /// Reads and validates `root/site.toml`.
    pub fn load(root: &Path) -> Result<SiteConfig, Diagnostic> {
        let file = PathBuf::from(CONFIG_FILE);
        let path = root.join(CONFIG_FILE);
        let bytes = std::fs::read(&path).map_err(|e| {
            Diagnostic::new(&file, "config", format!("{} を読めません: {e}", path.display())).help(
                "サイトのフォルダで実行するか、--root でサイトのフォルダを指定してください。新しく作るなら planpress init フォルダ名",
            )
        })?;
        let text = decode_utf8(bytes, &file)?;
        let mut config: SiteConfig = parse_toml(&text, &file, 1)?;
        let p = config.progress;
        if !(p.on_track.is_finite() && p.achieved.is_finite() && p.on_track <= p.achieved) {
            return Err(Diagnostic::new(&file, "config", "[progress] の on_track は achieved 以下の数にしてください")
                .help("例: [progress] の下に achieved = 1.0 と on_track = 0.5"));
        }
        config.base_url = normalize_base_url(&config.base_url).map_err(|m| {
            Diagnostic::new(&file, "config", m).help("例: base_url = \"https://www.city.example.lg.jp/keikaku/\"")
        })?;
        if !valid_language(&config.language) {
            return Err(Diagnostic::new(
                &file,
                "language",
                format!("language「{}」はページの言語の書き方になっていません", config.language),
            )
            .at_opt_line(key_line(&text, "language"))
            .help("言語の記号を半角で書いてください。日本語なら language = \"ja\"(地域まで書くなら \"ja-JP\")、英語なら \"en\" です"));
        }
        Ok(config)
    }

    /// The path part of `base_url`, always starting and ending with `/` (e.g. `/keikaku/`).
    pub fn base_path(&self) -> String {
        base_path_of(&self.base_url)
    }
}

/// Checks a base URL and makes it end with `/`.
pub fn normalize_base_url(url: &str) -> Result<String, String> {
    let url = url.trim();
    let ok = url.starts_with("http://") || url.starts_with("https://") || url.starts_with('/');
    if !ok || url.contains(char::is_whitespace) {
        return Err(format!("base_url「{url}」は URL ではありません(http:// か https:// で始めてください)"));
    }
    Ok(if url.ends_with('/') { url.to_string() } else { format!("{url}/") })
}

/// A language tag in the shape of BCP 47 (`ja`, `ja-JP`, `en`, `zh-Hant-TW`): the page's
/// `<html lang>`, which screen readers use to choose their voice.
pub fn valid_language(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let first = parts.next().unwrap_or("");
    (2..=3).contains(&first.len())
        && first.bytes().all(|b| b.is_ascii_alphabetic())
        && parts.all(|p| (2..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// The 1-based line of the top-level `key = …` in the TOML `text` (`site.toml`), for
/// messages about a value that parsed but is wrong.
pub fn key_line(text: &str, key: &str) -> Option<usize> {
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_start();
        if line.starts_with('[') {
            return None; // the top-level keys are over
        }
        let rest = [format!("\"{key}\""), format!("'{key}'"), key.to_string()]
            .into_iter()
            .find_map(|k| line.strip_prefix(k.as_str()).map(str::trim_start));
        if rest.is_some_and(|r| r.starts_with('=')) {
            return Some(i + 1);
        }
    }
    None
}

fn base_path_of(url: &str) -> String {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let path = if url.contains("://") { rest.find('/').map(|i| &rest[i..]).unwrap_or("/") } else { rest };
    if path.ends_with('/') {
        path.to_string()
    } else {
        format!("{path}/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_path_from_url() {
        assert_eq!(base_path_of("https://a.jp/keikaku/"), "/keikaku/");
        assert_eq!(base_path_of("https://a.jp/"), "/");
        assert_eq!(base_path_of("https://a.jp"), "/");
        assert_eq!(base_path_of("/sub/"), "/sub/");
    }

    #[test]
    fn base_url_gets_trailing_slash_and_is_checked() {
        assert_eq!(normalize_base_url("https://a.jp/x").unwrap(), "https://a.jp/x/");
        assert!(normalize_base_url("a.jp").is_err());
    }

    #[test]
    fn language_tags_are_checked() {
        for ok in ["ja", "ja-JP", "en", "en-US", "zh-Hant-TW", "jpn"] {
            assert!(valid_language(ok), "{ok}");
        }
        for bad in ["", "j", "japanese", "ja_JP", "ja-", "日本語", "ja JP", "ja-J", "1a"] {
            assert!(!valid_language(bad), "{bad}");
        }
    }

    #[test]
    fn key_line_finds_top_level_keys_only() {
        let text = "# language = \"x\"\ntitle = \"t\"\n  language= \"ja\"\n[progress]\nmain_plan = 1\n";
        assert_eq!(key_line(text, "language"), Some(3));
        assert_eq!(key_line(text, "title"), Some(2));
        assert_eq!(key_line(text, "main_plan"), None);
        assert_eq!(key_line("\"main_plan\" = \"a\"\n", "main_plan"), Some(1));
        assert_eq!(key_line("main_plan_x = 1\n", "main_plan"), None);
    }

    #[test]
    fn malformed_site_toml_names_the_line() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(CONFIG_FILE), "title = \"t\"\nmunicipality = \n").unwrap();
        let e = SiteConfig::load(dir.path()).unwrap_err();
        assert_eq!(e.file, PathBuf::from("site.toml"));
        assert_eq!(e.line, Some(2));
    }

    #[test]
    fn defaults_apply() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(CONFIG_FILE),
            "title = \"t\"\nmunicipality = \"m\"\nbase_url = \"https://x.jp\"\n",
        )
        .unwrap();
        let c = SiteConfig::load(dir.path()).unwrap();
        assert_eq!(c.output_dir, PathBuf::from("public"));
        assert!(c.minify);
        assert!(c.search);
        assert_eq!(c.base_url, "https://x.jp/");
        assert_eq!(c.language, "ja");
    }
}
