import GRDB

extension Catalog {
    /// Names of the schema steps this build knows, oldest first. Append only; never edit a shipped step.
    public static let migrationNames = ["v1-files-features-runs", "v2-clusters", "v3-failure-kinds-and-health", duplicatesMigration]

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-files-features-runs") { db in
            try db.execute(sql: """
                CREATE TABLE files (
                    id INTEGER PRIMARY KEY,
                    path TEXT NOT NULL UNIQUE,
                    device INTEGER NOT NULL,
                    inode INTEGER NOT NULL,
                    size INTEGER NOT NULL,
                    mtime_ns INTEGER NOT NULL,
                    content_hash BLOB,
                    format TEXT,
                    width INTEGER,
                    height INTEGER,
                    orientation INTEGER,
                    taken_at TEXT,
                    camera TEXT,
                    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'failed')),
                    error TEXT,
                    added_at REAL NOT NULL,
                    updated_at REAL NOT NULL
                );
                CREATE INDEX files_by_inode ON files(device, inode);
                CREATE INDEX files_by_hash ON files(content_hash);
                CREATE INDEX files_by_state ON files(state, id);
                CREATE INDEX files_by_taken_at ON files(taken_at);

                CREATE TABLE features (
                    content_hash BLOB NOT NULL,
                    model_id TEXT NOT NULL,
                    dimension INTEGER NOT NULL,
                    vector BLOB NOT NULL,
                    created_at REAL NOT NULL,
                    PRIMARY KEY (content_hash, model_id)
                ) WITHOUT ROWID;

                CREATE TABLE runs (
                    id INTEGER PRIMARY KEY,
                    kind TEXT NOT NULL,
                    pid INTEGER NOT NULL,
                    model_id TEXT NOT NULL,
                    blas_core TEXT,
                    started_at REAL NOT NULL,
                    heartbeat_at REAL NOT NULL,
                    finished_at REAL,
                    phase TEXT NOT NULL DEFAULT 'starting',
                    watch_note TEXT,
                    extractor_calls INTEGER NOT NULL DEFAULT 0,
                    images_encoded INTEGER NOT NULL DEFAULT 0,
                    files_ingested INTEGER NOT NULL DEFAULT 0,
                    ingest_seconds REAL NOT NULL DEFAULT 0
                );

                CREATE TABLE events (
                    id INTEGER PRIMARY KEY,
                    run_id INTEGER REFERENCES runs(id) ON DELETE CASCADE,
                    at REAL NOT NULL,
                    kind TEXT NOT NULL,
                    detail TEXT NOT NULL DEFAULT ''
                );
                CREATE INDEX events_by_kind ON events(kind, at);
                """)
        }
        migrator.registerMigration("v2-clusters") { db in
            // Clusters keep stable ids (the folder number) across retrains; assignments are per content, so copies of a
            // photo share a cluster; `key` is the photo's id in the neighbour index.
            try db.execute(sql: """
                CREATE TABLE clusters (
                    id INTEGER PRIMARY KEY,
                    label TEXT,
                    sheet_key TEXT,
                    created_at REAL NOT NULL,
                    updated_at REAL NOT NULL
                );

                CREATE TABLE heads (
                    id INTEGER PRIMARY KEY,
                    model_id TEXT NOT NULL,
                    clusters INTEGER NOT NULL,
                    cluster_ids TEXT NOT NULL,
                    head BLOB NOT NULL,
                    created_at REAL NOT NULL
                );
                CREATE INDEX heads_by_model ON heads(model_id, id);

                CREATE TABLE assignments (
                    key INTEGER PRIMARY KEY,
                    content_hash BLOB NOT NULL UNIQUE,
                    cluster_id INTEGER NOT NULL REFERENCES clusters(id),
                    probability REAL NOT NULL,
                    head_id INTEGER NOT NULL,
                    assigned_at REAL NOT NULL
                );
                CREATE INDEX assignments_by_cluster ON assignments(cluster_id, probability DESC);

                CREATE TABLE cluster_runs (
                    id INTEGER PRIMARY KEY,
                    head_id INTEGER,
                    at REAL NOT NULL,
                    reason TEXT NOT NULL,
                    method TEXT NOT NULL,
                    photos INTEGER NOT NULL,
                    clusters INTEGER NOT NULL,
                    loss REAL,
                    churn REAL,
                    seconds REAL NOT NULL
                );

                CREATE TABLE requests (
                    id INTEGER PRIMARY KEY,
                    kind TEXT NOT NULL CHECK (kind IN ('label', 'merge', 'recluster')),
                    cluster_id INTEGER,
                    other_id INTEGER,
                    label TEXT,
                    clusters INTEGER,
                    requested_at REAL NOT NULL,
                    handled_at REAL,
                    result TEXT
                );

                CREATE TABLE settings (
                    key TEXT PRIMARY KEY,
                    value TEXT NOT NULL
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v3-failure-kinds-and-health") { db in
            // mode and ctime let a permission fix retry a failed file; `failure` is the stored kind that decides when
            // a failure is retried; `health` is the daemon's JSON report of what is not right (missing libraries, a
            // full disk, failed upkeep or reload). Failures from before kinds existed are tried once more.
            try db.execute(sql: """
                ALTER TABLE files ADD COLUMN mode INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE files ADD COLUMN ctime_ns INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE files ADD COLUMN failure TEXT;
                ALTER TABLE runs ADD COLUMN health TEXT;
                UPDATE files SET state = 'pending', error = NULL WHERE state = 'failed';
                """)
        }
        registerDuplicatesMigration(&migrator)
        return migrator
    }
}
