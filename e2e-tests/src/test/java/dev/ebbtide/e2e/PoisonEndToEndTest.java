package dev.ebbtide.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.common.events.Topics;
import dev.ebbtide.devsupport.KafkaAccess;
import dev.ebbtide.devsupport.LocalStack;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Poison on every topic every service and node agent reads, interleaved with good jobs: each bad record ends on its
 * dead-letter topic with a reason and its bytes unchanged, every good job completes, every channel is UP at the end.
 */
class PoisonEndToEndTest {
    static final List<String> CLUSTERS = List.of("p1", "p2", "p3");
    /** Readiness channels per service. */
    static final Map<String, List<String>> CHANNELS = Map.of(
            "job-submitter",
            List.of("clusters-in"),
            "scheduler",
            List.of("scheduler-in", "logs-in"),
            "autoscaler",
            List.of("autoscaler-in"),
            "provisioner",
            List.of("clusters-in", "provisioner-in", "agents-in"));

    @TempDir
    static Path tmp;

    static LocalStack stack;
    static StackClient client;

    @BeforeAll
    static void startStack() throws Exception {
        Path root = Path.of(System.getProperty("ebbtide.repo.root", ".."))
                .toAbsolutePath()
                .normalize();
        Path clusters = Files.createDirectories(tmp.resolve("clusters"));
        for (String c : CLUSTERS) {
            Files.writeString(
                    clusters.resolve(c + ".yml"),
                    "name: " + c + "\ntype: amlcompute\nmin_instances: 0\n"
                            + "max_instances: 3\nidle_time_before_scale_down: 120\n");
        }
        Path state = root.resolve("e2e-tests/target/e2e-poison-state");
        StackClient.deleteTree(state);
        stack = LocalStack.start(
                new LocalStack.Options(root, Files.createDirectories(state), 0, 0, true, clusters, Map.of()));
        client = new StackClient(stack, stack.token("e2e", "operator"));
        await().atMost(Duration.ofSeconds(60))
                .until(() -> CLUSTERS.stream().allMatch(c -> {
                    try {
                        return client.knownToSubmitter(c);
                    } catch (Exception e) {
                        return false;
                    }
                }));
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    /** A bad record as published: where it is, what it was, what kind. */
    record Sent(String kind, String topic, int partition, long offset, byte[] value) {
        /** Where it was written: offsets are per partition. */
        String at() {
            return topic + "@" + partition + "@" + offset;
        }
    }

    @Test
    void badRecordsOnEveryTopicAreDeadLetteredByteForByteAndEveryGoodJobCompletes() throws Exception {
        Instant start = Instant.now();
        List<String> jobs = new ArrayList<>();
        List<Sent> sent = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                stack.kafkaClientConfig(KafkaAccess.ADMIN), new ByteArraySerializer(), new ByteArraySerializer())) {
            // a first wave brings a node agent up on each cluster: jobs.assignments and jobs.stops have readers then
            for (int i = 0; i < 9; i++) {
                jobs.add(client.submit(job(CLUSTERS.get(i % 3))));
            }
            for (String job : jobs) {
                assertEquals(
                        "Completed",
                        client.awaitTerminal(job, Duration.ofSeconds(90))
                                .path("state")
                                .asText(),
                        job);
            }
            for (int round = 0; round < 9; round++) {
                for (String topic : BadRecordKinds.TOPICS) {
                    for (BadRecordKinds.Kind k : BadRecordKinds.kinds(topic, round, round < 2)) {
                        RecordMetadata m = producer.send(k.record()).get();
                        sent.add(new Sent(
                                k.name(),
                                topic,
                                m.partition(),
                                m.offset(),
                                k.record().value()));
                    }
                }
                for (int i = 0; i < 12 && jobs.size() < 100; i++) {
                    jobs.add(client.submit(job(CLUSTERS.get(jobs.size() % 3))));
                }
            }
            while (jobs.size() < 100) {
                jobs.add(client.submit(job(CLUSTERS.get(jobs.size() % 3))));
            }
        }
        for (String job : jobs) {
            JsonNode done = client.awaitTerminal(job, Duration.ofSeconds(120));
            assertEquals("Completed", done.path("state").asText(), done.toString());
        }
        System.out.printf(
                "E2E figure: %d bad records of %d kinds on %d topics and 100 good jobs: all jobs Completed %d s after the start%n",
                sent.size(),
                sent.stream().map(Sent::kind).distinct().count(),
                BadRecordKinds.TOPICS.size(),
                Duration.between(start, Instant.now()).toSeconds());
        assertTrue(sent.size() >= 1000, "at least 1,000 bad records: " + sent.size());

