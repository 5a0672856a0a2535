//! planpress: publish Japanese municipal comprehensive plans (総合計画) as accessible,
//! searchable, printable static websites.
//!
//! The pipeline runs in one direction: [`config`] and [`content`] load and validate the
//! site, [`render`] turns it into pages with Tera, [`output`] writes them into a staging
//! folder that [`build`] swaps into place.

pub mod build;
pub mod check;
pub mod config;
pub mod content;
/// The benchmark corpus: deterministic plan content recombined from real plans (the seed
/// texts in `benches/seeds/`), as JSON or as a planpress site (`planpress corpus`).
pub mod corpus;
pub mod diagnostics;
pub mod html;
pub mod import;
pub mod init;
pub mod markdown;
pub mod new_plan;
pub mod output;
pub mod render;
pub mod search;
pub mod serve;
pub mod source;
#[cfg(test)]
mod test_support;
