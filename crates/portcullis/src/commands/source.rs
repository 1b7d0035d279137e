//! Opening and cataloging an image, shared by the commands that read images.

use std::time::Instant;

use anyhow::Context;
use portcullis_catalog::{catalog_image, Limits};
use portcullis_image::{Image, ImageRef, OpenOptions, PlatformChoice};
use portcullis_types::Inventory;

use crate::cli::SourceArgs;
use crate::exit::UsageError;
use crate::printer::Printer;

pub(crate) fn open_options(args: &SourceArgs) -> Result<OpenOptions, UsageError> {
    let mut options = OpenOptions::default();
    if let Some(p) = &args.platform {
        let (os, arch) = p.split_once('/').ok_or_else(|| {
            UsageError(format!(
                "--platform {p:?}: expected OS/ARCH, e.g. linux/amd64"
            ))
        })?;
        options.platform = PlatformChoice {
            os: os.to_owned(),
            architecture: arch.split('/').next().unwrap_or(arch).to_owned(),
        };
    }
    options.docker.host.clone_from(&args.docker_url);
    options.docker.cert_path.clone_from(&args.docker_cert_path);
    options
        .registry
        .insecure_registries
        .clone_from(&args.insecure_registry);
    options.registry.ca_bundle.clone_from(&args.ca_bundle);
    Ok(options)
}

/// Reads an image and returns what is installed in it.
pub(crate) fn inventory(
    reference: &str,
    args: &SourceArgs,
    printer: &Printer,
) -> anyhow::Result<Inventory> {
    let image = open(reference, args, printer)?;
    catalog(&image, reference, args, printer)
}

/// Opens an image: its metadata (identity, layers) without reading layers.
pub(crate) fn open(reference: &str, args: &SourceArgs, printer: &Printer) -> anyhow::Result<Image> {
    let parsed = ImageRef::parse(reference).map_err(|e| UsageError(e.to_string()))?;
    let options = open_options(args)?;
    printer.progress(&format!("reading {parsed}"));
    Image::open(&parsed, &options).with_context(|| format!("cannot open image {reference}"))
}

/// Reads the layers of an opened image and catalogs what is installed.
pub(crate) fn catalog(
    image: &Image,
    reference: &str,
    args: &SourceArgs,
    printer: &Printer,
) -> anyhow::Result<Inventory> {
    let started = Instant::now();
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, usize::from));
    let set = portcullis_ecosystems::catalog_set();
    let inventory = catalog_image(image, &set, &Limits::default(), threads)
        .with_context(|| format!("cannot read image {reference}"))?;
    printer.progress(&format!(
        "{} packages in {} layers of {} ({:.2} s)",
        inventory.packages.len(),
        inventory.image.layers.len(),
        if inventory.image.image_id.is_empty() {
            reference
        } else {
            &inventory.image.image_id
        },
        started.elapsed().as_secs_f64()
    ));
    for unknown in &inventory.unknowns {
        printer.warn(&format!(
            "{}: {} ({})",
            unknown.location, unknown.reason, unknown.cataloger
        ));
    }
    Ok(inventory)
}
