//! Access tokens: HS256 JWTs with the algorithm pinned and `iss`, `aud`, `exp` required.

use careline_domain::{Role, Roles};
use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Issuer claim.
pub const ISSUER: &str = "careline";
/// Audience claim.
pub const AUDIENCE: &str = "careline-api";
/// Token type claim for access tokens.
pub const ACCESS_TYPE: &str = "access";

/// The claims of an access token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// Issuer.
    pub iss: String,
    /// Audience.
    pub aud: String,
    /// The user id.
    pub sub: String,
    /// Expiry (seconds since the epoch).
    pub exp: i64,
    /// Issued at.
    pub iat: i64,
    /// Token id.
    pub jti: String,
    /// Roles at issue time (informational; permissions use the stored roles).
    pub roles: Vec<Role>,
    /// Token type: always `access`.
    pub typ: String,
    /// The user's auth version at issue time; a password change bumps it.
    pub ver: i32,
}

/// Why a presented token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenRejection {
    /// Past its `exp`.
    Expired,
    /// Anything else: bad signature, wrong algorithm, issuer, audience, type or shape.
    Invalid,
}

/// Signs and verifies access tokens.
#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    ttl: chrono::Duration,
}

impl JwtKeys {
    /// Keys for an HMAC secret and token lifetime.
    pub fn new(secret: &[u8], ttl: std::time::Duration) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub", "iat"]);
        validation.leeway = 5;
        JwtKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            ttl: chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::minutes(15)),
        }
    }

    /// Issues an access token; returns it with its expiry.
    pub fn issue(
        &self,
        user_id: Uuid,
        roles: Roles,
        auth_version: i32,
        now: DateTime<Utc>,
    ) -> anyhow::Result<(String, DateTime<Utc>)> {
        let expires_at = now + self.ttl;
        let claims = Claims {
            iss: ISSUER.to_owned(),
            aud: AUDIENCE.to_owned(),
            sub: user_id.to_string(),
            exp: expires_at.timestamp(),
            iat: now.timestamp(),
            jti: Uuid::new_v4().to_string(),
            roles: roles.iter().collect(),
            typ: ACCESS_TYPE.to_owned(),
            ver: auth_version,
        };
        let token = encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)?;
        Ok((token, expires_at))
    }

    /// Verifies a token's signature, algorithm, issuer, audience, expiry and type.
    pub fn verify(&self, token: &str) -> Result<Claims, TokenRejection> {
        use jsonwebtoken::errors::ErrorKind;
        let data =
            decode::<Claims>(token, &self.decoding, &self.validation).map_err(|e| {
                match e.kind() {
                    ErrorKind::ExpiredSignature => TokenRejection::Expired,
                    _ => TokenRejection::Invalid,
                }
            })?;
        if data.claims.typ != ACCESS_TYPE {
            return Err(TokenRejection::Invalid);
        }
        Ok(data.claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> JwtKeys {
        JwtKeys::new(&[7u8; 32], std::time::Duration::from_secs(900))
    }

    #[test]
    fn an_issued_token_verifies_and_carries_the_user() {
        let id = Uuid::now_v7();
        let (token, _) = keys()
            .issue(id, Roles::from_iter([Role::Agent]), 3, Utc::now())
            .unwrap();
        let claims = keys().verify(&token).unwrap();
        assert_eq!(claims.sub, id.to_string());
        assert_eq!(claims.roles, vec![Role::Agent]);
        assert_eq!(claims.ver, 3);
    }

    #[test]
    fn an_expired_token_is_refused_as_expired() {
        let past = Utc::now() - chrono::Duration::hours(1);
        let (token, _) = keys().issue(Uuid::now_v7(), Roles::EMPTY, 0, past).unwrap();
        assert_eq!(keys().verify(&token).unwrap_err(), TokenRejection::Expired);
    }

    #[test]
    fn a_token_signed_with_another_secret_is_refused() {
        let other = JwtKeys::new(&[8u8; 32], std::time::Duration::from_secs(900));
        let (token, _) = other
            .issue(Uuid::now_v7(), Roles::EMPTY, 0, Utc::now())
            .unwrap();
        assert_eq!(keys().verify(&token).unwrap_err(), TokenRejection::Invalid);
    }
}
