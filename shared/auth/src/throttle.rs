//! How failed logins slow down and then lock an account or a client address.
//!
//! The counters live in the database (`hub-db`'s `throttle` module); this is the policy: after
//! the n-th failure within the window, how long the key is blocked.

/// A throttle policy for one kind of key (an account, a client address).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// Failures allowed without any delay.
    pub free_failures: u32,
    /// At this many failures the key is locked for [`ThrottlePolicy::lock_secs`].
    pub lock_after: u32,
    /// How long a lock lasts.
    pub lock_secs: i64,
    /// The longest delay before the lock.
    pub max_delay_secs: i64,
    /// Failures older than this (since the last failure) are forgotten.
    pub window_secs: i64,
}

/// What the n-th failure leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Nothing: the next attempt may come at once.
    Allow,
    /// The next attempt must wait `secs` seconds.
    Delay {
        /// Seconds.
        secs: i64,
    },
    /// The key is locked for `secs` seconds.
    Lock {
        /// Seconds.
        secs: i64,
    },
}

impl Verdict {
    /// How long the key is blocked (0 for [`Verdict::Allow`]).
    pub fn block_secs(self) -> i64 {
        match self {
            Self::Allow => 0,
            Self::Delay { secs } | Self::Lock { secs } => secs,
        }
    }
}

impl ThrottlePolicy {
    /// Per account (per email address, known or not): 3 free failures, then 1, 2, 4, … seconds,
    /// and at 10 failures a 15-minute lock.
    pub const ACCOUNT: Self = Self {
        free_failures: 3,
        lock_after: 10,
        lock_secs: 15 * 60,
        max_delay_secs: 60,
        window_secs: 15 * 60,
    };

    /// Per client address (many users may share one, e.g. behind a NAT): 10 free failures,
    /// then 1, 2, 4, … up to 60 seconds, and at 50 failures a 15-minute lock.
    pub const ADDRESS: Self = Self {
        free_failures: 10,
        lock_after: 50,
        lock_secs: 15 * 60,
        max_delay_secs: 60,
        window_secs: 15 * 60,
    };

    /// The verdict after `failures` failures in the window (counting the one just made).
    pub fn after_failures(&self, failures: u32) -> Verdict {
        if failures >= self.lock_after {
            return Verdict::Lock {
                secs: self.lock_secs,
            };
        }
        if failures <= self.free_failures {
            return Verdict::Allow;
        }
        let exponent = (failures - self.free_failures - 1).min(30);
        Verdict::Delay {
            secs: (1i64 << exponent).min(self.max_delay_secs),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_policy_delays_then_locks() {
        let p = ThrottlePolicy::ACCOUNT;
        let verdicts: Vec<Verdict> = (1..=11).map(|n| p.after_failures(n)).collect();
        assert_eq!(
            verdicts,
            [
                Verdict::Allow,
                Verdict::Allow,
                Verdict::Allow,
                Verdict::Delay { secs: 1 },
                Verdict::Delay { secs: 2 },
                Verdict::Delay { secs: 4 },
                Verdict::Delay { secs: 8 },
                Verdict::Delay { secs: 16 },
                Verdict::Delay { secs: 32 },
                Verdict::Lock { secs: 900 },
                Verdict::Lock { secs: 900 },
            ]
        );
    }

    #[test]
    fn address_policy_caps_the_delay() {
        let p = ThrottlePolicy::ADDRESS;
        assert_eq!(p.after_failures(10), Verdict::Allow);
        assert_eq!(p.after_failures(11), Verdict::Delay { secs: 1 });
        assert_eq!(p.after_failures(30), Verdict::Delay { secs: 60 });
        assert_eq!(p.after_failures(49), Verdict::Delay { secs: 60 });
        assert_eq!(p.after_failures(50).block_secs(), 900);
        assert_eq!(p.after_failures(u32::MAX), Verdict::Lock { secs: 900 });
        assert_eq!(p.after_failures(0).block_secs(), 0);
    }
}
