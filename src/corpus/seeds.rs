//! The seed texts and what the generator takes from them.
//!
//! Three real plans, embedded in the binary (`benches/seeds/*.txt`): 掛川市 (summary of the
//! 2nd comprehensive plan), 菊池市 (3rd plan, web page) and 美祢市 (policy for the second
//! half of its 2nd plan). They are parsed the way `shared/bench/synth.py` parses them:
//! sentences, clause halves split at 「、」, bullet phrases, 政策分野 with their strategy
//! lines, 施策 titles with their 施策の方向, and the indicator rows of the strategy table.

use rustc_hash::FxHashSet;

/// Name and text of every seed file, sorted by name (the `seed_files` of the JSON).
pub(crate) const SEED_FILES: [(&str, &str); 3] = [
    ("kakegawa-2nd-plan-summary.txt", include_str!("../../benches/seeds/kakegawa-2nd-plan-summary.txt")),
    ("kikuchi-3rd-plan.txt", include_str!("../../benches/seeds/kikuchi-3rd-plan.txt")),
    ("mine-2nd-plan-policy.txt", include_str!("../../benches/seeds/mine-2nd-plan-policy.txt")),
];

/// The circled numbers of 施策の方向 (①…⑳).
pub(crate) const CIRCLED: [char; 20] =
    ['①', '②', '③', '④', '⑤', '⑥', '⑦', '⑧', '⑨', '⑩', '⑪', '⑫', '⑬', '⑭', '⑮', '⑯', '⑰', '⑱', '⑲', '⑳'];

/// Offsets of the Japanese eras the seeds use: 令和1 = 2019, 平成1 = 1989.
const ERA_R: i64 = 2018;
const ERA_H: i64 = 1988;

/// Everything the generator recombines.
#[derive(Debug)]
pub(crate) struct Pool {
    /// Whole sentences (15–220 characters, ending in 「。」).
    pub sentences: Vec<String>,
    /// Clauses before a 「、」 (6–60 characters): the first half of a spliced sentence.
    pub pre: Vec<String>,
    /// Last clauses after a 「、」 (at least 10 characters, ending in 「。」).
    pub fin: Vec<String>,
    /// Bullet phrases.
    pub bullets: Vec<String>,
    /// 政策分野 themes, by field number.
    pub themes: Vec<Theme>,
}

/// One 政策分野 as the seeds describe it.
#[derive(Debug, Default)]
pub(crate) struct Theme {
    /// Field names; the first is the main one (「教育・文化分野」), the others come from
    /// other plans (「教育と文化」).
    pub names: Vec<String>,
    /// Strategy lines (「生涯にわたりこころざし高く学び心豊かに暮らすまち」).
    pub strategies: Vec<String>,
    /// 施策 in the order of the seeds.
    pub measures: Vec<SeedMeasure>,
    /// Indicator rows of the strategy table.
    pub indicators: Vec<SeedIndicator>,
}

#[derive(Debug)]
pub(crate) struct SeedMeasure {
    pub title: String,
    /// Its 施策の方向.
    pub dirs: Vec<String>,
}

/// 「●子どもが健全に成長していると思う市民の割合 → 69.4% → R1 80%」.
#[derive(Debug, Clone)]
pub(crate) struct SeedIndicator {
    pub name: String,
    pub unit: String,
    pub baseline: f64,
    pub target: f64,
    /// Decimals of the baseline as written (69.4 → 1, 11,147 → 0).
    pub decimals: u32,
}

/// Characters, not bytes: the lengths synth.py compares are in characters.
pub(crate) fn clen(s: &str) -> usize {
    s.chars().count()
}

/// `**` removed, ideographic spaces and runs of spaces/tabs as one space, trimmed.
fn clean(s: &str) -> String {
    let s = s.replace("**", "").replace('\u{3000}', " ");
    let mut out = String::with_capacity(s.len());
    let mut blank = false;
    for c in s.chars() {
        if c == ' ' || c == '\t' {
            if !blank {
                out.push(' ');
            }
            blank = true;
        } else {
            out.push(c);
            blank = false;
        }
    }
    out.trim().to_string()
}

/// Leading ASCII digits of `s` and the rest: `("12", rest)`; `None` without a digit.
fn digits(s: &str) -> Option<(&str, &str)> {
    let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    (end > 0).then(|| s.split_at(end))
}

