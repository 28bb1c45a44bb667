//! Nothing changed, nothing to do: a publish is skipped when the last one still holds, that is
//! when no item or feed name changed since, the settings and program are the same, the passing
//! of time has not changed the ranked blocks, and its files are all in place. A cycle in which
//! every feed answered 304 or an unchanged body then costs its requests and a query.

use chrono::Utc;
use sha2::{Digest, Sha256};

use super::{DaemonError, Pipeline};
use crate::publish::PublishReport;

impl Pipeline {
    /// Publishes (see [`Pipeline::publish`]) unless the last publish still holds; what was
    /// written, if it published.
    pub async fn publish_if_changed(&self) -> Result<Option<PublishReport>, DaemonError> {
        let (revision, published) = self
            .with_store(|store| Ok((store.revision()?, store.published()?)))
            .await?;
        let now = Utc::now();
        let holds = published.is_some_and(|published| {
            published.holds(revision, &self.fingerprint(), now) && self.publisher.is_intact()
        });
        if holds {
            tracing::info!("nothing changed since the last publish: the output stands");
            return Ok(None);
        }
        self.publish().await.map(Some)
    }

    /// Of everything besides the items that shapes the output: the config (sections, feeds,
    /// titles, URLs, language…) and the program's version. Only compared for equality, never
    /// kept as anyone's identity, so its form may change from one version to the next.
    pub(super) fn fingerprint(&self) -> String {
        let text = format!("{} {:?}", env!("CARGO_PKG_VERSION"), self.config);
        hex::encode(&Sha256::digest(text.as_bytes())[..16])
    }
}
