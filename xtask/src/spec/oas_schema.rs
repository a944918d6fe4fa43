//! The official OpenAPI 3.0 JSON Schema, as the last structural check of a document before it
//! is merged and handed to progenitor. `schematools` carries the schema and validates with
//! `jsonschema`; it reports the details only through the `log` crate, so they are collected
//! here, on the validating thread only, and cut short: a failed `oneOf` quotes the whole
//! offending object, which is no help in a one-line message. The xtask's own rules (`rules`)
//! run first and locate the common mistakes precisely; this catches the rest.

use std::{cell::RefCell, sync::Once};

use serde_json::Value;

thread_local! {
    static COLLECTING: RefCell<Option<Vec<String>>> = const { RefCell::new(None) };
}

struct Collector;

impl log::Log for Collector {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.level() <= log::Level::Error && metadata.target().starts_with("schematools")
    }

    fn log(&self, record: &log::Record<'_>) {
        if self.enabled(record.metadata()) {
            COLLECTING.with(|c| {
                if let Some(lines) = c.borrow_mut().as_mut() {
                    lines.push(record.args().to_string());
                }
            });
        }
    }

    fn flush(&self) {}
}

static COLLECTOR: Collector = Collector;

/// `Ok` when `doc` is valid against the OpenAPI 3.0 schema; otherwise the first reason,
/// at most `MAX` characters.
pub fn validate(doc: &Value) -> Result<(), String> {
    const MAX: usize = 160;
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        // Another logger may be installed already (a test harness): then only the verdict is
        // reported, without the validator's reason.
        if log::set_logger(&COLLECTOR).is_ok() {
            log::set_max_level(log::LevelFilter::Error);
        }
    });
    COLLECTING.with(|c| *c.borrow_mut() = Some(Vec::new()));
    let schema = schematools::schema::Schema::from_json(doc.clone());
    let result = schematools::validate::validate_openapi(&schema);
    let lines = COLLECTING
        .with(|c| c.borrow_mut().take())
        .unwrap_or_default();
    match result {
        Ok(()) => Ok(()),
        Err(e) => {
            let reason = lines.into_iter().next().unwrap_or_else(|| e.to_string());
            let mut short: String = reason.chars().take(MAX).collect();
            if short.len() < reason.len() {
                short.push('…');
            }
            Err(short)
        }
    }
}
