//! The generated client for `spec/external-task.yaml` is committed as
//! `tests/snapshots/external_task.rs`, so every change to the generated API shows up as a diff in
//! review. This test fails when what `build.rs` generated differs from the snapshot.
//!
//! Refresh after an intended change: `UPDATE_SNAPSHOTS=1 cargo test --test generated_snapshot`.

use std::path::Path;

const GENERATED: &str = include_str!(concat!(env!("OUT_DIR"), "/generated.rs"));

#[test]
fn generated_code_matches_the_committed_snapshot() {
    if std::env::var_os("CAMUNDA_OPENAPI_SPEC").is_some_and(|v| !v.is_empty()) {
        println!("skipped: CAMUNDA_OPENAPI_SPEC is set, so the crate was not generated from spec/external-task.yaml");
        return;
    }
    let snapshot_path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/external_task.rs");
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some_and(|v| v == "1") {
        if let Err(e) = std::fs::write(&snapshot_path, GENERATED) {
            panic!("cannot write {}: {e}", snapshot_path.display());
        }
        println!("updated {}", snapshot_path.display());
        return;
    }
    let snapshot = std::fs::read_to_string(&snapshot_path).unwrap_or_default();
    if snapshot == GENERATED {
        return;
    }
    panic!(
        "the generated code differs from {}:\n{}\nIf the change is intended, refresh the snapshot with\n  UPDATE_SNAPSHOTS=1 cargo test --test generated_snapshot\nand review the diff.",
        snapshot_path.display(),
        diff_hint(&snapshot, GENERATED)
    );
}

/// The first differing lines with a little context, in unified-diff style.
fn diff_hint(old: &str, new: &str) -> String {
    let old: Vec<&str> = old.lines().collect();
    let new: Vec<&str> = new.lines().collect();
    let common_prefix = old.iter().zip(&new).take_while(|(a, b)| a == b).count();
    let common_suffix = old[common_prefix..]
        .iter()
        .rev()
        .zip(new[common_prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let old_changed = &old[common_prefix..old.len() - common_suffix];
    let new_changed = &new[common_prefix..new.len() - common_suffix];
    let context_start = common_prefix.saturating_sub(3);
    let mut out = format!(
        "@@ -{},{} +{},{} @@ (snapshot: -, generated: +)\n",
        common_prefix + 1,
        old_changed.len(),
        common_prefix + 1,
        new_changed.len()
    );
    for line in &old[context_start..common_prefix] {
        out.push_str(&format!(" {line}\n"));
    }
    const MAX: usize = 40;
    for line in old_changed.iter().take(MAX) {
        out.push_str(&format!("-{line}\n"));
    }
    for line in new_changed.iter().take(MAX) {
        out.push_str(&format!("+{line}\n"));
    }
    if old_changed.len() > MAX || new_changed.len() > MAX {
        out.push_str("… (more changed lines)\n");
    }
    out
}
