package io.vshard.cli;

import java.io.PrintWriter;

/** Renders per-shard load as rows of bars, eight shards a line, hot shards marked. */
final class ShardLoadChart {
    private static final int WIDTH = 12;

    private ShardLoadChart() {}

    static void print(PrintWriter out, String title, long[] load) {
        double mean = mean(load);
        long max = 0;
        for (long l : load) {
            max = Math.max(max, l);
        }
        out.printf("%s   (mean %,.0f per shard, max %,d)%n", title, mean, max);
        for (int row = 0; row < load.length; row += 4) {
            StringBuilder line = new StringBuilder();
            for (int s = row; s < Math.min(row + 4, load.length); s++) {
                int filled = max == 0 ? 0 : (int) Math.round((double) load[s] / max * WIDTH);
                line.append(String.format(
                        "%4d %s%s %7d%s  ",
                        s, "#".repeat(filled), ".".repeat(WIDTH - filled), load[s], load[s] > 2 * mean ? "!" : " "));
            }
            out.println(line.toString().stripTrailing());
        }
    }

    static double maxOverMean(long[] load) {
        long max = 0;
        for (long l : load) {
            max = Math.max(max, l);
        }
        return max / mean(load);
    }

    private static double mean(long[] load) {
        long sum = 0;
        for (long l : load) {
            sum += l;
        }
        return (double) sum / load.length;
    }
}
