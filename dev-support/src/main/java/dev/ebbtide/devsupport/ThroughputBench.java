package dev.ebbtide.devsupport;

import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.common.events.JobAssigned;
import dev.ebbtide.common.events.JobRunReported;
import dev.ebbtide.common.events.JobSpec;
import dev.ebbtide.common.events.JobState;
import dev.ebbtide.common.events.JobStateChanged;
import dev.ebbtide.common.events.JobSubmitted;
import dev.ebbtide.common.events.NodeState;
import dev.ebbtide.common.events.NodeStateChanged;
import dev.ebbtide.common.events.RunPhase;
import dev.ebbtide.common.events.ScaleRequested;
import dev.ebbtide.common.events.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * {@code ./ebbtide bench --throughput}: a load generator (not part of the product, not a test). Starts its own stack
 * (Kafka, PostgreSQL, the scheduler and the autoscaler on free ports; no provisioner: the harness answers for the
 * nodes) and prints, from one run, the machine's ceilings beside ingest, isolation, dispatch, reaction, memory and
 * the autoscaler's decision tick. See docs/benchmarks.md.
 */
public final class ThroughputBench implements AutoCloseable {
    private final Map<String, Object> client;
    private final KafkaProducer<String, String> producer;
    private final LocalStack stack;
    private final Map<String, Long> queuedAt = new ConcurrentHashMap<>();
    private final Map<String, Long> runningAt = new ConcurrentHashMap<>();
    private final Map<String, Long> scaleAt = new ConcurrentHashMap<>();
    private final Map<String, String> failed = new ConcurrentHashMap<>();
    private final SchedulerProbe probe;
    private volatile String answerCluster; // the harness answers assignments on this cluster as its node agents

    private final int replicas;

    private ThroughputBench(LocalStack stack, int replicas) {
        this.stack = stack;
        this.replicas = replicas;
        this.client = stack.kafkaClientConfig(KafkaAccess.ADMIN);
        Map<String, Object> p = new HashMap<>(client);
        p.put("linger.ms", "5");
        p.put("batch.size", "262144");
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
        this.probe = new SchedulerProbe(stack);
    }

    @Override
    public void close() {
        producer.close(java.time.Duration.ofSeconds(5));
    }

    public static void main(String[] args) throws Exception {
        java.util.logging.Logger rootLogger = java.util.logging.Logger.getLogger(""); // the broker's INFO lines
        rootLogger.setLevel(java.util.logging.Level.WARNING);
        for (java.util.logging.Handler h : rootLogger.getHandlers()) {
            h.setLevel(java.util.logging.Level.WARNING);
        }
        Map<String, String> opt = options(args);
        Path root = Path.of(opt.getOrDefault("root", ".")).toAbsolutePath().normalize();
        int jobs = Integer.parseInt(opt.getOrDefault("jobs", "20000"));
        int clusters = Integer.parseInt(opt.getOrDefault("clusters", "100"));
        int nodes = Integer.parseInt(opt.getOrDefault("nodes", "200"));
        int dispatchJobs = Integer.parseInt(opt.getOrDefault("dispatch-jobs", "4000"));
        int active = Integer.parseInt(opt.getOrDefault("active-clusters", "1000"));
        int memoryJobs = Integer.parseInt(opt.getOrDefault("memory-jobs", "100000"));
        int warmup = Integer.parseInt(opt.getOrDefault("warmup", "10000"));
        int replicas = Integer.parseInt(opt.getOrDefault("replicas", "1"));
        Path state = Files.createTempDirectory("ebbtide-throughput");
        Path clustersDir = BenchClusters.write(state.resolve("clusters"), clusters, active, nodes);
        BenchReport report = new BenchReport();
        report.note("stack: Kafka, PostgreSQL, scheduler, autoscaler, " + replicas + " instance(s) of each (JVM: "
                + LocalStack.serviceJvmOptions() + ")");
        long t = System.nanoTime();
        try (LocalStack stack = LocalStack.start(
                new LocalStack.Options(root, state, 0, 0, true, clustersDir, Map.of()).withReplicas(replicas),
                Set.of("scheduler", "autoscaler"))) {
            report.note(String.format("stack started in %.1f s; state in %s", (System.nanoTime() - t) / 1e9, state));
            try (ThroughputBench bench =
                    new ThroughputBench(stack, replicas)) { // its producer closes before the broker stops
                bench.run(report, warmup, jobs, clusters, nodes, dispatchJobs, active, memoryJobs);
            }
        }
        report.print();
        if (!Boolean.parseBoolean(opt.getOrDefault("keep-state", "false"))) { // Kafka's and PostgreSQL's data: ~400 MB
            try (var paths = Files.walk(state)) {
                paths.sorted(java.util.Comparator.reverseOrder())
                        .forEach(p -> p.toFile().delete());
            }
            System.out.println("(state removed; --keep-state true keeps the services' logs and data)");
        }
    }

