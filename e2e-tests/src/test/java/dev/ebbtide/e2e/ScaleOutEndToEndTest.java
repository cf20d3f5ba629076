package dev.ebbtide.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ebbtide.common.events.JobStateChanged;
import dev.ebbtide.common.events.ScaleRequested;
import dev.ebbtide.common.events.Topics;
import dev.ebbtide.devsupport.ClusterOwners;
import dev.ebbtide.devsupport.ClusterOwners.Owned;
import dev.ebbtide.devsupport.KafkaAccess;
import dev.ebbtide.devsupport.LocalStack;
import dev.ebbtide.devsupport.StackStatus;
import dev.ebbtide.devsupport.TopicRecorder;
import dev.ebbtide.e2e.ScaleOutChecks.Act;
import dev.ebbtide.e2e.ScaleOutChecks.CloudCall;
import dev.ebbtide.e2e.ScaleOutChecks.Window;
import dev.ebbtide.messaging.ownership.ClusterPartition;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scale-out end to end: two instances of every service as separate processes on the real broker and database, 20
 * clusters (min 0, max 2, idle 5 s, local provider). One stack for both tests (the second runs after the first):
 * kill -9 of one instance of each service mid-flow, then the killed instances back (a rebalance) and a wave of jobs
 * while both instances live. The acts are read back from Kafka (jobs.state, scale.requests with their sender) and from
 * the local cloud's own call log ({@code <work>/cloud-calls.log}).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ScaleOutEndToEndTest {
    static final int CLUSTER_COUNT = 20;
    static final int MAX_NODES = 2;
    /** Clusters of the killed instances that get a second job (a second node) right after the kill. */
    static final int WAVE_B = 6;
    /** The owning channels' {@code session.timeout.ms}: a killed member's partitions move after at most this. */
    static final Duration SESSION_TIMEOUT = Duration.ofSeconds(10);
    /**
     * The group drops a killed member up to the session timeout after its last heartbeat; the survivors rejoin on their
     * next heartbeat (3 s), rebuild the clusters they gained, then act; the autoscaler's and the provisioner's first
     * acts also wait for the service before them (demand, then the scale request). Measured under load: 14–18 s.
     */
    static final Duration TAKEOVER_BOUND = SESSION_TIMEOUT.plusSeconds(15);
    /** Instance 2 of each owning service (its partitions hold clusters of its own), and the first job-submitter. */
    static final List<String> VICTIMS = List.of("job-submitter-1", "scheduler-2", "autoscaler-2", "provisioner-2");

    @TempDir
    static Path tmp;

    static LocalStack stack;
    static TopicRecorder recorder;
    static StackClient client;
    static StackOwners owners;
    static List<String> clusters;
    static final List<Window> rebalances = new ArrayList<>();
    static final Map<String, String> jobs = new LinkedHashMap<>(); // job id -> cluster
    static Instant started;
    static Path state;

    @BeforeAll
    static void startStack() throws Exception {
        started = Instant.now();
        Path root = RepoConfig.root();
        Path dir = Files.createDirectories(tmp.resolve("clusters"));
        clusters = IntStream.range(0, CLUSTER_COUNT)
                .mapToObj(i -> String.format("ha-%02d", i))
                .toList();
        for (String c : clusters) {
            Files.writeString(
                    dir.resolve(c + ".yml"),
                    "name: " + c + "\ntype: amlcompute\nmin_instances: 0\nmax_instances: " + MAX_NODES
                            + "\nidle_time_before_scale_down: 5\n");
        }
        state = root.resolve("e2e-tests/target/e2e-scaleout-state");
        StackClient.deleteTree(state);
        stack = LocalStack.start(new LocalStack.Options(
                        root,
                        Files.createDirectories(state),
                        0,
                        0,
                        true,
                        dir,
                        Map.of("provisioner:ebbtide.local.agent-heartbeat-interval", "2s"))
                .withReplicas(2));
        client = new StackClient(stack, stack.token("e2e", "operator")).via("job-submitter-2");
        recorder = new TopicRecorder(
                stack.kafkaClientConfig(KafkaAccess.ADMIN), List.of(Topics.JOBS_STATE, Topics.SCALE_REQUESTS));
        owners = new StackOwners(stack);
        Set<String> known = new TreeSet<>();
        StackClient first = client.via("job-submitter-1");
        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    for (String c : clusters) {
                        if (!known.contains(c) && client.knownToSubmitter(c) && first.knownToSubmitter(c)) {
                            known.add(c);
                        }
                    }
                    return known.size() == clusters.size();
                });
        owners.awaitSettled(2);
        System.out.printf(
                "E2E figure: scale-out stack (2 instances of 4 services, %d clusters) ready in %d ms%n",
                CLUSTER_COUNT, Duration.between(started, Instant.now()).toMillis());
    }

    @AfterAll
    static void stopStack() throws Exception {
        if (recorder != null) {
            recorder.close();
        }
        if (stack != null) {
            stack.close();
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> StackClient.processesIn(stack.nodesDir()).isEmpty());
        }
        System.out.printf(
                "E2E figure: scale-out end-to-end class %d ms%n",
                Duration.between(started, Instant.now()).toMillis());
    }

    @Test
    @Order(1)
    void killingOneInstanceOfEachServiceMidFlowLosesNothingAndTheSurvivorsTakeOverWithinTheSessionTimeout()
            throws Exception {
        Path marker = StackClient.markerDir("scale-out-wave-a").resolve("wave-a.go");
        List<String> waveA = new ArrayList<>();
        for (String c : clusters) {
            waveA.add(submit(c, waitingJob(c, marker)));
        }
        await().atMost(Duration.ofSeconds(150))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> waveA.stream().allMatch(j -> "Running".equals(state(j))));
        Map<String, SortedMap<String, Owned>> before = owners.now();
        Map<String, Set<String>> dead = new HashMap<>();
        for (String service : ClusterOwners.OWNING_SERVICES) {
            dead.put(service, before.get(service).get(service + "-2").clusters());
            assertFalse(dead.get(service).isEmpty(), service + "-2 owns clusters before the kill: " + before);
        }

        Instant killed = Instant.now();
        for (String victim : VICTIMS) {
            stack.kill(victim);
        }
        rebalances.add(new Window(
                "kill -9 of " + VICTIMS, killed, killed.plus(TAKEOVER_BOUND).plusSeconds(10)));
        Set<String> orphaned = new TreeSet<>();
        dead.values().forEach(orphaned::addAll);
        for (String c : waveB(orphaned)) { // each needs a second node while wave A runs: only the survivors can give it
            submit(c, "command: echo wave B on " + c + "\ncompute: azureml:" + c + "\n");
        }

        Instant scheduler = awaitFirst(
                "scheduler",
                killed,
                () -> recorder.events(Topics.JOBS_STATE, JobStateChanged.class).stream()
                        .filter(e -> dead.get("scheduler").contains(e.cluster()) && e.at().isAfter(killed))
                        .map(JobStateChanged::at)
                        .min(Instant::compareTo)
                        .orElse(null));
        Instant autoscaler = awaitFirst(
                "autoscaler",
                killed,
                () -> scaleRequests().stream()
                        .filter(r -> dead.get("autoscaler").contains(r.cluster()) && r.at().isAfter(killed))
                        .map(ScaleRequested::at)
                        .min(Instant::compareTo)
                        .orElse(null));
        Instant provisioner = awaitFirst(
                "provisioner",
                killed,
                () -> cloudCalls().stream()
                        .filter(c -> dead.get("provisioner").contains(c.cluster()) && c.at().isAfter(killed))
                        .map(CloudCall::at)
                        .min(Instant::compareTo)
                        .orElse(null));
        assertTrue(
                scaleRequests().stream()
                        .filter(r -> r.at().isAfter(killed))
                        .noneMatch(r -> "autoscaler-2".equals(r.sender())),
                "nothing from the killed autoscaler after the kill");
        assertTrue(
                cloudCalls().stream()
                        .filter(c -> c.at().isAfter(killed))
                        .noneMatch(c -> c.instance().equals("provisioner-2")),
                "no cloud call from the killed provisioner after the kill");
        for (Instant act : List.of(scheduler, autoscaler, provisioner)) {
            assertTrue(
                    Duration.between(killed, act).compareTo(TAKEOVER_BOUND) <= 0,
                    "took over within " + TAKEOVER_BOUND.toSeconds() + " s of the kill: "
                            + Duration.between(killed, act));
        }

        Files.writeString(marker, "go");
        assertEveryJobCompletedOnce();
        assertBackToZeroNodes();
        assertEquals(List.of(), ScaleOutChecks.cloudCallViolations(cloudCalls(), maxNodes(), requestTargets()));
    }

    @Test
    @Order(2)
    void twoLiveInstancesNeverBothActForOneClusterAcrossARebalance() throws Exception {
        Instant restarting = Instant.now();
        List<CompletableFuture<Void>> restarts = new ArrayList<>();
        for (String victim : VICTIMS) {
            if (!stack.isAlive(victim)) {
                restarts.add(CompletableFuture.runAsync(() -> {
                    try {
                        stack.restart(victim);
                    } catch (Exception e) {
                        throw new IllegalStateException(victim + " did not restart", e);
                    }
                }));
            }
        }
        CompletableFuture.allOf(restarts.toArray(CompletableFuture[]::new)).join();
        owners.awaitSettled(2);
        Instant settledAt = Instant.now();
        rebalances.add(new Window("restart of " + VICTIMS, restarting, settledAt.plusSeconds(5)));
        System.out.printf(
                "E2E figure: restart of %d instances -> both instances own partitions again %d ms%n",
                restarts.size(), Duration.between(restarting, settledAt).toMillis());
        Map<String, SortedMap<String, Owned>> owning = owners.now();
        List<String> status = StackStatus.report(state); // ./ebbtide status's instance lines
        for (String instance : stack.instanceUrls().keySet()) {
            String line = status.stream()
                    .filter(l -> l.startsWith("  " + instance + " "))
                    .findFirst()
                    .orElse("none");
            String service = instance.substring(0, instance.lastIndexOf('-'));
            String owned = service.equals("job-submitter")
                    ? "stateless"
                    : "partitions "
                            + owning.get(service).get(instance).partitions().stream()
                                    .map(String::valueOf)
                                    .collect(Collectors.joining(","))
                            + ": ";
            assertTrue(
                    line.contains(" up ") && line.contains(owned),
                    "status shows " + instance + " up, " + owned + ": " + status);
        }

        for (int i = 0; i < clusters.size(); i++) { // through both submitters
            String c = clusters.get(i);
            jobs.put(
                    client.via("job-submitter-" + (1 + i % 2))
                            .submit("command: echo wave C\ncompute: azureml:" + c + "\n"),
                    c);
        }
        assertEveryJobCompletedOnce(); // (back to 0 nodes: the first test shows it; here the stack's close ends them)

        List<ScaleRequested> requests = scaleRequests();
        assertTrue(
                requests.stream()
                        .allMatch(r -> Set.of("autoscaler-1", "autoscaler-2").contains(r.sender())),
                "every scale request names its sender: "
                        + requests.stream()
                                .map(ScaleRequested::sender)
                                .distinct()
                                .toList());
        List<ScaleRequested> whileBothLive =
                requests.stream().filter(r -> r.at().isAfter(settledAt)).toList();
        assertTrue(whileBothLive.size() >= clusters.size(), "a scale-up per cluster at least: " + whileBothLive.size());
        for (ScaleRequested r : whileBothLive) {
            assertEquals(
                    StackOwners.ownerOf(owning, "autoscaler", r.cluster()),
                    r.sender(),
                    "only the owner asks for " + r.cluster());
        }
        List<CloudCall> calls = cloudCalls();
        for (CloudCall c : calls.stream().filter(c -> c.at().isAfter(settledAt)).toList()) {
            assertEquals(
                    StackOwners.ownerOf(owning, "provisioner", c.cluster()),
                    c.instance(),
                    "only the owner calls the cloud: " + c);
        }
        List<Act> asks = requests.stream()
                .map(r -> new Act(r.cluster(), r.sender(), r.at()))
                .toList();
        List<Act> acts = calls.stream()
                .map(c -> new Act(c.cluster(), c.instance(), c.at()))
                .toList();
        assertEquals(List.of(), ScaleOutChecks.handoverViolations(asks, rebalances), "scale requests' senders");
        assertEquals(List.of(), ScaleOutChecks.handoverViolations(acts, rebalances), "cloud calls' instances");
        assertTrue(
                asks.stream()
                        .collect(
                                Collectors.groupingBy(Act::cluster, Collectors.mapping(Act::actor, Collectors.toSet())))
                        .values()
                        .stream()
                        .anyMatch(s -> s.size() == 2),
                "some cluster changed hands (the checks saw a handover)");
        assertEquals(List.of(), ScaleOutChecks.cloudCallViolations(calls, maxNodes(), requestTargets()));
    }

    // --- helpers ---

    /** Waits for the first act of a survivor for a dead instance's clusters and prints the takeover time. */
    private static Instant awaitFirst(String service, Instant killed, java.util.concurrent.Callable<Instant> first) {
        java.util.concurrent.atomic.AtomicReference<Instant> seen = new java.util.concurrent.atomic.AtomicReference<>();
        await().atMost(TAKEOVER_BOUND.plusSeconds(30))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    seen.set(first.call());
                    return seen.get() != null;
                });
        System.out.printf(
                "E2E figure: takeover %s %d ms (kill -9 -> first act of the survivor for a dead instance's "
                        + "cluster; session timeout %d s)%n",
                service, Duration.between(killed, seen.get()).toMillis(), SESSION_TIMEOUT.toSeconds());
        return seen.get();
    }

    private static String submit(String cluster, String yaml) throws Exception {
        String id = client.submit(yaml);
        jobs.put(id, cluster);
        return id;
    }

    private static String state(String job) {
        try {
            return client.stateOf(job);
        } catch (Exception e) {
            return null;
        }
    }

    private static void assertEveryJobCompletedOnce() {
        for (String job : jobs.keySet()) {
            JsonNode done = client.awaitTerminal(job, Duration.ofSeconds(90));
            assertEquals("Completed", done.path("state").asText(), done.toString());
        }
        await().atMost(Duration.ofSeconds(20))
                .until(() -> terminalEvents().keySet().containsAll(jobs.keySet()));
        terminalEvents()
                .forEach((job, states) -> assertEquals(
                        List.of("Completed"), states, "exactly one terminal state (distinct event ids) for " + job));
    }

    /** Terminal states per job on ebbtide.jobs.state, one per distinct ce_id. */
    private static Map<String, List<String>> terminalEvents() {
        Map<String, List<String>> byJob = new HashMap<>();
        Set<String> ids = new java.util.HashSet<>();
        for (TopicRecorder.Recorded r : recorder.on(Topics.JOBS_STATE)) {
            JobStateChanged e = r.as(JobStateChanged.class);
            if (e.state().isTerminal()
                    && jobs.containsKey(e.jobId())
                    && ids.add(r.headers().getOrDefault("ce_id", r.value()))) {
                byJob.computeIfAbsent(e.jobId(), j -> new ArrayList<>())
                        .add(e.state().name());
            }
        }
        return byJob;
    }

    private static void assertBackToZeroNodes() throws Exception {
        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> nodeRecords().isEmpty()
                        && StackClient.processesIn(stack.nodesDir()).isEmpty());
    }

    private static List<Path> nodeRecords() throws Exception {
        if (!Files.exists(stack.nodesDir())) {
            return List.of();
        }
        try (var files = Files.walk(stack.nodesDir(), 2)) {
            return files.filter(p -> p.getFileName().toString().equals("node.json"))
                    .toList();
        }
    }

    private static List<ScaleRequested> scaleRequests() {
        return recorder.events(Topics.SCALE_REQUESTS, ScaleRequested.class);
    }

    private static List<CloudCall> cloudCalls() throws Exception {
        return ScaleOutChecks.readCloudCalls(stack.nodesDir().resolveSibling("cloud-calls.log"));
    }

    private static Map<String, Integer> maxNodes() {
        return clusters.stream().collect(Collectors.toMap(c -> c, c -> MAX_NODES));
    }

    private static Map<String, Integer> requestTargets() {
        return scaleRequests().stream()
                .collect(Collectors.toMap(ScaleRequested::requestId, ScaleRequested::targetCount, (a, b) -> a));
    }

    /**
     * Wave B's clusters: up to {@link #WAVE_B} of the dead instances' clusters, taken partition by partition so every
     * orphaned partition has one (the local cloud creates and deletes nodes one at a time: fewer keep the class short).
     */
    private static List<String> waveB(Set<String> orphaned) {
        Map<Integer, List<String>> byPartition = new java.util.TreeMap<>();
        orphaned.forEach(c -> byPartition
                .computeIfAbsent(ClusterPartition.of(c, LocalStack.partitions()), p -> new ArrayList<>())
                .add(c));
        List<String> chosen = new ArrayList<>();
        for (int round = 0; chosen.size() < Math.min(WAVE_B, orphaned.size()); round++) {
            for (List<String> inPartition : byPartition.values()) {
                if (round < inPartition.size() && chosen.size() < WAVE_B) {
                    chosen.add(inPartition.get(round));
                }
            }
        }
        return chosen;
    }

    /** A 1-node job that runs until the marker file exists. */
    private static String waitingJob(String cluster, Path marker) {
        return """
                type: command
                compute: azureml:%s
                command: 'while [ ! -f "$MARKER" ]; do sleep 0.2; done; echo "wave A done"'
                environment_variables: {MARKER: "%s"}
                """.formatted(cluster, marker);
    }
}
