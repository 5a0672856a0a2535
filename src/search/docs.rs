//! What search indexes: one document per page (plan pages, node pages, plan chapters, free
//! pages), its text taken from the model and cut into sections at headings, so that a hit
//! can link to the heading it is under.

use crate::content::model::{node_path, Indicator, NodeId, Page, Plan, Site};
use crate::markdown::Heading;
use crate::render::{self, PageKind};
use serde::Serialize;

/// A part of a page's text under one heading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Section {
    /// The `id` to link to (`""` for the top of the page).
    pub anchor: String,
    /// The heading's text (`""` for the top of the page).
    pub heading: String,
    /// Plain text, paragraphs separated by `\n`.
    pub text: String,
}

/// One searchable page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SearchDoc {
    /// Site-relative URL of the page (`kakegawa-2/1-1/`).
    pub url: String,
    /// Page title as shown in its `h1` (with the node number).
    pub title: String,
    /// Breadcrumb labels from the home page down to the page's parent.
    pub crumbs: Vec<String>,
    /// Plan id, or `""` for pages outside plans.
    pub plan: String,
    /// Index into [`Corpus::groups`] of the top-level node (policy field) the page is
    /// under, if any.
    pub group: Option<usize>,
    /// The text, in page order.
    pub sections: Vec<Section>,
}

impl SearchDoc {
    /// Text of the `headings` field: every section heading, one per line.
    pub fn headings_text(&self) -> String {
        join(self.sections.iter().map(|s| s.heading.as_str()))
    }

    /// Text of the `body` field: every section's text, one per line.
    pub fn body_text(&self) -> String {
        join(self.sections.iter().map(|s| s.text.as_str()))
    }

    /// The breadcrumb as one line (`ホーム > 計画 > 戦略1 …`).
    pub fn breadcrumb(&self) -> String {
        self.crumbs.join(" > ")
    }
}

fn join<'a>(parts: impl Iterator<Item = &'a str>) -> String {
    let v: Vec<&str> = parts.filter(|s| !s.is_empty()).collect();
    v.join("\n")
}

/// A top-level node (policy field) that results can be filtered by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Group {
    /// `<plan id>/<node id>`.
    pub id: String,
    /// The node's label (`戦略1 教育・文化分野`).
    pub label: String,
    /// The plan's title.
    pub plan: String,
}

/// Every searchable page of a site, in a stable order (the document number is the index).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Corpus {
    /// The documents.
    pub docs: Vec<SearchDoc>,
    /// The policy fields, in site order.
    pub groups: Vec<Group>,
}

impl Corpus {
    /// Collects the searchable pages of `site`, in the order pages are rendered.
    pub fn new(site: &Site) -> Corpus {
        let mut groups = Vec::new();
        let mut group_base = Vec::new();
        for plan in &site.plans {
            group_base.push(groups.len());
            for &r in &plan.roots {
                groups.push(Group {
                    id: format!("{}/{}", plan.id, plan.nodes[r].id),
                    label: plan.nodes[r].label(),
                    plan: plan.title.clone(),
                });
            }
        }
        let home = "ホーム".to_string();
        let mut docs = Vec::new();
        for kind in render::site_pages(site) {
            let url = render::page_path(site, kind);
            let doc = match kind {
                PageKind::Plan(pi) => {
                    let plan = &site.plans[pi];
                    let mut intro = Vec::new();
                    intro.extend(plan.kind.clone());
                    intro.push(format!("計画期間 {}({})", plan.period.wareki(), plan.period.western()));
                    intro.extend(plan.vision.as_ref().map(|v| format!("将来像 {v}")));
                    intro.extend(plan.principles.iter().map(|p| format!("基本理念 {p}")));
                    intro.extend(plan.summary.clone());
                    let mut sections = html_sections(&plan.body_html, &plan.headings, intro);
                    for &r in &plan.roots {
                        if !plan.nodes[r].has_page {
                            node_sections(plan, r, &mut sections);
                        }
                    }
                    SearchDoc {
                        url,
                        title: plan.title.clone(),
                        crumbs: vec![home.clone()],
                        plan: plan.id.clone(),
                        group: None,
                        sections,
                    }
                }
                PageKind::Node(pi, ni) => {
                    let plan = &site.plans[pi];
                    let node = &plan.nodes[ni];
                    let mut crumbs = vec![home.clone(), plan.title.clone()];
                    crumbs.extend(plan.ancestors(ni).into_iter().map(|a| plan.nodes[a].label()));
                    let root = plan.top_of(ni);
                    let group = plan.roots.iter().position(|&r| r == root).map(|i| group_base[pi] + i);
                    let mut sections =
                        html_sections(&node.body_html, &node.headings, node.summary.iter().cloned().collect());
                    if !node.indicators.is_empty() {
                        sections.push(Section {
                            anchor: "pp-indicators".into(),
                            heading: "指標".into(),
                            text: indicator_text(&node.indicators),
                        });
                    }
                    for &c in &node.children {
                        if !plan.nodes[c].has_page {
                            node_sections(plan, c, &mut sections);
                        }
                    }
                    let mut related: Vec<String> = node.departments.iter().map(|d| format!("担当課 {d}")).collect();
                    related.extend(
                        node.themes.iter().filter_map(|t| plan.theme(t)).map(|t| format!("横断的取組 {}", t.title)),
                    );
                    if !related.is_empty() {
                        sections.push(Section {
                            anchor: "pp-related".into(),
                            heading: "関連情報".into(),
                            text: related.join("\n"),
                        });
                    }
                    SearchDoc { url, title: node.label(), crumbs, plan: plan.id.clone(), group, sections }
                }
                PageKind::Chapter(pi, ci) => {
                    let plan = &site.plans[pi];
                    page_doc(&plan.chapters[ci], url, vec![home.clone(), plan.title.clone()], &plan.id)
                }
                PageKind::Free(i) => page_doc(&site.pages[i], url, vec![home.clone()], ""),
                _ => continue,
            };
            docs.push(doc);
        }
        Corpus { docs, groups }
    }
}

