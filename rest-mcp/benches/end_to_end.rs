//! The binary end to end, on the specs users care about: start-up, memory, per-call
//! overhead and Streamable HTTP throughput, each beside a baseline measured in the same
//! run so that figures compare across machines.
//!
//! Run: `cargo bench -p rest-mcp --bench end_to_end` (add `-- --quick` for fewer runs).
//!
//! - **Start-up**: spawn to the first `tools/list` page and to the full list, through
//!   rmcp's client over stdio; the baseline is `rest-mcp --version` (spawn to exit).
//! - **Memory**: resident set two seconds after the full list (idle) and its peak, from
//!   `/proc`.
//! - **Per call**: sequential `tools/call`s over stdio against a local upstream, p50 and
//!   p99, beside the same GET sent directly with reqwest.
//! - **HTTP**: 50 concurrent clients over Streamable HTTP, stateless (raw POSTs) and
//!   stateful (one rmcp client and session each): calls/s, p99, and responses that were
//!   lost or crossed (an answer for another call): both must be 0.
//! - **Binary**: the size of the binary this bench ran.
//!
//! Everything talks to 127.0.0.1 only, and every load is bounded in count.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use rest_mcp_tests::{Reply, Upstream, free_port};
use rmcp::ServiceExt;
use rmcp::model::{CallToolRequestParams, PaginatedRequestParams};
use rmcp::service::{RoleClient, RunningService};
use rmcp::transport::{StreamableHttpClientTransport, TokioChildProcess};
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_rest-mcp");
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures");

/// The specs, by fixture file.
const SPECS: &[(&str, &str)] = &[
    ("GitHub", "github.json.gz"),
    ("Stripe", "stripe.json.gz"),
    ("Kubernetes", "kubernetes.json.gz"),
    ("Pet store", "petstore-3.0.yaml.gz"),
];

/// How long after the full list the resident set counts as idle.
const IDLE_AFTER: Duration = Duration::from_secs(2);

/// The pet store's `GET /pet/{petId}`, the call every per-call figure makes.
const CALL_TOOL: &str = "get_pet_by_id";

