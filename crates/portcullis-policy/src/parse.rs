//! Parsing policy values: from a file's tree (arrays, maps, numbers) and
//! from the flag and environment strings (`5=0,4=2`, `1-100,200`,
//! `openssl<3.0.7,curl`). Both go through the same functions, so a value
//! means the same wherever it is written, and every error names its key.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;
use time::Date;

use crate::error::PolicyError;
use crate::model::{CvssMode, QidRange, SoftwareOp, SoftwareRule};

type Result<T> = std::result::Result<T, PolicyError>;

/// The statuses a finding can carry: the distro statuses of the advisory
/// model, plus `affected` (an ecosystem package without a fix yet).
pub(crate) fn known_statuses() -> Vec<&'static str> {
    use portcullis_advisory::DistroStatus as S;
    let mut all: Vec<&str> = [
        S::Fixed,
        S::Open,
        S::NoDsa,
        S::Postponed,
        S::Unimportant,
        S::WillNotFix,
        S::EndOfLife,
        S::NotAffected,
        S::Undetermined,
    ]
    .iter()
    .map(|s| s.as_str())
    .collect();
    all.push("affected");
    all
}

/// VEX justifications: OpenVEX's and CycloneDX's (`analysis.justification`).
const VEX_JUSTIFICATIONS: &[&str] = &[
    "component_not_present",
    "vulnerable_code_not_present",
    "vulnerable_code_not_in_execute_path",
    "vulnerable_code_cannot_be_controlled_by_adversary",
    "inline_mitigations_already_exist",
    "code_not_present",
    "code_not_reachable",
    "requires_configuration",
    "requires_dependency",
    "requires_environment",
    "protected_by_compiler",
    "protected_at_runtime",
    "protected_at_perimeter",
    "protected_by_mitigating_control",
];

/// A value as the error messages quote it.
pub(crate) fn shown(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The items of a list key: an array, or a comma-separated string (the
/// flag form). With `split_items`, string items of an array are split on
/// commas too; software rules are not, since a regex may hold a comma.
fn items(key: &str, v: &Value, split_items: bool) -> Result<Vec<String>> {
    let split = |s: &str| -> Vec<String> {
        s.split(',')
            .map(str::trim)
            .filter(|i| !i.is_empty())
            .map(str::to_owned)
            .collect()
    };
    match v {
        Value::String(s) => Ok(split(s)),
        Value::Array(list) => {
            let mut out = Vec::new();
            for item in list {
                match item {
                    Value::String(s) if split_items => out.extend(split(s)),
                    Value::String(s) if !s.trim().is_empty() => out.push(s.trim().to_owned()),
                    Value::String(_) => {}
                    Value::Number(n) => out.push(n.to_string()),
                    other => {
                        return Err(PolicyError::invalid(
                            key,
                            shown(other),
                            "list items must be strings or numbers",
                        ))
                    }
                }
            }
            Ok(out)
        }
        other => Err(PolicyError::invalid(
            key,
            shown(other),
            "expected a list or a comma-separated string",
        )),
    }
}

/// A whole number ≥ 0, written as a number or a string.
pub(crate) fn uint(key: &str, v: &Value) -> Result<u64> {
    let parsed = match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    };
    parsed.ok_or_else(|| PolicyError::invalid(key, shown(v), "expected a whole number >= 0"))
}

/// A number of days (fits in `u32`).
pub(crate) fn days(key: &str, v: &Value) -> Result<u32> {
    u32::try_from(uint(key, v)?).map_err(|_| PolicyError::invalid(key, shown(v), "too many days"))
}

/// `true`/`false`, or in a string also `yes`/`no`, `on`/`off`, `1`/`0`.
pub(crate) fn boolean(key: &str, v: &Value) -> Result<bool> {
    match v {
        Value::Bool(b) => Ok(*b),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" | "on" | "1" => Ok(true),
            "false" | "no" | "off" | "0" => Ok(false),
            _ => Err(PolicyError::invalid(key, s, "expected true or false")),
        },
        other => Err(PolicyError::invalid(
            key,
            shown(other),
            "expected true or false",
        )),
    }
}

/// A severity level 1..=5.
pub(crate) fn level(key: &str, s: &str) -> Result<u8> {
    s.trim()
        .parse()
        .ok()
        .filter(|l| (1..=5).contains(l))
        .ok_or_else(|| PolicyError::invalid(key, s, "severity levels are 1 to 5"))
}

