//! Where settings come from: the command line over the environment over a profile in the
//! credentials file. A profile holds the library's own variable names
//! (`HUAWEICLOUD_SDK_AK = "..."`), so one lookup serves the environment and the file alike.

use std::{
    collections::BTreeMap,
    io::{IsTerminal as _, Write as _},
    path::{Path, PathBuf},
};

use crate::Failure;

/// The variable that names the profile to use when `--profile` is not given.
pub(crate) const PROFILE_VAR: &str = "CLOUDSDK_PROFILE";
/// The variable that overrides the folder of the credentials file.
pub(crate) const CONFIG_DIR_VAR: &str = "CLOUDSDK_CONFIG_DIR";

/// Variables whose values are secrets: never printed, read without echo.
const SECRETS: &[&str] = &[
    "OCEANBASE_ACCESS_KEY_SECRET",
    "HUAWEICLOUD_SDK_SK",
    "HUAWEICLOUD_SDK_SECURITY_TOKEN",
    "HUAWEICLOUD_SDK_AUTH_TOKEN",
    "HUAWEICLOUD_SDK_PASSWORD",
];

/// Variables whose values are access key ids: identifiers, not secrets, but shown (as
/// everywhere else in the project) by their first four characters only.
const KEY_IDS: &[&str] = &["HUAWEICLOUD_SDK_AK", "OCEANBASE_ACCESS_KEY_ID"];

/// The credentials file: `$CLOUDSDK_CONFIG_DIR/credentials.toml`, else
/// `$XDG_CONFIG_HOME/cloudsdk/credentials.toml`, else `~/.config/cloudsdk/credentials.toml`.
pub(crate) fn credentials_path() -> Result<PathBuf, Failure> {
    let set = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let dir = set(CONFIG_DIR_VAR)
        .or_else(|| set("XDG_CONFIG_HOME").map(|dir| dir.join("cloudsdk")))
        .or_else(|| set("HOME").map(|home| home.join(".config").join("cloudsdk")))
        .ok_or_else(|| {
            Failure::config(format!(
                "cannot place the credentials file: set {CONFIG_DIR_VAR} or HOME"
            ))
        })?;
    Ok(dir.join("credentials.toml"))
}

/// The value of environment variable `name`; `None` when it is unset or empty. A value that is
/// not UTF-8 is a configuration error naming the variable: taken as unset, it would silently
/// select another profile or other credentials.
pub(crate) fn env_var(name: &str) -> Result<Option<String>, Failure> {
    match std::env::var(name) {
        // Empty or blank is unset (as a CI system sets a variable it has no value for).
        Ok(value) => Ok(Some(value).filter(|v| !v.trim().is_empty())),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => Err(Failure::config(format!(
            "{name} is not valid UTF-8: set it to a UTF-8 value or unset it"
        ))),
    }
}

/// Refuses a library variable (`OCEANBASE_*`, `HUAWEICLOUD_SDK_*`) whose value is not UTF-8,
/// so that [`Settings::get`] reads only variables that can be read.
fn check_environment() -> Result<(), Failure> {
    for (name, _) in std::env::vars_os() {
        if let Some(name) = name.to_str()
            && (name.starts_with("OCEANBASE_") || name.starts_with("HUAWEICLOUD_SDK_"))
        {
            env_var(name)?;
        }
    }
    Ok(())
}

type Profiles = BTreeMap<String, BTreeMap<String, String>>;

fn read_profiles() -> Result<Profiles, Failure> {
    let path = credentials_path()?;
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Profiles::new()),
        Err(e) => {
            return Err(Failure::config(format!(
                "cannot read {}: {e}",
                path.display()
            )));
        }
    };
    // The values are never shown: a parse error names the file and the line only.
    toml::from_str::<Profiles>(&text).map_err(|e| {
        let line = e
            .span()
            .map(|s| text[..s.start.min(text.len())].lines().count().max(1));
        Failure::config(format!(
            "{}{}: not a credentials file: write `[profile-name]` tables of `VARIABLE = \"value\"` lines",
            path.display(),
            line.map(|l| format!(":{l}")).unwrap_or_default()
        ))
    })
}

