package dev.ebbtide.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.common.events.Topics;
import dev.ebbtide.devsupport.ComposeSecrets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compose's three Kafka nodes, started for real from their settings in docker-compose.yml ({@link ComposeKafkaNodes}),
 * with the SCRAM users, topics and ACLs kafka-init creates ({@link KafkaInitScript}): every partition has three replicas and needs two, a
 * write acknowledged with {@code acks=all} (as the services produce) survives the loss of brokers, writes go on with
 * one broker down, are refused (not half-done) with two down, and resume when one of them is back.
 */
class ComposeKafkaQuorumTest {

    @Test
    void oneBrokerCanBeLostTwoStopWritesAndNoAcknowledgedRecordIsLost(@TempDir Path dir) throws Exception {
        ComposeFile compose = ComposeFile.read();
        Map<String, Map<String, String>> nodes = new LinkedHashMap<>();
        compose.brokers().forEach(b -> nodes.put(b, ComposeKafkaNodes.env(compose, b)));
        assertEquals(3, nodes.size(), "compose should run three Kafka nodes: " + nodes.keySet());
        List<String> problems = new ArrayList<>();
        Path secrets = ComposeSecretFiles.write(dir.resolve("secrets"));
        KafkaInitScript.Result init =
                KafkaInitScript.run(compose.service(compose.topicInit().orElseThrow()), secrets, problems);
        assertTrue(problems.isEmpty(), problems::toString);

        try (ComposeKafkaNodes kafka = ComposeKafkaNodes.start(nodes, dir, secrets)) {
            // the admin principal (a super user), as kafka-init connects
            Map<String, Object> client = kafka.clientConfig(secrets.resolve(ComposeSecrets.KAFKA_ADMIN));
            kafka.applyInit(init, client);
            String topic = Topics.SCALE_REQUESTS;
            try (Admin admin = Admin.create(client)) {
                for (TopicDescription d :
                        admin.describeTopics(Topics.ALL).allTopicNames().get().values()) {
                    d.partitions().forEach(p -> assertEquals(3, p.replicas().size(), d.name() + "-" + p.partition()));
                }
                for (var e : admin.describeConfigs(Topics.ALL.stream()
                                .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t))
                                .toList())
                        .all()
                        .get()
                        .entrySet()) {
                    Config c = e.getValue();
                    assertEquals(
                            "2",
                            c.get("min.insync.replicas").value(),
                            e.getKey().name());
                    assertEquals(
                            Topics.COMPACTED.contains(e.getKey().name()) ? "compact" : "delete",
                            c.get("cleanup.policy").value(),
                            e.getKey().name());
                }
            }
            List<String> acknowledged = new ArrayList<>();
            try (KafkaProducer<String, String> producer = producer(client)) {
                write(producer, topic, "all three up", acknowledged);
                kafka.stop(nodes.keySet().stream().toList().get(2), 60);
                write(producer, topic, "one broker down", acknowledged); // leaders move, ISR {two}: still acknowledged
                kafka.stop(nodes.keySet().stream().toList().get(1), 60);
                ExecutionException refused = assertThrows(
                        ExecutionException.class,
                        () -> producer.send(new ProducerRecord<>(topic, "c-0", "two brokers down"))
                                .get(30, TimeUnit.SECONDS));
                assertTrue(
                        refused.getCause() instanceof NotEnoughReplicasException
                                || refused.getCause() instanceof TimeoutException,
                        () -> "expected a refusal, got " + refused.getCause());
                // two of three controllers are down too: the quorum is lost until one comes back
                kafka.restart(nodes.keySet().stream().toList().get(1), 120);
                write(producer, topic, "back to two", acknowledged);
            }
            List<String> read = readAll(client, topic);
            assertEquals(
                    acknowledged,
                    read.stream().filter(acknowledged::contains).toList(),
                    "every acknowledged record is there, once");
            assertFalse(read.contains("two brokers down"), "the refused write must not appear: " + read);
        }
    }

    private static void write(KafkaProducer<String, String> producer, String topic, String phase, List<String> acked)
            throws Exception {
        for (int i = 0; i < 12; i++) { // 12 keys: every partition of a 6-partition topic in practice
            String value = phase + " #" + i;
            producer.send(new ProducerRecord<>(topic, "cluster-" + i, value)).get(60, TimeUnit.SECONDS);
            acked.add(value);
        }
    }

    private static KafkaProducer<String, String> producer(Map<String, Object> client) {
        Map<String, Object> p = new HashMap<>(client);
        p.putAll(Map.of(
                "acks", "all", "delivery.timeout.ms", "20000", "request.timeout.ms", "5000", "max.block.ms", "20000"));
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    /** Every record of the topic, ordered by the value's phase and number (the order written). */
    private static List<String> readAll(Map<String, Object> client, String topic) {
        Map<String, Object> c = new HashMap<>(client);
        c.put("auto.offset.reset", "earliest");
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            int empty = 0;
            while (System.nanoTime() < deadline && (values.size() < 36 || empty < 5)) { // then 1 s of nothing more
                var records = consumer.poll(Duration.ofMillis(200));
                records.forEach(r -> values.add(r.value()));
                empty = records.isEmpty() ? empty + 1 : 0;
            }
        }
        List<String> phases = List.of("all three up", "one broker down", "two brokers down", "back to two");
        values.sort(java.util.Comparator.comparing(
                        (String v) -> phases.indexOf(v.contains(" #") ? v.substring(0, v.indexOf(" #")) : v))
                .thenComparing(v -> v.contains("#") ? Integer.parseInt(v.substring(v.indexOf('#') + 1)) : -1));
        return values;
    }
}
