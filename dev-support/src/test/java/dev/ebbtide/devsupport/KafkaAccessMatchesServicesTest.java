package dev.ebbtide.devsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.common.events.Topics;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** Every topic a service's settings name is one its Kafka principal may use, and every group id is its own. */
class KafkaAccessMatchesServicesTest {

    @Test
    void eachServiceMayWriteWhatItsChannelsWriteAndReadWhatTheyRead() throws IOException {
        List<String> problems = new ArrayList<>();
        int channels = 0;
        for (String service : LocalStack.SERVICES.keySet()) {
            KafkaAccess.Grant grant = KafkaAccess.GRANTS.get(service);
            assertTrue(grant != null, "KafkaAccess.GRANTS has no entry for " + service);
            Properties p = settings(service);
            // every consumer dead-letters what it cannot read (messaging-support EventConsumer, the connector's
            // backstop)
            boolean hasDeadLetters = true;
            for (String key : p.stringPropertyNames()) {
                String value = p.getProperty(key).trim();
                if (key.endsWith(".dead-letter-queue.topic")) {
                    if (!grant.writes().contains(value)) {
                        problems.add(service + " dead-letters to " + value + " (" + key + ") but " + grant.principal()
                                + " may not write it");
                    }
                } else if (key.startsWith("mp.messaging.outgoing.") && key.endsWith(".topic")) {
                    channels++;
                    if (!grant.writes().contains(value)) {
                        problems.add(
                                service + " writes " + value + " (" + key + ") but " + grant.principal() + " may not");
                    }
                } else if (key.startsWith("mp.messaging.incoming.")
                        && (key.endsWith(".topic") || key.endsWith(".topics"))) {
                    for (String topic : value.split(",")) {
                        channels++;
                        topic = topic.trim();
                        if (!grant.reads().contains(topic)) {
                            problems.add(service + " reads " + topic + " (" + key + ") but " + grant.principal()
                                    + " may not");
                        }
                        String dlq = Topics.deadLetterTopicFor(topic);
                        if (hasDeadLetters && !grant.writes().contains(dlq)) {
                            problems.add(service + " sends bad records of " + topic + " to " + dlq + " but "
                                    + grant.principal() + " may not write it");
                        }
                    }
                } else if (key.startsWith("mp.messaging.incoming.") && key.endsWith(".group.id")) {
                    String group = value.replaceAll("\\$\\{[^}]*}", "x");
                    if (!group.startsWith(grant.groupPrefix())) {
                        problems.add(service + " consumes in group " + value + " (" + key + ") but " + grant.principal()
                                + " may only use groups starting with " + grant.groupPrefix());
                    }
                }
            }
        }
        assertTrue(channels > 20, "found only " + channels + " channel topics: did the settings' form change?");
        assertEquals(List.of(), problems);
    }

    @Test
    void nodeAgentsMayDeadLetterWhatTheyRead() {
        KafkaAccess.Grant agent = KafkaAccess.GRANTS.get("node-agent");
        for (String topic : agent.reads()) {
            assertTrue(
                    agent.writes().contains(Topics.deadLetterTopicFor(topic)),
                    "the agent may not dead-letter " + topic);
        }
    }

    @Test
    void onlyTheSubmitterWritesItsSubmissionsAndEachProducerOnlyItsOwn() {
        List<String> writers = KafkaAccess.GRANTS.entrySet().stream()
                .filter(e -> e.getValue().writes().stream().anyMatch(Topics::isSubmissions))
                .map(e -> e.getKey() + " "
                        + e.getValue().writes().stream()
                                .filter(Topics::isSubmissions)
                                .toList())
                .sorted()
                .toList();
        assertEquals(
                List.of(
                        "job-submitter [" + Topics.JOBS_SUBMITTED + "]",
                        "producer [" + Topics.submissionsOf(KafkaAccess.PRODUCER) + "]"),
                writers);
        assertEquals(
                java.util.Set.of(Topics.submissionsOf(KafkaAccess.PRODUCER)),
                KafkaAccess.GRANTS.get("producer").writes());
        assertTrue(KafkaAccess.GRANTS.get("producer").reads().isEmpty());
    }

    @Test
    void groupPrefixesDoNotOverlap() {
        List<String> prefixes = KafkaAccess.GRANTS.values().stream()
                .map(KafkaAccess.Grant::groupPrefix)
                .filter(p -> p != null)
                .toList();
        for (String a : prefixes) {
            for (String b : prefixes) {
                assertFalse(a != b && b.startsWith(a), a + " also covers " + b + "'s groups");
            }
        }
    }

    private static Properties settings(String service) throws IOException {
        Path file = Path.of("..", service, "src/main/resources/application.properties");
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        }
        return p;
    }
}
