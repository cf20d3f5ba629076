package dev.ebbtide.autoscaler.loop;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.autoscaler.config.TestConfig;
import dev.ebbtide.autoscaler.messaging.AutoscalerConsumer;
import dev.ebbtide.autoscaler.messaging.AutoscalerEvents;
import dev.ebbtide.autoscaler.messaging.AutoscalerRebalance;
import dev.ebbtide.autoscaler.messaging.CatchUp;
import dev.ebbtide.autoscaler.messaging.Replayed;
import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.common.events.ClusterDefined;
import dev.ebbtide.common.events.ClusterDemandChanged;
import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.common.events.NodeState;
import dev.ebbtide.common.events.NodeStateChanged;
import dev.ebbtide.common.events.QueuedJob;
import dev.ebbtide.common.events.ScaleRequested;
import dev.ebbtide.common.events.Topics;
import dev.ebbtide.devsupport.EmbeddedKafka;
import dev.ebbtide.messaging.ConsumerHealth;
import dev.ebbtide.messaging.EventConsumer;
import dev.ebbtide.messaging.ownership.ClusterPartition;
import dev.ebbtide.messaging.ownership.Ownership;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.CloseOptions.GroupMembershipOperation;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two autoscaler instances in one consumer group on the real broker, wired as in the service (the owning channel's
 * rebalance listener, assignment replay, stale-record gate), without Quarkus: the partitions split between them,
 * each cluster is decided by exactly one of them, a joining instance rebuilds its clusters' state by replay, and
 * when one crashes (gone without leaving the group) the other takes its clusters over with their past once the
 * session timeout has passed.
 */
class TwoInstancesOwnershipTest {
    static final int PARTITIONS = 6;
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final List<String> CLUSTERS =
            IntStream.range(0, 12).mapToObj(i -> "two-" + i).toList();

