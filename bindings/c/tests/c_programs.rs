//! The C and C++ programs of `bindings/c`, built and run by `cargo test -p volact-c`.
//!
//! - `tests/c/test_volact.c` against `libvolact.so` (also under valgrind), against
//!   `libvolact.a`, and through pkg-config with a `volact.pc` made from `volact.pc.in`;
//! - `tests/c/test_cil.c` (the CIL calls, writing its files into the scratch directory it
//!   gets as `argv[1]`) against `libvolact.so` (also under valgrind) and `libvolact.a`;
//! - `tests/c/test_srv.c` (planning, ordering, and discovery, publishing and withdrawal against
//!   a real bind9 on loopback started here with `tests/dns/named.sh`) against `libvolact.so`
//!   (also under valgrind) and `libvolact.a`;
//! - `tests/c/test_license.c` (license states, policy intervals, error-code explanations)
//!   against `libvolact.so` (also under valgrind) and `libvolact.a`;
//! - `tests/c/test_user_catalog.c` (pkeyconfig import, classification, hostile files, catalog
//!   save/load, with the test pkeyconfig files and a scratch directory as arguments) against
//!   `libvolact.so` (also under valgrind) and `libvolact.a`;
//! - `tests/c/test_mak_store.c` (the MAK store: classification, declared kinds, refusals,
//!   snapshots, owner-only save and load, masking) against `libvolact.so` (also under
//!   valgrind) and `libvolact.a`;
//! - `tests/c/test_workflow.c` (the workflows over fake machines implemented as callback
//!   tables: survey, plans, renderings, runs, failures, garbage from callbacks, MAK proxy
//!   activation, argument errors) against `libvolact.so` (also under valgrind) and
//!   `libvolact.a`;
//! - `tests/c/test_unattend.c` (Unattend.xml answer files: show, set-key, scrub byte for byte,
//!   UTF-16, every UNATTEND_* code, with the core's fixture files and the test pkeyconfig files
//!   as arguments) against `libvolact.so` (also under valgrind) and `libvolact.a`;
//! - `examples/c/kms_plan.c`, `examples/c/explain.c`, `examples/c/classify_key.c`,
//!   `examples/c/mak_proxy.c`, `examples/c/kms_deploy.c` and `examples/c/unattend.c`, whose
//!   output is checked;
//! - `tests/cpp/test_volact.cpp` with g++ (also under valgrind);
//! - `examples/c/inspect_key.c`, whose output is checked so the example cannot rot;
//! - `tests/c/leak_handle.c`, a deliberate leak valgrind must catch.
//!
//! The libraries are `target/<profile>/libvolact.{so,a}`, next to the `deps/` directory this
//! test binary runs from. `cargo test` does not build them (see [`lib_dir`]), so the test
//! runs `cargo build -p volact-c` for its own profile first. Build outputs go to a
//! directory under `CARGO_TARGET_TMPDIR` (`target/tmp/`), never into the source tree; it is
//! removed when the test passes and kept, with its path printed, when it fails.
//!
//! Needs gcc, g++, valgrind, pkg-config and bind9 (`named`); a missing tool fails the test with
//! the package to install (the tests never skip).

// The bind9 harness of volact-net's tests, shared rather than copied.
#[path = "../../../crates/volact-net/tests/support/mod.rs"]
mod support;

use std::ffi::OsStr;
use std::fs;
use std::net::{TcpListener, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

const VERSION: &str = env!("CARGO_PKG_VERSION");
const NPPR9: &str = "NPPR9-FWDCX-D2C8J-H872K-2YT43";
const C_FLAGS: &[&str] = &[
    "-std=c11",
    "-Wall",
    "-Wextra",
    "-Werror",
    "-pedantic",
    "-pthread",
    "-g",
];
const CXX_FLAGS: &[&str] = &[
    "-std=c++17",
    "-Wall",
    "-Wextra",
    "-Werror",
    "-pedantic",
    "-g",
];

/// `bindings/c`.
fn crate_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The repository root (for `examples/c`).
fn repo_dir() -> PathBuf {
    crate_dir().join("../..")
}

fn include_dir() -> PathBuf {
    crate_dir().join("include")
}

/// `target/<profile>` with a fresh `libvolact.so` and `libvolact.a`, built once per run.
///
/// `cargo test` does not build them: Cargo builds a package's library for its integration
/// tests only when the library is an rlib, and this one is cdylib + staticlib only. So the
/// first test to get here runs `cargo build -p volact-c` for the same profile, target and
/// target directory as this test binary (a no-op when the libraries are up to date), which
/// also keeps the C programs from running against a stale library after an edit.
fn lib_dir() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(build_libraries).clone()
}

