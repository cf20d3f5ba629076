package dev.ebbtide.provisioner.actuation;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.common.events.ProvisionerClusterState;
import dev.ebbtide.common.events.Reason;
import dev.ebbtide.common.events.ScaleRequested;
import dev.ebbtide.common.events.Topics;
import dev.ebbtide.devsupport.EmbeddedKafka;
import dev.ebbtide.devsupport.MutableClock;
import dev.ebbtide.messaging.ownership.Ownership;
import dev.ebbtide.messaging.ownership.OwnershipListener;
import dev.ebbtide.provisioner.cloud.CloudNode;
import dev.ebbtide.provisioner.cloud.CloudProvider;
import dev.ebbtide.provisioner.cloud.NodePool;
import dev.ebbtide.provisioner.messaging.ProvisionerStateTopic;
import dev.ebbtide.provisioner.nodes.NodeBook;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * Two provisioner instances in one consumer group on a real broker (range assignor, the ownership listener, durable
 * records on the compacted topic), 20 clusters over one shared cloud: a second instance joining and leaving moves
 * clusters between them; every request is applied by exactly one instance, never two at once on a cluster.
 */
class TwoInstancesOnABrokerTest {
    static final int CLUSTERS = 20;
    static final List<String> TOPICS = List.of(Topics.SCALE_REQUESTS, Topics.JOBS_ASSIGNMENTS);

    final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T00:00:00Z"));
    final Map<String, InMemoryNodePool> cloud = new ConcurrentHashMap<>();
    /** cluster → the instance in a cloud call for it right now. */
    final Map<String, AtomicReference<String>> inCall = new ConcurrentHashMap<>();

    final List<String> calls = new CopyOnWriteArrayList<>();
    final List<String> overlaps = new CopyOnWriteArrayList<>();

    /** One instance: a provisioner fed by its own consumer of the group, on a thread of its own. */
    final class Member implements AutoCloseable {
        final String name;
        final Ownership ownership;
        final Provisioner provisioner;
        final ProvisionerStateTopic memory;
        final KafkaConsumer<byte[], byte[]> consumer;
        final Thread thread;
        volatile boolean running = true;

