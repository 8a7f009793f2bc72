//! The exporter's own thread: a single-threaded tokio runtime that serves HTTP, refreshes the
//! collectors, pushes, and runs the upkeep of the Prometheus recorder.
//!
//! A thread of its own means scrapes are answered even when the application's runtime is
//! saturated or blocked, and `install_exporter()` works from a plain `fn main`.

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio::time::{interval, MissedTickBehavior};

use crate::collectors::{CollectorSet, HostCollector, ProcessCollector};
use crate::error::Error;
use crate::exporter::Shared;
use crate::push::{PushTarget, Pusher};

/// How long stopping waits for scrapes in flight and the last push.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

/// What the thread runs.
pub(crate) struct Tasks {
    pub listener: Option<TcpListener>,
    pub upkeep_interval: Duration,
    pub collectors: CollectorSet,
    pub collect_interval: Duration,
    pub push: Option<PushTarget>,
}

/// The running thread.
pub(crate) struct Background {
    local_addr: Option<SocketAddr>,
    stop: watch::Sender<bool>,
    thread: JoinHandle<()>,
}

impl Background {
    /// Collectors that cannot read the system fail here, before the thread starts.
    pub(crate) fn start(shared: Arc<Shared>, tasks: Tasks) -> Result<Self, Error> {
        let local_addr = tasks
            .listener
            .as_ref()
            .map(TcpListener::local_addr)
            .transpose()
            .map_err(Error::Spawn)?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(Error::Spawn)?;
        // The first reading is taken now, so the first scrape has process and host figures.
        let process = tasks
            .collectors
            .process
            .then(ProcessCollector::new)
            .transpose()?;
        let host = tasks.collectors.host.then(HostCollector::new).transpose()?;
        let (stop, stopped) = watch::channel(false);
        let thread = std::thread::Builder::new()
            .name("metrics-exporter".into())
            .spawn(move || runtime.block_on(run(shared, tasks, process, host, stopped)))
            .map_err(Error::Spawn)?;
        Ok(Self {
            local_addr,
            stop,
            thread,
        })
    }

    pub(crate) fn local_addr(&self) -> Option<SocketAddr> {
        self.local_addr
    }

    /// Stops accepting, lets scrapes in flight finish and pushes a last time (bounded), then
    /// joins the thread.
    pub(crate) fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.thread.join();
    }
}

async fn run(
    shared: Arc<Shared>,
    tasks: Tasks,
    mut process: Option<ProcessCollector>,
    mut host: Option<HostCollector>,
    mut stopped: watch::Receiver<bool>,
) {
    let listener = tasks
        .listener
        .and_then(|listener| tokio::net::TcpListener::from_std(listener).ok());
    let pusher = tasks.push.map(Pusher::new);
    let mut upkeep = interval(tasks.upkeep_interval);
    let mut collect = interval(tasks.collect_interval);
    let mut push = interval(
        pusher
            .as_ref()
            .map_or(Duration::from_secs(3600), Pusher::interval),
    );
    for timer in [&mut upkeep, &mut collect, &mut push] {
        timer.set_missed_tick_behavior(MissedTickBehavior::Delay);
    }
    // The first ticks fire at once; the collectors just took their first reading.
    collect.tick().await;
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = stopped.changed() => break,
            _ = upkeep.tick() => shared.run_upkeep(),
            _ = collect.tick() => {
                if let Some(process) = process.as_mut() {
                    process.collect();
                }
                if let Some(host) = host.as_mut() {
                    host.collect();
                }
            }
            _ = push.tick(), if pusher.is_some() => {
                if let Some(pusher) = &pusher {
                    pusher.push(shared.render()).await;
                }
            }
            accepted = accept(listener.as_ref()) => {
                // Accept errors (e.g. too many open files) are transient; keep serving.
                if let Ok((stream, peer)) = accepted {
                    connections.spawn(crate::http::serve_connection(stream, peer, shared.clone(), stopped.clone()));
                }
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    let drain = async {
        while connections.join_next().await.is_some() {}
        if let Some(pusher) = &pusher {
            if let Some(process) = process.as_mut() {
                process.collect();
            }
            pusher.push(shared.render()).await;
        }
    };
    let _ = tokio::time::timeout(DRAIN_TIMEOUT, drain).await;
}

async fn accept(
    listener: Option<&tokio::net::TcpListener>,
) -> std::io::Result<(tokio::net::TcpStream, SocketAddr)> {
    match listener {
        Some(listener) => listener.accept().await,
        None => std::future::pending().await,
    }
}
