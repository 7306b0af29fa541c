package dev.poolwatch.cli;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import org.slf4j.LoggerFactory;

/** Switches logging between the human-readable default and JSON lines. */
final class Logging {
    private Logging() {
    }

    enum Format { TEXT, JSON }

    static void use(Format format) {
        if (format == Format.TEXT) {
            return;
        }
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        context.reset();
        try {
            configurator.doConfigure(Logging.class.getResource("logback-json.xml"));
        } catch (JoranException e) {
            throw new IllegalStateException("cannot configure JSON logging", e);
        }
    }
}
