//! TOML mistakes explained in Japanese: what a Japanese IME, Word and Excel put into
//! `site.toml` and front matter (curly quotes, full-width `＝` `：` spaces and digits, `、`
//! between list items, `1,800`, a line break inside a string), found at the character,
//! and the parser's other errors in plain words. The parser's own (English) text is kept
//! only as [`Diagnostic::detail`].

use super::Diagnostic;
use crate::diagnostics::line_of;
use std::path::Path;

/// A diagnostic for the TOML error `e` in `text`, whose first line is line `first_line`
/// of `file`.
pub fn diagnostic(e: &toml::de::Error, text: &str, file: &Path, first_line: usize) -> Diagnostic {
    let raw = e.message().trim().to_string();
    let at = e.span().map(|s| s.start.min(text.len()));
    let found = at.and_then(|offset| find_mistake(text, offset)).or_else(|| at.and_then(|o| translate(&raw, text, o)));
    let (message, help, offset) = match found {
        Some(m) => (m.message, m.help, Some(m.offset)),
        None => (generic_message(&raw), generic_help(&raw), at),
    };
    let mut d = Diagnostic::new(file, "toml", format!("設定(TOML)の書き方が正しくありません: {message}"))
        .help(help)
        .detail(raw);
    if let Some(offset) = offset {
        let (line_start, line_text) = line_around(text, offset);
        let column = text[line_start..offset].chars().count() + 1;
        d = d.at_line(first_line + line_of(text, offset) - 1).at_column(column, line_text);
    }
    d
}

/// A mistake found in the text: what, how to fix it, and its byte offset.
struct Mistake {
    message: String,
    help: String,
    offset: usize,
}

/// The start of the line holding `offset`, and that line.
fn line_around(text: &str, offset: usize) -> (usize, &str) {
    let start = text[..offset].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let end = text[offset..].find('\n').map(|i| offset + i).unwrap_or(text.len());
    (start, text[start..end].trim_end_matches('\r'))
}

/// Looks for a typing mistake on the error's line, then on the line before it (a string
/// left open ends the line before the parser notices).
fn find_mistake(text: &str, offset: usize) -> Option<Mistake> {
    let (start, line) = line_around(text, offset);
    if start > 0 {
        let (prev_start, prev) = line_around(text, start - 1);
        if let Some(m) = mistake_on_line(prev, prev_start).filter(|m| m.message.contains("閉じていません")) {
            return Some(m);
        }
    }
    if let Some(m) = mistake_on_line(line, start) {
        return Some(m);
    }
    if start > 0 {
        let (prev_start, prev) = line_around(text, start - 1);
        return mistake_on_line(prev, prev_start);
    }
    None
}

