//! Helpers for the real-service tests: tools on PATH, the fixture images,
//! a throwaway `docker-registry`, tiny images made with umoci.
#![allow(dead_code, unreachable_pub, clippy::print_stderr)]

use std::io::Read;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sha2::{Digest as _, Sha256};

pub mod token;

/// Loud skip: the reason shows in `cargo test` output even when passing.
pub fn skip(test: &str, why: &str) {
    eprintln!("\n*** SKIPPED {test}: {why} ***\n");
}

pub fn have(tool: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(tool).is_file()))
}

/// Tools missing for a test, skipping it loudly if any.
pub fn tools_or_skip(test: &str, tools: &[&str]) -> bool {
    let missing: Vec<&str> = tools.iter().copied().filter(|t| !have(t)).collect();
    if missing.is_empty() {
        return true;
    }
    skip(test, &format!("missing tools: {}", missing.join(", ")));
    false
}

/// The fixture directory from `PORTCULLIS_FIXTURES` (CI always sets it).
pub fn fixtures(test: &str) -> Option<PathBuf> {
    match std::env::var_os("PORTCULLIS_FIXTURES") {
        Some(dir) => {
            let dir = PathBuf::from(dir);
            assert!(
                dir.join(".complete").exists(),
                "PORTCULLIS_FIXTURES={} is not a complete fixture build",
                dir.display()
            );
            Some(dir)
        }
        None => {
            skip(
                test,
                "PORTCULLIS_FIXTURES is not set (tests/images/build.sh builds the images)",
            );
            None
        }
    }
}

