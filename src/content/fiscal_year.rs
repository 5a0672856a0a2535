//! Japanese fiscal years (年度): April to March, written in 和暦 or western years.
//!
//! 令和N年度 runs from April (N + 2018) to March (N + 2019); 令和 began on 2019-05-01, and
//! fiscal 2019 is called 令和元年度. 平成N = N + 1988.

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use std::fmt;
use unicode_normalization::UnicodeNormalization;

/// A fiscal year, stored as the western year in which it starts (April).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FiscalYear(pub i32);

/// The eras a fiscal year can be written in.
const ERAS: [(&str, &str, i32); 3] = [("令和", "R", 2018), ("平成", "H", 1988), ("昭和", "S", 1925)];

impl FiscalYear {
    /// The western year the fiscal year starts in.
    pub fn start_year(self) -> i32 {
        self.0
    }

    /// 和暦 display: `令和7年度`, `令和元年度`, `平成30年度`.
    pub fn wareki(self) -> String {
        let (era, offset) = if self.0 >= 2019 {
            ("令和", 2018)
        } else if self.0 >= 1989 {
            ("平成", 1988)
        } else {
            ("昭和", 1925)
        };
        match self.0 - offset {
            1 => format!("{era}元年度"),
            n => format!("{era}{n}年度"),
        }
    }

    /// Western display: `2025年度`.
    pub fn western(self) -> String {
        format!("{}年度", self.0)
    }

    /// Parses `2025`, `R7`, `R7年度`, `令和7年度`, `令和元年度`, `H30`, `平成30年度`
    /// (full-width digits and letters too).
    pub fn parse(input: &str) -> Result<FiscalYear, String> {
        let s: String = input.nfkc().filter(|c| !c.is_whitespace()).collect();
        let s = s.strip_suffix("年度").or_else(|| s.strip_suffix('年')).unwrap_or(&s);
        let bad = || format!("年度「{input}」を読めません。2025、R7、令和7年度 のように書いてください");
        if s.is_empty() {
            return Err(bad());
        }
        if s.bytes().all(|b| b.is_ascii_digit()) {
            let y: i32 = s.parse().map_err(|_| bad())?;
            return Self::from_western(y).ok_or_else(bad);
        }
        for (kanji, letter, offset) in ERAS {
            let rest = s
                .strip_prefix(kanji)
                .or_else(|| s.strip_prefix(letter))
                .or_else(|| s.strip_prefix(&letter.to_ascii_lowercase()));
            if let Some(rest) = rest {
                let n: i32 = if rest == "元" {
                    1
                } else if !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()) {
                    rest.parse().map_err(|_| bad())?
                } else {
                    return Err(bad());
                };
                if !(1..=99).contains(&n) {
                    return Err(bad());
                }
                return Ok(FiscalYear(offset + n));
            }
        }
        Err(bad())
    }

    fn from_western(y: i32) -> Option<FiscalYear> {
        (1900..=2200).contains(&y).then_some(FiscalYear(y))
    }
}

impl fmt::Display for FiscalYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.wareki())
    }
}

impl Serialize for FiscalYear {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i32(self.0)
    }
}

impl<'de> Deserialize<'de> for FiscalYear {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = FiscalYear;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("年度 (2025、\"R7\"、\"令和7年度\" など)")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<FiscalYear, E> {
                i32::try_from(v)
                    .ok()
                    .and_then(FiscalYear::from_western)
                    .ok_or_else(|| E::custom(format!("年度 {v} は範囲外です(1900〜2200)")))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<FiscalYear, E> {
                self.visit_i64(i64::try_from(v).unwrap_or(i64::MAX))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<FiscalYear, E> {
                FiscalYear::parse(v).map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_all_documented_forms() {
        for s in ["2025", "R7", "r7", "R7年度", "令和7年度", "令和７年度", "Ｒ７", "令和 7 年度"] {
            assert_eq!(FiscalYear::parse(s), Ok(FiscalYear(2025)), "{s}");
        }
        assert_eq!(FiscalYear::parse("令和元年度"), Ok(FiscalYear(2019)));
        assert_eq!(FiscalYear::parse("R1"), Ok(FiscalYear(2019)));
        assert_eq!(FiscalYear::parse("H31"), Ok(FiscalYear(2019)));
        assert_eq!(FiscalYear::parse("H30"), Ok(FiscalYear(2018)));
        assert_eq!(FiscalYear::parse("平成元年度"), Ok(FiscalYear(1989)));
        assert_eq!(FiscalYear::parse("S63"), Ok(FiscalYear(1988)));
    }

    #[test]
    fn rejects_nonsense() {
        for s in ["", "R", "令和", "R0", "X7", "2025-26", "令和七年度", "99999", "R7.5"] {
            assert!(FiscalYear::parse(s).is_err(), "{s}");
        }
    }

    #[test]
    fn displays_wareki_with_gannen() {
        assert_eq!(FiscalYear(2025).to_string(), "令和7年度");
        assert_eq!(FiscalYear(2019).to_string(), "令和元年度");
        assert_eq!(FiscalYear(2018).to_string(), "平成30年度");
        assert_eq!(FiscalYear(1989).to_string(), "平成元年度");
        assert_eq!(FiscalYear(1988).to_string(), "昭和63年度");
        assert_eq!(FiscalYear(2025).western(), "2025年度");
    }

    #[test]
    fn reiwa_n_is_2018_plus_n_both_ways() {
        for n in 1..=30 {
            let fy = FiscalYear::parse(&format!("令和{n}年度")).unwrap();
            assert_eq!(fy.start_year(), 2018 + n);
            let back = FiscalYear::parse(&fy.wareki()).unwrap();
            assert_eq!(back, fy);
        }
    }

    #[test]
    fn deserializes_from_toml_int_and_string() {
        #[derive(Deserialize)]
        struct T {
            a: FiscalYear,
            b: FiscalYear,
        }
        let t: T = toml::from_str("a = 2021\nb = \"R7\"").unwrap();
        assert_eq!((t.a, t.b), (FiscalYear(2021), FiscalYear(2025)));
        assert!(toml::from_str::<T>("a = 20\nb = 1").is_err());
    }
}
