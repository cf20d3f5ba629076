package dev.ebbtide.messaging;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** {@link DeadLetters} through a byte[] Kafka producer: idempotent, acks=all, bounded blocking and delivery time. */
public final class KafkaDeadLetters implements DeadLetters, AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;

    /** @param clientConfig the service's Kafka client settings (bootstrap servers, security); serializers are set here */
    public KafkaDeadLetters(Map<String, Object> clientConfig) {
        Map<String, Object> config = KafkaConnection.settings(clientConfig);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(
                ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) Duration.ofSeconds(10).toMillis());
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int)
                Duration.ofSeconds(10).toMillis());
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int)
                Duration.ofSeconds(30).toMillis());
        config.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "ebbtide-dead-letters");
        this.producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
    }

    @Override
    public CompletionStage<Void> send(ConsumerRecord<byte[], byte[]> record, String reason, String consumer) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            producer.send(DeadLetters.record(record, reason, consumer), (metadata, error) -> {
                if (error != null) {
                    done.completeExceptionally(error);
                } else {
                    done.complete(null);
                }
            });
        } catch (RuntimeException e) {
            done.completeExceptionally(e);
        }
        return done;
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