fn number(s: &str) -> u32 {
    s.parse().unwrap_or(u32::MAX)
}

/// `- 1-(2) 市民の生涯学習の拠点づくり`: the list of 個別施策 with their full titles.
fn measure_list_item(line: &str) -> Option<(u32, u32, &str)> {
    let (a, rest) = digits(line.strip_prefix("- ")?)?;
    let (b, rest) = digits(rest.strip_prefix("-(")?)?;
    let title = rest.strip_prefix(") ")?;
    (!title.is_empty()).then(|| (number(a), number(b), title))
}

/// `1-2) 市民の生涯学習の拠点づくり` or `7-(1) 多文化共生のまちづくりの推進`: a 施策 heading.
fn measure_heading(line: &str) -> Option<(u32, u32, &str)> {
    let (a, rest) = digits(line)?;
    let rest = rest.strip_prefix('-')?;
    let rest = rest.strip_prefix('(').unwrap_or(rest);
    let (b, rest) = digits(rest)?;
    let rest = rest.strip_prefix(')')?;
    let title = rest.strip_prefix(' ').unwrap_or(rest);
    (!title.is_empty()).then(|| (number(a), number(b), title))
}

/// `1 教育・文化分野`: a 政策分野 of the strategy pillars.
fn pillar_heading(line: &str) -> Option<(u32, &str)> {
    let mut chars = line.chars();
    let d = chars.next()?.to_digit(10)?;
    let name = chars.as_str().strip_prefix(' ')?;
    let ok = name.ends_with("分野") && clen(name) >= 3 && !name.chars().any(char::is_whitespace);
    ok.then_some((d, name))
}

/// `戦略 1 …` (a row of the indicator table): the pillar number.
fn strategy_row(line: &str) -> Option<u32> {
    let rest = line.strip_prefix("戦略")?;
    let rest = rest.strip_prefix(' ').unwrap_or(rest);
    rest.chars().next()?.to_digit(10)
}

/// `1.産業と経済(豊かな資源を生かした産業づくり)`: a field of the 菊池 kind.
fn numbered_field(line: &str) -> Option<(String, String)> {
    let mut chars = line.chars();
    chars.next()?.to_digit(10)?;
    let rest = chars.as_str().strip_prefix('.')?;
    let inner = rest.strip_suffix(')')?;
    // The first `(` after at least one character that leaves something before the `)`.
    for (i, c) in inner.char_indices().skip(1) {
        if c == '(' && i + 1 < inner.len() {
            return Some((inner[..i].to_string(), inner[i + 1..].to_string()));
        }
    }
    None
}

/// `69.4%` → (69.4, `%`, 1); `11,147億円` → (11147, `億円`, 0); `-242人` → (-242, `人`, 0).
fn parse_value(s: &str) -> Option<(f64, String, u32)> {
    let s = s.trim();
    let (sign, rest) = match s.strip_prefix(['+', '-']) {
        Some(rest) => (&s[..1], rest),
        None => ("", s),
    };
    let int_end = rest.find(|c: char| !(c.is_ascii_digit() || c == ',')).unwrap_or(rest.len());
    let (int, mut rest) = rest.split_at(int_end);
    let int: String = int.chars().filter(char::is_ascii_digit).collect();
    if int.is_empty() {
        return None;
    }
    let mut frac = "";
    if let Some((f, after)) = rest.strip_prefix('.').and_then(digits) {
        frac = f;
        rest = after;
    }
    let unit = rest.trim_start();
    if unit.chars().any(char::is_whitespace) {
        return None;
    }
    let text = if frac.is_empty() { format!("{sign}{int}") } else { format!("{sign}{int}.{frac}") };
    Some((text.parse().ok()?, unit.to_string(), clen(frac) as u32))
}

/// `R1 80%` → (2019, 80.0); `H30 12,500億円` → (2018, 12500.0).
fn parse_target(s: &str) -> Option<(i64, f64)> {
    let era = match s.chars().next()? {
        'R' => ERA_R,
        'H' => ERA_H,
        _ => return None,
    };
    let (year, rest) = digits(&s[1..])?;
    let value = rest.strip_prefix(' ')?;
    if value.is_empty() {
        return None;
    }
    let (v, _, _) = parse_value(value)?;
    Some((era + i64::from(number(year)), v))
}

