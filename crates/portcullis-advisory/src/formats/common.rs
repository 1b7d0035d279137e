//! Pieces every non-Debian importer shares: text caps, alias lists, lenient
//! scalar fields, and decoding in either syntax (JSON or YAML).

use std::fmt;

use serde::de::{self, DeserializeOwned, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

/// Longest summary or details kept, in bytes. Real records stay far below
/// (the longest pypa/Go details are a few KiB); the cap only stops a hostile
/// or broken record from bloating the DB.
pub(crate) const TEXT_CAP: usize = 64 * 1024;

/// Appended to a text that was cut at [`TEXT_CAP`].
pub(crate) const TRUNCATED_MARKER: &str = " […truncated]";

/// Cuts `text` to at most [`TEXT_CAP`] bytes plus the marker, on a char
/// boundary.
pub(crate) fn cap_text(mut text: String) -> String {
    if text.len() <= TEXT_CAP {
        return text;
    }
    let mut end = TEXT_CAP;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.truncate(end);
    text.push_str(TRUNCATED_MARKER);
    text
}

/// A trimmed, capped, non-empty text, or `None`.
pub(crate) fn text(value: Option<String>) -> Option<String> {
    let value = value?;
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return None;
    }
    let owned = if trimmed.len() == value.len() {
        value
    } else {
        trimmed.to_owned()
    };
    Some(cap_text(owned))
}

/// Aliases as the model wants them: trimmed, sorted, deduplicated, without
/// the record's own id and without empties.
pub(crate) fn aliases(id: &str, list: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = list
        .into_iter()
        .map(|a| a.trim().to_owned())
        .filter(|a| !a.is_empty() && a != id)
        .collect();
    out.sort();
    out.dedup();
    out
}

/// `2019-10-11` → `2019-10-11T00:00:00Z`; anything else unchanged. Some
/// sources give dates only, and the model promises RFC 3339.
pub(crate) fn rfc3339(value: Option<String>) -> Option<String> {
    let value = value?.trim().to_owned();
    if value.is_empty() {
        return None;
    }
    let b = value.as_bytes();
    let date_only = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if date_only {
        Some(format!("{value}T00:00:00Z"))
    } else {
        Some(value)
    }
}

/// Which syntax a file is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Syntax {
    /// JSON.
    Json,
    /// YAML (one document).
    Yaml,
}

/// Decodes a whole document into `T`. Both parsers bound nesting depth
/// (serde_json and serde_yaml_ng stop at 128 levels), so hostile nesting is
/// an error here, not a stack overflow.
pub(crate) fn decode<T: DeserializeOwned>(syntax: Syntax, bytes: &[u8]) -> Result<T, String> {
    match syntax {
        Syntax::Json => serde_json::from_slice(bytes).map_err(|e| format!("invalid JSON: {e}")),
        Syntax::Yaml => serde_yaml_ng::from_slice(bytes).map_err(|e| format!("invalid YAML: {e}")),
    }
}

/// One element of a multi-record file, kept undecoded so that a record of
/// the wrong shape skips only itself. Decoded later with [`Raw::decode`].
pub(crate) enum Raw {
    /// From a JSON document.
    Json(serde_json::Value),
    /// From a YAML document (scalars keep YAML's typing until decoded).
    Yaml(serde_yaml_ng::Value),
}

impl Raw {
    pub(crate) fn decode<T: DeserializeOwned>(self) -> Result<T, String> {
        match self {
            Raw::Json(v) => serde_json::from_value(v).map_err(|e| e.to_string()),
            Raw::Yaml(v) => serde_yaml_ng::from_value(v).map_err(|e| e.to_string()),
        }
    }
}

/// A scalar read leniently: strings as they are, numbers and booleans
/// printed, `null` as `None`. Lists and maps are an error. Used for fields
/// that sources type loosely (`"id": 516` vs `"id": "516"`, a YAML version
/// key that parses as a number).
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Scalar(pub(crate) Option<String>);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Scalar;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string, number or boolean")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar(Some(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Scalar, E> {
                Ok(Scalar(Some(v)))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar(Some(v.to_string())))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar(Some(v.to_string())))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
                Ok(Scalar(Some(v.to_string())))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Scalar, E> {
                Ok(Scalar(Some(v.to_string())))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Scalar, E> {
                Ok(Scalar(None))
            }
            fn visit_none<E: de::Error>(self) -> Result<Scalar, E> {
                Ok(Scalar(None))
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Scalar, D::Error> {
                Scalar::deserialize(d)
            }
        }
        d.deserialize_any(V)
    }
}

/// A field whose value we only want when it is a string; any other shape
/// (a map, a list, a number) is consumed and read as `None` rather than
/// failing the record. Used inside free-form `database_specific` and
/// `ecosystem_specific` objects, whose layout differs between feeds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct LooseStr(pub(crate) Option<String>);

impl<'de> Deserialize<'de> for LooseStr {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = LooseStr;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any value")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<LooseStr, E> {
                Ok(LooseStr(Some(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<LooseStr, E> {
                Ok(LooseStr(Some(v)))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<LooseStr, E> {
                Ok(LooseStr(None))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<LooseStr, E> {
                Ok(LooseStr(None))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<LooseStr, E> {
                Ok(LooseStr(None))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<LooseStr, E> {
                Ok(LooseStr(None))
            }
            fn visit_unit<E: de::Error>(self) -> Result<LooseStr, E> {
                Ok(LooseStr(None))
            }
            fn visit_none<E: de::Error>(self) -> Result<LooseStr, E> {
                Ok(LooseStr(None))
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<LooseStr, D::Error> {
                LooseStr::deserialize(d)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<LooseStr, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(LooseStr(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<LooseStr, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(LooseStr(None))
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cap_cuts_on_a_char_boundary() {
        let s = "é".repeat(TEXT_CAP); // 2 bytes each
        let capped = cap_text(s);
        assert!(capped.ends_with(TRUNCATED_MARKER));
        assert!(capped.len() <= TEXT_CAP + TRUNCATED_MARKER.len());
        let short = "short".to_owned();
        assert_eq!(cap_text(short.clone()), short);
    }

    #[test]
    fn aliases_are_sorted_unique_and_exclude_the_id() {
        let got = aliases(
            "GHSA-1",
            ["CVE-2", " CVE-1", "GHSA-1", "CVE-2", ""].map(String::from),
        );
        assert_eq!(got, ["CVE-1", "CVE-2"]);
    }

    #[test]
    fn dates_become_rfc3339() {
        assert_eq!(
            rfc3339(Some("2019-10-11".into())).as_deref(),
            Some("2019-10-11T00:00:00Z")
        );
        assert_eq!(
            rfc3339(Some("2020-07-15T19:15:48Z".into())).as_deref(),
            Some("2020-07-15T19:15:48Z")
        );
        assert_eq!(rfc3339(Some(" ".into())), None);
    }
}
