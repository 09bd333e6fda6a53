package io.vshard.proxy.mysqlwire;

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
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves each MySQL client session with a {@code jdbc:vshard:} connection over one engine, so every statement
 * is planned by the engine's router and placed by the one placement function. Users without the {@code admin}
 * role may run only the admin commands that read state. The engine stays owned by the caller. Thread safe.
 */
public final class EngineBackend implements BackendConnector {
    private static final Logger LOG = LoggerFactory.getLogger(EngineBackend.class);

    /** The role that may run admin commands which change state. */
    public static final String ADMIN_ROLE = "admin";

    private final Engine engine;
    private final Map<String, UserConfig> users;

    /** Connects sessions of the configured {@code users} to {@code engine}. */
    public EngineBackend(Engine engine, List<UserConfig> users) {
        this.engine = engine;
        this.users = users.stream().collect(Collectors.toUnmodifiableMap(UserConfig::name, Function.identity()));
    }

    /** The engine the sessions run on. */
    public Engine engine() {
        return engine;
    }

    @Override
    public Connection open(String user, String database) throws SQLException {
        Connection connection = VShardDriver.connect(engine, new Properties());
        UserConfig config = users.get(user);
        boolean admin = config != null && config.roles().contains(ADMIN_ROLE);
        connection.unwrap(Session.class).setAdmin(admin);
        return connection;
    }

    /**
     * The MySQL logins of a configuration: a {@code mysql_native_hash} is used as is, a {@code password} is
     * hashed at start (no plain text kept); a user with only a {@code scram_secret} cannot log in over MySQL
     * (a SCRAM secret does not yield the MySQL hash) and is skipped with a warning.
     *
     * @throws IllegalArgumentException naming the user whose hash is malformed
     */
    public static List<MySqlUser> users(List<UserConfig> configured) {
        List<MySqlUser> out = new ArrayList<>();
        for (UserConfig u : configured) {
            if (u.mysqlNativeHash() != null) {
                out.add(MySqlUser.withNativeHash(u.name(), u.mysqlNativeHash()));
            } else if (u.password() != null) {
                out.add(new MySqlUser(
                        u.name(), null, PasswordScrambles.nativeHash(u.password()), AuthPlugin.MYSQL_NATIVE_PASSWORD));
            } else {
                LOG.warn("user {} has no password or mysql_native_hash: no MySQL login", u.name());
            }
        }
        return out;
    }
}
