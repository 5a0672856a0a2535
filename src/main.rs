//! The `planpress` command line: parses arguments and calls the library.

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use planpress::build::{self, BuildOptions};
use planpress::diagnostics::print;
use std::path::PathBuf;
use std::process::ExitCode;

/// mimalloc: rendering thousands of pages in parallel is allocation-heavy, and glibc's
/// allocator contends across threads (a quarter of build time in profiles).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (the order of `mi_option_e` in mimalloc.h, v3).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Keeps the build's memory close to what it uses: a build frees most of what it
/// allocates within a second (a page rendered, a file parsed), and by default mimalloc
/// keeps freed memory for 1 s and backs it with 2 MB pages, which stay resident while any
/// of their bytes is in use. Freed memory goes back after 50 ms instead, in 4 KB pages:
/// 10k pages with search, peak RSS 530 -> 470 MB, CPU unchanged (interleaved runs).
fn tune_allocator() {
    // SAFETY: sets one option of the allocator, which it reads when it next purges.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 50) };
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE only changes how the kernel backs this process's memory.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

/// 総合計画を、読みやすく探しやすいウェブサイトにします。
#[derive(Parser)]
#[command(
    name = "planpress",
    version,
    about = "総合計画を、読みやすく探しやすいウェブサイトにします。",
    long_about = None,
    disable_help_flag = true,
    disable_version_flag = true,
    disable_help_subcommand = true,
    subcommand_help_heading = "コマンド",
    subcommand_value_name = "コマンド",
    after_help = "はじめて使うとき:\n  planpress init my-site      新しいサイトを作ります\n  planpress serve -r my-site  組み立てて表示し、編集に合わせて更新します\n  planpress build -r my-site  公開するファイルを public/ に書き出します\n\n書き方はすべて docs/CONTENT.md にあります。"
)]
struct Cli {
    /// エラーと結果だけを表示します(進み具合・注意・まとめを出しません)
    #[arg(short, long, global = true, conflicts_with = "verbose", display_order = 100)]
    quiet: bool,
    /// 詳しく表示します(ページの数の内訳、段階ごとの時間、誤りの詳細(英語の原文))
    #[arg(short, long, global = true, display_order = 101)]
    verbose: bool,
    /// 使い方を表示します
    #[arg(short, long, global = true, action = clap::ArgAction::Help, display_order = 102)]
    help: Option<bool>,
    /// 版を表示します
    #[arg(short = 'V', long, action = clap::ArgAction::Version, display_order = 103)]
    version: Option<bool>,
    #[command(subcommand)]
    command: Command,
}

