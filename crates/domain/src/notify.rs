//! Notification subscriptions and the deliveries the outbox makes for them.

use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::ids::{DeliveryId, OrgId, SubscriptionId};
use crate::inventory::DeployerDecision;
use crate::participant::{UnknownValue, wire_enum};

wire_enum!(
    /// Where notifications go.
    Channel, "channel" {
        /// An HTTPS endpoint, signed per the Standard Webhooks specification.
        Webhook = "webhook",
        /// An e-mail address, through the configured SMTP server.
        Email = "email",
    }
);

wire_enum!(
    /// When notifications go.
    DeliveryMode, "delivery mode" {
        /// As soon as the event happens.
        Immediate = "immediate",
        /// Once a day, all events of the day in one message.
        Daily = "daily",
    }
);

wire_enum!(
    /// Where a delivery stands.
    DeliveryStatus, "delivery status" {
        /// Waiting for its (next) attempt.
        Pending = "pending",
        /// Accepted by the receiver.
        Delivered = "delivered",
        /// Given up after the last retry or a permanent refusal: the dead-letter view.
        Dead = "dead",
    }
);

/// A subscription: an organization asks to be told about new matches.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Subscription {
    /// Its id.
    pub id: SubscriptionId,
    /// The organization whose events it receives.
    pub org: OrgId,
    /// Webhook or e-mail.
    pub channel: Channel,
    /// The URL or the address.
    pub target: String,
    /// The webhook signing secret (`whsec_…`); never serialized.
    #[serde(skip)]
    pub secret: Option<String>,
    /// Only events whose deployer decision is one of these; empty means all.
    pub decisions: Vec<DeployerDecision>,
    /// Immediate or daily digest.
    pub mode: DeliveryMode,
    /// Who created it.
    pub created_by: String,
    /// When.
    pub created_at: Timestamp,
}

impl Subscription {
    /// Whether an event with this decision passes the filter.
    pub fn wants(&self, decision: DeployerDecision) -> bool {
        self.decisions.is_empty() || self.decisions.contains(&decision)
    }
}

/// An event in the outbox, written in the same transaction as its cause.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Event {
    /// Its id (UUID v7 text), also the webhook message id.
    pub id: String,
    /// The organization it concerns.
    pub org: OrgId,
    /// `match.new`.
    pub kind: String,
    /// The event body (JSON).
    pub payload: serde_json::Value,
    /// When.
    pub created_at: Timestamp,
}

/// One attempt-tracked delivery of an event to a subscription.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Delivery {
    /// Its id.
    pub id: DeliveryId,
    /// The subscription.
    pub subscription: SubscriptionId,
    /// The event.
    pub event: Event,
    /// Where it stands.
    pub status: DeliveryStatus,
    /// Attempts made.
    pub attempts: u32,
    /// When the next attempt is due.
    pub next_attempt_at: Timestamp,
    /// The last failure, without secrets.
    pub last_error: Option<String>,
    /// When it was accepted.
    pub delivered_at: Option<Timestamp>,
}
