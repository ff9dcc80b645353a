//! Generator benchmark: how long each pipeline stage takes on a document.
//!
//! A plain harness (`harness = false`): each document is generated repeatedly and every stage
//! timed per iteration; one JSON line per document goes to stdout with the median milliseconds of
//! `parse`, `model` (resolve + model), `emit`, `format` and `total`, plus min/max of the total.
//! Stage times are the thread's CPU time (so other processes on a busy machine do not inflate
//! them); `wall_ms` is the median wall-clock time of the four stages run one after another.
//! `generate_wall_ms` is the median wall-clock time of one `camunda7_codegen::generate` call, which
//! is what a build script pays: it emits and formats the models module and the tag modules on two
//! threads; `generate_cpu_ms` is the CPU time of the whole process during that call.
//!
//! ```text
//! cargo bench -p camunda7-codegen --bench generate                 # release (bench profile)
//! cargo bench -p camunda7-codegen --bench generate --profile dev   # as build scripts run it
//! cargo bench -p camunda7-codegen --bench generate -- path/to/a.json other.yaml
//! ```
//! Without paths it uses `spec/external-task.yaml` and the full Camunda 7.24 document from
//! `$CAMUNDA_OPENAPI_DIR` (default `../shared/camunda-openapi` next to the repository).
//! `GEN_BENCH_SECONDS` (default 3) is the time budget per document.

use camunda7_codegen::{stages, Settings};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const MIN_ITERATIONS: usize = 5;
const MAX_ITERATIONS: usize = 1000;

fn main() {
    if let Err(message) = run() {
        eprintln!("error: {message}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let paths: Vec<PathBuf> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .map(PathBuf::from)
        .collect();
    let paths = if paths.is_empty() {
        default_documents()
    } else {
        paths
    };
    let budget = std::env::var("GEN_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s > 0.0)
        .unwrap_or(3.0);
    let profile = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    for path in paths {
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let r = bench_document(&text, Duration::from_secs_f64(budget))
            .map_err(|e| format!("{}: {e}", path.display()))?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        println!(
            "{{\"document\":\"{name}\",\"profile\":\"{profile}\",\"operations\":{},\"types\":{},\
             \"output_bytes\":{},\"iterations\":{},\"parse_ms\":{:.3},\"model_ms\":{:.3},\
             \"emit_ms\":{:.3},\"format_ms\":{:.3},\"total_ms\":{:.3},\"total_min_ms\":{:.3},\
             \"total_max_ms\":{:.3},\"wall_ms\":{:.3},\"generate_wall_ms\":{:.3},\
             \"generate_cpu_ms\":{:.3}}}",
            r.operations,
            r.types,
            r.output_bytes,
            r.iterations,
            median(&r.parse),
            median(&r.model),
            median(&r.emit),
            median(&r.format),
            median(&r.total),
            r.total.iter().copied().fold(f64::INFINITY, f64::min),
            r.total.iter().copied().fold(0.0, f64::max),
            median(&r.wall),
            median(&r.generate_wall),
            median(&r.generate_cpu),
        );
    }
    Ok(())
}

/// The repository's External Task document and the full upstream 7.24 document.
fn default_documents() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let upstream = std::env::var_os("CAMUNDA_OPENAPI_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("../shared/camunda-openapi"));
    vec![
        root.join("spec/external-task.yaml"),
        upstream.join("camunda-7.24.0-SNAPSHOT.json"),
    ]
}

#[derive(Default)]
struct Timings {
    parse: Vec<f64>,
    model: Vec<f64>,
    emit: Vec<f64>,
    format: Vec<f64>,
    total: Vec<f64>,
    wall: Vec<f64>,
    generate_wall: Vec<f64>,
    generate_cpu: Vec<f64>,
    iterations: usize,
    operations: usize,
    types: usize,
    output_bytes: usize,
}

fn bench_document(text: &str, budget: Duration) -> Result<Timings, String> {
    let settings = Settings::camunda7_client();
    let mut t = Timings::default();
    let started = Instant::now();
    while t.iterations < MAX_ITERATIONS
        && (t.iterations < MIN_ITERATIONS || started.elapsed() < budget)
    {
        let w0 = Instant::now();
        let c0 = thread_cpu_ms();
        let doc = stages::parse(text).map_err(|f| f.to_string())?;
        let c1 = thread_cpu_ms();
        let (model, _warnings) = stages::model(&doc, &settings).map_err(|f| f.to_string())?;
        let c2 = thread_cpu_ms();
        let file = stages::emit(&model).map_err(|f| f.to_string())?;
        let c3 = thread_cpu_ms();
        let code = stages::format(&model, &file);
        // Dropping the syntax tree belongs to the format stage: it ends with it.
        drop(file);
        let c4 = thread_cpu_ms();
        t.wall.push(w0.elapsed().as_secs_f64() * 1e3);
        t.parse.push(c1 - c0);
        t.model.push(c2 - c1);
        t.emit.push(c3 - c2);
        t.format.push(c4 - c3);
        t.total.push(c4 - c0);
        t.operations = model.tags.iter().map(|tag| tag.ops.len()).sum();
        t.types = model.types.len();
        t.output_bytes = std::hint::black_box(code).len();
        // Dropping the document and model is part of a real run too, but not of any stage.
        drop(doc);
        // What a build script pays: `generate` as one call, which spreads emit + format over
        // threads. Wall-clock, and the CPU of the whole process (all threads) for the same call.
        let p0 = process_cpu_ms();
        let g0 = Instant::now();
        let generated = camunda7_codegen::generate(text, &settings).map_err(|f| f.to_string())?;
        t.generate_wall.push(g0.elapsed().as_secs_f64() * 1e3);
        t.generate_cpu.push(process_cpu_ms() - p0);
        if generated.code.len() != t.output_bytes {
            return Err("`generate` and the stages one by one gave different text".into());
        }
        t.iterations += 1;
    }
    Ok(t)
}

/// CPU time of the current thread in milliseconds, from `/proc/thread-self/schedstat`
/// (nanosecond resolution; immune to other processes competing for the cores). Falls back to
/// wall-clock time where that file does not exist.
fn thread_cpu_ms() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .map(|ns| ns as f64 / 1e6)
        .unwrap_or_else(|| EPOCH.with(|e| e.elapsed().as_secs_f64() * 1e3))
}

/// CPU time of the whole process (all threads) in milliseconds, from `/proc/self/stat`
/// (`utime` + `stime`, in clock ticks of 10 ms on Linux, so only medians over many runs mean
/// anything). NaN where that file does not exist.
fn process_cpu_ms() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            // The fields after the command name, which is in parentheses and may hold spaces.
            let rest = &s[s.rfind(')')? + 1..];
            let fields: Vec<&str> = rest.split_whitespace().collect();
            let utime: f64 = fields.get(11)?.parse().ok()?;
            let stime: f64 = fields.get(12)?.parse().ok()?;
            Some((utime + stime) * 10.0)
        })
        .unwrap_or(f64::NAN)
}

thread_local! {
    static EPOCH: Instant = Instant::now();
}

fn median(xs: &[f64]) -> f64 {
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}
