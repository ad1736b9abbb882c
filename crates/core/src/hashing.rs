//! The password-hashing pool: a few dedicated threads, each with its own reusable Argon2 memory.
//!
//! Hashing is deliberately expensive (19 MiB, ~25 ms of one core). On tokio's general blocking
//! pool a login flood would spawn hundreds of threads and allocate 19 MiB each; here at most
//! `passwords.hashing_threads` hashes run at once and `passwords.hashing_queue` wait. Beyond that
//! a job is refused at once with [`PoolBusy`], which handlers turn into 503 + Retry-After, and
//! the rest of the API keeps its latency.
//!
//! By default the pool leaves one core to everything else (one thread per core, less one): a
//! login flood then cannot take every core from the authenticated API. A sign-in takes its place
//! in the pool ([`HashingPool::reserve`]) before any database work, so a flood turned away costs
//! no query either.

use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex, PoisonError};

use rampart_crypto::PasswordHasher;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, oneshot};

type Job = Box<dyn FnOnce(&mut PasswordHasher) + Send>;

/// Every hashing thread is busy and the queue is full: try again shortly.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("password hashing is saturated; retry shortly")]
pub struct PoolBusy;

#[derive(Debug, Clone)]
pub struct HashingPool {
    jobs: SyncSender<Job>,
    /// One permit per job the pool holds (running or waiting): threads + queue.
    places: Arc<Semaphore>,
}

/// A place in the pool, taken before the work that leads to hashing; released when the job it
/// runs ends (or when it is dropped unused).
#[derive(Debug)]
pub struct HashingPlace {
    permit: OwnedSemaphorePermit,
    pool: HashingPool,
}

impl HashingPool {
    /// Starts `threads` hashing threads (0: one per available core, less one, at least one)
    /// with room for `queue` waiting jobs. The threads end when the last clone of the pool is
    /// dropped.
    pub fn start(threads: usize, queue: usize) -> Self {
        let threads = match threads {
            0 => default_threads(),
            n => n,
        };
        let places = Arc::new(Semaphore::new(threads + queue));
        // The places bound the jobs; the channel has room for all of them, so a job given a
        // place is never refused by it.
        let (jobs, receiver) = sync_channel::<Job>(threads + queue);
        let receiver = Arc::new(Mutex::new(receiver));
        for index in 0..threads {
            let receiver = Arc::clone(&receiver);
            let spawned = std::thread::Builder::new()
                .name(format!("rampart-hash-{index}"))
                .spawn(move || work(&receiver));
            if let Err(error) = spawned {
                tracing::error!(error = %error, "could not start a password-hashing thread");
            }
        }
        Self { jobs, places }
    }

    /// Takes a place for one job now, or refuses at once when every place is taken.
    pub fn reserve(&self) -> Result<HashingPlace, PoolBusy> {
        let permit = Arc::clone(&self.places).try_acquire_owned().map_err(|_| PoolBusy)?;
        Ok(HashingPlace { permit, pool: self.clone() })
    }

    /// Runs `job` on a hashing thread and waits for its result, or refuses at once when full.
    pub async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce(&mut PasswordHasher) -> T + Send + 'static,
    ) -> Result<T, PoolBusy> {
        self.reserve()?.run(job).await
    }
}

impl HashingPlace {
    /// Runs `job` in the place taken, and waits for its result.
    pub async fn run<T: Send + 'static>(
        self,
        job: impl FnOnce(&mut PasswordHasher) -> T + Send + 'static,
    ) -> Result<T, PoolBusy> {
        let Self { permit, pool } = self;
        let (reply, result) = oneshot::channel();
        let job: Job = Box::new(move |hasher| {
            let value = job(hasher);
            // The place is free before the caller sees the result.
            drop(permit);
            let _ = reply.send(value);
        });
        match pool.jobs.try_send(job) {
            Ok(()) => result.await.map_err(|_| PoolBusy),
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => Err(PoolBusy),
        }
    }
}

/// One thread per available core, less one for the rest of the server; at least one.
fn default_threads() -> usize {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    cores.saturating_sub(1).max(1)
}

fn work(receiver: &Mutex<Receiver<Job>>) {
    let mut hasher = PasswordHasher::new();
    loop {
        // Hold the lock only to take a job, not while running it.
        let job = receiver.lock().unwrap_or_else(PoisonError::into_inner).recv();
        match job {
            Ok(job) => job(&mut hasher),
            Err(_) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn jobs_run_and_return_their_result() {
        let pool = HashingPool::start(1, 4);
        assert_eq!(pool.run(|_| 40 + 2).await.unwrap(), 42);
    }

    #[tokio::test]
    async fn places_are_refused_at_once_when_taken_and_given_back_when_done() {
        let pool = HashingPool::start(1, 1);
        let first = pool.reserve().unwrap();
        let second = pool.reserve().unwrap();

        assert!(matches!(pool.reserve(), Err(PoolBusy)), "threads + queue places only");
        assert_eq!(first.run(|_| 1).await.unwrap(), 1);
        let third = pool.reserve().expect("a finished job gives its place back");
        drop(second);
        assert!(pool.reserve().is_ok(), "an unused place is given back when dropped");
        drop(third);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_full_pool_refuses_at_once_instead_of_queueing_without_bound() {
        let pool = HashingPool::start(1, 1);
        let (started, running) = std::sync::mpsc::channel();
        let busy = pool.clone();
        let first = tokio::spawn(async move {
            busy.run(move |_| {
                let _ = started.send(());
                std::thread::sleep(Duration::from_millis(500));
            })
            .await
        });
        running.recv().unwrap();
        let queued = tokio::spawn({
            let pool = pool.clone();
            async move { pool.run(|_| ()).await }
        });
        tokio::time::sleep(Duration::from_millis(50)).await;

        let refused = tokio::time::timeout(Duration::from_millis(100), pool.run(|_| ())).await;

        assert!(matches!(refused, Ok(Err(PoolBusy))), "{refused:?}");
        assert!(first.await.unwrap().is_ok());
        assert!(queued.await.unwrap().is_ok());
    }
}
