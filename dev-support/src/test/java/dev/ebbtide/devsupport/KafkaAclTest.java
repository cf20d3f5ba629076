package dev.ebbtide.devsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.common.events.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A secured broker refuses strangers and lets each principal do exactly what {@link KafkaAccess} grants. */
class KafkaAclTest {
    static StackSecrets secrets;
    static KafkaCredentials credentials;
    static EmbeddedKafka kafka;

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        secrets = StackSecrets.loadOrCreate(dir.resolve("secrets"));
        credentials = secrets.kafka();
        kafka = EmbeddedKafka.start(0, null, credentials, false);
        kafka.createTopics(Topics.ALL, Topics.COMPACTED);
        try (KafkaProducer<String, String> admin = producer(kafka.clientConfig(KafkaAccess.ADMIN))) {
            for (String topic : Topics.ALL) {
                admin.send(new ProducerRecord<>(topic, "k", "v")).get();
            }
        }
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    @Test
    void unauthenticatedProducerIsRefused() {
        Map<String, Object> plain =
                new HashMap<>(Map.of("bootstrap.servers", kafka.bootstrapServers(), "max.block.ms", 3000));
        try (KafkaProducer<String, String> p = producer(plain)) {
            ExecutionException e = assertThrows(
                    ExecutionException.class,
                    () -> p.send(new ProducerRecord<>(Topics.JOBS_SUBMITTED, "k", "sneaky"))
                            .get());
            // the broker closes a connection that sends requests before authenticating: no metadata, ever
            assertInstanceOf(org.apache.kafka.common.errors.TimeoutException.class, e.getCause(), e.toString());
        }
    }

    @Test
    void wrongPasswordIsRefused() {
        Map<String, Object> config = kafka.clientConfig(KafkaAccess.PRODUCER);
        config.put(
                "sasl.jaas.config",
                credentials
                        .jaasConfig(KafkaAccess.PRODUCER)
                        .replace(credentials.password(KafkaAccess.PRODUCER), "not-the-password"));
        config.put("max.block.ms", 5000);
        try (KafkaProducer<String, String> p = producer(config)) {
            ExecutionException e = assertThrows(
                    ExecutionException.class,
                    () -> p.send(new ProducerRecord<>(Topics.JOBS_SUBMITTED, "k", "v"))
                            .get());
            assertInstanceOf(SaslAuthenticationException.class, e.getCause(), e.toString());
        }
    }

    @Test
    void jobProducerMayWriteItsOwnSubmissionsTopicButNotTheSubmittersNorAssignments() throws Exception {
        try (KafkaProducer<String, String> p = producer(kafka.clientConfig(KafkaAccess.PRODUCER))) {
            assertEquals(
                    Topics.PRODUCER_SUBMISSIONS,
                    p.send(new ProducerRecord<>(Topics.PRODUCER_SUBMISSIONS, "k", "job"))
                            .get()
                            .topic());
            for (String topic : java.util.List.of(Topics.JOBS_SUBMITTED, Topics.JOBS_ASSIGNMENTS)) {
                // the job-submitter's topic carries teams it vouches for: a producer could forge one there
                ExecutionException e = assertThrows(
                        ExecutionException.class,
                        () -> p.send(new ProducerRecord<>(topic, "k", "forged")).get());
                assertInstanceOf(TopicAuthorizationException.class, e.getCause(), e.toString());
            }
        }
    }

