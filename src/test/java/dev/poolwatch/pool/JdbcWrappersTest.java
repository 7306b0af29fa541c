package dev.poolwatch.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sqlite.SQLiteException;
import org.sqlite.core.CoreStatement;
import org.sqlite.jdbc3.JDBC3DatabaseMetaData;

class JdbcWrappersTest {

    /** Records what the wrappers tell their owner. Its connection() is a second connection, so identity means something. */
    private static final class RecordingOwner implements JdbcOwner {
        final Connection facade;
        final List<String> executed = new ArrayList<>();
        final List<SQLException> failures = new ArrayList<>();
        final List<AutoCloseable> tracked = new ArrayList<>();
        int untracked;
        boolean over;

        RecordingOwner(Connection facade) {
            this.facade = facade;
        }

        @Override
        public Connection connection() {
            return facade;
        }

        @Override
        public void beforeExecute(String sql) throws SQLException {
            if (over) {
                throw new SQLException("the borrow is over", "08003");
            }
            executed.add(sql);
        }

        @Override
        public void noteSql(String sql) {
        }

        @Override
        public SQLException failed(SQLException e) {
            failures.add(e);
            return new SQLException("classified: " + e.getMessage(), e.getSQLState(), e);
        }

        @Override
        public void track(AutoCloseable wrapper) {
            tracked.add(wrapper);
        }

        @Override
        public void untrack(AutoCloseable wrapper) {
            untracked++;
            tracked.remove(wrapper);
        }
    }

    private Connection raw;
    private RecordingOwner owner;

    @BeforeEach
    void open() throws SQLException {
        raw = DriverManager.getConnection("jdbc:sqlite::memory:");
        owner = new RecordingOwner(DriverManager.getConnection("jdbc:sqlite::memory:"));
        try (Statement s = raw.createStatement()) {
            s.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
        }
    }

    @AfterEach
    void close() throws SQLException {
        raw.close();
        owner.facade.close();
    }

    private Statement statement() throws SQLException {
        ProxyStatement s = new ProxyStatement(owner, raw.createStatement());
        owner.track(s);
        return s;
    }

    private PreparedStatement prepared(String sql) throws SQLException {
        ProxyPreparedStatement ps = new ProxyPreparedStatement(owner, raw.prepareStatement(sql), null);
        owner.track(ps);
        return ps;
    }

    private DatabaseMetaData metaData() throws SQLException {
        return new ProxyDatabaseMetaData(owner, raw.getMetaData());
    }

    @Test
    void everyStatementExecutePathReportsItsSqlBeforeItRuns() throws SQLException {
        Statement s = statement();
        s.execute("INSERT INTO t (v) VALUES ('a')");
        s.executeUpdate("INSERT INTO t (v) VALUES ('b')");
        assertThat(s.executeLargeUpdate("INSERT INTO t (v) VALUES ('c')")).isEqualTo(1L);
        s.executeQuery("SELECT v FROM t").close();
        s.addBatch("INSERT INTO t (v) VALUES ('d')");
        s.executeBatch();
        s.addBatch("INSERT INTO t (v) VALUES ('e')");
        assertThat(s.executeLargeBatch()).containsExactly(1L);

        assertThat(owner.executed).containsExactly("INSERT INTO t (v) VALUES ('a')", "INSERT INTO t (v) VALUES ('b')",
                "INSERT INTO t (v) VALUES ('c')", "SELECT v FROM t", "INSERT INTO t (v) VALUES ('d')", null,
                "INSERT INTO t (v) VALUES ('e')", null);
    }

    @Test
    void everyPreparedExecutePathReportsNullBecauseTheOwnerSawItsSqlAtPrepare() throws SQLException {
        PreparedStatement ps = prepared("INSERT INTO t (v) VALUES (?)");
        ps.setString(1, "a");
        ps.execute();
        ps.executeUpdate();
        assertThat(ps.executeLargeUpdate()).isEqualTo(1L);
        ps.addBatch();
        ps.executeBatch();
        prepared("SELECT v FROM t").executeQuery().close();

        assertThat(owner.executed).hasSize(5).containsOnlyNulls();
    }

    @Test
    void anExecuteTheOwnerRefusesNeverReachesTheDriver() throws SQLException {
        Statement s = statement();
        owner.over = true;
        assertThatThrownBy(() -> s.execute("INSERT INTO t (v) VALUES ('a')")).hasMessage("the borrow is over");
        owner.over = false;
        try (ResultSet rs = s.executeQuery("SELECT count(*) FROM t")) {
            rs.next();
            assertThat(rs.getInt(1)).isZero();
        }
    }

