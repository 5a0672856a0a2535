//! `site.toml`: the site-wide settings.

use crate::diagnostics::Diagnostic;
use crate::source::{decode_utf8, parse_toml};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The name of the settings file at a site's root.
pub const CONFIG_FILE: &str = "site.toml";

/// Site-wide settings, read from `site.toml`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    /// The site's name (shown in the header and page titles).
    pub title: String,
    /// The municipality that publishes the plans (e.g. 掛川市).
    pub municipality: String,
    /// Where the site will be published, e.g. `https://www.city.example.lg.jp/keikaku/`.
    /// Without it the site is built for the root path `/`, and whatever needs an absolute
    /// URL (sitemap, canonical links, the printed URL of the 概要版) is left out.
    #[serde(default)]
    pub base_url: Option<String>,
    /// A sentence for search engines.
    #[serde(default)]
    pub description: Option<String>,
    /// Page language (`ja`).
    #[serde(default = "default_language")]
    pub language: String,
    /// Theme folder under `themes/` (the built-in theme is used where it has no file).
    #[serde(default = "default_theme")]
    pub theme: String,
    /// Output folder, relative to the site root.
    #[serde(default = "default_output")]
    pub output_dir: PathBuf,
    /// Minify HTML output.
    #[serde(default = "default_true")]
    pub minify: bool,
    /// Build the site search (index, search page, header search box). A site that links
    /// to the municipality's own search can turn it off with `search = false`.
    #[serde(default = "default_true")]
    pub search: bool,
    /// The plan whose fields the navigation shows on pages outside any plan.
    #[serde(default)]
    pub main_plan: Option<String>,
    /// Footer copyright holder (defaults to the municipality).
    #[serde(default)]
    pub copyright: Option<String>,
    /// 全国地方公共団体コード (6 digits, e.g. `222135`), written into every open-data file.
    /// Read as a string or a number (`municipality_code = 222135`), checked by `load`.
    #[serde(default, deserialize_with = "string_or_number")]
    pub municipality_code: Option<String>,
    /// Licence of the content and open data (default `CC BY 4.0`), shown in the footer.
    #[serde(default = "default_license")]
    pub license: String,
    /// Include pages marked `draft = true` (`build --drafts`, `serve`). Not a key of
    /// `site.toml`: set by the command from [`crate::build::BuildOptions::drafts`].
    #[serde(skip)]
    pub drafts: bool,
    /// The site's icon: a file under `static/` (`favicon.png`), checked by `load`. Without
    /// it the theme's own icon (`assets/favicon.svg`) is used.
    #[serde(default)]
    pub favicon: Option<String>,
    /// The picture shown when a page is shared on social media (`og:image`): a file under
    /// `static/` (`ogp.png`), checked by `load`.
    #[serde(default)]
    pub image: Option<String>,
    /// How indicator status is decided (`[progress]`), checked by [`SiteConfig::load`].
    #[serde(skip)]
    pub progress: ProgressRule,
    /// `[progress]` as written; [`SiteConfig::load`] turns it into `progress`.
    #[serde(default, rename = "progress")]
    progress_written: ProgressWritten,
    /// The departments (`[[departments]]`), checked by [`SiteConfig::load`], in declared
    /// order. Empty: nodes name departments freely.
    #[serde(default)]
    pub departments: Vec<Department>,
}

/// A department declared once in `site.toml` (`[[departments]]`): nodes refer to it by id,
/// name or a former name; its page is `/departments/<id>/` whatever its name becomes.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Department {
    /// Stable ASCII id (the URL).
    pub id: String,
    /// Current name (企画政策課).
    pub name: String,
    /// 読み in kana: orders the department index in 五十音.
    #[serde(default)]
    pub reading: Option<String>,
    /// Names of before, still accepted in node files.
    #[serde(default)]
    pub former_names: Vec<String>,
    /// Telephone number as written (0537-21-1111).
    #[serde(default)]
    pub phone: Option<String>,
    /// E-mail address.
    #[serde(default)]
    pub email: Option<String>,
    /// The department's own web page.
    #[serde(default)]
    pub url: Option<String>,
}

impl Department {
    /// Whether any contact detail is given (the node pages then show an お問い合わせ block).
    pub fn has_contact(&self) -> bool {
        self.phone.is_some() || self.email.is_some() || self.url.is_some()
    }

    /// The `tel:` URL of the phone number: its digits (full-width ones too) and a leading `+`.
    pub fn tel(&self) -> Option<String> {
        let phone = self.phone.as_deref()?;
        let mut out = String::new();
        for c in phone.chars() {
            match c {
                '0'..='9' => out.push(c),
                '０'..='９' => out.push(char::from(b'0' + (c as u32 - '０' as u32) as u8)),
                '+' | '＋' if out.is_empty() => out.push('+'),
                _ => {}
            }
        }
        Some(format!("tel:{out}"))
    }
}

/// The kinds of rule for indicator status (`rule = "…"` under `[progress]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleKind {
    /// Progress against the share of the plan period that has passed (the default).
    #[default]
    Expected,
    /// Progress against the target only, in bands (富士市: 80%以上 / 50%以上 / 50%未満).
    Target,
    /// Change from the baseline with a tolerance band (長与町: 改善 / 横ばい ±10% / 悪化).
    Baseline,
}