/// A bullet's text without its marker: `- ① 地域資源…` → `地域資源…`, `- 1. …` → `…`.
fn bullet_text(line: &str) -> String {
    let item = line[2..].trim();
    let item = item.trim_start_matches(|c| CIRCLED.contains(&c)).trim();
    let end = item.find(|c: char| !(c.is_ascii_digit() || ('０'..='９').contains(&c))).unwrap_or(item.len());
    if end > 0 {
        if let Some(rest) = item[end..].strip_prefix(['.', '．']) {
            return rest.trim_start().to_string();
        }
    }
    item.to_string()
}

/// A theme while its seed files are read.
#[derive(Default)]
struct ThemeBuilder {
    names: Vec<String>,
    strategies: Vec<Vec<String>>,
    /// (field, measure number) → measure, in the order first seen.
    measures: Vec<((u32, u32), SeedMeasure)>,
    indicators: Vec<SeedIndicator>,
}

impl ThemeBuilder {
    fn measure(&mut self, key: (u32, u32), title: &str) -> &mut SeedMeasure {
        let i = match self.measures.iter().position(|(k, _)| *k == key) {
            Some(i) => i,
            None => {
                self.measures.push((key, SeedMeasure { title: title.to_string(), dirs: Vec::new() }));
                self.measures.len() - 1
            }
        };
        &mut self.measures[i].1
    }
}

/// Themes by field number (a small sorted map).
#[derive(Default)]
struct Themes(Vec<(u32, ThemeBuilder)>);

impl Themes {
    fn get(&mut self, no: u32) -> &mut ThemeBuilder {
        let i = match self.0.binary_search_by_key(&no, |(k, _)| *k) {
            Ok(i) => i,
            Err(i) => {
                self.0.insert(i, (no, ThemeBuilder::default()));
                i
            }
        };
        &mut self.0[i].1
    }
}

/// Parses the embedded seed texts.
pub(crate) fn load() -> Pool {
    load_from(SEED_FILES.iter().map(|(_, text)| *text))
}

