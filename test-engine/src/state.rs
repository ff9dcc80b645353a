//! The engine's data: tasks, process variables, indexes for fetching, and the history the test
//! API reports.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::{json, Value};

use crate::date;
use crate::error::ApiError;
use crate::faults::Operation;
use crate::model::{
    Ending, Incident, LateReport, Outcome, SpecError, Stats, TaskEvent, TaskSnapshot, TaskSpec,
};
use crate::variables::{self, Scope};

/// Longest stored failure message.
const MAX_ERROR_MESSAGE_CHARS: usize = 666;

/// Where a task currently sits in the fetch indexes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Slot {
    /// Not fetchable until something changes (retries 0, suspended).
    None,
    /// Fetchable now.
    Available,
    /// Locked (or backing off) until the given time.
    Timed(i64),
}

/// An open external task.
#[derive(Debug, Clone)]
pub(crate) struct Task {
    pub seq: u64,
    pub id: String,
    pub topic: String,
    pub worker_id: Option<String>,
    pub lock_exp: Option<i64>,
    pub create_time: i64,
    pub retries: Option<i32>,
    pub error_message: Option<String>,
    pub error_details: Option<String>,
    pub priority: i64,
    pub suspended: bool,
    pub business_key: Option<String>,
    pub pd_id: String,
    pub pd_key: String,
    pub pd_version_tag: Option<String>,
    pub pd_name: Option<String>,
    pub pi_id: String,
    pub exec_id: String,
    pub activity_id: String,
    pub activity_instance_id: String,
    pub tenant_id: Option<String>,
    pub extension_properties: BTreeMap<String, String>,
    pub open_incident: Option<usize>,
    pub slot: Slot,
    /// Fields of the fetchAndLock item to replace (`Some`) or leave out (`None`).
    pub fetch_overrides: BTreeMap<String, Option<Value>>,
}

impl Task {
    /// `ExternalTaskDto`.
    pub fn dto(&self) -> Value {
        json!({
            "activityId": self.activity_id,
            "activityInstanceId": self.activity_instance_id,
            "errorMessage": self.error_message,
            "executionId": self.exec_id,
            "id": self.id,
            "lockExpirationTime": self.lock_exp.map(date::format_millis),
            "createTime": date::format_millis(self.create_time),
            "processDefinitionId": self.pd_id,
            "processDefinitionKey": self.pd_key,
            "processDefinitionVersionTag": self.pd_version_tag,
            "processInstanceId": self.pi_id,
            "retries": self.retries,
            "suspended": self.suspended,
            "workerId": self.worker_id,
            "topicName": self.topic,
            "tenantId": self.tenant_id,
            "priority": self.priority,
            "businessKey": self.business_key,
        })
    }

    /// Locked in the query's sense: expiry in the future.
    pub fn is_locked(&self, now: i64) -> bool {
        self.lock_exp.is_some_and(|exp| exp > now)
    }
}

/// A task that no longer exists: how and when it ended, and everything that happened to it
/// (requests naming it after its end included).
#[derive(Debug, Clone)]
pub(crate) struct EndedTask {
    pub ending: Ending,
    pub history: Vec<TaskEvent>,
}

/// Fetchable tasks of one topic, in the two orders fetchAndLock needs.
#[derive(Debug, Default)]
pub(crate) struct TopicIndex {
    pub by_seq: BTreeSet<u64>,
    pub by_priority: BTreeSet<(Reverse<i64>, u64)>,
}

/// All engine data, behind one mutex in [`crate::engine::Shared`].
#[derive(Debug, Default)]
pub(crate) struct State {
    pub tasks: BTreeMap<u64, Task>,
    pub by_id: HashMap<String, u64>,
    pub topics: HashMap<String, TopicIndex>,
    /// Open tasks whose lock or back-off ends in the future: (expiry, seq).
    pub timed: BTreeSet<(i64, u64)>,
    /// Root-scope variables per process instance.
    pub instances: HashMap<String, Scope>,
    /// Local variables per execution.
    pub executions: HashMap<String, Scope>,
    /// The process instance of each open task's execution.
    pub execution_instances: HashMap<String, String>,
    /// The events of each open task.
    pub history: HashMap<String, Vec<TaskEvent>>,
    /// Tasks that ended (completed, BPMN error, cancelled), with their events.
    pub ended: HashMap<String, EndedTask>,
    /// Reports that named an ended task, in arrival order.
    pub late_reports: Vec<LateReport>,
    pub incidents: Vec<Incident>,
    pub definitions: HashMap<String, String>,
    next_id: u64,
    pub stats: Stats,
}