/// The settings of one run: command-line values, then the environment, then the profile.
pub(crate) struct Settings {
    overrides: BTreeMap<String, String>,
    profile: BTreeMap<String, String>,
    /// The profile's name, for messages about a value it holds.
    profile_name: String,
}

impl Settings {
    /// Loads the profile named by `--profile`, `$CLOUDSDK_PROFILE` or `default`.
    pub(crate) fn load(
        profile: Option<&str>,
        overrides: BTreeMap<String, String>,
    ) -> Result<Self, Failure> {
        check_environment()?;
        let explicit = match profile {
            Some(p) => Some(p.to_owned()),
            None => env_var(PROFILE_VAR)?,
        };
        let name = explicit.clone().unwrap_or_else(|| "default".into());
        let mut profiles = read_profiles()?;
        let profile = match profiles.remove(&name) {
            Some(p) => p,
            None if explicit.is_some() => {
                return Err(Failure::config(format!(
                    "no profile `{name}` in {}; store one with `cloudsdk config set --profile {name} VARIABLE`",
                    credentials_path()?.display()
                )));
            }
            None => BTreeMap::new(),
        };
        Ok(Self {
            overrides,
            profile,
            profile_name: name,
        })
    }

    /// The value of variable `name`.
    pub(crate) fn get(&self, name: &str) -> Option<String> {
        self.overrides
            .get(name)
            .cloned()
            .or_else(|| from_environment(name))
            .or_else(|| self.profile.get(name).cloned())
            .filter(|v| !v.trim().is_empty())
    }

    /// Whether the command line set `name` (`--region`, `--endpoint`).
    pub(crate) fn on_command_line(&self, name: &str) -> bool {
        self.overrides.contains_key(name)
    }

    /// What to check when the value of `name` is wrong, naming where [`Settings::get`] took
    /// it from: `flag` when the command line gave it (the flag that sets `name`), else the
    /// environment variable, else the profile.
    pub(crate) fn where_to_fix(&self, name: &str, flag: &str) -> String {
        if self.overrides.contains_key(name) {
            format!("check {flag}")
        } else if from_environment(name).is_some() {
            format!("check the environment variable {name}")
        } else {
            let profile = &self.profile_name;
            format!(
                "check {name} in profile `{profile}` (`cloudsdk config set --profile {profile} \
                 {name}` replaces it)"
            )
        }
    }

    /// Whether `name` is set in the environment (a dry run refers to it as `$name`).
    pub(crate) fn in_environment(&self, name: &str) -> bool {
        !self.overrides.contains_key(name) && from_environment(name).is_some()
    }
}

/// The environment's value of `name`; `None` when it is unset, empty or blank, so that the
/// profile's value is taken then: an empty variable (as a CI system sets for a secret it does
/// not have) is unset, not a value that hides the profile's. `load` refused values that are
/// not UTF-8: an error here means unset.
fn from_environment(name: &str) -> Option<String> {
    env_var(name).ok().flatten()
}

/// `cloudsdk config set NAME`: reads the value from a prompt on a terminal (echoed for
/// identifiers and settings, as `aws configure` does; not echoed for [`SECRETS`]) or from the
/// first line of stdin, and writes the credentials file with mode 0600.
pub(crate) fn set(name: &str, profile: Option<&str>) -> Result<(), Failure> {
    if !(name.starts_with("OCEANBASE_") || name.starts_with("HUAWEICLOUD_SDK_")) {
        return Err(Failure::usage(format!(
            "`{name}` is not one of the library's variables: use an OCEANBASE_* or HUAWEICLOUD_SDK_* name"
        )));
    }
    let profile = match profile {
        Some(p) => p.to_owned(),
        None => env_var(PROFILE_VAR)?.unwrap_or_else(|| "default".into()),
    };
    let value = read_value(
        &format!("{name} for profile {profile}: "),
        SECRETS.contains(&name),
    )
    .map_err(|e| Failure::config(format!("cannot read the value of {name}: {e}")))?;
    if value.is_empty() {
        return Err(Failure::usage(format!("no value given for {name}")));
    }
    let mut profiles = read_profiles()?;
    profiles
        .entry(profile.clone())
        .or_default()
        .insert(name.to_owned(), value);
    let text = toml::to_string(&profiles)
        .map_err(|e| Failure::config(format!("cannot write the credentials file: {e}")))?;
    let path = credentials_path()?;
    write_private(&path, &text)
        .map_err(|e| Failure::config(format!("cannot write {}: {e}", path.display())))?;
    eprintln!("stored {name} in profile {profile} of {}", path.display());
    Ok(())
}

