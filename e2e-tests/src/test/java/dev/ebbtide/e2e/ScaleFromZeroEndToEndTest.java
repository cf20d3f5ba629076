package dev.ebbtide.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ebbtide.common.events.JobRunReported;
import dev.ebbtide.common.events.NodeState;
import dev.ebbtide.common.events.NodeStateChanged;
import dev.ebbtide.common.events.RunPhase;
import dev.ebbtide.common.events.ScaleRequested;
import dev.ebbtide.common.events.Topics;
import dev.ebbtide.devsupport.KafkaAccess;
import dev.ebbtide.devsupport.LocalStack;
import dev.ebbtide.devsupport.TopicRecorder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The walking skeleton, end to end: a real Kafka broker and a real PostgreSQL, the four services as separate
 * processes started from their built jars, the local provider starting one node agent process per node, the agents
 * running the jobs as real OS processes.
 */
class ScaleFromZeroEndToEndTest {
    private static final String CLUSTER = "e2e-cluster";
    private static final String DLQ_CLUSTER = "e2e-small";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path tmp;

    static LocalStack stack;
    static String token;
    static final Map<String, String> PROTECTED = Map.of(
            "job-submitter", "/jobs/x", "scheduler", "/jobs", "autoscaler", "/clusters", "provisioner", "/nodes");
    static TopicRecorder recorder;
    static StackClient client;

    @BeforeAll
    static void startStack() throws Exception {
        Path root = Path.of(System.getProperty("ebbtide.repo.root", ".."))
                .toAbsolutePath()
                .normalize();
        Path clusters = Files.createDirectories(tmp.resolve("clusters"));
        Files.writeString(clusters.resolve("e2e.yml"), """
                name: e2e-cluster
                type: amlcompute
                size: Standard_DS3_v2
                min_instances: 0
                max_instances: 4
                idle_time_before_scale_down: 5
                """);
        Files.writeString(clusters.resolve("small.yml"), """
                name: e2e-small
                type: amlcompute
                min_instances: 0
                max_instances: 1
                idle_time_before_scale_down: 5
                """);
        // services' logs and job outputs stay in target/e2e-state for a look after a failure
        Path state = root.resolve("e2e-tests/target/e2e-state");
        StackClient.deleteTree(state);
        stack = LocalStack.start(new LocalStack.Options(
                root,
                Files.createDirectories(state),
                0,
                0,
                true,
                clusters,
                Map.of("provisioner:ebbtide.local.agent-heartbeat-interval", "1s")));
        token = stack.token("e2e", "operator");
        client = new StackClient(stack, token);
        recorder = new TopicRecorder(
                stack.kafkaClientConfig(KafkaAccess.ADMIN),
                List.of(
                        Topics.NODES_STATE,
                        Topics.SCALE_REQUESTS,
                        Topics.JOBS_RUNS,
                        Topics.JOBS_SUBMITTED_DLQ,
                        Topics.JOBS_STATE));
        await().atMost(Duration.ofSeconds(60))
                .until(() -> status(stack.url("autoscaler") + "/clusters/" + CLUSTER) == 200
                        && knownToSubmitter(CLUSTER)
                        && knownToSubmitter(DLQ_CLUSTER));
    }

