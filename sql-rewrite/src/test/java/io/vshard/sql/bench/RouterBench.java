package io.vshard.sql.bench;

import io.vshard.manifest.Manifest;
import io.vshard.manifest.MigrationStrategy;
import io.vshard.manifest.PlacementRule;
import io.vshard.manifest.RollbackTriggers;
import io.vshard.manifest.Verification;
import io.vshard.manifest.config.TableRule;
import io.vshard.manifest.config.TableRules;
import io.vshard.manifest.function.KeyHash;
import io.vshard.manifest.function.ModHash;
import io.vshard.manifest.placement.RoutingState;
import io.vshard.sql.RoutePlan;
import io.vshard.sql.SqlRouter;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Routing cost: a cached prepared point select, a simple-protocol point select with a fresh literal each
 * time (normalized cache hit), and a cold parse (a router with an empty cache each time) of a point select
 * (which the lexer routes alone) and of one with ORDER BY (which goes through Calcite). Run it as
 * BENCHMARKS.md says.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(3)
public class RouterBench {
    private static final String PREPARED = "SELECT id, title, body FROM posts WHERE creator_id = ? AND id = ?";
    /** A point select the lexer leaves to Calcite (ORDER BY): the cost of a cold parse by Calcite. */
    private static final String ORDERED = PREPARED + " ORDER BY id";

    private static final TableRules RULES =
            new TableRules(List.of(new TableRule("posts", TableRule.Kind.SHARDED, "creator_id", null, null, "id")));
    private static final RoutingState STATE = RoutingState.stable(new Manifest(
            1,
            0,
            new ModHash(KeyHash.IDENTITY, 64),
            List.of(new PlacementRule(0, 63, "ds", "shard_%03d")),
            null,
            null,
            MigrationStrategy.DEFAULT,
            Verification.DEFAULT,
            RollbackTriggers.DEFAULT,
            null));

    private final SqlRouter router = new SqlRouter(RULES, 10_000);
    private long key;

    @Benchmark
    public RoutePlan cachedPreparedPointSelect() {
        key++;
        return router.plan(PREPARED, List.of(key, 42L), STATE);
    }

    @Benchmark
    public RoutePlan simpleProtocolFreshLiteral() {
        key++;
        return router.plan(
                "SELECT id, title, body FROM posts WHERE creator_id = " + key + " AND id = 42", List.of(), STATE);
    }

    @Benchmark
    public RoutePlan coldParse() {
        key++;
        return new SqlRouter(RULES, 16).plan(PREPARED, List.of(key, 42L), STATE);
    }

    @Benchmark
    public RoutePlan coldParseCalcite() {
        key++;
        return new SqlRouter(RULES, 16).plan(ORDERED, List.of(key, 42L), STATE);
    }

    /** Runs every benchmark of this class. */
    public static void main(String[] args) throws RunnerException {
        new Runner(new OptionsBuilder()
                        .include(RouterBench.class.getSimpleName())
                        .build())
                .run();
    }
}
