import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.Random;

/**
 * How the demo's bulk load should write to an H2 file database: the same payments rows (the demo's table,
 * 16 shard schemas, one writer thread) written four ways, timed by the writer thread's CPU (the shared machine's
 * load stretches wall time, CPU much less). Baseline: 1,000-row INSERTs in one transaction for the whole table.
 * Run by bench/demo-load.sh.
 */
public class H2LoadBench {
    public static void main(String[] args) throws Exception {
        int rows = Integer.parseInt(args[0]);
        Path dir = Files.createTempDirectory("h2load");
        String[] modes = {"one-transaction", "commit-per-batch", "jdbc-batch-per-batch", "commit-per-batch-index-after"};
        double base = 0;
        System.out.printf("| mode | rows | writer CPU s | wall s | CPU vs baseline |%n|---|---|---|---|---|%n");
        for (String mode : modes) {
            double[] r = run(dir.resolve(mode), mode, rows);
            if (base == 0) {
                base = r[0];
            }
            System.out.printf("| %s | %,d | %.2f | %.1f | %.2f |%n", mode, rows, r[0], r[1], r[0] / base);
        }
    }

    static double[] run(Path file, String mode, int n) throws SQLException {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        try (Connection c = DriverManager.getConnection(
                "jdbc:h2:file:" + file + ";DATABASE_TO_LOWER=TRUE;CACHE_SIZE=262144", "sa", "")) {
            Statement st = c.createStatement();
            boolean indexAfter = mode.endsWith("index-after");
            boolean jdbcBatch = mode.startsWith("jdbc-batch");
            for (int s = 0; s < 16; s++) {
                st.execute("CREATE SCHEMA s" + s);
                st.execute("CREATE TABLE s" + s + ".payments (payment_id BIGINT PRIMARY KEY, creator_id BIGINT NOT NULL,"
                        + " region VARCHAR(8) NOT NULL, amount DECIMAL(12,2) NOT NULL, currency CHAR(3) NOT NULL,"
                        + " created_at TIMESTAMP NOT NULL, window_id VARCHAR(8) NOT NULL, event_id BIGINT NOT NULL)");
                if (!indexAfter) {
                    st.execute("CREATE INDEX s" + s + "_pc ON s" + s + ".payments (creator_id)");
                }
            }
            int batch = 1000;
            PreparedStatement[] ps = new PreparedStatement[16];
            for (int s = 0; s < 16; s++) {
                StringBuilder sql = new StringBuilder("INSERT INTO s" + s + ".payments VALUES ");
                for (int i = 0; i < (jdbcBatch ? 1 : batch); i++) {
                    sql.append(i == 0 ? "" : ", ").append("(?, ?, ?, ?, ?, ?, ?, ?)");
                }
                ps[s] = c.prepareStatement(sql.toString());
            }
            c.setAutoCommit(false);
            Random rnd = new Random(1);
            Timestamp ts = Timestamp.valueOf("2026-11-20 10:00:00");
            long cpu0 = mx.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            for (int i = 0; i < n; ) {
                PreparedStatement p = ps[(i / batch) % 16];
                for (int j = 0; j < batch; j++, i++) {
                    int b = jdbcBatch ? 0 : j * 8;
                    p.setLong(b + 1, i);
                    p.setLong(b + 2, rnd.nextInt(200_000));
                    p.setString(b + 3, "NA");
                    p.setBigDecimal(b + 4, BigDecimal.valueOf(rnd.nextInt(5_000_000), 2));
                    p.setString(b + 5, "USD");
                    p.setTimestamp(b + 6, ts);
                    p.setString(b + 7, "2026_W47");
                    p.setLong(b + 8, i);
                    if (jdbcBatch) {
                        p.addBatch();
                    }
                }
                if (jdbcBatch) {
                    p.executeBatch();
                } else {
                    p.executeUpdate();
                }
                if (!mode.equals("one-transaction")) {
                    c.commit();
                }
            }
            c.commit();
            if (indexAfter) {
                for (int s = 0; s < 16; s++) {
                    st.execute("CREATE INDEX s" + s + "_pc ON s" + s + ".payments (creator_id)");
                }
            }
            return new double[] {(mx.getCurrentThreadCpuTime() - cpu0) / 1e9, (System.nanoTime() - t0) / 1e9};
        }
    }
}
