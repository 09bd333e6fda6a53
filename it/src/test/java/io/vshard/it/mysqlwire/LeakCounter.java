package io.vshard.it.mysqlwire;

import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Installs paranoid Netty leak detection that counts reported leaks, so tests can assert there were none.
 * Must run before Netty's buffer classes initialise: call {@link #install()} from a static initialiser.
 */
final class LeakCounter {
    private static final AtomicInteger LEAKS = new AtomicInteger();
    private static volatile boolean installed;

    private LeakCounter() {}

    static synchronized void install() {
        if (installed) {
            return;
        }
        installed = true;
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new ResourceLeakDetectorFactory() {
            @Override
            public <T> ResourceLeakDetector<T> newResourceLeakDetector(
                    Class<T> resource, int samplingInterval, long maxActive) {
                return new ResourceLeakDetector<>(resource, samplingInterval) {
                    @Override
                    protected void reportTracedLeak(String resourceType, String records) {
                        LEAKS.incrementAndGet();
                        super.reportTracedLeak(resourceType, records);
                    }

                    @Override
                    protected void reportUntracedLeak(String resourceType) {
                        LEAKS.incrementAndGet();
                        super.reportUntracedLeak(resourceType);
                    }
                };
            }
        });
    }

    /** Leaks reported so far; a GC plus some allocation makes pending reports surface first. */
    static int leaks() {
        for (int i = 0; i < 3; i++) {
            System.gc();
            io.netty.buffer.ByteBuf probe = io.netty.buffer.PooledByteBufAllocator.DEFAULT.buffer(64);
            probe.release();
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return LEAKS.get();
    }
}
