package io.vshard.proxy.mysqlwire;

import io.netty.channel.Channel;

/**
 * Lets a JDBC thread that streams a result wait while the channel's outbound buffer is above its high
 * water mark. The event loop calls {@link #changed()} from {@code channelWritabilityChanged} and on close;
 * the event loop itself never waits here.
 */
final class WritabilityGate {
    private static final long MAX_WAIT_MILLIS = 1000;

    synchronized void changed() {
        notifyAll();
    }

    /** Blocks the calling (non event loop) thread until the channel is writable or closed. */
    void awaitWritable(Channel channel) {
        if (channel.eventLoop().inEventLoop()) {
            return;
        }
        synchronized (this) {
            while (channel.isActive() && !channel.isWritable()) {
                try {
                    wait(MAX_WAIT_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
