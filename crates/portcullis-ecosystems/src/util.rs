//! Helpers shared by the catalogers.

use std::collections::BTreeMap;

use portcullis_catalog::Version;
use portcullis_types::{purl_for, Distro, Ecosystem, Package};

/// The fields a cataloger knows about a package; [`PackageFacts::build`]
/// derives the purl so every cataloger spells it the same way.
#[derive(Default)]
pub(crate) struct PackageFacts<'a> {
    pub(crate) name: String,
    pub(crate) version: String,
    pub(crate) source: Option<(String, String)>,
    pub(crate) arch: Option<String>,
    pub(crate) licenses: Vec<String>,
    pub(crate) locations: Vec<String>,
    pub(crate) distro: Option<&'a Distro>,
}

impl PackageFacts<'_> {
    pub(crate) fn build(self, ecosystem: Ecosystem, cataloger: &str) -> Package {
        let purl = purl_for(
            ecosystem,
            &self.name,
            &self.version,
            self.arch.as_deref(),
            self.source.as_ref().map(|(n, v)| (n.as_str(), v.as_str())),
            self.distro,
        );
        let (source_name, source_version) = match (ecosystem.is_os(), self.source) {
            (true, Some((n, v))) => (Some(n), Some(v)),
            (true, None) => (Some(self.name.clone()), Some(self.version.clone())),
            (false, _) => (None, None),
        };
        Package {
            ecosystem,
            name: self.name,
            version: self.version,
            source_name,
            source_version,
            arch: self.arch,
            purl,
            licenses: self.licenses,
            layer: None,
            locations: self
                .locations
                .into_iter()
                .map(|l| {
                    if l.starts_with('/') {
                        l
                    } else {
                        format!("/{l}")
                    }
                })
                .collect(),
            cataloger: cataloger.to_owned(),
            // Decided after every cataloger ran (portcullis-catalog's
            // ownership pass), when the OS packages' file lists are known.
            owned_by: None,
        }
    }
}

/// For a package database rewritten by several layers (dpkg `status`, apk
/// `installed`, rpmdb): the layer that introduced each package still present
/// at the end, i.e. the first layer of the unbroken run of versions that
/// contain it. A package upgraded in a later layer is attributed to that
/// layer, because its key includes the version.
pub(crate) fn introduced_in<K: Ord + Clone>(
    history: &[Version],
    keys_of: impl Fn(&[u8]) -> Vec<K>,
) -> BTreeMap<K, usize> {
    let mut current: BTreeMap<K, usize> = BTreeMap::new();
    for version in history {
        let Some(content) = &version.content else {
            current.clear();
            continue;
        };
        let mut next = BTreeMap::new();
        for key in keys_of(content) {
            let layer = current.get(&key).copied().unwrap_or(version.layer);
            next.insert(key, layer);
        }
        current = next;
    }
    current
}

/// Splits RFC 822-style stanzas (dpkg status, PKG-INFO headers) into
/// `(field, value)` pairs with continuation lines folded in.
pub(crate) fn rfc822_fields(stanza: &str) -> Vec<(&str, String)> {
    let mut fields: Vec<(&str, String)> = Vec::new();
    for line in stanza.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = fields.last_mut() {
                value.push('\n');
                value.push_str(line.trim());
            }
        } else if let Some((k, v)) = line.split_once(':') {
            fields.push((k.trim(), v.trim().to_owned()));
        }
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn v(layer: usize, content: Option<&str>) -> Version {
        Version {
            layer,
            content: content.map(|c| Arc::from(c.as_bytes())),
        }
    }

    #[test]
    fn attribution_follows_the_unbroken_run() {
        let keys = |c: &[u8]| {
            std::str::from_utf8(c)
                .unwrap()
                .split(',')
                .map(str::to_owned)
                .collect::<Vec<_>>()
        };
        let h = vec![
            v(0, Some("a,b")),
            v(1, Some("a,b,c")),
            v(2, None),
            v(3, Some("a,d")),
        ];
        let got = introduced_in(&h, keys);
        assert_eq!(got.get("a"), Some(&3), "deleted in layer 2, back in 3");
        assert_eq!(got.get("d"), Some(&3));
        assert_eq!(got.get("b"), None);
        let h = vec![v(0, Some("a,b")), v(1, Some("a,c"))];
        let got = introduced_in(&h, keys);
        assert_eq!((got["a"], got["c"]), (0, 1));
    }
}
