package io.switchboard;

import ch.qos.logback.classic.spi.ILoggingEvent;
import io.dropwizard.logging.common.ConsoleAppenderFactory;
import io.dropwizard.logging.common.DefaultLoggingFactory;
import io.dropwizard.logging.common.LoggingFactory;

import java.util.List;

/**
 * config.yml as the commands read it: the same file, parsed and checked the same way, except that
 * its {@code logging} block (the server's) is replaced by warnings and errors on stderr. Stdout
 * then carries only what a command prints, so scripts can read it. Dropwizard's
 * {@code ConfiguredCommand} sets logging up from this object before the command runs.
 */
public class CommandConfiguration extends SwitchboardConfiguration {

    private final DefaultLoggingFactory logging = quietLogging();

    @Override
    public LoggingFactory getLoggingFactory() {
        return logging;
    }

    private static DefaultLoggingFactory quietLogging() {
        var stderr = new ConsoleAppenderFactory<ILoggingEvent>();
        stderr.setTarget(ConsoleAppenderFactory.ConsoleStream.STDERR);
        stderr.setLogFormat("%-5level %logger{0}: %msg%n%rEx");
        var logging = new DefaultLoggingFactory();
        logging.setLevel("WARN");
        logging.setAppenders(List.of(stderr));
        return logging;
    }
}
