package dev.ebbtide.scheduler;

import static dev.ebbtide.scheduler.TeamFlowEvents.job;
import static dev.ebbtide.scheduler.TeamFlowEvents.node;
import static dev.ebbtide.scheduler.TeamFlowEvents.send;
import static dev.ebbtide.scheduler.TeamFlowEvents.submit;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.common.events.ClusterDefined;
import dev.ebbtide.common.events.ClusterDemandChangedV2;
import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.common.events.JobAssigned;
import dev.ebbtide.common.events.JobRunReported;
import dev.ebbtide.common.events.JobStopRequested;
import dev.ebbtide.common.events.RunPhase;
import dev.ebbtide.common.events.Topics;
import dev.ebbtide.devsupport.RealInfraTestResource;
import dev.ebbtide.devsupport.TopicRecorder;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
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
 * Teams' quotas in the running scheduler (real Kafka and PostgreSQL): a team borrows its cohort's unused quota, and
 * when the lender needs it back the borrowing job is asked to stop and requeued, and the lender's job starts on the
 * node it frees; the borrower's next job says why it waits, and is not counted in the cluster's demand.
 */
@QuarkusTest
@WithTestResource(RealInfraTestResource.class)
@TestProfile(TeamQuotaFlowTest.Quotas.class)
class TeamQuotaFlowTest {
    /** Teams qv and qn: 4 cores each (one Standard_DS3_v2 node) in cohort lab. */
    public static class Quotas implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "ebbtide.teams.quota.qv.cores", "4",
                    "ebbtide.teams.quota.qv.cohort", "lab",
                    "ebbtide.teams.quota.qn.cores", "4",
                    "ebbtide.teams.quota.qn.cohort", "lab");
        }
    }

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Test
    void aBorrowedNodeIsReclaimedWithARequeue() throws Exception {
        String c = "tq-" + UUID.randomUUID().toString().substring(0, 8);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                        Map.of("bootstrap.servers", bootstrap), new StringSerializer(), new StringSerializer());
                TopicRecorder reader = new TopicRecorder(
                        bootstrap, List.of(Topics.JOBS_ASSIGNMENTS, Topics.JOBS_STOPS, Topics.CLUSTERS_DEMAND))) {
            send(
                    producer,
                    c,
                    Topics.CLUSTERS,
                    new ClusterDefined(
                            new ClusterSpec(c, "Standard_DS3_v2", "dedicated", 0, 2, 5, null), null, Instant.now()));
            node(producer, c, c + "-n0");
            node(producer, c, c + "-n1");

            // qv uses its own node and borrows qn's: both of its jobs start
            submit(producer, c, c + "-v1", "qv");
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> assigned(reader, c).size() == 1);
            submit(producer, c, c + "-v2", "qv");
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> assigned(reader, c).size() == 2);
            Instant t = Instant.now();
            for (JobAssigned a : assigned(reader, c)) {
                boolean older = a.jobId().equals(c + "-v1");
                run(producer, a, RunPhase.STARTED, older ? t.minusSeconds(60) : t);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> "Running".equals(job(c + "-v2", "state")));

            // qn wants its nominal quota back: the newest borrowing job is stopped and requeued
            submit(producer, c, c + "-n1", "qn");
            await().atMost(Duration.ofSeconds(30)).until(() -> !stops(reader, c).isEmpty());
            JobStopRequested stop = stops(reader, c).get(0);
            JobAssigned v2 = assigned(reader, c).stream()
                    .filter(a -> a.jobId().equals(c + "-v2"))
                    .findFirst()
                    .orElseThrow();
            assertEquals(c + "-v2", stop.jobId());
            assertEquals(v2.nodes(), stop.nodes());
            assertEquals(1, stop.attempt());
            assertEquals("Queued", job(c + "-v2", "state"));
            assertEquals("preempted: reclaimed by team qn; requeued (attempt 1 stopped)", job(c + "-v2", "reason"));
            assertEquals("Running", job(c + "-v1", "state"));

            // the agent stops it (SIGTERM, grace) and reports the exit: qn's job starts on the freed node
            run(producer, v2, RunPhase.EXITED, Instant.now());
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> assigned(reader, c).size() == 3);
            JobAssigned n1 = assigned(reader, c).get(2);
            assertEquals(c + "-n1", n1.jobId());
            assertEquals(v2.nodes(), n1.nodes());
            assertEquals(1, stops(reader, c).size(), "one preemption, not one per pass");

            // the cohort is full now: the requeued job waits and says why, after why it was stopped
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> ("preempted: reclaimed by team qn; requeued (attempt 1 stopped); waiting: team qv uses"
                                    + " 4 of 4 cores; it may borrow 0 more")
                            .equals(job(c + "-v2", "reason")));
            assertEquals(1, Integer.parseInt(job(c + "-v2", "attempt")));
            // and the autoscaler is not asked for a node it could not use
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                List<ClusterDemandChangedV2> demand = demand(reader, c);
                return !demand.isEmpty() && demand.get(demand.size() - 1).queuedJobs() == 0;
            });
            assertEquals(
                    List.of(),
                    demand(reader, c).get(demand(reader, c).size() - 1).queueHead());
        }
    }

    private static List<JobAssigned> assigned(TopicRecorder reader, String cluster) {
        return reader.values(Topics.JOBS_ASSIGNMENTS).stream()
                .map(v -> EventJson.read(v, JobAssigned.class))
                .filter(a -> a.cluster().equals(cluster))
                .toList();
    }

    private static List<ClusterDemandChangedV2> demand(TopicRecorder reader, String cluster) {
        return reader.values(Topics.CLUSTERS_DEMAND).stream()
                .map(v -> EventJson.read(v, ClusterDemandChangedV2.class))
                .filter(d -> d.cluster().equals(cluster))
                .toList();
    }

    private static List<JobStopRequested> stops(TopicRecorder reader, String cluster) {
        return reader.values(Topics.JOBS_STOPS).stream()
                .map(v -> EventJson.read(v, JobStopRequested.class))
                .filter(s -> s.cluster().equals(cluster))
                .toList();
    }

    private static void run(KafkaProducer<String, String> producer, JobAssigned a, RunPhase phase, Instant at)
            throws Exception {
        send(
                producer,
                a.cluster(),
                Topics.JOBS_RUNS,
                new JobRunReported(
                        a.jobId(),
                        a.cluster(),
                        a.nodes().get(0),
                        0,
                        phase,
                        phase == RunPhase.EXITED ? 143 : null,
                        null,
                        phase == RunPhase.EXITED ? "stopped: preempted" : null,
                        a.attempt(),
                        at));
    }
}
