package io.vshard.it.migrate;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** The fleet clock of a test: real time shifted by an offset the test moves, so weeks pass in seconds. */
final class ShiftedClock extends Clock {
    private volatile Duration offset = Duration.ZERO;

    /** Moves the clock so that now reads {@code at}; returns the new offset. */
    Duration setTo(Instant at) {
        offset = Duration.between(Instant.now(), at);
        return offset;
    }

    Duration offset() {
        return offset;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        return Instant.now().plus(offset);
    }
}
