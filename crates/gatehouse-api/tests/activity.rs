//! The wire form of sign-in activity and the policy, as the UI sends and reads it (JSON
//! with camelCase names, like Tauri's `invoke`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use gatehouse_api::{ActivityQuery, AttemptView, PolicyView};
use gatehouse_core::{
    ActivityId, Attempt, AttemptReason, DeviceKind, Outcome, Policy, RiskFlag, RiskFlags, Timestamp, UserId,
};
use serde_json::json;

#[test]
fn the_flagged_filter_may_be_left_out_and_defaults_to_off() {
    // What the UI sends today: every field but flaggedOnly.
    let without: ActivityQuery = serde_json::from_value(json!({
        "userId": null, "everyone": true, "failuresOnly": false, "since": null, "until": null,
        "before": null, "limit": 50
    }))
    .unwrap();
    assert!(!without.to_filter().flagged_only);
    let with: ActivityQuery = serde_json::from_value(json!({ "flaggedOnly": true })).unwrap();
    let filter = with.to_filter();
    assert!(filter.flagged_only && !filter.failures_only);
}

#[test]
fn attempts_carry_their_flags_as_codes_and_labels() {
    let attempt = Attempt {
        id: ActivityId(7),
        at: Timestamp::from_millis(1_795_348_800_000),
        email: "ada@example.com".to_owned(),
        user_id: Some(UserId(1)),
        outcome: Outcome::Success,
        reason: AttemptReason::SignedIn,
        ip: Some("175.16.199.1".to_owned()),
        location: "Changchun, China".to_owned(),
        device_id: None,
        device_name: "laptop".to_owned(),
        device_kind: DeviceKind::Laptop,
        os: "Debian 12".to_owned(),
        client: "Gatehouse desktop 0.1.0".to_owned(),
        session_id: None,
        second_factor: None,
        risk_flags: [RiskFlag::ImpossibleTravel, RiskFlag::NewPlace].into_iter().collect(),
        disowned_at: None,
    };
    let view = serde_json::to_value(AttemptView::from(&attempt)).unwrap();
    assert_eq!(
        view["riskFlags"],
        json!([
            { "code": "new_place", "label": "New place" },
            { "code": "impossible_travel", "label": "Impossible travel" }
        ])
    );
    let plain = Attempt { risk_flags: RiskFlags::NONE, ..attempt };
    assert_eq!(serde_json::to_value(AttemptView::from(&plain)).unwrap()["riskFlags"], json!([]));
}

#[test]
fn the_policy_view_carries_the_risk_thresholds_both_ways() {
    let policy = Policy { failure_burst_threshold: 8, impossible_travel_kmh: 1_200, ..Policy::default() };
    let view = serde_json::to_value(PolicyView::from(&policy)).unwrap();
    assert_eq!(
        (
            &view["failureBurstThreshold"],
            &view["failureBurstMinutes"],
            &view["newPlaceDays"],
            &view["impossibleTravelKmh"]
        ),
        (&json!(8), &json!(15), &json!(90), &json!(1_200))
    );
    let back: PolicyView = serde_json::from_value(view).unwrap();
    assert_eq!(Policy::from(&back), policy);
}
