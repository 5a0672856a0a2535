//! What a page says about itself in its `<head>`: its own description, the OGP and
//! Twitter card tags, and the structured data (JSON-LD) for search engines.
//!
//! The description comes from the page's content where it has one (a node's `summary`,
//! else the first sentence of its body), else a sentence made for the kind of page (a
//! node: its plan, level, title and children), else the site's `description`. Every value goes to the template as text and is escaped
//! there; the JSON-LD is serialized here with `<` written as `\u003c`, so no value can
//! end its `<script>` element.

use super::pages::PageKind;
use super::views::SdgView;
use super::Shared;
use crate::content::model::*;
use crate::content::updated::UpdatedDate;
use serde::Serialize;
use serde_json::{json, Value};
use tera::Context;

/// The longest description, in characters (search engines show about this many).
pub const DESCRIPTION_MAX: usize = 120;

/// The `<head>` metadata of one page (`meta` in templates).
#[derive(Debug, Serialize)]
pub struct PageMeta {
    /// The page's own title, without the site name (`og:title`).
    pub title: String,
    /// `<meta name=description>` and `og:description`; empty: no tag.
    pub description: String,
    /// `website` for the home page, `article` for the others.
    pub og_type: &'static str,
    /// The page's absolute URL (`og:url`), when the site has a `base_url`.
    pub url: Option<String>,
    /// The absolute URL of site.toml's `image` (`og:image`).
    pub image: Option<String>,
    /// The site icon, relative to the site root (`assets/favicon.svg` or a file of `static/`).
    pub favicon: String,
    /// Its MIME type, when known (`image/svg+xml`).
    pub favicon_type: Option<&'static str>,
    /// 最終更新日, for pages made from a content file that has one.
    pub updated: Option<Updated>,
    /// The JSON-LD of the page, ready to stand inside `<script type="application/ld+json">`;
    /// empty: none.
    pub json_ld: String,
}

/// The metadata of page `kind` at `path`, whose context `ctx` is already built (its
/// `breadcrumbs`, `crumb_title` and `page_title` are read from it).
pub fn page_meta(site: &Site, shared: &Shared, kind: PageKind, path: &str, ctx: &Context) -> PageMeta {
    let text = |k: &str| ctx.get(k).and_then(Value::as_str).map(str::to_string);
    let title = text("crumb_title").or_else(|| text("page_title")).unwrap_or_default();
    let description = description(site, shared, kind);
    // A redirect page is shared as the page it leads to (a URL without its section).
    let own = match kind {
        PageKind::Redirect(owner, _) => super::pages::alias_target(site, owner),
        _ => path.to_string(),
    };
    let url =
        (kind != PageKind::NotFound).then(|| site.config.absolute_url(super::pages::without_fragment(&own))).flatten();
    let (favicon, favicon_type) = match &site.config.favicon {
        Some(f) => (f.clone(), mime_of(f)),
        None => ("assets/favicon.svg".to_string(), Some("image/svg+xml")),
    };
    let mut graph: Vec<Value> = Vec::new();
    if let Some(Value::Array(crumbs)) = ctx.get("breadcrumbs") {
        graph.extend(breadcrumb_list(site, crumbs, &title, path));
    }
    if kind == PageKind::Home {
        graph.push(publisher(site));
        graph.extend(site.plans.iter().flat_map(|p| datasets(site, p)));
    }
    PageMeta {
        title,
        description,
        og_type: if kind == PageKind::Home { "website" } else { "article" },
        url,
        image: site.config.image.as_deref().and_then(|i| site.config.absolute_url(i)),
        favicon,
        favicon_type,
        updated: updated(site, shared, kind).map(|d| Updated {
            iso: d.iso().to_string(),
            wareki: d.wareki(),
            western: d.western(),
        }),
        json_ld: if graph.is_empty() {
            String::new()
        } else {
            script_json(&json!({"@context": "https://schema.org", "@graph": graph}))
        },
    }
}

/// A page's 最終更新日 as the template shows it.
#[derive(Debug, Serialize)]
pub struct Updated {
    /// `2026-04-01` (`<time datetime>`, sitemap `<lastmod>`).
    pub iso: String,
    /// `令和8年4月1日`.
    pub wareki: String,
    /// `2026年4月1日`.
    pub western: String,
}

/// The 最終更新日 of page `kind`: `updated` of its content file's front matter, else the
/// file's last commit date; `None` for pages made from the whole plan (lists, dashboards),
/// which no one file dates.
pub fn updated(site: &Site, shared: &Shared, kind: PageKind) -> Option<UpdatedDate> {
    let (written, source) = match kind {
        PageKind::Home => (&site.home.updated, &site.home.source),
        PageKind::Plan(pi) => (&site.plans[pi].updated, &site.plans[pi].source),
        PageKind::Node(pi, ni) => (&site.plans[pi].nodes[ni].updated, &site.plans[pi].nodes[ni].source),
        PageKind::Chapter(pi, c) => (&site.plans[pi].chapters[c].updated, &site.plans[pi].chapters[c].source),
        PageKind::Free(i) => (&site.pages[i].updated, &site.pages[i].source),
        _ => return None,
    };
    written.clone().or_else(|| shared.git_dates.get(source).cloned())
}

