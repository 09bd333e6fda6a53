package io.vshard.manifest.codec;

import io.vshard.manifest.Manifest;
import io.vshard.manifest.ManifestSignature;
import io.vshard.manifest.MigrationStrategy;
import io.vshard.manifest.PlacementRule;
import io.vshard.manifest.RollbackTriggers;
import io.vshard.manifest.Verification;
import io.vshard.manifest.function.GeoAwareHash;
import io.vshard.manifest.function.KeyHash;
import io.vshard.manifest.function.ModHash;
import io.vshard.manifest.function.RegionShare;
import io.vshard.manifest.function.ShardFunction;
import io.vshard.manifest.window.WindowId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads manifests from YAML, strictly (unknown fields, missing fields and bad values are errors naming the
 * field and line), and writes their canonical form: a fixed field order, fixed indentation and no
 * comments. The canonical form without the {@code signature} block is what is signed; a signed manifest
 * file is exactly its canonical form followed by the signature block.
 */
public final class ManifestCodec {
    private ManifestCodec() {}

    /**
     * Parses and validates a manifest.
     *
     * @param source the file name, used in error messages
     * @param text the YAML text
     * @throws YamlException naming the file, line and field at fault
     */
    public static Manifest parse(String source, String text) {
        YamlMapping m = YamlMapping.parse(source, text);
        int version = (int) m.integer("version");
        if (version < 1) {
            throw m.error("version", "must be at least 1");
        }
        int previous = (int) m.integer("previous_version", 0);
        if (previous != 0 && previous != version - 1) {
            throw m.error("previous_version", "must be " + (version - 1) + " (version - 1), got " + previous);
        }
        ShardFunction function = shardFunction(m.mapping("shard_function"));
        List<PlacementRule> placement = placement(m, function.shardCount());
        Instant boundary = m.has("boundary_start")
                ? m.convert(
                        "boundary_start",
                        m.string("boundary_start"),
                        Instant::parse,
                        "a UTC instant such as 2025-11-10T00:00:00Z")
                : null;
        WindowId effective = m.has("effective_window")
                ? m.convert(
                        "effective_window",
                        m.string("effective_window"),
                        WindowId::parse,
                        "an ISO week id (YYYY_Www such as 2025_W47)")
                : null;
        if (version > 1 && (boundary == null || effective == null)) {
            throw m.error(
                    boundary == null ? "boundary_start" : "effective_window",
                    "required field is missing: every version after the first states when it takes effect");
        }
        if (boundary != null && effective != null && boundary.isAfter(effective.start())) {
            throw m.error("boundary_start", "must not be after the effective window's start " + effective.start());
        }
        MigrationStrategy migration = migration(m.mappingOrNull("migration"));
        Verification verification = verification(m.mappingOrNull("verification"));
        RollbackTriggers triggers = triggers(m.mappingOrNull("rollback_triggers"));
        ManifestSignature signature = null;
        YamlMapping sig = m.mappingOrNull("signature");
        if (sig != null) {
            signature = new ManifestSignature(sig.string("key_id"), sig.string("ed25519"));
            sig.finish();
        }
        m.finish();
        return new Manifest(
                version,
                previous,
                function,
                placement,
                boundary,
                effective,
                migration,
                verification,
                triggers,
                signature);
    }

    private static ShardFunction shardFunction(YamlMapping f) {
        String kind = f.string("kind");
        int shards = (int) f.integer("shards");
        if (shards < 1 || shards > 65_536) {
            throw f.error("shards", "must be between 1 and 65536, got " + shards);
        }
        ShardFunction fn;
        switch (kind) {
            case "mod_hash" -> {
                String hashName = f.string("hash");
                KeyHash hash = KeyHash.fromManifestName(hashName);
                if (hash == null) {
                    throw f.error("hash", "'" + hashName + "' is not a known hash; expected identity or xxh64");
                }
                fn = new ModHash(hash, shards);
            }
            case "geo_aware_hash" -> {
                String hashName = f.string("hash", "xxh64");
                if (!hashName.equals("xxh64")) {
                    throw f.error("hash", "geo_aware_hash places creators with xxh64, got '" + hashName + "'");
                }
                Map<String, Integer> weights = new LinkedHashMap<>();
                for (YamlMapping r : f.mappings("regions")) {
                    String region = r.string("region").trim().toUpperCase(Locale.ROOT);
                    int weight = (int) r.integer("weight");
                    if (weight <= 0) {
                        throw r.error("weight", "must be positive");
                    }
                    if (weights.put(region, weight) != null) {
                        throw r.error("region", "region " + region + " is listed twice");
                    }
                    r.finish();
                }
                String def = f.string("default_region");
                try {
                    fn = new GeoAwareHash(shards, weights, def);
                } catch (IllegalArgumentException e) {
                    throw f.error(
                            weights.containsKey(def.trim().toUpperCase(Locale.ROOT)) ? "regions" : "default_region",
                            e.getMessage());
                }
            }
            default ->
                throw f.error("kind", "'" + kind + "' is not a shard function; expected mod_hash or geo_aware_hash");
        }
        f.finish();
        return fn;
    }

