package io.vshard.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code vshard sql}: runs statements through the {@code jdbc:vshard:} driver and prints results as tables. */
@Command(
        name = "sql",
        mixinStandardHelpOptions = true,
        description = "Run SQL through the jdbc:vshard: driver (routing, fan-out, admin SQL) and print the result.")
final class SqlCommand implements Callable<Integer> {
    static final Path DEFAULT_CONFIG = Path.of("conf", "vshard.yaml");

    @Option(
            names = "--config",
            description = "The vshard configuration (default: ${DEFAULT-VALUE}).",
            defaultValue = "conf/vshard.yaml")
    Path config;

    @Option(
            names = "--no-create-schemas",
            negatable = true,
            defaultValue = "true",
            description = "Create missing shard schemas first (default: ${DEFAULT-VALUE}).")
    boolean createSchemas;

    @Option(
            names = "--max-rows",
            defaultValue = "1000",
            description = "Rows printed per result (default ${DEFAULT-VALUE}).")
    int maxRows;

    @Parameters(arity = "1..*", description = "Statements; each argument runs as one statement, in order.")
    List<String> statements;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws SQLException {
        if (!Files.isRegularFile(config)) {
            throw new IllegalArgumentException(config + ": no such configuration file");
        }
        PrintWriter out = spec.commandLine().getOut();
        String url = "jdbc:vshard:" + config.toAbsolutePath() + (createSchemas ? "?createSchemas=true" : "");
        try (Connection c = DriverManager.getConnection(url);
                Statement st = c.createStatement()) {
            for (String sql : statements) {
                boolean isResult = st.execute(sql);
                while (true) {
                    if (isResult) {
                        try (ResultSet rs = st.getResultSet()) {
                            print(out, rs);
                        }
                    } else if (st.getUpdateCount() >= 0) {
                        out.printf("%d row%s affected%n", st.getUpdateCount(), st.getUpdateCount() == 1 ? "" : "s");
                    } else {
                        break;
                    }
                    isResult = st.getMoreResults();
                }
            }
        } catch (SQLException e) {
            throw new SQLException("[" + e.getSQLState() + "] " + e.getMessage(), e.getSQLState(), e);
        }
        return 0;
    }

    private void print(PrintWriter out, ResultSet rs) throws SQLException {
        ResultSetMetaData md = rs.getMetaData();
        int n = md.getColumnCount();
        List<String[]> rows = new ArrayList<>();
        String[] header = new String[n];
        int[] width = new int[n];
        for (int i = 0; i < n; i++) {
            header[i] = md.getColumnLabel(i + 1);
            width[i] = header[i].length();
        }
        int count = 0;
        boolean more = false;
        while (rs.next()) {
            if (count == maxRows) {
                more = true;
                break;
            }
            String[] row = new String[n];
            for (int i = 0; i < n; i++) {
                Object v = rs.getObject(i + 1);
                row[i] = v == null ? "" : v.toString();
                width[i] = Math.max(width[i], row[i].length());
            }
            rows.add(row);
            count++;
        }
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < n; i++) {
            line.append(i == 0 ? " " : " | ").append(pad(header[i], width[i]));
        }
        out.println(line);
        StringBuilder rule = new StringBuilder();
        for (int i = 0; i < n; i++) {
            rule.append(i == 0 ? "-" : "-+-").append("-".repeat(width[i]));
        }
        out.println(rule.append('-'));
        for (String[] row : rows) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < n; i++) {
                b.append(i == 0 ? " " : " | ").append(pad(row[i], width[i]));
            }
            out.println(b.toString().stripTrailing());
        }
        out.printf("(%d row%s%s)%n%n", count, count == 1 ? "" : "s", more ? ", more not shown; see --max-rows" : "");
    }

    private static String pad(String s, int w) {
        return s + " ".repeat(w - s.length());
    }
}
