package dev.poolwatch.load;

import dev.poolwatch.pool.SqlFunction;
import dev.poolwatch.pool.SqlitePool;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The operations of a chat bot's database: point reads of a user by key, small range reads of a user's recent
 * messages, and write transactions that update a user row and append a message row.
 */
public final class BotWorkload {

    private final SqlitePool pool;
    private final int users;

    public BotWorkload(SqlitePool pool, int users) {
        if (users < 1) {
            throw new IllegalArgumentException("users must be at least 1, was " + users);
        }
        this.pool = pool;
        this.users = users;
    }

    /** Creates the tables and the users if they are missing; safe to call on an existing database. */
    public void prepare() throws SQLException {
        pool.write(c -> {
            createSchema(c, users);
            return null;
        });
    }

    /** The schema and users on any connection, inside the caller's transaction (benchmarks use other pools). */
    static void createSchema(Connection c, int users) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS bot_user (id INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                    + " messages INTEGER NOT NULL DEFAULT 0, updated_ms INTEGER NOT NULL)");
            s.execute("CREATE TABLE IF NOT EXISTS bot_message (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL"
                    + " REFERENCES bot_user (id), op_id INTEGER, body TEXT NOT NULL, created_ms INTEGER NOT NULL)");
            s.execute("CREATE INDEX IF NOT EXISTS bot_message_user ON bot_message (user_id, id)");
            s.execute("CREATE UNIQUE INDEX IF NOT EXISTS bot_message_op ON bot_message (op_id)");
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT OR IGNORE INTO bot_user (id, name, updated_ms)"
                + " VALUES (?, ?, ?)")) {
            long now = System.currentTimeMillis();
            for (int i = 1; i <= users; i++) {
                ps.setInt(1, i);
                ps.setString(2, "user-" + i);
                ps.setLong(3, now);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    int randomUser() {
        return 1 + ThreadLocalRandom.current().nextInt(users);
    }

    /** Reads one user by primary key. */
    public String pointRead() throws SQLException {
        int id = randomUser();
        return pool.read(c -> pointRead(c, id));
    }

    static String pointRead(Connection c, int user) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT name, messages FROM bot_user WHERE id = ?")) {
            ps.setInt(1, user);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /** Reads a user's ten latest messages. */
    public int rangeRead() throws SQLException {
        int id = randomUser();
        return pool.read(c -> rangeRead(c, id));
    }

    static int rangeRead(Connection c, int user) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT id, body FROM bot_message WHERE user_id = ?"
                + " ORDER BY id DESC LIMIT 10")) {
            ps.setInt(1, user);
            int n = 0;
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    n++;
                }
            }
            return n;
        }
    }

    /**
     * Appends a message and bumps its user's counter in one transaction. {@code opId} identifies the write, so an
     * integrity check can later tell which acknowledged writes are present.
     */
    public void write(long opId) throws SQLException {
        write(opId, WriteMode.PLAIN);
    }

    /** {@link #write(long)}, as its own transaction or through the pool's group commit. */
    public void write(long opId, WriteMode mode) throws SQLException {
        int id = randomUser();
        SqlFunction<Object> work = c -> {
            write(c, id, opId);
            return null;
        };
        if (mode == WriteMode.BATCHED) {
            pool.writeBatched(work);
        } else {
            pool.write(work);
        }
    }

    static final String UPDATE_USER = "UPDATE bot_user SET messages = messages + 1, updated_ms = ? WHERE id = ?";
    static final String INSERT_MESSAGE = "INSERT INTO bot_message (user_id, op_id, body, created_ms)"
            + " VALUES (?, ?, ?, ?)";

    /** The write's statements, inside the caller's transaction. */
    static void write(Connection c, int user, long opId) throws SQLException {
        try (PreparedStatement up = c.prepareStatement(UPDATE_USER);
             PreparedStatement ins = c.prepareStatement(INSERT_MESSAGE)) {
            write(up, ins, user, opId);
        }
    }

    /** The write on statements prepared by the caller from {@link #UPDATE_USER} and {@link #INSERT_MESSAGE}. */
    static void write(PreparedStatement up, PreparedStatement ins, int user, long opId) throws SQLException {
        long now = System.currentTimeMillis();
        up.setLong(1, now);
        up.setInt(2, user);
        up.executeUpdate();
        ins.setInt(1, user);
        ins.setLong(2, opId);
        ins.setString(3, "message " + opId + " from user " + user);
        ins.setLong(4, now);
        ins.executeUpdate();
    }

    /** The highest op id written so far, so a restarted run continues without colliding. */
    public long maxOpId() throws SQLException {
        return pool.read(c -> {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                    "SELECT coalesce(max(op_id), 0) FROM bot_message")) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }
}
