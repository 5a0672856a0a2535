//! Small HTML helpers shared by the renderer and the checker, and the one set of
//! characters that URL paths keep when they are percent-encoded.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// What [`percent_encode_path`] encodes: every byte but ASCII letters and digits, the
/// unreserved marks `-` `_` `.` `~` (RFC 3986), the separator `/`, and `#` (site paths
/// never hold one but a fragment may follow). So non-ASCII text (Japanese ids and
/// headings) is encoded as UTF-8 bytes, `%E8%A8%88`, and so are spaces, `?`, `%`, `&`
/// and quotes. Hex digits are upper case.
pub const PATH: &AsciiSet =
    &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~').remove(b'/').remove(b'#');

/// Percent-encodes a site path for a URL (sitemap, canonical link, open data), keeping
/// the characters of [`PATH`].
pub fn percent_encode_path(path: &str) -> String {
    utf8_percent_encode(path, PATH).to_string()
}

/// Escapes text for use in HTML text and double-quoted attributes.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Relative prefix from a page at site path `path` (`a/b/`, `` for the root) to the root:
/// `../../`, or `./` at the root.
pub fn root_prefix(path: &str) -> String {
    let depth = path.split('/').filter(|s| !s.is_empty()).count();
    if depth == 0 {
        "./".to_string()
    } else {
        "../".repeat(depth)
    }
}

/// Today's date in Japan (UTC+9), `2026年11月22日`.
pub fn today_jst() -> String {
    let (y, m, d) = civil_from_days(((build_time() + 9 * 3600) / 86_400) as i64);
    format!("{y}年{m}月{d}日")
}

/// The build date in Japan (`2025-04-01`), as open data writes 更新日.
pub fn build_date() -> String {
    iso_date_jst(build_time())
}

/// Seconds since 1970 that a build is dated with: `SOURCE_DATE_EPOCH` when it is set to
/// a whole number (reproducible builds), otherwise now.
pub fn build_time() -> u64 {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    epoch_or(std::env::var("SOURCE_DATE_EPOCH").ok().as_deref(), now)
}

/// `SOURCE_DATE_EPOCH` as seconds, or `now` when it is unset or not a whole number.
fn epoch_or(var: Option<&str>, now: u64) -> u64 {
    var.and_then(|v| v.trim().parse().ok()).unwrap_or(now)
}

/// `YYYY-MM-DD` of `secs` since 1970 in Japan time (UTC+9, no summer time).
pub fn iso_date_jst(secs: u64) -> String {
    let (y, m, d) = civil_from_days(((secs.saturating_add(9 * 3600)) / 86_400) as i64);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Gregorian (year, month, day) of days since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// `html` rendered for a page whose root prefix is `from` ([`root_prefix`]), for a page
/// whose root prefix is `to`: every `href="…"` and `src="…"` that starts at the root is
/// moved. A body shown on another page (the printable summaries are one folder deeper than
/// the pages they summarise) keeps its links and images working.
/// `html` is borrowed from the model or read back for this page (a spilled body), and
/// comes back unchanged when nothing moves.
pub fn rebase_root<'a>(html: std::borrow::Cow<'a, str>, from: &str, to: &str) -> std::borrow::Cow<'a, str> {
    if from == to || html.is_empty() {
        return html;
    }
    let mut out = html.into_owned();
    for attr in ["href", "src"] {
        out = out.replace(&format!("{attr}=\"{from}"), &format!("{attr}=\"{to}"));
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn civil_dates() {
        assert_eq!(super::civil_from_days(0), (1970, 1, 1));
        assert_eq!(super::civil_from_days(19_723), (2024, 1, 1));
        assert_eq!(super::civil_from_days(19_782), (2024, 2, 29));
    }

    #[test]
    fn build_dates_honour_source_date_epoch() {
        assert_eq!(super::epoch_or(Some("1735657200"), 5), 1_735_657_200);
        assert_eq!(super::epoch_or(Some(" 0 "), 5), 0);
        assert_eq!(super::epoch_or(Some("yesterday"), 5), 5, "not a number: now");
        assert_eq!(super::epoch_or(Some("-1"), 5), 5);
        assert_eq!(super::epoch_or(None, 5), 5);
        // 2024-12-31 15:00 UTC is already 1 January in Japan.
        assert_eq!(super::iso_date_jst(1_735_657_200), "2025-01-01");
        assert_eq!(super::iso_date_jst(1_735_657_199), "2024-12-31");
        assert_eq!(super::iso_date_jst(0), "1970-01-01");
        assert_eq!(super::iso_date_jst(u64::MAX).matches('-').count(), 2, "a huge SOURCE_DATE_EPOCH does not overflow");
    }

    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(escape("<img src=x onerror='a'>&\""), "&lt;img src=x onerror=&#39;a&#39;&gt;&amp;&quot;");
    }

    #[test]
    fn percent_encoding_keeps_only_the_path_set() {
        assert_eq!(percent_encode_path("a/子/"), "a/%E5%AD%90/");
        assert_eq!(percent_encode_path("A-z_0.9~/#x"), "A-z_0.9~/#x");
        assert_eq!(percent_encode_path("a b?c%d&e\"f'g+h"), "a%20b%3Fc%25d%26e%22f%27g%2Bh");
    }

    /// The hand-written encoder this replaced, for comparison.
    fn old_encode(path: &str) -> String {
        let mut out = String::new();
        for b in path.bytes() {
            if b.is_ascii_alphanumeric() || b"-_.~/#".contains(&b) {
                out.push(b as char);
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
        out
    }

    proptest::proptest! {
        #[test]
        fn percent_encoding_is_what_it_was(s in "\\PC*") {
            proptest::prop_assert_eq!(percent_encode_path(&s), old_encode(&s));
        }
    }

    #[test]
    fn root_prefix_by_depth() {
        assert_eq!(root_prefix(""), "./");
        assert_eq!(root_prefix("a/"), "../");
        assert_eq!(root_prefix("a/b/"), "../../");
    }

    #[test]
    fn rebase_root_moves_root_links_only() {
        let body = r##"<p><a href="../../p/1/">a</a> <img src="../../p/2/map.png" alt="x"> <a href="https://a.jp/">b</a> <a href="#h">c</a></p>"##;
        let moved = rebase_root(body.into(), "../../", "../../../");
        assert!(
            moved.contains(r#"href="../../../p/1/""#) && moved.contains(r#"src="../../../p/2/map.png""#),
            "{moved}"
        );
        assert!(moved.contains(r#"href="https://a.jp/""#) && moved.contains(r##"href="#h""##), "{moved}");
        assert!(matches!(rebase_root(body.into(), "../", "../"), std::borrow::Cow::Borrowed(_)));
    }
}
