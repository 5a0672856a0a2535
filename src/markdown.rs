//! Markdown to HTML with pulldown-cmark: stable heading ids (Japanese kept), headings
//! shifted under the page's h1, internal links resolved, images required to have alt text,
//! raw HTML escaped, and no inline styles (the output runs under a strict CSP).

use crate::diagnostics::{line_of, Diagnostic};
use crate::html::escape;
use pulldown_cmark::{Alignment, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use unicode_normalization::UnicodeNormalization;

/// A heading of a rendered body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Heading {
    /// HTML level after shifting (2–6).
    pub level: u8,
    /// The `id` attribute.
    pub id: String,
    /// Plain text.
    pub text: String,
}

/// Rendered Markdown.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rendered {
    /// HTML.
    pub html: String,
    /// Headings in order.
    pub headings: Vec<Heading>,
    /// The plain text, cut into sections at the headings (what search indexes): made
    /// from the same events as the HTML, so the HTML is never read back.
    pub sections: Vec<Section>,
    /// Files beside the Markdown that it shows as images (`map.png`, `./map.png`), relative
    /// to the site root (`content/plan/1/map.png`): the build copies them to the same place
    /// under the output (`plan/1/map.png`).
    pub files: Vec<std::path::PathBuf>,
}

/// A part of a body's plain text under one heading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Section {
    /// The heading's `id` to link to (`""` for the text before the first heading).
    pub anchor: String,
    /// The heading's text (`""` before the first heading).
    pub heading: String,
    /// Plain text: one line per block (paragraph, list item, table row …), runs of white
    /// space collapsed to one space. Shared, not copied, by the search documents made from
    /// the model (`search::docs`): at 10,000 pages a copy is some 50 MB.
    pub text: std::sync::Arc<str>,
}

/// Maps content files (`kakegawa-2/1/1-1.md`, relative to `content/`) to site paths.
pub type LinkTargets = HashMap<String, String>;

/// Content files (relative to `content/`, as in [`LinkTargets`]) that are there but failed
/// to parse. Their errors are reported; a link to one of them, or to a file below a folder
/// or plan whose `_index.md` or `_plan.md` is one of them, is not also reported missing.
pub type Unreadable = HashSet<String>;

/// True when the `@/` target `file` is missing only because `unreadable` files failed.
pub fn lost_to_unreadable(unreadable: &Unreadable, file: &str) -> bool {
    if unreadable.is_empty() {
        return false;
    }
    let file = file.strip_prefix("./").unwrap_or(file);
    if unreadable.contains(file) {
        return true;
    }
    let mut dir = file;
    while let Some((parent, _)) = dir.rsplit_once('/') {
        if unreadable.contains(&format!("{parent}/_index.md")) || unreadable.contains(&format!("{parent}/_plan.md")) {
            return true;
        }
        dir = parent;
    }
    false
}

/// The [`LinkTargets`] value of a file left out as a draft: a link to it is a warning,
/// and the page shows the link's text without the link.
pub const DRAFT_TARGET: &str = "\0draft";

/// Where a body is rendered, for resolving links and reporting errors.
pub struct MarkdownContext<'a> {
    /// Relative prefix from the page to the site root (`../../`).
    pub root: &'a str,
    /// Content files and their site paths, for `@/` links.
    pub links: &'a LinkTargets,
    /// Content files that failed to parse: links to them are not reported missing.
    pub unreadable: &'a Unreadable,
    /// The site folder, to check that images and files in `static/` (`/images/x.png`) and
    /// images beside the Markdown exist; `None` checks nothing (text from spreadsheets).
    pub site_root: Option<&'a Path>,
    /// The source file (for diagnostics).
    pub file: &'a Path,
    /// File line where the Markdown starts.
    pub first_line: usize,
    /// Ids already used on the page (template ids); headings avoid them.
    pub reserved_ids: &'a [&'a str],
    /// HTML level of the body's top headings: 2 under a page's h1, deeper inside sections.
    pub base_level: u8,
}

/// Ids the templates use; heading ids never take them.
pub const TEMPLATE_IDS: &[&str] = &[
    "main",
    "top",
    "pp-indicators",
    "pp-children",
    "pp-related",
    "pp-contact",
    "pp-chapters",
    "pp-structure",
    "pp-themes",
];

/// Lines meant as headings that Markdown reads as text: `＃＃ 見出し` (full-width ＃) and
/// `##見出し` (no space after the #). Warnings: a line may start with a hashtag on purpose.
fn heading_typos(markdown: &str, ctx: &MarkdownContext) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut fenced = false;
    for (i, line) in markdown.lines().enumerate() {
        let t = line.trim_start_matches(' ');
        if t.starts_with("```") || t.starts_with("~~~") {
            fenced = !fenced;
            continue;
        }
        if fenced || line.len() - t.len() > 3 {
            continue;
        }
        let hashes = t.chars().take_while(|c| *c == '#' || *c == '＃').count();
        let next = t.chars().nth(hashes);
        let full_width = t.chars().take(hashes).any(|c| c == '＃');
        let squeezed = hashes <= 6 && next.is_some_and(|c| c != ' ' && c != '\t' && c != '#');
        if hashes == 0 || !(full_width || squeezed) {
            continue;
        }
        let marks: String = t.chars().take(hashes).map(|_| '#').collect();
        let rest: String = t.chars().skip(hashes).collect::<String>().trim_start_matches(['\u{3000}', ' ']).to_string();
        let (what, col) = if full_width {
            ("全角の「＃」で始まる行は見出しになりません", line.len() - t.len() + 1)
        } else {
            ("# の後に半角スペースがないので、この行は見出しになりません", line.len() - t.len() + hashes + 1)
        };
        out.push(
            Diagnostic::new(ctx.file, "heading", what)
                .warning()
                .at_line(ctx.first_line + i)
                .at_column(col, line)
                .help(format!("見出しにするなら「{marks} {rest}」のように半角の # と半角スペースで書いてください")),
        );
    }
    out
}

