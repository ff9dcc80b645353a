//! The HTTP side: accept loop, connection handling with fault injection, routing and the
//! operation handlers.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body as AxumBody, Bytes};
use axum::http::header::{self, HeaderName, HeaderValue};
use axum::http::{Method, Request};
use axum::response::Response;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio::task::{JoinHandle, JoinSet};
use tokio::time::Instant;

use crate::body::Body;
use crate::date;
use crate::engine::Shared;
use crate::error::{empty_response, json_response, text_response, ApiError};
use crate::faults::{FaultAction, Operation};
use crate::fetch::FetchRequest;
use crate::files::{self, DataScope};
use crate::query::{self, Query};
use crate::variables;

/// Largest request body read, in bytes.
const BODY_LIMIT: usize = 64 * 1024 * 1024;

/// Starts the accept loop on `listener`; aborting the returned task closes the listener and
/// every open connection.
pub(crate) fn spawn(listener: TcpListener, shared: Arc<Shared>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut connections = JoinSet::new();
        loop {
            tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok((stream, _)) => {
                        let _ = stream.set_nodelay(true);
                        connections.spawn(serve_connection(stream, shared.clone()));
                    }
                    Err(error) => {
                        tracing::warn!(%error, "test engine: accept failed");
                        tokio::time::sleep(Duration::from_millis(10)).await;
                    }
                },
                Some(_) = connections.join_next(), if !connections.is_empty() => {}
            }
        }
    })
}

async fn serve_connection(stream: TcpStream, shared: Arc<Shared>) {
    let kill = Arc::new(Notify::new());
    let service_kill = kill.clone();
    let service = hyper::service::service_fn(move |request: Request<Incoming>| {
        let shared = shared.clone();
        let kill = service_kill.clone();
        async move { Ok::<_, Infallible>(handle(shared, kill, request).await) }
    });
    let connection = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
    tokio::select! {
        result = connection => {
            if let Err(error) = result {
                tracing::debug!(%error, "test engine: connection ended with an error");
            }
        }
        // Dropping the connection closes the socket without a response.
        _ = kill.notified() => {}
    }
}

/// Where a request goes.
#[derive(Debug, PartialEq)]
enum Route {
    Op(Operation, Option<String>),
    /// A binary variable's content: scope, execution or process instance id, variable name.
    VariableData(DataScope, String, String),
    Engines,
    UnknownEngine(String),
    MethodNotAllowed,
    NotFound,
}

