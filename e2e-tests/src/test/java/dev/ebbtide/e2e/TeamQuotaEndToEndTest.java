package dev.ebbtide.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ebbtide.devsupport.LocalStack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Team quotas on the whole stack (services as processes, real broker and PostgreSQL, jobs run by node agents): team
 * qv borrows team qn's unused quota, and when qn needs it back the borrowed node is reclaimed: the newest borrowing job
 * is stopped and requeued (not failed), qn's job runs on that node, and the requeued job runs again as attempt 2.
 */
class TeamQuotaEndToEndTest {
    private static final String CLUSTER = "tq-e2e";

    private static final String LONG = """
            type: command
            compute: azureml:tq-e2e
            command: echo attempt=$EBBTIDE_ATTEMPT; sleep 600
            """;

    @TempDir
    static Path tmp;

    static LocalStack stack;
    static StackClient vision;
    static StackClient nlp;

    @BeforeAll
    static void startStack() throws Exception {
        Path root = Path.of(System.getProperty("ebbtide.repo.root", ".."))
                .toAbsolutePath()
                .normalize();
        Path clusters = Files.createDirectories(tmp.resolve("clusters"));
        // two nodes of 4 cores: one for each team's nominal quota
        Files.writeString(clusters.resolve("tq.yml"), """
                name: tq-e2e
                type: amlcompute
                size: Standard_DS3_v2
                min_instances: 0
                max_instances: 2
                idle_time_before_scale_down: 300
                """);
        Path state = root.resolve("e2e-tests/target/e2e-state-team-quota");
        StackClient.deleteTree(state);
        stack = LocalStack.start(new LocalStack.Options(
                root,
                Files.createDirectories(state),
                0,
                0,
                true,
                clusters,
                Map.of(
                        "provisioner:ebbtide.local.agent-heartbeat-interval", "1s",
                        "scheduler:ebbtide.teams.quota.qv.cores", "4",
                        "scheduler:ebbtide.teams.quota.qv.cohort", "lab",
                        "scheduler:ebbtide.teams.quota.qn.cores", "4",
                        "scheduler:ebbtide.teams.quota.qn.cohort", "lab")));
        vision = new StackClient(stack, stack.tokenOfTeam("vera", "qv", "submitter"));
        nlp = new StackClient(stack, stack.tokenOfTeam("nina", "qn", "submitter"));
        await().atMost(Duration.ofSeconds(60)).until(() -> vision.knownToSubmitter(CLUSTER));
    }

    @AfterAll
    static void stopStack() throws Exception {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void aBorrowedNodeIsReclaimedWithARequeue() throws Exception {
        String own = vision.submit(LONG);
        awaitRunning(own);
        String borrowed = vision.submit(LONG); // beyond qv's 4 cores: borrowed from qn, the cluster's second node
        awaitRunning(borrowed);
        assertEquals("qv", vision.job(borrowed).path("team").asText());
        String borrowedNode = StackClient.nodes(vision.job(borrowed)).get(0);

        String mine = nlp.submit("""
                type: command
                compute: azureml:tq-e2e
                command: sleep 5
                """);
        AtomicReference<JsonNode> seen = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    JsonNode j = vision.job(borrowed);
                    seen.set(j);
                    return j.path("reason").asText().startsWith("preempted: reclaimed by team qn");
                });
        assertTrue(
                seen.get().path("reason").asText().contains("requeued (attempt 1 stopped)"),
                seen.get().toString());

        JsonNode done = nlp.awaitTerminal(mine, Duration.ofSeconds(120));
        assertEquals("Completed", done.path("state").asText(), done.toString());
        assertEquals(List.of(borrowedNode), StackClient.nodes(done), "qn's job ran on the reclaimed node");

        // qn's job is done: qv borrows the node again, and the requeued job runs as attempt 2
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            JsonNode j = vision.job(borrowed);
            return j.path("attempt").asInt() == 2
                    && "Running".equals(j.path("state").asText());
        });
        String node = StackClient.nodes(vision.job(borrowed)).get(0);
        await().atMost(Duration.ofSeconds(30)).until(() -> logHas(node, borrowed, 2, "attempt=2"));
        assertTrue(vision.rankLog(borrowedNode, borrowed, 1, 0).contains("attempt=1"));

        JsonNode first = vision.job(own);
        assertEquals("Running", first.path("state").asText(), "the older job within qv's quota is left alone");
        assertEquals(1, first.path("attempt").asInt());
    }

    private static void awaitRunning(String job) {
        await().atMost(Duration.ofSeconds(90)).until(() -> "Running".equals(vision.stateOf(job)));
    }

    private static boolean logHas(String node, String job, int attempt, String text) {
        try {
            return vision.rankLog(node, job, attempt, 0).contains(text);
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
