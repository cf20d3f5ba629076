package dev.ebbtide.provisioner.cloud.local;

import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.common.events.ErrorClass;
import dev.ebbtide.provisioner.cloud.CloudException;
import dev.ebbtide.provisioner.cloud.CloudProvider;
import dev.ebbtide.provisioner.cloud.FallbackNodePool;
import dev.ebbtide.provisioner.cloud.NodePool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The default provider: this machine is the cloud, a node is a node-agent process with its directory under
 * {@code <work-dir>/nodes/} (see {@link LocalNodes}).
 */
public final class LocalCloudProvider implements CloudProvider {
    public static final String NAME = "local";
    /** How long a deleted node's agent may take to stop its ranks before it is killed. */
    public static final Duration AGENT_STOP_GRACE = Duration.ofSeconds(5);

    static final String AGENT_MAIN = "dev.ebbtide.agent.NodeAgentMain";

    private final LocalNodes machine;
    /** Nodes of a size this machine may hold ({@code ebbtide.local.capacity.<size>}), by size, case-insensitive. */
    private final Map<String, Integer> capacity = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    /** The size of each pool opened, by cluster and pool (the capacity counts every pool of a size). */
    private final Map<List<String>, String> sizes = new ConcurrentHashMap<>();

    public LocalCloudProvider(LocalNodes machine) {
        this(machine, Map.of());
    }

    /** @param capacity nodes per VM size this machine may hold; a size not listed has no limit */
    public LocalCloudProvider(LocalNodes machine, Map<String, Integer> capacity) {
        this.machine = machine;
        this.capacity.putAll(capacity);
    }

    /**
     * How many more nodes of this size fit the local capacity, or {@code Integer.MAX_VALUE} when it has none; counts
     * the nodes of every cluster of the size.
     */
    int room(String size) {
        Integer limit = capacity.get(size);
        if (limit == null) {
            return Integer.MAX_VALUE;
        }
        int used = 0;
        for (Map.Entry<List<String>, String> e : sizes.entrySet()) {
            if (e.getValue().equalsIgnoreCase(size)) {
                String pool = e.getKey().get(1);
                used += machine.list(e.getKey().get(0), pool.isEmpty() ? null : pool)
                        .size();
            }
        }
        return Math.max(0, limit - used);
    }

    /** Adds {@code delta} nodes to a pool of {@code size}, as far as the capacity allows; then Azure's capacity error. */
    void create(String cluster, String pool, String size, int delta) {
        int room = room(size);
        int now = Math.min(delta, room);
        if (now > 0) {
            machine.create(cluster, now, pool);
        }
        if (now < delta) {
            throw new CloudException(
                    ErrorClass.CAPACITY_UNAVAILABLE,
                    "allocation failed: " + (delta - now) + " of " + delta + " node(s) of " + size
                            + " did not fit the local capacity of " + capacity.get(size) + " (ebbtide.local.capacity."
                            + size + ")");
        }
    }

