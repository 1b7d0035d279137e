//! Test helpers shared by the Go and Java tests: real tools and real Debian
//! package files as oracles, found at run time (never hard-coded paths).
//!
//! When a tool or package is unavailable the test is skipped with a note,
//! except in CI (`CI` or `PORTCULLIS_REQUIRE_FIXTURES` set), where it fails:
//! CI installs the tools and caches the `.deb` files these tests read.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Skips (returns `false`) or, in CI, fails.
#[allow(clippy::print_stderr)]
pub(crate) fn unavailable(what: &str) -> bool {
    let required = ["CI", "PORTCULLIS_REQUIRE_FIXTURES"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|x| !x.is_empty() && x != "false"));
    if required {
        panic!("fixture unavailable: {what}");
    }
    eprintln!("skipping: {what} unavailable (set PORTCULLIS_REQUIRE_FIXTURES to make this fatal)");
    false
}

/// Whether `tool` runs (looked up through PATH).
pub(crate) fn have_tool(tool: &str, version_arg: &str) -> bool {
    Command::new(tool)
        .arg(version_arg)
        .output()
        .is_ok_and(|o| o.status.success())
        || unavailable(tool)
}

/// Runs a command and returns stdout; panics with stderr on failure.
pub(crate) fn run(cmd: &mut Command) -> Vec<u8> {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// The files of one Debian package and its version.
pub(crate) struct DebianPackage {
    /// Every regular file of the package.
    pub(crate) files: Vec<PathBuf>,
    /// `Version:` of the package.
    pub(crate) version: String,
    _unpacked: Option<tempfile::TempDir>,
}

impl DebianPackage {
    /// The first file whose path ends with `suffix`.
    pub(crate) fn find(&self, suffix: &str) -> Option<&Path> {
        self.files
            .iter()
            .find(|f| f.to_string_lossy().ends_with(suffix))
            .map(PathBuf::as_path)
    }
}

/// The last (by name) `NAME_*.deb` in `$PORTCULLIS_CACHE/debs`, where the fixture
/// image build (tests/images/build.sh) keeps the packages it fetched.
fn cached_deb(name: &str) -> Option<PathBuf> {
    let dir = PathBuf::from(std::env::var_os("PORTCULLIS_CACHE")?).join("debs");
    let prefix = format!("{name}_");
    let mut debs: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let file = p
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default();
            file.starts_with(&prefix) && file.ends_with(".deb")
        })
        .collect();
    debs.sort();
    debs.pop()
}

/// `apt-get download` into `dir`.
fn download_deb(name: &str, dir: &Path) -> Option<PathBuf> {
    let status = Command::new("apt-get")
        .args(["download", "-qq", name])
        .current_dir(dir)
        .status()
        .ok()?;
    if !status.success() {
        return None;
    }
    std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "deb"))
}

/// Files of Debian package `name`: the installed copy (`dpkg -L`), else its
/// `.deb` (cached by the image build, or fetched with `apt-get download`)
/// unpacked with `dpkg-deb -x` into a temporary directory. `None` (after
/// [`unavailable`]) if none of these works.
pub(crate) fn debian_package(name: &str) -> Option<DebianPackage> {
    let query = Command::new("dpkg-query")
        .args(["-W", "-f=${Status}\t${Version}", name])
        .output();
    if let Some(q) = query.ok().filter(|q| q.status.success()) {
        let text = String::from_utf8_lossy(&q.stdout).into_owned();
        if let Some(("install ok installed", version)) = text.split_once('\t') {
            let listing = run(Command::new("dpkg").args(["-L", name]));
            let files = String::from_utf8_lossy(&listing)
                .lines()
                .map(PathBuf::from)
                .filter(|p| p.is_file())
                .collect();
            return Some(DebianPackage {
                files,
                version: version.to_owned(),
                _unpacked: None,
            });
        }
    }
    let tmp = tempfile::tempdir().ok()?;
    let Some(deb) = cached_deb(name).or_else(|| download_deb(name, tmp.path())) else {
        unavailable(&format!(
            "Debian package {name} (not installed, not in $PORTCULLIS_CACHE/debs, apt-get download failed)"
        ));
        return None;
    };
    let root = tmp.path().join("root");
    run(Command::new("dpkg-deb").arg("-x").arg(&deb).arg(&root));
    let version = String::from_utf8_lossy(&run(Command::new("dpkg-deb")
        .arg("-f")
        .arg(&deb)
        .arg("Version")))
    .trim()
    .to_owned();
    let mut files = Vec::new();
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).ok()?.flatten() {
            let path = entry.path();
            match entry.file_type() {
                Ok(t) if t.is_dir() => stack.push(path),
                Ok(t) if t.is_file() => files.push(path),
                _ => {}
            }
        }
    }
    Some(DebianPackage {
        files,
        version,
        _unpacked: Some(tmp),
    })
}

/// A reader handing out at most a few odd-sized bytes per call, to shake
/// out chunk-boundary bugs.
pub(crate) struct Dribble<'a> {
    pub(crate) data: &'a [u8],
    pub(crate) calls: usize,
}

impl std::io::Read for Dribble<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        const SIZES: [usize; 6] = [1, 7, 13, 4093, 65_537, 3];
        let n = SIZES[self.calls % SIZES.len()]
            .min(buf.len())
            .min(self.data.len());
        self.calls += 1;
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}
