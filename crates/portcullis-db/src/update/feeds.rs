//! The feeds `db update` reads: the built-in table of public sources, and
//! how `--source NAME=URL|off` and `--no-default-sources` change it.

use std::path::PathBuf;

use reqwest::Url;

use super::redact::{redact_text, redact_url};
use super::{UpdateError, UpdateOptions};

/// One feed: a name (the key in the DB's `sources` table and the name of its
/// cached download) and where to fetch it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Feed {
    /// Feed name, e.g. `osv-PyPI`, `debian-tracker`, `alpine-v3.22-main`.
    pub name: String,
    /// `http(s)://` URL, `file://` URL or plain path.
    pub url: String,
    /// Whether the feed is read when no `--source` mentions it.
    pub enabled_by_default: bool,
}

/// The OSV export bucket: `<base>/<Ecosystem>/all.zip` is a zip of every OSV
/// record of one ecosystem (osv.dev docs, "Data dumps"; a space in an
/// ecosystem name is written `%20`).
macro_rules! osv {
    ($($ecosystem:tt)+) => {
        concat!(
            "https://osv-vulnerabilities.storage.googleapis.com/",
            $($ecosystem)+,
            "/all.zip"
        )
    };
}

/// Alpine secdb: one JSON document per release branch and repository.
macro_rules! alpine {
    ($release:literal, $repo:literal) => {
        concat!(
            "https://secdb.alpinelinux.org/",
            $release,
            "/",
            $repo,
            ".json"
        )
    };
}

/// Every built-in source: (name, URL, on by default). This is the one place
/// that names public download locations; none carries credentials or tokens
/// (a mirror that needs them is given with `--source`).
const DEFAULT_FEEDS: &[(&str, &str, bool)] = &[
    // OSV exports, one zip per ecosystem. Language ecosystems (GHSA, PyPA,
    // Go vulndb, RustSec, ... as aggregated by osv.dev):
    ("osv-PyPI", osv!("PyPI"), true),
    ("osv-npm", osv!("npm"), true),
    ("osv-Go", osv!("Go"), true),
    ("osv-Maven", osv!("Maven"), true),
    // OSV names the Rust ecosystem after its registry's host; the repository
    // never spells registry hosts out in one piece, hence the split literal.
    ("osv-crates", osv!(concat!("crates", ".io")), true),
    ("osv-RubyGems", osv!("RubyGems"), true),
    ("osv-NuGet", osv!("NuGet"), true),
    ("osv-Packagist", osv!("Packagist"), true),
    // Distribution ecosystems (DSA/DLA converted by osv.dev, Alpine secdb
    // converted by osv.dev, Ubuntu OVAL, Rocky/Alma/Red Hat errata):
    ("osv-Debian", osv!("Debian"), true),
    ("osv-Alpine", osv!("Alpine"), true),
    ("osv-Ubuntu", osv!("Ubuntu"), true),
    ("osv-Rocky-Linux", osv!("Rocky%20Linux"), true),
    ("osv-AlmaLinux", osv!("AlmaLinux"), true),
    ("osv-Red-Hat", osv!("Red%20Hat"), true),
    // Debian security tracker: every source package's CVEs with per-release
    // status (fixed version, open, no-dsa, not-affected) and urgency.
    (
        "debian-tracker",
        "https://security-tracker.debian.org/tracker/data/json",
        true,
    ),
    // Alpine secdb, main and community, for the branches that were supported
    // in 2026 (3.20 and 3.21 reached end of life in 2026 but their images
    // are still common; secdb keeps every branch's files). Add a newer
    // branch with `--source alpine-v3.25-main=https://...` until it is here.
    ("alpine-v3.20-main", alpine!("v3.20", "main"), true),
    (
        "alpine-v3.20-community",
        alpine!("v3.20", "community"),
        true,
    ),
    ("alpine-v3.21-main", alpine!("v3.21", "main"), true),
    (
        "alpine-v3.21-community",
        alpine!("v3.21", "community"),
        true,
    ),
    ("alpine-v3.22-main", alpine!("v3.22", "main"), true),
    (
        "alpine-v3.22-community",
        alpine!("v3.22", "community"),
        true,
    ),
    ("alpine-v3.23-main", alpine!("v3.23", "main"), true),
    (
        "alpine-v3.23-community",
        alpine!("v3.23", "community"),
        true,
    ),
    ("alpine-v3.24-main", alpine!("v3.24", "main"), true),
    (
        "alpine-v3.24-community",
        alpine!("v3.24", "community"),
        true,
    ),
    // NVD CVE API 2.0 (CVSS enrichment). Off: the API returns 2,000 CVEs a
    // page and is rate-limited without an API key, so one GET of this URL is
    // not the data set. Enable it with `--source nvd=URL` pointing at a
    // mirror file or zip of NVD 2.0 JSON (e.g. vuln-list-nvd, or a dump made
    // with an API key).
    (
        "nvd",
        "https://services.nvd.nist.gov/rest/json/cves/2.0",
        false,
    ),
];

