//! Statements are written once, in what SQLite and PostgreSQL both understand; this
//! rewrites the few spellings that differ, for PostgreSQL:
//!
//! | SQLite | PostgreSQL |
//! | --- | --- |
//! | `?1`, `?2` (and a bare `?`) | `$1`, `$2` |
//! | `INDEXED BY name` (a planner hint) | nothing |
//! | `last_insert_rowid()` | `lastval()` |
//! | `IFNULL(` | `COALESCE(` |
//! | `INSERT OR IGNORE INTO …` | `INSERT INTO … ON CONFLICT DO NOTHING` |
//! | `CROSS JOIN t ON …` (SQLite keeps the join order) | `JOIN t ON …` |
//! | `max(a, b)`, `min(a, b)` (scalar: more than one argument) | `GREATEST`, `LEAST` |
//! | `json_each(?1)` (a list of ids bound as one JSON array) | `json_array_elements_text(…)` |
//!
//! Integer ids from a JSON list are read `CAST(value AS INTEGER)` in both.
//!
//! Text inside quotes is left alone. What this does not cover is spelled per backend
//! with `Db::pick`.

/// `sql` for PostgreSQL.
pub fn postgres(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    let mut chars = sql.char_indices().peekable();
    let mut next_bare = 0;
    let mut ignore = false;
    while let Some((i, c)) = chars.next() {
        match c {
            '\'' | '"' => {
                // Copy the quoted text as it is ('' and "" stay inside it).
                out.push(c);
                while let Some((_, q)) = chars.next() {
                    out.push(q);
                    if q == c {
                        if chars.peek().is_some_and(|(_, n)| *n == c) {
                            if let Some((_, n)) = chars.next() {
                                out.push(n);
                            }
                            continue;
                        }
                        break;
                    }
                }
            }
            '?' => {
                let mut digits = String::new();
                while let Some((_, d)) = chars.peek().filter(|(_, d)| d.is_ascii_digit()) {
                    digits.push(*d);
                    chars.next();
                }
                if digits.is_empty() {
                    next_bare += 1;
                    digits = next_bare.to_string();
                }
                out.push('$');
                out.push_str(&digits);
            }
            _ if starts_word(sql, i, "INDEXED BY") => {
                // Skip the hint and the index's name.
                let rest = &sql[i + "INDEXED BY".len()..];
                let name_end = rest
                    .trim_start()
                    .find(|ch: char| !(ch.is_alphanumeric() || ch == '_'))
                    .unwrap_or(rest.trim_start().len());
                let skip = "INDEXED BY".len() + (rest.len() - rest.trim_start().len()) + name_end;
                for _ in 1..skip {
                    chars.next();
                }
            }
            _ if starts_word(sql, i, "last_insert_rowid()") => {
                out.push_str("lastval()");
                for _ in 1.."last_insert_rowid()".len() {
                    chars.next();
                }
            }
            _ if starts_word(sql, i, "IFNULL(") => {
                out.push_str("COALESCE(");
                for _ in 1.."IFNULL(".len() {
                    chars.next();
                }
            }
            _ if starts_word(sql, i, "CROSS JOIN") && joins_on(&sql[i..]) => {
                // SQLite takes `CROSS JOIN … ON` (a join order it must keep); the
                // server wants a plain join for a join with a condition.
                out.push_str("JOIN");
                for _ in 1.."CROSS JOIN".len() {
                    chars.next();
                }
            }
            _ if (starts_word(sql, i, "max(") || starts_word(sql, i, "min("))
                && scalar(&sql[i + 4..]) =>
            {
                // SQLite's max(a, b) and min(a, b) (more than one argument: not the
                // aggregate) are the server's GREATEST and LEAST.
                out.push_str(if sql[i..].to_ascii_lowercase().starts_with("max") {
                    "GREATEST("
                } else {
                    "LEAST("
                });
                for _ in 1.."max(".len() {
                    chars.next();
                }
            }
            _ if starts_word(sql, i, "json_each(") => {
                // A list of ids bound as one JSON array.
                out.push_str("json_array_elements_text(CAST(CAST(");
                for _ in 1.."json_each(".len() {
                    chars.next();
                }
                let mut arg = String::new();
                for (_, a) in chars.by_ref() {
                    if a == ')' {
                        break;
                    }
                    arg.push(a);
                }
                out.push_str(&postgres(&arg));
                out.push_str(" AS TEXT) AS json))");
            }
            _ if starts_word(sql, i, "INSERT OR IGNORE INTO") => {
                out.push_str("INSERT INTO");
                ignore = true;
                for _ in 1.."INSERT OR IGNORE INTO".len() {
                    chars.next();
                }
            }
            _ => out.push(c),
        }
    }
    if ignore {
        let trimmed = out.trim_end().trim_end_matches(';').to_string();
        out = format!("{trimmed} ON CONFLICT DO NOTHING");
    }
    out
}

