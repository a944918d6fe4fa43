//! `api.toml`'s `version` is the one place a client's version is written. The workspace
//! manifest names each generated crate in `[workspace.dependencies]` (`huaweicloud-das = { path
//! = "generated/huaweicloud-das", version = "0.1.0" }`) and `Cargo.lock` records its version;
//! both are kept in step here, as generated files: an entry is added for a new API directory,
//! removed with its directory, and its version follows `api.toml`. Only those entries change;
//! comments and layout of both files stay as they are (`toml_edit`).

use std::{collections::BTreeMap, fs, io, path::Path};

use toml_edit::{DocumentMut, InlineTable, Item, Value};

use crate::{codegen::GeneratedFile, spec::LoadedApi, spec::SpecError};

/// The folder every generated crate lives in.
const GENERATED: &str = "generated/";

/// The workspace manifest and lock file under `root` with the generated crates' entries in
/// step with `apis`. A tree without a workspace manifest (a copy of `specs/` alone) has nothing
/// to keep in step; a lock file is only updated, never created (cargo writes it).
pub fn files(root: &Path, apis: &[LoadedApi]) -> Result<Vec<GeneratedFile>, SpecError> {
    let crates: BTreeMap<&str, (&str, &str)> = apis
        .iter()
        .map(|api| {
            (
                api.config.crate_name.as_str(),
                (api.name.as_str(), api.config.version.as_str()),
            )
        })
        .collect();
    let mut out = Vec::new();
    if let Some(text) = read(root, "Cargo.toml")? {
        out.push(GeneratedFile::new("Cargo.toml", manifest(&text, &crates)?));
    }
    if let Some(text) = read(root, "Cargo.lock")? {
        out.push(GeneratedFile::new("Cargo.lock", lock(&text, &crates)?));
    }
    Ok(out)
}

fn read(root: &Path, file: &str) -> Result<Option<String>, SpecError> {
    match fs::read_to_string(root.join(file)) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(SpecError::new(file, None, format!("cannot read: {e}"))),
    }
}

fn parse(file: &str, text: &str) -> Result<DocumentMut, SpecError> {
    text.parse::<DocumentMut>()
        .map_err(|e| SpecError::new(file, None, format!("is not valid TOML: {e}")))
}

/// The path of a `[workspace.dependencies]` entry, when it is a table with one.
fn entry_path(item: &Item) -> Option<&str> {
    item.as_table_like()?.get("path")?.as_str()
}

/// `text` (the workspace manifest) with one `[workspace.dependencies]` entry per generated
/// crate, pointing at `generated/<api>` with `api.toml`'s version. A new entry goes at the end
/// of the table, where the generated crates' entries stand.
pub fn manifest(text: &str, crates: &BTreeMap<&str, (&str, &str)>) -> Result<String, SpecError> {
    const FILE: &str = "Cargo.toml";
    let mut doc = parse(FILE, text)?;
    let deps = doc
        .get_mut("workspace")
        .and_then(|w| w.get_mut("dependencies"))
        .and_then(Item::as_table_like_mut)
        .ok_or_else(|| {
            SpecError::new(
                FILE,
                Some("workspace.dependencies".into()),
                "has no [workspace.dependencies] table: add one; the generated crates are listed there",
            )
        })?;
    // Entries of generated crates whose API is gone.
    let gone: Vec<String> = deps
        .iter()
        .filter(|(name, item)| {
            entry_path(item).is_some_and(|p| p.starts_with(GENERATED)) && !crates.contains_key(name)
        })
        .map(|(name, _)| name.to_owned())
        .collect();
    for name in gone {
        deps.remove(&name);
    }
    for (name, (dir, version)) in crates {
        let path = format!("{GENERATED}{dir}");
        // A name the workspace already uses for another crate would be repointed.
        if let Some(other) = deps
            .get(name)
            .map(|item| entry_path(item).unwrap_or("the registry"))
            .filter(|p| !p.starts_with(GENERATED))
        {
            return Err(SpecError::new(
                format!("specs/{dir}/api.toml"),
                Some("crate".into()),
                format!(
                    "`{name}` is already a dependency of the workspace ({other} in Cargo.toml's \
                     [workspace.dependencies]): give the generated crate another name"
                ),
            ));
        }
        match deps.get_mut(name).and_then(Item::as_table_like_mut) {
            Some(entry) => {
                set(entry, "path", &path);
                set(entry, "version", version);
            }
            None => {
                let mut entry = InlineTable::new();
                entry.insert("path", Value::from(path.as_str()));
                entry.insert("version", Value::from(*version));
                deps.insert(name, Item::Value(Value::InlineTable(entry)));
            }
        }
    }
    Ok(doc.to_string())
}