    @AfterAll
    static void stopStack() throws Exception {
        if (recorder != null) {
            recorder.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void twoNodeJobScalesClusterFromZeroToTwoAndBackAndIdleNodesAreReused() throws Exception {
        String jobA = submit("""
                type: command
                compute: azureml:e2e-cluster
                command: echo "line from rank $NODE_RANK of $NODE_COUNT with $GREETING"
                environment_variables: {GREETING: ahoy}
                resources: {instance_count: 2}
                """);
        JsonNode a = awaitTerminal(jobA);
        assertEquals("Completed", a.path("state").asText(), a.toString());
        assertEquals(0, a.path("exitCode").asInt(), a.toString());
        List<String> ranked = StackClient.nodes(a);
        for (int rank = 0; rank < 2; rank++) {
            String text = client.rankLog(ranked.get(rank), jobA, 1, rank); // written by the agent on that node
            assertEquals("line from rank " + rank + " of 2 with ahoy", text.strip());
        }
        List<ScaleRequested> ups = scaleUps();
        assertEquals(1, ups.size(), "one scale-up for the first job: " + ups);
        TopicRecorder.Recorded firstRequest = recorder.on(Topics.SCALE_REQUESTS).get(0);
        assertEquals(
                "dev.ebbtide.scale.requested.v1", firstRequest.headers().get("ce_type"), "a binary-mode CloudEvent");
        assertEquals("/ebbtide/autoscaler", firstRequest.headers().get("ce_source"));
        assertNotNull(firstRequest.headers().get("ce_id"));
        assertEquals(2, ups.get(0).targetCount());
        Duration submitToScale = Duration.between(
                Instant.parse(a.path("submittedAt").asText()), ups.get(0).at());
        System.out.printf("E2E figure: submission -> scale request %d ms%n", submitToScale.toMillis());
        Set<String> nodesA = new HashSet<>();
        a.path("nodes").forEach(n -> nodesA.add(n.asText()));
        assertEquals(2, nodesA.size());

        // the nodes are idle now (idle time 5 s): a second job reuses them without a new scale-up
        String jobB = submit("""
                type: command
                compute: azureml:e2e-cluster
                command: echo "second job on rank $NODE_RANK"
                resources: {instance_count: 2}
                """);
        JsonNode b = awaitTerminal(jobB);
        assertEquals("Completed", b.path("state").asText(), b.toString());
        Set<String> nodesB = new HashSet<>();
        b.path("nodes").forEach(n -> nodesB.add(n.asText()));
        assertEquals(nodesA, nodesB, "the second job ran on the idle nodes of the first");
        assertEquals(1, scaleUps().size(), "no new scale-up for the second job: " + scaleUps());

        // after the idle time the cluster goes back to 0
        await().atMost(Duration.ofSeconds(40))
                .until(() -> nodeCount(CLUSTER) == 0
                        && deleted(nodeEvents(CLUSTER))
                                .containsAll(nodesA)); // the autoscaler's count drops when it decides
        List<NodeStateChanged> nodeEvents = nodeEvents(CLUSTER);
        assertEquals(2, maxLiveNodes(nodeEvents), "the cluster went 0 -> 2");
        assertEquals(nodesA, deleted(nodeEvents), "both nodes were removed after the idle time");
        assertNoNodeRemovedWhileRunning(nodeEvents, recorder.events(Topics.JOBS_RUNS, JobRunReported.class));
    }

    @Test
    void badSubmissionsOnKafkaGoToTheDeadLetterTopicAndTheConsumerKeepsGoing() throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                stack.kafkaClientConfig(KafkaAccess.PRODUCER), new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(Topics.PRODUCER_SUBMISSIONS, DLQ_CLUSTER, "{ this is not json"))
                    .get();
            producer.send(new ProducerRecord<>(Topics.PRODUCER_SUBMISSIONS, "nope", """
                    {"jobId":"bad-unknown-cluster","cluster":"nope","spec":{"command":"echo","instanceCount":1}}"""))
                    .get();
            producer.send(new ProducerRecord<>(Topics.PRODUCER_SUBMISSIONS, DLQ_CLUSTER, """
                    {"jobId":"bad-too-many","cluster":"e2e-small","spec":{"command":"echo","instanceCount":3}}"""))
                    .get();
            producer.send(new ProducerRecord<>(Topics.PRODUCER_SUBMISSIONS, DLQ_CLUSTER, """
                    {"jobId":"good-after-bad","cluster":"e2e-small","spec":{"command":"echo fine","instanceCount":1}}"""))
                    .get();
        }
        // the unreadable record and the one asking too much are dead-lettered; the one for cluster 'nope' is a valid
        // record: its job waits until the scheduler has read the clusters topic to its end, then fails
        await().atMost(Duration.ofSeconds(30))
                .until(() -> recorder.on(Topics.JOBS_SUBMITTED_DLQ).size() >= 2);
        List<TopicRecorder.Recorded> dead = recorder.on(Topics.JOBS_SUBMITTED_DLQ);
        assertEquals("{ this is not json", dead.get(0).value());
        assertTrue(
                dead.get(0).headers().get("dead-letter-reason").contains("not a JSON document"),
                dead.get(0).headers().toString());
        assertTrue(dead.get(1).headers().get("dead-letter-reason").contains("max_instances 1"));