/// Renders `markdown`, reporting broken `@/` links and images without alt text.
pub fn render(markdown: &str, ctx: &MarkdownContext) -> (Rendered, Vec<Diagnostic>) {
    let mut opts = Options::empty();
    opts.insert(Options::ENABLE_TABLES);
    opts.insert(Options::ENABLE_FOOTNOTES);
    opts.insert(Options::ENABLE_STRIKETHROUGH);
    opts.insert(Options::ENABLE_HEADING_ATTRIBUTES);
    let events: Vec<(Event, std::ops::Range<usize>)> = Parser::new_ext(markdown, opts).into_offset_iter().collect();

    let min_level = events
        .iter()
        .filter_map(|(e, _)| match e {
            Event::Start(Tag::Heading { level, .. }) => Some(*level as usize),
            _ => None,
        })
        .min()
        .unwrap_or(2);
    let base = usize::from(ctx.base_level.clamp(2, 6));
    let shift = |level: HeadingLevel| -> u8 { (level as usize + base - min_level).clamp(2, 6) as u8 };

    let mut used: HashSet<String> = ctx.reserved_ids.iter().map(|s| s.to_string()).collect();
    let mut out: Vec<Event> = Vec::with_capacity(events.len());
    let mut headings = Vec::new();
    let mut diags = Vec::new();
    let mut files = Vec::new();
    let line = |offset: usize| ctx.first_line + line_of(markdown, offset) - 1;
    let events = drop_unsafe_urls(events, ctx, &line, &mut diags);
    let events = tab_tables(events);
    diags.extend(heading_typos(markdown, ctx));
    let mut in_table_head = false;
    let mut i = 0;
    while i < events.len() {
        let (event, range) = &events[i];
        match event {
            Event::Start(Tag::Heading { level, id, .. }) => {
                let end = find_end(&events, i, |e| matches!(e, Event::End(TagEnd::Heading(_))));
                let inner = &events[i + 1..end];
                let text = plain_text(inner.iter().map(|(e, _)| e));
                let wanted = id.as_ref().map(|s| s.to_string()).unwrap_or_else(|| slugify(&text));
                let id = unique_id(&wanted, &mut used);
                let lvl = shift(*level);
                out.push(Event::Html(format!("<h{lvl} id=\"{}\">", escape(&id)).into()));
                for (e, r) in inner {
                    push_inline(&mut out, e.clone(), r, ctx, &line, &mut diags, &mut files);
                }
                out.push(Event::Html(format!("</h{lvl}>").into()));
                headings.push(Heading { level: lvl, id, text });
                i = end + 1;
                continue;
            }
            Event::Start(Tag::Image { dest_url, .. }) => {
                let end = find_end(&events, i, |e| matches!(e, Event::End(TagEnd::Image)));
                let alt = plain_text(events[i + 1..end].iter().map(|(e, _)| e));
                if alt.trim().is_empty() {
                    diags.push(
                        Diagnostic::new(
                            ctx.file,
                            "image-alt",
                            format!("画像 {dest_url} に説明(代替テキスト)がありません"),
                        )
                        .at_line(line(range.start))
                        .help("![画像の内容を説明する文](画像のパス) のように、[ ] の中に説明を書いてください"),
                    );
                }
            }
            Event::Start(Tag::Table(aligns)) => {
                out.push(Event::Html(
                    "<div class=\"table-scroll\" role=\"region\" aria-label=\"表\" tabindex=\"0\">".into(),
                ));
                // Alignment would be an inline style attribute, which a strict CSP blocks.
                out.push(Event::Start(Tag::Table(vec![Alignment::None; aligns.len()])));
                i += 1;
                continue;
            }
            Event::End(TagEnd::Table) => {
                out.push(Event::End(TagEnd::Table));
                out.push(Event::Html("</div>".into()));
                i += 1;
                continue;
            }
            Event::Start(Tag::TableHead) => in_table_head = true,
            Event::End(TagEnd::TableHead) => in_table_head = false,
            Event::Start(Tag::TableCell) if in_table_head => {
                out.push(Event::Html("<th scope=\"col\">".into()));
                i += 1;
                continue;
            }
            Event::End(TagEnd::TableCell) if in_table_head => {
                out.push(Event::Html("</th>".into()));
                i += 1;
                continue;
            }
            Event::SoftBreak => {
                let prev = last_char(out.last());
                let next = events.get(i + 1).and_then(|(e, _)| first_char(e));
                if !(prev.is_some_and(is_cjk) && next.is_some_and(is_cjk)) {
                    out.push(Event::Text(" ".into()));
                }
                i += 1;
                continue;
            }
            _ => {}
        }
        push_inline(&mut out, event.clone(), range, ctx, &line, &mut diags, &mut files);
        i += 1;
    }
    let sections = sections(&out, &headings);
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, out.into_iter());
    // The model keeps every body for the whole build: no spare capacity (a third of the
    // reserve above, some 20 MB at 10,000 pages).
    html.shrink_to_fit();
    files.sort();
    files.dedup();
    (Rendered { html, headings, sections, files }, diags)
}

