package dev.poolwatch.config;

import dev.poolwatch.pool.SqlitePoolConfig;
import java.util.Map;

/** The settings the config API may change: how to read them from a configuration and how to set them. */
public interface LiveSettings {

    /** Every settable field of {@code config}, by its API name, in a stable order. */
    Map<String, Long> of(SqlitePoolConfig config);

    /**
     * {@code current} with {@code values} set, checked as a whole; throws a 400 problem naming the first field that
     * is not valid, and then nothing may be applied.
     */
    SqlitePoolConfig with(SqlitePoolConfig current, Map<String, Long> values);
}
