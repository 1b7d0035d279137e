//! Which format a file is in, from its name and content.
//!
//! Debian's formats are asked first (their own `sniff` looks at the name and
//! the first KiB). For JSON and YAML files the top-level keys decide: one
//! pass over the document collects them (values are skipped, not built),
//! which also validates the syntax and bounds the nesting depth before any
//! typed parse runs.

use std::fmt;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use crate::formats::common::{Scalar, Syntax};

/// Recognised formats (Debian's are dispatched separately).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    /// One OSV record.
    Osv(Syntax),
    /// A list of OSV records.
    OsvList(Syntax),
    /// One NVD API 2.0 CVE object.
    NvdCve,
    /// An NVD API 2.0 response page.
    NvdPage,
    /// nodejs security-wg `vuln/npm/N.json`.
    NodeNpm,
    /// nodejs security-wg `vuln/core/N.json`.
    NodeCore,
    /// Alpine secdb.
    Alpine(Syntax),
}

/// What to do with a JSON/YAML document.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Parse it.
    Data(Format),
    /// Known, deliberately not imported (the reason is for debugging only).
    Ignore(&'static str),
    /// Not a format we know, or not readable: the reason says which.
    Reject(String),
}

/// The syntax a file name promises, if any.
pub(crate) fn syntax_of(name: &str) -> Option<Syntax> {
    let lower = name
        .rsplit(['/', '\\', '!'])
        .next()
        .unwrap_or(name)
        .to_ascii_lowercase();
    if lower.ends_with(".json") {
        Some(Syntax::Json)
    } else if lower.ends_with(".yaml") || lower.ends_with(".yml") {
        Some(Syntax::Yaml)
    } else {
        None
    }
}

/// Classifies a whole JSON or YAML document.
pub(crate) fn classify(syntax: Syntax, bytes: &[u8]) -> Verdict {
    // libyaml is slow (the pypa tree is most of an import's time), so block
    // YAML is first classified by a line scan; only what that cannot place
    // pays for a full pass (which also words the rejection better).
    if syntax == Syntax::Yaml {
        if let Some(keys) = yaml_top_keys(bytes) {
            let verdict = classify_shape(syntax, &Shape::Object(keys));
            if !matches!(verdict, Verdict::Reject(_)) {
                return verdict;
            }
        }
    }
    let shape = match syntax {
        Syntax::Json => {
            serde_json::from_slice::<Shape>(bytes).map_err(|e| format!("invalid JSON: {e}"))
        }
        Syntax::Yaml => {
            serde_yaml_ng::from_slice::<Shape>(bytes).map_err(|e| format!("invalid YAML: {e}"))
        }
    };
    match shape {
        Ok(shape) => classify_shape(syntax, &shape),
        Err(reason) => Verdict::Reject(reason),
    }
}

fn classify_shape(syntax: Syntax, shape: &Shape) -> Verdict {
    let keys = match shape {
        Shape::Object(keys) => keys,
        Shape::Array(Some(first)) if is_osv(first) => {
            return Verdict::Data(Format::OsvList(syntax))
        }
        Shape::Array(None) => return Verdict::Ignore("empty list"),
        Shape::Array(Some(_)) => {
            return Verdict::Reject("a list of records of no known format".into())
        }
        Shape::Scalar => return Verdict::Reject("not a JSON/YAML object".into()),
    };
    let has = |k: &str| keys.iter().any(|x| x == k);
    if has("packages") && (has("distroversion") || has("reponame") || has("apkurl")) {
        return Verdict::Data(Format::Alpine(syntax));
    }
    if syntax == Syntax::Json {
        if has("vulnerabilities")
            && (has("format") || has("resultsPerPage") || has("totalResults") || keys.len() == 1)
        {
            return Verdict::Data(Format::NvdPage);
        }
        if has("CVE_Items") {
            return Verdict::Reject(
                "NVD 1.1 data feeds are not supported; use the CVE API 2.0".into(),
            );
        }
        if has("module_name") && has("vulnerable_versions") {
            return Verdict::Data(Format::NodeNpm);
        }
        if has("vulnerable") && (has("patched") || has("cve")) {
            return Verdict::Data(Format::NodeCore);
        }
        if has("cve") && has("reason") && !has("id") {
            return Verdict::Ignore("nodejs security-wg deps assessment");
        }
        if !keys.is_empty()
            && keys
                .iter()
                .all(|k| !k.is_empty() && k.bytes().all(|b| b.is_ascii_digit()))
        {
            return Verdict::Ignore("nodejs security-wg index (copies of the per-file records)");
        }
        if has("id")
            && (has("sourceIdentifier")
                || has("vulnStatus")
                || (has("descriptions") && has("metrics")))
        {
            return Verdict::Data(Format::NvdCve);
        }
    }
    if is_osv(keys) {
        return Verdict::Data(Format::Osv(syntax));
    }
    let mut shown: Vec<&str> = keys.iter().take(8).map(String::as_str).collect();
    if keys.len() > shown.len() {
        shown.push("…");
    }
    Verdict::Reject(format!(
        "not a known advisory format (top-level keys: {})",
        shown.join(", ")
    ))
}

