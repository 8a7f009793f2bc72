//! Out of file descriptors: the listener backs off instead of retrying failed accepts at once
//! (which keeps a core busy), and serves again once descriptors are free, including the
//! connections that waited meanwhile. A binary of its own: it lowers the process' descriptor
//! limit.

#![cfg(target_os = "linux")]

use std::fs::File;
use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::os::unix::fs::FileExt;
use std::time::{Duration, Instant};

use metrics_runtime::{monitored, Exporter};
use metrics_toolkit::{expect_value, get};

#[monitored]
fn called_after_recovery() {}

/// The stat file of the exporter's thread (named `metrics-exporter`, which the kernel cuts to
/// 15 bytes), opened now so that reading it later needs no new descriptor.
fn exporter_thread_stat() -> File {
    let mut found = Vec::new();
    for task in std::fs::read_dir("/proc/self/task").unwrap() {
        let path = task.unwrap().path();
        let comm = std::fs::read_to_string(path.join("comm")).unwrap();
        if comm.trim_end() == "metrics-exporte" {
            found.push(File::open(path.join("stat")).unwrap());
        }
    }
    assert_eq!(found.len(), 1, "one exporter thread in this process");
    found.pop().unwrap()
}

/// User plus system CPU time of a thread, in seconds.
fn cpu_seconds(stat: &File) -> f64 {
    let mut buf = [0u8; 1024];
    let n = stat.read_at(&mut buf, 0).unwrap();
    let text = std::str::from_utf8(&buf[..n]).unwrap();
    // The fields after the command name, which is in parentheses: state (field 3) first, then
    // utime and stime as fields 14 and 15, in clock ticks.
    let fields: Vec<&str> = text[text.rfind(')').unwrap() + 1..]
        .split_whitespace()
        .collect();
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    // SAFETY: sysconf reads a constant of the system.
    let ticks_per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    assert!(ticks_per_second > 0);
    ticks as f64 / ticks_per_second as f64
}

fn descriptor_limit() -> libc::rlimit {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes into the struct it is given.
    assert_eq!(
        unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) },
        0
    );
    limit
}

fn set_descriptor_limit(limit: libc::rlimit) {
    // SAFETY: setrlimit reads the struct it is given.
    assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) }, 0);
}

/// Opens files until the system refuses with EMFILE; how many it opened.
fn take_every_descriptor(filler: &mut Vec<File>) -> usize {
    let before = filler.len();
    let refusal = loop {
        match File::open("/dev/null") {
            Ok(file) => filler.push(file),
            Err(error) => break error,
        }
    };
    assert_eq!(refusal.raw_os_error(), Some(libc::EMFILE), "{refusal}");
    filler.len() - before
}

/// A client socket, created now (it holds a descriptor) and connected later.
fn client_socket() -> socket2::Socket {
    socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap()
}

fn connect_and_ask(socket: socket2::Socket, address: SocketAddr) -> TcpStream {
    socket.connect(&address.into()).unwrap();
    let mut stream: TcpStream = socket.into();
    stream
        .write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    stream
}

#[test]
fn accept_failures_back_off_and_the_listener_recovers() {
    let exporter = Exporter::builder()
        .listen_address("127.0.0.1:0")
        .process_metrics(false)
        .host_metrics(false)
        .install()
        .unwrap();
    let address = exporter.local_addr().unwrap();
    assert_eq!(get(address, "/metrics").status, 200);
    let stat = exporter_thread_stat();
    let sockets: Vec<_> = (0..3).map(|_| client_socket()).collect();

    // Use up every descriptor: a limit a little above the highest one open, then files until
    // the system refuses.
    let original = descriptor_limit();
    let highest = std::fs::read_dir("/proc/self/fd")
        .unwrap()
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u64>().ok())
        .max()
        .unwrap();
    set_descriptor_limit(libc::rlimit {
        rlim_cur: highest + 32,
        rlim_max: original.rlim_max,
    });
    // The exporter may still be closing the socket of the first scrape (the client hung up
    // first), which frees a descriptor it could accept with: keep taking descriptors until
    // none has come free for three rounds in a row.
    let mut filler = Vec::new();
    take_every_descriptor(&mut filler);
    let mut quiet_rounds = 0;
    while quiet_rounds < 3 {
        std::thread::sleep(Duration::from_millis(100));
        quiet_rounds = match take_every_descriptor(&mut filler) {
            0 => quiet_rounds + 1,
            _ => 0,
        };
    }

    // Connections wait in the backlog; accepting them fails with EMFILE.
    let mut clients: Vec<TcpStream> = sockets
        .into_iter()
        .map(|socket| connect_and_ask(socket, address))
        .collect();
    let window = Instant::now();
    let cpu_before = cpu_seconds(&stat);
    std::thread::sleep(Duration::from_secs(1));
    let cpu = cpu_seconds(&stat) - cpu_before;
    let elapsed = window.elapsed().as_secs_f64();
    // Nothing can have been accepted, so nothing was answered.
    for client in &clients {
        client.set_nonblocking(true).unwrap();
        let mut byte = [0u8; 1];
        let unanswered = (&*client).read(&mut byte).unwrap_err();
        assert_eq!(unanswered.kind(), ErrorKind::WouldBlock);
    }
    // A loop retrying at once uses the whole window; backing off uses next to nothing.
    assert!(
        cpu < 0.3 * elapsed,
        "the exporter thread used {cpu:.2} s of CPU in {elapsed:.2} s while accepts failed"
    );

    // Descriptors come back: the waiting connections are served, and so is a new scrape.
    drop(filler);
    set_descriptor_limit(original);
    for client in &mut clients {
        client.set_nonblocking(false).unwrap();
        let mut response = String::new();
        client.read_to_string(&mut response).unwrap();
        assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    }
    let labels = [("function", "called_after_recovery"), ("status", "ok")];
    let scrape = get(address, "/metrics");
    assert_eq!(scrape.status, 200);
    assert_eq!(
        expect_value(&scrape.body, "function_calls_total", &labels),
        0.0
    );
    called_after_recovery();
    assert_eq!(
        expect_value(
            &get(address, "/metrics").body,
            "function_calls_total",
            &labels
        ),
        1.0
    );
    eprintln!("exporter thread CPU while accepts failed: {cpu:.3} s in {elapsed:.3} s");
    exporter.shutdown();
}
