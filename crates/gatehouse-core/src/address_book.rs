//! The address book: trusted withdrawal addresses, validated per network
//! (`gatehouse-chains`), personal or shared with the team, usable only after the policy's
//! cooling-off period, and guarded against look-alikes (address poisoning). Every change
//! needs a step-up, is audited and raises an in-app notice.

use std::io::Write;

use gatehouse_chains::{Network, lookalike, validate, validate_memo};

use crate::accounts::Role;
use crate::audit;
use crate::clock::Timestamp;
use crate::context::{Caller, check_label, check_note};
use crate::db::{self, Lock, Row, Tx};
use crate::dialect;
use crate::error::{Error, Result};
use crate::export::CsvExport;
use crate::gatehouse::Gatehouse;
use crate::ids::{AddressId, UserId};
use crate::notices::{self, Audience, NewNotice};
use crate::sessions::Actor;
use crate::withdrawals::cancel_pending_withdrawals;

/// The select list of [`address_from_row`] (a macro, so queries stay `&'static str`).
macro_rules! concat_address_select {
    ($rest:literal) => {
        concat!(
            "SELECT a.id, a.owner_id, a.label, a.network, a.address, a.memo, a.note, u.email AS added_by,
                    a.created_at, a.updated_at, a.usable_from, a.last_used_at
             FROM addresses a JOIN users u ON u.id = a.added_by",
            $rest
        )
    };
}

/// Longest label.
pub const LABEL_MAX_CHARS: usize = 64;
/// Most rows one search returns.
const SEARCH_LIMIT: u32 = 200;

/// Whose an address is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressScope {
    /// The owner's own.
    Personal,
    /// The whole team's, managed by admins and finance.
    Shared,
}

impl AddressScope {
    /// Stable lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            AddressScope::Personal => "personal",
            AddressScope::Shared => "shared",
        }
    }

    /// Parses `personal` or `shared`.
    pub fn parse(value: &str) -> Result<Self> {
        match value.trim().to_ascii_lowercase().as_str() {
            "personal" => Ok(AddressScope::Personal),
            "shared" => Ok(AddressScope::Shared),
            _ => Err(Error::invalid("Scope", "must be personal or shared.")),
        }
    }
}

/// A saved address as listed.
#[derive(Debug, Clone)]
pub struct SavedAddress {
    /// Id.
    pub id: AddressId,
    /// Personal or shared.
    pub scope: AddressScope,
    /// Label (unique per owner).
    pub label: String,
    /// Network.
    pub network: Network,
    /// The address in canonical form.
    pub address: String,
    /// Destination tag or memo, where the network has one.
    pub memo: Option<String>,
    /// Free text.
    pub note: String,
    /// Who added it.
    pub added_by: String,
    /// When it was added.
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
    /// When its cooling-off ends.
    pub usable_from: Timestamp,
    /// Whether it can be used for a withdrawal now.
    pub usable: bool,
    /// Last withdrawal to it.
    pub last_used_at: Option<Timestamp>,
}

/// An address to save. `accept_lookalike` confirms the user saw the look-alike warning.
#[derive(Debug, Clone)]
pub struct NewAddress {
    /// Label.
    pub label: String,
    /// Network name (`bitcoin`, `ethereum`, …).
    pub network: String,
    /// Address as pasted.
    pub address: String,
    /// Destination tag or memo.
    pub memo: Option<String>,
    /// Note.
    pub note: String,
    /// Personal or shared.
    pub scope: AddressScope,
    /// The user confirmed a look-alike warning.
    pub accept_lookalike: bool,
}

/// Changes to a saved address (the network stays).
#[derive(Debug, Clone)]
pub struct AddressChanges {
    /// New label.
    pub label: String,
    /// New address as pasted.
    pub address: String,
    /// New destination tag or memo.
    pub memo: Option<String>,
    /// New note.
    pub note: String,
    /// The user confirmed a look-alike warning.
    pub accept_lookalike: bool,
}

/// A saved address that looks like a candidate: same start and end, different middle.
#[derive(Debug, Clone)]
pub struct LookAlikeMatch {
    /// The saved entry.
    pub id: AddressId,
    /// Its label.
    pub label: String,
    /// Its address.
    pub address: String,
    /// The byte range of the candidate that differs.
    pub candidate_middle: std::ops::Range<usize>,
    /// The byte range of the saved address that differs.
    pub saved_middle: std::ops::Range<usize>,
}

