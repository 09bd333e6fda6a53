package io.vshard.manifest.cohort;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class CohortPlannerTest {

    private static TreeMap<Long, Long> creators(long from, int count, long rowsEach) {
        TreeMap<Long, Long> m = new TreeMap<>();
        for (int i = 0; i < count; i++) {
            m.put(from + i * 64L, rowsEach);
        }
        return m;
    }

    @Test
    void hottestShardFirstTestCohortFirst() {
        Map<Integer, TreeMap<Long, Long>> sample =
                Map.of(3, creators(3, 10, 10), 47, creators(47, 100, 10), 50, creators(50, 50, 10));
        List<Cohort> plan = CohortPlanner.plan(sample, 200, 30);
        assertThat(plan.get(0).test()).isTrue();
        assertThat(plan.get(0).oldShard()).isEqualTo(47);
        assertThat(plan.get(0).plannedRows()).isEqualTo(30);
        assertThat(plan).filteredOn(Cohort::test).hasSize(1);
        assertThat(plan.stream().map(Cohort::oldShard).distinct().toList()).containsExactly(47, 50, 3);
        assertThat(plan)
                .extracting(Cohort::id)
                .containsExactlyElementsOf(java.util.stream.IntStream.rangeClosed(1, plan.size())
                        .boxed()
                        .toList());
    }

    @Property(tries = 200)
    void cohortsOfAShardCoverEveryIdOnce(
            @ForAll @IntRange(min = 1, max = 300) int count,
            @ForAll @LongRange(min = 1, max = 50) long rowsEach,
            @ForAll @LongRange(min = 1, max = 500) long target,
            @ForAll long probe) {
        List<Cohort> plan = CohortPlanner.plan(Map.of(5, creators(5, count, rowsEach)), target, Math.min(target, 7));
        assertThat(plan).allMatch(c -> c.oldShard() == 5);
        assertThat(plan.get(0).firstCreator()).isEqualTo(Long.MIN_VALUE);
        assertThat(plan.get(plan.size() - 1).lastCreator()).isEqualTo(Long.MAX_VALUE);
        for (int i = 1; i < plan.size(); i++) {
            assertThat(plan.get(i).firstCreator()).isEqualTo(plan.get(i - 1).lastCreator() + 1);
        }
        assertThat(plan.stream().filter(c -> c.contains(5, probe)).count()).isEqualTo(1);
        assertThat(plan.stream().mapToLong(Cohort::plannedRows).sum()).isEqualTo(count * rowsEach);
    }
}
