//! What an answer from the engine means for the worker: the one place that reads statuses,
//! exception types, messages and codes, for every kind of request the worker sends.
//!
//! The rules follow how the engine answers (see the table in the [`worker`](super) module
//! docs). They are a pure function of the request kind and the error, so every row is tested
//! on its own, and the fetch loop, the reporter and the lock keeper only act on a [`Decision`].

use reqwest::StatusCode;

use crate::Error;

/// The requests the worker sends for a task (and the fetch that locks it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RequestKind {
    Fetch,
    Complete,
    Failure,
    BpmnError,
    ExtendLock,
    Unlock,
}

impl RequestKind {
    /// The request's name, for logs.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            RequestKind::Fetch => "fetch_and_lock",
            RequestKind::Complete => "complete",
            RequestKind::Failure => "failure",
            RequestKind::BpmnError => "bpmn_error",
            RequestKind::ExtendLock => "extend_lock",
            RequestKind::Unlock => "unlock",
        }
    }

    /// Whether the request reports a handler's result.
    fn is_report(self) -> bool {
        matches!(
            self,
            RequestKind::Complete | RequestKind::Failure | RequestKind::BpmnError
        )
    }
}

/// What a failed request means, and so what the worker does next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Decision {
    /// `400`: another worker holds the lock now (ours expired and the task was locked again),
    /// or nobody does. The result can no longer be reported; drop it.
    LockLost,
    /// `400 ENGINE-03043`: the task is suspended. The lock is still ours, the engine refuses
    /// for now: keep the result and try again later.
    Suspended,
    /// The engine will never accept this request as it is (a variable it cannot convert, a
    /// process that refused to continue). For a result, a failure carrying the engine's
    /// words is reported instead, so retries count down and an incident appears.
    Refused {
        /// The engine's exception type, e.g. `RestException`.
        error_type: Option<String>,
        /// The engine's message (or the error's text when the engine sent none).
        message: String,
    },
    /// `404`: the task does not exist (cancelled, deleted, or already ended; possibly by an
    /// earlier attempt of this very request whose answer was lost).
    Gone,
    /// Worth trying again: the engine was busy, a transaction lost a race, or the answer did
    /// not come back.
    Transient {
        /// Whether the request may have reached the engine and been applied (the connection
        /// broke after it was sent, a timeout, or a gateway's 502 / 504).
        maybe_applied: bool,
    },
    /// `401`, or the auth provider failed: ask for credentials again and retry, for a while.
    Credentials,
    /// Anything else that retrying cannot fix (a 403, a malformed answer, a 501): give up and
    /// say so.
    Permanent,
}

/// Engine error codes that mean "try again": optimistic locking (1) and a deadlock (10000).
const TRANSIENT_CODES: [i64; 2] = [1, 10_000];

/// The words the engine uses when the lock is held by someone else (or nobody), for
/// complete, failure, bpmnError, extendLock and lock alike.
const LOCKED_BY_OTHER: &str = "It is locked by worker";
/// extendLock on a lock that already ran out.
const LOCK_EXPIRED: &str = "Cannot extend a lock that expired";
/// The engine's code for a suspended task.
const SUSPENDED: &str = "ENGINE-03043";
/// The long-poll queue is full.
const QUEUE_FULL: &str = "too many requests at the same time";
/// The server is shutting down and rejected a queued long poll.
const SHUTTING_DOWN: &str = "Request rejected due to shutdown";

/// What `error`, the answer to a request of `kind`, means.
pub(crate) fn decide(kind: RequestKind, error: &Error) -> Decision {
    match error {
        Error::Engine(engine) => {
            let message = engine.message.as_deref().unwrap_or_default();
            decide_status(kind, engine.status, Some(message), engine.code, || {
                refused(engine.error_type.clone(), message, error)
            })
        }
        Error::UnexpectedStatus { status, .. } => {
            decide_status(kind, *status, None, None, || refused(None, "", error))
        }
        Error::Connect { .. } => Decision::Transient {
            maybe_applied: false,
        },
        Error::Timeout { .. } => Decision::Transient {
            maybe_applied: true,
        },
        Error::Request { source, .. } if !source.is_builder() => Decision::Transient {
            maybe_applied: true,
        },
        Error::Auth { .. } => Decision::Credentials,
        // A result whose variables cannot even be written as JSON is refused before it is sent.
        Error::Serialize { .. } if kind.is_report() => refused(None, "", error),
        _ => Decision::Permanent,
    }
}

fn refused(error_type: Option<String>, message: &str, error: &Error) -> Decision {
    Decision::Refused {
        error_type,
        message: if message.is_empty() {
            error.to_string()
        } else {
            message.to_owned()
        },
    }
}

