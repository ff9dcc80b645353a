//! [`Client`] and [`ClientBuilder`], and the [`Request`] / [`Response`] the generated code calls
//! (the contract is documented in [`crate::runtime`]).

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderValue, AUTHORIZATION, CONTENT_TYPE, USER_AGENT};
use reqwest::{Method, StatusCode, Url};
use tracing::Instrument as _;

use crate::auth::Auth;
use crate::error::{snippet, EngineError, Error, RequestContext};

/// The user agent sent when none is configured.
pub const DEFAULT_USER_AGENT: &str = concat!("camunda7-client/", env!("CARGO_PKG_VERSION"));
/// The request timeout used when none is configured.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// How much longer than its `asyncResponseTimeout` a long-polling request may take when none is
/// configured.
pub const DEFAULT_LONG_POLL_MARGIN: Duration = Duration::from_secs(10);
/// The connect timeout of the HTTP client built by [`ClientBuilder::build`] when none is
/// configured.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How much of a non-success response body is read to find the engine's error in it.
const ERROR_BODY_LIMIT: usize = 1024 * 1024;
/// The initial capacity of a JSON request body, in bytes.
const JSON_BODY_CAPACITY: usize = 256;

/// A client of one engine's REST API.
///
/// Cheap to clone (the state is shared behind an `Arc`) and safe to share between tasks. The
/// operations are grouped per API tag, e.g. `client.external_task().fetch_and_lock(&body)`.
///
/// ```
/// use std::time::Duration;
/// use camunda7_client::{Auth, Client};
///
/// let client = Client::builder()
///     .base_url("http://localhost:8080/engine-rest")
///     .auth(Auth::basic("demo", "demo"))
///     .timeout(Duration::from_secs(10))
///     .build()?;
/// # Ok::<(), camunda7_client::Error>(())
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    /// Always ends without a `/`; request paths are appended segment by segment.
    base_url: Url,
    auth: Auth,
    user_agent: HeaderValue,
    timeout: Option<Duration>,
    long_poll_margin: Duration,
    /// Whether `http` was built here, with `timeout` as its default timeout: requests then only
    /// set a timeout that differs (a long poll's), which spares an extension map per request.
    /// With a client given through [`ClientBuilder::http_client`] every request sets its own.
    http_has_timeout: bool,
    /// Run on every request before it is sent.
    hooks: Arc<[Arc<dyn RequestHook>]>,
}

impl Client {
    /// A builder for a client; [`ClientBuilder::base_url`] is required.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client for `base_url` (e.g. `http://localhost:8080/engine-rest`) with default settings
    /// and no authentication.
    pub fn new(base_url: impl AsRef<str>) -> Result<Self, Error> {
        Client::builder().base_url(base_url).build()
    }

    /// The base URL requests are sent under, without a trailing slash.
    pub fn base_url(&self) -> &Url {
        &self.inner.base_url
    }

    /// The default timeout of a request (`None`: no timeout).
    pub fn timeout(&self) -> Option<Duration> {
        self.inner.timeout
    }

    /// The timeout a request gets when it long-polls for `async_response_timeout_ms`:
    /// the longer of the default timeout and the poll time plus the margin.
    /// With no default timeout, long polls get no timeout either.
    pub fn long_poll_timeout(&self, async_response_timeout_ms: Option<i64>) -> Option<Duration> {
        let default = self.inner.timeout?;
        let Some(ms) = async_response_timeout_ms else {
            return Some(default);
        };
        let poll = Duration::from_millis(u64::try_from(ms).unwrap_or(0));
        Some(default.max(poll.saturating_add(self.inner.long_poll_margin)))
    }

    /// A request to the base URL plus `segments`. Every segment is percent-encoded, so an id
    /// containing `/` or `+` stays one segment.
    pub(crate) fn request(&self, method: Method, segments: &[&str]) -> Request {
        let mut url = self.inner.base_url.clone();
        // The base URL is checked to be hierarchical (http/https) when the client is built,
        // so this always succeeds.
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        Request {
            client: self.clone(),
            path: url.path().to_owned(),
            method,
            url,
            body: Body::None,
            timeout: self.inner.timeout,
            error: None,
        }
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url.as_str())
            .field("auth", &self.inner.auth)
            .field("user_agent", &self.inner.user_agent)
            .field("timeout", &self.inner.timeout)
            .field("long_poll_margin", &self.inner.long_poll_margin)
            .finish_non_exhaustive()
    }
}

