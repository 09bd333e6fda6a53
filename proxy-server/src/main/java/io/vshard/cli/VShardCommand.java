package io.vshard.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code vshard} command line: the entry point of the launcher script and of the runnable jar. */
@Command(
        name = "vshard",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Live resharding for PostgreSQL and MySQL fleets.",
        subcommands = {
            DemoCommand.class,
            MigrateCommand.class,
            ManifestCommand.class,
            ProxyCommand.class,
            SqlCommand.class,
            CommandLine.HelpCommand.class
        })
public final class VShardCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Runs the command line and exits with its status. */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, for tests. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new VShardCommand());
        cl.setExecutionExceptionHandler((e, line, parse) -> {
            // Domain errors already say what went wrong and what to do: print them, not a stack trace.
            if (e instanceof IllegalArgumentException
                    || e instanceof java.io.UncheckedIOException
                    || e instanceof java.io.IOException
                    || e instanceof java.sql.SQLException) {
                line.getErr().println("vshard: " + e.getMessage());
                return 1;
            }
            throw e;
        });
        return cl;
    }
}
