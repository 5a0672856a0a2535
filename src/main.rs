//! The `planpress` command line: parses arguments and calls the library.

use clap::{Parser, Subcommand};
use planpress::build::{self, BuildOptions};
use planpress::diagnostics::print;
use std::path::PathBuf;
use std::process::ExitCode;

/// mimalloc: rendering thousands of pages in parallel is allocation-heavy, and glibc's
/// allocator contends across threads (a quarter of build time in profiles).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// 総合計画を、読みやすく探しやすいウェブサイトにします。
#[derive(Parser)]
#[command(name = "planpress", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// サイトを組み立てて public/ に書き出す (build the site)
    Build {
        /// サイトのフォルダ (site.toml のある所)
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// 出力先 (既定: site.toml の output_dir)
        #[arg(long)]
        output: Option<PathBuf>,
        /// 公開 URL を上書きする
        #[arg(long)]
        base_url: Option<String>,
        /// 下書き (draft = true) のページも書き出す(「下書き」の表示つき)
        #[arg(long)]
        drafts: bool,
    },
    /// サイトを組み立ててローカルで表示し、編集に合わせて自動で更新する (build, serve, watch)
    Serve {
        /// サイトのフォルダ (site.toml のある所)
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// ポート番号 (0 なら空いている番号)
        #[arg(long, default_value_t = 1111)]
        port: u16,
        /// 待ち受けるアドレス
        #[arg(long, default_value = "127.0.0.1")]
        bind: String,
    },
    /// 原稿と出力の誤り(リンク切れ、代替テキストなど)を調べる (check content and output)
    Check {
        /// サイトのフォルダ (site.toml のある所)
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// 出力の形式
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// 新しいサイトの雛形を作る (create a new site)
    Init {
        /// 作るフォルダ
        dir: PathBuf,
    },
    /// ベンチマーク用の合成サイトを作る(実在の計画の文章から組み立てる) (generate the benchmark corpus)
    #[command(group(clap::ArgGroup::new("out").required(true).multiple(true).args(["json", "site"])))]
    Corpus {
        /// ページ数(計画 + 政策分野 + 施策)
        #[arg(long)]
        pages: usize,
        /// 乱数の種(同じページ数と種なら、いつも同じ内容)
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// コーパスを JSON で書き出すファイル(- なら標準出力)
        #[arg(long)]
        json: Option<PathBuf>,
        /// planpress のサイトを作るフォルダ(空か、前に corpus で作ったフォルダ)
        #[arg(long)]
        site: Option<PathBuf>,
    },
    /// 実績・評価を記入する表(.xlsx か .csv)を計画から作る (write a sheet to fill in for _data/)
    Template {
        /// 表の種類: actuals(指標の実績)か evaluations(施策の評価)
        #[arg(value_enum)]
        kind: SheetKind,
        /// 計画のフォルダ名(既定: site.toml の main_plan)
        #[arg(long)]
        plan: Option<String>,
        /// 記入する年度 (R6、令和6年度、2024)
        #[arg(long)]
        year: String,
        /// 書き出すファイル (.xlsx か .csv。既定: actuals-R6.xlsx など)
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// サイトのフォルダ (site.toml のある所)
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// サイト内検索の結果を表示する(検索ページと同じ結果) (search the site)
    Search {
        /// 検索語(空白で区切った語をすべて含むページ。"…" で空白を含む語、-語 で除外)
        #[arg(default_value = "")]
        query: String,
        /// サイトのフォルダ (site.toml のある所)
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// 分野で絞り込む (計画ID/ノードID またはノードID)
        #[arg(long)]
        field: Option<String>,
        /// 表示する件数
        #[arg(long, default_value_t = 10)]
        limit: usize,
        /// JSON で出力する(スコア付き)
        #[arg(long)]
        json: bool,
        /// JSON ファイルのクエリをすべて実行し、結果を JSON で出力する(テスト用)
        #[arg(long, hide = true)]
        queries: Option<PathBuf>,
    },
}

/// The kind of sheet `template` writes.
#[derive(Clone, Copy, clap::ValueEnum)]
enum SheetKind {
    /// 指標の実績
    Actuals,
    /// 施策の評価
    Evaluations,
}

/// Output format of `check`.
#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    /// 人が読む形
    Text,
    /// JSON
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
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
                    print::out().line(report.summary());
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
        Command::Serve { root, port, bind } => {
            let opts =
                planpress::serve::ServeOptions { root, bind, port, debounce: std::time::Duration::from_millis(30) };
            match planpress::serve::serve(opts) {
                Ok(serving) => {
                    print::out().line(format!("サイトを表示しています: {}", serving.url()));
                    print::out().line("content/ などを編集すると自動で更新します。止めるには Ctrl+C");
                    // Ctrl+C (or the terminal closing) stops serve cleanly: the search
                    // refresh stops writing and the folder the site was built in is removed.
                    let (tx, stopped) = std::sync::mpsc::channel();
                    match ctrlc::set_handler(move || {
                        let _ = tx.send(());
                    }) {
                        Ok(()) => {
                            let _ = stopped.recv();
                            print::out().line("止めています…");
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
                        out.line(format!("問題はありません({} ページを調べました)", report.pages));
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
                    print::out().line(format!("{} を作りました。", w.file.display()));
                    print::out().line(format!(
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
        Command::Init { dir } => match planpress::init::init(&dir) {
            Ok(()) => {
                print::out().line(format!("{} に新しいサイトを作りました。", dir.display()));
                print::out().line(format!("次に: planpress build --root {}", dir.display()));
                print::out().line(format!(
                    "毎年度の実績と評価は、表を作って記入し content/plan/_data/ に置きます: planpress template actuals --root {} --year R7",
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
