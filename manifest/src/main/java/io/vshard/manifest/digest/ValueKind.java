package io.vshard.manifest.digest;

/**
 * The canonical kinds a SQL value is encoded as for digests. Each kind has a one-byte tag that starts its
 * encoding; SQL types map to kinds so that a PostgreSQL shard and a MySQL shard holding the same rows
 * produce the same bytes (for example {@code int4}, {@code int8} and MySQL {@code BIGINT} are all
 * {@link #INTEGER}).
 */
public enum ValueKind {
    /** SQL NULL of any type: the single byte {@code 0x00}. */
    NULL(0x00),
    /** BOOLEAN: tag, then {@code 0x00} or {@code 0x01}. */
    BOOLEAN(0x01),
    /** Any integer type: tag, then 8 bytes big-endian two's complement. */
    INTEGER(0x02),
    /** DECIMAL/NUMERIC at a declared scale: tag, 4-byte scale, 4-byte length, unscaled big-endian bytes. */
    DECIMAL(0x03),
    /** Character types: tag, 4-byte length, UTF-8 bytes. */
    TEXT(0x04),
    /** Binary types: tag, 4-byte length, bytes. */
    BYTES(0x05),
    /** Timestamps (with or without time zone, the latter read as UTC): tag, 8-byte UTC microseconds. */
    TIMESTAMP(0x06),
    /** DATE: tag, 8-byte days since 1970-01-01. */
    DATE(0x07),
    /** Binary floating point (REAL/DOUBLE columns only, never DECIMAL): tag, 8-byte IEEE 754 bits. */
    FLOAT(0x08);

    private final int tag;

    ValueKind(int tag) {
        this.tag = tag;
    }

    /** The encoding's first byte. */
    public int tag() {
        return tag;
    }
}
