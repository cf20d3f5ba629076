package dev.ebbtide.scheduler;

import static dev.ebbtide.scheduler.TeamFlowEvents.job;
import static dev.ebbtide.scheduler.TeamFlowEvents.node;
import static dev.ebbtide.scheduler.TeamFlowEvents.send;
import static dev.ebbtide.scheduler.TeamFlowEvents.submit;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.common.events.ClusterDefined;
import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.common.events.JobAssigned;
import dev.ebbtide.common.events.Topics;
import dev.ebbtide.devsupport.RealInfraTestResource;
import dev.ebbtide.devsupport.TopicRecorder;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Fair share between teams in one cluster's queue, in the running scheduler (real Kafka and PostgreSQL): a team's
 * burst does not hold another team's job until the burst is done, and the burst's waiting jobs say why they wait.
 */
@QuarkusTest
@WithTestResource(RealInfraTestResource.class)
class FairShareFlowTest {
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Test
    void anotherTeamsSingleJobStartsAmongTheNextJobsNotAfterTheBurst() throws Exception {
        String c = "fs-" + UUID.randomUUID().toString().substring(0, 8);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                        Map.of("bootstrap.servers", bootstrap), new StringSerializer(), new StringSerializer());
                TopicRecorder reader = new TopicRecorder(bootstrap, List.of(Topics.JOBS_ASSIGNMENTS))) {
            send(producer, c, Topics.CLUSTERS, cluster(c, 4));
            for (int i = 0; i < 20; i++) {
                submit(producer, c, c + "-a" + i, "alpha", 1);
            }
            submit(producer, c, c + "-b0", "beta", 1);
            await().atMost(Duration.ofSeconds(30)).until(() -> "Queued".equals(state(c + "-b0")));

            node(producer, c, c + "-n0");
            node(producer, c, c + "-n1");
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> started(reader, c).size() == 2);

            List<String> started = started(reader, c);
            assertTrue(started.contains(c + "-b0"), "beta's job is among the first two starts: " + started);
            assertTrue(started.contains(c + "-a0"), "alpha's first job starts too: " + started);
            assertEquals("Queued", state(c + "-a1"));
        }
    }

    @Test
    void theBurstsWaitingJobsNameTheTeamThatGoesFirst() throws Exception {
        String c = "fs-" + UUID.randomUUID().toString().substring(0, 8);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                        Map.of("bootstrap.servers", bootstrap), new StringSerializer(), new StringSerializer());
                TopicRecorder reader = new TopicRecorder(bootstrap, List.of(Topics.JOBS_ASSIGNMENTS))) {
            send(producer, c, Topics.CLUSTERS, cluster(c, 4));
            for (int i = 0; i < 5; i++) {
                submit(producer, c, c + "-a" + i, "alpha", 1);
            }
            submit(producer, c, c + "-b0", "beta", 2); // a gang of 2: it waits for a second node
            await().atMost(Duration.ofSeconds(30)).until(() -> "Queued".equals(state(c + "-b0")));

            node(producer, c, c + "-n0");
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> started(reader, c).size() == 1);
            assertEquals(List.of(c + "-a0"), started(reader, c));

            // alpha now runs the only node: beta's gang goes first, alpha's next job waits and says why
            String reason = "waiting: team alpha uses 1 of 1 nodes (share 1 at weight 1); team beta's jobs go first";
            await().atMost(Duration.ofSeconds(30)).until(() -> reason.equals(job(c + "-a1", "reason")));
            assertEquals("Queued", state(c + "-b0"));

            // a second node: beta's gang is the head; alpha's job may not take the node it waits for
            node(producer, c, c + "-n1");
            node(producer, c, c + "-n2");
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> started(reader, c).size() == 2);
            assertEquals(List.of(c + "-a0", c + "-b0"), started(reader, c));
        }
    }

    private static ClusterDefined cluster(String c, int max) {
        return new ClusterDefined(new ClusterSpec(c, null, null, 0, max, 5, null), null, Instant.now());
    }

    private static List<String> started(TopicRecorder reader, String cluster) {
        return reader.values(Topics.JOBS_ASSIGNMENTS).stream()
                .map(v -> EventJson.read(v, JobAssigned.class))
                .filter(a -> a.cluster().equals(cluster))
                .map(JobAssigned::jobId)
                .toList();
    }

    /** The job's state, or null while the scheduler has not stored it yet (404). */
    private static String state(String id) {
        return job(id, "state");
    }
}
