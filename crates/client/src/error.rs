use crate::secrets::KeychainError;

pub type Result<T, E = ClientError> = std::result::Result<T, E>;

/// Everything the engine can fail with. Front ends map these to their own closed set of codes.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("{0}")]
    InvalidCredentials(String),
    #[error("the server refused the session ({0}); log in again")]
    Unauthorized(String),
    #[error("not logged in")]
    NotLoggedIn,
    #[error("only an admin may do this ({0})")]
    Forbidden(String),
    #[error("this server does not offer this (the deployed Crokodial server has no such route)")]
    Unsupported,
    #[error(transparent)]
    Textdrip(#[from] crate::textdrip::TextdripError),
    #[error("{0}")]
    InvalidInput(String),
    #[error("cannot reach the server: {0}")]
    Network(String),
    #[error("the server answered {status}: {message}")]
    Server { status: u16, message: String },
    #[error(transparent)]
    Keychain(#[from] KeychainError),
    #[error("profile file {path}: {source}")]
    Profile { path: String, source: std::io::Error },
}
