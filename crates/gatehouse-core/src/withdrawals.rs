//! Withdrawal requests: made by picking a saved, usable address (never a pasted one), an
//! asset of its network and an exact amount; confirmed with a step-up. When policy asks for
//! it, another admin or finance user approves or rejects (with a step-up; never their own).
//! The address is copied into the request, so later edits to the book don't rewrite history.

use std::io::Write;

use gatehouse_chains::{Network, assets, parse_amount};

use crate::accounts::Role;
use crate::audit;
use crate::clock::Timestamp;
use crate::context::{Caller, check_note};
use crate::db::{self, Row, Tx};
use crate::error::{Error, Result};
use crate::export::CsvExport;
use crate::gatehouse::Gatehouse;
use crate::ids::{AddressId, UserId, WithdrawalId};
use crate::notices::{self, Audience, NewNotice};
use crate::sessions::Actor;

/// Where a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WithdrawalStatus {
    /// Waiting for an approver.
    Pending,
    /// Approved (or needing no approval).
    Approved,
    /// Rejected by an approver.
    Rejected,
    /// Cancelled before a decision: its address entry was deleted or changed.
    Cancelled,
}

impl WithdrawalStatus {
    /// Stable lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            WithdrawalStatus::Pending => "pending",
            WithdrawalStatus::Approved => "approved",
            WithdrawalStatus::Rejected => "rejected",
            WithdrawalStatus::Cancelled => "cancelled",
        }
    }

    /// Parses a stable name.
    pub fn parse(value: &str) -> Result<Self> {
        match value.trim().to_ascii_lowercase().as_str() {
            "pending" => Ok(WithdrawalStatus::Pending),
            "approved" => Ok(WithdrawalStatus::Approved),
            "rejected" => Ok(WithdrawalStatus::Rejected),
            "cancelled" => Ok(WithdrawalStatus::Cancelled),
            _ => Err(Error::invalid("Status", "must be pending, approved, rejected or cancelled.")),
        }
    }
}

/// A withdrawal request as listed.
#[derive(Debug, Clone)]
pub struct Withdrawal {
    /// Id.
    pub id: WithdrawalId,
    /// Who asked.
    pub requester: String,
    /// The book entry it was made from (gone if deleted since).
    pub address_id: Option<AddressId>,
    /// The entry's label at the time.
    pub label: String,
    /// Network.
    pub network: Network,
    /// The address at the time.
    pub address: String,
    /// Destination tag or memo at the time.
    pub memo: Option<String>,
    /// Asset symbol, e.g. `USDT`.
    pub asset: String,
    /// Exact amount, canonical decimal text.
    pub amount: String,
    /// Requester's note.
    pub note: String,
    /// Where it stands.
    pub status: WithdrawalStatus,
    /// When it was requested.
    pub created_at: Timestamp,
    /// Who decided (approvals).
    pub decided_by: Option<String>,
    /// When.
    pub decided_at: Option<Timestamp>,
    /// The approver's note.
    pub decision_note: Option<String>,
}

/// A request to make.
#[derive(Debug, Clone)]
pub struct NewWithdrawal {
    /// The saved address to pay.
    pub address: AddressId,
    /// Asset symbol of the address's network.
    pub asset: String,
    /// Amount as typed.
    pub amount: String,
    /// Note.
    pub note: String,
}

/// Which requests to list.
#[derive(Debug, Clone, Default)]
pub struct WithdrawalQuery {
    /// Only this status.
    pub status: Option<WithdrawalStatus>,
    /// Only the caller's own, even for approvers.
    pub mine_only: bool,
}

/// Admins and finance approve withdrawals and see everyone's.
fn is_approver(actor: &Actor) -> bool {
    matches!(actor.user.role, Role::Admin | Role::Finance)
}

macro_rules! withdrawal_select {
    ($rest:literal) => {
        concat!(
            "SELECT w.id, r.email AS requester, w.address_id, w.label, w.network, w.address, w.memo, w.asset,
                    w.amount, w.note, w.status, w.created_at, d.email AS decided_by, w.decided_at, w.decision_note
             FROM withdrawals w JOIN users r ON r.id = w.requester_id LEFT JOIN users d ON d.id = w.decided_by",
            $rest
        )
    };
}

