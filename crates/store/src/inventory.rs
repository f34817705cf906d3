//! Operators' assets and uploads, the matches found in them, aggregate exposure, and the
//! notification outbox those matches feed.
//!
//! Matches are derived data: they are recomputed whenever an upload or a record changes, and
//! `record_matches` replaces the matches of its scope in one transaction, together with the outbox
//! events for matches that are new to their asset and the clearing of the scope's pending mark.
//! Delivery bookkeeping (claiming, attempts, outcomes) is operational state and is not logged;
//! creating and deleting subscriptions and re-queuing dead letters are.

use async_trait::async_trait;
use clearinghouse_domain::audit::AuditRecord;
use clearinghouse_domain::inventory::{
    Asset, ComponentHit, InventoryComponent, NewMatch, StoredMatch, Upload,
};
use clearinghouse_domain::notify::{Delivery, DeliveryStatus, Event, Subscription};
use clearinghouse_domain::page::{Page, PageRequest};
use clearinghouse_domain::{
    AdvisoryId, AssetId, DeliveryId, OrgId, Sector, SubscriptionId, UploadId, VulnerabilityId,
};
use jiff::Timestamp;

use crate::vex::OperatorVex;
use crate::{Appended, Result};

/// Whose matches a `record_matches` call replaces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MatchScope {
    /// Everything these records matched, each with the generation the matches were computed for.
    Advisories(Vec<(AdvisoryId, i64)>),
    /// Everything matched in one upload.
    Upload(UploadId),
}

/// What recording matches changed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MatchOutcome {
    /// Matches stored that were not there before.
    pub added: u64,
    /// Matches that no longer hold, removed.
    pub removed: u64,
    /// Matches that still hold but changed: status (a VEX statement), reason or vulnerability.
    pub changed: u64,
    /// Outbox events written.
    pub events: u64,
}

impl MatchOutcome {
    /// Adds another outcome's counts.
    pub fn absorb(&mut self, other: MatchOutcome) {
        self.added += other.added;
        self.removed += other.removed;
        self.changed += other.changed;
        self.events += other.events;
    }
}

/// How many operators and assets in a sector have a vulnerability.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExposureRow {
    /// The vulnerability.
    pub vulnerability: VulnerabilityId,
    /// The operators' sector.
    pub sector: Option<Sector>,
    /// Distinct operators.
    pub operators: u64,
    /// Distinct assets.
    pub assets: u64,
}

/// A delivery to make, created by the dispatcher.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewDelivery {
    /// Its id.
    pub id: DeliveryId,
    /// The subscription.
    pub subscription: SubscriptionId,
    /// The organization.
    pub org: OrgId,
    /// The event id.
    pub event: String,
    /// When the first attempt is due (now, or the next digest time).
    pub due: Timestamp,
}

/// How an attempt ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// Accepted.
    Delivered,
    /// Failed; try again at this time.
    Retry {
        /// When.
        at: Timestamp,
        /// Why it failed.
        error: String,
    },
    /// Failed for good: dead letter.
    Dead {
        /// Why.
        error: String,
    },
}

/// Inventories, matches and notifications.
#[async_trait]
pub trait InventoryStore: Send + Sync {
    /// Registers an asset.
    async fn create_asset(&self, asset: &Asset, audit: &AuditRecord) -> Result<Appended>;
    /// Changes an asset's description (not its organization).
    async fn update_asset(&self, asset: &Asset, audit: &AuditRecord) -> Result<Appended>;
    /// One asset.
    async fn asset(&self, id: AssetId) -> Result<Option<Asset>>;
    /// An operator's assets, by name.
    async fn list_assets(&self, org: OrgId) -> Result<Vec<Asset>>;
    /// Stores an upload and its components; the asset's previous upload is superseded (kept, no
    /// longer matched), and so is the VEX embedded in it, replaced by `embedded_vex` when the new
    /// SBOM carries some. The upload is pending until its matches are recorded.
    async fn create_upload(
        &self,
        upload: &Upload,
        components: &[InventoryComponent],
        embedded_vex: Option<&OperatorVex<'_>>,
        audit: &AuditRecord,
    ) -> Result<Appended>;
    /// One upload.
    async fn upload(&self, id: UploadId) -> Result<Option<Upload>>;
    /// An asset's uploads, newest first.
    async fn uploads_of(&self, asset: AssetId) -> Result<Vec<Upload>>;
    /// An upload's component rows.
    async fn upload_components(&self, id: UploadId) -> Result<Vec<InventoryComponent>>;
    /// Uploads waiting for matching, oldest first.
    async fn pending_uploads(&self, limit: u32) -> Result<Vec<Upload>>;
    /// Components of current uploads under any of these (ecosystem, name) keys.
    async fn components_by_keys(&self, keys: &[(String, String)]) -> Result<Vec<ComponentHit>>;
    /// Replaces the matches of a scope, writes outbox events for matches new to their asset, and
    /// clears the scope's pending mark, in one transaction with one log entry.
    async fn record_matches(
        &self,
        scope: &MatchScope,
        matches: &[NewMatch],
        audit: &AuditRecord,
    ) -> Result<MatchOutcome>;
    /// Current matches of an operator (optionally one asset).
    async fn org_matches(&self, org: OrgId, asset: Option<AssetId>) -> Result<Vec<StoredMatch>>;
    /// Current affected matches per vulnerability and sector; `None` for all vulnerabilities.
    async fn exposure(&self, vulnerability: Option<VulnerabilityId>) -> Result<Vec<ExposureRow>>;
    /// When a viewer last opened an operator's dashboard, and records this visit.
    async fn visit_dashboard(
        &self,
        viewer: &str,
        org: OrgId,
        now: Timestamp,
    ) -> Result<Option<Timestamp>>;

