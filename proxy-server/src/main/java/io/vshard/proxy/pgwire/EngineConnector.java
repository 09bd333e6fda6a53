package io.vshard.proxy.pgwire;

import io.vshard.config.UserConfig;
import io.vshard.engine.Engine;
import io.vshard.engine.Session;
import io.vshard.jdbc.VShardDriver;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Serves each client session with a {@code jdbc:vshard:} connection over one engine, so every statement is
 * planned by the engine's router and placed by the one placement function. Users without the {@code admin}
 * role in the configuration may run only the admin commands that read state. The engine stays owned by the
 * caller. Thread safe.
 */
public final class EngineConnector implements BackendConnector {

    /** The role that may run admin commands which change state. */
    public static final String ADMIN_ROLE = "admin";

    private final Engine engine;
    private final Map<String, UserConfig> users;

    /** Connects sessions of the configured {@code users} to {@code engine}. */
    public EngineConnector(Engine engine, List<UserConfig> users) {
        this.engine = engine;
        this.users = users.stream().collect(Collectors.toUnmodifiableMap(UserConfig::name, Function.identity()));
    }

    @Override
    public Connection open(String user, String database) throws SQLException {
        Connection connection = VShardDriver.connect(engine, new Properties());
        UserConfig config = users.get(user);
        Set<String> roles = config == null ? Set.of() : Set.copyOf(config.roles());
        connection.unwrap(Session.class).setAdmin(roles.contains(ADMIN_ROLE));
        return connection;
    }

    /**
     * The proxy logins of a configuration: a {@code scram_secret} is used as is; a {@code password} is turned
     * into a SCRAM secret (and an md5 hash) at start, so no plain text is kept.
     *
     * @throws IllegalArgumentException naming the user whose SCRAM secret is malformed
     */
    public static List<PgUser> users(List<UserConfig> configured) {
        List<PgUser> out = new ArrayList<>();
        for (UserConfig u : configured) {
            if (u.scramSecret() != null) {
                try {
                    out.add(new PgUser(u.name(), ScramSecret.parse(u.scramSecret()), null));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("user " + u.name() + ": " + e.getMessage(), e);
                }
            } else {
                out.add(PgUser.fromPassword(u.name(), u.password()));
            }
        }
        return out;
    }
}
