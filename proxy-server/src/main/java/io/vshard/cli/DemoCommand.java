package io.vshard.cli;

import io.vshard.manifest.Manifest;
import io.vshard.manifest.codec.ManifestCodec;
import io.vshard.manifest.function.ShardKey;
import io.vshard.manifest.scenario.Creator;
import io.vshard.manifest.scenario.ScenarioDataset;
import io.vshard.manifest.window.WindowId;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code vshard demo}. Until the live migration lands, it shows the scenario's per-shard load under v1 and
 * under v2, computed by the real shard functions from the signed scenario manifests: the skew and its fix.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = "Show the scenario: the hot shards under v1 and the balanced layout under v2.")
final class DemoCommand implements Callable<Integer> {
    @Option(
            names = "--creators",
            defaultValue = "200000",
            description = "Creators in the dataset (default ${DEFAULT-VALUE}).")
    long creators;

    @Option(names = "--seed", defaultValue = "20251117", description = "Dataset seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--json", description = "Print the report as one JSON object on the last line.")
    boolean json;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (creators < 1) {
            throw new IllegalArgumentException("--creators must be at least 1");
        }
        long started = System.nanoTime();
        Manifest v1 = bundled("v1.yaml");
        Manifest v2 = bundled("v2.yaml");
        ScenarioDataset data = new ScenarioDataset(seed, creators, 0, WindowId.parse("2027_W01"), 1);
        long[] before = new long[v1.shardCount()];
        long[] after = new long[v2.shardCount()];
        for (Creator c : data.creators()) {
            ShardKey key = ShardKey.of(c.id(), c.region());
            before[v1.shardOf(key)]++;
            after[v2.shardOf(key)]++;
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf("vshard demo: %,d creators of the scenario dataset (seed %d)%n%n", creators, seed);
        ShardLoadChart.print(out, "v1  " + v1.shardFunction().describe(), before);
        out.println();
        ShardLoadChart.print(out, "v2  " + v2.shardFunction().describe(), after);
        double mb = ShardLoadChart.maxOverMean(before);
        double ma = ShardLoadChart.maxOverMean(after);
        out.printf("%nbusiest shard / mean: v1 %.2f, v2 %.2f%n", mb, ma);
        out.println("The live migration between them (journal, cohorts, digest proofs, rollback) is not part of"
                + " this build yet.");
        if (json) {
            out.printf(
                    "{\"creators\":%d,\"shards_before\":%d,\"shards_after\":%d,\"max_over_mean_before\":%.4f,"
                            + "\"max_over_mean_after\":%.4f,\"elapsed_ms\":%d}%n",
                    creators, before.length, after.length, mb, ma, (System.nanoTime() - started) / 1_000_000);
        }
        return 0;
    }

    private static Manifest bundled(String name) throws IOException {
        try (InputStream in = DemoCommand.class.getResourceAsStream("/scenario/manifests/" + name)) {
            if (in == null) {
                throw new IllegalStateException("the jar lacks scenario manifest " + name);
            }
            return ManifestCodec.parse(name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }
}