    private static List<PlacementRule> placement(YamlMapping m, int shardCount) {
        List<PlacementRule> rules = new ArrayList<>();
        int[] owner = new int[shardCount];
        for (YamlMapping p : m.mappings("placement")) {
            String range = p.string("shards");
            int[] bounds = p.convert("shards", range, ManifestCodec::range, "a shard range such as 0-63");
            if (bounds[0] < 0 || bounds[1] >= shardCount || bounds[0] > bounds[1]) {
                throw p.error("shards", "range " + range + " must lie within 0-" + (shardCount - 1));
            }
            String ds = p.string("data_source");
            String pattern = p.string("schema");
            p.convert("schema", pattern, s -> String.format(Locale.ROOT, s, 0), "a schema pattern such as shard_%03d");
            if (!pattern.matches("[A-Za-z_][A-Za-z0-9_]*%0?\\d*d[A-Za-z0-9_]*")) {
                throw p.error("schema", "'" + pattern + "' must be a SQL name with one %d, such as shard_%03d");
            }
            for (int s = bounds[0]; s <= bounds[1]; s++) {
                if (owner[s] != 0) {
                    throw p.error("shards", "logical shard " + s + " is placed twice");
                }
                owner[s] = rules.size() + 1;
            }
            rules.add(new PlacementRule(bounds[0], bounds[1], ds, pattern));
            p.finish();
        }
        for (int s = 0; s < shardCount; s++) {
            if (owner[s] == 0) {
                throw m.error("placement", "logical shard " + s + " is not placed on any data source");
            }
        }
        return rules;
    }

