//! The worker's slots, and the only place they are taken and handed over.
//!
//! A *handler slot* is held from the fetch that locks a task until its handler returns; the
//! fetch loop asks the engine for no more tasks than it holds slots for, so it never locks a
//! task it cannot start at once. A *report slot* is held while a result is reported: a job
//! takes one before it hands its handler slot back, so the next fetch overlaps the report, and
//! with every report slot taken a finished handler keeps its slot (fetching waits while
//! reports are backed up). There are as many of each as `max_concurrent_handlers`.

use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The handler and report slots of one worker.
#[derive(Debug)]
pub(super) struct Pool {
    handlers: Arc<Semaphore>,
    reports: Arc<Semaphore>,
    max_tasks: usize,
}

/// The handler slots taken for one fetch: at least one.
pub(super) struct Slots {
    first: Option<OwnedSemaphorePermit>,
    more: Vec<OwnedSemaphorePermit>,
}

impl Slots {
    /// How many tasks the fetch may lock.
    pub(super) fn len(&self) -> usize {
        usize::from(self.first.is_some()) + self.more.len()
    }

    /// One slot for a fetched task (`None` once all are given out).
    pub(super) fn take(&mut self) -> Option<OwnedSemaphorePermit> {
        self.more.pop().or_else(|| self.first.take())
    }
}

impl Pool {
    /// A pool of `max_concurrent` slots of each kind; one fetch takes at most `max_tasks`.
    pub(super) fn new(max_concurrent: usize, max_tasks: usize) -> Self {
        Pool {
            handlers: Arc::new(Semaphore::new(max_concurrent)),
            reports: Arc::new(Semaphore::new(max_concurrent)),
            max_tasks: max_tasks.max(1),
        }
    }

    /// Waits for a free handler slot, then takes as many more as are free now (up to
    /// `max_tasks` in all).
    pub(super) async fn slots_for_a_fetch(&self) -> Slots {
        // The semaphore is never closed, so acquiring only waits.
        let first = self.handlers.clone().acquire_owned().await.ok();
        let mut more = Vec::new();
        while 1 + more.len() < self.max_tasks {
            match self.handlers.clone().try_acquire_owned() {
                Ok(permit) => more.push(permit),
                Err(_) => break,
            }
        }
        Slots { first, more }
    }

    /// A finished handler's hand-over: waits for a report slot, then frees the handler slot
    /// (so the next fetch can go out while this result is reported). The report slot is freed
    /// when the returned permit is dropped.
    pub(super) async fn hand_over(
        &self,
        handler_slot: Option<OwnedSemaphorePermit>,
    ) -> Option<OwnedSemaphorePermit> {
        let report_slot = self.reports.clone().acquire_owned().await.ok();
        drop(handler_slot);
        report_slot
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_fetch_takes_the_free_slots_up_to_max_tasks() {
        let pool = Pool::new(3, 2);
        let mut first = pool.slots_for_a_fetch().await;
        assert_eq!(first.len(), 2);
        let second = pool.slots_for_a_fetch().await;
        assert_eq!(second.len(), 1, "one slot left");
        let held = first.take();
        drop(first);
        let third = pool.slots_for_a_fetch().await;
        assert_eq!(third.len(), 1, "the taken slot is still held");
        drop((held, second, third));
    }

    #[tokio::test]
    async fn a_handler_keeps_its_slot_while_every_report_slot_is_taken() {
        let pool = Arc::new(Pool::new(1, 1));
        let mut slots = pool.slots_for_a_fetch().await;
        let report = pool.hand_over(slots.take()).await;
        assert!(report.is_some());
        // The handler slot is free again, the only report slot is taken.
        let mut slots = pool.slots_for_a_fetch().await;
        let waiting = {
            let pool = pool.clone();
            let slot = slots.take();
            tokio::spawn(async move { pool.hand_over(slot).await })
        };
        tokio::task::yield_now().await;
        assert_eq!(
            pool.handlers.available_permits(),
            0,
            "held until a report slot frees"
        );
        drop(report);
        let second_report = waiting.await.expect("hand-over");
        assert!(second_report.is_some());
        assert_eq!(pool.handlers.available_permits(), 1);
    }
}
