//! Participants: organizations, people, their roles, and API tokens.
//!
//! Participation is voluntary: every organization joined on purpose and can leave.

use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::ids::{CampaignId, OrgId, PersonId, TokenId};

/// Declares a closed set of values with one wire spelling each, used in the API, the CLI and the
/// database alike, so no layer invents its own spelling.
macro_rules! wire_enum {
    ($(#[$doc:meta])* $name:ident, $what:literal { $($(#[$vdoc:meta])* $variant:ident = $wire:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
        pub enum $name {
            $($(#[$vdoc])* #[serde(rename = $wire)] $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The wire spelling.
            pub fn as_str(&self) -> &'static str {
                match self { $($name::$variant => $wire),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = UnknownValue;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($wire => Ok($name::$variant),)+
                    other => Err(UnknownValue {
                        what: $what,
                        value: other.to_owned(),
                        expected: vec![$($wire),+],
                    }),
                }
            }
        }
    };
}

pub(crate) use wire_enum;

/// A value outside a closed set.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} {value:?}; expected one of: {}", expected.join(", "))]
pub struct UnknownValue {
    /// What kind of value it was meant to be.
    pub what: &'static str,
    /// What was given.
    pub value: String,
    /// The accepted spellings.
    pub expected: Vec<&'static str>,
}

wire_enum!(
    /// What kind of participant an organization is.
    OrgKind, "organization type" {
        /// A federal agency (Treasury, CISA, NSA, ...).
        Government = "government",
        /// A developer of AI models, often also a finder of vulnerabilities.
        AiDeveloper = "ai_developer",
        /// A software vendor or open-source maintainer.
        Vendor = "vendor",
        /// A critical-infrastructure operator; always has a sector.
        Operator = "operator",
        /// A state, local, tribal or territorial authority.
        StateLocal = "state_local",
        /// An independent validator of findings.
        Validator = "validator",
    }
);

wire_enum!(
    /// CISA's 16 critical-infrastructure sectors (PPD-21).
    Sector, "sector" {
        /// Chemical.
        Chemical = "chemical",
        /// Commercial facilities.
        CommercialFacilities = "commercial_facilities",
        /// Communications.
        Communications = "communications",
        /// Critical manufacturing.
        CriticalManufacturing = "critical_manufacturing",
        /// Dams.
        Dams = "dams",
        /// Defense industrial base.
        DefenseIndustrialBase = "defense_industrial_base",
        /// Emergency services.
        EmergencyServices = "emergency_services",
        /// Energy.
        Energy = "energy",
        /// Financial services.
        FinancialServices = "financial_services",
        /// Food and agriculture.
        FoodAndAgriculture = "food_and_agriculture",
        /// Government services and facilities.
        GovernmentFacilities = "government_facilities",
        /// Healthcare and public health.
        HealthcareAndPublicHealth = "healthcare_and_public_health",
        /// Information technology.
        InformationTechnology = "information_technology",
        /// Nuclear reactors, materials and waste.
        NuclearReactorsMaterialsAndWaste = "nuclear_reactors_materials_and_waste",
        /// Transportation systems.
        TransportationSystems = "transportation_systems",
        /// Water and wastewater systems.
        WaterAndWastewaterSystems = "water_and_wastewater_systems",
    }
);

wire_enum!(
    /// What a person or token may do within an organization. Authorization decisions are made from
    /// roles only, in `authz`.
    Role, "role" {
        /// Runs the clearinghouse itself: participants, tokens, configuration.
        Admin = "admin",
        /// Manages its own organization's people and tokens.
        Manager = "manager",
        /// Clearinghouse analyst: triage, deconflict, validate, prioritize, publish.
        Analyst = "analyst",
        /// Verifies the tamper-evident log and exports evidence.
        Auditor = "auditor",
        /// Declares scanning campaigns and submits findings.
        Finder = "finder",
        /// Receives embargoed reports and ships fixes.
        VendorContact = "vendor_contact",
        /// Registers what an operator runs and reports remediation.
        OperatorContact = "operator_contact",
        /// Independently reproduces findings.
        Validator = "validator",
        /// Registers frontier models and requests determinations.
        ModelDeveloper = "model_developer",
        /// Runs confidential benchmark suites.
        Evaluator = "evaluator",
        /// The designating official.
        Designator = "designator",
        /// A consulted agency in a designation.
        Consultee = "consultee",
        /// A trusted partner in an early-access window.
        TrustedPartner = "trusted_partner",
        /// Reads what is shared with its organization, changes nothing.
        Member = "member",
    }
);

/// A participating organization.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Organization {
    /// Its id.
    pub id: OrgId,
    /// Its unique display name.
    pub name: String,
    /// What kind of participant it is.
    pub kind: OrgKind,
    /// The critical-infrastructure sector; present exactly for operators.
    pub sector: Option<Sector>,
    /// When it joined.
    pub created_at: Timestamp,
}

/// A validated request to create an organization.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NewOrganization {
    name: String,
    kind: OrgKind,
    sector: Option<Sector>,
}

/// Why a participant could not be created as asked.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InvalidParticipant {
    /// A name or e-mail is empty, too long, or contains control characters.
    #[error("{field}: {problem}")]
    Field {
        /// The offending field.
        field: &'static str,
        /// What is wrong with it.
        problem: String,
    },
}

