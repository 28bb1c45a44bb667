//! The group of nodes sharing a PostgreSQL store, as `gazette feeds` and `/status.json` show it.

use serde::Serialize;

use super::lease::{Lease, NodeSeen};
use super::{Store, StoreError};

/// Which nodes there are and which feeds they hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupStatus {
    /// This process's name.
    pub this_node: String,
    /// Every node that reported, most recently seen first.
    pub nodes: Vec<NodeSeen>,
    /// The feeds a node holds (or held, when its lease ran out before it polled), by URL.
    pub leases: Vec<HeldFeed>,
}

/// One feed's lease.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HeldFeed {
    pub url: String,
    #[serde(flatten)]
    pub lease: Lease,
}

impl Store {
    /// The group, on a shared store; `None` on SQLite, which has one node.
    pub fn group_status(&self) -> Result<Option<GroupStatus>, StoreError> {
        if !self.is_shared() {
            return Ok(None);
        }
        let mut leases: Vec<HeldFeed> = self
            .leases()?
            .into_iter()
            .map(|(url, lease)| HeldFeed { url, lease })
            .collect();
        leases.sort_by(|a, b| a.url.cmp(&b.url));
        Ok(Some(GroupStatus {
            this_node: self.node().to_owned(),
            nodes: self.nodes()?,
            leases,
        }))
    }
}