    /** This machine, for a compute instance's one node (started and stopped by name). */
    public LocalNodes machine() {
        return machine;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public NodePool nodePool(ClusterSpec cluster) {
        List<FallbackNodePool.Choice> choices = FallbackNodePool.choices(cluster);
        if (choices.size() == 1) {
            sizes.put(List.of(cluster.name(), ""), cluster.size());
            return new LocalNodePool(cluster.name(), machine, this, cluster.size(), null);
        }
        List<NodePool> pools = new ArrayList<>();
        for (int i = 0; i < choices.size(); i++) {
            String size = choices.get(i).size();
            sizes.put(List.of(cluster.name(), String.valueOf(i)), size);
            pools.add(new LocalNodePool(cluster.name(), machine, this, size, String.valueOf(i)));
        }
        return new FallbackNodePool(cluster.name(), choices, pools);
    }

    /**
     * The command that starts one node's agent, as a VM's boot would: a small JVM with the agent's class path.
     *
     * @throws IllegalArgumentException (one sentence) when the class path is not set or names a missing file
     */
    public static LocalNodes.AgentCommand agentCommand(
            String classpath, String bootstrapServers, Duration heartbeatInterval) {
        return agentCommand(classpath, bootstrapServers, heartbeatInterval, null);
    }

    /**
     * As {@link #agentCommand(String, String, Duration)}; {@code kafkaConfig} (may be null) is a properties file with
     * the agents' Kafka client settings (credentials), passed as {@code --config=FILE} so no secret is on a command
     * line.
     */
    public static LocalNodes.AgentCommand agentCommand(
            String classpath, String bootstrapServers, Duration heartbeatInterval, Path kafkaConfig) {
        return agentCommand(classpath, bootstrapServers, heartbeatInterval, kafkaConfig, null);
    }

    /**
     * As {@link #agentCommand(String, String, Duration, Path)}; {@code sandboxHide} (may be null) are host paths,
     * comma-separated, the agents hide from their jobs ({@code --sandbox-hide}): the local stack's state root.
     */
    public static LocalNodes.AgentCommand agentCommand(
            String classpath,
            String bootstrapServers,
            Duration heartbeatInterval,
            Path kafkaConfig,
            String sandboxHide) {
        return agentCommand(classpath, bootstrapServers, heartbeatInterval, kafkaConfig, sandboxHide, null, null);
    }

    /**
     * As {@link #agentCommand(String, String, Duration, Path, String)}; {@code dataDir} (may be null) is the stack's
     * state root holding the local default datastore ({@code datastores/workspaceblobstore}), the named datastores'
     * definitions ({@code datastores/defs}) and the imported images ({@code images}); {@code environments} (may be
     * null) the environment mapping file.
     */
    public static LocalNodes.AgentCommand agentCommand(
            String classpath,
            String bootstrapServers,
            Duration heartbeatInterval,
            Path kafkaConfig,
            String sandboxHide,
            Path dataDir,
            Path environments) {
        checkClasspath(classpath);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return (cluster, node, port, dir) -> {
            List<String> cmd = new ArrayList<>(List.of(
                    java,
                    "-Xmx64m",
                    "-XX:+UseSerialGC",
                    "-XX:TieredStopAtLevel=1",
                    "-cp",
                    classpath,
                    AGENT_MAIN,
                    "--cluster=" + cluster,
                    "--node=" + node,
                    "--bootstrap.servers=" + bootstrapServers,
                    "--work-dir=" + dir,
                    "--address=127.0.0.1",
                    "--port=" + port,
                    "--heartbeat-interval=" + human(heartbeatInterval)));
            if (kafkaConfig != null) {
                cmd.add("--config=" + kafkaConfig.toAbsolutePath());
            }
            if (sandboxHide != null && !sandboxHide.isBlank()) {
                cmd.add("--sandbox-hide=" + sandboxHide);
            }
            if (dataDir != null) {
                Path d = dataDir.toAbsolutePath().normalize();
                cmd.add("--datastore-path=" + d.resolve("datastores/workspaceblobstore"));
                cmd.add("--datastore-defs=" + d.resolve("datastores/defs"));
                cmd.add("--images-dir=" + d.resolve("images"));
            }
            if (environments != null) {
                cmd.add("--environments=" + environments.toAbsolutePath().normalize());
            }
            return cmd;
        };
    }

    static void checkClasspath(String classpath) {
        if (classpath == null || classpath.isBlank()) {
            throw new IllegalArgumentException("ebbtide.provider=local needs ebbtide.local.agent-classpath, the node "
                    + "agent's jar and lib/* (built by ./mvnw -B -DskipTests package)");
        }
        for (String entry : classpath.split(":")) {
            Path p = Path.of(entry.endsWith("/*") ? entry.substring(0, entry.length() - 2) : entry);
            if (!Files.exists(p)) {
                throw new IllegalArgumentException("ebbtide.local.agent-classpath names " + p + ", which does not "
                        + "exist: build the node agent first (./mvnw -B -DskipTests package)");
            }
        }
    }

    static String human(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }
}
