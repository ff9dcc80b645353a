//! fetchAndLock: reading the request, choosing and locking tasks.

use std::cmp::Reverse;
use std::collections::btree_set;
use std::collections::BTreeSet;
use std::ops::Bound;

use serde_json::{json, Value};

use crate::body::Body;
use crate::date;
use crate::error::ApiError;
use crate::faults::Operation;
use crate::state::{State, Task};
use crate::variables::{sql_like, QueryValue};

/// Longest long poll the engine accepts, in ms.
pub(crate) const MAX_ASYNC_RESPONSE_TIMEOUT: i64 = 1_800_000;

/// One topic of a fetchAndLock request.
#[derive(Debug, Clone)]
pub(crate) struct Topic {
    pub name: String,
    pub lock_duration: i64,
    pub variables: Option<Vec<String>>,
    pub local_variables: bool,
    pub deserialize_values: bool,
    pub include_extension_properties: bool,
    pub business_key: Option<String>,
    pub pd_id: Option<String>,
    pub pd_id_in: Vec<String>,
    pub pd_key: Option<String>,
    pub pd_key_in: Vec<String>,
    pub version_tag: Option<String>,
    pub without_tenant_id: bool,
    pub tenant_id_in: Vec<String>,
    pub process_variables: Vec<(String, QueryValue)>,
}

impl Topic {
    fn matches(&self, task: &Task, state: &State) -> bool {
        if self
            .business_key
            .as_ref()
            .is_some_and(|bk| task.business_key.as_ref() != Some(bk))
        {
            return false;
        }
        if self.pd_id.as_ref().is_some_and(|id| &task.pd_id != id) {
            return false;
        }
        if !self.pd_id_in.is_empty() && !self.pd_id_in.contains(&task.pd_id) {
            return false;
        }
        if self.pd_key.as_ref().is_some_and(|k| &task.pd_key != k) {
            return false;
        }
        if !self.pd_key_in.is_empty() && !self.pd_key_in.contains(&task.pd_key) {
            return false;
        }
        if let Some(pattern) = &self.version_tag {
            match &task.pd_version_tag {
                Some(tag) if sql_like(tag, pattern) => {}
                _ => return false,
            }
        }
        // tenantIdIn (when non-empty) overrides withoutTenantId.
        if !self.tenant_id_in.is_empty() {
            match &task.tenant_id {
                Some(t) if self.tenant_id_in.contains(t) => {}
                _ => return false,
            }
        } else if self.without_tenant_id && task.tenant_id.is_some() {
            return false;
        }
        if !self.process_variables.is_empty() {
            let root = state.instances.get(&task.pi_id);
            let any = self.process_variables.iter().any(|(name, wanted)| {
                root.and_then(|scope| scope.get(name))
                    .and_then(QueryValue::from_stored)
                    .is_some_and(|have| have.strict_eq(wanted))
            });
            if !any {
                return false;
            }
        }
        true
    }
}

/// A validated fetchAndLock request.
#[derive(Debug, Clone)]
pub(crate) struct FetchRequest {
    pub worker_id: String,
    pub max_tasks: usize,
    pub use_priority: bool,
    /// `Some(true)` for createTime descending, `Some(false)` ascending.
    pub create_time_desc: Option<bool>,
    pub async_response_timeout: Option<i64>,
    pub topics: Vec<Topic>,
}

fn strings(body: &Body, name: &str) -> Result<Vec<String>, ApiError> {
    Ok(body
        .string_list(name)?
        .unwrap_or_default()
        .into_iter()
        .flatten()
        .collect())
}

