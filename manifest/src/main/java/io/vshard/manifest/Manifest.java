package io.vshard.manifest;

import io.vshard.manifest.function.ShardFunction;
import io.vshard.manifest.function.ShardKey;
import io.vshard.manifest.placement.LogicalShard;
import io.vshard.manifest.window.WindowId;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One published version of the shard layout. Immutable: a change is a new version. A manifest other than
 * the first names its previous version, the instant its boundary window starts (the journal switches on)
 * and the effective window (ledger rows of that week and later live under this version).
 *
 * <p>A class rather than a record only so that the location of every logical shard is computed once:
 * routing asks for it on every statement.
 */
public final class Manifest {
    private final int version;
    private final int previousVersion;
    private final ShardFunction shardFunction;
    private final List<PlacementRule> placement;
    private final Instant boundaryStart;
    private final WindowId effectiveWindow;
    private final MigrationStrategy migration;
    private final Verification verification;
    private final RollbackTriggers rollbackTriggers;
    private final ManifestSignature signature;
    private final ShardLocation[] locations;
    // One instance per logical shard, so routing a key allocates none and lookups keyed by shard match by identity.
    private final LogicalShard[] logicalShards;

    /**
     * Creates a manifest.
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
    public Manifest(
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
        this.version = version;
        this.previousVersion = previousVersion;
        this.shardFunction = Objects.requireNonNull(shardFunction, "shardFunction");
        this.placement = List.copyOf(placement);
        this.boundaryStart = boundaryStart;
        this.effectiveWindow = effectiveWindow;
        this.migration = Objects.requireNonNull(migration, "migration");
        this.verification = Objects.requireNonNull(verification, "verification");
        this.rollbackTriggers = Objects.requireNonNull(rollbackTriggers, "rollbackTriggers");
        this.signature = signature;
        this.locations = new ShardLocation[shardFunction.shardCount()];
        for (PlacementRule r : this.placement) {
            for (int s = Math.max(0, r.firstShard()); s <= r.lastShard() && s < locations.length; s++) {
                locations[s] = r.locate(s);
            }
        }
        this.logicalShards = new LogicalShard[locations.length];
        for (int s = 0; s < locations.length; s++) {
            if (locations[s] != null) {
                logicalShards[s] = new LogicalShard(version, s, locations[s]);
            }
        }
    }

    /** The version number. */
    public int version() {
        return version;
    }

    /** The version this one replaces, or 0 for the first. */
    public int previousVersion() {
        return previousVersion;
    }

    /** The shard function. */
    public ShardFunction shardFunction() {
        return shardFunction;
    }

    /** The placement rules. */
    public List<PlacementRule> placement() {
        return placement;
    }

    /** When the boundary window starts, or {@code null}. */
    public Instant boundaryStart() {
        return boundaryStart;
    }

    /** The effective window, or {@code null}. */
    public WindowId effectiveWindow() {
        return effectiveWindow;
    }

    /** The migration strategy. */
    public MigrationStrategy migration() {
        return migration;
    }

    /** The verification rule. */
    public Verification verification() {
        return verification;
    }

    /** The rollback triggers. */
    public RollbackTriggers rollbackTriggers() {
        return rollbackTriggers;
    }

    /** The signature, or {@code null} when unsigned. */
    public ManifestSignature signature() {
        return signature;
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
        ShardLocation l = shard >= 0 && shard < locations.length ? locations[shard] : null;
        if (l == null) {
            throw new IllegalArgumentException("manifest v" + version + " places no logical shard " + shard);
        }
        return l;
    }

    /** Logical shard {@code shard} of this version with its location (the same instance every time). */
    public LogicalShard logicalShard(int shard) {
        LogicalShard l = shard >= 0 && shard < logicalShards.length ? logicalShards[shard] : null;
        if (l == null) {
            throw new IllegalArgumentException("manifest v" + version + " places no logical shard " + shard);
        }
        return l;
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

    @Override
    public boolean equals(Object o) {
        return o instanceof Manifest m
                && version == m.version
                && previousVersion == m.previousVersion
                && shardFunction.equals(m.shardFunction)
                && placement.equals(m.placement)
                && Objects.equals(boundaryStart, m.boundaryStart)
                && Objects.equals(effectiveWindow, m.effectiveWindow)
                && migration.equals(m.migration)
                && verification.equals(m.verification)
                && rollbackTriggers.equals(m.rollbackTriggers)
                && Objects.equals(signature, m.signature);
    }

    @Override
    public int hashCode() {
        return Objects.hash(version, previousVersion, shardFunction, placement, boundaryStart, effectiveWindow);
    }

    @Override
    public String toString() {
        return "manifest v" + version + " (" + shardFunction.describe() + ")";
    }
}
