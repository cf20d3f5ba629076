package dev.ebbtide.devsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.common.events.ScalingDecisionRecorded;
import dev.ebbtide.common.events.Topics;
import dev.ebbtide.core.scaling.ClusterSnapshot;
import dev.ebbtide.core.scaling.Policies;
import dev.ebbtide.core.scaling.ScalingDecision;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * {@code ebbtide decisions replay --cluster NAME [--since 2h|ISO] [--kafka-config FILE]}: reads the decisions the
 * autoscaler recorded on {@link Topics#SCALING_DECISIONS}, recomputes each with the same core classes
 * ({@code Policies.create(policy, boot).decide(snapshot, at)}) and reports every decision that comes out different.
 * Exit code 0 when all replay identically, 1 when any differs, 2 on a usage error.
 */
public final class DecisionReplay {
    private static final ObjectMapper JSON = EventJson.mapper();

    /** One decision that came out different. */
    public record Mismatch(ScalingDecisionRecorded recorded, JsonNode recomputed) {
        @Override
        public String toString() {
            return recorded.at() + " " + recorded.cluster() + " (" + recorded.policy() + " v" + recorded.policyVersion()
                    + "): recorded " + recorded.decision() + ", recomputed " + recomputed;
        }
    }

    private DecisionReplay() {}

    /** Recomputes each recorded decision from its snapshot; returns those that differ. */
    public static List<Mismatch> replay(List<ScalingDecisionRecorded> records) {
        List<Mismatch> mismatches = new ArrayList<>();
        for (ScalingDecisionRecorded r : records) {
            JsonNode recomputed;
            try {
                ClusterSnapshot snapshot = JSON.treeToValue(r.snapshot(), ClusterSnapshot.class);
                ScalingDecision decision = Policies.create(r.policy(), Duration.ofSeconds(r.nodeBootTimeS()))
                        .decide(snapshot, r.at());
                recomputed = JSON.readTree(JSON.writeValueAsString(decision));
            } catch (Exception e) {
                recomputed = JSON.getNodeFactory().textNode("cannot recompute: " + e.getMessage());
            }
            if (!recomputed.equals(r.decision())) {
                mismatches.add(new Mismatch(r, recomputed));
            }
        }
        return mismatches;
    }

    /** The cluster's recorded decisions at or after {@code since}, in topic order. */
    public static List<ScalingDecisionRecorded> read(
            Map<String, Object> client, String cluster, Instant since, Duration timeout) {
        List<ScalingDecisionRecorded> found = new ArrayList<>();
        Map<String, Object> config = new HashMap<>(client);
        config.put("enable.auto.commit", "false");
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.SCALING_DECISIONS, timeout).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p, timeout) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "could not read " + Topics.SCALING_DECISIONS + " within " + timeout);
                }
                for (ConsumerRecord<byte[], byte[]> rec : consumer.poll(Duration.ofMillis(200))) {
                    ScalingDecisionRecorded r;
                    try {
                        r = EventJson.read(
                                new String(rec.value(), StandardCharsets.UTF_8), ScalingDecisionRecorded.class);
                    } catch (IllegalArgumentException e) {
                        continue; // not a decision record: nothing to replay
                    }
                    if (cluster.equals(r.cluster()) && r.at() != null && !r.at().isBefore(since)) {
                        found.add(r);
                    }
                }
            }
        }
        found.sort((a, b) -> a.at().compareTo(b.at()));
        return found;
    }

    /** Prints the outcome; returns the exit code. */
    public static int report(List<ScalingDecisionRecorded> records, PrintStream out) {
        List<Mismatch> mismatches = replay(records);
        for (Mismatch m : mismatches) {
            out.println("DIFFERENT " + m);
        }
        long changed = records.stream().filter(ScalingDecisionRecorded::changed).count();
        out.println(records.size() + " decisions replayed (" + changed + " that changed something), "
                + mismatches.size() + " different");
        return mismatches.isEmpty() ? 0 : 1;
    }

    public static void main(String[] args) throws Exception {
        java.util.logging.Logger.getLogger("org.apache.kafka").setLevel(java.util.logging.Level.WARNING);
        Map<String, String> opt = new HashMap<>();
        for (int i = 1; i + 1 < args.length; i += 2) {
            opt.putIfAbsent(
                    args[i].replaceFirst("^--", ""), args[i + 1]); // the first wins: the launcher appends its default
        }
        if (args.length < 3 || !"replay".equals(args[0]) || !opt.containsKey("cluster")) {
            System.err.println("usage: ebbtide decisions replay --cluster NAME [--since 2h|ISO-INSTANT] "
                    + "[--kafka-config CLIENT.properties]");
            System.exit(2);
        }
        Instant since;
        try {
            since = Since.parse(opt.getOrDefault("since", "24h"), Instant.now());
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        Path configFile = Path.of(opt.getOrDefault("kafka-config", ".ebbtide/secrets/kafka-admin.properties"));
        Map<String, Object> client =
                new HashMap<>(Files.exists(configFile) ? StackSecrets.readClientConfig(configFile) : Map.of());
        client.putIfAbsent("bootstrap.servers", opt.getOrDefault("kafka", "127.0.0.1:19092"));
        List<ScalingDecisionRecorded> records = read(client, opt.get("cluster"), since, Duration.ofSeconds(30));
        System.exit(report(records, System.out));
    }
}
