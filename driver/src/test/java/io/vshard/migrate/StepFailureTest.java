package io.vshard.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLTransientException;
import org.junit.jupiter.api.Test;

class StepFailureTest {
    @Test
    void connectionLossSerializationDeadlockAndLeaseAreTransient() {
        for (String state : new String[] {"08006", "08001", "40001", "40P01", "55P03", "57014", "57P01"}) {
            assertThat(StepFailure.of(new SQLException("x", state), 3, "copy").transientFailure())
                    .as(state)
                    .isTrue();
        }
        assertThat(StepFailure.of(new SQLTransientException("migrator m lost its lease", "55000"), 0, "copy")
                        .transientFailure())
                .isTrue();
        assertThat(StepFailure.of(new SQLException("io", "XX000", new IOException("reset")), 0, "copy")
                        .transientFailure())
                .isTrue();
        assertThat(StepFailure.of(new SQLException("Lock wait timeout exceeded", "HY000", 1205), 0, "copy")
                        .transientFailure())
                .isTrue();
    }

    @Test
    void constraintPrivilegeAndMissingColumnAreDeterministic() {
        for (String state : new String[] {"23514", "23505", "42501", "42703", "42P01", "22001"}) {
            assertThat(StepFailure.of(new SQLException("x", state), 3, "copy").transientFailure())
                    .as(state)
                    .isFalse();
        }
        assertThat(StepFailure.of(new IllegalStateException("bug"), 0, "digest").sqlState())
                .isEqualTo("XX000");
    }

    @Test
    void aCohortFailureNamesCohortStepStateAndFirstLineOfTheMessage() {
        SQLException cause = new SQLException(
                "ERROR: new row for relation \"creators\" violates check constraint \"refuse\"\n  Detail: Failing row",
                "23514");
        StepFailure f = StepFailure.of(new CohortFailure(12, "copy", cause), 0, "control store");
        assertThat(f.cohort()).isEqualTo(12);
        assertThat(f.step()).isEqualTo("copy");
        assertThat(f.describe())
                .isEqualTo("cohort 12, step copy, SQLSTATE 23514: ERROR: new row for relation \"creators\""
                        + " violates check constraint \"refuse\"");
        assertThat(f.paused(5))
                .startsWith("paused after the same failure 5 times in a row: cohort 12, step copy, SQLSTATE 23514")
                .contains("RESUME MIGRATION (./vshard migrate resume)")
                .contains("ROLLBACK MIGRATION (./vshard migrate rollback)");
    }

    @Test
    void streaksCountTheSameFailureAndRestartOnAnotherOrOnCompletion() {
        FailureStreaks s = new FailureStreaks();
        StepFailure check = new StepFailure(4, "copy", "23514", "a", false);
        assertThat(s.record(check)).isEqualTo(1);
        assertThat(s.record(new StepFailure(4, "copy", "23514", "another row", false)))
                .isEqualTo(2);
        // Another cohort's failures count on their own.
        assertThat(s.record(new StepFailure(5, "copy", "42501", "b", false))).isEqualTo(1);
        assertThat(s.record(check)).isEqualTo(3);
        // Another SQLSTATE at the same step starts over.
        assertThat(s.record(new StepFailure(4, "copy", "42703", "c", false))).isEqualTo(1);
        assertThat(s.record(check)).isEqualTo(1);
        assertThat(s.record(check)).isEqualTo(2);
        s.cleared(4);
        assertThat(s.record(check)).isEqualTo(1);
        assertThat(s.record(new StepFailure(5, "copy", "42501", "b", false))).isEqualTo(2);
        s.clear();
        assertThat(s.record(new StepFailure(5, "copy", "42501", "b", false))).isEqualTo(1);
    }
}
