package io.vshard.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.vshard.manifest.RollbackTriggers;
import io.vshard.manifest.RollbackTriggers.Action;
import org.junit.jupiter.api.Test;

class RouterHealthTest {
    private static final RollbackTriggers BOTH = new RollbackTriggers(Action.ROLLBACK, 250, 0.05, Action.PAUSE);

    @Test
    void theP95IsJudgedBeforeTheErrorRateAndNamesTheDataSource() {
        assertThat(new RouterHealth(251, 0.5, "db_b").breach(BOTH))
                .isEqualTo("measured p95 251 ms on db_b (trigger 250 ms)");
        assertThat(new RouterHealth(250, 0.06, "db_c").breach(BOTH))
                .isEqualTo("measured error rate 0.06 on db_c (trigger 0.05)");
        assertThat(new RouterHealth(250, 0.05, "db_a").breach(BOTH)).isNull();
    }

    @Test
    void aTriggerOfZeroIsOff() {
        RollbackTriggers off = RollbackTriggers.DEFAULT;
        assertThat(new RouterHealth(60_000, 1.0, "db_a").breach(off)).isNull();
        assertThat(new RouterHealth(60_000, 1.0, "db_a").crowds(off)).isFalse();
    }

    @Test
    void pastHalfTheP95TriggerCrowds() {
        assertThat(new RouterHealth(126, 0, "db_a").crowds(BOTH)).isTrue();
        assertThat(new RouterHealth(125, 0, "db_a").crowds(BOTH)).isFalse();
    }
}
