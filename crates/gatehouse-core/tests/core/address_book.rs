//! The address book and withdrawal requests: real validation through gatehouse-chains,
//! permissions, step-up, cooling-off with a moved clock, look-alike (poisoning) detection,
//! approvals, history that edits don't rewrite, search and CSV.

use gatehouse_core::{
    AddressChanges, AddressQuery, AddressScope, NewAddress, NewWithdrawal, Policy, Role, SignedIn, WithdrawalQuery,
    WithdrawalStatus,
};

use crate::support::*;

const GENESIS: &str = "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa";
const EVM: &str = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";
const TRON: &str = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t";

fn new_address(label: &str, network: &str, address: &str, scope: AddressScope) -> NewAddress {
    NewAddress {
        label: label.to_owned(),
        network: network.to_owned(),
        address: address.to_owned(),
        memo: None,
        note: String::new(),
        scope,
        accept_lookalike: false,
    }
}

/// An admin, stepped up, and a policy with no cooling-off unless `cooling` says otherwise.
async fn setup(fx: &Fixture, cooling_minutes: u32, approvals: bool) -> SignedIn {
    let admin = fx.admin().await;
    fx.confirm(&admin).await;
    let policy = Policy {
        address_cooling_off_minutes: cooling_minutes,
        withdrawals_need_approval: approvals,
        ..Policy::default()
    };
    fx.set_policy_now(&admin, &policy).await;
    admin
}