/// The first typing mistake outside strings on `line` (which starts at `base`).
fn mistake_on_line(line: &str, base: usize) -> Option<Mistake> {
    let mut in_string: Option<char> = None;
    let mut escaped = false;
    let mut seen_equals = false;
    let key_like = |upto: &str| {
        let k = upto.trim();
        !k.is_empty() && k.chars().all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ' '))
    };
    for (i, c) in line.char_indices() {
        let at = base + i;
        if let Some(q) = in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' && q == '"' {
                escaped = true;
            } else if c == q {
                in_string = None;
            }
            continue;
        }
        let m = |message: String, help: &str| Some(Mistake { message, help: help.to_string(), offset: at });
        match c {
            '#' => return None, // a comment: the rest of the line is free text
            '"' | '\'' => in_string = Some(c),
            '=' => seen_equals = true,
            '“' | '”' | '„' | '‟' | '″' => {
                return m(
                    format!("「{c}」(全角の引用符)は文字列の囲みに使えません"),
                    "文字列は半角の \" で囲んでください(例: title = \"子育て支援\")。ワープロや日本語入力で書くと “ ” に変わることがあります",
                )
            }
            '‘' | '’' => {
                return m(
                    format!("「{c}」(全角の引用符)は文字列の囲みに使えません"),
                    "文字列は半角の \" で囲んでください(例: title = \"子育て支援\")",
                )
            }
            '「' | '『' if seen_equals => {
                return m(
                    format!("値が「{c}」で始まっています。かぎかっこは文字列の囲みになりません"),
                    "文字列は半角の \" で囲んでください。かぎかっこを題名に含めるなら \"「子育て」支援\" のように \" の内側に書きます",
                )
            }
            '＝' => return m("全角の「＝」が使われています".into(), "キーと値の間は半角の = にしてください(例: title = \"…\")"),
            '：' | ':' if !seen_equals && key_like(&line[..i]) => {
                return m(
                    format!("「{}」の後に「{c}」があります。TOML では = で値を書きます", line[..i].trim()),
                    "「キー: 値」ではなく「キー = 値」と書いてください(例: title = \"…\")。前付けは YAML ではなく TOML です",
                )
            }
            '\u{3000}' => return m("全角スペースがあります".into(), "全角スペースを消すか、半角スペースにしてください(文字列の \" \" の内側なら使えます)"),
            '、' | '，' | '､' => {
                return m(
                    format!("「{c}」で区切られています"),
                    "リストの区切りは半角のカンマ , にしてください(例: sdgs = [2, 15])",
                )
            }
            '０'..='９' => {
                let digits: String = line[i..].chars().take_while(|c| matches!(c, '０'..='９' | '．')).collect();
                let ascii: String = digits
                    .chars()
                    .map(|c| if c == '．' { '.' } else { char::from_u32(c as u32 - 0xFF10 + '0' as u32).unwrap_or(c) })
                    .collect();
                return m(format!("全角の数字「{digits}」があります"), &format!("数字は半角で {ascii} と書いてください"));
            }
            '［' | '］' | '｛' | '｝' | '（' | '）' | '＂' | '＃' | '＋' => {
                return m(format!("全角の記号「{c}」があります"), "記号は半角で書いてください([ ] { } \" # + などはすべて半角です)")
            }
            '0'..='9' if seen_equals => {
                // `value = 1,800`: a thousands separator (inside [ ] it would read as two numbers).
                let rest = &line[i..];
                let number: String = rest.chars().take_while(|c| c.is_ascii_digit() || *c == ',').collect();
                let grouped = number.split(',').skip(1).all(|g| g.len() == 3) && number.contains(',');
                if grouped && !line[..i].contains(['[', '{']) {
                    let plain = number.replace(',', "");
                    return m(
                        format!("数値「{number}」に桁区切りのカンマがあります"),
                        &format!("数値は {plain} のようにカンマなしで書いてください(桁を区切るなら 1_800 と書けます)"),
                    );
                }
            }
            _ => {}
        }
    }
    if let Some('"') = in_string {
        let at = base + line.rfind('"').unwrap_or(0);
        return Some(Mistake {
            message: "文字列の \" が行の終わりまでに閉じていません".into(),
            help: "文字列を \" で閉じてください。文字列の途中で改行するなら \"\"\" で囲みます(例: summary = \"\"\"1行目\n2行目\"\"\")。Excel のセルから貼り付けた改行にも気をつけてください".into(),
            offset: at,
        });
    }
    None
}

