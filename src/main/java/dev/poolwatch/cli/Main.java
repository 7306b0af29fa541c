package dev.poolwatch.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code poolwatch} command. Exit codes: 0 success, 1 runtime failure, 2 bad usage. */
@Command(name = "poolwatch", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "A SQLite-aware connection pool with a Prometheus exporter, alert rules and auto-recovery.",
        subcommands = {DemoCommand.class, ServeCommand.class, StackCommand.class, LoadCommand.class, DoctorCommand.class,
                CommandLine.HelpCommand.class},
        footer = {"", "Every option can also come from the environment (POOLWATCH_<OPTION>, e.g. POOLWATCH_PORT=9464)"
                + " or from a .properties or .yaml file named by --config or POOLWATCH_CONFIG (key = option name"
                + " without dashes, e.g. 'port: 9464'). The command line wins over the environment, which wins over"
                + " the file."})
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command and returns its exit code; used by {@link #main} and by tests. */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(Main.class);
        try {
            cli.setDefaultValueProvider(new ConfigDefaults(args, System.getenv()));
        } catch (IllegalArgumentException e) {
            cli.getErr().println("poolwatch: " + e.getMessage());
            return CommandLine.ExitCode.USAGE;
        }
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("poolwatch: " + e.getMessage());
            return 1;
        });
        return cli.execute(args);
    }
}
