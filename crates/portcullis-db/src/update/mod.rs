//! `portcullis db update`: download the public feeds (SPEC §3) into a cache
//! beside the DB, then rebuild the DB from the cache and swap it in.
//!
//! **Fail-closed.** The update is all or nothing: if any enabled feed cannot
//! be fetched (unreachable, HTTP error, dropped or stalled connection, too
//! big) or is not usable data (an HTML error page served with 200, a
//! truncated zip, random bytes: anything that imports zero records), the
//! update stops with an error naming the feed, and the DB stays exactly as
//! it was. A DB silently missing one ecosystem would make scans report
//! "clean" for images they cannot judge; an explicit `--source NAME=off`
//! is the way to build without a feed that is down.
//!
//! **Two phases.**
//! 1. Fetch, feed by feed (sorted by name): a conditional GET (ETag /
//!    Last-Modified from the cache sidecar); 304 reuses the cached file.
//!    New bytes stream to `<feed>.part`, are checked against
//!    `Content-Length`, imported once with a counting sink (at least one
//!    record, or the feed is garbage), and only then renamed over the cached
//!    copy. So a bad response never replaces a good cached file, and feeds
//!    that were fetched before another one failed stay cached for the next
//!    run (which then gets 304s for them).
//! 2. Build: a fresh DB via [`DbBuilder::create`] from the cached files, in
//!    feed-name order, one `sources` row per feed; [`DbBuilder::finish`]
//!    swaps it in atomically. Any error drops the builder, which deletes its
//!    temporary file.
//!
//! The library prints nothing: the caller gets [`Progress`] events.
//!
//! Not done here: resuming a half-downloaded file with `Range` requests
//! (a dropped download starts over on the next run), and a cap on the total
//! time of a download that keeps trickling bytes (the stall timeout only
//! catches a server that stops sending). Concurrent updates of the same DB
//! directory are not coordinated (both build valid files; the last rename
//! wins).

mod cache;
mod feeds;
mod fetch;
mod redact;

use std::path::{Path, PathBuf};
use std::time::Duration;

use portcullis_advisory::import::{import_path, ImportReport};
use portcullis_advisory::ImportItem;

use crate::build::now_rfc3339;
use crate::{DbBuilder, DbError, SourceRecord};

use cache::{extension_for, Cache, Cached, Scratch, Sidecar};
use feeds::{enabled_feeds, Enabled, Location};
use fetch::{copy_file, Fetched, Http};
use redact::Redactor;

pub use feeds::{default_feeds, parse_source, resolve_feeds, Feed, SourceOverride, SourceTarget};

/// Everything `db update` can be told.
#[derive(Clone, Debug)]
pub struct UpdateOptions {
    /// The DB file; the download cache is `<its directory>/downloads/`.
    pub db: PathBuf,
    /// `--source NAME=URL|off`, applied in order.
    pub sources: Vec<SourceOverride>,
    /// `--no-default-sources`: start from no feeds at all.
    pub no_defaults: bool,
    /// `--proxy URL` (credentials allowed, never shown). Without it,
    /// `HTTPS_PROXY`/`HTTP_PROXY`/`ALL_PROXY` and `NO_PROXY` apply.
    pub proxy: Option<String>,
    /// Extra PEM CA certificates, trusted besides the system's.
    pub ca_bundle: Option<PathBuf>,
    /// Longest wait for the response headers or for the next body bytes.
    pub stall_timeout: Duration,
    /// Longest wait for a TCP (and proxy) connection.
    pub connect_timeout: Duration,
    /// Largest download accepted for one feed.
    pub max_bytes: u64,
}

impl Default for UpdateOptions {
    fn default() -> UpdateOptions {
        UpdateOptions {
            db: crate::default_path(),
            sources: Vec::new(),
            no_defaults: false,
            proxy: None,
            ca_bundle: None,
            stall_timeout: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(30),
            // The biggest OSV export (npm) is a few hundred MB; NVD mirrors
            // are larger. The cap exists so a lying server cannot fill the
            // disk, not to police real feeds.
            max_bytes: 8 << 30,
        }
    }
}