impl FetchRequest {
    /// Reads and validates a request body, in the engine's order of checks.
    pub fn parse(bytes: &[u8]) -> Result<FetchRequest, ApiError> {
        let body = Body::parse(bytes)?;
        let async_response_timeout = body.int("asyncResponseTimeout")?;
        if async_response_timeout.is_some_and(|t| t > MAX_ASYNC_RESPONSE_TIMEOUT) {
            return Err(ApiError::invalid_request(
                400,
                format!("The asynchronous response timeout cannot be set to a value greater than {MAX_ASYNC_RESPONSE_TIMEOUT} milliseconds"),
            ));
        }
        let mut create_time_desc = None;
        if let Some(entries) = body.object_list("sorting")? {
            for entry in entries.into_iter().flatten() {
                let sort_by = entry.string("sortBy")?;
                let sort_order = entry.string("sortOrder")?;
                let Some(sort_by) = sort_by else {
                    return Err(ApiError::null_pointer());
                };
                if sort_by != "createTime" {
                    return Err(ApiError::invalid_request(
                        400,
                        format!("Cannot set query sortBy parameter to value {sort_by}"),
                    ));
                }
                match sort_order.as_deref() {
                    Some("asc") => create_time_desc = Some(false),
                    Some("desc") => create_time_desc = Some(true),
                    Some(other) => {
                        return Err(ApiError::invalid_request(400, format!("Cannot set query sortOrder parameter to value {other}")))
                    }
                    None => {
                        return Err(ApiError::engine(
                            400,
                            "NotValidException",
                            "Invalid query: call asc() or desc() after using orderByXX(): direction is null",
                        ))
                    }
                }
            }
        }
        let worker_id = body
            .string("workerId")?
            .ok_or_else(|| ApiError::null_value("workerId"))?;
        let max_tasks = body.prim_int32("maxTasks")?;
        if max_tasks < 0 {
            return Err(ApiError::process_engine(
                "maxResults is not greater than or equal to 0",
            ));
        }
        let use_priority = body.prim_bool("usePriority")?;
        let mut topics: Vec<Topic> = Vec::new();
        for entry in body.object_list("topics")?.unwrap_or_default() {
            let Some(t) = entry else {
                return Err(ApiError::null_pointer());
            };
            let name = t
                .string("topicName")?
                .ok_or_else(|| ApiError::null_value("topicName"))?;
            let lock_duration = t.int("lockDuration")?.unwrap_or(0);
            if lock_duration <= 0 {
                return Err(ApiError::process_engine("lockTime is not greater than 0"));
            }
            let variables = t
                .string_list("variables")?
                .map(|list| list.into_iter().flatten().collect());
            let mut process_variables = Vec::new();
            if let Some(vars) = t.object("processVariables")? {
                for (k, v) in &vars.0 {
                    process_variables.push((k.clone(), QueryValue::from_json(v)?));
                }
            }
            let topic = Topic {
                name,
                lock_duration,
                variables,
                local_variables: t.prim_bool("localVariables")?,
                deserialize_values: t.prim_bool("deserializeValues")?,
                include_extension_properties: t.prim_bool("includeExtensionProperties")?,
                business_key: t.string("businessKey")?,
                pd_id: t.string("processDefinitionId")?,
                pd_id_in: strings(&t, "processDefinitionIdIn")?,
                pd_key: t.string("processDefinitionKey")?,
                pd_key_in: strings(&t, "processDefinitionKeyIn")?,
                version_tag: t.string("processDefinitionVersionTag")?,
                without_tenant_id: t.prim_bool("withoutTenantId")?,
                tenant_id_in: strings(&t, "tenantIdIn")?,
                process_variables,
            };
            // A repeated topic name replaces the earlier entry.
            if let Some(existing) = topics.iter_mut().find(|e| e.name == topic.name) {
                *existing = topic;
            } else {
                topics.push(topic);
            }
        }
        Ok(FetchRequest {
            worker_id,
            max_tasks: usize::try_from(max_tasks).unwrap_or(usize::MAX),
            use_priority,
            create_time_desc,
            async_response_timeout,
            topics,
        })
    }
}

/// Sort key of a candidate: smaller is fetched first.
type Key = (i64, i64);

/// One priority group of a topic's index, newest first.
type Group<'a> = std::iter::Rev<btree_set::Range<'a, (Reverse<i64>, u64)>>;

/// Iterates a topic's fetchable tasks by priority descending, then sequence descending.
struct PriorityThenNewest<'a> {
    set: &'a BTreeSet<(Reverse<i64>, u64)>,
    group: Option<Group<'a>>,
    last_priority: Option<Reverse<i64>>,
    started: bool,
}

impl<'a> Iterator for PriorityThenNewest<'a> {
    type Item = &'a (Reverse<i64>, u64);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.group.as_mut().and_then(Iterator::next) {
                return Some(item);
            }
            let first = if self.started {
                let p = self.last_priority?;
                self.set
                    .range((Bound::Excluded((p, u64::MAX)), Bound::Unbounded))
                    .next()?
            } else {
                self.started = true;
                self.set.iter().next()?
            };
            let p = first.0;
            self.last_priority = Some(p);
            self.group = Some(self.set.range((p, 0)..=(p, u64::MAX)).rev());
        }
    }
}