impl State {
    fn next_id(&mut self, prefix: u32) -> String {
        self.next_id += 1;
        format!("{prefix:08x}-0000-4000-8000-{:012x}", self.next_id)
    }

    /// The events of a task, open or ended.
    pub fn events(&self, task_id: &str) -> Option<&Vec<TaskEvent>> {
        match self.history.get(task_id) {
            Some(events) => Some(events),
            None => self.ended.get(task_id).map(|e| &e.history),
        }
    }

    fn record(&mut self, task_id: &str, event: TaskEvent) {
        let events = if self.history.contains_key(task_id) {
            self.history.get_mut(task_id)
        } else {
            self.ended.get_mut(task_id).map(|e| &mut e.history)
        };
        if let Some(events) = events {
            events.push(event);
        }
    }

    /// Counts a refused request and records it against the task it named (when the task is or
    /// was known). A worker report naming an ended task is also kept as a [`LateReport`].
    pub fn record_rejection(
        &mut self,
        task_id: Option<&str>,
        operation: Operation,
        worker_id: Option<&str>,
        error: &ApiError,
        now: i64,
    ) {
        self.stats.rejected += 1;
        let Some(task_id) = task_id else {
            return;
        };
        self.record(
            task_id,
            TaskEvent::Rejected {
                operation,
                worker_id: worker_id.map(str::to_owned),
                status: error.status,
                message: error.message.clone().unwrap_or_default(),
            },
        );
        let is_report = matches!(
            operation,
            Operation::Complete | Operation::Failure | Operation::BpmnError | Operation::ExtendLock
        );
        if let (true, Some(ended)) = (is_report, self.ended.get(task_id)) {
            self.late_reports.push(LateReport {
                task_id: task_id.to_owned(),
                operation,
                worker_id: worker_id.map(str::to_owned),
                at: at(now),
                status: error.status,
                ended: ended.ending,
            });
        }
    }

    // ----- indexes -----

    fn unindex(&mut self, seq: u64) {
        let Some(task) = self.tasks.get_mut(&seq) else {
            return;
        };
        match task.slot {
            Slot::None => {}
            Slot::Available => {
                if let Some(index) = self.topics.get_mut(&task.topic) {
                    index.by_seq.remove(&seq);
                    index.by_priority.remove(&(Reverse(task.priority), seq));
                }
            }
            Slot::Timed(exp) => {
                self.timed.remove(&(exp, seq));
            }
        }
        task.slot = Slot::None;
    }

    fn index(&mut self, seq: u64, now: i64) {
        let Some(task) = self.tasks.get_mut(&seq) else {
            return;
        };
        let slot = if task.suspended || task.retries.is_some_and(|r| r <= 0) {
            Slot::None
        } else {
            match task.lock_exp {
                Some(exp) if exp > now => Slot::Timed(exp),
                _ => Slot::Available,
            }
        };
        task.slot = slot;
        match slot {
            Slot::None => {}
            Slot::Available => {
                let index = self.topics.entry(task.topic.clone()).or_default();
                index.by_seq.insert(seq);
                index.by_priority.insert((Reverse(task.priority), seq));
            }
            Slot::Timed(exp) => {
                self.timed.insert((exp, seq));
            }
        }
    }

    /// Changes a task and keeps the indexes in step.
    fn update<R>(&mut self, seq: u64, now: i64, change: impl FnOnce(&mut Task) -> R) -> Option<R> {
        self.unindex(seq);
        let result = self.tasks.get_mut(&seq).map(change);
        self.index(seq, now);
        result
    }