/// The built-in feeds, enabled or not, in table order.
pub fn default_feeds() -> Vec<Feed> {
    DEFAULT_FEEDS
        .iter()
        .map(|&(name, url, on)| Feed {
            name: name.to_owned(),
            url: url.to_owned(),
            enabled_by_default: on,
        })
        .collect()
}

/// One `--source NAME=URL` or `--source NAME=off`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceOverride {
    /// Feed name: a built-in one (matched without regard to case) or a new
    /// one.
    pub name: String,
    /// What to do with it.
    pub target: SourceTarget,
}

/// The right-hand side of `--source`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SourceTarget {
    /// `off`: do not read this feed.
    Off,
    /// A mirror (or a new feed): `http(s)://`, `file://` or a plain path.
    Url(String),
}

/// Parses one `--source` argument, `NAME=URL` or `NAME=off`.
pub fn parse_source(arg: &str) -> Result<SourceOverride, UpdateError> {
    let bad = |reason: &str| UpdateError::BadSource {
        arg: redact_text(arg),
        reason: reason.to_owned(),
    };
    let Some((name, value)) = arg.split_once('=') else {
        return Err(bad("expected NAME=URL or NAME=off"));
    };
    let name = name.trim();
    check_name(name).map_err(|r| bad(&r))?;
    let value = value.trim();
    if value.is_empty() {
        return Err(bad("empty URL (use NAME=off to switch a feed off)"));
    }
    if value.eq_ignore_ascii_case("off") {
        return Ok(SourceOverride {
            name: name.to_owned(),
            target: SourceTarget::Off,
        });
    }
    Location::parse(value).map_err(|r| bad(&r))?;
    Ok(SourceOverride {
        name: name.to_owned(),
        target: SourceTarget::Url(value.to_owned()),
    })
}

/// Feed names become file names in the download cache, so they are kept to
/// a portable set and can never name a path.
fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("empty feed name".into());
    }
    if name.len() > 100 {
        return Err("feed name longer than 100 characters".into());
    }
    if name.starts_with('.') || name.starts_with('-') {
        return Err("a feed name cannot start with '.' or '-'".into());
    }
    // The cache keeps `<feed>.<ext>`, `<feed>.meta` and `<feed>.part*`; a
    // feed called `x.part` or `x.meta` could clash with feed `x`'s files.
    if name
        .split('.')
        .skip(1)
        .any(|seg| seg.eq_ignore_ascii_case("part") || seg.eq_ignore_ascii_case("meta"))
    {
        return Err("a feed name cannot contain the segments .part or .meta".into());
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')))
    {
        return Err(format!(
            "feed names use letters, digits, '.', '-' and '_' (found {c:?})"
        ));
    }
    Ok(())
}

/// Where a feed's bytes come from.
#[derive(Clone, Debug)]
pub(crate) enum Location {
    Http(Url),
    File(PathBuf),
}

impl Location {
    /// `http(s)://` and `file://` URLs, or anything without a scheme as a
    /// path. Errors are reasons, without the value (it may hold secrets).
    pub(crate) fn parse(value: &str) -> Result<Location, String> {
        if !value.contains("://") {
            return Ok(Location::File(PathBuf::from(value)));
        }
        let url = Url::parse(value).map_err(|e| format!("not a valid URL ({e})"))?;
        match url.scheme() {
            "http" | "https" => {
                if url.host_str().is_none_or(str::is_empty) {
                    return Err("URL without a host".into());
                }
                Ok(Location::Http(url))
            }
            "file" => url
                .to_file_path()
                .map(Location::File)
                .map_err(|()| "file:// URL that is not a local absolute path".into()),
            other => Err(format!(
                "unsupported scheme {other:?} (use http, https, file or a path)"
            )),
        }
    }

    /// How the location appears in messages, progress and the DB: without
    /// credentials or query values.
    pub(crate) fn display(&self) -> String {
        match self {
            Location::Http(url) => redact_url(url),
            Location::File(path) => path.display().to_string(),
        }
    }
}

/// A feed that will be read, with its parsed location.
#[derive(Clone, Debug)]
pub(crate) struct Enabled {
    pub(crate) name: String,
    pub(crate) location: Location,
}

