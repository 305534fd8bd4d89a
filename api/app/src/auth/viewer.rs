//! Who is calling: resolved once per request (HTTP) or connection (WebSocket) from the bearer
//! token, with the account re-read so deactivation and password changes take effect at once.

use super::jwt::{JwtKeys, TokenRejection};
use crate::error::{AppError, AppResult};
use careline_domain::{Action, Roles, permission};
use careline_persistence::{DatabaseConnection, entity::user, users};
use uuid::Uuid;

/// An authenticated, active account.
#[derive(Debug, Clone)]
pub struct Viewer {
    /// The account as stored at the start of the request.
    pub user: user::Model,
    /// When the presented access token expires (a WebSocket closes then).
    pub token_expires_at: chrono::DateTime<chrono::Utc>,
}

impl Viewer {
    /// The account id.
    pub fn id(&self) -> Uuid {
        self.user.id
    }

    /// The account's current roles.
    pub fn roles(&self) -> Roles {
        self.user.role_set()
    }

    /// Checks the role × action table.
    pub fn require(&self, action: Action) -> AppResult<()> {
        Ok(permission::require(self.roles(), action)?)
    }

    /// Whether the table allows `action`.
    pub fn can(&self, action: Action) -> bool {
        permission::allowed(self.roles(), action)
    }

    /// Whether the caller is staff (any role but customer).
    pub fn is_staff(&self) -> bool {
        self.roles().is_staff()
    }
}

/// The caller of one request.
#[derive(Debug, Clone)]
pub enum Caller {
    /// No credentials were presented.
    Anonymous,
    /// A valid token for an active account.
    Authenticated(Box<Viewer>),
    /// Credentials were presented but refused.
    Rejected(Rejection),
}

/// Why presented credentials were refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection {
    /// The token expired.
    Expired,
    /// The token is not one of ours, or malformed.
    Invalid,
    /// The account was deactivated or its credentials changed since the token was issued.
    Revoked,
}

impl Caller {
    /// The viewer, or `UNAUTHENTICATED` with a message that says what to do.
    pub fn viewer(&self) -> AppResult<&Viewer> {
        match self {
            Caller::Authenticated(viewer) => Ok(viewer),
            Caller::Anonymous => Err(AppError::Unauthenticated(
                "sign in first: send Authorization: Bearer <access token>".to_owned(),
            )),
            Caller::Rejected(Rejection::Expired) => Err(AppError::Unauthenticated(
                "your access token has expired; refresh it or sign in again".to_owned(),
            )),
            Caller::Rejected(Rejection::Invalid) => Err(AppError::Unauthenticated(
                "the access token is not valid".to_owned(),
            )),
            Caller::Rejected(Rejection::Revoked) => Err(AppError::Unauthenticated(
                "this session is no longer valid; sign in again".to_owned(),
            )),
        }
    }

    /// Resolves a bearer token (without the `Bearer ` prefix) to a caller.
    pub async fn from_token(
        keys: &JwtKeys,
        db: &DatabaseConnection,
        token: Option<&str>,
    ) -> AppResult<Caller> {
        let Some(token) = token else {
            return Ok(Caller::Anonymous);
        };
        let claims = match keys.verify(token) {
            Ok(claims) => claims,
            Err(TokenRejection::Expired) => return Ok(Caller::Rejected(Rejection::Expired)),
            Err(TokenRejection::Invalid) => return Ok(Caller::Rejected(Rejection::Invalid)),
        };
        let Ok(id) = Uuid::parse_str(&claims.sub) else {
            return Ok(Caller::Rejected(Rejection::Invalid));
        };
        match users::find(db, id).await? {
            Some(user) if user.active && user.auth_version == claims.ver => {
                let token_expires_at = chrono::DateTime::from_timestamp(claims.exp, 0)
                    .unwrap_or_else(chrono::Utc::now);
                Ok(Caller::Authenticated(Box::new(Viewer {
                    user,
                    token_expires_at,
                })))
            }
            _ => Ok(Caller::Rejected(Rejection::Revoked)),
        }
    }
}

/// The bearer token in an `Authorization` header value, if any.
pub fn bearer(header: Option<&str>) -> Option<&str> {
    let value = header?.trim();
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
        .filter(|t| !t.is_empty())
}
