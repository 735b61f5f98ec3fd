//! The networks Gatehouse supports: their stored names, display names and whether they carry a memo.

use std::fmt;
use std::str::FromStr;

use crate::asset::{Asset, assets};
use crate::memo::MemoKind;

/// A blockchain network whose addresses Gatehouse can store. Mainnet only.
///
/// Tokens travel on their chain's addresses: an ERC-20 USDT address is an [`Network::Ethereum`] address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Network {
    /// Bitcoin.
    Bitcoin,
    /// Ethereum (and its ERC-20 tokens).
    Ethereum,
    /// BNB Smart Chain (and its BEP-20 tokens); same address rules as Ethereum.
    Bsc,
    /// TRON (and its TRC-20 tokens).
    Tron,
    /// Litecoin.
    Litecoin,
    /// Dogecoin.
    Dogecoin,
    /// Solana (and its SPL tokens).
    Solana,
    /// TON (and its jettons).
    Ton,
    /// XRP Ledger.
    Xrp,
}

impl Network {
    /// Every supported network, in display order.
    pub const ALL: [Network; 9] = [
        Network::Bitcoin,
        Network::Ethereum,
        Network::Bsc,
        Network::Tron,
        Network::Litecoin,
        Network::Dogecoin,
        Network::Solana,
        Network::Ton,
        Network::Xrp,
    ];

    /// The stable lowercase name to store and to type: `bitcoin`, `ethereum`, `bsc`, `tron`, `litecoin`,
    /// `dogecoin`, `solana`, `ton`, `xrp`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Network::Bitcoin => "bitcoin",
            Network::Ethereum => "ethereum",
            Network::Bsc => "bsc",
            Network::Tron => "tron",
            Network::Litecoin => "litecoin",
            Network::Dogecoin => "dogecoin",
            Network::Solana => "solana",
            Network::Ton => "ton",
            Network::Xrp => "xrp",
        }
    }

    /// Parses a stored name ([`Network::as_str`]), ignoring case and surrounding whitespace.
    pub fn parse(input: &str) -> Result<Self, UnknownNetwork> {
        let wanted = input.trim();
        Network::ALL
            .into_iter()
            .find(|network| network.as_str().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| UnknownNetwork { input: wanted.to_owned() })
    }

    /// The name people read: "Bitcoin", "Ethereum", "BNB Smart Chain", "TRON", "Litecoin", "Dogecoin",
    /// "Solana", "TON", "XRP Ledger".
    pub const fn display_name(self) -> &'static str {
        match self {
            Network::Bitcoin => "Bitcoin",
            Network::Ethereum => "Ethereum",
            Network::Bsc => "BNB Smart Chain",
            Network::Tron => "TRON",
            Network::Litecoin => "Litecoin",
            Network::Dogecoin => "Dogecoin",
            Network::Solana => "Solana",
            Network::Ton => "TON",
            Network::Xrp => "XRP Ledger",
        }
    }

    /// What a withdrawal to this network may carry besides the address: XRP a destination tag, TON a text
    /// memo, the others nothing.
    pub const fn memo_kind(self) -> MemoKind {
        match self {
            Network::Xrp => MemoKind::DestinationTag,
            Network::Ton => MemoKind::Text,
            _ => MemoKind::NotUsed,
        }
    }

    /// The assets Gatehouse knows on this network, native coin first.
    pub fn assets(self) -> &'static [Asset] {
        assets(self)
    }

    /// Whether addresses are EVM `0x` addresses (Ethereum, BNB Smart Chain).
    pub const fn is_evm(self) -> bool {
        matches!(self, Network::Ethereum | Network::Bsc)
    }

    /// The display name with its indefinite article, for sentences: "an Ethereum", "a TRON".
    pub(crate) fn with_article(self) -> String {
        let article = match self {
            Network::Ethereum | Network::Xrp => "an",
            _ => "a",
        };
        format!("{article} {}", self.display_name())
    }

    /// The display name with a capitalised article, to start a sentence: "An Ethereum", "A TRON".
    pub(crate) fn with_capital_article(self) -> String {
        let article = match self {
            Network::Ethereum | Network::Xrp => "An",
            _ => "A",
        };
        format!("{article} {}", self.display_name())
    }
}

/// Shows the display name ("BNB Smart Chain"); use [`Network::as_str`] to store.
impl fmt::Display for Network {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.display_name())
    }
}

impl FromStr for Network {
    type Err = UnknownNetwork;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Network::parse(s)
    }
}

/// A network name that is not one of [`Network::ALL`]'s. Its message lists the valid names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownNetwork {
    /// What was given, trimmed.
    pub input: String,
}

impl UnknownNetwork {
    /// The stable code for programs: `unknown_network`.
    pub const CODE: &'static str = "unknown_network";
}

impl fmt::Display for UnknownNetwork {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = Network::ALL.iter().map(|network| network.as_str()).collect();
        write!(f, "“{}” is not a supported network; use one of: {}.", self.input, names.join(", "))
    }
}

impl std::error::Error for UnknownNetwork {}
