//! Load a spec and print its tools, diagnostics and sizes.
//!
//! `cargo run -p rest-mcp-openapi --example inspect -- path/to/openapi.yaml [--tools] [--depth N] [--output-depth N] [--budget N] [--json]`

use std::path::PathBuf;
use std::time::Instant;

use rest_mcp_openapi::{LoadOptions, Origin, load_manual, load_path};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = PathBuf::from(args.first().ok_or(
        "usage: inspect <spec> [--tools] [--depth N] [--output-depth N] [--budget N] [--json]",
    )?);
    let show_tools = args.iter().any(|a| a == "--tools");
    let dump = args.iter().any(|a| a == "--json");
    let number = |flag: &str| -> Option<usize> {
        let at = args.iter().position(|a| a == flag)?;
        args.get(at + 1)?.parse().ok()
    };
    let mut options = LoadOptions::default();
    if let Some(depth) = number("--depth") {
        options.schema.max_input_depth = depth;
    }
    if let Some(depth) = number("--output-depth") {
        options.schema.max_output_depth = depth;
    }
    if let Some(budget) = number("--budget") {
        options.schema.max_expansions = budget;
    }
    let started = Instant::now();
    let loaded = if path.extension().is_some_and(|e| e == "toml") {
        load_manual(
            &std::fs::read_to_string(&path)?,
            Origin::File(path.clone()),
            &options,
        )?
    } else {
        load_path(&path, &options)?
    };
    let elapsed = started.elapsed();
    let tools = loaded.model.tool_definitions();
    let size = serde_json::to_string(&tools)?.len();
    if dump {
        println!("{}", serde_json::to_string(&tools)?);
        return Ok(());
    }
    if show_tools {
        for (op, tool) in loaded.model.operations.iter().zip(&tools) {
            let arguments: Vec<&String> = tool.input_schema["properties"]
                .as_object()
                .map(|p| p.keys().collect())
                .unwrap_or_default();
            println!(
                "{:<40} {:<7} {:<50} {:?}",
                tool.name, op.method, op.path, arguments
            );
        }
    }
    for diagnostic in &loaded.diagnostics {
        eprintln!("{diagnostic}");
    }
    println!(
        "{}: {} tools, {} diagnostics, tool definitions {} bytes, loaded in {:.1?}",
        loaded.model.title,
        tools.len(),
        loaded.diagnostics.len(),
        size,
        elapsed
    );
    Ok(())
}
