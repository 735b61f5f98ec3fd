//! Networks and assets.

use gatehouse_chains::{Network, UnknownNetwork, asset, assets};

#[test]
fn network_names() {
    let names: Vec<&str> = Network::ALL.iter().map(|n| n.as_str()).collect();
    assert_eq!(names, ["bitcoin", "ethereum", "bsc", "tron", "litecoin", "dogecoin", "solana", "ton", "xrp"]);
    let shown: Vec<&str> = Network::ALL.iter().map(|n| n.display_name()).collect();
    assert_eq!(
        shown,
        ["Bitcoin", "Ethereum", "BNB Smart Chain", "TRON", "Litecoin", "Dogecoin", "Solana", "TON", "XRP Ledger"]
    );
    assert_eq!(Network::Bsc.to_string(), "BNB Smart Chain");
    for network in Network::ALL {
        assert_eq!(Network::parse(network.as_str()), Ok(network));
        assert_eq!(network.as_str().parse::<Network>(), Ok(network));
    }
}

#[test]
fn network_parse_is_forgiving_about_case_and_spaces_only() {
    assert_eq!(Network::parse("  BSC \n"), Ok(Network::Bsc));
    assert_eq!(Network::parse("Bitcoin"), Ok(Network::Bitcoin));
    let err = Network::parse(" eth ").unwrap_err();
    assert_eq!(err, UnknownNetwork { input: "eth".to_owned() });
    assert_eq!(
        err.to_string(),
        "“eth” is not a supported network; use one of: bitcoin, ethereum, bsc, tron, litecoin, dogecoin, solana, ton, xrp."
    );
    assert_eq!(UnknownNetwork::CODE, "unknown_network");
}

#[test]
fn assets_per_network() {
    let table: Vec<(Network, &str, u8, Option<&str>)> = Network::ALL
        .iter()
        .flat_map(|n| assets(*n).iter().map(|a| (a.network, a.symbol, a.decimals, a.standard)))
        .collect();
    assert_eq!(
        table,
        [
            (Network::Bitcoin, "BTC", 8, None),
            (Network::Ethereum, "ETH", 18, None),
            (Network::Ethereum, "USDT", 6, Some("ERC-20")),
            (Network::Ethereum, "USDC", 6, Some("ERC-20")),
            (Network::Bsc, "BNB", 18, None),
            (Network::Bsc, "USDT", 18, Some("BEP-20")),
            (Network::Bsc, "USDC", 18, Some("BEP-20")),
            (Network::Tron, "TRX", 6, None),
            (Network::Tron, "USDT", 6, Some("TRC-20")),
            (Network::Litecoin, "LTC", 8, None),
            (Network::Dogecoin, "DOGE", 8, None),
            (Network::Solana, "SOL", 9, None),
            (Network::Solana, "USDC", 6, Some("SPL")),
            (Network::Ton, "TON", 9, None),
            (Network::Ton, "USDT", 6, Some("Jetton")),
            (Network::Xrp, "XRP", 6, None),
        ]
    );
    for network in Network::ALL {
        assert!(assets(network)[0].is_native());
        assert_eq!(network.assets(), assets(network));
    }
    assert_eq!(asset(Network::Tron, " usdt ").map(|a| a.name), Some("Tether USD"));
    assert_eq!(asset(Network::Bitcoin, "USDT"), None);
}