/// What an update reports as it goes (for the CLI's stderr).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Progress {
    /// Fetching a feed starts. `location` is redacted.
    FeedStarted { feed: String, location: String },
    /// Bytes received so far (about every MiB, and once at the end).
    Bytes {
        feed: String,
        received: u64,
        total: Option<u64>,
    },
    /// The cached copy is current (HTTP 304, or an unchanged local file).
    NotModified { feed: String },
    /// A new download passed validation and replaced the cached copy.
    Validated {
        feed: String,
        bytes: u64,
        records: u64,
    },
    /// The feed was imported into the new DB.
    Imported {
        feed: String,
        records: u64,
        skipped: u64,
    },
    /// The new DB is in place; `advisories` as in
    /// [`UpdateSummary::advisories`].
    Finished { advisories: u64 },
}

/// One feed's part in a finished update.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeedSummary {
    pub name: String,
    /// Redacted URL or path.
    pub location: String,
    /// Records imported (advisories, and CVSS records for NVD).
    pub records: u64,
    /// Files or records the importer skipped.
    pub skipped: u64,
    /// Whether the cached copy was reused (304 / unchanged file).
    pub from_cache: bool,
}

/// What a successful update did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UpdateSummary {
    /// The DB file that was replaced.
    pub db: PathBuf,
    /// Per feed, in the order they were imported (by name).
    pub feeds: Vec<FeedSummary>,
    /// Advisory records written to the new DB (one that two feeds both
    /// carry under the same source and id is counted twice and stored once;
    /// `Db::status` has the stored count).
    pub advisories: u64,
}

/// Why one feed could not be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum FeedFailure {
    /// No response: DNS, connection, TLS, proxy, redirect loop.
    #[error("unreachable: {0}")]
    Unreachable(String),
    /// A status other than 200 (or 304 to a conditional request).
    #[error("the server answered HTTP {status}")]
    Http { status: u16 },
    /// Nothing arrived for the stall timeout.
    #[error("no data for {secs} s (stalled after {got} bytes)")]
    Stalled { secs: f64, got: u64 },
    /// The body ended early or the connection broke.
    #[error("download interrupted after {got} bytes{}: {reason}", of_expected(.expected))]
    Interrupted {
        got: u64,
        expected: Option<u64>,
        reason: String,
    },
    /// The body is bigger than [`UpdateOptions::max_bytes`].
    #[error("download bigger than the limit of {limit} bytes")]
    TooLarge { limit: u64 },
    /// The bytes are not vulnerability data we can read.
    #[error("not usable vulnerability data: {0}")]
    Invalid(String),
    /// A local file could not be read or the cache written.
    #[error("{0}")]
    Io(String),
}

fn of_expected(expected: &Option<u64>) -> String {
    expected.map(|n| format!(" of {n}")).unwrap_or_default()
}

/// Everything that stops an update. The DB is unchanged whenever one is
/// returned.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UpdateError {
    /// A malformed `--source` (a usage error).
    #[error("invalid --source {arg:?}: {reason}")]
    BadSource { arg: String, reason: String },
    /// A malformed `--proxy` or unreadable CA bundle (a usage error).
    #[error("{0}")]
    BadOption(String),
    /// Every feed is off.
    #[error("no feeds to update from: all are off (with --no-default-sources, name feeds with --source NAME=URL)")]
    NoFeeds,
    /// One feed failed; the update stopped there.
    #[error("feed {feed} ({location}): {reason}")]
    Feed {
        feed: String,
        location: String,
        reason: FeedFailure,
    },
    /// The download cache directory is unusable.
    #[error("download cache {}: {reason}", path.display())]
    Cache { path: PathBuf, reason: String },
    /// Writing a feed's records into the new DB failed.
    #[error("feed {feed}: writing the new DB: {source}")]
    Import {
        feed: String,
        #[source]
        source: DbError,
    },
    /// Building or swapping the DB failed.
    #[error(transparent)]
    Db(#[from] DbError),
}

