//! Newtype identifiers, so a session id can never be passed where a user id is expected.

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, sqlx::Type)]
        #[sqlx(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}", self.0)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.trim().parse().map($name)
            }
        }
    };
}

id_type!(
    /// A user account.
    UserId
);
id_type!(
    /// A signed-in session.
    SessionId
);
id_type!(
    /// A device (one installation of a Gatehouse client) as seen by one user.
    DeviceId
);
id_type!(
    /// One row of sign-in activity.
    ActivityId
);
id_type!(
    /// A saved address in the address book.
    AddressId
);
id_type!(
    /// A withdrawal request.
    WithdrawalId
);
id_type!(
    /// A pending change to the policy that weakens protection.
    PolicyChangeId
);
