package io.vshard.proxy.pgwire;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which direct statements may run on a backend connection shared with other sessions ({@link PgSharedLink}): plain
 * reads that leave nothing behind in the backend session. A statement that could change what the next client on
 * the same connection sees (a setting through {@code set_config}, a session-level advisory lock, {@code currval}
 * state (set by {@code nextval}), a table made by {@code SELECT INTO}, a large object, a dblink) keeps to its session's own connection.
 * The check is lexical and errs towards the session's own connection: a listed word anywhere, even inside a string
 * literal, is enough.
 */
final class SharedUse {

    private static final Set<String> READ_VERBS = Set.of("SELECT", "WITH", "VALUES", "TABLE");
    private static final Pattern SESSION_EFFECTS = Pattern.compile(
            "(?i)\\b(into|set_config|\\w*advisory\\w*|nextval|currval|lastval|setval|dblink\\w*|lo_\\w+|pg_temp\\w*"
                    + "|listen|unlisten|prepare|deallocate|discard)\\b");

    private static final Pattern TEMPORARY_OBJECT =
            Pattern.compile("(?i)\\b(?:create\\s+(?:(?:global|local)\\s+)?|into\\s+)(?:temp|temporary)\\b");

    private SharedUse() {}

    /**
     * Whether {@code sql} makes a temporary object in the backend session that runs it (the engine path's): from
     * then on the session's reads must run there too, not on a direct link that would not see the object.
     */
    static boolean makesTemporaryObject(String sql) {
        return TEMPORARY_OBJECT.matcher(sql).find();
    }

    /** Whether {@code sql} (one statement) may share a backend connection with other sessions. */
    static boolean shareable(String sql) {
        return READ_VERBS.contains(CommandTag.of(sql).verb())
                && !SESSION_EFFECTS.matcher(sql).find();
    }
}
