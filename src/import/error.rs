//! What can go wrong in an import, said so that the person can fix the file: which
//! file, which line, which column, which value.

use std::path::PathBuf;

use crate::diag::Located;
use crate::domain::Money;
use crate::service::ServiceError;
use crate::store::StoreError;

/// Why an import was refused. Nothing was written when any of these is returned.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A mapping file (or a preset) that cannot be used, located in the TOML.
    #[error("{0}")]
    Mapping(Located),
    /// The options asked for something arq will not do.
    #[error("{0}")]
    Refused(String),
    /// The file is not readable CSV at this line (bad quoting, not UTF-8).
    #[error("{file}:{line}: {message}")]
    Csv {
        file: String,
        line: u64,
        message: String,
    },
    /// No usable header row, or a required column is missing from it.
    #[error("{file}:{line}: {message}")]
    Header {
        file: String,
        line: u64,
        message: String,
    },
    /// One cell of one row holds a value arq cannot take.
    #[error("{file}:{line}: column {column}: '{value}' {message}")]
    Cell {
        file: String,
        line: u64,
        /// The arq column, with the file's header when that differs.
        column: String,
        value: String,
        message: String,
    },
    /// A row that is wrong as a whole (a repeated id, an invoice of another customer).
    #[error("{file}:{line}: {message}")]
    Row {
        file: String,
        line: u64,
        message: String,
    },
    /// A report whose own grand total differs from what its rows add up to.
    #[error(
        "{file}:{line}: the file's own total is {ft} but the rows read add up to {rt} (a difference of {diff}): {detail}. Look for a customer and its sub-customers counted twice, a sign read the wrong way, or rows of a type left out; `[rows] check_total = false` in a mapping file turns this check off",
        ft = .file_total.grouped(),
        rt = .read_total.grouped(),
        diff = (*.file_total - *.read_total).grouped()
    )]
    TotalMismatch {
        file: String,
        line: u64,
        file_total: Money,
        read_total: Money,
        /// What was read, said briefly.
        detail: String,
    },
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<StoreError> for ImportError {
    fn from(e: StoreError) -> ImportError {
        ImportError::Service(ServiceError::Store(e))
    }
}

impl From<rusqlite::Error> for ImportError {
    fn from(e: rusqlite::Error) -> ImportError {
        ImportError::Service(ServiceError::from(e))
    }
}

impl ImportError {
    /// The line of the file the error is about, when it is about one.
    pub fn line(&self) -> Option<u64> {
        match self {
            ImportError::Csv { line, .. }
            | ImportError::Header { line, .. }
            | ImportError::Cell { line, .. }
            | ImportError::Row { line, .. }
            | ImportError::TotalMismatch { line, .. } => Some(*line),
            _ => None,
        }
    }
}
