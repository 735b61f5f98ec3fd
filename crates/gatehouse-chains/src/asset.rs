//! The assets Gatehouse knows on each network: symbol, name, decimal places and token standard.

use crate::network::Network;

/// A coin or token on one network. Tokens use their chain's addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Asset {
    /// The network it travels on.
    pub network: Network,
    /// The ticker, e.g. `USDT`.
    pub symbol: &'static str,
    /// The full name, e.g. "Tether USD".
    pub name: &'static str,
    /// How many decimal places one unit has on this network (USDT: 6 on Ethereum, 18 on BNB Smart Chain).
    pub decimals: u8,
    /// The token standard (`ERC-20`, `BEP-20`, `TRC-20`, `SPL`, `Jetton`), or `None` for the native coin.
    pub standard: Option<&'static str>,
}

impl Asset {
    /// Whether this is the network's own coin rather than a token.
    pub const fn is_native(&self) -> bool {
        self.standard.is_none()
    }
}

const fn native(network: Network, symbol: &'static str, name: &'static str, decimals: u8) -> Asset {
    Asset { network, symbol, name, decimals, standard: None }
}

const fn token(
    network: Network,
    symbol: &'static str,
    name: &'static str,
    decimals: u8,
    standard: &'static str,
) -> Asset {
    Asset { network, symbol, name, decimals, standard: Some(standard) }
}

const BITCOIN: [Asset; 1] = [native(Network::Bitcoin, "BTC", "Bitcoin", 8)];
const ETHEREUM: [Asset; 3] = [
    native(Network::Ethereum, "ETH", "Ether", 18),
    token(Network::Ethereum, "USDT", "Tether USD", 6, "ERC-20"),
    token(Network::Ethereum, "USDC", "USD Coin", 6, "ERC-20"),
];
const BSC: [Asset; 3] = [
    native(Network::Bsc, "BNB", "BNB", 18),
    token(Network::Bsc, "USDT", "Tether USD", 18, "BEP-20"),
    token(Network::Bsc, "USDC", "USD Coin", 18, "BEP-20"),
];
const TRON: [Asset; 2] =
    [native(Network::Tron, "TRX", "TRON", 6), token(Network::Tron, "USDT", "Tether USD", 6, "TRC-20")];
const LITECOIN: [Asset; 1] = [native(Network::Litecoin, "LTC", "Litecoin", 8)];
const DOGECOIN: [Asset; 1] = [native(Network::Dogecoin, "DOGE", "Dogecoin", 8)];
const SOLANA: [Asset; 2] =
    [native(Network::Solana, "SOL", "Solana", 9), token(Network::Solana, "USDC", "USD Coin", 6, "SPL")];
const TON: [Asset; 2] =
    [native(Network::Ton, "TON", "Toncoin", 9), token(Network::Ton, "USDT", "Tether USD", 6, "Jetton")];
const XRP: [Asset; 1] = [native(Network::Xrp, "XRP", "XRP", 6)];

/// The assets Gatehouse knows on `network`, native coin first.
pub fn assets(network: Network) -> &'static [Asset] {
    match network {
        Network::Bitcoin => &BITCOIN,
        Network::Ethereum => &ETHEREUM,
        Network::Bsc => &BSC,
        Network::Tron => &TRON,
        Network::Litecoin => &LITECOIN,
        Network::Dogecoin => &DOGECOIN,
        Network::Solana => &SOLANA,
        Network::Ton => &TON,
        Network::Xrp => &XRP,
    }
}

/// The asset with this symbol on `network` (symbol compared ignoring case and surrounding whitespace).
pub fn asset(network: Network, symbol: &str) -> Option<&'static Asset> {
    let symbol = symbol.trim();
    assets(network).iter().find(|asset| asset.symbol.eq_ignore_ascii_case(symbol))
}