impl RuleKind {
    /// All kinds, as written in site.toml.
    pub const ALL: [RuleKind; 3] = [RuleKind::Expected, RuleKind::Target, RuleKind::Baseline];

    /// As written in site.toml (`expected`, `target`, `baseline`).
    pub fn key(self) -> &'static str {
        match self {
            RuleKind::Expected => "expected",
            RuleKind::Target => "target",
            RuleKind::Baseline => "baseline",
        }
    }
}

/// How indicator status is decided (`[progress]` in site.toml). The judging itself is in
/// `content::progress` (`Indicator::assess`, `ProgressRule::legend`); this is the
/// setting, checked when site.toml is read.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct ProgressRule {
    /// Which rule.
    pub kind: RuleKind,
    /// Progress (share of the way from baseline to target) at or above which an indicator
    /// is 達成 (default 1.0 = 100%).
    pub achieved: f64,
    /// Under `expected`: the share of the expected progress that still counts as 順調
    /// (default 1.0 = on or above the line). Under `target`: the progress that counts as
    /// 順調 (default 0.5). Not used under `baseline`.
    pub on_track: f64,
    /// Under `baseline`: the band around the baseline, as a share of |baseline|, within
    /// which the value counts as 横ばい (default 0.1 = ±10%). Not used otherwise.
    pub tolerance: f64,
}

impl Default for ProgressRule {
    fn default() -> Self {
        ProgressRule::of(RuleKind::Expected)
    }
}

impl ProgressRule {
    /// The rule `kind` with its default thresholds.
    pub fn of(kind: RuleKind) -> ProgressRule {
        let on_track = if kind == RuleKind::Target { 0.5 } else { 1.0 };
        ProgressRule { kind, achieved: 1.0, on_track, tolerance: 0.1 }
    }
}

/// `[progress]` as written, every key optional.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProgressWritten {
    rule: Option<String>,
    achieved: Option<f64>,
    on_track: Option<f64>,
    tolerance: Option<f64>,
}

/// A wrong `[progress]` value: the key, the message and how to fix it.
type ProgressError = (&'static str, String, String);

impl ProgressWritten {
    /// The rule, or what is wrong with it.
    fn rule(&self) -> Result<ProgressRule, ProgressError> {
        let kinds = "rule = \"expected\"(基準年度から目標年度までの経過に対する進み具合。既定)、\"target\"(目標値に対する進捗率)、\"baseline\"(基準値からの変化)";
        let kind = match self.rule.as_deref().map(str::trim) {
            None => RuleKind::Expected,
            Some(r) => RuleKind::ALL.into_iter().find(|k| k.key() == r).ok_or_else(|| {
                (
                    "rule",
                    format!("[progress] の rule「{r}」は使えません"),
                    format!("{kinds} のどれかを書いてください(docs/CONTENT.md §12)"),
                )
            })?,
        };
        let mut rule = ProgressRule::of(kind);
        if let Some(a) = self.achieved {
            if !(a.is_finite() && a > 0.0 && a <= 10.0) {
                return Err((
                    "achieved",
                    format!("[progress] の achieved({a})は 0 より大きく 10 以下の数にしてください"),
                    "achieved は目標値までの道のりのうち、どこまで進めば「達成」とするかの割合です。例: achieved = 1.0(100%)".into(),
                ));
            }
            rule.achieved = a;
        }
        if let Some(o) = self.on_track {
            if kind == RuleKind::Baseline {
                return Err((
                    "on_track",
                    "rule = \"baseline\" では on_track を使いません".into(),
                    "on_track を消してください。横ばいとみなす幅は tolerance = 0.1(基準値の ±10%)のように書きます"
                        .into(),
                ));
            }
            if !(o.is_finite() && o >= 0.0 && o <= rule.achieved) {
                let example = if kind == RuleKind::Target {
                    "rule = \"target\" では進捗率がこれ以上なら「順調」です。例: on_track = 0.5(50%)"
                } else {
                    "rule = \"expected\" では期待される進捗のこの割合以上なら「順調」です。例: on_track = 1.0(期待される進捗どおり以上)、0.8(その 8 割以上)"
                };
                return Err((
                    "on_track",
                    format!("[progress] の on_track({o})は 0 以上、achieved({})以下の数にしてください", rule.achieved),
                    example.into(),
                ));
            }
            rule.on_track = o;
        } else if kind == RuleKind::Target && rule.on_track > rule.achieved {
            return Err((
                "achieved",
                format!(
                    "[progress] の achieved({})が on_track の既定値 {} より小さいので、「順調」になる指標がありません",
                    rule.achieved, rule.on_track
                ),
                format!("on_track = {} のように、achieved 以下の on_track も書いてください", rule.achieved / 2.0),
            ));
        }
        if let Some(t) = self.tolerance {
            if kind != RuleKind::Baseline {
                return Err((
                    "tolerance",
                    format!("tolerance は rule = \"baseline\" のときだけ使います(いまは rule = \"{}\")", kind.key()),
                    "基準値からの変化で判定するなら rule = \"baseline\" を書いてください。そうでなければ tolerance を消してください".into(),
                ));
            }
            if !(t.is_finite() && (0.0..=1.0).contains(&t)) {
                return Err((
                    "tolerance",
                    format!("[progress] の tolerance({t})は 0 以上 1 以下の数にしてください"),
                    "基準値の何割までの増減を「横ばい」とするかの割合です。例: tolerance = 0.1(±10%)".into(),
                ));
            }
            rule.tolerance = t;
        }
        Ok(rule)
    }
}

/// A value written as a string or as a whole number (a code without leading zeros).
fn string_or_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged, expecting = "municipality_code は \"222135\" のような6桁の数字で書きます")]
    enum Code {
        Text(String),
        Number(u64),
    }
    Ok(Some(match Code::deserialize(d)? {
        Code::Text(s) => s,
        Code::Number(n) => n.to_string(),
    }))
}