/// The keys of a block-style top-level mapping: the `KEY:` lines that start
/// in column 0. `None` when the document is not plainly one (flow style, a
/// top-level list, a complex key): the full pass decides then.
fn yaml_top_keys(bytes: &[u8]) -> Option<Vec<String>> {
    let mut keys = Vec::new();
    for line in bytes.split(|&b| b == b'\n') {
        match line.first() {
            None | Some(b' ' | b'\t' | b'\r' | b'#') => continue,
            Some(b'-' | b'.') if line.starts_with(b"---") || line.starts_with(b"...") => continue,
            // An item of a list that is a key's value (`affected:` then
            // `- package:` in column 0, as pypa writes it); a document that
            // is a list has no keys and gets the full pass.
            Some(b'-') if matches!(line.get(1), None | Some(b' ' | b'\r')) => continue,
            Some(b'-' | b'{' | b'[' | b'?' | b'%' | b'&' | b'*' | b'!' | b'|' | b'>') => {
                return None
            }
            Some(_) => {}
        }
        let colon = line
            .windows(2)
            .position(|w| w[0] == b':' && (w[1] == b' ' || w[1] == b'\r'))
            .or_else(|| line.ends_with(b":").then(|| line.len() - 1))?;
        let key = std::str::from_utf8(&line[..colon]).ok()?.trim();
        let key = key.trim_matches(|c| c == '"' || c == '\'');
        if keys.len() < MAX_KEYS {
            keys.push(key.to_owned());
        }
    }
    (!keys.is_empty()).then_some(keys)
}

/// OSV requires `id` and `modified`; older exports omit `modified`, so
/// `affected` or `schema_version` with an `id` also counts.
fn is_osv(keys: &[String]) -> bool {
    let has = |k: &str| keys.iter().any(|x| x == k);
    has("id") && (has("modified") || has("affected") || has("schema_version") || has("withdrawn"))
}

/// A document's outline: its top-level keys, or the keys of a list's first
/// element.
#[derive(Debug)]
enum Shape {
    Object(Vec<String>),
    Array(Option<Vec<String>>),
    Scalar,
}

/// More keys than any real format has; past it, keys are skipped unread.
const MAX_KEYS: usize = 256;

struct ShapeVisitor {
    /// Inside a list already: only an object's keys are of interest.
    nested: bool,
}

impl<'de> Deserialize<'de> for Shape {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Shape, D::Error> {
        d.deserialize_any(ShapeVisitor { nested: false })
    }
}

/// The first element of a top-level list.
struct Nested(Shape);

impl<'de> Deserialize<'de> for Nested {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Nested, D::Error> {
        d.deserialize_any(ShapeVisitor { nested: true }).map(Nested)
    }
}

macro_rules! scalar_visits {
    ($($method:ident: $ty:ty),*) => {
        $(fn $method<E: de::Error>(self, _: $ty) -> Result<Shape, E> { Ok(Shape::Scalar) })*
    };
}

