//! The external task query (`GET`/`POST /external-task`, `/count`), its filters, sorting and
//! paging, and the selection used by the bulk retries operations.

use std::cmp::Ordering;
use std::collections::HashMap;

use serde_json::Value;

use crate::body::{value_as_bool, value_as_i32, value_as_string, Body};
use crate::date;
use crate::error::ApiError;
use crate::state::{State, Task};
use crate::variables::{sql_like, QueryValue};

/// Query parameters of a GET request: the first value of each name.
pub(crate) fn parse_params(query: Option<&str>) -> HashMap<String, String> {
    let mut params = HashMap::new();
    if let Some(q) = query {
        for (k, v) in form_urlencoded::parse(q.as_bytes()) {
            params
                .entry(k.into_owned())
                .or_insert_with(|| v.into_owned());
        }
    }
    params
}

/// Variable condition operators.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    Eq,
    Neq,
    Gt,
    Gteq,
    Lt,
    Lteq,
    Like,
    NotLike,
}

impl Op {
    fn parse(name: &str) -> Result<Op, ApiError> {
        Ok(match name {
            "eq" => Op::Eq,
            "neq" => Op::Neq,
            "gt" => Op::Gt,
            "gteq" => Op::Gteq,
            "lt" => Op::Lt,
            "lteq" => Op::Lteq,
            "like" => Op::Like,
            "notLike" => Op::NotLike,
            other => {
                return Err(ApiError::invalid_request(
                    400,
                    format!("Invalid process variable comparator specified: {other}"),
                ))
            }
        })
    }
}

#[derive(Debug, Clone)]
struct Condition {
    name: String,
    op: Op,
    value: QueryValue,
}

impl Condition {
    fn new(name: String, op_name: &str, value: QueryValue) -> Result<Condition, ApiError> {
        let op = Op::parse(op_name)?;
        let restricted = !matches!(op, Op::Eq | Op::Neq);
        if restricted && matches!(value, QueryValue::Bool(_) | QueryValue::Null) {
            return Err(ApiError::process_engine(format!(
                "Booleans and null cannot be used in '{op_name}' condition"
            )));
        }
        Ok(Condition { name, op, value })
    }

    fn matches(&self, stored: &Value, values_ignore_case: bool) -> bool {
        let Some(have) = QueryValue::from_stored(stored) else {
            return false;
        };
        match self.op {
            Op::Like | Op::NotLike => {
                let (QueryValue::Str(text), QueryValue::Str(pattern)) = (&have, &self.value) else {
                    return false;
                };
                let hit = if values_ignore_case {
                    sql_like(&text.to_lowercase(), &pattern.to_lowercase())
                } else {
                    sql_like(text, pattern)
                };
                hit == (self.op == Op::Like)
            }
            op => match have.compare(&self.value, values_ignore_case) {
                None => false,
                Some(ord) => match op {
                    Op::Eq => ord == Ordering::Equal,
                    Op::Neq => ord != Ordering::Equal,
                    Op::Gt => ord == Ordering::Greater,
                    Op::Gteq => ord != Ordering::Less,
                    Op::Lt => ord == Ordering::Less,
                    _ => ord != Ordering::Greater,
                },
            },
        }
    }
}

/// A sort key of the query.
#[derive(Debug, Clone, Copy, PartialEq)]
enum SortKey {
    Id,
    LockExpirationTime,
    ProcessInstanceId,
    ProcessDefinitionId,
    ProcessDefinitionKey,
    TenantId,
    TaskPriority,
    CreateTime,
}

impl SortKey {
    fn parse(name: &str) -> Option<SortKey> {
        Some(match name {
            "id" => SortKey::Id,
            "lockExpirationTime" => SortKey::LockExpirationTime,
            "processInstanceId" => SortKey::ProcessInstanceId,
            "processDefinitionId" => SortKey::ProcessDefinitionId,
            "processDefinitionKey" => SortKey::ProcessDefinitionKey,
            "tenantId" => SortKey::TenantId,
            "taskPriority" => SortKey::TaskPriority,
            "createTime" => SortKey::CreateTime,
            _ => return None,
        })
    }