/// Configures and builds a [`Client`].
///
/// Setters take and return the builder by value (like `reqwest::ClientBuilder`); input is
/// checked by [`build`](ClientBuilder::build), which reports the first problem as
/// [`Error::Config`].
#[derive(Default)]
#[must_use]
pub struct ClientBuilder {
    base_url: Option<String>,
    http: Option<reqwest::Client>,
    auth: Auth,
    user_agent: Option<String>,
    timeout: Option<Option<Duration>>,
    connect_timeout: Option<Duration>,
    long_poll_margin: Option<Duration>,
    hooks: Vec<Arc<dyn RequestHook>>,
}

/// Sees, and may change, every request the client sends — the generated operations' and the
/// worker's alike — just before it goes out: to add a header per request, propagate a trace
/// context (`traceparent`), or record what is sent. Set with [`ClientBuilder::request_hook`];
/// any `Fn(&mut reqwest::Request)` is one.
///
/// A hook runs inside the request's `camunda7_request` span, whose parent is the span the
/// request was made in, so the caller's tracing context is at hand. It cannot wait: for
/// credentials that must be fetched, use an [`AuthProvider`](crate::AuthProvider).
///
/// (A hook rather than `reqwest-middleware`: the client keeps `reqwest::Client` as its HTTP
/// type, a request pays nothing for an empty list of hooks, and what the middlewares users
/// reach for here — headers, trace context, logging — needs only the request.)
pub trait RequestHook: Send + Sync + 'static {
    /// Looks at, or changes, `request` before it is sent.
    fn on_request(&self, request: &mut reqwest::Request);
}

impl<F> RequestHook for F
where
    F: Fn(&mut reqwest::Request) + Send + Sync + 'static,
{
    fn on_request(&self, request: &mut reqwest::Request) {
        self(request)
    }
}

impl ClientBuilder {
    /// The engine's REST root, including its prefix: `http://host:8080/engine-rest`, or
    /// `http://host:8080/engine-rest/engine/{name}` for a named engine. A trailing slash is
    /// fine. Required.
    pub fn base_url(mut self, base_url: impl AsRef<str>) -> Self {
        self.base_url = Some(base_url.as_ref().to_owned());
        self
    }

    /// Adds a [`RequestHook`], run on every request after the client's own headers are set;
    /// several run in the order they were added.
    ///
    /// ```
    /// use camunda7_client::Client;
    /// let client = Client::builder()
    ///     .base_url("http://localhost:8080/engine-rest")
    ///     .request_hook(|request: &mut reqwest::Request| {
    ///         request.headers_mut().insert("x-team", "billing".parse().unwrap());
    ///     })
    ///     .build()?;
    /// # Ok::<(), camunda7_client::Error>(())
    /// ```
    pub fn request_hook(mut self, hook: impl RequestHook) -> Self {
        self.hooks.push(Arc::new(hook));
        self
    }

    /// Sends requests with this `reqwest::Client` (its proxy, TLS and pool settings) instead of
    /// one built here. The user agent, timeouts and auth of this builder still apply per
    /// request; [`connect_timeout`](ClientBuilder::connect_timeout) cannot be applied to a given
    /// client, so setting both is a configuration error.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// How requests authenticate. Default: [`Auth::None`].
    pub fn auth(mut self, auth: Auth) -> Self {
        self.auth = auth;
        self
    }

