//! Minifying rendered HTML (when `site.toml` says `minify = true`, the default).

/// Minifies HTML with minify-html (spec-compliant settings: valid HTML5 comes out).
pub fn minify(html: &str) -> Vec<u8> {
    let cfg =
        minify_html::Cfg { keep_closing_tags: false, keep_html_and_head_opening_tags: true, ..Default::default() };
    minify_html::minify(html.as_bytes(), &cfg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minify_keeps_lang_and_doctype() {
        let out = String::from_utf8(minify(
            "<!DOCTYPE html>\n<html lang=\"ja\">\n<head><title>t</title></head>\n<body>\n<p>本文 </p>\n</body></html>",
        ))
        .unwrap();
        assert!(out.to_lowercase().starts_with("<!doctype html>"), "{out}");
        assert!(out.contains("lang=ja"), "{out}");
    }
}
