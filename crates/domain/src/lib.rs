//! Domain types shared by storage, services and the HTTP layer. Pure: no I/O, no async.
//!
//! # Layout
//! - `ids`: typed identifiers, so an organization id can never be passed where a person id is expected.
//! - `participant`: organizations (with CISA's 16 critical-infrastructure sectors), people, roles, tokens.
//! - `authz`: the one authorization policy: "may actor X do action Y on object Z", deny by default.
//! - `inventory`: operators' assets, uploads, matches and SSVC deployer inputs and decisions.
//! - `campaign`: scan campaigns, their targets, operators' network ranges, scan authorizations,
//!   blackouts, overlaps between campaigns, and the pure decisions about them.
//! - `notify`: notification subscriptions, outbox events and deliveries.
//! - `coordination`: findings, cases and their state machine, validations, vendor statuses,
//!   comments, attachments, TLP 2.0 and the visibility rule every case read goes through.
//! - `audit`: what a state-changing action records in the tamper-evident log.
//! - `page`: cursor pagination shared by every list.

pub mod audit;
pub mod authz;
pub mod campaign;
pub mod coordination;
pub mod ids;
pub mod inventory;
pub mod notify;
pub mod page;
pub mod participant;
pub mod time;

pub use ids::{
    AdvisoryId, AssetId, AttachmentId, BlackoutId, CampaignId, CaseId, CommentId, DeliveryId,
    FindingId, OrgId, OverlapId, PersonId, ScanAuthorizationId, SubscriptionId, TokenId, UploadId,
    ValidationId, VexSubmissionId, VulnerabilityId,
};
pub use participant::{
    Membership, NewOrganization, NewPerson, OrgKind, Organization, Person, Role, Sector, TokenInfo,
};
