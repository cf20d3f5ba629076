package dev.ebbtide.scheduler.service;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.common.events.ClusterBackoffChanged;
import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.common.events.JobAssigned;
import dev.ebbtide.common.events.JobSpec;
import dev.ebbtide.common.events.JobState;
import dev.ebbtide.common.events.JobSubmitted;
import dev.ebbtide.common.events.NodeState;
import dev.ebbtide.common.events.NodeStateChanged;
import dev.ebbtide.common.events.Topics;
import dev.ebbtide.devsupport.DevTokens;
import dev.ebbtide.devsupport.RealInfraTestResource;
import dev.ebbtide.devsupport.TopicRecorder;
import dev.ebbtide.messaging.ownership.Ownership;
import dev.ebbtide.scheduler.persistence.CancelRequestEntity;
import dev.ebbtide.scheduler.persistence.ClusterEntity;
import dev.ebbtide.scheduler.persistence.ClusterMemoryEntity;
import dev.ebbtide.scheduler.persistence.JobEntity;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Two scheduler instances in one consumer group on the real broker and PostgreSQL: this application and a second
 * member of {@code ebbtide-scheduler} that takes the partitions from it and acts for nothing (an instance that owns
 * a cluster but is busy or has died without leaving yet). While the other owns the cluster this one leaves it alone;
 * when the other leaves, this one takes over, rebuilds the cluster from PostgreSQL and goes on from there.
 */
@QuarkusTest
@WithTestResource(RealInfraTestResource.class)
class OwnershipFlowTest {
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @ConfigProperty(name = "mp.messaging.incoming.scheduler-in.topics")
    List<String> topics;

    @Inject
    Ownership ownership;

    @Inject
    SchedulerService service;

    @Inject
    QueueIndex index;

    @Inject
    WaitReasons waitReasons;

