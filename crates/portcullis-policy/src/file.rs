//! Policy files: `portcullis.toml`, `.portcullis.yaml`, or JSON. Each is
//! read into one tree (TOML dates and YAML's non-string keys become
//! strings), then its policy section is handed to [`PolicySpec`].
//!
//! The policy may be the whole document or a `policy` section of it
//! (`[policy]` in a `portcullis.toml` that also has other sections). Inside
//! the policy, an unknown key is an error: a typo must not silently turn a
//! condition off.

use std::io::Read;
use std::path::Path;

use serde_json::{Map, Value};

use crate::error::PolicyError;
use crate::spec::{is_policy_key, PolicySpec};

/// Policy files larger than this are refused (hostile input, SPEC §12).
pub(crate) const MAX_FILE_BYTES: u64 = 4 << 20;

/// The formats a policy file may be in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileFormat {
    /// `.toml`.
    Toml,
    /// `.yaml` / `.yml`.
    Yaml,
    /// `.json`.
    Json,
}

impl FileFormat {
    /// The format a file name says, by its extension.
    pub fn from_path(path: &Path) -> Option<FileFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "toml" => Some(FileFormat::Toml),
            "yaml" | "yml" => Some(FileFormat::Yaml),
            "json" => Some(FileFormat::Json),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            FileFormat::Toml => "TOML",
            FileFormat::Yaml => "YAML",
            FileFormat::Json => "JSON",
        }
    }
}

impl PolicySpec {
    /// Reads a policy file; the format comes from the extension. Errors
    /// name the file, and the key and value when one is wrong.
    pub fn from_path(path: &Path) -> Result<PolicySpec, PolicyError> {
        let in_file = |e: PolicyError| PolicyError::InFile {
            path: path.to_owned(),
            source: Box::new(e),
        };
        let format = FileFormat::from_path(path).ok_or_else(|| PolicyError::Format {
            path: path.to_owned(),
        })?;
        let read_err = |source| PolicyError::Read {
            path: path.to_owned(),
            source,
        };
        let mut text = String::new();
        std::fs::File::open(path)
            .and_then(|f| f.take(MAX_FILE_BYTES + 1).read_to_string(&mut text))
            .map_err(read_err)?;
        if text.len() as u64 > MAX_FILE_BYTES {
            return Err(in_file(PolicyError::Syntax {
                format: format.name(),
                message: format!("larger than {MAX_FILE_BYTES} bytes"),
            }));
        }
        let mut spec = PolicySpec::parse(&text, format).map_err(in_file)?;
        // `vex` paths are relative to the policy file, so that a
        // repository's file works from any working directory. A VEX error
        // names the VEX file; the policy file is named around it.
        let dir = path.parent().unwrap_or(Path::new(""));
        spec.read_vex(Some(dir)).map_err(in_file)?;
        Ok(spec)
    }

    /// Parses a policy document in `format`.
    pub fn parse(text: &str, format: FileFormat) -> Result<PolicySpec, PolicyError> {
        let syntax = |message: String| PolicyError::Syntax {
            format: format.name(),
            message,
        };
        let root = match format {
            FileFormat::Toml => toml::from_str::<toml::Table>(text)
                .map(|t| from_toml(toml::Value::Table(t)))
                .map_err(|e| syntax(e.to_string().trim_end().to_owned()))?,
            FileFormat::Yaml => {
                let v: serde_yaml_ng::Value =
                    serde_yaml_ng::from_str(text).map_err(|e| syntax(e.to_string()))?;
                from_yaml(v).map_err(syntax)?
            }
            FileFormat::Json => serde_json::from_str(text).map_err(|e| syntax(e.to_string()))?,
        };
        PolicySpec::from_document(&root).map_err(|e| match e {
            PolicyError::Syntax { message, .. } => syntax(message),
            other => other,
        })
    }