/// Sets `key` to the string `to` unless it already is, keeping the spacing around the old
/// value.
fn set(entry: &mut dyn toml_edit::TableLike, key: &str, to: &str) {
    match entry.get_mut(key).and_then(Item::as_value_mut) {
        Some(old) if old.as_str() == Some(to) => {}
        Some(old) => {
            let decor = old.decor().clone();
            *old = Value::from(to);
            *old.decor_mut() = decor;
        }
        None => {
            entry.insert(key, Item::Value(Value::from(to)));
        }
    }
}

/// `text` (the lock file) with each generated crate's `[[package]]` version set to
/// `api.toml`'s. A crate cargo has not locked yet is added by the next cargo command, and one
/// whose API is gone is dropped by it; the entries of those carry their dependency lists,
/// which only cargo resolves.
pub fn lock(text: &str, crates: &BTreeMap<&str, (&str, &str)>) -> Result<String, SpecError> {
    const FILE: &str = "Cargo.lock";
    let mut doc = parse(FILE, text)?;
    let Some(packages) = doc
        .get_mut("package")
        .and_then(Item::as_array_of_tables_mut)
    else {
        return Ok(text.to_owned());
    };
    for package in packages.iter_mut() {
        // Path crates carry no `source`.
        if package.contains_key("source") {
            continue;
        }
        let Some((_, version)) = package
            .get("name")
            .and_then(Item::as_str)
            .and_then(|n| crates.get(n))
        else {
            continue;
        };
        set(package, "version", version);
    }
    Ok(doc.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANIFEST: &str = r#"[workspace]
members = ["generated/*"]

[workspace.dependencies]
# Runtime.
serde = "1"

# In-workspace crates.
cloud-sdk-runtime = { path = "crates/cloud-sdk-runtime", version = "0.1.0" }
alpha = { path = "generated/alpha", version = "0.1.0" }
gone = { path = "generated/gone", version = "0.3.0" }

[workspace.lints.rust]
unsafe_code = "forbid"
"#;

    fn crates<'a>(list: &[(&'a str, &'a str, &'a str)]) -> BTreeMap<&'a str, (&'a str, &'a str)> {
        list.iter().map(|(n, d, v)| (*n, (*d, *v))).collect()
    }

    #[test]
    fn versions_follow_api_toml_and_the_rest_stays_as_written() {
        let out = manifest(MANIFEST, &crates(&[("alpha", "alpha", "0.2.0")])).unwrap();
        let expected = MANIFEST
            .replace(
                "alpha = { path = \"generated/alpha\", version = \"0.1.0\" }",
                "alpha = { path = \"generated/alpha\", version = \"0.2.0\" }",
            )
            .replace(
                "gone = { path = \"generated/gone\", version = \"0.3.0\" }\n",
                "",
            );
        assert_eq!(out, expected);
    }

    #[test]
    fn a_new_api_gets_its_entry() {
        let out = manifest(
            MANIFEST,
            &crates(&[("alpha", "alpha", "0.1.0"), ("beta-x", "beta", "0.1.0")]),
        )
        .unwrap();
        assert!(
            out.contains(
                "alpha = { path = \"generated/alpha\", version = \"0.1.0\" }\nbeta-x = { path = \"generated/beta\", version = \"0.1.0\" }\n\n[workspace.lints.rust]"
            ),
            "{out}"
        );
        // Generating again changes nothing.
        let again = manifest(
            &out,
            &crates(&[("alpha", "alpha", "0.1.0"), ("beta-x", "beta", "0.1.0")]),
        )
        .unwrap();
        assert_eq!(again, out);
    }

    #[test]
    fn a_crate_name_the_workspace_uses_already_is_refused() {
        let err = manifest(MANIFEST, &crates(&[("serde", "serde-api", "0.1.0")])).unwrap_err();
        assert!(
            err.to_string()
                .contains("`serde` is already a dependency of the workspace"),
            "{err}"
        );
    }

    #[test]
    fn a_manifest_without_workspace_dependencies_names_the_fix() {
        let err = manifest("[workspace]\n", &crates(&[])).unwrap_err();
        assert!(
            err.to_string().contains("[workspace.dependencies]"),
            "{err}"
        );
    }

    #[test]
    fn lock_versions_follow_api_toml() {
        let lock_text = "version = 4\n\n[[package]]\nname = \"alpha\"\nversion = \"0.1.0\"\ndependencies = [\n \"serde\",\n]\n\n[[package]]\nname = \"serde\"\nversion = \"0.1.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n";
        let out = lock(
            lock_text,
            &crates(&[("alpha", "alpha", "0.2.0"), ("serde", "serde", "9.0.0")]),
        )
        .unwrap();
        assert_eq!(
            out,
            lock_text.replacen("version = \"0.1.0\"", "version = \"0.2.0\"", 1)
        );
    }
}