/// Runs `db update`. On error the DB file is untouched.
pub fn update(
    opts: &UpdateOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<UpdateSummary, UpdateError> {
    let feeds = enabled_feeds(opts)?;
    if feeds.is_empty() {
        return Err(UpdateError::NoFeeds);
    }
    let redactor = Redactor::new(opts.proxy.iter().map(String::as_str).chain(
        opts.sources.iter().filter_map(|o| match &o.target {
            SourceTarget::Url(u) => Some(u.as_str()),
            SourceTarget::Off => None,
        }),
    ));
    let http = if feeds
        .iter()
        .any(|f| matches!(f.location, Location::Http(_)))
    {
        Some(Http::new(opts, &redactor)?)
    } else {
        None
    };
    let cache = Cache::for_db(&opts.db);
    cache.create().map_err(|e| UpdateError::Cache {
        path: cache.dir().to_owned(),
        reason: e.to_string(),
    })?;

    let mut ready = Vec::with_capacity(feeds.len());
    for feed in &feeds {
        let fetcher = Fetcher {
            http: http.as_ref(),
            cache: &cache,
            max_bytes: opts.max_bytes,
        };
        let r = fetcher
            .fetch(feed, progress)
            .map_err(|reason| feed_error(feed, reason, &redactor))?;
        ready.push(r);
    }

    let mut builder = DbBuilder::create(&opts.db)?;
    let mut summary = Vec::with_capacity(ready.len());
    for r in &ready {
        let report = import_into(&mut builder, &r.path).map_err(|e| match e {
            Imported::Db(source) => UpdateError::Import {
                feed: r.feed.name.clone(),
                source,
            },
            Imported::Root(reason) => feed_error(r.feed, reason, &redactor),
        })?;
        if report.records == 0 {
            // Validated when fetched, so this is a cached file that changed
            // under us, or a local directory without data.
            return Err(feed_error(
                r.feed,
                FeedFailure::Invalid(no_records(&report)),
                &redactor,
            ));
        }
        let skipped = report.skipped.len() as u64;
        let location = r.feed.location.display();
        builder.record_source(&SourceRecord {
            name: r.feed.name.clone(),
            location: location.clone(),
            records: report.records,
            skipped,
            etag: r.etag.clone(),
            last_modified: r.last_modified.clone(),
        })?;
        progress(Progress::Imported {
            feed: r.feed.name.clone(),
            records: report.records,
            skipped,
        });
        summary.push(FeedSummary {
            name: r.feed.name.clone(),
            location,
            records: report.records,
            skipped,
            from_cache: r.from_cache,
        });
    }
    let advisories = builder.advisories_added();
    builder.finish()?;
    progress(Progress::Finished { advisories });
    Ok(UpdateSummary {
        db: opts.db.clone(),
        feeds: summary,
        advisories,
    })
}

fn feed_error(feed: &Enabled, reason: FeedFailure, redactor: &Redactor) -> UpdateError {
    let reason = match reason {
        FeedFailure::Unreachable(s) => FeedFailure::Unreachable(redactor.text(&s)),
        FeedFailure::Interrupted {
            got,
            expected,
            reason,
        } => FeedFailure::Interrupted {
            got,
            expected,
            reason: redactor.text(&reason),
        },
        FeedFailure::Invalid(s) => FeedFailure::Invalid(redactor.text(&s)),
        FeedFailure::Io(s) => FeedFailure::Io(redactor.text(&s)),
        other => other,
    };
    UpdateError::Feed {
        feed: feed.name.clone(),
        location: feed.location.display(),
        reason,
    }
}

/// A feed ready to import: the file (or local directory) and the validators
/// to record.
struct Ready<'a> {
    feed: &'a Enabled,
    path: PathBuf,
    etag: Option<String>,
    last_modified: Option<String>,
    from_cache: bool,
}

struct Fetcher<'a> {
    http: Option<&'a Http>,
    cache: &'a Cache,
    max_bytes: u64,
}

