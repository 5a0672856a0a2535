//! The corpus: plans → 政策分野 → 施策 → 施策の方向, recombined from the seeds.

use super::rng::Rng;
use super::seeds::{self, Pool, SeedIndicator, SeedMeasure, CIRCLED};
use super::text::Writer;
use super::{
    Corpus, CorpusError, Counts, Direction, Field, Indicator, Measure, Measurement, Period, Plan, FORMAT, LEVELS,
    VERSION,
};
use std::sync::OnceLock;

/// Municipalities for plan titles (the seeds provide three); plan `i` is the `i`-th, and
/// after the list runs out the next generation or half of the plans begins.
const MUNICIPALITIES: [&str; 60] = [
    "掛川市",
    "菊池市",
    "美祢市",
    "袋井市",
    "磐田市",
    "島田市",
    "藤枝市",
    "焼津市",
    "富士宮市",
    "三島市",
    "伊東市",
    "湖西市",
    "御前崎市",
    "菊陽町",
    "合志市",
    "山鹿市",
    "玉名市",
    "荒尾市",
    "宇城市",
    "八代市",
    "人吉市",
    "天草市",
    "萩市",
    "長門市",
    "防府市",
    "岩国市",
    "光市",
    "柳井市",
    "周南市",
    "下松市",
    "宇部市",
    "山陽小野田市",
    "大洲市",
    "西条市",
    "今治市",
    "四万十市",
    "南国市",
    "香美市",
    "鳴門市",
    "阿南市",
    "吉野川市",
    "観音寺市",
    "丸亀市",
    "善通寺市",
    "東広島市",
    "三次市",
    "庄原市",
    "府中市",
    "総社市",
    "真庭市",
    "津山市",
    "米子市",
    "倉吉市",
    "益田市",
    "浜田市",
    "安来市",
    "豊岡市",
    "丹波市",
    "洲本市",
    "伊賀市",
];

const DEPARTMENTS: [&str; 24] = [
    "企画政策課",
    "財政課",
    "行政経営課",
    "危機管理課",
    "市民協働課",
    "市民課",
    "税務課",
    "子育て支援課",
    "こども希望課",
    "健康づくり課",
    "福祉課",
    "長寿推進課",
    "環境政策課",
    "農林課",
    "茶業振興課",
    "商工観光課",
    "都市政策課",
    "維持管理課",
    "上下水道課",
    "学校教育課",
    "社会教育課",
    "文化・スポーツ課",
    "デジタル推進課",
    "消防本部",
];

const MEASURE_HEADINGS: [[&str; 2]; 3] =
    [["現状と課題", "目指す姿"], ["現状と課題", "施策の方針"], ["背景", "取組の方針"]];
const PLAN_HEADINGS: [&str; 4] = ["計画策定の趣旨", "計画の構成・期間", "まちづくりの基本理念", "計画の推進にあたって"];

/// Indicators made up around a topic: name template (`{p}` is the topic), unit, range of
/// the baseline, decimals.
const INDICATOR_TEMPLATES: [(&str, &str, f64, f64, u32); 5] = [
    ("「{p}」が進んでいると思う市民の割合", "%", 20.0, 70.0, 1),
    ("{p}に満足している市民の割合", "%", 15.0, 65.0, 1),
    ("{p}に関する講座・イベントの参加者数", "人", 200.0, 6000.0, 0),
    ("{p}に取り組む団体数", "団体", 5.0, 120.0, 0),
    ("{p}に関する相談件数", "件", 30.0, 1500.0, 0),
];

/// Titles of directions that already read like a measure.
const MEASURE_LIKE_ENDINGS: [&str; 4] = ["推進", "充実", "強化", "促進"];

/// The parsed seeds, once per process.
pub(crate) fn pool() -> &'static Pool {
    static POOL: OnceLock<Pool> = OnceLock::new();
    POOL.get_or_init(seeds::load)
}

