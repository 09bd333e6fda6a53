package io.vshard.it.driver;

import io.vshard.manifest.Manifest;
import io.vshard.manifest.MigrationStrategy;
import io.vshard.manifest.PlacementRule;
import io.vshard.manifest.RollbackTriggers;
import io.vshard.manifest.Verification;
import io.vshard.manifest.codec.ManifestCodec;
import io.vshard.manifest.codec.ManifestSigner;
import io.vshard.manifest.function.KeyHash;
import io.vshard.manifest.function.ModHash;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;

/** Writes a test fleet's configuration, a fresh signing key and a signed v1 manifest into a directory. */
final class FleetFiles {
    private FleetFiles() {}

    /**
     * A data source of the test configuration.
     *
     * @param name its name
     * @param url its JDBC URL
     * @param user the user
     */
    record Source(String name, String url, String user) {}

    static Path write(Path dir, List<Source> sources, int shards, List<PlacementRule> placement, String defaultSchema)
            throws IOException {
        KeyPair keys = ManifestSigner.generateKeyPair();
        Manifest m = new Manifest(
                1,
                0,
                new ModHash(KeyHash.XXH64, shards),
                placement,
                null,
                null,
                MigrationStrategy.DEFAULT,
                Verification.DEFAULT,
                RollbackTriggers.DEFAULT,
                null);
        Files.createDirectories(dir.resolve("manifests"));
        Files.writeString(
                dir.resolve("manifests/v1.yaml"),
                ManifestCodec.write(ManifestSigner.sign(m, keys.getPrivate(), keys.getPublic())));
        Files.writeString(dir.resolve("key.pub"), ManifestSigner.encodePublic(keys.getPublic()));
        StringBuilder y = new StringBuilder("data_sources:\n");
        for (Source s : sources) {
            y.append("  ").append(s.name()).append(":\n");
            y.append("    url: \"").append(s.url()).append("\"\n");
            y.append("    user: ").append(s.user()).append("\n    password: \"\"\n    max_pool_size: 4\n");
        }
        y.append("default_shard:\n  data_source: ").append(sources.get(0).name());
        y.append("\n  schema: ").append(defaultSchema).append('\n');
        y.append("manifests:\n  - manifests/v1.yaml\ntrusted_keys:\n  - key.pub\n");
        y.append("tables:\n  payments:\n    kind: sharded\n    creator_column: creator_id\n");
        y.append("    region_column: region\n    primary_key: payment_id\n");
        y.append("  currencies:\n    kind: broadcast\n");
        Path config = dir.resolve("vshard.yaml");
        Files.writeString(config, y.toString());
        return config;
    }
}
