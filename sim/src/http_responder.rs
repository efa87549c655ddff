//! The tiny HTTP/1.1 server behind every container port of a running demo pod (what port-forward
//! reaches): any request is answered `200` with its method, path and the pod's name; `GET
//! /bytes/N` adds N bytes (at most 16 MiB) so that throughput can be measured. Keep-alive holds
//! until the client sends `Connection: close`. Pure: bytes in, bytes out, on any transport.

/// The largest body `/bytes/N` sends.
pub const MAX_BYTES: usize = 16 << 20;

/// Headers longer than this are refused (431) and the connection closed, as servers do.
const MAX_HEAD: usize = 64 << 10;

/// One connection's parser.
#[derive(Debug, Clone)]
pub struct Responder {
    pod: String,
    buf: Vec<u8>,
    /// Request body bytes still to be skipped.
    skip: usize,
    closed: bool,
}

/// What the connection should do after some bytes were fed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Reply {
    /// Bytes to send back.
    pub out: Vec<u8>,
    /// Close the connection after sending them.
    pub close: bool,
}

impl Responder {
    /// A connection to a port of `pod`.
    pub fn new(pod: &str) -> Responder {
        Responder {
            pod: pod.to_string(),
            buf: Vec::new(),
            skip: 0,
            closed: false,
        }
    }

    /// Feed bytes the client sent; the responses to every request they complete.
    pub fn feed(&mut self, mut data: &[u8]) -> Reply {
        let mut reply = Reply::default();
        if self.closed {
            return reply;
        }
        loop {
            if self.skip > 0 {
                let n = self.skip.min(data.len());
                self.skip -= n;
                data = &data[n..];
                if self.skip > 0 {
                    return reply;
                }
            }
            self.buf.extend_from_slice(data);
            data = &[];
            let Some(end) = find(&self.buf, b"\r\n\r\n") else {
                if self.buf.len() > MAX_HEAD {
                    reply.out.extend(response(
                        431,
                        "Request Header Fields Too Large",
                        b"headers too large\n",
                        true,
                    ));
                    reply.close = true;
                    self.closed = true;
                }
                return reply;
            };
            let head: Vec<u8> = self.buf.drain(..end + 4).collect();
            let rest = std::mem::take(&mut self.buf);
            let (out, close, body_len) = self.answer(&String::from_utf8_lossy(&head));
            reply.out.extend(out);
            if close {
                reply.close = true;
                self.closed = true;
                return reply;
            }
            // The rest of what arrived: this request's body first, then the next request.
            self.skip = body_len;
            if rest.is_empty() && self.skip == 0 {
                return reply;
            }
            let n = self.skip.min(rest.len());
            self.skip -= n;
            self.buf = rest[n..].to_vec();
            if self.buf.is_empty() || find(&self.buf, b"\r\n\r\n").is_none() {
                return reply;
            }
        }
    }

    /// The response to one request head: (bytes, close, request body length).
    fn answer(&self, head: &str) -> (Vec<u8>, bool, usize) {
        let mut lines = head.split("\r\n");
        let mut words = lines.next().unwrap_or("").split(' ');
        let (method, path, version) = (
            words.next().unwrap_or(""),
            words.next().unwrap_or(""),
            words.next().unwrap_or(""),
        );
        if method.is_empty() || path.is_empty() || !version.starts_with("HTTP/1.") {
            return (response(400, "Bad Request", b"bad request line\n", true), true, 0);
        }
        let mut body_len = 0;
        let mut close = version == "HTTP/1.0";
        for l in lines {
            let Some((k, v)) = l.split_once(':') else { continue };
            let v = v.trim();
            if k.eq_ignore_ascii_case("content-length") {
                body_len = v.parse().unwrap_or(0);
            } else if k.eq_ignore_ascii_case("connection") {
                close = v.eq_ignore_ascii_case("close");
            }
        }
        let mut body = format!("{method} {path} from pod {}\n", self.pod).into_bytes();
        if let Some(n) = path.strip_prefix("/bytes/").and_then(|n| n.parse::<usize>().ok()) {
            body.resize(body.len() + n.min(MAX_BYTES), b'x');
        }
        (response(200, "OK", &body, close), close, body_len)
    }
}

fn response(code: u16, reason: &str, body: &[u8], close: bool) -> Vec<u8> {
    let conn = if close { "close" } else { "keep-alive" };
    let mut out = format!(
        "HTTP/1.1 {code} {reason}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nConnection: {conn}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Serves [`Responder`] on a plain TCP stream (the bench's direct comparison).
pub async fn serve_tcp(pod: &str, mut stream: tokio::net::TcpStream) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut r = Responder::new(pod);
    let mut buf = vec![0u8; 64 << 10];
    loop {
        let n = match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        let reply = r.feed(&buf[..n]);
        if stream.write_all(&reply.out).await.is_err() || reply.close {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(r: &Reply) -> String {
        String::from_utf8_lossy(&r.out).into_owned()
    }

    #[test]
    fn answers_each_request_with_method_path_and_pod_keeping_the_connection() {
        let mut r = Responder::new("web-1");
        let a = r.feed(b"GET /a HTTP/1.1\r\nHost: x\r\n\r\nPOST /b HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc");
        let t = text(&a);
        assert!(
            t.contains("GET /a from pod web-1\n") && t.contains("POST /b from pod web-1\n"),
            "{t}"
        );
        assert!(!a.close);
        // Split across reads, then closed on request.
        assert!(r.feed(b"GET /c HTT").out.is_empty());
        let c = r.feed(b"P/1.1\r\nConnection: close\r\n\r\n");
        assert!(text(&c).ends_with("GET /c from pod web-1\n") && c.close);
        assert!(r.feed(b"GET / HTTP/1.1\r\n\r\n").out.is_empty());
    }

    #[test]
    fn bytes_sends_the_size_asked_and_garbage_is_refused() {
        let mut r = Responder::new("p");
        let t = text(&r.feed(b"GET /bytes/10 HTTP/1.1\r\n\r\n"));
        assert!(
            t.contains("Content-Length: 35\r\n") && t.ends_with("p\nxxxxxxxxxx"),
            "{t}"
        );
        let bad = Responder::new("p").feed(b"hello\r\n\r\n");
        assert!(text(&bad).starts_with("HTTP/1.1 400") && bad.close);
    }
}
