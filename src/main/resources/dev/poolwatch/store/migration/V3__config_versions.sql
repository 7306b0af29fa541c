-- Every change of a pool's live settings, numbered per pool from 1: who made it, what it changed, the whole settable
-- configuration after it, and for a trial until when it runs and how it ended.
CREATE TABLE pool_config_versions (
    pool           TEXT    NOT NULL,
    version        INTEGER NOT NULL CHECK (version >= 1),
    time_ms        INTEGER NOT NULL,
    actor          TEXT    NOT NULL,
    action         TEXT    NOT NULL,
    settings       TEXT    NOT NULL CHECK (json_valid(settings)),
    changes        TEXT    NOT NULL CHECK (json_valid(changes)),
    rollback_to    INTEGER,
    trial_until_ms INTEGER,
    trial_outcome  TEXT,
    PRIMARY KEY (pool, version)
);
