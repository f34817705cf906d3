//! Notifications: subscriptions, the outbox dispatcher and the delivery worker.
//!
//! Matching writes `match.new` events in the same transaction as the matches (the transactional
//! outbox), coordination writes `case.*` events the same way; a case event goes only to an
//! organization whose view of the case is not `None`, checked at dispatch and again at delivery. The dispatcher turns each event into one delivery per subscription of the operator
//! whose filter accepts the event's SSVC deployer decision, due now or at the next daily digest.
//! The worker leases due deliveries (so several server processes never send one twice), sends
//! them (a webhook signed per Standard Webhooks, or an e-mail; a daily subscription gets one message
//! for everything due), and records the outcome: delivered, retried with exponential backoff, or
//! dead (the dead-letter view, from which a manager can re-queue).

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use clearinghouse_domain::audit::AuditRecord;
use clearinghouse_domain::authz::{Action, Actor, authorize};
use clearinghouse_domain::inventory::DeployerDecision;
use clearinghouse_domain::notify::{
    Channel, Delivery, DeliveryMode, DeliveryStatus, Event, Subscription,
};
use clearinghouse_domain::page::{Page, PageRequest};
use clearinghouse_domain::{AssetId, DeliveryId, OrgId, SubscriptionId, VulnerabilityId};
use clearinghouse_notify::{
    Backoff, DeliveryError, DestinationPolicy, Mailer, Notice, ResolveError, WebhookClient,
    WebhookOptions,
};
use clearinghouse_store::{AttemptOutcome, NewDelivery};
use jiff::{SignedDuration, Timestamp};
use serde_json::json;

use crate::App;
use crate::error::{Error, Result};
use crate::inventory::deployer_priority;

/// A request to subscribe.
#[derive(Clone, Debug)]
pub struct SubscriptionRequest {
    /// Webhook or e-mail.
    pub channel: Channel,
    /// An `https://` (or `http://`) URL, or an e-mail address.
    pub target: String,
    /// Decisions to be told about; empty means all.
    pub decisions: Vec<DeployerDecision>,
    /// Immediate or daily.
    pub mode: DeliveryMode,
}

/// How the server sends notifications.
pub struct Notifier {
    webhooks: WebhookClient,
    mailer: Option<Mailer>,
    backoff: Backoff,
    base_url: Option<String>,
}

impl Notifier {
    /// A notifier whose webhooks reach only what `destinations` permits; without a mailer,
    /// e-mail deliveries stay pending with the reason recorded. [`App::notifier`] builds one with
    /// the server's policy.
    pub fn new(
        mailer: Option<Mailer>,
        backoff: Backoff,
        base_url: Option<String>,
        destinations: DestinationPolicy,
    ) -> Result<Self> {
        let webhooks = WebhookClient::new(&WebhookOptions {
            destinations,
            ..WebhookOptions::default()
        })
        .map_err(|e| Error::Invalid {
            field: "webhooks".into(),
            problem: e.to_string(),
        })?;
        Ok(Self {
            webhooks,
            mailer,
            backoff,
            base_url: base_url.map(|u| u.trim_end_matches('/').to_owned()),
        })
    }
}

/// What one round of the notification worker did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NotifyRound {
    /// Events turned into deliveries.
    pub dispatched: u64,
    /// Deliveries accepted by their receiver.
    pub delivered: u64,
    /// Deliveries that failed and will be retried.
    pub retried: u64,
    /// Deliveries given up.
    pub dead: u64,
}

/// The next daily digest time: midnight UTC after `now`.
fn next_digest(now: Timestamp) -> Timestamp {
    let day = SignedDuration::from_hours(24).as_secs();
    Timestamp::from_second((now.as_second() / day + 1) * day).unwrap_or(now)
}

fn validate_request(request: &SubscriptionRequest) -> Result<()> {
    let invalid = |problem: String| Error::Invalid {
        field: "target".into(),
        problem,
    };
    match request.channel {
        Channel::Webhook => {
            let url =
                url::Url::parse(&request.target).map_err(|e| invalid(format!("not a URL: {e}")))?;
            if !matches!(url.scheme(), "https" | "http") || url.host_str().is_none() {
                return Err(invalid("a webhook needs an http(s) URL with a host".into()));
            }
        }
        Channel::Email => {
            let valid = request
                .target
                .split_once('@')
                .is_some_and(|(local, domain)| {
                    !local.is_empty()
                        && domain.contains('.')
                        && !request.target.contains(char::is_whitespace)
                });
            if !valid || request.target.len() > 254 {
                return Err(invalid("not an e-mail address".into()));
            }
        }
    }
    Ok(())
}

