//! Real-engine test helpers for the connector tests: the engine and the
//! fixture images (skipped locally when absent, a failure under CI), sensor
//! containers started with the docker CLI, a throwaway PKI made with
//! `openssl`, and a `socat` TLS front to the engine's socket. Everything
//! started here is removed by a guard, also when a test panics.
#![allow(clippy::print_stderr, dead_code)]

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use portcullis_docker::{Docker, DockerConfig, DEFAULT_SOCKET};

/// Loaded by `tests/images/load-docker.sh`.
pub(crate) const FIXTURE: &str = "portcullis-fixture/debian-base:latest";

/// Sensor containers are seen by every sensor check on the engine, so the
/// tests that start them or check for a sensor take this lock.
pub(crate) fn sensor_lock() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Locally a missing engine or tool skips the test; under CI it fails.
pub(crate) fn missing(test: &str, why: &str) {
    if std::env::var_os("CI").is_some() {
        panic!("{test}: {why} (required when CI is set)");
    }
    eprintln!("\n*** SKIPPED {test}: {why} ***\n");
}

pub(crate) fn have(tool: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(tool).is_file()))
}

/// A client of the local engine's socket, whatever images it holds.
pub(crate) fn local(test: &str) -> Option<Docker> {
    if !Path::new(DEFAULT_SOCKET).exists() {
        missing(
            test,
            &format!("no Docker engine socket at {DEFAULT_SOCKET}"),
        );
        return None;
    }
    Some(Docker::new(DockerConfig::local()).expect("client"))
}

/// The local engine holding the fixtures, with the given tools on PATH.
pub(crate) fn engine(test: &str, tools: &[&str]) -> Option<Docker> {
    let docker = local(test)?;
    if let Some(tool) = tools.iter().find(|t| !have(t)) {
        missing(test, &format!("{tool} is not installed"));
        return None;
    }
    match docker.image_inspect(FIXTURE) {
        Ok(_) => Some(docker),
        Err(e) if e.is_not_found() => {
            missing(
                test,
                &format!("{FIXTURE} is not loaded (run tests/images/load-docker.sh)"),
            );
            None
        }
        Err(e) => panic!("{test}: the Docker engine does not answer: {e}"),
    }
}

/// `docker ARGS`, asserting success; its trimmed stdout.
pub(crate) fn docker_cli(args: &[&str]) -> String {
    let out = Command::new("docker").args(args).output().expect("docker");
    assert!(
        out.status.success(),
        "docker {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// A container removed (`docker rm -f`) when dropped.
pub(crate) struct Container {
    pub(crate) name: String,
    pub(crate) id: String,
}

impl Drop for Container {
    fn drop(&mut self) {
        let _ = Command::new("docker")
            .args(["rm", "-f", &self.id])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// Starts (or with `start == false` only creates) a container of
/// [`FIXTURE`] named uniquely after `tag`, with `labels` and command `cmd`.
pub(crate) fn container(tag: &str, labels: &[&str], cmd: &[&str], start: bool) -> Container {
    let name = format!("portcullis-conn-{}-{tag}", std::process::id());
    let mut args = vec![if start { "run" } else { "create" }];
    if start {
        args.push("-d");
    }
    args.extend(["--name", &name, "--label", "portcullis.test=connector"]);
    for l in labels {
        args.extend(["--label", l]);
    }
    args.push(FIXTURE);
    args.extend(cmd);
    let id = docker_cli(&args);
    Container { name, id }
}

/// A Qualys-labelled sensor look-alike running `sh -c 'sleep 600' sensor ARGS`.
pub(crate) fn qualys_sensor(tag: &str, args: &[&str]) -> Container {
    let mut cmd = vec!["sh", "-c", "sleep 600", "sensor"];
    cmd.extend(args);
    container(tag, &["VersionInfo=Qualys Sensor 1.30.0"], &cmd, true)
}

/// Tags removed from the engine (untag only) when dropped.
pub(crate) struct Tags<'a>(pub(crate) &'a Docker, pub(crate) Vec<String>);

impl Drop for Tags<'_> {
    fn drop(&mut self) {
        for t in &self.1 {
            let _ = self.0.image_remove(t, false);
        }
    }
}

pub(crate) fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("openssl");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A self-signed root `NAME.pem` / `NAME-key.pem`.
pub(crate) fn root_ca(dir: &Path, name: &str) {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-days",
            "2",
            "-subj",
            &format!("/CN={name}"),
            "-keyout",
            &format!("{name}-key.pem"),
            "-out",
            &format!("{name}.pem"),
        ],
    );
}

