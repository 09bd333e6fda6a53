package io.vshard.manifest;

import io.vshard.manifest.function.ShardFunction;
import io.vshard.manifest.function.ShardKey;
import io.vshard.manifest.window.WindowId;
import java.time.Instant;
import java.util.List;

/**
 * One published version of the shard layout. Immutable: a change is a new version. A manifest other than
 * the first names its previous version, the instant its boundary window starts (the journal switches on)
 * and the effective window (ledger rows of that week and later live under this version).
 *
 * @param version the version number, at least 1
 * @param previousVersion the version it replaces, or 0 for the first
 * @param shardFunction the placement of keys on logical shards
 * @param placement logical shard ranges → data sources, covering every shard once
 * @param boundaryStart when the boundary window starts, or {@code null} for the first version
 * @param effectiveWindow the first window that lives under this version, or {@code null} for the first
 * @param migration the migration strategy
 * @param verification the verification rule
 * @param rollbackTriggers the rollback triggers
 * @param signature the signature, or {@code null} when unsigned
 */
public record Manifest(
        int version,
        int previousVersion,
        ShardFunction shardFunction,
        List<PlacementRule> placement,
        Instant boundaryStart,
        WindowId effectiveWindow,
        MigrationStrategy migration,
        Verification verification,
        RollbackTriggers rollbackTriggers,
        ManifestSignature signature) {

    public Manifest {
        placement = List.copyOf(placement);
    }

    /** The number of logical shards. */
    public int shardCount() {
        return shardFunction.shardCount();
    }

    /** The logical shard of {@code key} under this version. */
    public int shardOf(ShardKey key) {
        return shardFunction.shardOf(key);
    }

    /** Where logical shard {@code shard} lives. */
    public ShardLocation locate(int shard) {
        for (PlacementRule r : placement) {
            if (r.covers(shard)) {
                return r.locate(shard);
            }
        }
        throw new IllegalArgumentException("manifest v" + version + " places no logical shard " + shard);
    }

    /** This manifest with another signature (or none). */
    public Manifest withSignature(ManifestSignature s) {
        return new Manifest(
                version,
                previousVersion,
                shardFunction,
                placement,
                boundaryStart,
                effectiveWindow,
                migration,
                verification,
                rollbackTriggers,
                s);
    }
}
