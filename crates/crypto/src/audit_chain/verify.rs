//! Walking the chain, and naming the first entry that breaks it.
//!
//! Rows arrive in `seq` order. Each is checked twice: is it *consistent* (its stored hash is the
//! link of its stored previous hash and its content) and is it *chained* (its stored previous
//! hash is the hash of the entry before it)? One row of lookahead tells the kinds of edit apart:
//!
//! | what was done | what the walk sees at the first bad position |
//! |---|---|
//! | a field edited | chained, not consistent |
//! | an entry deleted | a gap in `seq`; or, if later ones were renumbered, a consistent entry whose predecessor no row holds |
//! | an entry inserted | the next row chains to the entry before this one; or a genuine entry further on chains to a row before it (the rows between were slipped in); or a `seq` past the head |
//! | entries reordered | a consistent entry that follows a row found elsewhere (often the next one) |
//! | the chain recomputed | rows look fine, but a signed checkpoint's head hash differs |

/// One stored row, reduced to what the walk needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkedRow {
    pub seq: i64,
    pub prev_hash: Vec<u8>,
    pub hash: Vec<u8>,
    /// [`super::ChainedEvent::canonical`] of the row's content.
    pub canonical: Vec<u8>,
}

impl LinkedRow {
    fn is_consistent(&self) -> bool {
        super::link_hash(&self.prev_hash, &self.canonical)[..] == self.hash[..]
    }
}

/// The first place the chain is broken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainBreak {
    /// The entry at `seq` was changed after it was written.
    Altered { seq: i64 },
    /// The entry at `seq` is gone (the ones after it may have been renumbered).
    Deleted { seq: i64 },
    /// The entry at `seq` was never part of the chain.
    Inserted { seq: i64 },
    /// The entry at `seq` was written at another position.
    Reordered { seq: i64 },
    /// Every row checks out, but the signed checkpoint at `tree_size` holds another head: the
    /// entries from `from_seq` up to `tree_size` were rewritten and the chain recomputed.
    Rewritten { from_seq: i64, tree_size: i64 },
    /// A checkpoint's signature does not verify under any audit public key.
    BadCheckpoint { tree_size: i64 },
    /// A segment start (after an acknowledged break) whose anchor or signature does not hold.
    BadSegment { first_seq: i64 },
}

impl ChainBreak {
    /// The entry an operator should look at first.
    pub fn seq(&self) -> i64 {
        match *self {
            Self::Altered { seq }
            | Self::Deleted { seq }
            | Self::Inserted { seq }
            | Self::Reordered { seq } => seq,
            Self::Rewritten { from_seq, .. } => from_seq,
            Self::BadCheckpoint { tree_size } => tree_size,
            Self::BadSegment { first_seq } => first_seq,
        }
    }
}

impl std::fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            Self::Altered { seq } => write!(f, "entry {seq} was altered"),
            Self::Deleted { seq } => write!(f, "entry {seq} was deleted"),
            Self::Inserted { seq } => write!(f, "entry {seq} was inserted"),
            Self::Reordered { seq } => write!(f, "entry {seq} was reordered (moved)"),
            Self::Rewritten { from_seq, tree_size } => write!(
                f,
                "entries {from_seq}..={tree_size} were rewritten: the signed checkpoint at \
                 {tree_size} does not match"
            ),
            Self::BadCheckpoint { tree_size } => {
                write!(f, "the checkpoint at {tree_size} has no valid signature")
            }
            Self::BadSegment { first_seq } => {
                write!(f, "the segment starting at entry {first_seq} has no valid signature")
            }
        }
    }
}

/// What stopped the walk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    Broken(ChainBreak),
    /// A consistent entry at `seq` follows a hash that is not the previous entry's: the caller
    /// looks up which row holds `prev_hash` and passes the answer to [`ChainVerifier::resolve`].
    Lookup(Lookup),
}

/// The question a [`Finding::Lookup`] asks, with what the walk knew when it asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lookup {
    pub seq: i64,
    pub prev_hash: Vec<u8>,
    /// Whether the chain goes on from this entry (the next row links to it, or it is the last):
    /// then it is genuine, and rows between its predecessor and it were slipped in.
    continued: bool,
}

/// The result of a clean walk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainSummary {
    /// Entries checked.
    pub entries: u64,
    /// The last entry's position.
    pub head_seq: i64,
    /// Signed checkpoints the chain matched.
    pub checkpoints: u64,
}

