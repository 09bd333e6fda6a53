package io.vshard.proxy.pgwire;

import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The sessions a CancelRequest may target, by the process id and secret key handed out in BackendKeyData.
 * Thread-safe: sessions register on a worker thread, cancels arrive on any event loop.
 */
final class CancelRegistry {

    /** What a session registered: its secret and how to cancel its running statement. */
    record Entry(int secretKey, Runnable cancel) {}

    private final Map<Integer, Entry> sessions = new ConcurrentHashMap<>();
    private final AtomicInteger nextId = new AtomicInteger(new SecureRandom().nextInt(1 << 20) + 1);
    private final SecureRandom random = new SecureRandom();

    /** Registers a session; returns its BackendKeyData. */
    BackendMessage.BackendKeyData register(Runnable cancel) {
        int id = nextId.getAndIncrement() & Integer.MAX_VALUE;
        int secret = random.nextInt();
        sessions.put(id, new Entry(secret, cancel));
        return new BackendMessage.BackendKeyData(id, secret);
    }

    void unregister(int processId) {
        sessions.remove(processId);
    }

    /** Cancels the session's running statement if the key matches; an unknown or wrong key is ignored. */
    boolean cancel(int processId, int secretKey) {
        Entry entry = sessions.get(processId);
        if (entry == null || entry.secretKey() != secretKey) {
            return false;
        }
        entry.cancel().run();
        return true;
    }

    int size() {
        return sessions.size();
    }
}
