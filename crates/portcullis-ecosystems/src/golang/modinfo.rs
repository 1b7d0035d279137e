//! Decoding the module-info text of a Go binary and the toolchain version.
//!
//! Modinfo is the text `runtime/debug.BuildInfo.String()` produces minus
//! the `go` line: newline-terminated lines whose fields are tab-separated:
//!
//! ```text
//! path    example.com/cmd/tool            (main package)
//! mod     example.com  v1.2.3  h1:...      (main module; version `(devel)` when unknown)
//! dep     golang.org/x/net  v0.7.0  h1:... (one per dependency module)
//! =>      ../fork  (devel)                 (replaces the module on the line before)
//! build   -ldflags="-s -w"                 (key=value, Go-quoted when needed)
//! ```
//!
//! Parsing follows `runtime/debug.ParseBuildInfo` but is lenient: a
//! malformed line is reported and skipped instead of failing the binary,
//! and unknown line kinds are ignored (forward compatibility).

/// One Go module as the binary records it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Module {
    /// Module path.
    pub path: String,
    /// Version as recorded (`v1.2.3`, pseudo-version, or `(devel)`).
    pub version: String,
    /// `h1:` checksum, when recorded.
    pub sum: Option<String>,
    /// The module that replaced this one (`=>` line).
    pub replace: Option<Box<Module>>,
}

/// Decoded build info of one binary.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BuildInfo {
    /// `runtime.Version()` of the toolchain, verbatim.
    pub go_version: String,
    /// Import path of the main package (`path` line).
    pub path: Option<String>,
    /// The main module (`mod` line).
    pub main: Option<Module>,
    /// Dependency modules (`dep` lines), in recorded order.
    pub deps: Vec<Module>,
    /// Build settings (`build` lines), unquoted.
    pub settings: Vec<(String, String)>,
}

/// Parses modinfo text; returns what decoded and one message per skipped line.
pub fn parse_modinfo(go_version: &str, text: &str) -> (BuildInfo, Vec<String>) {
    let mut info = BuildInfo {
        go_version: go_version.to_owned(),
        ..BuildInfo::default()
    };
    let mut problems = Vec::new();
    // Which module a following `=>` line replaces: None, the main module, or a dep index.
    #[derive(Clone, Copy)]
    enum Last {
        None,
        Main,
        Dep(usize),
    }
    let mut last = Last::None;
    for (n, line) in text.split('\n').enumerate() {
        let Some((kind, rest)) = line.split_once('\t') else {
            if !line.is_empty() {
                problems.push(format!("modinfo line {}: no tab", n + 1));
            }
            continue;
        };
        let fields: Vec<&str> = rest.split('\t').collect();
        let module = || match fields.as_slice() {
            [path, version] | [path, version, ""] if !path.is_empty() => Some(Module {
                path: (*path).to_owned(),
                version: (*version).to_owned(),
                ..Module::default()
            }),
            [path, version, sum] if !path.is_empty() => Some(Module {
                path: (*path).to_owned(),
                version: (*version).to_owned(),
                sum: Some((*sum).to_owned()),
                replace: None,
            }),
            _ => None,
        };
        let problem = match kind {
            "path" => {
                info.path = Some(rest.to_owned());
                None
            }
            "mod" => match module() {
                Some(m) => {
                    info.main = Some(m);
                    last = Last::Main;
                    None
                }
                None => Some("malformed mod line"),
            },
            "dep" => match module() {
                Some(m) => {
                    info.deps.push(m);
                    last = Last::Dep(info.deps.len() - 1);
                    None
                }
                None => Some("malformed dep line"),
            },
            "=>" => {
                let target = match last {
                    Last::None => None,
                    Last::Main => info.main.as_mut(),
                    Last::Dep(i) => info.deps.get_mut(i),
                };
                last = Last::None;
                match (target, module()) {
                    (Some(t), Some(r)) => {
                        t.replace = Some(Box::new(r));
                        None
                    }
                    (None, _) => Some("replacement without a module on the line before"),
                    (_, None) => Some("malformed replacement line"),
                }
            }
            "build" => match parse_setting(rest) {
                Some(kv) => {
                    info.settings.push(kv);
                    None
                }
                None => Some("malformed build setting"),
            },
            _ => None,
        };
        if let Some(p) = problem {
            problems.push(format!("modinfo line {}: {p}", n + 1));
        }
    }
    (info, problems)
}

/// `key=value`, either side possibly Go-quoted.
fn parse_setting(kv: &str) -> Option<(String, String)> {
    let (key, raw_value) = if kv.starts_with(['"', '`']) {
        let (key, used) = unquote_prefix(kv)?;
        (key, kv[used..].strip_prefix('=')?)
    } else {
        let (k, v) = kv.split_once('=')?;
        (k.to_owned(), v)
    };
    if key.is_empty() {
        return None;
    }
    let value = if raw_value.starts_with(['"', '`']) {
        match unquote_prefix(raw_value)? {
            (v, used) if used == raw_value.len() => v,
            _ => return None,
        }
    } else {
        raw_value.to_owned()
    };
    Some((key, value))
}

