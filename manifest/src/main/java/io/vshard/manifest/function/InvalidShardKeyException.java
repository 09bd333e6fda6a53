package io.vshard.manifest.function;

/** A shard-key value that no shard function can place (not an integer, out of range, NULL). */
public final class InvalidShardKeyException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with a message naming the value at fault. */
    public InvalidShardKeyException(String message) {
        super(message);
    }
}
