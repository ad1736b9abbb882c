-- Look-alike addresses (issue: faults and outside testing, item 10): a blind index of each
-- account address's confusable skeleton (Unicode TS #39), unique, so that an address that merely
-- looks like an existing account's (a Cyrillic а for a Latin a) is refused. NULL until start-up
-- fills it in for accounts made before this migration; it stays NULL for the later of two
-- accounts that already looked alike (start-up logs them for the operator).
ALTER TABLE users ADD COLUMN email_skeleton_index BLOB;
CREATE UNIQUE INDEX users_by_email_skeleton ON users (email_skeleton_index);
