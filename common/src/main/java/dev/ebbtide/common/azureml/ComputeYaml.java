package dev.ebbtide.common.azureml;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ebbtide.common.validation.UnknownFields;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The Azure ML CLI v2 compute documents other than clusters: {@code type: virtualmachine} (attached compute) and
 * {@code type: computeinstance}, read as the CLI writes them. Each documented field is accepted or refused with a
 * sentence; an unknown field is an error naming the closest known one.
 */
final class ComputeYaml {
    static final Set<String> VM_FIELDS =
            Set.of("$schema", "type", "name", "description", "resource_id", "ssh_settings", "tags");
    static final Set<String> SSH_FIELDS =
            Set.of("admin_username", "admin_password", "ssh_private_key_file", "ssh_port");
    /** Documented instance fields Ebbtide takes but does not act on (networking, identity, SSH access, tags). */
    static final Set<String> INSTANCE_FIELDS = Set.of(
            "$schema",
            "type",
            "name",
            "description",
            "size",
            "location",
            "idle_time_before_shutdown",
            "idle_time_before_shutdown_minutes",
            "schedules",
            "ssh_public_access_enabled",
            "ssh_settings",
            "create_on_behalf_of",
            "network_settings",
            "enable_node_public_ip",
            "identity",
            "tags",
            "enable_sso",
            "enable_root_access",
            "os_image_metadata");
    /** Documented instance fields Ebbtide refuses, with why. */
    static final java.util.Map<String, String> INSTANCE_REFUSED = java.util.Map.of(
            "setup_scripts", "setup_scripts are not supported: put setup steps in the job's command",
            "custom_applications", "custom_applications are not supported: an Ebbtide instance runs jobs only",
            "enable_os_patching",
                    "enable_os_patching is not supported: the instance's image is patched outside Ebbtide");

    private ComputeYaml() {}

    /** A {@code type: virtualmachine} document: an attached pool that machines join by running the node agent. */
    static ClusterSpec attached(ObjectNode doc) {
        known(doc, VM_FIELDS, "attached compute");
        String name = text(doc, "name");
        AttachedCompute.SshSettings ssh = null;
        JsonNode s = doc.get("ssh_settings");
        if (s != null && !s.isNull()) {
            if (!s.isObject()) {
                throw new InvalidSpecException("ssh_settings must be a mapping (admin_username, admin_password or "
                        + "ssh_private_key_file, ssh_port)");
            }
            known((ObjectNode) s, SSH_FIELDS, "ssh_settings");
            Integer port = s.hasNonNull("ssh_port") ? port(s.get("ssh_port")) : null;
            ssh = new AttachedCompute.SshSettings(
                    text(s, "admin_username"), port, text(s, "admin_password"), text(s, "ssh_private_key_file"));
        }
        String resourceId = text(doc, "resource_id");
        if (resourceId != null
                && !resourceId.matches("(?i)/subscriptions/[^/]+/resourceGroups/[^/]+/providers/"
                        + "Microsoft\\.Compute/virtualMachines/[^/]+")) {
            throw new InvalidSpecException("resource_id must be a virtual machine's id, /subscriptions/<id>/"
                    + "resourceGroups/<group>/providers/Microsoft.Compute/virtualMachines/<name>");
        }
        return ClusterSpec.attachedPool(name, ClusterSpec.ATTACHED_MAX_NODES, new AttachedCompute(resourceId, ssh));
    }

    /** A {@code type: computeinstance} document: one node, started and stopped. */
    static ClusterSpec instance(ObjectNode doc) {
        doc.fieldNames().forEachRemaining(f -> {
            if (INSTANCE_REFUSED.containsKey(f)) {
                throw new InvalidSpecException("compute instance: " + INSTANCE_REFUSED.get(f));
            }
        });
        known(doc, INSTANCE_FIELDS, "compute instance");
        Long idle = idleSeconds(doc);
        List<ComputeInstance.Schedule> schedules = schedules(doc.get("schedules"));
        return new ClusterSpec(
                text(doc, "name"),
                AzureMlYaml.catalogued(text(doc, "size")),
                "dedicated",
                0,
                1,
                0,
                text(doc, "location"),
                ClusterSpec.COMPUTE_INSTANCE,
                null,
                new ComputeInstance(idle, schedules));
    }

