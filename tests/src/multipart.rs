//! A small, strict `multipart/form-data` parser for inspecting recorded bodies.

/// One part of a `multipart/form-data` body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MultipartPart {
    /// The `name` of the part's `Content-Disposition`.
    pub name: String,
    /// The `filename` of the part's `Content-Disposition`, when present.
    pub filename: Option<String>,
    /// The part's `Content-Type`, when present.
    pub content_type: Option<String>,
    /// All part headers, names lowercased, in order.
    pub headers: Vec<(String, String)>,
    /// The part's content.
    pub body: Vec<u8>,
}

impl MultipartPart {
    /// The content as UTF-8 (invalid sequences replaced).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Extracts the boundary from a `multipart/form-data; boundary=...` content type.
pub(crate) fn boundary(content_type: &str) -> Option<String> {
    let mut params = content_type.split(';');
    let media = params.next()?.trim();
    if !media.eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params.find_map(|param| {
        let (name, value) = param.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| value.trim().trim_matches('"').to_owned())
    })
}

/// Parses `body` delimited by `boundary`. Errors describe the first malformation found.
pub(crate) fn parse(body: &[u8], boundary: &str) -> Result<Vec<MultipartPart>, String> {
    let delimiter = format!("--{boundary}").into_bytes();
    let close = format!("\r\n--{boundary}").into_bytes();
    let Some(first) = find(body, &delimiter, 0) else {
        return Err(format!("boundary {boundary:?} not found in body"));
    };
    let mut pos = first + delimiter.len();
    let mut parts = Vec::new();
    // Each iteration consumes at least one delimiter, so the loop ends.
    loop {
        if body[pos..].starts_with(b"--") {
            return Ok(parts);
        }
        if !body[pos..].starts_with(b"\r\n") {
            return Err(format!("no CRLF after boundary at byte {pos}"));
        }
        let start = pos + 2;
        let Some(end) = find(body, &close, start) else {
            return Err("unterminated part (no closing boundary)".to_owned());
        };
        parts.push(parse_part(&body[start..end])?);
        pos = end + close.len();
    }
}

fn parse_part(raw: &[u8]) -> Result<MultipartPart, String> {
    let (head, body) = match find(raw, b"\r\n\r\n", 0) {
        Some(i) => (&raw[..i], &raw[i + 4..]),
        None if raw.starts_with(b"\r\n") => (&raw[..0], &raw[2..]),
        None => return Err("part without a blank line after its headers".to_owned()),
    };
    let head = String::from_utf8_lossy(head);
    let mut headers = Vec::new();
    for line in head.split("\r\n").filter(|l| !l.is_empty()) {
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| format!("bad part header line {line:?}"))?;
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
    }
    let find_header = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    let disposition =
        find_header("content-disposition").ok_or("part without Content-Disposition")?;
    let name = disposition_param(&disposition, "name").ok_or("part without a name")?;
    Ok(MultipartPart {
        name,
        filename: disposition_param(&disposition, "filename"),
        content_type: find_header("content-type"),
        headers,
        body: body.to_vec(),
    })
}

/// Reads `param="value"` (or unquoted) from a `Content-Disposition` value.
fn disposition_param(disposition: &str, param: &str) -> Option<String> {
    disposition.split(';').skip(1).find_map(|item| {
        let (name, value) = item.split_once('=')?;
        if !name.trim().eq_ignore_ascii_case(param) {
            return None;
        }
        let value = value.trim();
        Some(
            match value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
                Some(quoted) => quoted.replace("\\\"", "\"").replace("\\\\", "\\"),
                None => value.to_owned(),
            },
        )
    })
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || from > haystack.len() {
        return None;
    }
    haystack[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| i + from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_parts() {
        let body = b"preamble\r\n--XyZ\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n\x89PNG\r\n--XyZ\r\nContent-Disposition: form-data; name=caption\r\n\r\nhi there\r\n--XyZ--\r\n";
        let ct = "multipart/form-data; boundary=\"XyZ\"";
        let parts = parse(body, &boundary(ct).expect("boundary")).expect("parse");
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].name, "photo");
        assert_eq!(parts[0].filename.as_deref(), Some("a.png"));
        assert_eq!(parts[0].content_type.as_deref(), Some("image/png"));
        assert_eq!(parts[0].body, b"\x89PNG");
        assert_eq!(parts[1].name, "caption");
        assert_eq!(parts[1].filename, None);
        assert_eq!(parts[1].text(), "hi there");
    }

    #[test]
    fn rejects_malformed() {
        assert!(boundary("application/json").is_none());
        assert!(parse(b"no boundary here", "b").is_err());
        assert!(
            parse(
                b"--b\r\nContent-Disposition: form-data; name=x\r\n\r\nopen",
                "b"
            )
            .is_err()
        );
        assert_eq!(parse(b"--b--\r\n", "b"), Ok(vec![]));
    }
}
