//! The Tera environment: the built-in default theme, with any file of the site's theme
//! (`themes/<name>/templates/`) taking its place.

use crate::diagnostics::{relative, Diagnostic, Diagnostics};
use std::path::{Path, PathBuf};
use tera::Tera;

/// A file of the built-in theme: its path under `themes/default/` and its contents.
pub struct EmbeddedFile {
    /// Path relative to the theme folder (`templates/base.html`).
    pub path: &'static str,
    /// File contents.
    pub contents: &'static str,
}

macro_rules! embed {
    ($($p:literal),* $(,)?) => {
        &[$(EmbeddedFile { path: $p, contents: include_str!(concat!("../../themes/default/", $p)) }),*]
    };
}

/// Every file of the built-in default theme, compiled into the binary.
pub const DEFAULT_THEME: &[EmbeddedFile] = embed!(
    "templates/base.html",
    "templates/macros.html",
    "templates/home.html",
    "templates/plan.html",
    "templates/node.html",
    "templates/page.html",
    "templates/themes.html",
    "templates/theme.html",
    "templates/sdgs.html",
    "templates/sdg.html",
    "templates/departments.html",
    "templates/department.html",
    "templates/404.html",
    "templates/summary.html",
    "templates/summary_parts.html",
    "templates/dashboard.html",
    "templates/progress.html",
    "templates/comparison.html",
    "templates/search.html",
    "templates/redirect.html",
    "static/style.css",
    "static/print.js",
    "static/search.js",
    "static/favicon.svg",
);

/// Builds the template environment for the site at `root` using theme `theme`.
pub fn load_templates(root: &Path, theme: &str) -> Result<Tera, Diagnostics> {
    let theme_dir = root.join("themes").join(theme);
    if theme != "default" && !theme_dir.is_dir() {
        return Err(Diagnostic::new(
            "site.toml",
            "theme",
            format!("テーマ「{theme}」のフォルダ themes/{theme} がありません"),
        )
        .help("site.toml の theme を確認するか、既定のテーマを使うなら theme = \"default\" にしてください")
        .into());
    }
    let mut sources: Vec<(String, String, PathBuf)> = DEFAULT_THEME
        .iter()
        .filter_map(|f| {
            f.path.strip_prefix("templates/").map(|name| (name.to_string(), f.contents.to_string(), PathBuf::new()))
        })
        .collect();
    let mut diags = Diagnostics::default();
    let dir = theme_dir.join("templates");
    if dir.is_dir() {
        for entry in walkdir::WalkDir::new(&dir).sort_by_file_name().into_iter().filter_map(Result::ok) {
            if !entry.file_type().is_file() {
                continue;
            }
            let path = entry.path();
            let name = path.strip_prefix(&dir).unwrap_or(path).to_string_lossy().replace('\\', "/");
            let rel = relative(root, path);
            match std::fs::read(path)
                .map_err(|e| crate::diagnostics::io_reason(&e).to_string())
                .and_then(|b| String::from_utf8(b).map_err(|_| "UTF-8 ではありません".into()))
            {
                Ok(text) => {
                    sources.retain(|(n, _, _)| *n != name);
                    sources.push((name, text, rel));
                }
                Err(e) => diags.push(
                    Diagnostic::new(rel, "template", format!("テンプレートを読めません: {e}"))
                        .help("テンプレートは UTF-8 で保存してください(メモ帳なら「名前を付けて保存」で文字コードに UTF-8 を選びます)"),
                ),
            }
        }
    }
    std::mem::take(&mut diags).into_result()?;
    // Parse each template alone first, so a syntax error names its own file and line.
    for (name, text, file) in &sources {
        if let Err(e) = tera::Template::new(name, None, text) {
            let file = if file.as_os_str().is_empty() {
                PathBuf::from(format!("(組み込みテーマ) {name}"))
            } else {
                file.clone()
            };
            diags.push(template_diagnostic(&file, &e));
        }
    }
    diags.into_result()?;
    let mut tera = Tera::default();
    tera.autoescape_on(vec![".html", ".xml"]);
    let pairs: Vec<(&str, &str)> = sources.iter().map(|(n, t, _)| (n.as_str(), t.as_str())).collect();
    tera.add_raw_templates(pairs)
        .map_err(|e| Diagnostics::from(template_diagnostic(&theme_dir.join("templates"), &e)))?;
    let named = sources
        .iter()
        .map(|(name, text, file)| {
            let file = if file.as_os_str().is_empty() {
                PathBuf::from(format!("(組み込みテーマ) {name}"))
            } else {
                file.clone()
            };
            (name.clone(), super::recursion::Source { file, text })
        })
        .collect();
    super::recursion::check(&tera, &named).into_result()?;
    Ok(tera)
}

/// A diagnostic for a Tera error, with the line when Tera reports one (` --> 3:5`).
pub fn template_diagnostic(file: &Path, e: &tera::Error) -> Diagnostic {
    let mut text = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        text.push('\n');
        text.push_str(&s.to_string());
        src = s.source();
    }
    let line = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("--> ").and_then(|pos| pos.split(':').next()).and_then(|n| n.parse().ok()));
    let detail = text
        .lines()
        .map(str::trim)
        .filter(|l| {
            l.starts_with("= ") || l.starts_with("Variable") || l.contains("not found") || l.starts_with("Template")
        })
        .map(|l| l.trim_start_matches("= "))
        .collect::<Vec<_>>()
        .join(" / ");
    let detail = if detail.is_empty() { text.lines().next().unwrap_or("").to_string() } else { detail };
    Diagnostic::new(file, "template", format!("テンプレートに誤りがあります: {detail}"))
        .at_opt_line(line)
        .help("Tera の書き方({{ … }}、{% … %} の対応)を確認してください。既定のテーマに戻すには、このファイルを消してください")
        .detail(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_theme_file_is_embedded() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default");
        for entry in walkdir::WalkDir::new(&dir).into_iter().filter_map(Result::ok).filter(|e| e.file_type().is_file())
        {
            let rel = entry.path().strip_prefix(&dir).unwrap().to_string_lossy().replace('\\', "/");
            assert!(DEFAULT_THEME.iter().any(|f| f.path == rel), "{rel} is not in DEFAULT_THEME");
        }
    }

    #[test]
    fn default_templates_parse() {
        let dir = tempfile::tempdir().unwrap();
        load_templates(dir.path(), "default").unwrap();
    }

    #[test]
    fn syntax_error_in_override_names_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let t = dir.path().join("themes/mine/templates");
        std::fs::create_dir_all(&t).unwrap();
        std::fs::write(
            t.join("page.html"),
            "{% extends \"base.html\" %}\n{% block main %}\n{{ page.title \n{% endblock %}\n",
        )
        .unwrap();
        let e = load_templates(dir.path(), "mine").unwrap_err();
        let d = &e.0[0];
        assert_eq!(d.file, PathBuf::from("themes/mine/templates/page.html"));
        assert_eq!(d.rule, "template");
        assert!(d.line.is_some(), "{d}");
    }
}
