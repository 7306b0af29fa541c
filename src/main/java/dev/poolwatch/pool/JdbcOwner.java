package dev.poolwatch.pool;
/** What the JDBC wrappers of one borrow need from the connection they came from. */
interface JdbcOwner {
    /** The caller-facing Connection (what getConnection() methods return). */
    java.sql.Connection connection();
    /** Called before every execute* / executeQuery / executeUpdate / executeBatch / executeLarge* call (sql is the
     *  SQL text for Statement.execute*(String…) and addBatch(String), null for a PreparedStatement's own SQL).
     *  It may begin a transaction lazily and throws SQLException when the borrow is over. */
    void beforeExecute(String sql) throws java.sql.SQLException;
    /** Called with the SQL of prepareStatement/prepareCall (and Statement.addBatch) so the owner can note session-state changes. */
    void noteSql(String sql);
    /** Every SQLException a wrapped call throws passes through here (classification); returns what to throw. */
    java.sql.SQLException failed(java.sql.SQLException e);
    /** A wrapper that must be closed when the borrow ends (statements, metadata result sets). */
    void track(AutoCloseable wrapper);
    /** The wrapper was closed by the caller; forget it (LIFO removal is the common case). */
    void untrack(AutoCloseable wrapper);
}
