//! Reading a content file: UTF-8 decoding with a clear word on other encodings, and
//! splitting TOML front matter (between `+++` lines) from the Markdown body.

use crate::diagnostics::Diagnostic;
use serde::de::DeserializeOwned;
use std::path::Path;

/// Decodes `bytes` as UTF-8 (a BOM is dropped). Any other encoding is an error that names
/// the encoding the bytes look like (UTF-16, Shift_JIS, EUC-JP), or the line of the first
/// byte that is not UTF-8, and how to re-save the file.
pub fn decode_utf8(bytes: Vec<u8>, file: &Path) -> Result<String, Diagnostic> {
    let bytes = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => rest.to_vec(),
        None => bytes,
    };
    const RESAVE: &str = "エディタで文字コード「UTF-8」を選んで保存し直してください(メモ帳なら「名前を付けて保存」で文字コードに UTF-8 を選びます)";
    // UTF-16 of plain ASCII is valid UTF-8 (with a NUL after every letter): look first.
    if looks_utf16(&bytes) {
        return Err(Diagnostic::new(file, "encoding", "文字コードが UTF-16 です(UTF-8 ではありません)")
            .at_line(1)
            .help(format!(
                "{RESAVE}。「UTF-16」「Unicode」は使えません(コマンドなら: iconv -f UTF-16 -t UTF-8 元のファイル > 新しいファイル)"
            )));
    }
    let e = match String::from_utf8(bytes) {
        Ok(s) => return Ok(s),
        Err(e) => e,
    };
    let valid = e.utf8_error().valid_up_to();
    let bytes = e.into_bytes();
    let line = bytes[..valid].iter().filter(|&&b| b == b'\n').count() + 1;
    let diag = |msg: String, help: String| Diagnostic::new(file, "encoding", msg).at_line(line).help(help);
    Err(match guess_japanese_encoding(&bytes) {
        Some((name, iconv)) => diag(
            format!("文字コードが UTF-8 ではありません({name} のようです)"),
            format!("{RESAVE}(コマンドなら: iconv -f {iconv} -t UTF-8 元のファイル > 新しいファイル)"),
        ),
        None => diag(
            format!(
                "文字コードが UTF-8 ではありません(この行に UTF-8 として読めないバイト 0x{:02X} があります)",
                bytes[valid]
            ),
            format!("{RESAVE}。この行の文字(é などの記号や、別のファイルから貼り付けた文字)も確かめてください"),
        ),
    })
}

/// UTF-16 (or UTF-32): a byte order mark, or NUL bytes in a large share of the text (a
/// text file in UTF-8 has none).
fn looks_utf16(bytes: &[u8]) -> bool {
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return true;
    }
    let head = &bytes[..bytes.len().min(4096)];
    let nuls = head.iter().filter(|&&b| b == 0).count();
    nuls >= 2 && nuls * 10 >= head.len()
}

/// The legacy Japanese encoding `bytes` (not UTF-8) decode in without errors and into
/// Japanese text, with its name for iconv. Text in other encodings (Latin-1 …) sometimes
/// decodes too, into stray kanji: it must hold kana or a run of kanji to count, and the
/// candidate reading most like Japanese wins (EUC-JP decodes as half-width kana in Shift_JIS).
/// A file that is mostly valid UTF-8 with a broken byte is not guessed at all.
fn guess_japanese_encoding(bytes: &[u8]) -> Option<(&'static str, &'static str)> {
    let lossy = String::from_utf8_lossy(bytes);
    let bad = lossy.chars().filter(|&c| c == char::REPLACEMENT_CHARACTER).count();
    let good = lossy.chars().filter(|&c| !c.is_ascii() && c != char::REPLACEMENT_CHARACTER).count();
    if good > bad {
        return None;
    }
    let candidates = [(encoding_rs::SHIFT_JIS, "Shift_JIS", "CP932"), (encoding_rs::EUC_JP, "EUC-JP", "EUC-JP")];
    candidates
        .into_iter()
        .filter_map(|(enc, name, iconv)| {
            let (text, had_errors) = enc.decode_without_bom_handling(bytes);
            if had_errors {
                return None;
            }
            japanese_score(&text).map(|score| (score, name, iconv))
        })
        .max_by_key(|(score, ..)| *score)
        .map(|(_, name, iconv)| (name, iconv))
}

