//! The command line (SPEC §13). Keep it stable: CI templates depend on it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "portcullis",
    version,
    about = "Keeps vulnerable container images out of registries and production."
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
    /// Print no progress on stderr (warnings and errors still appear).
    #[arg(short, long, global = true, env = "PORTCULLIS_QUIET")]
    pub(crate) quiet: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Write the software bill of materials of an image.
    Sbom(SbomArgs),
    /// Build, update and inspect the vulnerability DB.
    #[command(subcommand)]
    Db(DbCommand),
    /// Explain why a vulnerability is, or is not, reported for an image.
    Explain(ExplainArgs),
    /// Print the version.
    Version,
}

/// How to reach images (shared by every command that reads one).
#[derive(Debug, Args)]
pub(crate) struct SourceArgs {
    /// Platform to pick from multi-platform images, as OS/ARCH.
    #[arg(long, value_name = "OS/ARCH", env = "PORTCULLIS_PLATFORM")]
    pub(crate) platform: Option<String>,
    /// Docker Engine API endpoint (unix:///var/run/docker.sock, tcp://HOST:PORT;
    /// default DOCKER_HOST, else the local socket).
    #[arg(long, value_name = "URL")]
    pub(crate) docker_url: Option<String>,
    /// Directory holding ca.pem, cert.pem and key.pem for a TLS Docker endpoint.
    #[arg(long, value_name = "DIR")]
    pub(crate) docker_cert_path: Option<PathBuf>,
    /// Registry host[:port] that may be reached over plain HTTP or
    /// unverified TLS (repeatable; loopback registries always may).
    #[arg(long, value_name = "HOST")]
    pub(crate) insecure_registry: Vec<String>,
    /// Extra PEM CA certificates to trust for registries, besides the system roots.
    #[arg(long, value_name = "FILE", env = "PORTCULLIS_CA_BUNDLE")]
    pub(crate) ca_bundle: Option<PathBuf>,
    /// Layers read at the same time (default: the number of CPUs).
    #[arg(long, value_name = "N")]
    pub(crate) threads: Option<usize>,
}

#[derive(Debug, Args)]
pub(crate) struct SbomArgs {
    /// The image: docker:NAME, docker-archive:PATH, oci-dir:PATH[:TAG],
    /// oci-archive:PATH, registry:HOST/REPO[:TAG|@DIGEST], dir:PATH.
    #[arg(value_name = "IMAGE")]
    pub(crate) image: String,
    /// Output as FORMAT[=PATH] (repeatable); FORMAT is json, cyclonedx-json
    /// or spdx-json; without PATH the document goes to stdout.
    #[arg(
        short = 'o',
        long = "output",
        value_name = "FORMAT[=PATH]",
        default_value = "json"
    )]
    pub(crate) outputs: Vec<String>,
    #[command(flatten)]
    pub(crate) source: SourceArgs,
}

/// Which DB file to use.
#[derive(Debug, Args)]
pub(crate) struct DbPathArg {
    /// The DB file (default: $XDG_CACHE_HOME/portcullis/db/portcullis.db).
    #[arg(long = "db", value_name = "FILE", env = "PORTCULLIS_DB")]
    pub(crate) db: Option<PathBuf>,
}

impl DbPathArg {
    pub(crate) fn path(&self) -> PathBuf {
        self.db.clone().unwrap_or_else(portcullis_db::default_path)
    }
}

#[derive(Debug, Subcommand)]
pub(crate) enum DbCommand {
    /// Build or extend the DB from local files, directory trees and zips
    /// (OSV JSON/YAML, Debian tracker JSON and DSA/DLA lists, vuln-list-debian,
    /// Alpine secdb, NVD 2.0, nodejs security-wg).
    Import(DbImportArgs),
    /// Download the public sources and rebuild the DB (atomically).
    Update(DbUpdateArgs),
    /// Print the DB's age, sources and counts.
    Status(DbStatusArgs),
}

#[derive(Debug, Args)]
pub(crate) struct DbImportArgs {
    /// Files, directories or zips to import.
    #[arg(value_name = "PATH", required = true)]
    pub(crate) paths: Vec<PathBuf>,
    #[command(flatten)]
    pub(crate) db: DbPathArg,
}

#[derive(Debug, Args)]
pub(crate) struct DbUpdateArgs {
    #[command(flatten)]
    pub(crate) db: DbPathArg,
    /// Point a feed at a mirror (NAME=URL, also file paths), add a feed, or
    /// switch one off (NAME=off). Repeatable.
    #[arg(long = "source", value_name = "NAME=URL")]
    pub(crate) sources: Vec<String>,
    /// Start from no feeds at all (only the --source ones).
    #[arg(long)]
    pub(crate) no_default_sources: bool,
    /// Proxy URL for the downloads (default: HTTPS_PROXY / NO_PROXY).
    #[arg(long, value_name = "URL", env = "PORTCULLIS_PROXY")]
    pub(crate) proxy: Option<String>,
    /// Extra PEM CA certificates to trust for the downloads.
    #[arg(long, value_name = "FILE", env = "PORTCULLIS_CA_BUNDLE")]
    pub(crate) ca_bundle: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct DbStatusArgs {
    #[command(flatten)]
    pub(crate) db: DbPathArg,
    /// Print JSON instead of text.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct ExplainArgs {
    /// The image (same forms as `sbom`).
    #[arg(value_name = "IMAGE")]
    pub(crate) image: String,
    /// The vulnerability id (CVE, GHSA, PYSEC, DSA, …; any alias works).
    #[arg(value_name = "VULN-ID")]
    pub(crate) vuln_id: String,
    #[command(flatten)]
    pub(crate) db: DbPathArg,
    /// Print JSON instead of text.
    #[arg(long)]
    pub(crate) json: bool,
    #[command(flatten)]
    pub(crate) source: SourceArgs,
}