/// Level → number: a map (`{"5": 0}`) or `5=0,4=2`.
pub(crate) fn levels(key: &str, v: &Value) -> Result<BTreeMap<u8, u64>> {
    let mut out = BTreeMap::new();
    if let Value::Object(map) = v {
        for (k, n) in map {
            out.insert(level(key, k)?, uint(key, n)?);
        }
        return Ok(out);
    }
    for item in items(key, v, true)? {
        let Some((k, n)) = item.split_once('=') else {
            return Err(PolicyError::invalid(
                key,
                &item,
                "expected LEVEL=NUMBER, e.g. 5=0",
            ));
        };
        out.insert(level(key, k)?, uint(key, &Value::String(n.to_owned()))?);
    }
    Ok(out)
}

/// QIDs and inclusive ranges `a-b` (spaces trimmed; `a > b` rejected).
pub(crate) fn qids(key: &str, v: &Value) -> Result<Vec<QidRange>> {
    let number = |item: &str, s: &str| {
        s.trim()
            .parse::<u64>()
            .map_err(|_| PolicyError::invalid(key, item, "expected a QID or a range a-b"))
    };
    items(key, v, true)?
        .iter()
        .map(|item| {
            let (start, end) = match item.split_once('-') {
                Some((a, b)) => (number(item, a)?, number(item, b)?),
                None => {
                    let q = number(item, item)?;
                    (q, q)
                }
            };
            check_range(key, QidRange { start, end })
        })
        .collect()
}

/// Rejects `a > b`.
pub(crate) fn check_range(key: &str, r: QidRange) -> Result<QidRange> {
    if r.start > r.end {
        return Err(PolicyError::invalid(
            key,
            format!("{}-{}", r.start, r.end),
            "the range's start is greater than its end",
        ));
    }
    Ok(r)
}

static CVE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^CVE-\d{4}-\d{4,}$").unwrap());
static OTHER_ID: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[A-Z][A-Z0-9]*(-[A-Z0-9._:]+)+$").unwrap());

/// A vulnerability id, upper-cased: `CVE-YYYY-NNNN…` in CVE shape, or
/// another database's id (`GHSA-…`, `PYSEC-…`, `GO-…`, `DSA-…`).
pub(crate) fn vuln_id(key: &str, s: &str) -> Result<String> {
    let id = s.trim().to_ascii_uppercase();
    let ok = if id.starts_with("CVE-") {
        CVE.is_match(&id)
    } else {
        OTHER_ID.is_match(&id)
    };
    if !ok {
        return Err(PolicyError::invalid(
            key,
            s,
            "expected a vulnerability id such as CVE-2023-12345 or GHSA-xxxx-xxxx-xxxx",
        ));
    }
    Ok(id)
}

/// A list of vulnerability ids, upper-cased.
pub(crate) fn vuln_ids(key: &str, v: &Value) -> Result<Vec<String>> {
    items(key, v, true)?
        .iter()
        .map(|s| vuln_id(key, s))
        .collect()
}

/// A status a finding may carry (`no-dsa`, `will-not-fix`, …).
pub(crate) fn status(key: &str, s: &str) -> Result<String> {
    let s = s.trim().to_ascii_lowercase();
    let known = known_statuses();
    if !known.contains(&s.as_str()) {
        return Err(PolicyError::invalid(
            key,
            &s,
            format!("unknown status (known: {})", known.join(", ")),
        ));
    }
    Ok(s)
}

/// A list of statuses.
pub(crate) fn statuses(key: &str, v: &Value) -> Result<Vec<String>> {
    items(key, v, true)?
        .iter()
        .map(|s| status(key, s))
        .collect()
}

/// One software rule: `name`, `name=versionRegex`, `name<version`, `<=`,
/// `>`, `>=`. The operator is the first `<`, `>` or `=` in the text, and
/// spaces around it are trimmed (the vendor's `openssl = 1.1` never
/// matched). The name is a case-insensitive regex anchored on the whole
/// package name; the `=` version a regex anchored on the whole version.
pub(crate) fn software_rule(key: &str, text: &str) -> Result<SoftwareRule> {
    let text = text.trim();
    let (name, op, version) = match text.find(['<', '>', '=']) {
        None => (text, SoftwareOp::Any, None),
        Some(at) => {
            let rest = &text[at..];
            let (op, len) = match (rest.as_bytes()[0], rest.as_bytes().get(1)) {
                (b'<', Some(b'=')) => (SoftwareOp::Le, 2),
                (b'>', Some(b'=')) => (SoftwareOp::Ge, 2),
                (b'<', _) => (SoftwareOp::Lt, 1),
                (b'>', _) => (SoftwareOp::Gt, 1),
                _ => (SoftwareOp::Eq, 1),
            };
            (&text[..at], op, Some(rest[len..].trim()))
        }
    };
    let name = name.trim().to_lowercase();
    if name.is_empty() {
        return Err(PolicyError::invalid(
            key,
            text,
            "the package name is missing",
        ));
    }
    let name_re = Regex::new(&format!("(?i)^(?:{name})$"))
        .map_err(|e| PolicyError::invalid(key, text, format!("invalid name regex: {e}")))?;
    let op_text = match op {
        SoftwareOp::Any => "",
        SoftwareOp::Eq => "=",
        SoftwareOp::Lt => "<",
        SoftwareOp::Le => "<=",
        SoftwareOp::Gt => ">",
        SoftwareOp::Ge => ">=",
    };
    if let Some(v) = version {
        if v.is_empty() {
            return Err(PolicyError::invalid(
                key,
                text,
                "the version after the operator is missing",
            ));
        }
        if op == SoftwareOp::Eq {
            Regex::new(&format!("^(?:{v})$")).map_err(|e| {
                PolicyError::invalid(key, text, format!("invalid version regex: {e}"))
            })?;
        } else if v.contains(char::is_whitespace) {
            return Err(PolicyError::invalid(
                key,
                text,
                "a version cannot contain spaces",
            ));
        }
    }
    Ok(SoftwareRule {
        text: format!("{name}{op_text}{}", version.unwrap_or("")),
        name: name_re,
        op,
        version: version.map(str::to_owned),
    })
}

