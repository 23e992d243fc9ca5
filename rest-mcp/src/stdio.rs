//! The stdio transport: one JSON-RPC message per line on stdin, one per line on stdout.
//!
//! rmcp's own line transport drops a line that is not JSON without a word, so a client
//! that sent it waits for its own timeout. Here every line gets its answer, as JSON-RPC
//! 2.0 §5.1 asks: `-32700` for a line that is not JSON, `-32600` for JSON that is not a
//! JSON-RPC message (with the request's id when it has a readable one) and for a line
//! over the size limit. The session ends when stdin closes or stdout does.

use std::sync::Arc;

use rmcp::RoleServer;
use rmcp::model::{ClientJsonRpcMessage, ErrorCode, ErrorData, RequestId, ServerJsonRpcMessage};
use rmcp::service::{RxJsonRpcMessage, TxJsonRpcMessage};
use rmcp::transport::Transport;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::{Mutex, mpsc};
use tokio::task::JoinHandle;

/// The longest line read as a message (rmcp's own limit); a longer one is answered with
/// `-32600` and skipped.
const MAX_LINE_BYTES: usize = 16 * 1024 * 1024;

/// Messages read but not yet taken by the service: reading pauses when it is full.
const READ_AHEAD: usize = 64;

/// A newline-delimited JSON-RPC transport over any reader and writer (stdin and stdout
/// for `--transport stdio`).
pub(crate) struct LineTransport<W> {
    incoming: mpsc::Receiver<ClientJsonRpcMessage>,
    writer: Arc<Mutex<Option<W>>>,
    reading: JoinHandle<()>,
}

impl<W> LineTransport<W>
where
    W: AsyncWrite + Unpin + Send + 'static,
{
    /// Read messages from `reader` and write answers to `writer`.
    pub(crate) fn new<R>(reader: R, writer: W) -> Self
    where
        R: AsyncRead + Unpin + Send + 'static,
    {
        let writer = Arc::new(Mutex::new(Some(writer)));
        let (sender, incoming) = mpsc::channel(READ_AHEAD);
        let reading = tokio::spawn(read_lines(BufReader::new(reader), sender, writer.clone()));
        Self {
            incoming,
            writer,
            reading,
        }
    }
}

impl<W> Drop for LineTransport<W> {
    fn drop(&mut self) {
        self.reading.abort();
    }
}

impl<W> Transport<RoleServer> for LineTransport<W>
where
    W: AsyncWrite + Unpin + Send + 'static,
{
    type Error = std::io::Error;

    fn send(
        &mut self,
        item: TxJsonRpcMessage<RoleServer>,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send + 'static {
        let writer = self.writer.clone();
        async move { write_message(&writer, &item).await }
    }

    async fn receive(&mut self) -> Option<RxJsonRpcMessage<RoleServer>> {
        self.incoming.recv().await
    }

    async fn close(&mut self) -> Result<(), Self::Error> {
        self.reading.abort();
        let mut writer = self.writer.lock().await;
        if let Some(mut open) = writer.take() {
            open.shutdown().await?;
        }
        Ok(())
    }
}

/// One line of input, as read.
enum Line {
    /// A whole line, without its newline.
    Complete,
    /// A line longer than [`MAX_LINE_BYTES`], skipped up to its newline.
    TooLong,
    /// Input ended (or failed) with no further line.
    End,
}