    private void run(
            BenchReport report,
            int warmup,
            int jobs,
            int clusters,
            int nodes,
            int dispatchJobs,
            int active,
            int memoryJobs)
            throws Exception {
        try (BenchWatch watch = new BenchWatch(
                client, List.of(Topics.JOBS_STATE, Topics.JOBS_ASSIGNMENTS, Topics.SCALE_REQUESTS), this::onRecord)) {
            watch.awaitReady();
            awaitClustersKnown(List.of(
                    BenchClusters.ingest(clusters - 1),
                    BenchClusters.IDLE,
                    BenchClusters.DISPATCH,
                    BenchClusters.active(active - 1)));

            double pg = BenchCeilings.postgresInsertsPerSecond(stack, 5000);
            report.row("ceiling: PostgreSQL one-row INSERT transactions", "%.0f /s", pg);
            double kafka = BenchCeilings.kafkaRecordsPerSecond(client, 200_000);
            report.row("ceiling: Kafka produce -> consume (400 B records)", "%.0f records/s", kafka);

            if (warmup > 0) {
                warmUp(report, warmup, clusters);
            }
            ingest(report, jobs, clusters, pg);
            probe.profile(report, "ingest");
            report.row("scheduler heap after ingest (after a full GC)", "%.0f MB", probe.heapMb());
            dispatch(report, nodes, dispatchJobs);
            probe.profile(report, "+ dispatch");
            reaction(report, active);
            for (String a : instances("autoscaler")) {
                report.row(
                        String.format("%s heap with %d clusters (after a full GC)", a, clusters + active + 2),
                        "%.0f MB",
                        probe.heapMb(a));
            }
            int queued = (int) queuedAt.keySet().stream()
                    .filter(id -> !runningAt.containsKey(id))
                    .count();
            if (memoryJobs > queued) {
                memory(report, memoryJobs - queued, clusters, memoryJobs);
            }
            for (int k = 0; k < replicas; k++) {
                String sch = instances("scheduler").get(k);
                String aut = instances("autoscaler").get(k);
                report.row(
                        "resident memory: " + sch + " / " + aut,
                        "%.0f MB / %.0f MB",
                        probe.rssMb(sch),
                        probe.rssMb(aut));
            }
        }
        TickBench.run(report, 10_000, 10);
    }

