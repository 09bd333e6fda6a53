package io.vshard.cli;

import io.vshard.config.ConfigReader;
import io.vshard.config.VShardConfig;
import io.vshard.control.ControlStore;
import io.vshard.control.ManifestPublisher;
import io.vshard.control.MigrationStore;
import io.vshard.manifest.Manifest;
import io.vshard.manifest.PlacementRule;
import io.vshard.manifest.codec.ManifestCodec;
import io.vshard.manifest.codec.ManifestSigner;
import io.vshard.manifest.codec.TrustedKeys;
import io.vshard.manifest.function.GeoAwareHash;
import io.vshard.manifest.function.RegionShare;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code vshard manifest keygen|sign|verify|show|publish}. */
@Command(
        name = "manifest",
        mixinStandardHelpOptions = true,
        description = "Create signing keys, sign, verify, show and publish manifests.",
        subcommands = {
            ManifestCommand.Keygen.class,
            ManifestCommand.Sign.class,
            ManifestCommand.Verify.class,
            ManifestCommand.Show.class,
            ManifestCommand.Publish.class
        })
final class ManifestCommand implements Runnable {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static String read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + ": no such file");
        }
        return Files.readString(file, StandardCharsets.UTF_8);
    }

    /** The trusted keys: the given files, or every {@code *.pub} beside the manifest and in its parent folder. */
    static TrustedKeys trustedKeys(List<Path> given, Path manifest) throws IOException {
        List<Path> files = new ArrayList<>();
        if (given != null && !given.isEmpty()) {
            files.addAll(given);
        } else {
            Path dir = manifest.toAbsolutePath().getParent();
            for (Path d : new Path[] {dir, dir.getParent()}) {
                if (d == null) {
                    continue;
                }
                try (DirectoryStream<Path> s = Files.newDirectoryStream(d, "*.pub")) {
                    s.forEach(files::add);
                }
            }
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException(
                    "no trusted public key: pass --trusted-key <file.pub> or put one beside " + manifest);
        }
        List<PublicKey> keys = new ArrayList<>();
        for (Path p : files) {
            try {
                keys.add(ManifestSigner.decodePublic(read(p)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(p + ": " + e.getMessage());
            }
        }
        return new TrustedKeys(keys);
    }

    @Command(name = "keygen", mixinStandardHelpOptions = true, description = "Create an Ed25519 signing key pair.")
    static final class Keygen implements Callable<Integer> {
        @Option(names = "--out", required = true, description = "Path prefix: writes <prefix>.key and <prefix>.pub.")
        Path out;

        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            KeyPair kp = ManifestSigner.generateKeyPair();
            Path key = Path.of(out + ".key");
            Path pub = Path.of(out + ".pub");
            if (Files.exists(key)) {
                throw new IllegalArgumentException(key + " exists; refusing to overwrite a signing key");
            }
            Files.writeString(
                    key,
                    "# vshard manifest signing key (Ed25519, PKCS#8). Keep it secret.\n"
                            + ManifestSigner.encodePrivate(kp.getPrivate()) + "\n");
            Files.writeString(
                    pub,
                    "# vshard manifest public key (Ed25519, X.509), key id " + ManifestSigner.keyId(kp.getPublic())
                            + "\n" + ManifestSigner.encodePublic(kp.getPublic()) + "\n");
            spec.commandLine()
                    .getOut()
                    .printf("wrote %s and %s (key id %s)%n", key, pub, ManifestSigner.keyId(kp.getPublic()));
            return 0;
        }
    }

    @Command(
            name = "sign",
            mixinStandardHelpOptions = true,
            description = "Sign a manifest; rewrites it in canonical form with its signature.")
    static final class Sign implements Callable<Integer> {
        @Parameters(index = "0", description = "The manifest file.")
        Path file;

        @Option(names = "--key", required = true, description = "The private key file (from keygen).")
        Path key;

        @Option(names = "--public-key", description = "The public key file (default: the .key path with .pub).")
        Path publicKey;

        @Option(names = "--out", description = "Where to write the signed manifest (default: in place).")
        Path out;

        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            Manifest m = ManifestCodec.parse(file.getFileName().toString(), read(file))
                    .withSignature(null);
            Path pubPath =
                    publicKey != null ? publicKey : Path.of(key.toString().replaceFirst("\\.key$", "") + ".pub");
            Manifest signed = ManifestSigner.sign(
                    m, ManifestSigner.decodePrivate(read(key)), ManifestSigner.decodePublic(read(pubPath)));
            Path target = out == null ? file : out;
            Files.writeString(target, ManifestCodec.write(signed), StandardCharsets.UTF_8);
            spec.commandLine()
                    .getOut()
                    .printf(
                            "signed manifest v%d with key %s -> %s%n",
                            signed.version(), signed.signature().keyId(), target);
            return 0;
        }
    }

    @Command(
            name = "verify",
            mixinStandardHelpOptions = true,
            description = "Check a manifest: valid, signed by a trusted key, unaltered. Exits non-zero if not.")
    static final class Verify implements Callable<Integer> {
        @Parameters(index = "0", description = "The manifest file.")
        Path file;

        @Option(
                names = "--trusted-key",
                description = "A trusted public key file (repeatable; default: *.pub "
                        + "beside the manifest or in its parent folder).")
        List<Path> trusted;

        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            Manifest m = trustedKeys(trusted, file).verify(file.getFileName().toString(), read(file));
            spec.commandLine()
                    .getOut()
                    .printf(
                            "OK: %s is manifest v%d (%s), signed by trusted key %s%n",
                            file,
                            m.version(),
                            m.shardFunction().describe(),
                            m.signature().keyId());
            return 0;
        }
    }

    @Command(
            name = "publish",
            mixinStandardHelpOptions = true,
            description = "Publish a signed manifest as the next version in the control store (PUBLISH MANIFEST);"
                    + " every router loads it on its next refresh. Exits non-zero, changing nothing, if refused.")
    static final class Publish implements Callable<Integer> {
        @Parameters(index = "0", description = "The signed manifest file.")
        Path file;

        @Option(
                names = "--config",
                description = "The vshard configuration naming the control store and trusted keys"
                        + " (default: ${DEFAULT-VALUE}).",
                defaultValue = "conf/vshard.yaml")
        Path config;

        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException, SQLException {
            if (!Files.isRegularFile(config)) {
                throw new IllegalArgumentException(config + ": no such configuration file");
            }
            VShardConfig c = ConfigReader.read(config);
            ControlStore store = new ControlStore(c.controlStore());
            // A fresh store learns the configured versions first, as a starting router would.
            store.register(ConfigReader.readManifests(c));
            Instant now = new MigrationStore(store).fleetTime();
            Manifest m;
            try {
                m = new ManifestPublisher(store, c).publish(file, now);
            } catch (SQLException e) {
                throw new SQLException("[" + e.getSQLState() + "] " + e.getMessage(), e.getSQLState(), e);
            }
            spec.commandLine()
                    .getOut()
                    .printf(
                            "published manifest v%d (%s, hash %s) to %s; routers load it on their next refresh%n",
                            m.version(), m.shardFunction().describe(), ControlStore.hash(read(file)), store.url());
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Print what a manifest says.")
    static final class Show implements Callable<Integer> {
        @Parameters(index = "0", description = "The manifest file.")
        Path file;

        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            Manifest m = ManifestCodec.parse(file.getFileName().toString(), read(file));
            PrintWriter out = spec.commandLine().getOut();
            out.printf(
                    "manifest v%d%s%n",
                    m.version(), m.previousVersion() == 0 ? "" : " (replaces v" + m.previousVersion() + ")");
            out.printf("  shard function   %s%n", m.shardFunction().describe());
            if (m.shardFunction() instanceof GeoAwareHash g) {
                for (RegionShare s : g.shares()) {
                    out.printf(
                            "    %-8s weight %3d  shards %d-%d%s%n",
                            s.region(),
                            s.weight(),
                            s.firstShard(),
                            s.firstShard() + s.shardCount() - 1,
                            s.equals(g.defaultShare()) ? "  (default for unknown regions)" : "");
                }
            }
            for (PlacementRule r : m.placement()) {
                out.printf("  shards %-9s on %s, schema %s%n", r.rangeText(), r.dataSource(), r.schemaPattern());
            }
            if (m.boundaryStart() != null) {
                out.printf("  boundary start   %s (journal on, test cohort may move)%n", m.boundaryStart());
                out.printf(
                        "  effective window %s (from %s)%n",
                        m.effectiveWindow(), m.effectiveWindow().start());
            }
            out.printf(
                    "  migration        cohorts of %d rows, test cohort %d rows, batches of %d%n",
                    m.migration().cohortTargetRows(),
                    m.migration().testCohortRows(),
                    m.migration().batchRows());
            out.printf(
                    "  verification     %s, %d clean windows before drain%n",
                    m.verification().method(), m.verification().cleanWindowsBeforeDrain());
            out.printf(
                    "  signature        %s%n",
                    m.signature() == null
                            ? "none (unsigned)"
                            : "key " + m.signature().keyId() + " (run `vshard manifest verify` to check it)");
            return 0;
        }
    }
}
