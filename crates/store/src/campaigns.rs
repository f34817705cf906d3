//! Scan campaigns: operators' network ranges, scan authorizations, blackouts, campaigns and their
//! overlaps, and the `campaign.*` outbox events.
//!
//! The decisions (is a campaign authorized, what does it overlap) are made by the services from a
//! snapshot of this state; a write that commits such a decision (`create_campaign`,
//! `update_overlap`) carries the campaign generation its snapshot was read at and is refused
//! (`Ok(None)`) when any campaign-relevant write happened since, so the service re-reads and
//! decides again. Every other write here bumps the generation in its own transaction.

use async_trait::async_trait;
use clearinghouse_domain::audit::AuditRecord;
use clearinghouse_domain::authz::CampaignScope;
use clearinghouse_domain::campaign::{
    Blackout, Campaign, NetworkRange, Overlap, ScanAuthorization, Window,
};
use clearinghouse_domain::ids::NetworkRangeId;
use clearinghouse_domain::notify::Event;
use clearinghouse_domain::page::{Page, PageRequest};
use clearinghouse_domain::{BlackoutId, CampaignId, OrgId, OverlapId, ScanAuthorizationId};
use jiff::Timestamp;

use crate::{Appended, Result};

/// Whose scan authorizations to list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthorizationParty {
    /// Those an operator gave or a finder received.
    Either(OrgId),
    /// Those given to a finder.
    Finder(OrgId),
    /// Every one.
    All,
}

/// Campaigns, ranges, authorizations, blackouts and overlaps.
#[async_trait]
pub trait CampaignStore: Send + Sync {
    /// The campaign generation: changes with every campaign-relevant write.
    async fn campaign_generation(&self) -> Result<i64>;

    /// Registers a network range.
    async fn create_network_range(
        &self,
        range: &NetworkRange,
        audit: &AuditRecord,
    ) -> Result<Appended>;
    /// Removes a network range; `None` if it did not exist.
    async fn delete_network_range(
        &self,
        id: NetworkRangeId,
        audit: &AuditRecord,
    ) -> Result<Option<Appended>>;
    /// One range.
    async fn network_range(&self, id: NetworkRangeId) -> Result<Option<NetworkRange>>;
    /// An operator's ranges, or everyone's.
    async fn network_ranges(&self, org: Option<OrgId>) -> Result<Vec<NetworkRange>>;

    /// Records a scan authorization.
    async fn create_scan_authorization(
        &self,
        authorization: &ScanAuthorization,
        audit: &AuditRecord,
    ) -> Result<Appended>;
    /// Revokes one; `None` if it was already revoked or does not exist.
    async fn revoke_scan_authorization(
        &self,
        id: ScanAuthorizationId,
        at: Timestamp,
        by: &str,
        audit: &AuditRecord,
    ) -> Result<Option<Appended>>;
    /// One authorization.
    async fn scan_authorization(
        &self,
        id: ScanAuthorizationId,
    ) -> Result<Option<ScanAuthorization>>;
    /// Authorizations of a party, oldest first.
    async fn scan_authorizations(
        &self,
        party: AuthorizationParty,
    ) -> Result<Vec<ScanAuthorization>>;

    /// Records a blackout.
    async fn create_blackout(&self, blackout: &Blackout, audit: &AuditRecord) -> Result<Appended>;
    /// Lifts one; `None` if it was already lifted or does not exist.
    async fn revoke_blackout(
        &self,
        id: BlackoutId,
        at: Timestamp,
        by: &str,
        audit: &AuditRecord,
    ) -> Result<Option<Appended>>;
    /// One blackout.
    async fn blackout(&self, id: BlackoutId) -> Result<Option<Blackout>>;
    /// An operator's blackouts, or everyone's, oldest first.
    async fn blackouts(&self, operator: Option<OrgId>) -> Result<Vec<Blackout>>;