// Subcommands are listed in the order a webmaster uses them (display_order), not in
// the order of this enum.
#[derive(Subcommand)]
enum Command {
    /// サイトを組み立てて、公開するファイルを public/ に書き出します
    #[command(
        display_order = 3,
        after_help = "例:\n  planpress build\n  planpress build -o ./dist\n  planpress build -r my-site --base-url https://www.city.example.lg.jp/keikaku/"
    )]
    Build {
        /// サイトのフォルダです(site.toml のある所。既定: 今のフォルダ)
        #[arg(short, long, default_value = ".")]
        root: PathBuf,
        /// 書き出すフォルダです(既定: site.toml の output_dir)
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// 公開する URL を、site.toml の base_url の代わりに使います
        #[arg(short = 'u', long)]
        base_url: Option<String>,
        /// 下書き (draft = true) のページも書き出します(「下書き」の表示つき)
        #[arg(long)]
        drafts: bool,
    },
    /// サイトを組み立ててこのパソコンで表示し、編集に合わせて自動で更新します
    #[command(
        display_order = 2,
        after_help = "例:\n  planpress serve --open\n  planpress serve -r my-site -p 8080\n  planpress serve --bind 0.0.0.0 --base-url 192.168.1.10   (同じネットワークのほかの端末から見るとき)"
    )]
    Serve {
        /// サイトのフォルダです(site.toml のある所。既定: 今のフォルダ)
        #[arg(short, long, default_value = ".")]
        root: PathBuf,
        /// ポート番号です(既定: 1111。0 なら空いている番号)
        #[arg(short, long, default_value_t = 1111)]
        port: u16,
        /// 待ち受けるアドレスです(既定: 127.0.0.1。ほかの端末から見るときは 0.0.0.0)
        #[arg(long, default_value = "127.0.0.1")]
        bind: String,
        /// ページの URL の先頭を変えます(例: 192.168.1.10 か http://192.168.1.10:1111/)
        #[arg(short = 'u', long)]
        base_url: Option<String>,
        /// 組み立てたら、ブラウザーでサイトを開きます
        #[arg(short = 'O', long)]
        open: bool,
    },
    /// 原稿と出力の誤り(リンク切れ、代替テキストなど)を調べます
    #[command(
        display_order = 4,
        after_help = "例:\n  planpress check\n  planpress check -r my-site\n  planpress check --format json > check.json"
    )]
    Check {
        /// サイトのフォルダです(site.toml のある所。既定: 今のフォルダ)
        #[arg(short, long, default_value = ".")]
        root: PathBuf,
        /// 表示の形式です(既定: text)
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// 新しいサイトの雛形を作ります
    #[command(display_order = 0, after_help = "例:\n  planpress init my-site\n  planpress init C:\\sites\\keikaku")]
    Init {
        /// 作るフォルダです(ないか、空のフォルダ)
        dir: PathBuf,
    },
    /// 計画のフォルダを、目次(題名を 1 行に 1 つ)から作ります
    #[command(
        display_order = 1,
        after_help = "目次の階層は、番号の付け方(第1章、1、1-1、(1)、①、ア、基本目標1 など)と字下げから決めます。\n既にあるファイルは書き換えません。\n\n例:\n  planpress new kihon --from toc.txt\n  planpress new kihon --from toc.txt --title \"第2次○○市総合計画 基本計画\"\n  planpress new kihon -r my-site < toc.txt"
    )]
    New {
        /// 計画のフォルダ名です(content/ の下に作ります。URL になるので英数字・ハイフン・下線)
        plan_id: String,
        /// 目次のテキストファイルです(- か、書かなければ標準入力)
        #[arg(short, long)]
        from: Option<PathBuf>,
        /// 計画の名前です(書かなければ、目次の番号のない 1 行目)
        #[arg(short, long)]
        title: Option<String>,
        /// サイトのフォルダです(site.toml のある所。既定: 今のフォルダ)
        #[arg(short, long, default_value = ".")]
        root: PathBuf,
    },
    /// ベンチマーク用の合成サイトを作ります(実在の計画の文章から組み立てます。開発用)
    #[command(display_order = 9, after_help = "例:\n  planpress corpus --pages 1000 --site /tmp/corpus-1000")]
    #[command(group(clap::ArgGroup::new("out").required(true).multiple(true).args(["json", "site"])))]
    Corpus {
        /// ページ数です(計画 + 政策分野 + 施策)
        #[arg(long)]
        pages: usize,
        /// 乱数の種です(既定: 1。同じページ数と種なら、いつも同じ内容)
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// コーパスを JSON で書き出すファイルです(- なら標準出力)
        #[arg(long)]
        json: Option<PathBuf>,
        /// planpress のサイトを作るフォルダです(空か、前に corpus で作ったフォルダ)
        #[arg(long)]
        site: Option<PathBuf>,
    },
    /// 実績・評価を記入する表(.xlsx か .csv)を計画から作ります(_data/ に置くと取り込みます)
    #[command(
        display_order = 5,
        after_help = "例:\n  planpress template actuals --year R7\n  planpress template evaluations --year R7 -o evaluations-R7.xlsx\n  planpress template actuals --plan kihon --year 2025 -o actuals.csv"
    )]
    Template {
        /// 表の種類です: actuals(指標の実績)か evaluations(施策の評価)
        #[arg(value_enum)]
        kind: SheetKind,
        /// 計画のフォルダ名です(既定: site.toml の main_plan)
        #[arg(long)]
        plan: Option<String>,
        /// 記入する年度です(R6、令和6年度、2024)
        #[arg(long)]
        year: String,
        /// 書き出すファイルです(.xlsx か .csv。既定: actuals-R6.xlsx など)
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// サイトのフォルダです(site.toml のある所。既定: 今のフォルダ)
        #[arg(short, long, default_value = ".")]
        root: PathBuf,
    },
    /// サイト内検索の結果を表示します(検索ページと同じ結果)
    #[command(
        display_order = 6,
        after_help = "例:\n  planpress search 子育て\n  planpress search \"地域 防災\" --limit 20\n  planpress search 公園 --field kakegawa-2/3"
    )]
    Search {
        /// 検索語です(空白で区切った語をすべて含むページ。\"…\" で空白を含む語、-語 で除外)
        #[arg(default_value = "")]
        query: String,
        /// サイトのフォルダです(site.toml のある所。既定: 今のフォルダ)
        #[arg(short, long, default_value = ".")]
        root: PathBuf,
        /// 分野で絞り込みます(計画ID/ノードID またはノードID)
        #[arg(long)]
        field: Option<String>,
        /// 表示する件数です(既定: 10)
        #[arg(long, default_value_t = 10)]
        limit: usize,
        /// JSON で表示します(スコア付き)
        #[arg(long)]
        json: bool,
        /// JSON ファイルのクエリをすべて実行し、結果を JSON で出力します(テスト用)
        #[arg(long, hide = true)]
        queries: Option<PathBuf>,
    },
}

