//! Files of the site's `static/` that would overwrite a file planpress writes itself (a
//! page, the sitemap, open data, a theme asset, the search files). The build copies
//! `static/` while it writes the pages, so which one would win is chance: it is an error,
//! found before anything is written.

use crate::content::checks::fold;
use crate::content::Site;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::render::templates;
use std::collections::HashMap;
use std::path::Path;

/// Fails when a file of `root/static/` would land on a file the build writes; `page_paths`
/// are the site's pages ([`crate::render::page_path`]).
pub fn check_static(root: &Path, site: &Site, page_paths: &[String]) -> Result<(), Diagnostics> {
    let files = files_under(&root.join("static"));
    if files.is_empty() {
        return Ok(());
    }
    let mut generated: Vec<String> =
        page_paths.iter().map(|p| if p.ends_with(".html") { p.clone() } else { format!("{p}index.html") }).collect();
    generated.extend(["sitemap.xml", "robots.txt", "data/plan.schema.json"].map(String::from));
    for plan in &site.plans {
        generated.extend(super::open_data::paths(plan));
    }
    generated.extend(
        templates::DEFAULT_THEME.iter().filter_map(|f| f.path.strip_prefix("static/")).map(|f| format!("assets/{f}")),
    );
    let theme_static = root.join("themes").join(&site.config.theme).join("static");
    generated.extend(files_under(&theme_static).into_iter().map(|f| format!("assets/{f}")));
    let mut diags = Diagnostics::default();
    for (file, target) in collisions(&files, &generated, site.config.search) {
        let case = if file != target && fold(&file) == fold(&target) {
            "(大文字と小文字の違いは、Windows や macOS のサーバーでは区別されません)"
        } else {
            ""
        };
        let mut help =
            "static の中のこのファイルの名前を変えるか、別のフォルダ(例: static/files/)に移してください".to_string();
        if target.starts_with("assets/") {
            help.push_str(&format!(
                "。テーマの CSS などを差し替えるなら themes/{}/static/ に置いてください",
                site.config.theme
            ));
        }
        diags.push(
            Diagnostic::new(
                format!("static/{file}"),
                "static-collision",
                format!("static/{file} は、planpress が書き出す {target} と同じ場所にコピーされ、上書きしてしまいます{case}"),
            )
            .help(help),
        );
    }
    diags.into_result()
}

/// The files under `dir` that [`super::copy_tree`] copies, relative to it with `/`.
fn files_under(dir: &Path) -> Vec<String> {
    if !dir.is_dir() {
        return Vec::new();
    }
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && !e.file_name().to_string_lossy().starts_with('.'))
        .filter_map(|e| {
            let rel = e.path().strip_prefix(dir).ok()?;
            Some(rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/"))
        })
        .collect()
}

/// The static files (relative to `static/`) that land on a generated file or folder, each
/// with what it collides with. Names compare as Windows and macOS servers do: regardless
/// of case and of how characters are composed. With `search`, all of `search/` is the
/// search's (its index files have many names).
pub fn collisions(static_files: &[String], generated: &[String], search: bool) -> Vec<(String, String)> {
    let mut files: HashMap<String, &str> = HashMap::with_capacity(generated.len());
    let mut dirs: HashMap<String, String> = HashMap::new();
    for g in generated {
        files.insert(fold(g), g);
        let mut end = 0;
        while let Some(i) = g[end..].find('/') {
            end += i + 1;
            let dir = &g[..end];
            dirs.entry(fold(dir.trim_end_matches('/'))).or_insert_with(|| dir.to_string());
        }
    }
    let mut out = Vec::new();
    for f in static_files {
        let key = fold(f);
        let target = if let Some(g) = files.get(&key) {
            g.to_string()
        } else if search && key.starts_with("search/") {
            "検索のファイル(search/)".to_string()
        } else if let Some(d) = dirs.get(&key) {
            format!("{d}(フォルダ)")
        } else {
            continue;
        };
        out.push((f.clone(), target));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn static_files_landing_on_generated_ones() {
        let generated: Vec<String> =
            ["index.html", "plan/index.html", "plan/1/index.html", "sitemap.xml", "assets/style.css", "data/plan.json"]
                .map(String::from)
                .to_vec();
        let files: Vec<String> = [
            "index.html",
            "plan/1/index.html",
            "Sitemap.xml",
            "assets/style.css",
            "assets/logo.png",
            "data/plan.json",
            "data/extra.csv",
            "plan",
            "search/manifest.json",
            "images/a.png",
        ]
        .map(String::from)
        .to_vec();
        let found = collisions(&files, &generated, true);
        let hit: Vec<&str> = found.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(
            hit,
            [
                "index.html",
                "plan/1/index.html",
                "Sitemap.xml",
                "assets/style.css",
                "data/plan.json",
                "plan",
                "search/manifest.json"
            ]
        );
        assert_eq!(found[2].1, "sitemap.xml");
        assert_eq!(found[5].1, "plan/(フォルダ)");
        assert!(collisions(&["search/x.json".into()], &generated, false).is_empty(), "no search, no search files");
    }
}