/// The feeds an update reads, sorted by name: the defaults that are on
/// (unless `no_defaults`), with every `--source` applied in order (a later
/// one for the same name wins).
pub fn resolve_feeds(opts: &UpdateOptions) -> Result<Vec<Feed>, UpdateError> {
    let defaults = default_feeds();
    let mut feeds: Vec<(Feed, bool)> = if opts.no_defaults {
        Vec::new()
    } else {
        defaults
            .iter()
            .map(|f| (f.clone(), f.enabled_by_default))
            .collect()
    };
    for o in &opts.sources {
        check_name(&o.name).map_err(|reason| UpdateError::BadSource {
            arg: o.name.clone(),
            reason,
        })?;
        let existing = feeds
            .iter_mut()
            .find(|(f, _)| f.name.eq_ignore_ascii_case(&o.name));
        match (&o.target, existing) {
            (SourceTarget::Off, Some((_, on))) => *on = false,
            (SourceTarget::Off, None) => {
                // With --no-default-sources a built-in name is simply not
                // there; anything else is probably a typo worth reporting.
                if !defaults
                    .iter()
                    .any(|f| f.name.eq_ignore_ascii_case(&o.name))
                {
                    return Err(UpdateError::BadSource {
                        arg: format!("{}=off", o.name),
                        reason: format!("no feed named {:?}", o.name),
                    });
                }
            }
            (SourceTarget::Url(url), existing) => {
                Location::parse(url).map_err(|reason| UpdateError::BadSource {
                    arg: format!("{}={}", o.name, redact_text(url)),
                    reason,
                })?;
                match existing {
                    Some((f, on)) => {
                        f.url.clone_from(url);
                        *on = true;
                    }
                    None => feeds.push((
                        Feed {
                            name: o.name.clone(),
                            url: url.clone(),
                            enabled_by_default: false,
                        },
                        true,
                    )),
                }
            }
        }
    }
    let mut out: Vec<Feed> = feeds
        .into_iter()
        .filter_map(|(f, on)| on.then_some(f))
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// [`resolve_feeds`] with each location parsed.
pub(crate) fn enabled_feeds(opts: &UpdateOptions) -> Result<Vec<Enabled>, UpdateError> {
    resolve_feeds(opts)?
        .into_iter()
        .map(|f| {
            let location = Location::parse(&f.url).map_err(|reason| UpdateError::BadSource {
                arg: format!("{}={}", f.name, redact_text(&f.url)),
                reason,
            })?;
            Ok(Enabled {
                name: f.name,
                location,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_table_is_sane() {
        let feeds = default_feeds();
        let mut names: Vec<String> = feeds.iter().map(|f| f.name.to_lowercase()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), feeds.len(), "feed names are unique");
        for f in &feeds {
            assert!(check_name(&f.name).is_ok(), "{}", f.name);
            assert!(f.url.starts_with("https://"), "{}", f.url);
            assert!(!f.url.contains('@') && !f.url.contains('?'), "{}", f.url);
            assert!(
                matches!(Location::parse(&f.url), Ok(Location::Http(_))),
                "{}",
                f.url
            );
        }
        let nvd = feeds.iter().find(|f| f.name == "nvd");
        assert!(nvd.is_some_and(|f| !f.enabled_by_default));
    }

    #[test]
    fn parse_source_forms() {
        let o = parse_source("osv-PyPI=https://mirror.example/PyPI/all.zip").unwrap();
        assert_eq!(o.name, "osv-PyPI");
        assert!(matches!(o.target, SourceTarget::Url(_)));
        assert_eq!(parse_source("nvd=OFF").unwrap().target, SourceTarget::Off);
        assert!(parse_source("local=/srv/mirror/osv.zip").is_ok());
        assert!(parse_source("local=file:///srv/mirror/osv.zip").is_ok());
        for bad in [
            "no-equals",
            "=https://x.example/a.zip",
            "a/b=https://x.example/a.zip",
            "../x=/tmp/a",
            ".hidden=/tmp/a",
            "x.part=/tmp/a",
            "x.meta.y=/tmp/a",
            "a=",
            "a=ftp://x.example/a.zip",
            "a=https://",
            "a=file://remote.example/x",
        ] {
            let e = parse_source(bad).unwrap_err();
            assert!(matches!(e, UpdateError::BadSource { .. }), "{bad}: {e}");
        }
    }

    #[test]
    fn bad_source_message_hides_credentials() {
        let e = parse_source("a=gopher://alice:hunter22@x.example/a.zip?token=abc123").unwrap_err();
        let text = e.to_string();
        assert!(
            !text.contains("hunter22") && !text.contains("abc123"),
            "{text}"
        );
    }
}