/// The plain text of the events that become the HTML, cut into sections at `headings`:
/// what a reader sees, block by block (alt text, which is an attribute, is not text).
fn sections(events: &[Event], headings: &[Heading]) -> Vec<Section> {
    let mut sections = vec![Section { anchor: String::new(), heading: String::new(), text: "".into() }];
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    let flush = |line: &mut String, lines: &mut Vec<String>| {
        let t = line.split_whitespace().collect::<Vec<_>>().join(" ");
        if !t.is_empty() {
            lines.push(t);
        }
        line.clear();
    };
    let mut heading = headings.iter();
    let mut in_heading = false;
    let mut in_image = 0usize;
    // Footnotes are numbered in the order they are first seen, as the HTML writer does.
    let mut footnotes: HashMap<String, usize> = HashMap::new();
    let mut footnote = |name: &str| -> usize {
        let n = footnotes.len() + 1;
        *footnotes.entry(name.to_string()).or_insert(n)
    };
    for e in events {
        match e {
            // The heading markers this renderer writes, and the other tags it writes as HTML.
            Event::Html(h) if h.starts_with("<h") && h.len() > 2 && h.as_bytes()[2].is_ascii_digit() => {
                flush(&mut line, &mut lines);
                sections.last_mut().expect("one section").text = lines.join("\n").into();
                lines.clear();
                let h = heading.next().expect("a marker per heading");
                sections.push(Section { anchor: h.id.clone(), heading: h.text.clone(), text: "".into() });
                in_heading = true;
            }
            Event::Html(h) if h.starts_with("</h") => {
                in_heading = false;
                line.clear();
            }
            _ if in_heading => {}
            Event::Html(h) if h.starts_with("<div") || h.starts_with("</div") => flush(&mut line, &mut lines),
            Event::Html(h) if h.starts_with("<th") || h.starts_with("</th") => line.push(' '),
            Event::Start(Tag::Image { .. }) => in_image += 1,
            Event::End(TagEnd::Image) => in_image = in_image.saturating_sub(1),
            _ if in_image > 0 => {}
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => line.push_str(t),
            Event::FootnoteReference(name) => line.push_str(&footnote(name).to_string()),
            Event::Start(Tag::FootnoteDefinition(name)) => {
                flush(&mut line, &mut lines);
                line.push_str(&footnote(name).to_string());
            }
            Event::Start(Tag::TableCell) | Event::End(TagEnd::TableCell) => line.push(' '),
            Event::Start(
                Tag::Paragraph
                | Tag::Item
                | Tag::List(_)
                | Tag::TableRow
                | Tag::TableHead
                | Tag::Table(_)
                | Tag::BlockQuote(_)
                | Tag::CodeBlock(_),
            )
            | Event::End(
                TagEnd::Paragraph
                | TagEnd::Item
                | TagEnd::List(_)
                | TagEnd::TableRow
                | TagEnd::TableHead
                | TagEnd::Table
                | TagEnd::BlockQuote(_)
                | TagEnd::CodeBlock
                | TagEnd::FootnoteDefinition,
            )
            | Event::HardBreak
            | Event::Rule => flush(&mut line, &mut lines),
            _ => {}
        }
    }
    if !in_heading {
        flush(&mut line, &mut lines);
    }
    sections.last_mut().expect("one section").text = lines.join("\n").into();
    sections
}

/// Pushes one event, rewriting links and escaping raw HTML.
fn push_inline<'a>(
    out: &mut Vec<Event<'a>>,
    event: Event<'a>,
    range: &std::ops::Range<usize>,
    ctx: &MarkdownContext,
    line: &dyn Fn(usize) -> usize,
    diags: &mut Vec<Diagnostic>,
    files: &mut Vec<std::path::PathBuf>,
) {
    match event {
        Event::Html(s) | Event::InlineHtml(s) => out.push(Event::Text(s)),
        Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
            if let Some(d) = missing_static_file(&dest_url, ctx, false) {
                diags.push(d.at_line(line(range.start)));
            }
            let dest_url = resolve_link(&dest_url, ctx).unwrap_or_else(|| {
                let file = dest_url.strip_prefix("@/").unwrap_or(&dest_url);
                if lost_to_unreadable(ctx.unreadable, file.split('#').next().unwrap_or(file)) {
                    return dest_url.to_string(); // the build fails on that file's own error
                }
                diags.push(
                    Diagnostic::new(ctx.file, "broken-link", format!("リンク先 {dest_url} のファイルがありません"))
                        .at_line(line(range.start))
                        .help("@/ の後に content フォルダからのパスを書いてください(例: @/kakegawa-2/1/1-1.md)"),
                );
                dest_url.to_string()
            });
            out.push(Event::Start(Tag::Link { link_type, dest_url: dest_url.into(), title, id }));
        }
        Event::Start(Tag::Image { link_type, dest_url, title, id }) => {
            let written = dest_url.to_string();
            let dest_url = match beside_markdown(&written, ctx) {
                Some(Ok((file, url))) => {
                    files.push(file);
                    url
                }
                Some(Err(d)) => {
                    diags.push(d.at_line(line(range.start)));
                    written
                }
                None => {
                    if let Some(d) = missing_static_file(&written, ctx, true) {
                        diags.push(d.at_line(line(range.start)));
                    }
                    resolve_link(&written, ctx).unwrap_or(written)
                }
            };
            out.push(Event::Start(Tag::Image { link_type, dest_url: dest_url.into(), title, id }));
        }
        e => out.push(e),
    }
}

/// URL schemes that run script or embed content (`javascript:`, `vbscript:`, `data:`): links
/// and images with them are reported and written as plain text. Images must be files in
/// `static/`, so `data:` images are refused too.
const UNSAFE_SCHEMES: &[&str] = &["javascript", "vbscript", "data"];