struct Settings {
    startup_runs: usize,
    sequential_calls: usize,
    http_clients: usize,
    calls_per_client: usize,
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let settings = if quick {
        Settings {
            startup_runs: 3,
            sequential_calls: 300,
            http_clients: 50,
            calls_per_client: 20,
        }
    } else {
        Settings {
            startup_runs: 7,
            sequential_calls: 2000,
            http_clients: 50,
            calls_per_client: 200,
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(run(&settings));
}

async fn run(settings: &Settings) {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("end-to-end-bench");
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    let upstream = Upstream::start().await;
    upstream.respond_default(Reply::echo(200));

    println!("rest-mcp end to end ({BIN})");
    println!();
    let version = median(
        &(0..settings.startup_runs)
            .map(|_| time_version())
            .collect::<Vec<_>>(),
    );
    println!(
        "baseline: `rest-mcp --version` spawn to exit, median of {}: {}",
        settings.startup_runs,
        ms(version)
    );
    println!();
    println!(
        "| spec | tools | first page | ×version | full list | ×version | idle RSS | peak RSS |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for (name, fixture) in SPECS {
        let spec = unpack(&dir, fixture);
        let mut runs = Vec::new();
        for _ in 0..settings.startup_runs {
            runs.push(start_up(&spec, &upstream.url()).await);
        }
        let first = median(&runs.iter().map(|r| r.first_page).collect::<Vec<_>>());
        let full = median(&runs.iter().map(|r| r.full_list).collect::<Vec<_>>());
        let last = runs.last().expect("at least one run");
        println!(
            "| {name} | {} | {} | {:.1}× | {} | {:.1}× | {} | {} |",
            last.tools,
            ms(first),
            ratio(first, version),
            ms(full),
            ratio(full, version),
            mib(last.idle_rss_kib),
            mib(last.peak_rss_kib),
        );
    }
    println!();

    let petstore = unpack(&dir, "petstore-3.0.yaml.gz");
    let (direct, via_mcp) = per_call(&petstore, &upstream, settings.sequential_calls).await;
    println!(
        "per call ({} sequential `{CALL_TOOL}` calls, pet store, stdio)",
        settings.sequential_calls
    );
    println!();
    println!("| path | p50 | p99 |");
    println!("|---|---:|---:|");
    println!(
        "| direct reqwest GET (baseline) | {} | {} |",
        us(direct.p50),
        us(direct.p99)
    );
    println!(
        "| rest-mcp tools/call | {} | {} |",
        us(via_mcp.p50),
        us(via_mcp.p99)
    );
    println!(
        "| ratio | {:.2}× | {:.2}× |",
        ratio(via_mcp.p50, direct.p50),
        ratio(via_mcp.p99, direct.p99)
    );
    println!();

    println!(
        "Streamable HTTP, {} concurrent clients × {} calls (pet store)",
        settings.http_clients, settings.calls_per_client
    );
    println!();
    println!("| mode | calls/s | p50 | p99 | lost | crossed |");
    println!("|---|---:|---:|---:|---:|---:|");
    for stateless in [true, false] {
        upstream.clear();
        let load = http_load(&petstore, &upstream, stateless, settings).await;
        println!(
            "| {} | {:.0} | {} | {} | {} | {} |",
            if stateless { "stateless" } else { "stateful" },
            load.calls_per_second,
            us(load.latency.p50),
            us(load.latency.p99),
            load.lost,
            load.crossed,
        );
    }
    println!();
    let size = std::fs::metadata(BIN).map(|m| m.len()).unwrap_or(0);
    println!(
        "binary: {:.1} MB as built by this profile ({BIN})",
        size as f64 / 1e6
    );
    upstream.shutdown().await;
}

/// A fixture decompressed into the scratch directory.
fn unpack(dir: &Path, fixture: &str) -> PathBuf {
    let name = fixture.trim_end_matches(".gz");
    let path = dir.join(name);
    if !path.exists() {
        let file = std::fs::File::open(Path::new(FIXTURES).join(fixture)).expect("the fixture");
        let mut text = Vec::new();
        flate2::read::GzDecoder::new(file)
            .read_to_end(&mut text)
            .expect("gunzip");
        std::fs::write(&path, text).expect("write the spec");
    }
    path
}

fn time_version() -> Duration {
    let started = Instant::now();
    let status = std::process::Command::new(BIN)
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .expect("run rest-mcp --version");
    assert!(status.success());
    started.elapsed()
}

/// `rest-mcp --spec <spec> --base-url <upstream>` over stdio, with every tool served.
fn command(spec: &Path, base_url: &str) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(BIN);
    command
        .arg("--spec")
        .arg(spec)
        .args([
            "--base-url",
            base_url,
            "--tools",
            "all",
            "--log-level",
            "error",
        ])
        .env_clear()
        .kill_on_drop(true);
    command
}

struct StartUp {
    first_page: Duration,
    full_list: Duration,
    tools: usize,
    idle_rss_kib: u64,
    peak_rss_kib: u64,
}

async fn start_up(spec: &Path, base_url: &str) -> StartUp {
    let started = Instant::now();
    let (transport, _) = TokioChildProcess::builder(command(spec, base_url))
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn rest-mcp");
    let pid = transport.id().expect("the child's pid");
    let client = ().serve(transport).await.expect("the MCP handshake");
    let mut page = client
        .peer()
        .list_tools(None)
        .await
        .expect("the first tools/list page");
    let first_page = started.elapsed();
    let mut tools = page.tools.len();
    while let Some(cursor) = page.next_cursor.take() {
        page = client
            .peer()
            .list_tools(Some(
                PaginatedRequestParams::default().with_cursor(Some(cursor)),
            ))
            .await
            .expect("a tools/list page");
        tools += page.tools.len();
    }
    let full_list = started.elapsed();
    // Idle: two seconds after the list, with nothing running.
    tokio::time::sleep(IDLE_AFTER).await;
    let (idle_rss_kib, peak_rss_kib) = memory_of(pid);
    let _ = client.cancel().await;
    StartUp {
        first_page,
        full_list,
        tools,
        idle_rss_kib,
        peak_rss_kib,
    }
}

/// `VmRSS` and `VmHWM` of a process, in KiB (0 where `/proc` does not say).
fn memory_of(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|kib| kib.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

#[derive(Clone, Copy)]
struct Latency {
    p50: Duration,
    p99: Duration,
}

fn latency(mut samples: Vec<Duration>) -> Latency {
    samples.sort();
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    Latency {
        p50: at(0.50),
        p99: at(0.99),
    }
}

/// The same GET, sent directly and through rest-mcp, alternating in rounds so that
/// neither gets the quieter half of the run.
async fn per_call(spec: &Path, upstream: &Upstream, calls: usize) -> (Latency, Latency) {
    let (transport, _) = TokioChildProcess::builder(command(spec, &upstream.url()))
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn rest-mcp");
    let client = ().serve(transport).await.expect("the MCP handshake");
    let direct_client = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("a reqwest client");
    let mut direct = Vec::with_capacity(calls);
    let mut via_mcp = Vec::with_capacity(calls);
    const ROUND: usize = 100;
    for round in 0..calls.div_ceil(ROUND) {
        for n in 0..ROUND {
            let pet = round * ROUND + n;
            let started = Instant::now();
            let response = direct_client
                .get(format!("{}/pet/{pet}", upstream.url()))
                .send()
                .await
                .expect("the direct GET");
            let _ = response.bytes().await.expect("the direct body");
            direct.push(started.elapsed());
        }
        for n in 0..ROUND {
            let pet = round * ROUND + n;
            let started = Instant::now();
            let result = client
                .peer()
                .call_tool(call_params(pet))
                .await
                .expect("tools/call");
            via_mcp.push(started.elapsed());
            assert_ne!(result.is_error, Some(true), "the call failed: {result:?}");
        }
        upstream.clear();
    }
    let _ = client.cancel().await;
    (latency(direct), latency(via_mcp))
}

fn call_params(pet: usize) -> CallToolRequestParams {
    let arguments = json!({"petId": pet});
    let Value::Object(arguments) = arguments else {
        unreachable!("an object literal")
    };
    CallToolRequestParams::new(CALL_TOOL).with_arguments(arguments)
}

struct Load {
    calls_per_second: f64,
    latency: Latency,
    lost: usize,
    crossed: usize,
}

/// A bounded load over Streamable HTTP: each client makes its calls one after another,
/// every call for its own pet id, and each answer is checked to be that call's.
async fn http_load(spec: &Path, upstream: &Upstream, stateless: bool, settings: &Settings) -> Load {
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let mut server = command(spec, &upstream.url());
    server
        .args(["--transport", "http", "--listen", &listen])
        .args(["--max-connections-per-peer", "1000"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if stateless {
        server.arg("--stateless");
    }
    let mut child = server.spawn().expect("spawn rest-mcp over HTTP");
    let url = format!("http://{listen}/mcp");
    wait_until_listening(&format!("http://{listen}/healthz")).await;

    let lost = Arc::new(AtomicUsize::new(0));
    let crossed = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut clients = Vec::new();
    for client in 0..settings.http_clients {
        let (url, lost, crossed) = (url.clone(), lost.clone(), crossed.clone());
        let calls = settings.calls_per_client;
        clients.push(tokio::spawn(async move {
            let first_pet = client * calls;
            if stateless {
                stateless_client(&url, first_pet, calls, &lost, &crossed).await
            } else {
                stateful_client(&url, first_pet, calls, &lost, &crossed).await
            }
        }));
    }
    let mut samples = Vec::new();
    for client in clients {
        samples.extend(client.await.expect("a load client"));
    }
    let elapsed = started.elapsed();
    let _ = child.start_kill();
    let _ = child.wait().await;
    let total = settings.http_clients * settings.calls_per_client;
    Load {
        calls_per_second: total as f64 / elapsed.as_secs_f64(),
        latency: latency(samples),
        lost: lost.load(Ordering::SeqCst),
        crossed: crossed.load(Ordering::SeqCst),
    }
}

async fn wait_until_listening(health: &str) {
    let client = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("a reqwest client");
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if client.get(health).send().await.is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("rest-mcp did not start listening within 30 s");
}

/// Whether a tool result is the answer for `pet`: the upstream echoes the path it got.
fn answers_pet(result: &Value, pet: usize) -> bool {
    result["structuredContent"]["path"]
        .as_str()
        .or_else(|| result["content"][0]["text"].as_str())
        .is_some_and(|text| {
            text.contains(&format!("/pet/{pet}\"")) || text.ends_with(&format!("/pet/{pet}"))
        })
}

async fn stateless_client(
    url: &str,
    first_pet: usize,
    calls: usize,
    lost: &AtomicUsize,
    crossed: &AtomicUsize,
) -> Vec<Duration> {
    let http = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("a reqwest client");
    let mut samples = Vec::with_capacity(calls);
    for pet in first_pet..first_pet + calls {
        let body = json!({"jsonrpc": "2.0", "id": pet, "method": "tools/call",
            "params": {"name": CALL_TOOL, "arguments": {"petId": pet}}});
        let started = Instant::now();
        let answer = async {
            let response = http
                .post(url)
                .header("content-type", "application/json")
                .header("accept", "application/json, text/event-stream")
                .header("mcp-protocol-version", "2025-06-18")
                .body(body.to_string())
                .send()
                .await
                .ok()?;
            response.json::<Value>().await.ok()
        }
        .await;
        samples.push(started.elapsed());
        match answer {
            None => {
                lost.fetch_add(1, Ordering::SeqCst);
            }
            Some(answer) if answer["id"] != json!(pet) || !answers_pet(&answer["result"], pet) => {
                crossed.fetch_add(1, Ordering::SeqCst);
            }
            Some(_) => {}
        }
    }
    samples
}

async fn stateful_client(
    url: &str,
    first_pet: usize,
    calls: usize,
    lost: &AtomicUsize,
    crossed: &AtomicUsize,
) -> Vec<Duration> {
    let transport = StreamableHttpClientTransport::from_uri(url.to_owned());
    let client: RunningService<RoleClient, ()> = match ().serve(transport).await {
        Ok(client) => client,
        Err(_) => {
            lost.fetch_add(calls, Ordering::SeqCst);
            return Vec::new();
        }
    };
    let mut samples = Vec::with_capacity(calls);
    for pet in first_pet..first_pet + calls {
        let started = Instant::now();
        let result = client.peer().call_tool(call_params(pet)).await;
        samples.push(started.elapsed());
        match result {
            Err(_) => {
                lost.fetch_add(1, Ordering::SeqCst);
            }
            Ok(result) => {
                let value = serde_json::to_value(&result).unwrap_or_default();
                if !answers_pet(&value, pet) {
                    crossed.fetch_add(1, Ordering::SeqCst);
                }
            }
        }
    }
    let _ = client.cancel().await;
    samples
}

fn median(values: &[Duration]) -> Duration {
    let mut sorted = values.to_vec();
    sorted.sort();
    sorted[sorted.len() / 2]
}

fn ratio(value: Duration, baseline: Duration) -> f64 {
    value.as_secs_f64() / baseline.as_secs_f64().max(f64::MIN_POSITIVE)
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

fn us(d: Duration) -> String {
    format!("{:.0} µs", d.as_secs_f64() * 1e6)
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}
