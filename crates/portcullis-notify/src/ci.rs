//! Which CI system the scan runs in, and what it says about the build.

use std::path::PathBuf;

use portcullis_report::scan::CiMetadata;

/// Reads the CI metadata (system, job name, build number, build URL) from
/// the environment, through `env` so that it is a pure function of the
/// lookup (the CLI passes `|k| std::env::var(k).ok()`).
///
/// Systems are tried in this order: GitHub Actions (`GITHUB_ACTIONS`),
/// GitLab (`GITLAB_CI`), Azure DevOps (`TF_BUILD`), Jenkins (`JENKINS_URL`),
/// Bamboo (`bamboo_buildKey`). Empty variables count as unset. Outside a
/// recognised CI system every field is `None`.
pub fn ci_metadata_from_env(env: &dyn Fn(&str) -> Option<String>) -> CiMetadata {
    let get = |k: &str| {
        env(k)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    if get("GITHUB_ACTIONS").is_some() {
        let job_url = match (
            get("GITHUB_SERVER_URL"),
            get("GITHUB_REPOSITORY"),
            get("GITHUB_RUN_ID"),
        ) {
            (Some(server), Some(repo), Some(run)) => Some(format!(
                "{}/{}/actions/runs/{}",
                server.trim_end_matches('/'),
                repo,
                run
            )),
            _ => None,
        };
        return CiMetadata {
            system: Some("github".into()),
            job_name: get("GITHUB_WORKFLOW"),
            build_number: get("GITHUB_RUN_NUMBER"),
            job_url,
        };
    }
    if get("GITLAB_CI").is_some() {
        let job_name = match (get("CI_PROJECT_PATH"), get("CI_JOB_NAME")) {
            (Some(project), Some(job)) => Some(format!("{project}/{job}")),
            (project, job) => job.or(project),
        };
        return CiMetadata {
            system: Some("gitlab".into()),
            job_name,
            build_number: get("CI_PIPELINE_IID").or_else(|| get("CI_JOB_ID")),
            job_url: get("CI_JOB_URL"),
        };
    }
    if get("TF_BUILD").is_some() {
        let job_url = match (
            get("SYSTEM_COLLECTIONURI"),
            get("SYSTEM_TEAMPROJECT"),
            get("BUILD_BUILDID"),
        ) {
            (Some(collection), Some(project), Some(id)) => Some(format!(
                "{}/{}/_build/results?buildId={}",
                collection.trim_end_matches('/'),
                encode_path_segment(&project),
                encode_path_segment(&id)
            )),
            _ => None,
        };
        return CiMetadata {
            system: Some("azure".into()),
            job_name: get("BUILD_DEFINITIONNAME"),
            build_number: get("BUILD_BUILDNUMBER"),
            job_url,
        };
    }
    if get("JENKINS_URL").is_some() {
        return CiMetadata {
            system: Some("jenkins".into()),
            job_name: get("JOB_NAME"),
            build_number: get("BUILD_NUMBER"),
            job_url: get("BUILD_URL"),
        };
    }
    if let Some(key) = get("bamboo_buildKey") {
        return CiMetadata {
            system: Some("bamboo".into()),
            job_name: get("bamboo_planName").or(Some(key)),
            build_number: get("bamboo_buildNumber"),
            job_url: get("bamboo_resultsUrl"),
        };
    }
    CiMetadata::default()
}

/// Where the CI output variables should go, from the environment.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CiTargets {
    /// `TF_BUILD` is set: print the `##vso[...]` lines of
    /// [`CiOutputs::azure_lines`](crate::CiOutputs::azure_lines) to stdout.
    pub azure: bool,
    /// `GITHUB_OUTPUT`: the file to append
    /// [`CiOutputs::github_output`](crate::CiOutputs::github_output) to.
    pub github_output: Option<PathBuf>,
    /// `GITLAB_CI` is set: write the dotenv file (`--ci-dotenv FILE`,
    /// default [`DEFAULT_GITLAB_DOTENV`](crate::DEFAULT_GITLAB_DOTENV)).
    pub gitlab: bool,
}

/// Which CI output writers apply in this environment.
pub fn ci_targets(env: &dyn Fn(&str) -> Option<String>) -> CiTargets {
    let get = |k: &str| env(k).filter(|v| !v.trim().is_empty());
    CiTargets {
        azure: get("TF_BUILD").is_some(),
        github_output: get("GITHUB_OUTPUT").map(PathBuf::from),
        gitlab: get("GITLAB_CI").is_some(),
    }
}