    /**
     * A long-running scheduler is JIT-compiled: the first jobs after a start are queued several times slower. These
     * go to the ingest clusters first (they stay queued, so the measured burst lands on deeper queues).
     */
    private void warmUp(BenchReport report, int count, int clusters) throws Exception {
        List<String> ids = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            String id = "warmup-" + i + "-" + UUID.randomUUID();
            ids.add(id);
            submit(id, BenchClusters.ingest(i % clusters));
        }
        producer.flush();
        awaitAll(ids, queuedAt, Duration.ofMinutes(10));
        double seconds = (ids.stream().mapToLong(queuedAt::get).max().orElse(start) - start) / 1e9;
        report.row(
                String.format("warm-up (cold JVM): %d jobs over %d clusters Queued", count, clusters),
                "%.1f s = %.0f jobs/s",
                seconds,
                count / seconds);
    }

    // --- ingest and isolation ---------------------------------------------------------------------------------

    private void ingest(BenchReport report, int jobs, int clusters, double pgCeiling) throws Exception {
        List<String> ids = new ArrayList<>(jobs);
        Map<String, Long> idleSubmitted = new ConcurrentHashMap<>();
        java.util.concurrent.atomic.AtomicBoolean burst = new java.util.concurrent.atomic.AtomicBoolean(true);
        long start = System.nanoTime();
        Thread isolation = new Thread(
                () -> { // one-node jobs for an otherwise idle cluster, during the burst
                    try {
                        while (burst.get() || idleSubmitted.isEmpty()) {
                            String id = "idle-" + UUID.randomUUID();
                            idleSubmitted.put(id, System.nanoTime());
                            submit(id, BenchClusters.IDLE);
                            producer.flush();
                            Thread.sleep(100);
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "bench-isolation");
        isolation.start();
        for (int i = 0; i < jobs; i++) {
            String id = "ingest-" + i + "-" + UUID.randomUUID();
            ids.add(id);
            submit(id, BenchClusters.ingest(i % clusters));
        }
        producer.flush();
        long published = System.nanoTime();
        awaitAll(ids, queuedAt, Duration.ofMinutes(15));
        burst.set(false);
        isolation.join();
        awaitAll(List.copyOf(idleSubmitted.keySet()), queuedAt, Duration.ofMinutes(1));
        List<Long> times = ids.stream().map(queuedAt::get).sorted().toList();
        double seconds = (times.get(jobs - 1) - start) / 1e9;
        double rate = jobs / seconds;
        report.row(
                String.format("ingest: %d jobs over %d clusters published", jobs, clusters),
                "%.2f s (%.0f jobs/s)",
                (published - start) / 1e9,
                jobs / ((published - start) / 1e9));
        report.row("ingest: all Queued (persisted, demand published)", "%.1f s = %.0f jobs/s", seconds, rate);
        int k = Math.min(1000, jobs / 2);
        double first = (times.get(k - 1) - start) / 1e9;
        double last = (times.get(jobs - 1) - times.get(jobs - k - 1)) / 1e9;
        report.row(
                String.format("ingest: first %d / last %d", k, k),
                "%.2f s / %.2f s (last/first %.2f)",
                first,
                last,
                last / first);
        report.row("ingest rate / PostgreSQL ceiling", "%.2f", rate / pgCeiling);
        List<Long> waits = new ArrayList<>();
        idleSubmitted.forEach((id, at) -> {
            Long q = queuedAt.get(id);
            if (q != null) {
                waits.add((q - at) / 1_000_000);
            }
        });
        report.row(
                String.format("isolation: idle cluster, submission -> Queued (%d jobs)", waits.size()),
                "p50 %d ms, p99 %d ms, max %d ms",
                BenchReport.pct(waits, 50),
                BenchReport.pct(waits, 99),
                BenchReport.pct(waits, 100));
    }

    // --- dispatch -------------------------------------------------------------------------------------------

    private void dispatch(BenchReport report, int nodes, int count) throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String id = "dispatch-" + i + "-" + UUID.randomUUID();
            ids.add(id);
            submit(id, BenchClusters.DISPATCH);
        }
        producer.flush();
        awaitAll(ids, queuedAt, Duration.ofMinutes(5));
        answerCluster = BenchClusters.DISPATCH;
        long start = System.nanoTime();
        for (int n = 0; n < nodes; n++) {
            send(
                    Topics.NODES_STATE,
                    BenchClusters.DISPATCH,
                    new NodeStateChanged(
                            BenchClusters.DISPATCH,
                            BenchClusters.DISPATCH + "-n" + n,
                            NodeState.idle,
                            null,
                            null,
                            null,
                            Instant.now()));
        }
        producer.flush();
        awaitAll(ids, runningAt, Duration.ofMinutes(10));
        List<Long> times = ids.stream().map(runningAt::get).sorted().toList();
        double seconds = (times.get(count - 1) - start) / 1e9;
        int lo = count / 10;
        int hi = count - count / 10;
        double steady = (hi - lo) / ((times.get(hi - 1) - times.get(lo)) / 1e9);
        report.row(
                String.format("dispatch: %d jobs on %d idle nodes -> Running", count, nodes),
                "%.1f s = %.0f starts/s (middle 80%%: %.0f starts/s)",
                seconds,
                count / seconds,
                steady);
        answerCluster = null;
    }

    /** Plays the node agents of the dispatch cluster: each assignment is STARTED and EXITED (code 0) at once. */
    private void answer(JobAssigned a) {
        for (int rank = 0; rank < a.nodes().size(); rank++) {
            String node = a.nodes().get(rank);
            send(
                    Topics.JOBS_RUNS,
                    a.cluster(),
                    new JobRunReported(
                            a.jobId(),
                            a.cluster(),
                            node,
                            rank,
                            RunPhase.STARTED,
                            null,
                            null,
                            null,
                            a.attempt(),
                            Instant.now()));
            send(
                    Topics.JOBS_RUNS,
                    a.cluster(),
                    new JobRunReported(
                            a.jobId(),
                            a.cluster(),
                            node,
                            rank,
                            RunPhase.EXITED,
                            0,
                            null,
                            null,
                            a.attempt(),
                            Instant.now()));
        }
    }

    // --- reaction and memory --------------------------------------------------------------------------------

    private void reaction(BenchReport report, int active) throws Exception {
        Map<String, Long> submitted = new HashMap<>();
        for (int i = 0; i < active; i++) { // 100 clusters a second, one job each
            String cluster = BenchClusters.active(i);
            submitted.put(cluster, System.nanoTime());
            submit("react-" + i + "-" + UUID.randomUUID(), cluster);
            if (i % 10 == 9) {
                producer.flush();
                Thread.sleep(100);
            }
        }
        producer.flush();
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (!scaleAt.keySet().containsAll(submitted.keySet()) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        List<Long> waits = new ArrayList<>();
        submitted.forEach((c, at) -> {
            Long s = scaleAt.get(c);
            if (s != null) {
                waits.add((s - at) / 1_000_000);
            }
        });
        report.row(
                String.format("reaction: submission -> scale request, %d clusters (%d answered)", active, waits.size()),
                "p50 %d ms, p99 %d ms, max %d ms",
                BenchReport.pct(waits, 50),
                BenchReport.pct(waits, 99),
                BenchReport.pct(waits, 100));
    }

    private void memory(BenchReport report, int more, int clusters, int target) throws Exception {
        List<String> ids = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < more; i++) {
            String id = "memory-" + i + "-" + UUID.randomUUID();
            ids.add(id);
            submit(id, BenchClusters.ingest(i % clusters));
        }
        producer.flush();
        awaitAll(ids, queuedAt, Duration.ofMinutes(20));
        double seconds = (ids.stream().mapToLong(queuedAt::get).max().orElse(start) - start) / 1e9;
        report.row(
                String.format("memory: %d more jobs Queued (on top of the queues above)", more),
                "%.1f s = %.0f jobs/s",
                seconds,
                more / seconds);
        report.row(
                String.format("scheduler heap with ~%d jobs queued (after a full GC)", target),
                "%.0f MB",
                probe.heapMb());
    }

    // --- plumbing -------------------------------------------------------------------------------------------

    /** {@code scheduler} with one instance; {@code scheduler-1}, {@code scheduler-2}, … with several. */
    private List<String> instances(String service) {
        if (replicas == 1) {
            return List.of(service);
        }
        List<String> names = new ArrayList<>();
        for (int k = 1; k <= replicas; k++) {
            names.add(service + "-" + k);
        }
        return names;
    }

    private void onRecord(ConsumerRecord<String, String> r, long now) {
        switch (r.topic()) {
            case Topics.JOBS_STATE -> {
                JobStateChanged e = EventJson.read(r.value(), JobStateChanged.class);
                if (e.state() == JobState.Queued) {
                    queuedAt.putIfAbsent(e.jobId(), now);
                } else if (e.state() == JobState.Running) {
                    runningAt.putIfAbsent(e.jobId(), now);
                } else if (e.state() == JobState.Failed) {
                    failed.put(e.jobId(), String.valueOf(e.reason()));
                }
            }
            case Topics.JOBS_ASSIGNMENTS -> {
                JobAssigned a = EventJson.read(r.value(), JobAssigned.class);
                if (a.cluster().equals(answerCluster)) {
                    answer(a);
                }
            }
            case Topics.SCALE_REQUESTS ->
                scaleAt.putIfAbsent(
                        EventJson.read(r.value(), ScaleRequested.class).cluster(), now);
            default -> {}
        }
    }

    /** Submits probe jobs until the scheduler queues one on each cluster (the autoscaler publishes them at start). */
    private void awaitClustersKnown(List<String> clusters) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        for (String cluster : clusters) {
            while (true) {
                String id = "probe-" + UUID.randomUUID();
                submit(id, cluster);
                producer.flush();
                long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                while (!queuedAt.containsKey(id) && !failed.containsKey(id) && System.nanoTime() < until) {
                    Thread.sleep(50);
                }
                if (queuedAt.containsKey(id)) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the scheduler did not learn cluster " + cluster + " in 3 minutes");
                }
                Thread.sleep(1000);
            }
        }
    }

    private static void awaitAll(List<String> ids, Map<String, Long> seen, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (ids.stream().allMatch(seen::containsKey)) {
                return;
            }
            Thread.sleep(50);
        }
        long missing = ids.stream().filter(id -> !seen.containsKey(id)).count();
        throw new IllegalStateException(missing + " of " + ids.size() + " job(s) not seen within " + limit);
    }

    private void submit(String id, String cluster) {
        send(
                Topics.JOBS_SUBMITTED,
                cluster,
                new JobSubmitted(
                        id, cluster, new JobSpec("true", 1, Map.of(), null, "bench", null, null, null), Instant.now()));
    }

    private void send(String topic, String key, Object event) {
        producer.send(new ProducerRecord<>(topic, key, EventJson.write(event)));
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> opt = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--throughput")) {
                continue;
            }
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("usage: ebbtide bench --throughput [--jobs 20000] [--clusters 100] "
                        + "[--warmup 10000] [--nodes 200] [--dispatch-jobs 4000] [--active-clusters 1000] [--memory-jobs 100000] "
                        + "[--replicas 1] [--keep-state true]");
            }
            opt.put(args[i].substring(2), args[++i]);
        }
        return opt;
    }
}