impl App {
    /// A notifier with this server's webhook destination policy.
    pub fn notifier(
        &self,
        mailer: Option<Mailer>,
        backoff: Backoff,
        base_url: Option<String>,
    ) -> Result<Notifier> {
        Notifier::new(mailer, backoff, base_url, self.webhook_destinations)
    }

    /// Refuses a webhook URL that names, or resolves only to, an address the policy forbids
    /// (loopback, private, link-local, metadata). A name that does not resolve now is accepted:
    /// every delivery resolves it again through the same filter.
    async fn check_webhook_target(&self, target: &str) -> Result<()> {
        let invalid = |problem: String| Error::Invalid {
            field: "target".into(),
            problem,
        };
        let url = url::Url::parse(target).map_err(|e| invalid(format!("not a URL: {e}")))?;
        let host = url.host_str().unwrap_or_default();
        clearinghouse_notify::check_host(self.webhook_destinations, host)
            .map_err(|e| invalid(e.to_string()))?;
        if url
            .host()
            .is_some_and(|h| matches!(h, url::Host::Domain(_)))
        {
            let port = url.port_or_known_default().unwrap_or(443);
            // A slow resolver must not hold the request; deliveries check again anyway.
            let resolved = tokio::time::timeout(
                Duration::from_secs(3),
                clearinghouse_notify::resolve_permitted(self.webhook_destinations, host, port),
            )
            .await;
            if let Ok(Err(ResolveError::Forbidden(forbidden))) = resolved {
                return Err(invalid(forbidden.to_string()));
            }
        }
        Ok(())
    }

    /// Subscribes an organization; for a webhook the signing secret is returned, this once.
    pub async fn create_subscription(
        &self,
        actor: &Actor,
        org: OrgId,
        request: SubscriptionRequest,
    ) -> Result<(Subscription, Option<String>)> {
        self.org(actor, org).await?;
        authorize(actor, &Action::SubscriptionManage(org))?;
        validate_request(&request)?;
        if request.channel == Channel::Webhook {
            self.check_webhook_target(&request.target).await?;
        }
        let secret =
            (request.channel == Channel::Webhook).then(clearinghouse_notify::generate_secret);
        let subscription = Subscription {
            id: SubscriptionId::generate(),
            org,
            channel: request.channel,
            target: request.target,
            secret: secret.clone(),
            decisions: request.decisions,
            mode: request.mode,
            created_by: actor.label(),
            created_at: clearinghouse_domain::time::now(),
        };
        let audit = AuditRecord::new(
            actor.label(),
            "subscription.create",
            format!("subscription:{}", subscription.id),
            json!({
                "org": org,
                "channel": subscription.channel,
                "target": self.keys().keyed_digest(subscription.target.as_bytes()),
                "decisions": subscription.decisions,
                "mode": subscription.mode,
            }),
        );
        self.store
            .create_subscription(&subscription, &audit)
            .await?;
        Ok((subscription, secret))
    }

    /// An organization's subscriptions.
    pub async fn subscriptions(&self, actor: &Actor, org: OrgId) -> Result<Vec<Subscription>> {
        self.org(actor, org).await?;
        authorize(actor, &Action::SubscriptionManage(org))?;
        Ok(self.store.subscriptions(org).await?)
    }

    /// Deletes a subscription; its pending deliveries are dropped.
    pub async fn delete_subscription(&self, actor: &Actor, id: SubscriptionId) -> Result<()> {
        let not_found = || Error::NotFound(format!("subscription {id}"));
        let subscription = self.store.subscription(id).await?.ok_or_else(not_found)?;
        authorize(actor, &Action::SubscriptionManage(subscription.org)).map_err(|_| not_found())?;
        let audit = AuditRecord::new(
            actor.label(),
            "subscription.delete",
            format!("subscription:{id}"),
            json!({}),
        );
        self.store
            .delete_subscription(id, &audit)
            .await?
            .ok_or_else(not_found)?;
        Ok(())
    }

    /// An organization's deliveries, newest first (`status: dead` is the dead-letter view).
    pub async fn deliveries(
        &self,
        actor: &Actor,
        org: OrgId,
        status: Option<DeliveryStatus>,
        page: &PageRequest,
    ) -> Result<Page<Delivery>> {
        self.org(actor, org).await?;
        authorize(actor, &Action::SubscriptionManage(org))?;
        Ok(self.store.list_deliveries(org, status, page).await?)
    }

