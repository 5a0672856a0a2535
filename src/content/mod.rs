//! The plan content model and how it is read from `content/`.

pub mod aliases;
mod assemble;
pub mod body;
mod cache;
pub mod checks;
mod discovery;
mod drafts;
pub mod evaluation;
pub mod fiscal_year;
pub mod front_matter;
pub mod loader;
pub mod model;
mod parse;
pub mod progress;
mod render;
pub mod sdgs;
mod tree;
pub mod updated;

pub use fiscal_year::FiscalYear;
pub use loader::load_site;
pub use model::*;