/// Whether the call whose arguments start `args` (just after its `(`) has more than
/// one argument: a comma outside any inner parentheses or quotes before its `)`.
fn scalar(args: &str) -> bool {
    let mut depth = 0;
    let mut quote = None;
    for c in args.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') if depth == 0 => return false,
            (None, ')') => depth -= 1,
            (None, ',') if depth == 0 => return true,
            _ => {}
        }
    }
    false
}

/// Whether the join that starts `rest` (`CROSS JOIN table [alias] [INDEXED BY x]`)
/// has an `ON` condition.
fn joins_on(rest: &str) -> bool {
    rest.split_whitespace()
        .skip(2)
        .take(6)
        .take_while(|w| {
            !matches!(
                w.to_ascii_uppercase().as_str(),
                "WHERE" | "JOIN" | "CROSS" | "LEFT" | "GROUP" | "ORDER" | "UNION" | "LIMIT"
            )
        })
        .any(|w| w.eq_ignore_ascii_case("ON"))
}

/// Whether `word` (ASCII, any case) starts at byte `i` of `sql`, not inside a name.
fn starts_word(sql: &str, i: usize, word: &str) -> bool {
    let before_ok = sql[..i]
        .chars()
        .next_back()
        .is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
    before_ok
        && sql
            .get(i..i + word.len())
            .is_some_and(|s| s.eq_ignore_ascii_case(word))
}

#[cfg(test)]
mod tests {
    use super::postgres;

    #[test]
    fn spellings_sqlite_alone_knows_are_rewritten() {
        let cases = [
            (
                "SELECT a FROM t WHERE b = ?1 AND c = ?12",
                "SELECT a FROM t WHERE b = $1 AND c = $12",
            ),
            ("VALUES (?, ?)", "VALUES ($1, $2)"),
            (
                "SELECT '?1', \"?\" FROM t WHERE x = ?2",
                "SELECT '?1', \"?\" FROM t WHERE x = $2",
            ),
            ("SELECT 'it''s ?' , ?1", "SELECT 'it''s ?' , $1"),
            (
                "SELECT id FROM invoices INDEXED BY invoices_open WHERE balance <> 0",
                "SELECT id FROM invoices  WHERE balance <> 0",
            ),
            (
                "UPDATE t SET r = ?1 WHERE id = last_insert_rowid()",
                "UPDATE t SET r = $1 WHERE id = lastval()",
            ),
            (
                "SELECT IFNULL(SUM(x), 0) FROM t",
                "SELECT COALESCE(SUM(x), 0) FROM t",
            ),
            (
                "INSERT OR IGNORE INTO t (a) VALUES (?1)",
                "INSERT INTO t (a) VALUES ($1) ON CONFLICT DO NOTHING",
            ),
            (
                "FROM tasks t CROSS JOIN customers c INDEXED BY customers_owner ON c.owner = ?2",
                "FROM tasks t JOIN customers c  ON c.owner = $2",
            ),
            (
                "FROM a CROSS JOIN b WHERE a.x = b.x",
                "FROM a CROSS JOIN b WHERE a.x = b.x",
            ),
            (
                "WHERE id IN (SELECT CAST(value AS INTEGER) FROM json_each(?2))",
                "WHERE id IN (SELECT CAST(value AS INTEGER) FROM json_array_elements_text(CAST(CAST($2 AS TEXT) AS json)))",
            ),
            (
                "SET d = max(COALESCE(d, ?3), ?3), n = MAX(x), m = min(a, (b))",
                "SET d = GREATEST(COALESCE(d, $3), $3), n = MAX(x), m = LEAST(a, (b))",
            ),
            // A name that merely contains a keyword is not touched.
            ("SELECT my_ifnull(a) FROM t", "SELECT my_ifnull(a) FROM t"),
        ];
        for (lite, pg) in cases {
            assert_eq!(postgres(lite), pg, "{lite}");
        }
    }
}
