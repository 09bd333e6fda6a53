package io.vshard.cli;

import io.vshard.demo.DemoOptions;
import io.vshard.demo.DemoReport;
import io.vshard.demo.DemoStory;
import io.vshard.proxy.http.DashboardHandler;
import io.vshard.proxy.http.StatusHttpServer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code vshard demo}: the whole live-resharding story on the embedded fleet (H2 shards under a data
 * directory), with a live dashboard on the HTTP port. See {@link DemoStory}.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = "Run the scenario for real on embedded H2 shards: hot shards, a signed v2, a live migration"
                + " under traffic, and the proof that nothing was lost.")
final class DemoCommand implements Callable<Integer> {
    @Option(
            names = "--data-dir",
            defaultValue = ".vshard/demo",
            description = "Data directory (default ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--fresh", description = "Wipe the data directory first.")
    boolean fresh;

    @Option(names = "--creators", defaultValue = "200000", description = "Creators (default ${DEFAULT-VALUE}).")
    long creators;

    @Option(names = "--payments", defaultValue = "2000000", description = "Payments (default ${DEFAULT-VALUE}).")
    long payments;

    @Option(names = "--seed", defaultValue = "20251117", description = "Dataset seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--rollback-at",
            defaultValue = "0",
            description = "Roll the migration back once at this percentage of rows moved, then restart it.")
    int rollbackAt;

    @Option(
            names = "--http",
            defaultValue = "7080",
            description = "Dashboard port (default ${DEFAULT-VALUE}, 0 = off).")
    int http;

    @Option(
            names = "--writes-per-second",
            defaultValue = "400",
            description = "Live writers' total rate; readers run at half (default ${DEFAULT-VALUE}).")
    int writesPerSecond;

    @Option(
            names = "--step-pause",
            defaultValue = "1000",
            description = "Milliseconds each step lingers for the dashboard (default ${DEFAULT-VALUE}).")
    long stepPause;

    @Option(
            names = "--linger",
            defaultValue = "0",
            description = "Seconds the dashboard stays up after the report (default ${DEFAULT-VALUE}).")
    long linger;

    @Option(
            names = "--backend",
            defaultValue = "embedded",
            description = "embedded (H2 files under the data directory), postgres or mysql (default ${DEFAULT-VALUE}).")
    String backend;

    @Option(
            names = "--url",
            description = "The server's JDBC URL for --backend postgres or mysql (default"
                    + " jdbc:postgresql://127.0.0.1:5432/postgres, jdbc:mariadb://127.0.0.1:3306/).")
    String url;

    @Option(names = "--user", description = "The server's user (default postgres, root).")
    String user;

    @Option(names = "--password", description = "The server's password (default none).")
    String password;

    @Option(
            names = "--keep",
            description = "Leave a server backend's databases (vshard_demo_<time>_<id>_*) in place after the run.")
    boolean keep;

    @Option(names = "--json", description = "Print the final report as one JSON object on the last line.")
    boolean json;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        DemoOptions options = new DemoOptions(
                dataDir,
                fresh,
                creators,
                payments,
                seed,
                rollbackAt,
                http,
                writesPerSecond,
                stepPause,
                linger,
                System.console() != null,
                backend,
                url,
                user,
                password,
                keep);
        DemoStory story = new DemoStory(options, out);
        out.printf(
                "vshard demo: %,d creators, %,d payments (seed %d), backend %s%n", creators, payments, seed, backend);
        StatusHttpServer server = null;
        if (http != 0) {
            server = new StatusHttpServer(() -> "", () -> true, new DashboardHandler(story.state()::json));
            int port = server.start(Math.max(0, http));
            out.printf("dashboard: http://localhost:%d/%n", port);
        }
        try {
            DemoReport report = story.run();
            if (linger > 0 && server != null) {
                out.printf("the dashboard stays up for %d s (Ctrl-C to leave)%n", linger);
                out.flush();
                Thread.sleep(linger * 1000);
            }
            if (json) {
                out.println(report.json());
            }
            out.flush();
            return report.lost() == 0 && report.duplicated() == 0 && report.digestMismatches() == 0 ? 0 : 2;
        } finally {
            if (server != null) {
                server.close();
            }
        }
    }
}