    /// Stores a campaign with the overlaps detected for it and their outbox events, if the
    /// campaign generation is still `generation`; `None` otherwise (decide again).
    async fn create_campaign(
        &self,
        campaign: &Campaign,
        overlaps: &[Overlap],
        events: &[Event],
        generation: i64,
        audit: &AuditRecord,
    ) -> Result<Option<Appended>>;
    /// One campaign.
    async fn campaign(&self, id: CampaignId) -> Result<Option<Campaign>>;
    /// Campaigns in scope whose window meets `during` (all if `None`), in creation order.
    async fn campaigns(
        &self,
        scope: &CampaignScope,
        during: Option<Window>,
        page: &PageRequest,
    ) -> Result<Page<Campaign>>;
    /// Every campaign not cancelled whose window ends after `now`.
    async fn live_campaigns(&self, now: Timestamp) -> Result<Vec<Campaign>>;
    /// Cancels a campaign; `None` if it was already cancelled or does not exist.
    async fn cancel_campaign(
        &self,
        id: CampaignId,
        at: Timestamp,
        by: &str,
        audit: &AuditRecord,
    ) -> Result<Option<Appended>>;

    /// One overlap.
    async fn overlap(&self, id: OverlapId) -> Result<Option<Overlap>>;
    /// The overlaps any of these campaigns is part of, oldest first.
    async fn overlaps_of(&self, campaigns: &[CampaignId]) -> Result<Vec<Overlap>>;
    /// Stores an overlap's new state and, for a stagger, the moved campaign (new window and
    /// authorizations) with the overlaps newly detected for it, plus outbox events, if the
    /// campaign generation is still `generation`; `None` otherwise.
    async fn update_overlap(
        &self,
        overlap: &Overlap,
        moved: Option<&Campaign>,
        new_overlaps: &[Overlap],
        events: &[Event],
        generation: i64,
        audit: &AuditRecord,
    ) -> Result<Option<Appended>>;
}

