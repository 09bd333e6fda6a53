package io.vshard.it.demo;

import io.vshard.cli.VShardCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/** Runs {@code vshard demo} in this JVM and reads the JSON report on its last line. */
final class DemoRun {
    final int exitCode;
    final String output;

    private DemoRun(int exitCode, String output) {
        this.exitCode = exitCode;
        this.output = output;
    }

    static DemoRun run(Path dataDir, StringWriter sink, String... extra) {
        return run(dataDir, 20_000, 20_000, sink, extra);
    }

    static DemoRun run(Path dataDir, long creators, long payments, StringWriter sink, String... extra) {
        List<String> args = new ArrayList<>(List.of(
                "demo",
                "--data-dir",
                dataDir.toString(),
                "--fresh",
                "--creators",
                Long.toString(creators),
                "--payments",
                Long.toString(payments),
                "--json"));
        args.addAll(List.of(extra));
        CommandLine cl = VShardCommand.commandLine();
        cl.setOut(new PrintWriter(sink, true));
        cl.setErr(new PrintWriter(sink, true));
        int code = cl.execute(args.toArray(String[]::new));
        return new DemoRun(code, sink.toString());
    }

    String lastLine() {
        String[] lines = output.strip().split("\n");
        return lines[lines.length - 1];
    }

    double number(String field) {
        Matcher m = Pattern.compile("\"" + field + "\":(-?[0-9.]+)").matcher(lastLine());
        if (!m.find()) {
            throw new AssertionError("no " + field + " in the report: " + lastLine());
        }
        return Double.parseDouble(m.group(1));
    }
}
