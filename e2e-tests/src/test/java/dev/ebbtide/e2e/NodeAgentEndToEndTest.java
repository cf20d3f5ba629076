package dev.ebbtide.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.common.events.JobAssigned;
import dev.ebbtide.common.events.JobRunReported;
import dev.ebbtide.common.events.JobSpec;
import dev.ebbtide.common.events.JobState;
import dev.ebbtide.common.events.JobStateChanged;
import dev.ebbtide.common.events.NodeAgentStatus;
import dev.ebbtide.common.events.NodeState;
import dev.ebbtide.common.events.NodeStateChanged;
import dev.ebbtide.common.events.RunPhase;
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
import java.util.List;
import java.util.Locale;
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
 * The node agents end to end, with failures: the provisioner killed with -9 during a 2-node job, one agent killed
 * with -9 during a 2-node job, the distributed rendezvous example, and a job with a bad environment variable name.
 * Heartbeats every second and nodes lost after 5 s keep it short; each scenario has its cluster.
 */
class NodeAgentEndToEndTest {
    @TempDir
    static Path tmp;

    static LocalStack stack;
    static TopicRecorder recorder;
    static StackClient client;

    @BeforeAll
    static void startStack() throws Exception {
        Path root = Path.of(System.getProperty("ebbtide.repo.root", ".."))
                .toAbsolutePath()
                .normalize();
        Path clusters = Files.createDirectories(tmp.resolve("clusters"));
        for (String c : List.of("crash:2:3", "lossy:3:3", "dist:2:3", "strict:1:60", "brains:2:3")) {
            String[] nameMaxIdle = c.split(":");
            Files.writeString(
                    clusters.resolve(nameMaxIdle[0] + ".yml"),
                    "name: " + nameMaxIdle[0] + "\ntype: amlcompute\n"
                            + "min_instances: 0\nmax_instances: " + nameMaxIdle[1] + "\nidle_time_before_scale_down: "
                            + nameMaxIdle[2] + "\n");
        }
        Path state = root.resolve("e2e-tests/target/e2e-agents-state");
        StackClient.deleteTree(state);
        stack = LocalStack.start(new LocalStack.Options(
                root,
                Files.createDirectories(state),
                0,
                0,
                true,
                clusters,
                Map.of(
                        "provisioner:ebbtide.local.agent-heartbeat-interval",
                        "1s",
                        "provisioner:ebbtide.node-lost-after",
                        "5s")));
        client = new StackClient(stack, stack.token("e2e", "operator"));
        recorder = new TopicRecorder(
                stack.kafkaClientConfig(KafkaAccess.ADMIN),
                List.of(
                        Topics.NODES_STATE,
                        Topics.NODES_AGENTS,
                        Topics.JOBS_RUNS,
                        Topics.JOBS_ASSIGNMENTS,
                        Topics.JOBS_STATE));
        await().atMost(Duration.ofSeconds(60))
                .until(() -> client.knownToSubmitter("crash")
                        && client.knownToSubmitter("lossy")
                        && client.knownToSubmitter("dist")
                        && client.knownToSubmitter("strict")
                        && client.knownToSubmitter("brains"));
    }

