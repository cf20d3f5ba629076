package dev.ebbtide.devsupport;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** The machine's ceilings, measured in the same run as the harness's figures. */
final class BenchCeilings {
    private BenchCeilings() {}

    /** One-row INSERT transactions per second (autocommit, one client, the stack's own PostgreSQL). */
    static double postgresInsertsPerSecond(LocalStack stack, int rows) throws Exception {
        try (Connection c = stack.postgresConnection();
                Statement s = c.createStatement()) {
            s.execute("create table if not exists bench_ceiling (id text primary key, payload text)");
            try (PreparedStatement insert = c.prepareStatement("insert into bench_ceiling values (?, ?)")) {
                String payload = "x".repeat(400);
                for (int i = 0; i < 200; i++) { // warm up the connection and the plan
                    insert.setString(1, UUID.randomUUID().toString());
                    insert.setString(2, payload);
                    insert.executeUpdate();
                }
                long start = System.nanoTime();
                for (int i = 0; i < rows; i++) {
                    insert.setString(1, UUID.randomUUID().toString());
                    insert.setString(2, payload);
                    insert.executeUpdate();
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                s.execute("drop table bench_ceiling");
                return rows / seconds;
            }
        }
    }

    /** Records per second from the first send to the last record consumed, 400-byte values, one partition. */
    static double kafkaRecordsPerSecond(Map<String, Object> client, int records) throws Exception {
        String topic = "bench.ceiling." + UUID.randomUUID().toString().substring(0, 8);
        try (Admin admin = Admin.create(client)) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
        Map<String, Object> producerConfig = new HashMap<>(client);
        producerConfig.put("linger.ms", "5");
        Map<String, Object> consumerConfig = new HashMap<>(client);
        consumerConfig.put("max.poll.records", "5000");
        String value = "y".repeat(400);
        TopicPartition tp = new TopicPartition(topic, 0);
        try (KafkaProducer<String, String> producer =
                        new KafkaProducer<>(producerConfig, new StringSerializer(), new StringSerializer());
                KafkaConsumer<String, String> consumer =
                        new KafkaConsumer<>(consumerConfig, new StringDeserializer(), new StringDeserializer())) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long start = System.nanoTime();
            Thread sender = new Thread(() -> {
                for (int i = 0; i < records; i++) {
                    producer.send(new ProducerRecord<>(topic, "k" + (i % 100), value));
                }
                producer.flush();
            });
            sender.start();
            int seen = 0;
            long deadline = start + Duration.ofMinutes(2).toNanos();
            while (seen < records && System.nanoTime() < deadline) {
                seen += consumer.poll(Duration.ofMillis(50)).count();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            sender.join();
            try (Admin admin = Admin.create(client)) {
                admin.deleteTopics(List.of(topic)).all().get();
            }
            return seen / seconds;
        }
    }
}
