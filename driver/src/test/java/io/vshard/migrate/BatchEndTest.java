package io.vshard.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** Batches of a move: every creator in exactly one batch, in order, none smaller than half a batch but the only one. */
class BatchEndTest {
    @Test
    void aRemainderUnderHalfABatchJoinsTheLastBatch() {
        assertThat(CohortMove.batchEnd(0, 240, 200)).isEqualTo(240);
        assertThat(CohortMove.batchEnd(0, 300, 200)).isEqualTo(200);
        assertThat(CohortMove.batchEnd(200, 300, 200)).isEqualTo(300);
        assertThat(CohortMove.batchEnd(0, 50, 200)).isEqualTo(50);
    }

    @Property
    void batchesCoverEveryCreatorOnce(
            @ForAll @IntRange(min = 1, max = 5_000) int size, @ForAll @IntRange(min = 1, max = 1_000) int per) {
        List<int[]> batches = new ArrayList<>();
        for (int i = 0, end; i < size; i = end) {
            end = CohortMove.batchEnd(i, size, per);
            batches.add(new int[] {i, end});
        }
        int next = 0;
        for (int[] b : batches) {
            assertThat(b[0]).isEqualTo(next);
            assertThat(b[1] - b[0]).isPositive().isLessThan(per + per / 2 + 1);
            if (batches.size() > 1) {
                assertThat(b[1] - b[0]).isGreaterThanOrEqualTo(per / 2);
            }
            next = b[1];
        }
        assertThat(next).isEqualTo(size);
    }
}
