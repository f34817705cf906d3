//! The API integration suite: real servers on random loopback ports, real HTTP, on every
//! configured engine (SQLite always; PostgreSQL when `CLEARINGHOUSE_TEST_POSTGRES` is set).

mod authz_matrix;
mod bad_input;
mod campaigns;
mod coordination;
mod inventory;
mod log;
mod openapi;
mod participants;
mod shared_data;
mod support;
mod vex;
mod webhooks;
