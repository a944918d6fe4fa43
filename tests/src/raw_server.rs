//! A loopback HTTP/1.1 server on a bare TCP listener, for the transport tests: it counts
//! connections, records each request line exactly as received, and answers in ways a
//! framework would not let a handler (a body announced but never sent, an endless or trickling
//! stream, a connection closed mid-body, no answer at all).

use std::{
    net::SocketAddr,
    sync::{
        Arc, Mutex, PoisonError,
        atomic::{AtomicU64, AtomicUsize, Ordering},
    },
    time::Duration,
};

use tokio::{
    io::{AsyncReadExt as _, AsyncWriteExt as _},
    net::{TcpListener, TcpStream},
    task::{JoinHandle, JoinSet},
};

/// A request as received.
#[derive(Debug, Clone)]
pub struct RawRequest {
    /// The request line, without its line break: `GET /a%5Cb HTTP/1.1`.
    pub request_line: String,
    /// The method.
    pub method: String,
    /// The request target (path and query) exactly as sent.
    pub target: String,
    /// Headers, names lower-case, in the order received.
    pub headers: Vec<(String, String)>,
    /// The body (read by `Content-Length`).
    pub body: Vec<u8>,
}

impl RawRequest {
    /// The first value of header `name`.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The value of query parameter `name`, as sent.
    pub fn query(&self, name: &str) -> Option<&str> {
        self.target
            .split_once('?')?
            .1
            .split('&')
            .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
    }
}

/// How a response body is sent.
#[derive(Debug, Clone)]
pub enum Body {
    /// These bytes, with `Content-Length`; the connection stays open for the next request.
    Full(Vec<u8>),
    /// `Content-Length: length`, then filler in `chunk`-byte writes every `every`; after `send`
    /// bytes the connection is closed (`send < length`: closed mid-body).
    Announced {
        /// The length announced.
        length: u64,
        /// The bytes actually sent.
        send: u64,
        /// Bytes per write.
        chunk: usize,
        /// Pause between writes.
        every: Duration,
    },
    /// `Transfer-Encoding: chunked`, `chunk`-byte chunks every `every`; `total` bytes in all,
    /// or endless with `None`.
    Chunked {
        /// Bytes per chunk.
        chunk: usize,
        /// Pause between chunks.
        every: Duration,
        /// Bytes in all (`None`: until the client goes away).
        total: Option<u64>,
    },
}

/// What to answer to one request.
#[derive(Debug, Clone)]
pub enum Reply {
    /// An answer, after `delay`.
    Answer {
        /// Wait this long before the status line.
        delay: Duration,
        /// The status.
        status: u16,
        /// Headers besides the framing ones.
        headers: Vec<(String, String)>,
        /// The body.
        body: Body,
    },
    /// No answer: the connection is held open until the client closes it.
    Hang,
}

impl Reply {
    /// `status` with a JSON body.
    pub fn json(status: u16, body: &str) -> Self {
        Reply::Answer {
            delay: Duration::ZERO,
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: Body::Full(body.as_bytes().to_vec()),
        }
    }

    /// `status` with `body` sent as `body` says, as `application/json`.
    pub fn streamed(status: u16, body: Body) -> Self {
        Reply::Answer {
            delay: Duration::ZERO,
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body,
        }
    }

    /// This reply with header `name: value` too.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        if let Reply::Answer { headers, .. } = &mut self {
            headers.push((name.to_owned(), value.to_owned()));
        }
        self
    }

    /// This reply after `wait`.
    pub fn after(mut self, wait: Duration) -> Self {
        if let Reply::Answer { delay, .. } = &mut self {
            *delay = wait;
        }
        self
    }
}

type Handler = dyn Fn(&RawRequest, usize) -> Reply + Send + Sync;

struct Shared {
    handler: Box<Handler>,
    connections: AtomicUsize,
    requests: Mutex<Vec<RawRequest>>,
    body_bytes_sent: AtomicU64,
    disconnects: AtomicUsize,
}

impl Shared {
    fn requests(&self) -> std::sync::MutexGuard<'_, Vec<RawRequest>> {
        self.requests.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The server; stops, with all its connections, when dropped.
pub struct RawServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl RawServer {
    /// Starts a server on `127.0.0.1` at a free port; `handler` gets each request and its
    /// index (0 for the first request the server received).
    pub async fn start(
        handler: impl Fn(&RawRequest, usize) -> Reply + Send + Sync + 'static,
    ) -> std::io::Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            handler: Box::new(handler),
            connections: AtomicUsize::new(0),
            requests: Mutex::new(Vec::new()),
            body_bytes_sent: AtomicU64::new(0),
            disconnects: AtomicUsize::new(0),
        });
        let state = shared.clone();
        let task = tokio::spawn(async move {
            // Owned by this task, so that aborting it ends every connection too.
            let mut connections = JoinSet::new();
            while let Ok((stream, _)) = listener.accept().await {
                state.connections.fetch_add(1, Ordering::SeqCst);
                connections.spawn(serve(stream, state.clone()));
            }
        });
        Ok(Self { addr, shared, task })
    }

    /// A server that answers everything `200 {}`: an origin that must never be reached.
    pub async fn bystander() -> std::io::Result<Self> {
        Self::start(|_, _| Reply::json(200, "{}")).await
    }

    /// `http://127.0.0.1:{port}`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// TCP connections accepted so far.
    pub fn connections(&self) -> usize {
        self.shared.connections.load(Ordering::SeqCst)
    }

    /// The requests received so far.
    pub fn requests(&self) -> Vec<RawRequest> {
        self.shared.requests().clone()
    }

    /// Body bytes written so far (filler of streamed bodies included).
    pub fn body_bytes_sent(&self) -> u64 {
        self.shared.body_bytes_sent.load(Ordering::SeqCst)
    }

    /// Connections on which a write failed because the client had gone away.
    pub fn disconnects(&self) -> usize {
        self.shared.disconnects.load(Ordering::SeqCst)
    }
}

