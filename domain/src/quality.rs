//! Quality inspection (质检): scorecards of weighted criteria, inspections that score a resolved
//! ticket per criterion, the reproducible sample inspectors draw, and the rolling average under
//! which an agent is sent to training.

use crate::DomainError;
use uuid::Uuid;

/// Most criteria on one scorecard.
pub const MAX_CRITERIA: usize = 20;
/// Most tickets one sample draws.
pub const MAX_SAMPLE: usize = 100;
/// How many of an agent's latest inspections the rolling quality average covers.
pub const ROLLING_WINDOW: usize = 5;
/// Fewer inspections than this never trigger a training recommendation.
pub const MIN_REVIEWS_FOR_ALERT: usize = 3;

/// One thing inspectors score, with its share of the total.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Criterion {
    /// Stable key, `[a-z0-9_]`, e.g. `greeting`.
    pub key: String,
    /// What inspectors read, e.g. "Greeting and identification".
    pub label: String,
    /// Relative weight, 1 to 100.
    pub weight: i32,
}

/// One criterion's score in an inspection.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Score {
    /// The criterion's key.
    pub key: String,
    /// 0 to 100.
    pub score: i32,
    /// Why, optionally.
    pub comment: Option<String>,
}

/// Checks a scorecard: a name, 1 to [`MAX_CRITERIA`] criteria with distinct well-formed keys,
/// labels, and weights from 1 to 100. Returns the trimmed name and criteria.
pub fn validate_scorecard(
    name: &str,
    criteria: &[Criterion],
) -> Result<(String, Vec<Criterion>), DomainError> {
    let name = crate::text::required(name, "name", 120)?;
    if criteria.is_empty() || criteria.len() > MAX_CRITERIA {
        return Err(DomainError::invalid(
            "criteria",
            format!("give between 1 and {MAX_CRITERIA} criteria"),
        ));
    }
    let mut out: Vec<Criterion> = Vec::with_capacity(criteria.len());
    for (i, c) in criteria.iter().enumerate() {
        let field = |f: &str| format!("criteria.{i}.{f}");
        let key = c.key.trim();
        let well_formed = !key.is_empty()
            && key.len() <= 40
            && key
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !well_formed {
            return Err(DomainError::invalid(
                field("key"),
                "use 1 to 40 lower-case letters, digits and underscores",
            ));
        }
        if out.iter().any(|o| o.key == key) {
            return Err(DomainError::invalid(field("key"), "each key once"));
        }
        if !(1..=100).contains(&c.weight) {
            return Err(DomainError::invalid(
                field("weight"),
                "must be between 1 and 100",
            ));
        }
        out.push(Criterion {
            key: key.to_owned(),
            label: crate::text::required(&c.label, &field("label"), 200)?,
            weight: c.weight,
        });
    }
    Ok((name, out))
}

/// Checks an inspection's scores against its scorecard — every criterion exactly once, each
/// 0 to 100 — and returns them in the scorecard's order with the total: the weighted mean.
pub fn score(criteria: &[Criterion], scores: &[Score]) -> Result<(Vec<Score>, f64), DomainError> {
    let mut ordered = Vec::with_capacity(criteria.len());
    for (i, s) in scores.iter().enumerate() {
        if !criteria.iter().any(|c| c.key == s.key) {
            return Err(DomainError::invalid(
                format!("scores.{i}.key"),
                "not a criterion of this scorecard",
            ));
        }
        if !(0..=100).contains(&s.score) {
            return Err(DomainError::invalid(
                format!("scores.{i}.score"),
                "must be between 0 and 100",
            ));
        }
    }
    let mut weighted = 0i64;
    let mut weights = 0i64;
    for c in criteria {
        let mut matching = scores.iter().filter(|s| s.key == c.key);
        let (Some(s), None) = (matching.next(), matching.next()) else {
            return Err(DomainError::invalid(
                "scores",
                format!("score every criterion exactly once (`{}`)", c.key),
            ));
        };
        let comment = match s.comment.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => Some(crate::text::required(text, "scores.comment", 2_000)?),
        };
        weighted += i64::from(c.weight) * i64::from(s.score);
        weights += i64::from(c.weight);
        ordered.push(Score {
            key: c.key.clone(),
            score: s.score,
            comment,
        });
    }
    if weights == 0 {
        return Err(DomainError::invalid(
            "scorecardId",
            "the scorecard has no criteria",
        ));
    }
    Ok((ordered, weighted as f64 / weights as f64))
}

/// Inspectors judge others' work: nobody inspects a ticket they worked themselves.
pub fn may_inspect(inspector: Uuid, agent: Uuid) -> Result<(), DomainError> {
    if inspector == agent {
        Err(DomainError::forbidden("you do not inspect your own work"))
    } else {
        Ok(())
    }
}

