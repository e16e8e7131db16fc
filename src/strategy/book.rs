//! The set of strategies in a database, and which one each customer follows:
//! its own override, else the first matching `applies_to` by rank, else the default.

use super::model::Strategy;
use crate::domain::{Customer, Money};

/// All loaded strategies, in matching order (rank, then id).
#[derive(Debug, Clone, Default)]
pub struct StrategyBook {
    strategies: Vec<Strategy>,
}

impl StrategyBook {
    pub fn new(mut strategies: Vec<Strategy>) -> StrategyBook {
        strategies.sort_by(|a, b| a.rank.cmp(&b.rank).then_with(|| a.id.cmp(&b.id)));
        StrategyBook { strategies }
    }

    pub fn is_empty(&self) -> bool {
        self.strategies.is_empty()
    }

    pub fn all(&self) -> &[Strategy] {
        &self.strategies
    }

    /// The longest look-ahead of any strategy at invoices coming due (for the bulk load).
    pub fn look_ahead(&self) -> u32 {
        self.strategies
            .iter()
            .map(Strategy::look_ahead)
            .max()
            .unwrap_or(0)
    }

    pub fn get(&self, id: &str) -> Option<&Strategy> {
        self.strategies.iter().find(|s| s.id == id)
    }

    /// The default strategy: the one marked `default = true` (first by rank), else the
    /// first by rank.
    pub fn default_strategy(&self) -> Option<&Strategy> {
        self.strategies
            .iter()
            .find(|s| s.is_default)
            .or_else(|| self.strategies.first())
    }

    /// The strategy a customer follows given its open balance.
    pub fn assign(&self, customer: &Customer, balance: Money) -> Option<&Strategy> {
        if let Some(s) = customer.strategy.as_deref().and_then(|id| self.get(id)) {
            return Some(s);
        }
        self.strategies
            .iter()
            .find(|s| {
                s.applies_to
                    .as_ref()
                    .is_some_and(|a| matches(a, customer, balance))
            })
            .or_else(|| self.default_strategy())
    }
}

fn matches(a: &super::model::AppliesTo, c: &Customer, balance: Money) -> bool {
    let segment_ok = a.segments.is_empty()
        || c.segment
            .as_deref()
            .is_some_and(|seg| a.segments.iter().any(|x| x.eq_ignore_ascii_case(seg)));
    let risk_ok = a.risk.is_empty() || a.risk.contains(&c.risk);
    let balance_ok = a.min_balance.is_none_or(|m| balance >= m);
    segment_ok && risk_ok && balance_ok
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Risk;
    use crate::strategy::parse::parse_strategy;

    fn strategy(id: &str, extra: &str) -> Strategy {
        let src = format!(
            "[strategy]\nid = \"{id}\"\n{extra}\n[[step]]\nid = \"a\"\naction = \"call\"\n"
        );
        parse_strategy("t.toml", &src, &|_| true).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn override_then_rank_then_default() {
        let book = StrategyBook::new(vec![
            strategy("standard", "default = true"),
            strategy(
                "strict",
                "rank = 10\n[strategy.applies_to]\nrisk = [\"high\"]",
            ),
            strategy(
                "key",
                "rank = 5\n[strategy.applies_to]\nsegments = [\"Key\"]\nmin_balance = \"10000\"",
            ),
            strategy(
                "gentle",
                "rank = 20\n[strategy.applies_to]\nrisk = [\"low\", \"high\"]",
            ),
        ]);
        let mut c = Customer::named("C1", "Acme");
        let big = Money::from_major(20_000);
        let small = Money::from_major(50);
        // (risk, segment, balance, override, expected)
        let cases = [
            (Risk::Normal, None, small, None, "standard"),
            (Risk::High, None, small, None, "strict"),
            (Risk::Low, None, small, None, "gentle"),
            (Risk::High, Some("key"), big, None, "key"),
            (Risk::High, Some("key"), small, None, "strict"),
            (Risk::Normal, None, small, Some("gentle"), "gentle"),
            // an override that names no strategy falls back to the rules
            (Risk::Normal, None, small, Some("gone"), "standard"),
        ];
        for (risk, segment, balance, over, want) in cases {
            c.risk = risk;
            c.segment = segment.map(str::to_string);
            c.strategy = over.map(str::to_string);
            let got = book.assign(&c, balance).map(|s| s.id.as_str());
            assert_eq!(got, Some(want), "{risk:?} {segment:?} {balance} {over:?}");
        }
    }
}