macro_rules! impl_campaigns {
    ($store:ty, $db:ty) => {
        mod campaigns_impl {
            #[allow(unused_imports)]
            use super::*;

            use clearinghouse_domain::audit::AuditRecord;
            use clearinghouse_domain::authz::CampaignScope;
            use clearinghouse_domain::campaign::{
                Blackout, Campaign, CampaignTarget, NetworkRange, Overlap, OverlapStep, Proposal,
                Resolution, ScanAuthorization, Target, Technique, Tool, Window,
            };
            use clearinghouse_domain::ids::NetworkRangeId;
            use clearinghouse_domain::notify::Event;
            use clearinghouse_domain::page::{Page, PageRequest};
            use clearinghouse_domain::time::{from_micros, to_micros};
            use clearinghouse_domain::{BlackoutId, CampaignId, OrgId, OverlapId, ScanAuthorizationId};
            use jiff::Timestamp;

            use crate::campaigns::*;
            use crate::shared::placeholders;
            use crate::{Appended, Error, Result};

            fn parse<T: std::str::FromStr>(text: &str, what: &str) -> Result<T> {
                text.parse().map_err(|_| Error::Corrupt(format!("{what} {text:?}")))
            }

            fn from_json<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> Result<T> {
                serde_json::from_str(text).map_err(|e| Error::Corrupt(format!("{what}: {e}")))
            }

            fn to_json(value: &impl serde::Serialize) -> String {
                serde_json::to_string(value).unwrap_or_else(|_| "null".into())
            }

            fn window(start: i64, end: i64) -> Window {
                Window { start: from_micros(start), end: from_micros(end) }
            }

            /// Bumps the generation unconditionally (a write that invalidates pending decisions).
            async fn bump(conn: &mut <$db as sqlx::Database>::Connection) -> Result<()> {
                sqlx::query("UPDATE campaign_head SET generation = generation + 1 WHERE id = 1").execute(&mut *conn).await?;
                Ok(())
            }

            /// Bumps the generation if it is still `expected`.
            async fn bump_if(conn: &mut <$db as sqlx::Database>::Connection, expected: i64) -> Result<bool> {
                let done = sqlx::query("UPDATE campaign_head SET generation = generation + 1 WHERE id = 1 AND generation = $1")
                    .bind(expected)
                    .execute(&mut *conn)
                    .await?;
                Ok(done.rows_affected() == 1)
            }

            type RangeRow = (String, String, String, Option<String>, Option<String>, String, i64);
            const RANGE_COLUMNS: &str = "id, org_id, target, asset_id, label, created_by, created_at";

            fn range(row: RangeRow) -> Result<NetworkRange> {
                let (id, org, target, asset, label, created_by, created_at) = row;
                Ok(NetworkRange {
                    id: parse(&id, "network range id")?,
                    org: parse(&org, "organization id")?,
                    target: from_json(&target, "network range target")?,
                    asset: asset.as_deref().map(|a| parse(a, "asset id")).transpose()?,
                    label,
                    created_by,
                    created_at: from_micros(created_at),
                })
            }

            type AuthorizationRow = (String, String, String, String, String, i64, Option<String>, i64, i64, String, i64, Option<i64>, Option<String>);
            const AUTHORIZATION_COLUMNS: &str = "id, operator_id, finder_id, scope, techniques, max_rate, note, starts_at, ends_at, created_by, created_at, revoked_at, revoked_by";

            fn authorization(row: AuthorizationRow) -> Result<ScanAuthorization> {
                let (id, operator, finder, scope, techniques, max_rate, note, start, end, created_by, created_at, revoked_at, revoked_by) = row;
                let techniques: Vec<String> = from_json(&techniques, "authorization techniques")?;
                Ok(ScanAuthorization {
                    id: parse(&id, "scan authorization id")?,
                    operator: parse(&operator, "organization id")?,
                    finder: parse(&finder, "organization id")?,
                    scope: from_json(&scope, "authorization scope")?,
                    window: window(start, end),
                    techniques: techniques.iter().map(|t| parse::<Technique>(t, "technique")).collect::<Result<_>>()?,
                    max_rate: u32::try_from(max_rate).map_err(|_| Error::Corrupt(format!("max rate {max_rate}")))?,
                    note,
                    created_by,
                    created_at: from_micros(created_at),
                    revoked_at: revoked_at.map(from_micros),
                    revoked_by,
                })
            }

            type BlackoutRow = (String, String, String, String, i64, i64, String, i64, Option<i64>, Option<String>);
            const BLACKOUT_COLUMNS: &str = "id, operator_id, scope, reason, starts_at, ends_at, created_by, created_at, revoked_at, revoked_by";

            fn blackout(row: BlackoutRow) -> Result<Blackout> {
                let (id, operator, scope, reason, start, end, created_by, created_at, revoked_at, revoked_by) = row;
                Ok(Blackout {
                    id: parse(&id, "blackout id")?,
                    operator: parse(&operator, "organization id")?,
                    scope: from_json(&scope, "blackout scope")?,
                    window: window(start, end),
                    reason,
                    created_by,
                    created_at: from_micros(created_at),
                    revoked_at: revoked_at.map(from_micros),
                    revoked_by,
                })
            }

            type CampaignRow = (String, String, String, String, String, String, String, i64, i64, i64, String, i64, Option<i64>, Option<String>);
            const CAMPAIGN_COLUMNS: &str = "id, finder_id, name, targets, technique, tool_name, tool_version, starts_at, ends_at, rate_limit, created_by, created_at, cancelled_at, cancelled_by";

            fn campaign(row: CampaignRow) -> Result<Campaign> {
                let (id, finder, name, targets, technique, tool_name, tool_version, start, end, rate, created_by, created_at, cancelled_at, cancelled_by) = row;
                let targets: Vec<CampaignTarget> = from_json(&targets, "campaign targets")?;
                Ok(Campaign {
                    id: parse(&id, "campaign id")?,
                    finder: parse(&finder, "organization id")?,
                    name,
                    targets,
                    technique: parse(&technique, "technique")?,
                    tool: Tool { name: tool_name, version: tool_version },
                    window: window(start, end),
                    rate_limit: u32::try_from(rate).map_err(|_| Error::Corrupt(format!("rate {rate}")))?,
                    created_by,
                    created_at: from_micros(created_at),
                    cancelled_at: cancelled_at.map(from_micros),
                    cancelled_by,
                })
            }

            /// What an overlap row keeps in its JSON body.
            #[derive(serde::Serialize, serde::Deserialize)]
            struct OverlapBody {
                shared: Vec<Target>,
                window: Window,
                proposal: Option<Proposal>,
                resolution: Option<Resolution>,
                steps: Vec<OverlapStep>,
            }

            type OverlapRow = (String, String, String, String, String, String, i64);
            const OVERLAP_COLUMNS: &str = "id, first_campaign_id, second_campaign_id, first_finder_id, second_finder_id, body, detected_at";

            fn overlap(row: OverlapRow) -> Result<Overlap> {
                let (id, first, second, first_finder, second_finder, body, detected_at) = row;
                let body: OverlapBody = from_json(&body, "overlap")?;
                Ok(Overlap {
                    id: parse(&id, "overlap id")?,
                    first: parse(&first, "campaign id")?,
                    first_finder: parse(&first_finder, "organization id")?,
                    second: parse(&second, "campaign id")?,
                    second_finder: parse(&second_finder, "organization id")?,
                    shared: body.shared,
                    window: body.window,
                    detected_at: from_micros(detected_at),
                    proposal: body.proposal,
                    resolution: body.resolution,
                    steps: body.steps,
                })
            }

            fn overlap_body(o: &Overlap) -> String {
                to_json(&OverlapBody {
                    shared: o.shared.clone(),
                    window: o.window,
                    proposal: o.proposal.clone(),
                    resolution: o.resolution.clone(),
                    steps: o.steps.clone(),
                })
            }

            async fn insert_overlap(conn: &mut <$db as sqlx::Database>::Connection, o: &Overlap) -> Result<()> {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "INSERT INTO campaign_overlaps ({OVERLAP_COLUMNS}, resolved) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                     ON CONFLICT (first_campaign_id, second_campaign_id) DO NOTHING"
                )))
                .bind(o.id.to_string())
                .bind(o.first.to_string())
                .bind(o.second.to_string())
                .bind(o.first_finder.to_string())
                .bind(o.second_finder.to_string())
                .bind(overlap_body(o))
                .bind(to_micros(o.detected_at))
                .bind(i64::from(o.resolution.is_some()))
                .execute(&mut *conn)
                .await?;
                Ok(())
            }

            async fn insert_events(conn: &mut <$db as sqlx::Database>::Connection, events: &[Event]) -> Result<()> {
                for e in events {
                    sqlx::query("INSERT INTO events (id, org_id, kind, payload, created_at, dispatched) VALUES ($1, $2, $3, $4, $5, 0)")
                        .bind(&e.id)
                        .bind(e.org.to_string())
                        .bind(&e.kind)
                        .bind(e.payload.to_string())
                        .bind(to_micros(e.created_at))
                        .execute(&mut *conn)
                        .await?;
                }
                Ok(())
            }

            async fn write_operators(conn: &mut <$db as sqlx::Database>::Connection, c: &Campaign) -> Result<()> {
                sqlx::query("DELETE FROM campaign_operators WHERE campaign_id = $1").bind(c.id.to_string()).execute(&mut *conn).await?;
                for org in c.operators() {
                    sqlx::query("INSERT INTO campaign_operators (campaign_id, org_id) VALUES ($1, $2)")
                        .bind(c.id.to_string())
                        .bind(org.to_string())
                        .execute(&mut *conn)
                        .await?;
                }
                Ok(())
            }

            impl $store {
                /// Marks a scan authorization or blackout revoked, bumping the generation, in one
                /// logged transaction; `None` if it was already revoked or does not exist.
                async fn revoke_row(&self, table: &'static str, id: &str, at: Timestamp, by: &str, audit: &AuditRecord) -> Result<Option<Appended>> {
                    let mut tx = self.begin_write().await?;
                    let sql = format!("UPDATE {table} SET revoked_at = $1, revoked_by = $2 WHERE id = $3 AND revoked_at IS NULL");
                    let done = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(to_micros(at)).bind(by).bind(id).execute(&mut *tx).await?;
                    if done.rows_affected() == 0 {
                        return Ok(None);
                    }
                    bump(&mut tx).await?;
                    let appended = self.append_in_tx(&mut tx, audit).await?;
                    self.commit_logged(tx, appended).await.map(Some)
                }
            }

            #[async_trait::async_trait]
            impl CampaignStore for $store {
                async fn campaign_generation(&self) -> Result<i64> {
                    let (generation,): (i64,) = sqlx::query_as("SELECT generation FROM campaign_head WHERE id = 1").fetch_one(self.reader()).await?;
                    Ok(generation)
                }

                async fn create_network_range(&self, r: &NetworkRange, audit: &AuditRecord) -> Result<Appended> {
                    let mut tx = self.begin_write().await?;
                    sqlx::query(sqlx::AssertSqlSafe(format!("INSERT INTO network_ranges ({RANGE_COLUMNS}, target_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")))
                        .bind(r.id.to_string())
                        .bind(r.org.to_string())
                        .bind(to_json(&r.target))
                        .bind(r.asset.map(|a| a.to_string()))
                        .bind(&r.label)
                        .bind(&r.created_by)
                        .bind(to_micros(r.created_at))
                        .bind(r.target.to_string())
                        .execute(&mut *tx)
                        .await
                        .map_err(|e| match Error::from(e) {
                            Error::Conflict(_) => Error::Conflict(format!("network range {}", r.target)),
                            other => other,
                        })?;
                    bump(&mut tx).await?;
                    let appended = self.append_in_tx(&mut tx, audit).await?;
                    self.commit_logged(tx, appended).await
                }

                async fn delete_network_range(&self, id: NetworkRangeId, audit: &AuditRecord) -> Result<Option<Appended>> {
                    let mut tx = self.begin_write().await?;
                    let done = sqlx::query("DELETE FROM network_ranges WHERE id = $1").bind(id.to_string()).execute(&mut *tx).await?;
                    if done.rows_affected() == 0 {
                        return Ok(None);
                    }
                    bump(&mut tx).await?;
                    let appended = self.append_in_tx(&mut tx, audit).await?;
                    self.commit_logged(tx, appended).await.map(Some)
                }

                async fn network_range(&self, id: NetworkRangeId) -> Result<Option<NetworkRange>> {
                    let sql = format!("SELECT {RANGE_COLUMNS} FROM network_ranges WHERE id = $1");
                    let row: Option<RangeRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id.to_string()).fetch_optional(self.reader()).await?;
                    row.map(range).transpose()
                }

                async fn network_ranges(&self, org: Option<OrgId>) -> Result<Vec<NetworkRange>> {
                    let sql = format!("SELECT {RANGE_COLUMNS} FROM network_ranges WHERE ($1 = '' OR org_id = $1) ORDER BY id");
                    let rows: Vec<RangeRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
                        .bind(org.map(|o| o.to_string()).unwrap_or_default())
                        .fetch_all(self.reader())
                        .await?;
                    rows.into_iter().map(range).collect()
                }

                async fn create_scan_authorization(&self, a: &ScanAuthorization, audit: &AuditRecord) -> Result<Appended> {
                    let mut tx = self.begin_write().await?;
                    sqlx::query(sqlx::AssertSqlSafe(format!(
                        "INSERT INTO scan_authorizations ({AUTHORIZATION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, NULL, NULL)"
                    )))
                    .bind(a.id.to_string())
                    .bind(a.operator.to_string())
                    .bind(a.finder.to_string())
                    .bind(to_json(&a.scope))
                    .bind(to_json(&a.techniques))
                    .bind(i64::from(a.max_rate))
                    .bind(&a.note)
                    .bind(to_micros(a.window.start))
                    .bind(to_micros(a.window.end))
                    .bind(&a.created_by)
                    .bind(to_micros(a.created_at))
                    .execute(&mut *tx)
                    .await?;
                    bump(&mut tx).await?;
                    let appended = self.append_in_tx(&mut tx, audit).await?;
                    self.commit_logged(tx, appended).await
                }

                async fn revoke_scan_authorization(&self, id: ScanAuthorizationId, at: Timestamp, by: &str, audit: &AuditRecord) -> Result<Option<Appended>> {
                    self.revoke_row("scan_authorizations", &id.to_string(), at, by, audit).await
                }

                async fn scan_authorization(&self, id: ScanAuthorizationId) -> Result<Option<ScanAuthorization>> {
                    let sql = format!("SELECT {AUTHORIZATION_COLUMNS} FROM scan_authorizations WHERE id = $1");
                    let row: Option<AuthorizationRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id.to_string()).fetch_optional(self.reader()).await?;
                    row.map(authorization).transpose()
                }

                async fn scan_authorizations(&self, party: AuthorizationParty) -> Result<Vec<ScanAuthorization>> {
                    let (filter, org) = match party {
                        AuthorizationParty::Either(org) => ("operator_id = $1 OR finder_id = $1", org.to_string()),
                        AuthorizationParty::Finder(org) => ("finder_id = $1", org.to_string()),
                        AuthorizationParty::All => ("$1 = ''", String::new()),
                    };
                    let sql = format!("SELECT {AUTHORIZATION_COLUMNS} FROM scan_authorizations WHERE {filter} ORDER BY id");
                    let rows: Vec<AuthorizationRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(org).fetch_all(self.reader()).await?;
                    rows.into_iter().map(authorization).collect()
                }

                async fn create_blackout(&self, b: &Blackout, audit: &AuditRecord) -> Result<Appended> {
                    let mut tx = self.begin_write().await?;
                    sqlx::query(sqlx::AssertSqlSafe(format!(
                        "INSERT INTO blackouts ({BLACKOUT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, NULL)"
                    )))
                    .bind(b.id.to_string())
                    .bind(b.operator.to_string())
                    .bind(to_json(&b.scope))
                    .bind(&b.reason)
                    .bind(to_micros(b.window.start))
                    .bind(to_micros(b.window.end))
                    .bind(&b.created_by)
                    .bind(to_micros(b.created_at))
                    .execute(&mut *tx)
                    .await?;
                    bump(&mut tx).await?;
                    let appended = self.append_in_tx(&mut tx, audit).await?;
                    self.commit_logged(tx, appended).await
                }

                async fn revoke_blackout(&self, id: BlackoutId, at: Timestamp, by: &str, audit: &AuditRecord) -> Result<Option<Appended>> {
                    self.revoke_row("blackouts", &id.to_string(), at, by, audit).await
                }

                async fn blackout(&self, id: BlackoutId) -> Result<Option<Blackout>> {
                    let sql = format!("SELECT {BLACKOUT_COLUMNS} FROM blackouts WHERE id = $1");
                    let row: Option<BlackoutRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id.to_string()).fetch_optional(self.reader()).await?;
                    row.map(blackout).transpose()
                }

                async fn blackouts(&self, operator: Option<OrgId>) -> Result<Vec<Blackout>> {
                    let sql = format!("SELECT {BLACKOUT_COLUMNS} FROM blackouts WHERE ($1 = '' OR operator_id = $1) ORDER BY id");
                    let rows: Vec<BlackoutRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
                        .bind(operator.map(|o| o.to_string()).unwrap_or_default())
                        .fetch_all(self.reader())
                        .await?;
                    rows.into_iter().map(blackout).collect()
                }

                async fn create_campaign(&self, c: &Campaign, overlaps: &[Overlap], events: &[Event], generation: i64, audit: &AuditRecord) -> Result<Option<Appended>> {
                    let mut tx = self.begin_write().await?;
                    if !bump_if(&mut tx, generation).await? {
                        return Ok(None);
                    }
                    sqlx::query(sqlx::AssertSqlSafe(format!(
                        "INSERT INTO campaigns ({CAMPAIGN_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, NULL, NULL)"
                    )))
                    .bind(c.id.to_string())
                    .bind(c.finder.to_string())
                    .bind(&c.name)
                    .bind(to_json(&c.targets))
                    .bind(c.technique.as_str())
                    .bind(&c.tool.name)
                    .bind(&c.tool.version)
                    .bind(to_micros(c.window.start))
                    .bind(to_micros(c.window.end))
                    .bind(i64::from(c.rate_limit))
                    .bind(&c.created_by)
                    .bind(to_micros(c.created_at))
                    .execute(&mut *tx)
                    .await?;
                    write_operators(&mut tx, c).await?;
                    for o in overlaps {
                        insert_overlap(&mut tx, o).await?;
                    }
                    insert_events(&mut tx, events).await?;
                    let appended = self.append_in_tx(&mut tx, audit).await?;
                    self.commit_logged(tx, appended).await.map(Some)
                }

                async fn campaign(&self, id: CampaignId) -> Result<Option<Campaign>> {
                    let sql = format!("SELECT {CAMPAIGN_COLUMNS} FROM campaigns WHERE id = $1");
                    let row: Option<CampaignRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id.to_string()).fetch_optional(self.reader()).await?;
                    row.map(campaign).transpose()
                }

                async fn campaigns(&self, scope: &CampaignScope, during: Option<Window>, page: &PageRequest) -> Result<Page<Campaign>> {
                    let mut sql = format!("SELECT {CAMPAIGN_COLUMNS} FROM campaigns WHERE id > $1 AND ends_at > $3 AND starts_at < $4");
                    let orgs: Vec<String> = match scope {
                        CampaignScope::All => Vec::new(),
                        CampaignScope::One(id) => {
                            sql.push_str(" AND id = $5");
                            vec![id.to_string()]
                        }
                        CampaignScope::Orgs(orgs) if orgs.is_empty() => return Ok(Page { items: Vec::new(), next_cursor: None }),
                        CampaignScope::Orgs(orgs) => {
                            let list = placeholders(5, orgs.len());
                            sql.push_str(&format!(
                                " AND (finder_id IN ({list}) OR id IN (SELECT campaign_id FROM campaign_operators WHERE org_id IN ({list})))"
                            ));
                            orgs.iter().map(ToString::to_string).collect()
                        }
                    };
                    sql.push_str(" ORDER BY id LIMIT $2");
                    let (from, to) = during.map_or((i64::MIN, i64::MAX), |w| (to_micros(w.start), to_micros(w.end)));
                    let mut query = sqlx::query_as::<_, CampaignRow>(sqlx::AssertSqlSafe(sql))
                        .bind(page.after.clone().unwrap_or_default())
                        .bind(i64::from(page.limit) + 1)
                        .bind(from)
                        .bind(to);
                    for org in &orgs {
                        query = query.bind(org);
                    }
                    let rows = query.fetch_all(self.reader()).await?;
                    let items = rows.into_iter().map(campaign).collect::<Result<Vec<_>>>()?;
                    Ok(Page::from_overfetch(items, page.limit, |c: &Campaign| c.id.to_string()))
                }

                async fn live_campaigns(&self, now: Timestamp) -> Result<Vec<Campaign>> {
                    let sql = format!("SELECT {CAMPAIGN_COLUMNS} FROM campaigns WHERE cancelled_at IS NULL AND ends_at > $1 ORDER BY id");
                    let rows: Vec<CampaignRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(to_micros(now)).fetch_all(self.reader()).await?;
                    rows.into_iter().map(campaign).collect()
                }

                async fn cancel_campaign(&self, id: CampaignId, at: Timestamp, by: &str, audit: &AuditRecord) -> Result<Option<Appended>> {
                    let mut tx = self.begin_write().await?;
                    let done = sqlx::query("UPDATE campaigns SET cancelled_at = $1, cancelled_by = $2 WHERE id = $3 AND cancelled_at IS NULL")
                        .bind(to_micros(at))
                        .bind(by)
                        .bind(id.to_string())
                        .execute(&mut *tx)
                        .await?;
                    if done.rows_affected() == 0 {
                        return Ok(None);
                    }
                    bump(&mut tx).await?;
                    let appended = self.append_in_tx(&mut tx, audit).await?;
                    self.commit_logged(tx, appended).await.map(Some)
                }

                async fn overlap(&self, id: OverlapId) -> Result<Option<Overlap>> {
                    let sql = format!("SELECT {OVERLAP_COLUMNS} FROM campaign_overlaps WHERE id = $1");
                    let row: Option<OverlapRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id.to_string()).fetch_optional(self.reader()).await?;
                    row.map(overlap).transpose()
                }

                async fn overlaps_of(&self, campaigns: &[CampaignId]) -> Result<Vec<Overlap>> {
                    let mut found: Vec<Overlap> = Vec::new();
                    for chunk in campaigns.chunks(250) {
                        let list = placeholders(1, chunk.len());
                        let sql = format!(
                            "SELECT {OVERLAP_COLUMNS} FROM campaign_overlaps WHERE first_campaign_id IN ({list}) OR second_campaign_id IN ({list}) ORDER BY id"
                        );
                        let mut query = sqlx::query_as::<_, OverlapRow>(sqlx::AssertSqlSafe(sql));
                        for id in chunk {
                            query = query.bind(id.to_string());
                        }
                        for row in query.fetch_all(self.reader()).await? {
                            let o = overlap(row)?;
                            if !found.iter().any(|f| f.id == o.id) {
                                found.push(o);
                            }
                        }
                    }
                    found.sort_by_key(|o| o.id);
                    Ok(found)
                }

                async fn update_overlap(&self, o: &Overlap, moved: Option<&Campaign>, new_overlaps: &[Overlap], events: &[Event], generation: i64, audit: &AuditRecord) -> Result<Option<Appended>> {
                    let mut tx = self.begin_write().await?;
                    if !bump_if(&mut tx, generation).await? {
                        return Ok(None);
                    }
                    let done = sqlx::query("UPDATE campaign_overlaps SET body = $1, resolved = $2 WHERE id = $3")
                        .bind(overlap_body(o))
                        .bind(i64::from(o.resolution.is_some()))
                        .bind(o.id.to_string())
                        .execute(&mut *tx)
                        .await?;
                    if done.rows_affected() == 0 {
                        return Err(Error::NotFound(format!("overlap {}", o.id)));
                    }
                    if let Some(c) = moved {
                        sqlx::query("UPDATE campaigns SET starts_at = $1, ends_at = $2, targets = $3 WHERE id = $4")
                            .bind(to_micros(c.window.start))
                            .bind(to_micros(c.window.end))
                            .bind(to_json(&c.targets))
                            .bind(c.id.to_string())
                            .execute(&mut *tx)
                            .await?;
                        write_operators(&mut tx, c).await?;
                    }
                    for n in new_overlaps {
                        insert_overlap(&mut tx, n).await?;
                    }
                    insert_events(&mut tx, events).await?;
                    let appended = self.append_in_tx(&mut tx, audit).await?;
                    self.commit_logged(tx, appended).await.map(Some)
                }
            }
        }
    };
}

pub(crate) use impl_campaigns;