/// Walks the chain one row at a time (rows in `seq` order; start from genesis or from the
/// signed checkpoint that vouches for a pruned prefix).
#[derive(Debug)]
pub struct ChainVerifier {
    expected_seq: i64,
    expected_prev: Vec<u8>,
    /// The position of the last checkpoint matched, for [`ChainBreak::Rewritten`].
    last_checkpoint: i64,
    /// Checkpoints still ahead, ascending by tree size, signatures already checked.
    checkpoints: std::collections::VecDeque<(i64, Vec<u8>)>,
    head_seq: i64,
    pending: Option<LinkedRow>,
    entries: u64,
    matched: u64,
}

impl ChainVerifier {
    /// `start_seq`/`start_hash`: the position and hash before the first row (0 and
    /// [`super::GENESIS_HASH`] for a whole chain). `head_seq`: where the database says the chain
    /// ends. `checkpoints`: `(tree size, head hash)`, signatures verified.
    pub fn new(
        start_seq: i64,
        start_hash: &[u8],
        head_seq: i64,
        mut checkpoints: Vec<(i64, Vec<u8>)>,
    ) -> Self {
        checkpoints.sort_by_key(|(size, _)| *size);
        checkpoints.retain(|(size, _)| *size > start_seq);
        Self {
            expected_seq: start_seq + 1,
            expected_prev: start_hash.to_vec(),
            last_checkpoint: start_seq,
            checkpoints: checkpoints.into(),
            head_seq,
            pending: None,
            entries: 0,
            matched: 0,
        }
    }

    /// Takes the next row; judges the one before it, now that its successor is known.
    pub fn push(&mut self, row: LinkedRow) -> Result<(), Finding> {
        match self.pending.replace(row) {
            None => Ok(()),
            Some(previous) => {
                let next = self.pending.clone();
                self.judge(previous, next.as_ref())
            }
        }
    }

    /// After the last row: judges it, then checks nothing is missing at the end.
    pub fn finish(&mut self) -> Result<ChainSummary, Finding> {
        if let Some(last) = self.pending.take() {
            self.judge(last, None)?;
        }
        let last_seen = self.expected_seq - 1;
        let promised = self.checkpoints.back().map_or(self.head_seq, |(size, _)| *size);
        if promised.max(self.head_seq) > last_seen {
            return Err(Finding::Broken(ChainBreak::Deleted { seq: last_seen + 1 }));
        }
        Ok(ChainSummary { entries: self.entries, head_seq: last_seen, checkpoints: self.matched })
    }

    /// The answer to [`Finding::Lookup`]: `holder` is the `seq` of the row whose hash was asked
    /// about, if any row holds it.
    ///
    /// - No row: the entry's predecessor is gone.
    /// - A row further on: the entry was moved here from its place after that row.
    /// - A row earlier, with the chain going on from this entry: the rows after that one and
    ///   before this entry were never part of the chain (a forged entry slipped in, later ones
    ///   renumbered, its own hash computed correctly: it chains, but the entry it displaced still
    ///   names its true predecessor). Otherwise this entry is the one that does not belong.
    pub fn resolve(lookup: &Lookup, holder: Option<i64>) -> ChainBreak {
        let seq = lookup.seq;
        match holder {
            None => ChainBreak::Deleted { seq },
            Some(holder) if holder >= seq => ChainBreak::Reordered { seq },
            Some(holder) if lookup.continued => ChainBreak::Inserted { seq: holder + 1 },
            Some(_) => ChainBreak::Inserted { seq },
        }
    }

