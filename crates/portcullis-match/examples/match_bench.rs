//! Times the match stage alone: `match_bench DB INVENTORY.json [RUNS]`.
//! Used by `bench/match.sh`; prints one JSON line.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::time::Instant;

// The allocator of the `portcullis` binary, so the figure is the binary's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use portcullis_db::Db;
use portcullis_match::match_inventory;
use portcullis_types::Inventory;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(db), Some(inv)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: match_bench DB INVENTORY.json [RUNS]");
        std::process::exit(2);
    };
    let runs: usize = args.get(3).and_then(|r| r.parse().ok()).unwrap_or(20);
    let inventory: Inventory = serde_json::from_slice(&std::fs::read(inv).expect("read inventory"))
        .expect("inventory JSON");
    // Opening is part of every scan, so it is timed too.
    let mut times = Vec::with_capacity(runs);
    let mut findings = 0;
    for _ in 0..runs {
        let start = Instant::now();
        let db = Db::open(std::path::Path::new(db)).expect("open DB");
        findings = match_inventory(&db, &inventory)
            .expect("match")
            .findings
            .len();
        times.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "{{\"packages\": {}, \"findings\": {findings}, \"runs\": {runs}, \"best_ms\": {:.2}, \"median_ms\": {:.2}, \"first_ms\": {:.2}}}",
        inventory.packages.len(),
        times[0],
        times[runs / 2],
        times.last().copied().unwrap_or_default(),
    );
}
