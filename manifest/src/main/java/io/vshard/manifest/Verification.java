package io.vshard.manifest;

/**
 * How moved cohorts are proved and when the old layout may be drained.
 *
 * @param method the proof method; {@code digest} is the only one
 * @param cleanWindowsBeforeDrain consecutive clean windows, with every cohort NEW, before old copies are deleted
 */
public record Verification(String method, int cleanWindowsBeforeDrain) {
    /** Defaults for a manifest that states none. */
    public static final Verification DEFAULT = new Verification("digest", 2);
}
