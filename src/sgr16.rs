//! The 16 terminal colours written as the 16-colour SGR codes (30–37, 90–97, 40–47, 100–107).
//!
//! crossterm writes every colour, the 16 named ones included, as a 256-colour code (`ESC[38;5;1m`),
//! which a 16-colour terminal (TERM=xterm, the Linux console, some serial consoles) does not
//! understand. The codes mean the same palette entries, so they are rewritten on the way out,
//! whatever backend or theme produced them: 256-colour and RGB codes above 15 pass unchanged.

use std::io::{self, Write};

/// Longest escape sequence held back while it is incomplete; longer ones pass unchanged.
const MAX_SEQUENCE: usize = 64;

/// A writer that rewrites 256-colour codes of the 16 terminal colours into 16-colour ones.
pub struct Sgr16<W: Write> {
    inner: W,
    /// An escape sequence begun in one write and not finished yet.
    pending: Vec<u8>,
}

impl<W: Write> Sgr16<W> {
    /// Wrap `inner`.
    pub fn new(inner: W) -> Sgr16<W> {
        Sgr16 {
            inner,
            pending: Vec::new(),
        }
    }

    /// The wrapped writer.
    pub fn get_ref(&self) -> &W {
        &self.inner
    }

    /// Pass on the pending sequence, rewritten if it is a complete SGR.
    fn finish(&mut self) -> io::Result<()> {
        let seq = std::mem::take(&mut self.pending);
        match sgr_params(&seq) {
            Some(params) => write!(self.inner, "\x1b[{}m", rewrite(params)),
            None => self.inner.write_all(&seq),
        }
    }
}

/// The parameters of `ESC [ params m` when they are digits and `;` only.
fn sgr_params(seq: &[u8]) -> Option<&str> {
    let params = seq.strip_prefix(b"\x1b[")?.strip_suffix(b"m")?;
    params
        .iter()
        .all(|b| b.is_ascii_digit() || *b == b';')
        .then(|| std::str::from_utf8(params).ok())
        .flatten()
}

/// `38;5;N` and `48;5;N` with N < 16 as `30+N`/`90+N-8` and `40+N`/`100+N-8`; the rest unchanged.
fn rewrite(params: &str) -> String {
    let p: Vec<&str> = params.split(';').collect();
    let mut out: Vec<String> = Vec::with_capacity(p.len());
    let mut i = 0;
    while i < p.len() {
        let base = match p[i] {
            "38" => Some(30),
            "48" => Some(40),
            _ => None,
        };
        match (base, p.get(i + 1), p.get(i + 2).and_then(|n| n.parse::<u8>().ok())) {
            (Some(base), Some(&"5"), Some(n)) if n < 16 => {
                out.push(if n < 8 { base + n } else { base + 60 + n - 8 }.to_string());
                i += 3;
            }
            // An RGB or 256-colour code: its numbers are not codes of their own.
            (Some(_), Some(&"2"), _) => {
                out.extend(p[i..(i + 5).min(p.len())].iter().map(|s| s.to_string()));
                i += 5;
            }
            (Some(_), Some(&"5"), _) => {
                out.extend(p[i..(i + 3).min(p.len())].iter().map(|s| s.to_string()));
                i += 3;
            }
            _ => {
                out.push(p[i].to_string());
                i += 1;
            }
        }
    }
    out.join(";")
}

impl<W: Write> Write for Sgr16<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut plain = 0;
        for (i, &b) in buf.iter().enumerate() {
            if self.pending.is_empty() {
                if b == 0x1b {
                    self.inner.write_all(&buf[plain..i])?;
                    self.pending.push(b);
                }
                continue;
            }
            self.pending.push(b);
            plain = i + 1;
            let len = self.pending.len();
            // ESC [ parameters, then one final byte in 0x40..=0x7e ends a control sequence.
            let done = match len {
                2 => b != b'[',
                _ => (0x40..=0x7e).contains(&b) || len >= MAX_SEQUENCE,
            };
            if done {
                self.finish()?;
            }
        }
        if self.pending.is_empty() {
            self.inner.write_all(&buf[plain..])?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn through(chunks: &[&[u8]]) -> String {
        let mut w = Sgr16::new(Vec::new());
        for c in chunks {
            w.write_all(c).unwrap();
        }
        String::from_utf8(w.get_ref().clone()).unwrap()
    }

    #[test]
    fn the_sixteen_colours_become_sixteen_colour_codes() {
        assert_eq!(through(&[b"\x1b[38;5;1mred"]), "\x1b[31mred");
        assert_eq!(through(&[b"\x1b[38;5;9;48;5;4mx"]), "\x1b[91;44mx");
        assert_eq!(through(&[b"\x1b[48;5;15m"]), "\x1b[107m");
        // Split across writes, as crossterm writes a command in pieces.
        assert_eq!(through(&[b"a\x1b", b"[38;", b"5;", b"3", b"m", b"b"]), "a\x1b[33mb");
    }

    #[test]
    fn everything_else_passes_unchanged() {
        for s in [
            "\x1b[38;5;196m",
            "\x1b[38;2;1;5;3m",
            "\x1b[1m\x1b[0m",
            "\x1b[58;5;1m",
            "\x1b[10;20H",
            "\x1b[?25l",
            "plain text ✓",
        ] {
            assert_eq!(through(&[s.as_bytes()]), s);
        }
    }
}
