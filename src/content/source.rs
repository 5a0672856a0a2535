//! Reading a content file: UTF-8 decoding with a clear word on other encodings, and
//! splitting TOML front matter (between `+++` lines) from the Markdown body.

use crate::diagnostics::{line_of, Diagnostic};
use serde::de::DeserializeOwned;
use std::path::Path;

/// Decodes `bytes` as UTF-8 (a BOM is dropped). Any other encoding is an error that names
/// the encoding the bytes look like, and how to re-save the file.
pub fn decode_utf8(bytes: Vec<u8>, file: &Path) -> Result<String, Diagnostic> {
    let bytes = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => rest.to_vec(),
        None => bytes,
    };
    match String::from_utf8(bytes) {
        Ok(s) => Ok(s),
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            let line = line_of(&String::from_utf8_lossy(&bytes[..valid]), valid);
            let guess = guess_encoding(&bytes);
            let msg = match guess {
                Some(name) => format!("文字コードが UTF-8 ではありません({name} のようです)"),
                None => "文字コードが UTF-8 ではありません".to_string(),
            };
            let from = guess.unwrap_or("SHIFT_JIS");
            Err(Diagnostic::new(file, "encoding", msg).at_line(line).help(format!(
                "エディタで文字コード「UTF-8」を選んで保存し直してください(コマンドなら: iconv -f {from} -t UTF-8 元のファイル > 新しいファイル)"
            )))
        }
    }
}

/// Names the legacy Japanese encoding `bytes` decode in without errors, if any.
fn guess_encoding(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Some("UTF-16");
    }
    let candidates = [
        (encoding_rs::SHIFT_JIS, "Shift_JIS"),
        (encoding_rs::EUC_JP, "EUC-JP"),
        (encoding_rs::ISO_2022_JP, "ISO-2022-JP"),
    ];
    candidates.into_iter().find_map(|(enc, name)| {
        let (_, had_errors) = enc.decode_without_bom_handling(bytes);
        (!had_errors).then_some(name)
    })
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

/// Parses TOML `text` into `T`, turning errors into a diagnostic at the right line of `file`
/// (`first_line` is the file line where `text` starts).
pub fn parse_toml<T: DeserializeOwned>(text: &str, file: &Path, first_line: usize) -> Result<T, Diagnostic> {
    toml::from_str(text).map_err(|e| toml_diagnostic(&e, text, file, first_line))
}

/// A diagnostic for a TOML error, with its line in the file.
pub fn toml_diagnostic(e: &toml::de::Error, text: &str, file: &Path, first_line: usize) -> Diagnostic {
    let line = e.span().map(|s| first_line + line_of(text, s.start) - 1);
    let message = e.message().trim().to_string();
    let help = toml_help(&message);
    Diagnostic::new(file, "toml", format!("設定(TOML)の書き方が正しくありません: {message}"))
        .at_opt_line(line)
        .help(help)
}

fn toml_help(message: &str) -> String {
    if message.starts_with("missing field") {
        let field = message.split('`').nth(1).unwrap_or("");
        format!("必須の項目 {field} を書いてください(docs/CONTENT.md を参照)")
    } else if message.starts_with("unknown field") {
        let field = message.split('`').nth(1).unwrap_or("");
        format!("項目名 {field} は使えません。つづりを確認してください(使える項目は docs/CONTENT.md)")
    } else if message.contains("duplicate key") {
        "同じ項目が2回書かれています。どちらかを消してください".to_string()
    } else {
        "「キー = 値」の形で書いてください。文字列は \"…\" で囲み、数はそのまま、リストは [ … ] で書きます".to_string()
    }
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
    fn bom_is_dropped() {
        assert_eq!(decode_utf8(b"\xEF\xBB\xBFabc".to_vec(), &p()).unwrap(), "abc");
    }
}
