//! Where password hashes are computed: a few dedicated threads (one per core), a short queue
//! in front of them, and a refusal past it.
//!
//! Each Argon2id hash or check takes 19 MiB and tens of milliseconds of CPU. Run on Tokio's
//! blocking pool, nothing bounds how many run at once (up to 512 threads: ~9.5 GiB for
//! anonymous sign-ins alone), and the memory stays with each thread's allocator arena long
//! after. Here at most `threads` run at once, always on the same threads, so the memory is
//! `threads` × 19 MiB whatever arrives. A request waits up to `QUEUE_WAIT` for a thread, with
//! at most `MAX_WAITING` others; past either it gets `Busy` (the API answers 503 with
//! `Retry-After`). The queue depth and the refusals are exported as metrics.
//!
//! glibc's allocator needs one more thing (`return_large_blocks_to_the_system`): after the
//! first 19 MiB block is freed it raises its mmap threshold above that size, and from then on
//! serves such blocks from its heaps, where small allocations made between two hashes split the
//! freed space and each new hash extends the heap instead: 128 sign-ins on two threads grew the
//! server from 39 MiB to 460 MiB and it never shrank. A fixed threshold keeps every block of a
//! mebibyte or more in its own mapping, given back when freed (82 MiB at the peak, 44 after).

use std::{
    sync::{
        atomic::{AtomicU64, AtomicUsize, Ordering},
        mpsc, Arc, Mutex,
    },
    time::Duration,
};

use tokio::sync::{oneshot, Semaphore};

/// The longest a request waits for a hashing thread.
pub const QUEUE_WAIT: Duration = Duration::from_secs(5);
/// Requests allowed to wait at once; the next one is refused at once.
pub const MAX_WAITING: usize = 64;
/// What a refused request is told to wait, in seconds.
pub const RETRY_AFTER_SECS: u64 = 2;

type Job = Box<dyn FnOnce() + Send>;

/// Makes the allocator give large blocks (a mebibyte or more: hashing memory) back to the
/// system when they are freed, rather than keep them in its heaps (see the module's notes).
/// Process-wide; call it once at start-up. Other allocators already do.
pub fn return_large_blocks_to_the_system() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a tuning parameter of glibc's allocator; any value is valid.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1024 * 1024);
    }
}

/// The hashing threads and their queue; cheap to clone. The threads end when the last clone
/// is dropped.
#[derive(Clone, Debug)]
pub struct HashingPool {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    threads: usize,
    permits: Arc<Semaphore>,
    jobs: Mutex<mpsc::Sender<Job>>,
    stats: Arc<HashingStats>,
}

/// What the pool has done, for the metrics.
#[derive(Debug, Default)]
pub struct HashingStats {
    waiting: AtomicUsize,
    running: AtomicUsize,
    refused: AtomicU64,
    completed: AtomicU64,
}

impl HashingStats {
    /// Requests waiting for a thread now.
    pub fn waiting(&self) -> usize {
        self.waiting.load(Ordering::Relaxed)
    }

    /// Hashes being computed now.
    pub fn running(&self) -> usize {
        self.running.load(Ordering::Relaxed)
    }

    /// Requests refused so far (the queue was full or the wait too long).
    pub fn refused(&self) -> u64 {
        self.refused.load(Ordering::Relaxed)
    }

    /// Hashes computed so far.
    pub fn completed(&self) -> u64 {
        self.completed.load(Ordering::Relaxed)
    }
}

/// No hashing thread was free in time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Busy {
    pub retry_after: u64,
}

impl HashingPool {
    /// A pool of one thread per core.
    pub fn per_core() -> Self {
        Self::new(std::thread::available_parallelism().map_or(1, usize::from))
    }

