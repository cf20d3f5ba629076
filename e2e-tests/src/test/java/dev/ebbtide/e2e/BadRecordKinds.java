package dev.ebbtide.e2e;

import dev.ebbtide.common.events.EventTypes;
import dev.ebbtide.common.events.Topics;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The kinds of record no consumer can understand, for every topic a service or a node agent reads. Each kind is
 * poison on every topic (never a valid event by accident); {@code round} makes each record's bytes unique.
 */
final class BadRecordKinds {
    /** Every topic a service or a node agent consumes. */
    static final List<String> TOPICS = List.of(
            Topics.JOBS_SUBMITTED,
            Topics.CLUSTERS,
            Topics.NODES_STATE,
            Topics.JOBS_RUNS,
            Topics.CLUSTERS_BACKOFF,
            Topics.CLUSTERS_DEMAND,
            Topics.SCALE_REQUESTS,
            Topics.JOBS_ASSIGNMENTS,
            Topics.JOBS_STOPS,
            Topics.NODES_AGENTS,
            Topics.JOBS_LOGS);

    /** A field of the topic's event with an enum type, when it has one (for the "unknown enum value" kind). */
    private static final Map<String, String> ENUMS = Map.of(
            Topics.NODES_STATE,
            "\"state\":\"flying\"",
            Topics.JOBS_RUNS,
            "\"phase\":\"FLYING\"",
            Topics.NODES_AGENTS,
            "\"kind\":\"SHOUTING\"");

    /** The CloudEvents type each topic carries, so the header kinds fail on the field they are about. */
    private static final Map<String, String> TYPES = Map.ofEntries(
            Map.entry(Topics.JOBS_SUBMITTED, EventTypes.JOB_SUBMITTED),
            Map.entry(Topics.CLUSTERS, EventTypes.CLUSTER_DEFINED),
            Map.entry(Topics.NODES_STATE, EventTypes.NODE_STATE_CHANGED),
            Map.entry(Topics.JOBS_RUNS, EventTypes.JOB_RUN_REPORTED),
            Map.entry(Topics.CLUSTERS_BACKOFF, EventTypes.CLUSTER_BACKOFF_CHANGED),
            Map.entry(Topics.CLUSTERS_DEMAND, EventTypes.CLUSTER_DEMAND_CHANGED),
            Map.entry(Topics.SCALE_REQUESTS, EventTypes.SCALE_REQUESTED),
            Map.entry(Topics.JOBS_ASSIGNMENTS, EventTypes.JOB_ASSIGNED),
            Map.entry(Topics.JOBS_STOPS, EventTypes.JOB_STOP_REQUESTED),
            Map.entry(Topics.NODES_AGENTS, EventTypes.NODE_AGENT_STATUS),
            Map.entry(Topics.JOBS_LOGS, EventTypes.JOB_LOG_CHUNK));

    record Kind(String name, ProducerRecord<byte[], byte[]> record) {}

    private BadRecordKinds() {}

    static List<Kind> kinds(String topic, int round, boolean oversized) {
        String tag = "bad-" + round;
        byte[] key = ("k" + round).getBytes(StandardCharsets.UTF_8); // the clusters topic is compacted: keys needed
        List<Kind> kinds = new ArrayList<>();
        kinds.add(kind(
                topic,
                "not UTF-8",
                key,
                new byte[] {(byte) 0xC3, (byte) 0x28, 'b', (byte) round, (byte) (round >> 8)},
                null));
        kinds.add(kind(
                topic,
                "NUL in the JSON",
                key,
                bytes("{\"jobId\":\"" + tag + "\u0000\",\"cluster\":\"a\u0000b\"}"),
                null));
        kinds.add(kind(topic, "truncated JSON", key, bytes("{\"jobId\":\"" + tag + "\",\"clus"), null));
        kinds.add(kind(topic, "a JSON array", key, bytes("[\"" + tag + "\",1,2]"), null));
        kinds.add(kind(
                topic,
                "wrong types",
                key,
                bytes("{\"jobId\":" + round + ",\"cluster\":true,\"node\":[1]," + "\"spec\":\"" + tag
                        + "\",\"requestId\":{},\"kind\":7,\"seq\":\"x\"}"),
                null));
        kinds.add(
                ENUMS.containsKey(topic)
                        ? kind(
                                topic,
                                "unknown enum value",
                                key,
                                bytes("{\"cluster\":\"c" + round + "\",\"node\":\"n\","
                                        + "\"agentId\":\"a\",\"jobId\":\"" + tag + "\",\"rank\":0," + ENUMS.get(topic)
                                        + "}"),
                                null)
                        : kind(
                                topic,
                                "required fields missing",
                                key,
                                bytes("{\"jobId\":\"" + tag + "-m\",\"node\":\"n\"}"),
                                null));
        kinds.add(kind(
                topic,
                "ce_time without offset",
                key,
                bytes("{\"jobId\":\"" + tag + "\"}"),
                ce(topic, "id-" + tag, "2026-01-01T00:00:00")));
        kinds.add(kind(
                topic,
                "empty ce_id",
                key,
                bytes("{\"jobId\":\"" + tag + "-ce\"}"),
                ce(topic, "", "2026-01-01T00:00:00Z")));
        kinds.add(kind(topic, "empty value", key, new byte[0], null));
        kinds.add(kind(
                topic,
                "key not UTF-8",
                new byte[] {(byte) 0xFF, (byte) round},
                bytes("{\"jobId\":\"" + tag + "-k\"}"),
                null));
        if (!Topics.COMPACTED.contains(topic)) {
            kinds.add(kind(topic, "tombstone on a topic that is not compacted", key, null, null));
        }
        if (oversized) {
            kinds.add(kind(
                    topic, "oversized field", key, bytes("{\"jobId\":\"" + tag + "x".repeat(70_000) + "\"}"), null));
        }
        if (Topics.JOBS_SUBMITTED.equals(topic)) {
            kinds.add(kind(
                    topic,
                    "environment name not POSIX",
                    key,
                    bytes(submission(tag + "-env", "1", "{\"A=B\":\"x\"}")),
                    null));
            kinds.add(kind(topic, "2.9 for instanceCount", key, bytes(submission(tag + "-count", "2.9", "{}")), null));
        }
        return kinds;
    }

    private static String submission(String jobId, String count, String env) {
        return "{\"jobId\":\"" + jobId + "\",\"cluster\":\"p1\",\"spec\":{\"command\":\"true\",\"instanceCount\":"
                + count + ",\"environmentVariables\":" + env + "},\"submittedAt\":\"2026-01-01T00:00:00Z\"}";
    }

    private static RecordHeaders ce(String topic, String id, String time) {
        RecordHeaders h = new RecordHeaders();
        h.add("ce_specversion", bytes("1.0"));
        h.add("ce_id", bytes(id));
        h.add("ce_source", bytes("/e2e"));
        h.add("ce_type", bytes(TYPES.get(topic)));
        h.add("ce_time", bytes(time));
        return h;
    }

    private static Kind kind(String topic, String name, byte[] key, byte[] value, RecordHeaders headers) {
        return new Kind(name, new ProducerRecord<>(topic, null, key, value, headers));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
