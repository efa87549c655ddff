//! The bounded line buffer: lines are numbered from the start of the session, so positions stay valid
//! while old lines leave, and the number that left is always known.

use std::collections::VecDeque;

use crate::cluster::logs::Line;

/// The default number of lines kept.
pub const DEFAULT_CAPACITY: usize = 100_000;

/// A ring of log lines with absolute sequence numbers.
#[derive(Debug, Clone)]
pub struct Ring {
    lines: VecDeque<Line>,
    capacity: usize,
    /// Lines that left the ring (also the sequence number of the oldest one kept).
    evicted: u64,
}

impl Default for Ring {
    fn default() -> Self {
        Ring::new(DEFAULT_CAPACITY)
    }
}

impl Ring {
    /// An empty ring keeping at most `capacity` lines (at least one).
    pub fn new(capacity: usize) -> Ring {
        Ring {
            lines: VecDeque::new(),
            capacity: capacity.max(1),
            evicted: 0,
        }
    }

    /// Append a line, evicting the oldest when full.
    pub fn push(&mut self, line: Line) {
        if self.lines.len() == self.capacity {
            self.lines.pop_front();
            self.evicted += 1;
        }
        self.lines.push_back(line);
    }

    /// Lines that have left the ring.
    pub fn evicted(&self) -> u64 {
        self.evicted
    }

    /// Lines ever pushed.
    pub fn total(&self) -> u64 {
        self.evicted + self.lines.len() as u64
    }

    /// Lines kept.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// Whether no line is kept.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// The most lines kept.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Sequence number of the oldest line kept.
    pub fn first(&self) -> u64 {
        self.evicted
    }

    /// The line with sequence number `seq`, if still kept.
    pub fn get(&self, seq: u64) -> Option<&Line> {
        seq.checked_sub(self.evicted).and_then(|i| self.lines.get(i as usize))
    }

    /// Lines kept with their sequence numbers, oldest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (u64, &Line)> + '_ {
        let first = self.evicted;
        self.lines.iter().enumerate().map(move |(i, l)| (first + i as u64, l))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(n: u64) -> Line {
        Line {
            source: 0,
            ts: None,
            text: n.to_string(),
            cut: 0,
        }
    }

    #[test]
    fn eviction_is_counted_and_sequence_numbers_stay() {
        let mut r = Ring::new(3);
        for n in 0..5 {
            r.push(line(n));
        }
        assert_eq!((r.len(), r.evicted(), r.total(), r.first()), (3, 2, 5, 2));
        assert_eq!(r.get(1), None);
        assert_eq!(r.get(2).unwrap().text, "2");
        assert_eq!(r.get(4).unwrap().text, "4");
        assert_eq!(r.get(5), None);
        let seqs: Vec<u64> = r.iter().map(|(s, _)| s).collect();
        assert_eq!(seqs, vec![2, 3, 4]);
    }
}
