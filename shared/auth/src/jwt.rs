//! HS256 access tokens.

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{AuthError, UserContext};

/// Lifetime of an access token: 30 minutes.
pub const ACCESS_TOKEN_TTL_SECS: i64 = 30 * 60;
/// The `iss` of every access token.
pub const ISSUER: &str = "ai-hub";
/// The `aud` of every access token.
pub const AUDIENCE: &str = "ai-hub-api";
/// The `typ` claim of an access token (so that no other token the hub might sign with the same
/// key is accepted in its place).
pub const TOKEN_TYPE: &str = "access";
/// The shortest JWT secret accepted: 32 bytes (256 bits, the size of HS256's output).
pub const MIN_SECRET_BYTES: usize = 32;
/// Clock skew tolerated on `exp` and `nbf`, in seconds.
const LEEWAY_SECS: i64 = 30;
/// Longer "tokens" are rejected before any parsing.
const MAX_TOKEN_BYTES: usize = 4096;

/// The claims of an access token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessClaims {
    /// The user's id.
    pub sub: Uuid,
    /// Whether the user was an admin when the token was issued (re-checked per request).
    pub adm: bool,
    /// The session (refresh token family) the token belongs to.
    pub sid: Uuid,
    /// [`ISSUER`].
    pub iss: String,
    /// [`AUDIENCE`].
    pub aud: String,
    /// [`TOKEN_TYPE`].
    pub typ: String,
    /// Issued at (seconds since the epoch).
    pub iat: i64,
    /// Not before.
    pub nbf: i64,
    /// Expires at.
    pub exp: i64,
    /// The token's own id.
    pub jti: Uuid,
}

/// An access token just issued.
#[derive(Clone, PartialEq, Eq)]
pub struct IssuedAccessToken {
    /// The compact JWT.
    pub token: String,
    /// Its `exp`.
    pub expires_at: i64,
}

impl std::fmt::Debug for IssuedAccessToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedAccessToken")
            .field("token", &"***")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// The signing and verification keys, from the JWT secret.
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl std::fmt::Debug for JwtKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JwtKeys(***)")
    }
}

impl JwtKeys {
    /// Keys from the secret; at least [`MIN_SECRET_BYTES`] long.
    pub fn from_secret(secret: &[u8]) -> Result<Self, AuthError> {
        if secret.len() < MIN_SECRET_BYTES {
            return Err(AuthError::WeakSecret {
                len: secret.len(),
                min: MIN_SECRET_BYTES,
            });
        }
        // One algorithm, fixed: the header's `alg` must be HS256 (no `none`, no RS256 with the
        // secret taken for a public key).
        let mut validation = Validation::new(Algorithm::HS256);
        validation.algorithms = vec![Algorithm::HS256];
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "nbf", "iat", "iss", "aud", "sub"]);
        // Checked below against the caller's clock (testable, same leeway for both).
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.leeway = 0;
        Ok(Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
        })
    }

    /// Issues an access token for `user` at `now` (seconds since the epoch), valid for
    /// [`ACCESS_TOKEN_TTL_SECS`].
    pub fn issue(&self, user: &UserContext, now: i64) -> Result<IssuedAccessToken, AuthError> {
        let claims = AccessClaims {
            sub: user.user_id,
            adm: user.is_admin,
            sid: user.session_id,
            iss: ISSUER.to_owned(),
            aud: AUDIENCE.to_owned(),
            typ: TOKEN_TYPE.to_owned(),
            iat: now,
            nbf: now,
            exp: now + ACCESS_TOKEN_TTL_SECS,
            jti: Uuid::new_v4(),
        };
        self.sign(&claims).map(|token| IssuedAccessToken {
            token,
            expires_at: claims.exp,
        })
    }

    /// Signs arbitrary claims (the issuer uses [`JwtKeys::issue`]; tests forge tokens with it).
    pub fn sign<T: Serialize>(&self, claims: &T) -> Result<String, AuthError> {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &self.encoding)
            .map_err(|e| AuthError::Crypto(format!("signing the access token: {e}")))
    }

    /// Verifies a token at `now`: HS256 signature with this key, `iss`, `aud`, `typ`, `exp` and
    /// `nbf` (each with 30 s of leeway). The user's current state is not checked here.
    pub fn verify(&self, token: &str, now: i64) -> Result<AccessClaims, AuthError> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(AuthError::InvalidToken(format!(
                "longer than {MAX_TOKEN_BYTES} bytes"
            )));
        }
        let data = jsonwebtoken::decode::<AccessClaims>(token, &self.decoding, &self.validation)
            .map_err(|e| AuthError::InvalidToken(describe(e.kind())))?;
        let claims = data.claims;
        if claims.typ != TOKEN_TYPE {
            return Err(AuthError::InvalidToken(format!(
                "typ {:?} is not {TOKEN_TYPE:?}",
                claims.typ
            )));
        }
        if now >= claims.exp.saturating_add(LEEWAY_SECS) {
            return Err(AuthError::Expired {
                exp: claims.exp,
                now,
            });
        }
        if claims.nbf > now.saturating_add(LEEWAY_SECS) {
            return Err(AuthError::NotYetValid {
                nbf: claims.nbf,
                now,
            });
        }
        Ok(claims)
    }
}

