package dev.ebbtide.agent;

import dev.ebbtide.agent.evict.EvictionWatcher;
import dev.ebbtide.common.azure.ScheduledEvents;
import dev.ebbtide.common.events.EventTypes;
import dev.ebbtide.common.events.JobAssigned;
import dev.ebbtide.common.events.JobLogChunk;
import dev.ebbtide.common.events.JobRunReported;
import dev.ebbtide.common.events.JobStopRequested;
import dev.ebbtide.common.events.NodeAgentStatus;
import dev.ebbtide.common.events.RunPhase;
import dev.ebbtide.common.events.Topics;
import dev.ebbtide.messaging.Decoded;
import dev.ebbtide.messaging.KafkaDeadLetters;
import dev.ebbtide.messaging.RecordDecoder;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

/**
 * The agent's one loop: subscribe, announce once the partitions and positions are known, then take assignments and
 * stops, tick the runner, heartbeat; on shutdown stop the ranks, report them and say {@code STOPPING}.
 */
final class NodeAgent implements Runner.Sink {
    static final String VERSION = "0.1.0-SNAPSHOT";
    private static final Duration POLL = Duration.ofMillis(100);

    private final AgentConfig config;
    private final HostFacts facts;
    private final Handled handled;
    private final Runner runner;
    private final Clock clock;
    private final String agentId = UUID.randomUUID().toString();
    private final KafkaProducer<String, String> producer;
    /** Records that cannot be understood go here with their original bytes (messaging-support's pure parts). */
    private final KafkaDeadLetters deadLetters;

    private final KafkaConsumer<byte[], byte[]> consumer;
    /** Scheduled Events (Spot eviction notices); null = not watched. */
    private final EvictionWatcher evictions;
    /** The eviction notice once seen: from then on the node takes nothing new and is acknowledged once idle. */
    private NodeAgentStatus.EvictionNotice notice;

    private volatile boolean shutdown;
    private volatile boolean ready;
    private Instant nextHeartbeat = Instant.MAX;
    private Instant assignedAt;

    NodeAgent(AgentConfig config, HostFacts facts, Handled handled, Runner runner, Clock clock) {
        this(config, facts, handled, runner, clock, null);
    }

    /** @param evictions the Scheduled Events watcher, or null */
    NodeAgent(
            AgentConfig config,
            HostFacts facts,
            Handled handled,
            Runner runner,
            Clock clock,
            EvictionWatcher evictions) {
        this.evictions = evictions;
        this.config = config;
        this.facts = facts;
        this.handled = handled;
        this.runner = runner;
        this.clock = clock;
        this.producer = AgentKafka.producer(config);
        this.consumer = AgentKafka.consumer(config);
        this.deadLetters = new KafkaDeadLetters(AgentKafka.deadLetterConfig(config));
    }

    /** Called from the shutdown hook: the loop stops the ranks and returns. */
    void requestShutdown() {
        shutdown = true;
        consumer.wakeup();
    }

