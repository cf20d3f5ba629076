package dev.ebbtide.scheduler.messaging;

import dev.ebbtide.messaging.KafkaMessages;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Channel;

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

    private Uni<Void> deadLetter(String topic, String key, String payload, String reason) {
        return deadLetters.sendMessage(KafkaMessages.deadLetter(topic, key, payload, reason));
    }

    private static Uni<Void> send(MutinyEmitter<String> emitter, String key, String json) {
        return emitter.sendMessage(KafkaMessages.keyed(key, json));
    }
}
