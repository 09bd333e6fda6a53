package io.vshard.demo;

import io.vshard.control.MigrationStore;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The demo's clock: UTC wall time shifted by an offset the demo moves forward, so weeks pass in seconds. It is
 * the only simulated part of the demo. Moving it also moves the fleet clock offset in the control store, which
 * is what routers check their clocks against. Thread safe.
 */
final class DemoClock extends Clock {
    private final AtomicLong offsetMillis = new AtomicLong();

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("the demo clock is UTC only");
    }

    @Override
    public long millis() {
        return System.currentTimeMillis() + offsetMillis.get();
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis());
    }

    /** Jumps to {@code target} (never backwards) and tells the control store, so routers keep trusting us. */
    void jumpTo(Instant target, MigrationStore store) throws SQLException {
        long offset = target.toEpochMilli() - System.currentTimeMillis();
        if (offset <= offsetMillis.get()) {
            return;
        }
        store.setClockOffset(Duration.ofMillis(offset));
        offsetMillis.set(offset);
    }

    /** Restores an offset recorded in the control store (a demo resumed on an existing data directory). */
    void restore(Duration offset) {
        offsetMillis.set(offset.toMillis());
    }
}
