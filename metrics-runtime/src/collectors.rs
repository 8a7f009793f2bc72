//! Process and host figures, read with `sysinfo` on the exporter's background thread.
//!
//! Process metrics use the standard names of Prometheus' client libraries
//! (`process_cpu_seconds_total`, `process_resident_memory_bytes`, ...), so existing dashboards
//! work and a configured prefix leaves them alone. Host metrics are `host_*`: base units,
//! ratios from 0 to 1, `_total` on counters.

use std::sync::Arc;

use metrics::{CounterFn, GaugeFn, Key, Label};
use sysinfo::{Disks, Networks, Pid, ProcessRefreshKind, ProcessesToUpdate, System};

use crate::error::Error;
use crate::registry::REGISTRY;
use crate::storage::{ShardedCounter, ShardedGauge};

/// Which collectors run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CollectorSet {
    pub process: bool,
    pub host: bool,
}

fn gauge(name: &str, labels: Vec<Label>, expirable: bool) -> Option<Arc<ShardedGauge>> {
    REGISTRY.gauge(&Key::from_parts(name.to_owned(), labels), expirable)
}

fn counter(name: &str, labels: Vec<Label>, expirable: bool) -> Option<Arc<ShardedCounter>> {
    REGISTRY.counter(&Key::from_parts(name.to_owned(), labels), expirable)
}

/// The error for a group whose figures the system does not give.
fn unavailable(group: &'static str) -> impl Fn(sysinfo::Error) -> Error + Copy {
    move |e| Error::Collector {
        group,
        reason: e.to_string(),
    }
}

/// `process_*` for the running process.
pub(crate) struct ProcessCollector {
    system: System,
    pid: Pid,
}

impl ProcessCollector {
    pub(crate) fn new() -> Result<Self, Error> {
        for (name, help) in [
            (
                "process_cpu_seconds_total",
                "Total user and system CPU time spent in seconds.",
            ),
            (
                "process_resident_memory_bytes",
                "Resident memory size in bytes.",
            ),
            (
                "process_virtual_memory_bytes",
                "Virtual memory size in bytes.",
            ),
            ("process_open_fds", "Number of open file descriptors."),
            (
                "process_max_fds",
                "Maximum number of open file descriptors.",
            ),
            ("process_threads", "Number of OS threads in the process."),
            (
                "process_start_time_seconds",
                "Start time of the process since unix epoch in seconds.",
            ),
        ] {
            REGISTRY.describe_standard(name, help);
        }
        let unavailable = unavailable("process");
        let system = System::new().map_err(unavailable)?;
        let pid = sysinfo::get_current_pid().map_err(unavailable)?;
        let mut collector = Self { system, pid };
        collector.collect();
        Ok(collector)
    }

    pub(crate) fn collect(&mut self) {
        let pid = self.pid;
        let refresh = ProcessRefreshKind::nothing()
            .with_cpu()
            .with_memory()
            .with_tasks();
        self.system
            .refresh_processes_specifics(ProcessesToUpdate::Some(&[pid]), true, refresh);
        let Some(process) = self.system.process(pid) else {
            return;
        };
        let set = |name: &str, value: f64| {
            if let Some(gauge) = gauge(name, vec![], false) {
                gauge.set(value);
            }
        };
        if let Some(cpu) = REGISTRY.float_counter(&Key::from_name("process_cpu_seconds_total")) {
            cpu.set(process.accumulated_cpu_time() as f64 / 1000.0);
        }
        set("process_resident_memory_bytes", process.memory() as f64);
        set(
            "process_virtual_memory_bytes",
            process.virtual_memory() as f64,
        );
        set("process_start_time_seconds", process.start_time() as f64);
        if let Some(open) = process.open_files() {
            set("process_open_fds", open as f64);
        }
        if let Some(limit) = process.open_files_limit() {
            set("process_max_fds", limit as f64);
        }
        if let Some(tasks) = process.tasks() {
            // The main thread is not among its tasks.
            set("process_threads", (tasks.len() + 1) as f64);
        }
    }
}

/// `host_*` for the machine.
pub(crate) struct HostCollector {
    system: System,
    disks: Disks,
    networks: Networks,
}

impl HostCollector {
    pub(crate) fn new() -> Result<Self, Error> {
        for (name, help) in [
            (
                "host_cpu_usage_ratio",
                "CPU usage of the host over the last refresh interval, from 0 to 1.",
            ),
            (
                "host_memory_used_bytes",
                "Memory of the host in use, in bytes.",
            ),
            ("host_memory_total_bytes", "Memory of the host, in bytes."),
            (
                "host_disk_used_bytes",
                "Space in use on a mounted file system, in bytes.",
            ),
            (
                "host_disk_total_bytes",
                "Size of a mounted file system, in bytes.",
            ),
            (
                "host_network_received_bytes_total",
                "Bytes received on a network interface.",
            ),
            (
                "host_network_transmitted_bytes_total",
                "Bytes transmitted on a network interface.",
            ),
            (
                "host_uptime_seconds",
                "Time since the host booted, in seconds.",
            ),
        ] {
            REGISTRY.describe(name, help);
        }
        let unavailable = unavailable("host");
        let mut collector = Self {
            system: System::new().map_err(unavailable)?,
            disks: Disks::new_with_refreshed_list().map_err(unavailable)?,
            networks: Networks::new_with_refreshed_list().map_err(unavailable)?,
        };
        collector.collect();
        Ok(collector)
    }

    pub(crate) fn collect(&mut self) {
        self.system.refresh_cpu_usage();
        self.system.refresh_memory();
        self.disks.refresh(true);
        self.networks.refresh(true);
        let set = |name: &str, labels: Vec<Label>, value: f64| {
            if let Some(gauge) = gauge(name, labels, true) {
                gauge.set(value);
            }
        };
        set(
            "host_cpu_usage_ratio",
            vec![],
            f64::from(self.system.global_cpu_usage()) / 100.0,
        );
        set(
            "host_memory_used_bytes",
            vec![],
            self.system.used_memory() as f64,
        );
        set(
            "host_memory_total_bytes",
            vec![],
            self.system.total_memory() as f64,
        );
        if let Ok(uptime) = System::uptime() {
            set("host_uptime_seconds", vec![], uptime as f64);
        }
        for disk in self.disks.iter().filter(|disk| disk.total_space() > 0) {
            let mount = vec![Label::new(
                "mount",
                disk.mount_point().to_string_lossy().into_owned(),
            )];
            let total = disk.total_space();
            set("host_disk_total_bytes", mount.clone(), total as f64);
            set(
                "host_disk_used_bytes",
                mount,
                total.saturating_sub(disk.available_space()) as f64,
            );
        }
        for (interface, data) in self.networks.iter() {
            let labels = vec![Label::new(
                "interface",
                interface.to_string_lossy().into_owned(),
            )];
            if let Some(received) =
                counter("host_network_received_bytes_total", labels.clone(), true)
            {
                received.absolute(data.total_received());
            }
            if let Some(sent) = counter("host_network_transmitted_bytes_total", labels, true) {
                sent.absolute(data.total_transmitted());
            }
        }
    }
}