/// The MIME type of an icon file by its extension.
fn mime_of(file: &str) -> Option<&'static str> {
    let ext = file.rsplit('.').next()?.to_ascii_lowercase();
    Some(match ext.as_str() {
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "gif" => "image/gif",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        _ => return None,
    })
}

/// JSON for inside a `<script>` element: `<` as `\u003c`, so neither `</script>` nor
/// `<!--` in a title can end or change the element.
pub fn script_json(v: &Value) -> String {
    serde_json::to_string(v).unwrap_or_default().replace('<', "\\u003c")
}

/// The page's description: see the module documentation.
pub fn description(site: &Site, shared: &Shared, kind: PageKind) -> String {
    let own = |summary: &Option<String>, sections: &[crate::markdown::Section]| {
        summary.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(clip).or_else(|| first_sentence(sections))
    };
    let plan_title = |pi: usize| site.plans[pi].title.as_str();
    let m = &site.config.municipality;
    let made = match kind {
        PageKind::Home => site.config.description.clone().or_else(|| first_sentence(&site.home.sections)),
        PageKind::Plan(pi) => {
            let p = &site.plans[pi];
            own(&p.summary, &p.sections)
                .or_else(|| p.vision.as_ref().map(|v| clip(&format!("{}。将来像「{v}」", p.title))))
        }
        PageKind::Node(pi, ni) => {
            let (plan, n) = (&site.plans[pi], &site.plans[pi].nodes[ni]);
            own(&n.summary, &n.sections).or_else(|| {
                // No text of its own: what it is and what it holds, rather than the site's
                // one description on every such page.
                let mut d =
                    format!("{}の{}「{}」です。", plan.title, super::views::level_noun(plan, n.depth), n.label());
                if !n.children.is_empty() {
                    let titles: Vec<&str> = n.children.iter().map(|&c| plan.nodes[c].title.as_str()).collect();
                    d.push_str(&format!("{}: {}", super::views::level_noun(plan, n.depth + 1), titles.join("、")));
                }
                Some(d)
            })
        }
        PageKind::Chapter(pi, c) => own(&site.plans[pi].chapters[c].summary, &site.plans[pi].chapters[c].sections),
        PageKind::Free(i) => own(&site.pages[i].summary, &site.pages[i].sections),
        PageKind::ThemeIndex(pi) => Some(format!("{}の横断的取組(分野をまたぐ取組)の一覧です。", plan_title(pi))),
        PageKind::Theme(pi, t) => {
            let th = &site.plans[pi].themes[t];
            own(&th.summary, &[])
                .or_else(|| Some(format!("{}の横断的取組「{}」に関わる取組の一覧です。", plan_title(pi), th.title)))
        }
        PageKind::SdgIndex => Some(format!("SDGs の17の目標ごとに、{m}の計画の関連する取組を探せます。")),
        PageKind::Sdg(g) => {
            Some(format!("SDGs 目標{g}「{}」に関わる{m}の計画の取組の一覧です。", SdgView::new(g).name))
        }
        PageKind::Departments => Some(format!("担当課ごとに、{m}の計画の取組を探せます。")),
        PageKind::Department(i) => {
            shared.departments.names.get(i).map(|d| format!("{m}の{d}が担当する計画の取組の一覧です。"))
        }
        PageKind::PlanSummary(pi) => Some(format!("{}の概要版(印刷用の要約)です。", plan_title(pi))),
        PageKind::FieldSummary(pi, n) => {
            Some(format!("{} {}の概要版(印刷用の要約)です。", plan_title(pi), site.plans[pi].nodes[n].label()))
        }
        PageKind::Dashboard(pi) => Some(format!(
            "{}の指標の達成状況です。基準値から目標値までの進み具合を指標ごとに示します。",
            plan_title(pi)
        )),
        PageKind::YearDashboard(pi, y) => {
            Some(format!("{}の指標の{}末時点の達成状況です。", plan_title(pi), y.wareki()))
        }
        PageKind::Progress(pi, y) => {
            Some(format!("{}の{}の進捗状況です。評価と指標の実績を分野ごとに示します。", plan_title(pi), y.wareki()))
        }
        PageKind::Comparison(pi, a, b) => {
            Some(format!("{}の{}と{}の評価と指標の比較です。", plan_title(pi), a.wareki(), b.wareki()))
        }
        PageKind::Search => Some(format!("{}のサイト内検索です。", site.config.title)),
        PageKind::NotFound => None,
        PageKind::Redirect(owner, _) => Some(format!("このページは移動しました: {}", site.alias_title(owner))),
    };
    made.map(|d| clip(&d)).or_else(|| site.config.description.as_deref().map(clip)).unwrap_or_default()
}