    private static int[] range(String text) {
        String[] parts = text.trim().split("-", -1);
        if (parts.length == 1) {
            int v = Integer.parseInt(parts[0].trim());
            return new int[] {v, v};
        }
        if (parts.length != 2) {
            throw new IllegalArgumentException("not a range");
        }
        return new int[] {Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim())};
    }

    private static MigrationStrategy migration(YamlMapping m) {
        if (m == null) {
            return MigrationStrategy.DEFAULT;
        }
        MigrationStrategy d = MigrationStrategy.DEFAULT;
        long target = m.integer("cohort_target_rows", d.cohortTargetRows());
        long test = m.integer("test_cohort_rows", d.testCohortRows());
        long batch = m.integer("batch_rows", d.batchRows());
        if (target < 1) {
            throw m.error("cohort_target_rows", "must be positive");
        }
        if (test < 1 || test > target) {
            throw m.error("test_cohort_rows", "must be between 1 and cohort_target_rows (" + target + ")");
        }
        if (batch < 1 || batch > 1_000_000) {
            throw m.error("batch_rows", "must be between 1 and 1000000");
        }
        m.finish();
        return new MigrationStrategy(target, test, (int) batch);
    }

    private static Verification verification(YamlMapping m) {
        if (m == null) {
            return Verification.DEFAULT;
        }
        String method = m.string("method", "digest");
        if (!method.equals("digest")) {
            throw m.error("method", "'" + method + "' is not a verification method; expected digest");
        }
        long clean = m.integer("clean_windows_before_drain", Verification.DEFAULT.cleanWindowsBeforeDrain());
        if (clean < 0) {
            throw m.error("clean_windows_before_drain", "must not be negative");
        }
        m.finish();
        return new Verification(method, (int) clean);
    }

    private static RollbackTriggers triggers(YamlMapping m) {
        if (m == null) {
            return RollbackTriggers.DEFAULT;
        }
        RollbackTriggers d = RollbackTriggers.DEFAULT;
        RollbackTriggers.Action onMismatch = action(m, "on_digest_mismatch", d.onDigestMismatch());
        long p95 = m.integer("shard_p95_latency_ms", d.shardP95LatencyMillis());
        double errors = m.number("error_rate", d.errorRate());
        if (p95 < 0) {
            throw m.error("shard_p95_latency_ms", "must not be negative");
        }
        if (errors < 0 || errors > 1) {
            throw m.error("error_rate", "must be between 0 and 1");
        }
        RollbackTriggers.Action onHealth = action(m, "on_health_failure", d.onHealthFailure());
        m.finish();
        return new RollbackTriggers(onMismatch, p95, errors, onHealth);
    }

    private static RollbackTriggers.Action action(YamlMapping m, String field, RollbackTriggers.Action fallback) {
        String v = m.string(field, fallback.manifestName());
        for (RollbackTriggers.Action a : RollbackTriggers.Action.values()) {
            if (a.manifestName().equals(v)) {
                return a;
            }
        }
        throw m.error(field, "'" + v + "' is not an action; expected pause or rollback");
    }

    /** The canonical form without the signature: the bytes that are signed. */
    public static String canonicalBody(Manifest m) {
        StringBuilder b = new StringBuilder(1024);
        b.append("version: ").append(m.version()).append('\n');
        if (m.previousVersion() != 0) {
            b.append("previous_version: ").append(m.previousVersion()).append('\n');
        }
        b.append("shard_function:\n");
        ShardFunction f = m.shardFunction();
        if (f instanceof ModHash mh) {
            b.append("  kind: mod_hash\n");
            b.append("  shards: ").append(mh.shardCount()).append('\n');
            b.append("  hash: ").append(mh.hash().manifestName()).append('\n');
        } else if (f instanceof GeoAwareHash g) {
            b.append("  kind: geo_aware_hash\n");
            b.append("  shards: ").append(g.shardCount()).append('\n');
            b.append("  hash: xxh64\n");
            b.append("  regions:\n");
            for (RegionShare s : g.shares()) {
                b.append("    - region: ").append(s.region()).append('\n');
                b.append("      weight: ").append(s.weight()).append('\n');
            }
            b.append("  default_region: ").append(g.defaultShare().region()).append('\n');
        }
        b.append("placement:\n");
        for (PlacementRule r : m.placement()) {
            b.append("  - shards: \"").append(r.rangeText()).append("\"\n");
            b.append("    data_source: ").append(r.dataSource()).append('\n');
            b.append("    schema: \"").append(r.schemaPattern()).append("\"\n");
        }
        if (m.boundaryStart() != null) {
            b.append("boundary_start: \"").append(m.boundaryStart()).append("\"\n");
        }
        if (m.effectiveWindow() != null) {
            b.append("effective_window: \"").append(m.effectiveWindow()).append("\"\n");
        }
        MigrationStrategy s = m.migration();
        b.append("migration:\n");
        b.append("  cohort_target_rows: ").append(s.cohortTargetRows()).append('\n');
        b.append("  test_cohort_rows: ").append(s.testCohortRows()).append('\n');
        b.append("  batch_rows: ").append(s.batchRows()).append('\n');
        b.append("verification:\n");
        b.append("  method: ").append(m.verification().method()).append('\n');
        b.append("  clean_windows_before_drain: ")
                .append(m.verification().cleanWindowsBeforeDrain())
                .append('\n');
        RollbackTriggers t = m.rollbackTriggers();
        b.append("rollback_triggers:\n");
        b.append("  on_digest_mismatch: ")
                .append(t.onDigestMismatch().manifestName())
                .append('\n');
        b.append("  shard_p95_latency_ms: ").append(t.shardP95LatencyMillis()).append('\n');
        b.append("  error_rate: ").append(BigDecimalText.of(t.errorRate())).append('\n');
        b.append("  on_health_failure: ")
                .append(t.onHealthFailure().manifestName())
                .append('\n');
        return b.toString();
    }

    /** The canonical form with the signature block, when signed: what a manifest file holds. */
    public static String write(Manifest m) {
        String body = canonicalBody(m);
        if (m.signature() == null) {
            return body;
        }
        return body + "signature:\n  key_id: " + m.signature().keyId() + "\n  ed25519: \""
                + m.signature().signature() + "\"\n";
    }

    /** Plain decimal text for doubles, without exponent, so the canonical form is stable. */
    private static final class BigDecimalText {
        static String of(double d) {
            return new java.math.BigDecimal(Double.toString(d))
                    .stripTrailingZeros()
                    .toPlainString();
        }
    }
}
