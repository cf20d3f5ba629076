package dev.ebbtide.devsupport;

import dev.ebbtide.common.events.Topics;
import dev.ebbtide.messaging.TopicReader;
import dev.ebbtide.messaging.ownership.ClusterPartition;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;

/**
 * Which instance of a service acts for which clusters, as Kafka sees it: the members of the service's consumer group
 * ({@code ebbtide-<service>}), the partitions of the cluster-keyed topics assigned to each, and the clusters those
 * partitions hold ({@link ClusterPartition}). A member's client id starts with its instance name
 * ({@code client.id=${EBBTIDE_INSTANCE}-<channel>} on the owning channels). Used by {@code ./ebbtide status} and the
 * scale-out end-to-end test.
 */
public final class ClusterOwners {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** The services that own clusters, each with one consumer group. */
    public static final List<String> OWNING_SERVICES = List.of("scheduler", "autoscaler", "provisioner");

    /** What one instance holds: partition numbers and the clusters in them (both sorted). */
    public record Owned(SortedSet<Integer> partitions, SortedSet<String> clusters) {}

    private ClusterOwners() {}

    /** The consumer group of a service's owning channels. */
    public static String group(String service) {
        return "ebbtide-" + service;
    }

    /**
     * The pure part: members' client ids with their assigned partitions, to instance name and what it holds. A
     * member belongs to the longest of {@code instances} its client id starts with (followed by {@code -}), else it is
     * shown under its client id. Only partitions of cluster-keyed topics count; an instance with members but no
     * partitions is present with nothing.
     *
     * @param partitionCounts partition count of each topic in {@code members}' assignments
     */
    static SortedMap<String, Owned> owners(
            Map<String, Collection<TopicPartition>> members,
            Collection<String> instances,
            Collection<String> clusters,
            Map<String, Integer> partitionCounts) {
        List<String> byLength = instances.stream()
                .sorted(Comparator.comparingInt(String::length).reversed())
                .toList();
        SortedMap<String, Owned> owners = new TreeMap<>(ClusterOwners::byInstance);
        members.forEach((clientId, assigned) -> {
            String instance = byLength.stream()
                    .filter(i -> clientId.startsWith(i + "-"))
                    .findFirst()
                    .orElse(clientId);
            Owned owned = owners.computeIfAbsent(instance, i -> new Owned(new TreeSet<>(), new TreeSet<>()));
            for (TopicPartition tp : assigned) {
                Integer count = partitionCounts.get(tp.topic());
                if (!Topics.CLUSTER_KEYED.contains(tp.topic()) || count == null) {
                    continue;
                }
                owned.partitions().add(tp.partition());
                clusters.stream()
                        .filter(c -> ClusterPartition.of(c, count) == tp.partition())
                        .forEach(owned.clusters()::add);
            }
        });
        return owners;
    }

    /** Reads the service's consumer group through {@code admin} and maps it with {@link #owners}. */
    public static SortedMap<String, Owned> of(
            Admin admin, String service, Collection<String> instances, Collection<String> clusters) {
        try {
            ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(group(service)))
                    .all()
                    .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)
                    .get(group(service));
            Map<String, Collection<TopicPartition>> members = new LinkedHashMap<>();
            for (MemberDescription m : group.members()) {
                members.computeIfAbsent(
                                m.clientId(), id -> new TreeSet<>(Comparator.comparing(TopicPartition::toString)))
                        .addAll(m.assignment().topicPartitions());
            }
            Set<String> topics = members.values().stream()
                    .flatMap(Collection::stream)
                    .map(TopicPartition::topic)
                    .filter(Topics.CLUSTER_KEYED::contains)
                    .collect(Collectors.toSet());
            Map<String, Integer> counts = new HashMap<>();
            if (!topics.isEmpty()) {
                Map<String, TopicDescription> described =
                        admin.describeTopics(topics).allTopicNames().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                described.forEach((t, d) -> counts.put(t, d.partitions().size()));
            }
            return owners(members, instances, clusters, counts);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return owners(Map.of(), instances, clusters, Map.of()); // no instance has joined (yet)
            }
            throw new IllegalStateException(
                    "cannot describe consumer group " + group(service) + ": " + e.getMessage(), e);
        } catch (TimeoutException e) {
            throw new IllegalStateException(
                    "cannot describe consumer group " + group(service) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while describing consumer group " + group(service), e);
        }
    }

    /** The clusters defined now: keys of {@code ebbtide.clusters} whose latest record is not a tombstone. */
    public static SortedSet<String> clusters(Map<String, Object> clientConfig) {
        Map<String, Boolean> latest = new HashMap<>();
        TopicReader.readToEnd(clientConfig, Topics.CLUSTERS, TIMEOUT, r -> {
            if (r.key() != null) {
                latest.put(new String(r.key(), StandardCharsets.UTF_8), r.value() != null);
            }
        });
        return Collections.unmodifiableSortedSet(latest.entrySet().stream()
                .filter(Map.Entry::getValue)
                .map(Map.Entry::getKey)
                .collect(Collectors.toCollection(TreeSet::new)));
    }

    /** Instance names in numeric order ({@code scheduler-2} before {@code scheduler-10}); others after, by name. */
    static int byInstance(String a, String b) {
        String pa = a.replaceAll("-\\d{1,6}$", "");
        String pb = b.replaceAll("-\\d{1,6}$", "");
        if (pa.equals(pb) && !pa.equals(a) && !pb.equals(b)) {
            return Integer.compare(
                    Integer.parseInt(a.substring(pa.length() + 1)), Integer.parseInt(b.substring(pb.length() + 1)));
        }
        return a.compareTo(b);
    }
}