    @Test
    void driverErrorsPassThroughTheOwnerAndTheCallerGetsWhatItReturns() throws SQLException {
        Statement s = statement();
        assertThatThrownBy(() -> s.execute("SELEC 1")).hasMessageStartingWith("classified: ")
                .hasCauseInstanceOf(SQLiteException.class);
        PreparedStatement ps = prepared("INSERT INTO t (id, v) VALUES (1, 'a')");
        ps.executeUpdate();
        assertThatThrownBy(ps::executeUpdate).hasMessageStartingWith("classified: ")
                .cause().hasMessageContaining("UNIQUE constraint failed");
        ResultSet rs = s.executeQuery("SELECT v FROM t");
        assertThatThrownBy(() -> rs.getString("nope")).hasMessageStartingWith("classified: ");

        assertThat(owner.failures).hasSize(3);
    }

    @Test
    void everyResultSetLeadsBackToTheStatementWrapperThatMadeIt() throws SQLException {
        Statement s = statement();
        assertThat(s.executeQuery("SELECT 1").getStatement()).isSameAs(s);
        s.execute("SELECT 2");
        assertThat(s.getResultSet().getStatement()).isSameAs(s);
        s.executeUpdate("INSERT INTO t (v) VALUES ('a')");
        ResultSet keys = s.getGeneratedKeys();
        assertThat(keys).isInstanceOf(ProxyResultSet.class);
        assertThat(keys.getStatement()).isSameAs(s);
        PreparedStatement ps = prepared("SELECT v FROM t");
        ResultSet rs = ps.executeQuery();
        assertThat(rs.getStatement()).isSameAs(ps);
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("a");
        assertThat(owner.tracked).containsExactly(s, ps);
    }

    @Test
    void statementsAnswerWithTheCallersConnection() throws SQLException {
        Statement s = statement();
        PreparedStatement ps = prepared("SELECT 1");
        assertThat(s.getConnection()).isSameAs(owner.facade);
        assertThat(ps.getConnection()).isSameAs(owner.facade);
        assertThat(ps.executeQuery().getStatement().getConnection()).isSameAs(owner.facade);
    }

    @Test
    void metadataAnswersWithTheCallersConnectionAndItsResultSetsAreTrackedWithoutAStatement() throws SQLException {
        DatabaseMetaData md = metaData();
        assertThat(md.getConnection()).isSameAs(owner.facade);
        ResultSet tables = md.getTables(null, null, "t", null);
        ResultSet columns = md.getColumns(null, null, "t", "%");
        assertThat(owner.tracked).containsExactly(tables, columns);
        assertThat(tables.getStatement()).isNull();
        assertThat(tables.next()).isTrue();
        assertThat(tables.getString("TABLE_NAME")).isEqualTo("t");

        columns.close();
        columns.close();
        tables.close();
        assertThat(owner.tracked).isEmpty();
        assertThat(owner.untracked).isEqualTo(2);
    }

    @Test
    void metadataDiesWithTheCallersConnection() throws SQLException {
        DatabaseMetaData md = metaData();
        assertThat(md.getDatabaseProductName()).isEqualTo("SQLite");
        owner.facade.close();
        assertThatThrownBy(md::getDatabaseProductName).isInstanceOf(SQLException.class)
                .hasMessageContaining("closed connection");
        assertThatThrownBy(() -> md.getTables(null, null, "%", null)).isInstanceOf(SQLException.class);
        assertThat(owner.tracked).isEmpty();
    }