/// A short reason for the log (never the token).
fn describe(kind: &ErrorKind) -> String {
    match kind {
        ErrorKind::InvalidSignature => "bad signature".to_owned(),
        ErrorKind::InvalidAlgorithm => "algorithm is not HS256".to_owned(),
        ErrorKind::InvalidAlgorithmName => "unknown algorithm".to_owned(),
        ErrorKind::InvalidIssuer => "wrong issuer".to_owned(),
        ErrorKind::InvalidAudience => "wrong audience".to_owned(),
        ErrorKind::MissingRequiredClaim(claim) => format!("claim {claim} missing"),
        ErrorKind::InvalidClaimFormat(claim) => format!("claim {claim} malformed"),
        ErrorKind::InvalidToken => "not a JWT".to_owned(),
        ErrorKind::Base64(_) => "bad base64".to_owned(),
        ErrorKind::Json(_) => "bad JSON (claims of the wrong shape)".to_owned(),
        ErrorKind::Utf8(_) => "bad UTF-8".to_owned(),
        other => format!("{other:?}").chars().take(60).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use serde_json::{Value, json};

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef-test-secret";
    const NOW: i64 = 1_800_000_000;

    fn keys() -> JwtKeys {
        JwtKeys::from_secret(SECRET).unwrap()
    }

    fn user() -> UserContext {
        UserContext {
            user_id: Uuid::new_v4(),
            is_admin: true,
            session_id: Uuid::new_v4(),
        }
    }

    fn claims_json(user: &UserContext) -> Value {
        json!({
            "sub": user.user_id, "adm": user.is_admin, "sid": user.session_id,
            "iss": ISSUER, "aud": AUDIENCE, "typ": TOKEN_TYPE,
            "iat": NOW, "nbf": NOW, "exp": NOW + ACCESS_TOKEN_TTL_SECS, "jti": Uuid::new_v4(),
        })
    }

    /// A token with any header and claims, signed with HMAC-SHA256 over the secret regardless
    /// of what the header says (what an attacker would send).
    fn forge(header: &Value, claims: &Value, secret: &[u8]) -> String {
        let h = URL_SAFE_NO_PAD.encode(header.to_string());
        let c = URL_SAFE_NO_PAD.encode(claims.to_string());
        let signing_input = format!("{h}.{c}");
        let other = JwtKeys::from_secret(secret).unwrap();
        // Take a real HS256 signature over our signing input.
        let sig =
            jsonwebtoken::crypto::sign(signing_input.as_bytes(), &other.encoding, Algorithm::HS256)
                .unwrap();
        format!("{signing_input}.{sig}")
    }

    #[test]
    fn issue_then_verify() {
        let user = user();
        let issued = keys().issue(&user, NOW).unwrap();
        assert_eq!(issued.expires_at, NOW + 1800);
        let claims = keys().verify(&issued.token, NOW + 60).unwrap();
        assert_eq!(claims.sub, user.user_id);
        assert_eq!(claims.sid, user.session_id);
        assert!(claims.adm);
        assert_eq!(
            (claims.iss.as_str(), claims.aud.as_str()),
            (ISSUER, AUDIENCE)
        );
        assert_eq!(claims.typ, "access");
        assert_eq!(claims.exp - claims.iat, ACCESS_TOKEN_TTL_SECS);
        assert!(!format!("{issued:?}").contains(&issued.token));
    }

    #[test]
    fn short_secrets_are_refused() {
        assert!(matches!(
            JwtKeys::from_secret(b"short"),
            Err(AuthError::WeakSecret { len: 5, min: 32 })
        ));
    }

    #[test]
    fn expired_and_not_yet_valid_tokens_are_refused() {
        let issued = keys().issue(&user(), NOW).unwrap();
        // Within the leeway, still fine; past it, expired.
        assert!(keys().verify(&issued.token, NOW + 1800 + 29).is_ok());
        assert!(matches!(
            keys().verify(&issued.token, NOW + 1800 + 30),
            Err(AuthError::Expired { .. })
        ));
        assert!(matches!(
            keys().verify(&issued.token, NOW - 3600),
            Err(AuthError::NotYetValid { .. })
        ));
    }

    #[test]
    fn alg_none_is_refused() {
        let claims = claims_json(&user());
        let h = URL_SAFE_NO_PAD.encode(json!({"alg": "none", "typ": "JWT"}).to_string());
        let c = URL_SAFE_NO_PAD.encode(claims.to_string());
        for token in [format!("{h}.{c}."), format!("{h}.{c}")] {
            let err = keys().verify(&token, NOW).unwrap_err();
            assert!(matches!(err, AuthError::InvalidToken(_)), "{err:?}");
        }
    }

    #[test]
    fn other_algorithms_in_the_header_are_refused() {
        // The RS256/HS256 confusion: an HMAC over the token made with the "public key" (here:
        // our own secret), but a header claiming RS256 — or HS512, HS384, ES256.
        let claims = claims_json(&user());
        for alg in ["RS256", "HS512", "HS384", "ES256", "PS256", "EdDSA"] {
            let token = forge(&json!({"alg": alg, "typ": "JWT"}), &claims, SECRET);
            let err = keys().verify(&token, NOW).unwrap_err();
            assert!(matches!(err, AuthError::InvalidToken(_)), "{alg}: {err:?}");
        }
        // The same forgery with HS256 in the header is what a real token is.
        let token = forge(&json!({"alg": "HS256", "typ": "JWT"}), &claims, SECRET);
        assert!(keys().verify(&token, NOW).is_ok());
    }

    #[test]
    fn tampered_and_foreign_tokens_are_refused() {
        let mut user = user();
        let token = keys().issue(&user, NOW).unwrap().token;
        // Claims changed after signing (adm: false -> true on a non-admin, say).
        user.is_admin = false;
        let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
        let mut claims = claims_json(&user);
        claims["adm"] = json!(true);
        parts[1] = URL_SAFE_NO_PAD.encode(claims.to_string());
        let tampered = parts.join(".");
        assert!(matches!(
            keys().verify(&tampered, NOW),
            Err(AuthError::InvalidToken(_))
        ));
        // Signature flipped.
        let mut bad_sig = token.clone();
        let last = bad_sig.pop().unwrap();
        bad_sig.push(if last == 'A' { 'B' } else { 'A' });
        assert!(keys().verify(&bad_sig, NOW).is_err());
        // Signed with another secret.
        let other = JwtKeys::from_secret(b"another secret that is long enough!!").unwrap();
        let foreign = other.issue(&user, NOW).unwrap().token;
        assert!(matches!(
            keys().verify(&foreign, NOW),
            Err(AuthError::InvalidToken(_))
        ));
        // Garbage.
        for junk in ["", "abc", "a.b.c", "....", &"x".repeat(5000)] {
            assert!(keys().verify(junk, NOW).is_err(), "{junk}");
        }
    }

    #[test]
    fn wrong_issuer_audience_type_or_missing_claims_are_refused() {
        let user = user();
        let cases: Vec<(&str, Value)> = vec![
            ("iss", json!("someone-else")),
            ("aud", json!("another-api")),
            ("typ", json!("refresh")),
            ("sub", json!("not-a-uuid")),
        ];
        for (claim, value) in cases {
            let mut claims = claims_json(&user);
            claims[claim] = value;
            let token = keys().sign(&claims).unwrap();
            assert!(
                matches!(keys().verify(&token, NOW), Err(AuthError::InvalidToken(_))),
                "{claim}"
            );
        }
        for claim in ["exp", "nbf", "iss", "aud", "sub", "typ", "sid"] {
            let mut claims = claims_json(&user);
            claims.as_object_mut().unwrap().remove(claim);
            let token = keys().sign(&claims).unwrap();
            assert!(keys().verify(&token, NOW).is_err(), "without {claim}");
        }
    }
}
