//! The two metadata files of a Java archive that name what it contains.
//!
//! - `META-INF/maven/<groupId>/<artifactId>/pom.properties`, written by
//!   Maven's archiver: a `java.util.Properties` file (ISO-8859-1, `#`/`!`
//!   comments, `=`/`:`/whitespace separators, backslash escapes and line
//!   continuations) with `groupId`, `artifactId` and `version`.
//! - `META-INF/MANIFEST.MF` (JAR File Specification, "Manifest
//!   Specification"): `Name: value` headers, lines of at most 72 bytes
//!   continued on lines starting with one space, sections separated by blank
//!   lines; only the main (first) section describes the archive.

use serde::{Deserialize, Serialize};

/// Maven coordinates from one `pom.properties`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PomProperties {
    /// `groupId`.
    pub group_id: String,
    /// `artifactId`.
    pub artifact_id: String,
    /// `version`.
    pub version: String,
    /// Where the file sits inside its archive.
    pub path: String,
}

/// The main-section manifest attributes used to name an archive that has
/// no `pom.properties`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// `Implementation-Title`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub implementation_title: Option<String>,
    /// `Implementation-Version`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub implementation_version: Option<String>,
    /// `Implementation-Vendor-Id` (older Maven archivers wrote the groupId here).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub implementation_vendor_id: Option<String>,
    /// `Bundle-SymbolicName`, without OSGi directives (`;singleton:=true`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bundle_symbolic_name: Option<String>,
    /// `Bundle-Version`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bundle_version: Option<String>,
    /// `Specification-Title`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub specification_title: Option<String>,
    /// `Specification-Version`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub specification_version: Option<String>,
}

/// Whether a zip entry name is a Maven `pom.properties`.
pub fn is_pom_properties(name: &str) -> bool {
    name.starts_with("META-INF/maven/") && name.ends_with("/pom.properties")
}

