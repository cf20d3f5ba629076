package dev.ebbtide.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.common.events.ScalingDecisionRecorded;
import dev.ebbtide.devsupport.DecisionReplay;
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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Policy governance on the whole stack (services as processes, real broker and PostgreSQL, jobs run by node agents):
 * the cluster file's version, a change with its author, what-if over the jobs the scheduler recorded, and the
 * recorded decisions replayed with the core classes over the secured broker.
 */
class GovernanceEndToEndTest {
    private static final String CLUSTER = "gov-e2e";

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
        Files.writeString(clusters.resolve("gov.yml"), """
                name: gov-e2e
                type: amlcompute
                min_instances: 0
                max_instances: 2
                idle_time_before_scale_down: 5
                """);
        Path state = root.resolve("e2e-tests/target/e2e-state-governance");
        StackClient.deleteTree(state);
        stack = LocalStack.start(new LocalStack.Options(
                root,
                Files.createDirectories(state),
                0,
                0,
                true,
                clusters,
                Map.of("provisioner:ebbtide.local.agent-heartbeat-interval", "1s")));
        client = new StackClient(stack, stack.token("olga", "operator"));
        await().atMost(Duration.ofSeconds(60))
                .until(() -> client.getJson(stack.url("autoscaler") + "/clusters/" + CLUSTER) != null);
    }

    @AfterAll
    static void stopStack() throws Exception {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void versionsWhatIfOnRecordedJobsAndDecisionReplay() throws Exception {
        Instant start = Instant.now().minusSeconds(5);
        JsonNode history = client.getJson(stack.url("autoscaler") + "/clusters/" + CLUSTER + "/policy/history");
        assertEquals(1, history.path("current").asInt(), history.toString());
        assertEquals("file", history.path("versions").get(0).path("principal").asText());

        List<String> jobs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            jobs.add(client.submit("""
                    type: command
                    compute: azureml:gov-e2e
                    command: sleep 1
                    """));
        }
        for (String job : jobs) {
            assertEquals(
                    "Completed",
                    client.awaitTerminal(job, Duration.ofSeconds(90))
                            .path("state")
                            .asText());
        }

        HttpResponse<String> changed =
                send(HttpRequest.newBuilder(URI.create(stack.url("autoscaler") + "/clusters/" + CLUSTER + "/policy"))
                        .header("Content-Type", "application/json")
                        .PUT(HttpRequest.BodyPublishers.ofString(
                                "{\"idle_time_before_scale_down\": 30, \"reason\": \"e2e\"}")));
        assertEquals(200, changed.statusCode(), changed.body());
        history = client.getJson(stack.url("autoscaler") + "/clusters/" + CLUSTER + "/policy/history");
        assertEquals("olga", history.path("versions").get(0).path("principal").asText(), history.toString());

        HttpResponse<String> whatIf = send(HttpRequest.newBuilder(
                        URI.create(stack.url("autoscaler") + "/clusters/" + CLUSTER + "/what-if?since=1h"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"idle_time_before_scale_down\": 600}")));
        assertEquals(200, whatIf.statusCode(), whatIf.body());
        JsonNode answer = EventJson.mapper().readTree(whatIf.body());
        assertEquals(3, answer.path("jobs").asInt(), whatIf.body());
        assertEquals(
                30,
                answer.path("current")
                        .path("settings")
                        .path("idleTimeBeforeScaleDown")
                        .asInt());
        assertEquals(3, answer.path("proposed").path("startedJobs").asInt());
        assertTrue(
                answer.path("proposed").path("nodeHours").asDouble()
                        >= answer.path("current").path("nodeHours").asDouble(),
                whatIf.body());

        List<ScalingDecisionRecorded> recorded = await().atMost(Duration.ofSeconds(30))
                .until(
                        () -> DecisionReplay.read(
                                stack.kafkaClientConfig(KafkaAccess.ADMIN), CLUSTER, start, Duration.ofSeconds(20)),
                        l -> l.stream().filter(ScalingDecisionRecorded::changed).count()
                                >= 2); // up, and down after idling
        assertEquals(List.of(), DecisionReplay.replay(recorded));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return StackClient.HTTP.send(
                client.authorized(request.build().uri())
                        .method(
                                request.build().method(),
                                request.build().bodyPublisher().orElse(HttpRequest.BodyPublishers.noBody()))
                        .header("Content-Type", "application/json")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
