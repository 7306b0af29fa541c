-- Small durable state of other capabilities (recovery cooldowns, processed alerts), by scope and key.
CREATE TABLE poolwatch_state (
    scope         TEXT    NOT NULL,
    key           TEXT    NOT NULL,
    value         TEXT    NOT NULL,
    updated_at_ms INTEGER NOT NULL,
    PRIMARY KEY (scope, key)
);
CREATE INDEX poolwatch_state_updated ON poolwatch_state (scope, updated_at_ms);
