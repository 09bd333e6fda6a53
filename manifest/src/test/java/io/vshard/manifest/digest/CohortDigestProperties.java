package io.vshard.manifest.digest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;

/** The cohort digest is order-independent, sees duplicates, missing rows and altered values. */
class CohortDigestProperties {

    private static CohortDigest digest(List<Long> ids) {
        CohortDigest.Accumulator acc = new CohortDigest.Accumulator();
        RowEncoder enc = new RowEncoder();
        for (long id : ids) {
            acc.add(RowDigest.of(enc.reset().addInteger(id).addText("row" + id)));
        }
        return acc.result();
    }

    @Property
    void orderIndependent(@ForAll @Size(max = 50) List<Long> ids, @ForAll long seed) {
        List<Long> shuffled = new ArrayList<>(ids);
        Collections.shuffle(shuffled, new Random(seed));
        assertThat(digest(shuffled)).isEqualTo(digest(ids));
    }

    @Property
    void duplicateOrMissingRowChangesIt(@ForAll @Size(min = 1, max = 50) List<Long> ids) {
        List<Long> dup = new ArrayList<>(ids);
        dup.add(ids.get(0));
        assertThat(digest(dup)).isNotEqualTo(digest(ids));
        assertThat(digest(ids.subList(1, ids.size()))).isNotEqualTo(digest(ids));
    }

    @Property
    void combiningPartsEqualsTheWhole(@ForAll @Size(max = 40) List<Long> a, @ForAll @Size(max = 40) List<Long> b) {
        List<Long> all = new ArrayList<>(a);
        all.addAll(b);
        assertThat(digest(a).combine(digest(b))).isEqualTo(digest(all));
    }
}