/// The scheme of `url` as a browser reads it, lower case: leading C0 controls and spaces are
/// ignored and tabs and line breaks removed anywhere (the URL standard), and here every other
/// ASCII control or space too, so `" Java\tScript:"` is `javascript`. `None` without a
/// scheme (`/x`, `@/a.md`, `page.html#a:b`).
fn url_scheme(url: &str) -> Option<String> {
    let (head, _) = url.split_once(':')?;
    let scheme: String =
        head.chars().filter(|c| !(c.is_ascii_control() || *c == ' ')).map(|c| c.to_ascii_lowercase()).collect();
    let mut chars = scheme.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then_some(scheme)
}

/// True when `url` would run script or embed data when followed ([`UNSAFE_SCHEMES`]).
fn is_unsafe_url(url: &str) -> bool {
    url_scheme(url).is_some_and(|s| UNSAFE_SCHEMES.contains(&s.as_str()))
}

/// `url` for a message: control characters made visible, long URLs (a `data:` image) cut.
fn shown_url(url: &str) -> String {
    const MAX: usize = 40;
    let mut s: String = url.chars().take(MAX).flat_map(|c| c.escape_debug()).collect();
    if url.chars().nth(MAX).is_some() {
        s.push('…');
    }
    s
}

/// Removes links and images whose URL is unsafe ([`is_unsafe_url`]), reporting each: their
/// text (a link's words, an image's alt text) stays, as plain text. Every link and image
/// passes here (inline, reference-style, autolinks, in headings), with its URL decoded.
fn drop_unsafe_urls<'a>(
    events: Vec<(Event<'a>, std::ops::Range<usize>)>,
    ctx: &MarkdownContext,
    line: &dyn Fn(usize) -> usize,
    diags: &mut Vec<Diagnostic>,
) -> Vec<(Event<'a>, std::ops::Range<usize>)> {
    // One flag per open link / image: was its start dropped? (An image's alt text may hold
    // images and links.)
    let (mut links, mut images) = (Vec::new(), Vec::new());
    let mut kept = Vec::with_capacity(events.len());
    for (event, range) in events {
        let drop = match &event {
            Event::Start(Tag::Link { dest_url, .. }) | Event::Start(Tag::Image { dest_url, .. }) => {
                let image = matches!(event, Event::Start(Tag::Image { .. }));
                let unsafe_url = is_unsafe_url(dest_url);
                if unsafe_url {
                    let (what, help) = if image {
                        (
                            "画像",
                            "画像は static フォルダに置き、![説明](/images/map.png) のようにそのパスを書いてください",
                        )
                    } else {
                        ("リンク先", "https:// で始まる URL か、サイト内のページへのリンクに書き換えてください")
                    };
                    diags.push(
                        Diagnostic::new(
                            ctx.file,
                            "unsafe-link",
                            format!(
                                "{what} {} は使えません(スクリプトやデータを埋め込む URL は、住民の安全のため書き出しません)",
                                shown_url(dest_url)
                            ),
                        )
                        .at_line(line(range.start))
                        .help(help),
                    );
                }
                let draft = !image && !unsafe_url && links_to_draft(dest_url, ctx);
                if draft {
                    diags.push(
                        Diagnostic::new(
                            ctx.file,
                            "draft-link",
                            format!("リンク先 {dest_url} は下書き(draft = true)なので、リンクにせず文字だけを書き出します"),
                        )
                        .warning()
                        .at_line(line(range.start))
                        .help("下書きを公開するときは draft = true を消してください。公開しないなら、このリンクを消してください"),
                    );
                }
                let dropped = unsafe_url || draft;
                let open = if image { &mut images } else { &mut links };
                open.push(dropped);
                dropped
            }
            Event::End(TagEnd::Link) => links.pop().unwrap_or(false),
            Event::End(TagEnd::Image) => images.pop().unwrap_or(false),
            _ => false,
        };
        if !drop {
            kept.push((event, range));
        }
    }
    kept
}

/// True when `dest` is an `@/` link to a file left out as a draft.
fn links_to_draft(dest: &str, ctx: &MarkdownContext) -> bool {
    let Some(rest) = dest.strip_prefix("@/") else { return false };
    let file = rest.split_once('#').map_or(rest, |(f, _)| f);
    ctx.links.get(file).is_some_and(|t| t == DRAFT_TARGET)
}

/// Rewrites `@/file.md#x` and site-absolute `/x` to page-relative URLs; `None` when an
/// `@/` target does not exist. Other URLs are returned unchanged.
fn resolve_link(dest: &str, ctx: &MarkdownContext) -> Option<String> {
    if let Some(rest) = dest.strip_prefix("@/") {
        let (file, frag) = rest.split_once('#').map(|(f, x)| (f, Some(x))).unwrap_or((rest, None));
        let path = ctx.links.get(file).or_else(|| ctx.links.get(&link_file_key(file)))?;
        return Some(match frag {
            Some(f) => format!("{}{path}#{f}", ctx.root),
            None => format!("{}{path}", ctx.root),
        });
    }
    if dest.starts_with('/') && !dest.starts_with("//") {
        return Some(format!("{}{}", ctx.root, &dest[1..]));
    }
    Some(dest.to_string())
}

/// Top-level names of the output that planpress writes itself: a `/…` URL into them is not
/// a file of `static/`.
const GENERATED_TOP: &[&str] = &["assets", "sdgs", "departments", "search", "data", "sitemap.xml", "robots.txt"];