    /// The `User-Agent` header of every request. Default: [`DEFAULT_USER_AGENT`]
    /// (`camunda7-client/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// The timeout of a whole request (connect, send, and read the response). Default:
    /// [`DEFAULT_TIMEOUT`] (30 s). Long-polling requests get longer, see
    /// [`long_poll_margin`](ClientBuilder::long_poll_margin).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(Some(timeout));
        self
    }

    /// Requests have no timeout at all (not recommended: a stalled connection then hangs).
    pub fn no_timeout(mut self) -> Self {
        self.timeout = Some(None);
        self
    }

    /// The timeout for establishing a connection (TCP and TLS). Default:
    /// [`DEFAULT_CONNECT_TIMEOUT`] (10 s), so an unreachable engine is noticed quickly even by a
    /// long poll whose request timeout is 30 minutes.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// How much longer than its `asyncResponseTimeout` a long-polling request (fetchAndLock)
    /// may take: its timeout is `max(timeout, asyncResponseTimeout + margin)`, so long polls of
    /// up to the engine's maximum of 30 minutes need no configuration. Default:
    /// [`DEFAULT_LONG_POLL_MARGIN`] (10 s).
    pub fn long_poll_margin(mut self, margin: Duration) -> Self {
        self.long_poll_margin = Some(margin);
        self
    }

    /// Checks the configuration and builds the client.
    pub fn build(self) -> Result<Client, Error> {
        let raw = self.base_url.ok_or_else(|| {
            Error::config("no base URL set (e.g. http://localhost:8080/engine-rest)")
        })?;
        let base_url = parse_base_url(&raw)?;

        let agent_text = self.user_agent.as_deref().unwrap_or(DEFAULT_USER_AGENT);
        let user_agent = HeaderValue::from_str(agent_text).map_err(|_| {
            Error::config(format!(
                "user agent `{agent_text}` contains characters not allowed in an HTTP header"
            ))
        })?;

        let timeout = self.timeout.unwrap_or(Some(DEFAULT_TIMEOUT));
        let (http, http_has_timeout) = match (self.http, self.connect_timeout) {
            (Some(_), Some(_)) => {
                return Err(Error::config(
                    "connect_timeout cannot be applied to a client given with http_client; set it on that reqwest::Client",
                ))
            }
            (Some(http), None) => (http, false),
            (None, connect_timeout) => {
                let mut builder = reqwest::Client::builder()
                    .connect_timeout(connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT));
                if let Some(timeout) = timeout {
                    builder = builder.timeout(timeout);
                }
                let http = builder.build().map_err(|e| {
                    Error::config(format!("cannot build the HTTP client: {e}"))
                })?;
                (http, true)
            }
        };

        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base_url,
                auth: self.auth,
                user_agent,
                timeout,
                long_poll_margin: self.long_poll_margin.unwrap_or(DEFAULT_LONG_POLL_MARGIN),
                http_has_timeout,
                hooks: self.hooks.into(),
            }),
        })
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url.as_deref().map(redact_userinfo))
            .field("http_client", &self.http.is_some())
            .field("auth", &self.auth)
            .field("user_agent", &self.user_agent)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("long_poll_margin", &self.long_poll_margin)
            .field("request_hooks", &self.hooks.len())
            .finish()
    }
}