    /// Moves tasks whose lock or back-off has ended into the fetchable indexes.
    pub fn promote(&mut self, now: i64) {
        while let Some(&(exp, seq)) = self.timed.first() {
            if exp > now {
                break;
            }
            self.timed.pop_first();
            if let Some(task) = self.tasks.get_mut(&seq) {
                task.slot = Slot::None;
            }
            self.index(seq, now);
        }
    }

    /// The earliest future lock expiry, if any (long polls wake up then).
    pub fn next_expiry(&self) -> Option<i64> {
        self.timed.first().map(|&(exp, _)| exp)
    }

    /// The task with this id.
    pub fn task(&self, id: &str) -> Option<&Task> {
        self.by_id.get(id).and_then(|seq| self.tasks.get(seq))
    }

    // ----- seeding -----

    /// Creates a task from a spec.
    pub fn create(&mut self, spec: TaskSpec, now: i64) -> Result<String, SpecError> {
        let id = match spec.id {
            Some(id) => id,
            None => self.next_id(0),
        };
        if self.by_id.contains_key(&id) || self.ended.contains_key(&id) {
            return Err(SpecError {
                message: format!("a task with id '{id}' already exists"),
            });
        }
        let convert = |map: &serde_json::Map<String, Value>, what: &str| {
            let mut scope = Scope::new();
            for (name, value) in map {
                let typed = variables::from_spec(value).map_err(|e| SpecError {
                    message: format!(
                        "task '{id}': {what} '{name}': {}",
                        e.message.unwrap_or_default()
                    ),
                })?;
                scope.insert(name.clone(), typed);
            }
            Ok::<_, SpecError>(scope)
        };
        let root = convert(&spec.variables, "variable")?;
        let local = convert(&spec.local_variables, "local variable")?;
        let pi_id = match spec.process_instance_id {
            Some(pi) => pi,
            None => self.next_id(1),
        };
        self.instances
            .entry(pi_id.clone())
            .or_default()
            .extend(root);
        let exec_id = self.next_id(2);
        self.execution_instances
            .insert(exec_id.clone(), pi_id.clone());
        if !local.is_empty() {
            self.executions.insert(exec_id.clone(), local);
        }
        let pd_id = match spec.process_definition_id {
            Some(pd) => pd,
            None => {
                let key = spec.process_definition_key.clone();
                if let Some(existing) = self.definitions.get(&key) {
                    existing.clone()
                } else {
                    let pd = format!("{key}:1:{}", self.next_id(3));
                    self.definitions.insert(key, pd.clone());
                    pd
                }
            }
        };
        let activity_id = spec
            .activity_id
            .unwrap_or_else(|| format!("Activity_{}", spec.topic));
        let activity_instance_id = format!("{activity_id}:{}", self.next_id(4));
        self.next_id += 1;
        let seq = self.next_id;
        let task = Task {
            seq,
            id: id.clone(),
            topic: spec.topic,
            worker_id: None,
            lock_exp: None,
            create_time: now,
            retries: spec.retries,
            error_message: None,
            error_details: None,
            priority: spec.priority,
            suspended: spec.suspended,
            business_key: spec.business_key,
            pd_id,
            pd_key: spec.process_definition_key,
            pd_version_tag: spec.process_definition_version_tag,
            pd_name: spec.process_definition_name,
            pi_id,
            exec_id,
            activity_id,
            activity_instance_id,
            tenant_id: spec.tenant_id,
            extension_properties: spec.extension_properties,
            open_incident: None,
            slot: Slot::None,
            fetch_overrides: spec.fetch_overrides,
        };
        let starts_with_incident = task.retries.is_some_and(|r| r <= 0);
        self.tasks.insert(seq, task);
        self.by_id.insert(id.clone(), seq);
        self.history
            .insert(id.clone(), vec![TaskEvent::Created { at: at(now) }]);
        self.stats.created += 1;
        if starts_with_incident {
            self.open_incident(seq, now);
        }
        self.index(seq, now);
        Ok(id)
    }

    // ----- incidents -----