    /// Puts a dead letter back in the queue.
    pub async fn requeue_delivery(&self, actor: &Actor, id: DeliveryId) -> Result<()> {
        let not_found = || Error::NotFound(format!("delivery {id}"));
        let (org, delivery) = self.store.delivery(id).await?.ok_or_else(not_found)?;
        authorize(actor, &Action::SubscriptionManage(org)).map_err(|_| not_found())?;
        if delivery.status != DeliveryStatus::Dead {
            return Err(Error::Invalid {
                field: "status".into(),
                problem: format!(
                    "only dead deliveries can be re-queued; this one is {}",
                    delivery.status
                ),
            });
        }
        let audit = AuditRecord::new(
            actor.label(),
            "delivery.requeue",
            format!("delivery:{id}"),
            json!({}),
        );
        self.store
            .requeue_delivery(id, clearinghouse_domain::time::now(), &audit)
            .await?
            .ok_or_else(|| Error::Invalid {
                field: "subscription".into(),
                problem: "its subscription was deleted".into(),
            })?;
        Ok(())
    }

    /// The deployer decision, display id and asset name of a `match.new` event, as of now.
    async fn describe_event(
        &self,
        event: &Event,
    ) -> Result<Option<(DeployerDecision, String, String, String)>> {
        let asset: Option<AssetId> = event
            .payload
            .get("asset")
            .and_then(|v| serde_json::from_value(v.clone()).ok());
        let vulnerability: Option<VulnerabilityId> = event
            .payload
            .get("vulnerability")
            .and_then(|v| serde_json::from_value(v.clone()).ok());
        let (Some(asset), Some(vulnerability)) = (asset, vulnerability) else {
            return Ok(None);
        };
        let (Some(asset), Some(vulnerability)) = (
            self.store.asset(asset).await?,
            self.store.vulnerability(vulnerability).await?,
        ) else {
            return Ok(None);
        };
        let (decision, reason) = deployer_priority(&vulnerability.facts, &asset);
        Ok(Some((
            decision,
            vulnerability.display_id,
            asset.name,
            reason.summary,
        )))
    }

    /// Turns outbox events into deliveries for the subscriptions that want them.
    pub async fn dispatch_events(&self) -> Result<u64> {
        let mut dispatched = 0;
        loop {
            let events = self.store.undispatched_events(200).await?;
            if events.is_empty() {
                return Ok(dispatched);
            }
            let now = clearinghouse_domain::time::now();
            let mut subscriptions: HashMap<OrgId, Vec<Subscription>> = HashMap::new();
            let mut deliveries = Vec::new();
            for event in &events {
                if let std::collections::hash_map::Entry::Vacant(slot) =
                    subscriptions.entry(event.org)
                {
                    slot.insert(self.store.subscriptions(event.org).await?);
                }
                let wanted = &subscriptions[&event.org];
                // Events about a case go only to organizations that still see it.
                if wanted.is_empty() || !self.event_visible(event).await? {
                    continue;
                }
                let decision = self.describe_event(event).await?.map(|d| d.0);
                for subscription in wanted {
                    if decision.is_some_and(|d| !subscription.wants(d)) {
                        continue;
                    }
                    deliveries.push(NewDelivery {
                        id: DeliveryId::generate(),
                        subscription: subscription.id,
                        org: event.org,
                        event: event.id.clone(),
                        due: match subscription.mode {
                            DeliveryMode::Immediate => now,
                            DeliveryMode::Daily => next_digest(now),
                        },
                    });
                }
            }
            let ids: Vec<String> = events.iter().map(|e| e.id.clone()).collect();
            self.store.dispatch_events(&ids, &deliveries).await?;
            dispatched += events.len() as u64;
        }
    }

