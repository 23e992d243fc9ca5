//! Cutting a JSON value down to a size limit without breaking it: arrays lose whole items
//! from the end, objects lose whole members, and only a lone string too long to show is
//! cut inside. What is left is still valid JSON of the same shape, and every cut is
//! reported so the model can say what it did not see and ask for the rest.

use serde_json::{Map, Value};

/// One place where [`fit`] left something out.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Cut {
    /// Where, as a JSONPath (`$`, `$.items`, `$['a b'][3]`).
    pub(crate) at: String,
    /// How many items, members or characters are shown.
    pub(crate) kept: usize,
    /// How many there were.
    pub(crate) total: usize,
    /// What was counted.
    pub(crate) unit: &'static str,
}

impl std::fmt::Display for Cut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} shows {} of {} {}",
            self.at, self.kept, self.total, self.unit
        )
    }
}

/// `value` cut to serialize in at most `budget` bytes (compact JSON), with the cuts made.
/// A value already within budget comes back unchanged with no cuts.
pub(crate) fn fit(value: Value, budget: usize) -> (Value, Vec<Cut>) {
    let mut cuts = Vec::new();
    let value = fit_at(value, budget, "$".to_owned(), &mut cuts);
    (value, cuts)
}

/// The serialized size of `value` in compact JSON.
pub(crate) fn json_len(value: &Value) -> usize {
    struct Counter(usize);
    impl std::io::Write for Counter {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut counter = Counter(0);
    // Writing a Value to a sink that never fails cannot fail.
    let _ = serde_json::to_writer(&mut counter, value);
    counter.0
}

fn fit_at(value: Value, budget: usize, at: String, cuts: &mut Vec<Cut>) -> Value {
    if json_len(&value) <= budget {
        return value;
    }
    match value {
        Value::Array(items) => Value::Array(fit_array(items, budget, at, cuts)),
        Value::Object(members) => Value::Object(fit_object(members, budget, at, cuts)),
        Value::String(text) => Value::String(fit_string(text, budget, at, cuts)),
        scalar => scalar,
    }
}

/// Keep the leading items that fit; when not even the first fits alone, keep it cut down.
fn fit_array(items: Vec<Value>, budget: usize, at: String, cuts: &mut Vec<Cut>) -> Vec<Value> {
    let total = items.len();
    let mut used = 2; // `[` and `]`
    let mut kept = Vec::new();
    let mut rest = items.into_iter();
    for item in rest.by_ref() {
        let size = json_len(&item) + usize::from(!kept.is_empty());
        if used + size > budget {
            if kept.is_empty() {
                let room = budget.saturating_sub(used);
                kept.push(fit_at(item, room, format!("{at}[0]"), cuts));
            }
            break;
        }
        used += size;
        kept.push(item);
    }
    cuts.push(Cut {
        at,
        kept: kept.len(),
        total,
        unit: "items",
    });
    kept
}

/// Shrink the largest member when that alone is enough (the list inside a wrapper object
/// is what is big); otherwise keep the leading members that fit.
fn fit_object(
    members: Map<String, Value>,
    budget: usize,
    at: String,
    cuts: &mut Vec<Cut>,
) -> Map<String, Value> {
    let total = members.len();
    let size_of =
        |key: &str, value: &Value| json_len(&Value::String(key.to_owned())) + 1 + json_len(value);
    let sizes: Vec<usize> = members.iter().map(|(k, v)| size_of(k, v)).collect();
    let whole = 2 + sizes.iter().sum::<usize>() + total.saturating_sub(1);
    let excess = whole.saturating_sub(budget);
    let largest = sizes
        .iter()
        .enumerate()
        .max_by_key(|(_, size)| **size)
        .map(|(index, size)| (index, *size));
    let mut members = members;
    let mut shrunk = None;
    if let Some((index, size)) = largest
        && size > excess
        && let Some((key, value)) = members.iter_mut().nth(index)
    {
        let value_size = json_len(value);
        let first_cut = cuts.len();
        *value = fit_at(
            value.take(),
            value_size.saturating_sub(excess),
            member_path(&at, key),
            cuts,
        );
        if whole - value_size + json_len(value) <= budget {
            return members;
        }
        shrunk = Some((index, first_cut));
    }
    let mut used = 2;
    let mut kept = Map::new();
    for (key, value) in members {
        let size = size_of(&key, &value) + usize::from(!kept.is_empty());
        if used + size > budget {
            break;
        }
        used += size;
        kept.insert(key, value);
    }
    // A member cut down and then left out altogether is reported as left out only.
    if let Some((index, first_cut)) = shrunk
        && index >= kept.len()
    {
        cuts.truncate(first_cut);
    }
    cuts.push(Cut {
        at,
        kept: kept.len(),
        total,
        unit: "members",
    });
    kept
}

/// The leading characters of a string that fit, escapes counted.
fn fit_string(text: String, budget: usize, at: String, cuts: &mut Vec<Cut>) -> String {
    let total = text.chars().count();
    let mut used = 2;
    let mut end = 0;
    let mut kept = 0;
    for (offset, character) in text.char_indices() {
        let mut buffer = [0u8; 4];
        let size = json_len(&Value::String(
            character.encode_utf8(&mut buffer).to_owned(),
        )) - 2;
        if used + size > budget {
            break;
        }
        used += size;
        end = offset + character.len_utf8();
        kept += 1;
    }
    cuts.push(Cut {
        at,
        kept,
        total,
        unit: "characters",
    });
    let mut text = text;
    text.truncate(end);
    text
}

/// `$.name` for plain names, `$['odd name']` otherwise.
fn member_path(parent: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !key.starts_with(|c: char| c.is_ascii_digit());
    if plain {
        format!("{parent}.{key}")
    } else {
        format!(
            "{parent}['{}']",
            key.replace('\\', "\\\\").replace('\'', "\\'")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn items(n: usize) -> Vec<Value> {
        (0..n)
            .map(|i| json!({"id": i, "name": format!("item number {i}")}))
            .collect()
    }

    #[test]
    fn a_value_within_budget_is_untouched() {
        let value = json!({"a": [1, 2, 3]});
        assert_eq!(fit(value.clone(), 1000), (value, vec![]));
    }

    #[test]
    fn an_array_keeps_whole_leading_items_and_stays_valid() {
        let value = Value::Array(items(347));
        let (fitted, cuts) = fit(value, 2000);
        let text = fitted.to_string();
        assert!(text.len() <= 2000, "{}", text.len());
        let shown = fitted.as_array().expect("still an array");
        assert!(!shown.is_empty());
        assert_eq!(shown[0], json!({"id": 0, "name": "item number 0"}));
        assert_eq!(
            cuts,
            vec![Cut {
                at: "$".into(),
                kept: shown.len(),
                total: 347,
                unit: "items"
            }]
        );
        // Nothing more would have fit: one more item goes over the budget.
        let one_more = Value::Array(items(shown.len() + 1));
        assert!(one_more.to_string().len() > 2000);
    }

    #[test]
    fn the_big_list_inside_a_wrapper_is_cut_and_the_wrapper_kept() {
        let value = json!({"total_count": 347, "incomplete": false, "items": items(347)});
        let (fitted, cuts) = fit(value, 1500);
        assert!(fitted.to_string().len() <= 1500);
        assert_eq!(fitted["total_count"], json!(347));
        assert_eq!(fitted["incomplete"], json!(false));
        let shown = fitted["items"].as_array().expect("items kept").len();
        assert!(shown > 0);
        assert_eq!(
            cuts,
            vec![Cut {
                at: "$.items".into(),
                kept: shown,
                total: 347,
                unit: "items"
            }]
        );
    }

    #[test]
    fn objects_lose_whole_members_when_no_single_member_is_to_blame() {
        let members: Map<String, Value> = (0..50)
            .map(|i| (format!("key {i}"), json!(format!("value {i:04}"))))
            .collect();
        let (fitted, cuts) = fit(Value::Object(members), 300);
        let shown = fitted.as_object().expect("object");
        assert!(fitted.to_string().len() <= 300);
        assert!(shown.contains_key("key 0"));
        assert!(
            shown
                .values()
                .all(|v| v.as_str().is_some_and(|s| s.len() == 10))
        );
        assert_eq!(cuts.last().map(|c| c.unit), Some("members"));
        assert_eq!(cuts.last().map(|c| c.total), Some(50));
    }

    #[test]
    fn a_lone_huge_string_is_cut_at_a_character_boundary() {
        let (fitted, cuts) = fit(json!("é".repeat(1000)), 101);
        let text = fitted.as_str().expect("string");
        assert!(fitted.to_string().len() <= 101);
        assert!(text.chars().all(|c| c == 'é'));
        assert_eq!(cuts[0].unit, "characters");
        assert_eq!(cuts[0].total, 1000);
        assert_eq!(cuts[0].kept, text.chars().count());
    }

    #[test]
    fn an_item_too_big_alone_is_itself_cut() {
        let value = json!([{"blob": "x".repeat(5000)}, {"blob": "y"}]);
        let (fitted, cuts) = fit(value, 200);
        assert!(fitted.to_string().len() <= 200, "{}", fitted);
        assert!(
            fitted[0]["blob"]
                .as_str()
                .is_some_and(|s| s.starts_with('x'))
        );
        assert!(
            cuts.iter()
                .any(|c| c.at == "$[0].blob" && c.unit == "characters")
        );
        assert!(
            cuts.iter()
                .any(|c| c.at == "$" && c.kept == 1 && c.total == 2)
        );
    }

    #[test]
    fn odd_member_names_are_quoted_in_paths() {
        assert_eq!(member_path("$", "data"), "$.data");
        assert_eq!(member_path("$", "weird key"), "$['weird key']");
        assert_eq!(member_path("$", "it's"), "$['it\\'s']");
        assert_eq!(member_path("$", "1st"), "$['1st']");
    }
}
