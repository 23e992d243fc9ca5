//! Reading an HTTP response body without trusting its size: every body the runtime reads
//! (upstream answers, spec downloads, token and JWKS responses) goes through here.

/// A response body read up to a limit.
pub(crate) struct BoundedBody {
    /// The bytes kept (at most the limit).
    pub(crate) bytes: Vec<u8>,
    /// How many bytes the body had, when known.
    pub(crate) total: Option<u64>,
    /// Whether bytes were cut.
    pub(crate) truncated: bool,
}

/// Why [`read_at_most`] returned no body.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ReadError {
    /// The body is larger than the limit (declared or counted).
    #[error("the body is larger than {limit} bytes")]
    TooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// The connection failed while reading.
    #[error("reading the body failed")]
    Transport(#[source] reqwest::Error),
}

/// Read at most `limit` bytes; keep counting (without storing) up to `count_limit` so the
/// caller can say how large the body was.
pub(crate) async fn read_bounded(
    mut response: reqwest::Response,
    limit: usize,
    count_limit: u64,
) -> Result<BoundedBody, reqwest::Error> {
    let declared = response.content_length();
    let mut bytes = Vec::with_capacity(declared.map_or(8 * 1024, |n| n.min(limit as u64) as usize));
    let mut seen: u64 = 0;
    let mut truncated = false;
    while let Some(chunk) = response.chunk().await? {
        seen += chunk.len() as u64;
        let room = limit.saturating_sub(bytes.len());
        if chunk.len() > room {
            truncated = true;
            bytes.extend_from_slice(&chunk[..room]);
        } else {
            bytes.extend_from_slice(&chunk);
        }
        if truncated && seen >= count_limit {
            return Ok(BoundedBody {
                bytes,
                total: declared,
                truncated,
            });
        }
    }
    Ok(BoundedBody {
        bytes,
        total: Some(declared.unwrap_or(seen).max(seen)),
        truncated,
    })
}

/// The whole body, or [`ReadError::TooLarge`] as soon as it is known to exceed `limit`
/// (from `Content-Length` before reading, or while reading).
pub(crate) async fn read_at_most(
    response: reqwest::Response,
    limit: usize,
) -> Result<Vec<u8>, ReadError> {
    if response
        .content_length()
        .is_some_and(|length| length > limit as u64)
    {
        return Err(ReadError::TooLarge { limit });
    }
    let body = read_bounded(response, limit, limit as u64 + 1)
        .await
        .map_err(ReadError::Transport)?;
    if body.truncated {
        return Err(ReadError::TooLarge { limit });
    }
    Ok(body.bytes)
}
