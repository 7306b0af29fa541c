package dev.poolwatch.pool;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Immutable settings of one {@link SqlitePool}. Built by {@link #builder(Path)}, which checks every field at
 * {@link Builder#build()} and names the field, the value and the allowed range when one is out of bounds.
 */
public final class SqlitePoolConfig {

    /** SQLite's {@code journal_mode}. Anything but WAL makes readers block the writer; see docs/pool.md. */
    public enum JournalMode { WAL, DELETE, TRUNCATE, PERSIST, MEMORY, OFF }

    /** SQLite's {@code synchronous}. NORMAL is durable in WAL mode except for the last commits before a power loss. */
    public enum Synchronous { OFF, NORMAL, FULL, EXTRA }

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    static final int MAX_READERS_LIMIT = 1000;
    static final int MAX_BATCH_OPERATIONS_LIMIT = 100_000;

    private final Path path;
    private final String name;
    private final int maxReaders;
    private final int minReaders;
    private final Duration acquireTimeout;
    private final Duration idleTimeout;
    private final Duration maxLifetime;
    private final Duration validationThreshold;
    private final Duration leakDetectionThreshold;
    private final Duration leakReclaimTimeout;
    private final boolean leakDetectionStackTraces;
    private final Duration busyTimeout;
    private final Duration housekeepingPeriod;
    private final Duration closeTimeout;
    private final Duration checkpointInterval;
    private final JournalMode journalMode;
    private final Synchronous synchronous;
    private final boolean foreignKeys;
    private final int walAutoCheckpoint;
    private final int maxBatchOperations;
    private final Duration maxBatchDuration;
    private final int statementCacheSize;

    private SqlitePoolConfig(Builder b) {
        this.path = b.path.toAbsolutePath().normalize();
        this.name = b.name != null ? b.name : defaultName(this.path);
        this.maxReaders = b.maxReaders;
        this.minReaders = b.minReaders;
        this.acquireTimeout = b.acquireTimeout;
        this.idleTimeout = b.idleTimeout;
        this.maxLifetime = b.maxLifetime;
        this.validationThreshold = b.validationThreshold;
        this.leakDetectionThreshold = b.leakDetectionThreshold;
        this.leakReclaimTimeout = b.leakReclaimTimeout;
        this.leakDetectionStackTraces = b.leakDetectionStackTraces;
        this.busyTimeout = b.busyTimeout;
        this.housekeepingPeriod = b.housekeepingPeriod;
        this.closeTimeout = b.closeTimeout;
        this.checkpointInterval = b.checkpointInterval;
        this.journalMode = b.journalMode;
        this.synchronous = b.synchronous;
        this.foreignKeys = b.foreignKeys;
        this.walAutoCheckpoint = b.walAutoCheckpoint;
        this.maxBatchOperations = b.maxBatchOperations;
        this.maxBatchDuration = b.maxBatchDuration;
        this.statementCacheSize = b.statementCacheSize;
    }

    public static Builder builder(Path databaseFile) {
        return new Builder(databaseFile);
    }

    /** A builder holding every value of this configuration, to derive a changed copy. */
    public Builder toBuilder() {
        Builder b = new Builder(path);
        b.name = name;
        b.maxReaders = maxReaders;
        b.minReaders = minReaders;
        b.acquireTimeout = acquireTimeout;
        b.idleTimeout = idleTimeout;
        b.maxLifetime = maxLifetime;
        b.validationThreshold = validationThreshold;
        b.leakDetectionThreshold = leakDetectionThreshold;
        b.leakReclaimTimeout = leakReclaimTimeout;
        b.leakDetectionStackTraces = leakDetectionStackTraces;
        b.busyTimeout = busyTimeout;
        b.housekeepingPeriod = housekeepingPeriod;
        b.closeTimeout = closeTimeout;
        b.checkpointInterval = checkpointInterval;
        b.journalMode = journalMode;
        b.synchronous = synchronous;
        b.foreignKeys = foreignKeys;
        b.walAutoCheckpoint = walAutoCheckpoint;
        b.maxBatchOperations = maxBatchOperations;
        b.maxBatchDuration = maxBatchDuration;
        b.statementCacheSize = statementCacheSize;
        return b;
    }

    private static String defaultName(Path path) {
        String file = path.getFileName() == null ? "pool" : path.getFileName().toString();
        int dot = file.lastIndexOf('.');
        String base = (dot > 0 ? file.substring(0, dot) : file).replaceAll("[^A-Za-z0-9_.-]", "_");
        return base.isEmpty() ? "pool" : base.length() > 64 ? base.substring(0, 64) : base;
    }

    public Path path() { return path; }
    public String name() { return name; }
    public int maxReaders() { return maxReaders; }
    public int minReaders() { return minReaders; }
    public Duration acquireTimeout() { return acquireTimeout; }
    public Duration idleTimeout() { return idleTimeout; }
    public Duration maxLifetime() { return maxLifetime; }
    public Duration validationThreshold() { return validationThreshold; }
    public Duration leakDetectionThreshold() { return leakDetectionThreshold; }
    public Duration leakReclaimTimeout() { return leakReclaimTimeout; }
    public boolean leakDetectionStackTraces() { return leakDetectionStackTraces; }
    public Duration busyTimeout() { return busyTimeout; }
    public Duration housekeepingPeriod() { return housekeepingPeriod; }
    public Duration closeTimeout() { return closeTimeout; }
    public Duration checkpointInterval() { return checkpointInterval; }
    public JournalMode journalMode() { return journalMode; }
    public Synchronous synchronous() { return synchronous; }
    public boolean foreignKeys() { return foreignKeys; }
    public int walAutoCheckpoint() { return walAutoCheckpoint; }
    public int maxBatchOperations() { return maxBatchOperations; }
    public Duration maxBatchDuration() { return maxBatchDuration; }
    public int statementCacheSize() { return statementCacheSize; }

    /** The first field a running pool cannot change in which {@code other} differs from this, or null if none. */
    String firstFixedFieldDifferingFrom(SqlitePoolConfig other) {
        if (!path.equals(other.path)) return "path";
        if (!name.equals(other.name)) return "name";
        if (!busyTimeout.equals(other.busyTimeout)) return "busyTimeout";
        if (journalMode != other.journalMode) return "journalMode";
        if (synchronous != other.synchronous) return "synchronous";
        if (foreignKeys != other.foreignKeys) return "foreignKeys";
        if (!housekeepingPeriod.equals(other.housekeepingPeriod)) return "housekeepingPeriod";
        return null;
    }

    @Override
    public String toString() {
        return "SqlitePoolConfig{name=" + name + ", path=" + path + ", maxReaders=" + maxReaders
                + ", minReaders=" + minReaders + ", acquireTimeout=" + acquireTimeout + ", idleTimeout=" + idleTimeout
                + ", maxLifetime=" + maxLifetime + ", validationThreshold=" + validationThreshold
                + ", leakDetectionThreshold=" + leakDetectionThreshold + ", leakReclaimTimeout=" + leakReclaimTimeout
                + ", leakDetectionStackTraces=" + leakDetectionStackTraces
                + ", busyTimeout=" + busyTimeout + ", checkpointInterval=" + checkpointInterval + ", journalMode=" + journalMode + ", synchronous=" + synchronous
                + ", foreignKeys=" + foreignKeys + ", walAutoCheckpoint=" + walAutoCheckpoint + ", maxBatchOperations=" + maxBatchOperations
                + ", maxBatchDuration=" + maxBatchDuration + ", statementCacheSize=" + statementCacheSize + "}";
    }

    /** Collects settings; nothing is checked until {@link #build()}. Defaults are those of docs/pool.md. */
    public static final class Builder {
        private final Path path;
        private String name;
        private int maxReaders = 19;
        private int minReaders = 1;
        private Duration acquireTimeout = Duration.ofSeconds(30);
        private Duration idleTimeout = Duration.ofMinutes(10);
        private Duration maxLifetime = Duration.ofMinutes(30);
        private Duration validationThreshold = Duration.ofSeconds(1);
        private Duration leakDetectionThreshold = Duration.ofSeconds(60);
        private Duration leakReclaimTimeout = Duration.ZERO;
        private boolean leakDetectionStackTraces;
        private Duration busyTimeout = Duration.ofSeconds(5);
        private Duration housekeepingPeriod = Duration.ofSeconds(1);
        private Duration closeTimeout = Duration.ofSeconds(5);
        private Duration checkpointInterval = Duration.ofSeconds(30);
        private JournalMode journalMode = JournalMode.WAL;
        private Synchronous synchronous = Synchronous.NORMAL;
        private boolean foreignKeys = true;
        private int walAutoCheckpoint = 1000;
        private int maxBatchOperations = 1000;
        private Duration maxBatchDuration = Duration.ofMillis(10);
        private int statementCacheSize = 64;

        private Builder(Path path) {
            this.path = Objects.requireNonNull(path, "databaseFile");
        }

        /** Name used in metrics, logs and the HTTP API; defaults to the file name without extension. */
        public Builder name(String name) { this.name = name; return this; }
        /** Upper bound of read-only connections (1 to 1000, default 19: 20 connections with the writer). */
        public Builder maxReaders(int maxReaders) { this.maxReaders = maxReaders; return this; }
        /** Readers kept open even when idle (0 to maxReaders, default 1). */
        public Builder minReaders(int minReaders) { this.minReaders = minReaders; return this; }
        /** How long a caller waits for a connection before {@link PoolTimeoutException} (1 ms to 1 h, default 30 s). */
        public Builder acquireTimeout(Duration d) { this.acquireTimeout = d; return this; }
        /** How long a reader above {@code minReaders} may sit idle before it is closed (100 ms to 24 h, default 10 min). */
        public Builder idleTimeout(Duration d) { this.idleTimeout = d; return this; }
        /** Age after which an idle connection is replaced (0 = never, else 100 ms to 30 d, default 30 min). */
        public Builder maxLifetime(Duration d) { this.maxLifetime = d; return this; }
        /** A connection idle longer than this is validated before it is handed out (0 = always, up to 1 h, default 1 s). */
        public Builder validationThreshold(Duration d) { this.validationThreshold = d; return this; }
        /** A connection held longer than this is reported as a suspected leak (0 = off, else 100 ms to 24 h, default 60 s). */
        public Builder leakDetectionThreshold(Duration d) { this.leakDetectionThreshold = d; return this; }
        /**
         * A connection held longer than this may be taken back by force by {@link SqlitePool#reclaimSuspectedLeaks()}
         * (the reclaim_leaks recovery action): its holder's open transaction is rolled back and its next call fails.
         * Nothing is reclaimed without that call, and nothing younger than this ever (0 = off, the default; else
         * longer than leakDetectionThreshold, up to 24 h). Set it above your longest legitimate transaction.
         */
        public Builder leakReclaimTimeout(Duration d) { this.leakReclaimTimeout = d; return this; }
        /**
         * Record where each connection is borrowed, so a leak report shows the borrow site (default false: it costs
         * about a microsecond per borrow; without it a report shows the holder's stack when the leak was detected).
         */
        public Builder leakDetectionStackTraces(boolean on) { this.leakDetectionStackTraces = on; return this; }
        /** SQLite's busy_timeout, for locks held by other processes (0 to 10 min, default 5 s). */
        public Builder busyTimeout(Duration d) { this.busyTimeout = d; return this; }
        /** How often idle shrinking, lifetime and leak checks run (10 ms to 1 min, default 1 s). */
        public Builder housekeepingPeriod(Duration d) { this.housekeepingPeriod = d; return this; }
        /** How long {@link SqlitePool#close()} waits for borrowed connections (0 to 10 min, default 5 s). */
        public Builder closeTimeout(Duration d) { this.closeTimeout = d; return this; }
        /**
         * How often a PASSIVE checkpoint is tried when the writer is free, which also tells whether readers are
         * starving checkpoints (0 = off, else 100 ms to 24 h, default 30 s).
         */
        public Builder checkpointInterval(Duration d) { this.checkpointInterval = d; return this; }
        public Builder journalMode(JournalMode mode) { this.journalMode = mode; return this; }
        public Builder synchronous(Synchronous mode) { this.synchronous = mode; return this; }
        public Builder foreignKeys(boolean on) { this.foreignKeys = on; return this; }
        /**
         * WAL pages after which the log is copied back into the database (0 = never; default 1000, SQLite's). In WAL
         * mode a background thread on its own connection does the copying, beside the writer; the writer's own
         * {@code wal_autocheckpoint} is eight times this, the bound that lets the log reset under steady writes. It can
         * change live, and no caller's {@code PRAGMA} is needed (a caller's pragma assignment closes its connection
         * at the end of the borrow).
         */
        public Builder walAutoCheckpoint(int pages) { this.walAutoCheckpoint = pages; return this; }
        /**
         * Most callers' work one group-commit transaction takes ({@link SqlitePool#submit}), 1 to 100000, default
         * 1000; 1 turns batching off (one transaction per caller, still on the pool's writer thread).
         */
        public Builder maxBatchOperations(int n) { this.maxBatchOperations = n; return this; }
        /**
         * A group-commit batch takes no further callers' work once it has run this long; the rest go in the next
         * batch. Checked between callers, so one slow caller still finishes (1 ms to 10 s, default 10 ms).
         */
        public Builder maxBatchDuration(Duration d) { this.maxBatchDuration = d; return this; }
        /**
         * Prepared statements each connection keeps after the caller closed them, for the next
         * {@code prepareStatement(sql)} of the same SQL on it (0 = off, up to 10000, default 64). A kept statement is
         * reset and its parameters cleared; one whose settings the caller changed is closed instead. Can change live.
         */
        public Builder statementCacheSize(int n) { this.statementCacheSize = n; return this; }

        /** Checks every field and returns the configuration; throws {@link IllegalArgumentException} naming the field. */
        public SqlitePoolConfig build() {
            if (name != null && !NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("name must be 1 to 64 characters of letters, digits, '_', '.', '-', was '"
                        + name + "'");
            }
            if (path.toString().isBlank()) {
                throw new IllegalArgumentException("databaseFile must be a file path, was empty");
            }
            range("maxReaders", maxReaders, 1, MAX_READERS_LIMIT);
            range("minReaders", minReaders, 0, maxReaders);
            range("walAutoCheckpoint", walAutoCheckpoint, 0, 1_000_000);
            range("statementCacheSize", statementCacheSize, 0, 10_000);
            duration("acquireTimeout", acquireTimeout, Duration.ofMillis(1), Duration.ofHours(1), false);
            duration("idleTimeout", idleTimeout, Duration.ofMillis(100), Duration.ofHours(24), false);
            duration("maxLifetime", maxLifetime, Duration.ofMillis(100), Duration.ofDays(30), true);
            duration("validationThreshold", validationThreshold, Duration.ZERO, Duration.ofHours(1), false);
            duration("leakDetectionThreshold", leakDetectionThreshold, Duration.ofMillis(100), Duration.ofHours(24), true);
            duration("leakReclaimTimeout", leakReclaimTimeout, Duration.ofMillis(100), Duration.ofHours(24), true);
            if (!leakReclaimTimeout.isZero()
                    && (leakDetectionThreshold.isZero() || leakReclaimTimeout.compareTo(leakDetectionThreshold) <= 0)) {
                throw new IllegalArgumentException("leakReclaimTimeout must be 0 (off) or longer than leakDetectionThreshold ("
                        + leakDetectionThreshold.toMillis() + " ms, which must be on), was " + leakReclaimTimeout.toMillis() + " ms");
            }
            duration("busyTimeout", busyTimeout, Duration.ZERO, Duration.ofMinutes(10), false);
            duration("housekeepingPeriod", housekeepingPeriod, Duration.ofMillis(10), Duration.ofMinutes(1), false);
            duration("closeTimeout", closeTimeout, Duration.ZERO, Duration.ofMinutes(10), false);
            duration("checkpointInterval", checkpointInterval, Duration.ofMillis(100), Duration.ofHours(24), true);
            range("maxBatchOperations", maxBatchOperations, 1, MAX_BATCH_OPERATIONS_LIMIT);
            duration("maxBatchDuration", maxBatchDuration, Duration.ofMillis(1), Duration.ofSeconds(10), false);
            Objects.requireNonNull(journalMode, "journalMode must be one of WAL, DELETE, TRUNCATE, PERSIST, MEMORY, OFF, was null");
            Objects.requireNonNull(synchronous, "synchronous must be one of OFF, NORMAL, FULL, EXTRA, was null");
            return new SqlitePoolConfig(this);
        }

        private static void range(String field, int value, int min, int max) {
            if (value < min || value > max) {
                throw new IllegalArgumentException(field + " must be between " + min + " and " + max + ", was " + value);
            }
        }

        private static void duration(String field, Duration value, Duration min, Duration max, boolean zeroMeansOff) {
            if (value == null) {
                throw new IllegalArgumentException(field + " must be set, was null");
            }
            if (zeroMeansOff && value.isZero()) {
                return;
            }
            if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "%s must be %sbetween %s and %s, was %s",
                        field, zeroMeansOff ? "0 (off) or " : "", human(min), human(max), human(value)));
            }
        }

        private static String human(Duration d) {
            if (d.isNegative()) return d.toMillis() + " ms";
            if (d.toMillis() < 1000 || d.toMillis() % 1000 != 0) return d.toMillis() + " ms";
            long s = d.toSeconds();
            if (s % 86400 == 0 && s > 86400) return (s / 86400) + " d";
            if (s % 3600 == 0) return (s / 3600) + " h";
            if (s % 60 == 0) return (s / 60) + " min";
            return s + " s";
        }
    }
}
