//! Devices: one row per client installation a user has signed in from. Listing, renaming,
//! and removing (which ends the device's sessions, so it has to sign in again).

use crate::audit;
use crate::clock::Timestamp;
use crate::context::{Caller, check_label};
use crate::db::{self, Row, Tx};
use crate::error::{Error, Result};
use crate::gatehouse::Gatehouse;
use crate::ids::{DeviceId, UserId};
use crate::sessions::{self, EndReason, Ending, Sessions};

/// Longest device name accepted.
pub const DEVICE_NAME_MAX_CHARS: usize = 64;

/// What a client reports about the device it runs on.
#[derive(Debug, Clone)]
pub struct DeviceInfo {
    /// Stable random id of this installation (kept in the OS keychain by the client).
    pub installation_id: String,
    /// Human name, by default the machine's host name.
    pub name: String,
    /// Form factor.
    pub kind: DeviceKind,
    /// Operating system, e.g. "Debian".
    pub os: String,
    /// Operating system version, e.g. "12".
    pub os_version: String,
}

impl DeviceInfo {
    pub(crate) fn validate(&self) -> Result<()> {
        let id_ok = (8..=64).contains(&self.installation_id.len())
            && self.installation_id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        if !id_ok {
            return Err(Error::invalid("Device id", "must be 8–64 letters, digits or dashes."));
        }
        check_label("Device name", &self.name, DEVICE_NAME_MAX_CHARS)?;
        check_label("Operating system", &self.os, 64)?;
        check_label("Operating system version", &self.os_version, 64)
    }
}

/// "Debian 12": an operating system and its version, as shown in lists.
pub(crate) fn os_label(os: &str, version: &str) -> String {
    format!("{os} {version}").trim().to_owned()
}

/// A device's form factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceKind {
    /// A desktop computer.
    Desktop,
    /// A laptop.
    Laptop,
    /// A phone.
    Phone,
    /// A tablet.
    Tablet,
    /// A terminal: the command-line tool, or a shared point-of-sale machine.
    Terminal,
}

impl DeviceKind {
    /// Every kind, in display order.
    pub const ALL: [DeviceKind; 5] =
        [DeviceKind::Desktop, DeviceKind::Laptop, DeviceKind::Phone, DeviceKind::Tablet, DeviceKind::Terminal];

    /// Stable lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            DeviceKind::Desktop => "desktop",
            DeviceKind::Laptop => "laptop",
            DeviceKind::Phone => "phone",
            DeviceKind::Tablet => "tablet",
            DeviceKind::Terminal => "terminal",
        }
    }

    /// Parses a stable name; unknown names read as desktop.
    pub fn parse(value: &str) -> Self {
        Self::ALL.into_iter().find(|kind| kind.as_str() == value).unwrap_or(DeviceKind::Desktop)
    }
}

/// A device as listed to its user or an admin.
#[derive(Debug, Clone)]
pub struct Device {
    /// Id.
    pub id: DeviceId,
    /// Owner.
    pub user_id: UserId,
    /// Name (renameable).
    pub name: String,
    /// Form factor.
    pub kind: DeviceKind,
    /// Operating system.
    pub os: String,
    /// Operating system version.
    pub os_version: String,
    /// First sign-in from it.
    pub first_seen_at: Timestamp,
    /// Last time it was used.
    pub last_used_at: Timestamp,
    /// Sessions still open on it.
    pub active_sessions: i64,
    /// True when the caller is using this device.
    pub is_current: bool,
}

impl Gatehouse {
    /// Devices of `user` (default: the caller), newest use first. Admins may list anyone's.
    pub async fn list_devices(&self, caller: Caller<'_>, user: Option<UserId>) -> Result<Vec<Device>> {
        let actor = self.authenticate(caller).await?;
        let user = actor.may_see(user)?;
        let rows = db::query(
            "SELECT d.id, d.user_id, d.name, d.kind, d.os, d.os_version, d.first_seen_at, d.last_used_at,
                    (SELECT COUNT(*) FROM sessions s WHERE s.device_id = d.id AND s.ended_at IS NULL) AS active_sessions
             FROM devices d
             WHERE d.user_id = $1 AND d.removed_at IS NULL
             ORDER BY d.last_used_at DESC, d.id DESC",
        )
        .bind(user)
        .fetch_all(&self.db)
        .await?;
        rows.iter().map(|row| device_from_row(row, actor.device_id)).collect()
    }