/// Which addresses to list.
#[derive(Debug, Clone, Default)]
pub struct AddressQuery {
    /// A fragment of the label or the address (case-insensitive).
    pub search: Option<String>,
    /// One network only.
    pub network: Option<String>,
    /// Only those usable for a withdrawal now.
    pub usable_only: bool,
}

/// A validated address, its memo and the validator's remarks.
struct Checked {
    network: Network,
    address: String,
    memo: Option<String>,
    notes: Vec<String>,
}

fn check_address(network: Network, address: &str, memo: Option<&str>) -> Result<Checked> {
    let valid = validate(network, address).map_err(|err| Error::invalid("Address", err.to_string()))?;
    let memo = validate_memo(network, memo).map_err(|err| Error::invalid("Memo", err.to_string()))?;
    Ok(Checked { network, address: valid.address, memo, notes: valid.notes })
}

fn parse_network(name: &str) -> Result<Network> {
    Network::parse(name).map_err(|err| Error::invalid("Network", err.to_string()))
}

/// Checks an address without saving it: the canonical form and remarks, or why not.
pub fn check(network: &str, address: &str, memo: Option<&str>) -> Result<(String, Vec<String>)> {
    let checked = check_address(parse_network(network)?, address, memo)?;
    Ok((checked.address, checked.notes))
}

/// Admins and finance manage shared entries.
fn may_manage_shared(actor: &Actor) -> bool {
    matches!(actor.user.role, Role::Admin | Role::Finance)
}

impl Gatehouse {
    /// Saves an address (step-up required). Refused when it looks like a saved one unless
    /// the user confirmed the warning; usable after the policy's cooling-off.
    pub async fn add_address(&self, caller: Caller<'_>, new: NewAddress) -> Result<(SavedAddress, Vec<String>)> {
        let actor = self.authenticate(caller).await?;
        let label = new.label.trim().to_owned();
        check_label("Label", &label, LABEL_MAX_CHARS)?;
        let checked = check_address(parse_network(&new.network)?, &new.address, new.memo.as_deref())?;
        let note = check_note("Note", &new.note)?;
        if new.scope == AddressScope::Shared && !may_manage_shared(&actor) {
            return Err(Error::Forbidden);
        }
        let owner = (new.scope == AddressScope::Personal).then_some(actor.user.id);
        let usable_from = actor.now.plus(actor.policy.address_cooling_off());
        let mut tx = self.write_tx().await?;
        // Checked inside the write transaction, under the address-book lock, so two saves at
        // once can't both pass; the unique index `addresses_one_live_entry` holds the line
        // for duplicates regardless.
        tx.lock(Lock::AddressBook).await?;
        refuse_duplicate(&mut tx, owner, &checked, None).await?;
        refuse_lookalikes(&mut tx, &actor, &checked, None, new.accept_lookalike).await?;
        actor.require_step_up()?;
        let inserted = db::query_scalar(
            "INSERT INTO addresses (owner_id, label, network, address, memo, note, added_by, created_at, updated_at,
                                    usable_from)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(owner)
        .bind(&label)
        .bind(checked.network.as_str())
        .bind(&checked.address)
        .bind(&checked.memo)
        .bind(&note)
        .bind(actor.user.id)
        .bind(actor.now)
        .bind(actor.now)
        .bind(usable_from)
        .fetch_one(&mut tx)
        .await;
        let id: AddressId = match inserted {
            Ok(id) => id,
            Err(err) => {
                // A failed statement ends a PostgreSQL transaction: look from outside it.
                drop(tx);
                return Err(entry_conflict(&self.db, err, owner, &checked, None).await);
            }
        };
        let detail =
            format!("{} address {:?} on {}: {}", new.scope.as_str(), label, checked.network.as_str(), checked.address);
        audit::record(&mut tx, &actor, "address.added", owner, &detail).await?;
        let notice = NewNotice {
            kind: "address.added",
            title: format!("Address added: {label}"),
            body: format!(
                "{} added {} on {}. It can be used from the end of its cooling-off period.",
                actor.user.email,
                checked.address,
                checked.network.display_name()
            ),
            subject: Some(format!("address:{id}")),
            session: Some(actor.session_id),
            attempt: None,
        };
        tell_address_audience(&mut tx, owner, &notice, actor.now).await?;
        tx.commit().await?;
        Ok((self.address(&actor, id).await?, checked.notes))
    }