fn default_license() -> String {
    "CC BY 4.0".into()
}
fn default_language() -> String {
    "ja".into()
}
fn default_theme() -> String {
    "default".into()
}
fn default_output() -> PathBuf {
    PathBuf::from("public")
}
fn default_true() -> bool {
    true
}

impl SiteConfig {
    /// Reads and validates `root/site.toml`.
    pub fn load(root: &Path) -> Result<SiteConfig, Diagnostic> {
        let file = PathBuf::from(CONFIG_FILE);
        let path = root.join(CONFIG_FILE);
        let bytes = std::fs::read(&path).map_err(|e| {
            Diagnostic::new(
                &file,
                "config",
                format!("{} を読めません({})", path.display(), crate::diagnostics::io_reason(&e)),
            )
            .help(
                "サイトのフォルダで実行するか、--root でサイトのフォルダを指定してください。新しく作るなら planpress init フォルダ名",
            )
            .detail(e.to_string())
        })?;
        let text = decode_utf8(bytes, &file)?;
        let mut config: SiteConfig = parse_toml(&text, &file, 1)?;
        config.progress = config.progress_written.rule().map_err(|(key, message, help)| {
            Diagnostic::new(&file, "config", message).at_opt_line(table_key_line(&text, "progress", key)).help(help)
        })?;
        if let Some(url) = config.base_url.take() {
            config.base_url = Some(normalize_base_url(&url).map_err(|m| {
                Diagnostic::new(&file, "config", m).at_opt_line(key_line(&text, "base_url")).help(
                    "例: base_url = \"https://www.city.example.lg.jp/keikaku/\"(まだ決まっていなければ base_url の行を消してください)",
                )
            })?);
        }
        if let Some(raw) = config.municipality_code.take() {
            let line = key_line(&text, "municipality_code");
            config.municipality_code = Some(municipality_code(&raw).map_err(|e| e.diagnostic(&file, line))?);
        }
        if config.license.trim().is_empty() {
            return Err(Diagnostic::new(&file, "config", "license が空です")
                .at_opt_line(key_line(&text, "license"))
                .help("サイトの内容とオープンデータのライセンスを書いてください。例: license = \"CC BY 4.0\"(書かなければ CC BY 4.0 になります)"));
        }
        config.license = config.license.trim().to_string();
        check_departments(&mut config.departments, &text, &file)?;
        for (key, value) in [("favicon", &mut config.favicon), ("image", &mut config.image)] {
            if let Some(v) = value.take() {
                *value = Some(static_file(root, &text, key, &v)?);
            }
        }
        if !valid_language(&config.language) {
            return Err(Diagnostic::new(
                &file,
                "language",
                format!("language「{}」はページの言語の書き方になっていません", config.language),
            )
            .at_opt_line(key_line(&text, "language"))
            .help("言語の記号を半角で書いてください。日本語なら language = \"ja\"(地域まで書くなら \"ja-JP\")、英語なら \"en\" です"));
        }
        Ok(config)
    }

    /// The page of the licence when it is a Creative Commons licence planpress knows
    /// (`CC BY 4.0` → its Japanese deed), for the footer and the open data.
    pub fn license_url(&self) -> Option<&'static str> {
        license_url(&self.license)
    }

    /// The path part of `base_url`, always starting and ending with `/` (e.g. `/keikaku/`);
    /// `/` without a `base_url`.
    pub fn base_path(&self) -> String {
        self.base_url.as_deref().map(base_path_of).unwrap_or_else(|| "/".to_string())
    }

    /// The absolute URL of the site path `path` (percent-encoded here), or `None` when
    /// there is no `base_url` or it is only a path (`--base-url /sub/`): nothing that needs
    /// a host (sitemap, canonical link, og:url, JSON-LD, the URL printed on 概要版) is ever
    /// written relative or with a made-up host.
    pub fn absolute_url(&self, path: &str) -> Option<String> {
        self.host_base_url().map(|b| format!("{b}{}", crate::html::percent_encode_path(path)))
    }

    /// `base_url` when it names a host (`https://…/`), not only a path.
    pub fn host_base_url(&self) -> Option<&str> {
        self.base_url.as_deref().filter(|b| b.contains("://"))
    }

    /// What URLs in the open data and `planpress search` start with: `base_url`, or the
    /// root path `/` without one.
    pub fn url_prefix(&self) -> &str {
        self.base_url.as_deref().unwrap_or("/")
    }

    /// The warning for a site without `base_url`: what is left out, and how to add it.
    pub fn no_base_url_warning() -> Diagnostic {
        Diagnostic::new(CONFIG_FILE, "base-url", "base_url(公開する URL)がないので、サイトマップ(sitemap.xml)、ページの正規 URL、概要版と進捗状況の印刷に載せる URL を作りませんでした(ページ同士のリンクはどこに置いても動きますが、404 ページのリンクはサイトを一番上の / に置いたときだけ正しく動きます)")
            .help("公開する URL が決まったら、site.toml に base_url = \"https://www.city.example.lg.jp/keikaku/\" のように書いてください(planpress build --base-url URL でも指定できます)")
            .warning()
    }
}