fn percent_decode(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(b) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn classify(method: &Method, path: &str) -> Route {
    let Some(rest) = path.strip_prefix("/engine-rest") else {
        return Route::NotFound;
    };
    let mut segments: Vec<String> = rest.split('/').skip(1).map(percent_decode).collect();
    if segments.last().is_some_and(String::is_empty) {
        segments.pop();
    }
    let mut segs: &[String] = &segments;
    if segs.first().map(String::as_str) == Some("engine") {
        if segs.len() == 1 {
            return if method == Method::GET {
                Route::Engines
            } else {
                Route::MethodNotAllowed
            };
        }
        if segs[1] != "default" {
            return Route::UnknownEngine(segs[1].clone());
        }
        segs = &segs[2..];
    }
    let data_route = match segs {
        [kind, id, vars, name, data] if data == "data" => match (kind.as_str(), vars.as_str()) {
            ("process-instance", "variables") => Some((DataScope::Visible, id, name)),
            ("execution", "localVariables") => Some((DataScope::Local, id, name)),
            _ => None,
        },
        _ => None,
    };
    if let Some((scope, id, name)) = data_route {
        return if method == Method::GET {
            Route::VariableData(scope, id.clone(), name.clone())
        } else {
            Route::MethodNotAllowed
        };
    }
    if segs.first().map(String::as_str) != Some("external-task") {
        return Route::NotFound;
    }
    let segs: Vec<&str> = segs[1..].iter().map(String::as_str).collect();
    let m = method.clone();
    let op = |op: Operation, id: Option<&str>| Route::Op(op, id.map(str::to_owned));
    match (segs.as_slice(), m) {
        ([], Method::GET) => op(Operation::QueryGet, None),
        ([], Method::POST) => op(Operation::QueryPost, None),
        (["count"], Method::GET) => op(Operation::CountGet, None),
        (["count"], Method::POST) => op(Operation::CountPost, None),
        (["topic-names"], Method::GET) => op(Operation::TopicNames, None),
        (["fetchAndLock"], Method::POST) => op(Operation::FetchAndLock, None),
        (["retries"], Method::PUT) => op(Operation::SetRetries, None),
        (["retries-async"], Method::POST) => op(Operation::SetRetriesAsync, None),
        ([id], Method::GET) => op(Operation::GetTask, Some(id)),
        ([id, action], m) => {
            let found = match (*action, &m) {
                ("complete", &Method::POST) => Some(Operation::Complete),
                ("failure", &Method::POST) => Some(Operation::Failure),
                ("bpmnError", &Method::POST) => Some(Operation::BpmnError),
                ("extendLock", &Method::POST) => Some(Operation::ExtendLock),
                ("lock", &Method::POST) => Some(Operation::Lock),
                ("unlock", &Method::POST) => Some(Operation::Unlock),
                ("errorDetails", &Method::GET) => Some(Operation::GetErrorDetails),
                ("priority", &Method::PUT) => Some(Operation::SetPriority),
                ("retries", &Method::PUT) => Some(Operation::SetTaskRetries),
                _ => None,
            };
            match found {
                Some(operation) => op(operation, Some(id)),
                None if matches!(
                    *action,
                    "complete"
                        | "failure"
                        | "bpmnError"
                        | "extendLock"
                        | "lock"
                        | "unlock"
                        | "errorDetails"
                        | "priority"
                        | "retries"
                ) =>
                {
                    Route::MethodNotAllowed
                }
                None => Route::NotFound,
            }
        }
        (
            []
            | ["count"]
            | ["topic-names"]
            | ["fetchAndLock"]
            | ["retries"]
            | ["retries-async"]
            | [_],
            _,
        ) => Route::MethodNotAllowed,
        _ => Route::NotFound,
    }
}

fn injected(status: u16, operation: Operation) -> Response {
    json_response(
        status,
        &json!({
            "type": "InjectedFault",
            "message": format!("fault injected by the test engine into {operation}"),
            "code": null,
        }),
    )
}

/// The response a fault answers with in place of the operation's, if its action answers.
fn fault_response(
    action: &FaultAction,
    operation: Operation,
    omit_null_code: bool,
) -> Option<Response> {
    match action {
        FaultAction::FailWithStatus(status) | FaultAction::FailWithStatusAfterApplying(status) => {
            Some(injected(*status, operation))
        }
        FaultAction::FailWithError {
            status,
            kind,
            message,
            code,
        }
        | FaultAction::FailWithErrorAfterApplying {
            status,
            kind,
            message,
            code,
        } => {
            let mut body = json!({ "type": kind, "message": message, "code": code });
            if omit_null_code && code.is_none() {
                if let Some(map) = body.as_object_mut() {
                    map.remove("code");
                }
            }
            Some(json_response(*status, &body))
        }
        FaultAction::RespondRaw {
            status,
            content_type,
            body,
        }
        | FaultAction::RespondRawAfterApplying {
            status,
            content_type,
            body,
        } => {
            let mut response = empty_response(*status);
            *response.body_mut() = AxumBody::from(body.clone());
            if let Some(value) = content_type
                .as_deref()
                .and_then(|v| HeaderValue::from_str(v).ok())
            {
                response.headers_mut().insert(header::CONTENT_TYPE, value);
            }
            Some(response)
        }
        FaultAction::Delay(_)
        | FaultAction::DelayAfterApplying(_)
        | FaultAction::DropConnection
        | FaultAction::DropConnectionAfterApplying => None,
    }
}

/// Adds a fault rule's extra headers to a response (invalid ones are left out).
fn with_headers(mut response: Response, headers: &[(String, String)]) -> Response {
    for (name, value) in headers {
        match (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            (Ok(name), Ok(value)) => {
                response.headers_mut().insert(name, value);
            }
            _ => tracing::warn!(%name, "test engine: invalid fault header left out"),
        }
    }
    response
}

async fn handle(shared: Arc<Shared>, kill: Arc<Notify>, request: Request<Incoming>) -> Response {
    let (parts, body) = request.into_parts();
    let (operation, id) = match classify(&parts.method, parts.uri.path()) {
        Route::Op(operation, id) => (operation, id),
        Route::Engines => return json_response(200, &json!([{ "name": "default" }])),
        Route::UnknownEngine(name) => {
            return json_response(
                404,
                &json!({
                    "type": "InvalidRequestException",
                    "message": format!("Process engine {name} not available"),
                }),
            )
        }
        Route::MethodNotAllowed => return empty_response(405),
        Route::NotFound => return empty_response(404),
        Route::VariableData(scope, id, name) => {
            if let Some(refusal) = refuse_unauthenticated(&shared, &parts.headers) {
                return refusal;
            }
            let state = shared.lock();
            return files::variable_data(&state, scope, &id, &name)
                .unwrap_or_else(|error| error.into_response_with(shared.omit_null_error_codes));
        }
    };
    shared.counters[operation.index()].fetch_add(1, Ordering::SeqCst);
    let fault = shared.faults.take(operation);
    let omit_null_code = shared.omit_null_error_codes;
    if let Some(fired) = &fault {
        match &fired.action {
            FaultAction::Delay(delay) => tokio::time::sleep(*delay).await,
            FaultAction::DropConnection => {
                kill.notify_one();
                return std::future::pending().await;
            }
            action if !action.applies_operation_first() => {
                if let Some(response) = fault_response(action, operation, omit_null_code) {
                    return with_headers(response, &fired.headers);
                }
            }
            _ => {}
        }
    }
    if let Some(refusal) = refuse_unauthenticated(&shared, &parts.headers) {
        return refusal;
    }
    let bytes = match axum::body::to_bytes(AxumBody::new(body), BODY_LIMIT).await {
        Ok(bytes) => bytes,
        Err(_) => return ApiError::bad_json().into_response_with(shared.omit_null_error_codes),
    };
    let params = query::parse_params(parts.uri.query());
    let response = match dispatch(&shared, operation, id.as_deref(), &params, &bytes).await {
        Ok(response) => response,
        Err((error, worker)) => {
            let now = shared.now();
            shared.lock().record_rejection(
                id.as_deref(),
                operation,
                worker.as_deref(),
                &error,
                now,
            );
            error.into_response_with(shared.omit_null_error_codes)
        }
    };
    let Some(fired) = fault else {
        return response;
    };
    if fired.action == FaultAction::DropConnectionAfterApplying {
        kill.notify_one();
        return std::future::pending().await;
    }
    if let FaultAction::DelayAfterApplying(delay) = fired.action {
        tokio::time::sleep(delay).await;
        return with_headers(response, &fired.headers);
    }
    let response = if fired.action.applies_operation_first() {
        fault_response(&fired.action, operation, omit_null_code).unwrap_or(response)
    } else {
        response
    };
    with_headers(response, &fired.headers)
}

/// The engine's 401 when basic authentication is required and the request lacks it.
fn refuse_unauthenticated(shared: &Shared, headers: &axum::http::HeaderMap) -> Option<Response> {
    let (user, password) = shared.basic_auth.as_ref()?;
    if authenticated(headers, user, password) {
        return None;
    }
    let mut response = empty_response(401);
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Basic realm=\"default\""),
    );
    Some(response)
}

