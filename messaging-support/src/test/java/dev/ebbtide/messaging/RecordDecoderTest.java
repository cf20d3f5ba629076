package dev.ebbtide.messaging;

import static dev.ebbtide.messaging.BadRecords.GOOD_NODE;
import static dev.ebbtide.messaging.BadRecords.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.common.events.ClusterDefined;
import dev.ebbtide.common.events.JobSubmitted;
import dev.ebbtide.common.events.NodeState;
import dev.ebbtide.common.events.NodeStateChanged;
import dev.ebbtide.common.events.Topics;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecordDecoderTest {

    @Test
    void everyKindOfBadRecordIsPoisonWithAReason() {
        for (Map.Entry<String, BadRecords.Bad> kind :
                BadRecords.nodeStateKinds().entrySet()) {
            BadRecords.Bad bad = kind.getValue();
            Class<?> type = kind.getKey().equals("null array element")
                    ? dev.ebbtide.common.events.ClusterDemandChanged.class
                    : NodeStateChanged.class;
            Decoded<?> decoded = RecordDecoder.decode(BadRecords.TOPIC, bytes("c1"), bad.value(), bad.headers(), type);
            Decoded.Poison<?> poison = assertInstanceOf(Decoded.Poison.class, decoded, kind.getKey());
            assertTrue(poison.reason().contains(bad.reasonContains()), kind.getKey() + ": " + poison.reason());
            assertTrue(!poison.reason().contains("\n"), "one line: " + poison.reason());
        }
    }

    @Test
    void aGoodRecordWithValidCloudEventHeadersIsAnEvent() {
        Decoded<NodeStateChanged> decoded = RecordDecoder.decode(
                Topics.NODES_STATE,
                bytes("c1"),
                bytes(GOOD_NODE),
                BadRecords.ce("id-9", "2026-11-26T20:42:36.060+01:00"),
                NodeStateChanged.class);
        Decoded.Event<NodeStateChanged> event = assertInstanceOf(Decoded.Event.class, decoded);
        assertEquals(NodeState.idle, event.value().state());
        assertEquals("id-9", event.ceId());
    }

    @Test
    void unknownFieldsAreStillIgnoredForV1Compatibility() {
        String withExtra = GOOD_NODE.replace("{", "{\"addedInV1_7\":{\"x\":[1,2]},");
        assertInstanceOf(
                Decoded.Event.class,
                RecordDecoder.decode(Topics.NODES_STATE, null, bytes(withExtra), null, NodeStateChanged.class));
    }

    @Test
    void aTombstoneOnTheCompactedClustersTopicIsSkippedNotPoison() {
        assertInstanceOf(
                Decoded.Tombstone.class,
                RecordDecoder.decode(Topics.CLUSTERS, bytes("c1"), null, null, ClusterDefined.class));
    }

    @Test
    void wrongNumberShapesAreRefused() {
        String job = "{\"jobId\":\"j1\",\"cluster\":\"c1\",\"spec\":{\"command\":\"echo\",\"instanceCount\":%s}}";
        assertInstanceOf(
                Decoded.Event.class,
                RecordDecoder.decode(Topics.JOBS_SUBMITTED, null, bytes(job.formatted("2")), null, JobSubmitted.class));
        for (String wrong : new String[] {"2.9", "\"2\"", "true", "null", "0", "1001"}) {
            Decoded<?> d = RecordDecoder.decode(
                    Topics.JOBS_SUBMITTED, null, bytes(job.formatted(wrong)), null, JobSubmitted.class);
            assertInstanceOf(Decoded.Poison.class, d, wrong);
        }
        Decoded<?> numberForString = RecordDecoder.decode(
                Topics.JOBS_SUBMITTED,
                null,
                bytes("{\"jobId\":7,\"cluster\":\"c1\",\"spec\":{\"command\":\"echo\",\"instanceCount\":1}}"),
                null,
                JobSubmitted.class);
        assertInstanceOf(Decoded.Poison.class, numberForString);
    }

    @Test
    void aRecordsOwnRulesRun() {
        String badEnv = "{\"jobId\":\"j1\",\"cluster\":\"c1\",\"spec\":{\"command\":\"echo\",\"instanceCount\":1,"
                + "\"environmentVariables\":{\"1BAD\":\"x\"}}}";
        Decoded.Poison<?> p = assertInstanceOf(
                Decoded.Poison.class,
                RecordDecoder.decode(Topics.JOBS_SUBMITTED, null, bytes(badEnv), null, JobSubmitted.class));
        assertTrue(p.reason().contains("POSIX"), p.reason());
    }

    @Test
    void aClusterSpecThatItsConstructorRefusesIsPoisonWithTheConstructorsSentence() {
        String bad =
                "{\"spec\":{\"name\":\"Bad Name\",\"minInstances\":0,\"maxInstances\":1,\"idleTimeBeforeScaleDown\":1}}";
        Decoded.Poison<?> p = assertInstanceOf(
                Decoded.Poison.class,
                RecordDecoder.decode(Topics.CLUSTERS, null, bytes(bad), null, ClusterDefined.class));
        assertTrue(p.reason().contains("cluster name 'Bad Name'"), p.reason());
    }
}
