package dev.ebbtide.scheduler;

import static dev.ebbtide.scheduler.TeamFlowEvents.job;
import static dev.ebbtide.scheduler.TeamFlowEvents.node;
import static dev.ebbtide.scheduler.TeamFlowEvents.send;
import static dev.ebbtide.scheduler.TeamFlowEvents.submit;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.common.events.ClusterDefined;
import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.common.events.JobAssigned;
import dev.ebbtide.common.events.Topics;
import dev.ebbtide.core.budget.BudgetRule;
import dev.ebbtide.devsupport.DevTokens;
import dev.ebbtide.devsupport.RealInfraTestResource;
import dev.ebbtide.devsupport.TopicRecorder;
import dev.ebbtide.scheduler.service.TeamBudgets;
import dev.ebbtide.scheduler.usage.UsageSegmentEntity;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Spend budgets in the running scheduler (real Kafka and PostgreSQL): team frugal's budget is 0.01 USD a month
 * ({@code %test.ebbtide.teams.budgets}); after an hour of a priced GPU node this month it is at its hard limit, so its
 * job waits with the reason while another team's later job starts, and an operator's raise lets it start.
 */
@QuarkusTest
@WithTestResource(RealInfraTestResource.class)
class BudgetFlowTest {
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Inject
    TeamBudgets budgets;

    @Test
    void aTeamAtItsHardLimitWaitsWithTheReasonWhileAnotherTeamsJobStarts() throws Throwable {
        String c = "budget-" + UUID.randomUUID().toString().substring(0, 8);
        spentThisMonth("frugal", c);
        budgets.check();
        BudgetRule.Verdict verdict = budgets.verdicts().get("frugal");
        assertEquals(BudgetRule.Level.HARD, verdict.level());
        assertTrue(
                verdict.reason()
                        .matches("waiting: team frugal spent [0-9.,]+ USD of its 0\\.01 USD budget for \\d{4}-\\d{2};"
                                + " new jobs wait until \\d{4}-\\d{2}-01 or a raise"),
                verdict.reason());

        try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                        Map.of("bootstrap.servers", bootstrap), new StringSerializer(), new StringSerializer());
                TopicRecorder reader = new TopicRecorder(bootstrap, List.of(Topics.JOBS_ASSIGNMENTS))) {
            send(
                    producer,
                    c,
                    Topics.CLUSTERS,
                    new ClusterDefined(new ClusterSpec(c, null, null, 0, 4, 5, null), null, Instant.now()));
            submit(producer, c, c + "-f0", "frugal");
            submit(producer, c, c + "-o0", "other");
            await().atMost(Duration.ofSeconds(30)).until(() -> "Queued".equals(job(c + "-o0", "state")));

            // one node: the other team's later job takes it, frugal's earlier one waits and says why
            node(producer, c, c + "-n0");
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> started(reader, c).size() == 1);
            assertEquals(List.of(c + "-o0"), started(reader, c));
            assertEquals("Queued", job(c + "-f0", "state"));
            assertEquals(verdict.reason(), job(c + "-f0", "reason"));

            // a free node is not frugal's either: it goes to the next job of a team within its budget
            node(producer, c, c + "-n1");
            submit(producer, c, c + "-o1", "other");
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> started(reader, c).size() == 2);
            assertEquals(List.of(c + "-o0", c + "-o1"), started(reader, c));

            // an operator raises the budget: frugal is within it at once, and its job takes the next node
            given().header("Authorization", "Bearer " + DevTokens.testToken("olga", "operator"))
                    .contentType("application/json")
                    .body("{\"monthly\": 1000}")
                    .put("/teams/frugal/budget")
                    .then()
                    .statusCode(200);
            assertEquals(BudgetRule.Level.OK, budgets.verdicts().get("frugal").level());
            node(producer, c, c + "-n2");
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> started(reader, c).size() == 3);
            assertEquals(List.of(c + "-o0", c + "-o1", c + "-f0"), started(reader, c));
        }
    }

    @Test
    void onlyOperatorsSetBudgetsAndABadAmountIsOneSentence() {
        given().header("Authorization", "Bearer " + DevTokens.testToken("vera", "viewer"))
                .contentType("application/json")
                .body("{\"monthly\": 5}")
                .put("/teams/frugal/budget")
                .then()
                .statusCode(403);
        String error = given().header("Authorization", "Bearer " + DevTokens.testToken("olga", "operator"))
                .contentType("application/json")
                .body("{\"monthly\": -5}")
                .put("/teams/frugal/budget")
                .then()
                .statusCode(400)
                .extract()
                .jsonPath()
                .getString("error");
        assertEquals(
                "monthly must be an amount of at least 0 in the price table's currency, e.g. {\"monthly\": 3000}",
                error);
    }

    /** An hour (at most since the month began) of an ND96asr_v4 node (27.197 USD an hour) run by {@code team}. */
    private static void spentThisMonth(String team, String cluster) throws Throwable {
        Instant now = Instant.now();
        Instant start = BudgetRule.periodStart(now).isAfter(now.minus(Duration.ofHours(1)))
                ? BudgetRule.periodStart(now)
                : now.minus(Duration.ofHours(1));
        UsageSegmentEntity s = new UsageSegmentEntity();
        s.cluster = cluster;
        s.node = cluster + "-old";
        s.size = "Standard_ND96asr_v4";
        s.tier = "dedicated";
        s.region = "eastus";
        s.jobId = cluster + "-old-job";
        s.team = team;
        s.submittedBy = "fred";
        s.startAt = start;
        s.endAt = now;
        VertxContextSupport.subscribeAndAwait(() -> Panache.withTransaction(s::persist));
    }

    private static List<String> started(TopicRecorder reader, String cluster) {
        return reader.values(Topics.JOBS_ASSIGNMENTS).stream()
                .map(v -> EventJson.read(v, JobAssigned.class))
                .filter(a -> a.cluster().equals(cluster))
                .map(JobAssigned::jobId)
                .toList();
    }
}
