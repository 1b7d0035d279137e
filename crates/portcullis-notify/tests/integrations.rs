//! The CI definitions under `integrations/` stay valid: every YAML file
//! parses, the templates declare what their README promises, and the
//! example policy file is accepted by the policy parser.

use std::path::{Path, PathBuf};

use portcullis_policy::{FileFormat, PolicySpec};
use serde_yaml_ng::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../integrations")
}

fn files(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, ext, out);
        } else if path.extension().is_some_and(|e| e == ext) {
            out.push(path);
        }
    }
}

fn yaml(rel: &str) -> Value {
    let path = root().join(rel);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_yaml_ng::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn get<'a>(v: &'a Value, path: &[&str]) -> &'a Value {
    path.iter().fold(v, |v, k| {
        v.get(*k)
            .unwrap_or_else(|| panic!("missing key {k} (path {path:?})"))
    })
}

#[test]
fn every_yaml_file_parses() {
    let mut all = Vec::new();
    files(&root(), "yml", &mut all);
    files(&root(), "yaml", &mut all);
    assert!(all.len() >= 6, "found only {all:?}");
    for path in all {
        let text = std::fs::read_to_string(&path).unwrap();
        let v: Value =
            serde_yaml_ng::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(v.is_mapping(), "{}: not a mapping", path.display());
    }
}

#[test]
fn gitlab_template_declares_its_reports() {
    let v = yaml("gitlab/portcullis.gitlab-ci.yml");
    let job = get(&v, &[".portcullis-scan"]);
    let reports = get(job, &["artifacts", "reports"]);
    assert_eq!(
        get(reports, &["container_scanning"]).as_str(),
        Some("gl-container-scanning-report.json")
    );
    assert_eq!(get(reports, &["dotenv"]).as_str(), Some("portcullis.env"));
    let junit = get(reports, &["junit"]).as_str().unwrap();
    assert_eq!(get(job, &["artifacts", "when"]).as_str(), Some("always"));
    let script: Vec<&str> = get(job, &["script"])
        .as_sequence()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let script = script.join("\n");
    assert!(script.contains("portcullis scan"), "{script}");
    assert!(
        script.contains("-o gitlab=gl-container-scanning-report.json"),
        "{script}"
    );
    assert!(script.contains(&format!("-o junit={junit}")), "{script}");
    assert!(script.contains("-o summary-json="), "{script}");
    assert!(script.contains("--ci-dotenv portcullis.env"), "{script}");
}

#[test]
fn github_action_is_composite_and_uploads_sarif() {
    let v = yaml("github/action.yml");
    assert_eq!(get(&v, &["runs", "using"]).as_str(), Some("composite"));
    let steps = get(&v, &["runs", "steps"]).as_sequence().unwrap();
    let upload = steps
        .iter()
        .find(|s| {
            s.get("uses")
                .and_then(Value::as_str)
                .is_some_and(|u| u.starts_with("github/codeql-action/upload-sarif@"))
        })
        .expect("an upload-sarif step");
    assert!(get(upload, &["with", "sarif_file"]).as_str().is_some());
    assert!(get(upload, &["if"]).as_str().unwrap().contains("always()"));
    // Every run step declares its shell (required in composite actions).
    for s in steps.iter().filter(|s| s.get("run").is_some()) {
        assert_eq!(get(s, &["shell"]).as_str(), Some("bash"));
    }
    assert_eq!(
        get(&v, &["inputs", "image", "required"]).as_bool(),
        Some(true)
    );
    for input in [
        "policy",
        "fail-severity",
        "fail-cves",
        "fail-software",
        "fail-cvss",
        "webhook-url",
    ] {
        get(&v, &["inputs", input]);
    }
    for output in ["passed", "summary", "failed-images", "findings"] {
        let value = get(&v, &["outputs", output, "value"]).as_str().unwrap();
        assert!(value.contains("steps.scan.outputs."), "{output}: {value}");
    }
    // Inputs are never spliced into a script.
    for s in steps {
        if let Some(run) = s.get("run").and_then(Value::as_str) {
            assert!(!run.contains("${{"), "expression inside a script: {run}");
        }
    }
    let wf = yaml("github/example-workflow.yml");
    get(&wf, &["jobs", "scan", "steps"]);
}

