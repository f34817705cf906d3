//! The SQL both engines run identically, stamped out once per engine by `impl_store!`.
//!
//! Both schemas use the same column types and both engines accept `$n` placeholders, `RETURNING`
//! and `ON CONFLICT`, so the statement text below is portable as written; nothing here rewrites SQL.
//! What differs between the engines (opening, pragmas, how the log head is locked against
//! concurrent appenders) lives in `sqlite` and `postgres`, and the conformance suite runs every
//! method on both. A macro rather than generic functions because sqlx's executor bounds make
//! generic-over-database code far harder to read than the SQL it would share.

/// `$n, $n+1, …` placeholders for a dynamic `IN (…)` list starting at `first`.
pub(crate) fn placeholders(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The organizations a scoped list is limited to: an empty slice means no limit, `None` means
/// nothing is visible (so no query is needed).
pub(crate) fn scoped_orgs(
    scope: &clearinghouse_domain::authz::Scope,
) -> Option<&[clearinghouse_domain::OrgId]> {
    match scope {
        clearinghouse_domain::authz::Scope::All => Some(&[]),
        clearinghouse_domain::authz::Scope::Orgs(orgs) if orgs.is_empty() => None,
        clearinghouse_domain::authz::Scope::Orgs(orgs) => Some(orgs),
    }
}

/// The future a state change inside `write_logged` returns.
pub(crate) type TxFuture<'t> =
    std::pin::Pin<Box<dyn std::future::Future<Output = crate::Result<()>> + Send + 't>>;

macro_rules! impl_store {
    ($store:ty, $db:ty) => {
        impl $store {
            /// Appends `audit` to the log inside the caller's write transaction. Returns the new
            /// frontier, which the caller caches only after the transaction commits.
            async fn append_in_tx(
                &self,
                tx: &mut sqlx::Transaction<'_, $db>,
                audit: &clearinghouse_domain::audit::AuditRecord,
            ) -> $crate::Result<($crate::Appended, clearinghouse_tlog::Frontier)> {
                let (size,): (i64,) = sqlx::query_as(Self::LOCK_LOG_HEAD).fetch_one(&mut **tx).await?;
                let size = size as u64;
                let cached = self.frontier.lock().ok().and_then(|c| c.clone()).filter(|f| f.size() == size);
                let mut frontier = match cached {
                    Some(frontier) => frontier,
                    None => {
                        let ids = clearinghouse_tlog::Plan::root(size).nodes().to_vec();
                        let found = fetch_nodes(&mut **tx, &ids).await?;
                        let hashes = ids
                            .iter()
                            .map(|id| found.get(id).copied().ok_or_else(|| {
                                $crate::Error::Corrupt(format!("log node {id:?} missing for tree size {size}"))
                            }))
                            .collect::<$crate::Result<Vec<_>>>()?;
                        clearinghouse_tlog::Frontier::from_nodes(size, &hashes)
                            .map_err(|e| $crate::Error::Corrupt(e.to_string()))?
                    }
                };
                let now = jiff::Timestamp::now();
                let leaf = audit.leaf_bytes(size, now);
                let completed = frontier.push(clearinghouse_tlog::leaf_hash(&leaf));
                sqlx::query("INSERT INTO log_entries (idx, leaf, action, object, created_at) VALUES ($1, $2, $3, $4, $5)")
                    .bind(size as i64)
                    .bind(&leaf)
                    .bind(&audit.action)
                    .bind(&audit.object)
                    .bind(clearinghouse_domain::time::to_micros(now))
                    .execute(&mut **tx)
                    .await?;
                let mut insert = String::from("INSERT INTO log_nodes (node_key, hash) VALUES ");
                for i in 0..completed.len() {
                    if i > 0 {
                        insert.push_str(", ");
                    }
                    insert.push_str(&format!("(${}, ${})", 2 * i + 1, 2 * i + 2));
                }
                let mut query = sqlx::query(sqlx::AssertSqlSafe(insert));
                for (id, hash) in &completed {
                    query = query.bind($crate::node_key(*id)).bind(hash.to_vec());
                }
                query.execute(&mut **tx).await?;
                sqlx::query("UPDATE log_head SET size = $1 WHERE id = 1")
                    .bind((size + 1) as i64)
                    .execute(&mut **tx)
                    .await?;
                Ok(($crate::Appended { index: size }, frontier))
            }

            /// Commits a write and remembers the frontier it produced.
            async fn commit_logged(
                &self,
                tx: sqlx::Transaction<'_, $db>,
                appended: ($crate::Appended, clearinghouse_tlog::Frontier),
            ) -> $crate::Result<$crate::Appended> {
                tx.commit().await?;
                let (appended, frontier) = appended;
                if let Ok(mut cache) = self.frontier.lock() {
                    if cache.as_ref().is_none_or(|c| c.size() < frontier.size()) {
                        *cache = Some(frontier);
                    }
                }
                Ok(appended)
            }

            /// Runs one state change and its log entry in a single transaction.
            async fn write_logged<F>(&self, audit: &clearinghouse_domain::audit::AuditRecord, change: F) -> $crate::Result<$crate::Appended>
            where
                F: for<'t> FnOnce(&'t mut sqlx::Transaction<'_, $db>) -> $crate::shared::TxFuture<'t> + Send,
            {
                let mut tx = self.begin_write().await?;
                change(&mut tx).await?;
                let appended = self.append_in_tx(&mut tx, audit).await?;
                self.commit_logged(tx, appended).await
            }
        }

        async fn fetch_nodes(
            conn: &mut <$db as sqlx::Database>::Connection,
            ids: &[clearinghouse_tlog::NodeId],
        ) -> $crate::Result<std::collections::HashMap<clearinghouse_tlog::NodeId, clearinghouse_tlog::Hash>> {
            let mut found = std::collections::HashMap::with_capacity(ids.len());
            for chunk in ids.chunks(500) {
                let sql = format!(
                    "SELECT node_key, hash FROM log_nodes WHERE node_key IN ({})",
                    $crate::shared::placeholders(1, chunk.len())
                );
                let mut query = sqlx::query_as::<_, (i64, Vec<u8>)>(sqlx::AssertSqlSafe(sql));
                for id in chunk {
                    query = query.bind($crate::node_key(*id));
                }
                for (key, hash) in query.fetch_all(&mut *conn).await? {
                    let hash: clearinghouse_tlog::Hash = hash
                        .try_into()
                        .map_err(|_| $crate::Error::Corrupt(format!("log node {key} is not 32 bytes")))?;
                    found.insert($crate::node_from_key(key), hash);
                }
            }
            Ok(found)
        }

        #[async_trait::async_trait]
        impl $crate::Store for $store {
            fn engine(&self) -> $crate::Engine {
                Self::ENGINE
            }

            async fn count_people(&self) -> $crate::Result<u64> {
                let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM people").fetch_one(self.reader()).await?;
                Ok(n as u64)
            }

            async fn create_org(
                &self,
                org: &clearinghouse_domain::Organization,
                audit: &clearinghouse_domain::audit::AuditRecord,
            ) -> $crate::Result<$crate::Appended> {
                let org = org.clone();
                self.write_logged(audit, move |tx| Box::pin(async move {
                    sqlx::query("INSERT INTO organizations (id, name, name_key, kind, sector, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
                        .bind(org.id.to_string())
                        .bind(&org.name)
                        .bind(org.name.to_lowercase())
                        .bind(org.kind.as_str())
                        .bind(org.sector.map(|s| s.as_str()))
                        .bind(clearinghouse_domain::time::to_micros(org.created_at))
                        .execute(&mut **tx)
                        .await
                        .map_err(|e| conflict_as(e, format!("organization {:?}", org.name)))?;
                    Ok(())
                })).await
            }

            async fn org(&self, id: clearinghouse_domain::OrgId) -> $crate::Result<Option<clearinghouse_domain::Organization>> {
                let row: Option<$crate::rows::OrgRow> = sqlx::query_as("SELECT id, name, kind, sector, created_at FROM organizations WHERE id = $1")
                    .bind(id.to_string())
                    .fetch_optional(self.reader())
                    .await?;
                row.map(TryInto::try_into).transpose()
            }

            async fn org_by_name(&self, name: &str) -> $crate::Result<Option<clearinghouse_domain::Organization>> {
                let row: Option<$crate::rows::OrgRow> = sqlx::query_as("SELECT id, name, kind, sector, created_at FROM organizations WHERE name_key = $1")
                    .bind(name.trim().to_lowercase())
                    .fetch_optional(self.reader())
                    .await?;
                row.map(TryInto::try_into).transpose()
            }

            async fn list_orgs(
                &self,
                scope: &clearinghouse_domain::authz::Scope,
                page: &clearinghouse_domain::page::PageRequest,
            ) -> $crate::Result<clearinghouse_domain::page::Page<clearinghouse_domain::Organization>> {
                let mut sql = String::from("SELECT id, name, kind, sector, created_at FROM organizations WHERE id > $1");
                let Some(scoped) = $crate::shared::scoped_orgs(scope) else {
                    return Ok(clearinghouse_domain::page::Page { items: Vec::new(), next_cursor: None });
                };
                if !scoped.is_empty() {
                    sql.push_str(&format!(" AND id IN ({})", $crate::shared::placeholders(3, scoped.len())));
                }
                sql.push_str(" ORDER BY id LIMIT $2");
                let mut query = sqlx::query_as::<_, $crate::rows::OrgRow>(sqlx::AssertSqlSafe(sql))
                    .bind(page.after.clone().unwrap_or_default())
                    .bind(i64::from(page.limit) + 1);
                for org in scoped {
                    query = query.bind(org.to_string());
                }
                let rows = $crate::rows::convert_all(query.fetch_all(self.reader()).await?)?;
                Ok(clearinghouse_domain::page::Page::from_overfetch(rows, page.limit, |o: &clearinghouse_domain::Organization| o.id.to_string()))
            }

            async fn create_person(
                &self,
                person: &clearinghouse_domain::Person,
                password_hash: Option<&str>,
                memberships: &[clearinghouse_domain::Membership],
                audit: &clearinghouse_domain::audit::AuditRecord,
            ) -> $crate::Result<$crate::Appended> {
                let person = person.clone();
                let password_hash = password_hash.map(str::to_owned);
                let memberships = memberships.to_vec();
                self.write_logged(audit, move |tx| Box::pin(async move {
                    sqlx::query("INSERT INTO people (id, email, display_name, password_hash, created_at) VALUES ($1, $2, $3, $4, $5)")
                        .bind(person.id.to_string())
                        .bind(&person.email)
                        .bind(&person.display_name)
                        .bind(password_hash)
                        .bind(clearinghouse_domain::time::to_micros(person.created_at))
                        .execute(&mut **tx)
                        .await
                        .map_err(|e| conflict_as(e, format!("person {:?}", person.email)))?;
                    for m in &memberships {
                        insert_membership(&mut **tx, m).await?;
                    }
                    Ok(())
                })).await
            }

            async fn person(&self, id: clearinghouse_domain::PersonId) -> $crate::Result<Option<clearinghouse_domain::Person>> {
                let row: Option<$crate::rows::PersonRow> = sqlx::query_as("SELECT id, email, display_name, created_at FROM people WHERE id = $1")
                    .bind(id.to_string())
                    .fetch_optional(self.reader())
                    .await?;
                row.map(TryInto::try_into).transpose()
            }

            async fn person_credentials(&self, email: &str) -> $crate::Result<Option<(clearinghouse_domain::Person, Option<String>)>> {
                let row: Option<$crate::rows::CredentialRow> = sqlx::query_as(
                    "SELECT id, email, display_name, created_at, password_hash FROM people WHERE email = $1",
                )
                .bind(email.trim().to_lowercase())
                .fetch_optional(self.reader())
                .await?;
                row.map(TryInto::try_into).transpose()
            }

            async fn list_people(
                &self,
                scope: &clearinghouse_domain::authz::Scope,
                page: &clearinghouse_domain::page::PageRequest,
            ) -> $crate::Result<clearinghouse_domain::page::Page<clearinghouse_domain::Person>> {
                let mut sql = String::from("SELECT id, email, display_name, created_at FROM people WHERE id > $1");
                let Some(scoped) = $crate::shared::scoped_orgs(scope) else {
                    return Ok(clearinghouse_domain::page::Page { items: Vec::new(), next_cursor: None });
                };
                if !scoped.is_empty() {
                    sql.push_str(&format!(
                        " AND id IN (SELECT person_id FROM memberships WHERE org_id IN ({}))",
                        $crate::shared::placeholders(3, scoped.len())
                    ));
                }
                sql.push_str(" ORDER BY id LIMIT $2");
                let mut query = sqlx::query_as::<_, $crate::rows::PersonRow>(sqlx::AssertSqlSafe(sql))
                    .bind(page.after.clone().unwrap_or_default())
                    .bind(i64::from(page.limit) + 1);
                for org in scoped {
                    query = query.bind(org.to_string());
                }
                let rows = $crate::rows::convert_all(query.fetch_all(self.reader()).await?)?;
                Ok(clearinghouse_domain::page::Page::from_overfetch(rows, page.limit, |p: &clearinghouse_domain::Person| p.id.to_string()))
            }

            async fn set_password(
                &self,
                id: clearinghouse_domain::PersonId,
                password_hash: &str,
                audit: &clearinghouse_domain::audit::AuditRecord,
            ) -> $crate::Result<$crate::Appended> {
                let password_hash = password_hash.to_owned();
                self.write_logged(audit, move |tx| Box::pin(async move {
                    let done = sqlx::query("UPDATE people SET password_hash = $1 WHERE id = $2")
                        .bind(password_hash)
                        .bind(id.to_string())
                        .execute(&mut **tx)
                        .await?;
                    if done.rows_affected() == 0 {
                        return Err($crate::Error::NotFound(format!("person {id}")));
                    }
                    Ok(())
                })).await
            }

            async fn grant_membership(
                &self,
                membership: &clearinghouse_domain::Membership,
                audit: &clearinghouse_domain::audit::AuditRecord,
            ) -> $crate::Result<$crate::Appended> {
                let membership = membership.clone();
                self.write_logged(audit, move |tx| Box::pin(async move {
                    insert_membership(&mut **tx, &membership).await
                })).await
            }

            async fn memberships_of(&self, person: clearinghouse_domain::PersonId) -> $crate::Result<Vec<clearinghouse_domain::Membership>> {
                let rows: Vec<$crate::rows::MembershipRow> =
                    sqlx::query_as("SELECT person_id, org_id, role FROM memberships WHERE person_id = $1 ORDER BY org_id, role")
                        .bind(person.to_string())
                        .fetch_all(self.reader())
                        .await?;
                $crate::rows::convert_all(rows)
            }

            async fn members_of(&self, org: clearinghouse_domain::OrgId) -> $crate::Result<Vec<(clearinghouse_domain::Person, clearinghouse_domain::Role)>> {
                let rows: Vec<$crate::rows::MemberRow> = sqlx::query_as(
                    "SELECT p.id, p.email, p.display_name, p.created_at, m.role FROM memberships m \
                     JOIN people p ON p.id = m.person_id WHERE m.org_id = $1 ORDER BY p.email, m.role",
                )
                .bind(org.to_string())
                .fetch_all(self.reader())
                .await?;
                $crate::rows::convert_all(rows)
            }

            async fn create_token(&self, token: &$crate::NewToken, audit: &clearinghouse_domain::audit::AuditRecord) -> $crate::Result<$crate::Appended> {
                let token = token.clone();
                self.write_logged(audit, move |tx| Box::pin(async move {
                    let info = &token.info;
                    sqlx::query(
                        "INSERT INTO api_tokens (id, org_id, person_id, name, role, prefix, secret_hash, created_at, expires_at, revoked_at, campaign_id) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL, $10)",
                    )
                    .bind(info.id.to_string())
                    .bind(info.org_id.to_string())
                    .bind(info.person_id.map(|p| p.to_string()))
                    .bind(&info.name)
                    .bind(info.role.as_str())
                    .bind(&info.prefix)
                    .bind(token.secret_hash.to_vec())
                    .bind(clearinghouse_domain::time::to_micros(info.created_at))
                    .bind(info.expires_at.map(clearinghouse_domain::time::to_micros))
                    .bind(info.campaign.map(|c| c.to_string()))
                    .execute(&mut **tx)
                    .await?;
                    Ok(())
                })).await
            }

            async fn token_by_secret_hash(&self, secret_hash: &[u8; 32]) -> $crate::Result<Option<clearinghouse_domain::TokenInfo>> {
                let row: Option<$crate::rows::TokenRow> = sqlx::query_as(
                    "SELECT id, org_id, person_id, name, role, prefix, created_at, expires_at, revoked_at, campaign_id FROM api_tokens WHERE secret_hash = $1",
                )
                .bind(secret_hash.to_vec())
                .fetch_optional(self.reader())
                .await?;
                row.map(TryInto::try_into).transpose()
            }

            async fn token(&self, id: clearinghouse_domain::TokenId) -> $crate::Result<Option<clearinghouse_domain::TokenInfo>> {
                let row: Option<$crate::rows::TokenRow> = sqlx::query_as(
                    "SELECT id, org_id, person_id, name, role, prefix, created_at, expires_at, revoked_at, campaign_id FROM api_tokens WHERE id = $1",
                )
                .bind(id.to_string())
                .fetch_optional(self.reader())
                .await?;
                row.map(TryInto::try_into).transpose()
            }

            async fn list_tokens(
                &self,
                org: clearinghouse_domain::OrgId,
                owner: Option<clearinghouse_domain::PersonId>,
                page: &clearinghouse_domain::page::PageRequest,
            ) -> $crate::Result<clearinghouse_domain::page::Page<clearinghouse_domain::TokenInfo>> {
                let rows: Vec<$crate::rows::TokenRow> = sqlx::query_as(
                    "SELECT id, org_id, person_id, name, role, prefix, created_at, expires_at, revoked_at, campaign_id FROM api_tokens \
                     WHERE org_id = $1 AND (CAST($2 AS TEXT) IS NULL OR person_id = $2) AND id > $3 ORDER BY id LIMIT $4",
                )
                .bind(org.to_string())
                .bind(owner.map(|p| p.to_string()))
                .bind(page.after.clone().unwrap_or_default())
                .bind(i64::from(page.limit) + 1)
                .fetch_all(self.reader())
                .await?;
                let rows = $crate::rows::convert_all(rows)?;
                Ok(clearinghouse_domain::page::Page::from_overfetch(rows, page.limit, |t: &clearinghouse_domain::TokenInfo| t.id.to_string()))
            }

            async fn revoke_token(
                &self,
                id: clearinghouse_domain::TokenId,
                at: jiff::Timestamp,
                audit: &clearinghouse_domain::audit::AuditRecord,
            ) -> $crate::Result<Option<$crate::Appended>> {
                let mut tx = self.begin_write().await?;
                let done = sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
                    .bind(clearinghouse_domain::time::to_micros(at))
                    .bind(id.to_string())
                    .execute(&mut *tx)
                    .await?;
                if done.rows_affected() == 0 {
                    return Ok(None);
                }
                let appended = self.append_in_tx(&mut tx, audit).await?;
                self.commit_logged(tx, appended).await.map(Some)
            }

            async fn create_session(
                &self,
                secret_hash: &[u8; 32],
                session: &$crate::SessionRecord,
                audit: &clearinghouse_domain::audit::AuditRecord,
            ) -> $crate::Result<$crate::Appended> {
                let secret_hash = secret_hash.to_vec();
                let session = session.clone();
                self.write_logged(audit, move |tx| Box::pin(async move {
                    sqlx::query("INSERT INTO sessions (secret_hash, person_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
                        .bind(secret_hash)
                        .bind(session.person_id.to_string())
                        .bind(&session.csrf_token)
                        .bind(clearinghouse_domain::time::to_micros(session.created_at))
                        .bind(clearinghouse_domain::time::to_micros(session.expires_at))
                        .execute(&mut **tx)
                        .await?;
                    Ok(())
                })).await
            }

            async fn session(&self, secret_hash: &[u8; 32], now: jiff::Timestamp) -> $crate::Result<Option<$crate::SessionRecord>> {
                let row: Option<$crate::rows::SessionRow> = sqlx::query_as(
                    "SELECT person_id, csrf_token, created_at, expires_at FROM sessions WHERE secret_hash = $1 AND expires_at > $2",
                )
                .bind(secret_hash.to_vec())
                .bind(clearinghouse_domain::time::to_micros(now))
                .fetch_optional(self.reader())
                .await?;
                row.map(TryInto::try_into).transpose()
            }

            async fn delete_session(&self, secret_hash: &[u8; 32], audit: &clearinghouse_domain::audit::AuditRecord) -> $crate::Result<Option<$crate::Appended>> {
                let mut tx = self.begin_write().await?;
                let done = sqlx::query("DELETE FROM sessions WHERE secret_hash = $1")
                    .bind(secret_hash.to_vec())
                    .execute(&mut *tx)
                    .await?;
                if done.rows_affected() == 0 {
                    return Ok(None);
                }
                let appended = self.append_in_tx(&mut tx, audit).await?;
                self.commit_logged(tx, appended).await.map(Some)
            }

            async fn create_signin_link(
                &self,
                secret_hash: &[u8; 32],
                person: clearinghouse_domain::PersonId,
                expires_at: jiff::Timestamp,
                audit: &clearinghouse_domain::audit::AuditRecord,
            ) -> $crate::Result<$crate::Appended> {
                let secret_hash = secret_hash.to_vec();
                self.write_logged(audit, move |tx| Box::pin(async move {
                    sqlx::query("INSERT INTO signin_links (secret_hash, person_id, created_at, expires_at, used_at) VALUES ($1, $2, $3, $4, NULL)")
                        .bind(secret_hash)
                        .bind(person.to_string())
                        .bind(clearinghouse_domain::time::to_micros(jiff::Timestamp::now()))
                        .bind(clearinghouse_domain::time::to_micros(expires_at))
                        .execute(&mut **tx)
                        .await?;
                    Ok(())
                })).await
            }

            async fn consume_signin_link(&self, secret_hash: &[u8; 32], now: jiff::Timestamp) -> $crate::Result<Option<clearinghouse_domain::PersonId>> {
                let mut tx = self.begin_write().await?;
                let row: Option<(String,)> = sqlx::query_as(
                    "UPDATE signin_links SET used_at = $1 WHERE secret_hash = $2 AND used_at IS NULL AND expires_at > $1 RETURNING person_id",
                )
                .bind(clearinghouse_domain::time::to_micros(now))
                .bind(secret_hash.to_vec())
                .fetch_optional(&mut *tx)
                .await?;
                tx.commit().await?;
                row.map(|(id,)| id.parse().map_err(|_| $crate::Error::Corrupt(format!("person id {id:?}")))).transpose()
            }

            async fn append_log(&self, audit: &clearinghouse_domain::audit::AuditRecord) -> $crate::Result<$crate::Appended> {
                let mut tx = self.begin_write().await?;
                let appended = self.append_in_tx(&mut tx, audit).await?;
                self.commit_logged(tx, appended).await
            }

            async fn log_size(&self) -> $crate::Result<u64> {
                let (size,): (i64,) = sqlx::query_as("SELECT size FROM log_head WHERE id = 1").fetch_one(self.reader()).await?;
                Ok(size as u64)
            }

            async fn log_entry(&self, index: u64) -> $crate::Result<Option<$crate::LogEntry>> {
                let row: Option<$crate::rows::LogEntryRow> = sqlx::query_as("SELECT idx, leaf FROM log_entries WHERE idx = $1")
                    .bind(index as i64)
                    .fetch_optional(self.reader())
                    .await?;
                Ok(row.map(Into::into))
            }

            async fn log_entries(&self, from: u64, limit: u32) -> $crate::Result<Vec<$crate::LogEntry>> {
                let rows: Vec<$crate::rows::LogEntryRow> =
                    sqlx::query_as("SELECT idx, leaf FROM log_entries WHERE idx >= $1 ORDER BY idx LIMIT $2")
                        .bind(from as i64)
                        .bind(i64::from(limit))
                        .fetch_all(self.reader())
                        .await?;
                Ok(rows.into_iter().map(Into::into).collect())
            }

            async fn bind_log_key(&self, verifier_key: &str) -> $crate::Result<String> {
                let mut tx = self.begin_write().await?;
                sqlx::query("UPDATE log_head SET verifier_key = $1 WHERE id = 1 AND verifier_key IS NULL")
                    .bind(verifier_key)
                    .execute(&mut *tx)
                    .await?;
                let (bound,): (Option<String>,) = sqlx::query_as("SELECT verifier_key FROM log_head WHERE id = 1").fetch_one(&mut *tx).await?;
                tx.commit().await?;
                bound.ok_or_else(|| $crate::Error::Corrupt("the log head has no verifier key".into()))
            }

            async fn log_nodes(
                &self,
                ids: &[clearinghouse_tlog::NodeId],
            ) -> $crate::Result<std::collections::HashMap<clearinghouse_tlog::NodeId, clearinghouse_tlog::Hash>> {
                let mut conn = self.reader().acquire().await?;
                fetch_nodes(&mut conn, ids).await
            }
        }

        async fn insert_membership(
            conn: &mut <$db as sqlx::Database>::Connection,
            m: &clearinghouse_domain::Membership,
        ) -> $crate::Result<()> {
            sqlx::query(
                "INSERT INTO memberships (person_id, org_id, role, created_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (person_id, org_id, role) DO NOTHING",
            )
            .bind(m.person_id.to_string())
            .bind(m.org_id.to_string())
            .bind(m.role.as_str())
            .bind(clearinghouse_domain::time::to_micros(jiff::Timestamp::now()))
            .execute(&mut *conn)
            .await
            .map_err(|e| match &e {
                sqlx::Error::Database(db) if db.is_foreign_key_violation() => {
                    $crate::Error::NotFound(format!("person {} or organization {}", m.person_id, m.org_id))
                }
                _ => e.into(),
            })?;
            Ok(())
        }

        /// Maps a uniqueness violation to a conflict that names the object.
        fn conflict_as(err: sqlx::Error, what: String) -> $crate::Error {
            match $crate::Error::from(err) {
                $crate::Error::Conflict(_) => $crate::Error::Conflict(what),
                other => other,
            }
        }
    };
}

pub(crate) use impl_store;
