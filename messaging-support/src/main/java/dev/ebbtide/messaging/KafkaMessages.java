package dev.ebbtide.messaging;

import dev.ebbtide.common.events.Topics;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Message;

/** How every Ebbtide service builds its Kafka messages. */
public final class KafkaMessages {
    private KafkaMessages() {}

    /** An event keyed by its cluster, so one cluster's events stay in order. */
    public static Message<String> keyed(String key, String json) {
        return Message.of(json)
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                        .withKey(key)
                        .build());
    }

    /**
     * A record that could not be handled, unchanged, for the dead-letter topic of its source topic, with the
     * {@code dead-letter-reason} and {@code dead-letter-topic} headers.
     */
    public static Message<String> deadLetter(String sourceTopic, String key, String payload, String reason) {
        RecordHeaders headers = new RecordHeaders();
        headers.add("dead-letter-reason", String.valueOf(reason).getBytes(StandardCharsets.UTF_8));
        headers.add("dead-letter-topic", String.valueOf(sourceTopic).getBytes(StandardCharsets.UTF_8));
        return Message.of(payload == null ? "" : payload)
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                        .withTopic(Topics.deadLetterTopicFor(sourceTopic))
                        .withKey(key)
                        .withHeaders(headers)
                        .build());
    }
}
