package dev.ebbtide.agent;

import dev.ebbtide.agent.sandbox.JobUser;
import dev.ebbtide.agent.sandbox.SandboxRuntime;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The agent's settings, each default in this one class. Read from {@code --key=value} arguments and optionally a
 * properties file ({@code --config=FILE}; arguments win). {@code kafka.*} keys go to the Kafka clients unchanged
 * (without the prefix); {@link #toString()} names them but never shows their values.
 *
 * @param cluster            cluster name, or {@code imds}: the scale set name minus {@link #imdsScaleSetPrefix}
 * @param node               node name, or {@code imds}: the VM name from the instance metadata service
 * @param address            where other nodes reach this one; null = detect (first non-loopback IPv4, else host name)
 * @param cores              null = detect; likewise {@code memoryMb} and {@code gpus}
 * @param sandbox            how ranks run: in bubblewrap (default) or, explicitly and unsafely, not sandboxed
 * @param jobUser            the uid:gid ranks run as when the agent is root
 * @param sandboxHide        host paths a rank must not see besides the work dir and the config file's directory
 * @param configFile         the {@code --config} file, or null; its directory is hidden from ranks
 * @param data               datastores, images, environment mapping ({@link DataConfig})
 * @param eviction           Scheduled Events (Spot eviction notices) ({@link EvictionConfig})
 */
public record AgentConfig(
        String cluster,
        String node,
        String bootstrapServers,
        Map<String, String> kafka,
        Path workDir,
        String address,
        int port,
        Duration heartbeatInterval,
        Duration stopGracePeriod,
        Integer cores,
        Long memoryMb,
        Integer gpus,
        String imdsScaleSetPrefix,
        String imdsEndpoint,
        SandboxRuntime.Mode sandbox,
        JobUser jobUser,
        List<Path> sandboxHide,
        Path configFile,
        DataConfig data,
        EvictionConfig eviction) {

    public static final String IMDS = "imds";
    public static final String DEFAULT_BOOTSTRAP = "127.0.0.1:9092";
    public static final Path DEFAULT_WORK_DIR = Path.of("/var/lib/ebbtide-agent");
    public static final int DEFAULT_PORT = 29500;
    public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_STOP_GRACE = Duration.ofSeconds(30);
    public static final String DEFAULT_IMDS_PREFIX = "ebbtide-";
    public static final String DEFAULT_IMDS_ENDPOINT = "http://169.254.169.254";
    public static final SandboxRuntime.Mode DEFAULT_SANDBOX = SandboxRuntime.Mode.BWRAP;
    public static final JobUser DEFAULT_JOB_USER = JobUser.NOBODY;

    /** Every option the agent knows, besides {@code kafka.*} and {@code config}. */
    public static final Set<String> OPTIONS = Set.of(
            "cluster",
            "node",
            "bootstrap.servers",
            "work-dir",
            "address",
            "port",
            "heartbeat-interval",
            "stop-grace-period",
            "cores",
            "memory-mb",
            "gpus",
            "imds-scale-set-prefix",
            "imds-endpoint",
            "sandbox",
            "job-user",
            "sandbox-hide");

    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

    public AgentConfig {
        kafka = Map.copyOf(kafka);
        sandboxHide = List.copyOf(sandboxHide);
    }

    /** A setting the agent cannot work with; the message is one sentence for the operator. */
    public static final class BadConfig extends RuntimeException {
        public BadConfig(String message) {
            super(message);
        }
    }

    /** Parses the command line (and the file it names); throws {@link BadConfig} on anything wrong. */
    public static AgentConfig parse(String... args) {
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, String> fromArgs = new LinkedHashMap<>();
        for (String arg : args) {
            if (!arg.startsWith("--") || !arg.contains("=")) {
                throw new BadConfig("argument '" + arg + "' is not of the form --key=value");
            }
            int eq = arg.indexOf('=');
            fromArgs.put(arg.substring(2, eq), arg.substring(eq + 1));
        }
        String file = fromArgs.remove("config");
        if (file != null) {
            values.putAll(readFile(Path.of(file)));
        }
        values.putAll(fromArgs);
        return fromMap(values, file == null ? null : Path.of(file).toAbsolutePath());
    }

    static AgentConfig fromMap(Map<String, String> values) {
        return fromMap(values, null);
    }

    static AgentConfig fromMap(Map<String, String> values, Path configFile) {
        Map<String, String> kafka = new TreeMap<>();
        for (Map.Entry<String, String> e : values.entrySet()) {
            String key = e.getKey();
            if (key.startsWith("kafka.") && key.length() > "kafka.".length()) {
                kafka.put(key.substring("kafka.".length()), e.getValue());
            } else if (!OPTIONS.contains(key)
                    && !DataConfig.OPTIONS.contains(key)
                    && !EvictionConfig.OPTIONS.contains(key)) {
                throw new BadConfig("unknown option '" + key + "' (see node-agent/README.md for the options)");
            }
        }
        String cluster = required(values, "cluster");
        String node = required(values, "node");
        String bootstrap =
                values.getOrDefault("bootstrap.servers", kafka.getOrDefault("bootstrap.servers", DEFAULT_BOOTSTRAP));
        kafka.remove("bootstrap.servers");
        Path workDir = Path.of(values.getOrDefault("work-dir", DEFAULT_WORK_DIR.toString()))
                .toAbsolutePath();
        String address = blankToNull(values.get("address"));
        int port = intValue(values, "port", DEFAULT_PORT, 1);
        if (port > 65535) {
            throw new BadConfig("port must be at most 65535, got " + port);
        }
        Duration heartbeat = duration(values, "heartbeat-interval", DEFAULT_HEARTBEAT);
        Duration grace = duration(values, "stop-grace-period", DEFAULT_STOP_GRACE);
        Integer cores = values.containsKey("cores") ? intValue(values, "cores", 0, 1) : null;
        Long memory = values.containsKey("memory-mb") ? (long) intValue(values, "memory-mb", 0, 1) : null;
        Integer gpus = values.containsKey("gpus") ? intValue(values, "gpus", 0, 0) : null;
        SandboxRuntime.Mode sandbox =
                values.containsKey("sandbox") ? SandboxRuntime.Mode.parse(values.get("sandbox")) : DEFAULT_SANDBOX;
        if (sandbox == null) {
            throw new BadConfig("sandbox must be bwrap or none, got '" + values.get("sandbox") + "'");
        }
        JobUser jobUser;
        try {
            jobUser = values.containsKey("job-user") ? JobUser.parse(values.get("job-user")) : DEFAULT_JOB_USER;
        } catch (IllegalArgumentException e) {
            throw new BadConfig(e.getMessage());
        }
        if (jobUser == null) {
            throw new BadConfig("job-user must be UID:GID or UID (numbers), got '" + values.get("job-user") + "'");
        }
        List<Path> hide = new ArrayList<>();
        for (String p : values.getOrDefault("sandbox-hide", "").split(",")) {
            if (!p.isBlank()) {
                if (!p.trim().startsWith("/")) {
                    throw new BadConfig(
                            "sandbox-hide takes absolute paths separated by commas, got '" + p.trim() + "'");
                }
                hide.add(Path.of(p.trim()).normalize());
            }
        }
        return new AgentConfig(
                cluster,
                node,
                bootstrap,
                kafka,
                workDir,
                address,
                port,
                heartbeat,
                grace,
                cores,
                memory,
                gpus,
                values.getOrDefault("imds-scale-set-prefix", DEFAULT_IMDS_PREFIX),
                values.getOrDefault("imds-endpoint", DEFAULT_IMDS_ENDPOINT),
                sandbox,
                jobUser,
                hide,
                configFile,
                DataConfig.from(values),
                EvictionConfig.from(
                        values,
                        IMDS.equals(cluster) || IMDS.equals(node),
                        values.getOrDefault("imds-endpoint", DEFAULT_IMDS_ENDPOINT),
                        workDir));
    }

    /** The same settings with the node and cluster names resolved (from IMDS). */
    public AgentConfig withIdentity(String newCluster, String newNode) {
        return new AgentConfig(
                newCluster,
                newNode,
                bootstrapServers,
                kafka,
                workDir,
                address,
                port,
                heartbeatInterval,
                stopGracePeriod,
                cores,
                memoryMb,
                gpus,
                imdsScaleSetPrefix,
                imdsEndpoint,
                sandbox,
                jobUser,
                sandboxHide,
                configFile,
                data,
                eviction);
    }

    /** {@code 10s}, {@code 500ms}, {@code 2m}, {@code 1h}, or ISO-8601 ({@code PT10S}). */
    static Duration parseDuration(String key, String text) {
        Matcher m = DURATION.matcher(text.trim());
        try {
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                return switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    default -> Duration.ofHours(n);
                };
            }
            return Duration.parse(text.trim());
        } catch (RuntimeException e) {
            throw new BadConfig(key + " must be a duration such as 10s, 500ms or 2m, got '" + text + "'");
        }
    }

    private static Duration duration(Map<String, String> values, String key, Duration dflt) {
        String text = values.get(key);
        Duration d = text == null ? dflt : parseDuration(key, text);
        if (d.isNegative() || d.isZero()) {
            throw new BadConfig(key + " must be positive, got '" + text + "'");
        }
        return d;
    }

    private static int intValue(Map<String, String> values, String key, int dflt, int min) {
        String text = values.get(key);
        if (text == null) {
            return dflt;
        }
        try {
            int v = Integer.parseInt(text.trim());
            if (v < min) {
                throw new BadConfig(key + " must be at least " + min + ", got " + v);
            }
            return v;
        } catch (NumberFormatException e) {
            throw new BadConfig(key + " must be a whole number, got '" + text + "'");
        }
    }

    private static String required(Map<String, String> values, String key) {
        String v = blankToNull(values.get(key));
        if (v == null) {
            throw new BadConfig("--" + key + " is required (a name, or imds on an Azure VM)");
        }
        return v;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    private static Map<String, String> readFile(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        } catch (IOException e) {
            throw new BadConfig("cannot read the config file " + file + ": " + e.getMessage());
        }
        Map<String, String> m = new LinkedHashMap<>();
        p.stringPropertyNames().forEach(k -> m.put(k, p.getProperty(k)));
        return m;
    }

    /** Names the Kafka settings, never their values (they may hold credentials). */
    @Override
    public String toString() {
        return "cluster=" + cluster + ", node=" + node + ", bootstrap.servers=" + bootstrapServers + ", work-dir="
                + workDir + ", address=" + (address == null ? "(detect)" : address) + ", port=" + port
                + ", heartbeat-interval=" + heartbeatInterval.toMillis() + "ms, stop-grace-period="
                + stopGracePeriod.toMillis() + "ms, sandbox=" + sandbox.name().toLowerCase(java.util.Locale.ROOT)
                + ", job-user=" + jobUser + ", sandbox-hide=" + sandboxHide + ", " + data + ", " + eviction
                + ", kafka settings "
                + kafka.keySet()
                + " (values not shown)";
    }
}