/// Checks `[[departments]]`: ids usable in URLs and not repeated, names given and not
/// repeated (former names included), contact details that work as links.
fn check_departments(departments: &mut [Department], text: &str, file: &Path) -> Result<(), Diagnostic> {
    // The line of the n-th `[[departments]]` header (the table the problem is in).
    let headers: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.trim_start().starts_with("[[departments]]"))
        .map(|(i, _)| i + 1)
        .collect();
    let mut ids: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut names: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (k, d) in departments.iter_mut().enumerate() {
        let line = headers.get(k).copied();
        let err = |message: String, help: &str| {
            Err(Diagnostic::new(file, "department", message).at_opt_line(line).help(help.to_string()))
        };
        d.id = d.id.trim().to_string();
        d.name = d.name.trim().to_string();
        for n in &mut d.former_names {
            *n = n.trim().to_string();
        }
        if d.id.is_empty()
            || !d.id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        {
            return err(
                format!("担当課の id「{}」は URL に使えません", d.id),
                "id は半角の小文字の英字・数字・ハイフン・下線で書いてください(例: id = \"kikaku\")。ページの URL /departments/kikaku/ になります",
            );
        }
        if let Some(first) = ids.insert(d.id.clone(), k) {
            return err(
                format!("担当課の id「{}」が2回あります({} 番目の [[departments]] と同じ)", d.id, first + 1),
                "id は担当課ごとに別のものにしてください",
            );
        }
        if d.name.is_empty() {
            return err(
                format!("担当課「{}」の name が空です", d.id),
                "name = \"企画政策課\" のように課の名前を書いてください",
            );
        }
        for n in std::iter::once(&d.name).chain(&d.former_names) {
            if n.is_empty() {
                return err(
                    format!("担当課「{}」の former_names に空の名前があります", d.name),
                    "空の \"\" を消してください",
                );
            }
            if let Some(other) = names.insert(n.clone(), k).filter(|&o| o != k) {
                return err(
                    format!("担当課の名前「{n}」が2つの課にあります({} 番目の [[departments]] にも)", other + 1),
                    "name と former_names は、課ごとに別の名前にしてください",
                );
            }
        }
        if d.phone.as_deref().is_some_and(|p| !p.chars().any(|c| c.is_ascii_digit() || ('０'..='９').contains(&c))) {
            return err(format!("担当課「{}」の phone に番号がありません", d.name), "例: phone = \"0537-21-1111\"");
        }
        if d.email.as_deref().is_some_and(|e| !valid_email(e)) {
            return err(
                format!(
                    "担当課「{}」の email「{}」はメールアドレスの形ではありません",
                    d.name,
                    d.email.as_deref().unwrap_or("")
                ),
                "半角で、空白を入れずに書いてください(例: email = \"kikaku@city.example.lg.jp\")",
            );
        }
        if d.url.as_deref().is_some_and(|u| !(u.starts_with("https://") || u.starts_with("http://"))) {
            return err(
                format!("担当課「{}」の url は https:// で始めてください", d.name),
                "例: url = \"https://www.city.example.lg.jp/kikaku/\"",
            );
        }
    }
    Ok(())
}

/// `local@domain.tld`, half-width, no spaces or characters that would break a `mailto:` link.
fn valid_email(e: &str) -> bool {
    let ok = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_graphic() && !"<>\"()[],;:\\@".contains(c));
    match e.split_once('@') {
        Some((local, domain)) => ok(local) && ok(domain) && domain.contains('.') && !domain.ends_with('.'),
        None => false,
    }
}

/// Creative Commons licences by their usual names (spaces, hyphens and case as a city may
/// write them are ignored): the page of the licence (its Japanese deed).
const CC_LICENSES: [(&str, &str); 8] = [
    ("CCBY4.0", "https://creativecommons.org/licenses/by/4.0/deed.ja"),
    ("CCBYSA4.0", "https://creativecommons.org/licenses/by-sa/4.0/deed.ja"),
    ("CCBYND4.0", "https://creativecommons.org/licenses/by-nd/4.0/deed.ja"),
    ("CCBYNC4.0", "https://creativecommons.org/licenses/by-nc/4.0/deed.ja"),
    ("CCBYNCSA4.0", "https://creativecommons.org/licenses/by-nc-sa/4.0/deed.ja"),
    ("CCBYNCND4.0", "https://creativecommons.org/licenses/by-nc-nd/4.0/deed.ja"),
    ("CCBY2.1JP", "https://creativecommons.org/licenses/by/2.1/jp/"),
    ("CC01.0", "https://creativecommons.org/publicdomain/zero/1.0/deed.ja"),
];

