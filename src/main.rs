//! The `planpress` command line: parses arguments and calls the library.

use clap::{Parser, Subcommand};
use planpress::build::{self, BuildOptions};
use std::path::PathBuf;
use std::process::ExitCode;

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
    },
    /// 新しいサイトの雛形を作る (create a new site)
    Init {
        /// 作るフォルダ
        dir: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build { root, output, base_url } => {
            let opts = BuildOptions { root, output, base_url, progress: true };
            match build::build(&opts) {
                Ok(report) => {
                    println!("{}", report.summary());
                    ExitCode::SUCCESS
                }
                Err(diags) => {
                    eprintln!("{diags}");
                    eprintln!("サイトは書き出していません(前回の出力はそのままです)。");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Init { dir } => match planpress::init::init(&dir) {
            Ok(()) => {
                println!("{} に新しいサイトを作りました。", dir.display());
                println!("次に: planpress build --root {}", dir.display());
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("エラー: {e}");
                ExitCode::FAILURE
            }
        },
    }
}