impl NewOrganization {
    /// Validates a new organization: names are 1 to 200 printable characters; operators must name
    /// their sector (it drives exposure statistics) and no one else may.
    pub fn parse(
        name: &str,
        kind: OrgKind,
        sector: Option<Sector>,
    ) -> Result<Self, InvalidParticipant> {
        let name = check_text("name", name, 200)?;
        match (kind, sector) {
            (OrgKind::Operator, None) => Err(InvalidParticipant::Field {
                field: "sector",
                problem: "an operator must name one of CISA's 16 critical-infrastructure sectors"
                    .into(),
            }),
            (kind, Some(_)) if kind != OrgKind::Operator => Err(InvalidParticipant::Field {
                field: "sector",
                problem: format!("only operators have a sector, not {kind}"),
            }),
            _ => Ok(Self { name, kind, sector }),
        }
    }

    /// The name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The kind.
    pub fn kind(&self) -> OrgKind {
        self.kind
    }
    /// The sector.
    pub fn sector(&self) -> Option<Sector> {
        self.sector
    }
}

/// A person who signs in to the web UI or owns tokens.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Person {
    /// Its id.
    pub id: PersonId,
    /// Unique, lower-cased e-mail address.
    pub email: String,
    /// How to address them.
    pub display_name: String,
    /// When they were added.
    pub created_at: Timestamp,
}

/// A validated request to create a person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewPerson {
    email: String,
    display_name: String,
}

impl NewPerson {
    /// Validates an e-mail address (one `@`, no spaces, lower-cased) and a display name.
    pub fn parse(email: &str, display_name: &str) -> Result<Self, InvalidParticipant> {
        let email = check_text("email", email, 254)?.to_lowercase();
        let valid = match email.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.is_empty()
                    && !domain.contains('@')
                    && !email.contains(char::is_whitespace)
            }
            None => false,
        };
        if !valid {
            return Err(InvalidParticipant::Field {
                field: "email",
                problem: format!("{email:?} is not an e-mail address"),
            });
        }
        let display_name = check_text("display_name", display_name, 200)?;
        Ok(Self {
            email,
            display_name,
        })
    }

    /// The e-mail address.
    pub fn email(&self) -> &str {
        &self.email
    }
    /// The display name.
    pub fn display_name(&self) -> &str {
        &self.display_name
    }
}

/// A person's role in an organization.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Membership {
    /// The person.
    pub person_id: PersonId,
    /// The organization.
    pub org_id: OrgId,
    /// The role they hold there.
    pub role: Role,
}

/// What is known about an API token, never including its secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TokenInfo {
    /// Its id.
    pub id: TokenId,
    /// The organization it acts for.
    pub org_id: OrgId,
    /// The person who created it, if any (tokens made by `admin token create` have none).
    pub person_id: Option<PersonId>,
    /// A label chosen by its owner.
    pub name: String,
    /// The one role it carries.
    pub role: Role,
    /// The first characters of the secret, enough to recognize it in a list.
    pub prefix: String,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it stops working.
    pub expires_at: Option<Timestamp>,
    /// When it was revoked.
    pub revoked_at: Option<Timestamp>,
    /// The campaign it is bound to: it may then only check targets and read that campaign.
    pub campaign: Option<CampaignId>,
}

impl TokenInfo {
    /// Whether the token may be used at `now`.
    pub fn is_active(&self, now: Timestamp) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|exp| exp > now)
    }
}

pub(crate) fn check_text(
    field: &'static str,
    value: &str,
    max_chars: usize,
) -> Result<String, InvalidParticipant> {
    let value = value.trim();
    if value.is_empty() {
        return Err(InvalidParticipant::Field {
            field,
            problem: "must not be empty".into(),
        });
    }
    if value.chars().count() > max_chars {
        return Err(InvalidParticipant::Field {
            field,
            problem: format!("longer than {max_chars} characters"),
        });
    }
    if value.chars().any(char::is_control) {
        return Err(InvalidParticipant::Field {
            field,
            problem: "contains control characters".into(),
        });
    }
    Ok(value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operators_need_a_sector_and_others_must_not_have_one() {
        assert!(NewOrganization::parse("Rural Hospital", OrgKind::Operator, None).is_err());
        assert!(NewOrganization::parse("Acme", OrgKind::Vendor, Some(Sector::Energy)).is_err());
        let org = NewOrganization::parse(
            " Valley Water ",
            OrgKind::Operator,
            Some(Sector::WaterAndWastewaterSystems),
        )
        .expect("valid");
        assert_eq!(org.name(), "Valley Water");
    }

    #[test]
    fn wire_spellings_round_trip() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(*role));
        }
        assert_eq!(Sector::ALL.len(), 16);
        let err = "plumber".parse::<Role>().expect_err("unknown");
        assert!(
            err.to_string().contains("unknown role \"plumber\""),
            "{err}"
        );
    }

    #[test]
    fn emails_are_checked_and_lowercased() {
        assert_eq!(
            NewPerson::parse("Ann@Example.ORG", "Ann")
                .expect("valid")
                .email(),
            "ann@example.org"
        );
        for bad in ["", "ann", "@x", "a@", "a b@x.org", "a@b@c"] {
            assert!(NewPerson::parse(bad, "Ann").is_err(), "{bad}");
        }
    }
}
