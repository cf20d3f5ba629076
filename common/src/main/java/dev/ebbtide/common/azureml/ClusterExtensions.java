package dev.ebbtide.common.azureml;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ebbtide.common.compute.VmCatalogue;
import dev.ebbtide.common.compute.VmSize;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Ebbtide's extensions of an {@code amlcompute} cluster's YAML (docs/compute.md#ebbtide-extensions):
 * {@code max_gang_provision_time}, {@code ebbtide_fallback} and {@code spot_max_price}. Each is optional; a bad value is
 * refused with one sentence.
 */
final class ClusterExtensions {
    private ClusterExtensions() {}

    /** The extensions of {@code doc}, or null when it has none. */
    static ClusterSpec.Capacity read(ObjectNode doc, String primarySize) {
        JsonNode gang = doc.get("max_gang_provision_time");
        JsonNode fallback = doc.get("ebbtide_fallback");
        JsonNode price = doc.get("spot_max_price");
        if (absent(gang) && absent(fallback) && absent(price)) {
            return null;
        }
        return new ClusterSpec.Capacity(
                absent(gang) ? null : seconds(gang),
                absent(fallback) ? List.of() : alternatives(fallback, primarySize),
                absent(price) ? null : price(price));
    }

    private static boolean absent(JsonNode n) {
        return n == null || n.isNull();
    }

    /** Whole seconds ({@code 600}) or an ISO 8601 duration ({@code PT10M}). */
    static long seconds(JsonNode n) {
        String text = n.asText().strip();
        if (n.isIntegralNumber() || text.matches("\\d{1,9}")) {
            return AzureMlYaml.wholeNumber("max_gang_provision_time", n);
        }
        try {
            return Duration.parse(text).toSeconds();
        } catch (DateTimeParseException e) {
            throw new InvalidSpecException("max_gang_provision_time must be whole seconds (600) or an ISO 8601 "
                    + "duration (PT10M), got '" + text + "'");
        }
    }

    private static double price(JsonNode n) {
        if (n.isNumber() || n.asText().strip().matches("-?\\d+(\\.\\d+)?")) {
            return Double.parseDouble(n.asText().strip());
        }
        throw new InvalidSpecException(
                "spot_max_price must be a number: -1 (up to the on-demand price) or US dollars per hour, got '"
                        + n.asText() + "'");
    }

    /** Each alternative in the catalogue, with at least the primary's GPUs and cores per node. */
    static List<ClusterSpec.Alternative> alternatives(JsonNode list, String primarySize) {
        if (!list.isArray()) {
            throw new InvalidSpecException(
                    "ebbtide_fallback must be a list of {size, tier}, e.g. [{size: Standard_NC12s_v3, tier: dedicated}]");
        }
        VmCatalogue catalogue = VmCatalogue.standard();
        VmSize primary = catalogue
                .find(primarySize == null ? "Standard_DS3_v2" : primarySize)
                .orElse(null);
        List<ClusterSpec.Alternative> out = new ArrayList<>();
        for (JsonNode entry : list) {
            if (!entry.isObject()) {
                throw new InvalidSpecException(
                        "each ebbtide_fallback entry must be a mapping {size, tier}, got '" + entry.asText() + "'");
            }
            String size = entry.path("size").asText(null);
            if (size == null) {
                throw new InvalidSpecException("an ebbtide_fallback entry needs a size, e.g. {size: Standard_NC6s_v3}");
            }
            VmSize alt = catalogue.require(size);
            if (primary != null && (alt.gpus() < primary.gpus() || alt.vcpus() < primary.vcpus())) {
                throw new InvalidSpecException("ebbtide_fallback size " + alt.name() + " has " + alt.gpus()
                        + " GPU(s) and " + alt.vcpus() + " cores per node, fewer than the cluster's " + primary.name()
                        + " (" + primary.gpus() + " GPU(s), " + primary.vcpus() + " cores): a job's needs must hold "
                        + "on every alternative");
            }
            out.add(new ClusterSpec.Alternative(alt.name(), entry.path("tier").asText(null)));
        }
        return out;
    }
}
