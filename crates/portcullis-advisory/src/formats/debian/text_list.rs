//! The tracker's text lists `data/DSA/list`, `data/DLA/list` and
//! `data/DTSA/list`:
//!
//! ```text
//! [29 Mar 2023] DSA-5380-1 xorg-server - security update
//!     {CVE-2023-1393}
//!     [bullseye] - xorg-server 2:1.20.11-1+deb11u6
//!     NOTE: …
//! ```
//!
//! Body lines are indented with a tab (some old ones with spaces).
//!
//! Each advisory is expanded into one record per CVE (id = the CVE, the
//! DSA/DLA/DTSA id as alias, summary = the header's title) so that it meets
//! the other sources' records of the same CVE; a CVE that several
//! advisories of one list name is one record with all their affected
//! entries and ids. Several fixes for the same release are all kept: the
//! later advisory is a regression or incomplete-fix update, and the matcher
//! then reads the package as affected until the last of them. An advisory
//! without CVEs keeps its own id.
//!
//! DTSA headers spell dates `[August 26th, 2005]`; the others `[29 Mar 2023]`.
//!
//! A malformed block is skipped and reported (see [`super::parse_with_warnings`]);
//! the file is an error only when no block at all can be read.

use std::borrow::Cow;

use super::common::{tag, Collector, Tag, Verdict};
use super::Parsed;
use crate::Severity;

mod dates;

pub(super) use dates::{lts_release_at, Date};

/// Whether the first line of a file is a list header.
pub(super) fn looks_like_list(head: &[u8]) -> bool {
    let line = head.split(|&b| b == b'\n').next().unwrap_or_default();
    let line = String::from_utf8_lossy(line);
    header(line.trim_end()).is_ok()
}

/// Which list an advisory belongs to, from its id's prefix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Dsa,
    Dla,
    Dtsa,
}

impl Kind {
    fn source(self) -> &'static str {
        match self {
            Kind::Dsa => "debian-dsa",
            Kind::Dla => "debian-dla",
            Kind::Dtsa => "debian-dtsa",
        }
    }
}

struct Header<'a> {
    date: Option<Date>,
    id: &'a str,
    kind: Kind,
    title: &'a str,
}

const HEADER_SHAPE: &str = "expected '[DD Mon YYYY] DSA-…|DLA-…|DTSA-… <source> - <title>'";

fn header(line: &str) -> Result<Header<'_>, String> {
    let inner = line.strip_prefix('[').ok_or(HEADER_SHAPE)?;
    let (date, rest) = inner.split_once(']').ok_or(HEADER_SHAPE)?;
    let rest = rest.trim_start();
    let (id, title) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    let kind = if id.starts_with("DSA-") {
        Kind::Dsa
    } else if id.starts_with("DLA-") {
        Kind::Dla
    } else if id.starts_with("DTSA-") {
        Kind::Dtsa
    } else {
        return Err(HEADER_SHAPE.to_owned());
    };
    let number = id.split_once('-').map(|(_, n)| n).unwrap_or_default();
    if number.is_empty() || !number.chars().all(|c| c.is_ascii_digit() || c == '-') {
        return Err(format!("{HEADER_SHAPE}: bad advisory id {id:?}"));
    }
    Ok(Header {
        date: Date::parse(date),
        id,
        kind,
        title: title.trim(),
    })
}

/// A `[release] - package version|<tag> (notes)` line.
struct PackageLine<'a> {
    release: Option<&'a str>,
    package: &'a str,
    verdict: Option<Verdict>,
}

fn package_line(body: &str) -> Result<PackageLine<'_>, String> {
    let (release, rest) = match body.strip_prefix('[') {
        Some(r) => {
            let (release, rest) = r.split_once(']').ok_or("unclosed '[release]'")?;
            (Some(release.trim()), rest.trim_start())
        }
        None => (None, body),
    };
    let rest = rest
        .strip_prefix('-')
        .ok_or("expected '[<release>] - <source> <version>'")?;
    let mut words = rest.split_whitespace();
    let package = words.next().ok_or("missing source package")?;
    let what = words.next().ok_or("missing version or <tag>")?;
    // Notes are the parenthesised rest: `(bug #1234; medium)`.
    let notes = rest
        .find('(')
        .map(|i| rest[i..].trim_matches(|c: char| c == '(' || c == ')' || c.is_whitespace()))
        .unwrap_or("");
    let rating = notes
        .split([';', ','])
        .map(str::trim)
        .find(|w| Severity::from_word(w).is_some());
    let severity = rating.and_then(Severity::from_word);
    let verdict = if let Some(name) = what.strip_prefix('<') {
        let name = name.strip_suffix('>').ok_or("unclosed <tag>")?;
        match tag(name, rating) {
            Some(Tag::Status(status)) => Some(Verdict::status(status, severity)),
            Some(Tag::Skip) => None,
            None => return Err(format!("unknown tag <{name}>")),
        }
    } else if what.starts_with('(') {
        return Err("missing version or <tag>".to_owned());
    } else {
        Some(Verdict::fixed_at(Some(what), severity))
    };
    if release == Some("") {
        return Err("empty '[release]'".to_owned());
    }
    Ok(PackageLine {
        release,
        package,
        verdict,
    })
}

