//! A per-generation memo for the pure text conversions the model stage repeats: Camunda's
//! documents use the same property and parameter names thousands of times (heck's case
//! conversion costs far more than a lookup) and 40% of their description text is repeated.
//!
//! While a [`Memo`] is alive, `remembered` looks results up on this thread before computing
//! them. Dropping the memo that started it forgets everything, so one generation never sees
//! another's results; without a memo every call computes.

use crate::naming::NameMap;
use std::cell::RefCell;

/// Which conversion a result belongs to.
#[derive(Clone, Copy)]
pub(crate) enum Kind {
    /// `naming::snake`.
    Snake,
    /// `naming::camel`.
    Camel,
    /// `docs::sanitize` (with its `None` for blank text).
    Doc,
}

/// Results by input, one map per [`Kind`] (looked up by `&str`, so a hit allocates nothing).
type Memory = [NameMap<Option<String>>; 3];

thread_local! {
    static MEMORY: RefCell<Option<Memory>> = const { RefCell::new(None) };
}

/// Keeps results remembered on this thread while alive.
pub struct Memo {
    /// Whether this memo started the memory; an inner one leaves it to the outer.
    owner: bool,
}

impl Memo {
    /// Starts remembering on this thread (an inner memo while one is alive changes nothing).
    pub fn start() -> Memo {
        let owner = MEMORY.with(|m| {
            let mut memory = m.borrow_mut();
            let owner = memory.is_none();
            memory.get_or_insert_with(Default::default);
            owner
        });
        Memo { owner }
    }
}

impl Drop for Memo {
    fn drop(&mut self) {
        if self.owner {
            MEMORY.with(|m| m.borrow_mut().take());
        }
    }
}

/// What one thread remembered, to be handed to another ([`remembered_by`], [`absorb`]).
pub(crate) struct Remembered(Memory);

/// Runs `work` under a memo of its own on this thread and returns what it remembered.
pub(crate) fn remembered_by(work: impl FnOnce()) -> Remembered {
    let _memo = Memo::start();
    work();
    Remembered(MEMORY.with(|m| {
        m.borrow_mut()
            .as_mut()
            .map(std::mem::take)
            .unwrap_or_default()
    }))
}

/// Adds what another thread remembered to this thread's memo (if one is alive); results this
/// thread already has stay as they are (they are the same).
pub(crate) fn absorb(other: Remembered) {
    MEMORY.with(|m| {
        if let Some(memory) = m.borrow_mut().as_mut() {
            for (mine, theirs) in memory.iter_mut().zip(other.0) {
                for (raw, value) in theirs {
                    mine.entry(raw).or_insert(value);
                }
            }
        }
    });
}

/// `convert(raw)`, remembered under `kind` while a memo is alive.
pub(crate) fn remembered_option(
    raw: &str,
    kind: Kind,
    convert: impl FnOnce(&str) -> Option<String>,
) -> Option<String> {
    let slot = kind as usize;
    let hit = MEMORY.with(|m| {
        m.borrow()
            .as_ref()
            .and_then(|memory| memory[slot].get(raw).cloned())
    });
    if let Some(value) = hit {
        return value;
    }
    let value = convert(raw);
    MEMORY.with(|m| {
        if let Some(memory) = m.borrow_mut().as_mut() {
            memory[slot].insert(raw.to_owned(), value.clone());
        }
    });
    value
}

/// [`remembered_option`] for a conversion that always has a result.
pub(crate) fn remembered(raw: &str, kind: Kind, convert: impl FnOnce(&str) -> String) -> String {
    remembered_option(raw, kind, |raw| Some(convert(raw))).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::{remembered, Kind, Memo};

    fn shout(raw: &str) -> String {
        raw.to_uppercase()
    }

    #[test]
    fn results_are_the_same_with_and_without_a_memo_and_forgotten_after() {
        assert_eq!(remembered("a", Kind::Snake, shout), "A");
        {
            let _memo = Memo::start();
            assert_eq!(remembered("a", Kind::Snake, shout), "A");
            {
                let _inner = Memo::start();
            }
            // The inner memo's end leaves the outer's memory in place.
            assert_eq!(remembered("a", Kind::Snake, |_| "other".into()), "A");
            // Kinds do not mix.
            assert_eq!(remembered("a", Kind::Camel, |_| "camel".into()), "camel");
        }
        assert_eq!(remembered("a", Kind::Snake, |_| "fresh".into()), "fresh");
    }
}
