//! The password-hashing pool: a few dedicated threads, each with its own reusable Argon2 memory.
//!
//! Hashing is deliberately expensive (19 MiB, ~25 ms of one core). On tokio's general blocking
//! pool a login flood would spawn hundreds of threads and allocate 19 MiB each; here at most
//! `passwords.hashing_threads` hashes run at once and `passwords.hashing_queue` wait. Beyond that
//! a job is refused at once with [`PoolBusy`], which handlers turn into 503 + Retry-After, and
//! the rest of the API keeps its latency.

use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex, PoisonError};

use rampart_crypto::PasswordHasher;
use tokio::sync::oneshot;

type Job = Box<dyn FnOnce(&mut PasswordHasher) + Send>;

/// Every hashing thread is busy and the queue is full: try again shortly.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("password hashing is saturated; retry shortly")]
pub struct PoolBusy;

#[derive(Debug, Clone)]
pub struct HashingPool {
    jobs: SyncSender<Job>,
}

impl HashingPool {
    /// Starts `threads` hashing threads (0: one per available core) with room for `queue`
    /// waiting jobs. The threads end when the last clone of the pool is dropped.
    pub fn start(threads: usize, queue: usize) -> Self {
        let threads = match threads {
            0 => std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
            n => n,
        };
        let (jobs, receiver) = sync_channel::<Job>(queue);
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
        Self { jobs }
    }

    /// Runs `job` on a hashing thread and waits for its result, or refuses at once when full.
    pub async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce(&mut PasswordHasher) -> T + Send + 'static,
    ) -> Result<T, PoolBusy> {
        let (reply, result) = oneshot::channel();
        let job: Job = Box::new(move |hasher| {
            let _ = reply.send(job(hasher));
        });
        match self.jobs.try_send(job) {
            Ok(()) => result.await.map_err(|_| PoolBusy),
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => Err(PoolBusy),
        }
    }
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
