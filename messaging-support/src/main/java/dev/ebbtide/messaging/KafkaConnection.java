package dev.ebbtide.messaging;

import java.util.HashMap;
import java.util.Map;

/**
 * The connection part of a service's Kafka settings (SmallRye's {@code default-kafka-broker} map, or the node agent's
 * {@code kafka.*} settings): broker address, security, timeouts — without serializers, group and offset-reset
 * settings, which each side client (a dead-letter producer, an end-offset reader) sets for itself.
 */
public final class KafkaConnection {
    private KafkaConnection() {}

    public static Map<String, Object> settings(Map<String, Object> clientConfig) {
        Map<String, Object> config = new HashMap<>();
        clientConfig.forEach((k, v) -> {
            if (!k.contains("serializer") && !k.startsWith("group.") && !k.startsWith("auto.")) {
                config.put(k, v);
            }
        });
        return config;
    }
}