/// The kind of sheet `template` writes.
#[derive(Clone, Copy, clap::ValueEnum)]
enum SheetKind {
    /// 指標の実績です
    Actuals,
    /// 施策の評価です
    Evaluations,
}

/// Output format of `check`.
#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    /// 人が読む形です
    Text,
    /// JSON です
    Json,
}

/// `planpress new`: reads the table of contents (a file or standard input) and scaffolds.
fn new_plan(plan_id: String, from: Option<PathBuf>, title: Option<String>, root: PathBuf) -> ExitCode {
    use planpress::diagnostics::Diagnostic;
    use std::io::{IsTerminal, Read};
    let stdin = from.as_deref().is_none_or(|f| f == std::path::Path::new("-"));
    let (name, bytes) = if stdin {
        if std::io::stdin().is_terminal() {
            print::err().error("目次がありません。--from 目次.txt で目次のファイルを指定してください");
            return ExitCode::FAILURE;
        }
        let mut bytes = Vec::new();
        if let Err(e) = std::io::stdin().read_to_end(&mut bytes) {
            print::err().error(format!("標準入力を読めません: {e}"));
            return ExitCode::FAILURE;
        }
        (PathBuf::from("(標準入力)"), bytes)
    } else {
        let file = from.unwrap_or_default();
        match std::fs::read(&file) {
            Ok(b) => (file, b),
            Err(e) => {
                print::err().diagnostic(
                    &Diagnostic::new(&file, "new-toc", format!("読めません: {e}"))
                        .help("目次のファイルの名前と場所を確かめてください"),
                );
                return ExitCode::FAILURE;
            }
        }
    };
    let toc = match planpress::source::decode_utf8(bytes, &name) {
        Ok(t) => t,
        Err(d) => {
            print::err().diagnostic(&d);
            return ExitCode::FAILURE;
        }
    };
    let opts = planpress::new_plan::NewPlanOptions { root: root.clone(), plan_id, toc, toc_name: name, title };
    match planpress::new_plan::create(&opts) {
        Ok(r) => {
            let out = print::out();
            for f in &r.files {
                out.status(format!("  {}", planpress::diagnostics::relative(&root, f).display()));
            }
            out.status(format!(
                "{} に計画のフォルダを作りました: ノード {} 個、{} 階層",
                planpress::diagnostics::relative(&root, &r.plan_dir).display(),
                r.nodes,
                r.depth
            ));
            let missing =
                if r.levels_named { "period(計画期間)" } else { "period(計画期間)と levels(階層の名前)" };
            out.status(format!(
                "次に: planpress serve で確かめます。{} に {missing}を書くと、ページに出ます(docs/CONTENT.md 3 章)。",
                planpress::diagnostics::relative(&root, &r.plan_dir.join("_plan.md")).display()
            ));
            ExitCode::SUCCESS
        }
        Err(diags) => {
            print::err().diagnostics(&diags);
            ExitCode::FAILURE
        }
    }
}