#[tokio::test]
async fn addresses_are_validated_per_network_and_bad_ones_change_nothing() {
    let fx = Fixture::new().await;
    let admin = setup(&fx, 0, false).await;
    let caller = fx.caller(&admin.token);
    let cases = [
        ("bitcoin", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb", "Address", "checksum"),
        ("bitcoin", "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx", "Address", "testnet"),
        ("bitcoin", "1A1zP1eP5QGe fi2DMPTfTL5SLmv7DivfNa", "Address", "inside"),
        ("ethereum", TRON, "Address", "TRON"),
        ("ethereum", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD", "Address", "EIP-55"),
        ("dogecoin-classic", GENESIS, "Network", "bitcoin"),
    ];
    for (network, address, field, says) in cases {
        let err =
            fx.gate.add_address(caller, new_address("x", network, address, AddressScope::Personal)).await.unwrap_err();
        assert_eq!(err.code(), "invalid_input", "{network} {address}");
        assert!(err.to_string().starts_with(field), "{err}");
        assert!(err.to_string().contains(says), "{err}");
    }
    let mut with_tag = new_address("x", "bitcoin", GENESIS, AddressScope::Personal);
    with_tag.memo = Some("123".to_owned());
    assert_eq!(code(fx.gate.add_address(caller, with_tag).await), "invalid_input");
    assert!(fx.gate.list_addresses(caller, &AddressQuery::default()).await.unwrap().is_empty());

    // Surrounding whitespace is trimmed; a lowercase EVM address is stored checksummed, with a note.
    let (saved, notes) = fx
        .gate
        .add_address(
            caller,
            new_address("Treasury", "ethereum", &format!("  {}\n", EVM.to_lowercase()), AddressScope::Personal),
        )
        .await
        .unwrap();
    assert_eq!(saved.address, EVM);
    assert!(notes.iter().any(|n| n.contains("EIP-55")), "{notes:?}");
    // An XRP destination tag is kept; a bad one is refused.
    let mut xrp = new_address("Exchange", "xrp", "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh", AddressScope::Personal);
    xrp.memo = Some("4294967296".to_owned());
    assert_eq!(code(fx.gate.add_address(caller, xrp.clone()).await), "invalid_input");
    xrp.memo = Some("12345".to_owned());
    assert_eq!(fx.gate.add_address(caller, xrp).await.unwrap().0.memo.as_deref(), Some("12345"));
}

#[tokio::test]
async fn labels_are_unique_per_book_and_an_address_is_saved_once() {
    let fx = Fixture::new().await;
    let admin = setup(&fx, 0, false).await;
    let caller = fx.caller(&admin.token);
    fx.gate.add_address(caller, new_address("Cold", "bitcoin", GENESIS, AddressScope::Personal)).await.unwrap();
    let same_label = fx.gate.add_address(caller, new_address("cold", "tron", TRON, AddressScope::Personal)).await;
    assert_eq!(code(same_label), "address.label_taken");
    let same_address =
        fx.gate.add_address(caller, new_address("Other", "bitcoin", GENESIS, AddressScope::Personal)).await;
    let err = same_address.unwrap_err();
    assert_eq!(err.code(), "address.duplicate");
    assert!(err.to_string().contains("\"Cold\""), "{err}");
    // The shared book is another book.
    fx.gate.add_address(caller, new_address("Cold", "bitcoin", GENESIS, AddressScope::Shared)).await.unwrap();
}

#[tokio::test]
async fn every_change_needs_a_step_up_and_members_cannot_touch_shared_entries() {
    let fx = Fixture::new().await;
    let admin = setup(&fx, 0, false).await;
    let bob = fx.user(&admin, "bob@example.com", Role::Member, &terminal()).await;
    let bob_caller = fx.caller(&bob.token);
    let personal = new_address("Mine", "tron", TRON, AddressScope::Personal);
    assert_eq!(code(fx.gate.add_address(bob_caller, personal.clone()).await), "auth.step_up_required");
    fx.confirm(&bob).await;
    let (mine, _) = fx.gate.add_address(bob_caller, personal).await.unwrap();
    assert_eq!(
        code(fx.gate.add_address(bob_caller, new_address("Team", "bitcoin", GENESIS, AddressScope::Shared)).await),
        "forbidden"
    );

    let (shared, _) = fx
        .gate
        .add_address(fx.caller(&admin.token), new_address("Team", "bitcoin", GENESIS, AddressScope::Shared))
        .await
        .unwrap();
    // Bob sees the shared entry and his own; he cannot change or delete the shared one.
    let seen = fx.gate.list_addresses(bob_caller, &AddressQuery::default()).await.unwrap();
    assert_eq!(seen.iter().map(|a| a.label.as_str()).collect::<Vec<_>>(), vec!["Mine", "Team"]);
    assert_eq!(code(fx.gate.delete_address(bob_caller, shared.id).await), "forbidden");
    // The admin does not see Bob's personal entry.
    let admin_sees = fx.gate.list_addresses(fx.caller(&admin.token), &AddressQuery::default()).await.unwrap();
    assert!(admin_sees.iter().all(|a| a.id != mine.id));
    assert_eq!(code(fx.gate.saved_address(fx.caller(&admin.token), mine.id).await), "not_found");
    assert_eq!(fx.gate.saved_address(bob_caller, shared.id).await.unwrap().label, "Team");

    fx.advance(minutes(11));
    assert_eq!(code(fx.gate.delete_address(fx.caller(&bob.token), mine.id).await), "auth.step_up_required");
    let log = fx.gate.list_audit(fx.caller(&admin.token), 20).await.unwrap();
    assert!(log.iter().any(|e| e.action == "address.added"));
}

#[tokio::test]
async fn a_new_address_cools_off_before_it_can_be_used() {
    let fx = Fixture::new().await;
    let admin = setup(&fx, 24 * 60, false).await;
    let caller = fx.caller(&admin.token);
    let (saved, _) =
        fx.gate.add_address(caller, new_address("Cold", "bitcoin", GENESIS, AddressScope::Personal)).await.unwrap();
    assert!(!saved.usable);
    assert_eq!(saved.usable_from, fx.now().plus(minutes(24 * 60)));
    let request =
        NewWithdrawal { address: saved.id, asset: "BTC".to_owned(), amount: "0.5".to_owned(), note: String::new() };
    let err = fx.gate.create_withdrawal(caller, request.clone()).await.unwrap_err();
    assert_eq!(err.code(), "address.cooling_off");
    assert!(err.to_string().contains("2026-11-23T12:00:00Z"), "{err}");
    let usable_only = AddressQuery { usable_only: true, ..Default::default() };
    assert!(fx.gate.list_addresses(caller, &usable_only).await.unwrap().is_empty());

    fx.advance(minutes(24 * 60));
    // A day later the desktop session has expired: sign in again.
    let again = fx.gate.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD, &terminal(), fx.now()).await.unwrap().signed_in().unwrap();
    let caller = fx.caller(&again.token);
    assert_eq!(fx.gate.list_addresses(caller, &usable_only).await.unwrap().len(), 1);
    fx.confirm(&again).await;
    let made = fx.gate.create_withdrawal(caller, request).await.unwrap();
    assert_eq!((made.status, made.amount.as_str(), made.asset.as_str()), (WithdrawalStatus::Approved, "0.5", "BTC"));
}

#[tokio::test]
async fn a_look_alike_of_a_saved_address_needs_explicit_confirmation() {
    let fx = Fixture::new().await;
    let admin = setup(&fx, 0, false).await;
    let caller = fx.caller(&admin.token);
    fx.gate.add_address(caller, new_address("Treasury", "ethereum", EVM, AddressScope::Personal)).await.unwrap();
    let poisoned = format!("0x5aae{}eaed", "1".repeat(32));
    let matches = fx.gate.find_lookalikes(caller, "ethereum", &poisoned).await.unwrap();
    assert_eq!(matches.len(), 1);
    assert_eq!(matches[0].label, "Treasury");
    assert_eq!(&poisoned[matches[0].candidate_middle.clone()], "1".repeat(32));
    assert_eq!(&matches[0].address[matches[0].saved_middle.clone()], "b6053F3E94C9b9A09f33669435E7Ef1B");

    let mut attempt = new_address("Looks right", "ethereum", &poisoned, AddressScope::Personal);
    let err = fx.gate.add_address(caller, attempt.clone()).await.unwrap_err();
    assert_eq!(err.code(), "address.lookalike");
    assert!(err.to_string().contains("\"Treasury\""), "{err}");
    attempt.accept_lookalike = true;
    fx.gate.add_address(caller, attempt).await.unwrap();
    // An unrelated address raises nothing.
    assert!(fx.gate.find_lookalikes(caller, "ethereum", &format!("0x{}", "2".repeat(40))).await.unwrap().is_empty());
}

#[tokio::test]
async fn editing_an_address_restarts_cooling_off_and_leaves_history_alone() {
    let fx = Fixture::new().await;
    let admin = setup(&fx, 0, false).await;
    let caller = fx.caller(&admin.token);
    let (saved, _) =
        fx.gate.add_address(caller, new_address("Exchange", "tron", TRON, AddressScope::Personal)).await.unwrap();
    let request = NewWithdrawal {
        address: saved.id,
        asset: "usdt".to_owned(),
        amount: "250.5".to_owned(),
        note: "rent".to_owned(),
    };
    let made = fx.gate.create_withdrawal(caller, request).await.unwrap();

    fx.gate.step_up(caller, ADMIN_PASSWORD).await.unwrap();
    let policy = Policy { address_cooling_off_minutes: 60, ..Policy::default() };
    fx.gate.set_policy(caller, &policy).await.unwrap();
    // A label change keeps the address usable; a new address cools off again.
    let relabel = AddressChanges {
        label: "Exchange (old)".to_owned(),
        address: TRON.to_owned(),
        memo: None,
        note: String::new(),
        accept_lookalike: false,
    };
    let (kept, _) = fx.gate.edit_address(caller, saved.id, relabel).await.unwrap();
    assert!(kept.usable);
    let moved = AddressChanges {
        label: "Exchange".to_owned(),
        address: "TN3W4H6rK2ce4vX9YnFQHwKENnHjoxb3m9".to_owned(),
        memo: None,
        note: String::new(),
        accept_lookalike: false,
    };
    let (changed, _) = fx.gate.edit_address(caller, saved.id, moved).await.unwrap();
    assert!(!changed.usable);
    assert_eq!(changed.usable_from, fx.now().plus(minutes(60)));

    let history = fx.gate.list_withdrawals(caller, &WithdrawalQuery::default()).await.unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!((history[0].id, history[0].address.as_str(), history[0].label.as_str()), (made.id, TRON, "Exchange"));
    fx.gate.delete_address(caller, saved.id).await.unwrap();
    assert_eq!(fx.gate.list_withdrawals(caller, &WithdrawalQuery::default()).await.unwrap()[0].address, TRON);
}

#[tokio::test]
async fn assets_and_amounts_are_checked_against_the_network() {
    let fx = Fixture::new().await;
    let admin = setup(&fx, 0, false).await;
    let caller = fx.caller(&admin.token);
    let (saved, _) =
        fx.gate.add_address(caller, new_address("Cold", "bitcoin", GENESIS, AddressScope::Personal)).await.unwrap();
    let with = |asset: &str, amount: &str| NewWithdrawal {
        address: saved.id,
        asset: asset.to_owned(),
        amount: amount.to_owned(),
        note: String::new(),
    };
    for (asset, amount, field) in [
        ("USDT", "1", "Asset"),
        ("BTC", "0.000000001", "Amount"),
        ("BTC", "0", "Amount"),
        ("BTC", "-1", "Amount"),
        ("BTC", "1e3", "Amount"),
        ("BTC", "1,000", "Amount"),
    ] {
        let err = fx.gate.create_withdrawal(caller, with(asset, amount)).await.unwrap_err();
        assert_eq!(err.code(), "invalid_input", "{asset} {amount}");
        assert!(err.to_string().starts_with(field), "{err}");
    }
    assert!(fx.gate.list_withdrawals(caller, &WithdrawalQuery::default()).await.unwrap().is_empty());
    assert_eq!(fx.gate.create_withdrawal(caller, with("btc", "0.12345678")).await.unwrap().amount, "0.12345678");
}

#[tokio::test]
async fn withdrawals_needing_approval_are_decided_by_someone_else_with_a_step_up() {
    let fx = Fixture::new().await;
    let admin = setup(&fx, 0, true).await;
    let carol = fx.user(&admin, "carol@example.com", Role::Finance, &terminal()).await;
    let bob = fx.user(&admin, "bob@example.com", Role::Member, &terminal()).await;
    let (shared, _) = fx
        .gate
        .add_address(fx.caller(&admin.token), new_address("Payroll", "tron", TRON, AddressScope::Shared))
        .await
        .unwrap();
    fx.confirm(&carol).await;
    let request = NewWithdrawal {
        address: shared.id,
        asset: "USDT".to_owned(),
        amount: "1000".to_owned(),
        note: "November".to_owned(),
    };
    let made = fx.gate.create_withdrawal(fx.caller(&carol.token), request).await.unwrap();
    assert_eq!(made.status, WithdrawalStatus::Pending);

    assert_eq!(
        code(fx.gate.decide_withdrawal(fx.caller(&carol.token), made.id, true, "").await),
        "withdrawal.self_approval"
    );
    assert_eq!(code(fx.gate.decide_withdrawal(fx.caller(&bob.token), made.id, true, "").await), "forbidden");
    fx.advance(minutes(11));
    assert_eq!(
        code(fx.gate.decide_withdrawal(fx.caller(&admin.token), made.id, true, "").await),
        "auth.step_up_required"
    );
    fx.confirm(&admin).await;
    let decided =
        fx.gate.decide_withdrawal(fx.caller(&admin.token), made.id, true, "checked with Carol").await.unwrap();
    assert_eq!((decided.status, decided.decided_by.as_deref()), (WithdrawalStatus::Approved, Some(ADMIN_EMAIL)));
    assert_eq!(
        code(fx.gate.decide_withdrawal(fx.caller(&admin.token), made.id, false, "").await),
        "withdrawal.decided"
    );

    // Carol was told; Bob (a member) sees none of it.
    let notices = fx.gate.list_notices(fx.caller(&carol.token), 10).await.unwrap();
    assert!(
        notices.iter().any(
            |n| n.kind == "withdrawal.approved" && n.subject.as_deref() == Some(&format!("withdrawal:{}", made.id))
        )
    );
    assert!(fx.gate.list_withdrawals(fx.caller(&bob.token), &WithdrawalQuery::default()).await.unwrap().is_empty());
    let actions: Vec<String> =
        fx.gate.list_audit(fx.caller(&admin.token), 20).await.unwrap().into_iter().map(|e| e.action).collect();
    assert!(
        actions.contains(&"withdrawal.requested".to_owned()) && actions.contains(&"withdrawal.approved".to_owned())
    );
}

#[tokio::test]
async fn search_finds_labels_and_address_fragments_and_filters_by_network() {
    let fx = Fixture::new().await;
    let admin = setup(&fx, 0, false).await;
    let caller = fx.caller(&admin.token);
    let (cold, _) = fx
        .gate
        .add_address(caller, new_address("Cold storage", "bitcoin", GENESIS, AddressScope::Personal))
        .await
        .unwrap();
    let (tether, _) =
        fx.gate.add_address(caller, new_address("Tether payouts", "tron", TRON, AddressScope::Personal)).await.unwrap();
    fx.gate.add_address(caller, new_address("Ops 100%_", "ethereum", EVM, AddressScope::Personal)).await.unwrap();
    let search = |text: &str| AddressQuery { search: Some(text.to_owned()), ..Default::default() };
    let labels = |list: Vec<gatehouse_core::SavedAddress>| list.into_iter().map(|a| a.label).collect::<Vec<_>>();
    assert_eq!(labels(fx.gate.list_addresses(caller, &search("cold")).await.unwrap()), vec!["Cold storage"]);
    assert_eq!(labels(fx.gate.list_addresses(caller, &search("8ZY4pL")).await.unwrap()), vec!["Tether payouts"]);
    assert_eq!(labels(fx.gate.list_addresses(caller, &search("%_")).await.unwrap()), vec!["Ops 100%_"]);
    // Several words match as one piece of text, in that order, within the label or the address.
    assert_eq!(labels(fx.gate.list_addresses(caller, &search("COLD storage")).await.unwrap()), vec!["Cold storage"]);
    assert!(fx.gate.list_addresses(caller, &search("storage cold")).await.unwrap().is_empty());
    assert!(fx.gate.list_addresses(caller, &search(&format!("storage {}", &GENESIS[..6]))).await.unwrap().is_empty());
    // Quotes and FTS operators in a search are text, not syntax.
    assert!(fx.gate.list_addresses(caller, &search("Ops \" OR *")).await.unwrap().is_empty());

    // The index follows edits and deletions.
    let relabel = AddressChanges {
        label: "Deep freeze".to_owned(),
        address: GENESIS.to_owned(),
        memo: None,
        note: String::new(),
        accept_lookalike: false,
    };
    fx.gate.edit_address(caller, cold.id, relabel).await.unwrap();
    assert!(fx.gate.list_addresses(caller, &search("cold")).await.unwrap().is_empty());
    assert_eq!(labels(fx.gate.list_addresses(caller, &search("FREEZE")).await.unwrap()), vec!["Deep freeze"]);
    fx.gate.delete_address(caller, tether.id).await.unwrap();
    assert!(fx.gate.list_addresses(caller, &search("8ZY4pL")).await.unwrap().is_empty());

    let tron_only = AddressQuery { network: Some("tron".to_owned()), ..Default::default() };
    assert!(fx.gate.list_addresses(caller, &tron_only).await.unwrap().is_empty());
    let bitcoin_only = AddressQuery { network: Some("bitcoin".to_owned()), ..Default::default() };
    assert_eq!(labels(fx.gate.list_addresses(caller, &bitcoin_only).await.unwrap()), vec!["Deep freeze"]);
    let bad = AddressQuery { network: Some("litecoin-cash".to_owned()), ..Default::default() };
    assert_eq!(code(fx.gate.list_addresses(caller, &bad).await), "invalid_input");
}

#[tokio::test]
async fn the_book_and_the_requests_export_as_csv() {
    let fx = Fixture::new().await;
    let admin = setup(&fx, 0, false).await;
    let caller = fx.caller(&admin.token);
    let (saved, _) =
        fx.gate.add_address(caller, new_address("Cold, main", "bitcoin", GENESIS, AddressScope::Shared)).await.unwrap();
    let request =
        NewWithdrawal { address: saved.id, asset: "BTC".to_owned(), amount: "1.50".to_owned(), note: String::new() };
    fx.gate.create_withdrawal(caller, request).await.unwrap();
    let mut book = Vec::new();
    assert_eq!(fx.gate.export_addresses_csv(caller, || Ok(&mut book)).await.unwrap(), 1);
    let book = String::from_utf8(book).unwrap();
    assert!(
        book.starts_with("label,scope,network,address,memo,note,added_by,added_utc,usable_from_utc,last_used_utc\n")
    );
    assert!(book.contains(&format!("\"Cold, main\",shared,bitcoin,{GENESIS},,,ada@example.com,")), "{book}");
    let mut requests = Vec::new();
    assert_eq!(
        fx.gate.export_withdrawals_csv(caller, &WithdrawalQuery::default(), || Ok(&mut requests)).await.unwrap(),
        1
    );
    let requests = String::from_utf8(requests).unwrap();
    assert!(requests.lines().nth(1).unwrap().contains(",approved,BTC,1.5,bitcoin,\"Cold, main\","), "{requests}");
}

#[test]
fn checking_an_address_needs_no_account() {
    let (canonical, notes) = gatehouse_core::check_address("ethereum", &EVM.to_lowercase(), None).unwrap();
    assert_eq!(canonical, EVM);
    assert!(!notes.is_empty());
    let err = gatehouse_core::check_address("bitcoin", "LM2WMpR1Rp6j3Sa59cMXMs1SPzj9eXpGc1", None).unwrap_err();
    assert!(err.to_string().contains("Litecoin"), "{err}");
    assert_eq!(Policy::default().address_cooling_off_minutes, 24 * 60);
}

#[tokio::test]
async fn exports_show_formulas_as_text_and_a_refused_export_creates_nothing() {
    let fx = Fixture::new().await;
    let admin = setup(&fx, 0, false).await;
    let caller = fx.caller(&admin.token);
    let label = "=HYPERLINK(\"http://evil.example\",\"Click\")";
    let mut planted = new_address(label, "bitcoin", GENESIS, AddressScope::Personal);
    planted.note = "@SUM(1+1)".to_owned();
    let (saved, _) = fx.gate.add_address(caller, planted).await.unwrap();
    let request =
        NewWithdrawal { address: saved.id, asset: "BTC".to_owned(), amount: "1".to_owned(), note: "-2+3".to_owned() };
    fx.gate.create_withdrawal(caller, request).await.unwrap();
    let mut sneaky = desktop();
    sneaky.device.name = "+cmd|' /C calc'!A0".to_owned();
    let _ = fx.gate.sign_in(ADMIN_EMAIL, "not-my-password-1", &sneaky, fx.now()).await;

    let mut book = Vec::new();
    fx.gate.export_addresses_csv(caller, || Ok(&mut book)).await.unwrap();
    let book = String::from_utf8(book).unwrap();
    assert!(book.contains("\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"Click\"\")\""), "{book}");
    assert!(book.contains(",'@SUM(1+1),"), "{book}");
    let mut requests = Vec::new();
    fx.gate.export_withdrawals_csv(caller, &WithdrawalQuery::default(), || Ok(&mut requests)).await.unwrap();
    let requests = String::from_utf8(requests).unwrap();
    assert!(requests.contains(",'-2+3,"), "{requests}");
    assert!(requests.contains("\"'=HYPERLINK("), "{requests}");
    let mut activity = Vec::new();
    let everyone =
        gatehouse_core::ActivityFilter { scope: gatehouse_core::ActivityScope::Everyone, ..Default::default() };
    fx.gate.export_activity_csv(caller, &everyone, || Ok(&mut activity)).await.unwrap();
    let activity = String::from_utf8(activity).unwrap();
    assert!(activity.contains(",'+cmd|"), "{activity}");

    // A refused export never opens its file.
    let mut opened = 0;
    let backwards = gatehouse_core::ActivityFilter {
        since: Some(fx.now()),
        until: Some(fx.now().minus(minutes(1))),
        ..Default::default()
    };
    let refused = fx.gate.export_activity_csv(caller, &backwards, || {
        opened += 1;
        Ok(Vec::new())
    });
    assert_eq!(code(refused.await), "invalid_input");
    fx.gate.sign_out(caller).await.unwrap();
    let signed_out = fx.gate.export_addresses_csv(caller, || {
        opened += 1;
        Ok(Vec::new())
    });
    assert_eq!(code(signed_out.await), "session.signed_out");
    assert_eq!(opened, 0);
}

#[tokio::test]
async fn deleting_or_moving_an_address_cancels_the_requests_waiting_on_it() {
    let fx = Fixture::new().await;
    let admin = setup(&fx, 0, true).await;
    let carol = fx.user(&admin, "carol@example.com", Role::Finance, &terminal()).await;
    fx.confirm(&admin).await;
    let caller = fx.caller(&admin.token);
    let (payroll, _) =
        fx.gate.add_address(caller, new_address("Payroll", "tron", TRON, AddressScope::Shared)).await.unwrap();
    let (cold, _) =
        fx.gate.add_address(caller, new_address("Cold", "bitcoin", GENESIS, AddressScope::Shared)).await.unwrap();
    fx.confirm(&carol).await;
    let ask = |address, amount: &str| NewWithdrawal {
        address,
        asset: if address == payroll.id { "USDT" } else { "BTC" }.to_owned(),
        amount: amount.to_owned(),
        note: String::new(),
    };
    let to_payroll = fx.gate.create_withdrawal(fx.caller(&carol.token), ask(payroll.id, "1000")).await.unwrap();
    let to_cold = fx.gate.create_withdrawal(fx.caller(&carol.token), ask(cold.id, "1")).await.unwrap();
    let approved = fx.gate.create_withdrawal(fx.caller(&carol.token), ask(cold.id, "2")).await.unwrap();
    fx.gate.decide_withdrawal(caller, approved.id, true, "").await.unwrap();

    // Deleting "Payroll" cancels its pending request; an approver can't approve it after.
    fx.gate.delete_address(caller, payroll.id).await.unwrap();
    assert_eq!(code(fx.gate.decide_withdrawal(caller, to_payroll.id, true, "").await), "withdrawal.cancelled");
    // Moving "Cold" to another address cancels what waits on it; what was decided stays.
    let moved = AddressChanges {
        label: "Cold".to_owned(),
        address: "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq".to_owned(),
        memo: None,
        note: String::new(),
        accept_lookalike: false,
    };
    fx.gate.edit_address(caller, cold.id, moved).await.unwrap();
    let listed = fx.gate.list_withdrawals(caller, &WithdrawalQuery::default()).await.unwrap();
    let status = |id| listed.iter().find(|w| w.id == id).unwrap().status;
    assert_eq!(status(to_payroll.id), WithdrawalStatus::Cancelled);
    assert_eq!(status(to_cold.id), WithdrawalStatus::Cancelled);
    assert_eq!(status(approved.id), WithdrawalStatus::Approved);
    let note = listed.iter().find(|w| w.id == to_payroll.id).unwrap().decision_note.clone().unwrap();
    assert!(note.contains("\"Payroll\" was deleted"), "{note}");

    // Carol was told why, each time.
    let notices = fx.gate.list_notices(fx.caller(&carol.token), 20).await.unwrap();
    let cancelled: Vec<&str> =
        notices.iter().filter(|n| n.kind == "withdrawal.cancelled").map(|n| n.body.as_str()).collect();
    assert_eq!(cancelled.len(), 2, "{cancelled:?}");
    assert!(cancelled.iter().any(|body| body.contains("the address of \"Cold\" was changed")), "{cancelled:?}");
}

#[tokio::test]
async fn every_note_is_checked_the_same_way_including_a_decisions() {
    let fx = Fixture::new().await;
    let admin = setup(&fx, 0, true).await;
    let carol = fx.user(&admin, "carol@example.com", Role::Finance, &terminal()).await;
    fx.confirm(&admin).await;
    let caller = fx.caller(&admin.token);
    let (saved, _) =
        fx.gate.add_address(caller, new_address("Cold", "bitcoin", GENESIS, AddressScope::Shared)).await.unwrap();
    fx.confirm(&carol).await;
    let request =
        NewWithdrawal { address: saved.id, asset: "BTC".to_owned(), amount: "1".to_owned(), note: String::new() };
    let made = fx.gate.create_withdrawal(fx.caller(&carol.token), request).await.unwrap();
    for bad in ["ring the bell\u{7}", &"x".repeat(501)] {
        let refused = fx.gate.decide_withdrawal(caller, made.id, true, bad).await.unwrap_err();
        assert_eq!(refused.code(), "invalid_input", "{bad:?}");
        assert!(refused.to_string().starts_with("Note: must"), "{refused}");
    }
    let listed = fx.gate.list_withdrawals(caller, &WithdrawalQuery::default()).await.unwrap();
    assert_eq!(listed[0].status, WithdrawalStatus::Pending, "nothing changed");
    // Lines are fine; the note is kept trimmed.
    let decided = fx.gate.decide_withdrawal(caller, made.id, true, "  checked\nwith Carol  ").await.unwrap();
    assert_eq!(decided.decision_note.as_deref(), Some("checked\nwith Carol"));
}

/// A write refused halfway (its transaction began, took its locks and failed on a constraint)
/// is rolled back before its connection is used again: with a single pooled connection
/// (PostgreSQL; SQLite's other connections would wait on its write lock) the next write gets
/// it at once, outside any transaction, and the refused one left nothing.
#[tokio::test]
async fn a_write_refused_halfway_is_rolled_back_before_its_connection_is_reused() {
    let fx = Fixture::with_options(gatehouse_core::OpenOptions { pool_size: Some(1), ..Default::default() }).await;
    let admin = setup(&fx, 0, false).await;
    let caller = fx.caller(&admin.token);
    fx.gate.add_address(caller, new_address("Cold", "bitcoin", GENESIS, AddressScope::Personal)).await.unwrap();
    for _ in 0..3 {
        let same_label = fx.gate.add_address(caller, new_address("cold", "tron", TRON, AddressScope::Personal)).await;
        assert_eq!(code(same_label), "address.label_taken");
        fx.gate.add_address(caller, new_address("Warm", "ethereum", EVM, AddressScope::Personal)).await.unwrap();
        let saved = fx.gate.list_addresses(caller, &AddressQuery::default()).await.unwrap();
        let labels: Vec<&str> = saved.iter().map(|entry| entry.label.as_str()).collect();
        assert_eq!(labels, ["Cold", "Warm"]);
        let warm = saved.iter().find(|entry| entry.label == "Warm").unwrap();
        fx.gate.delete_address(caller, warm.id).await.unwrap();
    }
}