fn build_libraries() -> PathBuf {
    // This binary is target/[<triple>/]<profile>/deps/c_programs-<hash>.
    let exe = std::env::current_exe().expect("current_exe");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("the test binary runs from target/<profile>/deps")
        .to_path_buf();
    let profile = profile_dir
        .file_name()
        .and_then(OsStr::to_str)
        .expect("profile directory name")
        .to_owned();
    let above = profile_dir.parent().expect("target directory");
    // The target directory's root holds CACHEDIR.TAG; with --target, `above` is the triple.
    let (target_dir, triple) = if above.join("CACHEDIR.TAG").is_file() {
        (above.to_path_buf(), None)
    } else {
        let triple = above.file_name().and_then(OsStr::to_str).map(str::to_owned);
        (
            above.parent().expect("target directory").to_path_buf(),
            triple,
        )
    };

    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(crate_dir())
        .args(["build", "-p", "volact-c", "--lib", "--target-dir"])
        .arg(&target_dir);
    match profile.as_str() {
        "debug" => {}
        "release" => {
            cmd.arg("--release");
        }
        other => {
            cmd.args(["--profile", other]);
        }
    }
    if let Some(triple) = &triple {
        cmd.args(["--target", triple]);
    }
    run_ok(&mut cmd);

    for lib in ["libvolact.so", "libvolact.a"] {
        assert!(
            profile_dir.join(lib).is_file(),
            "`{}` did not produce {lib} in {}",
            describe(&cmd),
            profile_dir.display()
        );
    }
    profile_dir
}

/// Fails (never skips) when a tool is missing, naming the package to install.
fn require(tool: &str, package: &str) {
    match Command::new(tool).arg("--version").output() {
        Ok(out) if out.status.success() => {}
        Ok(out) => panic!(
            "`{tool} --version` failed ({}): is {tool} installed correctly? \
             (Debian/Ubuntu: apt-get install {package})",
            out.status
        ),
        Err(e) => panic!(
            "{tool} is needed by the C/C++ tests of volact-c and cannot be run ({e}): \
             install it (Debian/Ubuntu: apt-get install {package})"
        ),
    }
}

/// A scratch directory under the target dir, removed on success and kept on failure.
struct Scratch {
    dir: PathBuf,
}

