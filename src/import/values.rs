//! Reading the values of cells as cities write them: numbers with full-width digits,
//! thousands separators, △/▲ for minus and a trailing `%`; fiscal years in 和暦 or western
//! form; the fiscal year a file name names (`actuals-R6.xlsx`, `評価_令和6年度.csv`).

use super::table::{format_number, Cell};
use crate::content::{FiscalYear, Quantity};
use unicode_normalization::UnicodeNormalization;

/// Text normalized for comparing names and headers: NFKC, without any white space.
pub fn squeeze(s: &str) -> String {
    s.nfkc().filter(|c| !c.is_whitespace()).collect()
}

/// The number in `cell`, for an indicator measured in `unit` (a trailing `%` is accepted
/// when the unit is `%`, `千円`/`円` when it is the unit). `Ok(None)` for a blank cell.
pub fn number(cell: &Cell, unit: &str) -> Result<Option<Quantity>, String> {
    if let Some(v) = cell.number {
        if !v.is_finite() {
            return Err("数値として読めません".into());
        }
        return Ok(Some(quantity_of(&format_number(v))));
    }
    let s = squeeze(&cell.text);
    // A lone dash: 「−」 in a progress sheet means no figure that year.
    if s.is_empty() || matches!(s.as_str(), "-" | "−" | "―" | "ー" | "‐" | "–" | "—") {
        return Ok(None);
    }
    let unit = squeeze(unit);
    let mut t = s.as_str();
    if !unit.is_empty() {
        t = t.strip_suffix(unit.as_str()).unwrap_or(t);
    }
    if let Some(rest) = t.strip_suffix('%') {
        if unit != "%" {
            return Err(if unit.is_empty() {
                "に「%」が付いていますが、この指標には単位がありません".into()
            } else {
                format!("に「%」が付いていますが、この指標の単位は「{unit}」です")
            });
        }
        t = rest;
    }
    let (negative, t) = match t.chars().next() {
        Some('△' | '▲' | '-' | '−' | '‐' | '–' | 'ー' | '－') => {
            (true, &t[t.chars().next().map_or(0, char::len_utf8)..])
        }
        Some('+') => (false, &t[1..]),
        _ => (false, t),
    };
    let (int, frac) = match t.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (t, None),
    };
    let groups: Vec<&str> = int.split(',').collect();
    let digits = |g: &str| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit());
    let grouped_ok = groups.len() == 1
        || (groups[0].len() <= 3 && groups[1..].iter().all(|g| g.len() == 3) && groups.iter().all(|g| digits(g)));
    if !digits(&groups.concat()) || !grouped_ok || frac.is_some_and(|f| !digits(f)) {
        return Err("は数値として読めません".into());
    }
    let plain = match frac {
        Some(f) => format!("{}{}.{f}", if negative { "-" } else { "" }, groups.concat()),
        None => format!("{}{}", if negative { "-" } else { "" }, groups.concat()),
    };
    if plain.len() > 30 {
        return Err("は桁が多すぎます".into());
    }
    Ok(Some(quantity_of(&plain)))
}

/// A quantity from plain decimal text (`-1800`, `69.40`), keeping its decimals.
fn quantity_of(plain: &str) -> Quantity {
    let value: f64 = plain.parse().unwrap_or(0.0);
    let decimals = plain.split_once('.').map_or(0, |(_, f)| f.len().min(6)) as u8;
    Quantity { value, decimals }
}

/// The fiscal year in `cell` (`R6`, `令和6年度`, `令和元年度`, `H30`, `2024`, `２０２４年度`).
/// `Ok(None)` for a blank cell.
pub fn year(cell: &Cell) -> Result<Option<FiscalYear>, String> {
    if let Some(v) = cell.number {
        if v.fract() != 0.0 {
            return Err("は年度として読めません".into());
        }
        return FiscalYear::parse(&format_number(v)).map(Some).map_err(|_| "は年度として読めません".into());
    }
    let s = squeeze(&cell.text);
    if s.is_empty() {
        return Ok(None);
    }
    FiscalYear::parse(&s).map(Some).map_err(|_| "は年度として読めません".into())
}