impl State {
    /// The fetchable tasks of one topic in fetch order, with their sort keys.
    fn candidates<'a>(
        &'a self,
        topic: &'a Topic,
        use_priority: bool,
        desc: bool,
    ) -> Box<dyn Iterator<Item = (Key, u64)> + 'a> {
        let Some(index) = self.topics.get(&topic.name) else {
            return Box::new(std::iter::empty());
        };
        let seq_key = move |seq: u64| if desc { -(seq as i64) } else { seq as i64 };
        let raw: Box<dyn Iterator<Item = (Key, u64)> + 'a> = match (use_priority, desc) {
            (false, false) => Box::new(index.by_seq.iter().map(move |&s| ((0, seq_key(s)), s))),
            (false, true) => Box::new(
                index
                    .by_seq
                    .iter()
                    .rev()
                    .map(move |&s| ((0, seq_key(s)), s)),
            ),
            (true, false) => Box::new(
                index
                    .by_priority
                    .iter()
                    .map(move |&(Reverse(p), s)| ((p.saturating_neg(), seq_key(s)), s)),
            ),
            (true, true) => Box::new(
                PriorityThenNewest {
                    set: &index.by_priority,
                    group: None,
                    last_priority: None,
                    started: false,
                }
                .map(move |&(Reverse(p), s)| ((p.saturating_neg(), seq_key(s)), s)),
            ),
        };
        Box::new(raw.filter(move |(_, seq)| {
            self.tasks
                .get(seq)
                .is_some_and(|task| topic.matches(task, self))
        }))
    }

    /// Runs one fetch attempt at `now`: picks up to `maxTasks` matching fetchable tasks, locks
    /// them for the worker and returns the `LockedExternalTaskDto`s.
    pub fn fetch_and_lock(&mut self, request: &FetchRequest, now: i64) -> Vec<Value> {
        self.promote(now);
        if request.max_tasks == 0 || request.topics.is_empty() {
            return Vec::new();
        }
        let desc = request.create_time_desc == Some(true);
        let mut chosen: Vec<(u64, usize)> = Vec::new();
        {
            let mut streams: Vec<_> = request
                .topics
                .iter()
                .map(|t| self.candidates(t, request.use_priority, desc).peekable())
                .collect();
            while chosen.len() < request.max_tasks {
                let mut best: Option<(Key, usize)> = None;
                for (i, stream) in streams.iter_mut().enumerate() {
                    if let Some(&(key, _)) = stream.peek() {
                        if best.map_or(true, |(b, _)| key < b) {
                            best = Some((key, i));
                        }
                    }
                }
                let Some((_, i)) = best else { break };
                if let Some((_, seq)) = streams[i].next() {
                    chosen.push((seq, i));
                }
            }
        }
        let mut out = Vec::with_capacity(chosen.len());
        for (seq, topic_index) in chosen {
            let Some(topic) = request.topics.get(topic_index) else {
                continue;
            };
            self.lock_task(
                seq,
                &request.worker_id,
                topic.lock_duration,
                Operation::FetchAndLock,
                now,
            );
            if let Some(task) = self.tasks.get(&seq) {
                out.push(self.locked_dto(task, topic));
            }
        }
        out
    }

    fn locked_dto(&self, task: &Task, topic: &Topic) -> Value {
        let variables = self.visible_variables(
            task,
            topic.variables.as_deref(),
            topic.local_variables,
            topic.deserialize_values,
        );
        let extension_properties: serde_json::Map<String, Value> =
            if topic.include_extension_properties {
                task.extension_properties
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                    .collect()
            } else {
                serde_json::Map::new()
            };
        let mut item = json!({
            "activityId": task.activity_id,
            "activityInstanceId": task.activity_instance_id,
            "errorMessage": task.error_message,
            "errorDetails": task.error_details,
            "executionId": task.exec_id,
            "id": task.id,
            "lockExpirationTime": task.lock_exp.map(date::format_millis),
            "createTime": date::format_millis(task.create_time),
            "processDefinitionId": task.pd_id,
            "processDefinitionKey": task.pd_key,
            "processDefinitionVersionTag": task.pd_version_tag,
            "processInstanceId": task.pi_id,
            "retries": task.retries,
            "suspended": false,
            "workerId": task.worker_id,
            "topicName": task.topic,
            "tenantId": task.tenant_id,
            "variables": variables,
            "priority": task.priority,
            "businessKey": task.business_key,
            "extensionProperties": extension_properties,
        });
        if let (false, Some(fields)) = (task.fetch_overrides.is_empty(), item.as_object_mut()) {
            for (name, value) in &task.fetch_overrides {
                match value {
                    Some(value) => {
                        fields.insert(name.clone(), value.clone());
                    }
                    None => {
                        fields.remove(name);
                    }
                }
            }
        }
        item
    }
}
