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

/// On a server, makes arq user `name` a login role of the same name in the group of
/// `role` (and of no other arq group); a new role gets `password` when one is given.
/// On a SQLite file there are no roles: nothing to do.
pub fn grant_login<'c>(
    conn: impl Into<Db<'c>>,
    name: &str,
    role: Role,
    password: Option<&str>,
) -> Result<()> {
    let conn = conn.into();
    if let Db::Lite(_) = conn {
        return Ok(());
    }
    let ident = super::pg::quote_ident(name);
    let exists = |conn: Db<'_>| -> Result<bool> {
        Ok(conn
            .query_row("SELECT 1 FROM pg_roles WHERE rolname = ?1", [name], |_| {
                Ok(())
            })
            .optional()?
            .is_some())
    };
    if !exists(conn)? {
        let mut create = format!("CREATE ROLE {ident} LOGIN");
        if let Some(p) = password {
            create.push_str(&format!(" PASSWORD {}", super::pg::quote_literal(p)));
        }
        // Roles are the cluster's: another arq may create the same one this moment.
        // A savepoint keeps this transaction usable when it did.
        conn.execute_batch("SAVEPOINT arq_role")?;
        match conn.execute_batch(&create) {
            Ok(()) => conn.execute_batch("RELEASE SAVEPOINT arq_role")?,
            Err(e) => {
                conn.execute_batch("ROLLBACK TO SAVEPOINT arq_role")?;
                if !exists(conn)? {
                    return Err(e.into());
                }
            }
        }
    }
    let groups = super::pg::Groups::new(
        conn.prepare("SELECT role, name FROM arq_groups")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?,
    );
    for sql in groups.membership(&ident, role.as_str())? {
        conn.execute_batch(&sql)?;
    }
    Ok(())
}
