//! Users and their roles.

use rusqlite::{Connection, OptionalExtension, params};

use super::Result;
use crate::domain::{Role, User};

pub fn get(conn: &Connection, name: &str) -> Result<Option<User>> {
    let u = conn
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

pub fn list(conn: &Connection) -> Result<Vec<User>> {
    let mut stmt = conn.prepare_cached("SELECT name, role FROM users ORDER BY name")?;
    let rows = stmt.query_map([], |r| {
        Ok(User {
            name: r.get(0)?,
            role: r.get(1)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Adds a user (the name must be new).
pub fn insert(conn: &Connection, name: &str, role: Role, at: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO users (name, role, created_at) VALUES (?1, ?2, ?3)",
        params![name, role, at],
    )?;
    Ok(())
}

/// Changes a user's role.
pub fn set_role(conn: &Connection, name: &str, role: Role) -> Result<()> {
    conn.execute(
        "UPDATE users SET role = ?2 WHERE name = ?1",
        params![name, role],
    )?;
    Ok(())
}
