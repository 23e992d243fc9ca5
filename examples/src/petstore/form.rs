//! Decoding the list query and the order form (bracket notation) into typed values.

use std::collections::BTreeMap;

use super::model::PetStatus;

/// The arguments of `GET /pets`.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct ListQuery {
    /// At most this many pets (1..=100).
    pub(crate) limit: usize,
    /// Only pets with one of these statuses (empty: all).
    pub(crate) statuses: Vec<PetStatus>,
}

/// Decodes `limit` and `status` (comma-separated, `status=a,b`, or repeated,
/// `status=a&status=b`). Unknown parameters are rejected.
pub(crate) fn list_query(pairs: &[(String, String)]) -> Result<ListQuery, String> {
    let mut query = ListQuery {
        limit: 20,
        statuses: Vec::new(),
    };
    for (name, value) in pairs {
        match name.as_str() {
            "limit" => {
                query.limit = value
                    .parse()
                    .ok()
                    .filter(|n| (1..=100).contains(n))
                    .ok_or_else(|| {
                        format!("limit must be an integer from 1 to 100, got {value:?}")
                    })?;
            }
            "status" => {
                for item in value.split(',').filter(|s| !s.is_empty()) {
                    let status = PetStatus::parse(item).ok_or_else(|| {
                        format!("unknown status {item:?} (expected available, pending or sold)")
                    })?;
                    query.statuses.push(status);
                }
            }
            other => return Err(format!("unknown query parameter {other:?}")),
        }
    }
    Ok(query)
}

/// The fields of `POST /store/orders`.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct OrderForm {
    /// The pet to order.
    pub(crate) pet_id: i64,
    /// How many (at least 1; default 1).
    pub(crate) quantity: i64,
    /// `metadata[key]=value` fields gathered into a map.
    pub(crate) metadata: BTreeMap<String, String>,
}

/// Decodes `petId`, `quantity` and `metadata[key]=value` fields. Unknown fields,
/// duplicates and `metadata` without brackets are rejected with a message saying so.
pub(crate) fn order_form(pairs: &[(String, String)]) -> Result<OrderForm, String> {
    let mut pet_id = None;
    let mut quantity = None;
    let mut metadata = BTreeMap::new();
    for (name, value) in pairs {
        if let Some(key) = name
            .strip_prefix("metadata[")
            .and_then(|rest| rest.strip_suffix(']'))
        {
            if key.is_empty() || key.contains(['[', ']']) {
                return Err(format!("bad metadata field name {name:?}"));
            }
            if metadata.insert(key.to_owned(), value.clone()).is_some() {
                return Err(format!("duplicate field {name:?}"));
            }
            continue;
        }
        let slot = match name.as_str() {
            "petId" => &mut pet_id,
            "quantity" => &mut quantity,
            "metadata" => {
                return Err(
                    "metadata must be sent in bracket notation: metadata[key]=value".to_owned(),
                );
            }
            other => return Err(format!("unknown form field {other:?}")),
        };
        let number: i64 = value
            .parse()
            .map_err(|_| format!("{name} must be an integer, got {value:?}"))?;
        if slot.replace(number).is_some() {
            return Err(format!("duplicate field {name:?}"));
        }
    }
    let quantity = quantity.unwrap_or(1);
    if quantity < 1 {
        return Err(format!("quantity must be at least 1, got {quantity}"));
    }
    Ok(OrderForm {
        pet_id: pet_id.ok_or("missing required field petId")?,
        quantity,
        metadata,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn list_query_forms() {
        assert_eq!(
            list_query(&pairs(&[
                ("limit", "2"),
                ("status", "available,sold"),
                ("status", "pending")
            ])),
            Ok(ListQuery {
                limit: 2,
                statuses: vec![PetStatus::Available, PetStatus::Sold, PetStatus::Pending],
            })
        );
        assert_eq!(list_query(&[]).map(|q| q.limit), Ok(20));
        assert!(list_query(&pairs(&[("limit", "0")])).is_err());
        assert!(list_query(&pairs(&[("status", "lost")])).is_err());
        assert!(list_query(&pairs(&[("name", "x")])).is_err());
    }

    #[test]
    fn order_form_brackets() {
        let form = order_form(&pairs(&[
            ("petId", "4"),
            ("quantity", "2"),
            ("metadata[gift]", "yes"),
            ("metadata[note]", "a b"),
        ]))
        .expect("valid");
        assert_eq!(form.pet_id, 4);
        assert_eq!(form.quantity, 2);
        assert_eq!(form.metadata.get("gift").map(String::as_str), Some("yes"));
        assert_eq!(form.metadata.len(), 2);
        assert_eq!(
            order_form(&pairs(&[("petId", "1")])).map(|f| f.quantity),
            Ok(1)
        );
        for bad in [
            &[("quantity", "1")][..],
            &[("petId", "x")],
            &[("petId", "1"), ("metadata", "{\"gift\":\"yes\"}")],
            &[("petId", "1"), ("metadata.gift", "yes")],
            &[("petId", "1"), ("petId", "2")],
            &[("petId", "1"), ("quantity", "0")],
        ] {
            assert!(order_form(&pairs(bad)).is_err(), "{bad:?}");
        }
    }
}