impl Scratch {
    fn new(name: &str) -> Self {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join("volact-c-programs")
            .join(format!("{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("create scratch dir");
        Scratch { dir }
    }

    fn path(&self, file: &str) -> PathBuf {
        self.dir.join(file)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("build outputs kept in {}", self.dir.display());
        } else {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// The command line, for messages.
fn describe(cmd: &Command) -> String {
    std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(OsStr::to_string_lossy)
        .collect::<Vec<_>>()
        .join(" ")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs a command, failing with its output unless it exits 0.
fn run_ok(cmd: &mut Command) -> Output {
    let out = run(cmd);
    assert!(
        out.status.success(),
        "`{}` failed ({})\n--- stdout\n{}\n--- stderr\n{}",
        describe(cmd),
        out.status,
        text(&out.stdout),
        text(&out.stderr)
    );
    out
}

/// Runs a command with a clean environment for the programs: no RUST_BACKTRACE (with it,
/// a caught panic leaves megabytes of backtrace cache for valgrind to report), and no
/// LD_LIBRARY_PATH (Cargo sets one; the programs must find libvolact.so through their rpath).
fn run(cmd: &mut Command) -> Output {
    cmd.env_remove("RUST_BACKTRACE")
        .env_remove("LD_LIBRARY_PATH")
        .output()
        .unwrap_or_else(|e| panic!("cannot run `{}`: {e}", describe(cmd)))
}

/// Compiles one source file; `link` comes after the source (libraries, rpath).
fn compile(compiler: &str, flags: &[&str], source: &Path, out: &Path, link: &[String]) {
    let mut cmd = Command::new(compiler);
    cmd.args(flags)
        .arg("-I")
        .arg(include_dir())
        .arg(source)
        .arg("-o")
        .arg(out)
        .args(link);
    run_ok(&mut cmd);
}

/// Link arguments for libvolact.so, with an rpath so the program runs without
/// LD_LIBRARY_PATH.
fn shared_link(lib: &Path) -> Vec<String> {
    vec![
        format!("-L{}", lib.display()),
        "-lvolact".to_owned(),
        format!("-Wl,-rpath,{}", lib.display()),
    ]
}

/// Link arguments for libvolact.a, with the system libraries a Rust staticlib needs.
fn static_link(lib: &Path) -> Vec<String> {
    vec![
        lib.join("libvolact.a").display().to_string(),
        "-lpthread".to_owned(),
        "-ldl".to_owned(),
        "-lm".to_owned(),
    ]
}

/// Builds `tests/c/<name>.c` against libvolact.so and libvolact.a and runs it three ways:
/// shared, shared under valgrind, static. `args` gives each run's arguments from its name
/// (`"shared"`, `"valgrind"`, `"static"`), so runs that write files can get a directory each.
/// Every run must end with `N passed, 0 failed`.
fn run_c_test_three_ways(
    label: &str,
    name: &str,
    scratch: &Scratch,
    args: impl Fn(&str) -> Vec<String>,
) {
    require("gcc", "gcc");
    require("valgrind", "valgrind");
    let lib = lib_dir();
    let source = crate_dir().join(format!("tests/c/{name}.c"));
    let exe = scratch.path(name);
    compile("gcc", C_FLAGS, &source, &exe, &shared_link(&lib));
    assert_all_passed(
        &format!("C {label}, libvolact.so"),
        &run_ok(Command::new(&exe).args(args("shared"))),
    );
    let valgrind_args = args("valgrind");
    let valgrind_args: Vec<&str> = valgrind_args.iter().map(String::as_str).collect();
    assert_all_passed(
        &format!("C {label}, libvolact.so, valgrind"),
        &valgrind(&exe, &valgrind_args),
    );
    let exe_static = scratch.path(&format!("{name}_static"));
    compile("gcc", C_FLAGS, &source, &exe_static, &static_link(&lib));
    assert_all_passed(
        &format!("C {label}, libvolact.a"),
        &run_ok(Command::new(&exe_static).args(args("static"))),
    );
}

/// Builds `examples/c/<name>.c` against libvolact.so with the strict flags the examples
/// promise to compile under; the scratch directory lives as long as the returned guard.
fn build_example(name: &str) -> (Scratch, PathBuf) {
    require("gcc", "gcc");
    require("valgrind", "valgrind");
    let scratch = Scratch::new(&format!("example-{name}"));
    let exe = scratch.path(name);
    compile(
        "gcc",
        &["-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic", "-g"],
        &repo_dir().join(format!("examples/c/{name}.c")),
        &exe,
        &shared_link(&lib_dir()),
    );
    (scratch, exe)
}

/// Checks the last line of a test program's output: exactly `N passed, 0 failed`, N > 0.
fn assert_all_passed(what: &str, out: &Output) {
    let stdout = text(&out.stdout);
    let last = stdout.lines().last().unwrap_or("");
    let counts = last
        .strip_suffix(" failed")
        .and_then(|s| s.split_once(" passed, "))
        .and_then(|(p, f)| Some((p.parse::<u32>().ok()?, f.parse::<u32>().ok()?)));
    match counts {
        Some((passed, 0)) if passed > 0 => eprintln!("{what}: {last}"),
        _ => panic!(
            "{what}: expected a last line `N passed, 0 failed`, got {last:?}\n--- stdout\n{stdout}\n\
             --- stderr\n{}",
            text(&out.stderr)
        ),
    }
}

/// memcheck on `program`: leaks definitely or possibly lost are errors, and any error makes
/// the exit status 1. No suppressions: the library's process-lifetime tables are plain
/// allocations that memcheck sees as reachable.
fn valgrind_command(program: &Path) -> Command {
    require("valgrind", "valgrind");
    let mut cmd = Command::new("valgrind");
    cmd.arg("--leak-check=full")
        .arg("--errors-for-leak-kinds=definite,possible")
        .arg("--error-exitcode=1")
        .arg("--num-callers=50")
        .arg(program);
    cmd
}

/// Runs a program under valgrind's memcheck; it must exit 0 with no errors and no definite
/// or possible leaks.
fn valgrind(program: &Path, args: &[&str]) -> Output {
    let out = run(valgrind_command(program).args(args));
    let stderr = text(&out.stderr);
    let summary: Vec<&str> = stderr
        .lines()
        .filter(|l| {
            [
                "ERROR SUMMARY",
                "definitely lost",
                "possibly lost",
                "in use at exit",
            ]
            .iter()
            .any(|k| l.contains(k))
        })
        .collect();
    assert!(
        out.status.success() && stderr.contains("ERROR SUMMARY: 0 errors"),
        "valgrind found problems in {} ({})\n--- stdout\n{}\n--- valgrind\n{stderr}",
        program.display(),
        out.status,
        text(&out.stdout)
    );
    for line in summary {
        eprintln!("valgrind {}: {line}", program.display());
    }
    out
}

#[test]
fn c_test_shared_and_under_valgrind() {
    require("gcc", "gcc");
    require("valgrind", "valgrind");
    let lib = lib_dir();
    let scratch = Scratch::new("c-shared");
    let exe = scratch.path("test_volact");
    compile(
        "gcc",
        C_FLAGS,
        &crate_dir().join("tests/c/test_volact.c"),
        &exe,
        &shared_link(&lib),
    );
    assert_all_passed("C, libvolact.so", &run_ok(&mut Command::new(&exe)));
    assert_all_passed("C, libvolact.so, valgrind", &valgrind(&exe, &[]));
}

/// The CIL calls: round trips (UTF-8 and UTF-16, through files), exports, CID import and
/// merge reports, validation, every CIL and file error code, NULL arguments.
#[test]
fn c_cil_test_shared_static_and_under_valgrind() {
    let scratch = Scratch::new("c-cil");
    let files = scratch.path("files");
    fs::create_dir_all(&files).expect("create the CIL test's file directory");
    let files_arg = files.to_str().expect("UTF-8 scratch path").to_owned();
    run_c_test_three_ways("CIL", "test_cil", &scratch, |_| vec![files_arg.clone()]);

    // The test removes what it writes: a file left over means a failed clean-up path.
    let left: Vec<_> = fs::read_dir(&files)
        .expect("read the CIL test's file directory")
        .filter_map(Result::ok)
        .map(|e| e.file_name())
        .collect();
    assert!(left.is_empty(), "test_cil.c left files behind: {left:?}");
}

/// The srv calls: the seed's global scenario planned, seeded orderings and first counts,
/// errors and the buffer protocol, and against a real bind9: publish with the TSIG key file's
/// text, discover, withdraw, a wrong key, a server that never answers, a closed port, probes.
#[test]
fn c_srv_test_shared_static_and_under_valgrind() {
    let scratch = Scratch::new("c-srv");
    let named = support::Named::start();
    // A UDP socket nobody reads: queries to it are never answered.
    let blackhole = UdpSocket::bind("127.0.0.1:0").expect("bind the blackhole socket");
    let open = TcpListener::bind("127.0.0.1:0").expect("bind the open TCP port");
    // A port where nothing listens: taken for TCP and UDP, then released.
    let closed = {
        let tcp = TcpListener::bind("127.0.0.1:0").expect("bind a TCP port");
        let addr = tcp.local_addr().expect("local address");
        let _udp = UdpSocket::bind(addr).expect("the same port for UDP");
        addr
    };
    let addr = |a: std::io::Result<std::net::SocketAddr>| a.expect("local address").to_string();
    let args = [
        repo_dir()
            .join("examples/kms/contoso-global.toml")
            .display()
            .to_string(),
        named.addr.to_string(),
        named.key_file().display().to_string(),
        addr(blackhole.local_addr()),
        addr(open.local_addr()),
        closed.to_string(),
    ];
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run_c_test_three_ways("srv", "test_srv", &scratch, |_| {
        args.iter().map(|a| (*a).to_owned()).collect()
    });
}

/// The licensing calls: status names and `slmgr /dli` texts, interval checks and parsing,
/// `volact_explain` JSON, the table by index and by text, every license error code.
#[test]
fn c_license_test_shared_static_and_under_valgrind() {
    let scratch = Scratch::new("c-license");
    run_c_test_three_ways("license", "test_license", &scratch, |_| Vec::new());
}

/// The test pkeyconfig files (fictitious contents in the real structure).
fn pkeyconfig_dir() -> PathBuf {
    repo_dir().join("crates/volact/tests/data/pkeyconfig")
}

#[test]
fn c_user_catalog_test_shared_static_and_under_valgrind() {
    let scratch = Scratch::new("c-user-catalog");
    let data = pkeyconfig_dir();
    let data = data.to_str().expect("UTF-8 data path").to_owned();
    run_c_test_three_ways("user catalog", "test_user_catalog", &scratch, |run| {
        // Each run writes its files in a directory of its own.
        let dir = scratch.path(run);
        fs::create_dir_all(&dir).expect("create the catalog test's file directory");
        vec![
            data.clone(),
            dir.to_str().expect("UTF-8 scratch path").to_owned(),
        ]
    });
}

#[test]
fn c_mak_store_test_shared_static_and_under_valgrind() {
    let scratch = Scratch::new("c-mak-store");
    let data = pkeyconfig_dir();
    let data = data.to_str().expect("UTF-8 data path").to_owned();
    run_c_test_three_ways("MAK store", "test_mak_store", &scratch, |run| {
        // Each run writes its files in a directory of its own.
        let dir = scratch.path(run);
        fs::create_dir_all(&dir).expect("create the MAK store test's file directory");
        vec![
            data.clone(),
            dir.to_str().expect("UTF-8 scratch path").to_owned(),
        ]
    });
}

/// The workflow calls, with the machines and the CID source as C callback tables.
#[test]
fn c_workflow_test_shared_static_and_under_valgrind() {
    let scratch = Scratch::new("c-workflow");
    // The kms-deploy test reads the seed's global topology.
    let global = repo_dir().join("examples/kms/contoso-global.toml");
    let global = global.to_str().expect("UTF-8 path").to_owned();
    run_c_test_three_ways("workflow", "test_workflow", &scratch, |_| {
        vec![global.clone()]
    });
}

/// The core's Unattend.xml fixtures.
fn unattend_dir() -> PathBuf {
    repo_dir().join("crates/volact/tests/data/unattend")
}

/// The Unattend.xml calls: reports, set-key and scrub byte for byte (UTF-8 and UTF-16), the
/// bytes-out protocol, every UNATTEND_* code, invalid keys, NULL arguments.
#[test]
fn c_unattend_test_shared_static_and_under_valgrind() {
    let scratch = Scratch::new("c-unattend");
    let args =
        [unattend_dir(), pkeyconfig_dir()].map(|p| p.to_str().expect("UTF-8 data path").to_owned());
    run_c_test_three_ways("unattend", "test_unattend", &scratch, |_| args.to_vec());
}

#[test]
fn example_unattend() {
    let (scratch, exe) = build_example("unattend");
    let mak = "VKCF7-HV62C-944TY-YJ9NF-6Q83G";
    let input = unattend_dir().join("gvlk-specialize-only.xml");
    let (keyed, scrubbed) = (scratch.path("keyed.xml"), scratch.path("scrubbed.xml"));
    let path = |p: &Path| p.to_str().expect("UTF-8 path").to_owned();
    let args = [path(&input), mak.to_owned(), path(&keyed), path(&scrubbed)];
    let args: Vec<&str> = args.iter().map(String::as_str).collect();

    // The MAK into the GVLK file (both places; the empty Key filled), then scrubbed.
    let out = valgrind(&exe, &args);
    let stdout = text(&out.stdout);
    for expected in [
        "step 1, show ",
        "\"masked\": \"XXXXX-XXXXX-XXXXX-XXXXX-2YT43\",\n        \"kind\": \"gvlk\"",
        "\"state\": \"empty\"",
        "step 2, set-key XXXXX-XXXXX-XXXXX-XXXXX-6Q83G\n",
        "(the key is in clear there, as setup reads it",
        "\"masked\": \"XXXXX-XXXXX-XXXXX-XXXXX-6Q83G\",\n        \"kind\": \"unknown\"",
        "a key other than a published GVLK is stored in clear text in this file",
        "step 3, scrub ",
        "\"state\": \"scrubbed\"",
    ] {
        assert!(
            stdout.contains(expected),
            "unattend output lacks {expected:?}:\n{stdout}"
        );
    }
    for group in ["VKCF7", "HV62C", "944TY", "YJ9NF", "FWDCX"] {
        assert!(!stdout.contains(group), "unattend printed a key:\n{stdout}");
    }
    let original = fs::read_to_string(&input).expect("read the fixture");
    let keyed = fs::read_to_string(&keyed).expect("unattend wrote the keyed file");
    assert_eq!(
        keyed,
        original
            .replacen("<Key/>", &format!("<Key>{mak}</Key>"), 1)
            .replacen("NPPR9-FWDCX-D2C8J-H872K-2YT43", mak, 1)
    );
    let scrubbed = fs::read_to_string(&scrubbed).expect("unattend wrote the scrubbed file");
    assert_eq!(scrubbed, keyed.replace(mak, "SENSITIVE*DATA*DELETED"));

    // A mistyped key: status 1, the reason, never the key.
    let out =
        run(Command::new(&exe).args([args[0], "VKCF7-HV62C-944TY-YJ9NF-6Q83H", args[2], args[3]]));
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(
        stderr.contains("set-key: product key: checksum mismatch (104)")
            && !stderr.contains("HV62C")
            && !stdout.contains("HV62C"),
        "{stdout}{stderr}"
    );
    // A file with a DTD: refused with 1302.
    let dtd = scratch.path("dtd.xml");
    fs::write(&dtd, "<!DOCTYPE unattend [<!ENTITY a \"b\">]><unattend/>").expect("write dtd.xml");
    let out = run(Command::new(&exe).args([&path(&dtd), mak, args[2], args[3]]));
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("Unattend.xml: a DTD (refused) (1302): DTDs are not accepted"),
        "{stderr}"
    );
    assert_eq!(run(&mut Command::new(&exe)).status.code(), Some(2));
}

#[test]
fn example_classify_key() {
    let (_scratch, exe) = build_example("classify_key");
    let data = pkeyconfig_dir();
    let mak = data.join("mak-retail-oem.xrm-ms");
    let csvlk = data.join("csvlk.xrm-ms");
    let (mak, csvlk) = (
        mak.to_str().expect("UTF-8 path"),
        csvlk.to_str().expect("UTF-8 path"),
    );
    let twin = "VKCF7-HV62C-944TY-YJ9NF-6Q83G";

    // The twin is a MAK through the imported file, the GVLK a GVLK; no key shows.
    let out = valgrind(&exe, &[mak, csvlk, "--", twin, NPPR9]);
    let stdout = text(&out.stdout);
    for expected in [
        r#"imported {"file":"mak-retail-oem.xrm-ms","configurations":3,"#,
        r#"imported {"file":"csvlk.xrm-ms","#,
        "XXXXX-XXXXX-XXXXX-XXXXX-6Q83G\n  classification: {\"source\":\"user_catalog\",\"source_file\":\"mak-retail-oem.xrm-ms\",\"channel\":\"Volume:MAK\",\"channel_kind\":\"mak\"",
        "XXXXX-XXXXX-XXXXX-XXXXX-2YT43\n  classification: {\"source\":\"gvlk\"",
    ] {
        assert!(
            stdout.contains(expected),
            "classify_key output lacks {expected:?}:\n{stdout}"
        );
    }
    assert!(
        !stdout.contains("VKCF7") && !stdout.contains("FWDCX"),
        "classify_key revealed a key:\n{stdout}"
    );

    // Without files the twin is unknown; a hostile file and a mistyped key: status 1.
    let out = run_ok(Command::new(&exe).args(["--", twin]));
    assert!(
        text(&out.stdout).contains(r#"{"source":"unknown","source_file":null"#),
        "{}",
        text(&out.stdout)
    );
    let dtd = data.join("hostile/dtd.xrm-ms");
    let out = run(Command::new(&exe)
        .arg(&dtd)
        .args(["--", "VKCF7-HV62C-944TY-YJ9NF-6Q83H"]));
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(
        stderr.contains("dtd.xrm-ms: not imported: dtd.xrm-ms: ") && stderr.contains("DTD"),
        "{stderr}"
    );
    assert!(
        stdout.contains("  invalid: checksum mismatch") && !stdout.contains("HV62C"),
        "{stdout}"
    );
    assert_eq!(run(&mut Command::new(&exe)).status.code(), Some(2));
}

#[test]
fn c_test_static() {
    require("gcc", "gcc");
    let lib = lib_dir();
    let scratch = Scratch::new("c-static");
    let exe = scratch.path("test_volact_static");
    compile(
        "gcc",
        C_FLAGS,
        &crate_dir().join("tests/c/test_volact.c"),
        &exe,
        &static_link(&lib),
    );
    assert_all_passed("C, libvolact.a", &run_ok(&mut Command::new(&exe)));
}

#[test]
fn c_test_through_pkg_config() {
    require("gcc", "gcc");
    require("pkg-config", "pkg-config");
    let lib = lib_dir();
    let scratch = Scratch::new("c-pkg-config");

    // volact.pc from the template, pointing at the build tree.
    let template =
        fs::read_to_string(crate_dir().join("volact.pc.in")).expect("read bindings/c/volact.pc.in");
    for placeholder in ["@PREFIX@", "@LIBDIR@", "@INCLUDEDIR@", "@VERSION@"] {
        assert!(
            template.contains(placeholder),
            "volact.pc.in lacks {placeholder}"
        );
    }
    let pc = template
        .replace("@PREFIX@", &crate_dir().display().to_string())
        .replace("@LIBDIR@", &lib.display().to_string())
        .replace("@INCLUDEDIR@", &include_dir().display().to_string())
        .replace("@VERSION@", VERSION);
    let left: Vec<&str> = pc
        .split('@')
        .skip(1)
        .step_by(2)
        .filter(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_uppercase() || c == '_'))
        .collect();
    assert!(
        left.is_empty(),
        "placeholders {left:?} left in volact.pc:\n{pc}"
    );
    fs::write(scratch.path("volact.pc"), pc).expect("write volact.pc");

    let pkg_config = |args: &[&str]| {
        let mut cmd = Command::new("pkg-config");
        cmd.env("PKG_CONFIG_PATH", &scratch.dir).args(args);
        text(&run_ok(&mut cmd).stdout).trim().to_owned()
    };
    assert_eq!(pkg_config(&["--modversion", "volact"]), VERSION);
    let statics = pkg_config(&["--static", "--libs", "volact"]);
    for flag in ["-lvolact", "-lpthread", "-ldl", "-lm"] {
        assert!(
            statics.split_whitespace().any(|f| f == flag),
            "`pkg-config --static --libs volact` lacks {flag}: {statics}"
        );
    }
    let flags = pkg_config(&["--cflags", "--libs", "volact"]);
    assert!(
        flags.contains("-lvolact"),
        "`pkg-config --cflags --libs volact` gave {flags}"
    );

    // Compile with nothing but what pkg-config says (plus an rpath to run from the build tree).
    let exe = scratch.path("test_volact_pc");
    let mut cmd = Command::new("gcc");
    cmd.args(C_FLAGS)
        .arg(crate_dir().join("tests/c/test_volact.c"))
        .arg("-o")
        .arg(&exe)
        .args(flags.split_whitespace())
        .arg(format!("-Wl,-rpath,{}", lib.display()));
    run_ok(&mut cmd);
    assert_all_passed("C, pkg-config", &run_ok(&mut Command::new(&exe)));
}

#[test]
fn cpp_test_and_under_valgrind() {
    require("g++", "g++");
    require("valgrind", "valgrind");
    let lib = lib_dir();
    let scratch = Scratch::new("cpp");
    let exe = scratch.path("test_volact_cpp");
    compile(
        "g++",
        CXX_FLAGS,
        &crate_dir().join("tests/cpp/test_volact.cpp"),
        &exe,
        &shared_link(&lib),
    );
    assert_all_passed("C++, libvolact.so", &run_ok(&mut Command::new(&exe)));
    assert_all_passed("C++, libvolact.so, valgrind", &valgrind(&exe, &[]));
}

#[test]
fn example_inspect_key() {
    let (_scratch, exe) = build_example("inspect_key");

    // A published GVLK: masked, decoded, both catalog rows; the key itself never shows.
    let out = run_ok(Command::new(&exe).arg(NPPR9));
    let stdout = text(&out.stdout);
    for expected in [
        "XXXXX-XXXXX-XXXXX-XXXXX-2YT43",
        "algorithm: pkey2009",
        "group id:  3290 (Win 10 RTM Enterprise Volume:GVLK)",
        "channel:   Volume:GVLK",
        "catalog:   Windows 11 Enterprise",
        "catalog:   Windows 10 Enterprise",
    ] {
        assert!(
            stdout.contains(expected),
            "inspect_key output lacks {expected:?}:\n{stdout}"
        );
    }
    assert!(
        !stdout.contains("FWDCX"),
        "inspect_key revealed the key:\n{stdout}"
    );

    // A mistyped key: exit status 1 and the reason.
    let out = run(Command::new(&exe).arg("nppr9 fwdcx d2c8j h872k 2yt44"));
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "output:\n{stdout}");
    assert!(
        stdout.contains("XXXXX-XXXXX-XXXXX-XXXXX-2YT44")
            && stdout
                .contains("checksum mismatch: the key carries 0x033 but its contents give 0x309"),
        "inspect_key output for a mistyped key:\n{stdout}"
    );

    // No arguments: usage, exit status 2.
    assert_eq!(run(&mut Command::new(&exe)).status.code(), Some(2));

    // Leak-free on every valid path: pkey2009 in the catalog, pkey2005, and a valid key
    // outside the catalog.
    let out = valgrind(
        &exe,
        &[
            NPPR9,
            "FJ82H-XT6CR-J8D7P-XQJJ2-GPDD4",
            "VKCF7-HV62C-944TY-YJ9NF-6Q83G",
        ],
    );
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("catalog:   Windows 7 Professional")
            && stdout.contains("catalog:   not a published GVLK"),
        "inspect_key output:\n{stdout}"
    );
}

#[test]
fn example_kms_plan() {
    let (scratch, exe) = build_example("kms_plan");
    let global = repo_dir().join("examples/kms/contoso-global.toml");
    let global = global.to_str().expect("UTF-8 path");
    let out = valgrind(&exe, &[global]);
    let stdout = text(&out.stdout);
    for expected in [
        "kms-e1.east.contoso.com\n  DnsDomainPublishList: east.contoso.com, 10, 75\n  \
         DnsDomainPublishList: west.contoso.com, 90, 75\n",
        "kms-w2.west.contoso.com\n  DnsDomainPublishList: west.contoso.com, 10, 25\n  \
         DnsDomainPublishList: east.contoso.com, 90, 25\n",
        "_vlmcs._tcp.east.contoso.com. 3600 IN SRV 10 75 1688 kms-e1.east.contoso.com.\n",
    ] {
        assert!(
            stdout.contains(expected),
            "kms_plan output lacks {expected:?}:\n{stdout}"
        );
    }

    // A host no domain uses: DisableDnsPublishing.
    let spare = scratch.path("spare.toml");
    let single = fs::read_to_string(repo_dir().join("examples/kms/contoso-single-site.toml"))
        .expect("read contoso-single-site.toml");
    fs::write(
        &spare,
        format!("{single}\n[[host]]\nname = \"spare.contoso.com\"\n"),
    )
    .expect("write spare.toml");
    let out = run_ok(Command::new(&exe).arg(&spare));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("spare.contoso.com\n  DisableDnsPublishing = 1"),
        "kms_plan output:\n{stdout}"
    );

    // An invalid topology: exit status 1 and the line.
    let bad = scratch.path("bad.toml");
    fs::write(&bad, "[[host]]\nname = \"a b\"\n").expect("write bad.toml");
    let out = run(Command::new(&exe).arg(&bad));
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "stderr:\n{stderr}");
    assert!(
        stderr.contains("invalid topology: topology: line 2"),
        "stderr:\n{stderr}"
    );
    assert_eq!(run(&mut Command::new(&exe)).status.code(), Some(2));
}

