package io.vshard.jdbc;

import io.vshard.config.VShardConfig;
import io.vshard.engine.Engine;
import io.vshard.engine.EngineOptions;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * The engines of this class loader, one per canonical configuration path, reference counted: connections
 * made with the same configuration share pools and the control store, and the last one closed stops the
 * engine. Thread safe.
 */
final class SharedEngines {
    private static final Map<String, Entry> ENGINES = new HashMap<>();

    private SharedEngines() {}

    /** The engine for {@code key}, started with {@code config} and {@code options} if none runs. */
    static synchronized Engine acquire(String key, VShardConfig config, EngineOptions options) throws SQLException {
        Entry e = ENGINES.get(key);
        if (e == null) {
            e = new Entry(Engine.start(config, options));
            ENGINES.put(key, e);
        }
        e.references++;
        return e.engine;
    }

    /** Releases one reference; the last one closes the engine. */
    static synchronized void release(String key) {
        Entry e = ENGINES.get(key);
        if (e != null && --e.references == 0) {
            ENGINES.remove(key);
            e.engine.close();
        }
    }

    /** How many engines run (for tests). */
    static synchronized int running() {
        return ENGINES.size();
    }

    private static final class Entry {
        final Engine engine;
        int references;

        Entry(Engine engine) {
            this.engine = engine;
        }
    }
}
