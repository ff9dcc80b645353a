//! Authentication: none, HTTP basic, a bearer token, or a provider asked before every request.
//!
//! Secrets are kept as sensitive [`HeaderValue`]s and never shown: `Debug` prints `<redacted>`
//! and no log event carries a header.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use base64::Engine as _;
use reqwest::header::HeaderValue;

use crate::error::BoxError;

/// The future an [`AuthProvider`] returns.
pub type AuthFuture<'a> = Pin<Box<dyn Future<Output = Result<String, BoxError>> + Send + 'a>>;

/// Supplies the `Authorization` header value for each request, e.g. a freshly refreshed OAuth
/// token.
///
/// The client calls [`authorization`](AuthProvider::authorization) once per request, before
/// sending it; caching and refreshing are up to the implementation. The returned string is the
/// complete header value, scheme included (`"Bearer eyJ..."`). An error fails the request with
/// [`Error::Auth`](crate::Error::Auth).
///
/// Any `Fn() -> impl Future<Output = Result<String, BoxError>>` closure is a provider:
///
/// ```
/// use camunda7_client::{Auth, Client};
///
/// let auth = Auth::provider(|| async {
///     let token = String::from("token-from-somewhere");
///     Ok(format!("Bearer {token}"))
/// });
/// let client = Client::builder()
///     .base_url("http://localhost:8080/engine-rest")
///     .auth(auth)
///     .build();
/// assert!(client.is_ok());
/// ```
pub trait AuthProvider: Send + Sync + 'static {
    /// The `Authorization` header value for the next request.
    fn authorization(&self) -> AuthFuture<'_>;
}

impl<F, Fut> AuthProvider for F
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<String, BoxError>> + Send + 'static,
{
    fn authorization(&self) -> AuthFuture<'_> {
        Box::pin(self())
    }
}

/// How the client authenticates to the engine.
///
/// ```
/// use camunda7_client::Auth;
///
/// let basic = Auth::basic("demo", "s3cret");
/// let bearer = Auth::bearer("eyJhbGciOi...");
/// // Debug never shows the secret:
/// assert!(!format!("{basic:?}").contains("s3cret"));
/// assert!(!format!("{bearer:?}").contains("eyJ"));
/// ```
#[derive(Clone, Default)]
#[non_exhaustive]
pub enum Auth {
    /// No `Authorization` header (the engine's default: its REST API is unauthenticated).
    #[default]
    None,
    /// HTTP basic authentication, as the engine's `HttpBasicAuthenticationProvider` expects.
    /// Build it with [`Auth::basic`].
    Basic(Credential),
    /// A fixed bearer token. Build it with [`Auth::bearer`].
    Bearer(Credential),
    /// A provider asked before every request. Build it with [`Auth::provider`].
    Provider(Arc<dyn AuthProvider>),
}

impl Auth {
    /// HTTP basic authentication with a user id and password.
    pub fn basic(username: impl Into<String>, password: impl AsRef<str>) -> Self {
        let username = username.into();
        let encoded = base64::engine::general_purpose::STANDARD
            .encode(format!("{username}:{}", password.as_ref()));
        Auth::Basic(Credential {
            username: Some(username),
            header: sensitive_header(&format!("Basic {encoded}")),
        })
    }

    /// A bearer token, sent as `Authorization: Bearer <token>`.
    pub fn bearer(token: impl AsRef<str>) -> Self {
        Auth::Bearer(Credential {
            username: None,
            header: sensitive_header(&format!("Bearer {}", token.as_ref())),
        })
    }

    /// A provider asked for the header value before every request.
    pub fn provider(provider: impl AuthProvider) -> Self {
        Auth::Provider(Arc::new(provider))
    }

    /// The header value for the next request, `None` for [`Auth::None`].
    pub(crate) async fn header(&self) -> Result<Option<HeaderValue>, BoxError> {
        match self {
            Auth::Provider(p) => {
                let value = p.authorization().await?;
                let mut header = HeaderValue::from_str(&value).map_err(|_| {
                    BoxError::from("the provider returned a value with characters not allowed in an HTTP header")
                })?;
                header.set_sensitive(true);
                Ok(Some(header))
            }
            _ => self.static_header().unwrap_or(Ok(None)),
        }
    }

    /// The header value when it is known without waiting: for every variant but
    /// [`Auth::Provider`], which returns `None`.
    pub(crate) fn static_header(&self) -> Option<Result<Option<HeaderValue>, BoxError>> {
        match self {
            Auth::None => Some(Ok(None)),
            Auth::Basic(c) | Auth::Bearer(c) => Some(match &c.header {
                Some(h) => Ok(Some(h.clone())),
                None => Err(
                    "the configured credential contains characters not allowed in an HTTP header"
                        .into(),
                ),
            }),
            Auth::Provider(_) => None,
        }
    }
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Auth::None => f.write_str("None"),
            Auth::Basic(c) => f.debug_tuple("Basic").field(c).finish(),
            Auth::Bearer(c) => f.debug_tuple("Bearer").field(c).finish(),
            Auth::Provider(_) => f.write_str("Provider(..)"),
        }
    }
}

/// A secret credential of [`Auth::Basic`] or [`Auth::Bearer`]; opaque, and redacted in `Debug`.
#[derive(Clone)]
pub struct Credential {
    /// The basic-auth user id: not a secret, shown in `Debug` to tell configurations apart.
    username: Option<String>,
    /// The header value, `None` when the input could not form a header (reported per request).
    header: Option<HeaderValue>,
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Credential");
        if let Some(u) = &self.username {
            d.field("username", u);
        }
        d.field("secret", &format_args!("<redacted>")).finish()
    }
}

fn sensitive_header(value: &str) -> Option<HeaderValue> {
    let mut header = HeaderValue::from_str(value).ok()?;
    header.set_sensitive(true);
    Some(header)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn basic_header_is_base64_of_user_and_password() {
        let header = Auth::basic("demo", "s3cret:x")
            .header()
            .await
            .expect("a header")
            .expect("some header");
        // base64("demo:s3cret:x")
        assert_eq!(header.to_str().ok(), Some("Basic ZGVtbzpzM2NyZXQ6eA=="));
        assert!(header.is_sensitive());
    }

    #[tokio::test]
    async fn a_bearer_token_with_a_newline_fails_per_request_not_at_construction() {
        let auth = Auth::bearer("abc\ndef");
        assert!(auth.header().await.is_err());
    }

    #[tokio::test]
    async fn provider_values_are_marked_sensitive() {
        let auth = Auth::provider(|| async { Ok(String::from("Bearer t0ken")) });
        let header = auth.header().await.expect("a header").expect("some header");
        assert_eq!(header.to_str().ok(), Some("Bearer t0ken"));
        assert!(header.is_sensitive());
    }

    #[test]
    fn debug_redacts_every_secret() {
        let all = [
            Auth::None,
            Auth::basic("demo", "pa55word"),
            Auth::bearer("t0ken-value"),
            Auth::provider(|| async { Ok(String::from("Bearer pr0vided")) }),
        ];
        let text = format!("{all:?}");
        for secret in ["pa55word", "t0ken-value", "pr0vided", "ZGVtbzpwYTU1d29yZA"] {
            assert!(!text.contains(secret), "{secret} leaked in {text}");
        }
        assert!(text.contains("demo"), "the user id is shown: {text}");
        assert!(text.contains("<redacted>"));
    }
}
