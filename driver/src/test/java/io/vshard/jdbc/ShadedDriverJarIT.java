package io.vshard.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.vshard.engine.Fleet;
import io.vshard.manifest.PlacementRule;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.ServiceLoader;
import java.util.UUID;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The self-contained driver jar ({@code target/vshard-driver-<version>-all.jar}, built in {@code package}) works
 * on its own: loaded alone in a fresh class loader whose parent is the platform loader (no Maven class path), it
 * registers {@code jdbc:vshard:} and runs sharded statements on in-memory H2 shards.
 */
class ShadedDriverJarIT {
    /** Packages allowed unrelocated in the jar: vshard itself and the backend JDBC drivers. */
    private static final List<String> OWN_PACKAGES =
            List.of("io/vshard/", "org/postgresql/", "com/mysql/", "org/mariadb/", "org/h2/");

    private static Path shadedJar() throws Exception {
        try (var files = Files.list(Path.of("target"))) {
            List<Path> jars = files.filter(p -> p.getFileName().toString().matches("vshard-driver-.*-all\\.jar"))
                    .toList();
            assertThat(jars).as("the shaded jar in target/ (run mvn package)").hasSize(1);
            return jars.get(0).toAbsolutePath();
        }
    }

    @Test
    void everyLibraryIsRelocatedAndTheBackendDriversKeepTheirPackages() throws Exception {
        List<String> stray = new ArrayList<>();
        try (JarFile jar = new JarFile(shadedJar().toFile())) {
            for (JarEntry e : (Iterable<JarEntry>) jar.stream()::iterator) {
                String name = e.getName();
                if (name.endsWith(".class") && OWN_PACKAGES.stream().noneMatch(name::startsWith)) {
                    stray.add(name);
                }
            }
            assertThat(stray)
                    .as("classes outside io.vshard and the backend drivers")
                    .isEmpty();
            assertThat(jar.getEntry("io/vshard/shaded/org/apache/calcite/sql/parser/SqlParser.class"))
                    .isNotNull();
            assertThat(jar.getEntry("io/vshard/shaded/com/zaxxer/hikari/HikariDataSource.class"))
                    .isNotNull();
            assertThat(new String(
                            jar.getInputStream(jar.getEntry("META-INF/services/java.sql.Driver"))
                                    .readAllBytes(),
                            java.nio.charset.StandardCharsets.UTF_8))
                    .contains("io.vshard.jdbc.VShardDriver", "org.postgresql.Driver", "org.h2.Driver")
                    .doesNotContain("calcite");
        }
    }

    @Test
    void theJarAloneRunsShardedQueriesOnH2(@TempDir Path dir) throws Exception {
        String id = UUID.randomUUID().toString().replace("-", "");
        Path config = Fleet.write(
                dir,
                Map.of("h2", "jdbc:h2:mem:shaded" + id),
                8,
                List.of(new PlacementRule(0, 7, "h2", "shard_%03d")),
                "h2",
                "PUBLIC");
        try (URLClassLoader isolated =
                new URLClassLoader(new URL[] {shadedJar().toUri().toURL()}, ClassLoader.getPlatformClassLoader())) {
            Driver vshard = null;
            for (Driver d : ServiceLoader.load(Driver.class, isolated)) {
                if (d.getClass().getName().equals("io.vshard.jdbc.VShardDriver")) {
                    vshard = d;
                }
            }
            assertThat(vshard)
                    .as("VShardDriver listed in the jar's java.sql.Driver services")
                    .isNotNull();
            assertThat(vshard.getClass().getClassLoader()).isSameAs(isolated);
            assertThat(vshard.acceptsURL("jdbc:vshard:" + config)).isTrue();
            try (Connection c = vshard.connect("jdbc:vshard:" + config + "?createSchemas=true", new Properties());
                    Statement st = c.createStatement()) {
                st.execute("CREATE TABLE payments (payment_id BIGINT PRIMARY KEY, creator_id BIGINT, amount INT)");
                try (PreparedStatement ins =
                        c.prepareStatement("INSERT INTO payments (payment_id, creator_id, amount) VALUES (?, ?, ?)")) {
                    for (long p = 1; p <= 32; p++) {
                        ins.setLong(1, p);
                        ins.setLong(2, p % 11);
                        ins.setInt(3, (int) p * 10);
                        assertThat(ins.executeUpdate()).isEqualTo(1);
                    }
                }
                try (PreparedStatement one =
                        c.prepareStatement("SELECT amount FROM payments WHERE creator_id = ? AND payment_id = ?")) {
                    one.setLong(1, 7);
                    one.setLong(2, 7);
                    try (ResultSet rs = one.executeQuery()) {
                        assertThat(rs.next()).isTrue();
                        assertThat(rs.getInt(1)).isEqualTo(70);
                        assertThat(rs.next()).isFalse();
                    }
                }
                try (ResultSet rs = st.executeQuery("SELECT COUNT(*), SUM(amount) FROM payments")) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getLong(1)).isEqualTo(32);
                    assertThat(rs.getLong(2)).isEqualTo(10L * 32 * 33 / 2);
                }
                try (ResultSet rs =
                        st.executeQuery("SELECT payment_id FROM payments ORDER BY payment_id DESC LIMIT 3")) {
                    List<Long> ids = new ArrayList<>();
                    while (rs.next()) {
                        ids.add(rs.getLong(1));
                    }
                    assertThat(ids).containsExactly(32L, 31L, 30L);
                }
            }
        }
    }
}
