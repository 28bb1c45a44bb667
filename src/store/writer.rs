//! Group commit: one thread writes polls for the whole pipeline, taking every poll that is
//! waiting into one transaction. Under load the batches grow and the commits stay few; when idle
//! each poll is written at once.

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

use super::{PollRecord, SaveStats, Store, StoreError};

/// Most polls in one transaction: bounds how long one commit holds the store.
const MAX_BATCH: usize = 512;

type Reply = oneshot::Sender<Result<SaveStats, StoreError>>;

/// A handle on the writer thread; cloned freely. The thread ends when the last handle is dropped,
/// after writing what was sent.
#[derive(Debug, Clone)]
pub struct Writer {
    polls: mpsc::Sender<(PollRecord, Reply)>,
}

impl Writer {
    /// Starts the writer thread for `store`.
    pub fn spawn(store: Arc<Store>) -> Result<Writer, StoreError> {
        let (polls, mut waiting) = mpsc::channel::<(PollRecord, Reply)>(MAX_BATCH);
        std::thread::Builder::new()
            .name("store-writer".into())
            .spawn(move || {
                let mut batch = Vec::with_capacity(MAX_BATCH);
                while waiting.blocking_recv_many(&mut batch, MAX_BATCH) > 0 {
                    let (records, replies): (Vec<PollRecord>, Vec<Reply>) = batch.drain(..).unzip();
                    for (result, reply) in store.record_polls(&records).into_iter().zip(replies) {
                        // The poll may have been abandoned (shutdown): its record is stored anyway.
                        let _ = reply.send(result);
                    }
                }
            })
            .map_err(StoreError::Writer)?;
        Ok(Writer { polls })
    }

    /// Records `poll` (see [`Store::record_polls`]) and waits until it is committed.
    pub async fn record(&self, poll: PollRecord) -> Result<SaveStats, StoreError> {
        let (reply, committed) = oneshot::channel();
        self.polls
            .send((poll, reply))
            .await
            .map_err(|_| StoreError::WriterStopped)?;
        committed.await.map_err(|_| StoreError::WriterStopped)?
    }
}
