package io.vshard.demo;

import io.vshard.config.ConfigReader;
import io.vshard.config.ControlStoreConfig;
import io.vshard.config.DataSourceConfig;
import io.vshard.config.VShardConfig;
import io.vshard.control.MigrationStore;
import io.vshard.engine.Engine;
import io.vshard.engine.EngineOptions;
import io.vshard.manifest.Manifest;
import io.vshard.manifest.codec.ManifestCodec;
import io.vshard.manifest.codec.ManifestSigner;
import io.vshard.manifest.window.WindowId;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The demo's fleet on disk: a data directory holding the shard databases and the control store (embedded H2),
 * a generated configuration, a freshly generated Ed25519 signing key, and the scenario manifests re-signed with
 * it (v2 with windows relative to the demo clock). Owns the engine it starts.
 */
final class DemoFleet implements AutoCloseable {
    // Regular mode: the journal DDL (BIGINT AUTO_INCREMENT) is refused by H2 in PostgreSQL mode.
    // A 256 MB page cache (H2's default is 64 MB): the hot data source holds 60% of two million rows and their
    // index, and page eviction showed up in the load's profile.
    // QUERY_CACHE_SIZE: each session keeps the parsed statements of its last 8 texts by default; the migrator
    // reads and writes every shard table of a data source (32 schemas x 2 tables, a SELECT and an INSERT each)
    // in turn, so it parsed each statement again. MAX_COMPACT_TIME=0: SHUTDOWN at the end of the run compacted
    // each file for seconds (profiled) before the process could exit; the files stay as written.
    // WRITE_DELAY=600000: H2 writes the changed pages to the file every WRITE_DELAY ms (500 by default), each
    // page whole; the migration touches pages all over 128 shard tables, so most were serialized again at each
    // write (H2's serialization thread was a fifth of the demo's CPU). Writes now come from the unsaved-memory
    // threshold H2WriteBehind raises, and SHUTDOWN at the end writes everything. The data directory is scratch:
    // a crash loses what was not written, and the next run wipes it anyway.
    static final String H2_OPTIONS = ";DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;CACHE_SIZE=262144"
            + ";QUERY_CACHE_SIZE=512;MAX_COMPACT_TIME=0;WRITE_DELAY=600000";
    // The control store opens a connection per operation; without this H2 closes the database when the last
    // connection closes and reopens the file (recovering its transaction store) on the next: profiled as most of
    // the time of every status call and migrator step on the embedded fleet.
    static final String KEEP_OPEN = ";DB_CLOSE_DELAY=-1";
    /** The p95 latency health trigger on a server backend (the scenario manifests say 250 ms). */
    static final int SERVER_P95_TRIGGER_MS = 2_000;

    private final Path dir;
    private final DemoClock clock;
    private final PrivateKey privateKey;
    private final PublicKey publicKey;
    private final Engine engine;
    private final MigrationStore store;
    private final DemoBackend backend;
    private final boolean keep;
    private final long unsavedBytes;

    private DemoFleet(
            Path dir,
            DemoClock clock,
            KeyPair keys,
            Engine engine,
            DemoBackend backend,
            boolean keep,
            long unsavedBytes) {
        this.dir = dir;
        this.unsavedBytes = unsavedBytes;
        this.backend = backend;
        this.keep = keep;
        this.clock = clock;
        this.privateKey = keys.getPrivate();
        this.publicKey = keys.getPublic();
        this.engine = engine;
        this.store = new MigrationStore(engine.controlStore());
    }