    fn open_incident(&mut self, seq: u64, now: i64) {
        let incident_id = self.next_id(5);
        let Some(task) = self.tasks.get_mut(&seq) else {
            return;
        };
        if task.open_incident.is_some() {
            return;
        }
        let incident = Incident {
            id: incident_id.clone(),
            task_id: task.id.clone(),
            incident_type: "failedExternalTask".into(),
            message: task.error_message.clone(),
            created: at(now),
            resolved: None,
        };
        task.open_incident = Some(self.incidents.len());
        let task_id = task.id.clone();
        self.incidents.push(incident.clone());
        self.stats.incidents_created += 1;
        self.record(
            &task_id,
            TaskEvent::IncidentCreated {
                incident_id,
                message: incident.message,
            },
        );
    }

    fn resolve_incident(&mut self, seq: u64, now: i64) {
        let Some(task) = self.tasks.get_mut(&seq) else {
            return;
        };
        let Some(index) = task.open_incident.take() else {
            return;
        };
        let task_id = task.id.clone();
        if let Some(incident) = self.incidents.get_mut(index) {
            incident.resolved = Some(at(now));
            let incident_id = incident.id.clone();
            self.record(&task_id, TaskEvent::IncidentResolved { incident_id });
        }
    }

    /// Applies a new retries value with the engine's incident rules.
    fn apply_retries(&mut self, seq: u64, retries: i32, now: i64) {
        let before = self.tasks.get(&seq).and_then(|t| t.retries);
        self.update(seq, now, |task| task.retries = Some(retries));
        let had_retries_left = before.map_or(true, |r| r > 0);
        if had_retries_left && retries <= 0 {
            self.open_incident(seq, now);
        } else if before == Some(0) && retries > 0 {
            self.resolve_incident(seq, now);
        }
    }

    // ----- variables -----

