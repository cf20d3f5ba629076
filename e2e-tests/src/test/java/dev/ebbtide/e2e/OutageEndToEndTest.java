package dev.ebbtide.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ebbtide.common.events.Topics;
import dev.ebbtide.devsupport.KafkaAccess;
import dev.ebbtide.devsupport.LocalStack;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL stopped for 90 s while jobs flow, then Kafka stopped for 90 s: the services wait (readiness says so),
 * go on by themselves once the dependency is back, no valid record is dead-lettered and every job completes, without
 * restarting any service.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OutageEndToEndTest {
    static final String CLUSTER = "outage";
    static final Duration OUTAGE = Duration.ofSeconds(90);

    @TempDir
    static Path tmp;

    static LocalStack stack;
    static StackClient client;
    static Map<String, Long> pids;

    @BeforeAll
    static void startStack() throws Exception {
        Path root = Path.of(System.getProperty("ebbtide.repo.root", ".."))
                .toAbsolutePath()
                .normalize();
        Path clusters = Files.createDirectories(tmp.resolve("clusters"));
        Files.writeString(
                clusters.resolve("outage.yml"),
                "name: outage\ntype: amlcompute\nmin_instances: 0\n"
                        + "max_instances: 2\nidle_time_before_scale_down: 600\n");
        Path state = root.resolve("e2e-tests/target/e2e-outage-state");
        StackClient.deleteTree(state);
        stack = LocalStack.start(
                new LocalStack.Options(root, Files.createDirectories(state), 0, 0, true, clusters, Map.of()));
        client = new StackClient(stack, stack.token("e2e", "operator"));
        await().atMost(Duration.ofSeconds(60)).until(() -> client.knownToSubmitter(CLUSTER));
        pids = stack.pids();
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    @Order(1)
    void postgresStoppedFor90SecondsWhileJobsFlow() throws Exception {
        List<String> jobs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            jobs.add(client.submit(job("sleep 2")));
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> "Running".equals(client.stateOf(jobs.get(0))));
        stack.stopPostgres();
        Instant stopped = Instant.now();
        List<String> said = new ArrayList<>();
        while (Duration.between(stopped, Instant.now()).compareTo(OUTAGE) < 0) {
            if (jobs.size() < 19) {
                jobs.add(client.submit(job("true"))); // the submitter needs Kafka only
            }
            String ready = readiness("scheduler");
            if (ready.contains("waiting for")) {
                said.add(ready.replaceAll("\\s+", " "));
            }
            Thread.sleep(6000);
        }
        stack.startPostgres();
        Instant back = Instant.now();
        jobs.add(client.submit(job("true")));
        awaitAllCompleted(jobs, back, "PostgreSQL");
        assertTrue(!said.isEmpty(), "the scheduler's readiness said it waited");
        System.out.println(
                "E2E figure: the scheduler's readiness during the PostgreSQL outage: " + said.get(said.size() - 1));
        assertNothingDeadLettered();
        assertEquals(pids, stack.pids(), "no service restarted");
        await().atMost(Duration.ofSeconds(30)).until(() -> up(readiness("scheduler")));
    }

    @Test
    @Order(2)
    void kafkaUnreachableFor90SecondsWhileJobsRun() throws Exception {
        List<String> jobs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            jobs.add(client.submit(job("sleep 5")));
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> "Running".equals(client.stateOf(jobs.get(0))));
        stack.stopKafka();
        Instant stopped = Instant.now();
        Map<String, String> said = new HashMap<>();
        while (Duration.between(stopped, Instant.now()).compareTo(OUTAGE) < 0) {
            for (String service : LocalStack.SERVICES.keySet()) {
                String ready = readiness(service);
                if (!up(ready)) {
                    said.put(service, ready.replaceAll("\\s+", " "));
                }
            }
            Thread.sleep(10_000);
        }
        stack.startKafka();
        Instant back = Instant.now();
        said.forEach((s, r) -> System.out.println("E2E figure: " + s + " readiness during the Kafka outage: " + r));
        for (int i = 0; i < 16; i++) {
            jobs.add(submitWhenKafkaTakesIt(job("true")));
        }
        awaitAllCompleted(jobs, back, "Kafka");
        assertNothingDeadLettered();
        assertEquals(pids, stack.pids(), "no service restarted");
    }

    /**
     * {@code ./ebbtide down} then {@code up} on the same state: the stack resumes where it stopped. Jobs queued or
     * running at the stop complete after the start, and the finished jobs, a cluster created through the API and its
     * policy versions are still there.
     */
    @Test
    @Order(3)
    void downAndUpKeepQueuedJobsHistoryClustersAndPolicies() throws Exception {
        String autoscaler = stack.url("autoscaler");
        HttpResponse<String> created = StackClient.HTTP.send(
                client.authorized(URI.create(autoscaler + "/clusters"))
                        .header("Content-Type", "application/yaml")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "name: kept\ntype: amlcompute\nmin_instances: 0\nmax_instances: 1\n"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(created.statusCode() / 100 == 2, created.statusCode() + " " + created.body());
        HttpResponse<String> changed = StackClient.HTTP.send(
                client.authorized(URI.create(autoscaler + "/clusters/" + CLUSTER + "/policy"))
                        .header("Content-Type", "application/json")
                        .PUT(HttpRequest.BodyPublishers.ofString(
                                "{\"idle_time_before_scale_down\": 500, \"reason\": \"kept across down\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, changed.statusCode(), changed.body());
        int versions = client.getJson(autoscaler + "/clusters/" + CLUSTER + "/policy/history")
                .path("versions")
                .size();
        String finished = client.submit(job("true"));
        assertEquals(
                "Completed",
                client.awaitTerminal(finished, Duration.ofSeconds(120))
                        .path("state")
                        .asText());
        List<String> pending = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            pending.add(client.submit(job("sleep 3")));
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> "Running".equals(client.stateOf(pending.get(0))));

        stack.close(); // as ./ebbtide down: services, agents, Kafka and PostgreSQL stop
        Instant down = Instant.now();
        stack = LocalStack.start(stack.options());
        client = new StackClient(stack, stack.token("e2e", "operator"));
        System.out.printf(
                "E2E figure: the stack was up again %d ms after down%n",
                Duration.between(down, Instant.now()).toMillis());

        awaitAllCompleted(pending, down, "the stack");
        assertEquals("Completed", client.job(finished).path("state").asText(), "the finished job is still there");
        assertEquals(
                versions,
                client.getJson(stack.url("autoscaler") + "/clusters/" + CLUSTER + "/policy/history")
                        .path("versions")
                        .size(),
                "every policy version is still there");
        JsonNode kept = client.getJson(stack.url("autoscaler") + "/clusters/kept");
        assertEquals("kept", kept.path("spec").path("name").asText(), "the API's cluster is still there: " + kept);
    }

    private static void awaitAllCompleted(List<String> jobs, Instant back, String dependency) throws Exception {
        Instant firstDone = null;
        for (String job : jobs) {
            JsonNode done = client.awaitTerminal(job, Duration.ofSeconds(180));
            assertEquals("Completed", done.path("state").asText(), done.toString());
            firstDone = firstDone == null ? Instant.now() : firstDone;
        }
        System.out.printf(
                "E2E figure: %s back -> all %d jobs Completed in %d ms (first seen Completed after %d ms)%n",
                dependency,
                jobs.size(),
                Duration.between(back, Instant.now()).toMillis(),
                Duration.between(back, firstDone).toMillis());
    }

    /** The submitter answers 5xx while its producer reconnects: try again for a while. */
    private static String submitWhenKafkaTakesIt(String yaml) {
        String[] id = new String[1];
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    HttpResponse<String> r = client.post(yaml);
                    if (r.statusCode() == 201) {
                        id[0] = dev.ebbtide.common.events.EventJson.mapper()
                                .readTree(r.body())
                                .get("id")
                                .asText();
                        return true;
                    }
                    return false;
                });
        return id[0];
    }

    private static void assertNothingDeadLettered() {
        Map<String, Object> config = new HashMap<>(stack.kafkaClientConfig(KafkaAccess.ADMIN));
        config.put("group.id", "e2e-outage-dlq-" + UUID.randomUUID());
        config.put("auto.offset.reset", "earliest");
        List<String> dead = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c =
                new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(Topics.JOBS_SUBMITTED_DLQ, Topics.INTERNAL_DLQ));
            Instant until = Instant.now().plusSeconds(5);
            while (Instant.now().isBefore(until)) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
                    dead.add(r.topic() + ": " + PoisonEndToEndTest.header(r, "dead-letter-reason"));
                }
            }
        }
        assertEquals(List.of(), dead, "no valid record is dead-lettered because of an outage");
    }

    private static String readiness(String service) {
        try {
            return StackClient.HTTP
                    .send(
                            HttpRequest.newBuilder(URI.create(stack.url(service) + "/q/health/ready"))
                                    .timeout(Duration.ofSeconds(5))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
        } catch (Exception e) {
            return "no answer: " + e;
        }
    }

    private static boolean up(String readiness) {
        try {
            return "UP"
                    .equals(dev.ebbtide.common.events.EventJson.mapper()
                            .readTree(readiness)
                            .path("status")
                            .asText());
        } catch (Exception e) {
            return false;
        }
    }

    private static String job(String command) {
        return "command: \"" + command + "\"\ncompute: azureml:" + CLUSTER + "\n";
    }
}
