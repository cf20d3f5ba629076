package dev.ebbtide.provisioner.cloud.azure;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What {@link FakeArmServer} answers to Usage - List ({@code GET .../providers/Microsoft.Compute/locations/{l}/usages}),
 * shaped after the official example: {@code {"value":[{"unit":"Count","currentValue":N,"limit":N,
 * "name":{"value":"...","localizedValue":"..."}}]}}. A location nobody set answers an empty list.
 */
public final class FakeUsages {
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Usage(String localized, int current, long limit) {}

    private final Map<String, Map<String, Usage>> byLocation = new ConcurrentHashMap<>();

    /** Sets (or replaces) one quota of a location. */
    public FakeUsages set(String location, String name, String localizedName, int currentValue, long limit) {
        byLocation
                .computeIfAbsent(location, l -> java.util.Collections.synchronizedMap(new LinkedHashMap<>()))
                .put(name, new Usage(localizedName, currentValue, limit));
        return this;
    }

    String body(String location) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode value = root.putArray("value");
        Map<String, Usage> usages = byLocation.getOrDefault(location, Map.of());
        synchronized (usages) {
            usages.forEach((name, u) -> {
                ObjectNode item = value.addObject();
                item.put("unit", "Count");
                item.put("currentValue", u.current());
                item.put("limit", u.limit());
                item.putObject("name").put("value", name).put("localizedValue", u.localized());
            });
        }
        return root.toString();
    }
}