    fn judge(&mut self, row: LinkedRow, next: Option<&LinkedRow>) -> Result<(), Finding> {
        let broken = |kind| Err(Finding::Broken(kind));
        let seq = self.expected_seq;
        if row.seq > self.head_seq {
            return broken(ChainBreak::Inserted { seq: row.seq });
        }
        if row.seq > seq {
            return broken(ChainBreak::Deleted { seq });
        }
        let consistent = row.is_consistent();
        let chained = row.prev_hash == self.expected_prev;
        match (chained, consistent) {
            (true, true) => {}
            (true, false) => return broken(ChainBreak::Altered { seq }),
            (false, _) => {
                if consistent && next.is_some_and(|next| next.hash == row.prev_hash) {
                    return broken(ChainBreak::Reordered { seq });
                }
                if next.is_some_and(|next| next.prev_hash == self.expected_prev) {
                    return broken(ChainBreak::Inserted { seq });
                }
                if consistent {
                    let continued = next.is_none_or(|next| next.prev_hash == row.hash);
                    return Err(Finding::Lookup(Lookup {
                        seq,
                        prev_hash: row.prev_hash,
                        continued,
                    }));
                }
                return broken(ChainBreak::Altered { seq });
            }
        }
        if let Some((size, head)) = self.checkpoints.front()
            && *size == seq
        {
            if *head != row.hash {
                let from_seq = self.last_checkpoint + 1;
                return broken(ChainBreak::Rewritten { from_seq, tree_size: seq });
            }
            self.checkpoints.pop_front();
            self.last_checkpoint = seq;
            self.matched += 1;
        }
        self.expected_seq += 1;
        self.expected_prev = row.hash;
        self.entries += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::event;
    use super::super::{ChainedEvent, GENESIS_HASH};
    use super::*;

    /// A genuine chain of `n` entries.
    fn chain(n: i64) -> Vec<LinkedRow> {
        let mut prev = GENESIS_HASH.to_vec();
        (1..=n)
            .map(|seq| {
                let details = format!("{{\"n\":{seq}}}");
                let canonical = event(&details).canonical();
                let hash = super::super::link_hash(&prev, &canonical).to_vec();
                let row = LinkedRow { seq, prev_hash: prev.clone(), hash: hash.clone(), canonical };
                prev = hash;
                row
            })
            .collect()
    }

    /// Walks `rows` as `rampart audit verify` does, answering lookups from the rows themselves.
    fn walk(
        rows: Vec<LinkedRow>,
        head: i64,
        checkpoints: Vec<(i64, Vec<u8>)>,
    ) -> Result<u64, ChainBreak> {
        let mut verifier = ChainVerifier::new(0, &GENESIS_HASH, head, checkpoints);
        let hashes: Vec<(i64, Vec<u8>)> = rows.iter().map(|r| (r.seq, r.hash.clone())).collect();
        let resolve = |finding: Finding| match finding {
            Finding::Lookup(lookup) => {
                let holder = hashes.iter().find(|(_, h)| *h == lookup.prev_hash).map(|(s, _)| *s);
                ChainVerifier::resolve(&lookup, holder)
            }
            Finding::Broken(kind) => kind,
        };
        for row in rows {
            verifier.push(row).map_err(resolve)?;
        }
        verifier.finish().map(|summary| summary.entries).map_err(resolve)
    }

    fn broken(kind: ChainBreak) -> Result<u64, ChainBreak> {
        Err(kind)
    }

    #[test]
    fn a_genuine_chain_verifies() {
        assert_eq!(walk(chain(10), 10, vec![]), Ok(10));
    }

    #[test]
    fn an_edited_field_is_named_altered() {
        let mut rows = chain(10);
        rows[4].canonical = ChainedEvent { outcome: "success", ..event("{\"n\":5}") }.canonical();
        assert_eq!(walk(rows, 10, vec![]), broken(ChainBreak::Altered { seq: 5 }));
    }

    #[test]
    fn a_deleted_entry_is_named_whether_or_not_the_rest_were_renumbered() {
        let mut gap = chain(10);
        gap.remove(4);
        assert_eq!(walk(gap, 10, vec![]), broken(ChainBreak::Deleted { seq: 5 }));

        let mut renumbered = chain(10);
        renumbered.remove(4);
        for row in &mut renumbered[4..] {
            row.seq -= 1;
        }
        assert_eq!(walk(renumbered, 9, vec![]), broken(ChainBreak::Deleted { seq: 5 }));

        let mut truncated = chain(10);
        truncated.truncate(8);
        assert_eq!(walk(truncated, 10, vec![]), broken(ChainBreak::Deleted { seq: 9 }));
    }

    #[test]
    fn an_inserted_entry_is_named_in_the_middle_and_past_the_head() {
        let mut rows = chain(10);
        let mut forged = rows[2].clone();
        forged.hash = vec![9; 32];
        rows.insert(4, forged);
        for (index, row) in rows.iter_mut().enumerate() {
            row.seq = i64::try_from(index).unwrap() + 1;
        }
        assert_eq!(walk(rows, 11, vec![]), broken(ChainBreak::Inserted { seq: 5 }));

        let mut appended = chain(10);
        let mut extra = appended[9].clone();
        extra.seq = 11;
        appended.push(extra);
        assert_eq!(walk(appended, 10, vec![]), broken(ChainBreak::Inserted { seq: 11 }));
    }

    /// A forged entry whose hash is computed correctly from its predecessor's chains; the entry
    /// it displaced still names the true predecessor.
    fn with_forged_entries(at: usize, count: usize) -> Vec<LinkedRow> {
        let mut rows = chain(10);
        for n in 0..count {
            let prev = rows[at + n - 1].hash.clone();
            let canonical =
                ChainedEvent { action: "authn_login_success", ..event("{}") }.canonical();
            let hash = super::super::link_hash(&prev, &canonical).to_vec();
            rows.insert(at + n, LinkedRow { seq: 0, prev_hash: prev, hash, canonical });
        }
        for (index, row) in rows.iter_mut().enumerate() {
            row.seq = i64::try_from(index).unwrap() + 1;
        }
        rows
    }

    #[test]
    fn a_correctly_hashed_entry_slipped_in_is_named_inserted_not_its_successor_reordered() {
        assert_eq!(
            walk(with_forged_entries(4, 1), 11, vec![]),
            broken(ChainBreak::Inserted { seq: 5 })
        );
        assert_eq!(
            walk(with_forged_entries(4, 3), 13, vec![]),
            broken(ChainBreak::Inserted { seq: 5 })
        );
        // The head not moved up: the same answer, not "past the head".
        assert_eq!(
            walk(with_forged_entries(4, 1), 10, vec![]),
            broken(ChainBreak::Inserted { seq: 5 })
        );
    }

    #[test]
    fn an_entry_forking_from_an_older_one_is_the_one_named() {
        // Entry 6 replaced by a consistent one that claims entry 4 as its predecessor.
        let mut rows = chain(10);
        let canonical = ChainedEvent { action: "authn_login_success", ..event("{}") }.canonical();
        let prev = rows[3].hash.clone();
        let hash = super::super::link_hash(&prev, &canonical).to_vec();
        rows[5] = LinkedRow { seq: 6, prev_hash: prev, hash, canonical };
        assert_eq!(walk(rows, 10, vec![]), broken(ChainBreak::Inserted { seq: 6 }));
    }

    #[test]
    fn swapped_entries_are_named_reordered_next_to_each_other_or_apart() {
        let mut adjacent = chain(10);
        adjacent.swap(4, 5);
        adjacent[4].seq = 5;
        adjacent[5].seq = 6;
        assert_eq!(walk(adjacent, 10, vec![]), broken(ChainBreak::Reordered { seq: 5 }));

        let mut apart = chain(10);
        apart.swap(2, 7);
        apart[2].seq = 3;
        apart[7].seq = 8;
        assert_eq!(walk(apart, 10, vec![]), broken(ChainBreak::Reordered { seq: 3 }));
    }

    #[test]
    fn a_recomputed_chain_is_caught_by_the_signed_checkpoint() {
        let genuine = chain(10);
        let checkpoint = (8, genuine[7].hash.clone());
        let mut forged = genuine.clone();
        forged.remove(3);
        let mut prev = GENESIS_HASH.to_vec();
        for (index, row) in forged.iter_mut().enumerate() {
            row.seq = i64::try_from(index).unwrap() + 1;
            row.prev_hash = prev.clone();
            row.hash = super::super::link_hash(&prev, &row.canonical).to_vec();
            prev = row.hash.clone();
        }
        assert_eq!(walk(forged.clone(), 9, vec![]), Ok(9), "without a checkpoint it looks fine");
        assert_eq!(
            walk(forged, 9, vec![checkpoint]),
            broken(ChainBreak::Rewritten { from_seq: 1, tree_size: 8 })
        );
    }

    #[test]
    fn a_checkpoint_beyond_the_last_row_means_entries_were_cut() {
        let genuine = chain(10);
        let checkpoint = (10, genuine[9].hash.clone());
        let mut rows = genuine;
        rows.truncate(7);
        assert_eq!(walk(rows, 7, vec![checkpoint]), broken(ChainBreak::Deleted { seq: 8 }));
    }
}
