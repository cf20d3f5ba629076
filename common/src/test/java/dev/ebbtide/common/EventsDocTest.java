package dev.ebbtide.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ebbtide.common.events.EventJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Every JSON example in docs/events.md parses into its record and serialises back to the same JSON. */
class EventsDocTest {
    private static final Pattern EXAMPLE =
            Pattern.compile("### (\\w+)\\n(?:(?!### ).)*?```json\\n(.*?)\\n```", Pattern.DOTALL);
    private static final String[] EVENTS = {
        "JobSubmitted",
        "JobStateChanged",
        "JobAssigned",
        "JobRunReported",
        "JobStopRequested",
        "ClusterDefined",
        "ClusterDemandChanged",
        "ClusterDemandChangedV2",
        "ClusterBackoffChanged",
        "ClusterBackoffChangedV2",
        "ScaleRequested",
        "NodeStateChanged",
        "NodeAgentStatus",
        "JobLogChunk",
        "PolicyHistory",
        "PolicyChanged",
        "ScalingDecisionRecorded",
        "ProvisionerClusterState"
    };

    @Test
    void everyEventHasAnExampleThatRoundTrips() throws Exception {
        String doc = Files.readString(Path.of("../docs/events.md"));
        Map<String, String> examples = new LinkedHashMap<>();
        Matcher m = EXAMPLE.matcher(doc);
        while (m.find()) {
            examples.put(m.group(1), m.group(2));
        }
        for (String event : EVENTS) {
            assertTrue(examples.containsKey(event), "docs/events.md has no JSON example for " + event);
            Class<?> type = Class.forName("dev.ebbtide.common.events." + event);
            Object parsed = EventJson.read(examples.get(event), type);
            JsonNode expected = EventJson.mapper().readTree(examples.get(event));
            JsonNode actual = EventJson.mapper().readTree(EventJson.write(parsed));
            assertEquals(expected, actual, event + " does not round-trip");
            assertTrue(doc.contains("`" + topicOf(doc, event) + "`"), event + " is in the topic table");
        }
        assertEquals(
                EVENTS.length,
                examples.size(),
                "an example in docs/events.md names no known event: " + examples.keySet());
    }

    @Test
    void everyCloudEventsTypeTheServicesSendIsDeclaredAndDocumented() throws Exception {
        java.util.Set<String> declared = new java.util.HashSet<>();
        for (java.lang.reflect.Field f : dev.ebbtide.common.events.EventTypes.class.getFields()) {
            if (f.getType() == String.class && !f.getName().equals("SOURCE_PREFIX")) {
                declared.add((String) f.get(null));
            }
        }
        String doc = Files.readString(Path.of("../docs/events.md"));
        int seen = 0;
        for (String service : new String[] {"job-submitter", "scheduler", "autoscaler", "provisioner"}) {
            for (String line :
                    Files.readAllLines(Path.of("../" + service + "/src/main/resources/application.properties"))) {
                if (line.contains(".cloud-events-type=")) {
                    String type = line.substring(line.indexOf('=') + 1).trim();
                    assertTrue(
                            declared.contains(type),
                            service + " sends " + type + ", which EventTypes does not declare");
                    assertTrue(doc.contains("`" + type + "`"), type + " is missing from docs/events.md");
                    seen++;
                }
            }
        }
        assertTrue(seen >= 9, "found only " + seen + " cloud-events-type settings");
    }

    @Test
    void recordsIgnoreFieldsAddedByNewerV1Producers() {
        var e = EventJson.read(
                "{\"cluster\":\"c\",\"node\":\"n\",\"state\":\"idle\",\"someFutureField\":1}",
                dev.ebbtide.common.events.NodeStateChanged.class);
        assertEquals("n", e.node());
    }

    private static String topicOf(String doc, String event) {
        Matcher m = Pattern.compile("\\| `([a-z.]+)`(?: \\(compacted\\))? \\| \\[" + event + "\\]")
                .matcher(doc);
        assertTrue(m.find(), event + " has a row in the topic table");
        return m.group(1);
    }
}