/// Parses and checks a base URL; the result has no trailing slash.
fn parse_base_url(raw: &str) -> Result<Url, Error> {
    let shown = redact_userinfo(raw.trim());
    let invalid = |why: &str| Error::config(format!("invalid base URL `{shown}`: {why}"));
    let mut url = Url::parse(raw.trim()).map_err(|e| invalid(&e.to_string()))?;
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err(invalid("the scheme must be http or https"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid(
            "credentials in the URL are not supported; use Auth::basic",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("a base URL cannot have a query or fragment"));
    }
    match url.path_segments_mut() {
        Ok(mut segments) => {
            segments.pop_if_empty();
        }
        Err(()) => return Err(invalid("the URL cannot be a base")),
    }
    Ok(url)
}

/// Hides `user:password@` in something that looks like a URL, for error messages and Debug.
fn redact_userinfo(raw: &str) -> String {
    let Some(scheme_end) = raw.find("://") else {
        return raw.to_owned();
    };
    let rest = &raw[scheme_end + 3..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{}://<redacted>@{}", &raw[..scheme_end], &rest[at + 1..]),
        None => raw.to_owned(),
    }
}

enum Body {
    None,
    Json(bytes::Bytes),
    // Boxed, like the error below: a request is moved at every builder step, so it is kept small.
    Multipart(Box<reqwest::multipart::Form>),
}

/// One request being prepared, as generated operations build it; see [`crate::runtime`].
pub struct Request {
    client: Client,
    method: Method,
    url: Url,
    /// The URL path, for errors and logs (never the query string: it may hold secrets).
    path: String,
    body: Body,
    timeout: Option<Duration>,
    /// The first serialization failure, reported by `send`.
    error: Option<Box<Error>>,
}

impl Request {
    /// A request to the client's base URL plus `segments`. Every segment is percent-encoded, so
    /// an id containing `/` or `+` stays one segment.
    pub fn new(client: &Client, method: Method, segments: &[&str]) -> Self {
        client.request(method, segments)
    }

    /// Adds query parameters (serde_urlencoded: `+` is sent as `%2B`, `None` fields are left
    /// out). May be called more than once.
    pub fn query<Q: serde::Serialize + ?Sized>(mut self, query: &Q) -> Self {
        match serde_urlencoded::to_string(query) {
            Ok(encoded) if encoded.is_empty() => {}
            Ok(encoded) => {
                let joined = match self.url.query() {
                    Some(existing) if !existing.is_empty() => format!("{existing}&{encoded}"),
                    _ => encoded,
                };
                self.url.set_query(Some(&joined));
            }
            Err(e) => self.fail("query", Box::new(e)),
        }
        self
    }

    /// Sets a JSON body (`Content-Type: application/json`).
    pub fn json<B: serde::Serialize + ?Sized>(mut self, body: &B) -> Self {
        // Most bodies are small: starting with room for one spares the doubling reallocations
        // from an empty vector.
        let mut bytes = Vec::with_capacity(JSON_BODY_CAPACITY);
        match serde_json::to_writer(&mut bytes, body) {
            Ok(()) => self.body = Body::Json(bytes.into()),
            Err(e) => self.fail("body", Box::new(e)),
        }
        self
    }

    /// Sets a JSON body serialized beforehand (`Content-Type: application/json`), for a body
    /// sent many times over, such as the worker's fetch-and-lock.
    #[cfg(feature = "worker")]
    pub fn json_bytes(mut self, json: bytes::Bytes) -> Self {
        self.body = Body::Json(json);
        self
    }

    /// Sets a `multipart/form-data` body.
    pub fn multipart(mut self, form: reqwest::multipart::Form) -> Self {
        self.body = Body::Multipart(Box::new(form));
        self
    }

    /// Marks the request as a long poll of up to `async_response_timeout_ms`: its timeout
    /// becomes `max(default timeout, async_response_timeout + margin)`.
    pub fn long_poll(mut self, async_response_timeout_ms: Option<i64>) -> Self {
        self.timeout = self.client.long_poll_timeout(async_response_timeout_ms);
        self
    }

    fn fail(&mut self, what: &'static str, source: crate::error::BoxError) {
        if self.error.is_none() {
            self.error = Some(Box::new(Error::Serialize {
                request: RequestContext::boxed(self.method.clone(), self.path.clone()),
                what,
                source,
            }));
        }
    }

    /// Applies auth, sends, and maps failures: transport errors become `Connect` / `Timeout` /
    /// `Request`, a non-success status becomes `Engine` or `UnexpectedStatus`.
    ///
    /// With no auth or static credentials the request is put together and handed to the HTTP
    /// client right here (nothing goes out before the future is polled): the future then
    /// keeps only what the response needs, a few hundred bytes instead of the request under
    /// construction, which every future awaiting it would embed and move along.
    pub fn send(self) -> impl Future<Output = Result<Response, Error>> + Send + 'static {
        let span = tracing::debug_span!(
            "camunda7_request",
            method = %self.method,
            path = %self.path,
        );
        let client = self.client.clone();
        let method = self.method.clone();
        let path = self.path.clone();
        let start = span.in_scope(|| match self.client.inner.auth.static_header() {
            Some(authorization) => match self.into_http(authorization) {
                Ok(request) => Start::Sent(client.inner.http.execute(request), Instant::now()),
                Err(e) => Start::Failed(Box::new(e)),
            },
            None => Start::Authorize(Box::new(self)),
        });
        async move {
            let (sent, started) = match start {
                Start::Sent(sent, started) => (sent, started),
                Start::Failed(e) => return Err(*e),
                Start::Authorize(request) => {
                    // Boxed: only an auth provider waits here, and its future stays out of
                    // every request's state.
                    let request = Box::pin(request.authorize()).await?;
                    (client.inner.http.execute(request), Instant::now())
                }
            };
            let response = match sent.await {
                Ok(r) => r,
                Err(source) => {
                    let elapsed_ms = elapsed_ms(started);
                    tracing::debug!(elapsed_ms, error = %source, "request failed");
                    return Err(transport_error(method, path, source));
                }
            };
            let status = response.status();
            tracing::debug!(
                status = status.as_u16(),
                elapsed_ms = elapsed_ms(started),
                "response received"
            );
            let response = Response {
                inner: response,
                method,
                path,
            };
            if status.is_success() {
                return Ok(response);
            }
            // Boxed: a rare path, kept out of the state machine of every request (the block
            // ends the response's own storage before the wait).
            let error = { Box::pin(response.into_status_error()) };
            Err(error.await)
        }
        .instrument(span)
    }

    /// The HTTP request, with the header of an auth provider (which may have to wait for it).
    async fn authorize(self) -> Result<reqwest::Request, Error> {
        let authorization = self.client.inner.auth.header().await;
        self.into_http(authorization)
    }

    /// Puts the HTTP request together, with the `Authorization` header (or the failure to make
    /// it), or reports the first serialization failure of the request's parts.
    fn into_http(
        self,
        authorization: Result<Option<HeaderValue>, crate::error::BoxError>,
    ) -> Result<reqwest::Request, Error> {
        if let Some(e) = self.error {
            return Err(*e);
        }
        let Request {
            client,
            method,
            url,
            path,
            body,
            timeout,
            error: _,
        } = self;
        let inner = &client.inner;
        let authorization = authorization.map_err(|source| Error::Auth {
            request: RequestContext::boxed(method.clone(), path.clone()),
            source,
        })?;

        // The request is assembled directly rather than through `RequestBuilder`, whose every
        // step moves the whole builder; a multipart body is left to the builder, which knows
        // how to frame it.
        let mut request = match body {
            Body::Multipart(form) => {
                match inner
                    .http
                    .request(method.clone(), url)
                    .multipart(*form)
                    .build()
                {
                    Ok(request) => request,
                    Err(source) => return Err(transport_error(method, path, source)),
                }
            }
            Body::None => reqwest::Request::new(method, url),
            Body::Json(bytes) => {
                let mut request = reqwest::Request::new(method, url);
                request
                    .headers_mut()
                    .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
                *request.body_mut() = Some(bytes.into());
                request
            }
        };
        // Per request rather than as a default header of the HTTP client: a default user agent
        // is also kept (and cloned along) in its connector.
        request
            .headers_mut()
            .insert(USER_AGENT, inner.user_agent.clone());
        if let Some(value) = authorization {
            request.headers_mut().insert(AUTHORIZATION, value);
        }
        if timeout.is_some() && !(inner.http_has_timeout && timeout == inner.timeout) {
            *request.timeout_mut() = timeout;
        }
        for hook in inner.hooks.iter() {
            hook.on_request(&mut request);
        }
        Ok(request)
    }
}

