//! Graceful shutdown: a scrape in flight completes in full, then the listener is closed.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use metrics_runtime::Exporter;
use metrics_toolkit::samples;

#[test]
fn a_scrape_in_flight_completes_before_the_listener_closes() {
    let exporter = Exporter::builder()
        .listen_address("127.0.0.1:0")
        .process_metrics(false)
        .host_metrics(false)
        .install()
        .unwrap();
    let address = exporter.local_addr().unwrap();
    // A large exposition (200 000 series, some 9 MB, more than the 4 MB a socket buffers at
    // most here) and a client with a small receive
    // buffer, so the response is still being written while the exporter shuts down.
    metrics::describe_counter!("bulk_items_total", "Items, many series of them.");
    for item in 0..200_000 {
        metrics::counter!("bulk_items_total", "item" => item.to_string()).increment(1);
    }

    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    socket.connect(&address.into()).unwrap();
    let mut stream: TcpStream = socket.into();
    stream
        .write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    // Wait until the response has started, and stop reading for a while.
    let mut first = [0u8; 1];
    stream.read_exact(&mut first).unwrap();
    let shutdown = std::thread::spawn(move || exporter.shutdown());
    std::thread::sleep(Duration::from_millis(300));

    let mut rest = Vec::new();
    stream.read_to_end(&mut rest).unwrap();
    let response = format!("{}{}", first[0] as char, String::from_utf8(rest).unwrap());
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 200 OK"), "{head}");
    let bulk = samples(body)
        .into_iter()
        .filter(|s| s.name == "bulk_items_total")
        .count();
    assert_eq!(bulk, 200_000, "the whole exposition arrived");
    shutdown.join().unwrap();

    let refused = TcpStream::connect(address).map(|_| ()).unwrap_err();
    assert_eq!(refused.kind(), std::io::ErrorKind::ConnectionRefused);
}