    @Test
    void unwrapFollowsTheJdbcRulesInsteadOfTheDriversCast() throws SQLException {
        Statement s = statement();
        PreparedStatement ps = prepared("SELECT 1");
        ResultSet rs = ps.executeQuery();
        DatabaseMetaData md = metaData();
        for (java.sql.Wrapper w : List.of(s, ps, rs, md)) {
            assertThat(w.isWrapperFor(Runnable.class)).isFalse();
            assertThatThrownBy(() -> w.unwrap(Runnable.class)).isExactlyInstanceOf(SQLException.class)
                    .hasMessageContaining("not a wrapper for java.lang.Runnable")
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isNotBlank());
        }
        assertThat(s.isWrapperFor(CoreStatement.class)).isTrue();
        assertThat(s.unwrap(CoreStatement.class)).isInstanceOf(CoreStatement.class).isNotSameAs(s);
        assertThat(ps.unwrap(CoreStatement.class)).isInstanceOf(CoreStatement.class);
        assertThat(s.unwrap(Statement.class)).isSameAs(s);
        assertThat(ps.unwrap(PreparedStatement.class)).isSameAs(ps);
        assertThat(rs.unwrap(ResultSet.class)).isSameAs(rs);
        assertThat(md.isWrapperFor(JDBC3DatabaseMetaData.class)).isTrue();
        assertThat(md.unwrap(JDBC3DatabaseMetaData.class)).isInstanceOf(JDBC3DatabaseMetaData.class);
        assertThat(owner.failures).isEmpty();
    }

    @Test
    void aClosedStatementRefusesEveryCallButCloseAndIsClosed() throws SQLException {
        Statement s = statement();
        ResultSet rs = s.executeQuery("SELECT 1");
        s.close();
        s.close();
        assertThat(owner.untracked).isEqualTo(1);
        assertThat(owner.tracked).isEmpty();
        assertThat(s.isClosed()).isTrue();
        assertThat(rs.isClosed()).as("the driver closes a statement's result sets").isTrue();
        for (ThrowingCall call : List.<ThrowingCall>of(() -> s.execute("SELECT 1"), () -> s.executeQuery("SELECT 1"),
                s::getConnection, s::getResultSet, s::getMaxRows, () -> s.unwrap(CoreStatement.class),
                () -> s.addBatch("SELECT 1"))) {
            assertThatThrownBy(call::run).isInstanceOf(SQLException.class).hasMessage("statement is closed")
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08003"));
        }
        assertThat(owner.executed).containsExactly("SELECT 1");
        assertThat(owner.failures).isEmpty();
    }

    interface ThrowingCall {
        void run() throws Exception;
    }

    /** How each final wrapper is made over a driver object of its interface. */
    private Map<Class<?>, BiFunction<JdbcOwner, Object, Object>> factories() throws SQLException {
        Statement parent = statement();
        return Map.of(
                Statement.class, (o, d) -> new ProxyStatement(o, (Statement) d),
                PreparedStatement.class, (o, d) -> new ProxyPreparedStatement(o, (PreparedStatement) d, null),
                CallableStatement.class, (o, d) -> new ProxyCallableStatement(o, (CallableStatement) d),
                ResultSet.class, (o, d) -> new ProxyResultSet(o, (ResultSet) d, parent),
                DatabaseMetaData.class, (o, d) -> new ProxyDatabaseMetaData(o, (DatabaseMetaData) d));
    }

    /** The prepared statement answers these itself: the pool honours the hint, the driver ignores it. */
    private static final Set<String> POOLABLE = Set.of("setPoolable", "isPoolable");

    /** Written by hand and proved by the tests above, not by the sweep. */
    private static final Set<String> HAND_WRITTEN = Set.of("close", "isClosed", "getConnection", "getStatement",
            "unwrap", "isWrapperFor");

    /**
     * Drives every generated method of every wrapper against a fake driver object and checks that it called the same
     * method with the same arguments, returned the driver's answer (result sets wrapped), told the owner before each
     * execute, and sent the driver's SQLException through the owner.
     */
    @Test
    void everyGeneratedMethodForwardsItsArgumentsAnswerAndFailure() throws Exception {
        for (Map.Entry<Class<?>, BiFunction<JdbcOwner, Object, Object>> family : factories().entrySet()) {
            Class<?> iface = family.getKey();
            List<Object[]> calls = new ArrayList<>();
            SQLException[] failWith = {null};
            Object fake = Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {iface}, (p, m, a) -> {
                calls.add(new Object[] {m, a == null ? new Object[0] : a});
                if (failWith[0] != null) {
                    throw failWith[0];
                }
                return answer(m.getReturnType());
            });
            Object wrapper = family.getValue().apply(owner, fake);
            int swept = 0;
            for (Method m : iface.getMethods()) {
                if (HAND_WRITTEN.contains(m.getName()) || Modifier.isStatic(m.getModifiers())
                        || iface == PreparedStatement.class && POOLABLE.contains(m.getName())) {
                    continue;
                }
                swept++;
                String what = iface.getSimpleName() + "." + m.getName() + Arrays.toString(m.getParameterTypes());
                Object[] args = arguments(m);
                failWith[0] = null;
                calls.clear();
                owner.executed.clear();
                Object result = m.invoke(wrapper, args);

                assertThat(calls).as(what).hasSize(1);
                Method called = (Method) calls.get(0)[0];
                assertThat(called.getName() + Arrays.toString(called.getParameterTypes())).as(what)
                        .isEqualTo(m.getName() + Arrays.toString(m.getParameterTypes()));
                assertThat((Object[]) calls.get(0)[1]).as(what).containsExactly(args);
                if (m.getReturnType() == ResultSet.class) {
                    assertThat(result).as(what).isInstanceOf(ProxyResultSet.class);
                    assertThat(((ResultSet) result).getStatement()).as(what)
                            .isSameAs(iface == DatabaseMetaData.class ? null : wrapper);
                } else {
                    assertThat(result).as(what).isEqualTo(answer(m.getReturnType()));
                }
                boolean execute = m.getName().startsWith("execute")
                        || m.getName().equals("addBatch") && m.getParameterCount() == 1;
                assertThat(owner.executed).as(what).isEqualTo(execute
                        ? Arrays.asList(m.getParameterCount() > 0 && args[0] instanceof String ? args[0] : null)
                        : List.of());

                if (Arrays.asList(m.getExceptionTypes()).contains(SQLException.class)) {
                    failWith[0] = new SQLException("driver failed in " + what);
                    owner.failures.clear();
                    assertThatThrownBy(() -> m.invoke(wrapper, args)).as(what)
                            .isInstanceOf(InvocationTargetException.class)
                            .cause().hasMessage("classified: driver failed in " + what);
                    assertThat(owner.failures).as(what).containsExactly(failWith[0]);
                }
            }
            assertThat(swept).as(iface.getSimpleName()).isGreaterThan(iface == Statement.class ? 40 : 50);
        }
    }

    /** What the fake driver answers: a distinct value per type, a fake result set for result sets. */
    private Object answer(Class<?> type) {
        if (type == ResultSet.class) {
            return Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {ResultSet.class},
                    (p, m, a) -> m.getName().equals("toString") ? "fake result set" : null);
        }
        return type == int.class ? 42 : type == long.class ? 43L : type == short.class ? (short) 44
                : type == byte.class ? (byte) 45 : type == float.class ? 46f : type == double.class ? 47d
                : type == boolean.class ? Boolean.TRUE : type == String.class ? "answer" : null;
    }

    /** Distinct arguments, so that a swapped pair shows. */
    private static Object[] arguments(Method m) {
        Class<?>[] types = m.getParameterTypes();
        Object[] args = new Object[types.length];
        for (int i = 0; i < types.length; i++) {
            Class<?> t = types[i];
            args[i] = t == int.class ? 100 + i : t == long.class ? 200L + i : t == short.class ? (short) (300 + i)
                    : t == byte.class ? (byte) i : t == float.class ? 400f + i : t == double.class ? 500d + i
                    : t == boolean.class ? (i % 2 == 0) : t == String.class || t == Object.class ? "arg" + i : null;
        }
        return args;
    }

    @Test
    void wrappersAreFinalClassesThatImplementEveryMethodThemselves() {
        Map<Class<?>, Class<?>> wrappers = Map.of(Statement.class, ProxyStatement.class,
                PreparedStatement.class, ProxyPreparedStatement.class,
                CallableStatement.class, ProxyCallableStatement.class,
                ResultSet.class, ProxyResultSet.class, DatabaseMetaData.class, ProxyDatabaseMetaData.class);
        wrappers.forEach((iface, wrapper) -> {
            assertThat(Modifier.isFinal(wrapper.getModifiers())).as(wrapper.getSimpleName()).isTrue();
            assertThat(Proxy.isProxyClass(wrapper)).as(wrapper.getSimpleName()).isFalse();
            assertThat(iface.isAssignableFrom(wrapper)).isTrue();
            for (Method m : iface.getMethods()) {
                if (Modifier.isStatic(m.getModifiers())) {
                    continue;
                }
                try {
                    // A default method left to the interface would skip the driver (executeLargeUpdate would throw).
                    assertThat(wrapper.getMethod(m.getName(), m.getParameterTypes()).getDeclaringClass().isInterface())
                            .as(wrapper.getSimpleName() + "." + m.getName()).isFalse();
                } catch (NoSuchMethodException e) {
                    throw new AssertionError(e);
                }
            }
        });
    }
}