/// The parser's errors that [`find_mistake`] did not explain, in plain words, where the
/// message is one of the common ones.
fn translate(raw: &str, text: &str, offset: usize) -> Option<Mistake> {
    let quoted = raw.split('`').nth(1).unwrap_or("").to_string();
    let (message, help) = if raw.starts_with("duplicate key") {
        (
            format!("項目 {quoted} が2回書かれています"),
            "同じ表([…] の見出しの下)に同じ項目は1回だけ書けます。どちらかを消してください".to_string(),
        )
    } else if let Some(rest) = raw.strip_prefix("invalid type: ") {
        let (found, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
        let found_ja = match found.split_whitespace().next().unwrap_or("") {
            "string" => "文字列",
            "integer" | "floating" => "数値",
            "sequence" => "リスト [ … ]",
            "map" => "表 { … }",
            "boolean" => "true / false",
            _ => "値",
        };
        let (expected_ja, help) = if !expected.is_ascii() {
            (expected.to_string(), generic_help(raw))
        } else if expected.contains("string") {
            ("文字列".to_string(), "文字列は半角の \" で囲んでください(例: number = \"1\")".to_string())
        } else if ["integer", "i64", "u64", "u8", "f64", "float", "number"].iter().any(|t| expected.contains(t)) {
            (
                "数値".to_string(),
                "数値は引用符なしで書いてください(例: value = 80)。単位は unit = \"%\" に書きます".to_string(),
            )
        } else if expected.contains("sequence") {
            (
                "リスト [ … ]".to_string(),
                "値を [ ] で囲んでください(例: sdgs = [4] や departments = [\"学校教育課\"])".to_string(),
            )
        } else if expected.contains("boolean") {
            ("true か false".to_string(), "半角の true か false を引用符なしで書いてください".to_string())
        } else {
            ("別の種類の値".to_string(), generic_help(raw))
        };
        (format!("{expected_ja} を書く所に{found_ja}が書かれています"), help)
    } else {
        return None;
    };
    Some(Mistake { message, help, offset: offset.min(text.len()) })
}

/// A plain-words message for a parser error nothing above explained.
fn generic_message(raw: &str) -> String {
    let field = raw.split('`').nth(1).unwrap_or("");
    if raw.starts_with("missing field") {
        format!("必須の項目 {field} がありません")
    } else if raw.starts_with("unknown field") {
        format!("項目 {field} は使えません")
    } else if raw.contains("duplicate key") {
        format!("項目 {field} が2回書かれています")
    } else if raw.contains("計画期間")
        || raw.contains("年度")
        || raw.contains("値は")
        || raw.contains("数値")
        || raw.contains("日付")
    {
        raw.to_string() // already Japanese: planpress's own deserializers wrote it
    } else if raw.contains("invalid key") || raw.contains("expected `=`") || raw.contains("key with no value") {
        "項目名か = の書き方が正しくありません".to_string()
    } else if raw.contains("unclosed") || raw.contains("invalid string") || raw.contains("basic string") {
        "文字列・リスト・表の囲みが閉じていません".to_string()
    } else if raw.contains("expected newline") || raw.contains("expected new line") {
        "1行に1つの「キー = 値」だけを書いてください。値の後に余分な文字があります".to_string()
    } else if raw.contains("table") && raw.contains("header") {
        "表の見出し [ … ] の書き方が正しくありません".to_string()
    } else {
        "この行を TOML として読めません".to_string()
    }
}

/// How to fix a parser error nothing above explained.
fn generic_help(raw: &str) -> String {
    let field = raw.split('`').nth(1).unwrap_or("");
    if raw.starts_with("missing field") {
        format!("必須の項目 {field} を書いてください(docs/CONTENT.md を参照)")
    } else if raw.starts_with("unknown field") {
        let known: Vec<&str> = raw
            .split_once("expected")
            .map(|(_, rest)| rest.split('`').skip(1).step_by(2).collect())
            .unwrap_or_default();
        let hint = if known.is_empty() { String::new() } else { format!("。使える項目: {}", known.join(", ")) };
        format!("つづりを確かめてください。全角の文字が混じっていないかも見てください{hint}(docs/CONTENT.md)")
    } else if raw.contains("duplicate key") {
        "同じ項目が2回書かれています。どちらかを消してください".to_string()
    } else if raw.contains("計画期間") {
        "計画期間は period = { start = \"R3\", end = \"R7\" } のように、始まりと終わりの年度で書いてください(docs/CONTENT.md §3)".to_string()
    } else if raw.contains("日付") {
        "最終更新日は updated = \"2026-04-01\" のように、西暦の 年-月-日 で書いてください(docs/CONTENT.md §4)"
            .to_string()
    } else if raw.contains("年度") {
        "年度は 2025、\"R7\"、\"令和7年度\"、\"令和元年度\"、\"H30\" のように書いてください(docs/CONTENT.md §6)"
            .to_string()
    } else {
        "「キー = 値」の形で1行に1つずつ書いてください。文字列は半角の \" で囲み、数はそのまま、リストは [ … ] で書きます(docs/CONTENT.md)".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Fm {
        title: String,
        #[serde(default)]
        sdgs: Vec<i64>,
        #[serde(default)]
        value: Option<f64>,
        #[serde(default)]
        summary: Option<String>,
    }

    fn explain(text: &str) -> Diagnostic {
        let e = toml::from_str::<Fm>(text).unwrap_err();
        diagnostic(&e, text, Path::new("content/a.md"), 2)
    }

    fn japanese_only(d: &Diagnostic) {
        assert!(!d.message.chars().any(|c| c.is_ascii_lowercase() && d.message.contains("expected")), "{}", d.message);
        assert!(d.help.is_some());
    }

    #[test]
    fn curly_quotes_point_at_the_quote() {
        let d = explain("title = “子育て”\n");
        assert!(d.message.contains("“") && d.message.contains("全角の引用符"), "{}", d.message);
        assert_eq!((d.line, d.column()), (Some(2), Some(9)));
        assert_eq!(d.excerpt(), Some("title = “子育て”"));
        assert!(d.spot.as_ref().is_some_and(|s| s.detail.is_some()), "the parser's words are kept as detail");
        japanese_only(&d);
    }

    #[test]
    fn full_width_equals_colon_space_and_digits() {
        let d = explain("title ＝ \"a\"\n");
        assert!(d.message.contains("＝") && d.help.as_deref().unwrap().contains("半角の ="), "{d:?}");
        assert_eq!(d.column(), Some(7));
        let d = explain("title： \"a\"\n");
        assert!(d.message.contains("："), "{d:?}");
        let d = explain("title: a\n");
        assert!(d.help.as_deref().unwrap().contains("キー = 値"), "{d:?}");
        let d = explain("title\u{3000}= \"a\"\n");
        assert!(d.message.contains("全角スペース"), "{d:?}");
        let d = explain("title = \"a\"\nvalue = ８０\n");
        assert!(d.message.contains("８０") && d.help.as_deref().unwrap().contains("80"), "{d:?}");
        assert_eq!(d.line, Some(3));
    }

    #[test]
    fn list_separators_and_thousands() {
        let d = explain("title = \"a\"\nsdgs = [2、15]\n");
        assert!(d.message.contains("、") && d.help.as_deref().unwrap().contains("[2, 15]"), "{d:?}");
        assert_eq!(d.column(), Some(10));
        let d = explain("title = \"a\"\nsummary = { value = 1, year = 2 }\n");
        assert!(!d.message.contains("カンマ"), "commas between inline-table keys are not thousands: {d:?}");
        let d = explain("title = \"a\"\nvalue = 1,800\n");
        assert!(d.message.contains("1,800") && d.help.as_deref().unwrap().contains("1800"), "{d:?}");
    }

    #[test]
    fn a_line_break_inside_a_string() {
        let d = explain("title = \"a\"\nsummary = \"一行目\n二行目\"\n");
        assert!(d.message.contains("閉じていません"), "{d:?}");
        assert_eq!(d.line, Some(3));
        assert!(d.help.as_deref().unwrap().contains("\"\"\""));
    }

    #[test]
    fn quotes_inside_strings_and_comments_are_fine() {
        // Only the real mistake is reported, not the “ inside a string or a comment.
        let d = explain("# “注” ＝ メモ\ntitle = \"“a”\"\nsdgs = [1、2]\n");
        assert!(d.message.contains("、"), "{d:?}");
    }

    #[test]
    fn other_errors_are_in_japanese_with_the_english_kept() {
        let d = explain("title = \"a\"\nvalue = \"80%\"\n");
        assert!(d.message.contains("数値 を書く所に文字列"), "{d:?}");
        let d = explain("sdgs = [1]\n");
        assert!(d.message.contains("必須の項目 title"), "{d:?}");
        let d = explain("title = \"a\"\ntitel = \"b\"\n");
        assert!(d.message.contains("titel") && d.help.as_deref().unwrap().contains("title"), "{d:?}");
        for d in [explain("title = \"a\" x\n"), explain("[x\ntitle = \"a\"\n")] {
            assert!(!d.message.contains("expected"), "{d:?}");
            assert!(d.spot.as_ref().is_some_and(|s| s.detail.is_some()));
        }
    }

    #[test]
    fn any_text_gives_a_diagnostic_without_panicking() {
        for text in ["“", "＝", "a = \"", "a = 1,", "\u{3000}", "x = ０．５", "a: “b”\n", "[[", "a = [1、"] {
            if let Err(e) = toml::from_str::<Fm>(text) {
                let d = diagnostic(&e, text, Path::new("a"), 1);
                assert!(d.help.is_some(), "{text}");
            }
        }
    }
}
