//! Schema dialects over the whole fixture corpus: every tool of every spec in
//! `tests/fixtures`, served by the real `ToolSet` in each dialect (as `tools/list` and
//! `describe_tools` serve them), passes that dialect's checker in
//! `rest_mcp_tests::schema_rules` (written from each provider's documented rules), and
//! the same tools served in `full` break the stricter checkers, so the check can fail.
//!
//! Run `cargo test -p rest-mcp-tests --test dialects -- --nocapture` for the counts:
//! schemas checked per dialect, and violations in `full` and in the dialect.

use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use rest_mcp::openapi::{LoadOptions, Origin, SchemaDialect, load};
use rest_mcp::presentation::Presentation;
use rest_mcp::{Executor, ToolSet};
use rest_mcp_tests::schema_rules::{self, Violation};
use serde_json::Value;

/// Every spec of the corpus.
const FIXTURES: [&str; 13] = [
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
    "extensions.yaml",
];

/// A dialect's checker of input schemas, and of output schemas when the dialect rewrites
/// them (providers read only input schemas; `portable` also serves clients' checks).
struct Checker {
    dialect: SchemaDialect,
    input: fn(&Value) -> Vec<Violation>,
    output: Option<fn(&Value) -> Vec<Violation>>,
}

const CHECKERS: [Checker; 4] = [
    Checker {
        dialect: SchemaDialect::Portable,
        input: schema_rules::portable_input,
        output: Some(schema_rules::portable_output),
    },
    Checker {
        dialect: SchemaDialect::Anthropic,
        input: schema_rules::anthropic,
        output: None,
    },
    Checker {
        dialect: SchemaDialect::OpenAi,
        input: schema_rules::openai_strict,
        output: None,
    },
    Checker {
        dialect: SchemaDialect::Gemini,
        input: schema_rules::gemini,
        output: None,
    },
];

fn fixture_tools(name: &str) -> ToolSet {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name);
    let raw = std::fs::read(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
    let bytes = if name.ends_with(".gz") {
        let mut text = Vec::new();
        flate2::read::GzDecoder::new(raw.as_slice())
            .read_to_end(&mut text)
            .unwrap_or_else(|e| panic!("{name}: gunzip: {e}"));
        text
    } else {
        raw
    };
    let loaded = load(&bytes, Origin::inline(name), &LoadOptions::default())
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let executor = Executor::builder("http://127.0.0.1:9/".parse().expect("url"))
        .build()
        .expect("executor");
    ToolSet::from_model(&loaded.model, Arc::new(executor)).expect("tools")
}

/// Counts of one dialect over the corpus.
#[derive(Default)]
struct Counts {
    schemas: usize,
    full_violations: usize,
    violations: usize,
    examples: Vec<String>,
}

/// The schemas `tools` serve: each input schema, and each output schema.
fn check(tools: &ToolSet, checker: &Checker, spec: &str) -> (usize, usize, Vec<String>) {
    let mut schemas = 0;
    let mut violations = 0;
    let mut examples = Vec::new();
    for tool in tools.tools() {
        let input = Value::Object((*tool.input_schema).clone());
        let mut found = (checker.input)(&input);
        schemas += 1;
        if let (Some(output), Some(check_output)) = (&tool.output_schema, checker.output) {
            found.extend(check_output(&Value::Object((**output).clone())));
            schemas += 1;
        }
        violations += found.len();
        for violation in found.into_iter().take(2) {
            if examples.len() < 5 {
                examples.push(format!(
                    "{spec} {}: {} at {:?}",
                    tool.name, violation.rule, violation.at
                ));
            }
        }
    }
    (schemas, violations, examples)
}

#[test]
fn every_served_schema_of_the_corpus_passes_its_dialect() {
    let mut counts: Vec<Counts> = CHECKERS.iter().map(|_| Counts::default()).collect();
    for spec in FIXTURES {
        let tools = fixture_tools(spec);
        // The meta-tools, as dynamic mode serves them, are checked too.
        let dynamic = tools.to_dynamic();
        for (checker, count) in CHECKERS.iter().zip(&mut counts) {
            let (_, before, _) = check(&tools, checker, spec);
            count.full_violations += before;
            for set in [&tools, &dynamic] {
                let served = set.presented(&Presentation::default(), checker.dialect);
                let (schemas, after, examples) = check(&served, checker, spec);
                count.schemas += schemas;
                count.violations += after;
                count.examples.extend(examples);
            }
        }
    }
    println!("dialect     schemas  violations in full  violations served");
    for (checker, count) in CHECKERS.iter().zip(&counts) {
        println!(
            "{:<10} {:>8} {:>19} {:>18}",
            checker.dialect.name(),
            count.schemas,
            count.full_violations,
            count.violations
        );
    }
    for (checker, count) in CHECKERS.iter().zip(&counts) {
        assert_eq!(
            count.violations,
            0,
            "{} dialect: {} violations, e.g.\n{}",
            checker.dialect,
            count.violations,
            count.examples.join("\n")
        );
    }
    // The checkers do catch what the dialects fix: the schemas as loaded break them.
    for (checker, count) in CHECKERS.iter().zip(&counts) {
        if checker.dialect != SchemaDialect::Anthropic {
            assert!(
                count.full_violations > 0,
                "the {} checker finds nothing to fix in the corpus",
                checker.dialect
            );
        }
    }
}

#[test]
fn the_checkers_catch_each_rule() {
    let bad = serde_json::json!({
        "type": "object",
        "anyOf": [{"required": ["a"]}],
        "properties": {
            "a": {"type": ["string", "null"], "format": "uri"},
            "b": {"type": "array"},
            "c": {"type": "object", "additionalProperties": true},
            "d": {"type": "integer", "enum": [1, 2]},
            "e": true
        }
    });
    let rules = |found: Vec<Violation>| -> Vec<&'static str> {
        found.into_iter().map(|v| v.rule).collect()
    };
    let anthropic = rules(schema_rules::anthropic(&bad));
    assert_eq!(
        anthropic,
        ["anthropic: no oneOf, anyOf or allOf at the top level"]
    );
    let openai = rules(schema_rules::openai_strict(&bad));
    for rule in [
        "openai: every object has `additionalProperties: false`",
        "openai: every property is in `required`",
        "openai: only supported keywords",
        "openai: every array has an `items` schema",
    ] {
        assert!(openai.contains(&rule), "{rule}: {openai:?}");
    }
    let gemini = rules(schema_rules::gemini(&bad));
    for rule in [
        "gemini: `type` is one name of string, number, integer, boolean, array or object",
        "gemini: every ARRAY has `items`",
        "gemini: `enum` only on strings, of strings",
        "gemini: only the fields of its Schema object",
        "gemini: an OBJECT below the root has non-empty `properties`",
    ] {
        assert!(gemini.contains(&rule), "{rule}: {gemini:?}");
    }
    let inspector = rules(schema_rules::inspector_input(&bad));
    assert!(inspector.contains(&"inspector: `type` is not an array (type-union)"));
    assert!(inspector.contains(&"inspector: no boolean subschemas"));
}