    /// Renames a device of the caller's (or, for admins, anyone's).
    pub async fn rename_device(&self, caller: Caller<'_>, device: DeviceId, name: &str) -> Result<()> {
        let actor = self.authenticate(caller).await?;
        let name = name.trim();
        check_label("Device name", name, DEVICE_NAME_MAX_CHARS)?;
        let owner = self.device_owner(device).await?;
        actor.may_see(Some(owner))?;
        let mut tx = self.write_tx().await?;
        db::query("UPDATE devices SET name = $1 WHERE id = $2").bind(name).bind(device).execute(&mut tx).await?;
        audit::record(&mut tx, &actor, "device.renamed", Some(owner), &format!("device {device} renamed to {name:?}"))
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Removes a device (after a step-up): its sessions end at once and it must sign in again. The device
    /// the caller is using cannot be removed (sign out instead).
    pub async fn remove_device(&self, caller: Caller<'_>, device: DeviceId) -> Result<()> {
        let actor = self.authenticate(caller).await?;
        if device == actor.device_id {
            return Err(Error::CurrentDevice);
        }
        let owner = self.device_owner(device).await?;
        actor.may_see(Some(owner))?;
        actor.require_step_up()?;
        let mut tx = self.write_tx().await?;
        db::query("UPDATE devices SET removed_at = $1 WHERE id = $2 AND removed_at IS NULL")
            .bind(actor.now)
            .bind(device)
            .execute(&mut tx)
            .await?;
        let ended =
            sessions::end_matching(&mut tx, Sessions::OnDevice(device), Ending::by(&actor, EndReason::DeviceRemoved))
                .await?;
        audit::record(
            &mut tx,
            &actor,
            "device.removed",
            Some(owner),
            &format!("device {device} removed, {ended} session(s) ended"),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn device_owner(&self, device: DeviceId) -> Result<UserId> {
        db::query_scalar("SELECT user_id FROM devices WHERE id = $1 AND removed_at IS NULL")
            .bind(device)
            .fetch_optional(&self.db)
            .await?
            .ok_or(Error::NotFound { what: "Device" })
    }
}

/// Finds this user's row for the installation, or adds one; updates what the client
/// reports (kind, OS) but keeps the name, which is the user's to rename. One statement.
pub(crate) async fn upsert(conn: &mut Tx, user: UserId, info: &DeviceInfo, now: Timestamp) -> Result<DeviceId> {
    let id = db::query_scalar(
        "INSERT INTO devices (user_id, installation_id, name, kind, os, os_version, first_seen_at, last_used_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (user_id, installation_id) WHERE removed_at IS NULL DO UPDATE SET
             kind = excluded.kind, os = excluded.os, os_version = excluded.os_version, last_used_at = excluded.last_used_at
         RETURNING id",
    )
    .bind(user)
    .bind(&info.installation_id)
    .bind(info.name.trim())
    .bind(info.kind.as_str())
    .bind(&info.os)
    .bind(&info.os_version)
    .bind(now)
    .bind(now)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

fn device_from_row(row: &Row, current: DeviceId) -> Result<Device> {
    let id: DeviceId = row.try_get("id")?;
    Ok(Device {
        id,
        user_id: row.try_get("user_id")?,
        name: row.try_get("name")?,
        kind: DeviceKind::parse(&row.try_get::<String>("kind")?),
        os: row.try_get("os")?,
        os_version: row.try_get("os_version")?,
        first_seen_at: row.try_get("first_seen_at")?,
        last_used_at: row.try_get("last_used_at")?,
        active_sessions: row.try_get("active_sessions")?,
        is_current: id == current,
    })
}
