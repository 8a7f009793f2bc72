//! The exporter's own thread: a single-threaded tokio runtime that serves HTTP, refreshes the
//! collectors, pushes, and runs the upkeep of the Prometheus recorder.
//!
//! A thread of its own means scrapes are answered even when the application's runtime is
//! saturated or blocked, and `install_exporter()` works from a plain `fn main`.
//!
//! Nothing on this thread may take the listener down. A periodic job that panics is switched
//! off and reported once on stderr; a push runs as a task of its own, so its panic ends that
//! push only; a panic while answering a request ends that request (see `http.rs`). An accept
//! that fails for want of resources (out of file descriptors, out of memory) pauses accepting
//! for a while, growing to [`ACCEPT_PAUSE_MAX`], as hyper's and axum's servers do, instead of
//! retrying at once and keeping a core busy; connections wait in the backlog meanwhile.

use std::any::Any;
use std::io::Write;
use std::net::SocketAddr;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio::time::{sleep_until, Instant};

use crate::collectors::{CollectorSet, HostCollector, ProcessCollector};
use crate::error::Error;
use crate::exporter::Shared;
use crate::push::{PushTarget, Pusher};

/// How long stopping waits for scrapes in flight and the last push.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

/// The first pause after an accept fails for want of resources; each further failure doubles
/// it, up to [`ACCEPT_PAUSE_MAX`].
const ACCEPT_PAUSE_MIN: Duration = Duration::from_millis(10);

/// The longest pause between accepts that fail: how long a scrape may wait, at most, once
/// descriptors are free again. axum's `serve` and hyper's old `AddrIncoming` pause 1 s.
const ACCEPT_PAUSE_MAX: Duration = Duration::from_secs(1);

/// Failing accepts are reported on stderr at most this often.
const ACCEPT_REPORT_EVERY: Duration = Duration::from_secs(60);

/// What the thread runs, as the builder describes it.
pub(crate) struct Tasks {
    pub listener: Option<std::net::TcpListener>,
    pub upkeep_interval: Duration,
    pub collectors: CollectorSet,
    pub collect_interval: Duration,
    pub push: Option<PushTarget>,
    /// How often buckets may try for a new exemplar; zero: on every call, no job.
    #[cfg(feature = "exemplars")]
    pub exemplar_interval: Duration,
}

/// One periodic piece of work of the thread.
pub(crate) struct Job {
    /// What it is, for the report when it panics: "process collector".
    pub name: &'static str,
    pub every: Duration,
    /// Whether it runs once more right before the last push, so that push is up to date.
    pub before_last_push: bool,
    pub work: Box<dyn FnMut() + Send>,
}

/// Everything the thread needs, made before the recorder is installed, so that a failure here
/// leaves nothing installed.
pub(crate) struct Prepared {
    runtime: tokio::runtime::Runtime,
    listener: Option<TcpListener>,
    local_addr: Option<SocketAddr>,
    jobs: Vec<Job>,
    pusher: Option<Pusher>,
}

impl Prepared {
    /// Collectors that cannot read the system fail here; they take their first reading now, so
    /// the first scrape has process and host figures.
    pub(crate) fn new(shared: &Arc<Shared>, tasks: Tasks) -> Result<Self, Error> {
        let upkeep = shared.clone();
        let mut jobs = vec![Job {
            name: "upkeep of the `metrics-exporter-prometheus` recorder",
            every: tasks.upkeep_interval,
            before_last_push: false,
            work: Box::new(move || upkeep.run_upkeep()),
        }];
        #[cfg(feature = "exemplars")]
        if !tasks.exemplar_interval.is_zero() {
            jobs.push(Job {
                name: "exemplar interval",
                every: tasks.exemplar_interval,
                before_last_push: false,
                work: Box::new(crate::exemplars::next_interval),
            });
        }
        if tasks.collectors.process {
            let mut process = ProcessCollector::new()?;
            jobs.push(Job {
                name: "process collector",
                every: tasks.collect_interval,
                before_last_push: true,
                work: Box::new(move || process.collect()),
            });
        }
        if tasks.collectors.host {
            let mut host = HostCollector::new()?;
            jobs.push(Job {
                name: "host collector",
                every: tasks.collect_interval,
                before_last_push: false,
                work: Box::new(move || host.collect()),
            });
        }
        Self::assemble(tasks.listener, jobs, tasks.push.map(Pusher::new))
    }

