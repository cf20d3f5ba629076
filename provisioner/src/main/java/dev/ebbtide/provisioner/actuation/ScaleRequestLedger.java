package dev.ebbtide.provisioner.actuation;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Scale request ids already handled, so a redelivered request has no second effect. The in-memory version keeps
 * the most recent {@code capacity} ids; the provisioner service may back this by its database instead (storing the
 * id in the same transaction as the outcome).
 */
public interface ScaleRequestLedger {

    boolean isApplied(String requestId);

    void markApplied(String requestId);

    static ScaleRequestLedger inMemory(int capacity) {
        return new InMemory(capacity);
    }

    /** A bounded, thread-safe, least-recently-inserted-evicting set of ids. */
    final class InMemory implements ScaleRequestLedger {
        private final Map<String, Boolean> ids;

        InMemory(int capacity) {
            this.ids = new LinkedHashMap<>(16, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                    return size() > capacity;
                }
            };
        }

        @Override
        public synchronized boolean isApplied(String requestId) {
            return ids.containsKey(requestId);
        }

        @Override
        public synchronized void markApplied(String requestId) {
            ids.put(requestId, Boolean.TRUE);
        }
    }
}