#[test]
fn azure_template_sets_output_variable_and_publishes_junit() {
    let v = yaml("azure-devops/portcullis-task.yml");
    let params = get(&v, &["parameters"]).as_sequence().unwrap();
    let output = params
        .iter()
        .find(|p| get(p, &["name"]).as_str() == Some("outputVariable"))
        .expect("outputVariable parameter");
    assert_eq!(get(output, &["default"]).as_str(), Some("imageScanSummary"));
    let steps = get(&v, &["steps"]).as_sequence().unwrap();
    let publish = steps
        .iter()
        .find(|s| get_opt(s, "task") == Some("PublishTestResults@2"))
        .expect("PublishTestResults@2");
    assert_eq!(
        get(publish, &["inputs", "testResultsFormat"]).as_str(),
        Some("JUnit")
    );
    assert_eq!(
        get(publish, &["condition"]).as_str(),
        Some("succeededOrFailed()")
    );
    let scan = steps
        .iter()
        .find(|s| get_opt(s, "bash").is_some_and(|b| b.contains("portcullis scan")))
        .expect("scan step");
    assert!(
        get(scan, &["name"]).as_str().is_some(),
        "the scan step needs a reference name"
    );
    for s in steps {
        if let Some(run) = get_opt(s, "bash") {
            assert!(!run.contains("${{"), "expression inside a script: {run}");
        }
    }
    yaml("azure-devops/azure-pipelines.example.yml");
}

fn get_opt<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

#[test]
fn bamboo_specs_parse_junit() {
    let v = yaml("bamboo/bamboo.yml");
    let final_tasks = get(&v, &["Scan", "final-tasks"]).as_sequence().unwrap();
    let parser = final_tasks
        .iter()
        .find_map(|t| t.get("test-parser"))
        .expect("a test-parser final task");
    assert_eq!(get(parser, &["type"]).as_str(), Some("junit"));
    assert_eq!(
        get(parser, &["test-results"]).as_str(),
        Some("portcullis-reports/junit.xml")
    );
    assert!(root().join("bamboo/portcullis-scan.sh").is_file());
}

#[test]
fn jenkinsfile_publishes_junit_and_artifacts() {
    let text = std::fs::read_to_string(root().join("jenkins/Jenkinsfile")).unwrap();
    for needle in [
        "portcullis scan",
        "junit(",
        "archiveArtifacts(",
        "returnStatus: true",
        "PORTCULLIS_WEBHOOK_TOKEN",
    ] {
        assert!(text.contains(needle), "Jenkinsfile lacks {needle}");
    }
}

#[test]
fn example_policy_is_accepted_and_covers_every_key() {
    let path = root().join("portcullis.toml.example");
    let text = std::fs::read_to_string(&path).unwrap();
    let spec = PolicySpec::parse(&text, FileFormat::Toml)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let policy = spec
        .into_policy()
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(policy.conditions_configured);
    assert_eq!(policy.ignore.len(), 2);
    for key in portcullis_policy::POLICY_KEYS {
        let set = if *key == "ignore" {
            text.contains("[[ignore]]")
        } else {
            text.lines().any(|l| l.starts_with(&format!("{key} = ")))
        };
        assert!(set, "the example does not show `{key}`");
    }
}

#[test]
fn no_machine_paths_or_registry_hosts() {
    let mut all = Vec::new();
    for ext in ["yml", "md", "sh", "example"] {
        files(&root(), ext, &mut all);
    }
    all.push(root().join("jenkins/Jenkinsfile"));
    for path in all {
        let text = std::fs::read_to_string(&path).unwrap();
        // Spelt in pieces so that this file itself names no machine path
        // and no registry host.
        for bad in [
            concat!("/", "home/"),
            concat!("/", "Users/"),
            concat!("/", "work/"),
            concat!("/", "tmp/"),
            concat!("docker", ".io"),
            concat!("quay", ".io"),
            concat!("ghcr", ".io"),
            concat!("gcr", ".io"),
        ] {
            assert!(!text.contains(bad), "{} mentions {bad}", path.display());
        }
    }
}