    fn assemble(
        listener: Option<std::net::TcpListener>,
        jobs: Vec<Job>,
        pusher: Option<Pusher>,
    ) -> Result<Self, Error> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(Error::Spawn)?;
        let (listener, local_addr) = match listener {
            Some(listener) => {
                let local_addr = listener.local_addr().map_err(Error::Spawn)?;
                // Registered with this runtime's reactor, which the thread drives.
                let _context = runtime.enter();
                let listener = TcpListener::from_std(listener).map_err(Error::Spawn)?;
                (Some(listener), Some(local_addr))
            }
            None => (None, None),
        };
        Ok(Self {
            runtime,
            listener,
            local_addr,
            jobs,
            pusher,
        })
    }
}

/// The running thread.
pub(crate) struct Background {
    local_addr: Option<SocketAddr>,
    stop: watch::Sender<bool>,
    thread: JoinHandle<()>,
}

impl Background {
    pub(crate) fn start(shared: Arc<Shared>, prepared: Prepared) -> Result<Self, Error> {
        let Prepared {
            runtime,
            listener,
            local_addr,
            jobs,
            pusher,
        } = prepared;
        let (stop, stopped) = watch::channel(false);
        let thread = std::thread::Builder::new()
            .name("metrics-exporter".into())
            .spawn(move || runtime.block_on(run(shared, listener, jobs, pusher, stopped)))
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

/// A job and when it runs next; a job that panicked is switched off.
struct Scheduled {
    job: Job,
    due: Instant,
    switched_off: bool,
}

impl Scheduled {
    fn run(&mut self) {
        if self.switched_off {
            return;
        }
        if let Err(payload) = std::panic::catch_unwind(AssertUnwindSafe(&mut self.job.work)) {
            self.switched_off = true;
            report(&panic_report(self.job.name, payload.as_ref()));
        }
    }
}

async fn run(
    shared: Arc<Shared>,
    listener: Option<TcpListener>,
    jobs: Vec<Job>,
    pusher: Option<Pusher>,
    mut stopped: watch::Receiver<bool>,
) {
    let start = Instant::now();
    let mut jobs: Vec<Scheduled> = jobs
        .into_iter()
        .map(|job| Scheduled {
            due: start + job.every,
            job,
            switched_off: false,
        })
        .collect();
    let mut pusher = pusher.map(Arc::new);
    // The first push goes out at once.
    let mut push_due = pusher.as_ref().map(|_| start);
    let mut pushes = JoinSet::new();
    let mut connections = JoinSet::new();
    let mut accepts = AcceptPause::new();
    loop {
        let next_job = jobs
            .iter()
            .filter(|scheduled| !scheduled.switched_off)
            .map(|scheduled| scheduled.due)
            .min();
        tokio::select! {
            _ = stopped.changed() => break,
            _ = sleep_until_some(next_job) => {
                let now = Instant::now();
                for scheduled in jobs.iter_mut().filter(|scheduled| scheduled.due <= now) {
                    scheduled.run();
                    scheduled.due = Instant::now() + scheduled.job.every;
                }
            }
            _ = sleep_until_some(push_due), if pushes.is_empty() => {
                if let Some(pusher) = &pusher {
                    pushes.spawn(push_once(shared.clone(), pusher.clone()));
                    push_due = Some(Instant::now() + pusher.interval());
                }
            }
            Some(pushed) = pushes.join_next(), if !pushes.is_empty() => {
                if let Err(failure) = pushed {
                    if failure.is_panic() {
                        report(&panic_report("push to the Pushgateway", failure.into_panic().as_ref()));
                        pusher = None;
                        push_due = None;
                    }
                }
            }
            accepted = accept(listener.as_ref(), accepts.paused_until) => match accepted {
                Ok((stream, peer)) => {
                    accepts.succeeded();
                    connections.spawn(crate::http::serve_connection(stream, peer, shared.clone(), stopped.clone()));
                }
                Err(error) => accepts.failed(&error),
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    let drain = async {
        while connections.join_next().await.is_some() {}
        while let Some(pushed) = pushes.join_next().await {
            if pushed.is_err_and(|failure| failure.is_panic()) {
                pusher = None;
            }
        }
        if let Some(pusher) = &pusher {
            for scheduled in jobs.iter_mut().filter(|s| s.job.before_last_push) {
                scheduled.run();
            }
            pushes.spawn(push_once(shared.clone(), pusher.clone()));
            if let Some(Err(failure)) = pushes.join_next().await {
                if failure.is_panic() {
                    report(&panic_report(
                        "last push to the Pushgateway",
                        failure.into_panic().as_ref(),
                    ));
                }
            }
        }
    };
    let _ = tokio::time::timeout(DRAIN_TIMEOUT, drain).await;
}

/// Renders and pushes, as a task of its own: a panic in either ends this push only.
async fn push_once(shared: Arc<Shared>, pusher: Arc<Pusher>) {
    let body = shared.render();
    pusher.push(body).await;
}

async fn sleep_until_some(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}

async fn accept(
    listener: Option<&TcpListener>,
    paused_until: Option<Instant>,
) -> std::io::Result<(tokio::net::TcpStream, SocketAddr)> {
    let Some(listener) = listener else {
        return std::future::pending().await;
    };
    if let Some(until) = paused_until {
        sleep_until(until).await;
    }
    listener.accept().await
}

/// When accepting may be tried again after failures.
struct AcceptPause {
    paused_until: Option<Instant>,
    next_pause: Duration,
    last_report: Option<Instant>,
}

impl AcceptPause {
    fn new() -> Self {
        Self {
            paused_until: None,
            next_pause: ACCEPT_PAUSE_MIN,
            last_report: None,
        }
    }

    fn succeeded(&mut self) {
        self.paused_until = None;
        self.next_pause = ACCEPT_PAUSE_MIN;
    }

    fn failed(&mut self, error: &std::io::Error) {
        // The peer gave up on that one connection; the next one is unaffected.
        if is_connection_error(error) {
            return;
        }
        // Out of descriptors or memory: the connection stays in the backlog and the listener
        // stays readable, so retrying at once would fail again at once.
        let now = Instant::now();
        self.paused_until = Some(now + self.next_pause);
        self.next_pause = (self.next_pause * 2).min(ACCEPT_PAUSE_MAX);
        if self
            .last_report
            .is_none_or(|at| now.duration_since(at) >= ACCEPT_REPORT_EVERY)
        {
            self.last_report = Some(now);
            report(&format!(
                "metrics-runtime: accepting a scrape failed ({error}); retrying after pauses of up to {ACCEPT_PAUSE_MAX:?} until it works again"
            ));
        }
    }
}

fn is_connection_error(error: &std::io::Error) -> bool {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    matches!(
        error.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    )
}

/// The line written when a job of the thread panics.
fn panic_report(job: &str, payload: &(dyn Any + Send)) -> String {
    let message = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("no message");
    format!("metrics-runtime: the {job} panicked and is switched off, the listener keeps serving: {message}")
}

/// Writes one line on stderr; a stderr that cannot be written is no reason to stop.
fn report(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

#[cfg(test)]
mod tests {
    use std::io::Read;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use metrics_exporter_prometheus::PrometheusBuilder;

    use super::*;
    use crate::registry::RenderOptions;

    fn shared() -> Arc<Shared> {
        Arc::new(Shared {
            prometheus: PrometheusBuilder::new().build_recorder().handle(),
            render: RenderOptions {
                prefix: String::new(),
                global_labels: Vec::new(),
                idle_timeout: None,
            },
            metrics_path: "/metrics".into(),
            allowed: Vec::new(),
            last_len: Default::default(),
        })
    }

    /// A `GET` over real HTTP: the status line and the body.
    fn get(address: SocketAddr, path: &str) -> (String, String) {
        let mut stream = std::net::TcpStream::connect(address).unwrap();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let (head, body) = response.split_once("\r\n\r\n").unwrap();
        let status = head.lines().next().unwrap().to_owned();
        (status, body.to_owned())
    }

    fn counting_job(name: &'static str, runs: &Arc<AtomicUsize>, panics: bool) -> Job {
        let runs = runs.clone();
        Job {
            name,
            every: Duration::from_millis(5),
            before_last_push: false,
            work: Box::new(move || {
                runs.fetch_add(1, Ordering::SeqCst);
                if panics {
                    panic!("broken on purpose");
                }
            }),
        }
    }

    #[test]
    fn a_job_that_panics_is_switched_off_and_the_listener_keeps_serving() {
        let broken = Arc::new(AtomicUsize::new(0));
        let steady = Arc::new(AtomicUsize::new(0));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let jobs = vec![
            counting_job("broken job", &broken, true),
            counting_job("steady job", &steady, false),
        ];
        let prepared = Prepared::assemble(Some(listener), jobs, None).unwrap();
        let background = Background::start(shared(), prepared).unwrap();
        let address = background.local_addr().unwrap();

        // Wait until the broken job has panicked and the steady one has run 3 more times.
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while broken.load(Ordering::SeqCst) == 0 {
            assert!(std::time::Instant::now() < deadline, "the job never ran");
            std::thread::sleep(Duration::from_millis(5));
        }
        let after_panic = steady.load(Ordering::SeqCst);
        while steady.load(Ordering::SeqCst) < after_panic + 3 {
            assert!(std::time::Instant::now() < deadline, "the thread stopped");
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(
            broken.load(Ordering::SeqCst),
            1,
            "switched off after its panic"
        );

        assert_eq!(get(address, "/metrics").0, "HTTP/1.1 200 OK");
        assert_eq!(
            get(address, "/nope"),
            (
                "HTTP/1.1 404 Not Found".to_owned(),
                "not found: metrics are served at /metrics, health at /health, the catalog at /catalog\n"
                    .to_owned()
            )
        );
        background.stop();
    }

    #[test]
    fn a_panic_is_reported_with_its_message() {
        assert_eq!(
            panic_report("host collector", &"index out of bounds"),
            "metrics-runtime: the host collector panicked and is switched off, the listener keeps serving: index out of bounds"
        );
        assert_eq!(
            panic_report("push to the Pushgateway", &String::from("bad state")),
            "metrics-runtime: the push to the Pushgateway panicked and is switched off, the listener keeps serving: bad state"
        );
        assert_eq!(
            panic_report("process collector", &42),
            "metrics-runtime: the process collector panicked and is switched off, the listener keeps serving: no message"
        );
    }

    #[test]
    fn resource_errors_pause_accepting_and_connection_errors_do_not() {
        let mut pause = AcceptPause::new();
        pause.failed(&std::io::ErrorKind::ConnectionAborted.into());
        assert_eq!(pause.paused_until, None);
        assert_eq!(pause.next_pause, ACCEPT_PAUSE_MIN);
        let emfile = std::io::Error::from_raw_os_error(24);
        let mut pauses = Vec::new();
        for _ in 0..9 {
            pause.failed(&emfile);
            assert!(pause.paused_until.is_some());
            pauses.push(pause.next_pause.as_millis());
        }
        assert_eq!(pauses, [20, 40, 80, 160, 320, 640, 1000, 1000, 1000]);
        pause.succeeded();
        assert_eq!(pause.paused_until, None);
        assert_eq!(pause.next_pause, ACCEPT_PAUSE_MIN);
    }
}
