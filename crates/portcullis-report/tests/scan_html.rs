//! The HTML report: a realistic two-image run rendered, snapshotted, checked
//! for escaping and self-containment, and loaded in headless Chromium
//! (every view: no console error, no failed request, a non-blank screenshot).
//!
//! Environment:
//! * `PORTCULLIS_REQUIRE_CHROMIUM=1`: fail (instead of skipping) when
//!   Chromium or python3 is missing;
//! * `PORTCULLIS_CHROMIUM`: the browser binary (default: the first of
//!   `chromium`, `chromium-browser`, `google-chrome` on `PATH`);
//! * `PORTCULLIS_SCREENSHOT_DIR`: where the PNGs of the five views go
//!   (default: a temporary directory).
//!
//! The run is `common::scan_fixture::report()`, as in `scan_table.rs`.

mod common;

use common::scan_fixture::{report, worker_image};
use portcullis_policy::Evaluation;
use portcullis_report::scan::{render_scan, ScanFormat, ScanReport, TableStyle};

fn html(report: &ScanReport) -> String {
    match render_scan(ScanFormat::Html, report, TableStyle::default()) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(s) => s,
            Err(e) => panic!("HTML is not UTF-8: {e}"),
        },
        Err(e) => panic!("html: {e}"),
    }
}

#[test]
fn snapshot() {
    let out = html(&report());
    assert_eq!(out, html(&report()), "deterministic");
    insta::assert_snapshot!("report", out);
}

#[test]
fn self_contained_and_escaped() {
    let out = html(&report());
    // The hostile title is text, never markup.
    assert!(out.contains("&lt;script&gt;alert(1)&lt;/script&gt; Jinja vulnerable"));
    assert!(!out.contains("<script>alert"));
    assert_eq!(
        out.matches("<script").count(),
        1,
        "only the report's own script"
    );
    assert!(out.contains("echo &quot;&lt;b&gt;not bold&lt;/b&gt;&quot; &amp; done"));
    // Nothing is loaded from anywhere.
    for attr in [" src=", "<link", "@import", "url("] {
        assert!(!out.contains(attr), "{attr} in the report");
    }
    assert!(out.contains("Content-Security-Policy"));
    // All five views are in the document (readable without JS).
    for id in [
        "summary",
        "statistics",
        "vulnerabilities",
        "software",
        "layers",
    ] {
        assert!(
            out.contains(&format!("<section class=\"view\" id=\"{id}\"")),
            "{id}"
        );
    }
    // Every finding is listed, whatever its verdict; both images have blocks.
    for id in [
        "CVE-2023-45853",
        "CVE-2023-7104",
        "CVE-2024-0727",
        "CVE-2016-2781",
    ] {
        assert!(out.contains(id), "{id}");
    }
    assert_eq!(out.matches("data-image=\"img-2\"").count(), 5);
}

/// Every element is closed in order (void and self-closed SVG elements
/// aside); `<style>` and `<script>` bodies are skipped.
fn assert_balanced(html: &str) {
    const VOID: [&str; 5] = ["meta", "input", "br", "img", "link"];
    let mut stack: Vec<&str> = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        if rest.starts_with('!') {
            continue;
        }
        let end = match rest.find('>') {
            Some(e) => e,
            None => panic!("unterminated tag near {:?}", &rest[..rest.len().min(60)]),
        };
        let tag = &rest[..end];
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        let name = &tag.trim_start_matches('/')[..name.len()];
        if closing {
            match stack.pop() {
                Some(open) if open == name => {}
                other => panic!("</{name}> closes {other:?}; open: {stack:?}"),
            }
        } else if !tag.ends_with('/') && !VOID.contains(&name) {
            stack.push(name);
            if name == "style" || name == "script" {
                let close = format!("</{name}>");
                match rest.find(&close) {
                    Some(j) => rest = &rest[j..],
                    None => panic!("unclosed <{name}>"),
                }
                continue;
            }
        }
        rest = &rest[end.min(rest.len())..];
    }
    assert!(stack.is_empty(), "left open: {stack:?}");
}

#[test]
fn markup_is_balanced() {
    // The checker itself catches a mismatch and an unclosed element.
    for bad in ["<div><span></div>", "<section><p>x</p>"] {
        assert!(
            std::panic::catch_unwind(|| assert_balanced(bad)).is_err(),
            "{bad}"
        );
    }
    assert_balanced(&html(&report()));
    let mut r = report();
    r.images[1].error = Some("<div><table>".into());
    r.images[1].findings.clear();
    r.images[1].evaluation = Evaluation::default();
    assert_balanced(&html(&r));
}

