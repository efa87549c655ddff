//! A cut line saved whole: read again from the server (the log from the line's second on), found by
//! its timestamp, and streamed to a file, so even a line of gigabytes never sits in memory.

use std::path::Path;

use futures::{AsyncBufRead, AsyncBufReadExt};
use jiff::Timestamp;
use k8s_openapi::api::core::v1::Pod;
use kube::Client;
use kube::api::{Api, LogParams};
use tokio::io::AsyncWriteExt;

use super::resume::floor;

/// Where a line came from, to read it again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WholeLine {
    /// Namespace.
    pub namespace: String,
    /// Pod name.
    pub pod: String,
    /// Container name.
    pub container: String,
    /// The line's timestamp (its identity in the log).
    pub ts: Timestamp,
    /// From the previous run of the container.
    pub previous: bool,
    /// The line's first bytes (up to [`PREFIX`]): lines can share a timestamp.
    pub prefix: String,
}

/// Bytes of a line's start compared to tell it from others of the same timestamp.
pub const PREFIX: usize = 1024;

/// The first [`PREFIX`] bytes of `text` (on a character boundary).
pub fn prefix_of(text: &str) -> String {
    let mut end = text.len().min(PREFIX);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_string()
}

/// Read the line again and write it to `path` (which must not exist); the bytes written.
pub async fn save(client: Client, line: &WholeLine, path: &Path) -> Result<u64, String> {
    let api: Api<Pod> = Api::namespaced(client, &line.namespace);
    let lp = LogParams {
        container: Some(line.container.clone()),
        timestamps: true,
        previous: line.previous,
        since_time: Some(floor(line.ts)),
        ..Default::default()
    };
    let reader = api
        .log_stream(&line.pod, &lp)
        .await
        .map_err(|e| format!("cannot read the log again: {e}"))?;
    let mut reader = Box::pin(reader);
    let mut file = create(path).await?;
    loop {
        let Some(stamp) = read_stamp(&mut reader).await.map_err(|e| e.to_string())? else {
            let _ = tokio::fs::remove_file(path).await;
            return Err("the line is no longer in the container's log (rotated away?)".into());
        };
        let mut head = Vec::new();
        if stamp == Some(line.ts) {
            read_text_head(&mut reader, line.prefix.len(), &mut head)
                .await
                .map_err(|e| e.to_string())?;
        }
        let hit = stamp == Some(line.ts) && head == line.prefix.as_bytes();
        if hit {
            file.write_all(&head).await.map_err(|e| e.to_string())?;
        }
        let n = copy_rest(&mut reader, hit.then_some(&mut file))
            .await
            .map_err(|e| format!("writing {}: {e}", path.display()))?;
        if hit {
            file.write_all(b"\n").await.map_err(|e| e.to_string())?;
            file.flush().await.map_err(|e| e.to_string())?;
            return Ok(head.len() as u64 + n);
        }
    }
}

/// Up to `n` bytes of the line's text into `head`, stopping before its newline.
async fn read_text_head(r: &mut (impl AsyncBufRead + Unpin), n: usize, head: &mut Vec<u8>) -> std::io::Result<()> {
    while head.len() < n {
        let chunk = r.fill_buf().await?;
        if chunk.is_empty() {
            return Ok(());
        }
        let want = (n - head.len()).min(chunk.len());
        let take = chunk[..want].iter().position(|&b| b == b'\n').unwrap_or(want);
        head.extend_from_slice(&chunk[..take]);
        r.consume_unpin(take);
        if take < want {
            return Ok(());
        }
    }
    Ok(())
}

/// Write a line kept whole to `path` (which must not exist); the bytes written.
pub async fn save_kept(text: &str, path: &Path) -> Result<u64, String> {
    let mut file = create(path).await?;
    file.write_all(text.as_bytes()).await.map_err(|e| e.to_string())?;
    file.write_all(b"\n").await.map_err(|e| e.to_string())?;
    file.flush().await.map_err(|e| e.to_string())?;
    Ok(text.len() as u64)
}

async fn create(path: &Path) -> Result<tokio::fs::File, String> {
    tokio::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .await
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => format!("{} exists: not overwritten", path.display()),
            _ => format!("cannot write {}: {e}", path.display()),
        })
}

/// The timestamp before the first space of the next line (None inside: no stamp); None outside at the end.
async fn read_stamp(r: &mut (impl AsyncBufRead + Unpin)) -> std::io::Result<Option<Option<Timestamp>>> {
    let mut head = Vec::new();
    loop {
        let chunk = r.fill_buf().await?;
        if chunk.is_empty() {
            return Ok(None);
        }
        // A stamp is about 30 bytes; past 64 this is no stamp, and the rest is the line's text.
        let room = 64usize.saturating_sub(head.len());
        match chunk.iter().take(room).position(|&b| b == b' ' || b == b'\n') {
            Some(i) => {
                head.extend_from_slice(&chunk[..i]);
                // The space goes; a newline stays for `copy_rest` to end the line on.
                let end = chunk[i] == b'\n';
                r.consume_unpin(i + usize::from(!end));
                return Ok(Some(std::str::from_utf8(&head).ok().and_then(|s| s.parse().ok())));
            }
            None if room <= chunk.len() => {
                head.extend_from_slice(&chunk[..room]);
                r.consume_unpin(room);
                return Ok(Some(None));
            }
            None => {
                let n = chunk.len();
                head.extend_from_slice(chunk);
                r.consume_unpin(n);
            }
        }
    }
}

/// Copy the rest of the line (without its newline) to `sink`, or skip it; the bytes it had.
async fn copy_rest(
    r: &mut (impl AsyncBufRead + Unpin),
    mut sink: Option<&mut tokio::fs::File>,
) -> std::io::Result<u64> {
    let mut n = 0u64;
    loop {
        let chunk = r.fill_buf().await?;
        if chunk.is_empty() {
            return Ok(n);
        }
        let (part, end) = match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => (&chunk[..i], Some(i + 1)),
            None => (chunk, None),
        };
        if let Some(f) = sink.as_deref_mut() {
            f.write_all(part).await?;
        }
        n += part.len() as u64;
        let used = end.unwrap_or(part.len());
        r.consume_unpin(used);
        if end.is_some() {
            return Ok(n);
        }
    }
}
