package io.vshard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class VShardCommandTest {
    private String saved;

    @BeforeEach
    void save() {
        saved = System.getProperty(VShardCommand.LEAK_DETECTION);
    }

    @AfterEach
    void restore() {
        if (saved == null) {
            System.clearProperty(VShardCommand.LEAK_DETECTION);
        } else {
            System.setProperty(VShardCommand.LEAK_DETECTION, saved);
        }
    }

    @Test
    void leakDetectionIsOffWhenNotGiven() {
        System.clearProperty(VShardCommand.LEAK_DETECTION);
        VShardCommand.leakDetectionOffUnlessSet();
        assertThat(System.getProperty(VShardCommand.LEAK_DETECTION)).isEqualTo("disabled");
    }

    @Test
    void aGivenLeakDetectionLevelIsKept() {
        System.setProperty(VShardCommand.LEAK_DETECTION, "paranoid");
        VShardCommand.leakDetectionOffUnlessSet();
        assertThat(System.getProperty(VShardCommand.LEAK_DETECTION)).isEqualTo("paranoid");
    }
}