    /// Edits a saved address (step-up required). Changing the address or memo starts the
    /// cooling-off again and cancels the requests to it still waiting for approval.
    pub async fn edit_address(
        &self,
        caller: Caller<'_>,
        id: AddressId,
        changes: AddressChanges,
    ) -> Result<(SavedAddress, Vec<String>)> {
        let actor = self.authenticate(caller).await?;
        let current = self.address(&actor, id).await?;
        self.require_manage(&actor, &current)?;
        let label = changes.label.trim().to_owned();
        check_label("Label", &label, LABEL_MAX_CHARS)?;
        let checked = check_address(current.network, &changes.address, changes.memo.as_deref())?;
        let note = check_note("Note", &changes.note)?;
        let owner = (current.scope == AddressScope::Personal).then_some(actor.user.id);
        let moved = checked.address != current.address || checked.memo != current.memo;
        let usable_from = if moved { actor.now.plus(actor.policy.address_cooling_off()) } else { current.usable_from };
        let mut tx = self.write_tx().await?;
        if moved {
            tx.lock(Lock::AddressBook).await?;
            refuse_duplicate(&mut tx, owner, &checked, Some(id)).await?;
            refuse_lookalikes(&mut tx, &actor, &checked, Some(id), changes.accept_lookalike).await?;
        }
        actor.require_step_up()?;
        let updated = db::query(
            "UPDATE addresses SET label = $1, address = $2, memo = $3, note = $4, updated_at = $5, usable_from = $6
             WHERE id = $7 AND deleted_at IS NULL",
        )
        .bind(&label)
        .bind(&checked.address)
        .bind(&checked.memo)
        .bind(&note)
        .bind(actor.now)
        .bind(usable_from)
        .bind(id)
        .execute(&mut tx)
        .await;
        if let Err(err) = updated {
            drop(tx);
            return Err(entry_conflict(&self.db, err, owner, &checked, Some(id)).await);
        }
        if moved {
            let why = format!("the address of {:?} was changed", current.label);
            cancel_pending_withdrawals(&mut tx, &actor, id, &why).await?;
        }
        let detail = if moved {
            format!("{:?}: {} -> {}", current.label, current.address, checked.address)
        } else {
            format!("{:?} renamed or re-noted as {:?}", current.label, label)
        };
        audit::record(&mut tx, &actor, "address.changed", owner, &detail).await?;
        let notice = NewNotice {
            kind: "address.changed",
            title: format!("Address changed: {label}"),
            body: if moved {
                format!("{} changed the address to {}; it is cooling off again.", actor.user.email, checked.address)
            } else {
                format!("{} changed the label or note.", actor.user.email)
            },
            subject: Some(format!("address:{id}")),
            session: Some(actor.session_id),
            attempt: None,
        };
        tell_address_audience(&mut tx, owner, &notice, actor.now).await?;
        tx.commit().await?;
        Ok((self.address(&actor, id).await?, checked.notes))
    }

