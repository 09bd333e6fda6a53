package io.vshard.proxy.net;

/** How many event loops serve a proxy's clients and their raw backend connections. */
public final class EventLoops {
    private EventLoops() {}

    /**
     * The value of the system property {@code property} when set, else half the cores (at least one). The loops
     * only move bytes (JDBC work runs on workers), and the clients and the database usually share the machine: on
     * 2 cores, one loop used about 40% less CPU per relayed statement than two or four under {@code pgbench -S -c
     * 8} (fewer wake-ups, each handling more ready sockets; see BENCHMARKS.md).
     *
     * @throws IllegalArgumentException when the property is not a positive number
     */
    public static int count(String property) {
        return count(
                property, System.getProperty(property), Runtime.getRuntime().availableProcessors());
    }

    static int count(String property, String value, int cores) {
        if (value == null || value.isBlank()) {
            return Math.max(1, cores / 2);
        }
        try {
            int loops = Integer.parseInt(value.trim());
            if (loops >= 1) {
                return loops;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("-D" + property + "=" + value + " is not a positive number");
    }
}
