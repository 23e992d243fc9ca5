//! Load time and peak heap of every corpus spec (`tests/fixtures`, gzipped).
//!
//! Before criterion runs, a table is printed with, per spec: input size, median load time
//! over a few runs, peak heap during the load, and the size of the serialized tool
//! definitions, next to a baseline of only parsing the same bytes into a generic value
//! (`serde_json::Value`, or `yaml_serde::Value` for YAML), so figures can be read as ratios
//! against parsing alone. Criterion then times `load` itself (decompression is outside the
//! timed part). The table is printed only under `cargo bench` (not when `cargo test`
//! runs this target as a smoke test).

// A counting global allocator needs `unsafe impl GlobalAlloc`; it only forwards to
// `System` and adds atomic counters, and lives in this benchmark only, not in the library.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode, Throughput};
use flate2::read::GzDecoder;
use rest_mcp_openapi::{LoadOptions, Origin, load};

/// The corpus, in `tests/fixtures`.
const CORPUS: [&str; 12] = [
    "github.json.gz",
    "stripe.json.gz",
    "kubernetes.json.gz",
    "vercel.json.gz",
    "galaxy.yaml.gz",
    "petstore-2.0.json.gz",
    "petstore-3.0.yaml.gz",
    "petstore-3.1.json.gz",
    "circular.json.gz",
    "form-data.json.gz",
    "file-uploads.json.gz",
    "parameters-style.json.gz",
];

/// Runs per spec for the median load time in the table.
const TABLE_RUNS: usize = 5;

/// Inputs at least this large (Vercel and up) get a short, flat criterion sampling plan.
const LARGE_INPUT: usize = 256 << 10;

// ---------------------------------------------------------------------------------------
// Counting allocator.
// ---------------------------------------------------------------------------------------

/// `System` with counters of live and peak heap bytes.
struct CountingAllocator;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(bytes: usize) {
    let now = CURRENT.fetch_add(bytes, Ordering::Relaxed) + bytes;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

fn shrank(bytes: usize) {
    CURRENT.fetch_sub(bytes, Ordering::Relaxed);
}

// SAFETY: every method forwards to `System` with the caller's arguments unchanged and
// only updates counters afterwards, so `System`'s guarantees carry over.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded contract of `GlobalAlloc::alloc`.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            grew(layout.size());
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded contract of `GlobalAlloc::alloc_zeroed`.
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            grew(layout.size());
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded contract of `GlobalAlloc::dealloc`.
        unsafe { System.dealloc(ptr, layout) };
        shrank(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded contract of `GlobalAlloc::realloc`.
        let new_ptr = unsafe { System.realloc(ptr, layout, new_size) };
        if !new_ptr.is_null() {
            if new_size >= layout.size() {
                grew(new_size - layout.size());
            } else {
                shrank(layout.size() - new_size);
            }
        }
        new_ptr
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// Run `f` and return its result with the peak heap it used above what was live before.
fn with_peak_heap<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let before = CURRENT.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let result = f();
    let peak = PEAK.load(Ordering::Relaxed).saturating_sub(before);
    (result, peak)
}

// ---------------------------------------------------------------------------------------
// Fixtures.
// ---------------------------------------------------------------------------------------

/// `tests/fixtures` of the workspace.
fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures")
}

/// The decompressed bytes of one fixture.
fn fixture_bytes(file: &str) -> Vec<u8> {
    let path = fixtures_dir().join(file);
    let compressed =
        std::fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let mut bytes = Vec::new();
    GzDecoder::new(compressed.as_slice())
        .read_to_end(&mut bytes)
        .unwrap_or_else(|e| panic!("gunzip {}: {e}", path.display()));
    bytes
}

/// The spec name without `.gz`.
fn spec_name(file: &str) -> &str {
    file.strip_suffix(".gz").unwrap_or(file)
}

/// Load once; a load error aborts the benchmark.
fn load_spec(file: &str, bytes: &[u8]) -> rest_mcp_openapi::Loaded {
    load(bytes, Origin::inline(file), &LoadOptions::default())
        .unwrap_or_else(|e| panic!("{file}: load failed: {e}"))
}

/// Parse into a generic value only: the baseline every load is compared with.
fn parse_only(file: &str, bytes: &[u8]) {
    if file.contains(".yaml") {
        let value: yaml_serde::Value = yaml_serde::from_slice(bytes).expect("baseline YAML parse");
        black_box(value);
    } else {
        let value: serde_json::Value = serde_json::from_slice(bytes).expect("baseline JSON parse");
        black_box(value);
    }
}

