package dev.ebbtide.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.common.events.Topics;
import dev.ebbtide.devsupport.ComposeSecrets;
import dev.ebbtide.devsupport.KafkaAccess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compose's Kafka refuses whoever has no credentials: its three nodes started from their settings in
 * docker-compose.yml ({@link ComposeKafkaNodes}) with the secrets {@code ./ebbtide compose-secrets} writes, after
 * what kafka-init does (SCRAM users, topics, ACLs; {@link KafkaInitScript}). A producer without credentials gets
 * nothing written; one with a wrong password neither; the job producer principal writes its own topic and is refused
 * the job-submitter's topic and the assignments that would run commands on nodes, which the scheduler, with the
 * settings of its own secret file, may write.
 */
class ComposeKafkaSecurityTest {

    @Test
    void composeKafkaRefusesUnauthenticatedProducersAndHoldsEachPrincipalToItsTopics(@TempDir Path dir)
            throws Exception {
        ComposeFile compose = ComposeFile.read();
        Map<String, Map<String, String>> nodes = new LinkedHashMap<>();
        compose.brokers().forEach(b -> nodes.put(b, ComposeKafkaNodes.env(compose, b)));
        List<String> problems = new ArrayList<>();
        Path secrets = ComposeSecretFiles.write(dir.resolve("secrets"));
        KafkaInitScript.Result init =
                KafkaInitScript.run(compose.service(compose.topicInit().orElseThrow()), secrets, problems);
        assertTrue(problems.isEmpty(), problems::toString);
        Map<String, String> passwords = init.scramPasswords();

        try (ComposeKafkaNodes kafka = ComposeKafkaNodes.start(nodes, dir, secrets)) {
            Map<String, Object> admin = kafka.clientConfig(secrets.resolve(ComposeSecrets.KAFKA_ADMIN));
            kafka.applyInit(init, admin);
            String own = Topics.submissionsOf(KafkaAccess.PRODUCER);

            // no credentials at all: the SASL listener drops the connection before any request
            Map<String, Object> anonymous = new HashMap<>(Map.of("bootstrap.servers", kafka.bootstrapServers()));
            Exception refused = assertThrows(Exception.class, () -> send(anonymous, own, "anonymous"));
            assertInstanceOf(TimeoutException.class, rootOrSelf(refused), () -> "anonymous: " + refused);

            // the producer principal with a wrong password
            Map<String, Object> wrong = scram(kafka, KafkaAccess.PRODUCER, "not-the-password");
            Exception denied = assertThrows(Exception.class, () -> send(wrong, own, "wrong password"));
            assertInstanceOf(SaslAuthenticationException.class, rootOrSelf(denied), () -> "wrong: " + denied);

            // the producer principal with its password (SCRAM-SHA-256, as kafka-init stored it)
            Map<String, Object> producer = scram(kafka, KafkaAccess.PRODUCER, passwords.get(KafkaAccess.PRODUCER));
            send(producer, own, "accepted");
            for (String forbidden : List.of(Topics.JOBS_ASSIGNMENTS, Topics.JOBS_SUBMITTED)) {
                Exception e = assertThrows(Exception.class, () -> send(producer, forbidden, "forbidden"));
                assertInstanceOf(TopicAuthorizationException.class, rootOrSelf(e), () -> forbidden + ": " + e);
            }

            // a service with the settings of its own secret file (kafka.* as Quarkus passes them): the scheduler
            // writes assignments, which it alone may do
            Map<String, Object> scheduler = new HashMap<>(Map.of("bootstrap.servers", kafka.bootstrapServers()));
            ComposeSecretFiles.clientConfig(secrets.resolve("scheduler.properties"))
                    .forEach((k, v) -> {
                        if (k.startsWith("kafka.")) {
                            scheduler.put(k.substring("kafka.".length()), v);
                        }
                    });
            send(scheduler, Topics.JOBS_ASSIGNMENTS, "from the scheduler");
            Exception notItsTopic = assertThrows(Exception.class, () -> send(scheduler, Topics.SCALE_REQUESTS, "x"));
            assertInstanceOf(TopicAuthorizationException.class, rootOrSelf(notItsTopic), notItsTopic::toString);

            // what got through: the producer's one record on its own topic, the scheduler's on assignments
            assertEquals(List.of("accepted"), values(admin, own));
            assertEquals(List.of("from the scheduler"), values(admin, Topics.JOBS_ASSIGNMENTS));
            assertEquals(List.of(), values(admin, Topics.SCALE_REQUESTS));
            assertEquals(List.of(), values(admin, Topics.JOBS_SUBMITTED));
        }
    }

    private static Map<String, Object> scram(ComposeKafkaNodes kafka, String user, String password) {
        Map<String, Object> c = new HashMap<>();
        c.put("bootstrap.servers", kafka.bootstrapServers());
        c.put("security.protocol", "SASL_PLAINTEXT");
        c.put("sasl.mechanism", "SCRAM-SHA-256");
        c.put(
                "sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user + "\" password=\""
                        + password + "\";");
        return c;
    }

    private static void send(Map<String, Object> client, String topic, String value) throws Exception {
        Map<String, Object> p = new HashMap<>(client);
        p.put("max.block.ms", "8000");
        p.put("delivery.timeout.ms", "8000");
        p.put("request.timeout.ms", "4000");
        p.put("retries", "0");
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, "cpu-cluster", value)).get(20, TimeUnit.SECONDS);
        }
    }

    private static Throwable rootOrSelf(Throwable t) {
        return t instanceof ExecutionException && t.getCause() != null ? t.getCause() : t;
    }

    private static List<String> values(Map<String, Object> admin, String topic) {
        Map<String, Object> c = new HashMap<>(admin);
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline
                    && partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> values.add(r.value()));
            }
        }
        return values;
    }
}