    @AfterAll
    static void stopStack() throws Exception {
        if (recorder != null) {
            printAnnounceFigure();
            recorder.close();
        }
        if (stack != null) {
            stack.close();
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> StackClient.processesIn(stack.nodesDir()).isEmpty());
        }
    }

    @Test
    void aRunningJobSurvivesTheProvisionerKilledAndRestartedAndItsNodesAreRemovedAfterwards() throws Exception {
        Path marker = StackClient.markerDir("node-agents-crash").resolve("crash.go");
        String job = client.submit(waitingJob("crash", marker));
        await().atMost(Duration.ofSeconds(60)).until(() -> "Running".equals(client.stateOf(job)));
        List<String> nodes = StackClient.nodes(client.job(job));
        List<Long> agents = nodes.stream().map(this::agentPid).toList();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> StackClient.jobProcesses(nodes.get(1), job).size() > 0);

        stack.kill("provisioner");
        for (long pid : agents) {
            assertTrue(
                    ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
                    "kill -9 of the provisioner spares agent " + pid);
        }
        int seenBefore = nodeEvents("crash").size();
        stack.restart("provisioner");
        // the dead member leaves the group after its session timeout (10 s); then the new process takes the clusters
        // over from their records on ebbtide.provisioner.state: it already knows both nodes run the job, so it
        // publishes nothing for them (no regression to preparing, no phantom)
        await().atMost(Duration.ofSeconds(30)).until(() -> ownedClusters() > 0);
        List<NodeStateChanged> afterRestart =
                nodeEvents("crash").subList(seenBefore, nodeEvents("crash").size());
        afterRestart.forEach(e -> assertEquals(NodeState.running, e.state(), "known at once, still running: " + e));
        afterRestart.forEach(e -> assertEquals(job, e.jobId(), "still running the job: " + e));

        Files.writeString(marker, "go");
        JsonNode done = client.awaitTerminal(job, Duration.ofSeconds(60));
        assertEquals("Completed", done.path("state").asText(), done.toString());
        await().atMost(Duration.ofSeconds(40))
                .until(() -> deletedTimes("crash", nodes.get(0)) == 1 && deletedTimes("crash", nodes.get(1)) == 1);
        assertTrue(
                nodeEvents("crash").stream()
                        .noneMatch(e -> e.state() == NodeState.lost || e.state() == NodeState.unusable),
                "nothing lost: " + nodeEvents("crash"));
        assertEquals(1, assignments(job).size(), "the job ran once");
        for (String node : nodes) {
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> StackClient.processesIn(stack.nodesDir().resolve(node))
                            .isEmpty());
        }
        assertTrue(StackClient.processesWith("crash-job-token").isEmpty(), "no orphan process");
    }

    @Test
    void aJobThatEndsWhileTheSchedulerAndAutoscalerAreDeadCompletesOnceWhenTheyAreBack() throws Exception {
        Path marker = StackClient.markerDir("node-agents-brains").resolve("brains.go");
        String job = client.submit(waitingJob("brains", marker));
        await().atMost(Duration.ofSeconds(60)).until(() -> "Running".equals(client.stateOf(job)));
        List<String> nodes = StackClient.nodes(client.job(job));

        stack.kill("scheduler");
        stack.kill("autoscaler");
        Files.writeString(marker, "go"); // the ranks end while nobody listens: their reports wait on Kafka
        await().atMost(Duration.ofSeconds(20))
                .until(() -> reports(job).stream()
                                .filter(r -> r.phase() == RunPhase.EXITED)
                                .count()
                        == 2);
        stack.restart("scheduler");
        stack.restart("autoscaler");

        JsonNode done = client.awaitTerminal(job, Duration.ofSeconds(90)); // the scheduler rejoins its group first
        assertEquals("Completed", done.path("state").asText(), done.toString());
        assertEquals(
                Set.of(JobState.Completed),
                recorder.events(Topics.JOBS_STATE, JobStateChanged.class).stream()
                        .filter(e -> e.jobId().equals(job) && e.state().isTerminal())
                        .map(JobStateChanged::state)
                        .collect(java.util.stream.Collectors.toSet()),
                "exactly one terminal state");
        assertEquals(1, assignments(job).size(), "the job ran once");
        await().atMost(Duration.ofSeconds(60))
                .until(() -> deletedTimes("brains", nodes.get(0)) == 1 && deletedTimes("brains", nodes.get(1)) == 1);
        for (String node : nodes) {
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> StackClient.processesIn(stack.nodesDir().resolve(node))
                            .isEmpty());
        }
        assertTrue(StackClient.processesWith("brains-job-token").isEmpty(), "no orphan process");
    }

    @Test
    void aNodeWhoseAgentIsKilledIsLostAndTheJobRunsAgainOnceElsewhere() throws Exception {
        Path marker = StackClient.markerDir("node-agents-lossy").resolve("lossy.go");
        String job = client.submit(waitingJob("lossy", marker));
        await().atMost(Duration.ofSeconds(60)).until(() -> "Running".equals(client.stateOf(job)));
        List<String> nodes = StackClient.nodes(client.job(job));
        String victim = nodes.get(1);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> StackClient.jobProcesses(victim, job).size() > 0);

        Instant killed = Instant.now();
        ProcessHandle.of(agentPid(victim)).orElseThrow().destroyForcibly();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> nodeEvents("lossy").stream()
                        .anyMatch(e -> e.node().equals(victim) && e.state() == NodeState.lost));
        NodeStateChanged lost = nodeEvents("lossy").stream()
                .filter(e -> e.state() == NodeState.lost)
                .findFirst()
                .orElseThrow();
        assertEquals(victim, lost.node());
        assertEquals(job, lost.jobId());
        System.out.printf(
                "E2E figure: agent kill -9 -> node lost published %d ms (heartbeat 1 s, node-lost-after 5 s)%n",
                Duration.between(killed, lost.at()).toMillis());

        await().atMost(Duration.ofSeconds(60)).until(() -> assignments(job).size() == 2);
        assertEquals(2, assignments(job).get(1).attempt(), "requeued once: attempt 2");
        await().atMost(Duration.ofSeconds(30)).until(() -> runningAgainAfter(job, lost.at()) != null);
        System.out.printf(
                "E2E figure: agent kill -9 -> job Running again (attempt 2) %d ms%n",
                Duration.between(killed, runningAgainAfter(job, lost.at())).toMillis());
        Files.writeString(marker, "go");
        JsonNode done = client.awaitTerminal(job, Duration.ofSeconds(60));
        assertEquals("Completed", done.path("state").asText(), done.toString());
        assertFalse(StackClient.nodes(done).contains(victim), "attempt 2 ran elsewhere: " + done);
        assertEquals(2, assignments(job).size(), "exactly one requeue");
        assertEquals(1, deletedTimes("lossy", victim), "the lost node is removed");
        for (String node : nodes) {
            assertEquals(List.of(), StackClient.jobProcesses(node, job), "nothing of attempt 1 is left on " + node);
        }
    }

    @Test
    void theDistributedRendezvousExampleCompletesOnTwoNodes() throws Exception {
        Path root = Path.of(System.getProperty("ebbtide.repo.root", ".."))
                .toAbsolutePath()
                .normalize();
        String yaml = Files.readString(root.resolve("examples/distributed.yml"))
                .replaceAll("compute: azureml:\\S+", "compute: azureml:dist");
        String job = client.submit(yaml);
        JsonNode done = client.awaitTerminal(job, Duration.ofSeconds(90));
        assertEquals("Completed", done.path("state").asText(), done.toString());
        List<String> nodes = StackClient.nodes(done);
        assertEquals(2, nodes.size());
        String rank0 = client.rankLog(nodes.get(0), job, 1, 0);
        assertTrue(rank0.contains("all 1 peers met"), rank0);
        assertTrue(client.rankLog(nodes.get(1), job, 1, 1).contains("said welcome"));
    }

    @Test
    void aBadEnvironmentVariableNameFailsTheJobClearlyAndTheAgentKeepsServing() throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                stack.kafkaClientConfig(KafkaAccess.PRODUCER), new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(Topics.PRODUCER_SUBMISSIONS, "strict", """
                    {"jobId":"bad-env-name","cluster":"strict","spec":{"command":"echo never","instanceCount":1,
                     "environmentVariables":{"BAD=NAME":"x"}},"submittedAt":"2026-01-01T00:00:00Z"}"""))
                    .get();
            JsonNode bad = client.awaitTerminal("bad-env-name", Duration.ofSeconds(90));
            assertEquals("Failed", bad.path("state").asText(), bad.toString());
            assertTrue(
                    bad.path("reason").asText().toLowerCase(Locale.ROOT).contains("environment variable"),
                    bad.toString());
            assertTrue(reports("bad-env-name").stream().noneMatch(r -> r.phase() == RunPhase.STARTED), "nothing ran");

            String good = client.submit("command: echo still serving\ncompute: azureml:strict\n");
            JsonNode done = client.awaitTerminal(good, Duration.ofSeconds(60));
            assertEquals("Completed", done.path("state").asText(), done.toString());
            String node = StackClient.nodes(done).get(0);
            assertEquals("still serving", client.rankLog(node, good, 1, 0).strip());

            // past the scheduler's check, straight to the node: the agent refuses it, the node is idle again
            JobAssigned direct = new JobAssigned(
                    "direct-bad-env",
                    "strict",
                    List.of(node),
                    new JobSpec("echo never", 1, Map.of("BAD=NAME", "x"), null, null, null, null),
                    1,
                    List.of("127.0.0.1"),
                    List.of(29999),
                    Instant.now());
            try (KafkaProducer<String, String> scheduler =
                    new KafkaProducer<>( // only the scheduler may write assignments
                            stack.kafkaClientConfig(KafkaAccess.ADMIN),
                            new StringSerializer(),
                            new StringSerializer())) {
                scheduler
                        .send(new ProducerRecord<>(Topics.JOBS_ASSIGNMENTS, "strict", EventJson.write(direct)))
                        .get();
            }
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> !reports("direct-bad-env").isEmpty());
            JobRunReported refused = reports("direct-bad-env").get(0);
            assertTrue(
                    refused.phase() != RunPhase.STARTED && refused.reason().contains("BAD=NAME"), refused.toString());
            await().atMost(Duration.ofSeconds(10)).until(() -> lastState("strict", node) == NodeState.idle);
        }
        String again = client.submit("command: echo still serving\ncompute: azureml:strict\n");
        JsonNode done = client.awaitTerminal(again, Duration.ofSeconds(60));
        assertEquals("Completed", done.path("state").asText(), done.toString());
        assertTrue(nodeEvents("strict").stream().noneMatch(e -> e.state() == NodeState.lost), "the agent kept serving");
    }

    // --- helpers ---

    /** A 2-node job whose ranks run until the marker file exists. */
    private static String waitingJob(String cluster, Path marker) {
        return """
                type: command
                compute: azureml:%s
                command: ': %s-job-token; while [ ! -f "$MARKER" ]; do sleep 0.2; done; echo "rank $NODE_RANK done"'
                environment_variables: {MARKER: "%s"}
                resources: {instance_count: 2}
                """.formatted(cluster, cluster, marker);
    }

    private long agentPid(String node) {
        try {
            return Long.parseLong(
                    Files.readString(stack.nodesDir().resolve(node).resolve("agent.pid"))
                            .strip());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<NodeStateChanged> nodeEvents(String cluster) {
        return recorder.events(Topics.NODES_STATE, NodeStateChanged.class).stream()
                .filter(e -> e.cluster().equals(cluster))
                .toList();
    }

    private static long deletedTimes(String cluster, String node) {
        return nodeEvents(cluster).stream()
                .filter(e -> e.node().equals(node) && e.state() == NodeState.deleted)
                .count();
    }

    private static List<JobAssigned> assignments(String job) {
        return recorder.events(Topics.JOBS_ASSIGNMENTS, JobAssigned.class).stream()
                .filter(a -> a.jobId().equals(job))
                .toList();
    }

    private static List<JobRunReported> reports(String job) {
        return recorder.events(Topics.JOBS_RUNS, JobRunReported.class).stream()
                .filter(r -> r.jobId().equals(job))
                .toList();
    }

    private static NodeState lastState(String cluster, String node) {
        List<NodeStateChanged> mine =
                nodeEvents(cluster).stream().filter(e -> e.node().equals(node)).toList();
        return mine.isEmpty() ? null : mine.get(mine.size() - 1).state();
    }

    private static Instant runningAgainAfter(String job, Instant after) {
        return recorder.events(Topics.JOBS_STATE, JobStateChanged.class).stream()
                .filter(e -> e.jobId().equals(job) && e.state() == JobState.Running && e.at().isAfter(after))
                .map(JobStateChanged::at)
                .findFirst()
                .orElse(null);
    }

    /** Agent start (the node published preparing, just before its agent process starts) to its ANNOUNCED status. */
    private static void printAnnounceFigure() {
        Map<String, Instant> started = new java.util.HashMap<>();
        recorder.events(Topics.NODES_STATE, NodeStateChanged.class).stream()
                .filter(e -> e.state() == NodeState.preparing)
                .forEach(e -> started.putIfAbsent(e.node(), e.at()));
        List<Long> millis = recorder.events(Topics.NODES_AGENTS, NodeAgentStatus.class).stream()
                .filter(s -> s.kind() == NodeAgentStatus.Kind.ANNOUNCED && started.containsKey(s.node()))
                .map(s -> Duration.between(started.remove(s.node()), s.at()).toMillis())
                .sorted()
                .toList();
        if (!millis.isEmpty()) {
            System.out.printf(
                    "E2E figure: agent start -> ANNOUNCED min %d ms, median %d ms, max %d ms over %d nodes%n",
                    millis.get(0), millis.get(millis.size() / 2), millis.get(millis.size() - 1), millis.size());
        }
    }

    /** The restarted provisioner's {@code ebbtide_provisioner_owned_clusters} gauge (0 until it owns partitions). */
    private static double ownedClusters() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(stack.url("provisioner") + "/q/metrics"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        return r.body()
                .lines()
                .filter(l -> l.startsWith("ebbtide_provisioner_owned_clusters"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .findFirst()
                .orElse(0);
    }
}
