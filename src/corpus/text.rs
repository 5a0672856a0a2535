//! Text recombined from the seeds: sentences, paragraphs, bullet lists and Markdown bodies
//! of a given length, with the seed cities replaced by the plan's municipality.

use super::rng::Rng;
use super::seeds::{clen, Pool};

/// Seed city names (and their stems) that sentences may mention; replaced by the plan's
/// municipality. 美祿 is how the 美祢 policy writes its own name in places.
const SEED_CITIES: [(&str, &str); 4] = [("掛川市", "掛川"), ("菊池市", "菊池"), ("美祢市", "美祢"), ("美祿市", "美祿")];

/// Writes the text of one plan.
pub(crate) struct Writer<'a> {
    pub rng: Rng,
    pool: &'a Pool,
    city: &'a str,
    stem: &'a str,
}

impl<'a> Writer<'a> {
    pub(crate) fn new(rng: Rng, pool: &'a Pool, city: &'a str) -> Self {
        let stem = city.strip_suffix(['市', '町', '村']).filter(|s| !s.is_empty()).unwrap_or(city);
        Writer { rng, pool, city, stem }
    }

    /// `s` with the seed cities replaced by this plan's municipality.
    pub(crate) fn localise(&self, s: &str) -> String {
        let mut s = s.to_string();
        for (full, stem) in SEED_CITIES {
            if s.contains(stem) {
                s = s.replace(full, self.city).replace(stem, self.stem);
            }
        }
        s
    }

    /// A seed sentence (half the time), two clause halves spliced at 「、」, or a topic
    /// followed by a clause: 「地域医療体制の向上に向けて、…ます。」.
    pub(crate) fn sentence(&mut self, topics: &[String]) -> String {
        let r = self.rng.random();
        let p = self.pool;
        let s = if r < 0.5 {
            self.rng.choice(&p.sentences).clone()
        } else if r < 0.8 || topics.is_empty() {
            format!("{}、{}", self.rng.choice(&p.pre), self.rng.choice(&p.fin))
        } else {
            let lead = self.rng.choice(&["に向けて", "を図るため", "を進めるため", "については"]);
            format!("{}{lead}、{}", self.rng.choice(topics), self.rng.choice(&p.fin))
        };
        self.localise(&s)
    }

    /// One to four sentences, stopping before `max_len` characters (but never empty).
    fn paragraph(&mut self, topics: &[String], max_len: usize) -> String {
        let mut out = String::new();
        let mut len = 0;
        for _ in 0..self.rng.range(1, 4) {
            let s = self.sentence(topics);
            let n = clen(&s);
            if !out.is_empty() && len + n > max_len {
                break;
            }
            out.push_str(&s);
            len += n;
        }
        out
    }

    /// Two to five bullets: the topics (directions) or bullet phrases of the seeds.
    fn bullet_list(&mut self, topics: &[String]) -> String {
        let n = self.rng.range(2, 5);
        let src = if !topics.is_empty() && self.rng.random() < 0.6 { topics } else { &self.pool.bullets[..] };
        let items = self.rng.sample(src, n);
        items.iter().map(|i| format!("- {}", self.localise(i))).collect::<Vec<_>>().join("\n")
    }

    /// Markdown of `lo..=hi` characters: paragraphs, some bullet lists, and the `headings`
    /// as `##` headings (the first at the top, the next ones after about half the text).
    pub(crate) fn body(&mut self, lo: usize, hi: usize, topics: &[String], headings: &[&str]) -> String {
        let target = self.rng.range(lo, hi);
        let mut blocks: Vec<String> = Vec::new();
        let mut size = 0;
        let mut heads = headings.iter();
        if let Some(h) = heads.next() {
            blocks.push(format!("## {h}"));
        }
        let mut pending = heads.next();
        while size < target {
            let heading_due = pending.is_some() && size as f64 > target as f64 * 0.55;
            let b = if self.rng.random() < 0.22 && size > 0 {
                self.bullet_list(topics)
            } else {
                self.paragraph(topics, 60.max(hi.saturating_sub(size)))
            };
            let n = clen(&b);
            if size + n > hi && size >= lo {
                break;
            }
            // A heading goes in only with text after it, so no section is ever empty.
            if heading_due {
                blocks.push(format!("## {}", pending.unwrap()));
                pending = heads.next();
            }
            blocks.push(b);
            size += n + 2;
        }
        let text = blocks.join("\n\n");
        if clen(&text) <= hi {
            return text;
        }
        // One overlong block: cut at the end of a sentence (or, failing that, at `hi`).
        let hi_byte = text.char_indices().nth(hi).map_or(text.len(), |(i, _)| i);
        let cut = match text[..hi_byte].rfind('。') {
            Some(i) if clen(&text[..i]) >= lo => i + '。'.len_utf8(),
            _ => hi_byte,
        };
        let mut text = text[..cut].trim_end().to_string();
        // Never end on a heading, nor on half of one.
        while let Some(last) = text.rsplit("\n\n").next() {
            if !last.starts_with('#') || last.len() == text.len() {
                break;
            }
            text.truncate(text.len() - last.len() - 2);
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::seeds;

    #[test]
    fn localise_replaces_the_seed_cities() {
        let pool = seeds::load();
        let w = Writer::new(Rng::for_plan(1, 0), &pool, "袋井市");
        assert_eq!(w.localise("掛川市の将来像「まち掛川」と美祢市"), "袋井市の将来像「まち袋井」と袋井市");
        let w = Writer::new(Rng::for_plan(1, 0), &pool, "菊陽町");
        assert_eq!(w.localise("菊池の魅力"), "菊陽の魅力");
    }

    #[test]
    fn bodies_keep_to_their_length_and_end_on_text() {
        let pool = seeds::load();
        let topics: Vec<String> = pool.themes[1].measures[0].dirs.clone();
        let mut w = Writer::new(Rng::for_plan(3, 1), &pool, "磐田市");
        for _ in 0..300 {
            let b = w.body(200, 1500, &topics, &["現状と課題", "目指す姿"]);
            assert!(clen(&b) <= 1500, "{} characters", clen(&b));
            assert!(clen(&b) >= 100, "{b}");
            assert!(b.starts_with("## 現状と課題\n\n"), "{b}");
            assert!(!b.rsplit("\n\n").next().unwrap().starts_with("## "), "ends on a heading: {b}");
            assert!(!b.contains("\n\n\n"));
        }
    }
}