    /// Sets non-local variables the way `execution.setVariables` does: a variable already
    /// local to the execution is updated there, anything else goes to the process instance.
    fn set_variables(&mut self, task: &Task, vars: &Scope, local: &Scope) {
        for (name, value) in vars {
            if let Some(scope) = self.executions.get_mut(&task.exec_id) {
                if let Some(slot) = scope.get_mut(name) {
                    *slot = value.clone();
                    continue;
                }
            }
            self.instances
                .entry(task.pi_id.clone())
                .or_default()
                .insert(name.clone(), value.clone());
        }
        if !local.is_empty() {
            self.executions
                .entry(task.exec_id.clone())
                .or_default()
                .extend(local.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
    }

    /// Variables visible to a task: the execution's own, or those plus the process instance's
    /// (local ones shadow), optionally only the named ones.
    pub fn visible_variables(
        &self,
        task: &Task,
        names: Option<&[String]>,
        local_only: bool,
        deserialize: bool,
    ) -> serde_json::Map<String, Value> {
        let mut out = serde_json::Map::new();
        if names.is_some_and(<[String]>::is_empty) {
            return out;
        }
        if !local_only {
            if let Some(root) = self.instances.get(&task.pi_id) {
                for (k, v) in root {
                    out.insert(k.clone(), variables::render(v, deserialize));
                }
            }
        }
        if let Some(local) = self.executions.get(&task.exec_id) {
            for (k, v) in local {
                out.insert(k.clone(), variables::render(v, deserialize));
            }
        }
        if let Some(names) = names {
            out.retain(|k, _| names.iter().any(|n| n == k));
        }
        out
    }

    // ----- handle-type operations -----

    /// Looks a task up for a handle-type operation: 404 when unknown.
    fn lookup(&self, id: &str) -> Result<u64, ApiError> {
        self.by_id
            .get(id)
            .copied()
            .ok_or_else(|| ApiError::task_not_found(id))
    }

    fn task_at(&self, seq: u64) -> Result<&Task, ApiError> {
        self.tasks
            .get(&seq)
            .ok_or_else(|| ApiError::process_engine("task vanished"))
    }

    fn check_worker(
        task: &Task,
        worker: &str,
        what: impl FnOnce(&str) -> String,
    ) -> Result<(), ApiError> {
        if task.worker_id.as_deref() == Some(worker) {
            Ok(())
        } else {
            Err(ApiError::rest_wrapping(400, what(owner(task))))
        }
    }

    fn check_active(task: &Task) -> Result<(), ApiError> {
        if task.suspended {
            Err(ApiError::rest_wrapping(
                400,
                format!(
                    "ENGINE-03043 ExternalTask with id '{}' is suspended.",
                    task.id
                ),
            ))
        } else {
            Ok(())
        }
    }

    /// Ends a task: its incident is resolved, it leaves the open tasks, and its history (closed
    /// by `last`) moves to the record of ended tasks.
    fn finish(&mut self, seq: u64, ending: Ending, last: TaskEvent, now: i64) {
        self.resolve_incident(seq, now);
        self.unindex(seq);
        if let Some(task) = self.tasks.remove(&seq) {
            self.by_id.remove(&task.id);
            self.executions.remove(&task.exec_id);
            self.execution_instances.remove(&task.exec_id);
            let mut history = self.history.remove(&task.id).unwrap_or_default();
            history.push(last);
            self.ended.insert(task.id, EndedTask { ending, history });
        }
    }

    /// Cancels an open task (test API); `false` when there is no such open task.
    pub fn cancel(&mut self, id: &str, now: i64) -> bool {
        let Some(&seq) = self.by_id.get(id) else {
            return false;
        };
        self.finish(
            seq,
            Ending::Cancelled,
            TaskEvent::Cancelled { at: at(now) },
            now,
        );
        true
    }

    /// `complete`.
    pub fn complete(
        &mut self,
        id: &str,
        worker: &str,
        vars: Scope,
        local: Scope,
        now: i64,
    ) -> Result<(), ApiError> {
        let seq = self.lookup(id)?;
        let task = self.task_at(seq)?.clone();
        Self::check_worker(&task, worker, |o| {
            format!("External Task {id} cannot be completed by worker '{worker}'. It is locked by worker '{o}'.")
        })?;
        Self::check_active(&task)?;
        self.set_variables(&task, &vars, &local);
        self.stats.completed += 1;
        self.finish(
            seq,
            Ending::Completed,
            TaskEvent::Completed {
                worker_id: worker.to_owned(),
                variables: vars,
                local_variables: local,
                at: at(now),
            },
            now,
        );
        Ok(())
    }

    /// `failure`; input validation (retries, retryTimeout) is done by the caller.
    #[allow(clippy::too_many_arguments)]
    pub fn failure(
        &mut self,
        id: &str,
        worker: &str,
        error_message: Option<String>,
        error_details: Option<String>,
        retries: i32,
        retry_timeout: i64,
        (vars, local): (Scope, Scope),
        now: i64,
    ) -> Result<(), ApiError> {
        let seq = self.lookup(id)?;
        let task = self.task_at(seq)?.clone();
        Self::check_worker(&task, worker, |o| {
            format!("Failure of External Task {id} cannot be reported by worker '{worker}'. It is locked by worker '{o}'.")
        })?;
        Self::check_active(&task)?;
        self.set_variables(&task, &vars, &local);
        let message =
            error_message.map(|m| m.chars().take(MAX_ERROR_MESSAGE_CHARS).collect::<String>());
        let stored_message = message.clone();
        let details = error_details.clone();
        self.update(seq, now, |t| {
            t.error_message = stored_message;
            if let Some(d) = details {
                t.error_details = Some(d);
            }
            t.lock_exp = Some(now.saturating_add(retry_timeout));
        });
        self.stats.failures += 1;
        self.record(
            id,
            TaskEvent::Failed {
                worker_id: worker.to_owned(),
                error_message: message,
                error_details,
                retries,
                retry_timeout_ms: retry_timeout,
                variables: vars,
                local_variables: local,
                at: at(now),
            },
        );
        self.apply_retries(seq, retries, now);
        Ok(())
    }

    /// `bpmnError`; the caller has checked `errorCode`.
    pub fn bpmn_error(
        &mut self,
        id: &str,
        worker: &str,
        error_code: String,
        error_message: Option<String>,
        vars: Scope,
        now: i64,
    ) -> Result<(), ApiError> {
        let seq = self.lookup(id)?;
        let task = self.task_at(seq)?.clone();
        Self::check_worker(&task, worker, |o| {
            format!("Bpmn error of External Task {id} cannot be reported by worker '{worker}'. It is locked by worker '{o}'.")
        })?;
        Self::check_active(&task)?;
        self.set_variables(&task, &vars, &Scope::new());
        self.stats.bpmn_errors += 1;
        self.finish(
            seq,
            Ending::BpmnError,
            TaskEvent::BpmnError {
                worker_id: worker.to_owned(),
                error_code,
                error_message,
                variables: vars,
                at: at(now),
            },
            now,
        );
        Ok(())
    }

    /// `extendLock`; the caller has checked `newDuration`.
    pub fn extend_lock(
        &mut self,
        id: &str,
        worker: &str,
        new_duration: i64,
        now: i64,
    ) -> Result<(), ApiError> {
        let seq = self.lookup(id)?;
        let task = self.task_at(seq)?.clone();
        Self::check_worker(&task, worker, |o| {
            format!("The lock of the External Task {id} cannot be extended by worker '{worker}''. It is locked by worker '{o}'.")
        })?;
        Self::check_active(&task)?;
        if task.lock_exp.map_or(true, |exp| exp < now) {
            return Err(ApiError::rest_wrapping(
                400,
                format!("Cannot extend a lock that expired: lockExpirationTime is not greater than or equal to {now}"),
            ));
        }
        let until = now.saturating_add(new_duration);
        self.update(seq, now, |t| t.lock_exp = Some(until));
        self.record(
            id,
            TaskEvent::LockExtended {
                worker_id: worker.to_owned(),
                until: at(until),
            },
        );
        Ok(())
    }

    /// `lock`; the caller has checked `lockDuration`.
    pub fn lock(
        &mut self,
        id: &str,
        worker: &str,
        duration: i64,
        now: i64,
    ) -> Result<(), ApiError> {
        let seq = self.lookup(id)?;
        let task = self.task_at(seq)?;
        let free = match (&task.worker_id, task.lock_exp) {
            (None, _) | (_, None) => true,
            (Some(owner), Some(exp)) => owner == worker || now > exp,
        };
        if !free {
            return Err(ApiError::rest_wrapping(
                400,
                format!(
                    "External Task {id} cannot be locked by worker '{worker}'. It is locked by worker '{}'.",
                    owner(task)
                ),
            ));
        }
        self.lock_task(seq, worker, duration, Operation::Lock, now);
        Ok(())
    }

    /// Locks a task for a worker (fetchAndLock and lock).
    pub fn lock_task(&mut self, seq: u64, worker: &str, duration: i64, via: Operation, now: i64) {
        let until = now.saturating_add(duration);
        let id = self.update(seq, now, |t| {
            t.worker_id = Some(worker.to_owned());
            t.lock_exp = Some(until);
            t.id.clone()
        });
        if let Some(id) = id {
            self.record(
                &id,
                TaskEvent::Locked {
                    worker_id: worker.to_owned(),
                    until: at(until),
                    via,
                },
            );
        }
    }

    /// `unlock`.
    pub fn unlock(&mut self, id: &str, now: i64) -> Result<(), ApiError> {
        let seq = self.lookup(id)?;
        self.update(seq, now, |t| {
            t.worker_id = None;
            t.lock_exp = None;
        });
        self.record(id, TaskEvent::Unlocked { at: at(now) });
        Ok(())
    }

    /// `PUT /{id}/priority`.
    pub fn set_priority(&mut self, id: &str, priority: i64, now: i64) -> Result<(), ApiError> {
        let seq = self.lookup(id)?;
        self.update(seq, now, |t| t.priority = priority);
        self.record(id, TaskEvent::PrioritySet { priority });
        Ok(())
    }

    /// `PUT /{id}/retries`; the caller has checked the value.
    pub fn set_task_retries(&mut self, id: &str, retries: i32, now: i64) -> Result<(), ApiError> {
        let seq = self.lookup(id)?;
        self.apply_retries(seq, retries, now);
        self.record(id, TaskEvent::RetriesSet { retries });
        Ok(())
    }

    /// Sets retries on many tasks: all ids must exist (else nothing changes).
    pub fn set_retries_many(
        &mut self,
        ids: &[String],
        retries: i32,
        now: i64,
        all_or_nothing: bool,
    ) -> Result<(), ApiError> {
        if all_or_nothing {
            if let Some(missing) = ids.iter().find(|id| !self.by_id.contains_key(*id)) {
                return Err(ApiError::invalid_request(
                    404,
                    format!("Cannot find external task with id {missing}: externalTask is null"),
                ));
            }
        }
        for id in ids {
            if let Some(&seq) = self.by_id.get(id) {
                self.apply_retries(seq, retries, now);
                self.record(id, TaskEvent::RetriesSet { retries });
            }
        }
        Ok(())
    }

    /// Suspends or activates a task (test API).
    pub fn set_suspended(&mut self, id: &str, suspended: bool, now: i64) -> bool {
        match self.by_id.get(id).copied() {
            Some(seq) => {
                self.update(seq, now, |t| t.suspended = suspended);
                true
            }
            None => false,
        }
    }

    /// Drops a task's fetchAndLock field overrides (test API); `false` when there is no such
    /// open task.
    pub fn clear_fetch_overrides(&mut self, id: &str) -> bool {
        match self.by_id.get(id).and_then(|seq| self.tasks.get_mut(seq)) {
            Some(task) => {
                task.fetch_overrides.clear();
                true
            }
            None => false,
        }
    }

    // ----- observation -----

    /// A snapshot of an open task.
    pub fn snapshot(&self, id: &str, now: i64) -> Option<TaskSnapshot> {
        let task = self.task(id)?;
        Some(TaskSnapshot {
            id: task.id.clone(),
            topic: task.topic.clone(),
            worker_id: task.worker_id.clone(),
            lock_expiration_time: task.lock_exp.and_then(date::to_datetime),
            locked: task.is_locked(now),
            retries: task.retries,
            error_message: task.error_message.clone(),
            error_details: task.error_details.clone(),
            priority: task.priority,
            suspended: task.suspended,
            business_key: task.business_key.clone(),
            process_instance_id: task.pi_id.clone(),
            execution_id: task.exec_id.clone(),
            tenant_id: task.tenant_id.clone(),
            create_time: at(task.create_time),
            has_incident: task.open_incident.is_some(),
        })
    }

    /// Where a task stands.
    pub fn outcome(&self, id: &str, now: i64) -> Option<Outcome> {
        if let Some(task) = self.task(id) {
            return Some(if task.suspended {
                Outcome::Suspended
            } else if task.retries.is_some_and(|r| r <= 0) {
                Outcome::Incident
            } else if self.failed_since_lock(id) {
                Outcome::FailedWithRetries
            } else if task.is_locked(now) {
                Outcome::Locked(task.worker_id.clone().unwrap_or_default())
            } else {
                Outcome::Available
            });
        }
        self.ended.get(id).map(|e| e.ending.into())
    }

    /// Whether the last lock/failure event of a task is a failure.
    fn failed_since_lock(&self, id: &str) -> bool {
        self.history.get(id).is_some_and(|events| {
            events
                .iter()
                .rev()
                .find_map(|e| match e {
                    TaskEvent::Failed { .. } => Some(true),
                    TaskEvent::Locked { .. }
                    | TaskEvent::Unlocked { .. }
                    | TaskEvent::RetriesSet { .. } => Some(false),
                    _ => None,
                })
                .unwrap_or(false)
        })
    }

    /// Counts, with the time-dependent ones computed at `now`.
    pub fn stats(&self, now: i64) -> Stats {
        let mut stats = self.stats.clone();
        stats.open = self.tasks.len() as u64;
        stats.locked = self.tasks.values().filter(|t| t.is_locked(now)).count() as u64;
        stats.incidents_open = self
            .incidents
            .iter()
            .filter(|i| i.resolved.is_none())
            .count() as u64;
        stats
    }

    /// New batch id (retries-async).
    pub fn new_batch_id(&mut self) -> String {
        self.stats.batches += 1;
        self.next_id(6)
    }
}

/// The task's worker as the engine prints it (`null` when unlocked).
fn owner(task: &Task) -> &str {
    task.worker_id.as_deref().unwrap_or("null")
}

/// Epoch milliseconds as a chrono time (the epoch when out of range).
pub(crate) fn at(ms: i64) -> chrono::DateTime<chrono::Utc> {
    date::to_datetime(ms).unwrap_or_default()
}
