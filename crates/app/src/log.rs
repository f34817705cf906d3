//! The tamper-evident log as auditors read it: signed checkpoints, entries with their exact leaf
//! bytes, and RFC 9162 inclusion and consistency proofs.

use clearinghouse_domain::audit::LeafContent;
use clearinghouse_domain::authz::{Action, Actor, authorize};
use clearinghouse_tlog::{Checkpoint, Hash, NodeId, Plan};

use crate::App;
use crate::error::{Error, Result};

/// One entry as served.
#[derive(Clone, Debug)]
pub struct EntryView {
    /// Its index.
    pub index: u64,
    /// The exact leaf bytes.
    pub leaf: Vec<u8>,
    /// The decoded leaf.
    pub content: Option<LeafContent>,
}

impl App {
    /// The log's public key in C2SP verifier-key form. Public: anyone may verify.
    pub fn log_verifier_key(&self) -> String {
        self.keys.log_verifier().to_vkey()
    }

    /// Refuses to run with a log key other than the one this database's log was first signed
    /// with: checkpoints signed by a new key would fail every auditor's pinned verification.
    pub async fn check_log_key(&self) -> Result<()> {
        let ours = self.log_verifier_key();
        let bound = self.store.bind_log_key(&ours).await?;
        if bound == ours {
            Ok(())
        } else {
            Err(Error::Key {
                path: "log signing key".into(),
                problem: format!(
                    "this database's log is signed by {bound}, but the key file holds {ours}; \
                     point --log-key at the original key (a new key would break every auditor's pinned verification)"
                ),
            })
        }
    }

    /// The current tree size and root.
    pub async fn log_head(&self, actor: &Actor) -> Result<(u64, Hash)> {
        authorize(actor, &Action::LogRead)?;
        let size = self.store.log_size().await?;
        Ok((size, self.root_at(size).await?))
    }

    /// The latest checkpoint as a signed note.
    pub async fn log_checkpoint(&self, actor: &Actor) -> Result<String> {
        let (size, root) = self.log_head(actor).await?;
        let checkpoint = Checkpoint {
            origin: self.keys.log_signer().name().to_owned(),
            size,
            root,
            extensions: Vec::new(),
        };
        checkpoint
            .sign(self.keys.log_signer())
            .map_err(|e| Error::Key {
                path: "log signing key".into(),
                problem: e.to_string(),
            })
    }

    /// One entry.
    pub async fn log_entry(&self, actor: &Actor, index: u64) -> Result<EntryView> {
        authorize(actor, &Action::LogRead)?;
        let entry = self
            .store
            .log_entry(index)
            .await?
            .ok_or_else(|| Error::NotFound(format!("log entry {index}")))?;
        Ok(EntryView {
            index,
            content: LeafContent::decode(&entry.leaf),
            leaf: entry.leaf,
        })
    }

    /// Entries from `from`, newest last.
    pub async fn log_entries(
        &self,
        actor: &Actor,
        from: u64,
        limit: u32,
    ) -> Result<Vec<EntryView>> {
        authorize(actor, &Action::LogRead)?;
        let entries = self.store.log_entries(from, limit).await?;
        Ok(entries
            .into_iter()
            .map(|e| EntryView {
                index: e.index,
                content: LeafContent::decode(&e.leaf),
                leaf: e.leaf,
            })
            .collect())
    }

    /// The audit path of entry `index` in the tree of size `tree_size`.
    pub async fn inclusion_proof(
        &self,
        actor: &Actor,
        index: u64,
        tree_size: u64,
    ) -> Result<Vec<Hash>> {
        authorize(actor, &Action::LogRead)?;
        self.check_size("tree_size", tree_size).await?;
        let plan = Plan::inclusion(index, tree_size).map_err(|e| Error::Invalid {
            field: "index".into(),
            problem: e.to_string(),
        })?;
        self.assemble(&plan).await
    }

    /// The consistency proof between the trees of sizes `from` and `to`.
    pub async fn consistency_proof(&self, actor: &Actor, from: u64, to: u64) -> Result<Vec<Hash>> {
        authorize(actor, &Action::LogRead)?;
        self.check_size("to", to).await?;
        let plan = Plan::consistency(from, to).map_err(|e| Error::Invalid {
            field: "from".into(),
            problem: e.to_string(),
        })?;
        self.assemble(&plan).await
    }

    async fn root_at(&self, size: u64) -> Result<Hash> {
        let plan = Plan::root(size);
        let hashes = self.assemble(&plan).await?;
        hashes
            .into_iter()
            .next()
            .ok_or_else(|| Error::NotFound("tree head".into()))
    }

    async fn check_size(&self, field: &str, size: u64) -> Result<()> {
        let current = self.store.log_size().await?;
        if size > current {
            return Err(Error::Invalid {
                field: field.to_owned(),
                problem: format!("{size} is larger than the current tree size {current}"),
            });
        }
        Ok(())
    }

    async fn assemble(&self, plan: &Plan) -> Result<Vec<Hash>> {
        let nodes = self.store.log_nodes(plan.nodes()).await?;
        plan.assemble(|id: NodeId| nodes.get(&id).copied())
            .map_err(|e| Error::Store(clearinghouse_store::Error::Corrupt(e.to_string())))
    }
}
