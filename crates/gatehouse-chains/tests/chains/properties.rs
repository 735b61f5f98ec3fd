//! Properties over arbitrary input: nothing panics, and whatever is accepted re-validates to itself.

use gatehouse_chains::{Network, assets, lookalike, parse_amount, validate, validate_memo};
use proptest::prelude::*;

/// One valid address per network and format, to mutate.
const SEEDS: [&str; 16] = [
    "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
    "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
    "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
    "LUEweDxDA4WhvWiNXXSxjM9CYzHPJv4QQF",
    "ltc1qw508d6qejxtdg4y5r3zarvary0c5xw7kgmn4n9",
    "DEA5vGb2NpAwCiCp5yTE16F3DueQUVivQp",
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "0xde709f2102306220921060314715629080e2fb77",
    "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t",
    "So11111111111111111111111111111111111111112",
    "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v",
    "EQCxE6mUtQJKFnGfaROTKOt1lZbDiiX1kCixRv7Nw2Id_sDs",
    "0:b113a994b5024a16719f69139328eb759596c38a25f59028b146fecdc3621dfe",
    "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh",
    "X7AcgcsBL6XDcUb289X4mJ8djcdyKaB5hJDWMArnXr61cqZ",
];

/// Arbitrary Unicode, bytes read as Latin-1, address-alphabet soup, and seeds with one character changed,
/// removed, inserted or case-flipped.
fn inputs() -> impl Strategy<Value = String> {
    let mutated = (0..SEEDS.len(), any::<prop::sample::Index>(), any::<char>(), 0..4u8).prop_map(
        |(seed, index, character, how)| {
            let mut chars: Vec<char> = SEEDS[seed].chars().collect();
            let at = index.index(chars.len());
            match how {
                0 => chars[at] = character,
                1 => {
                    chars.remove(at);
                }
                2 => chars.insert(at, character),
                _ => {
                    let c = chars[at];
                    chars[at] = if c.is_ascii_uppercase() { c.to_ascii_lowercase() } else { c.to_ascii_uppercase() };
                }
            }
            chars.into_iter().collect()
        },
    );
    prop_oneof![
        any::<String>(),
        prop::collection::vec(any::<u8>(), 0..120).prop_map(|bytes| bytes.into_iter().map(char::from).collect()),
        "[0-9A-Za-z:+/_-]{0,100}",
        "(0x|bc1|ltc1|tb1|T|r|L|M|D|EQ|UQ|0:|-1:)?[0-9A-Za-z]{20,64}",
        mutated,
        (0..SEEDS.len()).prop_map(|seed| SEEDS[seed].to_owned()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]

    #[test]
    fn validate_never_panics_and_accepted_addresses_are_canonical(input in inputs()) {
        for network in Network::ALL {
            if let Ok(address) = validate(network, &input) {
                prop_assert_eq!(address.network, network);
                let again = validate(network, &address.address);
                prop_assert!(again.is_ok(), "{} accepted as {:?} but its canonical form is not: {:?}", input, address, again);
                if let Ok(again) = again {
                    prop_assert_eq!(&again.address, &address.address);
                    prop_assert_eq!(again.format, address.format);
                }
            }
        }
    }

    #[test]
    fn memos_and_amounts_never_panic(input in inputs()) {
        for network in Network::ALL {
            if let Ok(Some(memo)) = validate_memo(network, Some(&input)) {
                prop_assert_eq!(validate_memo(network, Some(&memo)), Ok(Some(memo.clone())));
            }
            for asset in assets(network) {
                if let Ok(amount) = parse_amount(asset, &input) {
                    prop_assert!(amount.units() > 0);
                    prop_assert_eq!(parse_amount(asset, &amount.to_string()), Ok(amount));
                }
            }
        }
    }

    #[test]
    fn amounts_round_trip(units in 1..u128::MAX, network in 0..Network::ALL.len()) {
        for asset in assets(Network::ALL[network]) {
            let text = {
                let digits = units.to_string();
                let decimals = usize::from(asset.decimals);
                let padded = format!("{digits:0>width$}", width = decimals + 1);
                let (whole, fraction) = padded.split_at(padded.len() - decimals);
                format!("{whole}.{fraction}")
            };
            let amount = parse_amount(asset, &text);
            prop_assert!(amount.is_ok(), "{}: {:?}", text, amount);
            if let Ok(amount) = amount {
                prop_assert_eq!(amount.units(), units);
                prop_assert_eq!(parse_amount(asset, &amount.to_string()), Ok(amount));
            }
        }
    }

    #[test]
    fn lookalike_never_panics_and_is_symmetric(candidate in inputs(), saved in inputs()) {
        for (a, b) in [(candidate.as_str(), saved.as_str()), (candidate.as_str(), SEEDS[0]), (SEEDS[7], saved.as_str())] {
            let found = lookalike(a, b);
            prop_assert_eq!(found.is_some(), lookalike(b, a).is_some());
            if let Some(found) = found {
                prop_assert!(a.get(found.candidate_middle.clone()).is_some());
                prop_assert!(b.get(found.saved_middle.clone()).is_some());
                prop_assert!(a.trim() != b.trim());
            }
        }
    }
}
