package dev.ebbtide.scheduler.messaging;

import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

/** What the scheduler publishes (through the {@link Outbox}): job states, assignments, cluster demand, dead letters. */
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
    @Channel("job-stops")
    MutinyEmitter<String> stops;
    @Inject
    @Channel("dead-letters")
    MutinyEmitter<String> deadLetters;

    /** Sends one stored outbox event on its channel. */
    Uni<Void> send(String channel, String sourceTopic, String key, String payload, String reason) {
        return switch (channel) {
            case "job-state" -> send(jobState, key, payload);
            case "job-assignments" -> send(assignments, key, payload);
            case "cluster-demand" -> send(demand, key, payload);
            case "job-stops" -> send(stops, key, payload);
            case "dead-letters" -> deadLetter(sourceTopic, key, payload, reason);
            default -> throw new IllegalArgumentException("unknown outbox channel " + channel);
        };
    }

    /** Sends the original payload to {@code <topic>.dlq} with the reason in the {@code dead-letter-reason} header. */
    private Uni<Void> deadLetter(String topic, String key, String payload, String reason) {
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
