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
    /// Scan images, evaluate the build-failure policy, write the reports
    /// (exit 0 pass, 1 policy failed, 2 usage, 3 incomplete).
    Scan(Box<ScanArgs>),
    /// Validate a policy file.
    #[command(subcommand)]
    Policy(PolicyCommand),
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

#[derive(Debug, Args)]
pub(crate) struct ScanArgs {
    /// Images (same forms as `sbom`); references to the same image are
    /// scanned once.
    #[arg(value_name = "IMAGE", required = true)]
    pub(crate) images: Vec<String>,
    #[command(flatten)]
    pub(crate) db: DbPathArg,
    /// Policy file (TOML, YAML or JSON); default: portcullis.toml or
    /// .portcullis.yaml in the working directory, if present.
    #[arg(long, value_name = "FILE", env = "PORTCULLIS_POLICY")]
    pub(crate) policy: Option<PathBuf>,
    /// Ignore the global, user and project policy files.
    #[arg(long)]
    pub(crate) no_config: bool,
    #[command(flatten)]
    pub(crate) conditions: ConditionArgs,
    /// Output as FORMAT[=PATH] (repeatable): table, json, summary-json,
    /// qualys-json, html, junit, sarif, gitlab, cyclonedx-json, spdx-json.
    #[arg(
        short = 'o',
        long = "output",
        value_name = "FORMAT[=PATH]",
        default_value = "table"
    )]
    pub(crate) outputs: Vec<String>,
    /// The console table lists excluded and ignored findings too.
    #[arg(long)]
    pub(crate) all_findings: bool,
    /// Where findings come from: local (this machine's DB), qualys, server.
    #[arg(
        long,
        value_name = "BACKEND",
        default_value = "local",
        env = "PORTCULLIS_BACKEND"
    )]
    pub(crate) backend: String,
    #[command(flatten)]
    pub(crate) platform: PlatformArgs,
    /// POST the run's result to this URL (token from PORTCULLIS_WEBHOOK_TOKEN).
    #[arg(long, value_name = "URL", env = "PORTCULLIS_WEBHOOK_URL")]
    pub(crate) webhook_url: Option<String>,
    /// Proxy for the webhook (default: HTTPS_PROXY / NO_PROXY).
    #[arg(long, value_name = "URL", env = "PORTCULLIS_PROXY")]
    pub(crate) proxy: Option<String>,
    /// Name of the CI output variable (Azure DevOps, GitHub Actions).
    #[arg(long, value_name = "NAME", default_value = "imageScanSummary")]
    pub(crate) output_variable: String,
    /// Write the GitLab dotenv file here (default portcullis.env under GitLab CI).
    #[arg(long, value_name = "FILE")]
    pub(crate) ci_dotenv: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) source: SourceArgs,
}

