package io.vshard.engine;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Brings a pooled MySQL connection to exactly one session's {@code SET}s (as {@link MySqlSessionSettings} split
 * them): variables the connection carries for another session go back to their defaults, then the session's own
 * are set. A connection whose settings are unknown (after an error or a SET) has every variable ever set through
 * its pool undone, so no session sees another's settings. One instance per pool; thread safe.
 */
final class MySqlSettingsReplay {
    private final Set<String> touched = ConcurrentHashMap.newKeySet();

    /**
     * @param have what the connection carries, or {@code null} when unknown
     * @param want the session's settings
     */
    void apply(Connection physical, List<String> have, List<String> want) throws SQLException {
        Set<String> wanted = new LinkedHashSet<>();
        for (String s : want) {
            wanted.add(MySqlSessionSettings.name(s));
        }
        touched.addAll(wanted);
        List<String> statements = new ArrayList<>();
        Iterable<String> carried = have == null ? touched : names(have);
        for (String name : carried) {
            if (!wanted.contains(name)) {
                statements.add(MySqlSessionSettings.undo(name));
            }
        }
        statements.addAll(want);
        if (statements.isEmpty()) {
            return;
        }
        try (Statement st = physical.createStatement()) {
            for (String s : statements) {
                st.execute(s);
            }
        }
    }

    private static List<String> names(List<String> settings) {
        List<String> out = new ArrayList<>(settings.size());
        for (String s : settings) {
            out.add(MySqlSessionSettings.name(s));
        }
        return out;
    }
}