/// Draws up to `size` of `candidates` at random, reproducibly: the same candidates and seed
/// always give the same sample, in the same order, whatever order the candidates came in.
pub fn sample(candidates: &[Uuid], seed: u64, size: usize) -> Vec<Uuid> {
    let mut keyed: Vec<(u64, Uuid)> = candidates
        .iter()
        .map(|id| {
            let (hi, lo) = id.as_u64_pair();
            (mix(mix(seed ^ hi) ^ lo), *id)
        })
        .collect();
    keyed.sort_unstable();
    keyed.dedup_by_key(|(_, id)| *id);
    keyed.into_iter().take(size).map(|(_, id)| id).collect()
}

/// SplitMix64's finaliser: a fixed, well-spread permutation of 64-bit values.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Whether an agent's latest inspection totals (newest first) put their rolling average — over
/// the latest [`ROLLING_WINDOW`] — under `threshold`; fewer than [`MIN_REVIEWS_FOR_ALERT`]
/// inspections say nothing yet.
pub fn below_threshold(latest_first: &[f64], threshold: f64) -> bool {
    let window = &latest_first[..latest_first.len().min(ROLLING_WINDOW)];
    window.len() >= MIN_REVIEWS_FOR_ALERT
        && window.iter().sum::<f64>() / (window.len() as f64) < threshold
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn card() -> Vec<Criterion> {
        vec![
            Criterion {
                key: "greeting".into(),
                label: "Greeting".into(),
                weight: 1,
            },
            Criterion {
                key: "accuracy".into(),
                label: "Accuracy".into(),
                weight: 3,
            },
        ]
    }

    fn s(key: &str, score: i32) -> Score {
        Score {
            key: key.into(),
            score,
            comment: None,
        }
    }

    #[test]
    fn the_total_is_the_weighted_mean_in_scorecard_order() {
        let (ordered, total) = score(&card(), &[s("accuracy", 80), s("greeting", 40)]).unwrap();
        assert_eq!(ordered[0].key, "greeting");
        assert!((total - 70.0).abs() < 1e-9, "{total}");
    }

    #[test]
    fn every_criterion_is_scored_exactly_once_within_range() {
        assert!(score(&card(), &[s("greeting", 40)]).is_err());
        assert!(
            score(
                &card(),
                &[s("greeting", 40), s("greeting", 50), s("accuracy", 1)]
            )
            .is_err()
        );
        assert!(score(&card(), &[s("greeting", 101), s("accuracy", 1)]).is_err());
        assert!(score(&card(), &[s("greeting", 1), s("accuracy", 1), s("tone", 1)]).is_err());
    }

    #[test]
    fn scorecards_need_distinct_well_formed_keys_and_sane_weights() {
        assert!(validate_scorecard("Calls", &card()).is_ok());
        let mut twice = card();
        twice[1].key = "greeting".into();
        assert!(validate_scorecard("Calls", &twice).is_err());
        let mut heavy = card();
        heavy[0].weight = 0;
        assert!(validate_scorecard("Calls", &heavy).is_err());
        let mut spaced = card();
        spaced[0].key = "Greeting Key".into();
        assert!(validate_scorecard("Calls", &spaced).is_err());
        assert!(validate_scorecard("Calls", &[]).is_err());
    }

    #[test]
    fn nobody_inspects_their_own_work() {
        let me = Uuid::now_v7();
        assert!(matches!(
            may_inspect(me, me),
            Err(DomainError::Forbidden(_))
        ));
        assert!(may_inspect(me, Uuid::now_v7()).is_ok());
    }

    #[test]
    fn the_rolling_average_needs_a_few_inspections_and_only_the_latest_count() {
        assert!(!below_threshold(&[10.0, 10.0], 70.0));
        assert!(below_threshold(&[60.0, 65.0, 69.0], 70.0));
        // The five latest average 80; the older bad ones no longer count.
        assert!(!below_threshold(
            &[80.0, 80.0, 80.0, 80.0, 80.0, 0.0, 0.0],
            70.0
        ));
    }

    proptest! {
        #[test]
        fn a_sample_is_reproducible_and_a_subset(
            ids in proptest::collection::vec(any::<u128>(), 0..40),
            seed in any::<u64>(),
            size in 0usize..50,
        ) {
            let ids: Vec<Uuid> = ids.into_iter().map(Uuid::from_u128).collect();
            let mut reversed = ids.clone();
            reversed.reverse();
            let a = sample(&ids, seed, size);
            prop_assert_eq!(&a, &sample(&reversed, seed, size));
            prop_assert!(a.len() <= size);
            prop_assert!(a.iter().all(|id| ids.contains(id)));
            let mut distinct = a.clone();
            distinct.sort();
            distinct.dedup();
            prop_assert_eq!(distinct.len(), a.len());
        }
    }
}