impl Drop for RawServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Serves requests on one connection until it closes or a reply ends it.
async fn serve(mut stream: TcpStream, shared: Arc<Shared>) {
    let mut buffer = Vec::new();
    loop {
        let Some(request) = read_request(&mut stream, &mut buffer).await else {
            return;
        };
        let index = {
            let mut requests = shared.requests();
            requests.push(request.clone());
            requests.len() - 1
        };
        let reply = (shared.handler)(&request, index);
        let keep_open = match reply {
            Reply::Hang => {
                // Read (and drop) whatever comes until the client closes.
                let mut sink = [0u8; 1024];
                while matches!(stream.read(&mut sink).await, Ok(n) if n > 0) {}
                return;
            }
            Reply::Answer {
                delay,
                status,
                headers,
                body,
            } => {
                tokio::time::sleep(delay).await;
                match answer(&mut stream, &shared, status, &headers, body).await {
                    Ok(keep_open) => keep_open,
                    Err(_) => {
                        shared.disconnects.fetch_add(1, Ordering::SeqCst);
                        return;
                    }
                }
            }
        };
        if !keep_open {
            return;
        }
    }
}

/// Writes one answer; `Ok(true)` when the connection can serve another request.
async fn answer(
    stream: &mut TcpStream,
    shared: &Shared,
    status: u16,
    headers: &[(String, String)],
    body: Body,
) -> std::io::Result<bool> {
    let reason = http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Unknown");
    let mut head = format!("HTTP/1.1 {status} {reason}\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    let sent = |n: usize| {
        shared.body_bytes_sent.fetch_add(n as u64, Ordering::SeqCst);
    };
    match body {
        Body::Full(bytes) => {
            head.push_str(&format!("content-length: {}\r\n\r\n", bytes.len()));
            stream.write_all(head.as_bytes()).await?;
            stream.write_all(&bytes).await?;
            sent(bytes.len());
            Ok(true)
        }
        Body::Announced {
            length,
            send,
            chunk,
            every,
        } => {
            head.push_str(&format!("content-length: {length}\r\n\r\n"));
            stream.write_all(head.as_bytes()).await?;
            let filler = vec![b'x'; chunk.max(1)];
            let mut left = send;
            while left > 0 {
                let n = filler.len().min(left as usize);
                stream.write_all(&filler[..n]).await?;
                stream.flush().await?;
                sent(n);
                left -= n as u64;
                tokio::time::sleep(every).await;
            }
            Ok(false)
        }
        Body::Chunked {
            chunk,
            every,
            total,
        } => {
            head.push_str("transfer-encoding: chunked\r\n\r\n");
            stream.write_all(head.as_bytes()).await?;
            let filler = vec![b'x'; chunk.max(1)];
            let mut left = total;
            loop {
                let n = match left {
                    Some(0) => break,
                    Some(l) => filler.len().min(l as usize),
                    None => filler.len(),
                };
                stream.write_all(format!("{n:x}\r\n").as_bytes()).await?;
                stream.write_all(&filler[..n]).await?;
                stream.write_all(b"\r\n").await?;
                sent(n);
                if let Some(l) = &mut left {
                    *l -= n as u64;
                }
                if !every.is_zero() {
                    tokio::time::sleep(every).await;
                }
            }
            stream.write_all(b"0\r\n\r\n").await?;
            Ok(false)
        }
    }
}

/// Reads one request (head, then a `Content-Length` body); `None` at the end of the
/// connection or on anything malformed.
async fn read_request(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Option<RawRequest> {
    let head_end = loop {
        if let Some(i) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        if buffer.len() > 64 * 1024 {
            return None;
        }
        let mut chunk = [0u8; 4096];
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    buffer.drain(..head_end + 4);
    let mut lines = head.split("\r\n");
    let request_line = lines.next()?.to_owned();
    let mut parts = request_line.split(' ');
    let method = parts.next()?.to_owned();
    let target = parts.next()?.to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    while buffer.len() < length {
        let mut chunk = [0u8; 4096];
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
    let body = buffer.drain(..length).collect();
    Some(RawRequest {
        request_line,
        method,
        target,
        headers,
        body,
    })
}