        JsonNode unknown = awaitTerminal("bad-unknown-cluster");
        assertEquals("Failed", unknown.path("state").asText());
        assertTrue(unknown.path("reason").asText().contains("unknown cluster 'nope'"), unknown.toString());
        JsonNode tooMany = awaitTerminal("bad-too-many");
        assertEquals("Failed", tooMany.path("state").asText());
        assertTrue(tooMany.path("reason").asText().contains("max_instances 1"), tooMany.toString());
        assertEquals("Completed", awaitTerminal("good-after-bad").path("state").asText(), "the consumer kept going");
        assertEquals(
                2,
                recorder.on(Topics.JOBS_SUBMITTED_DLQ).size(),
                "a job for an unknown cluster is Failed, not dead-lettered");
    }

    @Test
    void badSubmissionsOnRestGetAClearError() throws Exception {
        HttpResponse<String> notYaml = post("command: [unclosed");
        assertEquals(400, notYaml.statusCode());
        assertTrue(notYaml.body().contains("not valid YAML or JSON"), notYaml.body());
        HttpResponse<String> unknown = post("command: echo\ncompute: azureml:nope\n");
        assertEquals(404, unknown.statusCode());
        assertTrue(unknown.body().contains("unknown cluster 'nope'"), unknown.body());
        HttpResponse<String> tooMany =
                post("command: echo\ncompute: azureml:e2e-small\nresources: {instance_count: 2}\n");
        assertEquals(400, tooMany.statusCode());
        assertTrue(tooMany.body().contains("max_instances 1"), tooMany.body());
    }

    @Test
    void aRunningJobIsCanceledAndItsProcessesStop() throws Exception {
        String job = submit("""
                type: command
                compute: azureml:e2e-small
                command: echo started; sleep 600
                """);
        await().atMost(Duration.ofSeconds(60)).until(() -> "Running".equals(stateOf(job)));
        HttpResponse<String> r = HTTP.send(
                authorized(URI.create(stack.url("job-submitter") + "/jobs/" + job + "/cancel"))
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        JsonNode canceled = awaitTerminal(job);
        assertEquals("Canceled", canceled.path("state").asText(), canceled.toString());
        assertEquals("canceled by e2e", canceled.path("reason").asText());
        await().atMost(Duration.ofSeconds(15))
                .until(() -> ProcessHandle.allProcesses()
                        .noneMatch(h ->
                                h.info().commandLine().orElse("").contains("sleep 600"))); // the job's process is gone
        HttpResponse<String> again = HTTP.send(
                authorized(URI.create(stack.url("job-submitter") + "/jobs/" + job + "/cancel"))
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(409, again.statusCode(), again.body());
        assertTrue(again.body().contains("already ended"), again.body());
    }

    private static String stateOf(String jobId) throws Exception {
        return client.stateOf(jobId);
    }

    @Test
    void everyServiceAnswersHealthAndMetrics() throws Exception {
        for (String service : LocalStack.SERVICES.keySet()) {
            assertEquals(200, status(stack.url(service) + "/q/health"), service);
            // no token: health and metrics stay open, the API does not
            assertEquals(
                    401,
                    HTTP.send(
                                    HttpRequest.newBuilder(URI.create(stack.url(service) + PROTECTED.get(service)))
                                            .build(),
                                    HttpResponse.BodyHandlers.discarding())
                            .statusCode(),
                    service);
            HttpResponse<String> metrics = HTTP.send(
                    HttpRequest.newBuilder(URI.create(stack.url(service) + "/q/metrics"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, metrics.statusCode(), service);
            assertTrue(metrics.body().contains("jvm_memory_used_bytes"), service);
        }
    }

    // --- helpers ---

    private static List<ScaleRequested> scaleUps() {
        return recorder.events(Topics.SCALE_REQUESTS, ScaleRequested.class).stream()
                .filter(r -> r.cluster().equals(CLUSTER) && r.removeNodes().isEmpty())
                .toList();
    }

    private static List<NodeStateChanged> nodeEvents(String cluster) {
        return recorder.events(Topics.NODES_STATE, NodeStateChanged.class).stream()
                .filter(e -> e.cluster().equals(cluster))
                .toList();
    }

    private static int maxLiveNodes(List<NodeStateChanged> events) {
        Map<String, NodeState> states = new HashMap<>();
        int max = 0;
        for (NodeStateChanged e : events) {
            states.put(e.node(), e.state());
            max = Math.max(max, (int)
                    states.values().stream().filter(NodeState::isLive).count());
        }
        return max;
    }

    private static Set<String> deleted(List<NodeStateChanged> events) {
        Set<String> names = new HashSet<>();
        events.stream().filter(e -> e.state() == NodeState.deleted).forEach(e -> names.add(e.node()));
        return names;
    }

    /** No node left (leaving/deleted) while it was running a job, by node events and by job run reports. */
    private static void assertNoNodeRemovedWhileRunning(List<NodeStateChanged> nodeEvents, List<JobRunReported> runs) {
        Map<String, NodeState> last = new HashMap<>();
        for (NodeStateChanged e : nodeEvents) {
            if (e.state() == NodeState.leaving || e.state() == NodeState.deleted) {
                assertFalse(last.get(e.node()) == NodeState.running, "node " + e.node() + " removed while running");
            }
            last.put(e.node(), e.state());
        }
        Map<String, Integer> open = new HashMap<>();
        runs.forEach(r -> {
            if (r.phase() == RunPhase.STARTED) {
                open.merge(r.node(), 1, Integer::sum);
            } else if (r.phase() == RunPhase.EXITED) {
                open.merge(r.node(), -1, Integer::sum);
            }
        });
        open.forEach((node, count) -> assertEquals(0, count, "every run on " + node + " exited"));
        assertTrue(
                runs.stream()
                        .noneMatch(r -> r.phase() == RunPhase.EXITED
                                && r.exitCode() != 0
                                && r.cluster().equals(CLUSTER)),
                "no run on " + CLUSTER + " was cut short: " + runs);
    }

    private static int nodeCount(String cluster) throws Exception {
        JsonNode c = getJson(stack.url("autoscaler") + "/clusters/" + cluster);
        return c == null ? -1 : c.path("currentNodeCount").asInt();
    }

    private static String submit(String yaml) throws Exception {
        return client.submit(yaml);
    }

    private static HttpResponse<String> post(String yaml) throws Exception {
        return client.post(yaml);
    }

    private static JsonNode awaitTerminal(String jobId) {
        return client.awaitTerminal(jobId, Duration.ofSeconds(60));
    }

    /** Every request carries an operator token signed with the stack's key. */
    private static HttpRequest.Builder authorized(URI uri) {
        return HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + token);
    }

    private static JsonNode getJson(String url) throws Exception {
        return client.getJson(url);
    }

    private static boolean knownToSubmitter(String cluster) throws Exception {
        return client.knownToSubmitter(cluster);
    }

    private static int status(String url) {
        return client.status(url);
    }
}
