package dev.ebbtide.provisioner.actuation;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scale request ids already handled, so a redelivered request has no second effect. The in-memory version keeps
 * the most recent {@code capacity} ids; {@link PerCluster} keeps the most recent ids of each cluster, so they can be
 * written to and restored from the cluster's durable record ({@code ebbtide.provisioner.state}).
 */
public interface ScaleRequestLedger {

    boolean isApplied(String requestId);

    void markApplied(String requestId);

    /** Whether this request of this cluster was applied (a per-cluster ledger looks in the cluster's ids only). */
    default boolean isApplied(String cluster, String requestId) {
        return isApplied(requestId);
    }

    default void markApplied(String cluster, String requestId) {
        markApplied(requestId);
    }

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

    /** The last {@code perCluster} ids of each cluster, newest last; restorable per cluster. Thread-safe. */
    final class PerCluster implements ScaleRequestLedger {
        public static final int DEFAULT_PER_CLUSTER = 100;
        private final int perCluster;
        private final Map<String, Deque<String>> ids = new HashMap<>();

        public PerCluster(int perCluster) {
            this.perCluster = perCluster;
        }

        @Override
        public synchronized boolean isApplied(String requestId) {
            return ids.values().stream().anyMatch(d -> d.contains(requestId));
        }

        @Override
        public void markApplied(String requestId) {
            throw new UnsupportedOperationException("a per-cluster ledger needs the request's cluster");
        }

        @Override
        public synchronized boolean isApplied(String cluster, String requestId) {
            Deque<String> d = ids.get(cluster);
            return d != null && d.contains(requestId);
        }

        @Override
        public synchronized void markApplied(String cluster, String requestId) {
            Deque<String> d = ids.computeIfAbsent(cluster, k -> new ArrayDeque<>());
            if (d.contains(requestId)) {
                return;
            }
            d.addLast(requestId);
            while (d.size() > perCluster) {
                d.removeFirst();
            }
        }

        /** The cluster's ids, oldest first. */
        public synchronized List<String> recent(String cluster) {
            Deque<String> d = ids.get(cluster);
            return d == null ? List.of() : List.copyOf(d);
        }

        /** Replaces the cluster's ids with those of its durable record (oldest first). */
        public synchronized void restore(String cluster, List<String> recent) {
            ids.remove(cluster);
            recent.forEach(id -> markApplied(cluster, id));
        }

        public synchronized void forget(String cluster) {
            ids.remove(cluster);
        }
    }
}