/// Read lines until input ends, passing messages on and answering the rest.
async fn read_lines<R, W>(
    mut reader: BufReader<R>,
    sender: mpsc::Sender<ClientJsonRpcMessage>,
    writer: Arc<Mutex<Option<W>>>,
) where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut line = Vec::new();
    loop {
        let refusal = match read_line(&mut reader, &mut line).await {
            Line::End => return,
            Line::TooLong => Some(refusal(
                ErrorCode::INVALID_REQUEST,
                format!(
                    "Invalid Request: a message may be at most {MAX_LINE_BYTES} bytes on one line"
                ),
                None,
            )),
            Line::Complete if line.trim_ascii().is_empty() => None,
            Line::Complete => match serde_json::from_slice::<ClientJsonRpcMessage>(&line) {
                Ok(message) => {
                    if sender.send(message).await.is_err() {
                        return;
                    }
                    None
                }
                Err(error) => Some(unreadable(&line, &error)),
            },
        };
        if let Some(answer) = refusal {
            tracing::debug!(
                code = answer_code(&answer),
                "answered an unreadable stdin line"
            );
            if write_message(&writer, &answer).await.is_err() {
                return;
            }
        }
    }
}

/// Read one line into `line` (cleared first), never holding more than [`MAX_LINE_BYTES`].
async fn read_line<R: AsyncRead + Unpin>(reader: &mut BufReader<R>, line: &mut Vec<u8>) -> Line {
    line.clear();
    let limit = MAX_LINE_BYTES as u64 + 1;
    match (&mut *reader).take(limit).read_until(b'\n', line).await {
        Ok(0) | Err(_) => return Line::End,
        Ok(_) => {}
    }
    if line.last() == Some(&b'\n') {
        line.pop();
        return Line::Complete;
    }
    if line.len() <= MAX_LINE_BYTES {
        // The last line, without a newline.
        return Line::Complete;
    }
    // Skip the rest of the oversized line, a buffer at a time.
    loop {
        let (done, used) = match reader.fill_buf().await {
            Ok([]) | Err(_) => return Line::TooLong,
            Ok(buffer) => match buffer.iter().position(|&b| b == b'\n') {
                Some(at) => (true, at + 1),
                None => (false, buffer.len()),
            },
        };
        reader.consume(used);
        if done {
            line.clear();
            return Line::TooLong;
        }
    }
}

/// The answer to a line rmcp's message types cannot read: a parse error for text that
/// is not JSON, an invalid request for JSON that is not a JSON-RPC message.
fn unreadable(line: &[u8], error: &serde_json::Error) -> ServerJsonRpcMessage {
    use serde_json::error::Category;
    match error.classify() {
        Category::Syntax | Category::Eof | Category::Io => refusal(
            ErrorCode::PARSE_ERROR,
            format!(
                "Parse error: the line is not JSON ({error}); send one JSON-RPC message per line"
            ),
            None,
        ),
        Category::Data => {
            let value: Option<serde_json::Value> = serde_json::from_slice(line).ok();
            let id = value
                .as_ref()
                .and_then(|v| v.get("id"))
                .and_then(|id| serde_json::from_value::<RequestId>(id.clone()).ok());
            refusal(
                ErrorCode::INVALID_REQUEST,
                format!(
                    "Invalid Request: not a JSON-RPC 2.0 message ({error}); a request needs \"jsonrpc\": \"2.0\", an \"id\" (string or number) and a \"method\" string"
                ),
                id,
            )
        }
    }
}

fn refusal(code: ErrorCode, message: String, id: Option<RequestId>) -> ServerJsonRpcMessage {
    ServerJsonRpcMessage::error(ErrorData::new(code, message, None), id)
}

fn answer_code(answer: &ServerJsonRpcMessage) -> i32 {
    match answer {
        ServerJsonRpcMessage::Error(error) => error.error.code.0,
        _ => 0,
    }
}

/// Write one message and its newline, and flush, so the client sees it at once.
async fn write_message<W: AsyncWrite + Unpin>(
    writer: &Mutex<Option<W>>,
    message: &ServerJsonRpcMessage,
) -> std::io::Result<()> {
    let mut bytes = serde_json::to_vec(message)?;
    bytes.push(b'\n');
    let mut writer = writer.lock().await;
    let Some(open) = writer.as_mut() else {
        return Err(std::io::Error::new(
            std::io::ErrorKind::NotConnected,
            "the transport is closed",
        ));
    };
    open.write_all(&bytes).await?;
    open.flush().await
}