/// For a site-absolute `dest` naming a file (`/images/map.png`, `/files/plan.pdf`: a last
/// part with an extension, other than `.html`): an error when `static/` has no such file.
/// Page URLs (`/kakegawa-2/1-1/`) and what planpress writes itself are not checked.
fn missing_static_file(dest: &str, ctx: &MarkdownContext, image: bool) -> Option<Diagnostic> {
    let root = ctx.site_root?;
    let path = dest.strip_prefix('/').filter(|_| !dest.starts_with("//"))?;
    let path = path.split(['#', '?']).next().unwrap_or("");
    let path = percent_encoding::percent_decode_str(path).decode_utf8_lossy().into_owned();
    let last = path.rsplit('/').next().unwrap_or("");
    let (_, ext) = last.rsplit_once('.')?;
    let top = path.split('/').next().unwrap_or("");
    if ext.is_empty() || ext.eq_ignore_ascii_case("html") || GENERATED_TOP.contains(&top) || path.contains("..") {
        return None;
    }
    if root.join("static").join(&path).is_file() {
        return None;
    }
    let what = if image { "画像" } else { "リンク先のファイル" };
    Some(
        Diagnostic::new(
            ctx.file,
            "missing-file",
            format!("{what} {dest} がありません(static/{path} が見つかりません)"),
        )
        .help(format!(
            "ファイルを static/{path} に置くか、パスのつづり(大文字・小文字、拡張子)を直してください。\
                 / で始まるパスは static フォルダの中を指します{}",
            if image {
                "。画像を .md ファイルと同じフォルダに置いたなら、/ を付けずに名前だけ書きます(例: ![説明](map.png))"
            } else {
                ""
            }
        )),
    )
}

/// An image path relative to the Markdown file (`map.png`, `./map.png`, `images/map.png`):
/// `None` for other URLs (`/…`, `@/…`, `https://…`); else the file (relative to the site
/// root) and its page-relative URL, or an error when the file is not there.
fn beside_markdown(dest: &str, ctx: &MarkdownContext) -> Option<Result<(std::path::PathBuf, String), Diagnostic>> {
    let root = ctx.site_root?;
    if dest.is_empty() || dest.starts_with(['/', '#', '?', '@']) || url_scheme(dest).is_some() || dest.contains('\\') {
        return None;
    }
    let path = dest.split(['#', '?']).next().unwrap_or("");
    let path = percent_encoding::percent_decode_str(path).decode_utf8_lossy().into_owned();
    let dir = ctx.file.parent().unwrap_or(Path::new(""));
    let mut parts: Vec<String> = dir.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p.to_string()),
        }
    }
    let file: std::path::PathBuf = parts.iter().collect();
    let in_content = parts.first().is_some_and(|p| p == "content") && parts.len() > 1;
    if !in_content || !root.join(&file).is_file() {
        let shown = file.to_string_lossy().replace('\\', "/");
        return Some(Err(Diagnostic::new(ctx.file, "missing-file", format!("画像 {dest} がありません({shown} が見つかりません)"))
            .help(
                "画像を .md ファイルと同じフォルダ(または書いたパスの場所)に置くか、ファイル名のつづり(大文字・小文字、拡張子)を直してください。\
                 static フォルダの画像なら / から書きます(例: ![説明](/images/map.png))",
            )));
    }
    let url = format!("{}{}", ctx.root, parts[1..].join("/"));
    Some(Ok((file, url)))
}

/// Cells pasted from Excel (a range copied and pasted as text: one row per line, cells
/// separated by tabs) become a table, first row the header, instead of one run-on
/// paragraph. Only a paragraph of plain text whose every line (at least 2) has the same
/// number (at least 2) of tab-separated cells is one; code blocks are not paragraphs.
fn tab_tables<'a>(events: Vec<(Event<'a>, std::ops::Range<usize>)>) -> Vec<(Event<'a>, std::ops::Range<usize>)> {
    if !events.iter().any(|(e, _)| matches!(e, Event::Text(t) if t.contains('\t'))) {
        return events;
    }
    let mut out = Vec::with_capacity(events.len());
    let mut i = 0;
    while i < events.len() {
        if matches!(events[i].0, Event::Start(Tag::Paragraph)) {
            let end = find_end(&events, i, |e| matches!(e, Event::End(TagEnd::Paragraph)));
            if let Some(rows) = pasted_rows(&events[i + 1..end]) {
                let range = events[i].1.clone();
                let mut push = |e: Event<'a>| out.push((e, range.clone()));
                push(Event::Start(Tag::Table(vec![Alignment::None; rows[0].len()])));
                for (r, row) in rows.into_iter().enumerate() {
                    push(Event::Start(if r == 0 { Tag::TableHead } else { Tag::TableRow }));
                    for cell in row {
                        push(Event::Start(Tag::TableCell));
                        if !cell.is_empty() {
                            push(Event::Text(cell.into()));
                        }
                        push(Event::End(TagEnd::TableCell));
                    }
                    push(Event::End(if r == 0 { TagEnd::TableHead } else { TagEnd::TableRow }));
                }
                push(Event::End(TagEnd::Table));
                i = end + 1;
                continue;
            }
        }
        out.push(events[i].clone());
        i += 1;
    }
    out
}

/// The rows of a paragraph's `inner` events when they are pasted cells ([`tab_tables`]).
fn pasted_rows(inner: &[(Event, std::ops::Range<usize>)]) -> Option<Vec<Vec<String>>> {
    let mut lines = vec![String::new()];
    for (e, _) in inner {
        match e {
            // (Raw HTML is shown as text by this renderer anyway.)
            Event::Text(t) | Event::InlineHtml(t) => lines.last_mut().expect("one line").push_str(t),
            Event::SoftBreak => lines.push(String::new()),
            _ => return None,
        }
    }
    let rows: Vec<Vec<String>> =
        lines.iter().map(|l| l.split('\t').map(|c| c.trim_matches([' ', '\u{3000}']).to_string()).collect()).collect();
    let width = rows[0].len();
    (rows.len() >= 2 && width >= 2 && rows.iter().all(|r| r.len() == width)).then_some(rows)
}

