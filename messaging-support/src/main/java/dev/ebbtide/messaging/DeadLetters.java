package dev.ebbtide.messaging;

import dev.ebbtide.common.events.Topics;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Writes a record that could not be understood or applied to its dead-letter topic ({@link Topics#deadLetterTopicFor}):
 * the ORIGINAL key and value bytes and headers, unchanged, plus {@code dead-letter-reason} (one sentence),
 * {@code dead-letter-topic}, {@code dead-letter-partition}, {@code dead-letter-offset} and {@code dead-letter-consumer}.
 * Nothing here reads the content as text, so any bytes can be dead-lettered.
 */
public interface DeadLetters {
    String REASON = "dead-letter-reason";
    String TOPIC = "dead-letter-topic";
    String PARTITION = "dead-letter-partition";
    String OFFSET = "dead-letter-offset";
    String CONSUMER = "dead-letter-consumer";
    int MAX_REASON_CHARS = 1000;

    /** Completes once the broker has the dead letter (acks=all). */
    CompletionStage<Void> send(ConsumerRecord<byte[], byte[]> record, String reason, String consumer);

    /** The dead letter for {@code record}: same key, value and headers, plus the dead-letter headers. */
    static ProducerRecord<byte[], byte[]> record(
            ConsumerRecord<byte[], byte[]> record, String reason, String consumer) {
        RecordHeaders headers = new RecordHeaders();
        if (record.headers() != null) {
            for (Header h : record.headers()) {
                if (!List.of(REASON, TOPIC, PARTITION, OFFSET, CONSUMER).contains(h.key())) {
                    headers.add(h.key(), h.value());
                }
            }
        }
        String sentence = reason == null
                ? "unknown"
                : reason.length() > MAX_REASON_CHARS ? reason.substring(0, MAX_REASON_CHARS) + "…" : reason;
        headers.add(REASON, sentence.getBytes(StandardCharsets.UTF_8));
        headers.add(TOPIC, record.topic().getBytes(StandardCharsets.UTF_8));
        headers.add(PARTITION, Integer.toString(record.partition()).getBytes(StandardCharsets.UTF_8));
        headers.add(OFFSET, Long.toString(record.offset()).getBytes(StandardCharsets.UTF_8));
        if (consumer != null) {
            headers.add(CONSUMER, consumer.getBytes(StandardCharsets.UTF_8));
        }
        return new ProducerRecord<>(
                Topics.deadLetterTopicFor(record.topic()), null, record.key(), record.value(), headers);
    }
}
