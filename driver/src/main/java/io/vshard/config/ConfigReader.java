package io.vshard.config;

import io.vshard.manifest.Manifest;
import io.vshard.manifest.PlacementRule;
import io.vshard.manifest.ShardLocation;
import io.vshard.manifest.codec.ManifestSigner;
import io.vshard.manifest.codec.TrustedKeys;
import io.vshard.manifest.codec.YamlException;
import io.vshard.manifest.codec.YamlMapping;
import io.vshard.manifest.config.TableRule;
import io.vshard.manifest.config.TableRules;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads configuration files strictly: unknown fields, missing fields and bad values are {@link YamlException}s
 * naming the file, line and field. Also loads the manifests a configuration names, verifying each signature.
 */
public final class ConfigReader {
    private ConfigReader() {}

    /**
     * Reads a configuration file.
     *
     * @throws IOException if the file cannot be read
     * @throws YamlException if it is invalid
     */
    public static VShardConfig read(Path file) throws IOException {
        Path abs = file.toAbsolutePath().normalize();
        String text = Files.readString(abs, StandardCharsets.UTF_8);
        return parse(abs.getFileName().toString(), text, abs.getParent(), abs);
    }

    /**
     * Parses configuration text.
     *
     * @param source the name used in messages
     * @param text the YAML
     * @param baseDir the directory relative paths resolve against
     * @param file the file, or {@code null}
     */
    public static VShardConfig parse(String source, String text, Path baseDir, Path file) {
        YamlMapping m = YamlMapping.parse(source, text);
        Map<String, DataSourceConfig> sources = new LinkedHashMap<>();
        m.mappingsByName("data_sources").forEach((name, d) -> sources.put(name, dataSource(name, d, baseDir)));
        if (sources.isEmpty()) {
            throw m.error("data_sources", "at least one data source is required");
        }
        YamlMapping def = m.mapping("default_shard");
        String defSource = def.string("data_source");
        if (!sources.containsKey(defSource)) {
            throw def.error("data_source", "names no configured data source: '" + defSource + "'");
        }
        ShardLocation defaultShard =
                new ShardLocation(defSource, def.string("schema", defaultSchema(sources.get(defSource))));
        def.finish();
        ControlStoreConfig control = controlStore(m.mappingOrNull("control_store"), baseDir);
        List<Path> manifests = paths(m, "manifests", baseDir);
        List<Path> keys = paths(m, "trusted_keys", baseDir);
        TableRules tables = tables(m);
        List<UserConfig> users = m.has("users") ? users(m.mappings("users")) : List.of();
        ProxyConfig proxy = proxy(m.mappingOrNull("proxy"));
        m.finish();
        return new VShardConfig(file, sources, defaultShard, control, manifests, keys, tables, users, proxy);
    }

