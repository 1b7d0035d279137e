//! Builds image-details JSON shaped like the CS API's (reference §2).

use serde_json::{json, Value};

/// One vulnerability of a built image.
#[derive(Clone, Debug)]
pub struct Vuln {
    /// QID.
    pub qid: u64,
    /// Severity 1–5 (anything else is passed through, to test handling).
    pub severity: i64,
    /// `cveids`.
    pub cves: Vec<String>,
    /// `typeDetected` (`CONFIRMED` by default).
    pub type_detected: String,
    /// `cvssInfo.baseScore`, written as a string like the swagger says.
    pub cvss2: Option<f64>,
    /// `cvss3Info.baseScore`, written as a string.
    pub cvss3: Option<f64>,
    /// `patchAvailable`; `None` omits the field.
    pub patch_available: Option<bool>,
    /// `software[0]`: name, version, fixVersion.
    pub software: Option<(String, String, Option<String>)>,
}

impl Vuln {
    /// A CONFIRMED vulnerability with no CVE, score, or package.
    pub fn new(qid: u64, severity: i64) -> Vuln {
        Vuln {
            qid,
            severity,
            cves: Vec::new(),
            type_detected: "CONFIRMED".into(),
            cvss2: None,
            cvss3: None,
            patch_available: None,
            software: None,
        }
    }

    /// Sets the CVEs.
    pub fn cves(mut self, cves: &[&str]) -> Vuln {
        self.cves = cves.iter().map(|c| (*c).to_owned()).collect();
        self
    }

    /// Sets `typeDetected`.
    pub fn type_detected(mut self, t: &str) -> Vuln {
        self.type_detected = t.into();
        self
    }

    /// Sets the CVSS v2 and v3 base scores.
    pub fn cvss(mut self, v2: Option<f64>, v3: Option<f64>) -> Vuln {
        self.cvss2 = v2;
        self.cvss3 = v3;
        self
    }

    /// Sets `patchAvailable`.
    pub fn patch(mut self, available: bool) -> Vuln {
        self.patch_available = Some(available);
        self
    }

    /// Sets the affected package.
    pub fn software(mut self, name: &str, version: &str, fix: Option<&str>) -> Vuln {
        self.software = Some((name.into(), version.into(), fix.map(str::to_owned)));
        self
    }
}

/// Image details for `sha` (64 hex) with these vulnerabilities; `softwares`
/// lists every package the vulnerabilities name, plus `extra_packages`.
/// `operatingSystem` is `Debian Linux 12.5` unless `os` says otherwise.
pub fn image_details(
    sha: &str,
    os: Option<&str>,
    vulns: &[Vuln],
    extra_packages: &[(&str, &str)],
) -> Value {
    let mut softwares: Vec<Value> = Vec::new();
    let mut add = |name: &str, version: &str, fix: Option<&str>, qid: Option<u64>| {
        if let Some(existing) = softwares
            .iter_mut()
            .find(|s| s["name"] == name && s["version"] == version)
        {
            if let (Some(q), Some(list)) = (qid, existing["vulnerabilities"].as_array_mut()) {
                list.push(json!({ "qid": q }));
            }
            return;
        }
        let vulns: Vec<Value> = qid.map(|q| json!({ "qid": q })).into_iter().collect();
        softwares.push(
            json!({"name": name, "version": version, "fixVersion": fix, "vulnerabilities": vulns}),
        );
    };
    for v in vulns {
        if let Some((n, ver, fix)) = &v.software {
            add(n, ver, fix.as_deref(), Some(v.qid));
        }
    }
    for (n, ver) in extra_packages {
        add(n, ver, None, None);
    }
    let vulnerabilities: Vec<Value> = vulns.iter().map(vuln_json).collect();
    let mut d = base(sha, os);
    d["softwares"] = Value::Array(softwares);
    d["vulnerabilities"] = Value::Array(vulnerabilities);
    d
}

/// Details of an image the platform knows but has not finished:
/// `vulnerabilities` is null.
pub fn pending_details(sha: &str) -> Value {
    let mut d = base(sha, None);
    d["softwares"] = json!([]);
    d["vulnerabilities"] = Value::Null;
    d
}

fn base(sha: &str, os: Option<&str>) -> Value {
    json!({
        "imageId": sha.get(..12).unwrap_or(sha),
        "sha": sha,
        "uuid": "16c984cf-7029-3cd9-951f-b9ef7d712059",
        "created": "1717026901000",
        "lastScanned": "1721714104046",
        "architecture": "amd64",
        "dockerVersion": "24.0.7",
        "operatingSystem": os.unwrap_or("Debian Linux 12.5"),
        "size": 123456789,
        "layersCount": 1,
        "source": ["CICD"],
        "repo": [{"registry": null, "repository": "qualys_scan_target", "tag": sha}],
        "repoDigests": [],
        "layers": [{"id": null, "sha": null, "tags": null, "size": "1000", "created": "1717026800000",
                    "createdBy": "ADD file:abc in / ", "comment": ""}],
    })
}

fn vuln_json(v: &Vuln) -> Value {
    let software: Vec<Value> = v
        .software
        .iter()
        .map(|(n, ver, fix)| json!({"name": n, "version": ver, "fixVersion": fix}))
        .collect();
    let mut j = json!({
        "qid": v.qid,
        "title": format!("Example vulnerability {}", v.qid),
        "severity": v.severity,
        "customerSeverity": v.severity,
        "typeDetected": v.type_detected,
        "category": "Debian",
        "cveids": v.cves,
        "cvssInfo": {"baseScore": v.cvss2.map(|s| format!("{s:.1}")), "temporalScore": null, "accessVector": "Network"},
        "cvss3Info": {"baseScore": v.cvss3.map(|s| format!("{s:.1}")), "temporalScore": null},
        "firstFound": "1721714104046",
        "lastFound": "1721714104046",
        "software": software,
        "threatIntel": {},
        "result": "",
    });
    if let Some(p) = v.patch_available {
        j["patchAvailable"] = json!(p);
    }
    j
}
