package io.vshard.proxy.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** How many event loops serve clients. */
class EventLoopsTest {

    @Test
    void halfTheCoresByDefaultAndAtLeastOne() {
        assertThat(EventLoops.count("vshard.pg.eventLoops", null, 1)).isEqualTo(1);
        assertThat(EventLoops.count("vshard.pg.eventLoops", null, 2)).isEqualTo(1);
        assertThat(EventLoops.count("vshard.pg.eventLoops", " ", 3)).isEqualTo(1);
        assertThat(EventLoops.count("vshard.pg.eventLoops", null, 16)).isEqualTo(8);
    }

    @Test
    void thePropertyWins() {
        assertThat(EventLoops.count("vshard.pg.eventLoops", "4", 2)).isEqualTo(4);
        assertThat(EventLoops.count("vshard.pg.eventLoops", " 1 ", 16)).isEqualTo(1);
    }

    @Test
    void aBadPropertyIsNamed() {
        assertThatThrownBy(() -> EventLoops.count("vshard.pg.eventLoops", "0", 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("vshard.pg.eventLoops=0");
        assertThatThrownBy(() -> EventLoops.count("vshard.pg.eventLoops", "many", 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("vshard.pg.eventLoops=many");
    }
}
