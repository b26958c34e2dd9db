import GRDB

/// The project database's schema, as numbered migrations. A migration, once released, is
/// never edited: later versions add new ones, so every existing project upgrades in place.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: items, labels, models, decision log") { db in
            try db.execute(
                sql: """
                    -- Settings of the project itself (dataset root, layout, ...): key/value.
                    CREATE TABLE project (
                        key TEXT PRIMARY KEY NOT NULL,
                        value TEXT NOT NULL
                    );

                    -- The taxonomy. position is the column in probability matrices; NULL once a
                    -- class leaves classes.txt (kept because past decisions may name it).
                    CREATE TABLE classes (
                        id INTEGER PRIMARY KEY,
                        name TEXT NOT NULL UNIQUE,
                        position INTEGER
                    );

                    -- One row per image ever imported. Items are matched by path across
                    -- re-imports, so their ids and decision history survive; row is the row in
                    -- items.csv and every .npy file, NULL when the image left the dataset.
                    CREATE TABLE items (
                        id INTEGER PRIMARY KEY,
                        path TEXT NOT NULL UNIQUE,
                        row INTEGER,
                        metadata TEXT NOT NULL DEFAULT '{}',
                        problem TEXT,
                        file_size INTEGER,
                        file_mtime REAL,
                        given_labels TEXT
                    );
                    CREATE INDEX items_row ON items(row);

                    -- The annotators' labels as imported (replaced by each import; the decision
                    -- log, not this table, records what reviewers did). labels: class names
                    -- joined by U+001F.
                    CREATE TABLE annotations (
                        item_id INTEGER NOT NULL REFERENCES items(id),
                        annotator TEXT NOT NULL,
                        labels TEXT NOT NULL,
                        PRIMARY KEY (item_id, annotator)
                    ) WITHOUT ROWID;

                    -- Each model's probabilities live in an immutable float32 .npy file in the
                    -- state folder (content-addressed), not in SQLite.
                    CREATE TABLE models (
                        name TEXT PRIMARY KEY NOT NULL,
                        source TEXT NOT NULL,
                        matrix_file TEXT NOT NULL,
                        rows INTEGER NOT NULL,
                        columns INTEGER NOT NULL
                    );

                    -- The embeddings stay in the dataset (memory-mapped, never copied); this
                    -- records what was validated so a later change is noticed.
                    CREATE TABLE embeddings (
                        source TEXT PRIMARY KEY NOT NULL,
                        rows INTEGER NOT NULL,
                        dimension INTEGER NOT NULL,
                        scalar_type TEXT NOT NULL,
                        file_size INTEGER NOT NULL,
                        file_mtime REAL NOT NULL,
                        fingerprint TEXT NOT NULL
                    );

                    CREATE TABLE imports (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        finished_at TEXT NOT NULL,
                        summary TEXT NOT NULL
                    );

                    -- The append-only decision log. An item's current label is derived by
                    -- replaying its events; undo is a new event naming the one it takes back.
                    CREATE TABLE events (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        item_id INTEGER NOT NULL REFERENCES items(id),
                        reviewer TEXT NOT NULL,
                        action TEXT NOT NULL CHECK (action IN ('accept', 'relabel', 'exclude', 'skip', 'undo')),
                        old_labels TEXT,
                        new_labels TEXT,
                        queue TEXT,
                        reason TEXT,
                        note TEXT,
                        undoes INTEGER REFERENCES events(id),
                        created_at TEXT NOT NULL
                    );
                    CREATE INDEX events_item ON events(item_id, id);
                    CREATE INDEX events_reviewer ON events(reviewer, id);

                    CREATE TRIGGER events_are_append_only_update BEFORE UPDATE ON events
                    BEGIN SELECT RAISE(ABORT, 'the decision log is append-only'); END;
                    CREATE TRIGGER events_are_append_only_delete BEFORE DELETE ON events
                    BEGIN SELECT RAISE(ABORT, 'the decision log is append-only'); END;
                    """)
        }
        migrator.registerMigration("v2: content hashes") { db in
            try db.execute(
                sql: """
                    -- A hash of each image's bytes, to find byte-identical copies. Kept with the
                    -- file's size and time, so only changed files are hashed again.
                    CREATE TABLE content_hashes (
                        item_id INTEGER PRIMARY KEY NOT NULL REFERENCES items(id),
                        file_size INTEGER NOT NULL,
                        file_mtime REAL NOT NULL,
                        hash TEXT NOT NULL
                    );
                    """)
        }
        migrator.registerMigration("v3: split decisions") { db in
            // SQLite cannot change a CHECK constraint in place: the log is copied, row for
            // row (ids kept), into a table that also allows 'split'. DROP TABLE fires no
            // triggers, so the append-only guard does not stop the swap.
            try db.execute(
                sql: """
                    CREATE TABLE events_v3 (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        item_id INTEGER NOT NULL REFERENCES items(id),
                        reviewer TEXT NOT NULL,
                        action TEXT NOT NULL CHECK (action IN ('accept', 'relabel', 'exclude', 'skip', 'undo', 'split')),
                        old_labels TEXT,
                        new_labels TEXT,
                        queue TEXT,
                        reason TEXT,
                        note TEXT,
                        undoes INTEGER REFERENCES events(id),
                        created_at TEXT NOT NULL
                    );
                    INSERT INTO events_v3 SELECT id, item_id, reviewer, action, old_labels, new_labels, queue, reason, note, undoes, created_at FROM events;
                    DROP TRIGGER events_are_append_only_update;
                    DROP TRIGGER events_are_append_only_delete;
                    DROP TABLE events;
                    ALTER TABLE events_v3 RENAME TO events;
                    CREATE INDEX events_item ON events(item_id, id);
                    CREATE INDEX events_reviewer ON events(reviewer, id);
                    CREATE TRIGGER events_are_append_only_update BEFORE UPDATE ON events
                    BEGIN SELECT RAISE(ABORT, 'the decision log is append-only'); END;
                    CREATE TRIGGER events_are_append_only_delete BEFORE DELETE ON events
                    BEGIN SELECT RAISE(ABORT, 'the decision log is append-only'); END;
                    """)
        }
        migrator.registerMigration("v4: image features") { db in
            try db.execute(
                sql: """
                    -- Winnow's own image features (for neighbours when there is no embeddings.npy),
                    -- kept with the file's size and time and the features' version, so only
                    -- changed files are decoded again. vector: dimension little-endian float32s;
                    -- NULL when the file gave none (it cannot be decoded, or is too small).
                    CREATE TABLE image_features (
                        item_id INTEGER PRIMARY KEY NOT NULL REFERENCES items(id),
                        file_size INTEGER NOT NULL,
                        file_mtime REAL NOT NULL,
                        version INTEGER NOT NULL,
                        dimension INTEGER NOT NULL,
                        vector BLOB
                    );
                    """)
        }
        migrator.registerMigration("v5: hash-chained decision log") { db in
            // score and flags: the queue entry's score and the kinds of flag behind it (a JSON
            // array of FlagKind names), NULL when the decision came from no flagged entry.
            // hash: the event's link in the chain (see DecisionLogChain for the exact bytes).
            // ADD COLUMN fires no trigger; filling in the hashes of the events already logged
            // is an UPDATE, so the append-only guard is lifted for it, and put back.
            try db.execute(
                sql: """
                    ALTER TABLE events ADD COLUMN score REAL;
                    ALTER TABLE events ADD COLUMN flags TEXT;
                    ALTER TABLE events ADD COLUMN hash TEXT;
                    DROP TRIGGER events_are_append_only_update;
                    """)
            try DecisionLogChain.backfill(db)
            try db.execute(
                sql: """
                    CREATE TRIGGER events_are_append_only_update BEFORE UPDATE ON events
                    BEGIN SELECT RAISE(ABORT, 'the decision log is append-only'); END;
                    """)
        }
        migrator.registerMigration("v6: leases") { db in
            try db.execute(
                sql: """
                    -- Who is looking at which item right now, so no two review sessions ever show
                    -- the same one. A lease ends when its session moves on, quits, or stops renewing
                    -- it (a crash or a dropped SSH connection): expires_at is in Unix seconds.
                    CREATE TABLE leases (
                        item_id INTEGER PRIMARY KEY NOT NULL REFERENCES items(id),
                        reviewer TEXT NOT NULL,
                        session TEXT NOT NULL,
                        acquired_at TEXT NOT NULL,
                        expires_at REAL NOT NULL
                    );
                    CREATE INDEX leases_session ON leases(session);
                    """)
        }
        migrator.registerMigration("v7: image measures") { db in
            try db.execute(
                sql: """
                    -- What one full read of each image gave, per measure (decode status, image
                    -- quality, ...; see ImageMeasureKind), kept with the file's size and time and
                    -- the measure's version, so only changed files are read again. value: the
                    -- measure's bytes; NULL when the image gave none (for 'decode': it decodes).
                    CREATE TABLE image_measures (
                        item_id INTEGER NOT NULL REFERENCES items(id),
                        measure TEXT NOT NULL,
                        version INTEGER NOT NULL,
                        file_size INTEGER NOT NULL,
                        file_mtime REAL NOT NULL,
                        value BLOB,
                        PRIMARY KEY (item_id, measure)
                    ) WITHOUT ROWID;
                    -- The few images that do not decode, found without scanning every item's rows.
                    CREATE INDEX image_measures_decode_failures ON image_measures(item_id)
                        WHERE measure = 'decode' AND value IS NOT NULL;
                    """)
        }
        migrator.registerMigration("v8: duplicate descriptors") { db in
            // The picture's 32×32 grey levels (DuplicateDescriptor), computed with the features
            // from the same decode: what confirms that two images are the same picture. NULL
            // when the file gave none.
            try db.execute(sql: "ALTER TABLE image_features ADD COLUMN descriptor BLOB;")
        }
        return migrator
    }
}