    /// The JSON body and the human notice of one event.
    async fn render_event(
        &self,
        event: &Event,
        base_url: Option<&str>,
    ) -> Result<(serde_json::Value, Notice)> {
        if let Some(notice) = crate::campaigns::event_notice(event, base_url) {
            let body = json!({"type": event.kind, "timestamp": event.created_at.to_string(), "data": event.payload});
            return Ok((body, notice));
        }
        let described = self.describe_event(event).await?;
        let mut data = event.payload.clone();
        let (subject, text) = match &described {
            Some((decision, display_id, asset, reason)) => {
                if let Some(object) = data.as_object_mut() {
                    object.insert("vulnerability_id".into(), json!(display_id));
                    object.insert("asset_name".into(), json!(asset));
                    object.insert("decision".into(), json!(decision));
                    object.insert("reason".into(), json!(reason));
                }
                let component = &event.payload["component"];
                (
                    format!(
                        "{display_id} affects {asset} ({})",
                        decision.as_str().replace('_', "-")
                    ),
                    format!(
                        "{} {} is in the affected range {}.\n{reason}",
                        component["name"].as_str().unwrap_or("a component"),
                        component["version"].as_str().unwrap_or(""),
                        event.payload["range"].as_str().unwrap_or("?"),
                    ),
                )
            }
            None => (format!("{} event", event.kind), event.payload.to_string()),
        };
        let link = match (
            base_url,
            event.payload.get("organization").and_then(|o| o.as_str()),
        ) {
            (Some(base), Some(org)) => Some(format!("{base}/orgs/{org}/dashboard")),
            _ => None,
        };
        let body = json!({
            "type": event.kind,
            "timestamp": event.created_at.to_string(),
            "data": data,
        });
        Ok((
            body,
            Notice {
                subject,
                text,
                link,
            },
        ))
    }

    /// Sends every due delivery once; returns what happened.
    pub async fn deliver_due(&self, notifier: &Notifier) -> Result<NotifyRound> {
        let mut round = NotifyRound::default();
        let now = clearinghouse_domain::time::now();
        let lease = now + SignedDuration::from_mins(5);
        let claimed = self.store.claim_deliveries(now, lease, 100).await?;
        let mut by_subscription: BTreeMap<SubscriptionId, Vec<Delivery>> = BTreeMap::new();
        for delivery in claimed {
            // Checked again at delivery: a TLP change or a removal since dispatch stops it.
            if !self.event_visible(&delivery.event).await? {
                let outcome = AttemptOutcome::Dead {
                    error: "the case is no longer visible to this organization".into(),
                };
                self.store.finish_delivery(delivery.id, &outcome).await?;
                round.dead += 1;
                continue;
            }
            by_subscription
                .entry(delivery.subscription)
                .or_default()
                .push(delivery);
        }
        for (id, deliveries) in by_subscription {
            let Some(subscription) = self.store.subscription(id).await? else {
                for delivery in &deliveries {
                    let outcome = AttemptOutcome::Dead {
                        error: "subscription deleted".into(),
                    };
                    self.store.finish_delivery(delivery.id, &outcome).await?;
                    round.dead += 1;
                }
                continue;
            };
            // A daily subscription gets everything due in one message; an immediate one a message
            // per event.
            let groups: Vec<Vec<Delivery>> = match subscription.mode {
                DeliveryMode::Daily => vec![deliveries],
                DeliveryMode::Immediate => deliveries.into_iter().map(|d| vec![d]).collect(),
            };
            for group in groups {
                let result = self.send(notifier, &subscription, &group).await;
                let attempts = group.iter().map(|d| d.attempts).max().unwrap_or(1);
                let outcome = match result {
                    Ok(()) => AttemptOutcome::Delivered,
                    Err(error) if error.retryable => {
                        let random = u64::from_le_bytes(
                            crate::secrets::random_bytes()[..8]
                                .try_into()
                                .unwrap_or([0; 8]),
                        );
                        match notifier
                            .backoff
                            .delay_after(attempts, random, error.retry_after)
                        {
                            Some(delay) => AttemptOutcome::Retry {
                                at: clearinghouse_domain::time::now()
                                    + SignedDuration::try_from(delay)
                                        .unwrap_or(SignedDuration::from_hours(6)),
                                error: error.message,
                            },
                            None => AttemptOutcome::Dead {
                                error: error.message,
                            },
                        }
                    }
                    Err(error) => AttemptOutcome::Dead {
                        error: error.message,
                    },
                };
                for delivery in &group {
                    self.store.finish_delivery(delivery.id, &outcome).await?;
                    match outcome {
                        AttemptOutcome::Delivered => round.delivered += 1,
                        AttemptOutcome::Retry { .. } => round.retried += 1,
                        AttemptOutcome::Dead { .. } => round.dead += 1,
                    }
                }
            }
        }
        Ok(round)
    }

