//! When to try a failed delivery again: exponential backoff with full jitter, then give up.
//!
//! Full jitter (a uniform delay between zero and the exponential ceiling) spreads the retries of
//! many messages that failed together, so a receiver that fell over under load is not hit by the
//! same wave again. The random number comes from the caller, which keeps this pure and testable.

use std::time::Duration;

/// A retry schedule. `attempt` counts the attempts already made, so after the first failure the
/// caller asks for `delay(1, random)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// The ceiling of the first retry's delay.
    pub base: Duration,
    /// How much the ceiling grows with every further attempt.
    pub factor: u32,
    /// The largest delay ever returned, however many attempts failed.
    pub max_delay: Duration,
    /// How many attempts in all (the first one included) before the message is dead-lettered.
    pub max_attempts: u32,
}

impl Default for Backoff {
    /// 30 s, ×4, capped at 6 h, 8 attempts: ceilings 30 s, 2 min, 8 min, 32 min, 2 h 8 min, then
    /// 6 h twice, so a message is given up after at most about 15 hours.
    fn default() -> Self {
        Self {
            base: Duration::from_secs(30),
            factor: 4,
            max_delay: Duration::from_secs(6 * 60 * 60),
            max_attempts: 8,
        }
    }
}

impl Backoff {
    /// The largest delay before the next attempt after `attempt` attempts, or `None` when the
    /// attempts are used up (the message goes to the dead letters). `attempt` 0 means nothing was
    /// tried yet: send now.
    pub fn ceiling(&self, attempt: u32) -> Option<Duration> {
        if attempt >= self.max_attempts {
            return None;
        }
        if attempt == 0 {
            return Some(Duration::ZERO);
        }
        let max = self.max_delay.as_millis();
        let growth = u128::from(self.factor).checked_pow(attempt - 1);
        let ceiling = growth
            .and_then(|growth| self.base.as_millis().checked_mul(growth))
            .map_or(max, |ceiling| ceiling.min(max));
        Some(Duration::from_millis(
            u64::try_from(ceiling).unwrap_or(u64::MAX),
        ))
    }

    /// The delay before the next attempt after `attempt` attempts: uniform in
    /// `0..=ceiling(attempt)` (millisecond steps) chosen by `random`, or `None` to give up.
    pub fn delay(&self, attempt: u32, random: u64) -> Option<Duration> {
        let ceiling = u64::try_from(self.ceiling(attempt)?.as_millis()).unwrap_or(u64::MAX);
        let millis = random % ceiling.saturating_add(1);
        Some(Duration::from_millis(millis))
    }

    /// [`Backoff::delay`], but never shorter than the receiver's `Retry-After` (itself capped at
    /// `max_delay`, so a hostile receiver cannot park a message for a year).
    pub fn delay_after(
        &self,
        attempt: u32,
        random: u64,
        retry_after: Option<Duration>,
    ) -> Option<Duration> {
        let delay = self.delay(attempt, random)?;
        Some(match retry_after {
            Some(hint) => delay.max(hint.min(self.max_delay)),
            None => delay,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: u64 = 60;

    #[test]
    fn default_ceilings_grow_by_four_up_to_six_hours_then_give_up() {
        let backoff = Backoff::default();
        let ceilings: Vec<Option<u64>> = (0..=8)
            .map(|attempt| backoff.ceiling(attempt).map(|d| d.as_secs()))
            .collect();
        assert_eq!(
            ceilings,
            vec![
                Some(0),
                Some(30),
                Some(2 * MINUTE),
                Some(8 * MINUTE),
                Some(32 * MINUTE),
                Some(128 * MINUTE),
                Some(6 * 60 * MINUTE),
                Some(6 * 60 * MINUTE),
                None,
            ]
        );
    }

    #[test]
    fn full_jitter_spans_zero_to_the_ceiling() {
        let backoff = Backoff::default();
        assert_eq!(backoff.delay(1, 0), Some(Duration::ZERO));
        assert_eq!(backoff.delay(1, 30_000), Some(Duration::from_secs(30)));
        assert_eq!(backoff.delay(1, 30_001), Some(Duration::ZERO));
        assert_eq!(
            backoff.delay(2, 12_345),
            Some(Duration::from_millis(12_345))
        );
        assert_eq!(backoff.delay(8, 12_345), None);
        for random in [u64::MAX, u64::MAX / 3, 1 << 40] {
            let delay = backoff.delay(3, random).unwrap();
            assert!(delay <= Duration::from_secs(8 * MINUTE), "{delay:?}");
        }
    }

    #[test]
    fn huge_attempt_counts_saturate_at_the_cap() {
        let backoff = Backoff {
            max_attempts: u32::MAX,
            ..Backoff::default()
        };
        assert_eq!(
            backoff.ceiling(1_000),
            Some(Duration::from_secs(6 * 60 * MINUTE))
        );
        let no_cap = Backoff {
            max_delay: Duration::MAX,
            max_attempts: u32::MAX,
            ..Backoff::default()
        };
        assert!(no_cap.ceiling(u32::MAX - 1).is_some());
    }

    #[test]
    fn retry_after_is_a_lower_bound_capped_at_the_maximum() {
        let backoff = Backoff::default();
        let hint = Some(Duration::from_secs(90));
        assert_eq!(
            backoff.delay_after(1, 0, hint),
            Some(Duration::from_secs(90))
        );
        assert_eq!(
            backoff.delay_after(3, 400_000, hint),
            Some(Duration::from_millis(400_000))
        );
        assert_eq!(
            backoff.delay_after(1, 0, Some(Duration::from_secs(365 * 24 * 3600))),
            Some(Duration::from_secs(6 * 3600))
        );
        assert_eq!(backoff.delay_after(8, 0, hint), None);
    }
}
