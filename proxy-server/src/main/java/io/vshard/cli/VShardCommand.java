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

    /** The system property of Netty's buffer leak detector. */
    static final String LEAK_DETECTION = "io.netty.leakDetection.level";

    /** Runs the command line and exits with its status. */
    public static void main(String[] args) {
        leakDetectionOffUnlessSet();
        System.exit(commandLine().execute(args));
    }

    /**
     * Turns Netty's leak detector off for the process unless {@value #LEAK_DETECTION} was given: its sampling
     * (a stack trace for one buffer in 128, and on each access to it) cost about 1% of the proxy's CPU per relayed
     * query. The tests keep it on (paranoid in the codec and proxy tests), where leaks are looked for. Must run
     * before Netty's first buffer.
     */
    static void leakDetectionOffUnlessSet() {
        if (System.getProperty(LEAK_DETECTION) == null) {
            System.setProperty(LEAK_DETECTION, "disabled");
        }
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