        Member(String name, String bootstrap) {
            this.name = name;
            ownership = new Ownership(name, Topics.DEFAULT_PARTITIONS);
            memory = new ProvisionerStateTopic(Map.of("bootstrap.servers", bootstrap), name);
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            ClusterBackoff backoff = new ClusterBackoff(clock);
            CloudCaller caller = new CloudCaller(
                    new RetryPolicy(new Random(1)), d -> {}, new ProvisionerMetrics(registry), ProvisionerEvents.NONE);
            ScaleRequestLedger ledger = new ScaleRequestLedger.PerCluster(100);
            CloudProvider provider = new CloudProvider() {
                @Override
                public String name() {
                    return "test";
                }

                @Override
                public NodePool nodePool(ClusterSpec cluster) {
                    return guarded(name, cloud.get(cluster.name()));
                }
            };
            dev.ebbtide.provisioner.messaging.ProvisionerPublisher publisher =
                    new dev.ebbtide.provisioner.messaging.ProvisionerPublisher() {
                        @Override
                        public void nodeStateChanged(dev.ebbtide.common.events.NodeStateChanged e) {}
                    };
            provisioner = new Provisioner(
                    provider,
                    publisher,
                    new ScaleRequestHandler(backoff, caller, ledger, ProvisionerEvents.NONE),
                    new Reconciler(clock, Reconciler.Settings.defaults(), backoff, caller, ProvisionerEvents.NONE),
                    caller,
                    new NodeBook(Duration.ofSeconds(60)),
                    Duration.ZERO,
                    registry,
                    clock);
            provisioner.durable(new DurableState(ownership, memory, ledger, backoff, clock));
            ownership.addListener(new ProvisionerOwnership(provisioner, memory));
            cloud.keySet().forEach(c -> provisioner.onClusterDefined(new ClusterSpec(c, null, null, 0, 10, 30, null)));

            Map<String, Object> config = new HashMap<>();
            config.put("bootstrap.servers", bootstrap);
            config.put("group.id", "two-instances-test");
            config.put("client.id", name + "-provisioner-in");
            config.put("partition.assignment.strategy", "org.apache.kafka.clients.consumer.RangeAssignor");
            config.put("session.timeout.ms", "10000");
            config.put("enable.auto.commit", "false");
            config.put("auto.offset.reset", "earliest");
            consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            OwnershipListener listener = new OwnershipListener("provisioner-in", ownership, TOPICS);
            consumer.subscribe(TOPICS, new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    listener.onPartitionsRevoked(consumer, partitions);
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    listener.onPartitionsAssigned(consumer, partitions);
                }
            });
            thread = new Thread(this::poll, name);
            thread.start();
        }

        private void poll() {
            while (running) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    if (r.topic().equals(Topics.SCALE_REQUESTS)) {
                        provisioner.onScaleRequested(
                                EventJson.read(new String(r.value(), StandardCharsets.UTF_8), ScaleRequested.class));
                    }
                }
                consumer.commitSync(); // after the records were applied and their state stored
            }
            consumer.close(Duration.ofSeconds(10)); // leaves the group: its partitions are revoked first
        }

        int owned() {
            return ownership.owned().size();
        }

        @Override
        public void close() throws Exception {
            running = false;
            thread.join(30_000);
            memory.close();
        }
    }

    @Test
    void clustersMoveBetweenTwoInstancesAndEveryRequestIsAppliedOnceByOneOfThem() throws Exception {
        IntStream.range(0, CLUSTERS).forEach(i -> {
            String c = "two-" + i;
            cloud.put(c, new InMemoryNodePool(c, clock));
            inCall.put(c, new AtomicReference<>());
        });
        try (EmbeddedKafka kafka = EmbeddedKafka.start(0, null);
                KafkaProducer<String, String> producer = new KafkaProducer<>(
                        Map.of("bootstrap.servers", kafka.bootstrapServers()),
                        new StringSerializer(),
                        new StringSerializer())) {
            kafka.createTopics(
                    List.of(Topics.SCALE_REQUESTS, Topics.JOBS_ASSIGNMENTS, Topics.PROVISIONER_STATE),
                    Topics.COMPACTED,
                    Topics.DEFAULT_PARTITIONS);
            try (Member a = new Member("provisioner-1", kafka.bootstrapServers())) {
                await().atMost(Duration.ofSeconds(60)).until(() -> a.owned() == Topics.DEFAULT_PARTITIONS);
                requestAll(producer, 1);
                await().atMost(Duration.ofSeconds(60)).until(() -> allHave(1));

                try (Member b = new Member("provisioner-2", kafka.bootstrapServers())) {
                    await().atMost(Duration.ofSeconds(60)).until(() -> a.owned() == 3 && b.owned() == 3);
                    requestAll(producer, 2);
                    await().atMost(Duration.ofSeconds(60)).until(() -> allHave(2));
                    Map<String, String> senders = senders(a);
                    for (String c : cloud.keySet()) {
                        String owner = a.provisioner.owns(c) ? a.name : b.name;
                        assertTrue(a.provisioner.owns(c) != b.provisioner.owns(c), c + " has exactly one owner");
                        assertEquals(owner, senders.get(c), c + "'s record is written by its owner");
                        assertEquals(owner, lastCaller(c), c + "'s last cloud call was its owner's");
                    }
                    assertTrue(senders.containsValue(a.name) && senders.containsValue(b.name), "both act: " + senders);
                } // b leaves: a takes its clusters back from their records
                await().atMost(Duration.ofSeconds(60)).until(() -> a.owned() == Topics.DEFAULT_PARTITIONS);
                requestAll(producer, 3);
                await().atMost(Duration.ofSeconds(60)).until(() -> allHave(3));
            }
        }
        assertEquals(List.of(), overlaps, "two instances in a cloud call for one cluster at once");
        Map<String, Long> perCluster =
                calls.stream().collect(Collectors.groupingBy(c -> c.split(" ")[1], Collectors.counting()));
        assertEquals(CLUSTERS, perCluster.size());
        perCluster.forEach((c, n) -> assertEquals(3L, n, c + ": one scale-up per target, " + calls));
    }

    private void requestAll(KafkaProducer<String, String> producer, int target) throws Exception {
        for (String c : cloud.keySet()) {
            producer.send(new ProducerRecord<>(
                            Topics.SCALE_REQUESTS,
                            c,
                            EventJson.write(new ScaleRequested(
                                    java.util.UUID.randomUUID().toString(),
                                    c,
                                    target,
                                    List.of(),
                                    List.of(new Reason("TEST", "test")),
                                    clock.instant(),
                                    null,
                                    null,
                                    "autoscaler-1"))))
                    .get();
        }
    }

    private boolean allHave(int nodes) {
        return cloud.values().stream().allMatch(p -> p.nodes().size() == nodes);
    }

    private Map<String, String> senders(Member reader) {
        return reader.memory.load(Set.of(0, 1, 2, 3, 4, 5)).values().stream()
                .collect(Collectors.toMap(ProvisionerClusterState::cluster, ProvisionerClusterState::sender));
    }

    private String lastCaller(String cluster) {
        String last = null;
        for (String c : calls) {
            if (c.split(" ")[1].equals(cluster)) {
                last = c.split(" ")[0];
            }
        }
        return last;
    }

    /** The shared pool, recording which instance makes each mutating call and whether another is in one already. */
    private NodePool guarded(String instance, InMemoryNodePool pool) {
        String cluster = pool.cluster();
        return new NodePool() {
            @Override
            public String cluster() {
                return cluster;
            }

            @Override
            public int targetSize() {
                return pool.targetSize();
            }

            @Override
            public void increaseSize(int delta) {
                enter();
                try {
                    calls.add(instance + " " + cluster + " increaseSize " + delta);
                    synchronized (pool) {
                        pool.increaseSize(delta);
                    }
                } finally {
                    inCall.get(cluster).set(null);
                }
            }

            @Override
            public void deleteNodes(List<String> names) {
                enter();
                try {
                    calls.add(instance + " " + cluster + " deleteNodes " + names);
                    synchronized (pool) {
                        pool.deleteNodes(names);
                    }
                } finally {
                    inCall.get(cluster).set(null);
                }
            }

            @Override
            public List<CloudNode> nodes() {
                synchronized (pool) {
                    return pool.nodes();
                }
            }

            private void enter() {
                if (!inCall.get(cluster).compareAndSet(null, instance)) {
                    overlaps.add(instance + " and " + inCall.get(cluster).get() + " on " + cluster);
                }
            }
        };
    }
}
