package dev.ebbtide.autoscaler.messaging;

import java.util.HashMap;
import java.util.Map;

/**
 * The connection settings of the autoscaler's own Kafka clients (the start-up readers outside SmallRye): the broker
 * address and whatever security the {@code kafka.*} settings give every SmallRye channel (SASL, TLS), so these clients
 * reach any broker the channels reach.
 */
public final class KafkaClientSettings {
    private KafkaClientSettings() {}

    /** From SmallRye's default Kafka configuration (the {@code kafka.*} settings without the prefix). */
    public static Map<String, Object> connection(Map<String, Object> kafkaConfig) {
        Map<String, Object> settings = new HashMap<>();
        kafkaConfig.forEach((key, value) -> {
            if (key.equals("bootstrap.servers")
                    || key.startsWith("security.")
                    || key.startsWith("sasl.")
                    || key.startsWith("ssl.")) {
                settings.put(key, value);
            }
        });
        return settings;
    }

    public static Map<String, Object> bootstrapOnly(String bootstrapServers) {
        return Map.of("bootstrap.servers", bootstrapServers);
    }
}