/// A list of software rules.
pub(crate) fn software(key: &str, v: &Value) -> Result<Vec<SoftwareRule>> {
    items(key, v, false)?
        .iter()
        .map(|s| software_rule(key, s))
        .collect()
}

/// A CVSS threshold: a number from 0 to 10.
pub(crate) fn cvss_threshold(key: &str, v: &Value) -> Result<f64> {
    let parsed = match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    };
    check_cvss(
        key,
        parsed.ok_or_else(|| PolicyError::invalid(key, shown(v), "expected a number"))?,
    )
}

/// Rejects NaN, infinities and scores outside 0..=10.
pub(crate) fn check_cvss(key: &str, t: f64) -> Result<f64> {
    if !t.is_finite() || !(0.0..=10.0).contains(&t) {
        return Err(PolicyError::invalid(
            key,
            t,
            "a CVSS score is between 0 and 10",
        ));
    }
    Ok(t)
}

/// `2`, `3`, `max` (also the vendor's `maxOfv2andv3`, and `v2`/`v3`).
pub(crate) fn cvss_mode(key: &str, v: &Value) -> Result<CvssMode> {
    let s = match v {
        Value::String(s) => s.trim().to_ascii_lowercase(),
        Value::Number(n) => n.to_string(),
        other => shown(other),
    };
    match s.as_str() {
        "2" | "2.0" | "v2" => Ok(CvssMode::V2),
        "3" | "3.0" | "3.1" | "v3" => Ok(CvssMode::V3),
        "max" | "maxofv2andv3" => Ok(CvssMode::Max),
        _ => Err(PolicyError::invalid(key, shown(v), "expected 2, 3 or max")),
    }
}

/// `YYYY-MM-DD`.
pub(crate) fn date(key: &str, v: &Value) -> Result<Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    match v {
        Value::String(s) => Date::parse(s.trim(), format)
            .map_err(|e| PolicyError::invalid(key, s, format!("expected a date YYYY-MM-DD ({e})"))),
        other => Err(PolicyError::invalid(
            key,
            shown(other),
            "expected a date YYYY-MM-DD",
        )),
    }
}

/// A non-empty string.
pub(crate) fn text(key: &str, v: &Value) -> Result<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Ok(s.trim().to_owned()),
        other => Err(PolicyError::invalid(
            key,
            shown(other),
            "expected a non-empty string",
        )),
    }
}

/// A Package URL (`pkg:type/namespace/name[@version]`), as written.
pub(crate) fn purl(key: &str, s: &str) -> Result<String> {
    match crate::scope::purl_key(s) {
        Some(_) => Ok(s.trim().to_owned()),
        None => Err(PolicyError::invalid(
            key,
            s,
            "expected a Package URL such as pkg:pypi/django or pkg:deb/debian/openssl@3.0.11-1",
        )),
    }
}

/// File paths: a list, or a comma-separated string.
pub(crate) fn paths(key: &str, v: &Value) -> Result<Vec<std::path::PathBuf>> {
    Ok(items(key, v, false)?
        .into_iter()
        .map(std::path::PathBuf::from)
        .collect())
}

/// A VEX justification of OpenVEX or CycloneDX.
pub(crate) fn vex_justification(key: &str, v: &Value) -> Result<String> {
    let s = text(key, v)?;
    if !VEX_JUSTIFICATIONS.contains(&s.as_str()) {
        return Err(PolicyError::invalid(
            key,
            &s,
            format!(
                "unknown VEX justification (known: {})",
                VEX_JUSTIFICATIONS.join(", ")
            ),
        ));
    }
    Ok(s)
}