impl Fetcher<'_> {
    fn fetch<'f>(
        &self,
        feed: &'f Enabled,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<Ready<'f>, FeedFailure> {
        let name = feed.name.as_str();
        let location = feed.location.display();
        progress(Progress::FeedStarted {
            feed: name.to_owned(),
            location: location.clone(),
        });
        // A local directory is imported where it is: there is nothing to
        // download, and copying a tree into the cache would buy nothing.
        if let Location::File(dir) = &feed.location {
            if dir.is_dir() {
                return Ok(Ready {
                    feed,
                    path: dir.clone(),
                    etag: None,
                    last_modified: None,
                    from_cache: false,
                });
            }
        }
        self.cache.clear_scratch(name);
        let cached = self.cache.load(name, &location);
        let part = self.cache.part_path(name);
        // Whatever happens below, no `.part` file outlives this call.
        let mut scratch = Scratch::default();
        scratch.track(part.clone());
        let (fetched, hint) = match &feed.location {
            Location::Http(url) => {
                let Some(http) = self.http else {
                    return Err(FeedFailure::Io("no HTTP client".into()));
                };
                let mut bytes = |received, total| {
                    progress(Progress::Bytes {
                        feed: name.to_owned(),
                        received,
                        total,
                    })
                };
                let hint = url
                    .path_segments()
                    .and_then(|mut s| s.next_back())
                    .map(str::to_owned);
                let fetched = http.get(url, cached.as_ref().map(|c| &c.meta), &part, &mut bytes)?;
                (fetched, hint)
            }
            Location::File(path) => {
                let fetched = copy_file(
                    path,
                    cached.as_ref().map(|c| &c.meta),
                    &part,
                    self.max_bytes,
                )?;
                let hint = path.file_name().map(|n| n.to_string_lossy().into_owned());
                (fetched, hint)
            }
        };
        match fetched {
            Fetched::NotModified {
                etag,
                last_modified,
            } => {
                let Some(Cached { mut meta, path }) = cached else {
                    return Err(FeedFailure::Io(
                        "told the cached copy is current, but there is none".into(),
                    ));
                };
                // A 304 may carry fresher validators; keep them for next time.
                let changed = (etag.is_some() && etag != meta.etag)
                    || (last_modified.is_some() && last_modified != meta.last_modified);
                if changed {
                    meta.etag = etag.or(meta.etag);
                    meta.last_modified = last_modified.or(meta.last_modified);
                    let _ = self.cache.write_meta(name, &meta);
                }
                progress(Progress::NotModified {
                    feed: name.to_owned(),
                });
                Ok(Ready {
                    feed,
                    path,
                    etag: meta.etag,
                    last_modified: meta.last_modified,
                    from_cache: true,
                })
            }
            Fetched::New {
                size,
                sha256,
                etag,
                last_modified,
            } => {
                let ext = extension_for(hint.as_deref(), &part);
                let candidate = self.cache.candidate_path(name, ext);
                scratch.track(candidate.clone());
                std::fs::rename(&part, &candidate)
                    .map_err(|e| fetch::local_io("renaming", &part, &e))?;
                let report = validate(&candidate)?;
                let mut meta = Sidecar {
                    url: location,
                    file: String::new(),
                    size,
                    sha256,
                    etag,
                    last_modified,
                    fetched_at: now_rfc3339(),
                };
                let path = self
                    .cache
                    .promote(name, &candidate, ext, &mut meta)
                    .map_err(|e| fetch::local_io("storing", &candidate, &e))?;
                progress(Progress::Validated {
                    feed: name.to_owned(),
                    bytes: size,
                    records: report.records,
                });
                Ok(Ready {
                    feed,
                    path,
                    etag: meta.etag,
                    last_modified: meta.last_modified,
                    from_cache: false,
                })
            }
        }
    }
}

/// A new download is usable when it imports at least one record. That
/// rejects what a broken server or a captive portal sends with a 200: HTML,
/// truncated zips (no central directory), random bytes.
fn validate(file: &Path) -> Result<ImportReport, FeedFailure> {
    let report = import_path(file, &mut |_: ImportItem| {})
        .map_err(|e| FeedFailure::Invalid(fetch::error_chain(&e)))?;
    if report.records == 0 {
        return Err(FeedFailure::Invalid(no_records(&report)));
    }
    Ok(report)
}

fn no_records(report: &ImportReport) -> String {
    let mut text = format!(
        "no advisory records in it ({} data files, {} skipped",
        report.files,
        report.skipped.len()
    );
    if let Some(first) = report.skipped.first() {
        text.push_str(&format!("; first: {}", first.reason));
    }
    text.push(')');
    text
}

enum Imported {
    Db(DbError),
    Root(FeedFailure),
}

/// Imports one file or tree into the builder. The importer's sink cannot
/// fail, so the first DB error is kept and the rest of the feed skipped.
fn import_into(builder: &mut DbBuilder, path: &Path) -> Result<ImportReport, Imported> {
    let mut failed: Option<DbError> = None;
    let report = import_path(path, &mut |item: ImportItem| {
        if failed.is_none() {
            if let Err(e) = builder.add(&item) {
                failed = Some(e);
            }
        }
    })
    .map_err(|e| Imported::Root(FeedFailure::Io(fetch::error_chain(&e))))?;
    match failed {
        Some(e) => Err(Imported::Db(e)),
        None => Ok(report),
    }
}