/// The help layout of every command, with Japanese headings.
const HELP_TEMPLATE: &str = "{about-with-newline}\n使い方: {usage}\n\n{all-args}{after-help}";

/// `cmd` and its subcommands with Japanese help: headings and the template.
fn japanese_help(cmd: clap::Command) -> clap::Command {
    cmd.help_template(HELP_TEMPLATE)
        // Each help text says its default in Japanese: no English "[default: …]".
        .mut_args(|a| {
            let has_default = !a.get_default_values().is_empty();
            let a = if has_default { a.hide_default_value(true) } else { a };
            if a.is_positional() {
                a.help_heading("引数")
            } else {
                a.help_heading("オプション")
            }
        })
        .mut_subcommands(japanese_help)
}

fn main() -> ExitCode {
    tune_allocator();
    let matches = match japanese_help(Cli::command()).try_get_matches() {
        Ok(m) => m,
        // A mistake on the command line: said in Japanese, clap's English with --verbose.
        Err(e) => match planpress::diagnostics::command_line::explain(&e) {
            None => e.exit(),
            Some(text) => {
                eprintln!("エラー: {text}");
                if std::env::args().any(|a| a == "-v" || a == "--verbose") {
                    eprintln!("  詳細: {}", e.render().to_string().trim_end());
                }
                return ExitCode::from(2);
            }
        },
    };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    print::set_verbosity(match (cli.quiet, cli.verbose) {
        (true, _) => print::Verbosity::Quiet,
        (_, true) => print::Verbosity::Verbose,
        _ => print::Verbosity::Normal,
    });
    match cli.command {
        Command::Build { root, output, base_url, drafts } => {
            let opts = BuildOptions {
                root,
                output,
                base_url,
                progress: true,
                minify: None,
                defer_search: false,
                private_output: false,
                drafts,
            };
            match build::build(&opts) {
                Ok(report) => {
                    print::out().status(report.summary());
                    print::out().verbose(report.details());
                    for w in &report.warnings {
                        print::err().diagnostic(&w.clone().warning());
                    }
                    ExitCode::SUCCESS
                }
                Err(diags) => {
                    print::err().diagnostics(&diags);
                    print::err().line(build::failure_note(&opts, &diags));
                    ExitCode::FAILURE
                }
            }
        }
        Command::Search { query, root, field, limit, json, queries } => {
            let opts = planpress::search::cli::CliOptions { root, query, field, limit, json, queries };
            match planpress::search::cli::run(&opts) {
                Ok(out) => {
                    print::out().text(&out);
                    ExitCode::SUCCESS
                }
                Err(diags) => {
                    print::err().diagnostics(&diags);
                    ExitCode::FAILURE
                }
            }
        }
        Command::Serve { root, port, bind, base_url, open } => {
            let opts = planpress::serve::ServeOptions {
                root,
                bind,
                port,
                debounce: std::time::Duration::from_millis(30),
                base_url,
            };
            match planpress::serve::serve(opts) {
                Ok(serving) => {
                    print::out().status(format!("サイトを表示しています: {}", serving.url()));
                    print::out()
                        .status("content/ などを編集して保存すると、自動で更新します。止めるには Ctrl+C を押します。");
                    if open {
                        if let Err(e) = planpress::serve::open_browser(&serving.url()) {
                            print::err().warning(e);
                        }
                    }
                    // Ctrl+C (or the terminal closing) stops serve cleanly: the search
                    // refresh stops writing and the folder the site was built in is removed.
                    let (tx, stopped) = std::sync::mpsc::channel();
                    match ctrlc::set_handler(move || {
                        let _ = tx.send(());
                    }) {
                        Ok(()) => {
                            let _ = stopped.recv();
                            print::out().status("止めています…");
                            serving.stop();
                        }
                        Err(_) => serving.wait(),
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    print::err().error(e);
                    ExitCode::FAILURE
                }
            }
        }
        Command::Check { root, format } => {
            let report = planpress::check::run(&root);
            match format {
                Format::Text => {
                    let out = print::out();
                    for f in &report.findings {
                        out.diagnostic(f);
                    }
                    if report.findings.is_empty() {
                        out.status(format!("問題はありませんでした: {} ページを調べました。", report.pages));
                    } else {
                        out.line(format!("{} 件の問題があります。", report.findings.len()));
                    }
                }
                Format::Json => print::out().json(&report),
            }
            if report.findings.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Command::Corpus { pages, seed, json, site } => {
            let to_stdout = json.as_deref() == Some(std::path::Path::new("-"));
            match planpress::corpus::run(&planpress::corpus::CliOptions { pages, seed, json, site }) {
                Ok(out) => {
                    if let Some(json) = out.json {
                        print::out().raw(&json);
                    }
                    if !out.summary.is_empty() {
                        // With the JSON on standard output, the summary goes to standard error.
                        if to_stdout {
                            print::err().line(&out.summary);
                        } else {
                            print::out().line(&out.summary);
                        }
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    print::err().error(e);
                    ExitCode::FAILURE
                }
            }
        }
        Command::Template { kind, plan, year, output, root } => {
            use planpress::import::{columns::Kind, template};
            let kind = match kind {
                SheetKind::Actuals => Kind::Actuals,
                SheetKind::Evaluations => Kind::Evaluations,
            };
            let opts = template::TemplateOptions { root, kind, plan, year, output };
            match template::write(&opts) {
                Ok(w) => {
                    print::out().status(format!("{} を作りました。", w.file.display()));
                    print::out().status(format!(
                        "記入したら {} フォルダに保存して、planpress build で取り込みます(書き方は「記入のしかた」シートと docs/CONTENT.md 13 章)。",
                        w.data_dir.display()
                    ));
                    ExitCode::SUCCESS
                }
                Err(diags) => {
                    print::err().diagnostics(&diags);
                    ExitCode::FAILURE
                }
            }
        }
        Command::New { plan_id, from, title, root } => new_plan(plan_id, from, title, root),
        Command::Init { dir } => match planpress::init::init(&dir) {
            Ok(()) => {
                print::out().status(format!("{} に新しいサイトを作りました。", dir.display()));
                print::out().status(format!("次に: planpress serve -r {} --open", dir.display()));
                print::out().status(format!(
                    "毎年度の実績と評価は、表を作って記入し content/plan/_data/ に置きます: planpress template actuals -r {} --year R7",
                    dir.display()
                ));
                ExitCode::SUCCESS
            }
            Err(e) => {
                print::err().error(e);
                ExitCode::FAILURE
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_is_consistent() {
        // clap's own checks of every command and argument, after the Japanese headings.
        japanese_help(Cli::command()).debug_assert();
    }

    #[test]
    fn the_allocator_option_set_is_the_purge_delay() {
        // Before: mimalloc's default purge delay (1000 ms), which no other option has, so
        // the index names the right option of the mimalloc linked in.
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
            assert_eq!(unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) }, 1000);
        }
        tune_allocator();
        assert_eq!(unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) }, 50);
        #[cfg(target_os = "linux")]
        assert_eq!(unsafe { libc::prctl(libc::PR_GET_THP_DISABLE, 0, 0, 0, 0) }, 1);
    }
}
