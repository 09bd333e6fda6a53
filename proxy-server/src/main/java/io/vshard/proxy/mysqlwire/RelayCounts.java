package io.vshard.proxy.mysqlwire;

import java.util.concurrent.atomic.LongAdder;

/**
 * How many commands a server relayed to a shard packet by packet, and how many of them were prepared point
 * reads routed from the statement's route planned once (only the shard-key parameter decoded), and how many were
 * sent over a backend link behind another client's command still in flight. Thread safe.
 */
public final class RelayCounts {
    private final LongAdder relayed = new LongAdder();
    private final LongAdder pointReads = new LongAdder();
    private final LongAdder pipelined = new LongAdder();
    private final LongAdder slowClientsClosed = new LongAdder();

    void relayed(boolean pointRead) {
        relayed.increment();
        if (pointRead) {
            pointReads.increment();
        }
    }

    /** Commands whose whole response came from a shard over a relay link. */
    public long relayed() {
        return relayed.sum();
    }

    /** Of {@link #relayed()}, the prepared point reads routed through their statement's cached route. */
    public long pointReads() {
        return pointReads.sum();
    }

    void pipelinedCommand() {
        pipelined.increment();
    }

    /** Commands written to a backend link while another command on it (maybe another client's) was in flight. */
    public long pipelined() {
        return pipelined.sum();
    }

    void slowClientClosed() {
        slowClientsClosed.increment();
    }

    /**
     * Client connections closed because their client read nothing while other clients' commands waited behind its
     * response on a shared backend link ({@code -Dvshard.mysql.slowClientMillis}).
     */
    public long slowClientsClosed() {
        return slowClientsClosed.sum();
    }
}