    /**
     * Creates the data directory (wiping it when {@code fresh}), writes the key, configuration and v1, and
     * starts an engine on the demo clock. On a server {@code backend}, creates the run's databases first; they
     * are dropped by {@link #close()} unless {@code keep}.
     */
    static DemoFleet create(Path dir, boolean fresh, DemoClock clock, DemoBackend backend, boolean keep)
            throws IOException, SQLException {
        Path abs = dir.toAbsolutePath().normalize();
        if (fresh || Files.exists(abs.resolve("vshard.yaml"))) {
            // A half-finished earlier run would mix its rows with this run's ledger: always start clean.
            wipe(abs);
        }
        Files.createDirectories(abs.resolve("manifests"));
        KeyPair keys = ManifestSigner.generateKeyPair();
        Files.writeString(abs.resolve("manifest-key.pub"), ManifestSigner.encodePublic(keys.getPublic()) + "\n");
        Path secret = abs.resolve("manifest-key.secret");
        Files.writeString(secret, ManifestSigner.encodePrivate(keys.getPrivate()) + "\n");
        Manifest v1 =
                ManifestSigner.sign(bundled("v1.yaml", null, null, 0, backend), keys.getPrivate(), keys.getPublic());
        Files.writeString(abs.resolve("manifests/v1.yaml"), ManifestCodec.write(v1));
        Files.writeString(abs.resolve("vshard.yaml"), configText(abs, backend));
        VShardConfig config = ConfigReader.read(abs.resolve("vshard.yaml"));
        EngineOptions options = new EngineOptions(10_000, 8, 10_000, Duration.ofMillis(200), "driver").withClock(clock);
        backend.create();
        Engine engine;
        try {
            engine = Engine.start(config, options);
            new MigrationStore(engine.controlStore()).setClockOffset(Duration.ZERO);
        } catch (SQLException | RuntimeException e) {
            if (!keep) {
                try {
                    backend.drop();
                } catch (SQLException dropping) {
                    e.addSuppressed(dropping);
                }
            }
            throw e;
        }
        long unsavedBytes = -1;
        if (backend.embedded()) {
            long wanted = H2WriteBehind.unsavedBytes(config.dataSources().size());
            unsavedBytes = Long.MAX_VALUE;
            for (DataSourceConfig d : config.dataSources().values()) {
                // The least of them: -1 as soon as one database keeps H2's defaults.
                unsavedBytes = Math.min(unsavedBytes, H2WriteBehind.apply(d.url(), d.user(), d.password(), wanted));
            }
        }
        return new DemoFleet(abs, clock, keys, engine, backend, keep, unsavedBytes);
    }

    /**
     * How many bytes of page copies each embedded shard database holds before H2 writes them to its file, or -1
     * when H2's defaults apply (a server backend, or an H2 whose store {@link H2WriteBehind} cannot reach).
     */
    long unsavedBytes() {
        return unsavedBytes;
    }

    /** Signs the scenario's v2 with this fleet's key, boundary and effective window given, and writes it. */
    Path writeV2(Instant boundaryStart, WindowId effective, long cohortRows) throws IOException {
        Manifest v2 = ManifestSigner.sign(
                bundled("v2.yaml", boundaryStart, effective, cohortRows, backend), privateKey, publicKey);
        Path file = dir.resolve("manifests/v2.yaml");
        Files.writeString(file, ManifestCodec.write(v2));
        return file;
    }

    Engine engine() {
        return engine;
    }

    MigrationStore store() {
        return store;
    }

    DemoClock clock() {
        return clock;
    }

    Path dir() {
        return dir;
    }

    DemoBackend backend() {
        return backend;
    }

    /** Moves the demo clock to {@code target} and has the engine pick the new time up at once. */
    void jumpTo(Instant target) throws SQLException {
        clock.jumpTo(target, store);
        engine.refresh();
    }

    /**
     * Stops the engine and closes the H2 databases, which {@link #KEEP_OPEN} keeps open otherwise; on a server,
     * drops the run's databases unless they are kept.
     */
    @Override
    public void close() {
        engine.close();
        if (!backend.embedded()) {
            if (!keep) {
                try {
                    backend.drop();
                } catch (SQLException e) {
                    throw new IllegalStateException(
                            "dropping the demo's databases " + backend.prefix() + "_*: " + e.getMessage(), e);
                }
            }
            return;
        }
        List<String[]> dbs = new ArrayList<>();
        for (DataSourceConfig d : engine.config().dataSources().values()) {
            dbs.add(new String[] {d.url(), d.user(), d.password()});
        }
        ControlStoreConfig c = engine.config().controlStore();
        dbs.add(new String[] {c.url(), c.user(), c.password()});
        for (String[] db : dbs) {
            try (Connection conn = DriverManager.getConnection(db[0], db[1], db[2]);
                    Statement st = conn.createStatement()) {
                st.execute("SHUTDOWN");
            } catch (SQLException e) {
                // Already closed (or never opened): nothing is held.
            }
        }
    }