fn page_doc(page: &Page, url: String, crumbs: Vec<String>, plan: &str) -> SearchDoc {
    let sections = html_sections(&page.body_html, &page.headings, page.summary.iter().cloned().collect());
    SearchDoc { url, title: page.title.clone(), crumbs, plan: plan.to_string(), group: None, sections }
}

fn indicator_text(indicators: &[Indicator]) -> String {
    let lines: Vec<String> = indicators
        .iter()
        .map(|i| match &i.note {
            Some(n) if !n.is_empty() => format!("{} {n}", i.name),
            _ => i.name.clone(),
        })
        .collect();
    lines.join("\n")
}

/// Sections of a node shown inside its host's page, and of its descendants without pages.
fn node_sections(plan: &Plan, id: NodeId, out: &mut Vec<Section>) {
    let node = &plan.nodes[id];
    let mut intro: Vec<String> = node.summary.iter().cloned().collect();
    let mut own = html_sections(&node.body_html, &node.headings, Vec::new());
    if let Some(first) = own.first_mut().filter(|s| s.anchor.is_empty()) {
        intro.extend((!first.text.is_empty()).then(|| first.text.clone()));
        own.remove(0);
    }
    if !node.indicators.is_empty() {
        intro.push(indicator_text(&node.indicators));
    }
    let anchor = node_path(plan, id).rsplit_once('#').map(|(_, a)| a.to_string()).unwrap_or_else(|| node.id.clone());
    out.push(Section { anchor, heading: node.label(), text: intro.join("\n") });
    out.extend(own);
    for &c in &node.children {
        if !plan.nodes[c].has_page {
            node_sections(plan, c, out);
        }
    }
}

/// Splits rendered body HTML into sections at its headings (those listed in `headings`,
/// matched by id). `intro` lines come first in the top section.
pub fn html_sections(html: &str, headings: &[Heading], intro: Vec<String>) -> Vec<Section> {
    let mut sections = vec![Section { anchor: String::new(), heading: String::new(), text: String::new() }];
    let mut lines: Vec<String> = intro.into_iter().filter(|l| !l.trim().is_empty()).collect();
    let mut line = String::new();
    let mut in_heading: Option<String> = None; // closing tag name while inside a known heading
    let mut skip_depth: Option<String> = None; // inside <script>/<style>/<svg>
    let mut rest = html;
    let flush = |line: &mut String, lines: &mut Vec<String>| {
        let t = collapse(line);
        if !t.is_empty() {
            lines.push(t);
        }
        line.clear();
    };
    while !rest.is_empty() {
        if let Some(lt) = rest.find('<') {
            if skip_depth.is_none() {
                line.push_str(&decode_entities(&rest[..lt]));
            }
            let Some(gt) = rest[lt..].find('>') else {
                if skip_depth.is_none() {
                    line.push_str(&decode_entities(&rest[lt..]));
                }
                break;
            };
            let tag = &rest[lt + 1..lt + gt];
            rest = &rest[lt + gt + 1..];
            let closing = tag.starts_with('/');
            let name: String = tag
                .trim_start_matches('/')
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
                .to_ascii_lowercase();
            if let Some(skip) = &skip_depth {
                if closing && &name == skip {
                    skip_depth = None;
                }
                continue;
            }
            if !closing && matches!(name.as_str(), "script" | "style" | "svg" | "template") {
                skip_depth = Some(name);
                continue;
            }
            let is_heading = matches!(name.as_str(), "h1" | "h2" | "h3" | "h4" | "h5" | "h6");
            if is_heading && !closing {
                if let Some(h) = attr(tag, "id").and_then(|id| headings.iter().find(|h| h.id == id)) {
                    flush(&mut line, &mut lines);
                    sections.last_mut().expect("one section").text = lines.join("\n");
                    lines.clear();
                    sections.push(Section { anchor: h.id.clone(), heading: h.text.clone(), text: String::new() });
                    in_heading = Some(name);
                    continue;
                }
            }
            if closing && in_heading.as_deref() == Some(name.as_str()) {
                in_heading = None;
                line.clear();
                continue;
            }
            if in_heading.is_some() {
                continue;
            }
            match name.as_str() {
                "td" | "th" => line.push(' '),
                "p" | "li" | "ul" | "ol" | "tr" | "table" | "div" | "blockquote" | "pre" | "br" | "dd" | "dt"
                | "dl" | "section" | "figure" | "figcaption" | "caption" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6"
                | "hr" | "thead" | "tbody" => flush(&mut line, &mut lines),
                _ => {}
            }
        } else {
            if skip_depth.is_none() {
                line.push_str(&decode_entities(rest));
            }
            break;
        }
    }
    if in_heading.is_none() {
        flush(&mut line, &mut lines);
    }
    sections.last_mut().expect("one section").text = lines.join("\n");
    sections
}