impl Gatehouse {
    /// Requests a withdrawal to a saved, usable address (step-up required).
    pub async fn create_withdrawal(&self, caller: Caller<'_>, new: NewWithdrawal) -> Result<Withdrawal> {
        let actor = self.authenticate(caller).await?;
        let address = self.address(&actor, new.address).await?;
        if !address.usable {
            return Err(Error::CoolingOff { usable_from_utc: address.usable_from.to_rfc3339() });
        }
        let symbol = new.asset.trim().to_ascii_uppercase();
        let asset = assets(address.network).iter().find(|a| a.symbol == symbol).ok_or_else(|| {
            let offered: Vec<&str> = assets(address.network).iter().map(|a| a.symbol).collect();
            Error::invalid("Asset", format!("{} offers {}.", address.network.display_name(), offered.join(", ")))
        })?;
        let amount = parse_amount(asset, &new.amount).map_err(|err| Error::invalid("Amount", err.to_string()))?;
        let note = check_note("Note", &new.note)?;
        actor.require_step_up()?;

        let status =
            if actor.policy.withdrawals_need_approval { WithdrawalStatus::Pending } else { WithdrawalStatus::Approved };
        let mut tx = self.write_tx().await?;
        // The entry read above must still be the one the request copies: this update takes
        // its row (an edit or delete at the same moment waits, then cancels the request as
        // any pending one), or finds it changed or gone since and refuses.
        let still_the_same = db::query(
            "UPDATE addresses SET last_used_at = $1
             WHERE id = $2 AND deleted_at IS NULL AND address = $3
               AND (memo = $4 OR (memo IS NULL AND $4 IS NULL)) AND usable_from <= $1",
        )
        .bind(actor.now)
        .bind(address.id)
        .bind(&address.address)
        .bind(&address.memo)
        .execute(&mut tx)
        .await?;
        if still_the_same != 1 {
            return Err(Error::AddressChanged);
        }
        let id: WithdrawalId = db::query_scalar(
            "INSERT INTO withdrawals (requester_id, address_id, label, network, address, memo, asset, amount, note,
                                      status, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        )
        .bind(actor.user.id)
        .bind(address.id)
        .bind(&address.label)
        .bind(address.network.as_str())
        .bind(&address.address)
        .bind(&address.memo)
        .bind(asset.symbol)
        .bind(amount.to_string())
        .bind(&note)
        .bind(status.as_str())
        .bind(actor.now)
        .fetch_one(&mut tx)
        .await?;
        let detail = format!("#{id}: {amount} {} to {:?} ({})", asset.symbol, address.label, address.address);
        audit::record(&mut tx, &actor, "withdrawal.requested", Some(actor.user.id), &detail).await?;
        if status == WithdrawalStatus::Pending {
            let notice = NewNotice {
                kind: "withdrawal.requested",
                title: format!("Withdrawal to approve: {amount} {}", asset.symbol),
                body: format!("{} asks to send {amount} {} to {:?}.", actor.user.email, asset.symbol, address.label),
                subject: Some(format!("withdrawal:{id}")),
                session: Some(actor.session_id),
                attempt: None,
            };
            let approvers = Audience::Roles { roles: &[Role::Admin, Role::Finance], except: Some(actor.user.id) };
            notices::raise(&mut tx, approvers, &notice, actor.now).await?;
        }
        tx.commit().await?;
        self.withdrawal(id).await
    }