    /**
     * Loads and verifies every manifest the configuration names, in version order.
     *
     * @throws IOException if a file cannot be read
     * @throws IllegalArgumentException if a manifest is invalid, unsigned, untrusted or places a shard on an
     *     unknown data source (the message names the file)
     */
    public static List<ManifestFile> readManifests(VShardConfig config) throws IOException {
        List<PublicKey> keys = new ArrayList<>();
        for (Path p : config.trustedKeys()) {
            try {
                keys.add(ManifestSigner.decodePublic(Files.readString(p, StandardCharsets.UTF_8)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(p + ": " + e.getMessage(), e);
            }
        }
        TrustedKeys trusted = new TrustedKeys(keys);
        List<ManifestFile> out = new ArrayList<>();
        for (Path p : config.manifests()) {
            String text = Files.readString(p, StandardCharsets.UTF_8);
            Manifest manifest = trusted.verify(p.toString(), text);
            for (PlacementRule r : manifest.placement()) {
                if (!config.dataSources().containsKey(r.dataSource())) {
                    throw new IllegalArgumentException(p + ": manifest v" + manifest.version() + " places shards "
                            + r.rangeText() + " on data source '" + r.dataSource()
                            + "', which the configuration does not define");
                }
            }
            out.add(new ManifestFile(p, text, manifest));
        }
        out.sort((a, b) -> Integer.compare(a.manifest().version(), b.manifest().version()));
        return out;
    }

    private static DataSourceConfig dataSource(String name, YamlMapping d, Path baseDir) {
        String url = resolveH2(d.string("url"), baseDir);
        d.convert("url", url, Dialect::of, "a supported JDBC URL");
        long pool = d.integer("max_pool_size", 8);
        if (pool < 1 || pool > 1000) {
            throw d.error("max_pool_size", "must be between 1 and 1000, got " + pool);
        }
        DataSourceConfig ds =
                new DataSourceConfig(name, url, d.string("user", null), d.string("password", null), (int) pool);
        d.finish();
        return ds;
    }

    private static String defaultSchema(DataSourceConfig ds) {
        return switch (ds.dialect()) {
            case POSTGRESQL -> "public";
            case H2 -> "PUBLIC";
            case MYSQL -> "vshard_default";
        };
    }

    private static ControlStoreConfig controlStore(YamlMapping c, Path baseDir) {
        if (c == null) {
            Path file = (baseDir == null ? Path.of(".") : baseDir)
                    .resolve("vshard-control")
                    .toAbsolutePath();
            return new ControlStoreConfig("jdbc:h2:file:" + file + ";AUTO_SERVER=TRUE", "sa", "");
        }
        String url = resolveH2(c.string("url"), baseDir);
        c.convert("url", url, Dialect::of, "a supported JDBC URL");
        ControlStoreConfig cs = new ControlStoreConfig(url, c.string("user", null), c.string("password", null));
        c.finish();
        return cs;
    }

    /** Makes a relative H2 file path relative to the configuration file, like every other path in it. */
    static String resolveH2(String url, Path baseDir) {
        String prefix;
        if (url.startsWith("jdbc:h2:file:")) {
            prefix = "jdbc:h2:file:";
        } else if (url.startsWith("jdbc:h2:./") || url.startsWith("jdbc:h2:../")) {
            prefix = "jdbc:h2:";
        } else {
            return url;
        }
        int semi = url.indexOf(';');
        String file = semi < 0 ? url.substring(prefix.length()) : url.substring(prefix.length(), semi);
        if (baseDir == null || file.startsWith("~") || Path.of(file).isAbsolute()) {
            return url;
        }
        return "jdbc:h2:file:" + baseDir.resolve(file).normalize() + (semi < 0 ? "" : url.substring(semi));
    }

    private static List<Path> paths(YamlMapping m, String field, Path baseDir) {
        List<Path> out = new ArrayList<>();
        for (String s : m.strings(field)) {
            Path p = Path.of(s);
            out.add((p.isAbsolute() || baseDir == null ? p : baseDir.resolve(p)).normalize());
        }
        return out;
    }

    private static TableRules tables(YamlMapping m) {
        List<TableRule> rules = new ArrayList<>();
        if (!m.has("tables")) {
            return new TableRules(rules);
        }
        m.mappingsByName("tables").forEach((name, t) -> {
            String kindText = t.string("kind", "sharded");
            TableRule.Kind kind = t.convert(
                    "kind",
                    kindText,
                    k -> TableRule.Kind.valueOf(k.toUpperCase(Locale.ROOT)),
                    "a table kind (sharded, broadcast or unsharded)");
            String creator = t.string("creator_column", null);
            if (kind == TableRule.Kind.SHARDED && creator == null) {
                throw t.error("creator_column", "required field is missing: a sharded table needs its creator column");
            }
            rules.add(new TableRule(
                    name,
                    kind,
                    creator,
                    t.string("region_column", null),
                    t.string("window_column", null),
                    t.string("primary_key", null)));
            t.finish();
        });
        return new TableRules(rules);
    }

    private static List<UserConfig> users(List<YamlMapping> list) {
        List<UserConfig> out = new ArrayList<>();
        for (YamlMapping u : list) {
            String password = u.string("password", null);
            String scram = u.string("scram_secret", null);
            if ((password == null) == (scram == null)) {
                throw u.error("password", "give exactly one of password and scram_secret");
            }
            String nativeHash = u.string("mysql_native_hash", null);
            if (nativeHash != null && !nativeHash.matches("\\*[0-9A-Fa-f]{40}")) {
                throw u.error("mysql_native_hash", "expected '*' and 40 hex digits, as PASSWORD('...') prints it");
            }
            List<String> roles = u.has("roles") ? u.strings("roles") : List.of();
            out.add(new UserConfig(u.string("name"), password, scram, roles, nativeHash));
            u.finish();
        }
        return out;
    }

    private static ProxyConfig proxy(YamlMapping p) {
        if (p == null) {
            return ProxyConfig.DEFAULT;
        }
        ProxyConfig d = ProxyConfig.DEFAULT;
        ProxyConfig c = new ProxyConfig(
                port(p, "postgres_port", d.postgresPort()),
                port(p, "mysql_port", d.mysqlPort()),
                port(p, "http_port", d.httpPort()));
        p.finish();
        return c;
    }

    private static int port(YamlMapping p, String field, int fallback) {
        long v = p.integer(field, fallback);
        if (v < 0 || v > 65_535) {
            throw p.error(field, "must be a port between 0 and 65535, got " + v);
        }
        return (int) v;
    }

    /**
     * A verified manifest file.
     *
     * @param path the file
     * @param text its exact text (what the control store keeps and hashes)
     * @param manifest the parsed manifest
     */
    public record ManifestFile(Path path, String text, Manifest manifest) {}
}