/// Trims and collapses runs of whitespace to one space.
fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The value of attribute `name` in a start tag's text (`h2 id="x" class=y`).
fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let mut s = tag;
    while let Some(i) = s.find(name) {
        let before_ok = i > 0 && s.as_bytes()[i - 1].is_ascii_whitespace();
        let after = s[i + name.len()..].trim_start();
        if before_ok {
            if let Some(v) = after.strip_prefix('=') {
                let v = v.trim_start();
                return match v.chars().next() {
                    Some(q @ ('"' | '\'')) => v[1..].find(q).map(|end| &v[1..1 + end]),
                    Some(_) => Some(v.split(|c: char| c.is_ascii_whitespace() || c == '>').next().unwrap_or("")),
                    None => None,
                };
            }
        }
        s = &s[i + name.len()..];
    }
    None
}

/// Decodes the character references our Markdown renderer and Tera produce.
pub fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest[1..].find(|c: char| c == ';' || c == '&' || c.is_whitespace()).map(|e| e + 1);
        let decoded = end.filter(|&e| rest.as_bytes().get(e) == Some(&b';')).and_then(|e| {
            let name = &rest[1..e];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                _ => name
                    .strip_prefix("#x")
                    .or_else(|| name.strip_prefix("#X"))
                    .map(|h| u32::from_str_radix(h, 16).ok())
                    .or_else(|| name.strip_prefix('#').map(|d| d.parse::<u32>().ok()))
                    .flatten()
                    .and_then(char::from_u32),
            };
            c.map(|c| (c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &rest[e + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(id: &str, text: &str) -> Heading {
        Heading { level: 2, id: id.into(), text: text.into() }
    }

    #[test]
    fn sections_split_at_known_headings() {
        let html = "<p>前書き<strong>強調</strong>です。</p>\n<h2 id=\"genjo\">現状と<em>課題</em></h2>\n<p>一つ目</p><ul><li>項目A</li><li>項目&amp;B</li></ul>\n<h3 id=\"x\">次</h3><table><tr><td>基本構想</td><td>令和4年度</td></tr></table>";
        let s = html_sections(html, &[h("genjo", "現状と課題"), h("x", "次")], vec!["要約".into()]);
        assert_eq!(s.len(), 3);
        assert_eq!(s[0], Section { anchor: "".into(), heading: "".into(), text: "要約\n前書き強調です。".into() });
        assert_eq!(
            s[1],
            Section {
                anchor: "genjo".into(), heading: "現状と課題".into(), text: "一つ目\n項目A\n項目&B".into()
            }
        );
        assert_eq!(s[2].text, "基本構想 令和4年度");
    }

    #[test]
    fn escaped_markup_stays_text() {
        let s = html_sections("<p>&lt;script&gt;alert(1)&lt;/script&gt; &#x5b50;&#23376;</p>", &[], vec![]);
        assert_eq!(s[0].text, "<script>alert(1)</script> 子子");
    }

    #[test]
    fn entities() {
        assert_eq!(decode_entities("a &amp; b &unknown; &#39;c&#39; & d"), "a & b &unknown; 'c' & d");
    }

    #[test]
    fn attributes() {
        assert_eq!(attr("h2 class=\"a\" id=\"b-1\"", "id"), Some("b-1"));
        assert_eq!(attr("h2 data-id=\"x\" id='y'", "id"), Some("y"));
        assert_eq!(attr("h2 id=z", "id"), Some("z"));
        assert_eq!(attr("h2 class=\"x\"", "id"), None);
    }
}
