package dev.ebbtide.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ebbtide.common.events.NodeState;
import dev.ebbtide.common.events.NodeStateChanged;
import dev.ebbtide.common.events.ScaleRequested;
import dev.ebbtide.common.events.Topics;
import dev.ebbtide.devsupport.KafkaAccess;
import dev.ebbtide.devsupport.LocalStack;
import dev.ebbtide.devsupport.TopicRecorder;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The compute kinds through real node agents on the real broker and database: an attached pool ({@code type:
 * virtualmachine}, as the CLI v2 writes it) of two machines started like {@code ./ebbtide attach lab --nodes 2} runs a
 * 2-node job and is never scaled; {@code compute: local} runs at once on the stack's own agent; a compute instance
 * runs a job, stops when idle, keeps a job waiting while stopped, and is started and stopped through its API.
 */
class ComputeKindsEndToEndTest {
    static final String SECRET = "e2e-Secret-Passw0rd";

    @TempDir
    static Path tmp;

    static LocalStack stack;
    static TopicRecorder recorder;
    static StackClient client;
    static Path state;

    @BeforeAll
    static void startStack() throws Exception {
        Path root = Path.of(System.getProperty("ebbtide.repo.root", ".."))
                .toAbsolutePath()
                .normalize();
        Path clusters = Files.createDirectories(tmp.resolve("clusters"));
        Files.writeString(clusters.resolve("lab.yml"), """
                $schema: https://azuremlschemas.azureedge.net/latest/vmCompute.schema.json
                name: lab
                type: virtualmachine
                resource_id: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/lab-box
                ssh_settings:
                  admin_username: azureuser
                  admin_password: %s
                """.formatted(SECRET));
        Files.writeString(clusters.resolve("ci-e2e.yml"), """
                $schema: https://azuremlschemas.azureedge.net/latest/computeInstance.schema.json
                name: ci-e2e
                type: computeinstance
                size: Standard_DS3_v2
                idle_time_before_shutdown: PT8S
                """);
        Files.writeString(clusters.resolve("spot.yml"), """
                name: spot
                type: amlcompute
                tier: low_priority
                min_instances: 0
                max_instances: 2
                idle_time_before_scale_down: 5
                """);
        Files.writeString(clusters.resolve("dedi.yml"), "name: dedi\ntype: amlcompute\nmax_instances: 1\n");
        state = root.resolve("e2e-tests/target/e2e-attached-state");
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
                stack.kafkaClientConfig(KafkaAccess.ADMIN), List.of(Topics.NODES_STATE, Topics.SCALE_REQUESTS));
        assertEquals(List.of("lab-0", "lab-1"), stack.attach("lab", 2)); // ./ebbtide attach lab --nodes 2
        await().atMost(Duration.ofSeconds(60))
                .until(() -> tooBigIsRefused("lab")
                        && tooBigIsRefused("local")
                        && tooBigIsRefused("ci-e2e")
                        && tooBigIsRefused("spot")
                        && tooBigIsRefused("dedi")
                        && idle("lab").size() == 2
                        && idle("local").size() == 1);
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
    void anAttachedPoolOfTwoMachinesRunsATwoNodeJobAndIsNeverScaled() throws Exception {
        String job = client.submit("""
                type: command
                compute: azureml:lab
                command: echo "rank $NODE_RANK of $NODE_COUNT on the lab"
                resources: {instance_count: 2}
                """);
        JsonNode done = client.awaitTerminal(job, Duration.ofSeconds(40));
        assertEquals("Completed", done.path("state").asText(), done.toString());
        List<String> nodes = StackClient.nodes(done);
        assertEquals(Set.of("lab-0", "lab-1"), new HashSet<>(nodes), "gang-placed across both machines");
        for (int rank = 0; rank < 2; rank++) {
            Path log = LocalStack.attachedDir(state)
                    .resolve(nodes.get(rank))
                    .resolve("jobs")
                    .resolve(job)
                    .resolve("attempt-1")
                    .resolve("rank-" + rank + ".log");
            assertEquals(
                    "rank " + rank + " of 2 on the lab", Files.readString(log).strip(), "ran on its machine");
        }
        // for 3 s of autoscaler ticks after the job (idle nodes, no queue): nothing asks to remove them
        await().during(Duration.ofSeconds(3))
                .atMost(Duration.ofSeconds(5))
                .until(() -> scaleRequests("lab").isEmpty());
        List<NodeState> seen =
                nodeEvents("lab").stream().map(NodeStateChanged::state).toList();
        assertFalse(
                seen.contains(NodeState.preparing)
                        || seen.contains(NodeState.leaving)
                        || seen.contains(NodeState.deleted),
                "never created or deleted: " + seen);
        for (String node : nodes) {
            assertFalse(
                    StackClient.processesIn(LocalStack.attachedDir(state).resolve(node))
                            .isEmpty(),
                    "the machine's agent still runs: " + node);
        }
        JsonNode view = client.getJson(stack.url("autoscaler") + "/clusters/lab");
        assertTrue(
                view.path("lastReasons").get(0).asText().startsWith("NOT_SCALED: lab is attached compute"),
                view.toString());
        assertEquals(2, view.path("currentNodeCount").asInt(), view.toString());
    }