    /// The policy of a parsed document: its `policy` section when it has
    /// one, else the document itself. Next to a `policy` section, other
    /// top-level sections are left alone, but a policy key there is an error
    /// (it would be silently ignored otherwise). Without one, top-level
    /// tables that are not policy keys are taken for other sections.
    pub fn from_document(root: &Value) -> Result<PolicySpec, PolicyError> {
        let shape = |message: &str| PolicyError::Syntax {
            format: "policy document",
            message: message.to_owned(),
        };
        let root = match root {
            Value::Null => return Ok(PolicySpec::default()),
            Value::Object(map) => map,
            _ => return Err(shape("the document must be a table / mapping")),
        };
        if let Some(section) = root.get("policy") {
            if let Some(key) = root.keys().find(|k| is_policy_key(k)) {
                return Err(PolicyError::invalid(
                    key,
                    crate::parse::shown(&root[key]),
                    "policy keys belong inside the `policy` section when the file has one",
                ));
            }
            return match section {
                Value::Object(map) => PolicySpec::from_section(map),
                Value::Null => Ok(PolicySpec::default()),
                _ => Err(shape("`policy` must be a table / mapping")),
            };
        }
        // A misspelt condition written as a table (`fail-severty = {...}`)
        // must not pass for another section and silently switch the
        // condition off: only the sections portcullis itself defines are
        // skipped.
        let section: Map<String, Value> = root
            .iter()
            .filter(|(k, v)| {
                is_policy_key(k) || !(is_section(v) && OTHER_SECTIONS.contains(&k.as_str()))
            })
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        PolicySpec::from_section(&section)
    }
}

/// The other sections a `portcullis.toml` may hold besides the policy
/// (configuration of the scan, the DB, the platform and sensor, …).
const OTHER_SECTIONS: &[&str] = &[
    "scan",
    "db",
    "server",
    "serve",
    "sensor",
    "platform",
    "qualys",
    "backend",
    "webhook",
    "output",
    "outputs",
    "registry",
    "registries",
    "docker",
    "proxy",
    "notify",
];

/// Whether a top-level value looks like another section of the file: a
/// table, or an array of tables (`[[registries]]`).
fn is_section(v: &Value) -> bool {
    match v {
        Value::Object(_) => true,
        Value::Array(items) => !items.is_empty() && items.iter().all(Value::is_object),
        _ => false,
    }
}

/// The key under which the `toml` crate hands a date to serde.
const TOML_DATETIME: &str = "$__toml_private_datetime";

/// Lets a caller embed the policy section in its own serde config struct
/// (`policy: PolicySpec`). The value goes through the same key-by-key
/// parsing as a file; TOML dates are taken as their text.
impl<'de> serde::Deserialize<'de> for PolicySpec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut v = Value::deserialize(d)?;
        untoml_dates(&mut v);
        match &v {
            Value::Null => Ok(PolicySpec::default()),
            Value::Object(map) => PolicySpec::from_section(map),
            _ => Err(PolicyError::Syntax {
                format: "policy section",
                message: "expected a table / mapping".to_owned(),
            }),
        }
        .map_err(serde::de::Error::custom)
    }
}

/// Replaces the `toml` crate's date maps with their text, in place.
fn untoml_dates(v: &mut Value) {
    match v {
        Value::Object(map) => {
            if map.len() == 1 {
                if let Some(Value::String(text)) = map.get(TOML_DATETIME) {
                    *v = Value::String(text.clone());
                    return;
                }
            }
            map.values_mut().for_each(untoml_dates);
        }
        Value::Array(items) => items.iter_mut().for_each(untoml_dates),
        _ => {}
    }
}

/// TOML → the common tree; dates become their `YYYY-MM-DD` text.
fn from_toml(v: toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => float(f),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.into_iter().map(from_toml).collect()),
        toml::Value::Table(t) => {
            Value::Object(t.into_iter().map(|(k, v)| (k, from_toml(v))).collect())
        }
    }
}

/// A float; NaN and infinities (which JSON cannot hold) as text, so the
/// key's own check rejects them with its message.
fn float(f: f64) -> Value {
    serde_json::Number::from_f64(f).map_or_else(|| Value::String(f.to_string()), Value::Number)
}

/// YAML → the common tree; scalar keys (`5: 0`) become strings.
fn from_yaml(v: serde_yaml_ng::Value) -> Result<Value, String> {
    use serde_yaml_ng::Value as Y;
    Ok(match v {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
            (Some(u), _, _) => Value::from(u),
            (_, Some(i), _) => Value::from(i),
            (_, _, Some(f)) => float(f),
            _ => Value::String(n.to_string()),
        },
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => {
            Value::Array(items.into_iter().map(from_yaml).collect::<Result<_, _>>()?)
        }
        Y::Mapping(map) => {
            let mut out = Map::new();
            for (k, v) in map {
                let key = match k {
                    Y::String(s) => s,
                    Y::Number(n) => n.to_string(),
                    Y::Bool(b) => b.to_string(),
                    other => return Err(format!("unsupported mapping key {other:?}")),
                };
                out.insert(key, from_yaml(v)?);
            }
            Value::Object(out)
        }
        Y::Tagged(t) => return Err(format!("YAML tags are not supported (found !{})", t.tag)),
    })
}
