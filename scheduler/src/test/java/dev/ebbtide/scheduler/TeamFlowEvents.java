package dev.ebbtide.scheduler;

import static io.restassured.RestAssured.given;

import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.common.events.JobSpec;
import dev.ebbtide.common.events.JobSubmitted;
import dev.ebbtide.common.events.NodeState;
import dev.ebbtide.common.events.NodeStateChanged;
import dev.ebbtide.common.events.Topics;
import dev.ebbtide.devsupport.DevTokens;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/** What the teams' flow tests feed the scheduler (idle nodes, teams' jobs) and read back ({@code GET /jobs/{id}}). */
final class TeamFlowEvents {
    private TeamFlowEvents() {}

    /** A field of the job's view, or null while the scheduler has not stored it yet (404). */
    static String job(String id, String field) {
        var response = given().header("Authorization", "Bearer " + DevTokens.testToken("vera", "viewer"))
                .get("/jobs/" + id);
        return response.statusCode() == 404
                ? null
                : response.then().statusCode(200).extract().jsonPath().getString(field);
    }

    static void node(KafkaProducer<String, String> producer, String cluster, String name) throws Exception {
        send(
                producer,
                cluster,
                Topics.NODES_STATE,
                new NodeStateChanged(cluster, name, NodeState.idle, null, null, null, Instant.now()));
    }

    static void submit(KafkaProducer<String, String> producer, String cluster, String id, String team)
            throws Exception {
        submit(producer, cluster, id, team, 1);
    }

    static void submit(KafkaProducer<String, String> producer, String cluster, String id, String team, int nodes)
            throws Exception {
        send(
                producer,
                cluster,
                Topics.JOBS_SUBMITTED,
                new JobSubmitted(
                        id,
                        cluster,
                        new JobSpec("true", nodes, Map.of(), null, null, null, null),
                        Instant.now(),
                        null,
                        team));
    }

    static void send(KafkaProducer<String, String> producer, String cluster, String topic, Object event)
            throws Exception {
        producer.send(new ProducerRecord<>(topic, cluster, EventJson.write(event)))
                .get();
    }
}
