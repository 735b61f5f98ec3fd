//! What clients send, and how it becomes core input.

use gatehouse_core::{ActivityFilter, ActivityId, ActivityScope, NewUser, Role, Timestamp, UserId};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::ApiError;

/// Reads a role from the wire.
fn role(value: &str) -> Result<Role, ApiError> {
    Role::parse(value).map_err(ApiError::from)
}

/// A user to create (admins).
#[derive(Clone, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct NewUserRequest {
    /// Email.
    pub email: String,
    /// Display name (empty: from the email).
    pub name: String,
    /// `admin`, `finance` or `member`.
    pub role: String,
    /// Initial password.
    pub password: String,
}

impl std::fmt::Debug for NewUserRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewUserRequest").field("email", &self.email).field("role", &self.role).finish_non_exhaustive()
    }
}

impl NewUserRequest {
    /// The core's form of this request.
    pub fn into_new_user(self) -> Result<NewUser, ApiError> {
        Ok(NewUser { role: role(&self.role)?, email: self.email, name: self.name, password: self.password.into() })
    }
}

/// A position in a list of sign-in attempts: the last row of the previous page.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ActivityCursor {
    /// That row's time.
    pub at: i64,
    /// That row's id.
    pub id: i64,
}

/// Which sign-in attempts to list or export.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
#[ts(export)]
pub struct ActivityQuery {
    /// One user's attempts (admins; default: the caller's own).
    pub user_id: Option<i64>,
    /// Everyone's attempts, including unknown emails (admins).
    pub everyone: bool,
    /// Only failures.
    pub failures_only: bool,
    /// Only attempts with risk flags (may be left out; default false).
    #[ts(as = "Option<bool>", optional)]
    pub flagged_only: bool,
    /// From this time (ms, inclusive).
    pub since: Option<i64>,
    /// Up to this time (ms, exclusive).
    pub until: Option<i64>,
    /// Continue after this row.
    pub before: Option<ActivityCursor>,
    /// Page size (default 50, at most 1,000).
    pub limit: Option<u32>,
}

impl ActivityQuery {
    /// The core's filter for this query.
    pub fn to_filter(&self) -> ActivityFilter {
        let scope = match (self.everyone, self.user_id) {
            (true, _) => ActivityScope::Everyone,
            (false, Some(user)) => ActivityScope::User(UserId(user)),
            (false, None) => ActivityScope::Own,
        };
        ActivityFilter {
            scope,
            failures_only: self.failures_only,
            flagged_only: self.flagged_only,
            since: self.since.map(Timestamp::from_millis),
            until: self.until.map(Timestamp::from_millis),
            before: self.before.map(|c| (Timestamp::from_millis(c.at), ActivityId(c.id))),
            limit: self.limit,
        }
    }
}
