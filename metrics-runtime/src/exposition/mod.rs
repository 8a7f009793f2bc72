//! Exposition formats: how the registry's families are written for a scrape.

pub(crate) mod text;
