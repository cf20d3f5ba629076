package dev.ebbtide.devsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ebbtide.common.events.Topics;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialDeletion;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local stack keeps Kafka's log between starts: a start on an old log makes access what this version grants — a
 * principal the log lacks gets its credential, and a grant the log has but this version does not is taken away.
 */
class KafkaAccessAfterRestartTest {

    @Test
    void aStartOnAnOldLogAddsMissingCredentialsAndDeletesGrantsNoLongerGiven(@TempDir Path dir) throws Exception {
        KafkaCredentials credentials =
                StackSecrets.loadOrCreate(dir.resolve("secrets")).kafka();
        Path data = dir.resolve("kafka");
        String producerName = KafkaAccess.PRODUCER;
        String producer = "User:" + producerName;
        AclBinding old = new AclBinding(
                new ResourcePattern(ResourceType.TOPIC, Topics.JOBS_ASSIGNMENTS, PatternType.LITERAL),
                new AccessControlEntry(producer, "*", AclOperation.WRITE, AclPermissionType.ALLOW));

        EmbeddedKafka first = EmbeddedKafka.start(0, data, credentials, false);
        try (Admin admin = Admin.create(first.clientConfig(KafkaAccess.ADMIN))) {
            first.createTopics(Topics.ALL, Topics.COMPACTED);
            admin.createAcls(List.of(old)).all().get(); // what an older version granted
            admin.alterUserScramCredentials(
                            List.of(new UserScramCredentialDeletion(producerName, ScramMechanism.SCRAM_SHA_256)))
                    .all()
                    .get(); // a principal an older version did not have
        } finally {
            first.close();
        }

        EmbeddedKafka again = EmbeddedKafka.start(0, data, credentials, false);
        try {
            // a credential stored by the controller reaches the broker's authenticator a moment later: retry the login
            String topic = null;
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
            while (topic == null) {
                try (KafkaProducer<String, String> p = producer(again, producerName)) {
                    topic = send(p, Topics.PRODUCER_SUBMISSIONS);
                } catch (SaslAuthenticationException e) {
                    if (System.nanoTime() > deadline) {
                        throw e;
                    }
                    Thread.sleep(200);
                }
            }
            assertEquals(Topics.PRODUCER_SUBMISSIONS, topic, "the principal the old log lacked authenticates");
            try (KafkaProducer<String, String> p = producer(again, producerName)) {
                ExecutionException e = assertThrows(
                        ExecutionException.class,
                        () -> p.send(new ProducerRecord<>(Topics.JOBS_ASSIGNMENTS, "k", "forged"))
                                .get());
                assertInstanceOf(TopicAuthorizationException.class, e.getCause(), "the old grant is gone: " + e);
            }
        } finally {
            again.close();
        }
    }

    private static KafkaProducer<String, String> producer(EmbeddedKafka kafka, String principal) {
        return new KafkaProducer<>(
                withTimeout(kafka.clientConfig(principal)), new StringSerializer(), new StringSerializer());
    }

    /** The topic the record went to; a failed login surfaces as the {@link SaslAuthenticationException} itself. */
    private static String send(KafkaProducer<String, String> p, String topic) throws Exception {
        try {
            return p.send(new ProducerRecord<>(topic, "k", "job")).get().topic();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SaslAuthenticationException sasl) {
                throw sasl;
            }
            throw e;
        }
    }

    private static Map<String, Object> withTimeout(Map<String, Object> config) {
        config.put("max.block.ms", 10_000);
        return config;
    }
}