/// The page of a Creative Commons licence written as `name` (`CC BY 4.0`, `cc-by 4.0`,
/// `ＣＣ ＢＹ ４．０`, `CC0`), if planpress knows it.
pub fn license_url(name: &str) -> Option<&'static str> {
    use unicode_normalization::UnicodeNormalization;
    let mut key: String =
        name.nfkc().filter(|c| !c.is_whitespace() && *c != '-').flat_map(char::to_uppercase).collect();
    if key == "CC0" {
        key.push_str("1.0");
    }
    CC_LICENSES.iter().find(|(k, _)| *k == key).map(|&(_, url)| url)
}

/// The check digit (検査数字) of the first five digits of a 全国地方公共団体コード: the
/// digits weighted 6, 5, 4, 3, 2, summed, and the last digit of 11 − (sum mod 11), so a
/// remainder of 0 gives 1 (静岡県 220001) and a remainder of 1 gives 0 (長崎県 420000).
pub fn check_digit(first5: [u8; 5]) -> u8 {
    let sum: u32 = first5.iter().zip([6u32, 5, 4, 3, 2]).map(|(&d, w)| u32::from(d) * w).sum();
    ((11 - sum % 11) % 10) as u8
}

/// Why a `municipality_code` is not a 全国地方公共団体コード.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeError {
    /// Not 5 or 6 digits (as written).
    NotACode(String),
    /// Five digits: the code without its check digit; the full code is given.
    MissingCheckDigit(String, String),
    /// Six digits whose last does not match: as written, and the right check digit.
    WrongCheckDigit(String, u8),
}

impl CodeError {
    /// The error for `site.toml` (at `line` when known), with how to fix it.
    pub fn diagnostic(&self, file: &Path, line: Option<usize>) -> Diagnostic {
        let d = |m: String| Diagnostic::new(file, "municipality-code", m).at_opt_line(line);
        match self {
            CodeError::NotACode(raw) => {
                d(format!("municipality_code「{raw}」は全国地方公共団体コード(6桁の数字)になっていません")).help(
                    "総務省の「全国地方公共団体コード」の一覧で自治体の6桁のコードを確かめ、\
                     municipality_code = \"222135\" のように引用符で囲んで書いてください(例は掛川市)",
                )
            }
            CodeError::MissingCheckDigit(raw, full) => d(format!(
                "municipality_code「{raw}」は5桁です。全国地方公共団体コードは、最後に検査数字を付けた6桁で書きます"
            ))
            .help(format!(
                "municipality_code = \"{full}\" と書いてください(最後の {} が検査数字です)",
                full.chars().last().unwrap_or('0')
            )),
            CodeError::WrongCheckDigit(raw, right) => d(format!(
                "municipality_code「{raw}」の最後の数字(検査数字)が合いません。上5桁が {} なら検査数字は {right} です",
                &raw[..5]
            ))
            .help(format!(
                "総務省の「全国地方公共団体コード」の一覧で確かめてください。上5桁が正しければ \
                 municipality_code = \"{}{right}\"、違っていれば上5桁を直してください",
                &raw[..5]
            )),
        }
    }
}

/// Reads a 全国地方公共団体コード as a city may write it (full-width digits, spaces
/// around it) into its six ASCII digits, checking the check digit.
pub fn municipality_code(raw: &str) -> Result<String, CodeError> {
    let digits: Option<Vec<u8>> = raw
        .trim()
        .chars()
        .map(|c| match c {
            '0'..='9' => Some(c as u8 - b'0'),
            '０'..='９' => Some((c as u32 - '０' as u32) as u8),
            _ => None,
        })
        .collect();
    let text = |d: &[u8]| d.iter().map(|x| char::from(b'0' + x)).collect::<String>();
    match digits.as_deref() {
        Some(&[a, b, c, d, e]) => {
            let full = text(&[a, b, c, d, e, check_digit([a, b, c, d, e])]);
            Err(CodeError::MissingCheckDigit(text(&[a, b, c, d, e]), full))
        }
        Some(&[a, b, c, d, e, f]) => {
            let right = check_digit([a, b, c, d, e]);
            if f == right {
                Ok(text(&[a, b, c, d, e, f]))
            } else {
                Err(CodeError::WrongCheckDigit(text(&[a, b, c, d, e, f]), right))
            }
        }
        _ => Err(CodeError::NotACode(raw.to_string())),
    }
}

/// Checks a base URL and makes it end with `/`.
pub fn normalize_base_url(url: &str) -> Result<String, String> {
    let url = url.trim();
    let ok = url.starts_with("http://") || url.starts_with("https://") || url.starts_with('/');
    if !ok || url.contains(char::is_whitespace) {
        return Err(format!("base_url「{url}」は URL ではありません(http:// か https:// で始めてください)"));
    }
    Ok(if url.ends_with('/') { url.to_string() } else { format!("{url}/") })
}