impl<'de> Visitor<'de> for ShapeVisitor {
    type Value = Shape;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON or YAML document")
    }

    scalar_visits!(visit_bool: bool, visit_i64: i64, visit_u64: u64, visit_f64: f64, visit_str: &str);

    fn visit_unit<E: de::Error>(self) -> Result<Shape, E> {
        Ok(Shape::Scalar)
    }

    fn visit_none<E: de::Error>(self) -> Result<Shape, E> {
        Ok(Shape::Scalar)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Shape, A::Error> {
        let mut keys = Vec::new();
        while let Some(key) = map.next_key::<Scalar>()? {
            map.next_value::<IgnoredAny>()?;
            if let (Some(k), true) = (key.0, keys.len() < MAX_KEYS) {
                keys.push(k);
            }
        }
        Ok(Shape::Object(keys))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Shape, A::Error> {
        if self.nested {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            return Ok(Shape::Scalar);
        }
        let first = seq.next_element::<Nested>()?;
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Shape::Array(first.map(|n| match n.0 {
            Shape::Object(keys) => keys,
            _ => Vec::new(),
        })))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(text: &str) -> Verdict {
        classify(Syntax::Json, text.as_bytes())
    }

    #[test]
    fn formats_are_told_apart_by_their_keys() {
        assert_eq!(
            json(r#"{"id":"GHSA-1","modified":"x"}"#),
            Verdict::Data(Format::Osv(Syntax::Json))
        );
        assert_eq!(
            json(r#"[{"id":"A","affected":[]}]"#),
            Verdict::Data(Format::OsvList(Syntax::Json))
        );
        assert_eq!(
            json(r#"{"id":"CVE-1","sourceIdentifier":"x"}"#),
            Verdict::Data(Format::NvdCve)
        );
        assert_eq!(
            json(r#"{"resultsPerPage":1,"vulnerabilities":[]}"#),
            Verdict::Data(Format::NvdPage)
        );
        assert_eq!(
            json(r#"{"id":1,"module_name":"a","vulnerable_versions":"*"}"#),
            Verdict::Data(Format::NodeNpm)
        );
        assert_eq!(
            json(r#"{"cve":[],"vulnerable":"4.x","patched":"^4.1"}"#),
            Verdict::Data(Format::NodeCore)
        );
        assert!(matches!(
            json(r#"{"cve":[],"reason":"x"}"#),
            Verdict::Ignore(_)
        ));
        assert!(matches!(json(r#"{"1":{},"2":{}}"#), Verdict::Ignore(_)));
        assert_eq!(
            json(r#"{"distroversion":"v3.11","packages":[]}"#),
            Verdict::Data(Format::Alpine(Syntax::Json))
        );
        assert!(matches!(json(r#"{"name":"x"}"#), Verdict::Reject(r) if r.contains("name")));
        assert!(matches!(json("{"), Verdict::Reject(r) if r.starts_with("invalid JSON")));
        assert_eq!(
            classify(Syntax::Yaml, b"---\ndistroversion: v3.11\npackages: []\n"),
            Verdict::Data(Format::Alpine(Syntax::Yaml))
        );
        assert_eq!(
            classify(Syntax::Yaml, b"id: PYSEC-1\nmodified: x\n"),
            Verdict::Data(Format::Osv(Syntax::Yaml))
        );
    }

    #[test]
    fn block_yaml_keys_come_from_a_line_scan() {
        let doc = b"---\n# c\nid: A\ndetails: |\n  x: y\n'modified': \"z\"\nlist:\n- a\n";
        assert_eq!(
            yaml_top_keys(doc).unwrap(),
            ["id", "details", "modified", "list"]
        );
        assert_eq!(yaml_top_keys(b"{id: A}"), None);
        assert_eq!(yaml_top_keys(b"- id: A\n- id: B\n"), None);
        assert_eq!(yaml_top_keys(b"just text\n"), None);
        // A document the scan reads as a stranger gets the full pass.
        assert!(
            matches!(classify(Syntax::Yaml, b"a: 1\n"), Verdict::Reject(r) if r.contains("keys: a"))
        );
    }

    #[test]
    fn names_give_the_syntax() {
        assert_eq!(syntax_of("a/b.JSON"), Some(Syntax::Json));
        assert_eq!(syntax_of("x.zip!v3.11/main.yaml"), Some(Syntax::Yaml));
        assert_eq!(syntax_of("data/DSA/list"), None);
        assert_eq!(syntax_of("json.d/README"), None);
    }
}
