package io.vshard.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import io.vshard.config.ControlStoreConfig;
import io.vshard.control.ControlStore;
import io.vshard.control.MigrationRecord;
import io.vshard.control.MigrationStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The drain schedule reads fleet time on both ends, so a fleet clock that jumps after completion still drains. */
class DrainScheduleTest {
    @Test
    void drainIsDueOnceTheCleanWindowsHavePassed() {
        Instant completed = Instant.parse("2027-03-10T12:00:00Z"); // week 2027_W10
        assertThat(Migrator.drainDue(completed, 2, Instant.parse("2027-03-21T23:59:59Z")))
                .isFalse();
        assertThat(Migrator.drainDue(completed, 2, Instant.parse("2027-03-22T00:00:00Z")))
                .isTrue();
        assertThat(Migrator.drainDue(completed, 0, completed)).isTrue();
    }

    @Test
    void completionIsRecordedInFleetTimeAndAClockJumpMakesTheDrainDue() throws Exception {
        ControlStore control = new ControlStore(new ControlStoreConfig(
                "jdbc:h2:mem:drain" + UUID.randomUUID().toString().replace("-", "") + ";DB_CLOSE_DELAY=-1", "sa", ""));
        MigrationStore store = new MigrationStore(control);
        // A controllable fleet clock: the control store's offset, moved by the test as the demo moves it.
        store.setClockOffset(Duration.ofDays(100));
        store.createMigration(1, 2, List.of());
        store.setMigrationState(2, MigrationRecord.COMPLETE, null);
        Instant completed = store.migration(2).completedAt();
        Instant fleetNow = store.fleetTime();
        assertThat(Duration.between(completed, fleetNow).abs()).isLessThan(Duration.ofMinutes(1));
        assertThat(Migrator.drainDue(completed, 2, fleetNow)).isFalse();

        store.setClockOffset(Duration.ofDays(121)); // the fleet clock jumps three weeks
        assertThat(store.migration(2).completedAt()).isEqualTo(completed);
        assertThat(Migrator.drainDue(completed, 2, store.fleetTime())).isTrue();
        // Later state changes keep the completion instant.
        store.setMigrationState(2, "DRAINED", null);
        assertThat(store.migration(2).completedAt()).isEqualTo(completed);
    }
}
