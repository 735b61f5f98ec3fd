//! Confirming it's really the user inside a session: the password (unlock, password change,
//! step-up without 2FA) or a second factor (step-up with 2FA, turning 2FA off).
//!
//! Each session has its own count of wrong answers, claimed before the answer is checked
//! (so parallel guesses can't exceed it): the fifth wrong answer ends the session. Sign-in
//! failures never block these checks — a guesser hammering an email can't lock its owner out
//! of their own session — but wrong answers still count on the account (consecutive
//! failures, see `throttle`) and are recorded in the sign-in activity.

use std::net::IpAddr;

use crate::accounts::{Email, User};
use crate::activity::AttemptReason;
use crate::clock::Timestamp;
use crate::db;
use crate::error::{Error, Result};
use crate::gatehouse::Gatehouse;
use crate::ids::SessionId;
use crate::passwords::check_password_input;
use crate::sessions::{self, Actor, EndReason, Ending, Sessions};
use crate::signin::{Attempt, Counting};
use crate::two_factor::SecondFactorKind;

/// Wrong answers one session may give; the last of them ends it.
pub const SESSION_WRONG_ANSWERS_MAX: i64 = 5;

/// What the user answers.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Proof<'a> {
    /// Their password.
    Password(&'a str),
    /// An authenticator code or a backup code.
    SecondFactor(&'a str),
}

/// The session asking, and when.
#[derive(Debug, Clone, Copy)]
pub(crate) struct InSession<'a> {
    pub user: &'a User,
    pub session: SessionId,
    pub ip: Option<IpAddr>,
    pub now: Timestamp,
}

impl<'a> From<&'a Actor> for InSession<'a> {
    fn from(actor: &'a Actor) -> Self {
        InSession { user: &actor.user, session: actor.session_id, ip: actor.ip, now: actor.now }
    }
}

impl Gatehouse {
    /// Checks `proof` from the user of a session. Returns the second factor used (none for
    /// a password). A wrong answer is [`Error::WrongPassword`] or [`Error::InvalidCode`];
    /// the fifth in a session ends it ([`Error::TooManyWrongAnswers`]).
    pub(crate) async fn confirm_in_session(
        &self,
        asking: InSession<'_>,
        proof: Proof<'_>,
    ) -> Result<Option<SecondFactorKind>> {
        if let Proof::Password(password) = proof {
            check_password_input(password)?;
        }
        let claimed: Option<i64> = db::query_scalar(
            "UPDATE sessions SET confirm_failures = confirm_failures + 1
             WHERE id = $1 AND ended_at IS NULL AND confirm_failures < $2 RETURNING confirm_failures",
        )
        .bind(asking.session)
        .bind(SESSION_WRONG_ANSWERS_MAX)
        .fetch_optional(&self.db)
        .await?;
        let Some(answers) = claimed else { return Err(Error::TooManyWrongAnswers) };

        let email = Email::parse(&asking.user.email)?;
        let known = self.known(&email, asking.ip, asking.now).await?;
        let accepted = match proof {
            Proof::Password(password) => {
                let hash = known.account.as_ref().map(|account| account.hash.as_str()).ok_or(Error::SignedOut)?;
                self.hasher.verify(password, Some(hash)).await?.matches.then_some(None)
            }
            Proof::SecondFactor(answer) => self.use_second_factor(asking.user.id, answer, asking.now).await?.map(Some),
        };
        if let Some(kind) = accepted {
            db::query("UPDATE sessions SET confirm_failures = 0 WHERE id = $1")
                .bind(asking.session)
                .execute(&self.db)
                .await?;
            return Ok(kind);
        }

        let source = self.session_source(asking.session, asking.ip).await?;
        let attempt = Attempt {
            email: &email,
            user: Some(asking.user.id),
            source: &source,
            policy: &known.policy,
            now: asking.now,
        };
        let (reason, wrong) = match proof {
            Proof::Password(_) => (AttemptReason::ConfirmationFailed, Error::WrongPassword),
            Proof::SecondFactor(answer) => (SecondFactorKind::of_answer(answer).failure_reason(), Error::InvalidCode),
        };
        self.record_failure(&attempt, reason, Counting::AccountAndAddress).await?;
        if answers < SESSION_WRONG_ANSWERS_MAX {
            return Err(wrong);
        }
        let mut tx = self.write_tx().await?;
        sessions::end_matching(
            &mut tx,
            Sessions::One(asking.session),
            Ending::by_system(EndReason::WrongAnswers, asking.now),
        )
        .await?;
        tx.commit().await?;
        Err(Error::TooManyWrongAnswers)
    }
}
