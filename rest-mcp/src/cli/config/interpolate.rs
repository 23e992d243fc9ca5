//! `${VAR}` in base URL, header and auth values, filled from the environment.
//!
//! `${NAME}` must be set (an unset variable is an error that names it); `${NAME:-text}`
//! falls back to `text`; `$$` is a literal `$`.

use crate::error::ConfigError;

/// Replace every `${NAME}` in `text` using `lookup`.
pub fn interpolate(
    text: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<String, ConfigError> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
        } else if let Some(inner) = after.strip_prefix('{') {
            let end = inner
                .find('}')
                .ok_or_else(|| format!("`${{` without a closing `}}` in `{text}`"))?;
            let expression = &inner[..end];
            let (name, fallback) = match expression.split_once(":-") {
                Some((name, fallback)) => (name, Some(fallback)),
                None => (expression, None),
            };
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(ConfigError::from(format!(
                    "`${{{expression}}}` is not a valid variable reference"
                )));
            }
            match (
                lookup(name).filter(|v| !v.is_empty() || fallback.is_none()),
                fallback,
            ) {
                (Some(value), _) => out.push_str(&value),
                (None, Some(fallback)) => out.push_str(fallback),
                (None, None) => {
                    return Err(ConfigError::from(format!(
                        "environment variable `{name}` is not set (it is used as `${{{name}}}`)"
                    )));
                }
            }
            rest = &inner[end + 1..];
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "TOKEN" => Some("abc".into()),
            "EMPTY" => Some(String::new()),
            _ => None,
        }
    }

    #[test]
    fn variables_are_filled_or_named_when_missing() {
        assert_eq!(
            interpolate("Bearer ${TOKEN}", &env).as_deref(),
            Ok("Bearer abc")
        );
        assert_eq!(
            interpolate("${MISSING:-x}/${TOKEN}", &env).as_deref(),
            Ok("x/abc")
        );
        assert_eq!(
            interpolate("cost: $$5 and $ alone", &env).as_deref(),
            Ok("cost: $5 and $ alone")
        );
        assert_eq!(interpolate("[${EMPTY}]", &env).as_deref(), Ok("[]"));
        let err = interpolate("Bearer ${API_KEY}", &env).expect_err("unset");
        assert!(err.to_string().contains("`API_KEY` is not set"), "{err}");
        assert!(interpolate("${oops", &env).is_err());
        assert!(interpolate("${a b}", &env).is_err());
    }
}
