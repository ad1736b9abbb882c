-- E-mail anyone may make Rampart send (registration, password reset), counted per hour by the
-- address it goes to (a blind index of it, never the address) and by the client's address, so
-- that no one can make Rampart mail an address, or mail from one client, without bound. In the
-- database, so every instance counts the same.
CREATE TABLE mail_requests (
    scope TEXT NOT NULL,
    subject BLOB NOT NULL,
    window_start TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (scope, subject, window_start)
) STRICT;
