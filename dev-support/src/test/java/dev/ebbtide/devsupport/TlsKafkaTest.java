package dev.ebbtide.devsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ebbtide.common.events.Topics;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SASL_SSL: the settings documented for real brokers (SCRAM over TLS with a private CA) work end to end. */
class TlsKafkaTest {

    @Test
    void scramOverTlsWithAPemTrustStore(@TempDir Path dir) throws Exception {
        EmbeddedKafka.Tls tls = selfSigned(dir);
        KafkaCredentials credentials = KafkaCredentials.generate();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(0, dir.resolve("kafka"), credentials, false, tls)) {
            kafka.createTopics(List.of(Topics.PRODUCER_SUBMISSIONS, Topics.JOBS_ASSIGNMENTS), Set.of());
            Map<String, Object> config = kafka.clientConfig(KafkaAccess.PRODUCER);
            assertEquals("SASL_SSL", config.get("security.protocol"));
            try (KafkaProducer<String, String> p = producer(config)) {
                assertEquals(
                        0L,
                        p.send(new ProducerRecord<>(Topics.PRODUCER_SUBMISSIONS, "k", "v"))
                                .get()
                                .offset());
                ExecutionException e = assertThrows(
                        ExecutionException.class,
                        () -> p.send(new ProducerRecord<>(Topics.JOBS_ASSIGNMENTS, "k", "v"))
                                .get());
                assertInstanceOf(TopicAuthorizationException.class, e.getCause(), e.toString());
            }
            config.remove("ssl.truststore.type");
            config.remove("ssl.truststore.location");
            config.put("max.block.ms", 5000);
            try (KafkaProducer<String, String> untrusting = producer(config)) {
                ExecutionException e = assertThrows(
                        ExecutionException.class,
                        () -> untrusting
                                .send(new ProducerRecord<>(Topics.PRODUCER_SUBMISSIONS, "k", "v"))
                                .get());
                assertInstanceOf(SslAuthenticationException.class, e.getCause(), e.toString());
            }
        }
    }

    /** A PKCS12 key store for 127.0.0.1 and its certificate as PEM, made with the JDK's keytool. */
    static EmbeddedKafka.Tls selfSigned(Path dir) throws Exception {
        String keytool =
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Path keystore = dir.resolve("broker.p12");
        Path pem = dir.resolve("ca.pem");
        String password = KafkaCredentials.randomPassword();
        run(
                keytool,
                "-genkeypair",
                "-alias",
                "broker",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-validity",
                "2",
                "-dname",
                "CN=127.0.0.1",
                "-ext",
                "SAN=ip:127.0.0.1,dns:localhost",
                "-storetype",
                "PKCS12",
                "-keystore",
                keystore.toString(),
                "-storepass",
                password,
                "-keypass",
                password);
        run(
                keytool,
                "-exportcert",
                "-rfc",
                "-alias",
                "broker",
                "-keystore",
                keystore.toString(),
                "-storepass",
                password,
                "-file",
                pem.toString());
        return new EmbeddedKafka.Tls(keystore, password, pem);
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), String.join(" ", cmd[0], cmd[1]) + ": " + out);
    }

    private static KafkaProducer<String, String> producer(Map<String, Object> config) {
        return new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
    }
}