/// A language tag in the shape of BCP 47 (`ja`, `ja-JP`, `en`, `zh-Hant-TW`): the page's
/// `<html lang>`, which screen readers use to choose their voice.
pub fn valid_language(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let first = parts.next().unwrap_or("");
    (2..=3).contains(&first.len())
        && first.bytes().all(|b| b.is_ascii_alphabetic())
        && parts.all(|p| (2..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// The 1-based line of the top-level `key = …` in the TOML `text` (`site.toml`), for
/// messages about a value that parsed but is wrong.
pub fn key_line(text: &str, key: &str) -> Option<usize> {
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_start();
        if line.starts_with('[') {
            return None; // the top-level keys are over
        }
        let rest = [format!("\"{key}\""), format!("'{key}'"), key.to_string()]
            .into_iter()
            .find_map(|k| line.strip_prefix(k.as_str()).map(str::trim_start));
        if rest.is_some_and(|r| r.starts_with('=')) {
            return Some(i + 1);
        }
    }
    None
}

/// The 1-based line of `key = …` in the table `[table]` of the TOML `text`, or of the
/// table's header when the key is not written there (or of `table = { … }`).
pub fn table_key_line(text: &str, table: &str, key: &str) -> Option<usize> {
    let header = format!("[{table}]");
    let mut start = None;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if start.is_none() {
            if trimmed.split('#').next().map(str::trim) == Some(header.as_str()) {
                start = Some(i + 1);
            }
            continue;
        }
        if trimmed.starts_with('[') {
            break;
        }
        let rest = trimmed.strip_prefix(key).map(str::trim_start);
        if rest.is_some_and(|r| r.starts_with('=')) {
            return Some(i + 1);
        }
    }
    start.or_else(|| key_line(text, table))
}

/// A file of `static/` named by site.toml key `key` (`favicon = "favicon.png"`): the path
/// below `static/` with `/` separators, or why it cannot be used.
fn static_file(root: &Path, text: &str, key: &str, value: &str) -> Result<String, Diagnostic> {
    let rel = value.trim().trim_start_matches("static/").replace('\\', "/");
    let err = |m: String, help: String| {
        Err(Diagnostic::new(CONFIG_FILE, "config", m).at_opt_line(key_line(text, key)).help(help))
    };
    let example = format!(
        "static/ フォルダに置いたファイルの名前を書いてください。例: {key} = \"{}\"",
        match key {
            "favicon" => "favicon.png",
            _ => "ogp.png",
        }
    );
    if rel.is_empty()
        || rel.starts_with('/')
        || rel.contains("://")
        || rel.split('/').any(|c| c == ".." || c.is_empty())
    {
        return err(format!("{key}「{value}」は static/ の中のファイルの名前になっていません"), example);
    }
    if !root.join("static").join(&rel).is_file() {
        return err(format!("{key} のファイル static/{rel} がありません"), example);
    }
    Ok(rel)
}

/// The path part of a base URL, always starting and ending with `/`
/// (`https://a.jp/keikaku/` → `/keikaku/`, `https://a.jp` → `/`).
pub fn base_path_of(url: &str) -> String {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let path = if url.contains("://") { rest.find('/').map(|i| &rest[i..]).unwrap_or("/") } else { rest };
    if path.ends_with('/') {
        path.to_string()
    } else {
        format!("{path}/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_path_from_url() {
        assert_eq!(base_path_of("https://a.jp/keikaku/"), "/keikaku/");
        assert_eq!(base_path_of("https://a.jp/"), "/");
        assert_eq!(base_path_of("https://a.jp"), "/");
        assert_eq!(base_path_of("/sub/"), "/sub/");
    }

    #[test]
    fn base_url_gets_trailing_slash_and_is_checked() {
        assert_eq!(normalize_base_url("https://a.jp/x").unwrap(), "https://a.jp/x/");
        assert!(normalize_base_url("a.jp").is_err());
    }

    #[test]
    fn language_tags_are_checked() {
        for ok in ["ja", "ja-JP", "en", "en-US", "zh-Hant-TW", "jpn"] {
            assert!(valid_language(ok), "{ok}");
        }
        for bad in ["", "j", "japanese", "ja_JP", "ja-", "日本語", "ja JP", "ja-J", "1a"] {
            assert!(!valid_language(bad), "{bad}");
        }
    }

    #[test]
    fn key_line_finds_top_level_keys_only() {
        let text = "# language = \"x\"\ntitle = \"t\"\n  language= \"ja\"\n[progress]\nmain_plan = 1\n";
        assert_eq!(key_line(text, "language"), Some(3));
        assert_eq!(key_line(text, "title"), Some(2));
        assert_eq!(key_line(text, "main_plan"), None);
        assert_eq!(key_line("\"main_plan\" = \"a\"\n", "main_plan"), Some(1));
        assert_eq!(key_line("main_plan_x = 1\n", "main_plan"), None);
    }

    #[test]
    fn malformed_site_toml_names_the_line() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(CONFIG_FILE), "title = \"t\"\nmunicipality = \n").unwrap();
        let e = SiteConfig::load(dir.path()).unwrap_err();
        assert_eq!(e.file, PathBuf::from("site.toml"));
        assert_eq!(e.line, Some(2));
    }

    #[test]
    fn check_digits_of_real_codes() {
        // 掛川市, 札幌市, 千代田区, 菊池市, 美祢市; 静岡県 (remainder 0), 長崎県 (remainder 1).
        for code in ["222135", "011002", "131016", "432105", "352152", "220001", "420000"] {
            assert_eq!(municipality_code(code), Ok(code.to_string()), "{code}");
        }
        assert_eq!(municipality_code(" ２２２１３５ "), Ok("222135".into()), "full-width digits, spaces");
        assert_eq!(check_digit([2, 2, 0, 0, 0]), 1, "remainder 0 gives 1");
        assert_eq!(check_digit([4, 2, 0, 0, 0]), 0, "remainder 1 gives 0");
    }

    #[test]
    fn wrong_codes_say_what_is_wrong() {
        assert_eq!(municipality_code("222136"), Err(CodeError::WrongCheckDigit("222136".into(), 5)));
        assert_eq!(municipality_code("011001"), Err(CodeError::WrongCheckDigit("011001".into(), 2)));
        assert_eq!(municipality_code("22213"), Err(CodeError::MissingCheckDigit("22213".into(), "222135".into())));
        assert_eq!(municipality_code("０１１００"), Err(CodeError::MissingCheckDigit("01100".into(), "011002".into())));
        for bad in ["", "2221", "2221350", "22-2135", "掛川市", "22213５x"] {
            assert_eq!(municipality_code(bad), Err(CodeError::NotACode(bad.into())), "{bad}");
        }
    }

    #[test]
    fn a_wrong_code_in_site_toml_names_the_line_and_the_right_digit() {
        let dir = tempfile::tempdir().unwrap();
        let toml =
            "title = \"t\"\nmunicipality = \"掛川市\"\nbase_url = \"https://x.jp\"\nmunicipality_code = \"222136\"\n";
        std::fs::write(dir.path().join(CONFIG_FILE), toml).unwrap();
        let e = SiteConfig::load(dir.path()).unwrap_err();
        assert_eq!((e.rule, e.line), ("municipality-code", Some(4)));
        assert!(e.message.contains("検査数字は 5"), "{}", e.message);
        assert!(e.help.as_deref().unwrap_or_default().contains("\"222135\""), "{e:?}");
        std::fs::write(dir.path().join(CONFIG_FILE), toml.replace("222136", "22213")).unwrap();
        let e = SiteConfig::load(dir.path()).unwrap_err();
        assert!(e.help.as_deref().unwrap_or_default().contains("\"222135\""), "{e:?}");
        std::fs::write(dir.path().join(CONFIG_FILE), toml.replace("\"222136\"", "222135")).unwrap();
        let c = SiteConfig::load(dir.path()).unwrap();
        assert_eq!(c.municipality_code.as_deref(), Some("222135"), "a number");
        std::fs::write(dir.path().join(CONFIG_FILE), toml.replace("222136", "２２２１３５")).unwrap();
        let c = SiteConfig::load(dir.path()).unwrap();
        assert_eq!(c.municipality_code.as_deref(), Some("222135"), "normalised");
    }

    #[test]
    fn known_licences_have_their_page() {
        assert_eq!(license_url("CC BY 4.0"), Some("https://creativecommons.org/licenses/by/4.0/deed.ja"));
        assert_eq!(license_url("cc-by 4.0"), license_url("CC BY 4.0"));
        assert_eq!(license_url("ＣＣ ＢＹ ４．０"), license_url("CC BY 4.0"));
        assert_eq!(license_url("CC BY-SA 4.0"), Some("https://creativecommons.org/licenses/by-sa/4.0/deed.ja"));
        assert_eq!(license_url("CC0"), Some("https://creativecommons.org/publicdomain/zero/1.0/deed.ja"));
        assert_eq!(license_url("CC BY 2.1 JP"), Some("https://creativecommons.org/licenses/by/2.1/jp/"));
        assert_eq!(license_url("政府標準利用規約"), None);
        assert_eq!(license_url("CC BY 3.0"), None, "not guessed");
    }

    #[test]
    fn a_blank_license_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let toml = "title = \"t\"\nmunicipality = \"m\"\nbase_url = \"https://x.jp\"\nlicense = \" \"\n";
        std::fs::write(dir.path().join(CONFIG_FILE), toml).unwrap();
        let e = SiteConfig::load(dir.path()).unwrap_err();
        assert_eq!(e.line, Some(4));
    }

    #[test]
    fn base_url_may_be_left_out() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(CONFIG_FILE), "title = \"t\"\nmunicipality = \"m\"\n").unwrap();
        let c = SiteConfig::load(dir.path()).unwrap();
        assert_eq!(c.base_url, None);
        assert_eq!((c.base_path().as_str(), c.url_prefix()), ("/", "/"));
        assert_eq!(c.absolute_url("a/"), None);
        assert!(SiteConfig::no_base_url_warning().to_string().starts_with("注意: site.toml: "));
    }

    #[test]
    fn defaults_apply() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(CONFIG_FILE),
            "title = \"t\"\nmunicipality = \"m\"\nbase_url = \"https://x.jp\"\n",
        )
        .unwrap();
        let c = SiteConfig::load(dir.path()).unwrap();
        assert_eq!(c.output_dir, PathBuf::from("public"));
        assert!(c.minify);
        assert!(c.search);
        assert_eq!(c.base_url.as_deref(), Some("https://x.jp/"));
        assert_eq!(c.language, "ja");
        assert_eq!(c.license, "CC BY 4.0");
        assert_eq!(c.municipality_code, None);
    }

    fn load_with(progress: &str) -> Result<SiteConfig, Diagnostic> {
        let dir = tempfile::tempdir().unwrap();
        let text =
            format!("title = \"t\"\nmunicipality = \"m\"\nbase_url = \"https://x.jp\"\n\n[progress]\n{progress}");
        std::fs::write(dir.path().join(CONFIG_FILE), text).unwrap();
        SiteConfig::load(dir.path())
    }

    #[test]
    fn progress_rule_defaults_per_kind() {
        assert_eq!(load_with("").unwrap().progress, ProgressRule::default());
        assert_eq!(ProgressRule::default().kind, RuleKind::Expected);
        assert_eq!(ProgressRule::default().on_track, 1.0);
        let t = load_with("rule = \"target\"\n").unwrap().progress;
        assert_eq!((t.kind, t.achieved, t.on_track), (RuleKind::Target, 1.0, 0.5));
        let b = load_with("rule = \"baseline\"\ntolerance = 0.05\n").unwrap().progress;
        assert_eq!((b.kind, b.tolerance), (RuleKind::Baseline, 0.05));
        // The keys of before keep working.
        let old = load_with("achieved = 1.0\non_track = 0.8\n").unwrap().progress;
        assert_eq!((old.kind, old.achieved, old.on_track), (RuleKind::Expected, 1.0, 0.8));
    }

    #[test]
    fn bad_progress_values_name_their_line() {
        let cases = [
            ("rule = \"time\"\n", 6, "rule「time」"),
            ("achieved = 0.0\n", 6, "achieved"),
            ("achieved = nan\n", 6, "achieved"),
            ("achieved = 1.0\non_track = 1.5\n", 7, "on_track"),
            ("on_track = -0.1\n", 6, "on_track"),
            ("rule = \"baseline\"\non_track = 0.5\n", 7, "on_track"),
            ("tolerance = 0.1\n", 6, "tolerance"),
            ("rule = \"baseline\"\ntolerance = 2\n", 7, "tolerance"),
            ("rule = \"target\"\nachieved = 0.4\n", 7, "achieved"),
        ];
        for (text, line, word) in cases {
            let e = load_with(text).unwrap_err();
            assert_eq!(e.line, Some(line), "{text}: {e:?}");
            assert!(e.message.contains(word), "{text}: {}", e.message);
            assert!(e.help.as_deref().is_some_and(|h| !h.is_empty()), "{text}");
        }
        assert!(load_with("speed = 1\n").is_err(), "unknown keys are refused");
    }

    fn load_departments(toml: &str) -> Result<SiteConfig, Diagnostic> {
        let dir = tempfile::tempdir().unwrap();
        let text = format!("title = \"t\"\nmunicipality = \"m\"\nbase_url = \"https://x.jp\"\n{toml}");
        std::fs::write(dir.path().join(CONFIG_FILE), text).unwrap();
        SiteConfig::load(dir.path())
    }

    #[test]
    fn departments_are_checked_with_the_line_of_their_table() {
        let ok = load_departments(
            "[[departments]]\nid = \"kikaku\"\nname = \" 企画政策課 \"\nphone = \"０５３７-21-1111\"\n",
        )
        .unwrap();
        assert_eq!(ok.departments[0].name, "企画政策課", "trimmed");
        assert_eq!(ok.departments[0].tel().as_deref(), Some("tel:0537211111"), "full-width digits too");
        let cases = [
            ("[[departments]]\nid = \"Kikaku\"\nname = \"a\"\n", 4, "URL"),
            ("[[departments]]\nid = \"a\"\nname = \"x\"\n[[departments]]\nid = \"a\"\nname = \"y\"\n", 7, "2回"),
            ("[[departments]]\nid = \"a\"\nname = \"\"\n", 4, "name"),
            ("[[departments]]\nid = \"a\"\nname = \"x\"\nemail = \"a@b\"\n", 4, "email"),
            ("[[departments]]\nid = \"a\"\nname = \"x\"\nurl = \"www.x.jp\"\n", 4, "url"),
            ("[[departments]]\nid = \"a\"\nname = \"x\"\nphone = \"内線なし\"\n", 4, "phone"),
        ];
        for (toml, line, word) in cases {
            let e = load_departments(toml).unwrap_err();
            assert_eq!(e.line, Some(line), "{toml}: {e:?}");
            assert!(e.message.contains(word), "{toml}: {}", e.message);
        }
    }

    #[test]
    fn table_key_line_looks_inside_the_table() {
        let text = "on_track = 1\n[progress] # 判定\nrule = \"x\"\n on_track = 2\n[other]\ntolerance = 1\n";
        assert_eq!(table_key_line(text, "progress", "on_track"), Some(4));
        assert_eq!(table_key_line(text, "progress", "tolerance"), Some(2), "the header when not written");
        assert_eq!(table_key_line("progress = { rule = \"x\" }\n", "progress", "rule"), Some(1));
    }
}
