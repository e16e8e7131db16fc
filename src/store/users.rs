//! Users and their roles.

use rusqlite::{OptionalExtension, params};

use super::Result;
use super::db::Db;
use crate::domain::{Role, User};

pub fn get<'c>(conn: impl Into<Db<'c>>, name: &str) -> Result<Option<User>> {
    let u = conn
        .into()
        .query_row(
            "SELECT name, role FROM users WHERE name = ?1",
            [name],
            |r| {
                Ok(User {
                    name: r.get(0)?,
                    role: r.get(1)?,
                })
            },
        )
        .optional()?;
    Ok(u)
}

pub fn list<'c>(conn: impl Into<Db<'c>>) -> Result<Vec<User>> {
    let mut stmt = conn
        .into()
        .prepare_cached("SELECT name, role FROM users ORDER BY name")?;
    let rows = stmt.query_map([], |r| {
        Ok(User {
            name: r.get(0)?,
            role: r.get(1)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Adds a user (the name must be new).
pub fn insert<'c>(conn: impl Into<Db<'c>>, name: &str, role: Role, at: &str) -> Result<()> {
    conn.into().execute(
        "INSERT INTO users (name, role, created_at) VALUES (?1, ?2, ?3)",
        params![name, role, at],
    )?;
    Ok(())
}

/// Changes a user's role.
pub fn set_role<'c>(conn: impl Into<Db<'c>>, name: &str, role: Role) -> Result<()> {
    conn.into().execute(
        "UPDATE users SET role = ?2 WHERE name = ?1",
        params![name, role],
    )?;
    Ok(())
}
