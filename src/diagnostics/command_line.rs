//! Mistakes on the command line (`planpress biuld`, `--outptu`, a missing value) in plain
//! Japanese. clap's own English text is kept for `--verbose`.

use clap::error::{ContextKind, ContextValue, ErrorKind};

/// The Japanese explanation of clap's parse error `e`: what is wrong, and what to type
/// instead (clap's suggestion when it has one). `None` for help and version output,
/// which are not errors.
pub fn explain(e: &clap::Error) -> Option<String> {
    let get = |k: ContextKind| match e.get(k) {
        Some(ContextValue::String(s)) => Some(s.clone()),
        Some(ContextValue::Strings(v)) => Some(v.join("、")),
        Some(ContextValue::StyledStr(s)) => Some(s.to_string()),
        Some(ContextValue::StyledStrs(v)) => Some(v.iter().map(|s| s.to_string()).collect::<Vec<_>>().join("、")),
        Some(ContextValue::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let arg = get(ContextKind::InvalidArg).unwrap_or_default();
    let mut out = match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            return None;
        }
        ErrorKind::InvalidSubcommand => {
            format!("「{}」というコマンドはありません", get(ContextKind::InvalidSubcommand).unwrap_or_default())
        }
        ErrorKind::UnknownArgument => format!("「{arg}」というオプションはありません"),
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => {
            format!("{arg} に「{}」は使えません", get(ContextKind::InvalidValue).unwrap_or_default())
        }
        ErrorKind::MissingRequiredArgument => format!("{arg} を書いてください"),
        ErrorKind::MissingSubcommand => "コマンド(build、serve など)を書いてください".to_string(),
        ErrorKind::ArgumentConflict => {
            format!("{arg} と {} は一緒に使えません", get(ContextKind::PriorArg).unwrap_or_default())
        }
        ErrorKind::NoEquals | ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues | ErrorKind::TooManyValues => {
            format!("{arg} の値の数が違います")
        }
        _ => "コマンドの書き方が違います".to_string(),
    };
    out.push('。');
    if let Some(s) = get(ContextKind::SuggestedSubcommand).or_else(|| get(ContextKind::SuggestedArg)) {
        out.push_str(&format!("「{s}」のつもりですか?"));
    }
    if let Some(v) = get(ContextKind::ValidValue) {
        out.push_str(&format!("使える値: {v}。"));
    }
    out.push_str(
        "\n  直し方: planpress --help(コマンドごとには planpress build --help など)で書き方を確かめてください",
    );
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{Arg, Command};

    fn cmd() -> Command {
        Command::new("planpress")
            .subcommand(Command::new("build").arg(Arg::new("output").long("output")))
            .subcommand(Command::new("serve"))
    }

    fn error_of(args: &[&str]) -> String {
        let e = cmd().try_get_matches_from(args).unwrap_err();
        explain(&e).expect("an error")
    }

    #[test]
    fn misspelt_commands_and_options_are_named_in_japanese_with_a_suggestion() {
        let e = error_of(&["planpress", "biuld"]);
        assert!(e.contains("「biuld」というコマンドはありません") && e.contains("「build」のつもりですか"), "{e}");
        let e = error_of(&["planpress", "build", "--outptu", "x"]);
        assert!(e.contains("「--outptu」というオプションはありません") && e.contains("--output"), "{e}");
        assert!(!e.contains("error:") && !e.contains("unexpected"), "{e}");
    }

    #[test]
    fn help_is_not_an_error() {
        let e = cmd().try_get_matches_from(["planpress", "--help"]).unwrap_err();
        assert_eq!(explain(&e), None);
    }
}
