//! The plan content model and how it is read from `content/`.

pub mod checks;
pub mod fiscal_year;
pub mod front_matter;
pub mod loader;
pub mod model;
pub mod sdgs;
pub mod source;

pub use fiscal_year::FiscalYear;
pub use loader::load_site;
pub use model::*;
