//! Amount parsing: exact base units per asset's decimals, and the refusals.

use gatehouse_chains::{Asset, Network, asset, code, parse_amount};

fn of(network: Network, symbol: &str) -> &'static Asset {
    asset(network, symbol).unwrap()
}

fn units(asset: &Asset, input: &str) -> u128 {
    parse_amount(asset, input).unwrap().units()
}

fn refusal(asset: &Asset, input: &str) -> (&'static str, String) {
    let err = parse_amount(asset, input).unwrap_err();
    (err.code, err.reason)
}

#[test]
fn amounts_are_exact_base_units() {
    let btc = of(Network::Bitcoin, "BTC");
    assert_eq!(units(btc, "1.5"), 150_000_000);
    assert_eq!(units(btc, "0.00000001"), 1);
    assert_eq!(units(btc, "21000000"), 2_100_000_000_000_000);
    assert_eq!(units(btc, " 2 "), 200_000_000);
    assert_eq!(units(btc, ".5"), 50_000_000);
    assert_eq!(units(btc, "5."), 500_000_000);
    let eth = of(Network::Ethereum, "ETH");
    assert_eq!(units(eth, "0.000000000000000001"), 1);
    assert_eq!(units(eth, "1"), 1_000_000_000_000_000_000);
    assert_eq!(units(of(Network::Ethereum, "usdt"), "1.123456"), 1_123_456);
    assert_eq!(units(of(Network::Bsc, "USDT"), "1.123456789012345678"), 1_123_456_789_012_345_678);
    assert_eq!(units(of(Network::Tron, "USDT"), "100"), 100_000_000);
    assert_eq!(units(of(Network::Solana, "SOL"), "0.000000001"), 1);
    assert_eq!(units(of(Network::Xrp, "XRP"), "25.000001"), 25_000_001);
    assert_eq!(parse_amount(btc, "1.5").unwrap().decimals(), 8);
}

#[test]
fn amounts_display_canonically() {
    let btc = of(Network::Bitcoin, "BTC");
    for (input, shown) in [
        ("1.50000000", "1.5"),
        ("2.000", "2"),
        ("007.50", "7.5"),
        ("0.00000001", "0.00000001"),
        (".5", "0.5"),
        ("10", "10"),
    ] {
        assert_eq!(parse_amount(btc, input).unwrap().to_string(), shown, "{input}");
    }
    let eth = of(Network::Ethereum, "ETH");
    assert_eq!(parse_amount(eth, "1234567.000000000000000001").unwrap().to_string(), "1234567.000000000000000001");
}

#[test]
fn too_many_decimals_names_the_asset() {
    assert_eq!(
        refusal(of(Network::Bitcoin, "BTC"), "0.000000001"),
        (code::TOO_MANY_DECIMALS, "BTC has at most 8 decimal places.".to_owned())
    );
    assert_eq!(refusal(of(Network::Ethereum, "USDT"), "1.1234567").1, "USDT has at most 6 decimal places.");
    assert_eq!(refusal(of(Network::Xrp, "XRP"), "1.0000000").0, code::TOO_MANY_DECIMALS);
}

#[test]
fn zero_negative_and_garbage_are_refused_with_reasons() {
    let btc = of(Network::Bitcoin, "BTC");
    let cases = [
        ("0", code::NOT_POSITIVE, "The amount must be more than zero."),
        ("0.00000000", code::NOT_POSITIVE, "The amount must be more than zero."),
        ("-1", code::NOT_POSITIVE, "The amount must be more than zero."),
        ("+1", code::SIGN, "Write the amount without a + sign."),
        ("abc", code::NOT_A_NUMBER, "The amount is not a number."),
        ("1.2.3", code::NOT_A_NUMBER, "The amount is not a number."),
        (".", code::NOT_A_NUMBER, "The amount is not a number."),
        ("1BTC", code::NOT_A_NUMBER, "The amount is not a number."),
        ("١", code::NOT_A_NUMBER, "The amount is not a number."),
        ("NaN", code::NOT_A_NUMBER, "The amount is not a number."),
        ("", code::EMPTY, "No amount was entered."),
        ("1e5", code::EXPONENT, "Write the amount in full, without an exponent: 0.00001, not 1e-5."),
        ("1E-5", code::EXPONENT, "Write the amount in full, without an exponent: 0.00001, not 1e-5."),
    ];
    for (input, expected_code, reason) in cases {
        assert_eq!(refusal(btc, input), (expected_code, reason.to_owned()), "{input:?}");
    }
    for input in ["1,000", "1 000", "1'000", "1_000", "0,5", "1\u{202F}000"] {
        assert_eq!(refusal(btc, input).0, code::SEPARATOR, "{input:?}");
    }
}

#[test]
fn amounts_beyond_u128_are_refused() {
    let eth = of(Network::Ethereum, "ETH");
    assert_eq!(refusal(eth, &"9".repeat(30)).0, code::TOO_LARGE);
    assert_eq!(refusal(eth, &"9".repeat(400)).0, code::TOO_LARGE);
    // u128::MAX base units is still fine.
    let max = u128::MAX.to_string();
    let (whole, fraction) = max.split_at(max.len() - 18);
    assert_eq!(units(eth, &format!("{whole}.{fraction}")), u128::MAX);
}
