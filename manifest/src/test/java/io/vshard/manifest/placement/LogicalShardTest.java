package io.vshard.manifest.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.vshard.manifest.ShardLocation;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The hand-written equals and hashCode of shards and locations keep the record contract. */
class LogicalShardTest {
    @Test
    void equalShardsAndLocationsAreEqualAndHashAlike() {
        Random random = new Random(42);
        for (int i = 0; i < 10_000; i++) {
            int version = random.nextInt(4);
            int shard = random.nextInt(8) - 1;
            String source = "ds" + random.nextInt(3);
            String schema = random.nextInt(10) == 0 ? null : "s" + random.nextInt(3);
            LogicalShard a = new LogicalShard(version, shard, new ShardLocation(source, schema));
            LogicalShard b = new LogicalShard(version, shard, new ShardLocation(source, schema));
            assertEquals(a, b);
            assertEquals(a.hashCode(), b.hashCode());
            assertEquals(a.location().hashCode(), b.location().hashCode());

            LogicalShard other = new LogicalShard(
                    random.nextInt(4), random.nextInt(8) - 1, new ShardLocation("ds" + random.nextInt(3), "s0"));
            boolean same = other.version() == version
                    && other.shard() == shard
                    && other.location().dataSource().equals(source)
                    && "s0".equals(schema);
            assertEquals(same, a.equals(other), () -> a + " vs " + other);
            assertEquals(same, other.equals(a), () -> other + " vs " + a);
        }
        assertNotEquals(new LogicalShard(1, 2, null), new LogicalShard(1, 2, new ShardLocation("d", "s")));
        assertEquals(new LogicalShard(1, 2, null), new LogicalShard(1, 2, null));
        assertNotEquals(new ShardLocation("d", "s"), "d/s");
    }
}
