package dev.ebbtide.agent;

import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.common.events.EventTypes;
import dev.ebbtide.common.events.JobAssigned;
import dev.ebbtide.common.events.JobStopRequested;
import dev.ebbtide.common.events.Topics;
import dev.ebbtide.devsupport.EmbeddedKafka;
import dev.ebbtide.devsupport.TopicRecorder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/** Test support: one real broker with Ebbtide's topics, a recorder of everything and a producer playing the scheduler. */
final class Broker implements AutoCloseable {
    final EmbeddedKafka kafka;
    final TopicRecorder recorder;
    private final KafkaProducer<String, String> producer;

    Broker() throws Exception {
        kafka = EmbeddedKafka.start(0, null);
        kafka.createTopics(Topics.ALL, Topics.COMPACTED);
        recorder = new TopicRecorder(kafka.bootstrapServers(), Topics.ALL);
        producer = new KafkaProducer<>(
                Map.of("bootstrap.servers", kafka.bootstrapServers()), new StringSerializer(), new StringSerializer());
    }

    String bootstrap() {
        return kafka.bootstrapServers();
    }

    void assign(JobAssigned a) throws Exception {
        send(Topics.JOBS_ASSIGNMENTS, a.cluster(), EventTypes.JOB_ASSIGNED, a);
    }

    void stop(JobStopRequested s) throws Exception {
        send(Topics.JOBS_STOPS, s.cluster(), EventTypes.JOB_STOP_REQUESTED, s);
    }

    private void send(String topic, String key, String type, Object event) throws Exception {
        ProducerRecord<String, String> r = new ProducerRecord<>(topic, key, EventJson.write(event));
        // binary-mode CloudEvents headers as the scheduler sends them (the agent checks them)
        r.headers().add("ce_specversion", "1.0".getBytes(StandardCharsets.UTF_8));
        r.headers().add("ce_id", UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8));
        r.headers().add("ce_source", "/ebbtide/scheduler".getBytes(StandardCharsets.UTF_8));
        r.headers().add("ce_type", type.getBytes(StandardCharsets.UTF_8));
        r.headers().add("ce_time", java.time.Instant.now().toString().getBytes(StandardCharsets.UTF_8));
        producer.send(r).get();
    }

    @Override
    public void close() throws Exception {
        producer.close();
        recorder.close();
        kafka.close();
    }
}
