//! Benchmarks:
//! - `validate` throughput per network, one representative valid address each, plus the slow path (an address
//!   pasted into the wrong network, which tries every other network to name the right one);
//! - `lookalike` of one candidate against 100,000 saved addresses, to tell whether a linear scan is enough.
//!
//! Run: `cargo bench -p gatehouse-chains`
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use gatehouse_chains::{Network, lookalike, validate};

const REPRESENTATIVE: [(Network, &str); 9] = [
    (Network::Bitcoin, "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"),
    (Network::Ethereum, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"),
    (Network::Bsc, "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359"),
    (Network::Tron, "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"),
    (Network::Litecoin, "LUEweDxDA4WhvWiNXXSxjM9CYzHPJv4QQF"),
    (Network::Dogecoin, "DEA5vGb2NpAwCiCp5yTE16F3DueQUVivQp"),
    (Network::Solana, "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v"),
    (Network::Ton, "EQCxE6mUtQJKFnGfaROTKOt1lZbDiiX1kCixRv7Nw2Id_sDs"),
    (Network::Xrp, "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh"),
];

const SAVED_COUNT: usize = 100_000;

fn bench_validate(c: &mut Criterion) {
    let mut group = c.benchmark_group("validate");
    group.throughput(Throughput::Elements(1)).measurement_time(Duration::from_secs(2));
    for (network, address) in REPRESENTATIVE {
        assert!(validate(network, address).is_ok(), "{address}");
        group.bench_function(network.as_str(), |b| b.iter(|| validate(network, black_box(address))));
    }
    let litecoin = "LUEweDxDA4WhvWiNXXSxjM9CYzHPJv4QQF";
    assert_eq!(validate(Network::Bitcoin, litecoin).unwrap_err().code, "wrong_network");
    group.bench_function("wrong_network (litecoin into bitcoin)", |b| {
        b.iter(|| validate(Network::Bitcoin, black_box(litecoin)))
    });
    group.finish();
}

/// Deterministic pseudo-random saved addresses: half EVM, half TRON-shaped, one poisoned look-alike.
fn saved_addresses(candidate: &str) -> Vec<String> {
    const BASE58: &[u8] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    let mut state = 0x2545_F491_4F6C_DD1D_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut saved: Vec<String> = (0..SAVED_COUNT)
        .map(|i| {
            if i % 2 == 0 {
                let hex: String = (0..40).map(|_| char::from(b"0123456789abcdef"[(next() % 16) as usize])).collect();
                format!("0x{hex}")
            } else {
                let body: String = (0..33).map(|_| char::from(BASE58[(next() % 58) as usize])).collect();
                format!("T{body}")
            }
        })
        .collect();
    let poisoned =
        format!("{}{}{}", &candidate[..6], "0".repeat(candidate.len() - 10), &candidate[candidate.len() - 4..]);
    saved[SAVED_COUNT / 2] = poisoned;
    saved
}

fn bench_lookalike(c: &mut Criterion) {
    let candidate = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";
    let saved = saved_addresses(candidate);
    assert_eq!(saved.iter().filter(|s| lookalike(candidate, s).is_some()).count(), 1);
    let mut group = c.benchmark_group("lookalike");
    group.throughput(Throughput::Elements(SAVED_COUNT as u64)).sample_size(30);
    group.bench_function("one candidate vs 100000 saved", |b| {
        b.iter(|| saved.iter().filter(|s| lookalike(black_box(candidate), s).is_some()).count())
    });
    group.finish();
}

criterion_group!(benches, bench_validate, bench_lookalike);
criterion_main!(benches);