/// Parses seed texts (the files in name order).
pub(crate) fn load_from<'a>(files: impl IntoIterator<Item = &'a str>) -> Pool {
    let mut sentences: Vec<String> = Vec::new();
    let mut bullets: Vec<String> = Vec::new();
    let mut themes = Themes::default();
    // (name, subtitle, sentences after it) of `N.name(subtitle)` fields (菊池).
    let mut numbered: Vec<(String, String, String)> = Vec::new();
    let mut measure_titles: Vec<((u32, u32), String)> = Vec::new();

    for text in files {
        let mut cur_measure: Option<(u32, u32)> = None;
        let mut in_dirs = false;
        // (pillar, index into its strategies) of the strategy being read.
        let mut cur_strategy: Option<(u32, usize)> = None;
        let mut prev_bullet = false;
        let mut pillar: Option<u32> = None;
        let mut last_numbered: Option<usize> = None;

        for raw in text.lines() {
            let line = clean(raw);
            let tab = raw.contains('\t');
            if line.is_empty() {
                prev_bullet = false;
                continue;
            }
            // The continuation of a bullet broken over two lines.
            if prev_bullet && !line.starts_with('-') && !tab && clen(&line) < 40 {
                if let Some(last) = bullets.last_mut() {
                    last.push_str(&line);
                }
                if let (true, Some(key)) = (in_dirs, cur_measure) {
                    if let Some(d) = themes.get(key.0).measure(key, "").dirs.last_mut() {
                        d.push_str(&line);
                    }
                }
                continue;
            }
            prev_bullet = false;
            if let Some((a, b, title)) = measure_list_item(&line) {
                match measure_titles.iter_mut().find(|(k, _)| *k == (a, b)) {
                    Some(entry) => entry.1 = title.to_string(),
                    None => measure_titles.push(((a, b), title.to_string())),
                }
                continue;
            }
            if let (Some((a, b, title)), false) = (measure_heading(&line), tab) {
                cur_measure = Some((a, b));
                themes.get(a).measure((a, b), title);
                in_dirs = false;
                continue;
            }
            if line == "施策の方向" {
                in_dirs = true;
                continue;
            }
            if line == "個別施策" || line == "計画の推進にあたって" {
                in_dirs = false;
                cur_measure = None;
                continue;
            }
            if line.starts_with("- ") {
                let item = bullet_text(&line);
                if clen(&item) >= 4 {
                    if let (true, Some(key)) = (in_dirs, cur_measure) {
                        themes.get(key.0).measure(key, "").dirs.push(item.clone());
                    }
                    bullets.push(item);
                    prev_bullet = true;
                }
                continue;
            }
            if let Some((no, name)) = pillar_heading(&line) {
                pillar = Some(no);
                let th = themes.get(no);
                th.names.push(name.to_string());
                th.strategies.push(Vec::new());
                cur_strategy = Some((no, th.strategies.len() - 1));
                continue;
            }
            if let (Some(_), Some((p, i)), false, false) = (pillar, cur_strategy, tab, line.contains('。')) {
                if line == "戦略の指標" || line.starts_with(|c: char| c.is_ascii_digit()) {
                    cur_strategy = None;
                } else {
                    themes.get(p).strategies[i].push(line);
                    continue;
                }
            }
            if let (Some(no), true) = (strategy_row(&line), tab) {
                pillar = Some(no);
                cur_strategy = None;
                continue;
            }
            if line.starts_with('●') && tab {
                let cells: Vec<&str> = raw.trim().trim_start_matches('●').split('\t').map(str::trim).collect();
                if let (true, Some(p)) = (cells.len() >= 3, pillar) {
                    if let (Some((base, unit, decimals)), Some((_fy, target))) =
                        (parse_value(cells[1]), parse_target(cells[2]))
                    {
                        themes.get(p).indicators.push(SeedIndicator {
                            name: cells[0].to_string(),
                            unit,
                            baseline: base,
                            target,
                            decimals,
                        });
                    }
                }
                continue;
            }
            if let Some((name, sub)) = numbered_field(&line) {
                numbered.push((name, sub, String::new()));
                last_numbered = Some(numbered.len() - 1);
                continue;
            }
            if tab || line.contains('<') || line.starts_with(['#', '●', '|']) {
                continue;
            }
            for piece in line.split_inclusive('。') {
                if piece.ends_with('。') && piece != "。" {
                    let s = piece.trim();
                    if (15..=220).contains(&clen(s)) {
                        sentences.push(s.to_string());
                        if let Some(i) = last_numbered {
                            numbered[i].2.push_str(s);
                        }
                    }
                }
            }
        }
    }

    for ((fno, mno), title) in measure_titles {
        themes.get(fno).measure((fno, mno), &title).title = title.clone();
    }
    let mut themes: Vec<Theme> = themes
        .0
        .into_iter()
        .map(|(_, b)| Theme {
            names: b.names,
            strategies: b.strategies.into_iter().filter(|s| !s.is_empty()).map(|s| s.concat()).collect(),
            measures: b.measures.into_iter().map(|(_, m)| m).collect(),
            indicators: b.indicators,
        })
        .filter(|t| !t.names.is_empty() && !t.measures.is_empty())
        .collect();
    assert!(
        !themes.is_empty() && sentences.len() >= 20,
        "corpus: could not parse enough structure and sentences from the seed texts"
    );
    // Attach the 菊池-style fields to the closest theme by character bigrams.
    for (name, sub, text) in numbered {
        let probe = format!("{name}{sub}{text}");
        let mut best = 0;
        let mut best_score = f64::NEG_INFINITY;
        for (k, th) in themes.iter().enumerate() {
            let score = overlap(&probe, &theme_text(th));
            if score > best_score {
                best = k;
                best_score = score;
            }
        }
        themes[best].names.push(name);
        themes[best].strategies.push(sub);
    }

    let mut pre = Vec::new();
    let mut fin = Vec::new();
    for s in &sentences {
        let parts: Vec<&str> = s.split('、').collect();
        if parts.len() >= 2 {
            pre.extend(parts[..parts.len() - 1].iter().filter(|p| (6..=60).contains(&clen(p))).map(|p| p.to_string()));
            let last = parts[parts.len() - 1];
            if clen(last) >= 10 {
                fin.push(last.to_string());
            }
        }
    }
    Pool { sentences, pre, fin, bullets, themes }
}

fn theme_text(th: &Theme) -> String {
    let mut s: String = th.names.concat();
    s.push_str(&th.strategies.concat());
    for m in &th.measures {
        s.push_str(&m.title);
        s.push_str(&m.dirs.concat());
    }
    s
}