/// The key of an `@/` link's file among [`LinkTargets`] when it is not found as written:
/// percent-decoded (`@/%E5%9F%BA…md`) and composed (NFC, as `content/` names are read),
/// so that a link to `基本構想.md` finds the file whoever typed it.
fn link_file_key(file: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    percent_encoding::percent_decode_str(file).decode_utf8_lossy().nfc().collect()
}

fn find_end(events: &[(Event, std::ops::Range<usize>)], start: usize, is_end: impl Fn(&Event) -> bool) -> usize {
    (start + 1..events.len()).find(|&j| is_end(&events[j].0)).unwrap_or(events.len() - 1)
}

fn plain_text<'a>(events: impl Iterator<Item = &'a Event<'a>>) -> String {
    let mut s = String::new();
    for e in events {
        match e {
            Event::Text(t) | Event::Code(t) => s.push_str(t),
            Event::SoftBreak | Event::HardBreak => s.push(' '),
            _ => {}
        }
    }
    s.trim().to_string()
}

fn last_char(e: Option<&Event>) -> Option<char> {
    match e? {
        Event::Text(t) | Event::Code(t) => t.chars().last(),
        _ => None,
    }
}

fn first_char(e: &Event) -> Option<char> {
    match e {
        Event::Text(t) | Event::Code(t) => t.chars().next(),
        _ => None,
    }
}

/// True for characters of Japanese/Chinese script and full-width punctuation, between
/// which a line break in the source must not become a space.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3000..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF | 0x20000..=0x3FFFF)
}

/// A stable, readable id for a heading: NFKC, lower case, letters and digits of any script
/// kept, everything else collapsed to `-` (`## 現状と課題` → `現状と課題`).
pub fn slugify(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    for c in text.nfkc().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() || c == '_' || c == 'ー' || c == '々' {
            s.push(c);
        } else if !s.is_empty() && !s.ends_with('-') {
            s.push('-');
        }
    }
    let s = s.trim_end_matches('-');
    if s.is_empty() {
        "section".to_string()
    } else {
        s.to_string()
    }
}