    private static Long idleSeconds(ObjectNode doc) {
        String iso = text(doc, "idle_time_before_shutdown");
        JsonNode minutes = doc.get("idle_time_before_shutdown_minutes");
        if (iso != null && minutes != null && !minutes.isNull()) {
            throw new InvalidSpecException(
                    "give idle_time_before_shutdown or idle_time_before_shutdown_minutes, not both");
        }
        if (iso != null) {
            try {
                Duration d = Duration.parse(iso);
                if (d.isNegative() || d.isZero()) {
                    throw new InvalidSpecException("idle_time_before_shutdown must be positive, got '" + iso + "'");
                }
                return d.toSeconds();
            } catch (DateTimeParseException e) {
                throw new InvalidSpecException(
                        "idle_time_before_shutdown must be an ISO 8601 duration such as PT20M, got '" + iso + "'");
            }
        }
        if (minutes != null && !minutes.isNull()) {
            if (!minutes.canConvertToInt()
                    || !minutes.isIntegralNumber() && !minutes.asText().matches("\\d+")
                    || minutes.asInt() < 1) {
                throw new InvalidSpecException(
                        "idle_time_before_shutdown_minutes must be a whole number of minutes >= 1, " + "got '"
                                + minutes.asText() + "'");
            }
            return minutes.asLong() * 60;
        }
        return null;
    }

    private static List<ComputeInstance.Schedule> schedules(JsonNode node) {
        List<ComputeInstance.Schedule> out = new ArrayList<>();
        if (node == null || node.isNull()) {
            return out;
        }
        JsonNode list = node.get("compute_start_stop");
        if (!node.isObject() || list == null || !list.isArray()) {
            throw new InvalidSpecException("schedules must hold compute_start_stop: a list of {action, trigger}");
        }
        for (JsonNode s : list) {
            String action = s.path("action").asText("").toLowerCase();
            if (!action.equals("start") && !action.equals("stop")) {
                throw new InvalidSpecException("a schedule's action must be start or stop, got '"
                        + s.path("action").asText() + "'");
            }
            JsonNode trigger = s.path("trigger");
            String type = trigger.path("type").asText("cron").toLowerCase();
            if (!type.equals("cron")) {
                throw new InvalidSpecException(
                        "only cron schedule triggers are supported (trigger.type: cron), got '" + type + "'");
            }
            String expression = trigger.path("expression").asText("").strip();
            try {
                CronExpression.parse(expression);
            } catch (IllegalArgumentException e) {
                throw new InvalidSpecException("schedule '" + expression + "': " + e.getMessage());
            }
            // kept as the IANA id it maps to, so that readers of the schedule need no Windows table
            String zone = zone(trigger.path("time_zone").asText("UTC")).getId();
            String state = s.path("state").asText("enabled").toLowerCase();
            out.add(new ComputeInstance.Schedule(action, expression, zone, !state.equals("disabled")));
        }
        return out;
    }

    /**
     * The zone of a schedule: {@code UTC} (or Azure's "Coordinated Universal Time"), an IANA name ({@code
     * Europe/Berlin}), or a Windows zone name as Azure ML writes them ({@code Pacific Standard Time}, mapped with
     * CLDR's table, {@link WindowsZones}).
     */
    static ZoneId zone(String name) {
        if (name.equalsIgnoreCase("UTC") || name.equalsIgnoreCase("Coordinated Universal Time")) {
            return ZoneId.of("UTC");
        }
        Optional<ZoneId> windows = WindowsZones.toIana(name);
        if (windows.isPresent()) {
            return windows.get();
        }
        try {
            return ZoneId.of(name);
        } catch (DateTimeException e) {
            throw new InvalidSpecException("time_zone '" + name + "' is not known: use UTC, an IANA zone such as "
                    + "Europe/Berlin, or a Windows zone such as Pacific Standard Time");
        }
    }

    private static void known(ObjectNode doc, Set<String> fields, String what) {
        List<String> given = new ArrayList<>();
        doc.fieldNames().forEachRemaining(given::add);
        UnknownFields.problem(given, fields).ifPresent(p -> {
            throw new InvalidSpecException(what + ": " + p);
        });
    }

    private static Integer port(JsonNode n) {
        if (!n.canConvertToInt()
                || n.asInt() < 1
                || n.asInt() > 65535
                || !n.isIntegralNumber() && !n.asText().matches("\\d+")) {
            throw new InvalidSpecException(
                    "ssh_settings.ssh_port must be a port number 1-65535, got '" + n.asText() + "'");
        }
        return n.asInt();
    }

    private static String text(JsonNode doc, String field) {
        JsonNode value = doc.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }
}
