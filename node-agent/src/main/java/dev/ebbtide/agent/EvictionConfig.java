package dev.ebbtide.agent;

import dev.ebbtide.agent.evict.ScheduledEventsSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * How the agent learns that the cloud takes its VM back (Azure Spot evictions), each default here.
 *
 * @param source        where Scheduled Events are read, or null ({@code scheduled-events=off})
 * @param uploadReserve how long before {@code NotBefore} the ranks are killed, kept for uploading their outputs
 * @param interval      how often the source is read
 */
public record EvictionConfig(ScheduledEventsSource source, Duration uploadReserve, Duration interval) {
    public static final String LOCAL_FILE = "scheduledevents.json";
    public static final Duration DEFAULT_UPLOAD_RESERVE = Duration.ofSeconds(10);
    public static final Duration INTERVAL = Duration.ofSeconds(1);

    public static final Set<String> OPTIONS = Set.of("scheduled-events", "eviction-upload-reserve");

    /**
     * {@code scheduled-events}: {@code auto} (default: the instance metadata service when the node or cluster name
     * comes from it, else the file {@code <work-dir>/scheduledevents.json}), {@code imds}, {@code off} or
     * {@code file:PATH}.
     */
    static EvictionConfig from(Map<String, String> values, boolean onAzure, String imdsEndpoint, Path workDir) {
        String setting = values.getOrDefault("scheduled-events", "auto").trim();
        ScheduledEventsSource source;
        if (setting.equals("auto")) {
            source = onAzure
                    ? new ScheduledEventsSource.Imds(imdsEndpoint)
                    : new ScheduledEventsSource.File(workDir.resolve(LOCAL_FILE));
        } else if (setting.equals("imds")) {
            source = new ScheduledEventsSource.Imds(imdsEndpoint);
        } else if (setting.equals("off")) {
            source = null;
        } else if (setting.startsWith("file:") && setting.length() > "file:".length()) {
            source = new ScheduledEventsSource.File(
                    Path.of(setting.substring("file:".length())).toAbsolutePath());
        } else {
            throw new AgentConfig.BadConfig(
                    "scheduled-events must be auto, imds, off or file:PATH, got '" + setting + "'");
        }
        Duration reserve = DEFAULT_UPLOAD_RESERVE;
        String text = values.get("eviction-upload-reserve");
        if (text != null) {
            reserve = AgentConfig.parseDuration("eviction-upload-reserve", text);
            if (reserve.isNegative()) {
                throw new AgentConfig.BadConfig("eviction-upload-reserve must not be negative, got '" + text + "'");
            }
        }
        return new EvictionConfig(source, reserve, INTERVAL);
    }

    @Override
    public String toString() {
        return "scheduled-events=" + (source == null ? "off" : source.describe()) + ", eviction-upload-reserve="
                + uploadReserve.toMillis() + "ms";
    }
}