#[test]
fn example_explain() {
    let (_scratch, exe) = build_example("explain");

    // Text: the same lines as `volact explain`, for two spellings.
    let out = valgrind(&exe, &["0xC004F074", "-1073418184"]);
    let stdout = text(&out.stdout);
    for expected in [
        "0xC004F074  The Software Protection Service reported that the computer could not be activated.",
        "  applies to: KMS client\n",
        "0xC004F038  ",
        "sysprep /generalize",
        "  source:     https://learn.microsoft.com/",
    ] {
        assert!(
            stdout.contains(expected),
            "explain output lacks {expected:?}:\n{stdout}"
        );
    }

    // JSON: the CLI's record, one a line.
    let out = valgrind(&exe, &["--json", "c004f038", "3221549172"]);
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert!(
        lines[0].starts_with(r#"{"input":"c004f038","known":true,"code":"0xC004F038","message":"#)
            && lines[1].contains(r#""code":"0xC004F074""#)
            && lines[1].ends_with(r#""error":null}"#),
        "{stdout}"
    );

    // Unknown and unparsable codes: exit status 1 and the reasons.
    let out = run(Command::new(&exe).args(["0x12345678", "nope"]));
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "output:\n{stdout}");
    assert!(
        stdout.contains("0x12345678  unknown: 0x12345678 is not in volact's table")
            && stdout.contains("nope  unknown: \"nope\" is not an error code"),
        "{stdout}"
    );
    assert_eq!(run(&mut Command::new(&exe)).status.code(), Some(2));
}

#[test]
fn example_mak_proxy() {
    let (scratch, exe) = build_example("mak_proxy");
    let cil = scratch.path("lab.cil");
    let out = valgrind(&exe, &[cil.to_str().expect("UTF-8 scratch path")]);
    let stdout = text(&out.stdout);
    for expected in [
        "step 5: Install the MAK on the Isolated Lab computers\n",
        "rem the key XXXXX-XXXXX-XXXXX-XXXXX-6Q83G\n    %SLMGR% LAB-PC01 /ipk %VOLACT_KEY%\n",
        "rem LAB-HOME: skipped (mak-on-retail-edition): Windows 11 Core is a retail edition",
        "  LAB-PC01: Volume:MAK, IID ",
        "  LAB-HOME: Retail, IID ",
        "step 6: Save the CIL\n  3 computers, 3 Installation IDs\n",
        "step 9: ",
        "  the source was asked 3 times: 2 CIDs written, 1 not available\n",
        "step 12: ",
        "rem LAB-HOME: skipped (no-cid)",
        "  LAB-PC01: LicenseStatus 1 (licensed)\n  LAB-PC02: LicenseStatus 1 (licensed)\n  \
         LAB-HOME: LicenseStatus 5 (not activated)\n",
    ] {
        assert!(
            stdout.contains(expected),
            "mak_proxy output lacks {expected:?}:\n{stdout}"
        );
    }
    for group in ["VKCF7", "HV62C", "944TY", "YJ9NF"] {
        assert!(
            !stdout.contains(group),
            "mak_proxy revealed the key:\n{stdout}"
        );
    }
    // Step 6's CIL, saved with step 9's CIDs pending.
    let saved = fs::read_to_string(&cil).expect("mak_proxy saved the CIL");
    assert_eq!(
        saved.matches("<PendingConfirmationId>").count(),
        2,
        "{saved}"
    );
    assert!(
        saved.contains("<Group>Isolated Lab Group</Group>"),
        "{saved}"
    );
    assert_eq!(
        run(Command::new(&exe).args(["a", "b"])).status.code(),
        Some(2)
    );
}

#[test]
fn example_kms_deploy() {
    let (scratch, exe) = build_example("kms_deploy");
    let global = repo_dir().join("examples/kms/contoso-global.toml");
    let out = valgrind(&exe, &[global.to_str().expect("UTF-8 path")]);
    let stdout = text(&out.stdout);
    for expected in [
        "CSVLK XXXXX-XXXXX-XXXXX-XXXXX-6Q83G (csvlk), group server2022, serving windows10, \
         windows11\n",
        "  plan: kms-e1, kms-e2, kms-w1, kms-w2 (the topology's order)\n",
        // The first run stops after kms-e1 for the SRV record grants.
        "  the run waits: grant KMS_E Read, Write and Delete on _vlmcs._tcp.east.contoso.com; \
         grant KMS_W Read, Write and Delete on _vlmcs._tcp.west.contoso.com before the next \
         hosts activate, then run again\n",
        "    kms-e1: done (reg DnsDomainPublishList, /ipk XXXXX-XXXXX-XXXXX-XXXXX-6Q83G, /ato)\n    \
         kms-e2: pending (nothing done yet)\n",
        // The saved run again: every host, its publish list as write_value got it.
        "  kms-e1: done, LicenseStatus 1 (licensed)\n",
        "    DnsDomainPublishList: east.contoso.com, 10, 75 | west.contoso.com, 90, 75\n",
        "    DnsDomainPublishList: east.contoso.com, 10, 25 | west.contoso.com, 90, 25\n",
        "    DnsDomainPublishList: west.contoso.com, 10, 75 | east.contoso.com, 90, 75\n",
        "  kms-w2: done, LicenseStatus 1 (licensed)\n    calls: reg DnsDomainPublishList, /ipk \
         XXXXX-XXXXX-XXXXX-XXXXX-6Q83G, /ato\n    product key:          \
         XXXXX-XXXXX-XXXXX-XXXXX-6Q83G (Volume:CSVLK)\n    \
         DnsDomainPublishList: west.contoso.com, 10, 25 | east.contoso.com, 90, 25\n",
        "    by hand: grant KMS_W Read, Write and Delete on _vlmcs._tcp.west.contoso.com\n",
        // Table 6: the Enterprise client's GVLK, discovery, caching and URL; Core skipped.
        "  PC-ENT01: done, LicenseStatus 1 (licensed)\n    calls: /ipk \
         NPPR9-FWDCX-D2C8J-H872K-2YT43, /ckms, /ckms-domain, /ckhc, reg AlternateURL, /ato\n",
        "    product key:          NPPR9-FWDCX-D2C8J-H872K-2YT43 (Volume:GVLK)\n",
        "    host caching:         off\n    AlternateURL:         http://contoso.com/help\n",
        "  PC-HOME01: skipped (no-gvlk): Microsoft publishes no KMS client setup key for Windows \
         11 Core: not a volume edition\n    nothing was called\n",
    ] {
        assert!(
            stdout.contains(expected),
            "kms_deploy output lacks {expected:?}:\n{stdout}"
        );
    }
    assert_eq!(
        stdout.matches("LicenseStatus 1 (licensed)").count(),
        5,
        "{stdout}"
    );
    for group in ["VKCF7", "HV62C", "944TY", "YJ9NF"] {
        assert!(
            !stdout.contains(group),
            "kms_deploy revealed the CSVLK:\n{stdout}"
        );
    }

    // An invalid topology: exit status 1 and the line; no argument or no file: 2.
    let bad = scratch.path("bad.toml");
    fs::write(&bad, "[[host]]\nname = \"a b\"\n").expect("write bad.toml");
    let out = run(Command::new(&exe).arg(&bad));
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "stderr:\n{stderr}");
    assert!(
        stderr.contains("kms-deploy plan: topology: line 2"),
        "stderr:\n{stderr}"
    );
    assert_eq!(run(&mut Command::new(&exe)).status.code(), Some(2));
    assert_eq!(
        run(Command::new(&exe).arg(scratch.path("missing.toml")))
            .status
            .code(),
        Some(2)
    );
}

/// The valgrind setup must catch a real leak.
#[test]
fn valgrind_catches_a_leaked_handle() {
    require("gcc", "gcc");
    require("valgrind", "valgrind");
    let lib = lib_dir();
    let scratch = Scratch::new("leak");
    let exe = scratch.path("leak_handle");
    compile(
        "gcc",
        C_FLAGS,
        &crate_dir().join("tests/c/leak_handle.c"),
        &exe,
        &shared_link(&lib),
    );
    run_ok(&mut Command::new(&exe));
    let out = run(&mut valgrind_command(&exe));
    let stderr = text(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "valgrind should fail on the leaked handles:\n{stderr}"
    );
    assert!(
        stderr.contains("are definitely lost") && stderr.contains("volact_product_key_parse"),
        "valgrind should report the handles from volact_product_key_parse as definitely \
         lost:\n{stderr}"
    );
}