/// The first sentence of a body's plain text (up to and with the first 。), clipped.
fn first_sentence(sections: &[crate::markdown::Section]) -> Option<String> {
    let line = sections.iter().flat_map(|s| s.text.lines()).map(str::trim).find(|l| !l.is_empty())?;
    let sentence = match line.find('。') {
        Some(i) => &line[..i + '。'.len_utf8()],
        None => line,
    };
    Some(clip(sentence))
}

/// `text` with runs of white space as one space, cut to [`DESCRIPTION_MAX`] characters
/// (with …) when longer.
fn clip(text: &str) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= DESCRIPTION_MAX {
        return text;
    }
    let mut out: String = text.chars().take(DESCRIPTION_MAX - 1).collect();
    out.push('…');
    out
}

/// The BreadcrumbList of a page: its breadcrumbs (`path`, `label`) and then itself.
fn breadcrumb_list(site: &Site, crumbs: &[Value], title: &str, path: &str) -> Option<Value> {
    let mut items: Vec<(String, String)> = crumbs
        .iter()
        .map(|c| {
            let s = |k: &str| c.get(k).and_then(Value::as_str).unwrap_or("").to_string();
            (s("label"), s("path"))
        })
        .collect();
    items.push((title.to_string(), path.to_string()));
    let list: Option<Vec<Value>> = items
        .iter()
        .enumerate()
        .map(|(i, (name, p))| {
            Some(json!({"@type": "ListItem", "position": i + 1, "name": name, "item": site.config.absolute_url(p)?}))
        })
        .collect();
    Some(json!({"@type": "BreadcrumbList", "itemListElement": list?}))
}

/// The municipality that publishes the site.
fn publisher(site: &Site) -> Value {
    let mut org = json!({"@type": "GovernmentOrganization", "name": site.config.municipality});
    if let Some(url) = site.config.absolute_url("") {
        // The municipality's own site: the host the plans are published on.
        let host =
            url.split_once("://").map(|(s, r)| format!("{s}://{}/", r.split('/').next().unwrap_or(""))).unwrap_or(url);
        org["url"] = json!(host);
    }
    if let Some(code) = &site.config.municipality_code {
        org["identifier"] = json!({"@type": "PropertyValue", "propertyID": "全国地方公共団体コード", "value": code});
    }
    org
}

/// The open-data files of `plan`, as Datasets.
fn datasets(site: &Site, plan: &Plan) -> Vec<Value> {
    let license = site.config.license_url().map(str::to_string).unwrap_or_else(|| site.config.license.clone());
    let [json_file, indicators, evaluations] = crate::output::open_data::paths(plan);
    [
        (json_file, "計画の構成", "計画の階層(分野・施策など)と指標・評価のすべて", "application/json"),
        (indicators, "指標", "指標ごとの基準値・目標値・実績と達成状況", "text/csv"),
        (evaluations, "年度ごとの評価", "施策ごと・年度ごとの評価とコメント・予算・決算", "text/csv"),
    ]
    .into_iter()
    .filter_map(|(file, name, what, format)| {
        let url = site.config.absolute_url(&file)?;
        Some(json!({
            "@type": "Dataset",
            "name": format!("{} {name}", plan.title),
            "description": format!("{}の{what}({})。", plan.title, if format == "text/csv" { "CSV" } else { "JSON" }),
            "license": license,
            "creator": {"@type": "GovernmentOrganization", "name": plan.municipality},
            "distribution": [{"@type": "DataDownload", "encodingFormat": format, "contentUrl": url}],
        }))
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_json_cannot_end_its_element() {
        let s = script_json(&json!({"name": "</script><script>alert(1)</script><!--"}));
        assert!(!s.contains('<'), "{s}");
        let back: Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back["name"], "</script><script>alert(1)</script><!--");
    }

    #[test]
    fn first_sentence_stops_at_the_first_maru() {
        let sec = |t: &str| crate::markdown::Section { anchor: String::new(), heading: String::new(), text: t.into() };
        assert_eq!(first_sentence(&[sec("\n子どもを育てる。二文目。\n次の段落")]).as_deref(), Some("子どもを育てる。"));
        assert_eq!(first_sentence(&[sec(""), sec("句点のない文")]).as_deref(), Some("句点のない文"));
        assert_eq!(first_sentence(&[]), None);
        let long = "あ".repeat(300);
        let got = first_sentence(&[sec(&long)]).unwrap();
        assert_eq!(got.chars().count(), DESCRIPTION_MAX);
        assert!(got.ends_with('…'));
    }

    #[test]
    fn icon_types_by_extension() {
        assert_eq!(mime_of("favicon.PNG"), Some("image/png"));
        assert_eq!(mime_of("icons/a.svg"), Some("image/svg+xml"));
        assert_eq!(mime_of("noext"), None);
    }
}
