//! How domain values travel to and from SQLite: money as integer minor units, the
//! closed vocabularies as their text spelling.

use super::db::Row;
use crate::strategy::engine::FlagKind;
use chrono::NaiveDate;
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, Type, ValueRef};

use crate::domain::{
    CallOutcome, Channel, ChannelSet, DisputeReason, DisputeStatus, EventKind, ItemAction,
    ItemOutcome, Money, PlanStatus, PromiseStatus, Reason, Risk, Role, WriteOffStatus,
};
use crate::strategy::{Action, Assignee};

impl ToSql for Money {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.to_minor()))
    }
}

impl FromSql for Money {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        value.as_i64().map(Money::from_minor)
    }
}

impl ToSql for ChannelSet {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.to_string()))
    }
}

impl FromSql for ChannelSet {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        value
            .as_str()
            .and_then(|s| ChannelSet::parse(s).map_err(FromSqlError::other))
    }
}

macro_rules! text_enum_sql {
    ($($t:ty),+) => {$(
        impl ToSql for $t {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                Ok(ToSqlOutput::from(self.as_str()))
            }
        }

        impl FromSql for $t {
            fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
                value.as_str().and_then(|s| s.parse::<$t>().map_err(FromSqlError::other))
            }
        }
    )+};
}

text_enum_sql!(
    Role,
    Risk,
    Channel,
    Reason,
    CallOutcome,
    DisputeReason,
    DisputeStatus,
    PromiseStatus,
    EventKind,
    Action,
    Assignee,
    ItemAction,
    ItemOutcome,
    PlanStatus,
    WriteOffStatus,
    FlagKind
);

/// Reads an ISO date (`YYYY-MM-DD`) column without a general date parser: the bulk
/// loads read hundreds of thousands of them.
pub fn date_at(row: &Row<'_>, idx: usize) -> rusqlite::Result<NaiveDate> {
    let bad = || rusqlite::Error::InvalidColumnType(idx, "date".into(), Type::Text);
    let s = row.get_ref(idx)?.as_str().map_err(|_| bad())?.as_bytes();
    if s.len() != 10 || s[4] != b'-' || s[7] != b'-' {
        return row.get(idx);
    }
    let num = |b: &[u8]| -> Option<u32> {
        b.iter().try_fold(0u32, |n, c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    match (num(&s[0..4]), num(&s[5..7]), num(&s[8..10])) {
        (Some(y), Some(m), Some(d)) => {
            NaiveDate::from_ymd_opt(i32::try_from(y).map_err(|_| bad())?, m, d).ok_or_else(bad)
        }
        _ => row.get(idx),
    }
}

/// Borrows a text column without copying it.
pub fn text_at<'r>(row: &'r Row<'_>, idx: usize) -> rusqlite::Result<&'r str> {
    row.get_ref(idx)?
        .as_str()
        .map_err(|_| rusqlite::Error::InvalidColumnType(idx, "text".into(), Type::Text))
}
