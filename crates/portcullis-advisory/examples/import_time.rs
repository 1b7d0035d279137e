//! Parses a tree (default: the shared vulndata) with `import_path` and
//! prints how long it took and what it found. No DB is written.
//!
//! `cargo run --release -p portcullis-advisory --example import_time [PATH]`
#![allow(clippy::print_stdout)] // the output is the point

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use portcullis_advisory::{import::import_path, ImportItem};

fn main() {
    let path = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/vulndata")
        });
    let mut by_source: BTreeMap<String, u64> = BTreeMap::new();
    let start = Instant::now();
    let report = import_path(&path, &mut |item| {
        let source = match item {
            ImportItem::Advisory(a) => a.source,
            ImportItem::Cvss { .. } => "nvd (cvss)".to_owned(),
        };
        *by_source.entry(source).or_default() += 1;
    });
    let elapsed = start.elapsed();
    let report = match report {
        Ok(r) => r,
        Err(e) => {
            println!("error: {e}");
            std::process::exit(1);
        }
    };
    println!("{}: {:.3} s", path.display(), elapsed.as_secs_f64());
    println!(
        "files {}, records {}, ignored {}, skipped {}",
        report.files,
        report.records,
        report.ignored,
        report.skipped.len()
    );
    for (source, n) in by_source {
        println!("  {source}: {n}");
    }
    for s in report.skipped.iter().take(20) {
        println!("  skipped {}: {}", s.file, s.reason);
    }
}
