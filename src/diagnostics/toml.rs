//! TOML mistakes explained in Japanese: what a Japanese IME, Word and Excel put into
//! `site.toml` and front matter (curly quotes, full-width `＝` `：` spaces and digits, `、`
//! between list items, `1,800`, a line break inside a string), found at the character,
//! and the parser's other errors in plain words. The parser's own (English) text is kept
//! only as [`Diagnostic::detail`].

use super::Diagnostic;
use crate::diagnostics::line_of;
use std::path::Path;
use unicode_normalization::UnicodeNormalization;

/// A diagnostic for the TOML error `e` in `text`, whose first line is line `first_line`
/// of `file`.
pub fn diagnostic(e: &toml::de::Error, text: &str, file: &Path, first_line: usize) -> Diagnostic {
    let raw = e.message().trim().to_string();
    let at = e.span().map(|s| s.start.min(text.len()));
    let found = at
        .and_then(|offset| find_mistake(text, offset))
        .or_else(|| at.and_then(|o| key_in_table(&raw, text, o, first_line)))
        .or_else(|| at.and_then(|o| translate(&raw, text, o)));
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

/// One line of TOML that opens a table or sets a key, outside multi-line strings (see
/// [`outline`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// `[name]` or `[[name]]` (`array`), with its name as written.
    Header {
        /// The table's name, `children` or `evaluation.grades`.
        name: String,
        /// `[[…]]`: an entry of an array of tables.
        array: bool,
    },
    /// `key = …`, with the key as written (trimmed).
    Key(String),
}

/// The headers and keys of TOML `text`, with their 0-based line, skipping the inside of
/// multi-line strings (`"""` / `'''`), comments and blank lines. A rough outline for
/// telling which table a key was written in, not a parser: text that does not parse gives
/// some outline, never a panic.
pub fn outline(text: &str) -> Vec<(usize, Line)> {
    let mut out = Vec::new();
    let mut open: Option<&str> = None; // the quotes of the multi-line string we are in
    for (n, line) in text.lines().enumerate() {
        let mut rest = line;
        if let Some(q) = open {
            if let Some(end) = rest.find(q) {
                open = None;
                rest = &rest[end + 3..];
                if rest.matches(q).count() % 2 == 1 {
                    open = Some(q);
                }
            }
            continue;
        }
        let t = rest.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        if let Some(inner) = t.strip_prefix("[[") {
            let name = inner.split("]]").next().unwrap_or("").trim().to_string();
            out.push((n, Line::Header { name, array: true }));
        } else if let Some(inner) = t.strip_prefix('[') {
            let name = inner.split(']').next().unwrap_or("").trim().to_string();
            out.push((n, Line::Header { name, array: false }));
        } else if let Some((key, value)) = t.split_once('=') {
            let key = key.trim().trim_matches(['"', '\'']).to_string();
            if !key.is_empty() {
                out.push((n, Line::Key(key)));
            }
            for q in ["\"\"\"", "'''"] {
                if value.matches(q).count() % 2 == 1 {
                    open = Some(q);
                }
            }
        }
    }
    out
}

/// `unknown field` for a key written under a `[[…]]` or `[…]` header: every key after a
/// header belongs to that table up to the next header, so a key of the page written after
/// `[[indicators]]` lands in the last indicator. Says which table the key is in and from
/// which line, and to move it above the first header.
fn key_in_table(raw: &str, text: &str, offset: usize, first_line: usize) -> Option<Mistake> {
    if !raw.starts_with("unknown field") {
        return None;
    }
    let key = raw.split('`').nth(1)?;
    let error_line = line_of(text, offset) - 1;
    let outline = outline(text);
    // Only a key written at the start of its line (not one inside `{ … }` on it).
    if !outline.iter().any(|(n, l)| *n == error_line && *l == Line::Key(key.to_string())) {
        return None;
    }
    let (header_line, name, array) = outline.iter().rev().find_map(|(n, l)| match l {
        Line::Header { name, array } if *n <= error_line => Some((*n, name.clone(), *array)),
        _ => None,
    })?;
    let first_header = outline.iter().find_map(|(n, l)| matches!(l, Line::Header { .. }).then_some(*n))?;
    let shown = if array { format!("[[{name}]]") } else { format!("[{name}]") };
    let first_shown = match &outline.iter().find(|(n, _)| *n == first_header)?.1 {
        Line::Header { name, array: true } => format!("[[{name}]]"),
        Line::Header { name, .. } => format!("[{name}]"),
        Line::Key(_) => return None,
    };
    Some(Mistake {
        message: format!(
            "項目 {key} は {shown}({} 行目から)の中に書かれていて、そこでは使えません",
            first_line + header_line
        ),
        help: format!(
            "{shown} の見出しより後に書いた項目は、次の見出しまで全部その中に入ります。\
             ページ全体の項目なら、最初の {first_shown}({} 行目)より前に移してください。\
             {shown} の項目のつもりなら、つづりを確かめてください{}",
            first_line + first_header,
            known_fields(raw)
        ),
        offset,
    })
}

/// The names serde lists after `expected` (`one of `a`, `b``, or `` `a` or `b` ``).
fn expected_names(raw: &str) -> Vec<&str> {
    raw.split_once("expected").map(|(_, rest)| rest.split('`').skip(1).step_by(2).collect()).unwrap_or_default()
}

/// The name in `known` closest to `typed` when it is close enough to be a typo (edit
/// distance at most 1, or 2 for names of 6 letters or more); `None` when nothing is.
pub fn did_you_mean<'a>(typed: &str, known: &[&'a str]) -> Option<&'a str> {
    let typed: String = typed.nfkc().collect::<String>().to_lowercase();
    let limit = if typed.chars().count() >= 6 { 2 } else { 1 };
    known
        .iter()
        .map(|k| (edit_distance(&typed, k), *k))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// Levenshtein distance in characters (with adjacent swaps counting as one edit).
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    d[0] = (0..=b.len()).collect();
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

