package dev.poolwatch.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.poolwatch.pool.SqlitePool;
import dev.poolwatch.pool.SqlitePoolConfig;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventStoreTest {

    @TempDir
    Path dir;

    private static Event at(Instant time, String message) {
        return new Event(0, time, "app", "test", Severity.INFO, message, Map.of("k", "v"));
    }

    @Test
    void eventsComeBackNewestFirstWithTheirDetails() throws Exception {
        try (EventStore store = EventStore.open(dir.resolve("m.db"))) {
            store.record(Event.of("app", "leak", Severity.WARNING, "first", Map.of("heldMs", 12, "thread", "t1")));
            store.record(Event.of("other", "resize", Severity.INFO, "second", Map.of()));
            assertThat(store.flush(Duration.ofSeconds(5))).isTrue();
            List<Event> all = store.events(new EventQuery(null, null, null, null, 10));
            assertThat(all).extracting(Event::message).containsExactly("second", "first");
            assertThat(all.get(1).details()).containsEntry("heldMs", 12).containsEntry("thread", "t1");
            assertThat(all.get(1).severity()).isEqualTo(Severity.WARNING);
            assertThat(store.events(new EventQuery(null, "app", null, null, 10))).hasSize(1);
            assertThat(store.events(new EventQuery(null, null, "resize", null, 10))).hasSize(1);
            assertThat(store.written()).isEqualTo(2);
        }
    }

    @Test
    void retentionDeletesOnlyWhatIsOld() throws Exception {
        Instant now = Instant.now();
        try (EventStore store = EventStore.open(dir.resolve("m.db"))) {
            store.record(at(now.minus(Duration.ofHours(30)), "old"));
            store.record(at(now.minus(Duration.ofHours(25)), "older than a day"));
            store.record(at(now.minus(Duration.ofHours(23)), "recent"));
            store.record(at(now, "now"));
            store.flush(Duration.ofSeconds(5));
            assertThat(store.deleteOlderThan(now.minus(Duration.ofHours(24)))).isEqualTo(2);
            assertThat(store.events(new EventQuery(null, null, null, null, 10))).extracting(Event::message)
                    .containsExactly("now", "recent");
        }
    }

    @Test
    void reopeningAppliesRetentionAtStart() throws Exception {
        Instant now = Instant.now();
        try (EventStore store = EventStore.open(dir.resolve("m.db"))) {
            store.record(at(now.minus(Duration.ofHours(3)), "three hours ago"));
            store.record(at(now, "now"));
            store.flush(Duration.ofSeconds(5));
        }
        try (EventStore store = EventStore.open(dir.resolve("m.db"), new EventStore.Settings(100, Duration.ofHours(2)))) {
            assertThat(store.events(new EventQuery(null, null, null, null, 10))).extracting(Event::message)
                    .containsExactly("now");
        }
    }

    @Test
    void fullQueueDropsAndCountsWithoutBlockingTheCaller() throws Exception {
        try (EventStore store = EventStore.open(dir.resolve("m.db"), new EventStore.Settings(5, Duration.ofHours(1)))) {
            long start = System.nanoTime();
            int accepted = 0;
            for (int i = 0; i < 5000; i++) {
                if (store.record(at(Instant.now(), "e" + i))) {
                    accepted++;
                }
            }
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            assertThat(store.dropped()).isEqualTo(5000 - accepted).isPositive();
            assertThat(elapsedMs).as("5000 record() calls return without waiting for disk").isLessThan(5000);
            store.flush(Duration.ofSeconds(5));
            assertThat(store.written()).isEqualTo(accepted);
        }
    }

    @Test
    void configIsSavedAndUpdatedPerPool() throws Exception {
        try (EventStore store = EventStore.open(dir.resolve("m.db"))) {
            store.saveConfig("app", Map.of("maxReaders", "7"));
            store.saveConfig("app", Map.of("maxReaders", "8", "idleTimeoutMs", "1000"));
            store.saveConfig("other", Map.of("maxReaders", "2"));
            assertThat(store.loadConfig("app")).containsExactly(Map.entry("idleTimeoutMs", "1000"),
                    Map.entry("maxReaders", "8"));
        }
        try (EventStore store = EventStore.open(dir.resolve("m.db"))) {
            assertThat(store.loadConfig("app")).containsEntry("maxReaders", "8");
        }
    }

    @Test
    void exportStreamsEveryEventSinceAnInstantOldestFirst() throws Exception {
        Instant now = Instant.now();
        try (EventStore store = EventStore.open(dir.resolve("m.db"))) {
            for (int i = 0; i < 50; i++) {
                store.record(at(now.minusSeconds(50 - i), "e" + i));
            }
            store.flush(Duration.ofSeconds(5));
            List<String> seen = new ArrayList<>();
            store.exportEvents(now.minusSeconds(10), e -> seen.add(e.message()));
            assertThat(seen).containsExactly("e40", "e41", "e42", "e43", "e44", "e45", "e46", "e47", "e48", "e49");
        }
    }

    @Test
    void schemaIsVersionedAndANewerOneIsRefused() throws Exception {
        Path file = dir.resolve("m.db");
        EventStore.open(file).close();
        try (SqlitePool pool = SqlitePool.open(SqlitePoolConfig.builder(file).build())) {
            int version = pool.read(c -> {
                try (var rs = c.createStatement().executeQuery("PRAGMA user_version")) {
                    rs.next();
                    return rs.getInt(1);
                }
            });
            assertThat(version).isEqualTo(Migrations.FILES.size());
            pool.write(c -> c.createStatement().execute("PRAGMA user_version = 99"));
        }
        assertThatThrownBy(() -> EventStore.open(file)).isInstanceOf(SQLException.class)
                .hasMessageContaining("schema version 99, newer than this poolwatch knows");
    }

    @Test
    void migrationStatementsSplitOnLineEndSemicolons() {
        assertThat(Migrations.statements("-- c\nCREATE TABLE a (x);\n\nCREATE INDEX i ON a (x);\n"))
                .containsExactly("CREATE TABLE a (x)", "CREATE INDEX i ON a (x)");
    }
}
