//! The time stamps of a row's cells, held only for the cells that have one.

/// Per cell, the Unix time a time column shows as an age; only the cells that have one are held
/// (most have none: of a pod's eight cells, AGE alone, RESTARTS after a restart), and one stamp is
/// held in place. A stamp per cell (`Vec<Option<i64>>`) was 24 + 16 bytes a cell: 152 a pod.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamps(Repr);

/// `One` holds a single stamp; `Many` none or two and more, sorted by cell (so that equal stamps
/// are held alike, and `==` compares them).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Repr {
    One(u32, i64),
    Many(Box<[(u32, i64)]>),
}

impl Default for Stamps {
    fn default() -> Stamps {
        Stamps(Repr::Many(Box::default()))
    }
}

impl Stamps {
    fn of_sorted(mut list: Vec<(u32, i64)>) -> Stamps {
        Stamps(if let [(cell, stamp)] = list[..] {
            Repr::One(cell, stamp)
        } else {
            list.shrink_to_fit();
            Repr::Many(list.into_boxed_slice())
        })
    }

    /// The stamp of cell `n`.
    pub fn get(&self, n: usize) -> Option<i64> {
        self.iter().find(|&(cell, _)| cell == n).map(|(_, stamp)| stamp)
    }

    /// Set (or, with None, clear) the stamp of cell `n`.
    pub fn set(&mut self, n: usize, stamp: Option<i64>) {
        let mut list: Vec<(u32, i64)> = self
            .iter()
            .filter(|&(cell, _)| cell != n)
            .map(|(c, s)| (c as u32, s))
            .collect();
        if let Some(stamp) = stamp {
            let at = list.partition_point(|&(cell, _)| (cell as usize) < n);
            list.insert(at, (u32::try_from(n).expect("a cell index"), stamp));
        }
        *self = Stamps::of_sorted(list);
    }

    /// (cell, stamp) of each cell that has one, in cell order.
    pub fn iter(&self) -> impl Iterator<Item = (usize, i64)> + '_ {
        let (one, many) = match &self.0 {
            Repr::One(cell, stamp) => (Some((*cell as usize, *stamp)), &[][..]),
            Repr::Many(list) => (None, &list[..]),
        };
        one.into_iter()
            .chain(many.iter().map(|&(cell, stamp)| (cell as usize, stamp)))
    }

    /// Whether no cell has a stamp.
    pub fn is_empty(&self) -> bool {
        matches!(&self.0, Repr::Many(list) if list.is_empty())
    }

    /// Drop the stamps of cell `len` and after (the row's cells were cut to `len`).
    pub fn truncate(&mut self, len: usize) {
        if self.iter().any(|(cell, _)| cell >= len) {
            *self = Stamps::of_sorted(
                self.iter()
                    .filter(|&(cell, _)| cell < len)
                    .map(|(c, s)| (c as u32, s))
                    .collect(),
            );
        }
    }
}

/// Stamps by position: the `i`th item is cell `i`'s.
impl FromIterator<Option<i64>> for Stamps {
    fn from_iter<I: IntoIterator<Item = Option<i64>>>(iter: I) -> Stamps {
        Stamps::of_sorted(
            iter.into_iter()
                .enumerate()
                .filter_map(|(cell, stamp)| Some((u32::try_from(cell).ok()?, stamp?)))
                .collect(),
        )
    }
}

/// Stamps by position, as [`FromIterator`].
impl From<Vec<Option<i64>>> for Stamps {
    fn from(by_cell: Vec<Option<i64>>) -> Stamps {
        by_cell.into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_read_as_a_stamp_per_cell_and_stay_small() {
        let dense = [None, None, None, Some(7), None, Some(-3), None];
        let s: Stamps = dense.into_iter().collect();
        for (n, want) in dense.iter().chain([&None, &None]).enumerate() {
            assert_eq!(s.get(n), *want, "cell {n}");
        }
        assert_eq!(s.iter().collect::<Vec<_>>(), [(3, 7), (5, -3)]);
        // Held alike however they were built: set, cleared, or from a list with trailing Nones.
        let mut t = Stamps::default();
        assert!(t.is_empty() && t.get(0).is_none());
        t.set(5, Some(-3));
        t.set(1, Some(99));
        t.set(3, Some(7));
        t.set(1, None);
        assert_eq!(t, s);
        let mut one = s.clone();
        one.truncate(4);
        assert_eq!(one, Stamps::from(vec![None, None, None, Some(7), None]));
        assert_eq!(one.iter().collect::<Vec<_>>(), [(3, 7)]);
        one.set(3, None);
        assert_eq!(one, Stamps::default());
        // A row holds its stamps in a Vec's room, and one stamp without an allocation.
        assert_eq!(std::mem::size_of::<Stamps>(), 24);
        assert!(matches!(Stamps::from(vec![None, Some(1)]).0, Repr::One(1, 1)));
    }
}