    pub fn new(threads: usize) -> Self {
        let threads = threads.max(1);
        let (sender, receiver) = mpsc::channel::<Job>();
        let receiver = Arc::new(Mutex::new(receiver));
        for index in 0..threads {
            let receiver = receiver.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("password-hash-{index}"))
                .spawn(move || loop {
                    // The lock is held only while taking a job, never while running it.
                    let job = receiver
                        .lock()
                        .unwrap_or_else(|poisoned| poisoned.into_inner())
                        .recv();
                    match job {
                        Ok(job) => job(),
                        Err(mpsc::RecvError) => break,
                    }
                });
            if let Err(error) = spawned {
                tracing::error!(%error, "could not start a password hashing thread");
            }
        }
        Self {
            inner: Arc::new(Inner {
                threads,
                permits: Arc::new(Semaphore::new(threads)),
                jobs: Mutex::new(sender),
                stats: Arc::default(),
            }),
        }
    }

    pub fn threads(&self) -> usize {
        self.inner.threads
    }

    pub fn stats(&self) -> Arc<HashingStats> {
        self.inner.stats.clone()
    }

    /// Runs `work` (a password hash or check) on a hashing thread once one is free, or refuses
    /// it when the queue is full or the wait too long.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Busy> {
        let stats = &self.inner.stats;
        let busy = || {
            stats.refused.fetch_add(1, Ordering::Relaxed);
            Busy {
                retry_after: RETRY_AFTER_SECS,
            }
        };
        if stats.waiting.fetch_add(1, Ordering::Relaxed) >= MAX_WAITING {
            stats.waiting.fetch_sub(1, Ordering::Relaxed);
            return Err(busy());
        }
        let permit =
            tokio::time::timeout(QUEUE_WAIT, self.inner.permits.clone().acquire_owned()).await;
        stats.waiting.fetch_sub(1, Ordering::Relaxed);
        let Ok(Ok(permit)) = permit else {
            return Err(busy());
        };
        let (answer, answered) = oneshot::channel();
        let job_stats = stats.clone();
        let job: Job = Box::new(move || {
            job_stats.running.fetch_add(1, Ordering::Relaxed);
            let result = work();
            job_stats.running.fetch_sub(1, Ordering::Relaxed);
            job_stats.completed.fetch_add(1, Ordering::Relaxed);
            drop(permit);
            // The request may have gone away meanwhile: nobody to tell.
            let _ = answer.send(result);
        });
        let sent = self
            .inner
            .jobs
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .send(job);
        if sent.is_err() {
            return Err(busy());
        }
        answered.await.map_err(|_| busy())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc::channel;

    use super::*;

    #[tokio::test]
    async fn work_runs_on_the_pool_threads_and_answers() {
        let pool = HashingPool::new(2);
        let name = pool
            .run(|| std::thread::current().name().map(str::to_owned))
            .await
            .unwrap();
        assert!(name.unwrap().starts_with("password-hash-"));
        assert_eq!(pool.stats().completed(), 1);
    }

    #[tokio::test]
    async fn a_request_that_waits_too_long_is_refused_and_counted() {
        let pool = HashingPool::new(1);
        let (release, blocked) = channel::<()>();
        let holder = tokio::spawn({
            let pool = pool.clone();
            async move { pool.run(move || blocked.recv().ok()).await }
        });
        while pool.stats().running() == 0 {
            tokio::task::yield_now().await;
            std::thread::sleep(Duration::from_millis(1));
        }

        let refused = pool.run(|| ()).await;

        assert_eq!(
            refused,
            Err(Busy {
                retry_after: RETRY_AFTER_SECS
            })
        );
        assert_eq!(pool.stats().refused(), 1);
        assert_eq!(pool.stats().waiting(), 0);
        release.send(()).unwrap();
        assert_eq!(holder.await.unwrap(), Ok(Some(())));
    }

    #[tokio::test]
    async fn no_more_than_the_thread_count_runs_at_once() {
        let pool = HashingPool::new(2);
        let peak = Arc::new(AtomicUsize::new(0));
        let running = Arc::new(AtomicUsize::new(0));
        let mut jobs = tokio::task::JoinSet::new();
        for _ in 0..16 {
            let (pool, peak, running) = (pool.clone(), peak.clone(), running.clone());
            jobs.spawn(async move {
                pool.run(move || {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(5));
                    running.fetch_sub(1, Ordering::SeqCst);
                })
                .await
            });
        }
        while let Some(done) = jobs.join_next().await {
            assert_eq!(done.unwrap(), Ok(()));
        }
        assert!(peak.load(Ordering::SeqCst) <= 2);
    }
}
