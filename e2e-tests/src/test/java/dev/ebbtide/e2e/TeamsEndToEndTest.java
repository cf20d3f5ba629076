package dev.ebbtide.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ebbtide.common.events.NodeState;
import dev.ebbtide.common.events.NodeStateChanged;
import dev.ebbtide.common.events.Topics;
import dev.ebbtide.devsupport.KafkaAccess;
import dev.ebbtide.devsupport.LocalStack;
import dev.ebbtide.devsupport.TopicRecorder;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Teams sharing clusters as users see them, on the whole stack (services as processes, real broker and PostgreSQL,
 * jobs run by node agents), issue 19's "Done when": a burst from one team does not starve another (fair share, equal
 * weights); a backdated Kafka record does not jump the queue; {@code priority: high} only for a team with the right
 * (REST and Kafka); usage per team and per cluster agrees with the provisioner's node lifetimes; a team at its hard
 * budget waits with the reason until an operator raises it. (A borrowed node reclaimed with a requeue:
 * {@link TeamQuotaEndToEndTest}.) Team {@code alpha} submits through Kafka (the local producer principal is mapped to
 * it) and REST, {@code beta} through REST; only {@code beta} may use {@code high}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TeamsEndToEndTest {
    @TempDir
    static Path tmp;

    static LocalStack stack;
    static StackClient operator;
    static StackClient alpha;
    static StackClient beta;
    static TopicRecorder recorder;
    static KafkaProducer<String, String> producer;

    @BeforeAll
    static void startStack() throws Exception {
        Path root = Path.of(System.getProperty("ebbtide.repo.root", ".."))
                .toAbsolutePath()
                .normalize();
        Path clusters = Files.createDirectories(tmp.resolve("clusters"));
        cluster(clusters, "fair", 3, 300); // the burst against the small team
        cluster(clusters, "ord", 1, 300); // one node: start order is queue order
        cluster(clusters, "use", 2, 5); // nodes that come and go, for usage
        cluster(clusters, "bud", 1, 300); // budgets and priority rights
        Path state = root.resolve("e2e-tests/target/e2e-state-teams");
        StackClient.deleteTree(state);
        stack = LocalStack.start(new LocalStack.Options(
                root,
                Files.createDirectories(state),
                0,
                0,
                true,
                clusters,
                Map.ofEntries(
                        Map.entry("provisioner:ebbtide.local.agent-heartbeat-interval", "1s"),
                        Map.entry("scheduler:ebbtide.teams.producers", "ebbtide-producer=alpha"),
                        Map.entry("scheduler:ebbtide.teams.weights", "alpha=1,beta=1"),
                        Map.entry("scheduler:ebbtide.jobs.high-priority.teams", "beta"),
                        Map.entry("job-submitter:ebbtide.jobs.high-priority.teams", "beta"),
                        Map.entry("scheduler:ebbtide.teams.budgets", "broke=0"),
                        Map.entry("scheduler:ebbtide.teams.budget-check-interval", "5s"))));
        operator = new StackClient(stack, stack.token("ops", "operator"));
        alpha = new StackClient(stack, stack.tokenOfTeam("ada", "alpha", "submitter"));
        beta = new StackClient(stack, stack.tokenOfTeam("ben", "beta", "submitter"));
        recorder = new TopicRecorder(stack.kafkaClientConfig(KafkaAccess.ADMIN), List.of(Topics.NODES_STATE));
        producer = new KafkaProducer<>(
                stack.kafkaClientConfig(KafkaAccess.PRODUCER), new StringSerializer(), new StringSerializer());
        await().atMost(Duration.ofSeconds(60))
                .until(() -> operator.knownToSubmitter("fair")
                        && operator.knownToSubmitter("ord")
                        && operator.knownToSubmitter("use")
                        && operator.knownToSubmitter("bud"));
    }

    private static void cluster(Path dir, String name, int max, int idleSeconds) throws Exception {
        Files.writeString(
                dir.resolve(name + ".yml"),
                "name: " + name + "\ntype: amlcompute\nsize: Standard_DS3_v2\n" + "min_instances: 0\nmax_instances: "
                        + max + "\nidle_time_before_scale_down: " + idleSeconds + "\n");
    }

    @AfterAll
    static void stopStack() throws Exception {
        if (producer != null) {
            producer.close();
        }
        if (recorder != null) {
            recorder.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    @Order(1)
    void usagePerTeamAndClusterMatchesTheNodeLifetimes() throws Exception {
        StackClient ledgerA = new StackClient(stack, stack.tokenOfTeam("lea", "ledger-a", "submitter"));
        StackClient ledgerB = new StackClient(stack, stack.tokenOfTeam("leb", "ledger-b", "submitter"));
        Map<String, String> teamOf = new HashMap<>();
        for (int i = 0; i < 2; i++) {
            teamOf.put(ledgerA.submit("command: sleep 2\ncompute: azureml:use\n"), "ledger-a");
            teamOf.put(ledgerB.submit("command: sleep 3\ncompute: azureml:use\n"), "ledger-b");
        }
        for (String job : teamOf.keySet()) {
            JsonNode done = operator.awaitTerminal(job, Duration.ofSeconds(120));
            assertEquals("Completed", done.path("state").asText(), done.toString());
        }
        // every node of the cluster is gone (idle for 5 s, then deleted)
        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    Map<String, List<NodeStateChanged>> nodes = nodeEvents("use");
                    return !nodes.isEmpty()
                            && nodes.values().stream()
                                    .allMatch(es -> es.get(es.size() - 1).state() == NodeState.deleted);
                });
        Map<String, List<NodeStateChanged>> nodes = nodeEvents("use");
        double lifetimes = 0;
        Map<String, Double> running = new TreeMap<>();
        for (List<NodeStateChanged> events : nodes.values()) {
            lifetimes +=
                    seconds(events.get(0).at(), events.get(events.size() - 1).at());
            for (int i = 0; i + 1 < events.size(); i++) {
                NodeStateChanged e = events.get(i);
                if (e.state() == NodeState.running && teamOf.containsKey(e.jobId())) {
                    running.merge(
                            teamOf.get(e.jobId()),
                            seconds(e.at(), events.get(i + 1).at()),
                            Double::sum);
                }
            }
        }
        double nodeLifetimes = lifetimes;
        // the scheduler folds the same events on its own consumer: await its count of the last deletion
        await().atMost(Duration.ofSeconds(30))
                .until(() -> Math.abs(usage("cluster", "use") - nodeLifetimes) <= 0.01 * nodeLifetimes);
        double clusterUsage = usage("cluster", "use");
        System.out.printf(
                "usage: cluster use %.3f node-s by GET /usage, %.3f node-s of node lifetimes (%d nodes)%n",
                clusterUsage, nodeLifetimes, nodes.size());
        assertEquals(nodeLifetimes, clusterUsage, 0.01 * nodeLifetimes);
        for (String team : List.of("ledger-a", "ledger-b")) {
            double byTeam = usage("team", team);
            double fromNodes = running.getOrDefault(team, 0.0);
            System.out.printf(
                    "usage: team %s %.3f node-s by GET /usage, %.3f node-s of its nodes' running time%n",
                    team, byTeam, fromNodes);
            assertTrue(fromNodes >= 4, team + " ran two jobs of 2 s or more: " + fromNodes);
            assertEquals(fromNodes, byTeam, 0.01 * fromNodes, team);
        }
        double idle = nodeLifetimes
                - running.values().stream().mapToDouble(Double::doubleValue).sum();
        JsonNode row = usageRow("cluster", "use");
        System.out.printf(
                "usage: cluster use idle %.3f node-s by GET /usage, %.3f node-s of node lifetimes less the jobs'%n",
                row.path("idleNodeSeconds").asDouble(), idle);
        assertEquals(idle, row.path("idleNodeSeconds").asDouble(), 0.01 * nodeLifetimes);
    }

    @Test
    @Order(2)
    void aTeamAtItsHardBudgetWaitsWithTheReasonUntilAnOperatorRaisesIt() throws Exception {
        await().atMost(Duration.ofSeconds(30))
                .until(() -> "HARD".equals(budget("broke").path("level").asText()));
        StackClient broke = new StackClient(stack, stack.tokenOfTeam("bob", "broke", "submitter"));
        String held = broke.submit("command: echo broke\ncompute: azureml:bud\n");
        String other = beta.submit("command: echo fine\ncompute: azureml:bud\n");
        JsonNode done = beta.awaitTerminal(other, Duration.ofSeconds(120));
        assertEquals("Completed", done.path("state").asText(), done.toString());
        await().atMost(Duration.ofSeconds(30))
                .until(() -> broke.job(held).path("reason").asText().startsWith("waiting: team broke spent "));
        JsonNode waiting = broke.job(held);
        String reason = waiting.path("reason").asText();
        System.out.println("budget: " + held + " " + waiting.path("state").asText() + ": " + reason);
        assertEquals("Queued", waiting.path("state").asText(), waiting.toString());
        assertTrue(
                reason.matches("waiting: team broke spent [0-9.,]+ USD of its 0\\.00 USD budget for \\d{4}-\\d{2}; "
                        + "new jobs wait until \\d{4}-\\d{2}-01 or a raise"),
                reason);

        HttpResponse<String> raised = StackClient.HTTP.send(
                operator.authorized(URI.create(stack.url("scheduler") + "/teams/broke/budget"))
                        .header("Content-Type", "application/json")
                        .PUT(HttpRequest.BodyPublishers.ofString("{\"monthly\": 100}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, raised.statusCode(), raised.body());
        JsonNode after = broke.awaitTerminal(held, Duration.ofSeconds(120));
        assertEquals("Completed", after.path("state").asText(), after.toString());
        assertEquals("OK", budget("broke").path("level").asText());
    }

    @Test
    @Order(3)
    void priorityHighIsRefusedWithOneSentenceToATeamWithoutTheRight() throws Exception {
        String high = "command: echo high\ncompute: azureml:bud\nqueue_settings: {priority: high}\n";
        HttpResponse<String> refused = alpha.post(high);
        assertEquals(403, refused.statusCode(), refused.body());
        assertTrue(refused.body().contains("team 'alpha' may not use priority high"), refused.body());
        System.out.println("priority: REST 403 " + refused.body());

        String kafkaJob = "high-" + UUID.randomUUID();
        send(kafkaJob, "bud", "echo high from kafka", "\"priority\":\"high\"", null);
        JsonNode failed = operator.awaitTerminal(kafkaJob, Duration.ofSeconds(60));
        assertEquals("Failed", failed.path("state").asText(), failed.toString());
        assertTrue(
                failed.path("reason").asText().contains("team 'alpha' may not use priority high"), failed.toString());
        System.out.println("priority: Kafka " + failed.path("reason").asText());

        String allowed = beta.submit(high);
        JsonNode done = beta.awaitTerminal(allowed, Duration.ofSeconds(120));
        assertEquals("Completed", done.path("state").asText(), done.toString());
        assertEquals("high", done.path("priority").asText(), done.toString());
    }

    @Test
    @Order(4)
    void aBackdatedRecordDoesNotMoveAhead() throws Exception {
        List<String> queued = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String job = "ord-" + i + "-" + UUID.randomUUID();
            send(job, "ord", "sleep 2", null, null);
            queued.add(job);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            for (String job : queued) {
                if (operator.job(job) == null) {
                    return false;
                }
            }
            return true;
        });
        String backdated = "backdated-" + UUID.randomUUID();
        send(backdated, "ord", "sleep 1", null, "2016-01-01T00:00:00Z");
        await().atMost(Duration.ofSeconds(30)).until(() -> operator.job(backdated) != null);
        List<String> aheadOfIt = new ArrayList<>();
        for (String job : queued) {
            if ("Queued".equals(operator.stateOf(job))) {
                aheadOfIt.add(job);
            }
        }
        assertTrue(aheadOfIt.size() >= 2, "jobs still queued when the backdated record came: " + aheadOfIt);
        JsonNode late = operator.awaitTerminal(backdated, Duration.ofSeconds(120));
        assertEquals("Completed", late.path("state").asText(), late.toString());
        assertEquals("2016-01-01T00:00:00Z", late.path("submittedAt").asText(), "stored and shown, never used");
        Instant lateStart = Instant.parse(late.path("startedAt").asText());
        for (String job : aheadOfIt) {
            JsonNode j = operator.awaitTerminal(job, Duration.ofSeconds(60));
            Instant started = Instant.parse(j.path("startedAt").asText());
            System.out.printf("order: %s started %s, the backdated job %s%n", job, started, lateStart);
            assertTrue(started.isBefore(lateStart), job + " started " + started + ", the backdated one " + lateStart);
        }
    }

    @Test
    @Order(5)
    void aBurstFromOneTeamDoesNotStarveAnother() throws Exception {
        List<String> burst = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            String job = "burst-" + i + "-" + UUID.randomUUID();
            producer.send(new ProducerRecord<>(
                    Topics.PRODUCER_SUBMISSIONS,
                    "fair",
                    "{\"jobId\":\"" + job + "\",\"cluster\":\"fair\",\"spec\":{\"command\":\"sleep 1\","
                            + "\"instanceCount\":1}}"));
            burst.add(job);
        }
        producer.flush();
        try {
            // alpha's burst holds all three nodes
            await().atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> count("fair", "alpha", "Running") == 3);
            assertEquals("alpha", operator.job(burst.get(0)).path("team").asText());
            long alphaStartedBefore = 200 - count("fair", "alpha", "Queued");
            List<String> small = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                small.add(beta.submit("command: sleep 1\ncompute: azureml:fair\n"));
            }
            await().atMost(Duration.ofSeconds(180))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> {
                        for (String job : small) {
                            if (operator.job(job).path("startedAt").isNull()
                                    || operator.job(job).path("startedAt").isMissingNode()) {
                                return false;
                            }
                        }
                        return true;
                    });
            long alphaQueued = count("fair", "alpha", "Queued");
            System.out.printf(
                    "fair share: all 10 of beta's jobs started; alpha had %d of 200 started when beta submitted,"
                            + " %d still queued now%n",
                    alphaStartedBefore, alphaQueued);
            assertTrue(alphaQueued > 100, "most of alpha's burst is still queued: " + alphaQueued);
            assertFalse(small.isEmpty());
        } finally {
            JsonNode left = operator.getJson(stack.url("scheduler") + "/jobs?cluster=fair&team=alpha&state=Queued");
            if (left != null) {
                for (JsonNode j : left) {
                    StackClient.HTTP.send(
                            operator.authorized(URI.create(stack.url("scheduler") + "/jobs/"
                                            + j.path("id").asText() + "/cancel"))
                                    .POST(HttpRequest.BodyPublishers.noBody())
                                    .build(),
                            HttpResponse.BodyHandlers.discarding());
                }
            }
        }
    }

    private static void send(String jobId, String cluster, String command, String extraSpec, String submittedAt)
            throws Exception {
        String spec = "{\"command\":\"" + command + "\",\"instanceCount\":1"
                + (extraSpec == null ? "" : "," + extraSpec) + "}";
        String value = "{\"jobId\":\"" + jobId + "\",\"cluster\":\"" + cluster + "\",\"spec\":" + spec
                + (submittedAt == null ? "" : ",\"submittedAt\":\"" + submittedAt + "\"") + "}";
        producer.send(new ProducerRecord<>(Topics.PRODUCER_SUBMISSIONS, cluster, value))
                .get();
    }

    private static long count(String cluster, String team, String state) throws Exception {
        JsonNode list = operator.getJson(
                stack.url("scheduler") + "/jobs?cluster=" + cluster + "&team=" + team + "&state=" + state);
        return list == null ? -1 : list.size();
    }

    private static JsonNode budget(String team) throws Exception {
        JsonNode all = operator.getJson(stack.url("scheduler") + "/teams/budgets");
        if (all != null) {
            for (JsonNode b : all) {
                if (team.equals(b.path("team").asText())) {
                    return b;
                }
            }
        }
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }

    private static JsonNode usageRow(String by, String key) throws Exception {
        JsonNode usage = operator.getJson(stack.url("scheduler") + "/usage?by=" + by + "&since=2h");
        if (usage != null) {
            for (JsonNode row : usage.path("rows")) {
                if (key.equals(row.path("key").asText())) {
                    return row;
                }
            }
        }
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }

    private static double usage(String by, String key) throws Exception {
        return usageRow(by, key).path("nodeSeconds").asDouble();
    }

    /** Each node of the cluster with its state events in time order, as the provisioner wrote them. */
    private static Map<String, List<NodeStateChanged>> nodeEvents(String cluster) {
        return recorder.events(Topics.NODES_STATE, NodeStateChanged.class).stream()
                .filter(e -> cluster.equals(e.cluster()))
                .distinct()
                .collect(Collectors.groupingBy(
                        NodeStateChanged::node,
                        TreeMap::new,
                        Collectors.collectingAndThen(
                                Collectors.toList(),
                                es -> es.stream()
                                        .sorted(Comparator.comparing(NodeStateChanged::at))
                                        .toList())));
    }

    private static double seconds(Instant from, Instant to) {
        return Duration.between(from, to).toMillis() / 1000.0;
    }
}
