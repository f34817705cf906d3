//! Typed identifiers. All are UUID v7, so ordering by id is ordering by creation time, which is what
//! cursor pagination relies on.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! typed_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// A fresh, time-ordered id.
            pub fn generate() -> Self {
                Self(Uuid::now_v7())
            }

            /// The underlying UUID.
            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl From<Uuid> for $name {
            fn from(uuid: Uuid) -> Self {
                Self(uuid)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .format(Some(utoipa::openapi::SchemaFormat::Custom("uuid".into())))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {}
    };
}

typed_id!(
    /// An organization's id.
    OrgId
);
typed_id!(
    /// A person's id.
    PersonId
);
typed_id!(
    /// An API token's id (not the secret).
    TokenId
);
typed_id!(
    /// A vulnerability: one alias group in the knowledge base.
    VulnerabilityId
);
typed_id!(
    /// One source record (an OSV record, a CSAF document, a KEV entry, a CVE record).
    AdvisoryId
);
typed_id!(
    /// An operator's asset.
    AssetId
);
typed_id!(
    /// One inventory upload (an SBOM or product list) for an asset.
    UploadId
);
typed_id!(
    /// A notification subscription.
    SubscriptionId
);
typed_id!(
    /// One notification delivery in the outbox.
    DeliveryId
);
typed_id!(
    /// A finder's declared scanning campaign.
    CampaignId
);
typed_id!(
    /// An operator's recorded authorization for a finder to scan some of its network assets.
    ScanAuthorizationId
);
typed_id!(
    /// An operator's blackout window, when none of its assets may be scanned.
    BlackoutId
);
typed_id!(
    /// A detected overlap between two campaigns on the same target and window.
    OverlapId
);
typed_id!(
    /// A coordination case: one vulnerability, however many findings reported it.
    CaseId
);
typed_id!(
    /// One finder's report of a vulnerability.
    FindingId
);
typed_id!(
    /// A proof of concept or other attachment, encrypted at rest.
    AttachmentId
);
typed_id!(
    /// One validator's claim, evidence and verdict on a case.
    ValidationId
);
typed_id!(
    /// A message in a case's discussion thread.
    CommentId
);
typed_id!(
    /// A hostname or network an operator registered as its own, so campaigns can be checked
    /// against its authorizations.
    NetworkRangeId
);
typed_id!(
    /// A VEX document an operator submitted (or embedded in an SBOM upload).
    VexSubmissionId
);