pub fn run_bytes(cmd: &mut Command) -> Vec<u8> {
    let out = cmd
        .stderr(Stdio::piped())
        .stdout(Stdio::piped())
        .output()
        .unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

pub fn run(cmd: &mut Command) -> String {
    let out = cmd
        .stderr(Stdio::piped())
        .stdout(Stdio::piped())
        .output()
        .unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// sha256 of a whole stream, as `sha256:<hex>`.
pub fn sha256_stream(r: &mut dyn Read) -> std::io::Result<String> {
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = r.read(&mut buf)?;
        if n == 0 {
            return Ok(format!("sha256:{}", hex::encode(h.finalize())));
        }
        h.update(&buf[..n]);
    }
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

pub fn wait_for_port(port: u16, child: &mut Child) {
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("service on port {port} exited early: {status}");
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "nothing listens on port {port} after 20s"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// How the registry authenticates.
pub enum Auth<'a> {
    None,
    /// htpasswd (bcrypt) user and password.
    Basic(&'a str, &'a str),
    /// Bearer tokens from `realm`, signed by the key of `cert`.
    Token {
        realm: String,
        service: &'a str,
        issuer: &'a str,
        cert: PathBuf,
    },
}

/// A `docker-registry` on 127.0.0.1 with its storage in a temp dir; killed
/// when dropped.
pub struct Registry {
    pub port: u16,
    pub dir: tempfile::TempDir,
    child: Child,
}

impl Registry {
    /// `basic`: `(user, password)` for htpasswd (bcrypt) authentication.
    pub fn start(basic: Option<(&str, &str)>) -> Registry {
        Registry::start_with(basic.map_or(Auth::None, |(u, p)| Auth::Basic(u, p)))
    }

    pub fn start_with(auth: Auth<'_>) -> Registry {
        let dir = tempfile::tempdir().expect("tempdir");
        let port = free_port();
        let auth = match auth {
            Auth::Token { realm, service, issuer, cert } => format!(
                "auth:\n  token:\n    realm: {realm}\n    service: {service}\n    issuer: {issuer}\n    rootcertbundle: {}\n",
                cert.display()
            ),
            Auth::Basic(user, password) => {
                let file = dir.path().join("htpasswd");
                run(Command::new("htpasswd")
                    .args(["-Bbc"])
                    .arg(&file)
                    .args([user, password]));
                format!(
                    "auth:\n  htpasswd:\n    realm: portcullis-test\n    path: {}\n",
                    file.display()
                )
            }
            Auth::None => String::new(),
        };
        let config = format!(
            "version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:{port}\n  secret: portcullis-test-secret\n{auth}",
            dir.path().join("data").display()
        );
        let config_path = dir.path().join("config.yml");
        std::fs::write(&config_path, config).expect("write registry config");
        let mut child = Command::new("docker-registry")
            .arg("serve")
            .arg(&config_path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start docker-registry");
        wait_for_port(port, &mut child);
        Registry { port, dir, child }
    }

    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Pushes `oci:LAYOUT:TAG` (or all platforms of it) to `REPO:DEST_TAG`.
    pub fn push(
        &self,
        layout: &Path,
        tag: &str,
        repo: &str,
        dest_tag: &str,
        creds: Option<&str>,
        all: bool,
    ) {
        let mut cmd = Command::new("skopeo");
        cmd.args(["--insecure-policy", "copy", "--dest-tls-verify=false"]);
        if all {
            cmd.arg("--all");
        }
        if let Some(c) = creds {
            cmd.arg("--dest-creds").arg(c);
        }
        cmd.arg(format!("oci:{}:{tag}", layout.display()))
            .arg(format!("docker://{}/{repo}:{dest_tag}", self.host()));
        run(&mut cmd);
    }

    /// `skopeo inspect --raw` (the manifest) or `--config --raw`.
    pub fn inspect(&self, reference: &str, config: bool, creds: Option<&str>) -> Vec<u8> {
        let mut cmd = Command::new("skopeo");
        cmd.args([
            "--insecure-policy",
            "inspect",
            "--tls-verify=false",
            "--raw",
        ]);
        if config {
            cmd.arg("--config");
        }
        if let Some(c) = creds {
            cmd.arg("--creds").arg(c);
        }
        cmd.arg(format!("docker://{}/{reference}", self.host()));
        run(&mut cmd).into_bytes()
    }

    /// Path of a blob in the registry's filesystem storage.
    pub fn blob_data(&self, digest: &str) -> PathBuf {
        let hex = digest.trim_start_matches("sha256:");
        self.dir.path().join(format!(
            "data/docker/registry/v2/blobs/sha256/{}/{hex}/data",
            &hex[..2]
        ))
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An OCI layout at `dir` with image `tag`: one layer holding `files`
/// (made with GNU tar and umoci, so the layout is independent tools' work).
pub fn tiny_layout(dir: &Path, tag: &str, files: &[(&str, &str)], arch: Option<&str>) -> PathBuf {
    let layout = dir.join("layout");
    if !layout.exists() {
        run(Command::new("umoci")
            .args(["init", "--layout"])
            .arg(&layout));
    }
    let image = format!("{}:{tag}", layout.display());
    run(Command::new("umoci").args(["new", "--image", &image]));
    add_layer(dir, &layout, tag, files);
    if let Some(a) = arch {
        run(Command::new("umoci").args(["config", "--image", &image, "--architecture", a]));
    }
    layout
}

/// Adds a layer holding `files` on top of image `tag` of `layout`.
pub fn add_layer(dir: &Path, layout: &Path, tag: &str, files: &[(&str, &str)]) {
    let image = format!("{}:{tag}", layout.display());
    let n = std::fs::read_dir(dir).map(|d| d.count()).unwrap_or(0);
    let src = dir.join(format!("src-{tag}-{n}"));
    for (name, content) in files {
        let p = src.join(name);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, content).expect("write");
    }
    // GNU tar + `raw add-layer`: `umoci insert` (0.4.7) writes layer tars
    // cut short after the last member's data.
    let layer_tar = dir.join(format!("layer-{tag}-{n}.tar"));
    run(Command::new("tar")
        .arg("-C")
        .arg(&src)
        .arg("-cf")
        .arg(&layer_tar)
        .arg("."));
    run(Command::new("umoci")
        .args(["raw", "add-layer", "--image", &image])
        .arg(&layer_tar));
}

/// A gzip tar holding one file, for swapping into a blob.
pub fn gzip_tar(name: &str, content: &[u8]) -> Vec<u8> {
    let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::fast(),
    ));
    let mut header = tar::Header::new_gnu();
    header.set_size(content.len() as u64);
    header.set_mode(0o644);
    header.set_cksum();
    builder
        .append_data(&mut header, name, content)
        .expect("tar append");
    builder
        .into_inner()
        .and_then(|gz| gz.finish())
        .expect("gzip")
}

/// The error of an open that must fail (`Image` is not `Debug`).
pub fn open_err<T>(
    result: Result<T, portcullis_image::ImageError>,
    why: &str,
) -> portcullis_image::ImageError {
    match result {
        Ok(_) => panic!("{why}: opened without error"),
        Err(e) => e,
    }
}
