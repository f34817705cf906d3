//! Reads the coordination pages need beyond the API's: the analysts' queue filtered by state and
//! TLP mark, open cases counted by state (the queue's chart), and an organization's own findings
//! (the finder's status page). Read-only; every write stays in `CoordinationStore`.
//!
//! The filtered queue walks the same `cases_queue` index as the unfiltered one; findings by
//! organization walk `findings_by_org` (migration `20261203000004`).

use async_trait::async_trait;
use clearinghouse_domain::OrgId;
use clearinghouse_domain::coordination::{Case, CaseState, Finding, Tlp};
use clearinghouse_domain::page::{Page, PageRequest};

use crate::Result;
use crate::coordination::QueueCursor;

/// Which open cases the queue shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QueueFilter {
    /// Only this state.
    pub state: Option<CaseState>,
    /// Only this mark.
    pub tlp: Option<Tlp>,
}

/// Casework reads.
#[async_trait]
pub trait CaseworkStore: Send + Sync {
    /// Open cases matching `filter`, most urgent first (the order of `case_queue`); `limit + 1`
    /// rows when more exist.
    async fn filtered_case_queue(
        &self,
        filter: &QueueFilter,
        after: Option<QueueCursor>,
        limit: u32,
    ) -> Result<Vec<Case>>;
    /// How many open cases are in each state (states without cases are left out).
    async fn open_cases_by_state(&self) -> Result<Vec<(CaseState, u64)>>;
    /// Findings of these organizations, newest first; the cursor is a finding id.
    async fn org_findings(&self, orgs: &[OrgId], page: &PageRequest) -> Result<Page<Finding>>;
}

macro_rules! impl_casework {
    ($store:ty, $db:ty) => {
        mod casework_impl {
            #[allow(unused_imports)]
            use super::*;

            use clearinghouse_domain::OrgId;
            use clearinghouse_domain::coordination::{Case, CaseState, Finding};
            use clearinghouse_domain::page::{Page, PageRequest};
            use clearinghouse_domain::time::to_micros;

            use crate::casework::{CaseworkStore, QueueFilter};
            use crate::coordination::QueueCursor;
            use crate::coordination::rows::{CASE_COLUMNS, CaseRow, FINDING_COLUMNS, FindingRow};
            use crate::rows::convert_all;
            use crate::shared::placeholders;
            use crate::{Error, Result};

            #[async_trait::async_trait]
            impl CaseworkStore for $store {
                async fn filtered_case_queue(&self, filter: &QueueFilter, after: Option<QueueCursor>, limit: u32) -> Result<Vec<Case>> {
                    // An empty cursor compares below every real row, so one statement serves the first page too.
                    let sql = format!(
                        "SELECT {CASE_COLUMNS} FROM cases WHERE is_open = 1 AND ($1 = '' OR state = $1) AND ($2 = '' OR tlp = $2) \
                         AND ($3 = 0 OR (queue_rank, created_at, id) > ($4, $5, $6)) \
                         ORDER BY queue_rank, created_at, id LIMIT $7"
                    );
                    let rows: Vec<CaseRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
                        .bind(filter.state.map_or("", |s| s.as_str()))
                        .bind(filter.tlp.map_or("", |t| t.as_str()))
                        .bind(i64::from(after.is_some()))
                        .bind(after.map_or(0, |c| c.rank))
                        .bind(after.map_or(0, |c| to_micros(c.created_at)))
                        .bind(after.map(|c| c.id.to_string()).unwrap_or_default())
                        .bind(i64::from(limit) + 1)
                        .fetch_all(self.reader())
                        .await?;
                    convert_all(rows)
                }

                async fn open_cases_by_state(&self) -> Result<Vec<(CaseState, u64)>> {
                    let rows: Vec<(String, i64)> =
                        sqlx::query_as("SELECT state, COUNT(*) FROM cases WHERE is_open = 1 GROUP BY state ORDER BY state")
                            .fetch_all(self.reader())
                            .await?;
                    rows.into_iter()
                        .map(|(state, count)| {
                            let state = state.parse().map_err(|_| Error::Corrupt(format!("case state {state:?}")))?;
                            Ok((state, count.max(0) as u64))
                        })
                        .collect()
                }

                async fn org_findings(&self, orgs: &[OrgId], page: &PageRequest) -> Result<Page<Finding>> {
                    if orgs.is_empty() {
                        return Ok(Page { items: Vec::new(), next_cursor: None });
                    }
                    let sql = format!(
                        "SELECT {FINDING_COLUMNS} FROM findings WHERE org_id IN ({}) AND ($1 = '' OR id < $1) ORDER BY id DESC LIMIT $2",
                        placeholders(3, orgs.len())
                    );
                    let mut query = sqlx::query_as::<_, FindingRow>(sqlx::AssertSqlSafe(sql))
                        .bind(page.after.clone().unwrap_or_default())
                        .bind(i64::from(page.limit) + 1);
                    for org in orgs {
                        query = query.bind(org.to_string());
                    }
                    let rows = query.fetch_all(self.reader()).await?;
                    Ok(Page::from_overfetch(convert_all(rows)?, page.limit, |f: &Finding| f.id.to_string()))
                }
            }
        }
    };
}

pub(crate) use impl_casework;
