//! `portcullis explain IMAGE VULN-ID`: why a vulnerability was, or was not,
//! reported for an image (SPEC §11 "Evidence").

use portcullis_db::Db;
use portcullis_types::Inventory;
use serde::Serialize;

use crate::evaluate::{evaluate, Verdict};
use crate::matcher::{lookup_keys, match_inventory};
use crate::{Finding, MatchError};

/// One affected row of the advisory, judged against the image.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RowExplanation {
    /// Advisory id.
    pub advisory: String,
    /// Its feed.
    pub source: String,
    /// The file or URL entry it came from.
    pub record: String,
    /// Whether the advisory was withdrawn (then it never matches).
    pub withdrawn: bool,
    /// Namespace of the row.
    pub namespace: String,
    /// Package of the row.
    pub package: String,
    /// One line per installed package this row concerns, or why none does.
    pub verdicts: Vec<String>,
}

/// Everything `explain` prints.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Explanation {
    /// The id asked about.
    pub id: String,
    /// Findings carrying that id (as id or alias), with their evidence.
    pub findings: Vec<Finding>,
    /// Every DB row of every advisory known by that id, judged.
    pub rows: Vec<RowExplanation>,
}

/// Explains one vulnerability id against one inventory.
pub fn explain(db: &Db, inventory: &Inventory, id: &str) -> Result<Explanation, MatchError> {
    let wanted = id.trim().to_ascii_uppercase();
    let findings: Vec<Finding> = match_inventory(db, inventory)?
        .findings
        .into_iter()
        .filter(|f| f.ids().any(|i| i.eq_ignore_ascii_case(&wanted)))
        .collect();
    let mut rows = Vec::new();
    for key in db.keys_for_id(id)? {
        let advisory = db.advisory_full(key)?;
        for affected in &advisory.affected {
            let mut verdicts = Vec::new();
            for package in &inventory.packages {
                let keys = match lookup_keys(package, inventory.distro.as_ref()) {
                    Ok(k) => k,
                    Err(reason) => {
                        // Say so when the row would have named this package.
                        let same_world = affected.namespace.language() == Some(package.ecosystem);
                        if same_world
                            && affected.namespace.normalize_package(&package.name)
                                == affected.package
                        {
                            verdicts.push(format!(
                                "{} {}: not matched: {reason}",
                                package.name, package.version
                            ));
                        }
                        continue;
                    }
                };
                if keys.namespace != affected.namespace || !keys.names.contains(&affected.package) {
                    continue;
                }
                let line = match evaluate(affected, package.ecosystem, &keys.version) {
                    Verdict::NotAffected { comparisons } => format!(
                        "{} {} (compared as {}): not affected: {}",
                        package.name,
                        package.version,
                        keys.version,
                        comparisons.join("; ")
                    ),
                    Verdict::Affected {
                        confirmed,
                        fixed,
                        comparisons,
                        doubt,
                    } => format!(
                        "{} {} (compared as {}): {}{}: {}{}",
                        package.name,
                        package.version,
                        keys.version,
                        if confirmed {
                            "AFFECTED (confirmed)"
                        } else {
                            "POTENTIALLY affected"
                        },
                        fixed.map(|f| format!(", fixed in {f}")).unwrap_or_default(),
                        comparisons.join("; "),
                        doubt.map(|d| format!(" ({d})")).unwrap_or_default(),
                    ),
                };
                verdicts.push(line);
            }
            if verdicts.is_empty() {
                verdicts.push(format!(
                    "no installed package is {} in {}",
                    affected.package, affected.namespace
                ));
            }
            rows.push(RowExplanation {
                advisory: advisory.id.clone(),
                source: advisory.source.clone(),
                record: advisory.origin.clone(),
                withdrawn: advisory.withdrawn.is_some(),
                namespace: affected.namespace.to_string(),
                package: affected.package.clone(),
                verdicts,
            });
        }
    }
    Ok(Explanation {
        id: wanted,
        findings,
        rows,
    })
}