    fn compare(self, a: &Task, b: &Task) -> Ordering {
        match self {
            SortKey::Id => a.id.cmp(&b.id),
            SortKey::LockExpirationTime => a.lock_exp.cmp(&b.lock_exp),
            SortKey::ProcessInstanceId => a.pi_id.cmp(&b.pi_id),
            SortKey::ProcessDefinitionId => a.pd_id.cmp(&b.pd_id),
            SortKey::ProcessDefinitionKey => a.pd_key.cmp(&b.pd_key),
            SortKey::TenantId => a.tenant_id.cmp(&b.tenant_id),
            SortKey::TaskPriority => a.priority.cmp(&b.priority),
            SortKey::CreateTime => a.create_time.cmp(&b.create_time).then(a.seq.cmp(&b.seq)),
        }
    }
}

/// A parsed external task query.
#[derive(Debug, Clone, Default)]
pub(crate) struct Query {
    strings: Vec<(&'static str, String)>,
    lists: Vec<(&'static str, Vec<String>)>,
    lock_before: Option<i64>,
    lock_after: Option<i64>,
    priority_min: Option<i64>,
    priority_max: Option<i64>,
    locked: bool,
    not_locked: bool,
    active: bool,
    suspended: bool,
    with_retries_left: bool,
    no_retries_left: bool,
    names_ignore_case: bool,
    values_ignore_case: bool,
    conditions: Vec<Condition>,
    sorting: Vec<(SortKey, bool)>,
}

const STRING_FILTERS: &[&str] = &[
    "externalTaskId",
    "activityId",
    "topicName",
    "workerId",
    "executionId",
    "processInstanceId",
    "processDefinitionId",
    "processDefinitionKey",
    "processDefinitionName",
    "processDefinitionNameLike",
];

const LIST_FILTERS: &[&str] = &[
    "externalTaskIdIn",
    "activityIdIn",
    "processInstanceIdIn",
    "processDefinitionKeyIn",
    "tenantIdIn",
];

const BOOL_FILTERS: &[&str] = &[
    "locked",
    "notLocked",
    "active",
    "suspended",
    "withRetriesLeft",
    "noRetriesLeft",
    "variableNamesIgnoreCase",
    "variableValuesIgnoreCase",
];

fn converter_error(name: &str, value: &str, detail: String) -> ApiError {
    ApiError::invalid_request(
        400,
        format!("Cannot set query parameter '{name}' to value '{value}': {detail}"),
    )
}

impl Query {
    fn set_bool(&mut self, name: &str, value: bool) {
        match name {
            "locked" => self.locked = value,
            "notLocked" => self.not_locked = value,
            "active" => self.active = value,
            "suspended" => self.suspended = value,
            "withRetriesLeft" => self.with_retries_left = value,
            "noRetriesLeft" => self.no_retries_left = value,
            "variableNamesIgnoreCase" => self.names_ignore_case = value,
            _ => self.values_ignore_case = value,
        }
    }

    /// Reads a GET query's parameters.
    pub fn from_params(params: &HashMap<String, String>) -> Result<Query, ApiError> {
        let mut q = Query::default();
        for &name in STRING_FILTERS {
            if let Some(v) = params.get(name) {
                q.strings.push((name, v.clone()));
            }
        }
        for &name in LIST_FILTERS {
            if let Some(v) = params.get(name) {
                q.lists
                    .push((name, v.split(',').map(str::to_owned).collect()));
            }
        }
        for &name in BOOL_FILTERS {
            if let Some(v) = params.get(name) {
                let b = match v.as_str() {
                    "true" => true,
                    "false" => false,
                    _ => {
                        return Err(converter_error(
                            name,
                            v,
                            format!("Cannot convert value {v} to java type java.lang.Boolean"),
                        ))
                    }
                };
                q.set_bool(name, b);
            }
        }
        let date_param = |name: &str| -> Result<Option<i64>, ApiError> {
            match params.get(name) {
                None => Ok(None),
                Some(v) => date::parse_millis(v).map(Some).ok_or_else(|| {
                    converter_error(
                        name,
                        v,
                        format!("Cannot convert value \"{v}\" to java type java.util.Date"),
                    )
                }),
            }
        };
        q.lock_before = date_param("lockExpirationBefore")?;
        q.lock_after = date_param("lockExpirationAfter")?;
        let long_param = |name: &str| -> Result<Option<i64>, ApiError> {
            match params.get(name) {
                None => Ok(None),
                Some(v) => v.parse().map(Some).map_err(|_| {
                    converter_error(
                        name,
                        v,
                        format!("Cannot convert value {v} to java type java.lang.Long"),
                    )
                }),
            }
        };
        q.priority_min = long_param("priorityHigherThanOrEquals")?;
        q.priority_max = long_param("priorityLowerThanOrEquals")?;
        if let Some(expr) = params.get("processVariables") {
            for part in expr.split(',') {
                let triple: Vec<&str> = part.split('_').collect();
                let [name, op, value] = triple[..] else {
                    return Err(ApiError::invalid_request(
                        400,
                        format!("Cannot set query parameter 'processVariables' to value '{expr}': variable query parameter has to have format KEY_OPERATOR_VALUE."),
                    ));
                };
                q.conditions.push(Condition::new(
                    name.to_owned(),
                    op,
                    QueryValue::from_text(value),
                )?);
            }
        }
        match (params.get("sortBy"), params.get("sortOrder")) {
            (None, None) => {}
            (Some(by), Some(order)) => {
                let key = SortKey::parse(by).ok_or_else(|| {
                    ApiError::invalid_request(
                        400,
                        format!("Cannot set query parameter 'sortBy' to value '{by}'"),
                    )
                })?;
                let desc = match order.as_str() {
                    "asc" => false,
                    "desc" => true,
                    _ => {
                        return Err(ApiError::invalid_request(
                            400,
                            format!("Cannot set query parameter 'sortOrder' to value '{order}'"),
                        ))
                    }
                };
                q.sorting.push((key, desc));
            }
            _ => {
                return Err(ApiError::invalid_request(
                    400,
                    "Only a single sorting parameter specified. sortBy and sortOrder required",
                ))
            }
        }
        Ok(q)
    }

    /// Reads a POST query body.
    pub fn from_body(body: &Body) -> Result<Query, ApiError> {
        let mut q = Query::default();
        for &name in STRING_FILTERS {
            if let Some(v) = body.string(name)? {
                q.strings.push((name, v));
            }
        }
        for &name in LIST_FILTERS {
            if let Some(list) = body.string_list(name)? {
                q.lists.push((name, list.into_iter().flatten().collect()));
            }
        }
        for &name in BOOL_FILTERS {
            if let Some(b) = body.boolean(name)? {
                q.set_bool(name, b);
            }
        }
        let date_field = |name: &str| -> Result<Option<i64>, ApiError> {
            match body.get(name) {
                None => Ok(None),
                Some(Value::Number(n)) => n.as_i64().map(Some).ok_or_else(ApiError::bad_json),
                Some(Value::String(s)) => date::parse_millis(s)
                    .map(Some)
                    .ok_or_else(ApiError::bad_json),
                Some(_) => Err(ApiError::bad_json()),
            }
        };
        q.lock_before = date_field("lockExpirationBefore")?;
        q.lock_after = date_field("lockExpirationAfter")?;
        q.priority_min = body.int("priorityHigherThanOrEquals")?;
        q.priority_max = body.int("priorityLowerThanOrEquals")?;
        for entry in body
            .object_list("processVariables")?
            .unwrap_or_default()
            .into_iter()
            .flatten()
        {
            let name = entry.string("name")?.unwrap_or_default();
            let op = entry.string("operator")?.unwrap_or_else(|| "eq".into());
            let value = match entry.0.get("value") {
                None => QueryValue::Null,
                Some(v) => QueryValue::from_json(v)?,
            };
            q.conditions.push(Condition::new(name, &op, value)?);
        }
        for entry in body
            .object_list("sorting")?
            .unwrap_or_default()
            .into_iter()
            .flatten()
        {
            let key = entry.string("sortBy")?.as_deref().and_then(SortKey::parse);
            let order = entry.string("sortOrder")?;
            match (key, order) {
                (Some(key), Some(order)) => match order.as_str() {
                    "asc" => q.sorting.push((key, false)),
                    "desc" => q.sorting.push((key, true)),
                    other => {
                        return Err(ApiError::invalid_request(
                            400,
                            format!("Cannot set query parameter 'sortOrder' to value '{other}'"),
                        ))
                    }
                },
                (Some(_), None) => {
                    return Err(ApiError::engine(
                        400,
                        "NotValidException",
                        "Invalid query: call asc() or desc() after using orderByXX(): direction is null",
                    ))
                }
                (None, Some(_)) => {
                    return Err(ApiError::engine(
                        400,
                        "NotValidException",
                        "You should call any of the orderBy methods first before specifying a direction: currentOrderingProperty is null",
                    ))
                }
                (None, None) => {}
            }
        }
        Ok(q)
    }

    fn matches(&self, task: &Task, state: &State, now: i64) -> bool {
        for (name, v) in &self.strings {
            let ok = match *name {
                "externalTaskId" => &task.id == v,
                "activityId" => &task.activity_id == v,
                "topicName" => &task.topic == v,
                "workerId" => task.worker_id.as_ref() == Some(v),
                "executionId" => &task.exec_id == v,
                "processInstanceId" => &task.pi_id == v,
                "processDefinitionId" => &task.pd_id == v,
                "processDefinitionKey" => &task.pd_key == v,
                "processDefinitionName" => task.pd_name.as_ref() == Some(v),
                _ => task.pd_name.as_ref().is_some_and(|n| sql_like(n, v)),
            };
            if !ok {
                return false;
            }
        }
        for (name, list) in &self.lists {
            let field = match *name {
                "externalTaskIdIn" => Some(&task.id),
                "activityIdIn" => Some(&task.activity_id),
                "processInstanceIdIn" => Some(&task.pi_id),
                "processDefinitionKeyIn" => Some(&task.pd_key),
                _ => task.tenant_id.as_ref(),
            };
            if !field.is_some_and(|f| list.contains(f)) {
                return false;
            }
        }
        if self
            .lock_before
            .is_some_and(|t| !task.lock_exp.is_some_and(|e| e < t))
            || self
                .lock_after
                .is_some_and(|t| !task.lock_exp.is_some_and(|e| e > t))
            || self.priority_min.is_some_and(|p| task.priority < p)
            || self.priority_max.is_some_and(|p| task.priority > p)
            || (self.locked && !task.is_locked(now))
            || (self.not_locked && !task.lock_exp.map_or(true, |e| e < now))
            || (self.active && task.suspended)
            || (self.suspended && !task.suspended)
            || (self.with_retries_left && !task.retries.map_or(true, |r| r > 0))
            || (self.no_retries_left && task.retries != Some(0))
        {
            return false;
        }
        self.conditions.iter().all(|c| {
            let scopes = [
                state.instances.get(&task.pi_id),
                state.executions.get(&task.exec_id),
            ];
            scopes.into_iter().flatten().any(|scope| {
                scope.iter().any(|(name, stored)| {
                    let name_ok = if self.names_ignore_case {
                        name.eq_ignore_ascii_case(&c.name)
                    } else {
                        name == &c.name
                    };
                    name_ok && c.matches(stored, self.values_ignore_case)
                })
            })
        })
    }

    /// The matching tasks, sorted (default: by id ascending).
    pub fn run<'a>(&self, state: &'a State, now: i64) -> Vec<&'a Task> {
        let mut found: Vec<&Task> = state
            .tasks
            .values()
            .filter(|t| self.matches(t, state, now))
            .collect();
        let sorting = if self.sorting.is_empty() {
            vec![(SortKey::Id, false)]
        } else {
            self.sorting.clone()
        };
        found.sort_by(|a, b| {
            for &(key, desc) in &sorting {
                let ord = key.compare(a, b);
                let ord = if desc { ord.reverse() } else { ord };
                if ord != Ordering::Equal {
                    return ord;
                }
            }
            Ordering::Equal
        });
        found
    }
}

