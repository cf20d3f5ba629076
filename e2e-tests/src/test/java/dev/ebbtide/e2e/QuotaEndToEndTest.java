package dev.ebbtide.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.common.events.Topics;
import dev.ebbtide.devsupport.KafkaAccess;
import dev.ebbtide.devsupport.LocalStack;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Quota, approval and default compute across the four services as separate processes (docs/compute.md): a job waits
 * for quota and runs once an operator raises it; a job on a series that needs approval waits for it; jobs with no
 * compute go to the default cluster, through REST and straight through Kafka; a 4-node gang on a cluster whose local
 * capacity is 3 gets its 3 nodes given back at its max_gang_provision_time and waits with that reason; a job on a
 * cluster whose own size has no local capacity runs at once on its fallback size.
 */
class QuotaEndToEndTest {
    private static final String NC = "standardNCFamily";

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
        Files.writeString(
                clusters.resolve("nc.yml"),
                "name: q-nc\nsize: STANDARD_NC6\nmax_instances: 2\n" + "idle_time_before_scale_down: 5\n");
        Files.writeString(clusters.resolve("nd.yml"), "name: q-nd\nsize: Standard_ND40rs_v2\nmax_instances: 1\n");
        Files.writeString(
                clusters.resolve("default.yml"),
                "name: q-default\nsize: Standard_DS3_v2\nmax_instances: 1\n" + "idle_time_before_scale_down: 5\n");
        Files.writeString(
                clusters.resolve("gang.yml"),
                "name: q-gang\nsize: Standard_DS4_v2\nmax_instances: 4\nidle_time_before_scale_down: 300\n"
                        + "max_gang_provision_time: 20\n");
        Files.writeString(
                clusters.resolve("fallback.yml"),
                "name: q-fb\nsize: Standard_D4s_v5\nmax_instances: 2\nidle_time_before_scale_down: 300\n"
                        + "ebbtide_fallback: [{size: Standard_D8s_v5, tier: spot}]\n");
        Path state = root.resolve("e2e-tests/target/e2e-state-quota");
        StackClient.deleteTree(state);
        stack = LocalStack.start(new LocalStack.Options(
                root,
                Files.createDirectories(state),
                0,
                0,
                true,
                clusters,
                Map.of(
                        "provisioner:ebbtide.local.agent-heartbeat-interval",
                        "1s",
                        "provisioner:ebbtide.quota.family-cores." + NC,
                        "0",
                        "provisioner:ebbtide.local.capacity.Standard_DS4_v2",
                        "3",
                        "provisioner:ebbtide.local.capacity.Standard_D4s_v5",
                        "0",
                        "job-submitter:ebbtide.default-compute",
                        "q-default",
                        "scheduler:ebbtide.default-compute",
                        "q-default")));
        client = new StackClient(stack, stack.token("e2e", "operator"));
        await().atMost(Duration.ofSeconds(60))
                .until(() -> client.knownToSubmitter("q-nc")
                        && client.knownToSubmitter("q-nd")
                        && client.knownToSubmitter("q-default")
                        && client.knownToSubmitter("q-gang")
                        && client.knownToSubmitter("q-fb"));
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void aJobWaitsForQuotaAndRunsWhenAnOperatorRaisesIt() throws Exception {
        String job =
                client.submit("command: echo on $NODE_RANK\ncompute: azureml:q-nc\nresources: {instance_count: 2}\n");
        String waiting = "waiting for quota: standardNCFamily uses 0 of 0 cores";
        await().atMost(Duration.ofSeconds(30))
                .until(() -> waiting.equals(client.job(job).path("reason").asText()));
        // the autoscaler reads the same event on its own consumer: it may come a moment later
        await().atMost(Duration.ofSeconds(30))
                .until(() -> waiting.equals(client.getJson(stack.url("autoscaler") + "/clusters/q-nc")
                        .path("backoffReason")
                        .asText()));
        JsonNode cluster = client.getJson(stack.url("autoscaler") + "/clusters/q-nc");
        assertEquals(0, cluster.path("currentNodeCount").asInt(), "nothing was sent to the cloud: " + cluster);
        JsonNode quota = client.getJson(stack.url("provisioner") + "/quota");
        assertEquals(waiting, quota.path("waiting").path("q-nc").asText(), quota.toString());

        HttpResponse<String> raised = StackClient.HTTP.send(
                client.authorized(URI.create(stack.url("provisioner") + "/quota/" + NC))
                        .header("Content-Type", "application/json")
                        .PUT(HttpRequest.BodyPublishers.ofString("{\"limit\": 12}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, raised.statusCode(), raised.body());
        JsonNode done = client.awaitTerminal(job, Duration.ofSeconds(40));
        assertEquals("Completed", done.path("state").asText(), done.toString());
        assertEquals(2, StackClient.nodes(done).size());
    }

    @Test
    void aGangThatGetsThreeOfFourNodesGivesThemBackAtItsDeadlineAndSaysWhy() throws Exception {
        String job = client.submit("command: echo gang\ncompute: azureml:q-gang\nresources: {instance_count: 4}\n");
        String lead = "waiting: job " + job + " got ";
        // the local capacity of 3 fails the 4th node at once (capacity_unavailable); the 3 come up and are held for
        // the job until the cluster's 20 s, then given back: 0 nodes, the job still queued, the reason on it
        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> client.job(job).path("reason").asText().startsWith(lead));
        String reason = client.job(job).path("reason").asText();
        assertTrue(
                reason.matches("waiting: job " + job + " got [0-3] of 4 node\\(s\\) within 20 s "
                        + "\\(max_gang_provision_time\\); the nodes were given back; retry after .*"),
                reason);
        assertEquals("Queued", client.stateOf(job));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> client.getJson(stack.url("autoscaler") + "/clusters/q-gang")
                                .path("currentNodeCount")
                                .asInt(-1)
                        == 0);
        JsonNode cluster = client.getJson(stack.url("autoscaler") + "/clusters/q-gang");
        assertTrue(cluster.path("backoffReason").asText().startsWith(lead), cluster.toString());
        assertEquals("Queued", client.stateOf(job), "the job stays queued");
    }

    @Test
    void aJobRunsAtOnceOnTheFallbackSizeWhenTheOwnSizeHasNoCapacity() throws Exception {
        String job = client.submit("command: echo fallback\ncompute: azureml:q-fb\nresources: {instance_count: 2}\n");
        JsonNode done = client.awaitTerminal(job, Duration.ofSeconds(90));
        assertEquals("Completed", done.path("state").asText(), done.toString());
        JsonNode cluster = client.getJson(stack.url("autoscaler") + "/clusters/q-fb");
        assertTrue(
                cluster.path("backoffReason").isNull()
                        || cluster.path("backoffReason").isMissingNode(),
                "no backoff: the alternative answered in the same scale-up: " + cluster);
        for (JsonNode n : cluster.path("nodes")) {
            if (!n.path("state").asText().equals("deleted")) {
                assertEquals("Standard_D8s_v5", n.path("size").asText(), n.toString());
                assertEquals("low_priority", n.path("tier").asText(), n.toString());
            }
        }
        assertTrue(cluster.path("nodes").size() >= 2, cluster.toString());
    }

    @Test
    void aJobOnASeriesThatNeedsApprovalWaitsForIt() throws Exception {
        String job = client.submit("command: echo\ncompute: azureml:q-nd\n");
        await().atMost(Duration.ofSeconds(30))
                .until(() -> client.job(job).path("reason").asText().startsWith("waiting for approval of NDv2"));
        assertEquals("Queued", client.stateOf(job));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> client.getJson(stack.url("autoscaler") + "/clusters/q-nd")
                        .path("backoffReason")
                        .asText()
                        .startsWith("waiting for approval of NDv2"));
        assertEquals(
                0,
                client.getJson(stack.url("autoscaler") + "/clusters/q-nd")
                        .path("currentNodeCount")
                        .asInt(),
                "created, but no node until approved");
    }

    @Test
    void jobsNamingNoComputeRunOnTheDefaultClusterFromRestAndFromKafka() throws Exception {
        HttpResponse<String> accepted = client.post("command: echo default\n");
        assertEquals(201, accepted.statusCode(), accepted.body());
        JsonNode body = EventJson.mapper().readTree(accepted.body());
        assertEquals("q-default", body.path("cluster").asText());
        String kafkaJob = "kafka-default-" + UUID.randomUUID();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                stack.kafkaClientConfig(KafkaAccess.PRODUCER), new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(
                            Topics.PRODUCER_SUBMISSIONS,
                            "q-default",
                            "{\"jobId\":\"" + kafkaJob
                                    + "\",\"spec\":{\"command\":\"echo from kafka\",\"instanceCount\":1}}"))
                    .get();
        }
        assertEquals(
                "Completed",
                client.awaitTerminal(body.path("id").asText(), Duration.ofSeconds(40))
                        .path("state")
                        .asText());
        JsonNode fromKafka = client.awaitTerminal(kafkaJob, Duration.ofSeconds(40));
        assertEquals("Completed", fromKafka.path("state").asText(), fromKafka.toString());
        assertEquals("q-default", fromKafka.path("cluster").asText(), fromKafka.toString());
    }
}
