package io.vshard.demo;

import io.vshard.migrate.MigrationStatus;
import java.io.PrintWriter;
import java.util.Map;

/**
 * The operator's view of a migration, shared by {@code vshard demo} and {@code vshard migrate status --watch}:
 * on a terminal one progress bar redrawn in place with {@code \r}; otherwise (a pipe, a log file, a test) plain
 * lines, one per call whose text changed. Not thread safe: one thread renders.
 */
public final class ProgressRenderer {
    private static final int WIDTH = 30;
    private final PrintWriter out;
    private final boolean terminal;
    private String last = "";
    private String lastKey = "";
    private long lastPrinted;
    private boolean open;

    /**
     * A renderer writing to {@code out}.
     *
     * @param terminal whether {@code out} is a terminal ({@code System.console() != null}): redraw in place
     */
    public ProgressRenderer(PrintWriter out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    /** Shows {@code status}, with {@code note} appended when not {@code null}. */
    public void show(MigrationStatus status, String note) {
        String line = line(status) + (note == null ? "" : "  " + note);
        if (line.equals(last)) {
            return;
        }
        if (!terminal) {
            // Plain lines: one per change of state, cohort count or whole percent, else one every five seconds.
            String key = s(status) + note;
            long now = System.nanoTime();
            if (key.equals(lastKey) && now - lastPrinted < 5_000_000_000L) {
                return;
            }
            lastKey = key;
            lastPrinted = now;
        }
        if (terminal) {
            int pad = Math.max(0, last.length() - line.length());
            out.print("\r" + line + " ".repeat(pad));
            open = true;
        } else {
            out.println(line);
        }
        out.flush();
        last = line;
    }

    /** Ends the bar's line (on a terminal), so the next output starts on a fresh line. */
    public void finish() {
        if (terminal && open) {
            out.println();
            out.flush();
        }
        open = false;
        last = "";
    }

    private static String s(MigrationStatus st) {
        return st.state() + st.cohortsByState() + (int) st.rowsOnNewPercent();
    }

    /** The one-line rendering of {@code s}. */
    public static String line(MigrationStatus s) {
        if (s.state().equals("NONE")) {
            return "no migration";
        }
        double pct = Math.max(0, Math.min(100, s.rowsOnNewPercent()));
        int filled = (int) Math.round(pct / 100 * WIDTH);
        Map<String, Integer> by = s.cohortsByState();
        int total = by.values().stream().mapToInt(Integer::intValue).sum();
        int onNew = by.getOrDefault("NEW", 0);
        StringBuilder sb = new StringBuilder();
        sb.append("v")
                .append(s.fromVersion())
                .append("->v")
                .append(s.toVersion())
                .append(" [")
                .append("#".repeat(filled))
                .append(".".repeat(WIDTH - filled))
                .append("] ")
                .append(String.format("%5.1f%%", pct))
                .append(String.format("  cohorts %d/%d", onNew, total))
                .append(String.format("  rows %,d", s.rowsCopied()))
                .append(String.format("  %,.0f rows/s", s.rowsPerSecond()))
                .append(String.format("  digests %d ok %d failed", s.checksPassed(), s.checksFailed()))
                .append("  ETA ")
                .append(eta(s.etaSeconds()))
                .append("  ")
                .append(s.state());
        return sb.toString();
    }

    private static String eta(long seconds) {
        if (seconds < 0) {
            return "--:--";
        }
        return String.format("%d:%02d", seconds / 60, seconds % 60);
    }
}