/// The corpus of `pages` node pages (plans + fields + measures) for `seed`.
pub fn generate(pages: usize, seed: u64) -> Result<Corpus, CorpusError> {
    if pages == 0 {
        return Err(CorpusError::NoPages);
    }
    let pool = pool();
    let mut plans = Vec::new();
    let mut total = 0;
    while total < pages {
        let (plan, used) = make_plan(pool, seed, plans.len(), pages - total);
        plans.push(plan);
        total += used;
    }
    let mut corpus = Corpus {
        format: FORMAT.to_string(),
        version: VERSION,
        generator: super::generator(),
        seed,
        pages,
        levels: LEVELS.iter().map(|s| s.to_string()).collect(),
        seed_files: seeds::SEED_FILES.iter().map(|(name, _)| name.to_string()).collect(),
        counts: Counts::default(),
        plans,
    };
    corpus.counts = corpus.count();
    debug_assert_eq!(corpus.counts.plans + corpus.counts.fields + corpus.counts.measures, pages);
    Ok(corpus)
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// Plan `pi` with at most `budget` node pages; returns it and the pages it has.
fn make_plan(pool: &Pool, seed: u64, pi: usize, budget: usize) -> (Plan, usize) {
    let n = MUNICIPALITIES.len();
    let city = MUNICIPALITIES[pi % n];
    let generation = 2 + (pi / n) / 2;
    let half = ["前期", "後期"][(pi / n) % 2];
    let mut w = Writer::new(Rng::for_plan(seed, pi), pool, city);
    let start = w.rng.range(2019, 2027) as i64;
    let end = start + *w.rng.choice(&[3, 4, 4, 5]);
    let themes = &pool.themes;
    let mut order: Vec<usize> = (0..themes.len()).collect();
    w.rng.shuffle(&mut order);
    let nfields = w.rng.range(5, 9);
    let plan_topics: Vec<String> = order
        .iter()
        .filter(|&&k| !themes[k].strategies.is_empty())
        .map(|&k| w.rng.choice(&themes[k].strategies).clone())
        .collect();
    let id = format!("p{:03}", pi + 1);
    let summary = {
        let s = w.rng.choice(&pool.sentences);
        w.localise(s)
    };
    let plan_headings = w.rng.sample(&PLAN_HEADINGS, 3);
    let body = w.body(600, 2500, &plan_topics, &plan_headings);
    let mut plan = Plan {
        id,
        kind: "plan".into(),
        number: String::new(),
        municipality: city.to_string(),
        title: format!("第{generation}次{city}総合計画 {half}基本計画"),
        period: Period { start_fy: start, end_fy: end },
        summary,
        body,
        fields: Vec::new(),
    };
    let mut used = 1;
    for fj in 0..nfields {
        if used >= budget {
            break;
        }
        let th = &themes[order[fj % order.len()]];
        let fid = format!("{}-f{:02}", plan.id, fj + 1);
        // A theme's main name the first time; another plan's name when fields repeat themes.
        let title = if fj < order.len() || th.names.len() < 2 {
            th.names[0].clone()
        } else {
            w.rng.choice(&th.names[1..]).clone()
        };
        let mut measures_src: Vec<&SeedMeasure> = th.measures.iter().collect();
        w.rng.shuffle(&mut measures_src);
        let all_dirs: Vec<String> = measures_src.iter().flat_map(|m| m.dirs.iter().cloned()).collect();
        // Directions can stand in for measures once the theme's measures run out.
        let mut extra: Vec<(String, Vec<String>)> = all_dirs
            .iter()
            .map(|d| {
                let suffix = if MEASURE_LIKE_ENDINGS.iter().any(|e| d.ends_with(e)) { "" } else { "の推進" };
                (format!("{d}{suffix}"), Vec::new())
            })
            .collect();
        w.rng.shuffle(&mut extra);
        let candidates: Vec<(String, Vec<String>)> =
            measures_src.iter().map(|m| (m.title.clone(), m.dirs.clone())).chain(extra).collect();
        let summary = if th.strategies.is_empty() { title.clone() } else { w.rng.choice(&th.strategies).clone() };
        let body = w.body(200, 800, &all_dirs, &[]);
        plan.fields.push(Field {
            id: fid.clone(),
            kind: "field".into(),
            number: (fj + 1).to_string(),
            title,
            summary,
            body,
            measures: Vec::new(),
        });
        used += 1;
        let nmeas = w.rng.range(3, 9);
        for mk in 0..nmeas {
            if used >= budget {
                break;
            }
            let (src_title, src_dirs) = &candidates[mk % candidates.len()];
            let measure =
                make_measure(&mut w, &th.indicators, &all_dirs, src_title, src_dirs, (start, end), (fj, mk), &fid);
            plan.fields.last_mut().expect("field just pushed").measures.push(measure);
            used += 1;
        }
    }
    (plan, used)
}

/// Measure `mk` of field `fj`, on the model of the seed measure (`title`, `dirs`).
#[allow(clippy::too_many_arguments)]
fn make_measure(
    w: &mut Writer<'_>,
    seed_indicators: &[SeedIndicator],
    all_dirs: &[String],
    title: &str,
    dirs: &[String],
    (start, end): (i64, i64),
    (fj, mk): (usize, usize),
    fid: &str,
) -> Measure {
    let id = format!("{fid}-m{:02}", mk + 1);
    let ndirs = w.rng.range(3, 8);
    let mut dirs: Vec<String> = dirs.to_vec();
    w.rng.shuffle(&mut dirs);
    let mut others: Vec<&String> = all_dirs.iter().collect();
    w.rng.shuffle(&mut others);
    for d in others {
        if dirs.len() >= ndirs {
            break;
        }
        if !dirs.contains(d) && d != title {
            dirs.push(d.clone());
        }
    }
    dirs.truncate(ndirs.min(CIRCLED.len()));
    let mut topics = dirs.clone();
    topics.push(title.to_string());

    let mut indicators = Vec::new();
    for _ in 0..*w.rng.choice(&[0, 1, 1, 2, 2, 3]) {
        let ind = if !seed_indicators.is_empty() && w.rng.random() < 0.5 {
            let tmpl = w.rng.choice(seed_indicators).clone();
            scaled_indicator(&mut w.rng, &tmpl, start, end)
        } else {
            let topic = w.rng.choice(&topics).clone();
            synth_indicator(&mut w.rng, &topic, start, end)
        };
        indicators.push(ind);
    }
    let summary = w.sentence(&topics);
    let headings = *w.rng.choice(&MEASURE_HEADINGS);
    let body = w.body(200, 1500, &topics, &headings);
    let mut sdgs: Vec<u32> = {
        let goals: Vec<u32> = (1..=17).collect();
        let k = w.rng.range(1, 3);
        w.rng.sample(&goals, k)
    };
    sdgs.sort_unstable();
    let mut departments = {
        let k = w.rng.range(1, 2);
        strings(&w.rng.sample(&DEPARTMENTS, k))
    };
    departments.sort();
    let directions = dirs
        .iter()
        .enumerate()
        .map(|(dk, d)| {
            let body = (0..w.rng.range(1, 2)).map(|_| w.sentence(&topics)).collect::<String>();
            Direction { id: format!("{id}-d{}", dk + 1), number: CIRCLED[dk].to_string(), title: w.localise(d), body }
        })
        .collect();
    Measure {
        title: w.localise(title),
        id,
        kind: "measure".into(),
        number: format!("{}-({})", fj + 1, mk + 1),
        summary,
        body,
        sdgs,
        departments,
        indicators,
        directions,
    }
}

/// `v` rounded to `decimals` places, as a JSON number: an integer without decimals.
fn rounded(v: f64, decimals: u32, unit: &str) -> serde_json::Number {
    let v = if unit == "%" { v.min(100.0) } else { v };
    if decimals == 0 {
        serde_json::Number::from(v.round() as i64)
    } else {
        let scale = 10f64.powi(decimals as i32);
        serde_json::Number::from_f64((v * scale).round() / scale).expect("finite indicator value")
    }
}

fn as_f64(n: &serde_json::Number) -> f64 {
    n.as_f64().unwrap_or_default()
}

/// A seed indicator with its values scaled by 0.6–1.4 (direction kept: 94.9% → 67.5% stays
/// lower-is-better).
fn scaled_indicator(rng: &mut Rng, t: &SeedIndicator, start: i64, end: i64) -> Indicator {
    let s = rng.uniform(0.6, 1.4);
    let base = rounded(t.baseline * s, t.decimals, &t.unit);
    let mut target = rounded(t.target * s, t.decimals, &t.unit);
    if as_f64(&base) == as_f64(&target) {
        let step = if t.baseline >= 0.0 { 1.0 } else { -1.0 };
        target = rounded(as_f64(&target) * 1.1 + step, t.decimals, &t.unit);
    }
    // Both at the 100% ceiling: the baseline moves instead, so the target is never reached yet.
    let base = if as_f64(&base) == as_f64(&target) { rounded(as_f64(&base) * 0.9, t.decimals, &t.unit) } else { base };
    let better = if as_f64(&target) > as_f64(&base) { "higher" } else { "lower" };
    Indicator {
        name: t.name.clone(),
        unit: t.unit.clone(),
        better: better.into(),
        baseline: Measurement { value: base, fy: start - rng.range(1, 2) as i64 },
        target: Measurement { value: target, fy: end },
    }
}

/// An indicator made up around `topic` from a template: higher is better, +8–60%.
fn synth_indicator(rng: &mut Rng, topic: &str, start: i64, end: i64) -> Indicator {
    let (name, unit, lo, hi, decimals) = *rng.choice(&INDICATOR_TEMPLATES);
    let b = rng.uniform(lo, hi);
    let base = rounded(b, decimals, unit);
    let mut target = rounded(b * rng.uniform(1.08, 1.6), decimals, unit);
    if as_f64(&target) <= as_f64(&base) {
        // Small counts: 5 × 1.08 rounds to 5 again; one more is the least progress.
        target = rounded(as_f64(&base) + 10f64.powi(-(decimals as i32)), decimals, unit);
    }
    Indicator {
        name: name.replace("{p}", topic),
        unit: unit.into(),
        better: "higher".into(),
        baseline: Measurement { value: base, fy: start - rng.range(1, 2) as i64 },
        target: Measurement { value: target, fy: end },
    }
}
