//! The reads of a whole shop use the index they were written for. Left to itself,
//! SQLite's planner (with no statistics) answers `issue_date <= ?` by walking the
//! date index and looking up every invoice it names at random; on a million invoices
//! that has made the daily run twice as slow, and a first run spend seconds on a
//! query that needs milliseconds. Each case names a read and what its plan must say.

use super::{Store, prevention, snapshot};

fn plan(store: &Store, sql: &str) -> Vec<String> {
    let mut stmt = store
        .sqlite()
        .expect("a file")
        .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
        .unwrap();
    let n = stmt.parameter_count();
    let params: Vec<&str> = vec!["2026-01-01"; n];
    stmt.query_map(rusqlite::params_from_iter(params), |r| {
        r.get::<_, String>(3)
    })
    .unwrap()
    .collect::<rusqlite::Result<_>>()
    .unwrap()
}

#[test]
fn whole_shop_reads_use_their_indexes() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::create(&dir.path().join("a.db"), "USD").unwrap();
    // (the read, its SQL, a step its plan must have, a step it must not have)
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "open invoices (daily run, reports)",
            snapshot::OPEN_INVOICES,
            "COVERING INDEX invoices_open",
            "invoices_issued",
        ),
        (
            "invoices paid off since a day (reports of past days)",
            snapshot::PAID_OFF_SINCE,
            "COVERING INDEX invoices_settled",
            "invoices_issued",
        ),
        (
            "accounts past due or paid since (the run's reach)",
            snapshot::PAST_DUE_OR_PAID_SINCE,
            "COVERING INDEX invoices_open",
            "invoices_issued",
        ),
        (
            "money open by customer (who is over their credit limit)",
            prevention::OPEN_BY_CUSTOMER,
            "COVERING INDEX invoices_open",
            "invoices_issued",
        ),
        (
            "invoices paid off by a day (days late of the whole shop)",
            prevention::SETTLED_BY,
            "COVERING INDEX invoices_settled",
            "invoices_issued",
        ),
        (
            "one customer's invoices paid off by a day (days late kept between closes)",
            prevention::SETTLED_OF,
            "INDEX invoices_customer",
            "invoices_issued",
        ),
        (
            "invoices written off or with money taken back (days late, the long way)",
            prevention::IRREGULAR,
            "INDEX allocations_irregular",
            "allocations_date",
        ),
    ];
    for (what, sql, must, must_not) in cases {
        let plan = plan(&store, sql);
        assert!(plan.iter().any(|p| p.contains(must)), "{what}: {plan:?}");
        assert!(
            !plan.iter().any(|p| p.contains(must_not)),
            "{what}: {plan:?}"
        );
    }
}
