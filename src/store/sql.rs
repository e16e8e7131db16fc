//! How domain values travel to and from SQLite: money as integer minor units, the
//! closed vocabularies as their text spelling.

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};

use crate::domain::{
    CallOutcome, Channel, ChannelSet, DisputeReason, DisputeStatus, EventKind, Money,
    PromiseStatus, Reason, Risk, Role,
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
    Assignee
);
