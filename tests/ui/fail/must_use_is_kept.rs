#![deny(unused_must_use)]

use metrics_runtime::monitored;

#[must_use]
#[monitored]
fn work() -> u8 {
    1
}

fn caller() {
    work();
}

fn main() {}