/// Shared character bigrams, normalised by the geometric mean of both bigram counts.
fn overlap(a: &str, b: &str) -> f64 {
    fn bigrams(s: &str) -> FxHashSet<(char, char)> {
        let chars: Vec<char> = s.chars().collect();
        chars.windows(2).map(|w| (w[0], w[1])).collect()
    }
    let (ga, gb) = (bigrams(a), bigrams(b));
    let shared = ga.intersection(&gb).count();
    shared as f64 / (((ga.len() * gb.len()) as f64).sqrt() + 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seeds_give_themes_measures_indicators_and_text() {
        let pool = load();
        // The counts synth.py finds in the same texts.
        assert_eq!(pool.sentences.len(), 80);
        assert_eq!(pool.pre.len(), 181);
        assert_eq!(pool.fin.len(), 78);
        assert_eq!(pool.bullets.len(), 183);
        assert_eq!(pool.themes.len(), 7);
        let names: Vec<&str> = pool.themes.iter().map(|t| t.names[0].as_str()).collect();
        assert_eq!(names[0], "教育・文化分野");
        assert_eq!(names[6], "協働・広域・行財政分野");
        let measures: usize = pool.themes.iter().map(|t| t.measures.len()).sum();
        let indicators: usize = pool.themes.iter().map(|t| t.indicators.len()).sum();
        assert_eq!((measures, indicators), (40, 21));
        // 菊池's fields land next to 掛川's: 「教育と文化」 with 教育・文化.
        assert_eq!(pool.themes[0].names, ["教育・文化分野", "教育と文化"]);
        assert_eq!(pool.themes[0].strategies[1], "学び合いと地域が育む人づくり");
        // Titles come from the list of 個別施策 (one line), directions from 施策の方向.
        let m = &pool.themes[0].measures[0];
        assert_eq!(m.title, "市民総ぐるみで取り組む心豊かにたくましく生きる子どもの育成");
        assert_eq!(m.dirs.len(), 6);
        // A direction broken over two lines is joined.
        let env = &pool.themes[2].measures[0].dirs[0];
        assert_eq!(env, "再生可能エネルギーの地産地消の拡大と地域課題解決の促進");
        let ind = &pool.themes[3].indicators[0];
        assert_eq!((ind.name.as_str(), ind.unit.as_str()), ("製造品出荷額", "億円"));
        assert_eq!((ind.baseline, ind.target, ind.decimals), (11147.0, 12500.0, 0));
        assert!(pool.fin.iter().all(|f| f.ends_with('。')));
    }

    #[test]
    fn value_and_line_parsers() {
        assert_eq!(parse_value("69.4%"), Some((69.4, "%".into(), 1)));
        assert_eq!(parse_value("-242人"), Some((-242.0, "人".into(), 0)));
        assert_eq!(parse_value("+150人"), Some((150.0, "人".into(), 0)));
        assert_eq!(parse_value("8.17 人"), Some((8.17, "人".into(), 2)));
        assert_eq!(parse_value("約 5 人"), None);
        assert_eq!(parse_target("R1 80%"), Some((2019, 80.0)));
        assert_eq!(parse_target("H30 12,500億円"), Some((2018, 12500.0)));
        assert_eq!(measure_heading("6-10) 活発な交流"), Some((6, 10, "活発な交流")));
        assert_eq!(measure_heading("7-(1) 多文化共生"), Some((7, 1, "多文化共生")));
        assert_eq!(measure_heading("2021 ▶ 2025"), None);
        assert_eq!(measure_list_item("- 1-(2) 拠点づくり"), Some((1, 2, "拠点づくり")));
        assert_eq!(pillar_heading("5 シティプロモーション分野"), Some((5, "シティプロモーション分野")));
        assert_eq!(pillar_heading("5 シティ プロモーション分野"), None);
        assert_eq!(numbered_field("1.産業と経済(豊かな資源)"), Some(("産業と経済".into(), "豊かな資源".into())));
        assert_eq!(numbered_field("1.人口減少対策(移住定住)の推進"), None);
        assert_eq!(bullet_text("- ① 地域資源を活用"), "地域資源を活用");
        assert_eq!(bullet_text("- 1. 項目です"), "項目です");
        assert_eq!(clean("**a**\u{3000} \t b "), "a b");
    }
}
