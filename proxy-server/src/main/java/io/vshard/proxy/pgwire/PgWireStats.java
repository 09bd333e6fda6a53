package io.vshard.proxy.pgwire;

import io.vshard.engine.LatencyHistogram;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one {@link PgProxyServer}, rendered in the Prometheus text format. Lock-free: sessions update it
 * from worker and event-loop threads, a scrape reads it from any thread (values may be a few updates apart).
 */
public final class PgWireStats {

    private final LongAdder connections = new LongAdder();
    private final LongAdder authFailures = new LongAdder();
    private final LongAdder protocolErrors = new LongAdder();
    private final LongAdder statementErrors = new LongAdder();
    private final LongAdder cancels = new LongAdder();
    private final LongAdder direct = new LongAdder();
    private final LongAdder undecoded = new LongAdder();
    private final LongAdder multiplexed = new LongAdder();
    private final LongAdder sharedSends = new LongAdder();
    private final LongAdder sharedRetired = new LongAdder();
    private final LatencyHistogram statements = new LatencyHistogram();

    PgWireStats() {}

    void connectionAccepted() {
        connections.increment();
    }

    void authenticationFailed() {
        authFailures.increment();
    }

    void protocolError() {
        protocolErrors.increment();
    }

    void statementFailed() {
        statementErrors.increment();
    }

    /** Counts one statement forwarded to its backend at the wire level. */
    void directForwarded() {
        direct.increment();
    }

    /** Statements forwarded to their backend at the wire level so far. */
    public long directStatements() {
        return direct.sum();
    }

    /** Counts one direct statement whose client bytes went to the backend without being decoded. */
    void directUndecoded() {
        undecoded.increment();
    }

    /** Direct statements sent on as the client's bytes, undecoded, so far. */
    public long undecodedStatements() {
        return undecoded.sum();
    }

    /** Counts one direct statement sent on a backend connection shared with other sessions. */
    void directMultiplexed() {
        multiplexed.increment();
    }

    /** Direct statements sent on shared, pipelined backend connections ({@link PgSharedLink}) so far. */
    public long multiplexedStatements() {
        return multiplexed.sum();
    }

    /** Counts one flush of a shared backend link (the units of one event-loop pass leave in it). */
    void sharedLinkSend() {
        sharedSends.increment();
    }

    /** Counts one shared backend link that moved the units queued behind a long head off. */
    void sharedLinkRetired() {
        sharedRetired.increment();
    }

    /** Shared backend links retired so far because units waited too long behind a head. */
    public long sharedLinksRetired() {
        return sharedRetired.sum();
    }

    /** Flushes of shared backend links so far; {@link #multiplexedStatements} divided by it is units per send. */
    public long sharedLinkSends() {
        return sharedSends.sum();
    }

    void cancelRequested() {
        cancels.increment();
    }

    /** Records one backend statement execution. */
    void statementExecuted(long nanos) {
        statements.record(nanos);
    }

    /** Statements executed so far. */
    public long statements() {
        return statements.count();
    }

    /** Appends the counters in the Prometheus text exposition format. */
    public void writePrometheus(StringBuilder out, int openConnections, int inFlight) {
        counter(out, "vshard_pgwire_connections_total", "Client connections accepted.", connections.sum());
        gauge(out, "vshard_pgwire_connections_open", "Client connections open now.", openConnections);
        gauge(out, "vshard_pgwire_batches_in_flight", "Message batches running on workers now.", inFlight);
        counter(out, "vshard_pgwire_auth_failures_total", "Failed client authentications.", authFailures.sum());
        counter(
                out,
                "vshard_pgwire_protocol_errors_total",
                "Connections closed for protocol errors.",
                protocolErrors.sum());
        counter(
                out,
                "vshard_pgwire_statement_errors_total",
                "Statements answered with an ErrorResponse.",
                statementErrors.sum());
        counter(out, "vshard_pgwire_cancel_requests_total", "CancelRequests received.", cancels.sum());
        counter(
                out,
                "vshard_pgwire_direct_statements_total",
                "Statements forwarded to their shard at the wire level.",
                direct.sum());
        counter(
                out,
                "vshard_pgwire_direct_undecoded_statements_total",
                "Direct statements sent on as the client's bytes, without decoding them.",
                undecoded.sum());
        counter(
                out,
                "vshard_pgwire_multiplexed_statements_total",
                "Direct statements sent on a backend connection shared with other sessions.",
                multiplexed.sum());
        counter(
                out,
                "vshard_pgwire_shared_link_sends_total",
                "Flushes of shared backend connections, each carrying the units of one event-loop pass.",
                sharedSends.sum());
        counter(
                out,
                "vshard_pgwire_shared_links_retired_total",
                "Shared backend connections whose queued statements were moved off because a statement ran long.",
                sharedRetired.sum());
        String name = "vshard_pgwire_statement_seconds";
        out.append("# HELP ").append(name).append(" Backend execution time of statements.\n");
        out.append("# TYPE ").append(name).append(" histogram\n");
        statements.write(out, name, "");
    }

    private static void counter(StringBuilder out, String name, String help, long value) {
        metric(out, name, help, "counter", value);
    }

    private static void gauge(StringBuilder out, String name, String help, long value) {
        metric(out, name, help, "gauge", value);
    }

    private static void metric(StringBuilder out, String name, String help, String type, long value) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
        out.append(name).append(' ').append(value).append('\n');
    }
}