fn elapsed_ms(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// How far [`Request::send`] got before its future is first polled.
enum Start<F> {
    /// Handed to the HTTP client, at this instant.
    Sent(F, Instant),
    /// Waiting for an auth provider's header.
    Authorize(Box<Request>),
    /// Failed before anything was sent.
    Failed(Box<Error>),
}

/// Classifies a transport error. The URL is dropped from it: the error names method and path
/// itself, and the query string may carry values that do not belong in logs.
fn transport_error(method: Method, path: String, source: reqwest::Error) -> Error {
    let source = source.without_url();
    let request = RequestContext::boxed(method, path);
    if source.is_connect() {
        Error::Connect { request, source }
    } else if source.is_timeout() {
        Error::Timeout { request, source }
    } else {
        Error::Request { request, source }
    }
}

/// Decodes a whole JSON body, with the JSON path of the first problem on failure.
pub(crate) fn decode_json<T: serde::de::DeserializeOwned>(
    bytes: &[u8],
    method: &Method,
    path: &str,
    status: StatusCode,
) -> Result<T, Error> {
    let decode_error = |json_path: String, source: serde_json::Error| Error::Decode {
        request: RequestContext::boxed(method.clone(), path),
        status,
        json_path,
        snippet: snippet(bytes),
        source,
    };
    // Fast path: plain serde_json (tracking the JSON path costs about as much as the decoding
    // itself). Trailing data after the document is an error too.
    let mut de = serde_json::Deserializer::from_slice(bytes);
    if let Ok(value) = T::deserialize(&mut de).and_then(|value| de.end().map(|()| value)) {
        return Ok(value);
    }
    // Decoding is deterministic, so decoding again with path tracking fails the same way and
    // tells where.
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de)
        .map_err(|e| decode_error(e.path().to_string(), e.into_inner()))?;
    de.end().map_err(|e| decode_error(".".to_owned(), e))?;
    Ok(value)
}