    @Test
    void theAttachedPoolsSecretsAreNeitherReturnedNorLogged() throws Exception {
        for (String url : List.of(
                stack.url("autoscaler") + "/clusters/lab",
                stack.url("autoscaler") + "/clusters",
                stack.url("provisioner") + "/nodes")) {
            HttpResponse<String> r = StackClient.HTTP.send(
                    client.authorized(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
            assertFalse(r.body().contains(SECRET), url + " shows the password");
        }
        assertTrue(client.getJson(stack.url("autoscaler") + "/clusters/lab")
                .toString()
                .contains("(hidden)"));
        try (Stream<Path> logs = Files.walk(state.resolve("logs"))) {
            for (Path log : logs.filter(Files::isRegularFile).toList()) {
                assertFalse(Files.readString(log).contains(SECRET), log + " logs the password");
            }
        }
    }

    @Test
    void computeLocalRunsAtOnceOnThisMachinesAgentWithoutScaling() throws Exception {
        Instant submitted = Instant.now();
        String job = client.submit("""
                type: command
                compute: local
                command: echo "hello from $(hostname)"
                """);
        JsonNode done = client.awaitTerminal(job, Duration.ofSeconds(30));
        assertEquals("Completed", done.path("state").asText(), done.toString());
        assertEquals(List.of("local-0"), StackClient.nodes(done));
        System.out.printf(
                "E2E figure: compute: local submission -> Completed %d ms%n",
                Duration.between(submitted, Instant.now()).toMillis());
        assertTrue(scaleRequests("local").isEmpty(), "no scaling for local: " + scaleRequests("local"));
        assertFalse(nodeEvents("local").stream().anyMatch(e -> e.state() == NodeState.preparing), "no boot");
        HttpResponse<String> twoNodes = client.post("command: echo\ncompute: local\nresources: {instance_count: 2}\n");
        assertEquals(400, twoNodes.statusCode(), "local is this one machine: " + twoNodes.body());
    }

    @Test
    void anInstanceRunsAJobStopsWhenIdleKeepsAJobWaitingWhileStoppedAndIsStartedAndStoppedByItsApi() throws Exception {
        await().atMost(Duration.ofSeconds(30))
                .until(() -> Set.of("Running", "Stopped").contains(instanceState()));
        if (!"Running".equals(instanceState())) { // the idle shutdown came first: start it as a user would
            assertEquals(200, compute("start").statusCode());
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> "Running".equals(instanceState()));
        String job = client.submit("type: command\ncompute: azureml:ci-e2e\ncommand: echo on the instance\n");
        JsonNode done = client.awaitTerminal(job, Duration.ofSeconds(30));
        assertEquals("Completed", done.path("state").asText(), done.toString());
        assertEquals(List.of("ci-e2e"), StackClient.nodes(done), "its one node is named as the instance");

        await().atMost(Duration.ofSeconds(30)).until(() -> "Stopped".equals(instanceState())); // idle 8 s
        JsonNode stopped = client.getJson(stack.url("provisioner") + "/computes/ci-e2e");
        assertTrue(stopped.path("reason").asText().contains("idle_time_before_shutdown"), stopped.toString());
        await().atMost(Duration.ofSeconds(10))
                .until(() -> StackClient.processesIn(stack.nodesDir().resolve("ci-e2e"))
                        .isEmpty());

        String waiting = client.submit("type: command\ncompute: azureml:ci-e2e\ncommand: echo after the start\n");
        await().during(Duration.ofSeconds(2))
                .atMost(Duration.ofSeconds(4))
                .until(() -> "Queued".equals(client.stateOf(waiting)));
        assertTrue(
                client.job(waiting)
                        .path("reason")
                        .asText()
                        .startsWith("waiting: compute instance ci-e2e is Stopped " + "(idle for 8 s"),
                "says why at once: " + client.job(waiting));
        HttpResponse<String> started = compute("start");
        assertEquals(200, started.statusCode(), started.body());
        assertEquals(
                "Completed",
                client.awaitTerminal(waiting, Duration.ofSeconds(30))
                        .path("state")
                        .asText());
        await().atMost(Duration.ofSeconds(10)).until(() -> "Running".equals(instanceState()));
        HttpResponse<String> again = compute("start");
        assertEquals(409, again.statusCode());
        assertTrue(
                again.body().contains("ci-e2e is Running: only a Stopped or Failed instance can be started"),
                again.body());

        // a job queued behind a busy instance that an operator stops says why it waits, and runs once it is started
        Path marker = StackClient.markerDir("compute-kinds-ci").resolve("ci.go");
        String busy = client.submit(
                "type: command\ncompute: azureml:ci-e2e\ncommand: while [ ! -f " + marker + " ]; do sleep 0.2; done\n");
        await().atMost(Duration.ofSeconds(20)).until(() -> "Running".equals(client.stateOf(busy)));
        String behind = client.submit("type: command\ncompute: azureml:ci-e2e\ncommand: echo behind\n");
        await().atMost(Duration.ofSeconds(10)).until(() -> "Queued".equals(client.stateOf(behind)));
        assertEquals(200, compute("stop").statusCode());
        assertEquals("Stopped", instanceState());
        await().atMost(Duration.ofSeconds(20))
                .until(() -> client.job(behind)
                        .path("reason")
                        .asText()
                        .startsWith("waiting: compute instance ci-e2e is Stopped (stopped by an operator)"));
        Files.writeString(marker, "go");
        assertEquals(200, compute("start").statusCode());
        assertEquals(
                "Completed",
                client.awaitTerminal(busy, Duration.ofSeconds(40)).path("state").asText(),
                "the stopped job ran again once the instance was back");
        assertEquals(
                "Completed",
                client.awaitTerminal(behind, Duration.ofSeconds(40))
                        .path("state")
                        .asText());
        assertEquals(200, compute("stop").statusCode());
        assertEquals("Stopped", instanceState());
        assertTrue(scaleRequests("ci-e2e").isEmpty(), "an instance is never scaled: " + scaleRequests("ci-e2e"));
    }

    /**
     * examples/spot-resume/job.yml on a low-priority cluster: its node's eviction notice gives the job SIGTERM (it
     * records it and saves its step counter), the job is requeued, and its second attempt resumes from the checkpoint
     * on another node and completes; the evicted node goes once its agent has acknowledged the event.
     */
    @Test
    void anEvictedSpotNodesJobGetsSigtermAndResumesFromItsCheckpointOnAnotherNode() throws Exception {
        HttpResponse<String> refused = evict("dedi", "dedi-0");
        assertEquals(409, refused.statusCode(), refused.body());
        assertTrue(
                refused.body().contains("cluster dedi is dedicated: only nodes of a low-priority cluster"),
                refused.body());
        Path root = Path.of(System.getProperty("ebbtide.repo.root", ".."))
                .toAbsolutePath()
                .normalize();
        String example = Files.readString(root.resolve("examples/spot-resume/job.yml"));
        assertTrue(example.contains("STEPS: \"30\"") && example.contains("compute: azureml:spot"), example);
        String job = client.submit(example.replace("STEPS: \"30\"", "STEPS: \"8\""));
        await().atMost(Duration.ofSeconds(60)).until(() -> "Running".equals(client.stateOf(job)));
        String node = StackClient.nodes(client.job(job)).get(0);
        Path step = stack.nodesDir().resolve(node).resolve("jobs/" + job + "/attempt-1/outputs/checkpoint/step");
        await().atMost(Duration.ofSeconds(30))
                .until(() -> Files.exists(step)
                        && Integer.parseInt(Files.readString(step).strip()) >= 2);

        HttpResponse<String> evicted = evict("spot", node);
        assertEquals(202, evicted.statusCode(), evicted.body());
        assertTrue(evicted.body().contains("gets a Preempt notice (30 s)"), evicted.body());
        JsonNode done = client.awaitTerminal(job, Duration.ofSeconds(120));
        assertEquals("Completed", done.path("state").asText(), done.toString());
        assertEquals(2, done.path("attempt").asInt(), "requeued once: " + done);
        assertFalse(StackClient.nodes(done).contains(node), "ran again on another node: " + done);

        List<String> history = Files.readAllLines(
                state.resolve("datastores/workspaceblobstore/azureml/" + job + "/checkpoint/history"));
        assertEquals(4, history.size(), history.toString());
        assertEquals("attempt 1 started at step 0", history.get(0));
        java.util.regex.Matcher term = java.util.regex.Pattern.compile("attempt 1 got SIGTERM at step (\\d+)")
                .matcher(history.get(1));
        assertTrue(term.matches(), "the job recorded the SIGTERM: " + history);
        int saved = Integer.parseInt(term.group(1));
        assertTrue(saved >= 2 && saved < 8, history.toString());
        assertEquals("attempt 2 started at step " + saved, history.get(2), "resumed, not restarted: " + history);
        assertEquals("attempt 2 finished at step 8", history.get(3));

        assertTrue(
                nodeEvents("spot").stream()
                        .anyMatch(e -> e.node().equals(node)
                                && e.state() == NodeState.preempted
                                && job.equals(e.jobId())
                                && e.reason().startsWith("eviction notice: the cloud takes the VM back at")),
                "the node was preempted by its notice");
        assertTrue(
                Files.readString(stack.nodesDir().resolve(node).resolve("scheduledevents.json.ack"))
                        .startsWith("{\"StartRequests\":[{\"EventId\":"),
                "its agent acknowledged the event");
        await().atMost(Duration.ofSeconds(10))
                .until(() ->
                        StackClient.processesIn(stack.nodesDir().resolve(node)).isEmpty());
    }

    static HttpResponse<String> evict(String cluster, String node) throws Exception {
        return StackClient.HTTP.send(
                client.authorized(URI.create(stack.url("provisioner") + "/clusters/" + cluster + "/nodes/" + node
                                + "/simulate-eviction"))
                        .POST(java.net.http.HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static String instanceState() throws Exception {
        JsonNode view = client.getJson(stack.url("provisioner") + "/computes/ci-e2e");
        return view == null ? null : view.path("state").asText();
    }

    static HttpResponse<String> compute(String action) throws Exception {
        return StackClient.HTTP.send(
                client.authorized(URI.create(stack.url("provisioner") + "/computes/ci-e2e/" + action))
                        .POST(java.net.http.HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static boolean tooBigIsRefused(String cluster) throws Exception {
        return client.post("command: echo\ncompute: azureml:" + cluster + "\nresources: {instance_count: 5000}\n")
                        .statusCode()
                == 400;
    }

    static List<NodeStateChanged> nodeEvents(String cluster) {
        return recorder.events(Topics.NODES_STATE, NodeStateChanged.class).stream()
                .filter(e -> e.cluster().equals(cluster))
                .toList();
    }

    static Set<String> idle(String cluster) {
        Set<String> idle = new HashSet<>();
        for (NodeStateChanged e : nodeEvents(cluster)) {
            if (e.state() == NodeState.idle) {
                idle.add(e.node());
            } else {
                idle.remove(e.node());
            }
        }
        return idle;
    }

    static List<ScaleRequested> scaleRequests(String cluster) {
        return recorder.events(Topics.SCALE_REQUESTS, ScaleRequested.class).stream()
                .filter(e -> e.cluster().equals(cluster))
                .toList();
    }
}
