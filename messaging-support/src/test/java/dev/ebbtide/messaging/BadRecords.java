package dev.ebbtide.messaging;

import dev.ebbtide.common.events.Topics;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.header.internals.RecordHeaders;

/** Kinds of bad records, shared by the unit test and the autoscaler's end-to-end test. */
final class BadRecords {
    static final String GOOD_NODE =
            "{\"cluster\":\"c1\",\"node\":\"c1-0\",\"state\":\"idle\",\"at\":\"2026-11-26T20:42:36.060Z\"}";

    /** A record: value bytes and headers. */
    record Bad(byte[] value, RecordHeaders headers, String reasonContains) {}

    static Map<String, Bad> nodeStateKinds() {
        Map<String, Bad> kinds = new LinkedHashMap<>();
        kinds.put(
                "non-UTF-8",
                new Bad(new byte[] {'{', '"', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}'}, null, "not valid UTF-8"));
        kinds.put("NUL byte", new Bad(bytes("{\"cluster\":\"c\0\"}"), null, "NUL"));
        kinds.put("escaped NUL", new Bad(bytes(GOOD_NODE.replace("c1-0", "c1\\u0000")), null, "NUL"));
        kinds.put("truncated JSON", new Bad(bytes(GOOD_NODE.substring(0, 20)), null, "not a JSON document"));
        kinds.put("JSON array", new Bad(bytes("[" + GOOD_NODE + "]"), null, "array, not an object"));
        kinds.put("wrong type", new Bad(bytes(GOOD_NODE.replace("\"c1-0\"", "42")), null, "node"));
        kinds.put("unknown enum", new Bad(bytes(GOOD_NODE.replace("idle", "zombie")), null, "zombie"));
        kinds.put("trailing garbage", new Bad(bytes(GOOD_NODE + " x"), null, "not a JSON document"));
        kinds.put("missing field", new Bad(bytes("{\"cluster\":\"c1\",\"state\":\"idle\"}"), null, "node"));
        kinds.put("oversized field", new Bad(bytes(GOOD_NODE.replace("c1-0", "n".repeat(70_000))), null, "more than"));
        kinds.put("empty value", new Bad(new byte[0], null, "empty value"));
        kinds.put("null value", new Bad(null, null, "tombstone"));
        kinds.put("ce_time without offset", new Bad(bytes(GOOD_NODE), ce("id-1", "2026-11-26T20:42:36"), "ce_time"));
        kinds.put("empty ce_id", new Bad(bytes(GOOD_NODE), ce("", "2026-11-26T20:42:36Z"), "ce_id"));
        RecordHeaders wrongType = ce("id-2", "2026-11-26T20:42:36Z");
        wrongType.remove("ce_type");
        wrongType.add("ce_type", bytes("dev.ebbtide.scale.requested.v1"));
        kinds.put("ce_type of another topic", new Bad(bytes(GOOD_NODE), wrongType, "ce_type"));
        RecordHeaders badHeader = ce("id-3", "2026-11-26T20:42:36Z");
        badHeader.add("ce_subject", new byte[] {(byte) 0xFF});
        kinds.put("non-UTF-8 ce_ header", new Bad(bytes(GOOD_NODE), badHeader, "ce_subject"));
        kinds.put(
                "null array element",
                new Bad(
                        bytes("{\"cluster\":\"c1\",\"queue\":[null],\"nodesNeeded\":0,\"busyNodes\":[]}"),
                        null,
                        "null"));
        return kinds;
    }

    static RecordHeaders ce(String id, String time) {
        RecordHeaders h = new RecordHeaders();
        h.add("ce_specversion", bytes("1.0"));
        h.add("ce_id", bytes(id));
        h.add("ce_source", bytes("/test"));
        h.add("ce_type", bytes("dev.ebbtide.node.state-changed.v1"));
        h.add("ce_time", bytes(time));
        return h;
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static final String TOPIC = Topics.NODES_STATE;

    private BadRecords() {}
}