/// The decision for an error status. `message` and `code` are the engine's, when its error body
/// came with the answer; `refused` builds the [`Decision::Refused`] for this error.
fn decide_status(
    kind: RequestKind,
    status: StatusCode,
    message: Option<&str>,
    code: Option<i64>,
    refused: impl FnOnce() -> Decision,
) -> Decision {
    let says = |words: &str| message.is_some_and(|m| m.contains(words));
    match status.as_u16() {
        400 if says(LOCKED_BY_OTHER) => Decision::LockLost,
        400 if kind == RequestKind::ExtendLock && says(LOCK_EXPIRED) => Decision::LockLost,
        400 if says(SUSPENDED) => Decision::Suspended,
        // A variable the engine cannot convert, a value of the wrong type: the same request
        // fails the same way every time.
        400 if kind.is_report() && message.is_some() => refused(),
        401 => Decision::Credentials,
        404 => Decision::Gone,
        429 => Decision::Transient {
            maybe_applied: false,
        },
        // The engine rolled the transaction back and asks to try again.
        500 if code.is_some_and(|c| TRANSIENT_CODES.contains(&c))
            || says(QUEUE_FULL)
            || says(SHUTTING_DOWN) =>
        {
            Decision::Transient {
                maybe_applied: false,
            }
        }
        // The engine ran the request and its transaction failed: for a completion that is the
        // process refusing to continue ("could not be resumed", a failing listener), for a BPMN
        // error a propagation that failed, for a failure report a value it cannot take (a
        // negative retry count). Sending it again fails the same way.
        500 if message.is_some() && kind.is_report() => refused(),
        // Any other server error but 501 / 505 is worth another try. The request may have been
        // applied unless the engine itself answered 500 (it rolls back what it refuses): a 500
        // without the engine's body is a proxy's page, and a 502 / 503 / 504 comes from a
        // gateway that may have passed the request on before it gave up.
        s @ 500..=599 if s != 501 && s != 505 => Decision::Transient {
            maybe_applied: s != 500 || message.is_none(),
        },
        _ => Decision::Permanent,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::EngineError;
    use reqwest::Method;
    use serde_json::json;

    fn engine(status: u16, error_type: &str, message: &str, code: Option<i64>) -> Error {
        let body = json!({"type": error_type, "message": message, "code": code});
        Error::Engine(Box::new(
            EngineError::from_body(
                Method::POST,
                "/external-task/t1/complete".into(),
                StatusCode::from_u16(status).expect("status"),
                body,
            )
            .expect("an engine error"),
        ))
    }

    fn unexpected(status: u16) -> Error {
        Error::UnexpectedStatus {
            request: crate::error::RequestContext::boxed(
                Method::POST,
                "/external-task/t1/complete",
            ),
            status: StatusCode::from_u16(status).expect("status"),
            content_type: Some("text/html".into()),
            snippet: "<html>Bad Gateway</html>".into(),
        }
    }

    const REPORTS: [RequestKind; 3] = [
        RequestKind::Complete,
        RequestKind::Failure,
        RequestKind::BpmnError,
    ];

    #[test]
    fn a_lock_held_by_another_worker_is_lost_for_every_request() {
        let messages = [
            "External Task t1 cannot be completed by worker 'me'. It is locked by worker 'rival'.",
            "Failure of External Task t1 cannot be reported by worker 'me'. It is locked by worker 'null'.",
            "Bpmn error of External Task t1 cannot be reported by worker 'me'. It is locked by worker 'rival'.",
            "The lock of the External Task t1 cannot be extended by worker 'me''. It is locked by worker 'rival'.",
        ];
        let kinds = [
            RequestKind::Complete,
            RequestKind::Failure,
            RequestKind::BpmnError,
            RequestKind::ExtendLock,
        ];
        for (kind, message) in kinds.into_iter().zip(messages) {
            let error = engine(400, "RestException", message, Some(0));
            assert_eq!(decide(kind, &error), Decision::LockLost, "{kind:?}");
        }
    }

    #[test]
    fn an_expired_lock_cannot_be_extended() {
        let error = engine(
            400,
            "RestException",
            "Cannot extend a lock that expired: lockExpirationTime is not greater than or equal to 1700000000000",
            Some(0),
        );
        assert_eq!(decide(RequestKind::ExtendLock, &error), Decision::LockLost);
    }

    #[test]
    fn a_suspended_task_is_refused_for_now() {
        let error = engine(
            400,
            "RestException",
            "ENGINE-03043 ExternalTask with id 't1' is suspended.",
            Some(0),
        );
        for kind in REPORTS.into_iter().chain([RequestKind::ExtendLock]) {
            assert_eq!(decide(kind, &error), Decision::Suspended, "{kind:?}");
        }
    }

    #[test]
    fn a_refused_variable_is_refused_with_the_engines_words() {
        let message = "Cannot convert value 'abc' of type 'Integer' to java type java.lang.Integer";
        let error = engine(400, "InvalidRequestException", message, None);
        for kind in REPORTS {
            assert_eq!(
                decide(kind, &error),
                Decision::Refused {
                    error_type: Some("InvalidRequestException".into()),
                    message: message.into()
                },
                "{kind:?}"
            );
        }
        let unsupported = engine(
            400,
            "RestException",
            "Unsupported value type 'STRING'",
            None,
        );
        assert!(matches!(
            decide(RequestKind::Complete, &unsupported),
            Decision::Refused { .. }
        ));
        // A bad extendLock or fetch is the worker's own mistake, not a result to fail.
        assert_eq!(decide(RequestKind::ExtendLock, &error), Decision::Permanent);
        assert_eq!(decide(RequestKind::Fetch, &error), Decision::Permanent);
    }

    #[test]
    fn a_400_without_the_engines_body_is_permanent() {
        assert_eq!(
            decide(RequestKind::Complete, &unexpected(400)),
            Decision::Permanent
        );
    }

    #[test]
    fn not_found_means_gone() {
        let error = engine(
            404,
            "RestException",
            "External task with id t1 does not exist",
            Some(0),
        );
        for kind in REPORTS
            .into_iter()
            .chain([RequestKind::ExtendLock, RequestKind::Unlock])
        {
            assert_eq!(decide(kind, &error), Decision::Gone, "{kind:?}");
        }
    }

    #[test]
    fn optimistic_locking_deadlocks_and_a_full_queue_are_transient_and_not_applied() {
        let not_applied = Decision::Transient {
            maybe_applied: false,
        };
        for code in [1, 10_000] {
            let error = engine(500, "OptimisticLockingException", "conflict", Some(code));
            for kind in REPORTS {
                assert_eq!(decide(kind, &error), not_applied, "{kind:?} code {code}");
            }
        }
        let full = engine(
            500,
            "InvalidRequestException",
            "At the moment the server has to handle too many requests at the same time. Please try again later.",
            None,
        );
        assert_eq!(decide(RequestKind::Fetch, &full), not_applied);
        let shutdown = engine(
            500,
            "RestException",
            "Request rejected due to shutdown of application server.",
            None,
        );
        assert_eq!(decide(RequestKind::Fetch, &shutdown), not_applied);
    }

    #[test]
    fn a_process_that_cannot_be_resumed_refuses_the_result() {
        let error = engine(
            500,
            "ProcessEngineException",
            "Process instance could not be resumed",
            Some(0),
        );
        let refused = Decision::Refused {
            error_type: Some("ProcessEngineException".into()),
            message: "Process instance could not be resumed".into(),
        };
        assert_eq!(decide(RequestKind::Complete, &error), refused);
        assert_eq!(decide(RequestKind::BpmnError, &error), refused);
        assert_eq!(decide(RequestKind::Failure, &error), refused);
        // For a lock or a fetch, nothing says it will fail again; the engine rolled it back.
        let rolled_back = Decision::Transient {
            maybe_applied: false,
        };
        assert_eq!(decide(RequestKind::ExtendLock, &error), rolled_back);
        assert_eq!(decide(RequestKind::Fetch, &error), rolled_back);
        assert_eq!(decide(RequestKind::Unlock, &error), rolled_back);
    }

    #[test]
    fn gateways_and_broken_answers_may_have_applied_the_request() {
        for status in [502, 504] {
            assert_eq!(
                decide(RequestKind::Complete, &unexpected(status)),
                Decision::Transient {
                    maybe_applied: true
                },
                "{status}"
            );
            let error = engine(status, "RestException", "gateway", None);
            assert_eq!(
                decide(RequestKind::Complete, &error),
                Decision::Transient {
                    maybe_applied: true
                },
                "{status} with a body"
            );
        }
        for status in [503, 507, 599] {
            assert_eq!(
                decide(RequestKind::Complete, &unexpected(status)),
                Decision::Transient {
                    maybe_applied: true
                },
                "{status}"
            );
        }
        assert_eq!(
            decide(
                RequestKind::Complete,
                &engine(503, "RestException", "unavailable", None)
            ),
            Decision::Transient {
                maybe_applied: true
            }
        );
        assert_eq!(
            decide(RequestKind::Complete, &unexpected(505)),
            Decision::Permanent
        );
        assert_eq!(
            decide(RequestKind::Complete, &unexpected(500)),
            Decision::Transient {
                maybe_applied: true
            }
        );
        assert_eq!(
            decide(RequestKind::Complete, &unexpected(429)),
            Decision::Transient {
                maybe_applied: false
            }
        );
    }

    #[test]
    fn credentials_are_asked_for_again() {
        assert_eq!(
            decide(RequestKind::Complete, &unexpected(401)),
            Decision::Credentials
        );
        let auth = Error::Auth {
            request: crate::error::RequestContext::boxed(Method::POST, "/x"),
            source: "token service down".into(),
        };
        for kind in REPORTS
            .into_iter()
            .chain([RequestKind::Fetch, RequestKind::ExtendLock])
        {
            assert_eq!(decide(kind, &auth), Decision::Credentials, "{kind:?}");
        }
    }

    #[test]
    fn what_retrying_cannot_fix_is_permanent() {
        let forbidden = engine(403, "AuthorizationException", "not allowed", None);
        assert_eq!(
            decide(RequestKind::Complete, &forbidden),
            Decision::Permanent
        );
        assert_eq!(
            decide(RequestKind::Complete, &unexpected(501)),
            Decision::Permanent
        );
        assert_eq!(
            decide(RequestKind::Fetch, &Error::config("bad")),
            Decision::Permanent
        );
    }

    #[test]
    fn request_kinds_are_named_for_logs() {
        let names: Vec<_> = [
            RequestKind::Fetch,
            RequestKind::Complete,
            RequestKind::Failure,
            RequestKind::BpmnError,
            RequestKind::ExtendLock,
            RequestKind::Unlock,
        ]
        .iter()
        .map(|k| k.as_str())
        .collect();
        assert_eq!(
            names,
            [
                "fetch_and_lock",
                "complete",
                "failure",
                "bpmn_error",
                "extend_lock",
                "unlock"
            ]
        );
    }

    /// A transport error of each kind, from real requests to 127.0.0.1: a port nobody listens
    /// on (connect), a server that accepts and never answers (timeout), one that closes the
    /// connection at once (a broken answer).
    #[tokio::test]
    async fn transport_errors_are_transient_and_say_whether_the_request_may_have_applied() {
        use tokio::io::AsyncReadExt;
        let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let closed_port = closed.local_addr().expect("addr").port();
        drop(closed);
        let silent = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let silent_port = silent.local_addr().expect("addr").port();
        let rude = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let rude_port = rude.local_addr().expect("addr").port();
        let servers = tokio::spawn(async move {
            let mut held = Vec::new();
            loop {
                tokio::select! {
                    Ok((socket, _)) = silent.accept() => held.push(socket),
                    Ok((mut socket, _)) = rude.accept() => {
                        // Read the request, then hang up without a word.
                        let mut buf = [0u8; 1024];
                        let _ = socket.read(&mut buf).await;
                        drop(socket);
                    }
                }
            }
        });
        let send = |port: u16| async move {
            let client = crate::Client::builder()
                .base_url(format!("http://127.0.0.1:{port}/engine-rest"))
                .timeout(std::time::Duration::from_millis(300))
                .build()
                .expect("client");
            client
                .request(Method::POST, &["external-task", "t1", "complete"])
                .json(&json!({"workerId": "w"}))
                .send()
                .await
                .err()
                .expect("an error")
        };
        let connect = send(closed_port).await;
        assert!(matches!(connect, Error::Connect { .. }), "{connect}");
        assert_eq!(
            decide(RequestKind::Complete, &connect),
            Decision::Transient {
                maybe_applied: false
            }
        );
        let timeout = send(silent_port).await;
        assert!(matches!(timeout, Error::Timeout { .. }), "{timeout}");
        assert_eq!(
            decide(RequestKind::Complete, &timeout),
            Decision::Transient {
                maybe_applied: true
            }
        );
        let broken = send(rude_port).await;
        assert!(matches!(broken, Error::Request { .. }), "{broken}");
        assert_eq!(
            decide(RequestKind::Complete, &broken),
            Decision::Transient {
                maybe_applied: true
            }
        );
        servers.abort();
    }

    #[test]
    fn a_request_that_cannot_be_built_is_permanent() {
        // reqwest refuses a URL it cannot send to before anything goes out.
        let source = reqwest::Client::new()
            .get("http://[::1")
            .build()
            .expect_err("an invalid URL");
        assert!(source.is_builder());
        let error = Error::Request {
            request: crate::error::RequestContext::boxed(Method::GET, "/x"),
            source,
        };
        assert_eq!(decide(RequestKind::Complete, &error), Decision::Permanent);
    }

    #[test]
    fn a_result_that_cannot_be_serialized_is_refused() {
        let error = Error::Serialize {
            request: crate::error::RequestContext::boxed(Method::POST, "/x"),
            what: "body",
            source: "a map key is not a string".into(),
        };
        assert!(matches!(
            decide(RequestKind::Complete, &error),
            Decision::Refused { .. }
        ));
        assert_eq!(decide(RequestKind::ExtendLock, &error), Decision::Permanent);
    }
}
