package io.vshard.jdbc;

/**
 * Every SQLSTATE vshard raises itself, with its message template ({@link String#format} arguments). Backend
 * errors are passed on with their own SQLSTATE and are not listed here.
 */
public enum VShardState {
    /** The JDBC URL is not a vshard URL or names nothing. */
    MALFORMED_URL("08001", "malformed vshard URL '%s': %s"),
    /** The configuration file is missing or unreadable. */
    CONFIG_NOT_FOUND("58030", "cannot read vshard configuration %s: %s"),
    /** The configuration or a manifest is invalid. */
    CONFIG_INVALID("F0000", "invalid vshard configuration: %s"),
    /** A data source cannot be reached. */
    SHARD_UNREACHABLE("08006", "shard %s is unreachable: %s"),
    /** The control store cannot be reached or read. */
    CONTROL_STORE_UNAVAILABLE("08006", "the control store at %s is unavailable: %s"),
    /** A statement vshard cannot route correctly. */
    UNROUTABLE("0A000", "%s"),
    /** A shard-key value that is not a valid key. */
    INVALID_SHARD_KEY("22023", "%s"),
    /** A statement that does not parse. */
    SYNTAX_ERROR("42601", "%s"),
    /** A write transaction that would touch several data sources. */
    MULTI_SHARD_WRITE(
            "0A000",
            "multi-shard write transactions are not supported yet: this transaction wrote to %s and now writes to %s"),
    /** A feature that is not there yet. */
    NOT_YET_AVAILABLE("0A000", "%s is not yet available"),
    /** A JDBC method vshard does not implement. */
    FEATURE_NOT_SUPPORTED("0A000", "%s is not supported by the vshard driver"),
    /** Writes to a fenced cohort: retry shortly. */
    WRITES_HELD("40001", "writes to this key are held while its cohort moves; retry the transaction"),
    /** A router whose routing view is older than its lease, or whose clock it cannot trust: retry shortly. */
    STALE_VIEW("40001", "this router's routing view is stale (%s); retry the transaction"),
    /** A manifest refused by PUBLISH MANIFEST; nothing changed. */
    MANIFEST_REFUSED("F0000", "manifest refused, nothing changed: %s"),
    /** A migration command that cannot run in the current state; the message says what is missing. */
    MIGRATION_STATE("55000", "%s"),
    /** The object is closed. */
    CLOSED("08003", "this %s is closed"),
    /** Bad use of the JDBC API (wrong index, wrong state). */
    INVALID_USE("HY000", "%s"),
    /** A column index or label that does not exist. */
    INVALID_COLUMN("42703", "%s"),
    /** A value that cannot be converted to the requested type. */
    CONVERSION("22018", "cannot convert %s to %s"),
    /** The statement was cancelled or timed out. */
    CANCELLED("57014", "%s"),
    /** An admin command that changes state, run by a user without the admin role. */
    INSUFFICIENT_PRIVILEGE("42501", "%s requires the admin role"),
    /** A transaction state error. */
    INVALID_TRANSACTION_STATE("25000", "%s"),
    /** A statement that only a transaction block can run, run outside one. */
    NO_TRANSACTION("25P01", "%s can only be used in a transaction block"),
    /** A savepoint name the transaction has not set (or released). */
    NO_SUCH_SAVEPOINT("3B001", "savepoint %s does not exist in this transaction");

    private final String sqlState;
    private final String template;

    VShardState(String sqlState, String template) {
        this.sqlState = sqlState;
        this.template = template;
    }

    /** The SQLSTATE. */
    public String sqlState() {
        return sqlState;
    }

    /** Whether a client should retry the transaction. */
    public boolean retryable() {
        return sqlState.startsWith("40");
    }

    /** The message for the given arguments. */
    public String message(Object... args) {
        return String.format(java.util.Locale.ROOT, template, args);
    }
}