/// How much `text` reads as Japanese (`None`: not at all): kana and kanji count, half-width
/// kana and other non-ASCII letters count against.
fn japanese_score(text: &str) -> Option<i64> {
    let kana = |c: char| matches!(c, '\u{3041}'..='\u{30FA}' | '\u{30FC}');
    let kanji = |c: char| matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3005}');
    let (mut score, mut has_kana, mut kanji_run, mut longest_run) = (0i64, false, 0, 0);
    for c in text.chars() {
        if kana(c) {
            has_kana = true;
            score += 2;
        } else if kanji(c) || matches!(c, '\u{3000}'..='\u{303F}' | '\u{FF01}'..='\u{FF5E}') {
            score += 1;
        } else if !c.is_ascii() {
            score -= 2;
        }
        kanji_run = if kanji(c) { kanji_run + 1 } else { 0 };
        longest_run = longest_run.max(kanji_run);
    }
    (score > 0 && (has_kana || longest_run >= 2)).then_some(score)
}

/// A content file split into its front matter and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// TOML between the `+++` lines ("" when the file has none).
    pub front_matter: String,
    /// 1-based line of the first front-matter line in the file.
    pub front_matter_line: usize,
    /// Markdown after the closing `+++`.
    pub body: String,
    /// 1-based line where the body starts in the file.
    pub body_line: usize,
}

/// Splits `text` into front matter and body. A file that does not start with `+++` has no
/// front matter; one that opens `+++` and never closes it is an error.
pub fn split_front_matter(text: &str, file: &Path) -> Result<Source, Diagnostic> {
    let mut lines = text.split_inclusive('\n');
    let first = lines.next().unwrap_or("");
    if first.trim_end() != "+++" && looks_like_fence(first) {
        return Err(bad_fence(file, 1, first));
    }
    if first.trim_end() != "+++" {
        if first.trim_end() == "---" {
            return Err(Diagnostic::new(file, "front-matter", "前付けが --- で囲まれています(YAML 形式)")
                .at_line(1)
                .help(
                    "planpress の前付けは TOML です。先頭と終わりの行を +++ にして、「キー = 値」の形で書いてください",
                ));
        }
        return Ok(Source { front_matter: String::new(), front_matter_line: 1, body: text.to_string(), body_line: 1 });
    }
    let mut offset = first.len();
    let mut line_no = 1;
    for line in lines {
        line_no += 1;
        if line.trim_end() != "+++" && looks_like_fence(line) {
            return Err(bad_fence(file, line_no, line));
        }
        if line.trim_end() == "+++" {
            let front_matter = text[first.len()..offset].to_string();
            let body = text[offset + line.len()..].to_string();
            return Ok(Source { front_matter, front_matter_line: 2, body, body_line: line_no + 1 });
        }
        offset += line.len();
    }
    Err(Diagnostic::new(file, "front-matter", "前付けの終わりの +++ の行がありません")
        .at_line(1)
        .help("前付け(設定)の最後に +++ だけの行を書いてください"))
}

/// A line that was meant as the `+++` fence of front matter: only plus signs (full-width
/// `＋` included), or `+++` after spaces.
fn looks_like_fence(line: &str) -> bool {
    let t = line.trim();
    t.chars().count() >= 2 && t.chars().all(|c| c == '+' || c == '＋')
}

/// The fence line `line` (number `line_no`) is not exactly `+++`.
fn bad_fence(file: &Path, line_no: usize, line: &str) -> Diagnostic {
    let shown = line.trim_end_matches(['\r', '\n']);
    let what = if shown.contains('＋') {
        "前付けの区切りの行が全角の「＋」で書かれています"
    } else {
        "前付けの区切りの行が +++ ちょうどではありません"
    };
    let column = shown.chars().take_while(|c| *c == ' ' || *c == '\t' || *c == '\u{3000}').count() + 1;
    Diagnostic::new(file, "front-matter", what)
        .at_line(line_no)
        .at_column(column, shown)
        .help("前付けの始まりと終わりの行は、行の先頭から半角の +++ だけを書いてください")
}

/// Parses TOML `text` into `T`, turning errors into a diagnostic at the right line of `file`
/// (`first_line` is the file line where `text` starts).
pub fn parse_toml<T: DeserializeOwned>(text: &str, file: &Path, first_line: usize) -> Result<T, Diagnostic> {
    toml::from_str(text).map_err(|e| toml_diagnostic(&e, text, file, first_line))
}

