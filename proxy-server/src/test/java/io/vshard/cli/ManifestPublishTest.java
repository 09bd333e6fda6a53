package io.vshard.cli;

import static io.vshard.cli.ManifestCommandTest.SCENARIO;
import static io.vshard.cli.ManifestCommandTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.vshard.config.ControlStoreConfig;
import io.vshard.control.ControlStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vshard manifest publish} against an H2 control store holding the scenario's v1. */
class ManifestPublishTest {
    static Path config(Path dir) throws IOException {
        StringBuilder y = new StringBuilder("data_sources:\n");
        for (String s : List.of("db_a", "db_b", "db_c", "db_d")) {
            y.append("  ")
                    .append(s)
                    .append(":\n    url: \"jdbc:h2:mem:")
                    .append(s)
                    .append("\"\n    user: sa\n");
        }
        y.append("default_shard:\n  data_source: db_a\n  schema: PUBLIC\n");
        y.append("control_store:\n  url: \"jdbc:h2:file:")
                .append(dir.resolve("ctl").toAbsolutePath())
                .append("\"\n  user: sa\n  password: \"\"\n");
        y.append("manifests:\n  - ")
                .append(SCENARIO.resolve("manifests/v1.yaml").toAbsolutePath())
                .append("\ntrusted_keys:\n  - ")
                .append(SCENARIO.resolve("manifest-key.pub").toAbsolutePath())
                .append("\ntables:\n  payments:\n    kind: sharded\n    creator_column: creator_id\n")
                .append("    primary_key: payment_id\n");
        Path config = dir.resolve("vshard.yaml");
        Files.writeString(config, y.toString());
        return config;
    }

    static List<ControlStore.StoredManifest> stored(Path dir) throws SQLException {
        return new ControlStore(new ControlStoreConfig(
                        "jdbc:h2:file:" + dir.resolve("ctl").toAbsolutePath(), "sa", ""))
                .manifests();
    }

    @Test
    void publishesTheNextVersionOnceAndRefusesChanges(@TempDir Path dir) throws Exception {
        Path config = config(dir);
        String v2 = SCENARIO.resolve("manifests/v2.yaml").toString();
        ManifestCommandTest.Run ok = run("manifest", "publish", v2, "--config", config.toString());
        assertThat(ok.code()).as(ok.err()).isZero();
        assertThat(ok.out()).contains("published manifest v2").contains("geo_aware_hash");
        assertThat(stored(dir))
                .extracting(ControlStore.StoredManifest::version, ControlStore.StoredManifest::state)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(1, ControlStore.ACTIVE),
                        org.assertj.core.groups.Tuple.tuple(2, ControlStore.PUBLISHED));

        // The identical text again changes nothing; an altered v2 is refused, naming the signature.
        assertThat(run("manifest", "publish", v2, "--config", config.toString()).code())
                .isZero();
        Path tampered = dir.resolve("v2-tampered.yaml");
        Files.writeString(
                tampered,
                Files.readString(Path.of(v2)).replace("cohort_target_rows: 20000", "cohort_target_rows: 20001"));
        ManifestCommandTest.Run refused =
                run("manifest", "publish", tampered.toString(), "--config", config.toString());
        assertThat(refused.code()).isNotZero();
        assertThat(refused.err()).contains("F0000").containsIgnoringCase("signature");
        assertThat(stored(dir)).hasSize(2);
    }

    @Test
    void republishingTheActiveVersionIsANoOpAndAMissingConfigurationIsNamed(@TempDir Path dir) throws Exception {
        Path config = config(dir);
        ManifestCommandTest.Run again = run(
                "manifest", "publish", SCENARIO.resolve("manifests/v1.yaml").toString(), "--config", config.toString());
        // v1 is already active with this exact text: publishing it again is a no-op, never a second v1.
        assertThat(again.code()).as(again.err()).isZero();
        assertThat(stored(dir)).hasSize(1);
        ManifestCommandTest.Run missing = run(
                "manifest",
                "publish",
                SCENARIO.resolve("manifests/v2.yaml").toString(),
                "--config",
                dir.resolve("nope.yaml").toString());
        assertThat(missing.code()).isNotZero();
        assertThat(missing.err()).contains("nope.yaml").contains("no such configuration file");
    }
}
