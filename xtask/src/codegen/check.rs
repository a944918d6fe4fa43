//! Comparing generated output with what is on disk, and writing it.

use std::{
    collections::BTreeSet,
    fs, io,
    path::{Path, PathBuf},
};

use crate::codegen::GeneratedFile;

/// How a file on disk differs from the generator's output.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Drift {
    /// The file is missing.
    Missing(String),
    /// The file's contents differ.
    Stale(String),
    /// The file is under `generated/` but the generator does not make it.
    Extra(String),
}

impl std::fmt::Display for Drift {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Drift::Missing(p) => write!(f, "missing: {p}"),
            Drift::Stale(p) => write!(f, "stale:   {p}"),
            Drift::Extra(p) => write!(f, "extra:   {p} (not made by the generator)"),
        }
    }
}

/// Every file under `generated/`, relative to `root`, with forward slashes.
fn files_on_disk(root: &Path) -> io::Result<BTreeSet<String>> {
    fn walk(dir: &Path, root: &Path, out: &mut BTreeSet<String>) -> io::Result<()> {
        if !dir.exists() {
            return Ok(());
        }
        for entry in fs::read_dir(dir)? {
            let path = entry?.path();
            if path.is_dir() {
                walk(&path, root, out)?;
            } else {
                let rel = path.strip_prefix(root).unwrap_or(&path);
                out.insert(rel.to_string_lossy().replace('\\', "/"));
            }
        }
        Ok(())
    }
    let mut out = BTreeSet::new();
    walk(&root.join("generated"), root, &mut out)?;
    Ok(out)
}

/// Compares `files` with the tree under `root`; an empty result means up to date.
pub fn compare(root: &Path, files: &[GeneratedFile]) -> io::Result<Vec<Drift>> {
    let mut drift = Vec::new();
    let wanted: BTreeSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    for file in files {
        match fs::read(root.join(&file.path)) {
            Ok(bytes) if bytes == file.contents.as_bytes() => {}
            Ok(_) => drift.push(Drift::Stale(file.path.clone())),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                drift.push(Drift::Missing(file.path.clone()))
            }
            Err(e) => return Err(e),
        }
    }
    for path in files_on_disk(root)? {
        if !wanted.contains(path.as_str()) {
            drift.push(Drift::Extra(path));
        }
    }
    drift.sort();
    Ok(drift)
}

/// Writes what differs and removes extra files; returns what changed.
pub fn write(root: &Path, files: &[GeneratedFile]) -> io::Result<Vec<Drift>> {
    let drift = compare(root, files)?;
    for d in &drift {
        match d {
            Drift::Missing(p) | Drift::Stale(p) => {
                let path: PathBuf = root.join(p);
                if let Some(parent) = path.parent() {
                    fs::create_dir_all(parent)?;
                }
                let contents = files
                    .iter()
                    .find(|f| &f.path == p)
                    .map(|f| f.contents.as_str())
                    .unwrap_or_default();
                fs::write(&path, contents)?;
            }
            Drift::Extra(p) => {
                fs::remove_file(root.join(p))?;
            }
        }
    }
    remove_empty_dirs(&root.join("generated"))?;
    Ok(drift)
}

fn remove_empty_dirs(dir: &Path) -> io::Result<bool> {
    if !dir.is_dir() {
        return Ok(false);
    }
    let mut empty = true;
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            if !remove_empty_dirs(&path)? {
                empty = false;
            }
        } else {
            empty = false;
        }
    }
    if empty && dir.file_name().is_some_and(|n| n != "generated") {
        fs::remove_dir(dir)?;
    }
    Ok(empty)
}