/// A success response, ready to be decoded; see [`crate::runtime`].
pub struct Response {
    inner: reqwest::Response,
    method: Method,
    path: String,
}

impl Response {
    /// The status of the response (always a success status).
    pub fn status(&self) -> StatusCode {
        self.inner.status()
    }

    /// The response's `Content-Type`, if present and readable.
    pub fn content_type(&self) -> Option<&str> {
        self.inner
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
    }

    /// Decodes a JSON body; `204 No Content` is an `UnexpectedStatus` error, an undecodable
    /// body a `Decode` error with the JSON path.
    // Not an `async fn`: one would keep the response twice in its state (as its argument and
    // taken apart), beside the body reader that holds it as well.
    pub fn json<T: serde::de::DeserializeOwned>(self) -> impl Future<Output = Result<T, Error>> {
        let status = self.status();
        // For a 204, the error's content type (the body is then not read).
        let no_content =
            (status == StatusCode::NO_CONTENT).then(|| self.content_type().map(str::to_owned));
        let Response {
            inner,
            method,
            path,
        } = self;
        async move {
            if let Some(content_type) = no_content {
                return Err(Error::UnexpectedStatus {
                    content_type,
                    request: RequestContext::boxed(method, path),
                    status,
                    snippet: String::new(),
                });
            }
            // The body reader is made here rather than captured: awaiting a captured future
            // would keep a second copy of it in the state.
            let bytes = match inner.bytes().await {
                Ok(bytes) => bytes,
                Err(source) => return Err(transport_error(method, path, source)),
            };
            decode_json(&bytes, &method, &path, status)
        }
    }