    @Test
    void whatAnotherInstanceQueuedIsPlacedAfterTheTakeoverAndNothingMeanwhile() throws Throwable {
        String cluster = "own-" + UUID.randomUUID().toString().substring(0, 8);
        String token = "Bearer " + DevTokens.testToken("olive", "operator");
        await().atMost(Duration.ofSeconds(60)).until(() -> ownership.owns(cluster)); // this instance has joined
        JobSubmitted stray = new JobSubmitted(
                "stray-" + UUID.randomUUID(),
                cluster,
                new JobSpec("true", 1, Map.of(), null, null, null, null),
                Instant.now());
        ConsumerRecord<byte[], byte[]> strayRecord = new ConsumerRecord<>(
                Topics.JOBS_SUBMITTED,
                ownership.partitionOf(cluster),
                0L,
                bytes(cluster),
                bytes(EventJson.write(stray)));
        String waiting = "waiting-" + UUID.randomUUID();
        String canceled = "canceled-" + UUID.randomUUID();

        try (TopicRecorder reader = new TopicRecorder(bootstrap, List.of(Topics.JOBS_ASSIGNMENTS));
                KafkaProducer<String, String> producer = new KafkaProducer<>(
                        Map.of("bootstrap.servers", bootstrap), new StringSerializer(), new StringSerializer())) {
            try (OtherInstance other = new OtherInstance(bootstrap, topics)) {
                await().atMost(Duration.ofSeconds(60)).until(() -> other.owns() && !ownership.owns(cluster));

                // a record of a partition this instance does not own (buffered before a revocation) is not applied
                inVertx(() -> service.handleBatch(List.of(strayRecord)));
                assertNull(job(stray.jobId()), "not this instance's cluster: left to its owner");

                // what the owner did meanwhile, in PostgreSQL only: the cluster, two queued jobs, a back-off
                ClusterBackoffChanged backoff = new ClusterBackoffChanged(
                        cluster, Instant.now().plusSeconds(3600), "QUOTA_EXCEEDED", "quota", Instant.now());
                inVertx(() -> Panache.withTransaction(() -> cluster(cluster)
                        .persist()
                        .chain(() -> queued(waiting, cluster, "medium").persist())
                        .chain(() -> queued(canceled, cluster, "low").persist())
                        .chain(() -> ClusterMemoryEntity.update(cluster, m -> m.backoff = EventJson.write(backoff)))));

                // reads need no ownership: the queue position of a cluster owned elsewhere comes from PostgreSQL
                given().header("Authorization", token)
                        .get("/jobs/" + waiting)
                        .then()
                        .statusCode(200)
                        .body("state", equalTo("Queued"))
                        .body("queuePosition", equalTo(1));

                // a cancel asked here is stored for the owner, not applied here
                given().header("Authorization", token)
                        .post("/jobs/" + canceled + "/cancel")
                        .then()
                        .statusCode(200)
                        .body("state", equalTo("Queued"));
                assertEquals(1L, count(() -> CancelRequestEntity.count("jobId", canceled)));

                // a node of the cluster is free: only its owner may place a job on it, and the owner is the other one
                producer.send(new ProducerRecord<>(
                                Topics.NODES_STATE,
                                cluster,
                                EventJson.write(new NodeStateChanged(
                                        cluster, cluster + "-0", NodeState.idle, null, null, null, Instant.now()))))
                        .get();
                await().during(Duration.ofSeconds(2))
                        .atMost(Duration.ofSeconds(5))
                        .until(() -> assignments(reader, waiting).isEmpty());
                assertEquals(0, index.size(cluster), "no queue kept for a cluster this instance does not own");
            } // the other instance leaves the group: its partitions come to this one

            await().atMost(Duration.ofSeconds(60)).until(() -> ownership.owns(cluster));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> !assignments(reader, waiting).isEmpty());
            assertEquals(
                    List.of(cluster + "-0"),
                    assignments(reader, waiting).get(0).nodes(),
                    "the job the other instance queued is placed on the free node once this one owns the cluster");
            await().atMost(Duration.ofSeconds(30)).until(() -> job(canceled).state == JobState.Canceled);
            assertEquals(
                    0L, count(() -> CancelRequestEntity.count("jobId", canceled)), "the stored cancel was applied");
            assertNotNull(waitReasons.active(cluster), "the back-off the other instance learned is known here now");

            inVertx(() -> service.handleBatch(List.of(strayRecord))); // now this instance's to apply
            assertEquals(JobState.Queued, job(stray.jobId()).state);
            assertTrue(job(stray.jobId()).reason.startsWith("waiting for quota"), job(stray.jobId()).reason);
            assertEquals(1, index.size(cluster), "the queue rebuilt from PostgreSQL, then kept in step");
        }
    }

    /** A second member of the scheduler's group: takes partitions (its member id sorts first) and acts for nothing. */
    private static final class OtherInstance implements AutoCloseable {
        private final Set<TopicPartition> assigned = ConcurrentHashMap.newKeySet();
        private final Thread thread;
        private volatile boolean stop;

        OtherInstance(String bootstrap, List<String> topics) {
            Map<String, Object> config = Map.of(
                    "bootstrap.servers",
                    bootstrap,
                    "group.id",
                    "ebbtide-scheduler",
                    "client.id",
                    "a-scheduler-2",
                    "partition.assignment.strategy",
                    RangeAssignor.class.getName(),
                    "enable.auto.commit",
                    "false",
                    "session.timeout.ms",
                    "10000");
            thread = new Thread(
                    () -> {
                        try (KafkaConsumer<byte[], byte[]> consumer =
                                new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                            consumer.subscribe(topics, new ConsumerRebalanceListener() {
                                @Override
                                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                                    assigned.removeAll(partitions);
                                }

                                @Override
                                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                                    assigned.addAll(partitions);
                                }
                            });
                            while (!stop) {
                                consumer.poll(Duration.ofMillis(100)); // read, never applied nor committed
                            }
                        }
                    },
                    "other-scheduler");
            thread.start();
        }

        boolean owns() {
            return !assigned.isEmpty();
        }

        @Override
        public void close() throws InterruptedException {
            stop = true;
            thread.join(30_000);
        }
    }

    private static ClusterEntity cluster(String name) {
        ClusterEntity c = new ClusterEntity();
        c.name = name;
        c.maxInstances = 4;
        return c;
    }

    private static JobEntity queued(String id, String cluster, String priority) {
        JobEntity j = new JobEntity();
        j.id = id;
        j.cluster = cluster;
        j.state = JobState.Queued;
        j.reason = "waiting for 1 node(s)";
        j.instanceCount = 1;
        j.priority = priority;
        j.submittedAt = Instant.now();
        j.sequence = ChronoUnit.MICROS.between(Instant.EPOCH, j.submittedAt);
        j.specJson = EventJson.write(new JobSpec("true", 1, Map.of(), null, null, priority, null));
        j.updatedAt = j.submittedAt;
        return j;
    }

    private static List<JobAssigned> assignments(TopicRecorder reader, String jobId) {
        return reader.values(Topics.JOBS_ASSIGNMENTS).stream()
                .map(v -> EventJson.read(v, JobAssigned.class))
                .filter(a -> a.jobId().equals(jobId))
                .toList();
    }

    private static JobEntity job(String id) {
        try {
            return VertxContextSupport.subscribeAndAwait(
                    () -> Panache.withSession(() -> JobEntity.<JobEntity>findById(id)));
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    private static long count(Supplier<Uni<Long>> query) throws Throwable {
        return VertxContextSupport.subscribeAndAwait(() -> Panache.withSession(query::get));
    }

    private static void inVertx(Supplier<Uni<Void>> work) throws Throwable {
        VertxContextSupport.subscribeAndAwait(work::get);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