/// Whether the request carries `Authorization: Basic` with exactly these credentials.
fn authenticated(headers: &axum::http::HeaderMap, user: &str, password: &str) -> bool {
    use base64::Engine as _;
    let Some(value) = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let Some(encoded) = value.strip_prefix("Basic ") else {
        return false;
    };
    let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(encoded.trim()) else {
        return false;
    };
    let Ok(text) = String::from_utf8(decoded) else {
        return false;
    };
    match text.split_once(':') {
        Some((u, p)) => u == user && p == password,
        None => false,
    }
}

/// An error with the worker id that caused it (for the task's history).
type Failure = (ApiError, Option<String>);

fn plain(error: ApiError) -> Failure {
    (error, None)
}

async fn dispatch(
    shared: &Arc<Shared>,
    operation: Operation,
    id: Option<&str>,
    params: &HashMap<String, String>,
    bytes: &Bytes,
) -> Result<Response, Failure> {
    let id = id.unwrap_or_default();
    match operation {
        Operation::FetchAndLock => fetch_and_lock(shared, bytes).await.map_err(plain),
        Operation::Complete => {
            let body = Body::parse(bytes).map_err(plain)?;
            let vars = variables::from_request(body.0.get("variables")).map_err(plain)?;
            let local = variables::from_request(body.0.get("localVariables")).map_err(plain)?;
            let worker = worker_id(&body)?;
            let now = shared.now();
            shared
                .lock()
                .complete(id, &worker, vars, local, now)
                .map_err(|e| (e, Some(worker)))?;
            Ok(empty_response(204))
        }
        Operation::Failure => {
            let body = Body::parse(bytes).map_err(plain)?;
            let vars = variables::from_request(body.0.get("variables")).map_err(plain)?;
            let local = variables::from_request(body.0.get("localVariables")).map_err(plain)?;
            let worker = worker_id(&body)?;
            let with_worker = |e: ApiError| (e, Some(worker.clone()));
            let retries = body.prim_int32("retries").map_err(with_worker)?;
            if retries < 0 {
                return Err(with_worker(ApiError::process_engine(
                    "retries is not greater than or equal to 0",
                )));
            }
            let retry_timeout = body.prim_int("retryTimeout").map_err(with_worker)?;
            if retry_timeout < 0 {
                return Err(with_worker(ApiError::process_engine(
                    "retryDuration is not greater than or equal to 0",
                )));
            }
            let message = body.string("errorMessage").map_err(with_worker)?;
            let details = body.string("errorDetails").map_err(with_worker)?;
            let now = shared.now();
            shared
                .lock()
                .failure(
                    id,
                    &worker,
                    message,
                    details,
                    retries,
                    retry_timeout,
                    (vars, local),
                    now,
                )
                .map_err(with_worker)?;
            shared.notify.notify_waiters();
            Ok(empty_response(204))
        }
        Operation::BpmnError => {
            let body = Body::parse(bytes).map_err(plain)?;
            let vars = variables::from_request(body.0.get("variables")).map_err(plain)?;
            let worker = worker_id(&body)?;
            let with_worker = |e: ApiError| (e, Some(worker.clone()));
            let code = body
                .string("errorCode")
                .map_err(with_worker)?
                .ok_or_else(|| with_worker(ApiError::null_value("errorCode")))?;
            let message = body.string("errorMessage").map_err(with_worker)?;
            let now = shared.now();
            shared
                .lock()
                .bpmn_error(id, &worker, code, message, vars, now)
                .map_err(with_worker)?;
            Ok(empty_response(204))
        }
        Operation::ExtendLock => {
            let body = Body::parse(bytes).map_err(plain)?;
            let duration = body.prim_int("newDuration").map_err(plain)?;
            if duration <= 0 {
                return Err(plain(ApiError::rest_wrapping(
                    400,
                    "lockTime is not greater than 0",
                )));
            }
            let worker = worker_id(&body)?;
            let now = shared.now();
            shared
                .lock()
                .extend_lock(id, &worker, duration, now)
                .map_err(|e| (e, Some(worker)))?;
            Ok(empty_response(204))
        }
        Operation::Lock => {
            let body = Body::parse(bytes).map_err(plain)?;
            let worker = worker_id(&body)?;
            let duration = body.prim_int("lockDuration").map_err(plain)?;
            if duration <= 0 {
                return Err((
                    ApiError::rest_wrapping(400, "lockDuration is not greater than 0"),
                    Some(worker),
                ));
            }
            let now = shared.now();
            shared
                .lock()
                .lock(id, &worker, duration, now)
                .map_err(|e| (e, Some(worker)))?;
            Ok(empty_response(204))
        }
        Operation::Unlock => {
            let now = shared.now();
            shared.lock().unlock(id, now).map_err(plain)?;
            shared.notify.notify_waiters();
            Ok(empty_response(204))
        }
        Operation::GetTask => {
            let state = shared.lock();
            match state.task(id) {
                Some(task) => Ok(json_response(200, &task.dto())),
                None => Err(plain(ApiError::rest(
                    404,
                    format!("External task with id {id} does not exist"),
                ))),
            }
        }
        Operation::GetErrorDetails => {
            let state = shared.lock();
            match state.task(id) {
                None => Err(plain(ApiError::engine(
                    500,
                    "NullValueException",
                    format!("No external task found with id {id}: externalTask is null"),
                ))),
                Some(task) => Ok(match &task.error_details {
                    Some(details) => text_response(details.clone()),
                    None => empty_response(204),
                }),
            }
        }
        Operation::QueryGet | Operation::QueryPost | Operation::CountGet | Operation::CountPost => {
            let query = if matches!(operation, Operation::QueryGet | Operation::CountGet) {
                Query::from_params(params)
            } else {
                Body::parse(bytes).and_then(|b| Query::from_body(&b))
            }
            .map_err(plain)?;
            let now = shared.now();
            let state = shared.lock();
            let found = query.run(&state, now);
            if matches!(operation, Operation::CountGet | Operation::CountPost) {
                return Ok(json_response(200, &json!({ "count": found.len() })));
            }
            let (first, max) = query::paging(params).map_err(plain)?;
            let page: Vec<Value> = found
                .iter()
                .skip(first)
                .take(max)
                .map(|t| t.dto())
                .collect();
            Ok(json_response(200, &Value::Array(page)))
        }
        Operation::TopicNames => {
            let now = shared.now();
            let names = query::topic_names(&shared.lock(), params, now);
            Ok(json_response(200, &json!(names)))
        }
        Operation::SetRetries | Operation::SetRetriesAsync => {
            set_retries_bulk(shared, operation, bytes).map_err(plain)
        }
        Operation::SetPriority => {
            let body = Body::parse(bytes).map_err(plain)?;
            let priority = body
                .int("priority")
                .map_err(plain)?
                .ok_or_else(|| plain(ApiError::null_pointer()))?;
            let now = shared.now();
            shared
                .lock()
                .set_priority(id, priority, now)
                .map_err(plain)?;
            Ok(empty_response(204))
        }
        Operation::SetTaskRetries => {
            let body = Body::parse(bytes).map_err(plain)?;
            let retries = body.int32("retries").map_err(plain)?.ok_or_else(|| {
                plain(ApiError::invalid_request(
                    400,
                    "The number of retries cannot be null.",
                ))
            })?;
            if retries < 0 {
                return Err(plain(ApiError::engine(
                    400,
                    "BadUserRequestException",
                    "The number of retries cannot be negative: retries is not greater than or equal to 0",
                )));
            }
            let now = shared.now();
            shared
                .lock()
                .set_task_retries(id, retries, now)
                .map_err(plain)?;
            shared.notify.notify_waiters();
            Ok(empty_response(204))
        }
    }
}

