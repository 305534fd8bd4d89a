//! argon2id with the OWASP minimum parameters (19 MiB, 2 iterations, 1 lane), always off the
//! async executor.

use crate::error::{AppError, AppResult};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::OnceCell;

fn argon2() -> AppResult<Argon2<'static>> {
    let params = Params::new(19 * 1024, 2, 1, None)
        .map_err(|e| AppError::internal(anyhow::anyhow!("{e}"), "argon2 parameters"))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes a password into a PHC string.
pub async fn hash(password: String) -> AppResult<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
        argon2()?
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| AppError::internal(anyhow::anyhow!("{e}"), "hashing a password"))
    })
    .await
    .map_err(|e| AppError::internal(e, "password hashing task"))?
}

/// Checks a password against a PHC string. A malformed stored hash counts as a mismatch.
pub async fn verify(password: String, phc: String) -> AppResult<bool> {
    tokio::task::spawn_blocking(move || {
        let Ok(parsed) = PasswordHash::new(&phc) else {
            return Ok(false);
        };
        Ok(argon2()?
            .verify_password(password.as_bytes(), &parsed)
            .is_ok())
    })
    .await
    .map_err(|e| AppError::internal(e, "password verification task"))?
}

static DUMMY: OnceCell<String> = OnceCell::const_new();

/// Spends the same effort as a real verification when the account does not exist, so the
/// response time does not reveal which emails have accounts.
pub async fn verify_against_dummy(password: String) -> AppResult<()> {
    let phc = DUMMY
        .get_or_try_init(|| hash("careline-dummy-password-for-timing".to_owned()))
        .await?
        .clone();
    verify(password, phc).await.map(|_| ())
}
