package dev.ebbtide.devsupport;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.common.events.JobState;
import dev.ebbtide.common.events.JobStateChanged;
import dev.ebbtide.common.events.Topics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * {@code ./ebbtide bench --staging}: a benchmark harness (not a test) for what a code snapshot and a big input add to a
 * job's start on the local stack. Starts its own stack on free ports (Kafka, PostgreSQL, the four services, the local
 * provider's node agents, sandboxed), with one cluster kept warm ({@code min_instances: 1, max_instances: 1}: node
 * boot is not in any figure), then for each case submits {@code --jobs} jobs one after another through the CLI path
 * ({@link EbbtideCli#submit}: snapshot, upload, {@code POST /jobs}) and times each from the call to submit to the
 * scheduler's {@code Running} state event on {@code ebbtide.jobs.state} (its own timestamp), split into the CLI's part
 * (until submit returned) and staging ({@code Preparing} → {@code Running}: the agent fetching code and inputs). The
 * ceilings of the same run are printed beside them: {@link Files#copy} of the same trees on this disk, and the
 * no-code case as the baseline. The 10,000-file / 100 MB code folder is {@link SnapshotBench}'s tree.
 *
 * <pre>
 * ./ebbtide bench --staging [--jobs 5] [--keep-state true]
 * </pre>
 */
public final class StagingBench {
    static final String CLUSTER = "staging-bench";
    static final Pattern SUBMITTED = Pattern.compile("submitted job (\\S+) to cluster");
    static final Set<String> TERMINAL = Set.of("Completed", "Failed", "Canceled");

    /** One job's figures, in seconds; {@code uploads} is what the CLI said of each local path. */
    record Sample(String job, double cli, double toPreparing, double toRunning, String end, String uploads) {}

    private final EbbtideCli cli;
    private final SubmitterApi api;
    private final Map<String, Map<JobState, Instant>> states = new ConcurrentHashMap<>();
    private final Map<String, String> reasons = new ConcurrentHashMap<>();
    private final List<String> rows = new ArrayList<>();
    private final Set<String> nodes = new TreeSet<>();

    private StagingBench(EbbtideCli cli, SubmitterApi api) {
        this.cli = cli;
        this.api = api;
    }

    public static void main(String[] args) throws Exception {
        java.util.logging.Logger rootLogger = java.util.logging.Logger.getLogger(""); // the broker's INFO lines
        rootLogger.setLevel(java.util.logging.Level.WARNING);
        for (java.util.logging.Handler h : rootLogger.getHandlers()) {
            h.setLevel(java.util.logging.Level.WARNING);
        }
        Map<String, String> opt = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--staging")) {
                continue;
            }
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                System.err.println("usage: ./ebbtide bench --staging [--jobs 5] [--keep-state true]");
                System.exit(2);
            }
            opt.put(args[i].substring(2), args[++i]);
        }
        Path root = Path.of(opt.getOrDefault("root", ".")).toAbsolutePath().normalize();
        int jobs = Integer.parseInt(opt.getOrDefault("jobs", "5"));
        Path state = Files.createTempDirectory("ebbtide-staging");
        Path clusters = Files.createDirectories(state.resolve("clusters"));
        Files.writeString(clusters.resolve(CLUSTER + ".yml"), """
                name: staging-bench
                type: amlcompute
                size: Standard_DS3_v2
                min_instances: 1
                max_instances: 1
                idle_time_before_scale_down: 600
                """);
        String startedAt = Instant.now().toString();
        String uptime = uptime();
        long t = System.nanoTime();
        StagingBench bench;
        try (LocalStack stack = LocalStack.start(new LocalStack.Options(
                root,
                state,
                0,
                0,
                true,
                clusters,
                Map.of("provisioner:ebbtide.local.agent-heartbeat-interval", "1s")))) {
            System.out.printf(
                    Locale.ROOT, "stack started in %.1f s; state in %s%n", (System.nanoTime() - t) / 1e9, state);
            String token = stack.token("staging-bench", "submitter");
            bench = new StagingBench(
                    new EbbtideCli(stack.url("job-submitter"), List.of(stack.url("autoscaler")), token),
                    new SubmitterApi(stack.url("job-submitter"), token));
            try (BenchWatch watch = new BenchWatch(
                    stack.kafkaClientConfig(KafkaAccess.ADMIN), List.of(Topics.JOBS_STATE), bench::onRecord)) {
                watch.awaitReady();
                bench.run(state.resolve("project"), jobs);
            }
        } finally {
            if (!Boolean.parseBoolean(opt.getOrDefault("keep-state", "false"))) {
                deleteTree(state);
            }
        }
        System.out.println();
        System.out.printf(
                Locale.ROOT,
                "=== ebbtide bench --staging (%d cores, %d jobs per case, started %s, uptime at start: %s) ===%n",
                Runtime.getRuntime().availableProcessors(),
                jobs,
                startedAt,
                uptime);
        System.out.println("warm cluster: min_instances 1, max_instances 1 (node boot is in no figure); every job"
                + " submitted after the previous one ended, through EbbtideCli.submit");
        bench.rows.forEach(System.out::println);
        System.out.println("nodes that ran the measured jobs: " + bench.nodes);
        System.out.println("uptime at the end: " + uptime());
    }

    private void onRecord(ConsumerRecord<String, String> r, long now) {
        JobStateChanged e = EventJson.read(r.value(), JobStateChanged.class);
        states.computeIfAbsent(e.jobId(), k -> new ConcurrentHashMap<>()).putIfAbsent(e.state(), e.at());
        if (e.reason() != null) {
            reasons.put(e.jobId(), e.reason());
        }
    }

    private void run(Path project, int jobs) throws Exception {
        Files.createDirectories(project);
        Path small = Files.createDirectories(project.resolve("small"));
        Files.writeString(small.resolve("hello.sh"), "echo hello from the snapshot\n");
        Path data = project.resolve("data");
        long dataBytes = SnapshotBench.makeTree(data, 100, 100_000_000L);
        Path big = project.resolve("big");
        long bigBytes = SnapshotBench.makeTree(big, 10_000, 100_000_000L);
        System.out.printf(
                Locale.ROOT,
                "made the input (100 files, %.1f MB) and the code folder (10,000 files, %.1f MB)%n",
                dataBytes / 1e6,
                bigBytes / 1e6);

        Path noCode = write(project, "no-code.yml", "command: echo hi\n");
        Path smallCode = write(project, "small.yml", "code: small\ncommand: sh hello.sh\n");
        Path withData = write(
                project,
                "data.yml",
                "code: small\ncommand: sh hello.sh; ls ${{inputs.data}} | wc -l\n"
                        + "inputs:\n  data:\n    type: uri_folder\n    path: ./data\n");
        Path bigCode = write(project, "big.yml", "code: big\ncommand: ls | wc -l\n");

        // warm-up: the first submissions wait for the cluster to be known and for its one node; JVMs warm up
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        for (int i = 0; i < 3; i++) {
            Sample s = submit(noCode, deadline);
            System.out.printf(Locale.ROOT, "warm-up %d: %s to Running in %.2f s%n", i + 1, s.job(), s.toRunning());
        }

        List<Sample> base = series("no code", noCode, jobs, null);
        double baseline = median(base, Sample::toRunning);
        row("no code (baseline)", base, baseline);
        row("code: 1 small file (snapshot)", series("small snapshot", smallCode, jobs, null), baseline);

        double copyData = copySeconds(data, project.resolve("copy-data"));
        rows.add(String.format(
                Locale.ROOT,
                "%-52s %s",
                "ceiling: Files.copy of the 100 MB input (100 files)",
                String.format(Locale.ROOT, "%.2f s   load %s", copyData, BenchReport.load())));
        row(
                "code + 100 MB uri_folder input, first (uploads)",
                series("data first", withData, jobs, data.resolve("round.txt")),
                baseline);
        row(
                "code + 100 MB uri_folder input, repeated (uploaded)",
                series("data repeated", withData, jobs, null),
                baseline);

        double copyBig = copySeconds(big, project.resolve("copy-big"));
        rows.add(String.format(
                Locale.ROOT,
                "%-52s %s",
                "ceiling: Files.copy of the 10,000-file tree (100 MB)",
                String.format(Locale.ROOT, "%.2f s   load %s", copyBig, BenchReport.load())));
        row(
                "code: 10,000 files / 100 MB, first (uploads)",
                series("snapshot first", bigCode, jobs, big.resolve("round.txt")),
                baseline);
        row(
                "code: 10,000 files / 100 MB, repeated (uploaded)",
                series("snapshot repeated", bigCode, jobs, null),
                baseline);
    }

    /**
     * {@code n} jobs of one file, one after another; with {@code change}, that file is rewritten before each, so the
     * folder's digest is new and the CLI uploads it (as after editing one file of a project).
     */
    private List<Sample> series(String label, Path file, int n, Path change) throws Exception {
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (change != null) {
                Files.writeString(change, "round " + System.nanoTime() + "\n");
            }
            Sample s = submit(file, System.nanoTime() + Duration.ofMinutes(1).toNanos());
            samples.add(s);
            System.out.printf(
                    Locale.ROOT,
                    "%s %d: %s %s, submit->Running %.2f s (CLI %.2f s, submit->Preparing %.2f s), %s; load %s%n",
                    label,
                    i + 1,
                    s.job(),
                    s.end(),
                    s.toRunning(),
                    s.cli(),
                    s.toPreparing(),
                    s.uploads(),
                    BenchReport.load());
        }
        return samples;
    }

    /** Submits through the CLI (retrying a refusal until {@code acceptDeadline}), then waits for the job's end. */
    private Sample submit(Path file, long acceptDeadline) throws Exception {
        while (true) {
            PrintStream old = System.out;
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Instant t0 = Instant.now();
            long n0 = System.nanoTime();
            int code;
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            try {
                code = cli.submit(file, false);
            } finally {
                System.setOut(old);
            }
            double cliSeconds = (System.nanoTime() - n0) / 1e9;
            String printed = out.toString(StandardCharsets.UTF_8);
            Matcher m = SUBMITTED.matcher(printed);
            if (code != 0 || !m.find()) {
                if (System.nanoTime() > acceptDeadline) {
                    throw new IllegalStateException("submitting " + file + " failed: " + printed);
                }
                Thread.sleep(1000); // the submitter does not know the cluster yet
                continue;
            }
            String id = m.group(1);
            String uploads = String.join(
                    "; ",
                    printed.lines()
                            .filter(l -> l.contains("uploaded"))
                            .map(String::strip)
                            .toList());
            long until = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            String end = null;
            while (end == null) {
                Map<JobState, Instant> s = states.getOrDefault(id, Map.of());
                end = s.keySet().stream()
                        .map(Enum::name)
                        .filter(TERMINAL::contains)
                        .findFirst()
                        .orElse(null);
                if (end == null && System.nanoTime() > until) {
                    throw new IllegalStateException("job " + id + " did not end in 5 minutes: " + s);
                }
                Thread.sleep(20);
            }
            Map<JobState, Instant> s = states.get(id);
            if (!end.equals("Completed")) {
                System.out.println("job " + id + " " + end + ": " + reasons.get(id));
            }
            try {
                JsonNode job = api.get("/jobs/" + id);
                job.path("nodes").forEach(node -> nodes.add(node.asText()));
            } catch (SubmitterApi.Failure e) {
                System.out.println("GET /jobs/" + id + ": " + e.getMessage());
            }
            Thread.sleep(1000); // the node's idle state reaches the scheduler before the next submission
            return new Sample(
                    id,
                    cliSeconds,
                    seconds(t0, s.get(JobState.Preparing)),
                    seconds(t0, s.get(JobState.Running)),
                    end,
                    uploads.isEmpty() ? "nothing to upload" : uploads);
        }
    }

    private void row(String what, List<Sample> samples, double baseline) {
        double median = median(samples, Sample::toRunning);
        double max = samples.stream().mapToDouble(Sample::toRunning).max().orElse(Double.NaN);
        double staging = median(samples, s -> s.toRunning() - s.toPreparing());
        long failed = samples.stream().filter(s -> !s.end().equals("Completed")).count();
        String line = String.format(
                Locale.ROOT,
                "%-52s submit->Running median %.2f s, max %.2f s (+%.2f s over the baseline); CLI median %.2f s;"
                        + " staging (Preparing->Running) median %.2f s%s   load %s",
                what,
                median,
                max,
                median - baseline,
                median(samples, Sample::cli),
                staging,
                failed == 0 ? "" : "; " + failed + " not Completed",
                BenchReport.load());
        rows.add(line);
        System.out.println(line);
    }

    private static double median(List<Sample> samples, java.util.function.ToDoubleFunction<Sample> f) {
        double[] v = samples.stream()
                .mapToDouble(f)
                .filter(d -> !Double.isNaN(d))
                .sorted()
                .toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static double seconds(Instant from, Instant to) {
        return to == null ? Double.NaN : Duration.between(from, to).toNanos() / 1e9;
    }

    /** The time {@link Files#copy} takes to copy every file of {@code from} to {@code to} (removed afterwards). */
    static double copySeconds(Path from, Path to) throws IOException {
        long start = System.nanoTime();
        try (var walk = Files.walk(from)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
        double s = (System.nanoTime() - start) / 1e9;
        deleteTree(to);
        return s;
    }

    private static Path write(Path dir, String name, String body) throws IOException {
        return Files.writeString(dir.resolve(name), body + "compute: azureml:" + CLUSTER + "\n");
    }

    static String uptime() {
        try {
            Process p = new ProcessBuilder("uptime").redirectErrorStream(true).start();
            String s = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            p.waitFor();
            return s;
        } catch (IOException e) {
            return "load " + BenchReport.load();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "load " + BenchReport.load();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        }
    }
}
