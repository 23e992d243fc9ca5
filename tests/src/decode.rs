//! Percent-decoding helpers (RFC 3986 and `application/x-www-form-urlencoded`).

/// Percent-decodes `s` (`%2F` → `/`); `+` is kept as is. Invalid escapes are kept
/// verbatim and invalid UTF-8 is replaced with U+FFFD.
pub fn percent_decode(s: &str) -> String {
    decode_bytes(s.as_bytes(), false)
}

/// Decodes an `application/x-www-form-urlencoded` string (`a=1&b=x+y`, also the URL
/// query) into name/value pairs, in order: `+` becomes a space, then percent-escapes are
/// decoded. Empty segments (`a=1&&b=2`) are skipped; a segment without `=` has an empty
/// value.
pub fn form_decode(s: &str) -> Vec<(String, String)> {
    s.split('&')
        .filter(|segment| !segment.is_empty())
        .map(|segment| {
            let (name, value) = segment.split_once('=').unwrap_or((segment, ""));
            (
                decode_bytes(name.as_bytes(), true),
                decode_bytes(value.as_bytes(), true),
            )
        })
        .collect()
}

fn decode_bytes(input: &[u8], plus_is_space: bool) -> String {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        match input[i] {
            b'%' => match (
                input.get(i + 1).and_then(|b| hex(*b)),
                input.get(i + 2).and_then(|b| hex(*b)),
            ) {
                (Some(hi), Some(lo)) => {
                    out.push(hi << 4 | lo);
                    i += 3;
                }
                _ => {
                    out.push(b'%');
                    i += 1;
                }
            },
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            other => {
                out.push(other);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("a%2Fb%20c+d"), "a/b c+d");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
        assert_eq!(percent_decode("%C3%A9"), "é");
    }

    #[test]
    fn form_decoding() {
        assert_eq!(
            form_decode("a=1&&b=x+y%26z&flag&metadata%5Bgift%5D=yes"),
            vec![
                ("a".into(), "1".into()),
                ("b".into(), "x y&z".into()),
                ("flag".into(), String::new()),
                ("metadata[gift]".into(), "yes".into()),
            ]
        );
        assert!(form_decode("").is_empty());
    }
}