    @Test
    void kcatWithTheProducerFileMayWriteSubmissionsOnlyAndNobodyElseGetsIn() throws Exception {
        Assumptions.assumeTrue(
                onPath("kcat"), "kcat is not installed (apt-get install -y kcat): real-client check skipped");
        Path conf = secrets.writeClientConfig("producer", KafkaAccess.PRODUCER, kafka.bootstrapServers())
                .getParent()
                .resolve("kcat-producer.conf");
        Result ok = kcat("{}", "-F", conf.toString(), "-P", "-t", Topics.PRODUCER_SUBMISSIONS, "-k", "cpu-cluster");
        assertEquals(0, ok.code(), ok.output());
        Result forged = kcat("{}", "-F", conf.toString(), "-P", "-t", Topics.JOBS_ASSIGNMENTS);
        assertTrue(forged.code() != 0 && forged.output().contains("Topic authorization failed"), forged.output());
        Result anonymous = kcat("{}", "-b", kafka.bootstrapServers(), "-P", "-t", Topics.JOBS_SUBMITTED, "-m", "5");
        assertTrue(anonymous.code() != 0 && anonymous.output().contains("SASL authentication"), anonymous.output());
    }

    record Result(int code, String output) {}

    private static Result kcat(String input, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("kcat"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try (var in = p.getOutputStream()) {
            in.write((input + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS), "kcat did not finish: " + out);
        return new Result(p.exitValue(), out);
    }

    private static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    @Test
    void eachPrincipalWritesExactlyItsTopics() {
        List<String> problems = new ArrayList<>();
        for (KafkaAccess.Grant grant : KafkaAccess.GRANTS.values()) {
            Map<String, Object> config = kafka.clientConfig(grant.principal());
            config.put("max.block.ms", 5000);
            try (KafkaProducer<String, String> p = producer(config)) {
                for (String topic : Topics.ALL) {
                    boolean allowed = canWrite(p, topic);
                    if (allowed != grant.writes().contains(topic)) {
                        problems.add(grant.principal() + (allowed ? " may" : " may not") + " write " + topic);
                    }
                }
            }
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void eachPrincipalReadsExactlyItsTopicsInItsOwnGroups() {
        List<String> problems = java.util.Collections.synchronizedList(new ArrayList<>());
        // one consumer per (principal, topic); the principals in parallel to keep this test short
        KafkaAccess.GRANTS.values().parallelStream().forEach(grant -> {
            String group = grant.groupPrefix() == null ? "ebbtide-anything" : grant.groupPrefix() + "test";
            for (String topic : Topics.ALL) {
                String outcome = read(grant.principal(), group, topic);
                String expected = !grant.reads().contains(topic)
                        ? "topic refused"
                        : grant.groupPrefix() == null ? "group refused" : "read";
                if (!outcome.equals(expected)) {
                    problems.add(grant.principal() + " reading " + topic + " in group " + group + ": " + outcome);
                }
            }
        });
        assertEquals(List.of(), problems.stream().sorted().toList());
    }

    @Test
    void aServiceMayNotUseAnotherServicesGroup() {
        assertEquals("group refused", read("ebbtide-autoscaler", "ebbtide-scheduler", Topics.CLUSTERS));
    }

    private static boolean canWrite(KafkaProducer<String, String> p, String topic) {
        try {
            p.send(new ProducerRecord<>(topic, "k", "probe")).get();
            return true;
        } catch (ExecutionException e) {
            assertInstanceOf(TopicAuthorizationException.class, e.getCause(), topic + ": " + e);
            return false;
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** "read" (fetched a record and committed the offset), "topic refused" or "group refused". */
    private static String read(String principal, String group, String topic) {
        Map<String, Object> config = kafka.clientConfig(principal);
        config.put("group.id", group);
        config.put("enable.auto.commit", false);
        TopicPartition tp = new TopicPartition(topic, 0);
        try (KafkaConsumer<String, String> c =
                new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (c.poll(Duration.ofMillis(100)).isEmpty()) {
                assertTrue(System.nanoTime() < deadline, principal + " got no record of " + topic + " within 10 s");
            }
            c.commitSync(Map.of(tp, new OffsetAndMetadata(1)));
            return "read";
        } catch (TopicAuthorizationException e) {
            return "topic refused";
        } catch (GroupAuthorizationException e) {
            return "group refused";
        }
    }

    private static KafkaProducer<String, String> producer(Map<String, Object> config) {
        return new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
    }
}