/// The build-failure conditions as flags (SPEC §5, §13); they override the
/// policy file key by key.
#[derive(Debug, Args, Default)]
pub(crate) struct ConditionArgs {
    /// Per severity level the greatest count allowed: 5=0,4=2 (> N fails).
    #[arg(long, value_name = "LEVEL=N,...")]
    pub(crate) fail_severity: Option<String>,
    /// QIDs and ranges whose presence fails: 1-100,200.
    #[arg(long, value_name = "QIDS")]
    pub(crate) fail_qids: Option<String>,
    /// CVEs whose presence fails.
    #[arg(long, value_name = "CVES")]
    pub(crate) fail_cves: Option<String>,
    /// Installed software that fails: 'openssl<3.0.7,curl,.*ssl=1\..*'.
    #[arg(long, value_name = "RULES")]
    pub(crate) fail_software: Option<String>,
    /// CVSS base score at or above which a finding fails.
    #[arg(long, value_name = "SCORE")]
    pub(crate) fail_cvss: Option<String>,
    /// Which CVSS score: 2, 3 or max.
    #[arg(long, value_name = "2|3|max")]
    pub(crate) cvss_version: Option<String>,
    /// Fail when the weighted sum of findings exceeds this.
    #[arg(long, value_name = "N")]
    pub(crate) risk_threshold: Option<String>,
    /// Weights per severity for the risk score (default 5=3,4=1).
    #[arg(long, value_name = "LEVEL=W,...")]
    pub(crate) risk_weights: Option<String>,
    /// Count POTENTIAL findings too.
    #[arg(long)]
    pub(crate) include_potential: bool,
    /// QIDs and ranges that never count.
    #[arg(long, value_name = "QIDS")]
    pub(crate) exclude_qids: Option<String>,
    /// CVEs that never count (a finding is excluded when all its CVEs are).
    #[arg(long, value_name = "CVES")]
    pub(crate) exclude_cves: Option<String>,
    /// Findings with no fix yet do not count.
    #[arg(long)]
    pub(crate) ignore_unfixed: bool,
    /// Distro statuses that do not count: no-dsa,unimportant,...
    #[arg(long, value_name = "STATUSES")]
    pub(crate) ignore_status: Option<String>,
    /// Fail only on findings absent from this earlier `-o json` report.
    #[arg(long, value_name = "REPORT.json")]
    pub(crate) baseline: Option<PathBuf>,
    /// The base image, to attribute findings to base or own layers.
    #[arg(long, value_name = "IMAGE")]
    pub(crate) base_image: Option<String>,
    /// Count only findings from the project's own layers.
    #[arg(long)]
    pub(crate) ignore_base: bool,
    /// Warn when the DB is older than this many days.
    #[arg(long, value_name = "DAYS")]
    pub(crate) db_warn_days: Option<String>,
    /// Fail when the DB is older than this many days.
    #[arg(long, value_name = "DAYS")]
    pub(crate) db_fail_days: Option<String>,
    /// A VEX document (OpenVEX or CycloneDX JSON; repeatable): its
    /// not-affected, false-positive and fixed statements become ignore rules.
    #[arg(long = "vex", value_name = "FILE")]
    pub(crate) vex: Vec<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum PolicyCommand {
    /// Validate a policy file and print what it enables.
    Check(PolicyCheckArgs),
}

#[derive(Debug, Args)]
pub(crate) struct PolicyCheckArgs {
    /// The policy file (TOML, YAML or JSON).
    #[arg(value_name = "FILE")]
    pub(crate) file: PathBuf,
}

/// The platform backends (`--backend qualys|server`): where results come
/// from a Qualys CS-compatible API after the sensor scanned the image.
#[derive(Debug, Args, Default)]
pub(crate) struct PlatformArgs {
    /// Platform URL: portal, API or gateway URL (mapped to the gateway), or
    /// a `portcullis serve` URL.
    #[arg(long, value_name = "URL", env = "PORTCULLIS_API_URL")]
    pub(crate) api_url: Option<String>,
    /// Platform user (password from PORTCULLIS_PASSWORD, --password-file or
    /// --password-stdin; never on the command line).
    #[arg(long, value_name = "USER", env = "PORTCULLIS_USERNAME")]
    pub(crate) username: Option<String>,
    /// Read the password (or the OAuth client secret) from the first line of stdin.
    #[arg(long)]
    pub(crate) password_stdin: bool,
    /// Read the password (or the OAuth client secret) from this file.
    #[arg(long, value_name = "FILE")]
    pub(crate) password_file: Option<PathBuf>,
    /// OAuth client id (`/auth/oidc`; secret from PORTCULLIS_CLIENT_SECRET,
    /// --password-file or --password-stdin).
    #[arg(long, value_name = "ID", env = "PORTCULLIS_CLIENT_ID")]
    pub(crate) client_id: Option<String>,
    /// Seconds between polls, or a product like 2*60 (at least 30).
    #[arg(long, value_name = "EXPR", default_value = "30")]
    pub(crate) poll_interval: String,
    /// Seconds to wait for the platform's result, or a product like 2*60*60.
    #[arg(long, value_name = "EXPR", default_value = "600")]
    pub(crate) timeout: String,
}