    /// Approves or rejects a pending request (admins and finance, step-up, not their own).
    pub async fn decide_withdrawal(
        &self,
        caller: Caller<'_>,
        id: WithdrawalId,
        approve: bool,
        note: &str,
    ) -> Result<Withdrawal> {
        let actor = self.authenticate(caller).await?;
        if !is_approver(&actor) {
            return Err(Error::Forbidden);
        }
        let request = self.withdrawal(id).await?;
        let requester: UserId =
            db::query_scalar("SELECT requester_id FROM withdrawals WHERE id = $1").bind(id).fetch_one(&self.db).await?;
        if requester == actor.user.id {
            return Err(Error::SelfApproval);
        }
        match request.status {
            WithdrawalStatus::Pending => {}
            WithdrawalStatus::Cancelled => return Err(Error::WithdrawalCancelled),
            WithdrawalStatus::Approved | WithdrawalStatus::Rejected => return Err(Error::AlreadyDecided),
        }
        let note = check_note("Note", note)?;
        if approve {
            actor.require_settled_approver()?;
        }
        actor.require_step_up()?;
        let status = if approve { WithdrawalStatus::Approved } else { WithdrawalStatus::Rejected };
        let mut tx = self.write_tx().await?;
        // Pending, and its address entry still there: a request whose entry was deleted (or
        // changed) is never approved, whatever order the two land in.
        let decided = db::query(
            "UPDATE withdrawals SET status = $1, decided_by = $2, decided_at = $3, decision_note = $4
             WHERE id = $5 AND status = 'pending'
               AND EXISTS (SELECT 1 FROM addresses a WHERE a.id = withdrawals.address_id AND a.deleted_at IS NULL)",
        )
        .bind(status.as_str())
        .bind(actor.user.id)
        .bind(actor.now)
        .bind(&note)
        .bind(id)
        .execute(&mut tx)
        .await?;
        if decided != 1 {
            return Err(undecidable(&mut tx, id).await?);
        }
        let what = format!("{} {} to {:?}", request.amount, request.asset, request.label);
        audit::record(
            &mut tx,
            &actor,
            &format!("withdrawal.{}", status.as_str()),
            Some(requester),
            &format!("#{id}: {what}"),
        )
        .await?;
        let notice = NewNotice {
            kind: if approve { "withdrawal.approved" } else { "withdrawal.rejected" },
            title: format!("Withdrawal {}: {what}", status.as_str()),
            body: format!(
                "{} {} your request.{}",
                actor.user.email,
                status.as_str(),
                if note.is_empty() { String::new() } else { format!(" Note: {note}") }
            ),
            subject: Some(format!("withdrawal:{id}")),
            session: Some(actor.session_id),
            attempt: None,
        };
        notices::raise(&mut tx, Audience::Users(&[requester]), &notice, actor.now).await?;
        tx.commit().await?;
        self.withdrawal(id).await
    }

    /// Requests the caller may see: their own, and everyone's for approvers. Newest first.
    pub async fn list_withdrawals(&self, caller: Caller<'_>, query: &WithdrawalQuery) -> Result<Vec<Withdrawal>> {
        let actor = self.authenticate(caller).await?;
        let mut sql = db::Builder::new(withdrawal_select!(" WHERE 1 = 1"));
        if query.mine_only || !is_approver(&actor) {
            sql.push(" AND w.requester_id = ").push_bind(actor.user.id);
        }
        if let Some(status) = query.status {
            sql.push(" AND w.status = ").push_bind(status.as_str());
        }
        sql.push(" ORDER BY w.created_at DESC, w.id DESC LIMIT 1000");
        let rows = sql.build().fetch_all(&self.db).await?;
        rows.iter().map(withdrawal_from_row).collect()
    }

    /// Writes the requests the caller may see as CSV to what `open` opens, once the request
    /// was accepted (see `export`); returns the count.
    pub async fn export_withdrawals_csv<W: Write>(
        &self,
        caller: Caller<'_>,
        query: &WithdrawalQuery,
        open: impl FnOnce() -> std::io::Result<W>,
    ) -> Result<u64> {
        let rows = self.list_withdrawals(caller, query).await?;
        let header = [
            "id",
            "requested_utc",
            "requester",
            "status",
            "asset",
            "amount",
            "network",
            "label",
            "address",
            "memo",
            "note",
            "decided_by",
            "decided_utc",
            "decision_note",
        ];
        let mut csv = CsvExport::start(open, &header)?;
        for w in &rows {
            csv.row([
                &w.id.to_string(),
                &w.created_at.to_rfc3339(),
                &w.requester,
                w.status.as_str(),
                &w.asset,
                &w.amount,
                w.network.as_str(),
                &w.label,
                &w.address,
                w.memo.as_deref().unwrap_or_default(),
                &w.note,
                w.decided_by.as_deref().unwrap_or_default(),
                &w.decided_at.map(Timestamp::to_rfc3339).unwrap_or_default(),
                w.decision_note.as_deref().unwrap_or_default(),
            ])?;
        }
        csv.finish()
    }

