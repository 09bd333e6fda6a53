package io.vshard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vshard.manifest.codec.YamlException;
import io.vshard.manifest.config.TableRule;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigReaderTest {
    private static final String BASE = """
            data_sources:
              a:
                url: "jdbc:postgresql://127.0.0.1:5432/x"
                user: postgres
                password: secret
                max_pool_size: 3
              b:
                url: "jdbc:h2:file:./data/b;MODE=PostgreSQL"
            default_shard:
              data_source: a
              schema: public
            manifests:
              - manifests/v1.yaml
            trusted_keys:
              - key.pub
            tables:
              payments:
                kind: sharded
                creator_column: creator_id
                window_column: window_id
              currencies:
                kind: broadcast
            """;

    @Test
    void readsTheScenarioConfiguration() throws Exception {
        Path file = Path.of("..", "conf", "scenario", "vshard.yaml");
        VShardConfig c = ConfigReader.read(file);
        assertThat(c.dataSources()).containsOnlyKeys("db_a", "db_b", "db_c", "db_d");
        assertThat(c.dataSource("db_b").maxPoolSize()).isEqualTo(8);
        assertThat(c.defaultShard().schema()).isEqualTo("public");
        assertThat(c.controlStore().url()).isEqualTo("jdbc:postgresql://127.0.0.1:5432/vshard_control");
        assertThat(c.manifests().get(0))
                .isEqualTo(file.toAbsolutePath().normalize().getParent().resolve("manifests/v1.yaml"));
        assertThat(c.tables().find("payments").windowColumn()).isEqualTo("window_id");
        assertThat(c.tables().find("currencies").kind()).isEqualTo(TableRule.Kind.BROADCAST);
        assertThat(ConfigReader.readManifests(c)).hasSize(1);
    }

    @Test
    void readsTheEmbeddedDefaultWithUsersAndProxy() throws Exception {
        Path file = Path.of("..", "conf", "vshard.yaml").toAbsolutePath().normalize();
        VShardConfig c = ConfigReader.read(file);
        assertThat(c.users()).singleElement().satisfies(u -> {
            assertThat(u.name()).isEqualTo("vshard");
            assertThat(u.roles()).containsExactly("admin");
            assertThat(u.toString()).doesNotContain("password=");
            assertThat(u.mysqlNativeHash()).isEqualTo("*7A313927B63A6E3F3AC732BA049EB42744F54906");
            assertThat(u.toString()).doesNotContain(u.mysqlNativeHash());
        });
        assertThat(c.proxy()).isEqualTo(new ProxyConfig(7432, 7306, 7080));
        // Relative H2 paths resolve against the configuration's directory, not the working directory.
        assertThat(c.dataSource("db_a").url())
                .startsWith("jdbc:h2:file:" + file.getParent().getParent().resolve(".vshard/data/db_a"));
    }

    @Test
    void resolvesPathsAndDefaultsTheControlStore(@TempDir Path dir) {
        VShardConfig c = ConfigReader.parse("t.yaml", BASE, dir, null);
        assertThat(c.trustedKeys()).containsExactly(dir.resolve("key.pub"));
        assertThat(c.controlStore().url()).startsWith("jdbc:h2:file:" + dir.resolve("vshard-control"));
        assertThat(c.dataSource("b").url()).startsWith("jdbc:h2:file:" + dir.resolve("data/b") + ";MODE");
        assertThat(c.dataSource("b").maxPoolSize()).isEqualTo(8);
        assertThat(c.dataSource("a").toString()).doesNotContain("secret");
        assertThat(c.proxy()).isEqualTo(ProxyConfig.DEFAULT);
    }

    @Test
    void unknownFieldsAreErrorsNamingFileLineAndField() {
        String text = BASE.replace("    max_pool_size: 3\n", "    max_pool_size: 3\n    max_poolsize: 4\n");
        assertThatThrownBy(() -> ConfigReader.parse("t.yaml", text, Path.of("/tmp"), null))
                .isInstanceOf(YamlException.class)
                .hasMessage("t.yaml:7: data_sources.a.max_poolsize: unknown field");
    }

    @Test
    void badValuesNameTheField() {
        assertThatThrownBy(() -> ConfigReader.parse(
                        "t.yaml", BASE.replace("jdbc:postgresql://", "jdbc:oracle://"), Path.of("/tmp"), null))
                .hasMessageStartingWith("t.yaml:3: data_sources.a.url: 'jdbc:oracle:");
        assertThatThrownBy(() -> ConfigReader.parse(
                        "t.yaml", BASE.replace("data_source: a", "data_source: z"), Path.of("/tmp"), null))
                .hasMessageContaining("default_shard.data_source: names no configured data source: 'z'");
        assertThatThrownBy(() -> ConfigReader.parse(
                        "t.yaml", BASE.replace("kind: broadcast", "kind: mirrored"), Path.of("/tmp"), null))
                .hasMessageContaining("tables.currencies.kind: 'mirrored' is not a table kind");
        assertThatThrownBy(() -> ConfigReader.parse(
                        "t.yaml", BASE.replace("    creator_column: creator_id\n", ""), Path.of("/tmp"), null))
                .hasMessageContaining("tables.payments.creator_column: required field is missing");
    }

    @Test
    void aMalformedMysqlNativeHashNamesTheField() {
        String text = BASE + "users:\n  - name: u\n    password: p\n    mysql_native_hash: \"7A31\"\n";
        assertThatThrownBy(() -> ConfigReader.parse("t.yaml", text, Path.of("/tmp"), null))
                .hasMessageContaining("users[0].mysql_native_hash")
                .hasMessageContaining("40 hex digits");
    }

    @Test
    void missingSectionIsNamed() {
        String text = BASE.substring(0, BASE.indexOf("manifests:"));
        assertThatThrownBy(() -> ConfigReader.parse("t.yaml", text, Path.of("/tmp"), null))
                .hasMessageContaining("manifests: required field is missing");
    }

    @Test
    void usersNeedExactlyOneSecret(@TempDir Path dir) throws Exception {
        String text = BASE + "users:\n  - name: u\n    roles: [admin]\n";
        assertThatThrownBy(() -> ConfigReader.parse("t.yaml", text, dir, null))
                .hasMessageContaining("users[0].password: give exactly one of password and scram_secret");
        Path f = dir.resolve("c.yaml");
        Files.writeString(f, BASE + "users:\n  - name: u\n    scram_secret: \"SCRAM-SHA-256$4096:x\"\n");
        assertThat(ConfigReader.read(f).users().get(0).scramSecret()).startsWith("SCRAM");
    }
}
