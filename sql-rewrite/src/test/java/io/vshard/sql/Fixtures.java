package io.vshard.sql;

import io.vshard.manifest.Manifest;
import io.vshard.manifest.MigrationStrategy;
import io.vshard.manifest.PlacementRule;
import io.vshard.manifest.RollbackTriggers;
import io.vshard.manifest.Verification;
import io.vshard.manifest.config.TableRule;
import io.vshard.manifest.config.TableRules;
import io.vshard.manifest.function.GeoAwareHash;
import io.vshard.manifest.function.KeyHash;
import io.vshard.manifest.function.ModHash;
import io.vshard.manifest.placement.RoutingState;
import io.vshard.manifest.window.WindowId;
import java.util.List;
import java.util.Map;

/** The small test layout: v1 = identity(creator_id) % 64 on "ds", schemas shard_000..shard_063. */
final class Fixtures {
    static final Manifest V1 = new Manifest(
            1,
            0,
            new ModHash(KeyHash.IDENTITY, 64),
            List.of(new PlacementRule(0, 63, "ds", "shard_%03d")),
            null,
            null,
            MigrationStrategy.DEFAULT,
            Verification.DEFAULT,
            RollbackTriggers.DEFAULT,
            null);
    static final Manifest GEO = new Manifest(
            1,
            0,
            new GeoAwareHash(16, Map.of("EU", 1, "US", 1), "EU"),
            List.of(new PlacementRule(0, 15, "ds", "geo_%03d")),
            null,
            null,
            MigrationStrategy.DEFAULT,
            Verification.DEFAULT,
            RollbackTriggers.DEFAULT,
            null);
    static final Manifest V2 = new Manifest(
            2,
            1,
            new ModHash(KeyHash.IDENTITY, 128),
            List.of(new PlacementRule(0, 127, "ds2", "shard_%03d")),
            java.time.Instant.parse("2025-11-10T00:00:00Z"),
            WindowId.parse("2025_W47"),
            MigrationStrategy.DEFAULT,
            Verification.DEFAULT,
            RollbackTriggers.DEFAULT,
            null);
    static final RoutingState STABLE = RoutingState.stable(V1);

    static final TableRules RULES = new TableRules(List.of(
            new TableRule("posts", TableRule.Kind.SHARDED, "creator_id", null, null, "id"),
            new TableRule("comments", TableRule.Kind.SHARDED, "creator_id", null, null, "id"),
            new TableRule("payments", TableRule.Kind.SHARDED, "creator_id", null, "week", "id"),
            new TableRule("profiles", TableRule.Kind.SHARDED, "creator_id", "region", null, "id"),
            new TableRule("countries", TableRule.Kind.BROADCAST, null, null, null, "code"),
            new TableRule("app_settings", TableRule.Kind.UNSHARDED, null, null, null, null)));

    private Fixtures() {}

    static SqlRouter router() {
        return new SqlRouter(RULES, 10_000);
    }
}
