package io.vshard.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import io.vshard.manifest.digest.CohortDigest;
import io.vshard.manifest.digest.RowDigest;
import io.vshard.manifest.digest.RowEncoder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The fence's incremental check: a cohort's digest as the sum of its creators', with some digested again. */
class CreatorDigestsTest {
    private static RowDigest row(long creator, long amount) {
        RowEncoder enc = new RowEncoder();
        enc.addInteger(creator);
        enc.addInteger(amount);
        return RowDigest.of(enc);
    }

    private static RowMover.Tally tally(long[][] before, long[][] after) {
        RowMover.Tally t = new RowMover.Tally();
        for (long[] r : before) {
            t.add(t.before, "payments", r[0], row(r[0], r[1]));
        }
        for (long[] r : after) {
            t.add(t.after, "payments", r[0], row(r[0], r[1]));
        }
        return t;
    }

    @Test
    void aCreatorDigestedAgainReplacesItsEarlierDigestOnBothSides() {
        CreatorDigests d = new CreatorDigests();
        // Before the fence: creator 2 was written after its copy, so the sides differ for it.
        d.absorb(tally(new long[][] {{1, 10}, {1, 11}, {2, 20}, {2, 21}}, new long[][] {{1, 10}, {1, 11}, {2, 20}}));
        assertThat(d.before()).isNotEqualTo(d.after());

        // Under the fence the final delta re-copied creator 2; only it is digested again.
        d.forget(List.of(2L));
        d.absorb(tally(new long[][] {{2, 20}, {2, 21}}, new long[][] {{2, 20}, {2, 21}}));
        assertThat(d.before()).isEqualTo(d.after());
        assertThat(d.before().get("payments").rows()).isEqualTo(4);

        CohortDigest whole = CohortDigest.EMPTY;
        for (long[] r : new long[][] {{1, 10}, {1, 11}, {2, 20}, {2, 21}}) {
            whole = whole.add(row(r[0], r[1]));
        }
        assertThat(d.after().get("payments")).isEqualTo(whole);
    }

    @Test
    void aCreatorNotDigestedAgainKeepsADifferenceVisible() {
        CreatorDigests d = new CreatorDigests();
        d.absorb(tally(new long[][] {{1, 10}, {3, 30}}, new long[][] {{1, 10}, {3, 31}}));
        d.forget(List.of(1L));
        d.absorb(tally(new long[][] {{1, 10}}, new long[][] {{1, 10}}));
        assertThat(d.before()).isNotEqualTo(d.after());
    }
}