/// A diagnostic for a TOML error, with its line, column and the line itself, in Japanese
/// (see [`crate::diagnostics::toml`]).
pub fn toml_diagnostic(e: &toml::de::Error, text: &str, file: &Path, first_line: usize) -> Diagnostic {
    crate::diagnostics::toml::diagnostic(e, text, file, first_line)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn p() -> PathBuf {
        PathBuf::from("content/x.md")
    }

    #[test]
    fn splits_front_matter_and_counts_lines() {
        let s = split_front_matter("+++\ntitle = \"a\"\n+++\n\n本文\n", &p()).unwrap();
        assert_eq!(s.front_matter, "title = \"a\"\n");
        assert_eq!(s.front_matter_line, 2);
        assert_eq!(s.body, "\n本文\n");
        assert_eq!(s.body_line, 4);
    }

    #[test]
    fn crlf_front_matter_works() {
        let s = split_front_matter("+++\r\ntitle = \"a\"\r\n+++\r\nb", &p()).unwrap();
        assert_eq!(s.front_matter, "title = \"a\"\r\n");
        assert_eq!(s.body, "b");
    }

    #[test]
    fn no_front_matter_is_all_body() {
        let s = split_front_matter("# hi\n", &p()).unwrap();
        assert_eq!(s.front_matter, "");
        assert_eq!(s.body, "# hi\n");
    }

    #[test]
    fn full_width_or_indented_fences_are_named() {
        let e = split_front_matter("＋＋＋\ntitle = \"a\"\n＋＋＋\n", &p()).unwrap_err();
        assert!(e.message.contains("全角") && e.line == Some(1) && e.column() == Some(1), "{e:?}");
        let e = split_front_matter("+++\ntitle = \"a\"\n＋＋＋\n本文", &p()).unwrap_err();
        assert!(e.message.contains("全角") && e.line == Some(3), "{e:?}");
        let e = split_front_matter("  +++\ntitle = \"a\"\n+++\n", &p()).unwrap_err();
        assert_eq!((e.line, e.column()), (Some(1), Some(3)), "{e:?}");
        assert!(split_front_matter("本文の中の ++ は本文\n", &p()).is_ok());
    }

    #[test]
    fn unclosed_front_matter_is_an_error() {
        let e = split_front_matter("+++\ntitle = 1\n", &p()).unwrap_err();
        assert_eq!(e.rule, "front-matter");
    }

    #[test]
    fn yaml_front_matter_gets_a_pointer_to_toml() {
        let e = split_front_matter("---\ntitle: a\n---\n", &p()).unwrap_err();
        assert!(e.help.unwrap().contains("TOML"));
    }

    #[test]
    fn toml_error_has_file_line() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct T {
            title: String,
        }
        let e = parse_toml::<T>("\n\ntitle = \n", &p(), 2).unwrap_err();
        assert_eq!(e.line, Some(4));
        let e = parse_toml::<T>("x = 1\n", &p(), 2).unwrap_err();
        assert!(e.message.contains("title"), "{}", e.message);
    }

    #[test]
    fn shift_jis_is_named() {
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode("+++\ntitle = \"掛川市の計画\"\n+++\n");
        let e = decode_utf8(sjis.into_owned(), &p()).unwrap_err();
        assert_eq!(e.rule, "encoding");
        assert!(e.message.contains("Shift_JIS"), "{}", e.message);
        assert_eq!(e.line, Some(2));
    }

    #[test]
    fn other_encodings_are_told_apart() {
        let named = |bytes: Vec<u8>| {
            let e = decode_utf8(bytes, &p()).unwrap_err();
            (e.message, e.line, e.help.unwrap())
        };
        let text = "+++\ntitle = \"掛川市の計画\"\n+++\n";
        let utf16: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        let (msg, line, help) = named([&b"\xFE\xFF"[..], &utf16].concat());
        assert!(msg.contains("UTF-16") && help.contains("iconv -f UTF-16") && line == Some(1), "{msg} {help}");
        let (msg, _, help) = named(utf16);
        assert!(msg.contains("UTF-16") && !help.contains("SHIFT_JIS"), "{msg} {help}");
        let (msg, line, help) = named(encoding_rs::EUC_JP.encode(text).0.into_owned());
        assert!(msg.contains("EUC-JP") && help.contains("iconv -f EUC-JP") && line == Some(2), "{msg} {help}");
        // Mostly UTF-8 with one broken byte, and Latin-1: no guess, the line and the byte.
        let (msg, line, help) = named(b"+++\ntitle = \"\xE6\x8E\x9B\xE5\xB7\x9D\"\n\xFF\n".to_vec());
        assert!(msg.contains("0xFF") && line == Some(3) && !help.contains("iconv"), "{msg} {help}");
        let (msg, line, help) = named(b"+++\ntitle = \"R\xe9sum\xe9s\"\n".to_vec());
        assert!(msg.contains("0xE9") && line == Some(2) && !help.contains("iconv"), "{msg} {help}");
    }

    #[test]
    fn bom_is_dropped() {
        assert_eq!(decode_utf8(b"\xEF\xBB\xBFabc".to_vec(), &p()).unwrap(), "abc");
    }
}