struct Block<'a> {
    header: Header<'a>,
    cves: Vec<&'a str>,
    packages: Vec<(&'a str, &'a str, Verdict)>,
}

/// Parses a whole list.
pub(super) fn parse(bytes: &[u8], origin: &str) -> Result<Parsed, String> {
    let text = String::from_utf8_lossy(bytes);
    let (blocks, warnings, first_error) = read_blocks(&text);
    if blocks.is_empty() {
        if let Some(error) = first_error {
            return Err(format!("not a DSA/DLA/DTSA list: {error}"));
        }
    }
    let mut collector = Collector::new(origin);
    for block in blocks {
        expand(&mut collector, block);
    }
    Ok(Parsed {
        items: collector.finish(),
        warnings,
    })
}

/// Splits the text into blocks; a block with a bad line is dropped whole
/// (half an advisory would tell the matcher less than the source says).
fn read_blocks(text: &str) -> (Vec<Block<'_>>, Vec<String>, Option<String>) {
    let mut blocks = Vec::new();
    let mut warnings = Vec::new();
    let mut first_error = None;
    // The block being read, or `None` while skipping a bad one.
    let mut current: Option<(usize, Block<'_>)> = None;
    let mut skipping = false;
    let mut fail = |line: usize, what: &str, problem: &str, warnings: &mut Vec<String>| {
        let message = format!("line {line}: {problem}");
        first_error.get_or_insert_with(|| message.clone());
        warnings.push(format!("{message}; {what} skipped"));
    };
    for (index, raw) in text.lines().enumerate() {
        let number = index + 1;
        let line = raw.trim_end();
        if line.trim_start().is_empty() {
            continue;
        }
        if !line.starts_with(char::is_whitespace) {
            blocks.extend(current.take().map(|(_, b)| b));
            skipping = false;
            match header(line) {
                Ok(header) => {
                    current = Some((
                        number,
                        Block {
                            header,
                            cves: Vec::new(),
                            packages: Vec::new(),
                        },
                    ));
                }
                Err(problem) => {
                    fail(number, "block", &problem, &mut warnings);
                    skipping = true;
                }
            }
            continue;
        }
        if skipping {
            continue;
        }
        let Some((start, block)) = current.as_mut() else {
            fail(
                number,
                "line",
                "indented line before any header",
                &mut warnings,
            );
            skipping = true;
            continue;
        };
        if let Err(problem) = body_line(block, line.trim_start()) {
            let what = format!("{} (line {start})", block.header.id);
            fail(number, &what, &problem, &mut warnings);
            current = None;
            skipping = true;
        }
    }
    blocks.extend(current.map(|(_, b)| b));
    (blocks, warnings, first_error)
}

fn body_line<'a>(block: &mut Block<'a>, body: &'a str) -> Result<(), String> {
    if body.starts_with("NOTE:") {
        return Ok(());
    }
    if let Some(ids) = body.strip_prefix('{') {
        let ids = ids.strip_suffix('}').ok_or("unclosed '{CVE-… }'")?;
        block.cves.extend(ids.split_whitespace());
        return Ok(());
    }
    let line = package_line(body)?;
    let Some(verdict) = line.verdict else {
        return Ok(());
    };
    let release = match (line.release, block.header.kind) {
        (Some(release), _) => release,
        // LTS lists once named no release: the one in LTS on that day.
        (None, Kind::Dla) => block
            .header
            .date
            .and_then(lts_release_at)
            .ok_or("no '[release]' and no LTS release at this date")?,
        (None, _) => return Err("expected '[<release>] - <source> <version>'".to_owned()),
    };
    block.packages.push((release, line.package, verdict));
    Ok(())
}

fn expand(collector: &mut Collector, block: Block<'_>) {
    let Block {
        header,
        cves,
        packages,
    } = block;
    let affected: Vec<_> = packages
        .into_iter()
        .map(|(release, package, verdict)| verdict.into_affected(release, package))
        .collect();
    let published = header.date.map(|d| d.rfc3339());
    let title = (!header.title.is_empty()).then(|| header.title.to_owned());
    let ids: Vec<Cow<'_, str>> = if cves.is_empty() {
        vec![Cow::Borrowed(header.id)]
    } else {
        cves.iter().map(|c| Cow::Borrowed(*c)).collect()
    };
    for id in ids {
        let advisory = collector.entry(header.kind.source(), &id);
        advisory.aliases.push(header.id.to_owned());
        advisory.affected.extend(affected.iter().cloned());
        // The oldest advisory names the issue best (later ones are
        // regression updates); its date is when Debian first published it.
        let older = match (&published, &advisory.published) {
            (Some(new), Some(old)) => new < old,
            (_, None) => true,
            (None, Some(_)) => false,
        };
        if older || advisory.summary.is_none() {
            advisory.summary = title.clone().or(advisory.summary.take());
        }
        if older {
            advisory.published = published.clone();
        }
    }
}

#[cfg(test)]
mod tests;
