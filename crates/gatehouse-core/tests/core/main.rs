//! Integration tests of gatehouse-core on a real SQLite file in a temporary folder, with a
//! clock the tests move. One test binary for the whole crate (link time is precious).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

mod activity;
mod address_book;
mod alerts;
mod approvers;
mod checkup;
mod concurrency;
mod devices;
mod events;
mod geo;
mod guessing;
mod import;
mod keys;
mod policy;
mod risk;
mod sessions;
mod signin;
mod store;
mod two_factor;
mod users;