    EmbeddedKafka kafka;
    KafkaProducer<String, String> producer;
    final String group = "two-instances-" + System.nanoTime();
    final List<ScaleRequested> requests = new CopyOnWriteArrayList<>();
    final List<Instance> instances = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        kafka = EmbeddedKafka.start(0, null);
        kafka.createTopics(Topics.ALL, Topics.COMPACTED, PARTITIONS);
        producer = new KafkaProducer<>(
                Map.of("bootstrap.servers", kafka.bootstrapServers()), new StringSerializer(), new StringSerializer());
    }

    @AfterEach
    void stop() throws Exception {
        for (Instance i : instances) {
            i.close();
        }
        producer.close();
        kafka.close();
    }

    @Test
    void eachClusterIsDecidedByExactlyOneInstanceAndTakenOverWithItsPast() throws Exception {
        for (String c : CLUSTERS) {
            send(
                    Topics.NODES_STATE,
                    c,
                    EventJson.write(new NodeStateChanged(c, c + "-0", NodeState.idle, null, null, null, T0)));
        }
        Instance a = new Instance("autoscaler-a");
        await().atMost(Duration.ofSeconds(30))
                .until(() -> a.owned.readyPartitions().size() == PARTITIONS);
        CLUSTERS.forEach(c -> assertEquals(Set.of(c + "-0"), a.nodes(c), "replayed at assignment"));
        demand(2);
        awaitRequests(12);
        assertTrue(requests.stream().allMatch(r -> r.sender().equals("autoscaler-a")));

        Instance b = new Instance("autoscaler-b");
        await().atMost(Duration.ofSeconds(30))
                .until(() -> a.owned.readyPartitions().size()
                                        + b.owned.readyPartitions().size()
                                == PARTITIONS
                        && !a.owned.readyPartitions().isEmpty()
                        && !b.owned.readyPartitions().isEmpty());
        Set<Integer> overlap = new HashSet<>(a.owned.readyPartitions());
        overlap.retainAll(b.owned.readyPartitions());
        assertEquals(Set.of(), overlap, "a partition has one owner");
        List<String> ofB = b.owned.clusters();
        assertFalse(ofB.isEmpty());
        for (String c : ofB) {
            assertEquals(Set.of(c + "-0"), b.nodes(c), c + ": the joining instance rebuilt its past by replay");
            assertEquals(2, b.autoscaler.cluster(c).orElseThrow().queuedDemand().nodes());
            assertEquals(Set.of(), a.nodes(c), c + ": the previous owner dropped it");
        }
        assertEquals(sorted(CLUSTERS), sorted(a.owned.clusters(), ofB), "every cluster has an owner");

        demand(3);
        awaitRequests(24);
        List<ScaleRequested> second = requests.subList(12, 24);
        for (ScaleRequested r : second) {
            String owner = ofB.contains(r.cluster()) ? "autoscaler-b" : "autoscaler-a";
            assertEquals(owner, r.sender(), r.cluster() + " is decided by its owner only");
        }
        assertEquals(
                sorted(CLUSTERS),
                second.stream().map(ScaleRequested::cluster).sorted().toList(),
                "one request each");

        Instant crashed = Instant.now();
        a.crash(); // gone without leaving the group (as kill -9): its partitions move after the session timeout
        await().atMost(Duration.ofSeconds(40))
                .until(() -> b.owned.readyPartitions().size() == PARTITIONS);
        System.out.printf(
                "figure: a crashed instance's %d partition(s) decided for by the other %d ms later "
                        + "(session.timeout.ms 10000)%n",
                PARTITIONS
                        - ofB.stream()
                                .map(c -> ClusterPartition.of(c, PARTITIONS))
                                .distinct()
                                .count(),
                Duration.between(crashed, Instant.now()).toMillis());
        CLUSTERS.forEach(c -> assertEquals(Set.of(c + "-0"), b.nodes(c), c + ": taken over with its past"));
        demand(4);
        awaitRequests(36);
        assertTrue(requests.subList(24, 36).stream().allMatch(r -> r.sender().equals("autoscaler-b")));
        assertEquals(4, requests.get(35).targetCount());
    }

    private static List<String> sorted(List<String> x) {
        return sorted(x, List.of());
    }

    private static List<String> sorted(List<String> x, List<String> y) {
        return java.util.stream.Stream.concat(x.stream(), y.stream()).sorted().toList();
    }

    private void awaitRequests(int n) {
        await().atMost(Duration.ofSeconds(30)).until(() -> requests.size() >= n);
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> requests.size() == n);
    }

    private void demand(int nodes) throws Exception {
        for (String c : CLUSTERS) {
            send(
                    Topics.CLUSTERS_DEMAND,
                    c,
                    EventJson.write(new ClusterDemandChanged(
                            c,
                            List.of(new QueuedJob(c + "-job-" + nodes, nodes, "medium", T0)),
                            nodes,
                            List.of(),
                            T0)));
        }
    }

    private void send(String topic, String key, String json) throws Exception {
        assertEquals(
                ClusterPartition.of(key, PARTITIONS),
                producer.send(new ProducerRecord<>(topic, key, json)).get().partition(),
                "a cluster lives in its ClusterPartition");
    }

    /** One autoscaler instance: its state, its ownership and its owning-channel consumer on a thread of its own. */
    final class Instance implements AutoCloseable {
        final Ownership ownership;
        final Autoscaler autoscaler = new Autoscaler();
        final OwnedClusters owned = new OwnedClusters();
        final Replayed replayed = new Replayed();
        final Thread thread;
        volatile boolean stopping;
        volatile boolean crashing;

        Instance(String name) {
            ownership = new Ownership(name, 1);
            autoscaler.clock = Clock.systemUTC();
            autoscaler.registry = new SimpleMeterRegistry();
            autoscaler.config = TestConfig.autoscaler();
            AutoscalerEvents events = new AutoscalerEvents() {
                @Override
                public void scaleRequested(ScaleRequested event) {
                    requests.add(event);
                }
            };
            autoscaler.events = events;
            owned.ownership = ownership;
            owned.autoscaler = autoscaler;
            owned.events = events;
            owned.init();
            autoscaler.owned = owned;
            CLUSTERS.forEach(c -> autoscaler.onClusterDefined(
                    new ClusterDefined(new ClusterSpec(c, null, null, 0, 8, 3600, null), null, T0)));
            Map<String, Object> connection = Map.of("bootstrap.servers", kafka.bootstrapServers());
            AutoscalerRebalance rebalance = new AutoscalerRebalance(
                    ownership,
                    owned,
                    replayed,
                    this::routes,
                    CatchUp.atStartup(connection, List.of(Topics.CLUSTERS), Duration.ofSeconds(10)),
                    connection);
            thread = new Thread(() -> consume(name, rebalance), name);
            thread.start();
            instances.add(this);
        }

        private EventConsumer routes() {
            return AutoscalerConsumer.routes(
                    new EventConsumer(
                            AutoscalerConsumer.CHANNEL,
                            (r, reason, consumer) -> CompletableFuture.completedFuture(null),
                            new ConsumerHealth(),
                            Clock.systemUTC(),
                            d -> {}),
                    autoscaler);
        }

        private void consume(String name, AutoscalerRebalance rebalance) {
            EventConsumer apply = routes();
            KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
                    Map.of(
                            "bootstrap.servers",
                            kafka.bootstrapServers(),
                            "group.id",
                            group,
                            "client.id",
                            name + "-autoscaler-in",
                            "partition.assignment.strategy",
                            "org.apache.kafka.clients.consumer.RangeAssignor",
                            "session.timeout.ms",
                            "10000",
                            "enable.auto.commit",
                            "false",
                            "auto.offset.reset",
                            "earliest"),
                    new ByteArrayDeserializer(),
                    new ByteArrayDeserializer());
            try {
                consumer.subscribe(AutoscalerRebalance.TOPICS, new ConsumerRebalanceListener() {
                    @Override
                    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                        rebalance.onPartitionsAssigned(consumer, partitions);
                    }

                    @Override
                    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                        rebalance.onPartitionsRevoked(consumer, partitions);
                    }
                });
                while (!stopping) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                        replayed.applyIfCurrent(r, apply::accept);
                    }
                }
            } finally {
                consumer.close(
                        crashing
                                ? CloseOptions.groupMembershipOperation(GroupMembershipOperation.REMAIN_IN_GROUP)
                                : CloseOptions.timeout(Duration.ofSeconds(30)));
            }
        }

        /** Stops without leaving the group; afterwards it decides nothing (no more events, no ticks). */
        void crash() throws InterruptedException {
            crashing = true;
            close();
        }

        Set<String> nodes(String cluster) {
            return autoscaler.cluster(cluster).orElseThrow().nodes().keySet().stream()
                    .collect(Collectors.toSet());
        }

        @Override
        public void close() throws InterruptedException {
            stopping = true;
            thread.join(30_000);
        }
    }
}
