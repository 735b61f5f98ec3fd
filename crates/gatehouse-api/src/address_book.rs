//! Transport types of the address book and withdrawals.

use gatehouse_core as core;
use gatehouse_core::chains::{self, Network};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::ApiError;

fn ms(t: core::Timestamp) -> i64 {
    t.as_millis()
}

/// An asset a network carries.
#[derive(Debug, Clone, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AssetView {
    /// Ticker, e.g. `USDT`.
    pub symbol: String,
    /// Full name.
    pub name: String,
    /// Decimal places on this network.
    pub decimals: u8,
    /// Token standard (`ERC-20`…), none for the native coin.
    pub standard: Option<String>,
}

/// A supported network.
#[derive(Debug, Clone, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct NetworkView {
    /// Stored name, e.g. `bsc`.
    pub name: String,
    /// What people read, e.g. "BNB Smart Chain".
    pub display_name: String,
    /// The memo field's label ("Destination tag", "Memo"), none when the network has no memo.
    pub memo_label: Option<String>,
    /// Its assets.
    pub assets: Vec<AssetView>,
}

impl From<Network> for NetworkView {
    fn from(network: Network) -> Self {
        NetworkView {
            name: network.as_str().to_owned(),
            display_name: network.display_name().to_owned(),
            memo_label: network.memo_kind().label().map(str::to_owned),
            assets: chains::assets(network)
                .iter()
                .map(|a| AssetView {
                    symbol: a.symbol.to_owned(),
                    name: a.name.to_owned(),
                    decimals: a.decimals,
                    standard: a.standard.map(str::to_owned),
                })
                .collect(),
        }
    }
}

/// Every supported network, in display order.
pub fn networks() -> Vec<NetworkView> {
    Network::ALL.into_iter().map(NetworkView::from).collect()
}

/// A saved address.
#[derive(Debug, Clone, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SavedAddressView {
    /// Id.
    pub id: i64,
    /// `personal` or `shared`.
    pub scope: String,
    /// Label.
    pub label: String,
    /// Network name.
    pub network: String,
    /// Network display name.
    pub network_name: String,
    /// Canonical address.
    pub address: String,
    /// Destination tag or memo.
    pub memo: Option<String>,
    /// Note.
    pub note: String,
    /// Who added it (email).
    pub added_by: String,
    /// Added (ms).
    pub created_at: i64,
    /// Last changed (ms).
    pub updated_at: i64,
    /// Usable for withdrawals from (ms).
    pub usable_from: i64,
    /// Usable now.
    pub usable: bool,
    /// Last withdrawal to it (ms).
    pub last_used_at: Option<i64>,
}

impl From<&core::SavedAddress> for SavedAddressView {
    fn from(a: &core::SavedAddress) -> Self {
        SavedAddressView {
            id: a.id.0,
            scope: a.scope.as_str().to_owned(),
            label: a.label.clone(),
            network: a.network.as_str().to_owned(),
            network_name: a.network.display_name().to_owned(),
            address: a.address.clone(),
            memo: a.memo.clone(),
            note: a.note.clone(),
            added_by: a.added_by.clone(),
            created_at: ms(a.created_at),
            updated_at: ms(a.updated_at),
            usable_from: ms(a.usable_from),
            usable: a.usable,
            last_used_at: a.last_used_at.map(ms),
        }
    }
}

/// A saved address plus the validator's remarks (e.g. "no checksum").
#[derive(Debug, Clone, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SavedAddressResult {
    /// The entry.
    pub address: SavedAddressView,
    /// Non-blocking remarks.
    pub notes: Vec<String>,
}

/// An address checked without saving.
#[derive(Debug, Clone, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AddressCheckView {
    /// The canonical form.
    pub address: String,
    /// Non-blocking remarks.
    pub notes: Vec<String>,
}

/// A saved address that looks like the one being entered.
#[derive(Debug, Clone, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct LookAlikeView {
    /// The saved entry.
    pub id: i64,
    /// Its label.
    pub label: String,
    /// Its address.
    pub address: String,
    /// [start, end) of the differing middle in the candidate (byte offsets; addresses are ASCII).
    pub candidate_middle: [u32; 2],
    /// [start, end) of the differing middle in the saved address.
    pub saved_middle: [u32; 2],
}

fn range(r: &std::ops::Range<usize>) -> [u32; 2] {
    [u32::try_from(r.start).unwrap_or(u32::MAX), u32::try_from(r.end).unwrap_or(u32::MAX)]
}

impl From<&core::LookAlikeMatch> for LookAlikeView {
    fn from(m: &core::LookAlikeMatch) -> Self {
        LookAlikeView {
            id: m.id.0,
            label: m.label.clone(),
            address: m.address.clone(),
            candidate_middle: range(&m.candidate_middle),
            saved_middle: range(&m.saved_middle),
        }
    }
}

