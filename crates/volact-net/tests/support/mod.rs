//! A real bind9 `named` on 127.0.0.1 for one test, started by `tests/dns/named.sh` with the
//! zones of `tests/dns/zones/`, stopped when the [`Named`] is dropped (also on panic).
//! A missing `named` fails the test with the install command: never a silent skip.
#![allow(dead_code)]

use std::net::{SocketAddr, TcpListener, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

use volact_net::TsigKey;

pub struct Named {
    dir: PathBuf,
    pub addr: SocketAddr,
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A port free for both UDP and TCP on 127.0.0.1 right now (named needs both).
fn free_port() -> u16 {
    for _ in 0..50 {
        let udp = UdpSocket::bind("127.0.0.1:0").expect("bind a UDP socket on 127.0.0.1");
        let port = udp.local_addr().expect("local address").port();
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    panic!("no port free for both UDP and TCP on 127.0.0.1 after 50 tries");
}

fn named_installed() -> bool {
    ["/usr/sbin/named", "/usr/bin/named", "/sbin/named"]
        .iter()
        .any(|p| Path::new(p).exists())
        || Command::new("sh")
            .args(["-c", "command -v named"])
            .output()
            .is_ok_and(|o| o.status.success())
}

impl Named {
    pub fn start() -> Named {
        assert!(
            named_installed(),
            "bind9's `named` is not installed; these tests need a real DNS server. \
             Install it: apt-get install bind9 bind9-utils dnsutils"
        );
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "volact-named-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create the named directory");
        // A port can be taken between our probe and named's bind; try a few.
        let mut last = String::new();
        for _ in 0..3 {
            let port = free_port();
            let out = Command::new(repo().join("tests/dns/named.sh"))
                .arg("start")
                .arg(&dir)
                .arg(port.to_string())
                .arg(repo().join("tests/dns/zones"))
                .output()
                .expect("run tests/dns/named.sh");
            if out.status.success() {
                return Named {
                    dir,
                    addr: SocketAddr::from(([127, 0, 0, 1], port)),
                };
            }
            last = String::from_utf8_lossy(&out.stderr).into_owned();
            stop(&dir);
        }
        panic!("named did not start: {last}");
    }

    /// The BIND key file of that key (for callers that take the file's text).
    pub fn key_file(&self) -> PathBuf {
        self.dir.join("tsig.key")
    }

    /// The TSIG key the zones accept updates with.
    pub fn key(&self) -> TsigKey {
        TsigKey::from_file(&self.dir.join("tsig.key")).expect("read DIR/tsig.key")
    }
}

fn stop(dir: &Path) {
    let _ = Command::new(repo().join("tests/dns/named.sh"))
        .arg("stop")
        .arg(dir)
        .status();
}

impl Drop for Named {
    fn drop(&mut self) {
        stop(&self.dir);
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