/// `firstResult`/`maxResults` from the query string.
pub(crate) fn paging(params: &HashMap<String, String>) -> Result<(usize, usize), ApiError> {
    let read = |name: &str| -> Result<Option<usize>, ApiError> {
        match params.get(name) {
            None => Ok(None),
            Some(v) => v
                .parse::<i64>()
                .map(|n| Some(usize::try_from(n.max(0)).unwrap_or(0)))
                .map_err(|_| {
                    converter_error(
                        name,
                        v,
                        format!("Cannot convert value {v} to java type java.lang.Integer"),
                    )
                }),
        }
    };
    Ok((
        read("firstResult")?.unwrap_or(0),
        read("maxResults")?.unwrap_or(usize::MAX),
    ))
}

/// A process instance query as used by the bulk retries operations (a subset of its filters:
/// `processInstanceIds`, `businessKey`, `processDefinitionId`, `processDefinitionKey`,
/// `tenantIdIn`).
pub(crate) fn instance_query_matches(query: &Body, task: &Task) -> Result<bool, ApiError> {
    if let Some(ids) = query.string_list("processInstanceIds")? {
        if !ids.iter().flatten().any(|id| id == &task.pi_id) {
            return Ok(false);
        }
    }
    if let Some(bk) = query.string("businessKey")? {
        if task.business_key.as_ref() != Some(&bk) {
            return Ok(false);
        }
    }
    if let Some(id) = query.string("processDefinitionId")? {
        if task.pd_id != id {
            return Ok(false);
        }
    }
    if let Some(key) = query.string("processDefinitionKey")? {
        if task.pd_key != key {
            return Ok(false);
        }
    }
    if let Some(tenants) = query.string_list("tenantIdIn")? {
        if !tenants
            .iter()
            .flatten()
            .any(|t| Some(t) == task.tenant_id.as_ref())
        {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Topic names for `GET /topic-names`.
pub(crate) fn topic_names(
    state: &State,
    params: &HashMap<String, String>,
    now: i64,
) -> Vec<String> {
    let flag = |name: &str| {
        params
            .get(name)
            .is_some_and(|v| value_as_bool(&Value::String(v.clone())).unwrap_or(false))
    };
    let (locked, unlocked, retries_left) = (
        flag("withLockedTasks"),
        flag("withUnlockedTasks"),
        flag("withRetriesLeft"),
    );
    if locked && unlocked {
        return Vec::new();
    }
    let mut names: Vec<String> = state
        .tasks
        .values()
        .filter(|t| !locked || t.is_locked(now))
        .filter(|t| !unlocked || t.lock_exp.map_or(true, |e| e < now))
        .filter(|t| !retries_left || t.retries.map_or(true, |r| r > 0))
        .map(|t| t.topic.clone())
        .collect();
    names.sort();
    names.dedup();
    names
}

/// Reads `retries` for the bulk operations: `null` is refused.
pub(crate) fn bulk_retries(body: &Body) -> Result<i32, ApiError> {
    match body.get("retries") {
        None => Err(ApiError::invalid_request(
            400,
            "The number of retries cannot be null.",
        )),
        Some(v) => value_as_i32(v),
    }
}

/// Collects the task ids a bulk retries request selects: `externalTaskIds`, tasks of
/// `processInstanceIds`, and matches of the three queries. `None` entries are null ids.
pub(crate) fn bulk_selection(
    body: &Body,
    state: &State,
    now: i64,
) -> Result<Vec<Option<String>>, ApiError> {
    let mut ids: Vec<Option<String>> = Vec::new();
    if let Some(list) = body.get("externalTaskIds") {
        let Value::Array(items) = list else {
            return Err(ApiError::bad_json());
        };
        for item in items {
            ids.push(match item {
                Value::Null => None,
                other => Some(value_as_string(other)?),
            });
        }
    }
    if let Some(pis) = body.string_list("processInstanceIds")? {
        let pis: Vec<String> = pis.into_iter().flatten().collect();
        ids.extend(
            state
                .tasks
                .values()
                .filter(|t| pis.contains(&t.pi_id))
                .map(|t| Some(t.id.clone())),
        );
    }
    if let Some(q) = body.object("externalTaskQuery")? {
        let query = Query::from_body(&q)?;
        ids.extend(
            query
                .run(state, now)
                .into_iter()
                .map(|t| Some(t.id.clone())),
        );
    }
    for name in ["processInstanceQuery", "historicProcessInstanceQuery"] {
        if let Some(q) = body.object(name)? {
            for task in state.tasks.values() {
                if instance_query_matches(&q, task)? {
                    ids.push(Some(task.id.clone()));
                }
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    ids.retain(|id| seen.insert(id.clone()));
    Ok(ids)
}
