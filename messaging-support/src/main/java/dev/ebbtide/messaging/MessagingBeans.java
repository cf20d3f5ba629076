package dev.ebbtide.messaging;

import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.Map;

/**
 * CDI wiring for services: one {@link ConsumerHealth} and one {@link DeadLetters} writer per service, the latter with
 * the service's own Kafka client settings (every {@code kafka.*} property, e.g. bootstrap servers and security).
 */
@Singleton
public class MessagingBeans {
    @Produces
    @Singleton
    ConsumerHealth consumerHealth() {
        return new ConsumerHealth();
    }

    @Produces
    @Singleton
    KafkaDeadLetters deadLetters(@Identifier("default-kafka-broker") Map<String, Object> kafkaConfig) {
        return new KafkaDeadLetters(kafkaConfig);
    }

    void close(@Disposes KafkaDeadLetters deadLetters) {
        deadLetters.close();
    }
}