#[test]
fn hostile_links_are_not_followed() {
    let mut r = report();
    let f = &mut r.images[0].findings[0];
    f.links = vec![
        "javascript:alert(1)".into(),
        format!("https://example.org/{}\"onmouseover=\"alert(1)", f.id),
    ];
    r.images[0].references = vec!["evil\"><img src=x onerror=alert(1)>:latest".into()];
    let out = html(&r);
    assert!(!out.contains("href=\"javascript:"));
    assert!(!out.contains("\"onmouseover=\""));
    assert!(!out.contains("<img"));
    assert!(out.contains("evil&quot;&gt;&lt;img src=x onerror=alert(1)&gt;:latest"));
}

#[test]
fn single_passing_image_and_unscannable_image() {
    let mut r = report();
    r.images.remove(0);
    let out = html(&r);
    assert!(out.contains("<strong>Build passed</strong>"));
    assert!(
        !out.contains("id=\"image-select\""),
        "no selector for one image"
    );

    let mut broken = worker_image();
    broken.error = Some("layer 2: <gzip> stream truncated".into());
    broken.findings.clear();
    broken.evaluation = Evaluation::default();
    r.images.push(broken);
    let out = html(&r);
    assert!(out.contains("<strong>Build failed</strong>"));
    assert!(out.contains("layer 2: &lt;gzip&gt; stream truncated"));
}

// ---------------------------------------------------------------- chromium

fn find_chromium() -> Option<String> {
    if let Ok(bin) = std::env::var("PORTCULLIS_CHROMIUM") {
        return Some(bin);
    }
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|name| std::env::split_paths(&path).any(|dir| dir.join(name).is_file()))
        .map(str::to_owned)
}

/// The browser, or `None` (after saying so loudly) when the test must be
/// skipped; panics when `PORTCULLIS_REQUIRE_CHROMIUM=1` and it is missing.
#[allow(clippy::print_stderr)] // says loudly what was skipped
fn chromium() -> Option<String> {
    let required = std::env::var("PORTCULLIS_REQUIRE_CHROMIUM").as_deref() == Ok("1");
    let python = std::process::Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    match (find_chromium(), python) {
        (Some(bin), true) => Some(bin),
        (bin, _) => {
            let what = if bin.is_none() { "chromium" } else { "python3" };
            if required {
                panic!("{what} is missing and PORTCULLIS_REQUIRE_CHROMIUM=1");
            }
            eprintln!(
                "\n=== SKIPPED: {what} not found; the HTML report was NOT checked in a browser \
                 (install Debian's `chromium`, or set PORTCULLIS_REQUIRE_CHROMIUM=1 to fail) ===\n"
            );
            None
        }
    }
}

/// Runs `tests/html_chromium.py` on `html` and returns its JSON verdict and
/// exit code. The script bounds its own run; this bounds the script.
fn drive(
    bin: &str,
    html: &std::path::Path,
    out: &std::path::Path,
    views: &str,
    extra: &[&str],
) -> (serde_json::Value, i32) {
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/html_chromium.py");
    let mut child = match std::process::Command::new("python3")
        .arg(&script)
        .arg("--chromium")
        .arg(bin)
        .arg("--html")
        .arg(html)
        .arg("--out")
        .arg(out)
        .arg("--views")
        .arg(views)
        .arg("--timeout")
        .arg("120")
        .args(extra)
        .stdout(std::process::Stdio::piped())
        .spawn()
    {
        Ok(c) => c,
        Err(e) => panic!("python3 {}: {e}", script.display()),
    };
    let started = std::time::Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if started.elapsed() > std::time::Duration::from_secs(180) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("the Chromium driver did not finish in 180 s");
            }
            Ok(None) => std::thread::sleep(std::time::Duration::from_millis(100)),
            Err(e) => panic!("waiting for the Chromium driver: {e}"),
        }
    }
    let output = match child.wait_with_output() {
        Ok(o) => o,
        Err(e) => panic!("Chromium driver output: {e}"),
    };
    let text = String::from_utf8_lossy(&output.stdout);
    let value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => panic!("the Chromium driver printed no JSON ({e}):\n{text}"),
    };
    (value, output.status.code().unwrap_or(-1))
}

fn temp_dir() -> tempfile::TempDir {
    match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => panic!("temp dir: {e}"),
    }
}