// ---------------------------------------------------------------------------------------
// The table printed before criterion runs.
// ---------------------------------------------------------------------------------------

/// Median of `runs` timings of `f`.
fn median_time(runs: usize, mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

/// One row of the table.
struct Row {
    spec: String,
    input_bytes: usize,
    tools: usize,
    load_time: Duration,
    load_peak: usize,
    tool_definitions_bytes: usize,
    parse_time: Duration,
    parse_peak: usize,
}

fn measure(file: &str) -> Row {
    let bytes = fixture_bytes(file);
    let (parse_result, parse_peak) = with_peak_heap(|| parse_only(file, &bytes));
    black_box(parse_result);
    let parse_time = median_time(TABLE_RUNS, || parse_only(file, &bytes));

    let (loaded, load_peak) = with_peak_heap(|| load_spec(file, &bytes));
    let tool_definitions = loaded.model.tool_definitions();
    let tool_definitions_bytes = serde_json::to_string(&tool_definitions)
        .expect("tool definitions serialize")
        .len();
    let tools = tool_definitions.len();
    drop((loaded, tool_definitions));
    let load_time = median_time(TABLE_RUNS, || {
        black_box(load_spec(file, &bytes));
    });

    Row {
        spec: spec_name(file).to_string(),
        input_bytes: bytes.len(),
        tools,
        load_time,
        load_peak,
        tool_definitions_bytes,
        parse_time,
        parse_peak,
    }
}

fn mib(bytes: usize) -> String {
    format!("{:.2} MiB", bytes as f64 / (1024.0 * 1024.0))
}

fn millis(time: Duration) -> String {
    format!("{:.2} ms", time.as_secs_f64() * 1000.0)
}

fn ratio(a: f64, b: f64) -> String {
    if b > 0.0 {
        format!("{:.1}x", a / b)
    } else {
        "-".into()
    }
}

fn print_table() {
    println!(
        "\n{:<22} | {:>11} | {:>5} | {:>11} | {:>11} | {:>14} | {:>11} | {:>11} | {:>6} | {:>6}",
        "spec",
        "input",
        "tools",
        "load time",
        "load peak",
        "tool defs",
        "parse time",
        "parse peak",
        "time x",
        "heap x"
    );
    println!("{}", "-".repeat(140));
    for file in CORPUS {
        let row = measure(file);
        println!(
            "{:<22} | {:>11} | {:>5} | {:>11} | {:>11} | {:>14} | {:>11} | {:>11} | {:>6} | {:>6}",
            row.spec,
            mib(row.input_bytes),
            row.tools,
            millis(row.load_time),
            mib(row.load_peak),
            format!("{} B", row.tool_definitions_bytes),
            millis(row.parse_time),
            mib(row.parse_peak),
            ratio(row.load_time.as_secs_f64(), row.parse_time.as_secs_f64()),
            ratio(row.load_peak as f64, row.parse_peak as f64),
        );
    }
    println!(
        "load time: median of {TABLE_RUNS} runs; peak: heap above what was live before the \
         call (input bytes excluded); parse: serde_json::Value (yaml_serde::Value for YAML) \
         only; time x / heap x: load / parse.\n"
    );
}

// ---------------------------------------------------------------------------------------
// Criterion.
// ---------------------------------------------------------------------------------------

fn bench_load(c: &mut Criterion) {
    let mut group = c.benchmark_group("load");
    for file in CORPUS {
        let bytes = fixture_bytes(file);
        if bytes.len() >= LARGE_INPUT {
            group
                .sampling_mode(SamplingMode::Flat)
                .sample_size(10)
                .warm_up_time(Duration::from_secs(1))
                .measurement_time(Duration::from_secs(5));
        } else {
            group
                .sampling_mode(SamplingMode::Auto)
                .sample_size(20)
                .warm_up_time(Duration::from_millis(500))
                .measurement_time(Duration::from_secs(2));
        }
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_function(spec_name(file), |b| {
            b.iter(|| load_spec(file, black_box(&bytes)))
        });
    }
    group.finish();
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test` runs this target without it, as a
    // quick smoke test where the table would only cost time.
    if std::env::args().any(|arg| arg == "--bench") {
        print_table();
    }
    let mut criterion = Criterion::default().configure_from_args();
    bench_load(&mut criterion);
    criterion.final_summary();
}