fn unique_id(wanted: &str, used: &mut HashSet<String>) -> String {
    let mut id = wanted.to_string();
    let mut n = 1;
    while used.contains(&id) {
        n += 1;
        id = format!("{wanted}-{n}");
    }
    used.insert(id.clone());
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    fn md(text: &str) -> (Rendered, Vec<Diagnostic>) {
        let mut links = LinkTargets::new();
        links.insert("plan/1/1-1.md".into(), "plan/1-1/".into());
        let ctx = MarkdownContext {
            root: "../../",
            links: &links,
            unreadable: &Unreadable::new(),
            site_root: None,
            file: Path::new("content/x.md"),
            first_line: 5,
            reserved_ids: TEMPLATE_IDS,
            base_level: 2,
        };
        render(text, &ctx)
    }

    #[test]
    fn headings_typed_with_full_width_or_no_space_are_warned_about() {
        let (_, d) = md("本文\n\n＃＃ 現状と課題\n\n##目指す姿\n\n## 正しい見出し\n\n#タグ\n");
        let found: Vec<_> = d.iter().map(|d| (d.line, d.column(), d.severity)).collect();
        use crate::diagnostics::Severity::Warning;
        assert_eq!(found, [(Some(7), Some(1), Warning), (Some(9), Some(3), Warning), (Some(13), Some(2), Warning)]);
        assert!(d[0].help.as_deref().unwrap().contains("## 現状と課題"), "{:?}", d[0]);
        let (_, d) = md("```\n#include <x>\n```\n\n    #code\n");
        assert!(d.is_empty(), "code is not a heading: {d:?}");
    }

    #[test]
    fn cells_pasted_from_excel_become_a_table() {
        let (r, d) = md("前の段落。\n\n指標\tR5\tR6\n利用者数\t8,910\t9,350\n満足度\t72.0\t<b>\n\n後の段落。\n");
        assert!(d.is_empty(), "{d:?}");
        let h = &r.html;
        assert!(
            h.contains("<div class=\"table-scroll\" role=\"region\" aria-label=\"表\" tabindex=\"0\"><table>"),
            "{h}"
        );
        assert!(h.contains("<th scope=\"col\">指標</th><th scope=\"col\">R5</th><th scope=\"col\">R6</th>"), "{h}");
        assert!(h.contains("<td>利用者数</td><td>8,910</td><td>9,350</td>"), "{h}");
        assert!(h.contains("<td>&lt;b&gt;</td>"), "escaped: {h}");
        assert!(h.contains("<p>前の段落。</p>") && h.contains("<p>後の段落。</p>"), "{h}");
        assert!(r.sections[0].text.contains("利用者数 8,910 9,350"), "{:?}", r.sections);
    }

    #[test]
    fn tabs_that_are_not_a_pasted_range_stay_as_written() {
        for text in [
            "一行だけ\tの\tタブ\n",
            "セル\tの数が\n違う\t行\tです\n",
            "```\na\tb\nc\td\n```\n",
            "**太字**\tb\nc\td\n",
            "タブのない行\nもう一行\n",
        ] {
            let (r, _) = md(text);
            assert!(!r.html.contains("<table>"), "{text:?}: {}", r.html);
        }
    }

    #[test]
    fn headings_shift_under_h1_and_get_japanese_ids() {
        let (r, _) = md("# 現状と課題\n\n本文\n\n## 目指す姿\n");
        assert!(r.html.contains("<h2 id=\"現状と課題\">現状と課題</h2>"), "{}", r.html);
        assert!(r.html.contains("<h3 id=\"目指す姿\">"), "{}", r.html);
        assert_eq!(r.headings.len(), 2);
        assert_eq!(r.headings[0].level, 2);
    }

    #[test]
    fn heading_ids_are_unique_and_avoid_template_ids() {
        let (r, _) = md("## 課題\n\n## 課題\n\n## Main\n");
        let ids: Vec<_> = r.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["課題", "課題-2", "main-2"]);
    }

    #[test]
    fn custom_heading_id_is_kept() {
        let (r, _) = md("## 見出し {#goal}\n");
        assert_eq!(r.headings[0].id, "goal");
    }

    #[test]
    fn slugify_normalizes() {
        assert_eq!(slugify("ＩＣＴの活用 (DX)"), "ictの活用-dx");
        assert_eq!(slugify("!!!"), "section");
        assert_eq!(slugify("1-(1) 子育て"), "1-1-子育て");
    }

    #[test]
    fn content_links_resolve_relative_to_page() {
        let (r, d) = md("[施策](@/plan/1/1-1.md#a) [外](https://example.jp/) [根](/about/)");
        assert!(d.is_empty());
        assert!(r.html.contains("href=\"../../plan/1-1/#a\""), "{}", r.html);
        assert!(r.html.contains("href=\"https://example.jp/\""));
        assert!(r.html.contains("href=\"../../about/\""));
    }

    #[test]
    fn links_lost_to_an_unreadable_file_are_not_reported() {
        let unreadable: Unreadable = ["plan/2.md".to_string(), "plan/3/_index.md".to_string()].into();
        assert!(lost_to_unreadable(&unreadable, "plan/2.md"));
        assert!(lost_to_unreadable(&unreadable, "plan/3/3-1.md"));
        assert!(lost_to_unreadable(&unreadable, "plan/3/deeper/x.md"));
        assert!(!lost_to_unreadable(&unreadable, "plan/4.md"));
        assert!(!lost_to_unreadable(&unreadable, "plan/30/x.md"));
        assert!(lost_to_unreadable(&["plan/_plan.md".to_string()].into(), "plan/1/1-1.md"));
        let links = LinkTargets::new();
        let ctx = MarkdownContext {
            root: "",
            links: &links,
            unreadable: &unreadable,
            site_root: None,
            file: Path::new("content/x.md"),
            first_line: 1,
            reserved_ids: &[],
            base_level: 2,
        };
        let (_, d) = render("[a](@/plan/2.md#x) [b](@/plan/3/3-1.md) [c](@/plan/4.md)\n", &ctx);
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(d[0].message.contains("@/plan/4.md"), "{d:?}");
    }

    #[test]
    fn broken_content_link_is_reported_with_line() {
        let (_, d) = md("本文\n\n[x](@/nope.md)\n");
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].rule, "broken-link");
        assert_eq!(d[0].line, Some(7));
    }

    #[test]
    fn image_without_alt_is_reported() {
        let (r, d) = md("![](/img/a.png)\n\n![地図](/img/b.png)\n");
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].rule, "image-alt");
        assert_eq!(d[0].line, Some(5));
        assert!(r.html.contains("src=\"../../img/b.png\" alt=\"地図\""), "{}", r.html);
    }

    #[test]
    fn raw_html_is_escaped() {
        let (r, _) = md("<script>alert(1)</script>\n\n文<img src=x onerror=alert(1)>字\n");
        assert!(!r.html.contains("<script"), "{}", r.html);
        assert!(!r.html.contains("<img"), "{}", r.html);
        assert!(r.html.contains("&lt;script&gt;"));
    }

    #[test]
    fn tables_have_scoped_headers_and_no_inline_style() {
        let (r, _) = md("| a | b |\n|:--|--:|\n| 1 | 2 |\n");
        assert!(r.html.contains("<th scope=\"col\">a</th>"), "{}", r.html);
        assert!(!r.html.contains("style="), "{}", r.html);
        assert!(r.html.contains("class=\"table-scroll\""));
    }

    #[test]
    fn soft_breaks_between_japanese_do_not_become_spaces() {
        let (r, _) = md("地域の\n歴史 and\nculture\n");
        assert!(r.html.contains("地域の歴史 and culture"), "{}", r.html);
    }

    /// The `unsafe-link` diagnostics of `text` and its HTML, checking no `href`/`src` is live.
    fn unsafe_links(text: &str) -> (String, Vec<Diagnostic>) {
        let (r, d) = md(text);
        let lower = r.html.to_ascii_lowercase();
        for bad in ["<a", "href", "<img", "src="] {
            assert!(!lower.contains(bad), "{bad} in {}", r.html);
        }
        (r.html, d.into_iter().filter(|d| d.rule == "unsafe-link").collect())
    }

    #[test]
    fn script_and_data_links_are_reported_and_not_written() {
        for text in [
            "[x](javascript:alert(1))",
            "[x](JaVaScRiPt:alert(1))",
            "[x]( javascript:alert(1))",
            "[x](<java\tscript:alert(1)>)",
            "[x](java&#9;script:alert(1))",
            "[x](&#x20;&#x01;java&#10;script:alert(1))",
            "[x](&#106;avascript:alert(1))",
            "[x](javascript&#58;alert(1))",
            "[x](vbscript:msgbox(1))",
            "[x](VBScript:msgbox(1))",
            "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
            "[x](DATA:text/html,<script>alert(1)</script>)",
            "[x][r]\n\n[r]: javascript:alert(1)",
            "[x]\n\n[x]: JAVASCRIPT:alert(1)",
            "<javascript:alert(1)>",
            "<data:text/html,x>",
            "## 見出し [x](javascript:alert(1))",
        ] {
            let (html, d) = unsafe_links(text);
            assert_eq!(d.len(), 1, "{text}: {d:?}");
            assert_eq!(d[0].line, Some(5), "{text}");
            assert_eq!(d[0].file, Path::new("content/x.md"));
            assert!(d[0].message.starts_with("リンク先 "), "{}", d[0].message);
            assert!(d[0].message.contains("は使えません"), "{}", d[0].message);
            assert!(d[0].help.as_deref().unwrap().contains("https://"), "{text}");
            // The words stay, as plain text (autolinks show their URL as text, escaped).
            assert!(html.contains('x') || text.starts_with('<'), "{text}: {html}");
        }
    }

    #[test]
    fn unsafe_link_is_reported_at_its_line_and_text_kept() {
        let (html, d) = unsafe_links("本文\n\n段落の中の\n[ここ](javascript:alert(1)) を見る\n");
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].line, Some(8), "first_line 5 + the fourth line of the body");
        assert_eq!(d[0].message, "リンク先 javascript:alert(1) は使えません(スクリプトやデータを埋め込む URL は、住民の安全のため書き出しません)");
        assert_eq!(
            d[0].help.as_deref(),
            Some("https:// で始まる URL か、サイト内のページへのリンクに書き換えてください")
        );
        assert!(html.contains("段落の中のここ を見る"), "{html}");
        assert!(!html.contains("<a"), "{html}");
    }

    #[test]
    fn unsafe_images_are_reported_and_not_written() {
        for text in [
            "![地図](javascript:alert(1))",
            "![地図](data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==)",
            "![地図](<Da\tta:image/svg+xml,%3Csvg%20onload=alert(1)%3E>)",
            "![地図]( vbscript:x)",
        ] {
            let (html, d) = unsafe_links(text);
            assert_eq!(d.len(), 1, "{text}: {d:?}");
            assert!(d[0].message.starts_with("画像 "), "{}", d[0].message);
            assert!(d[0].help.as_deref().unwrap().contains("static"), "{text}");
            assert!(!html.contains("<img"), "{html}");
            assert!(html.contains("地図"), "the alt text stays as text: {html}");
        }
        // A long data: URL is cut in the message.
        let (_, d) = unsafe_links(&format!("![a](data:image/png;base64,{})", "A".repeat(1000)));
        assert!(d[0].message.contains("data:image/png;base64,AAAAAAAAAAAAAAAAAA…"), "{}", d[0].message);
        assert!(d[0].message.chars().count() < 120);
    }

    #[test]
    fn unsafe_link_around_image_and_in_alt_text() {
        // The link goes, the (safe) image stays; an unsafe image inside a safe link goes.
        let (r, d) = md("[![地図](/img/a.png)](javascript:alert(1))\n\n[![図](data:image/png,x)](/about/)\n");
        assert_eq!(d.iter().filter(|d| d.rule == "unsafe-link").count(), 2, "{d:?}");
        assert!(r.html.contains("<img src=\"../../img/a.png\" alt=\"地図\""), "{}", r.html);
        assert!(r.html.contains("<a href=\"../../about/\">図</a>"), "{}", r.html);
        assert!(!r.html.contains("javascript") && !r.html.contains("data:"), "{}", r.html);
    }

    #[test]
    fn ordinary_urls_are_not_unsafe() {
        for url in [
            "https://example.jp/",
            "http://example.jp/javascript:x",
            "mailto:info@example.jp",
            "tel:0537-21-1111",
            "/data/kakegawa-2.json",
            "data/kakegawa-2.json",
            "./javascript:x",
            "page.html#javascript:x",
            "?q=data:x",
            "@/plan/1/1-1.md",
            "javascripts:x",
            "datas:x",
            "#data:x",
        ] {
            assert!(!is_unsafe_url(url), "{url}");
        }
        let (r, d) = md("[データ](/data/a.csv) [メール](mailto:a@example.jp) [外](https://example.jp/data:x)");
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(r.html.matches("href=").count(), 3, "{}", r.html);
    }

    #[test]
    fn url_scheme_reads_like_a_browser() {
        assert_eq!(url_scheme(" \u{1}Java\tScr\nipt\r:x").as_deref(), Some("javascript"));
        assert_eq!(url_scheme("HTTPS://x").as_deref(), Some("https"));
        assert_eq!(url_scheme("/a:b"), None);
        assert_eq!(url_scheme("1x:b"), None);
        assert_eq!(url_scheme("no-colon"), None);
    }
    #[test]
    fn sections_split_at_headings_with_block_lines() {
        let (r, _) = md("前書き**強調**です。\n\n## 現状と*課題*\n\n一つ目\n\n- 項目A\n- 項目&B\n\n### 次\n\n| a | b |\n|---|---|\n| 基本構想 | 令和4年度 |\n");
        let s = &r.sections;
        assert_eq!(s.len(), 3);
        assert_eq!(s[0], Section { anchor: "".into(), heading: "".into(), text: "前書き強調です。".into() });
        assert_eq!(
            s[1],
            Section {
                anchor: "現状と課題".into(), heading: "現状と課題".into(), text: "一つ目\n項目A\n項目&B".into()
            }
        );
        assert_eq!(&*s[2].text, "a b\n基本構想 令和4年度");
    }

    #[test]
    fn sections_keep_escaped_markup_as_text_and_leave_out_alt_text() {
        let (r, _) = md("<script>alert(1)</script> &#x5b50;\n\n![地図の説明](/a.png) 後ろ[^1]\n\n[^1]: 注\n\n```\ncode\nblock\n```\n");
        // Raw HTML is shown as it was written (escaped), so its text is the source.
        assert_eq!(&*r.sections[0].text, "<script>alert(1)</script> &#x5b50;\n後ろ1\n1\n注\ncode block");
    }
}