fn write(path: &std::path::Path, text: &str) {
    if let Err(e) = std::fs::write(path, text) {
        panic!("{}: {e}", path.display());
    }
}

/// The report written to `dir/report.html`, and where its screenshots go.
fn report_page(dir: &std::path::Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let page = dir.join("report.html");
    write(&page, &html(&report()));
    let shots = std::env::var_os("PORTCULLIS_SCREENSHOT_DIR")
        .map_or_else(|| dir.join("screenshots"), std::path::PathBuf::from);
    (page, shots)
}

#[test]
#[allow(clippy::print_stderr)] // says where the screenshots are
fn chromium_renders_every_view() {
    let Some(bin) = chromium() else { return };
    let dir = temp_dir();
    let (page, shots) = report_page(dir.path());
    let views = "summary,statistics,vulnerabilities,software,layers";
    let (result, code) = drive(&bin, &page, &shots, views, &["--interact"]);
    assert_eq!(code, 0, "Chromium found problems:\n{result:#}");
    for view in views.split(',') {
        let png = shots.join(format!("report-{view}.png"));
        let size = std::fs::metadata(&png).map(|m| m.len()).unwrap_or(0);
        assert!(size > 20_000, "{}: {size} bytes", png.display());
        let info = &result["views"][view];
        assert_eq!(info["active"], view, "{info:#}");
        assert_eq!(
            info["titleAsText"], true,
            "the <script> title shows as text"
        );
        assert!(info["colors"].as_u64().unwrap_or(0) >= 8, "{info:#}");
    }
    let acts = &result["views"]["vulnerabilities"]["interactions"];
    assert_eq!(acts["critical"], 2, "severity filter: {acts:#}");
    assert_eq!(acts["shownText"], "2 of 12 shown", "{acts:#}");
    assert_eq!(acts["all"], true, "{acts:#}");
    assert_eq!(acts["firstByPackage"], "jinja2 pypi", "sorting: {acts:#}");
    assert_eq!(
        acts["lastByPackage"], "zlib1g deb",
        "sorting back: {acts:#}"
    );
    assert_eq!(acts["blocksWithOneImage"], 1, "image selector: {acts:#}");
    assert_eq!(acts["blocksWithAll"], 2, "image selector: {acts:#}");
    eprintln!("screenshots of the five views: {}", shots.display());
}

/// Without JavaScript every view is in the page, one after the other.
#[test]
fn chromium_without_js_shows_every_view() {
    let Some(bin) = chromium() else { return };
    let dir = temp_dir();
    let (page, shots) = report_page(dir.path());
    let (result, code) = drive(&bin, &page, &shots, "summary", &["--no-js"]);
    assert_eq!(code, 0, "{result:#}");
    assert_eq!(
        result["views"]["summary"]["visibleSections"], 5,
        "{result:#}"
    );
    assert_eq!(
        result["views"]["summary"]["active"],
        serde_json::Value::Null
    );
}

/// The checks can fail: an uncaught exception and a blocked external load
/// are both reported.
#[test]
fn chromium_check_catches_errors() {
    let Some(bin) = chromium() else { return };
    let dir = temp_dir();
    let good = html(&report());

    // A script error (the CSP is dropped so the altered script runs).
    let csp_start = good.find("<meta http-equiv=\"Content-Security-Policy\"");
    let broken = match csp_start {
        Some(start) => {
            let end = start + good[start..].find('>').unwrap_or(0) + 1;
            let without = format!("{}{}", &good[..start], &good[end..]);
            without.replacen(
                "<script>",
                "<script>throw new Error('injected failure');",
                1,
            )
        }
        None => panic!("no CSP in the report"),
    };
    let page = dir.path().join("broken.html");
    write(&page, &broken);
    let (result, code) = drive(&bin, &page, &dir.path().join("broken"), "summary", &[]);
    assert_eq!(code, 1, "{result:#}");
    assert!(
        result.to_string().contains("injected failure"),
        "{result:#}"
    );

    // An external load: refused by the CSP, and reported.
    let external = good.replacen(
        "</main>",
        "<img alt=\"\" src=\"https://unreachable.invalid/pixel.png\"></main>",
        1,
    );
    let page = dir.path().join("external.html");
    write(&page, &external);
    let (result, code) = drive(&bin, &page, &dir.path().join("external"), "summary", &[]);
    assert_eq!(code, 1, "{result:#}");
    assert!(
        result.to_string().contains("unreachable.invalid"),
        "{result:#}"
    );
}
