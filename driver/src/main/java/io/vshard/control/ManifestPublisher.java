package io.vshard.control;

import io.vshard.config.VShardConfig;
import io.vshard.jdbc.VShardSQLException;
import io.vshard.jdbc.VShardState;
import io.vshard.manifest.Manifest;
import io.vshard.manifest.PlacementRule;
import io.vshard.manifest.codec.ManifestSigner;
import io.vshard.manifest.codec.TrustedKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Publishes a new manifest version into the control store (PUBLISH MANIFEST, {@code vshard manifest publish}).
 * A manifest is refused, with nothing changed, when it is unsigned or tampered, signed by an untrusted key,
 * not the previous version + 1, places shards on unknown data sources, has windows in the past by the fleet
 * clock, or would change an already published version.
 */
public final class ManifestPublisher {
    private final ControlStore store;
    private final VShardConfig config;

    /** Creates a publisher checking signatures against the configuration's trusted keys. */
    public ManifestPublisher(ControlStore store, VShardConfig config) {
        this.store = store;
        this.config = config;
    }

    /** Reads a manifest file and publishes it; see {@link #publish(String, String, Instant)}. */
    public Manifest publish(Path file, Instant now) throws SQLException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw VShardSQLException.of(VShardState.MANIFEST_REFUSED, e, "cannot read " + file + ": " + e);
        }
        return publish(file.toString(), text, now);
    }

    /**
     * Verifies and publishes a manifest; publishing the identical text again changes nothing.
     *
     * @param source the file name for messages
     * @param text the signed manifest text
     * @param now the fleet clock's time, against which windows must lie in the future
     * @return the published manifest
     * @throws SQLException F0000 naming the problem; nothing changed
     */
    public Manifest publish(String source, String text, Instant now) throws SQLException {
        Manifest m;
        try {
            m = trusted().verify(source, text);
        } catch (RuntimeException e) {
            throw refused(e.getMessage(), e);
        }
        for (PlacementRule r : m.placement()) {
            if (!config.dataSources().containsKey(r.dataSource())) {
                throw refused(
                        source + ": manifest v" + m.version() + " places shards " + r.rangeText() + " on data source '"
                                + r.dataSource() + "', which the configuration does not define",
                        null);
            }
        }
        String hash = ControlStore.hash(text);
        int latest = 0;
        for (ControlStore.StoredManifest s : store.manifests()) {
            if (s.version() == m.version()) {
                if (s.hash().equals(hash)) {
                    return m;
                }
                throw refused(
                        source + ": manifest v" + m.version() + " is already published with hash " + s.hash()
                                + "; a published manifest is immutable, publish v" + (latestOf(store) + 1) + " instead",
                        null);
            }
            latest = Math.max(latest, s.version());
        }
        if (m.version() != latest + 1 || m.previousVersion() != latest) {
            throw refused(
                    source + ": manifest v" + m.version() + " (previous " + m.previousVersion()
                            + ") is out of order; the next version must be v" + (latest + 1) + " following v" + latest,
                    null);
        }
        if (m.boundaryStart() != null && m.boundaryStart().isBefore(now)) {
            throw refused(
                    source + ": boundary_start " + m.boundaryStart() + " lies in the past (now " + now + ")", null);
        }
        if (m.effectiveWindow() != null && m.effectiveWindow().start().isBefore(now)) {
            throw refused(
                    source + ": effective_window " + m.effectiveWindow() + " starts in the past (now " + now + ")",
                    null);
        }
        try (Connection c = store.connect()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO vshard_manifest (version, state,"
                    + " manifest_hash, manifest_text, published_at) VALUES (?, ?, ?, ?, ?)")) {
                ps.setInt(1, m.version());
                ps.setString(2, ControlStore.PUBLISHED);
                ps.setString(3, hash);
                ps.setString(4, text);
                ps.setTimestamp(5, Timestamp.from(now));
                ps.executeUpdate();
                MigrationStore.bump(c);
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        }
        return m;
    }

    private static int latestOf(ControlStore store) throws SQLException {
        int latest = 0;
        for (ControlStore.StoredManifest s : store.manifests()) {
            latest = Math.max(latest, s.version());
        }
        return latest;
    }

    private TrustedKeys trusted() throws SQLException {
        List<PublicKey> keys = new ArrayList<>();
        for (Path p : config.trustedKeys()) {
            try {
                keys.add(ManifestSigner.decodePublic(Files.readString(p, StandardCharsets.UTF_8)));
            } catch (IOException | IllegalArgumentException e) {
                throw refused(p + ": " + e.getMessage(), e);
            }
        }
        return new TrustedKeys(keys);
    }

    private static SQLException refused(String why, Throwable cause) {
        return VShardSQLException.of(VShardState.MANIFEST_REFUSED, cause, why);
    }
}