    private static String configText(Path dir, DemoBackend backend) {
        StringBuilder sb = new StringBuilder();
        sb.append("# Generated by `vshard demo`: the fleet of this data directory (")
                .append(backend.describe())
                .append(").\n");
        sb.append("data_sources:\n");
        String credentials = "    user: " + backend.user() + "\n    password: \"" + backend.password() + "\"\n";
        for (String ds : DemoBackend.DATA_SOURCES) {
            sb.append("  ").append(ds).append(":\n");
            sb.append("    url: \"")
                    .append(backend.dataSourceUrl(
                            ds, dir.resolve("shards").resolve(ds).toString()))
                    .append("\"\n");
            // A server's connection limit is shared (PostgreSQL's default is 100): fewer pooled connections there.
            sb.append(credentials)
                    .append("    max_pool_size: ")
                    .append(backend.embedded() ? 12 : 5)
                    .append('\n');
        }
        sb.append("default_shard:\n  data_source: db_a\n  schema: ")
                .append(backend.defaultSchema())
                .append("\n");
        sb.append("control_store:\n  url: \"")
                .append(backend.controlUrl(dir.resolve("control").toString()))
                .append("\"\n")
                .append(credentials.replace("    ", "  "));
        sb.append("manifests:\n  - manifests/v1.yaml\n");
        sb.append("trusted_keys:\n  - manifest-key.pub\n");
        sb.append("""
                tables:
                  payments:
                    kind: sharded
                    creator_column: creator_id
                    region_column: region
                    window_column: window_id
                    primary_key: payment_id
                  creators:
                    kind: sharded
                    creator_column: creator_id
                    region_column: region
                    primary_key: creator_id
                """);
        return sb.toString();
    }

    /** A bundled scenario manifest, unsigned, with the windows and the cohort size replaced when given. */
    static Manifest bundled(
            String name, Instant boundaryStart, WindowId effective, long cohortRows, DemoBackend backend) {
        try (InputStream in = DemoFleet.class.getResourceAsStream("/scenario/manifests/" + name)) {
            if (in == null) {
                throw new IllegalStateException("the jar lacks scenario manifest " + name);
            }
            StringBuilder kept = new StringBuilder();
            boolean inSignature = false;
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n", -1)) {
                inSignature = line.startsWith("signature:") || (inSignature && line.startsWith(" "));
                if (inSignature) {
                    continue;
                }
                if (boundaryStart != null && line.startsWith("boundary_start:")) {
                    line = "boundary_start: \"" + boundaryStart + "\"";
                } else if (cohortRows > 0 && line.startsWith("  cohort_target_rows:")) {
                    line = "  cohort_target_rows: " + cohortRows;
                } else if (effective != null && line.startsWith("effective_window:")) {
                    line = "effective_window: \"" + effective + "\"";
                } else if (line.startsWith("    schema: \"shard_%03d\"")) {
                    line = "    schema: \"" + backend.schemaPattern(name.equals("v1.yaml") ? 1 : 2) + "\"";
                } else if (!backend.embedded() && line.startsWith("  shard_p95_latency_ms:")) {
                    // A shared server answers over the network and, on a loaded machine, slower than in-process
                    // H2: the scenario's 250 ms paused the MySQL run at p95 404 ms. The trigger stays armed.
                    line = "  shard_p95_latency_ms: " + SERVER_P95_TRIGGER_MS;
                }
                kept.append(line).append('\n');
            }
            return ManifestCodec.parse(name, kept.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void wipe(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        if (!Files.exists(dir.resolve("vshard.yaml")) && !Files.exists(dir.resolve("shards"))) {
            try (Stream<Path> s = Files.list(dir)) {
                if (s.findAny().isPresent()) {
                    throw new IOException(dir + " is not empty and not a vshard demo directory; not wiping it");
                }
            }
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
