//! Tool arguments checked against the input schema before anything is sent, with messages
//! that tell a model exactly what to fix.

use serde_json::{Map, Value};

/// Most schema violations listed in one message.
const MAX_REPORTED: usize = 5;

/// A compiled input schema.
#[derive(Debug)]
pub(crate) struct ArgumentValidator {
    validator: Option<jsonschema::Validator>,
    /// Why the schema could not be compiled (then only unknown and missing arguments are
    /// checked, and the upstream has the last word).
    problem: Option<String>,
}

impl ArgumentValidator {
    pub(crate) fn new(schema: &Map<String, Value>) -> ArgumentValidator {
        match jsonschema::validator_for(&Value::Object(schema.clone())) {
            Ok(validator) => ArgumentValidator {
                validator: Some(validator),
                problem: None,
            },
            Err(error) => ArgumentValidator {
                validator: None,
                problem: Some(error.to_string()),
            },
        }
    }

    /// Why the schema could not be compiled, if it could not.
    pub(crate) fn problem(&self) -> Option<&str> {
        self.problem.as_deref()
    }

    /// Check `arguments`; `known` lists every argument the tool accepts.
    pub(crate) fn check<'a>(
        &self,
        arguments: &Map<String, Value>,
        known: impl Iterator<Item = &'a str> + Clone,
    ) -> Result<(), String> {
        let mut problems = Vec::new();
        for name in arguments.keys() {
            if !known.clone().any(|k| k == name) {
                problems.push(unknown_argument(name, known.clone()));
            }
        }
        if let Some(validator) = &self.validator {
            let instance = Value::Object(arguments.clone());
            for error in validator
                .iter_errors(&instance)
                .filter(|e| !is_additional_properties(e))
                .take(MAX_REPORTED)
            {
                let at = error.instance_path().to_string();
                let message = error.to_string();
                if at.is_empty() {
                    problems.push(message);
                } else {
                    let argument = at.trim_start_matches('/').replace('/', ".");
                    problems.push(format!("`{argument}`: {message}"));
                }
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "Invalid arguments (nothing was sent):\n- {}",
                problems.join("\n- ")
            ))
        }
    }
}

/// Unknown arguments are reported by name with a suggestion instead.
fn is_additional_properties(error: &jsonschema::ValidationError<'_>) -> bool {
    error.instance_path().to_string().is_empty()
        && error.to_string().contains("Additional properties")
}

fn unknown_argument<'a>(name: &str, known: impl Iterator<Item = &'a str>) -> String {
    let mut known: Vec<&str> = known.collect();
    known.sort_unstable();
    let closest = crate::util::suggest::closest(name, known.iter().copied());
    let valid = if known.is_empty() {
        "this tool takes no arguments".to_owned()
    } else {
        format!("valid arguments: {}", known.join(", "))
    };
    match closest {
        Some(suggestion) => {
            format!("unknown argument `{name}`; did you mean `{suggestion}`? ({valid})")
        }
        None => format!("unknown argument `{name}` ({valid})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(schema: Value, arguments: Value) -> Result<(), String> {
        let (Value::Object(schema), Value::Object(arguments)) = (schema, arguments) else {
            panic!("objects")
        };
        let known: Vec<String> = schema["properties"]
            .as_object()
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default();
        ArgumentValidator::new(&schema).check(&arguments, known.iter().map(String::as_str))
    }

    fn schema() -> Value {
        json!({"type": "object", "additionalProperties": false, "required": ["petId"], "properties": {
            "petId": {"type": "integer"}, "limit": {"type": "integer", "maximum": 100},
            "status": {"type": "string", "enum": ["available", "sold"]}}})
    }

    #[test]
    fn valid_arguments_pass() {
        assert_eq!(check(schema(), json!({"petId": 1, "limit": 5})), Ok(()));
    }

    #[test]
    fn messages_say_what_to_fix() {
        let message = check(
            schema(),
            json!({"petid": 1, "limit": 500, "status": "lost"}),
        )
        .expect_err("invalid");
        assert!(
            message.contains("unknown argument `petid`; did you mean `petId`?"),
            "{message}"
        );
        assert!(
            message.contains("`limit`: 500 is greater than the maximum of 100"),
            "{message}"
        );
        assert!(message.contains("`status`"), "{message}");
        assert!(
            message.contains("\"petId\" is a required property"),
            "{message}"
        );
        assert!(message.starts_with("Invalid arguments (nothing was sent)"));
    }
}
