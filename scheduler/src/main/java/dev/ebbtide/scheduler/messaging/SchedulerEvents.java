package dev.ebbtide.scheduler.messaging;

import dev.ebbtide.common.events.ClusterDemandChanged;
import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.common.events.JobAssigned;
import dev.ebbtide.common.events.JobStateChanged;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

/** What the scheduler publishes: job states, assignments, cluster demand, and dead letters. */
@ApplicationScoped
public class SchedulerEvents {
    @Inject
    @Channel("job-state")
    MutinyEmitter<String> jobState;
    @Inject
    @Channel("job-assignments")
    MutinyEmitter<String> assignments;
    @Inject
    @Channel("cluster-demand")
    MutinyEmitter<String> demand;
    @Inject
    @Channel("dead-letters")
    MutinyEmitter<String> deadLetters;

    public Uni<Void> jobStateChanged(JobStateChanged event) {
        return send(jobState, event.cluster(), EventJson.write(event));
    }

    public Uni<Void> jobAssigned(JobAssigned event) {
        return send(assignments, event.cluster(), EventJson.write(event));
    }

    public Uni<Void> demandChanged(ClusterDemandChanged event) {
        return send(demand, event.cluster(), EventJson.write(event));
    }

    /** Sends the original payload to {@code <topic>.dlq} with the reason in the {@code dead-letter-reason} header. */
    public Uni<Void> deadLetter(String topic, String key, String payload, String reason) {
        RecordHeaders headers = new RecordHeaders();
        headers.add("dead-letter-reason", reason.getBytes(StandardCharsets.UTF_8));
        headers.add("dead-letter-topic", topic.getBytes(StandardCharsets.UTF_8));
        return deadLetters.sendMessage(Message.of(payload == null ? "" : payload).addMetadata(OutgoingKafkaRecordMetadata
                .<String>builder().withTopic(topic + ".dlq").withKey(key).withHeaders(headers).build()));
    }

    private static Uni<Void> send(MutinyEmitter<String> emitter, String key, String json) {
        return emitter.sendMessage(Message.of(json)
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(key).build()));
    }
}