/// The fiscal year a file name names, if exactly one: `actuals-R6.xlsx`, `評価_令和6年度.csv`,
/// `実績(令和元年度).csv`, `evaluations_2024.csv`, `H30実績.csv`.
pub fn year_in_name(stem: &str) -> Option<FiscalYear> {
    let s: Vec<char> = stem.nfkc().collect();
    let mut found: Vec<FiscalYear> = Vec::new();
    let mut i = 0;
    while i < s.len() {
        let rest: String = s[i..].iter().collect();
        let prev_letter = i > 0 && s[i - 1].is_ascii_alphanumeric();
        let mut matched = None;
        for (kanji, letter, offset) in [("令和", 'R', 2018), ("平成", 'H', 1988)] {
            let after = if let Some(r) = rest.strip_prefix(kanji) {
                Some(r)
            } else if !prev_letter && rest.starts_with([letter, letter.to_ascii_lowercase()]) {
                Some(&rest[1..])
            } else {
                None
            };
            if let Some(after) = after {
                let n: String = after.chars().take_while(|c| c.is_ascii_digit()).collect();
                let used = if after.starts_with('元') {
                    Some((1, 1))
                } else if !n.is_empty() && n.len() <= 2 {
                    n.parse::<i32>().ok().map(|v| (v, n.len()))
                } else {
                    None
                };
                if let Some((v, len)) = used {
                    let next = after.chars().nth(len);
                    if v >= 1 && !next.is_some_and(|c| c.is_ascii_alphanumeric()) {
                        matched = Some((FiscalYear(offset + v), kanji.chars().count().min(rest.len()) + len));
                    }
                }
            }
            if matched.is_some() {
                break;
            }
        }
        if matched.is_none() && !prev_letter {
            let n: String = s[i..].iter().take_while(|c| c.is_ascii_digit()).collect();
            let next = s.get(i + n.len());
            if n.len() == 4 && !next.is_some_and(|c| c.is_ascii_digit()) {
                if let Ok(y) = n.parse::<i32>() {
                    if (1989..=2200).contains(&y) {
                        matched = Some((FiscalYear(y), 4));
                    }
                }
            }
        }
        match matched {
            Some((y, _)) => {
                if !found.contains(&y) {
                    found.push(y);
                }
                i += 1;
                while i < s.len() && (s[i].is_ascii_digit() || s[i] == '元') {
                    i += 1;
                }
            }
            None => i += 1,
        }
    }
    match found.as_slice() {
        [y] => Some(*y),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Cell {
        Cell { text: s.into(), number: None }
    }

    fn num(s: &str, unit: &str) -> Result<Option<(f64, u8)>, String> {
        number(&text(s), unit).map(|q| q.map(|q| (q.value, q.decimals)))
    }

    #[test]
    fn numbers_as_cities_write_them() {
        assert_eq!(num("1,800", ""), Ok(Some((1800.0, 0))));
        assert_eq!(num("１，８００", ""), Ok(Some((1800.0, 0))));
        assert_eq!(num("69.4", "%"), Ok(Some((69.4, 1))));
        assert_eq!(num("69.40%", "%"), Ok(Some((69.4, 2))));
        assert_eq!(num("６９．４％", "%"), Ok(Some((69.4, 1))));
        assert_eq!(num("△242", ""), Ok(Some((-242.0, 0))));
        assert_eq!(num("▲1,000.5", ""), Ok(Some((-1000.5, 1))));
        assert_eq!(num("−3", ""), Ok(Some((-3.0, 0))));
        assert_eq!(num("1,800千円", "千円"), Ok(Some((1800.0, 0))));
        assert_eq!(num(" 12 ", "人"), Ok(Some((12.0, 0))));
        assert_eq!(num("", ""), Ok(None));
        assert_eq!(num("　", ""), Ok(None));
    }

    #[test]
    fn what_is_not_a_number_is_an_error() {
        assert_eq!(num("－", ""), Ok(None), "a dash: no figure");
        for bad in ["12..3", "1,80", "12,3456", "abc", "1.2.3", "-1-", ".", "1,,000", "12a"] {
            assert!(num(bad, "").is_err(), "{bad}");
        }
        assert!(num("50%", "人").unwrap_err().contains("「人」"));
        assert!(num("50%", "").is_err());
    }

    #[test]
    fn excel_number_cells_keep_their_decimals() {
        let c = Cell { text: "69.4".into(), number: Some(super::super::table::round6(69.400000000001)) };
        let q = number(&c, "%").unwrap().unwrap();
        assert_eq!((q.value, q.decimals), (69.4, 1));
        let c = Cell { text: "1800".into(), number: Some(1800.0) };
        assert_eq!(number(&c, "").unwrap().unwrap().decimals, 0);
    }

    #[test]
    fn years_in_cells() {
        let y = |s: &str| year(&text(s));
        assert_eq!(y("R6"), Ok(Some(FiscalYear(2024))));
        assert_eq!(y("令和6年度"), Ok(Some(FiscalYear(2024))));
        assert_eq!(y("令和元年度"), Ok(Some(FiscalYear(2019))));
        assert_eq!(y("H30"), Ok(Some(FiscalYear(2018))));
        assert_eq!(y("平成30年度"), Ok(Some(FiscalYear(2018))));
        assert_eq!(y("２０２４年度"), Ok(Some(FiscalYear(2024))));
        assert_eq!(y("2024"), Ok(Some(FiscalYear(2024))));
        assert_eq!(y(""), Ok(None));
        assert!(y("来年").is_err());
        assert_eq!(year(&Cell { text: "2024".into(), number: Some(2024.0) }), Ok(Some(FiscalYear(2024))));
        assert!(year(&Cell { text: "2024.5".into(), number: Some(2024.5) }).is_err());
    }

    #[test]
    fn years_in_file_names() {
        assert_eq!(year_in_name("actuals-R6"), Some(FiscalYear(2024)));
        assert_eq!(year_in_name("評価_令和6年度"), Some(FiscalYear(2024)));
        assert_eq!(year_in_name("実績(令和元年度)"), Some(FiscalYear(2019)));
        assert_eq!(year_in_name("evaluations_2024"), Some(FiscalYear(2024)));
        assert_eq!(year_in_name("H30実績"), Some(FiscalYear(2018)));
        assert_eq!(year_in_name("ｒ５"), Some(FiscalYear(2023)));
        assert_eq!(year_in_name("actuals"), None);
        assert_eq!(year_in_name("report"), None, "the r of report is no year");
        assert_eq!(year_in_name("R5-R6"), None, "two years: not one");
        assert_eq!(year_in_name("R6_2024"), Some(FiscalYear(2024)), "the same year twice");
    }

    proptest::proptest! {
        #[test]
        fn no_cell_text_panics(t in "\\PC{0,30}", unit in "(%|人|千円|)") {
            let _ = number(&text(&t), &unit);
            let _ = year(&text(&t));
            let _ = year_in_name(&t);
        }

        #[test]
        fn no_number_cell_panics(v in proptest::num::f64::ANY) {
            let _ = number(&Cell { text: String::new(), number: Some(v) }, "");
            let _ = year(&Cell { text: String::new(), number: Some(v) });
        }
    }
}
