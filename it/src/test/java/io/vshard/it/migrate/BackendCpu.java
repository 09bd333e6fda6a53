package io.vshard.it.migrate;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * CPU time of the local PostgreSQL server's backends that serve one application name on databases with a
 * prefix (the benchmark's {@code psql} pipes, the migrator's connections), for comparing work rather than
 * wall time on a shared machine. Polls {@code pg_stat_activity} and reads each backend's {@code /proc/<pid>/stat};
 * a backend that exits between two polls loses its last interval, so short-lived backends are under-counted
 * by at most one poll interval each.
 */
final class BackendCpu implements AutoCloseable {
    private static final double TICKS_PER_SECOND = 100.0;
    private final String prefix;
    private final String application;
    private final long pollMillis;
    private final Map<Integer, long[]> seen = new HashMap<>();
    private final Thread thread;
    private volatile boolean stop;

    /** Starts polling; backends already running count from now. */
    BackendCpu(String prefix, String application, long pollMillis) {
        this.prefix = prefix;
        this.application = application;
        this.pollMillis = pollMillis;
        this.thread = new Thread(this::run, "backend-cpu");
        this.thread.setDaemon(true);
        poll(true);
        thread.start();
    }

    private void run() {
        while (!stop) {
            poll(false);
            try {
                Thread.sleep(pollMillis);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private Connection conn;

    private synchronized void poll(boolean baseline) {
        try {
            if (conn == null) {
                conn = DriverManager.getConnection(MigrationFleet.PG + "postgres", "postgres", "");
            }
            try (PreparedStatement ps = conn.prepareStatement(
                    "SELECT pid FROM pg_stat_activity WHERE datname LIKE ? AND application_name = ?")) {
                ps.setString(1, prefix + "%");
                ps.setString(2, application);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        int pid = rs.getInt(1);
                        long ticks = ticks(pid);
                        if (ticks < 0) {
                            continue;
                        }
                        // {at first sight, latest}; a backend first seen after the start counts from 0.
                        long[] v = seen.computeIfAbsent(pid, k -> new long[] {baseline ? ticks : 0, ticks});
                        v[1] = Math.max(v[1], ticks);
                    }
                }
            }
        } catch (SQLException e) {
            conn = null;
        }
    }

    private static long ticks(int pid) {
        try {
            String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            // utime and stime are fields 14 and 15 of /proc/<pid>/stat, 12 and 13 after "(comm) ".
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Stops polling (after a last poll) and returns the backends' CPU seconds since the start. */
    double stop() {
        stop = true;
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        poll(false);
        long sum = 0;
        synchronized (this) {
            for (long[] v : seen.values()) {
                sum += v[1] - v[0];
            }
        }
        return sum / TICKS_PER_SECOND;
    }

    @Override
    public synchronized void close() {
        stop = true;
        thread.interrupt();
        try {
            if (conn != null) {
                conn.close();
            }
        } catch (SQLException ignored) {
            // Closing the poller's own connection.
        }
    }
}
