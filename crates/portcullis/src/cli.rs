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