    /// Succeeds for any success status; a body, if the status allows one, is read and dropped.
    pub fn empty(self) -> impl Future<Output = Result<(), Error>> + Send + 'static {
        // A 204 has no body by definition (the HTTP layer reads none after it), so the
        // connection is already free for the next request and there is nothing to collect.
        // Otherwise boxed: the body reader is about 1 KB of state that every future awaiting
        // this one would carry, although the usual answer (204) never needs it.
        let body = (self.status() != StatusCode::NO_CONTENT).then(|| Box::pin(self.bytes()));
        async move {
            match body {
                Some(body) => body.await.map(drop),
                None => Ok(()),
            }
        }
    }

    /// The body as text.
    pub async fn text(self) -> Result<String, Error> {
        let (method, path) = (self.method, self.path);
        self.inner
            .text()
            .await
            .map_err(|source| transport_error(method, path, source))
    }

    /// The body as text, `None` for `204 No Content`.
    pub async fn optional_text(self) -> Result<Option<String>, Error> {
        if self.status() == StatusCode::NO_CONTENT {
            return Ok(None);
        }
        self.text().await.map(Some)
    }

    /// The raw body.
    pub async fn bytes(self) -> Result<bytes::Bytes, Error> {
        let (method, path) = (self.method, self.path);
        self.inner
            .bytes()
            .await
            .map_err(|source| transport_error(method, path, source))
    }

    /// Turns a non-success response into `Engine` (a JSON body with `type` or `message`) or
    /// `UnexpectedStatus` (anything else, including an empty body).
    async fn into_status_error(self) -> Error {
        let status = self.status();
        let content_type = self.content_type().map(str::to_owned);
        let (method, path) = (self.method, self.path);
        // Error bodies are read up to a limit: an engine error is small, a proxy's page need
        // not be, and only a snippet of it is kept.
        let mut inner = self.inner;
        let mut body = Vec::new();
        loop {
            match inner.chunk().await {
                Ok(Some(chunk)) => {
                    body.extend_from_slice(&chunk);
                    if body.len() > ERROR_BODY_LIMIT {
                        break;
                    }
                }
                Ok(None) => break,
                Err(source) => return transport_error(method, path, source),
            }
        }
        if let Ok(value) = serde_json::from_slice::<serde_json::Value>(&body) {
            if let Some(engine) =
                EngineError::from_body(method.clone(), path.clone(), status, value)
            {
                return Error::Engine(Box::new(engine));
            }
        }
        Error::UnexpectedStatus {
            request: RequestContext::boxed(method, path),
            status,
            content_type,
            snippet: snippet(&body),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wiremock::matchers::{body_json, header, method, path, query_param};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    fn client(server: &MockServer) -> Client {
        Client::new(format!("{}/engine-rest/", server.uri())).expect("a valid client")
    }

    #[test]
    fn base_url_forms() {
        for (input, expected) in [
            (
                "http://localhost:8080/engine-rest",
                "http://localhost:8080/engine-rest",
            ),
            (
                "http://localhost:8080/engine-rest/",
                "http://localhost:8080/engine-rest",
            ),
            (
                "https://camunda.example/engine-rest/engine/other/",
                "https://camunda.example/engine-rest/engine/other",
            ),
            ("http://localhost:8080", "http://localhost:8080/"),
        ] {
            let c = Client::new(input).expect("a valid URL");
            assert_eq!(c.base_url().as_str(), expected, "{input}");
        }
    }

    #[test]
    fn invalid_base_urls_are_config_errors_naming_the_input() {
        for input in [
            "not a url",
            "ftp://host/engine-rest",
            "mailto:x@y",
            "http://h/e?x=1",
        ] {
            match Client::new(input) {
                Err(Error::Config { message }) => {
                    assert!(message.contains(input), "{message}")
                }
                other => panic!("{input}: {other:?}"),
            }
        }
        match Client::new("http://user:hunter2@host/engine-rest") {
            Err(Error::Config { message }) => {
                assert!(!message.contains("hunter2"), "{message}");
                assert!(message.contains("host/engine-rest"), "{message}");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            Client::builder().build(),
            Err(Error::Config { .. })
        ));
    }

    #[test]
    fn connect_timeout_with_own_http_client_is_rejected() {
        let r = Client::builder()
            .base_url("http://localhost/engine-rest")
            .http_client(reqwest::Client::new())
            .connect_timeout(Duration::from_secs(1))
            .build();
        assert!(matches!(r, Err(Error::Config { .. })));
    }

    #[test]
    fn long_poll_timeout_is_at_least_the_poll_plus_margin() {
        let c = Client::builder()
            .base_url("http://localhost/engine-rest")
            .timeout(Duration::from_secs(30))
            .build()
            .expect("a client");
        assert_eq!(c.long_poll_timeout(None), Some(Duration::from_secs(30)));
        assert_eq!(
            c.long_poll_timeout(Some(1_000)),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            c.long_poll_timeout(Some(1_800_000)),
            Some(Duration::from_secs(1_810))
        );
        assert_eq!(c.long_poll_timeout(Some(-5)), Some(Duration::from_secs(30)));
    }

    #[tokio::test]
    async fn segments_are_percent_encoded_and_queries_encode_plus() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/engine-rest/external-task/a%2Fb+c%20d"))
            .and(query_param(
                "lockExpirationAfter",
                "2015-10-06T16:34:42.000+0200",
            ))
            .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"ok": true})))
            .expect(1)
            .mount(&server)
            .await;

        #[derive(serde::Serialize)]
        struct Q {
            #[serde(rename = "lockExpirationAfter")]
            after: crate::DateTime,
            #[serde(skip_serializing_if = "Option::is_none")]
            absent: Option<String>,
        }
        let after = crate::DateTime::parse("2015-10-06T16:34:42.000+0200").expect("a date");
        let req = client(&server)
            .request(Method::GET, &["external-task", "a/b+c d"])
            .query(&Q {
                after,
                absent: None,
            });
        assert_eq!(
            req.url.query(),
            Some("lockExpirationAfter=2015-10-06T16%3A34%3A42.000%2B0200")
        );
        let value: serde_json::Value = req
            .send()
            .await
            .expect("a response")
            .json()
            .await
            .expect("json");
        assert_eq!(value, serde_json::json!({"ok": true}));
    }

    #[tokio::test]
    async fn json_body_user_agent_and_auth_are_sent() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/engine-rest/x"))
            .and(header("content-type", "application/json"))
            .and(header("user-agent", DEFAULT_USER_AGENT))
            .and(header("authorization", "Bearer abc"))
            .and(body_json(serde_json::json!({"workerId": "w"})))
            .respond_with(ResponseTemplate::new(204))
            .expect(1)
            .mount(&server)
            .await;
        let c = Client::builder()
            .base_url(format!("{}/engine-rest", server.uri()))
            .auth(Auth::bearer("abc"))
            .build()
            .expect("a client");
        c.request(Method::POST, &["x"])
            .json(&serde_json::json!({"workerId": "w"}))
            .send()
            .await
            .expect("a response")
            .empty()
            .await
            .expect("empty");
    }

    #[tokio::test]
    async fn decode_errors_name_the_json_path() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_raw(r#"[{"count": "many"}]"#, "application/json"),
            )
            .mount(&server)
            .await;
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct C {
            count: i64,
        }
        let err = client(&server)
            .request(Method::GET, &["count"])
            .send()
            .await
            .expect("a response")
            .json::<Vec<C>>()
            .await
            .expect_err("undecodable");
        match &err {
            Error::Decode {
                json_path,
                snippet,
                status,
                ..
            } => {
                assert_eq!(json_path, "[0].count");
                assert!(snippet.contains("many"));
                assert_eq!(*status, StatusCode::OK);
            }
            other => panic!("{other:?}"),
        }
        assert!(err.to_string().contains("GET /engine-rest/count"), "{err}");
    }

    #[tokio::test]
    async fn no_content_for_json_is_unexpected_and_none_for_optional_text() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(204))
            .mount(&server)
            .await;
        let c = client(&server);
        let err = c
            .request(Method::GET, &["a"])
            .send()
            .await
            .expect("a response")
            .json::<serde_json::Value>()
            .await
            .expect_err("204 has no JSON");
        assert_eq!(err.status(), Some(StatusCode::NO_CONTENT));
        let text = c
            .request(Method::GET, &["a"])
            .send()
            .await
            .expect("a response")
            .optional_text()
            .await
            .expect("text");
        assert_eq!(text, None);
    }

    #[tokio::test]
    async fn error_statuses_become_engine_or_unexpected_status() {
        let server = MockServer::start().await;
        Mock::given(path("/engine-rest/engine-error"))
            .respond_with(ResponseTemplate::new(404).set_body_json(serde_json::json!({
                "type": "RestException",
                "message": "External task with id x does not exist",
                "code": 0
            })))
            .mount(&server)
            .await;
        Mock::given(path("/engine-rest/html"))
            .respond_with(
                ResponseTemplate::new(502).set_body_raw("<html>Bad Gateway</html>", "text/html"),
            )
            .mount(&server)
            .await;
        let c = client(&server);
        let err = c
            .request(Method::GET, &["engine-error"])
            .send()
            .await
            .err()
            .expect("an error");
        let engine = err.engine().expect("an engine error");
        assert_eq!(engine.code, Some(0));
        assert!(err.is_not_found());
        assert!(!err.is_transient());

        let err = c
            .request(Method::GET, &["html"])
            .send()
            .await
            .err()
            .expect("an error");
        match &err {
            Error::UnexpectedStatus {
                status,
                content_type,
                snippet,
                ..
            } => {
                assert_eq!(*status, StatusCode::BAD_GATEWAY);
                assert_eq!(content_type.as_deref(), Some("text/html"));
                assert_eq!(snippet, "<html>Bad Gateway</html>");
            }
            other => panic!("{other:?}"),
        }
        assert!(err.is_transient());
    }

    #[tokio::test]
    async fn serialize_failures_surface_at_send() {
        let server = MockServer::start().await;
        let mut map = std::collections::BTreeMap::new();
        map.insert(vec![1u8], 1);
        let err = client(&server)
            .request(Method::POST, &["x"])
            .json(&map)
            .send()
            .await
            .err()
            .expect("an error");
        assert!(
            matches!(err, Error::Serialize { what: "body", .. }),
            "{err:?}"
        );
        assert!(server
            .received_requests()
            .await
            .unwrap_or_default()
            .is_empty());
    }

    #[test]
    fn client_is_send_sync_and_debug_hides_secrets() {
        fn assert_send_sync<T: Send + Sync + Clone>() {}
        fn assert_error<T: std::error::Error + Send + Sync + 'static>() {}
        assert_send_sync::<Client>();
        assert_error::<Error>();
        let c = Client::builder()
            .base_url("http://localhost/engine-rest")
            .auth(Auth::basic("demo", "hunter2"))
            .build()
            .expect("a client");
        let text = format!("{c:?}");
        assert!(!text.contains("hunter2"), "{text}");
        assert!(text.contains("localhost/engine-rest"), "{text}");
    }
}