/// Decodes the Go string literal at the start of `s` (as `strconv.Quote`
/// writes them); returns it and the bytes consumed.
fn unquote_prefix(s: &str) -> Option<(String, usize)> {
    if let Some(rest) = s.strip_prefix('`') {
        let end = rest.find('`')?;
        return Some((rest[..end].to_owned(), end + 2));
    }
    let body = s.strip_prefix('"')?;
    let mut out = Vec::new();
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((String::from_utf8_lossy(&out).into_owned(), i + 2)),
            '\\' => {
                let (_, e) = chars.next()?;
                let simple = match e {
                    'a' => Some(7),
                    'b' => Some(8),
                    'f' => Some(12),
                    'n' => Some(b'\n'),
                    'r' => Some(b'\r'),
                    't' => Some(b'\t'),
                    'v' => Some(11),
                    '\\' => Some(b'\\'),
                    '"' => Some(b'"'),
                    '\'' => Some(b'\''),
                    _ => None,
                };
                if let Some(b) = simple {
                    out.push(b);
                    continue;
                }
                let digits = match e {
                    'x' => 2,
                    'u' => 4,
                    'U' => 8,
                    _ => return None,
                };
                let hex: String = (0..digits)
                    .filter_map(|_| chars.next().map(|(_, c)| c))
                    .collect();
                let value = u32::from_str_radix(&hex, 16)
                    .ok()
                    .filter(|_| hex.len() == digits)?;
                if e == 'x' {
                    out.push(u8::try_from(value).ok()?);
                } else {
                    let mut tmp = [0u8; 4];
                    out.extend(char::from_u32(value)?.encode_utf8(&mut tmp).as_bytes());
                }
            }
            '\n' => return None,
            c => {
                let mut tmp = [0u8; 4];
                out.extend(c.encode_utf8(&mut tmp).as_bytes());
            }
        }
    }
    None
}

/// The Go toolchain version as a module-style semantic version, the form
/// every Go version in the inventory takes (`v` + semver):
/// `go1.19.8` → `v1.19.8`, `go1.19` → `v1.19.0`, `go1.21rc2` →
/// `v1.21.0-rc.2`, `go1.22.3 X:boringcrypto` → `v1.22.3`. This is the
/// mapping the Go vulnerability database uses for `stdlib`, whose OSV
/// records spell the same versions without the `v` (`"fixed": "1.19.8"`),
/// as they do for every module; matchers strip the `v` for all Go
/// packages alike. `None` for development builds (`devel ...`), which have
/// no release version.
pub fn stdlib_version(go_version: &str) -> Option<String> {
    let tag = go_version.split_whitespace().next()?.strip_prefix("go")?;
    // Split off a pre-release suffix: "1.21rc2" → ("1.21", "rc", "2").
    let (release, pre) = match tag.find(|c: char| c.is_ascii_alphabetic()) {
        Some(i) => {
            let (release, suffix) = tag.split_at(i);
            let digits = suffix.find(|c: char| c.is_ascii_digit())?;
            let (kind, n) = suffix.split_at(digits);
            if !matches!(kind, "rc" | "beta") || !n.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            (release, Some(format!("{kind}.{}", n.parse::<u64>().ok()?)))
        }
        None => (tag, None),
    };
    let mut parts = [0u64; 3];
    let mut count = 0;
    for (i, p) in release.split('.').enumerate() {
        if i >= 3 || p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        parts[i] = p.parse().ok()?;
        count = i + 1;
    }
    if count == 0 {
        return None;
    }
    let [major, minor, patch] = parts;
    Some(match pre {
        Some(pre) => format!("v{major}.{minor}.{patch}-{pre}"),
        None => format!("v{major}.{minor}.{patch}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_modules_replacements_and_quoted_settings() {
        let text = "path\texample.com/app/cmd/x\n\
mod\texample.com/app\t(devel)\t\n\
dep\tgithub.com/google/uuid\tv1.3.0\th1:abc=\n\
dep\tgolang.org/x/net\tv0.1.0\th1:def=\n\
=>\tgolang.org/x/net\tv0.17.0\th1:ghi=\n\
dep\texample.com/local\tv0.0.0\n\
=>\t../local\t\t\n\
build\t-compiler=gc\n\
build\t-ldflags=\"-s -w -X \\\"main.v=1\\\"\"\n\
build\t\"we=ird\"=`raw value`\n\
=>\torphan\tv1\t\n\
dep\tbroken\n";
        let (info, problems) = parse_modinfo("go1.21.0", text);
        assert_eq!(info.path.as_deref(), Some("example.com/app/cmd/x"));
        assert_eq!(
            info.main.as_ref().map(|m| m.version.as_str()),
            Some("(devel)")
        );
        assert_eq!(info.deps.len(), 3);
        assert_eq!(info.deps[0].sum.as_deref(), Some("h1:abc="));
        assert_eq!(
            info.deps[1].replace.as_ref().map(|r| r.version.as_str()),
            Some("v0.17.0")
        );
        assert_eq!(
            info.deps[2].replace.as_ref().map(|r| r.path.as_str()),
            Some("../local")
        );
        assert_eq!(
            info.settings,
            [
                ("-compiler".into(), "gc".into()),
                ("-ldflags".into(), "-s -w -X \"main.v=1\"".into()),
                ("we=ird".into(), "raw value".into()),
            ]
        );
        assert_eq!(problems.len(), 2, "{problems:?}");
    }

    #[test]
    fn toolchain_versions_map_to_semver() {
        let cases = [
            ("go1.19.8", Some("v1.19.8")),
            ("go1.19", Some("v1.19.0")),
            ("go1.21rc2", Some("v1.21.0-rc.2")),
            ("go1.18beta1", Some("v1.18.0-beta.1")),
            ("go1.22.3 X:boringcrypto", Some("v1.22.3")),
            ("go1", Some("v1.0.0")),
            ("devel go1.23-abcdef Tue", None),
            ("go1.x", None),
            ("go", None),
            ("go1.2.3.4", None),
            ("go1.21alpha1", None),
        ];
        for (input, want) in cases {
            assert_eq!(stdlib_version(input).as_deref(), want, "{input}");
        }
    }
}
