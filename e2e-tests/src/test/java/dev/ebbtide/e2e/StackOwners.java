package dev.ebbtide.e2e;

import static org.awaitility.Awaitility.await;

import dev.ebbtide.devsupport.ClusterOwners.Owned;
import dev.ebbtide.devsupport.KafkaAccess;
import dev.ebbtide.devsupport.LocalStack;
import dev.ebbtide.devsupport.StackStatus;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeSet;
import org.awaitility.core.ConditionTimeoutException;

/** Which instance of each owning service owns which clusters in a running stack, as {@code ./ebbtide status} reads it. */
final class StackOwners {
    private final LocalStack stack;

    StackOwners(LocalStack stack) {
        this.stack = stack;
    }

    /** For each owning service: its group's members by instance name, with their partitions and clusters. */
    Map<String, SortedMap<String, Owned>> now() {
        return StackStatus.owners(
                stack.kafkaClientConfig(KafkaAccess.ADMIN), stack.instanceUrls().keySet());
    }

    /**
     * Waits until each owning service's group has exactly {@code instances} members, all instances of this stack, each
     * holding partitions, together all of them.
     */
    void awaitSettled(int instances) {
        try {
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> settled(instances));
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(
                    "the consumer groups did not settle on " + instances + " instances within 60 s: " + now(), e);
        }
    }

    private boolean settled(int instances) {
        try {
            for (SortedMap<String, Owned> members : now().values()) {
                Set<Integer> all = new TreeSet<>();
                members.values().forEach(o -> all.addAll(o.partitions()));
                if (members.size() != instances
                        || !stack.instanceUrls().keySet().containsAll(members.keySet())
                        || members.values().stream()
                                .anyMatch(o -> o.partitions().isEmpty())
                        || all.size() != LocalStack.partitions()) {
                    return false;
                }
            }
            return true;
        } catch (RuntimeException e) {
            return false; // the broker did not answer in time: ask again
        }
    }

    /** The instance that owns {@code cluster} for {@code service} in a snapshot from {@link #now()}. */
    static String ownerOf(Map<String, SortedMap<String, Owned>> owners, String service, String cluster) {
        return owners.get(service).entrySet().stream()
                .filter(e -> e.getValue().clusters().contains(cluster))
                .map(Map.Entry::getKey)
                .findFirst()
                .orElse("nobody");
    }
}