/// `NAME.pem` signed by `ISSUER`, with extensions `ext`. The key is EC
/// PKCS#8, or RSA PKCS#1 when `rsa_pkcs1`.
pub(crate) fn issue(dir: &Path, name: &str, issuer: &str, ext: &str, rsa_pkcs1: bool) {
    let key = format!("{name}-key.pem");
    let csr = format!("{name}.csr");
    if rsa_pkcs1 {
        openssl(dir, &["genrsa", "-traditional", "-out", &key, "2048"]);
        openssl(
            dir,
            &[
                "req",
                "-new",
                "-key",
                &key,
                "-subj",
                &format!("/CN={name}"),
                "-out",
                &csr,
            ],
        );
    } else {
        openssl(
            dir,
            &[
                "req",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
                "-subj",
                &format!("/CN={name}"),
                "-keyout",
                &key,
                "-out",
                &csr,
            ],
        );
    }
    std::fs::write(dir.join(format!("{name}.ext")), ext).expect("ext");
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            &csr,
            "-CA",
            &format!("{issuer}.pem"),
            "-CAkey",
            &format!("{issuer}-key.pem"),
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            &format!("{name}.ext"),
            "-out",
            &format!("{name}.pem"),
        ],
    );
}

/// A Docker certificate directory `base/NAME` with `ca.pem` from `ca`,
/// `cert.pem` from the concatenation of `certs`, `key.pem` from `key`.
pub(crate) fn cert_dir(
    base: &Path,
    name: &str,
    ca: &str,
    certs: &[&str],
    key: Option<&str>,
) -> PathBuf {
    let dir = base.join(name);
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::copy(base.join(format!("{ca}.pem")), dir.join("ca.pem")).expect("ca");
    let mut chain = Vec::new();
    for c in certs {
        chain.extend(std::fs::read(base.join(format!("{c}.pem"))).expect("cert"));
    }
    if !certs.is_empty() {
        std::fs::write(dir.join("cert.pem"), chain).expect("cert.pem");
    }
    if let Some(k) = key {
        std::fs::copy(base.join(format!("{k}-key.pem")), dir.join("key.pem")).expect("key");
    }
    dir
}

/// A child process killed when dropped.
pub(crate) struct Proc(pub(crate) Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A TCP port nothing listens on (as of now).
pub(crate) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// `socat` terminating TLS (server cert `server`, client certificates
/// verified against `ca.pem`) in front of the engine's socket.
pub(crate) fn tls_front(pki: &Path, server: &str, extra: &str) -> (Proc, u16) {
    let port = free_port();
    let listen = format!(
        "OPENSSL-LISTEN:{port},bind=127.0.0.1,reuseaddr,fork,cert={},key={},cafile={},verify=1{extra}",
        pki.join(format!("{server}.pem")).display(),
        pki.join(format!("{server}-key.pem")).display(),
        pki.join("ca.pem").display()
    );
    let child = Command::new("socat")
        .arg(listen)
        .arg(format!("UNIX-CONNECT:{DEFAULT_SOCKET}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("socat");
    let mut proc = Proc(child);
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(proc.0.try_wait().expect("wait").is_none(), "socat exited");
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "socat does not listen"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    (proc, port)
}