    /// Deletes a saved address (step-up required). Withdrawals made to it keep their copy;
    /// those still waiting for approval are cancelled (their requesters are told why).
    pub async fn delete_address(&self, caller: Caller<'_>, id: AddressId) -> Result<()> {
        let actor = self.authenticate(caller).await?;
        let current = self.address(&actor, id).await?;
        self.require_manage(&actor, &current)?;
        actor.require_step_up()?;
        let owner = (current.scope == AddressScope::Personal).then_some(actor.user.id);
        let mut tx = self.write_tx().await?;
        db::query("UPDATE addresses SET deleted_at = $1 WHERE id = $2")
            .bind(actor.now)
            .bind(id)
            .execute(&mut tx)
            .await?;
        let why = format!("{:?} was deleted from the address book", current.label);
        cancel_pending_withdrawals(&mut tx, &actor, id, &why).await?;
        audit::record(&mut tx, &actor, "address.deleted", owner, &format!("{:?}: {}", current.label, current.address))
            .await?;
        let notice = NewNotice {
            kind: "address.deleted",
            title: format!("Address deleted: {}", current.label),
            body: format!("{} deleted {} from the address book.", actor.user.email, current.address),
            subject: None,
            session: Some(actor.session_id),
            attempt: None,
        };
        tell_address_audience(&mut tx, owner, &notice, actor.now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// One saved address the caller can see, by id (however big the book).
    pub async fn saved_address(&self, caller: Caller<'_>, id: AddressId) -> Result<SavedAddress> {
        let actor = self.authenticate(caller).await?;
        self.address(&actor, id).await
    }

    /// Saved addresses the caller can see (their own and the shared ones), by label.
    pub async fn list_addresses(&self, caller: Caller<'_>, query: &AddressQuery) -> Result<Vec<SavedAddress>> {
        let actor = self.authenticate(caller).await?;
        let mut sql = db::Builder::new(ADDRESS_SELECT);
        sql.push(" WHERE a.deleted_at IS NULL AND (a.owner_id IS NULL OR a.owner_id = ")
            .push_bind(actor.user.id)
            .push(")");
        if let Some(network) = query.network.as_deref().filter(|n| !n.trim().is_empty()) {
            sql.push(" AND a.network = ").push_bind(parse_network(network)?.as_str());
        }
        if let Some(search) = query.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            if search.chars().count() > 128 {
                return Err(Error::invalid("Search", "must be at most 128 characters."));
            }
            dialect::push_search(&mut sql, &self.db, search).await?;
        }
        if query.usable_only {
            sql.push(" AND a.usable_from <= ").push_bind(actor.now);
        }
        sql.push(dialect::label_order(self.db.dialect())).push(" LIMIT ").push_bind(SEARCH_LIMIT);
        let rows = sql.build().plan_with_values().fetch_all(&self.db).await?;
        rows.iter().map(|row| address_from_row(row, actor.now)).collect()
    }

    /// Saved addresses (visible to the caller, same network) that look like `address`.
    pub async fn find_lookalikes(
        &self,
        caller: Caller<'_>,
        network: &str,
        address: &str,
    ) -> Result<Vec<LookAlikeMatch>> {
        let actor = self.authenticate(caller).await?;
        let checked = check_address(parse_network(network)?, address, None)?;
        let mut read = self.db.begin_read().await?;
        lookalikes(&mut read, &actor, &checked, None).await
    }

    /// Writes the addresses the caller can see as CSV to what `open` opens, once the request
    /// was accepted (see `export`); returns the count.
    pub async fn export_addresses_csv<W: Write>(
        &self,
        caller: Caller<'_>,
        open: impl FnOnce() -> std::io::Result<W>,
    ) -> Result<u64> {
        let addresses = self.list_all_visible(caller).await?;
        let header = [
            "label",
            "scope",
            "network",
            "address",
            "memo",
            "note",
            "added_by",
            "added_utc",
            "usable_from_utc",
            "last_used_utc",
        ];
        let mut csv = CsvExport::start(open, &header)?;
        for a in &addresses {
            csv.row([
                a.label.as_str(),
                a.scope.as_str(),
                a.network.as_str(),
                a.address.as_str(),
                a.memo.as_deref().unwrap_or_default(),
                a.note.as_str(),
                a.added_by.as_str(),
                &a.created_at.to_rfc3339(),
                &a.usable_from.to_rfc3339(),
                &a.last_used_at.map(Timestamp::to_rfc3339).unwrap_or_default(),
            ])?;
        }
        csv.finish()
    }

    async fn list_all_visible(&self, caller: Caller<'_>) -> Result<Vec<SavedAddress>> {
        let actor = self.authenticate(caller).await?;
        let mut sql = db::Builder::new(concat_address_select!(
            " WHERE a.deleted_at IS NULL AND (a.owner_id IS NULL OR a.owner_id = "
        ));
        sql.push_bind(actor.user.id).push(")").push(dialect::label_order(self.db.dialect()));
        let rows = sql.build().fetch_all(&self.db).await?;
        rows.iter().map(|row| address_from_row(row, actor.now)).collect()
    }

    /// One address the actor can see.
    pub(crate) async fn address(&self, actor: &Actor, id: AddressId) -> Result<SavedAddress> {
        let row = db::query(concat_address_select!(
            " WHERE a.id = $1 AND a.deleted_at IS NULL AND (a.owner_id IS NULL OR a.owner_id = $2)"
        ))
        .bind(id)
        .bind(actor.user.id)
        .fetch_optional(&self.db)
        .await?
        .ok_or(Error::NotFound { what: "Address" })?;
        address_from_row(&row, actor.now)
    }

    fn require_manage(&self, actor: &Actor, address: &SavedAddress) -> Result<()> {
        if address.scope == AddressScope::Shared && !may_manage_shared(actor) { Err(Error::Forbidden) } else { Ok(()) }
    }
}

/// Refuses an address already in the same book (personal or shared) with the same memo.
async fn refuse_duplicate(
    conn: &mut Tx,
    owner: Option<UserId>,
    checked: &Checked,
    except: Option<AddressId>,
) -> Result<()> {
    match duplicate_label(conn, owner, checked, except).await? {
        Some(label) => Err(Error::DuplicateAddress { label }),
        None => Ok(()),
    }
}

/// The label of the live entry with the same owner, network, address and memo, if any.
async fn duplicate_label(
    conn: &mut Tx,
    owner: Option<UserId>,
    checked: &Checked,
    except: Option<AddressId>,
) -> Result<Option<String>> {
    db::query_scalar(
        "SELECT label FROM addresses WHERE deleted_at IS NULL AND network = $1 AND address = $2
           AND coalesce(memo, '') = coalesce($3, '') AND owner_id IS NOT DISTINCT FROM $4 AND id IS DISTINCT FROM $5",
    )
    .bind(checked.network.as_str())
    .bind(&checked.address)
    .bind(&checked.memo)
    .bind(owner)
    .bind(except)
    .fetch_optional(conn)
    .await
}

/// What a unique-index violation on saving an entry means: the same address already saved,
/// or the label taken. Anything else stays a storage error.
async fn entry_conflict(
    db: &db::Pool,
    err: Error,
    owner: Option<UserId>,
    checked: &Checked,
    except: Option<AddressId>,
) -> Error {
    if !err.is_unique_violation() {
        return err;
    }
    let mut read = match db.begin_read().await {
        Ok(read) => read,
        Err(err) => return err,
    };
    match duplicate_label(&mut read, owner, checked, except).await {
        Ok(Some(label)) => Error::DuplicateAddress { label },
        Ok(None) => Error::LabelTaken,
        Err(err) => err,
    }
}

async fn refuse_lookalikes(
    conn: &mut Tx,
    actor: &Actor,
    checked: &Checked,
    except: Option<AddressId>,
    accepted: bool,
) -> Result<()> {
    let matches = lookalikes(conn, actor, checked, except).await?;
    if matches.is_empty() || accepted {
        return Ok(());
    }
    Err(Error::LookAlike { labels: matches.into_iter().map(|m| m.label).collect() })
}

/// Look-alikes among the entries `actor` sees on the same network. Candidates share the
/// last four characters, which SQL narrows to; the comparison itself is the chains crate's.
async fn lookalikes(
    conn: &mut Tx,
    actor: &Actor,
    checked: &Checked,
    except: Option<AddressId>,
) -> Result<Vec<LookAlikeMatch>> {
    let tail: String = checked.address.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
    let rows = db::query(dialect::lookalike_candidates(conn.dialect()))
        .bind(actor.user.id)
        .bind(checked.network.as_str())
        .bind(except)
        .bind(tail)
        .fetch_all(conn)
        .await?;
    let mut found = Vec::new();
    for row in rows {
        let saved: String = row.try_get("address")?;
        if let Some(like) = lookalike(&checked.address, &saved) {
            found.push(LookAlikeMatch {
                id: row.try_get("id")?,
                label: row.try_get("label")?,
                candidate_middle: like.candidate_middle.clone(),
                saved_middle: like.saved_middle.clone(),
                address: saved,
            });
        }
    }
    Ok(found)
}

const ADDRESS_SELECT: &str = concat_address_select!("");

fn address_from_row(row: &Row, now: Timestamp) -> Result<SavedAddress> {
    let owner: Option<UserId> = row.try_get("owner_id")?;
    let network: String = row.try_get("network")?;
    let usable_from: Timestamp = row.try_get("usable_from")?;
    Ok(SavedAddress {
        id: row.try_get("id")?,
        scope: if owner.is_some() { AddressScope::Personal } else { AddressScope::Shared },
        label: row.try_get("label")?,
        network: parse_network(&network)?,
        address: row.try_get("address")?,
        memo: row.try_get("memo")?,
        note: row.try_get("note")?,
        added_by: row.try_get("added_by")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        usable_from,
        usable: usable_from <= now,
        last_used_at: row.try_get("last_used_at")?,
    })
}

/// Tells who should know of a change: the owner of a personal entry; admins and finance
/// for shared ones.
async fn tell_address_audience(
    conn: &mut Tx,
    owner: Option<UserId>,
    notice: &NewNotice<'_>,
    at: Timestamp,
) -> Result<()> {
    let audience = match &owner {
        Some(owner) => Audience::Users(std::slice::from_ref(owner)),
        None => Audience::Roles { roles: &[Role::Admin, Role::Finance], except: None },
    };
    notices::raise(conn, audience, notice, at).await
}
