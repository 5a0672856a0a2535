//! Content HTML that skips the template engine and the minifier.
//!
//! Markdown bodies and charts are most of a page's bytes, and planpress writes them
//! compact already. Copying them into Tera's context and then parsing them again in
//! minify-html was most of the build time. Instead a page's context gets a short marker
//! for each fragment ([`Slots::put`]); the page is rendered and minified with the markers,
//! and [`Slots::splice`] puts the fragments in their place.
//!
//! A theme may use a fragment in a way a marker cannot stand for (twice, or inside an
//! attribute after `striptags`). Then splicing fails and the page is rendered again with
//! the fragments inline ([`Slots::inline`]), so output never depends on the shortcut.

use std::borrow::Cow;
use std::cell::RefCell;

/// Opens a marker (a Unicode noncharacter: never in text a person writes).
const OPEN: char = '\u{FDD0}';
/// Closes a marker.
const CLOSE: char = '\u{FDD1}';

/// The fragments of one page.
#[derive(Debug, Default)]
pub struct Slots<'a> {
    parts: Option<RefCell<Vec<Cow<'a, str>>>>,
}

impl<'a> Slots<'a> {
    /// Fragments are replaced by markers until [`Slots::splice`].
    pub fn new() -> Self {
        Slots { parts: Some(RefCell::new(Vec::new())) }
    }

    /// Fragments stay inline ([`Slots::put`] returns them unchanged).
    pub fn inline() -> Self {
        Slots { parts: None }
    }

    /// What the template gets for `html`: a marker, or `html` itself when inline.
    pub fn put(&self, html: impl Into<Cow<'a, str>>) -> String {
        let html = html.into();
        match &self.parts {
            Some(parts) if !html.is_empty() => {
                let mut parts = parts.borrow_mut();
                parts.push(html);
                format!("{OPEN}{}{CLOSE}", parts.len() - 1)
            }
            _ => html.into_owned(),
        }
    }

    /// `page` with every marker replaced by its fragment, or `None` when a marker is found
    /// twice or inside a tag. (A fragment the template did not use is simply not there.)
    /// Works on bytes: the page comes straight from the minifier, unchecked.
    pub fn splice(self, page: Vec<u8>) -> Option<Vec<u8>> {
        let Some(parts) = self.parts else { return Some(page) };
        let parts = parts.into_inner();
        if parts.is_empty() {
            return Some(page);
        }
        let (mut open, mut close) = ([0u8; 3], [0u8; 3]);
        OPEN.encode_utf8(&mut open);
        CLOSE.encode_utf8(&mut close);
        let mut out = Vec::with_capacity(page.len() + parts.iter().map(|p| p.len()).sum::<usize>());
        let mut used = vec![false; parts.len()];
        let mut rest = &page[..];
        while let Some(start) = find(rest, &open) {
            let before = &rest[..start];
            // Inside a tag (an attribute) a fragment would break the markup.
            if last_bracket(before).or_else(|| last_bracket(&out)) == Some(b'<') {
                return None;
            }
            out.extend_from_slice(before);
            let after = &rest[start + open.len()..];
            let end = find(after, &close)?;
            let index: usize = std::str::from_utf8(&after[..end]).ok()?.parse().ok()?;
            if std::mem::replace(used.get_mut(index)?, true) {
                return None;
            }
            out.extend_from_slice(parts[index].as_bytes());
            rest = &after[end + close.len()..];
        }
        out.extend_from_slice(rest);
        Some(out)
    }
}

/// The last `<` or `>` in `bytes`: `<` means the text ends inside a tag.
fn last_bracket(bytes: &[u8]) -> Option<u8> {
    bytes.iter().rev().copied().find(|&b| b == b'<' || b == b'>')
}

/// Where `needle` (3 bytes, starting with a UTF-8 lead byte) first occurs in `hay`.
fn find(hay: &[u8], needle: &[u8; 3]) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = hay[from..].iter().position(|&b| b == needle[0]) {
        let at = from + i;
        if hay[at..].starts_with(needle) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fragments_return_to_their_places() {
        let s = Slots::new();
        let a = s.put("<p>本文</p>");
        let b = s.put(String::from("<svg></svg>"));
        assert_eq!(s.put(""), "", "empty fragments need no marker");
        let page = format!("<div class=prose>{a}</div><figure>{b}</figure>");
        assert!(!page.contains("本文"));
        assert_eq!(
            s.splice(page.into_bytes()).unwrap(),
            "<div class=prose><p>本文</p></div><figure><svg></svg></figure>".as_bytes()
        );
    }

    #[test]
    fn inline_slots_change_nothing() {
        let s = Slots::inline();
        assert_eq!(s.put("<p>x</p>"), "<p>x</p>");
        assert_eq!(s.splice(b"<p>x</p>".to_vec()).unwrap(), b"<p>x</p>");
    }

    #[test]
    fn a_marker_used_twice_or_in_an_attribute_fails() {
        let s = Slots::new();
        let a = s.put("<p>x</p>");
        assert!(s.splice(format!("{a}{a}").into_bytes()).is_none(), "twice");
        let s = Slots::new();
        let _ = s.put("<p>x</p>");
        assert_eq!(
            s.splice(b"<p>unused</p>".to_vec()).unwrap(),
            b"<p>unused</p>",
            "a fragment the theme does not show"
        );
        let s = Slots::new();
        let a = s.put("<p>x</p>");
        assert!(s.splice(format!("<meta content=\"{a}\">").into_bytes()).is_none(), "in an attribute");
        let s = Slots::new();
        let a = s.put("<p>x</p>");
        let b = s.put("<p>y</p>");
        assert!(s.splice(format!("<p>{a}</p><img alt=\"{b}\">").into_bytes()).is_none(), "second one in an attribute");
    }

    #[test]
    fn marker_lookalikes_in_content_fail_safely() {
        let s = Slots::new();
        let a = s.put("<p>x</p>");
        assert!(s.splice(format!("{a}<p>\u{FDD0}9\u{FDD1}</p>").into_bytes()).is_none());
        let s = Slots::new();
        let a = s.put("<p>x</p>");
        assert!(s.splice(format!("{a}<p>\u{FDD0}</p>").into_bytes()).is_none());
    }
}
