package io.vshard.engine;

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
import java.util.Map;

/** Writes a test fleet's configuration, signing key and manifest into a directory. */
public final class Fleet {
    private Fleet() {}

    /**
     * Writes {@code vshard.yaml}, {@code key.pub} and {@code v1.yaml}.
     *
     * @param urls data source name → JDBC URL
     * @param shards logical shard count ({@code mod_hash} identity)
     * @param placement the manifest placement
     * @param defaultSource the default shard's data source
     * @param defaultSchema the default shard's schema
     * @return the configuration file
     */
    public static Path write(
            Path dir,
            Map<String, String> urls,
            int shards,
            List<PlacementRule> placement,
            String defaultSource,
            String defaultSchema)
            throws IOException {
        KeyPair keys = ManifestSigner.generateKeyPair();
        Manifest m = new Manifest(
                1,
                0,
                new ModHash(KeyHash.IDENTITY, shards),
                placement,
                null,
                null,
                MigrationStrategy.DEFAULT,
                Verification.DEFAULT,
                RollbackTriggers.DEFAULT,
                null);
        Files.writeString(
                dir.resolve("v1.yaml"),
                ManifestCodec.write(ManifestSigner.sign(m, keys.getPrivate(), keys.getPublic())));
        Files.writeString(dir.resolve("key.pub"), ManifestSigner.encodePublic(keys.getPublic()));
        StringBuilder y = new StringBuilder("data_sources:\n");
        urls.forEach((name, url) -> y.append("  ")
                .append(name)
                .append(":\n    url: \"")
                .append(url)
                .append("\"\n    user: ")
                .append(url.startsWith("jdbc:h2") ? "sa" : url.startsWith("jdbc:postgresql") ? "postgres" : "root")
                .append("\n    password: \"\"\n    max_pool_size: 4\n"));
        y.append("default_shard:\n  data_source: ")
                .append(defaultSource)
                .append("\n  schema: ")
                .append(defaultSchema)
                .append("\nmanifests:\n  - v1.yaml\ntrusted_keys:\n  - key.pub\n")
                .append("tables:\n  payments:\n    kind: sharded\n    creator_column: creator_id\n"
                        + "    primary_key: payment_id\n  currencies:\n    kind: broadcast\n");
        Path config = dir.resolve("vshard.yaml");
        Files.writeString(config, y.toString());
        return config;
    }
}