fn worker_id(body: &Body) -> Result<String, Failure> {
    body.string("workerId")
        .map_err(plain)?
        .ok_or_else(|| plain(ApiError::null_value("workerId")))
}

fn set_retries_bulk(
    shared: &Arc<Shared>,
    operation: Operation,
    bytes: &Bytes,
) -> Result<Response, ApiError> {
    let body = Body::parse(bytes)?;
    let retries = query::bulk_retries(&body)?;
    let now = shared.now();
    let mut state = shared.lock();
    let selected = query::bulk_selection(&body, &state, now)?;
    if selected.is_empty() {
        return Err(ApiError::invalid_request(400, "externalTaskIds is empty"));
    }
    if selected.iter().any(Option::is_none) {
        return Err(ApiError::invalid_request(
            400,
            "External task id cannot be null: externalTaskIds contains null value",
        ));
    }
    let ids: Vec<String> = selected.into_iter().flatten().collect();
    if operation == Operation::SetRetries {
        if retries < 0 {
            return Err(ApiError::invalid_request(
                400,
                "The number of retries cannot be negative: retries is not greater than or equal to 0",
            ));
        }
        state.set_retries_many(&ids, retries, now, true)?;
        drop(state);
        shared.notify.notify_waiters();
        return Ok(empty_response(204));
    }
    // The batch's jobs run "later": here at once; invalid input fails inside them silently.
    if retries >= 0 {
        state.set_retries_many(&ids, retries, now, false)?;
    }
    let batch_id = state.new_batch_id();
    drop(state);
    shared.notify.notify_waiters();
    let jobs = ids.len();
    Ok(json_response(
        200,
        &json!({
            "id": batch_id,
            "type": "set-external-task-retries",
            "totalJobs": jobs,
            "jobsCreated": 0,
            "batchJobsPerSeed": 100,
            "invocationsPerBatchJob": 1,
            "seedJobDefinitionId": format!("{batch_id}-seed"),
            "monitorJobDefinitionId": format!("{batch_id}-monitor"),
            "batchJobDefinitionId": format!("{batch_id}-jobs"),
            "suspended": false,
            "tenantId": null,
            "createUserId": null,
            "startTime": date::format_millis(now),
            "executionStartTime": null,
        }),
    ))
}

