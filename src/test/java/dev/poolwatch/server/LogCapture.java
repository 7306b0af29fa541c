package dev.poolwatch.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Collects every log event of INFO and above, from every logger, while open, whatever the configured levels: what a
 * production configuration (root at INFO, Jetty at WARN) would write is a subset of it.
 */
final class LogCapture implements AutoCloseable {

    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final Level rootLevel = root.getLevel();
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    LogCapture() {
        appender.start();
        root.addAppender(appender);
        root.setLevel(Level.INFO);
    }

    /** The events a production log would show: WARN and above from anyone, INFO and above from poolwatch. */
    List<String> productionLines() {
        return appender.list.stream()
                .filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN) || e.getLoggerName().startsWith("dev.poolwatch"))
                .map(e -> e.getLevel() + " " + e.getLoggerName() + " - " + e.getFormattedMessage())
                .toList();
    }

    @Override
    public void close() {
        root.detachAppender(appender);
        root.setLevel(rootLevel);
    }
}
