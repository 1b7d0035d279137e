//! Cross-checks npm range evaluation and version precedence against
//! node-semver (the copy bundled with the installed npm) when `node` and
//! `npm` are available. Skips with a message otherwise.

mod common;

use std::cmp::Ordering;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use common::Lcg;
use portcullis_version::npm::{compare, Range};

/// node-semver as shipped inside npm, located via `npm root -g`.
fn node_semver() -> Option<PathBuf> {
    let out = Command::new("npm").args(["root", "-g"]).output().ok()?;
    let root = String::from_utf8(out.stdout).ok()?;
    let dir = PathBuf::from(root.trim()).join("npm/node_modules/semver");
    dir.join("package.json").exists().then_some(dir)
}

const VERSIONS: [&str; 22] = [
    "0.0.0",
    "0.0.1",
    "0.0.2",
    "0.1.0",
    "0.1.5",
    "0.2.0",
    "1.0.0-alpha",
    "1.0.0-alpha.1",
    "1.0.0-beta.2",
    "1.0.0-beta.11",
    "1.0.0-rc.1",
    "1.0.0",
    "1.0.1",
    "1.1.0-0",
    "1.1.0",
    "1.2.3-beta.1",
    "1.2.3",
    "1.2.4",
    "1.3.0",
    "2.0.0-rc.1",
    "2.0.0",
    "3.1.4",
];

fn partial(r: &mut Lcg) -> String {
    let v = r.pick(&VERSIONS);
    match r.below(6) {
        // Truncate to major or major.minor, or wildcard the tail.
        0 => v.split('.').next().unwrap_or("1").to_string(),
        1 => v.split('.').take(2).collect::<Vec<_>>().join("."),
        2 => format!("{}.x", v.split('.').next().unwrap_or("1")),
        3 => r
            .pick(&["*", "x", "1.2.*", "0.x", "0.0.x", "1.X"])
            .to_string(),
        _ => v.to_string(),
    }
}

fn generate_ranges(n: usize) -> Vec<String> {
    let mut r = Lcg(0xbeef);
    (0..n)
        .map(|_| {
            let sets = 1 + r.below(2);
            let mut out = Vec::new();
            for _ in 0..sets {
                if r.below(6) == 0 {
                    out.push(format!("{} - {}", partial(&mut r), partial(&mut r)));
                    continue;
                }
                let comps = 1 + r.below(2);
                let set: Vec<String> = (0..comps)
                    .map(|_| {
                        let op = r.pick(&["", "=", "<", "<=", ">", ">=", "~", "^", ">= "]);
                        format!("{op}{}", partial(&mut r))
                    })
                    .collect();
                out.push(set.join(" "));
            }
            out.join(" || ")
        })
        .collect()
}

const SCRIPT: &str = r#"
const semver = require(process.argv[1]);
const lines = require("fs").readFileSync(0, "utf8").split("\n").filter(Boolean);
const versions = JSON.parse(lines[0]);
const out = [];
for (const r of lines.slice(1)) {
  let row = "";
  for (const v of versions) {
    try { row += semver.satisfies(v, r) ? "1" : "0"; } catch (e) { row = "E"; break; }
  }
  if (semver.validRange(r) === null) row = "E";
  out.push(row);
}
let cmp = "";
for (const a of versions) for (const b of versions) {
  const c = semver.compare(a, b); cmp += c < 0 ? "<" : c > 0 ? ">" : "=";
}
out.push(cmp);
console.log(out.join("\n"));
"#;

#[test]
#[allow(clippy::print_stderr)]
fn ranges_match_node_semver() {
    let Some(semver) = node_semver() else {
        eprintln!("SKIP: npm's bundled node-semver not found; npm oracle not run");
        return;
    };
    let ranges = generate_ranges(2000);
    let Ok(mut child) = Command::new("node")
        .args(["-e", SCRIPT])
        .arg(&semver)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
    else {
        eprintln!("SKIP: node not available; npm oracle not run");
        return;
    };
    let quoted: Vec<String> = VERSIONS.iter().map(|v| format!("\"{v}\"")).collect();
    let input = format!("[{}]\n{}\n", quoted.join(","), ranges.join("\n"));
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(input.as_bytes()).expect("write to node");
    }
    let out = child.wait_with_output().expect("node output");
    assert!(out.status.success(), "node-semver script failed");
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), ranges.len() + 1, "unexpected oracle output");

    let mut checked = 0;
    for (range, row) in ranges.iter().zip(&lines) {
        let ours = Range::parse(range);
        if *row == "E" {
            assert!(
                ours.is_err(),
                "{range:?} is invalid for node-semver but parsed"
            );
            continue;
        }
        let ours = ours.unwrap_or_else(|e| panic!("{range:?}: {e}"));
        for (v, want) in VERSIONS.iter().zip(row.bytes()) {
            assert_eq!(ours.satisfies(v), want == b'1', "{v} in {range:?}");
            checked += 1;
        }
    }
    let cmp = lines[ranges.len()].as_bytes();
    for (i, a) in VERSIONS.iter().enumerate() {
        for (j, b) in VERSIONS.iter().enumerate() {
            let want = match cmp[i * VERSIONS.len() + j] {
                b'<' => Ordering::Less,
                b'>' => Ordering::Greater,
                _ => Ordering::Equal,
            };
            assert_eq!(compare(a, b).unwrap(), want, "{a} vs {b}");
        }
    }
    eprintln!("npm oracle: {checked} (range, version) verdicts agree with node-semver");
}