    void run() throws IOException {
        Instant subscribedAt = clock.instant();
        Thread warmUp = new Thread(
                () -> List.of(Topics.NODES_AGENTS, Topics.JOBS_RUNS, Topics.JOBS_LOGS)
                        .forEach(producer::partitionsFor),
                "producer-warm-up"); // metadata while the consumer joins its group
        warmUp.setDaemon(true);
        warmUp.start();
        List<ConsumerRecord<byte[], byte[]>> early = new ArrayList<>();
        consumer.subscribe(List.of(Topics.JOBS_ASSIGNMENTS, Topics.JOBS_STOPS), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                Map<TopicPartition, OffsetAndMetadata> positions = new HashMap<>();
                partitions.forEach(tp -> positions.put(tp, new OffsetAndMetadata(consumer.position(tp))));
                consumer.commitSync(positions);
                ready = true;
                assignedAt = clock.instant();
            }

            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {}
        });
        try {
            while (!ready && !shutdown) {
                consumer.poll(POLL).forEach(early::add);
            }
            if (!shutdown) {
                List<NodeRun> recovered = runner.recover();
                recovered.forEach(r -> handled.unfinish(r.key));
                status(NodeAgentStatus.Kind.ANNOUNCED);
                Instant started = ProcessHandle.current().info().startInstant().orElse(subscribedAt);
                AgentLog.info(
                        "announced node " + config.node() + " of cluster " + config.cluster() + " at " + facts.address()
                                + ":" + config.port() + " (" + facts.cores() + " cores, " + facts.memoryMb() + " MiB, "
                                + facts.gpus() + " GPUs), "
                                + Duration.between(started, clock.instant()).toMillis()
                                + " ms after the process started ("
                                + Duration.between(started, subscribedAt).toMillis()
                                + " ms to subscribe, "
                                + Duration.between(subscribedAt, assignedAt).toMillis()
                                + " ms to get partitions and positions)");
                early.forEach(this::handle);
                consumer.commitSync();
            }
            while (!shutdown) {
                var records = consumer.poll(POLL);
                records.forEach(this::handle);
                if (!records.isEmpty()) {
                    consumer.commitSync();
                }
                tick();
            }
        } catch (WakeupException e) {
            // shutting down
        }
        stopEverything();
    }

    private void tick() {
        Instant now = clock.instant();
        if (evictions != null) {
            evictionNotice(now);
        }
        if (runner.tick(now, this)) {
            heartbeatNow();
        }
        if (!now.isBefore(nextHeartbeat)) {
            status(NodeAgentStatus.Kind.HEARTBEAT);
        }
    }

    /**
     * A {@code Preempt} event for this VM: said at once in a heartbeat (the provisioner turns the node preempted, the
     * scheduler requeues its job), every run gets SIGTERM now and SIGKILL at {@code NotBefore} less the upload
     * reserve; once nothing runs here any more (outputs uploaded, EXITED reported) the event is acknowledged.
     */
    private void evictionNotice(Instant now) {
        if (notice == null) {
            ScheduledEvents.Event e = evictions.preempt();
            if (e == null) {
                return;
            }
            Instant notBefore = e.notBefore() == null ? now : e.notBefore();
            notice = new NodeAgentStatus.EvictionNotice(e.eventId(), e.eventType(), notBefore, now);
            Instant killAt = notBefore.minus(config.eviction().uploadReserve());
            AgentLog.warn("eviction notice: scheduled event " + e.eventId() + " (" + e.eventType() + ") evicts node "
                    + config.node() + " at " + notBefore + "; taking no new job, "
                    + (runner.idle()
                            ? "nothing runs here"
                            : "stopping " + runner.running().size() + " run(s) with SIGKILL at " + killAt));
            runner.stopAll(
                    "preempted: the VM is evicted at " + notBefore + " (scheduled event " + e.eventId() + ")",
                    now,
                    killAt);
            heartbeatNow();
        }
        if (runner.idle() && !evictions.acknowledged()) {
            evictions.acknowledge(notice.eventId());
        }
    }

    private void stopEverything() {
        if (!runner.idle()) {
            AgentLog.info("shutting down: stopping " + runner.running().size() + " run(s)");
            Instant giveUp = clock.instant().plus(config.stopGracePeriod()).plusSeconds(5);
            runner.stopAll("the node agent is shutting down", clock.instant());
            while (!runner.idle() && clock.instant().isBefore(giveUp)) {
                runner.tick(clock.instant(), this);
                sleep(POLL);
            }
        }
        if (ready) {
            status(NodeAgentStatus.Kind.STOPPING);
        }
        if (evictions != null) {
            evictions.stop();
        }
        producer.close(Duration.ofSeconds(10));
        deadLetters.close();
        consumer.close(Duration.ofSeconds(5));
        AgentLog.info("stopped");
    }

    /**
     * One record of the assignments or stops topic, through the shared decoder: one that cannot be understood (bytes,
     * JSON, CloudEvents headers, limits, {@code EventRules}) is dead-lettered with its original bytes and the reason,
     * and the agent goes on with the next.
     */
    private void handle(ConsumerRecord<byte[], byte[]> r) {
        boolean assignment = Topics.JOBS_ASSIGNMENTS.equals(r.topic());
        Class<?> type = assignment ? JobAssigned.class : JobStopRequested.class;
        Decoded<?> decoded = RecordDecoder.decode(r.topic(), r.key(), r.value(), r.headers(), type);
        try {
            if (decoded instanceof Decoded.Poison<?> poison) {
                deadLetter(r, poison.reason());
            } else if (decoded instanceof Decoded.Event<?> event) {
                if (assignment) {
                    onAssignment((JobAssigned) event.value());
                } else {
                    onStop((JobStopRequested) event.value());
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot write the agent's state in " + config.workDir(), e);
        }
    }

    /** Waits for the broker to take the dead letter (up to a minute: Kafka may be briefly unavailable). */
    private void deadLetter(ConsumerRecord<byte[], byte[]> r, String reason) {
        AgentLog.warn("dead-lettering " + r.topic() + " partition " + r.partition() + " offset " + r.offset() + ": "
                + reason);
        for (int attempt = 1; attempt <= 6; attempt++) {
            try {
                deadLetters
                        .send(r, reason, "node-agent " + config.node())
                        .toCompletableFuture()
                        .get(10, TimeUnit.SECONDS);
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException | TimeoutException e) {
                AgentLog.warn("the dead letter of " + r.topic() + " offset " + r.offset() + " was not written (attempt "
                        + attempt + "): " + e.getMessage());
            }
        }
        AgentLog.warn(
                "giving up on the dead letter of " + r.topic() + " offset " + r.offset() + "; its reason: " + reason);
    }

    private void onAssignment(JobAssigned a) throws IOException {
        int nodeRank = a.nodes().indexOf(config.node());
        if (nodeRank < 0) {
            return;
        }
        String key = Handled.attemptKey(a);
        String what = handled.what(key);
        Instant now = clock.instant();
        if (what != null && !"stopped".equals(what)) {
            AgentLog.info("job " + a.jobId() + " attempt " + RankEnvironment.attempt(a) + ": already " + what
                    + " here, assignment ignored");
            return;
        }
        String problem = "stopped".equals(what)
                ? "the attempt was stopped before its assignment arrived"
                : notice != null
                        ? "node " + config.node() + " is being evicted at " + notice.notBefore() + " (scheduled event "
                                + notice.eventId() + ")"
                        : runner.busyWith() != null ? "busy with job attempt " + runner.busyWith() : null;
        if (problem != null) {
            handled.record(key, "rejected");
            report(a, nodeRank, RunPhase.REJECTED, null, null, problem, now);
            return;
        }
        String bad = RankEnvironment.problem(a);
        if (bad == null) {
            handled.record(key, "accepted");
            try {
                runner.start(a, nodeRank, now); // STARTED is reported once staging is done and the ranks run
                heartbeatNow();
                return;
            } catch (IOException e) {
                bad = "could not start: " + e.getMessage();
            }
        } else {
            handled.record(key, "failed");
        }
        report(a, nodeRank, RunPhase.EXITED, -1, null, bad, now);
    }

    private void onStop(JobStopRequested s) throws IOException {
        if (!s.nodes().contains(config.node())) {
            return;
        }
        Instant now = clock.instant();
        String reason = "stopped: " + s.reason();
        if (s.attempt() == null) {
            runner.running().stream()
                    .filter(r -> r.jobId().equals(s.jobId()))
                    .forEach(r -> runner.stop(NodeAgentStatus.attemptKey(r.jobId(), r.attempt()), reason, null, now));
            return;
        }
        String key = NodeAgentStatus.attemptKey(s.jobId(), s.attempt());
        if (runner.isRunning(key)) {
            runner.stop(key, reason, null, now);
        } else if (handled.what(key) == null) {
            handled.record(key, "stopped");
            handled.finished(key);
            AgentLog.info("job " + s.jobId() + " attempt " + s.attempt()
                    + ": stop before its assignment, it will be refused");
            producer.send(AgentKafka.record(
                    Topics.JOBS_RUNS,
                    config.cluster(),
                    EventTypes.JOB_RUN_REPORTED,
                    new JobRunReported(
                            s.jobId(),
                            config.cluster(),
                            config.node(),
                            s.nodes().indexOf(config.node()),
                            RunPhase.EXITED,
                            null,
                            null,
                            "not running here",
                            s.attempt(),
                            now),
                    now));
        }
    }

    @Override
    public void log(NodeRun run, RankProcess p, LogTail.Chunk c) {
        Instant now = clock.instant();
        producer.send(AgentKafka.record(
                Topics.JOBS_LOGS,
                config.cluster(),
                EventTypes.JOB_LOG_CHUNK,
                new JobLogChunk(
                        run.assignment.jobId(),
                        config.cluster(),
                        config.node(),
                        p.rank,
                        run.attempt(),
                        c.seq(),
                        c.data(),
                        c.eof(),
                        now),
                now));
    }

    @Override
    public void started(NodeRun run) {
        Path out = runner.outputPath(run);
        report(
                run.assignment,
                run.nodeRank,
                RunPhase.STARTED,
                null,
                out == null ? null : out.toString(),
                null,
                clock.instant());
    }

    @Override
    public void exited(NodeRun run, Integer exitCode, String reason) {
        producer.flush(); // the final log chunks go first
        Path out = runner.outputPath(run);
        report(
                run.assignment,
                run.nodeRank,
                RunPhase.EXITED,
                exitCode,
                out == null ? null : out.toString(),
                reason,
                clock.instant());
    }

    private void report(
            JobAssigned a, int nodeRank, RunPhase phase, Integer code, String output, String reason, Instant now) {
        int attempt = RankEnvironment.attempt(a);
        AgentLog.info("job " + a.jobId() + " attempt " + attempt + " node rank " + nodeRank + ": " + phase
                + (code == null ? "" : " exit code " + code) + (reason == null ? "" : " (" + reason + ")"));
        producer.send(AgentKafka.record(
                Topics.JOBS_RUNS,
                config.cluster(),
                EventTypes.JOB_RUN_REPORTED,
                new JobRunReported(
                        a.jobId(),
                        config.cluster(),
                        config.node(),
                        nodeRank,
                        phase,
                        code,
                        output,
                        reason,
                        attempt,
                        now),
                now));
        if (phase != RunPhase.STARTED) {
            handled.finished(NodeAgentStatus.attemptKey(a.jobId(), attempt));
            heartbeatNow();
        }
    }

    private void heartbeatNow() {
        nextHeartbeat = Instant.MIN;
    }

    private void status(NodeAgentStatus.Kind kind) {
        Instant now = clock.instant();
        producer.send(AgentKafka.record(
                Topics.NODES_AGENTS,
                config.cluster(),
                EventTypes.NODE_AGENT_STATUS,
                new NodeAgentStatus(
                        kind,
                        config.cluster(),
                        config.node(),
                        agentId,
                        facts.address(),
                        config.port(),
                        facts.cores(),
                        facts.memoryMb(),
                        facts.gpus(),
                        VERSION,
                        runner.running(),
                        handled.finished(),
                        now,
                        notice),
                now));
        nextHeartbeat = now.plus(config.heartbeatInterval());
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