/// Splits bytes into lines ending in CRLF, LF or CR (both formats allow all three).
fn lines(bytes: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => {
                out.push(&bytes[start..i]);
                start = i + 1;
            }
            b'\r' => {
                out.push(&bytes[start..i]);
                if bytes.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    if start < bytes.len() {
        out.push(&bytes[start..]);
    }
    out
}

/// Parses a `java.util.Properties` file into `(key, value)` pairs.
pub fn parse_properties(bytes: &[u8]) -> Vec<(String, String)> {
    // ISO-8859-1: every byte is the code point of the same value.
    let latin1 = |b: &[u8]| b.iter().map(|&c| char::from(c)).collect::<String>();
    let mut pairs = Vec::new();
    let mut logical = String::new();
    let mut continuing = false;
    for raw in lines(bytes) {
        let line = latin1(raw);
        // Leading whitespace is dropped on natural and continuation lines
        // alike; only a natural line can be a comment.
        let line = line.trim_start_matches([' ', '\t', '\x0c']);
        if !continuing && (line.is_empty() || line.starts_with(['#', '!'])) {
            continue;
        }
        let trailing = line.len() - line.trim_end_matches('\\').len();
        if trailing % 2 == 1 {
            logical.push_str(&line[..line.len() - 1]);
            continuing = true;
            continue;
        }
        logical.push_str(line);
        continuing = false;
        pairs.push(split_property(&std::mem::take(&mut logical)));
    }
    if continuing {
        pairs.push(split_property(&logical));
    }
    pairs
}

/// Splits one logical line at the first unescaped `=`, `:` or whitespace.
fn split_property(line: &str) -> (String, String) {
    let mut escaped = false;
    let mut key_end = line.len();
    for (i, c) in line.char_indices() {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if matches!(c, '=' | ':' | ' ' | '\t' | '\x0c') {
            key_end = i;
            break;
        }
    }
    let rest = line[key_end..].trim_start_matches([' ', '\t', '\x0c']);
    let rest = rest
        .strip_prefix(['=', ':'])
        .unwrap_or(rest)
        .trim_start_matches([' ', '\t', '\x0c']);
    (unescape(&line[..key_end]), unescape(rest))
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('f') => out.push('\x0c'),
            Some('u') => {
                let hex: String = chars.by_ref().take(4).collect();
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    Some(u) if hex.len() == 4 => out.push(u),
                    _ => out.push(char::REPLACEMENT_CHARACTER),
                }
            }
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

/// Coordinates from a `pom.properties` at `path`. A missing `groupId` or
/// `artifactId` is taken from the directory names Maven put the file in;
/// `None` without a version or artifact.
pub fn parse_pom_properties(bytes: &[u8], path: &str) -> Option<PomProperties> {
    let pairs = parse_properties(bytes);
    let get = |k: &str| {
        pairs
            .iter()
            .rev()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let mut dirs = path
        .strip_prefix("META-INF/maven/")
        .unwrap_or("")
        .split('/');
    let (dir_group, dir_artifact) = (dirs.next().unwrap_or(""), dirs.next().unwrap_or(""));
    let pom = PomProperties {
        group_id: get("groupId").unwrap_or_else(|| dir_group.to_owned()),
        artifact_id: get("artifactId").unwrap_or_else(|| dir_artifact.to_owned()),
        version: get("version")?,
        path: path.to_owned(),
    };
    (!pom.artifact_id.is_empty()).then_some(pom)
}

/// Reads the main section of a manifest.
pub fn parse_manifest(bytes: &[u8]) -> Manifest {
    // Join continuation lines as bytes first: the 72-byte limit may split
    // a UTF-8 sequence across lines.
    let mut headers: Vec<Vec<u8>> = Vec::new();
    for line in lines(bytes) {
        if line.is_empty() {
            break; // end of the main section
        }
        match (line.strip_prefix(b" "), headers.last_mut()) {
            (Some(cont), Some(last)) => last.extend_from_slice(cont),
            _ => headers.push(line.to_vec()),
        }
    }
    let mut m = Manifest::default();
    for header in &headers {
        let text = String::from_utf8_lossy(header);
        let Some((name, value)) = text.split_once(':') else {
            continue;
        };
        let value = value.strip_prefix(' ').unwrap_or(value).trim();
        if value.is_empty() {
            continue;
        }
        let value = Some(value.to_owned());
        // Attribute names are case-insensitive.
        match name.trim().to_ascii_lowercase().as_str() {
            "implementation-title" => m.implementation_title = value,
            "implementation-version" => m.implementation_version = value,
            "implementation-vendor-id" => m.implementation_vendor_id = value,
            "bundle-symbolicname" => {
                m.bundle_symbolic_name = value
                    .map(|v| v.split(';').next().unwrap_or("").trim().to_owned())
                    .filter(|v| !v.is_empty())
            }
            "bundle-version" => m.bundle_version = value,
            "specification-title" => m.specification_title = value,
            "specification-version" => m.specification_version = value,
            _ => {}
        }
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn properties_follow_java_rules() {
        let text = b"#Generated by Maven\r\n! bang comment\n  groupId = org.example\nartifactId:my-lib\nversion 1.0\\\n    .2-SNAPSHOT\nweird\\=key=v\\u00e9\\\\\nempty\n";
        let pairs = parse_properties(text);
        assert_eq!(
            pairs,
            [
                ("groupId".to_owned(), "org.example".to_owned()),
                ("artifactId".to_owned(), "my-lib".to_owned()),
                ("version".to_owned(), "1.0.2-SNAPSHOT".to_owned()),
                ("weird=key".to_owned(), "v\u{e9}\\".to_owned()),
                ("empty".to_owned(), String::new()),
            ]
        );
    }

    #[test]
    fn pom_properties_fall_back_to_directory_names() {
        let pom = parse_pom_properties(b"version=2.0\n", "META-INF/maven/org.x/lib/pom.properties")
            .unwrap();
        assert_eq!(
            (
                pom.group_id.as_str(),
                pom.artifact_id.as_str(),
                pom.version.as_str()
            ),
            ("org.x", "lib", "2.0")
        );
        assert!(parse_pom_properties(
            b"groupId=a\nartifactId=b\n",
            "META-INF/maven/a/b/pom.properties"
        )
        .is_none());
        assert!(is_pom_properties("META-INF/maven/a/b/pom.properties"));
        assert!(!is_pom_properties(
            "BOOT-INF/classes/META-INF/maven/a/b/pom.xml"
        ));
    }

    #[test]
    fn manifest_main_section_with_continuations() {
        let text = "Manifest-Version: 1.0\r\nBundle-SymbolicName: org.apache.commons.lang3;singlet\r\n on:=true\r\nbundle-version: 3.12.0\r\nImplementation-Title: A very long title that goes past the seventy-two \r\n byte limit\r\n\r\nName: org/x/\r\nImplementation-Version: 9.9\r\n";
        let m = parse_manifest(text.as_bytes());
        assert_eq!(
            m.bundle_symbolic_name.as_deref(),
            Some("org.apache.commons.lang3")
        );
        assert_eq!(m.bundle_version.as_deref(), Some("3.12.0"));
        assert_eq!(
            m.implementation_title.as_deref(),
            Some("A very long title that goes past the seventy-two byte limit")
        );
        assert_eq!(
            m.implementation_version, None,
            "per-entry sections are ignored"
        );
        // A multi-byte character split by the line limit survives.
        let split = b"Implementation-Title: caf\xc3\r\n \xa9\r\n";
        assert_eq!(
            parse_manifest(split).implementation_title.as_deref(),
            Some("caf\u{e9}")
        );
    }
}