/// An address to save.
#[derive(Debug, Clone, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct NewAddressRequest {
    /// Label.
    pub label: String,
    /// Network name.
    pub network: String,
    /// Address as pasted.
    pub address: String,
    /// Destination tag or memo.
    pub memo: Option<String>,
    /// Note.
    pub note: String,
    /// `personal` or `shared`.
    pub scope: String,
    /// The user confirmed the look-alike warning.
    pub accept_lookalike: bool,
}

impl NewAddressRequest {
    /// The core's form.
    pub fn into_core(self) -> Result<core::NewAddress, ApiError> {
        Ok(core::NewAddress {
            scope: core::AddressScope::parse(&self.scope)?,
            label: self.label,
            network: self.network,
            address: self.address,
            memo: self.memo.filter(|m| !m.trim().is_empty()),
            note: self.note,
            accept_lookalike: self.accept_lookalike,
        })
    }
}

/// Changes to a saved address.
#[derive(Debug, Clone, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AddressChangesRequest {
    /// Label.
    pub label: String,
    /// Address.
    pub address: String,
    /// Destination tag or memo.
    pub memo: Option<String>,
    /// Note.
    pub note: String,
    /// The user confirmed the look-alike warning.
    pub accept_lookalike: bool,
}

impl From<AddressChangesRequest> for core::AddressChanges {
    fn from(r: AddressChangesRequest) -> Self {
        core::AddressChanges {
            label: r.label,
            address: r.address,
            memo: r.memo.filter(|m| !m.trim().is_empty()),
            note: r.note,
            accept_lookalike: r.accept_lookalike,
        }
    }
}

/// A withdrawal request.
#[derive(Debug, Clone, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct WithdrawalView {
    /// Id.
    pub id: i64,
    /// Who asked.
    pub requester: String,
    /// The book entry (if it still exists).
    pub address_id: Option<i64>,
    /// Label at the time.
    pub label: String,
    /// Network name.
    pub network: String,
    /// Network display name.
    pub network_name: String,
    /// Address at the time.
    pub address: String,
    /// Destination tag or memo at the time.
    pub memo: Option<String>,
    /// Asset symbol.
    pub asset: String,
    /// Exact amount.
    pub amount: String,
    /// Note.
    pub note: String,
    /// `pending`, `approved` or `rejected`.
    pub status: String,
    /// Requested (ms).
    pub created_at: i64,
    /// Who decided.
    pub decided_by: Option<String>,
    /// When (ms).
    pub decided_at: Option<i64>,
    /// The approver's note.
    pub decision_note: Option<String>,
}

impl From<&core::Withdrawal> for WithdrawalView {
    fn from(w: &core::Withdrawal) -> Self {
        WithdrawalView {
            id: w.id.0,
            requester: w.requester.clone(),
            address_id: w.address_id.map(|id| id.0),
            label: w.label.clone(),
            network: w.network.as_str().to_owned(),
            network_name: w.network.display_name().to_owned(),
            address: w.address.clone(),
            memo: w.memo.clone(),
            asset: w.asset.clone(),
            amount: w.amount.clone(),
            note: w.note.clone(),
            status: w.status.as_str().to_owned(),
            created_at: ms(w.created_at),
            decided_by: w.decided_by.clone(),
            decided_at: w.decided_at.map(ms),
            decision_note: w.decision_note.clone(),
        }
    }
}

/// A withdrawal to request.
#[derive(Debug, Clone, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct NewWithdrawalRequest {
    /// Saved address id.
    pub address_id: i64,
    /// Asset symbol.
    pub asset: String,
    /// Amount as typed.
    pub amount: String,
    /// Note.
    pub note: String,
}

impl From<NewWithdrawalRequest> for core::NewWithdrawal {
    fn from(r: NewWithdrawalRequest) -> Self {
        core::NewWithdrawal { address: core::AddressId(r.address_id), asset: r.asset, amount: r.amount, note: r.note }
    }
}

/// Which saved addresses to list.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "camelCase", default)]
#[ts(export)]
pub struct AddressQueryRequest {
    /// A fragment of a label or an address.
    pub search: Option<String>,
    /// One network only.
    pub network: Option<String>,
    /// Only addresses past their cooling-off.
    pub usable_only: bool,
}

impl From<AddressQueryRequest> for core::AddressQuery {
    fn from(r: AddressQueryRequest) -> Self {
        core::AddressQuery { search: r.search, network: r.network, usable_only: r.usable_only }
    }
}

/// A verified copy of an address to the clipboard.
#[derive(Debug, Clone, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CopyResult {
    /// The first six characters, for a visual check where it is pasted.
    pub first: String,
    /// The last six characters.
    pub last: String,
    /// Seconds after which the clipboard is cleared (if it still holds the address).
    pub clears_in_seconds: u32,
}

impl CopyResult {
    /// The check characters of `address`.
    pub fn of(address: &str, clears_in_seconds: u32) -> Self {
        let chars: Vec<char> = address.chars().collect();
        let first: String = chars.iter().take(6).collect();
        let last: String = chars.iter().skip(chars.len().saturating_sub(6)).collect();
        CopyResult { first, last, clears_in_seconds }
    }
}