    async fn send(
        &self,
        notifier: &Notifier,
        subscription: &Subscription,
        group: &[Delivery],
    ) -> std::result::Result<(), DeliveryError> {
        let failed = |message: String| DeliveryError {
            retryable: true,
            status: None,
            retry_after: None,
            message,
        };
        let mut rendered = Vec::with_capacity(group.len());
        for delivery in group {
            rendered.push(
                self.render_event(&delivery.event, notifier.base_url.as_deref())
                    .await
                    .map_err(|e| failed(format!("rendering the event failed: {e}")))?,
            );
        }
        let Some(first) = group.first() else {
            return Ok(());
        };
        match subscription.channel {
            Channel::Webhook => {
                let secret = subscription.secret.as_deref().unwrap_or_default();
                let (message_id, kind, body) = if let [(body, _)] = rendered.as_slice() {
                    (
                        first.event.id.clone(),
                        first.event.kind.clone(),
                        body.clone(),
                    )
                } else {
                    (
                        format!("digest-{}", first.id),
                        "digest".to_owned(),
                        json!({
                            "type": "digest",
                            "timestamp": clearinghouse_domain::time::now().to_string(),
                            "data": rendered.iter().map(|(b, _)| b.clone()).collect::<Vec<_>>(),
                        }),
                    )
                };
                let bytes = serde_json::to_vec(&body).unwrap_or_default();
                notifier
                    .webhooks
                    .deliver(&subscription.target, secret, &message_id, &kind, &bytes)
                    .await
                    .map(|_| ())
            }
            Channel::Email => {
                let Some(mailer) = &notifier.mailer else {
                    return Err(failed("no SMTP server is configured (serve --smtp)".into()));
                };
                let notices: Vec<Notice> = rendered.into_iter().map(|(_, n)| n).collect();
                let (subject, text) = match (subscription.mode, notices.as_slice()) {
                    (DeliveryMode::Immediate, [notice]) => (
                        format!("[Clearinghouse] {}", notice.subject),
                        match &notice.link {
                            Some(link) => format!("{}\n\n{link}\n", notice.text),
                            None => format!("{}\n", notice.text),
                        },
                    ),
                    _ => {
                        clearinghouse_notify::render_digest("Clearinghouse daily digest", &notices)
                    }
                };
                mailer
                    .send(std::slice::from_ref(&subscription.target), &subject, &text)
                    .await
                    .map(|_| ())
            }
        }
    }

    /// One round of background work: match what is pending, dispatch events, send what is due.
    pub async fn notify_round(&self, notifier: &Notifier) -> Result<NotifyRound> {
        self.match_everything_pending().await?;
        self.coordination_round().await?;
        let dispatched = self.dispatch_events().await?;
        let mut round = self.deliver_due(notifier).await?;
        round.dispatched = dispatched;
        Ok(round)
    }

    /// Runs `notify_round` every `interval` until the task is dropped; errors are logged and the
    /// next round tries again.
    pub fn spawn_background(
        &self,
        notifier: Notifier,
        interval: Duration,
    ) -> tokio::task::JoinHandle<()> {
        let app = self.clone();
        tokio::spawn(async move {
            loop {
                match app.notify_round(&notifier).await {
                    Ok(round) if round != NotifyRound::default() => tracing::info!(
                        dispatched = round.dispatched,
                        delivered = round.delivered,
                        retried = round.retried,
                        dead = round.dead,
                        "notifications"
                    ),
                    Ok(_) => {}
                    Err(error) => {
                        tracing::warn!(%error, "background matching or notification failed")
                    }
                }
                tokio::time::sleep(interval).await;
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_are_due_at_the_next_midnight_utc() {
        let now: Timestamp = "2026-11-22T07:15:00Z".parse().unwrap();
        assert_eq!(next_digest(now).to_string(), "2026-11-23T00:00:00Z");
    }

    #[test]
    fn subscription_targets_are_validated() {
        let request = |channel, target: &str| SubscriptionRequest {
            channel,
            target: target.into(),
            decisions: vec![],
            mode: DeliveryMode::Immediate,
        };
        assert!(validate_request(&request(Channel::Webhook, "https://example.org/hook")).is_ok());
        assert!(validate_request(&request(Channel::Webhook, "ftp://example.org/")).is_err());
        assert!(validate_request(&request(Channel::Webhook, "not a url")).is_err());
        assert!(validate_request(&request(Channel::Email, "it@hospital.example")).is_ok());
        assert!(validate_request(&request(Channel::Email, "it at hospital")).is_err());
    }
}
