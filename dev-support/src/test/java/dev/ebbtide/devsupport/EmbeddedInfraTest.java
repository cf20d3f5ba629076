package dev.ebbtide.devsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class EmbeddedInfraTest {

    @Test
    void brokerStoresAndReturnsARecord() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(0, null)) {
            kafka.createTopics(List.of("t1"), Set.of());
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                    Map.of("bootstrap.servers", kafka.bootstrapServers()),
                    new StringSerializer(),
                    new StringSerializer())) {
                producer.send(new ProducerRecord<>("t1", "k", "hello")).get();
            }
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(
                    Map.of(
                            "bootstrap.servers",
                            kafka.bootstrapServers(),
                            "group.id",
                            "g",
                            "auto.offset.reset",
                            "earliest"),
                    new StringDeserializer(),
                    new StringDeserializer())) {
                consumer.subscribe(List.of("t1"));
                String value = null;
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (value == null && System.nanoTime() < deadline) {
                    ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(200));
                    if (!records.isEmpty()) {
                        value = records.iterator().next().value();
                    }
                }
                assertEquals("hello", value);
            }
        }
    }

    @Test
    void postgresWithAPasswordRefusesLoginsWithoutIt() throws Exception {
        try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(0, null, "s3cretPassw0rd", false)) {
            try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), "postgres", "s3cretPassw0rd")) {
                assertTrue(c.createStatement().executeQuery("select 1").next());
            }
            java.sql.SQLException refused = org.junit.jupiter.api.Assertions.assertThrows(
                    java.sql.SQLException.class,
                    () -> DriverManager.getConnection(pg.jdbcUrl(), "postgres", "")
                            .close());
            assertTrue(refused.getMessage().contains("password"), refused.getMessage());
            org.junit.jupiter.api.Assertions.assertThrows(
                    java.sql.SQLException.class,
                    () -> DriverManager.getConnection(pg.jdbcUrl(), "postgres", "wrong")
                            .close());
        }
    }

    @Test
    void postgresAnswersSql() throws Exception {
        try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(0, null);
                Connection c = DriverManager.getConnection(
                        "jdbc:postgresql://127.0.0.1:" + pg.port() + "/postgres", "postgres", "")) {
            ResultSet rs = c.createStatement().executeQuery("select version()");
            assertTrue(rs.next());
            assertTrue(rs.getString(1).startsWith("PostgreSQL 14"), rs.getString(1));
            assertTrue(pg.reactiveUrl().startsWith("postgresql://127.0.0.1:"));
        }
    }
}