/// One value typed by the user: on a terminal after `prompt`, shown as typed or, when
/// `hidden`, not echoed; otherwise the first line of stdin. Without its line break.
pub(crate) fn read_value(prompt: &str, hidden: bool) -> std::io::Result<String> {
    let line = if std::io::stdin().is_terminal() && hidden {
        rpassword::prompt_password(prompt)?
    } else {
        if std::io::stdin().is_terminal() {
            eprint!("{prompt}");
            let _ = std::io::stderr().flush();
        }
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        line
    };
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

/// Writes `text` to `path`, readable by its owner only. The text goes to a new file in the same
/// folder (mode 0600 from creation on Unix), is synced to disk, then renamed over `path`: the
/// rename replaces a symlink at `path` instead of writing through it to wherever it points,
/// and a failed write leaves the previous file whole. The new file is removed on any error.
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .map_or_else(|| "credentials".into(), |n| n.to_string_lossy());
    let (temp, mut file) = create_temp(dir, &name)?;
    let written = file
        .write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .and_then(|()| {
            drop(file);
            std::fs::rename(&temp, path)
        });
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
        return written;
    }
    // The rename is durable once the folder's entry is: best effort, the file is written.
    #[cfg(unix)]
    if let Ok(folder) = std::fs::File::open(dir) {
        let _ = folder.sync_all();
    }
    Ok(())
}

/// A new file `.<name>.<pid>.<n>.tmp` in `dir`, never an existing one (`create_new`), with mode
/// 0600 from its creation on Unix.
fn create_temp(dir: &Path, name: &str) -> std::io::Result<(PathBuf, std::fs::File)> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut attempt = 0u32;
    loop {
        let temp = dir.join(format!(".{name}.{}.{attempt}.tmp", std::process::id()));
        match options.open(&temp) {
            Ok(file) => return Ok((temp, file)),
            // Left by an earlier run that stopped half-way: take the next name.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 100 => {
                attempt += 1;
            }
            Err(e) => return Err(e),
        }
    }
}

/// `cloudsdk config list`: profiles and their variables; secrets as `***`, access key ids by
/// their first four characters.
pub(crate) fn list() -> Result<String, Failure> {
    let mut out = String::new();
    for (name, vars) in read_profiles()? {
        out.push_str(&format!("[{name}]\n"));
        for (var, value) in vars {
            let shown = if SECRETS.contains(&var.as_str()) {
                "***".to_owned()
            } else if KEY_IDS.contains(&var.as_str()) {
                cloud_sdk_runtime::KeyId(&value).to_string()
            } else {
                value
            };
            out.push_str(&format!("{var} = {shown}\n"));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    /// The files of `dir` but `keep`: the temporary files a write left behind.
    fn leftovers(dir: &Path, keep: &str) -> Vec<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n != keep)
            .collect()
    }

    #[test]
    fn a_write_replaces_the_file_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("credentials.toml");
        write_private(&path, "one").unwrap();
        write_private(&path, "two").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "two");
        assert!(leftovers(dir.path(), "credentials.toml").is_empty());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_failed_write_leaves_the_old_contents_and_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        // A folder in the way: the rename fails after the text was written.
        let path = dir.path().join("credentials.toml");
        std::fs::create_dir(&path).unwrap();
        std::fs::write(path.join("kept"), "old").unwrap();
        assert!(write_private(&path, "new").is_err());
        assert_eq!(std::fs::read_to_string(path.join("kept")).unwrap(), "old");
        assert!(leftovers(dir.path(), "credentials.toml").is_empty());
    }
}