/// Percent-encodes what may not appear in a URL path segment (Azure
/// project names may hold spaces).
fn encode_path_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~!$&'()*+,=:@".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn meta(vars: &[(&str, &str)]) -> CiMetadata {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        ci_metadata_from_env(&|k| map.get(k).cloned())
    }

    fn some(s: &str) -> Option<String> {
        Some(s.to_owned())
    }

    #[test]
    fn github_actions() {
        let m = meta(&[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_WORKFLOW", "build"),
            ("GITHUB_RUN_NUMBER", "42"),
            ("GITHUB_SERVER_URL", "https://github.example.com/"),
            ("GITHUB_REPOSITORY", "acme/app"),
            ("GITHUB_RUN_ID", "987654"),
            // A Jenkins variable leaking into the environment loses.
            ("JENKINS_URL", "https://jenkins.example.com/"),
        ]);
        assert_eq!(m.system, some("github"));
        assert_eq!(m.job_name, some("build"));
        assert_eq!(m.build_number, some("42"));
        assert_eq!(
            m.job_url,
            some("https://github.example.com/acme/app/actions/runs/987654")
        );
    }

    #[test]
    fn github_without_url_parts() {
        let m = meta(&[("GITHUB_ACTIONS", "true"), ("GITHUB_RUN_ID", "1")]);
        assert_eq!(m.system, some("github"));
        assert_eq!(m.job_url, None);
        assert_eq!(m.job_name, None);
    }

    #[test]
    fn gitlab() {
        let m = meta(&[
            ("GITLAB_CI", "true"),
            ("CI_JOB_NAME", "container_scan"),
            ("CI_PROJECT_PATH", "group/app"),
            ("CI_PIPELINE_IID", "17"),
            ("CI_JOB_ID", "123456"),
            (
                "CI_JOB_URL",
                "https://gitlab.example.com/group/app/-/jobs/123456",
            ),
        ]);
        assert_eq!(m.system, some("gitlab"));
        assert_eq!(m.job_name, some("group/app/container_scan"));
        assert_eq!(m.build_number, some("17"));
        assert_eq!(
            m.job_url,
            some("https://gitlab.example.com/group/app/-/jobs/123456")
        );
        // Without the pipeline IID the job id is the build number.
        let m = meta(&[
            ("GITLAB_CI", "true"),
            ("CI_JOB_ID", "9"),
            ("CI_JOB_NAME", "scan"),
        ]);
        assert_eq!(m.build_number, some("9"));
        assert_eq!(m.job_name, some("scan"));
    }

    #[test]
    fn azure_devops() {
        let m = meta(&[
            ("TF_BUILD", "True"),
            ("BUILD_DEFINITIONNAME", "app-ci"),
            ("BUILD_BUILDNUMBER", "20240101.3"),
            (
                "SYSTEM_COLLECTIONURI",
                "https://dev.azure.example.com/acme/",
            ),
            ("SYSTEM_TEAMPROJECT", "My Project"),
            ("BUILD_BUILDID", "314"),
        ]);
        assert_eq!(m.system, some("azure"));
        assert_eq!(m.job_name, some("app-ci"));
        assert_eq!(m.build_number, some("20240101.3"));
        assert_eq!(
            m.job_url,
            some("https://dev.azure.example.com/acme/My%20Project/_build/results?buildId=314")
        );
    }

    #[test]
    fn jenkins() {
        let m = meta(&[
            ("JENKINS_URL", "https://jenkins.example.com/"),
            ("JOB_NAME", "folder/app-pipeline"),
            ("BUILD_NUMBER", "57"),
            (
                "BUILD_URL",
                "https://jenkins.example.com/job/folder/job/app-pipeline/57/",
            ),
        ]);
        assert_eq!(m.system, some("jenkins"));
        assert_eq!(m.job_name, some("folder/app-pipeline"));
        assert_eq!(m.build_number, some("57"));
        assert_eq!(
            m.job_url,
            some("https://jenkins.example.com/job/folder/job/app-pipeline/57/")
        );
    }

    #[test]
    fn bamboo() {
        let m = meta(&[
            ("bamboo_buildKey", "PROJ-PLAN-JOB1"),
            ("bamboo_buildNumber", "135"),
            (
                "bamboo_resultsUrl",
                "https://bamboo.example.com/browse/PROJ-PLAN-JOB1-135",
            ),
            ("bamboo_planName", "Project - Plan"),
        ]);
        assert_eq!(m.system, some("bamboo"));
        assert_eq!(m.job_name, some("Project - Plan"));
        assert_eq!(m.build_number, some("135"));
        assert_eq!(
            m.job_url,
            some("https://bamboo.example.com/browse/PROJ-PLAN-JOB1-135")
        );
        // No plan name: the build key names the job.
        let m = meta(&[("bamboo_buildKey", "PROJ-PLAN-JOB1")]);
        assert_eq!(m.job_name, some("PROJ-PLAN-JOB1"));
    }

    #[test]
    fn no_ci_and_empty_values() {
        assert_eq!(meta(&[]), CiMetadata::default());
        assert_eq!(
            meta(&[("GITHUB_ACTIONS", ""), ("TF_BUILD", " ")]),
            CiMetadata::default()
        );
        let m = meta(&[("JENKINS_URL", "x"), ("JOB_NAME", "")]);
        assert_eq!(m.job_name, None);
    }

    #[test]
    fn targets() {
        let t = ci_targets(&|k| match k {
            "TF_BUILD" => some("True"),
            "GITHUB_OUTPUT" => some("gh-output.txt"),
            _ => None,
        });
        assert!(t.azure);
        assert!(!t.gitlab);
        assert_eq!(t.github_output, Some(PathBuf::from("gh-output.txt")));
        assert_eq!(ci_targets(&|_| None), CiTargets::default());
    }
}
