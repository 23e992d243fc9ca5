//! Printing tools and call results compactly, and reading a result's JSON body.

use rmcp::model::{CallToolResult, Tool};
use serde_json::Value;

/// Longest line printed for a result, in characters.
const MAX_LINE: usize = 150;
/// Most lines printed for a result's text.
const MAX_LINES: usize = 4;

/// Prints one row per tool: name, annotation hints, argument names (`*` = required).
pub(crate) fn tools_table(tools: &[Tool]) {
    let rows: Vec<[String; 3]> = tools
        .iter()
        .map(|tool| [tool.name.to_string(), hints(tool), arguments(tool)])
        .collect();
    let header = [
        "TOOL".to_owned(),
        "HINTS".to_owned(),
        "ARGUMENTS (* required)".to_owned(),
    ];
    let width = |column: usize| {
        rows.iter()
            .chain([&header])
            .map(|row| row[column].chars().count())
            .max()
            .unwrap_or(0)
    };
    let (w0, w1) = (width(0), width(1));
    for row in [&header].into_iter().chain(&rows) {
        println!("  {:<w0$}  {:<w1$}  {}", row[0], row[1], row[2]);
    }
}

fn hints(tool: &Tool) -> String {
    let Some(a) = &tool.annotations else {
        return "-".to_owned();
    };
    let mut hints = Vec::new();
    if a.read_only_hint == Some(true) {
        hints.push("read-only");
    }
    if a.destructive_hint == Some(true) {
        hints.push("destructive");
    }
    if a.idempotent_hint == Some(true) {
        hints.push("idempotent");
    }
    if a.open_world_hint == Some(false) {
        hints.push("closed-world");
    }
    if hints.is_empty() {
        "-".to_owned()
    } else {
        hints.join(",")
    }
}

fn arguments(tool: &Tool) -> String {
    let required: Vec<&str> = tool
        .input_schema
        .get("required")
        .and_then(Value::as_array)
        .map(|names| names.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let Some(properties) = tool
        .input_schema
        .get("properties")
        .and_then(Value::as_object)
    else {
        return "(none)".to_owned();
    };
    if properties.is_empty() {
        return "(none)".to_owned();
    }
    properties
        .keys()
        .map(|name| {
            if required.contains(&name.as_str()) {
                format!("{name}*")
            } else {
                name.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Prints a call's result: ok/isError, the first text lines, and the structured content.
pub(crate) fn result(result: &CallToolResult) {
    let label = if result.is_error == Some(true) {
        "isError"
    } else {
        "ok"
    };
    let texts: Vec<&str> = result
        .content
        .iter()
        .filter_map(|block| block.as_text().map(|t| t.text.as_str()))
        .collect();
    let others = result.content.len() - texts.len();
    let mut lines = texts
        .iter()
        .flat_map(|t| t.lines())
        .filter(|l| !l.trim().is_empty());
    println!(
        "    {label:<7}  {}",
        clip(lines.next().unwrap_or("(no text content)"))
    );
    if let Some(structured) = &result.structured_content {
        println!("    {:<7}  {}", "struct", clip(&structured.to_string()));
    } else {
        let rest: Vec<&str> = lines.collect();
        for line in rest.iter().take(MAX_LINES - 1) {
            println!("    {:<7}  {}", "", clip(line));
        }
        if rest.len() >= MAX_LINES {
            println!(
                "    {:<7}  … ({} more lines)",
                "",
                rest.len() + 1 - MAX_LINES
            );
        }
    }
    if others > 0 {
        println!("    {:<7}  + {others} non-text content block(s)", "");
    }
}

/// The response body as JSON: the structured content (unwrapping `{"result": ...}`), else
/// the first JSON value found in the text content.
pub(crate) fn body_json(result: &CallToolResult) -> Option<Value> {
    if let Some(structured) = &result.structured_content {
        return Some(match structured {
            Value::Object(map) if map.len() == 1 && map.contains_key("result") => {
                map["result"].clone()
            }
            other => other.clone(),
        });
    }
    result
        .content
        .iter()
        .filter_map(|block| block.as_text())
        .find_map(|text| first_json(&text.text))
}

/// The first JSON object or array in `text` (the body after an `HTTP 200 …` line).
fn first_json(text: &str) -> Option<Value> {
    if let Ok(value) = serde_json::from_str::<Value>(text) {
        return Some(value);
    }
    let start = text.find(['{', '['])?;
    serde_json::Deserializer::from_str(&text[start..])
        .into_iter::<Value>()
        .next()
        .and_then(Result::ok)
}

/// Shortens `line` to [`MAX_LINE`] characters.
pub(crate) fn clip(line: &str) -> String {
    if line.chars().count() <= MAX_LINE {
        line.to_owned()
    } else {
        let mut clipped: String = line.chars().take(MAX_LINE - 1).collect();
        clipped.push('…');
        clipped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_json_after_a_status_line() {
        assert_eq!(
            first_json("HTTP 200 OK (application/json)\n\n{\"id\": 4}\n"),
            Some(serde_json::json!({"id": 4}))
        );
        assert_eq!(first_json("[1,2]"), Some(serde_json::json!([1, 2])));
        assert_eq!(first_json("HTTP 204 No Content"), None);
        assert_eq!(clip(&"x".repeat(400)).chars().count(), MAX_LINE);
    }
}
