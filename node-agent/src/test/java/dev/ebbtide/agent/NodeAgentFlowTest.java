package dev.ebbtide.agent;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.common.events.Distribution;
import dev.ebbtide.common.events.JobAssigned;
import dev.ebbtide.common.events.JobLogChunk;
import dev.ebbtide.common.events.JobRunReported;
import dev.ebbtide.common.events.JobSpec;
import dev.ebbtide.common.events.JobStopRequested;
import dev.ebbtide.common.events.NodeAgentStatus;
import dev.ebbtide.common.events.RunPhase;
import dev.ebbtide.common.events.Topics;
import dev.ebbtide.devsupport.TopicRecorder;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent as a separate OS process against a real broker: what the scheduler and provisioner see. */
class NodeAgentFlowTest {
    static final String CLUSTER = "cpu";
    static Broker broker;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = new Broker();
    }

    @AfterAll
    static void stopBroker() throws Exception {
        broker.close();
    }

    @Test
    void announcesRunsReportsAndShipsLogsOncePerAssignment() throws Exception {
        try (AgentProcess agent =
                AgentProcess.start(broker.bootstrap(), CLUSTER, "n-run", tmp.resolve("n-run"), 40001)) {
            NodeAgentStatus announced = awaitStatus("n-run", NodeAgentStatus.Kind.ANNOUNCED);
            assertEquals("127.0.0.1", announced.address());
            assertEquals(40001, announced.port());
            assertTrue(announced.cores() >= 1 && announced.memoryMb() > 0, announced.toString());
            TopicRecorder.Recorded raw = broker.recorder.on(Topics.NODES_AGENTS).get(0);
            assertEquals(CLUSTER, raw.key());
            assertEquals("dev.ebbtide.node.agent-status.v1", raw.headers().get("ce_type"));
            assertEquals("/ebbtide/node-agent", raw.headers().get("ce_source"));
            assertNotNull(raw.headers().get("ce_id"));
            assertNotNull(Instant.parse(raw.headers().get("ce_time")));
            assertEquals("1.0", raw.headers().get("ce_specversion"));

            String job = id();
            JobAssigned a = assignment(
                    job,
                    List.of("n-other", "n-run"),
                    "echo hello from $NODE_RANK of $NODE_COUNT; " + "echo \"secret=[$" + AgentProcess.AGENT_SECRET
                            + "]\"; env | sort; echo ran >> runs; exit 3",
                    Map.of("GREETING", "ahoy"),
                    null,
                    null);
            broker.assign(a);
            broker.assign(a); // redelivered
            JobRunReported exited = awaitRun(job, RunPhase.EXITED);
            assertEquals(3, exited.exitCode());
            assertEquals(1, exited.rank(), "the node rank: index in nodes");
            assertEquals(2, exited.attempt());
            Path log = tmp.resolve("n-run/jobs/" + job + "/attempt-2/rank-1.log");
            assertEquals(log.toString(), exited.outputPath());
            String text = Files.readString(log);
            assertTrue(text.contains("hello from 1 of 2"), text);
            assertTrue(text.contains("secret=[]"), "the agent's environment must not reach the job: " + text);
            assertFalse(text.contains("do-not-leak"), text);
            assertTrue(text.contains("GREETING=ahoy") && text.contains("HOME=/mnt/azureml/wd"), text);
            assertEquals(List.of(RunPhase.STARTED, RunPhase.EXITED), phases(job));

            List<JobLogChunk> chunks = chunks(job);
            assertEquals(text, chunks.stream().map(JobLogChunk::data).collect(Collectors.joining()));
            assertTrue(chunks.get(chunks.size() - 1).eof());
            assertEquals(
                    List.of(0L, 1L).subList(0, Math.min(2, chunks.size())),
                    chunks.stream().map(JobLogChunk::seq).limit(2).toList());
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> broker.recorder.events(Topics.NODES_AGENTS, NodeAgentStatus.class).stream()
                            .anyMatch(s -> s.node().equals("n-run")
                                    && s.kind() == NodeAgentStatus.Kind.HEARTBEAT
                                    && s.finished().contains(job + "#2")));

            broker.assign(a); // a third time, after it ended
            String bad = id();
            broker.assign(assignment(bad, List.of("n-run"), "echo never", Map.of("NOT-POSIX", "x"), null, null));
            JobRunReported refused = awaitRun(bad, RunPhase.EXITED);
            assertEquals(-1, refused.exitCode());
            assertTrue(refused.reason().startsWith("could not start: environment variable name 'NOT-POSIX'"));
            assertEquals(
                    "ran\n",
                    Files.readString(tmp.resolve("n-run/jobs/" + job + "/attempt-2/rank-1/runs")),
                    "ran exactly once");
            assertEquals(2, phases(job).size());

            String multi = id();
            broker.assign(assignment(
                    multi,
                    List.of("n-run"),
                    "echo local $LOCAL_RANK rank $RANK of $WORLD_SIZE; " + "exit $((LOCAL_RANK * 7))",
                    Map.of(),
                    null,
                    new Distribution("pytorch", 2, null, null)));
            JobRunReported both = awaitRun(multi, RunPhase.EXITED);
            assertEquals(7, both.exitCode(), "the first non-zero exit code of the node's processes");
            assertTrue(both.outputPath().endsWith("/attempt-2/rank-0.log"));
            assertEquals(
                    1,
                    runs(multi).stream()
                            .filter(r -> r.phase() == RunPhase.EXITED)
                            .count(),
                    "one report per node");
            assertEquals(
                    "local 1 rank 1 of 2\n",
                    chunks(multi).stream()
                            .filter(c -> c.rank() == 1)
                            .map(JobLogChunk::data)
                            .collect(Collectors.joining()));
        }
        awaitStatus("n-run", NodeAgentStatus.Kind.STOPPING);
    }

    @Test
    void recordsTheAgentCannotReadAreDeadLetteredByteForByteAndTheNextAssignmentRuns() throws Exception {
        try (AgentProcess agent = AgentProcess.start(
                        broker.bootstrap(), CLUSTER, "n-poison", tmp.resolve("n-poison"), freePort());
                org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]> p =
                        new org.apache.kafka.clients.producer.KafkaProducer<>(
                                Map.of("bootstrap.servers", broker.bootstrap()),
                                new org.apache.kafka.common.serialization.ByteArraySerializer(),
                                new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            awaitStatus("n-poison", NodeAgentStatus.Kind.ANNOUNCED);
            byte[] notText = {(byte) 0xC3, (byte) 0x28, 'n', '-', 'p', 'o', 'i', 's', 'o', 'n'};
            byte[] noNodes = ("{\"jobId\":\"" + id() + "\",\"cluster\":\"cpu\"}")
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8);
            long first = p.send(new org.apache.kafka.clients.producer.ProducerRecord<>(
                            Topics.JOBS_ASSIGNMENTS,
                            CLUSTER.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                            notText))
                    .get()
                    .offset();
            long second = p.send(new org.apache.kafka.clients.producer.ProducerRecord<>(
                            Topics.JOBS_STOPS, CLUSTER.getBytes(java.nio.charset.StandardCharsets.UTF_8), noNodes))
                    .get()
                    .offset();
            String job = id();
            broker.assign(assignment(job, List.of("n-poison"), "exit 0", Map.of(), null, null));
            assertEquals(0, awaitRun(job, RunPhase.EXITED).exitCode(), "the agent went on after the bad records");

            Map<String, org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]>> dead =
                    new java.util.HashMap<>();
            try (org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]> c =
                    new org.apache.kafka.clients.consumer.KafkaConsumer<>(
                            Map.of(
                                    "bootstrap.servers",
                                    broker.bootstrap(),
                                    "group.id",
                                    "dlq-" + id(),
                                    "auto.offset.reset",
                                    "earliest"),
                            new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                            new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
                c.subscribe(List.of(Topics.INTERNAL_DLQ));
                await().atMost(Duration.ofSeconds(20)).until(() -> {
                    c.poll(Duration.ofMillis(200)).forEach(r -> {
                        if ("node-agent n-poison".equals(header(r, "dead-letter-consumer"))) {
                            dead.put(header(r, "dead-letter-topic") + "@" + header(r, "dead-letter-offset"), r);
                        }
                    });
                    return dead.size() >= 2;
                });
            }
            org.junit.jupiter.api.Assertions.assertArrayEquals(
                    notText, dead.get(Topics.JOBS_ASSIGNMENTS + "@" + first).value());
            assertTrue(header(dead.get(Topics.JOBS_ASSIGNMENTS + "@" + first), "dead-letter-reason")
                    .contains("UTF-8"));
            org.junit.jupiter.api.Assertions.assertArrayEquals(
                    noNodes, dead.get(Topics.JOBS_STOPS + "@" + second).value());
        }
    }

    private static String header(org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void stopAndTimeoutEndTheWholeProcessGroupAndBusyNodesRefuse() throws Exception {
        try (AgentProcess agent =
                AgentProcess.start(broker.bootstrap(), CLUSTER, "n-stop", tmp.resolve("n-stop"), 40002)) {
            awaitStatus("n-stop", NodeAgentStatus.Kind.ANNOUNCED);
            String job = id();
            broker.assign(
                    assignment(job, List.of("n-stop"), "sleep 300 & sleep 301; echo after", Map.of(), null, null));
            awaitRun(job, RunPhase.STARTED);
            long pgid = Long.parseLong(Files.readString(tmp.resolve("n-stop/ranks/" + job + "#2#0.pgid"))
                    .trim());
            await().atMost(Duration.ofSeconds(5)).until(() -> groupMembers(pgid).size() >= 3);
            assertTrue(groupMembers(pgid).contains(pgid), "setsid did not fork: the wrapper's pid is its group id");

            String other = id();
            broker.assign(assignment(other, List.of("n-stop"), "echo no", Map.of(), null, null));
            assertEquals(
                    "busy with job attempt " + job + "#2",
                    awaitRun(other, RunPhase.REJECTED).reason());

            broker.stop(
                    new JobStopRequested(job, CLUSTER, List.of("n-stop"), 2, "canceled by the user", Instant.now()));
            JobRunReported exited = awaitRun(job, RunPhase.EXITED);
            assertEquals(143, exited.exitCode());
            assertEquals("stopped: canceled by the user", exited.reason());
            assertEquals(List.of(), groupMembers(pgid), "nothing of the job is left");
            assertFalse(Files.exists(tmp.resolve("n-stop/ranks/" + job + "#2#0.pgid")));

            String slow = id();
            broker.assign(assignment(slow, List.of("n-stop"), "sleep 30", Map.of(), 1L, null));
            JobRunReported timedOut = awaitRun(slow, RunPhase.EXITED);
            assertEquals(124, timedOut.exitCode());
            assertEquals("limits.timeout of 1 s reached: stopped", timedOut.reason());

            String early = id();
            broker.stop(new JobStopRequested(early, CLUSTER, List.of("n-stop"), 2, "canceled", Instant.now()));
            assertEquals("not running here", awaitRun(early, RunPhase.EXITED).reason());
            broker.assign(assignment(early, List.of("n-stop"), "echo never", Map.of(), null, null));
            assertEquals(
                    "the attempt was stopped before its assignment arrived",
                    awaitRun(early, RunPhase.REJECTED).reason());
        }
    }

    @Test
    void aRestartedAgentAdoptsOrReportsItsRanksAndNeverRunsThemAgain() throws Exception {
        Path dir = tmp.resolve("n-crash");
        String adopted = id();
        String lost = id();
        AgentProcess first = AgentProcess.start(broker.bootstrap(), CLUSTER, "n-crash", dir, 40003);
        awaitStatus("n-crash", NodeAgentStatus.Kind.ANNOUNCED);
        broker.assign(assignment(
                adopted, List.of("n-crash"), "echo ran >> runs; sleep 4; echo done; exit 5", Map.of(), null, null));
        awaitRun(adopted, RunPhase.STARTED);
        first.kill9();
        long announcements = statuses("n-crash", NodeAgentStatus.Kind.ANNOUNCED).size();
        try (AgentProcess second = AgentProcess.start(broker.bootstrap(), CLUSTER, "n-crash", dir, 40003)) {
            await().atMost(Duration.ofSeconds(15))
                    .until(() ->
                            statuses("n-crash", NodeAgentStatus.Kind.ANNOUNCED).size() > announcements);
            JobRunReported exited = awaitRun(adopted, RunPhase.EXITED);
            assertEquals(5, exited.exitCode(), "the exit code the wrapper wrote");
            assertTrue(Files.readString(
                            dir.resolve("n-crash.log").getParent().resolve("jobs/" + adopted + "/attempt-2/rank-0.log"))
                    .contains("done"));
            assertTrue(chunks(adopted).get(chunks(adopted).size() - 1).eof());

            broker.assign(assignment(lost, List.of("n-crash"), "echo ran >> runs; sleep 300", Map.of(), null, null));
            awaitRun(lost, RunPhase.STARTED);
            long pgid = Long.parseLong(
                    Files.readString(dir.resolve("ranks/" + lost + "#2#0.pgid")).trim());
            second.kill9();
            new ProcessBuilder("kill", "-KILL", "--", "-" + pgid).start().waitFor();
        }
        try (AgentProcess third = AgentProcess.start(broker.bootstrap(), CLUSTER, "n-crash", dir, 40003)) {
            JobRunReported gone = awaitRun(lost, RunPhase.EXITED);
            assertNull(gone.exitCode());
            assertEquals("lost: the agent restarted and the process is gone", gone.reason());
            broker.assign(assignment(adopted, List.of("n-crash"), "echo ran >> runs", Map.of(), null, null));
            broker.assign(assignment(lost, List.of("n-crash"), "echo ran >> runs", Map.of(), null, null));
            awaitStatus("n-crash", NodeAgentStatus.Kind.HEARTBEAT);
            Thread.sleep(1500); // let a wrong re-run show up, if there were one
            assertEquals("ran\n", Files.readString(dir.resolve("jobs/" + adopted + "/attempt-2/rank-0/runs")));
            assertEquals("ran\n", Files.readString(dir.resolve("jobs/" + lost + "/attempt-2/rank-0/runs")));
            assertEquals(
                    1,
                    phases(adopted).stream().filter(p -> p == RunPhase.STARTED).count());
        }
    }

    @Test
    void shutdownStopsTheRanksAndReportsThem() throws Exception {
        String job = id();
        AgentProcess agent = AgentProcess.start(broker.bootstrap(), CLUSTER, "n-down", tmp.resolve("n-down"), 40004);
        awaitStatus("n-down", NodeAgentStatus.Kind.ANNOUNCED);
        broker.assign(assignment(job, List.of("n-down"), "sleep 300", Map.of(), null, null));
        awaitRun(job, RunPhase.STARTED);
        agent.close(); // SIGTERM
        assertEquals(143, agent.process.exitValue(), "the JVM's status after SIGTERM, hooks run: " + agent.output());
        JobRunReported exited = awaitRun(job, RunPhase.EXITED);
        assertEquals(143, exited.exitCode());
        assertEquals("the node agent is shutting down", exited.reason());
        awaitStatus("n-down", NodeAgentStatus.Kind.STOPPING);
        assertFalse(agent.output().contains("do-not-leak"));
    }

    @Test
    void twoAgentsMeetForAPytorchRendezvous() throws Exception {
        int p0 = freePort();
        int p1 = freePort();
        Path script =
                Path.of("..", "examples", "rendezvous.py").toAbsolutePath().normalize();
        try (AgentProcess a0 = AgentProcess.start(broker.bootstrap(), CLUSTER, "n-rdv-0", tmp.resolve("r0"), p0);
                AgentProcess a1 = AgentProcess.start(broker.bootstrap(), CLUSTER, "n-rdv-1", tmp.resolve("r1"), p1)) {
            awaitStatus("n-rdv-0", NodeAgentStatus.Kind.ANNOUNCED);
            awaitStatus("n-rdv-1", NodeAgentStatus.Kind.ANNOUNCED);
            String job = id();
            broker.assign(assignment(
                    job,
                    List.of("n-rdv-0", "n-rdv-1"),
                    // the script travels in the command: a sandboxed rank sees no host path below /tmp or a
                    // closed folder, wherever the clone is
                    "/usr/bin/python3 - <<'EBBTIDE_SCRIPT'\n" + Files.readString(script) + "\nEBBTIDE_SCRIPT\n",
                    Map.of("RENDEZVOUS_TIMEOUT", "20"),
                    null,
                    new Distribution("pytorch", 1, null, null),
                    List.of("127.0.0.1", "127.0.0.1"),
                    List.of(p0, p1)));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> runs(job).stream()
                                    .filter(r -> r.phase() == RunPhase.EXITED)
                                    .count()
                            == 2);
            runs(job).stream()
                    .filter(r -> r.phase() == RunPhase.EXITED)
                    .forEach(r -> assertEquals(0, r.exitCode(), r.toString()));
            assertTrue(Files.readString(tmp.resolve("r0/jobs/" + job + "/attempt-2/rank-0.log"))
                    .contains("rank 0: all 1 peers met at 127.0.0.1:" + p0));
        }
    }

    // --- helpers

    @Test
    void aPreemptNoticeIsReportedAtOnceTheRanksGetSigtermAndTheEventIsAcknowledgedOnceTheNodeIsFree() throws Exception {
        try (dev.ebbtide.agent.evict.FakeImds imds = new dev.ebbtide.agent.evict.FakeImds();
                AgentProcess agent = AgentProcess.start(
                        broker.bootstrap(),
                        CLUSTER,
                        "n-spot",
                        tmp.resolve("n-spot"),
                        40007,
                        "--scheduled-events=imds",
                        "--imds-endpoint=" + imds.endpoint(),
                        "--eviction-upload-reserve=2s")) {
            awaitStatus("n-spot", NodeAgentStatus.Kind.ANNOUNCED);
            String job = id();
            // records the signal, then takes 1 s to "save" before it ends: the notice's grace, not the stop's 2 s
            broker.assign(assignment(
                    job,
                    List.of("n-spot"),
                    "trap 'echo got TERM at attempt $EBBTIDE_ATTEMPT; sleep 1; echo saved; exit 143' TERM;"
                            + " echo running; while true; do sleep 0.1; done",
                    Map.of(),
                    null,
                    null));
            awaitRun(job, RunPhase.STARTED);
            Instant notBefore = Instant.now().plusSeconds(30).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
            imds.serve(dev.ebbtide.common.azure.ScheduledEvents.preemptDocument("ev-1", "n-spot", notBefore));

            await().atMost(Duration.ofSeconds(10))
                    .until(() -> statuses("n-spot", NodeAgentStatus.Kind.HEARTBEAT).stream()
                            .anyMatch(s -> s.evictionNotice() != null));
            NodeAgentStatus noticed = statuses("n-spot", NodeAgentStatus.Kind.HEARTBEAT).stream()
                    .filter(s -> s.evictionNotice() != null)
                    .findFirst()
                    .orElseThrow();
            assertEquals("ev-1", noticed.evictionNotice().eventId());
            assertEquals("Preempt", noticed.evictionNotice().eventType());
            assertEquals(notBefore, noticed.evictionNotice().notBefore());

            JobRunReported exited = awaitRun(job, RunPhase.EXITED);
            assertEquals(143, exited.exitCode(), exited.toString());
            assertTrue(exited.reason().startsWith("preempted: the VM is evicted at " + notBefore), exited.reason());
            String log = Files.readString(tmp.resolve("n-spot/jobs/" + job + "/attempt-2/rank-0.log"));
            assertTrue(log.contains("got TERM at attempt 2\nsaved"), "the rank had its grace: " + log);

            await().atMost(Duration.ofSeconds(5)).until(() -> !imds.acks.isEmpty());
            assertEquals(List.of("{\"StartRequests\":[{\"EventId\":\"ev-1\"}]}"), imds.acks);

            String late = id();
            broker.assign(assignment(late, List.of("n-spot"), "echo never", Map.of(), null, null));
            JobRunReported refused = awaitRun(late, RunPhase.REJECTED);
            assertTrue(refused.reason().startsWith("node n-spot is being evicted at " + notBefore), refused.reason());
        }
    }

    static JobAssigned assignment(
            String job, List<String> nodes, String command, Map<String, String> env, Long timeout, Distribution d) {
        return assignment(job, nodes, command, env, timeout, d, null, null);
    }

    static JobAssigned assignment(
            String job,
            List<String> nodes,
            String command,
            Map<String, String> env,
            Long timeout,
            Distribution d,
            List<String> addresses,
            List<Integer> ports) {
        return new JobAssigned(
                job,
                CLUSTER,
                nodes,
                new JobSpec(command, nodes.size(), env, null, null, null, timeout, d),
                2,
                addresses,
                ports,
                Instant.now());
    }

    static String id() {
        return UUID.randomUUID().toString();
    }

    static List<JobRunReported> runs(String job) {
        return broker.recorder.events(Topics.JOBS_RUNS, JobRunReported.class).stream()
                .filter(r -> r.jobId().equals(job))
                .toList();
    }

    static List<RunPhase> phases(String job) {
        return runs(job).stream().map(JobRunReported::phase).toList();
    }

    static JobRunReported awaitRun(String job, RunPhase phase) {
        await().atMost(Duration.ofSeconds(20)).until(() -> runs(job).stream().anyMatch(r -> r.phase() == phase));
        return runs(job).stream().filter(r -> r.phase() == phase).findFirst().orElseThrow();
    }

    static List<NodeAgentStatus> statuses(String node, NodeAgentStatus.Kind kind) {
        return broker.recorder.events(Topics.NODES_AGENTS, NodeAgentStatus.class).stream()
                .filter(s -> s.node().equals(node) && s.kind() == kind)
                .toList();
    }

    static NodeAgentStatus awaitStatus(String node, NodeAgentStatus.Kind kind) {
        await().atMost(Duration.ofSeconds(20)).until(() -> !statuses(node, kind).isEmpty());
        return statuses(node, kind).get(0);
    }

    static List<JobLogChunk> chunks(String job) {
        return broker.recorder.events(Topics.JOBS_LOGS, JobLogChunk.class).stream()
                .filter(c -> c.jobId().equals(job))
                .sorted(Comparator.comparingLong(JobLogChunk::seq))
                .toList();
    }

    /** Live (not zombie) processes of a process group, from the process table. */
    static List<Long> groupMembers(long pgid) {
        return ProcessHandle.allProcesses()
                .filter(ProcessHandle::isAlive)
                .map(ProcessHandle::pid)
                .filter(pid -> {
                    try {
                        String s = Files.readString(Path.of("/proc", pid.toString(), "stat"));
                        String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
                        return Long.parseLong(f[2]) == pgid && !f[0].equals("Z");
                    } catch (IOException | RuntimeException e) {
                        return false;
                    }
                })
                .toList();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
