package dev.ebbtide.devsupport;

import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.common.events.JobSpec;
import dev.ebbtide.common.events.JobState;
import dev.ebbtide.common.events.JobStateChanged;
import dev.ebbtide.common.events.JobSubmitted;
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
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * {@code ./ebbtide bench}: a harness (not a test) that measures, against a running stack, how fast jobs published on
 * Kafka are queued, get nodes, start and end, and how fast the first scale request follows a submission. Prints
 * p50 / p95 / max per step. All times are taken from the events' own timestamps, on one machine's clock.
 */
public final class LatencyBench {

    public static void main(String[] args) throws Exception {
        java.util.logging.Logger.getLogger("org.apache.kafka").setLevel(java.util.logging.Level.WARNING);
        Map<String, String> opt = options(args);
        String bootstrap = opt.getOrDefault("kafka", "127.0.0.1:19092");
        // the stack's admin credentials (./ebbtide up writes them); --kafka-config FILE for another broker
        Path configFile = Path.of(opt.getOrDefault("kafka-config", ".ebbtide/secrets/kafka-admin.properties"));
        Map<String, Object> client =
                new HashMap<>(Files.exists(configFile) ? StackSecrets.readClientConfig(configFile) : Map.of());
        if (opt.containsKey("kafka") || !client.containsKey("bootstrap.servers")) {
            client.put("bootstrap.servers", bootstrap);
        }
        Map<String, Object> producerConfig = new HashMap<>(client);
        producerConfig.put("linger.ms", "0");
        String cluster = opt.getOrDefault("cluster", "cpu-cluster");
        int jobs = Integer.parseInt(opt.getOrDefault("jobs", "40"));
        int nodes = Integer.parseInt(opt.getOrDefault("nodes", "1"));
        double rate = Double.parseDouble(opt.getOrDefault("rate", "20"));
        String command = opt.getOrDefault("command", "sleep 1");

        try (TopicRecorder recorder = new TopicRecorder(client, List.of(Topics.JOBS_STATE, Topics.SCALE_REQUESTS));
                KafkaProducer<String, String> producer =
                        new KafkaProducer<>(producerConfig, new StringSerializer(), new StringSerializer())) {
            Thread.sleep(2000); // let the recorder join its group before the first submission
            Map<String, Instant> submitted = new HashMap<>();
            Instant first = Instant.now();
            long pauseNanos = (long) (1e9 / rate);
            for (int i = 0; i < jobs; i++) {
                String id = "bench-" + UUID.randomUUID();
                Instant at = Instant.now();
                JobSubmitted job = new JobSubmitted(
                        id, cluster, new JobSpec(command, nodes, Map.of(), "bench-" + i, "bench", null, null), at);
                producer.send(new ProducerRecord<>(Topics.JOBS_SUBMITTED, cluster, EventJson.write(job)));
                submitted.put(id, at);
                Thread.sleep(pauseNanos / 1_000_000, (int) (pauseNanos % 1_000_000));
            }
            producer.flush();
            System.out.printf(
                    "submitted %d job(s) of %d node(s) to %s at %.0f/s; waiting for them to end...%n",
                    jobs, nodes, cluster, rate);
            long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
            Map<String, Map<JobState, Instant>> states = new HashMap<>();
            while (System.nanoTime() < deadline) {
                states.clear();
                for (JobStateChanged e : recorder.events(Topics.JOBS_STATE, JobStateChanged.class)) {
                    if (submitted.containsKey(e.jobId())) {
                        states.computeIfAbsent(e.jobId(), k -> new HashMap<>()).putIfAbsent(e.state(), e.at());
                    }
                }
                long ended = states.values().stream()
                        .filter(m -> m.keySet().stream().anyMatch(JobState::isTerminal))
                        .count();
                if (ended == jobs) {
                    break;
                }
                Thread.sleep(250);
            }
            List<ScaleRequested> requests = recorder.events(Topics.SCALE_REQUESTS, ScaleRequested.class).stream()
                    .filter(r -> r.cluster().equals(cluster) && !r.at().isBefore(first))
                    .toList();
            report(submitted, states, requests, first);
        }
    }

    private static void report(
            Map<String, Instant> submitted,
            Map<String, Map<JobState, Instant>> states,
            List<ScaleRequested> requests,
            Instant first) {
        List<Long> queued = new ArrayList<>();
        List<Long> preparing = new ArrayList<>();
        List<Long> running = new ArrayList<>();
        List<Long> ended = new ArrayList<>();
        Instant last = first;
        for (var e : submitted.entrySet()) {
            Map<JobState, Instant> s = states.getOrDefault(e.getKey(), Map.of());
            add(queued, e.getValue(), s.get(JobState.Queued));
            add(preparing, e.getValue(), s.get(JobState.Preparing));
            add(running, e.getValue(), s.get(JobState.Running));
            Instant end = s.entrySet().stream()
                    .filter(x -> x.getKey().isTerminal())
                    .map(Map.Entry::getValue)
                    .findFirst()
                    .orElse(null);
            add(ended, e.getValue(), end);
            if (end != null && end.isAfter(last)) {
                last = end;
            }
        }
        System.out.printf("%-34s %6s %8s %8s %8s%n", "step (ms from submission)", "jobs", "p50", "p95", "max");
        row("queued (scheduler persisted it)", queued);
        row("preparing (placed on nodes)", preparing);
        row("running (command started)", running);
        row("ended", ended);
        if (!requests.isEmpty()) {
            System.out.printf(
                    "first scale request %d ms after the first submission; %d scale request(s) in all%n",
                    Duration.between(first, requests.get(0).at()).toMillis(), requests.size());
        }
        System.out.printf(
                "all %d job(s) ended %.1f s after the first submission (%d never ended)%n",
                ended.size(), Duration.between(first, last).toMillis() / 1000.0, submitted.size() - ended.size());
    }

    private static void add(List<Long> list, Instant from, Instant to) {
        if (to != null) {
            list.add(Math.max(0, Duration.between(from, to).toMillis()));
        }
    }

    private static void row(String name, List<Long> values) {
        List<Long> v = values.stream().sorted().toList();
        if (v.isEmpty()) {
            System.out.printf("%-34s %6d %8s %8s %8s%n", name, 0, "-", "-", "-");
            return;
        }
        System.out.printf("%-34s %6d %8d %8d %8d%n", name, v.size(), pct(v, 50), pct(v, 95), v.get(v.size() - 1));
    }

    private static long pct(List<Long> sorted, int p) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> opt = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("usage: ebbtide bench [--jobs N] [--nodes N] [--rate PER_S] "
                        + "[--cluster NAME] [--command CMD] [--kafka HOST:PORT] [--kafka-config CLIENT.properties]");
            }
            opt.put(args[i].substring(2), args[i + 1]);
        }
        return opt;
    }
}
