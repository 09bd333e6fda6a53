package io.vshard.proxy.mysqlwire;

import java.util.concurrent.atomic.LongAdder;

/**
 * How many commands a server relayed to a shard packet by packet, and how many of them were prepared point
 * reads routed from the statement's route planned once (only the shard-key parameter decoded). Thread safe.
 */
public final class RelayCounts {
    private final LongAdder relayed = new LongAdder();
    private final LongAdder pointReads = new LongAdder();

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
}
