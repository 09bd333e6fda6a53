package io.vshard.proxy.pgwire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** How many event loops serve clients. */
class PgProxyServerLoopsTest {

    @Test
    void halfTheCoresByDefaultAndAtLeastOne() {
        assertThat(PgProxyServer.eventLoops(null, 1)).isEqualTo(1);
        assertThat(PgProxyServer.eventLoops(null, 2)).isEqualTo(1);
        assertThat(PgProxyServer.eventLoops(" ", 3)).isEqualTo(1);
        assertThat(PgProxyServer.eventLoops(null, 16)).isEqualTo(8);
    }

    @Test
    void thePropertyWins() {
        assertThat(PgProxyServer.eventLoops("4", 2)).isEqualTo(4);
        assertThat(PgProxyServer.eventLoops(" 1 ", 16)).isEqualTo(1);
    }

    @Test
    void aBadPropertyIsNamed() {
        assertThatThrownBy(() -> PgProxyServer.eventLoops("0", 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("vshard.pg.eventLoops=0");
        assertThatThrownBy(() -> PgProxyServer.eventLoops("many", 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("vshard.pg.eventLoops=many");
    }
}