    /// Stores a subscription.
    async fn create_subscription(
        &self,
        sub: &Subscription,
        audit: &AuditRecord,
    ) -> Result<Appended>;
    /// One subscription.
    async fn subscription(&self, id: SubscriptionId) -> Result<Option<Subscription>>;
    /// An organization's subscriptions.
    async fn subscriptions(&self, org: OrgId) -> Result<Vec<Subscription>>;
    /// Deletes a subscription (its pending deliveries die with it).
    async fn delete_subscription(
        &self,
        id: SubscriptionId,
        audit: &AuditRecord,
    ) -> Result<Option<Appended>>;
    /// Events not yet turned into deliveries, oldest first.
    async fn undispatched_events(&self, limit: u32) -> Result<Vec<Event>>;
    /// Marks events dispatched and creates their deliveries, atomically.
    async fn dispatch_events(&self, events: &[String], deliveries: &[NewDelivery]) -> Result<()>;
    /// Leases due deliveries until `lease_until`, counting the attempt; another process will not
    /// take them meanwhile.
    async fn claim_deliveries(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> Result<Vec<Delivery>>;
    /// Records how an attempt ended.
    async fn finish_delivery(&self, id: DeliveryId, outcome: &AttemptOutcome) -> Result<()>;
    /// An organization's deliveries, newest first, optionally of one status.
    async fn list_deliveries(
        &self,
        org: OrgId,
        status: Option<DeliveryStatus>,
        page: &PageRequest,
    ) -> Result<Page<Delivery>>;
    /// One delivery with its organization.
    async fn delivery(&self, id: DeliveryId) -> Result<Option<(OrgId, Delivery)>>;
    /// Puts a dead letter back in the queue.
    async fn requeue_delivery(
        &self,
        id: DeliveryId,
        now: Timestamp,
        audit: &AuditRecord,
    ) -> Result<Option<Appended>>;
}

/// The (asset, vulnerability) a match is notified under: one event per vulnerability per asset.
pub(crate) fn event_key(m: &NewMatch) -> (AssetId, VulnerabilityId) {
    (m.asset, m.vulnerability)
}

macro_rules! impl_inventory {
    ($store:ty, $db:ty) => {
        mod inventory_impl {
            #[allow(unused_imports)]
            use super::*;
            use std::collections::{HashMap, HashSet};

            use clearinghouse_domain::audit::AuditRecord;
            use clearinghouse_domain::inventory::{Asset, ComponentHit, InventoryComponent, MatchStatus, NewMatch, StoredMatch, Upload};
            use clearinghouse_domain::notify::{Delivery, DeliveryStatus, Event, Subscription};
            use clearinghouse_domain::page::{Page, PageRequest};
            use clearinghouse_domain::time::{from_micros, to_micros};
            use clearinghouse_domain::{AssetId, DeliveryId, OrgId, SubscriptionId, UploadId, VulnerabilityId};
            use jiff::Timestamp;

            use crate::inventory::*;
            use crate::shared::placeholders;
            use crate::vex::OperatorVex;
            use crate::{Appended, Error, Result};

            fn parse<T: std::str::FromStr>(text: &str, what: &str) -> Result<T> {
                text.parse().map_err(|_| Error::Corrupt(format!("{what} {text:?}")))
            }

            type AssetRow = (String, String, String, String, String, String, Option<String>, i64, i64);
            const ASSET_COLUMNS: &str = "id, org_id, name, mission_impact, safety_impact, exposure, owner, shared_with_analysts, created_at";

            fn asset(row: AssetRow) -> Result<Asset> {
                let (id, org, name, mission, safety, exposure, owner, shared, created_at) = row;
                Ok(Asset {
                    id: parse(&id, "asset id")?,
                    org: parse(&org, "organization id")?,
                    name,
                    mission_impact: parse(&mission, "mission impact")?,
                    safety_impact: parse(&safety, "safety impact")?,
                    exposure: parse(&exposure, "exposure")?,
                    owner,
                    shared_with_analysts: shared != 0,
                    created_at: from_micros(created_at),
                })
            }

            type UploadRow = (String, String, String, String, String, i64, String, i64, Option<i64>);
            const UPLOAD_COLUMNS: &str = "id, asset_id, org_id, format, digest, component_count, uploaded_by, created_at, superseded_at";

            fn upload(row: UploadRow) -> Result<Upload> {
                let (id, asset, org, format, digest, count, by, created_at, superseded_at) = row;
                Ok(Upload {
                    id: parse(&id, "upload id")?,
                    asset: parse(&asset, "asset id")?,
                    org: parse(&org, "organization id")?,
                    format: parse(&format, "inventory format")?,
                    digest,
                    component_count: count as u32,
                    uploaded_by: by,
                    created_at: from_micros(created_at),
                    superseded_at: superseded_at.map(from_micros),
                })
            }

            type ComponentRow = (i64, String, Option<String>, Option<String>, String, String, Option<String>, Option<String>);

            fn component(row: ComponentRow) -> InventoryComponent {
                let (seq, name, version, purl, ecosystem, name_key, match_version, reference) = row;
                InventoryComponent { seq: seq as u32, name, version, purl, ecosystem, name_key, match_version, reference }
            }

            type MatchRow = (String, i64, String, i64, String, String, String, String, Option<String>, Option<String>, String, String, String, Option<String>, Option<String>, i64);
            const MATCH_COLUMNS: &str = "upload_id, component_seq, advisory_id, package_seq, org_id, asset_id, vulnerability_id, component_name, \
                                         component_version, purl, range_text, matched_by, status, justification, vex_by, first_seen";

            fn stored_match(row: MatchRow) -> Result<StoredMatch> {
                let (upload, cseq, advisory, pseq, org, asset, vulnerability, name, version, purl, range, by, status, justification, vex_by, first_seen) = row;
                Ok(StoredMatch {
                    found: NewMatch {
                        org: parse(&org, "organization id")?,
                        asset: parse(&asset, "asset id")?,
                        upload: parse(&upload, "upload id")?,
                        component_seq: cseq as u32,
                        component_name: name,
                        component_version: version,
                        purl,
                        vulnerability: parse(&vulnerability, "vulnerability id")?,
                        advisory: parse(&advisory, "advisory id")?,
                        package_seq: pseq as u32,
                        range,
                        matched_by: by,
                        status: parse(&status, "match status")?,
                        justification,
                        vex_by,
                    },
                    first_seen: from_micros(first_seen),
                })
            }

            type SubscriptionRow = (String, String, String, String, Option<String>, String, String, String, i64);
            const SUBSCRIPTION_COLUMNS: &str = "id, org_id, channel, target, secret, decisions, mode, created_by, created_at";

            fn subscription(row: SubscriptionRow) -> Result<Subscription> {
                let (id, org, channel, target, secret, decisions, mode, created_by, created_at) = row;
                Ok(Subscription {
                    id: parse(&id, "subscription id")?,
                    org: parse(&org, "organization id")?,
                    channel: parse(&channel, "channel")?,
                    target,
                    secret,
                    decisions: serde_json::from_str(&decisions).map_err(|e| Error::Corrupt(format!("subscription filter: {e}")))?,
                    mode: parse(&mode, "delivery mode")?,
                    created_by,
                    created_at: from_micros(created_at),
                })
            }

            type DeliveryRow = (String, String, String, String, i64, i64, Option<String>, Option<i64>, String, String, String, i64);
            const DELIVERY_COLUMNS: &str = "d.id, d.subscription_id, d.status, d.org_id, d.attempts, d.next_attempt_at, d.last_error, d.delivered_at, \
                                            e.id, e.kind, e.payload, e.created_at";

            fn delivery(row: DeliveryRow) -> Result<(OrgId, Delivery)> {
                let (id, sub, status, org, attempts, next, error, delivered, event_id, kind, payload, event_at) = row;
                let org: OrgId = parse(&org, "organization id")?;
                Ok((org, Delivery {
                    id: parse(&id, "delivery id")?,
                    subscription: parse(&sub, "subscription id")?,
                    event: Event {
                        id: event_id,
                        org,
                        kind,
                        payload: serde_json::from_str(&payload).map_err(|e| Error::Corrupt(format!("event payload: {e}")))?,
                        created_at: from_micros(event_at),
                    },
                    status: parse(&status, "delivery status")?,
                    attempts: attempts as u32,
                    next_attempt_at: from_micros(next),
                    last_error: error,
                    delivered_at: delivered.map(from_micros),
                }))
            }

            #[async_trait::async_trait]
            impl InventoryStore for $store {
                async fn create_asset(&self, a: &Asset, audit: &AuditRecord) -> Result<Appended> {
                    let mut tx = self.begin_write().await?;
                    sqlx::query("INSERT INTO assets (id, org_id, name, name_key, mission_impact, safety_impact, exposure, owner, shared_with_analysts, created_at) \
                                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
                        .bind(a.id.to_string())
                        .bind(a.org.to_string())
                        .bind(&a.name)
                        .bind(a.name.to_lowercase())
                        .bind(a.mission_impact.as_str())
                        .bind(a.safety_impact.as_str())
                        .bind(a.exposure.as_str())
                        .bind(&a.owner)
                        .bind(i64::from(a.shared_with_analysts))
                        .bind(to_micros(a.created_at))
                        .execute(&mut *tx)
                        .await
                        .map_err(|e| match Error::from(e) {
                            Error::Conflict(_) => Error::Conflict(format!("asset {:?}", a.name)),
                            other => other,
                        })?;
                    let appended = self.append_in_tx(&mut tx, audit).await?;
                    self.commit_logged(tx, appended).await
                }

                async fn update_asset(&self, a: &Asset, audit: &AuditRecord) -> Result<Appended> {
                    let mut tx = self.begin_write().await?;
                    let done = sqlx::query("UPDATE assets SET name = $1, name_key = $2, mission_impact = $3, safety_impact = $4, exposure = $5, owner = $6, shared_with_analysts = $7 WHERE id = $8")
                        .bind(&a.name)
                        .bind(a.name.to_lowercase())
                        .bind(a.mission_impact.as_str())
                        .bind(a.safety_impact.as_str())
                        .bind(a.exposure.as_str())
                        .bind(&a.owner)
                        .bind(i64::from(a.shared_with_analysts))
                        .bind(a.id.to_string())
                        .execute(&mut *tx)
                        .await
                        .map_err(|e| match Error::from(e) {
                            Error::Conflict(_) => Error::Conflict(format!("asset {:?}", a.name)),
                            other => other,
                        })?;
                    if done.rows_affected() == 0 {
                        return Err(Error::NotFound(format!("asset {}", a.id)));
                    }
                    let appended = self.append_in_tx(&mut tx, audit).await?;
                    self.commit_logged(tx, appended).await
                }

                async fn asset(&self, id: AssetId) -> Result<Option<Asset>> {
                    let sql = format!("SELECT {ASSET_COLUMNS} FROM assets WHERE id = $1");
                    let row: Option<AssetRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id.to_string()).fetch_optional(self.reader()).await?;
                    row.map(asset).transpose()
                }

                async fn list_assets(&self, org: OrgId) -> Result<Vec<Asset>> {
                    let sql = format!("SELECT {ASSET_COLUMNS} FROM assets WHERE org_id = $1 ORDER BY name_key");
                    let rows: Vec<AssetRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(org.to_string()).fetch_all(self.reader()).await?;
                    rows.into_iter().map(asset).collect()
                }

                async fn create_upload(&self, u: &Upload, components: &[InventoryComponent], embedded_vex: Option<&OperatorVex<'_>>, audit: &AuditRecord) -> Result<Appended> {
                    let mut tx = self.begin_write().await?;
                    let now = to_micros(u.created_at);
                    // The VEX embedded in the asset's previous SBOM applied to that SBOM only.
                    let embedded: Vec<(String,)> = sqlx::query_as("SELECT id FROM vex_submissions WHERE asset_id = $1 AND withdrawn_at IS NULL")
                        .bind(u.asset.to_string())
                        .fetch_all(&mut *tx)
                        .await?;
                    let embedded: Vec<String> = embedded.into_iter().map(|(id,)| id).collect();
                    super::vex_impl::withdraw_in_tx(&mut tx, &embedded, now).await?;
                    if let Some(vex) = embedded_vex {
                        // Limited to this asset, whose new upload is matched next: no other
                        // record needs matching again.
                        super::vex_impl::insert_submission(&mut tx, vex).await?;
                    }
                    let previous: Vec<(String,)> = sqlx::query_as("SELECT id FROM inventory_uploads WHERE asset_id = $1 AND superseded_at IS NULL")
                        .bind(u.asset.to_string())
                        .fetch_all(&mut *tx)
                        .await?;
                    for (old,) in &previous {
                        sqlx::query("UPDATE inventory_uploads SET superseded_at = $1, match_pending = 0 WHERE id = $2").bind(now).bind(old).execute(&mut *tx).await?;
                        sqlx::query("UPDATE inventory_components SET current = 0 WHERE upload_id = $1").bind(old).execute(&mut *tx).await?;
                        sqlx::query("UPDATE matches SET current = 0 WHERE upload_id = $1").bind(old).execute(&mut *tx).await?;
                    }
                    sqlx::query(sqlx::AssertSqlSafe(format!("INSERT INTO inventory_uploads ({UPLOAD_COLUMNS}, match_pending) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, 1)")))
                        .bind(u.id.to_string())
                        .bind(u.asset.to_string())
                        .bind(u.org.to_string())
                        .bind(u.format.as_str())
                        .bind(&u.digest)
                        .bind(i64::from(u.component_count))
                        .bind(&u.uploaded_by)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                    let mut key_numbers: HashMap<u32, i64> = HashMap::new();
                    for chunk in components.chunks(100) {
                        let mut sql = String::from("INSERT INTO inventory_components (upload_id, seq, key_no, org_id, asset_id, current, name, version, purl, ecosystem, name_key, match_version, reference) VALUES ");
                        for i in 0..chunk.len() {
                            if i > 0 {
                                sql.push_str(", ");
                            }
                            let b = 12 * i;
                            sql.push_str(&format!(
                                "(${}, ${}, ${}, ${}, ${}, 1, ${}, ${}, ${}, ${}, ${}, ${}, ${})",
                                b + 1, b + 2, b + 3, b + 4, b + 5, b + 6, b + 7, b + 8, b + 9, b + 10, b + 11, b + 12
                            ));
                        }
                        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
                        for c in chunk {
                            let key_no = key_numbers.entry(c.seq).or_insert(0);
                            query = query
                                .bind(u.id.to_string())
                                .bind(i64::from(c.seq))
                                .bind(*key_no)
                                .bind(u.org.to_string())
                                .bind(u.asset.to_string())
                                .bind(&c.name)
                                .bind(&c.version)
                                .bind(&c.purl)
                                .bind(&c.ecosystem)
                                .bind(&c.name_key)
                                .bind(&c.match_version)
                                .bind(&c.reference);
                            *key_no += 1;
                        }
                        query.execute(&mut *tx).await?;
                    }
                    let appended = self.append_in_tx(&mut tx, audit).await?;
                    self.commit_logged(tx, appended).await
                }

                async fn upload(&self, id: UploadId) -> Result<Option<Upload>> {
                    let sql = format!("SELECT {UPLOAD_COLUMNS} FROM inventory_uploads WHERE id = $1");
                    let row: Option<UploadRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id.to_string()).fetch_optional(self.reader()).await?;
                    row.map(upload).transpose()
                }

                async fn uploads_of(&self, asset: AssetId) -> Result<Vec<Upload>> {
                    let sql = format!("SELECT {UPLOAD_COLUMNS} FROM inventory_uploads WHERE asset_id = $1 ORDER BY id DESC");
                    let rows: Vec<UploadRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(asset.to_string()).fetch_all(self.reader()).await?;
                    rows.into_iter().map(upload).collect()
                }

                async fn upload_components(&self, id: UploadId) -> Result<Vec<InventoryComponent>> {
                    let rows: Vec<ComponentRow> = sqlx::query_as(
                        "SELECT seq, name, version, purl, ecosystem, name_key, match_version, reference FROM inventory_components WHERE upload_id = $1 ORDER BY seq, key_no",
                    )
                    .bind(id.to_string())
                    .fetch_all(self.reader())
                    .await?;
                    Ok(rows.into_iter().map(component).collect())
                }

                async fn pending_uploads(&self, limit: u32) -> Result<Vec<Upload>> {
                    let sql = format!("SELECT {UPLOAD_COLUMNS} FROM inventory_uploads WHERE match_pending = 1 ORDER BY id LIMIT $1");
                    let rows: Vec<UploadRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(i64::from(limit)).fetch_all(self.reader()).await?;
                    rows.into_iter().map(upload).collect()
                }

                async fn components_by_keys(&self, keys: &[(String, String)]) -> Result<Vec<ComponentHit>> {
                    let mut wanted: HashMap<&str, Vec<&str>> = HashMap::new();
                    for (ecosystem, name) in keys {
                        wanted.entry(name.as_str()).or_default().push(ecosystem.as_str());
                    }
                    let names: Vec<&str> = wanted.keys().copied().collect();
                    let mut out = Vec::new();
                    for chunk in names.chunks(500) {
                        let sql = format!(
                            "SELECT org_id, asset_id, upload_id, seq, name, version, purl, ecosystem, name_key, match_version, reference \
                             FROM inventory_components WHERE current = 1 AND name_key IN ({})",
                            placeholders(1, chunk.len())
                        );
                        type HitRow = (String, String, String, i64, String, Option<String>, Option<String>, String, String, Option<String>, Option<String>);
                        let mut query = sqlx::query_as::<_, HitRow>(sqlx::AssertSqlSafe(sql));
                        for name in chunk {
                            query = query.bind(*name);
                        }
                        for (org, asset, upload, seq, name, version, purl, ecosystem, name_key, match_version, reference) in query.fetch_all(self.reader()).await? {
                            if !wanted.get(name_key.as_str()).is_some_and(|e| e.contains(&ecosystem.as_str())) {
                                continue;
                            }
                            out.push(ComponentHit {
                                org: parse(&org, "organization id")?,
                                asset: parse(&asset, "asset id")?,
                                upload: parse(&upload, "upload id")?,
                                component: component((seq, name, version, purl, ecosystem, name_key, match_version, reference)),
                            });
                        }
                    }
                    Ok(out)
                }

                async fn record_matches(&self, scope: &MatchScope, matches: &[NewMatch], audit: &AuditRecord) -> Result<MatchOutcome> {
                    // A few statements per chunk of matches, never per match: one read of what the
                    // scope holds, one earlier-sighting lookup per chunk of new matches, then
                    // multi-row writes of only what is new or changed.
                    let mut tx = self.begin_write().await?;
                    let now = to_micros(clearinghouse_domain::time::now());
                    let (filter, ids): (&str, Vec<String>) = match scope {
                        MatchScope::Advisories(list) => ("advisory_id", list.iter().map(|(id, _)| id.to_string()).collect()),
                        MatchScope::Upload(id) => ("upload_id", vec![id.to_string()]),
                    };
                    type Key = (String, i64, String, i64);
                    // What each stored match says: status, justification, who said so, vulnerability, range, matched by.
                    type Said = (String, Option<String>, Option<String>, String, String, String);
                    let mut existing: HashMap<Key, Said> = HashMap::new();
                    for chunk in ids.chunks(500) {
                        let sql = format!(
                            "SELECT upload_id, component_seq, advisory_id, package_seq, status, justification, vex_by, vulnerability_id, range_text, matched_by \
                             FROM matches WHERE current = 1 AND {filter} IN ({})",
                            placeholders(1, chunk.len())
                        );
                        type Row = (String, i64, String, i64, String, Option<String>, Option<String>, String, String, String);
                        let mut query = sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(sql));
                        for id in chunk {
                            query = query.bind(id);
                        }
                        for (upload, cseq, advisory, pseq, status, justification, vex_by, vulnerability, range, by) in query.fetch_all(&mut *tx).await? {
                            existing.insert((upload, cseq, advisory, pseq), (status, justification, vex_by, vulnerability, range, by));
                        }
                    }
                    let key_of = |m: &NewMatch| -> Key {
                        (m.upload.to_string(), i64::from(m.component_seq), m.advisory.to_string(), i64::from(m.package_seq))
                    };
                    let mut outcome = MatchOutcome::default();
                    let mut wanted: HashSet<Key> = HashSet::with_capacity(matches.len());
                    let mut fresh: Vec<&NewMatch> = Vec::new();
                    let mut changed: Vec<&NewMatch> = Vec::new();
                    for m in matches {
                        let key = key_of(m);
                        match existing.get(&key) {
                            None if !wanted.contains(&key) => fresh.push(m),
                            None => {}
                            Some((status, justification, vex_by, vulnerability, range, by)) => {
                                let same = status == m.status.as_str()
                                    && *justification == m.justification
                                    && *vex_by == m.vex_by
                                    && *vulnerability == m.vulnerability.to_string()
                                    && *range == m.range
                                    && *by == m.matched_by;
                                if !same && !wanted.contains(&key) {
                                    changed.push(m);
                                }
                            }
                        }
                        wanted.insert(key);
                    }
                    outcome.added = fresh.len() as u64;
                    outcome.changed = changed.len() as u64;
                    // Known to this asset before (an earlier upload, another record of the same
                    // vulnerability)? Then it is not news, and keeps its first sighting.
                    let mut earlier: HashMap<(String, String, String), i64> = HashMap::new();
                    for chunk in fresh.chunks(300) {
                        let mut assets: Vec<String> = chunk.iter().map(|m| m.asset.to_string()).collect();
                        assets.sort();
                        assets.dedup();
                        let mut vulnerabilities: Vec<String> = chunk.iter().map(|m| m.vulnerability.to_string()).collect();
                        vulnerabilities.sort();
                        vulnerabilities.dedup();
                        let sql = format!(
                            "SELECT asset_id, vulnerability_id, component_name, MIN(first_seen) FROM matches \
                             WHERE asset_id IN ({}) AND vulnerability_id IN ({}) GROUP BY asset_id, vulnerability_id, component_name",
                            placeholders(1, assets.len()),
                            placeholders(1 + assets.len(), vulnerabilities.len())
                        );
                        let mut query = sqlx::query_as::<_, (String, String, String, i64)>(sqlx::AssertSqlSafe(sql));
                        for id in assets.iter().chain(&vulnerabilities) {
                            query = query.bind(id);
                        }
                        for (asset, vulnerability, name, first_seen) in query.fetch_all(&mut *tx).await? {
                            earlier.insert((asset, vulnerability, name), first_seen);
                        }
                    }
                    let earlier_of = |m: &NewMatch| earlier.get(&(m.asset.to_string(), m.vulnerability.to_string(), m.component_name.clone())).copied();
                    let writes: Vec<(&NewMatch, i64)> = fresh
                        .iter()
                        .map(|m| (*m, earlier_of(m).unwrap_or(now)))
                        .chain(changed.iter().map(|m| (*m, now)))
                        .collect();
                    for chunk in writes.chunks(150) {
                        let mut sql = format!("INSERT INTO matches ({MATCH_COLUMNS}, current) VALUES ");
                        for i in 0..chunk.len() {
                            if i > 0 {
                                sql.push_str(", ");
                            }
                            let b = 16 * i;
                            sql.push('(');
                            for n in 1..=16 {
                                sql.push_str(&format!("${}, ", b + n));
                            }
                            sql.push_str("1)");
                        }
                        // A changed match keeps its first sighting.
                        sql.push_str(
                            " ON CONFLICT (upload_id, component_seq, advisory_id, package_seq) DO UPDATE SET vulnerability_id = excluded.vulnerability_id, \
                             range_text = excluded.range_text, matched_by = excluded.matched_by, status = excluded.status, justification = excluded.justification, \
                             vex_by = excluded.vex_by, current = 1",
                        );
                        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
                        for (m, first_seen) in chunk {
                            query = query
                                .bind(m.upload.to_string())
                                .bind(i64::from(m.component_seq))
                                .bind(m.advisory.to_string())
                                .bind(i64::from(m.package_seq))
                                .bind(m.org.to_string())
                                .bind(m.asset.to_string())
                                .bind(m.vulnerability.to_string())
                                .bind(&m.component_name)
                                .bind(&m.component_version)
                                .bind(&m.purl)
                                .bind(&m.range)
                                .bind(&m.matched_by)
                                .bind(m.status.as_str())
                                .bind(&m.justification)
                                .bind(&m.vex_by)
                                .bind(*first_seen);
                        }
                        query.execute(&mut *tx).await?;
                    }
                    let mut notified: HashSet<(AssetId, VulnerabilityId)> = HashSet::new();
                    let mut events: Vec<(String, String)> = Vec::new();
                    for m in &fresh {
                        if earlier_of(m).is_none() && m.status == MatchStatus::Affected && notified.insert(event_key(m)) {
                            let payload = serde_json::json!({
                                "organization": m.org,
                                "asset": m.asset,
                                "vulnerability": m.vulnerability,
                                "advisory": m.advisory,
                                "component": {"name": m.component_name, "version": m.component_version, "purl": m.purl},
                                "range": m.range,
                                "matched_by": m.matched_by,
                            });
                            events.push((m.org.to_string(), payload.to_string()));
                        }
                    }
                    for chunk in events.chunks(300) {
                        let mut sql = String::from("INSERT INTO events (id, org_id, kind, payload, created_at, dispatched) VALUES ");
                        for i in 0..chunk.len() {
                            if i > 0 {
                                sql.push_str(", ");
                            }
                            let b = 4 * i;
                            sql.push_str(&format!("(${}, ${}, 'match.new', ${}, ${}, 0)", b + 1, b + 2, b + 3, b + 4));
                        }
                        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
                        for (org, payload) in chunk {
                            query = query.bind(uuid::Uuid::now_v7().to_string()).bind(org).bind(payload).bind(now);
                        }
                        query.execute(&mut *tx).await?;
                    }
                    outcome.events = events.len() as u64;
                    let gone: Vec<&Key> = existing.keys().filter(|key| !wanted.contains(*key)).collect();
                    for chunk in gone.chunks(200) {
                        let mut sql = String::from("DELETE FROM matches WHERE (upload_id, component_seq, advisory_id, package_seq) IN (VALUES ");
                        for i in 0..chunk.len() {
                            if i > 0 {
                                sql.push_str(", ");
                            }
                            let b = 4 * i;
                            sql.push_str(&format!("(${}, ${}, ${}, ${})", b + 1, b + 2, b + 3, b + 4));
                        }
                        sql.push(')');
                        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
                        for key in chunk {
                            query = query.bind(&key.0).bind(key.1).bind(&key.2).bind(key.3);
                        }
                        query.execute(&mut *tx).await?;
                    }
                    outcome.removed = gone.len() as u64;
                    match scope {
                        MatchScope::Advisories(list) => {
                            for (id, generation) in list {
                                sqlx::query("UPDATE advisories SET match_pending = 0 WHERE id = $1 AND match_generation = $2")
                                    .bind(id.to_string())
                                    .bind(*generation)
                                    .execute(&mut *tx)
                                    .await?;
                            }
                        }
                        MatchScope::Upload(id) => {
                            sqlx::query("UPDATE inventory_uploads SET match_pending = 0 WHERE id = $1").bind(id.to_string()).execute(&mut *tx).await?;
                        }
                    }
                    if outcome == MatchOutcome::default() {
                        // Only the pending marks changed: derived bookkeeping, nothing to log.
                        tx.commit().await?;
                        return Ok(outcome);
                    }
                    let appended = self.append_in_tx(&mut tx, audit).await?;
                    self.commit_logged(tx, appended).await?;
                    Ok(outcome)
                }

                async fn org_matches(&self, org: OrgId, asset: Option<AssetId>) -> Result<Vec<StoredMatch>> {
                    let sql = format!(
                        "SELECT {MATCH_COLUMNS} FROM matches WHERE org_id = $1 AND current = 1 AND ($2 = '' OR asset_id = $2) \
                         ORDER BY asset_id, vulnerability_id, component_seq"
                    );
                    let rows: Vec<MatchRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
                        .bind(org.to_string())
                        .bind(asset.map(|a| a.to_string()).unwrap_or_default())
                        .fetch_all(self.reader())
                        .await?;
                    rows.into_iter().map(stored_match).collect()
                }

                async fn exposure(&self, vulnerability: Option<VulnerabilityId>) -> Result<Vec<ExposureRow>> {
                    let rows: Vec<(String, Option<String>, i64, i64)> = sqlx::query_as(
                        "SELECT m.vulnerability_id, o.sector, COUNT(DISTINCT m.org_id), COUNT(DISTINCT m.asset_id) \
                         FROM matches m JOIN organizations o ON o.id = m.org_id \
                         WHERE m.current = 1 AND m.status = 'affected' AND ($1 = '' OR m.vulnerability_id = $1) \
                         GROUP BY m.vulnerability_id, o.sector ORDER BY m.vulnerability_id, o.sector",
                    )
                    .bind(vulnerability.map(|v| v.to_string()).unwrap_or_default())
                    .fetch_all(self.reader())
                    .await?;
                    rows.into_iter()
                        .map(|(v, sector, operators, assets)| {
                            Ok(ExposureRow {
                                vulnerability: parse(&v, "vulnerability id")?,
                                sector: sector.as_deref().map(|s| parse(s, "sector")).transpose()?,
                                operators: operators as u64,
                                assets: assets as u64,
                            })
                        })
                        .collect()
                }

                async fn visit_dashboard(&self, viewer: &str, org: OrgId, now: Timestamp) -> Result<Option<Timestamp>> {
                    let mut tx = self.begin_write().await?;
                    let previous: Option<(i64,)> = sqlx::query_as("SELECT seen_at FROM dashboard_visits WHERE viewer = $1 AND org_id = $2")
                        .bind(viewer)
                        .bind(org.to_string())
                        .fetch_optional(&mut *tx)
                        .await?;
                    sqlx::query("INSERT INTO dashboard_visits (viewer, org_id, seen_at) VALUES ($1, $2, $3) ON CONFLICT (viewer, org_id) DO UPDATE SET seen_at = excluded.seen_at")
                        .bind(viewer)
                        .bind(org.to_string())
                        .bind(to_micros(now))
                        .execute(&mut *tx)
                        .await?;
                    tx.commit().await?;
                    Ok(previous.map(|(t,)| from_micros(t)))
                }

                async fn create_subscription(&self, s: &Subscription, audit: &AuditRecord) -> Result<Appended> {
                    let mut tx = self.begin_write().await?;
                    sqlx::query(sqlx::AssertSqlSafe(format!("INSERT INTO subscriptions ({SUBSCRIPTION_COLUMNS}, active) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1)")))
                        .bind(s.id.to_string())
                        .bind(s.org.to_string())
                        .bind(s.channel.as_str())
                        .bind(&s.target)
                        .bind(&s.secret)
                        .bind(serde_json::to_string(&s.decisions).unwrap_or_else(|_| "[]".into()))
                        .bind(s.mode.as_str())
                        .bind(&s.created_by)
                        .bind(to_micros(s.created_at))
                        .execute(&mut *tx)
                        .await?;
                    let appended = self.append_in_tx(&mut tx, audit).await?;
                    self.commit_logged(tx, appended).await
                }

                async fn subscription(&self, id: SubscriptionId) -> Result<Option<Subscription>> {
                    let sql = format!("SELECT {SUBSCRIPTION_COLUMNS} FROM subscriptions WHERE id = $1 AND active = 1");
                    let row: Option<SubscriptionRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id.to_string()).fetch_optional(self.reader()).await?;
                    row.map(subscription).transpose()
                }

                async fn subscriptions(&self, org: OrgId) -> Result<Vec<Subscription>> {
                    let sql = format!("SELECT {SUBSCRIPTION_COLUMNS} FROM subscriptions WHERE org_id = $1 AND active = 1 ORDER BY id");
                    let rows: Vec<SubscriptionRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(org.to_string()).fetch_all(self.reader()).await?;
                    rows.into_iter().map(subscription).collect()
                }

                async fn delete_subscription(&self, id: SubscriptionId, audit: &AuditRecord) -> Result<Option<Appended>> {
                    let mut tx = self.begin_write().await?;
                    let done = sqlx::query("UPDATE subscriptions SET active = 0, secret = NULL WHERE id = $1 AND active = 1")
                        .bind(id.to_string())
                        .execute(&mut *tx)
                        .await?;
                    if done.rows_affected() == 0 {
                        return Ok(None);
                    }
                    sqlx::query("UPDATE deliveries SET status = 'dead', last_error = 'subscription deleted' WHERE subscription_id = $1 AND status = 'pending'")
                        .bind(id.to_string())
                        .execute(&mut *tx)
                        .await?;
                    let appended = self.append_in_tx(&mut tx, audit).await?;
                    self.commit_logged(tx, appended).await.map(Some)
                }

                async fn undispatched_events(&self, limit: u32) -> Result<Vec<Event>> {
                    let rows: Vec<(String, String, String, String, i64)> = sqlx::query_as(
                        "SELECT id, org_id, kind, payload, created_at FROM events WHERE dispatched = 0 ORDER BY id LIMIT $1",
                    )
                    .bind(i64::from(limit))
                    .fetch_all(self.reader())
                    .await?;
                    rows.into_iter()
                        .map(|(id, org, kind, payload, created_at)| {
                            Ok(Event {
                                id,
                                org: parse(&org, "organization id")?,
                                kind,
                                payload: serde_json::from_str(&payload).map_err(|e| Error::Corrupt(format!("event payload: {e}")))?,
                                created_at: from_micros(created_at),
                            })
                        })
                        .collect()
                }

                async fn dispatch_events(&self, events: &[String], deliveries: &[NewDelivery]) -> Result<()> {
                    let mut tx = self.begin_write().await?;
                    let now = to_micros(clearinghouse_domain::time::now());
                    for d in deliveries {
                        sqlx::query("INSERT INTO deliveries (id, subscription_id, org_id, event_id, status, attempts, next_attempt_at, lease_until, created_at) \
                                     VALUES ($1, $2, $3, $4, 'pending', 0, $5, 0, $6) ON CONFLICT (subscription_id, event_id) DO NOTHING")
                            .bind(d.id.to_string())
                            .bind(d.subscription.to_string())
                            .bind(d.org.to_string())
                            .bind(&d.event)
                            .bind(to_micros(d.due))
                            .bind(now)
                            .execute(&mut *tx)
                            .await?;
                    }
                    for chunk in events.chunks(500) {
                        let sql = format!("UPDATE events SET dispatched = 1 WHERE id IN ({})", placeholders(1, chunk.len()));
                        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
                        for id in chunk {
                            query = query.bind(id);
                        }
                        query.execute(&mut *tx).await?;
                    }
                    tx.commit().await?;
                    Ok(())
                }

                async fn claim_deliveries(&self, now: Timestamp, lease_until: Timestamp, limit: u32) -> Result<Vec<Delivery>> {
                    let mut tx = self.begin_write().await?;
                    let (now, lease) = (to_micros(now), to_micros(lease_until));
                    // The outer re-check of the lease makes a row taken by a concurrent claimer
                    // (PostgreSQL re-evaluates it after the row lock) drop out.
                    let claimed: Vec<(String,)> = sqlx::query_as(
                        "UPDATE deliveries SET lease_until = $1, attempts = attempts + 1 WHERE id IN \
                         (SELECT id FROM deliveries WHERE status = 'pending' AND next_attempt_at <= $2 AND lease_until <= $2 ORDER BY next_attempt_at, id LIMIT $3) \
                         AND status = 'pending' AND lease_until <= $2 RETURNING id",
                    )
                    .bind(lease)
                    .bind(now)
                    .bind(i64::from(limit))
                    .fetch_all(&mut *tx)
                    .await?;
                    let mut out = Vec::with_capacity(claimed.len());
                    for chunk in claimed.chunks(500) {
                        let sql = format!(
                            "SELECT {DELIVERY_COLUMNS} FROM deliveries d JOIN events e ON e.id = d.event_id WHERE d.id IN ({}) ORDER BY d.id",
                            placeholders(1, chunk.len())
                        );
                        let mut query = sqlx::query_as::<_, DeliveryRow>(sqlx::AssertSqlSafe(sql));
                        for (id,) in chunk {
                            query = query.bind(id);
                        }
                        for row in query.fetch_all(&mut *tx).await? {
                            out.push(delivery(row)?.1);
                        }
                    }
                    tx.commit().await?;
                    Ok(out)
                }

                async fn finish_delivery(&self, id: DeliveryId, outcome: &AttemptOutcome) -> Result<()> {
                    let mut tx = self.begin_write().await?;
                    let now = to_micros(clearinghouse_domain::time::now());
                    let query = match outcome {
                        AttemptOutcome::Delivered => sqlx::query("UPDATE deliveries SET status = 'delivered', delivered_at = $1, last_error = NULL, lease_until = 0 WHERE id = $2")
                            .bind(now),
                        AttemptOutcome::Retry { at, error } => sqlx::query("UPDATE deliveries SET next_attempt_at = $1, last_error = $2, lease_until = 0 WHERE id = $3")
                            .bind(to_micros(*at))
                            .bind(error.clone()),
                        AttemptOutcome::Dead { error } => sqlx::query("UPDATE deliveries SET status = 'dead', last_error = $1, lease_until = 0 WHERE id = $2")
                            .bind(error.clone()),
                    };
                    query.bind(id.to_string()).execute(&mut *tx).await?;
                    tx.commit().await?;
                    Ok(())
                }

                async fn list_deliveries(&self, org: OrgId, status: Option<DeliveryStatus>, page: &PageRequest) -> Result<Page<Delivery>> {
                    let sql = format!(
                        "SELECT {DELIVERY_COLUMNS} FROM deliveries d JOIN events e ON e.id = d.event_id \
                         WHERE d.org_id = $1 AND ($2 = '' OR d.status = $2) AND ($3 = '' OR d.id < $3) ORDER BY d.id DESC LIMIT $4"
                    );
                    let rows: Vec<DeliveryRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
                        .bind(org.to_string())
                        .bind(status.map_or("", |s| s.as_str()))
                        .bind(page.after.clone().unwrap_or_default())
                        .bind(i64::from(page.limit) + 1)
                        .fetch_all(self.reader())
                        .await?;
                    let items = rows.into_iter().map(|r| delivery(r).map(|(_, d)| d)).collect::<Result<Vec<_>>>()?;
                    Ok(Page::from_overfetch(items, page.limit, |d: &Delivery| d.id.to_string()))
                }

                async fn delivery(&self, id: DeliveryId) -> Result<Option<(OrgId, Delivery)>> {
                    let sql = format!("SELECT {DELIVERY_COLUMNS} FROM deliveries d JOIN events e ON e.id = d.event_id WHERE d.id = $1");
                    let row: Option<DeliveryRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id.to_string()).fetch_optional(self.reader()).await?;
                    row.map(delivery).transpose()
                }

                async fn requeue_delivery(&self, id: DeliveryId, now: Timestamp, audit: &AuditRecord) -> Result<Option<Appended>> {
                    let mut tx = self.begin_write().await?;
                    let done = sqlx::query(
                        "UPDATE deliveries SET status = 'pending', attempts = 0, next_attempt_at = $1, lease_until = 0 WHERE id = $2 AND status = 'dead' \
                         AND subscription_id IN (SELECT id FROM subscriptions WHERE active = 1)",
                    )
                    .bind(to_micros(now))
                    .bind(id.to_string())
                    .execute(&mut *tx)
                    .await?;
                    if done.rows_affected() == 0 {
                        return Ok(None);
                    }
                    let appended = self.append_in_tx(&mut tx, audit).await?;
                    self.commit_logged(tx, appended).await.map(Some)
                }
            }
        }
    };
}

pub(crate) use impl_inventory;
