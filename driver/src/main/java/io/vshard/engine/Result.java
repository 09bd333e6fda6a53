package io.vshard.engine;

import java.sql.ResultSet;

/**
 * The outcome of one statement: rows, or an update count with optional generated keys.
 *
 * @param rows the rows, or {@code null} for an update; closing it releases the shard connections it holds
 * @param updateCount the summed update count, or -1 when {@code rows} is set
 * @param generatedKeys the generated keys, or {@code null}
 * @param resources released when {@code rows} is closed (the shard connection of a pass-through read), or
 *     {@code null}
 */
public record Result(ResultSet rows, long updateCount, ResultSet generatedKeys, AutoCloseable resources) {
    /** An update count. */
    static Result count(long n, ResultSet keys) {
        return new Result(null, n, keys, null);
    }
}
