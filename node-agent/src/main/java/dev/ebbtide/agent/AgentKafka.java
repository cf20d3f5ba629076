package dev.ebbtide.agent;

import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.common.events.EventTypes;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The agent's Kafka clients. Every {@code kafka.*} setting is passed through (SASL_SSL, Event Hubs, …); the settings
 * the protocol depends on are fixed after them. Records are CloudEvents in binary mode, like the services send them.
 */
final class AgentKafka {
    static final String SOURCE = EventTypes.SOURCE_PREFIX + "node-agent";

    private AgentKafka() {}

    /** Records arrive as bytes: the agent decodes them itself (messaging-support's RecordDecoder). */
    static KafkaConsumer<byte[], byte[]> consumer(AgentConfig config) {
        Map<String, Object> props = new HashMap<>(config.kafka());
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "ebbtide-agent-" + config.node());
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "ebbtide-agent-" + config.node());
        // static membership: a restarted agent takes its place in the group at once, without waiting for the
        // dead member's session to time out
        props.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "ebbtide-agent-" + config.node());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** The client settings for the dead-letter writer (it sets its own serializers, acks and idempotence). */
    static Map<String, Object> deadLetterConfig(AgentConfig config) {
        Map<String, Object> props = new HashMap<>(config.kafka());
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "ebbtide-agent-" + config.node() + "-dead-letters");
        return props;
    }

    static KafkaProducer<String, String> producer(AgentConfig config) {
        Map<String, Object> props = new HashMap<>(config.kafka());
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "ebbtide-agent-" + config.node() + "-producer");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "0");
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    /** A record keyed by cluster with the CloudEvents headers ce_specversion, ce_id, ce_type, ce_source, ce_time. */
    static ProducerRecord<String, String> record(String topic, String cluster, String type, Object event, Instant at) {
        ProducerRecord<String, String> r = new ProducerRecord<>(topic, cluster, EventJson.write(event));
        r.headers().add("ce_specversion", bytes("1.0"));
        r.headers().add("ce_id", bytes(UUID.randomUUID().toString()));
        r.headers().add("ce_type", bytes(type));
        r.headers().add("ce_source", bytes(SOURCE));
        r.headers().add("ce_time", bytes(at.toString()));
        r.headers().add("content-type", bytes("application/json"));
        return r;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