/// `(使える項目: a, b)` from serde's `unknown field …, expected one of …`, or "".
fn known_fields(raw: &str) -> String {
    let known = expected_names(raw);
    if known.is_empty() {
        String::new()
    } else {
        format!("(使える項目: {})", known.join(", "))
    }
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
        match did_you_mean(field, &expected_names(raw)) {
            Some(near) => format!("項目 {field} は使えません。{near} のつもりですか?"),
            None => format!("項目 {field} は使えません"),
        }
    } else if raw.starts_with("unknown variant") {
        format!("値 \"{field}\" は使えません")
    } else if raw.starts_with("invalid value") || raw.starts_with("invalid length") {
        "値が正しくありません".to_string()
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
        let known = expected_names(raw);
        let hint = if known.is_empty() { String::new() } else { format!("。使える項目: {}", known.join(", ")) };
        format!("つづりを確かめてください。全角の文字が混じっていないかも見てください{hint}(docs/CONTENT.md)")
    } else if raw.starts_with("unknown variant") {
        let known = expected_names(raw);
        match did_you_mean(field, &known) {
            Some(near) => format!("\"{near}\" のつもりなら、そう書いてください。使える値: {}", known.join(", ")),
            None if !known.is_empty() => format!("次のどれかを \" で囲んで書いてください: {}", known.join(", ")),
            None => "使える値は docs/CONTENT.md を見てください".to_string(),
        }
    } else if raw.contains("duplicate key") {
        "同じ項目が2回書かれています。どちらかを消してください".to_string()
    } else if raw.contains("計画期間") {
        "計画期間は period = { start = \"R3\", end = \"R7\" } のように、始まりと終わりの年度で書いてください(始まりだけなら period = { start = \"R3\" }。計画期間を書かないなら period の行を消します。docs/CONTENT.md §3)".to_string()
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

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Node {
        title: String,
        #[serde(default)]
        departments: Vec<String>,
        #[serde(default)]
        indicators: Vec<Ind>,
    }

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Ind {
        name: String,
        #[serde(default)]
        baseline: Option<Fm>,
    }

    #[test]
    fn a_page_key_after_an_array_of_tables_names_the_table_and_its_line() {
        let text = "title = \"施策\"\n\n[[indicators]]\nname = \"率\"\n\ndepartments = [\"企画課\"]\n";
        let e = toml::from_str::<Node>(text).unwrap_err();
        let d = diagnostic(&e, text, Path::new("content/a.md"), 2);
        assert_eq!(d.line, Some(7), "{d:?}");
        assert!(d.message.contains("departments") && d.message.contains("[[indicators]](4 行目から)"), "{d:?}");
        let help = d.help.as_deref().unwrap();
        assert!(help.contains("最初の [[indicators]](4 行目)より前に移して") && help.contains("name"), "{help}");
        japanese_only(&d);
        // A typo inside an inline table on such a line is not about the table.
        let text = "title = \"施策\"\n[[indicators]]\nname = \"率\"\nbaseline = { title = \"x\", yaer = 1 }\n";
        let e = toml::from_str::<Node>(text).unwrap_err();
        let d = diagnostic(&e, text, Path::new("content/a.md"), 2);
        assert!(!d.message.contains("の中に書かれていて"), "{d:?}");
    }

    #[test]
    fn outline_skips_multi_line_strings_and_comments() {
        let text = "title = \"a\"\nbody = \"\"\"\n[[children]]\nx = 1\n\"\"\"\n# [[y]]\n[[children]]\n  sdgs = [1]\n[plan.x]\n";
        let keys: Vec<(usize, Line)> = outline(text);
        assert_eq!(
            keys,
            [
                (0, Line::Key("title".into())),
                (1, Line::Key("body".into())),
                (6, Line::Header { name: "children".into(), array: true }),
                (7, Line::Key("sdgs".into())),
                (8, Line::Header { name: "plan.x".into(), array: false }),
            ]
        );
    }

    #[test]
    fn unknown_keys_and_values_suggest_the_nearest_name() {
        let d = explain("title = \"a\"\nsdg = [3]\n");
        assert!(d.message.contains("項目 sdg は使えません。sdgs のつもりですか?"), "{d:?}");
        let d = explain("title = \"a\"\nsumary = \"b\"\n");
        assert!(d.message.contains("summary のつもり"), "{d:?}");
        let d = explain("title = \"a\"\nzzz = 1\n");
        assert!(d.message.contains("項目 zzz は使えません") && !d.message.contains("つもり"), "{d:?}");
        assert!(d.spot.as_ref().and_then(|s| s.detail.as_deref()).is_some_and(|t| t.contains("unknown field")));
        assert_eq!(did_you_mean("ｔｉｔｌｅ", &["title", "summary"]), Some("title"), "full-width letters");
        assert_eq!(did_you_mean("departmnets", &["departments", "themes"]), Some("departments"));
        assert_eq!(did_you_mean("id", &["sdgs"]), None);

        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct WithEnum {
            better: Better,
        }
        #[derive(serde::Deserialize, Debug)]
        #[serde(rename_all = "lowercase")]
        enum Better {
            Higher,
            Lower,
        }
        let text = "better = \"hgher\"\n";
        let e = toml::from_str::<WithEnum>(text).unwrap_err();
        let d = diagnostic(&e, text, Path::new("content/a.md"), 2);
        assert!(d.message.contains("値 \"hgher\" は使えません"), "{d:?}");
        assert!(d.help.as_deref().unwrap().contains("\"higher\" のつもり"), "{d:?}");
        japanese_only(&d);
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
