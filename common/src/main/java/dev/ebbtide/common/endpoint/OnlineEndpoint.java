package dev.ebbtide.common.endpoint;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A {@code managedOnlineEndpoint} document as read: every field it may hold is here or was refused with a sentence.
 *
 * @param name          the endpoint's name (3–32 letters, digits and '-', starting with a letter)
 * @param authMode      {@code key} (Azure ML's default) or {@code aml_token}
 * @param description   free text, or null
 * @param tags          name → value, in the order written
 * @param traffic       deployment → percentage (sum 0 or 100), in the order written; empty when not given
 * @param mirrorTraffic deployment → percentage of live traffic copied to it (at most one entry, 0–50); empty when not
 *                      given
 */
public record OnlineEndpoint(
        String name,
        String authMode,
        String description,
        Map<String, String> tags,
        Map<String, Integer> traffic,
        Map<String, Integer> mirrorTraffic) {
    public static final String KEY = "key";
    public static final String AML_TOKEN = "aml_token";

    public OnlineEndpoint {
        tags = frozen(tags);
        traffic = frozen(traffic);
        mirrorTraffic = frozen(mirrorTraffic);
    }

    static <V> Map<String, V> frozen(Map<String, V> map) {
        return map == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }
}