/// fetchAndLock with long polling: answers at once when tasks are found or no
/// `asyncResponseTimeout` was given; otherwise waits until a matching task becomes fetchable
/// (woken by task creation, unlock, failure, retries updates, clock moves, lock expiry) or the
/// timeout passes, then answers `[]`.
async fn fetch_and_lock(shared: &Arc<Shared>, bytes: &Bytes) -> Result<Response, ApiError> {
    let mut generation = None;
    let request = FetchRequest::parse(bytes)?;
    let _pending = PendingPoll::new(shared);
    let deadline = request
        .async_response_timeout
        .map(|ms| Instant::now() + Duration::from_millis(u64::try_from(ms).unwrap_or(0)));
    loop {
        let notified = shared.notify.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        let (tasks, next_expiry, now) = {
            let mut state = shared.lock();
            let now = shared.now();
            let tasks = state.fetch_and_lock(&request, now);
            (tasks, state.next_expiry(), now)
        };
        if !tasks.is_empty() {
            return Ok(json_response(200, &Value::Array(tasks)));
        }
        let Some(deadline) = deadline else {
            return Ok(json_response(200, &json!([])));
        };
        let real_now = Instant::now();
        if real_now >= deadline {
            return Ok(json_response(200, &json!([])));
        }
        if shared.unique_worker_request {
            match generation {
                None => {
                    generation = Some(shared.queue_poll(&request.worker_id));
                    // Wake the older poll of this worker so it can give way.
                    shared.notify.notify_waiters();
                }
                Some(mine) if shared.poll_superseded(&request.worker_id, mine) => {
                    return Ok(empty_response(503));
                }
                Some(_) => {}
            }
        }
        let mut wake = deadline;
        if let (Some(expiry), false) = (next_expiry, shared.clock.is_frozen()) {
            let wait = u64::try_from(expiry.saturating_sub(now).max(1)).unwrap_or(1);
            wake = wake.min(real_now + Duration::from_millis(wait));
        }
        tokio::select! {
            _ = &mut notified => {}
            _ = tokio::time::sleep_until(wake) => {}
        }
        if shared.shutting_down.load(Ordering::SeqCst) {
            return Err(ApiError::rest(
                500,
                "Request rejected due to shutdown of application server.",
            ));
        }
    }
}

