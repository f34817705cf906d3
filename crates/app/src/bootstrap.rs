//! First start and the demo world.
//!
//! At first start (no people at all) the server creates the administration organization and one
//! administrator who signs in through a one-time link printed on the console: there is no default
//! password to forget to change.

use clearinghouse_domain::authz::Actor;
use clearinghouse_domain::{NewOrganization, NewPerson, OrgKind, Role, Sector};

use crate::App;
use crate::error::{Error, Result};
use crate::participants::PersonRequest;

/// The organization the first administrator belongs to.
pub const ADMIN_ORG_NAME: &str = "Clearinghouse Administration";
/// The first administrator's e-mail address.
pub const ADMIN_EMAIL: &str = "admin@clearinghouse.localhost";

/// What first start created.
#[derive(Clone, Debug)]
pub struct Bootstrapped {
    /// The one-time sign-in link secret for the administrator.
    pub signin_secret: String,
}

impl App {
    /// Creates the first administrator if nobody exists yet. Several servers starting at once on
    /// one PostgreSQL database race harmlessly: the loser sees a conflict and creates nothing.
    pub async fn bootstrap_if_empty(&self) -> Result<Option<Bootstrapped>> {
        if self.store.count_people().await? > 0 {
            return Ok(None);
        }
        let system = Actor::system();
        let org = match self
            .create_org(
                &system,
                NewOrganization::parse(ADMIN_ORG_NAME, OrgKind::Government, None)?,
            )
            .await
        {
            Ok(org) => org,
            Err(Error::Conflict(_)) => return Ok(None),
            Err(e) => return Err(e),
        };
        let request = PersonRequest {
            person: NewPerson::parse(ADMIN_EMAIL, "Administrator")?,
            org: org.id,
            role: Role::Admin,
            password: None,
        };
        let admin = match self.create_person(&system, request).await {
            Ok(admin) => admin,
            Err(Error::Conflict(_)) => return Ok(None),
            Err(e) => return Err(e),
        };
        let signin_secret = self.create_signin_link(&system, admin.person.id).await?;
        Ok(Some(Bootstrapped { signin_secret }))
    }

    /// Fills an empty clearinghouse with a small synthetic world so a newcomer sees a populated
    /// UI: agencies, an AI company, vendors, operators in several sectors, a validator. Every name
    /// is invented. Returns the demo people's e-mail addresses; they all share `password`.
    pub async fn seed_demo(&self, password: &str) -> Result<Vec<(String, String, Role)>> {
        let system = Actor::system();
        let orgs: [(&str, OrgKind, Option<Sector>); 10] = [
            (
                "Treasury Office of Cyber Coordination",
                OrgKind::Government,
                None,
            ),
            (
                "Infrastructure Security Agency (demo)",
                OrgKind::Government,
                None,
            ),
            ("Northwind AI Labs", OrgKind::AiDeveloper, None),
            ("Tinyhttp Maintainers", OrgKind::Vendor, None),
            ("Acme Industrial Controls", OrgKind::Vendor, None),
            (
                "Valley County Hospital",
                OrgKind::Operator,
                Some(Sector::HealthcareAndPublicHealth),
            ),
            (
                "First Prairie Community Bank",
                OrgKind::Operator,
                Some(Sector::FinancialServices),
            ),
            (
                "Riverbend Water Authority",
                OrgKind::Operator,
                Some(Sector::WaterAndWastewaterSystems),
            ),
            ("State of Franklin Cyber Office", OrgKind::StateLocal, None),
            ("Independent Validation Lab", OrgKind::Validator, None),
        ];
        let people: [(&str, &str, usize, Role); 10] = [
            ("analyst@treasury.demo", "Dana Analyst", 0, Role::Analyst),
            ("auditor@treasury.demo", "Avery Auditor", 0, Role::Auditor),
            ("evaluator@isa.demo", "Evan Evaluator", 1, Role::Evaluator),
            (
                "researcher@northwind.demo",
                "Riley Researcher",
                2,
                Role::Finder,
            ),
            (
                "maintainer@tinyhttp.demo",
                "Morgan Maintainer",
                3,
                Role::VendorContact,
            ),
            ("psirt@acme.demo", "Pat Psirt", 4, Role::VendorContact),
            (
                "it@valleyhospital.demo",
                "Sam Sysadmin",
                5,
                Role::OperatorContact,
            ),
            (
                "security@firstprairie.demo",
                "Jordan Banker",
                6,
                Role::OperatorContact,
            ),
            ("ops@riverbend.demo", "Casey Operator", 7, Role::Manager),
            ("validator@ivl.demo", "Vic Validator", 9, Role::Validator),
        ];
        let mut ids = Vec::with_capacity(orgs.len());
        for (name, kind, sector) in orgs {
            ids.push(
                self.create_org(&system, NewOrganization::parse(name, kind, sector)?)
                    .await?
                    .id,
            );
        }
        let mut created = Vec::with_capacity(people.len());
        for (email, name, org, role) in people {
            let request = PersonRequest {
                person: NewPerson::parse(email, name)?,
                org: ids[org],
                role,
                password: Some(password.to_owned()),
            };
            self.create_person(&system, request).await?;
            created.push((email.to_owned(), orgs[org].0.to_owned(), role));
        }
        Ok(created)
    }
}
