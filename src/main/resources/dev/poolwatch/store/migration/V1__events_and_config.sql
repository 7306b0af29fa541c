-- Events of every monitored pool, newest read first by id; times are Unix epoch milliseconds.
CREATE TABLE pool_events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    time_ms    INTEGER NOT NULL,
    pool       TEXT    NOT NULL,
    kind       TEXT    NOT NULL,
    severity   TEXT    NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
    message    TEXT    NOT NULL,
    details    TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(details))
);
-- The API filters by time, pool and kind and pages by id; retention deletes by time.
CREATE INDEX pool_events_time ON pool_events (time_ms);
CREATE INDEX pool_events_pool_id ON pool_events (pool, id);
CREATE INDEX pool_events_kind_id ON pool_events (kind, id);

-- Live settings changed through the API, re-applied when the exporter starts again.
CREATE TABLE pool_config (
    pool          TEXT    NOT NULL,
    key           TEXT    NOT NULL,
    value         TEXT    NOT NULL,
    updated_at_ms INTEGER NOT NULL,
    PRIMARY KEY (pool, key)
);