/// Counts a fetchAndLock request while it runs (so shutdown can wait for long polls).
struct PendingPoll<'a>(&'a Shared);

impl<'a> PendingPoll<'a> {
    fn new(shared: &'a Shared) -> Self {
        shared.pending_polls.fetch_add(1, Ordering::SeqCst);
        PendingPoll(shared)
    }
}

impl Drop for PendingPoll<'_> {
    fn drop(&mut self) {
        self.0.pending_polls.fetch_sub(1, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_are_classified() {
        let op = |o, id: Option<&str>| Route::Op(o, id.map(str::to_owned));
        assert_eq!(
            classify(&Method::POST, "/engine-rest/external-task/fetchAndLock"),
            op(Operation::FetchAndLock, None)
        );
        assert_eq!(
            classify(
                &Method::POST,
                "/engine-rest/engine/default/external-task/a%2Fb/complete"
            ),
            op(Operation::Complete, Some("a/b"))
        );
        assert_eq!(
            classify(&Method::GET, "/engine-rest/external-task/fetchAndLock"),
            op(Operation::GetTask, Some("fetchAndLock"))
        );
        assert_eq!(
            classify(&Method::GET, "/engine-rest/engine/other/external-task"),
            Route::UnknownEngine("other".into())
        );
        assert_eq!(
            classify(&Method::DELETE, "/engine-rest/external-task/x/complete"),
            Route::MethodNotAllowed
        );
        assert_eq!(classify(&Method::GET, "/other"), Route::NotFound);
        assert_eq!(
            classify(
                &Method::GET,
                "/engine-rest/process-instance/p1/variables/a%20b/data"
            ),
            Route::VariableData(DataScope::Visible, "p1".into(), "a b".into())
        );
        assert_eq!(
            classify(
                &Method::GET,
                "/engine-rest/engine/default/execution/e1/localVariables/f/data"
            ),
            Route::VariableData(DataScope::Local, "e1".into(), "f".into())
        );
        assert_eq!(
            classify(
                &Method::POST,
                "/engine-rest/process-instance/p1/variables/f/data"
            ),
            Route::MethodNotAllowed
        );
        assert_eq!(
            classify(&Method::GET, "/engine-rest/execution/e1/variables/f/data"),
            Route::NotFound
        );
    }
}