        Map<String, List<ConsumerRecord<byte[], byte[]>>> dead = deadLetters(sent);
        Map<String, String> reasons = new TreeMap<>();
        for (Sent s : sent) {
            List<ConsumerRecord<byte[], byte[]>> letters = dead.get(s.at());
            assertNotNull(letters, "no dead letter for " + s.kind() + " on " + s.topic() + " at " + s.offset());
            for (ConsumerRecord<byte[], byte[]> d : letters) {
                assertEquals(Topics.deadLetterTopicFor(s.topic()), d.topic());
                assertArrayEquals(s.value(), d.value(), s.kind() + " on " + s.topic() + ": bytes unchanged");
                String reason = header(d, "dead-letter-reason");
                assertFalse(reason == null || reason.isBlank(), "a reason for " + s.kind());
                reasons.putIfAbsent(s.kind() + " | " + s.topic(), header(d, "dead-letter-consumer") + ": " + reason);
            }
        }
        reasons.forEach((k, r) -> System.out.println("E2E bad input: " + k + " -> " + r));
        Set<String> sentKeys = new java.util.HashSet<>();
        sent.forEach(s -> sentKeys.add(s.at()));
        List<String> unexpected =
                dead.keySet().stream().filter(k -> !sentKeys.contains(k)).toList();
        assertEquals(List.of(), unexpected, "only the bad records are dead-lettered");

        for (String service : CHANNELS.keySet()) {
            HttpResponse<String> r = StackClient.HTTP.send(
                    HttpRequest.newBuilder(URI.create(stack.url(service) + "/q/health/ready"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), service + ": " + r.body());
            JsonNode consumers = null;
            for (JsonNode check : EventJson.mapper().readTree(r.body()).path("checks")) {
                if ("ebbtide-consumers".equals(check.path("name").asText())) {
                    consumers = check.path("data");
                }
            }
            assertNotNull(consumers, service + " has no ebbtide-consumers check: " + r.body());
            for (String channel : CHANNELS.get(service)) {
                assertEquals("consuming", consumers.path(channel).asText(), service + " " + channel + ": " + r.body());
            }
        }
    }

    /** Dead letters by source "topic@offset", read until every sent record has at least one. */
    private static Map<String, List<ConsumerRecord<byte[], byte[]>>> deadLetters(List<Sent> sent) {
        Map<String, List<ConsumerRecord<byte[], byte[]>>> dead = new ConcurrentHashMap<>();
        Map<String, Object> config = new HashMap<>(stack.kafkaClientConfig(KafkaAccess.ADMIN));
        config.put("group.id", "e2e-dlq-" + UUID.randomUUID());
        config.put("auto.offset.reset", "earliest");
        try (KafkaConsumer<byte[], byte[]> c =
                new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(Topics.JOBS_SUBMITTED_DLQ, Topics.INTERNAL_DLQ));
            try {
                await().atMost(Duration.ofSeconds(60)).until(() -> {
                    c.poll(Duration.ofMillis(300))
                            .forEach(r -> dead.computeIfAbsent(
                                            header(r, "dead-letter-topic") + "@" + header(r, "dead-letter-partition")
                                                    + "@" + header(r, "dead-letter-offset"),
                                            k -> new ArrayList<>())
                                    .add(r));
                    return sent.stream().allMatch(s -> dead.containsKey(s.at()));
                });
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                List<String> missing = sent.stream()
                        .filter(s -> !dead.containsKey(s.at()))
                        .map(s -> s.kind() + " on " + s.at())
                        .limit(30)
                        .toList();
                throw new AssertionError("not dead-lettered: " + missing, e);
            }
            c.poll(Duration.ofSeconds(2))
                    .forEach(r -> dead.computeIfAbsent(
                                    header(r, "dead-letter-topic") + "@" + header(r, "dead-letter-partition") + "@"
                                            + header(r, "dead-letter-offset"),
                                    k -> new ArrayList<>())
                            .add(r)); // anything more
        }
        return dead;
    }

    static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static String job(String cluster) {
        return "command: \"true\"\ncompute: azureml:" + cluster + "\n";
    }
}
