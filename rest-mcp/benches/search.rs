//! Tool search, measured: recall@1, recall@5 and MRR of the ranker and of a plain BM25
//! over name + summary + description, on `tests/fixtures/search_queries.jsonl` (agent
//! phrasings over real specs, each with the `METHOD /path` answers), in the same run; and
//! the ranker's search latency on GitHub against the plain baseline's.
//!
//! Run: `cargo bench -p rest-mcp --bench search` (add `-- --misses` to print every query
//! the ranker does not answer in its top 5).

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use rest_mcp::discovery::{SearchDocument, SearchIndex};
use rest_mcp::{Executor, ToolSet};
use rest_mcp_openapi::{LoadOptions, Origin, load};
use serde_json::Value;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures");

struct Query {
    spec: String,
    text: String,
    expected: Vec<String>,
}

#[derive(Default)]
struct Score {
    queries: usize,
    at1: usize,
    at5: usize,
    reciprocal: f64,
}

impl Score {
    fn add(&mut self, rank: Option<usize>) {
        self.queries += 1;
        if let Some(rank) = rank {
            self.at1 += usize::from(rank == 0);
            self.at5 += usize::from(rank < 5);
            self.reciprocal += 1.0 / (rank as f64 + 1.0);
        }
    }

    fn line(&self, name: &str) -> String {
        let n = self.queries.max(1) as f64;
        format!(
            "{name:<28} recall@1 {:.3}  recall@5 {:.3}  MRR {:.3}  ({} queries)",
            self.at1 as f64 / n,
            self.at5 as f64 / n,
            self.reciprocal / n,
            self.queries
        )
    }
}

fn tool_set(spec: &str) -> ToolSet {
    let mut bytes = Vec::new();
    let file = std::fs::File::open(Path::new(FIXTURES).join(spec)).expect("fixture");
    flate2::read::GzDecoder::new(file)
        .read_to_end(&mut bytes)
        .expect("gunzip");
    let loaded = load(&bytes, Origin::File(spec.into()), &LoadOptions::default()).expect("loads");
    let executor = Executor::builder("http://127.0.0.1:9".parse().expect("url"))
        .build()
        .expect("executor");
    ToolSet::from_model(&loaded.model, Arc::new(executor)).expect("tools")
}

/// The rank of the first expected answer among the top 25, if any.
fn rank(index: &SearchIndex, tools: &ToolSet, query: &Query) -> Option<usize> {
    index
        .search(&query.text, 25, |_| true)
        .iter()
        .position(|(i, _)| {
            tools
                .route(*i)
                .is_some_and(|r| query.expected.contains(&format!("{} {}", r.method, r.path)))
        })
}

fn main() {
    let show_misses = std::env::args().any(|a| a == "--misses");
    let text = std::fs::read_to_string(Path::new(FIXTURES).join("search_queries.jsonl"))
        .expect("query set");
    let queries: Vec<Query> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let v: Value = serde_json::from_str(line).expect("a JSON line");
            Query {
                spec: v["spec"].as_str().expect("spec").to_owned(),
                text: v["query"].as_str().expect("query").to_owned(),
                expected: v["expected"]
                    .as_array()
                    .expect("expected")
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect(),
            }
        })
        .collect();
    let mut by_spec: BTreeMap<&str, Vec<&Query>> = BTreeMap::new();
    for query in &queries {
        by_spec.entry(&query.spec).or_default().push(query);
    }
    let (mut ranker, mut plain) = (Score::default(), Score::default());
    for (spec, queries) in &by_spec {
        let tools = tool_set(spec);
        let documents: Vec<SearchDocument> = tools.search_documents();
        let index = SearchIndex::new(&documents);
        let baseline = SearchIndex::plain(&documents);
        let (mut spec_ranker, mut spec_plain) = (Score::default(), Score::default());
        for query in queries {
            let found = rank(&index, &tools, query);
            spec_ranker.add(found);
            ranker.add(found);
            let base = rank(&baseline, &tools, query);
            spec_plain.add(base);
            plain.add(base);
            if show_misses && found.is_none_or(|r| r >= 5) {
                let top: Vec<String> = index
                    .search(&query.text, 3, |_| true)
                    .iter()
                    .map(|(i, _)| tools.tools()[*i].name.to_string())
                    .collect();
                println!(
                    "  miss [{spec}] {:?} → {top:?}, want {:?}",
                    query.text, query.expected
                );
            }
        }
        println!("{spec} ({} tools)", tools.len());
        println!("  {}", spec_ranker.line("ranker"));
        println!("  {}", spec_plain.line("plain BM25 (baseline)"));
        if spec.starts_with("github") {
            latency(&index, &baseline, queries);
        }
    }
    println!("all specs");
    println!("  {}", ranker.line("ranker"));
    println!("  {}", plain.line("plain BM25 (baseline)"));
}

/// Median time of one search on this spec, ranker and baseline, over every query 20 times.
fn latency(index: &SearchIndex, baseline: &SearchIndex, queries: &[&Query]) {
    let median = |index: &SearchIndex| {
        let mut times = Vec::new();
        for _ in 0..20 {
            for query in queries {
                let start = Instant::now();
                std::hint::black_box(index.search(&query.text, 5, |_| true));
                times.push(start.elapsed());
            }
        }
        times.sort();
        times[times.len() / 2]
    };
    let (ours, base) = (median(index), median(baseline));
    println!(
        "  search p50: ranker {ours:?}, plain {base:?} (ratio {:.2})",
        ours.as_secs_f64() / base.as_secs_f64().max(1e-12)
    );
}
