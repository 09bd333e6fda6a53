package io.vshard.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.vshard.config.ControlStoreConfig;
import io.vshard.manifest.cohort.Cohort;
import io.vshard.manifest.cohort.CohortState;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Views and summaries read the cohorts without the migrator's journal marks; the migrator still gets them. */
class CohortStatesTest {
    @Test
    void cohortStatesLeaveTheMarksOutAndKeepEverythingElse() throws Exception {
        ControlStore control = new ControlStore(new ControlStoreConfig(
                "jdbc:h2:mem:states" + UUID.randomUUID().toString().replace("-", "") + ";DB_CLOSE_DELAY=-1", "sa", ""));
        MigrationStore store = new MigrationStore(control);
        store.createMigration(
                1, 2, List.of(new Cohort(1, 45, 0, 99, 500, true), new Cohort(2, 46, 100, 199, 20_000, false)));
        String marks = "db_b/shard_045=17;".repeat(400);
        store.recordProgress(2, 1, 250, marks);
        store.setCohortState(2, 1, CohortState.COPYING);

        List<CohortRecord> full = store.cohorts(2);
        List<CohortRecord> states = store.cohortStates(2);

        assertThat(full.get(0).marks()).isEqualTo(marks);
        assertThat(states).extracting(CohortRecord::marks).containsOnly("");
        assertThat(states).hasSameSizeAs(full);
        for (int i = 0; i < full.size(); i++) {
            CohortRecord f = full.get(i);
            CohortRecord s = states.get(i);
            assertThat(s.cohort()).isEqualTo(f.cohort());
            assertThat(s.state()).isEqualTo(f.state());
            assertThat(s.epoch()).isEqualTo(f.epoch());
            assertThat(s.rowsCopied()).isEqualTo(f.rowsCopied());
        }
        assertThat(states.get(0).state()).isEqualTo(CohortState.COPYING);
        assertThat(states.get(0).rowsCopied()).isEqualTo(250);
    }

    @Test
    void aStateChangeCarriesItsMarksOrItsPassedCheckInOneNewEpoch() throws Exception {
        ControlStore control = new ControlStore(new ControlStoreConfig(
                "jdbc:h2:mem:flip" + UUID.randomUUID().toString().replace("-", "") + ";DB_CLOSE_DELAY=-1", "sa", ""));
        MigrationStore store = new MigrationStore(control);
        store.createMigration(
                1, 2, List.of(new Cohort(1, 45, 0, 99, 500, true), new Cohort(2, 46, 100, 199, 20_000, false)));
        store.recordCheck(2, 1, "payments=a", "payments=b", "digest mismatch in cohort 1");

        long copying = store.setCohortState(2, 1, CohortState.COPYING, "db_b/shard_045=17;");
        CohortRecord c = store.cohorts(2).get(0);
        assertThat(c.state()).isEqualTo(CohortState.COPYING);
        assertThat(c.epoch()).isEqualTo(copying);
        assertThat(c.marks()).isEqualTo("db_b/shard_045=17;");

        long flipped = store.passCheck(2, 1, "payments=c", "payments=c", CohortState.NEW);
        CohortRecord f = store.cohorts(2).get(0);
        assertThat(flipped).isGreaterThan(copying);
        assertThat(f.state()).isEqualTo(CohortState.NEW);
        assertThat(f.epoch()).isEqualTo(flipped);
        assertThat(f.checksPassed()).isEqualTo(1);
        assertThat(f.checksFailed()).isEqualTo(1);
        assertThat(f.digestOld()).isEqualTo("payments=c");
        assertThat(f.digestNew()).isEqualTo("payments=c");
        assertThat(f.lastError()).isNull();
        assertThat(f.marks()).isEqualTo("db_b/shard_045=17;");
        assertThat(store.cohorts(2).get(1).state()).isEqualTo(CohortState.PLANNED);
        assertThat(store.epoch()).isEqualTo(flipped);
    }
}