    async fn withdrawal(&self, id: WithdrawalId) -> Result<Withdrawal> {
        let row = db::query(withdrawal_select!(" WHERE w.id = $1"))
            .bind(id)
            .fetch_optional(&self.db)
            .await?
            .ok_or(Error::NotFound { what: "Withdrawal request" })?;
        withdrawal_from_row(&row)
    }
}

fn withdrawal_from_row(row: &Row) -> Result<Withdrawal> {
    let network: String = row.try_get("network")?;
    Ok(Withdrawal {
        id: row.try_get("id")?,
        requester: row.try_get("requester")?,
        address_id: row.try_get("address_id")?,
        label: row.try_get("label")?,
        network: Network::parse(&network).map_err(|err| Error::Internal(format!("stored network: {err}")))?,
        address: row.try_get("address")?,
        memo: row.try_get("memo")?,
        asset: row.try_get("asset")?,
        amount: row.try_get("amount")?,
        note: row.try_get("note")?,
        status: WithdrawalStatus::parse(&row.try_get::<String>("status")?)?,
        created_at: row.try_get("created_at")?,
        decided_by: row.try_get("decided_by")?,
        decided_at: row.try_get("decided_at")?,
        decision_note: row.try_get("decision_note")?,
    })
}

/// Why a pending request could not be decided: it was cancelled meanwhile, its address entry
/// is gone (cancelled now), or someone else decided first.
async fn undecidable(conn: &mut Tx, id: WithdrawalId) -> Result<Error> {
    let status: String =
        db::query_scalar("SELECT status FROM withdrawals WHERE id = $1").bind(id).fetch_one(conn).await?;
    Ok(match WithdrawalStatus::parse(&status)? {
        WithdrawalStatus::Approved | WithdrawalStatus::Rejected => Error::AlreadyDecided,
        WithdrawalStatus::Pending | WithdrawalStatus::Cancelled => Error::WithdrawalCancelled,
    })
}

/// Cancels the requests to address entry `address` still waiting for approval (the entry
/// was deleted, or its address or memo changed: `why`), and tells each requester.
pub(crate) async fn cancel_pending_withdrawals(
    conn: &mut Tx,
    actor: &Actor,
    address: AddressId,
    why: &str,
) -> Result<()> {
    let cancelled = db::query(
        "UPDATE withdrawals SET status = 'cancelled', decided_at = $1, decision_note = $2
         WHERE address_id = $3 AND status = 'pending'
         RETURNING id, requester_id, amount, asset, label",
    )
    .bind(actor.now)
    .bind(format!("Cancelled: {why}."))
    .bind(address)
    .fetch_all(&mut *conn)
    .await?;
    for row in cancelled {
        let id: WithdrawalId = row.try_get("id")?;
        let requester: UserId = row.try_get("requester_id")?;
        let (amount, asset, label): (String, String, String) =
            (row.try_get("amount")?, row.try_get("asset")?, row.try_get("label")?);
        let what = format!("{amount} {asset} to {label:?}");
        audit::record(conn, actor, "withdrawal.cancelled", Some(requester), &format!("#{id}: {what}: {why}")).await?;
        let notice = NewNotice {
            kind: "withdrawal.cancelled",
            title: format!("Withdrawal cancelled: {what}"),
            body: format!(
                "Your request was cancelled before anyone approved it because {why} (by {}). Make a new request if \
                 it is still needed.",
                actor.user.email
            ),
            subject: Some(format!("withdrawal:{id}")),
            session: Some(actor.session_id),
            attempt: None,
        };
        notices::raise(&mut *conn, Audience::Users(&[requester]), &notice, actor.now).await?;
    }
    Ok(())
}
