package dev.ebbtide.agent;

import dev.ebbtide.common.events.Distribution;
import dev.ebbtide.common.events.JobAssigned;
import dev.ebbtide.common.events.JobSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Pure: the whole environment of one process of a job, as Azure ML sets it. Nothing comes from the agent's own
 * environment except what {@link Node#path()} carries. Order of precedence, lowest first: {@code PATH}, the job's
 * {@code environment_variables}, the distribution variables, Ebbtide's variables and {@code HOME}.
 */
public final class RankEnvironment {
    /** The {@code PATH} a job gets when the agent has none. */
    public static final String DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin";
    /** {@code MASTER_PORT} / TF_CONFIG port when an old assignment names no ports. */
    public static final int FALLBACK_PORT = AgentConfig.DEFAULT_PORT;

    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]*");

    private RankEnvironment() {}

    /**
     * This node as the environment needs it.
     *
     * @param path the agent's {@code PATH} (null = {@link #DEFAULT_PATH}); the only value taken from the agent
     */
    public record Node(String name, String address, int port, Layout layout, String path) {}

    /** Processes each node runs: {@code process_count_per_instance} for pytorch and mpi, else 1. */
    public static int processesPerNode(JobSpec spec) {
        Distribution d = spec.distribution();
        if (d == null || Distribution.TENSORFLOW.equals(d.type())) {
            return 1;
        }
        return d.processesPerNode();
    }

    /** Why the assignment cannot start ("could not start: …"), or null when it can. */
    public static String problem(JobAssigned a) {
        JobSpec spec = a.spec();
        if (a.jobId() == null || !SAFE_ID.matcher(a.jobId()).matches()) {
            return "could not start: job id '" + a.jobId() + "' is not usable as a directory name";
        }
        if (spec == null || spec.command() == null || spec.command().isBlank()) {
            return "could not start: the command is empty";
        }
        if (spec.command().indexOf('\0') >= 0) {
            return "could not start: the command contains a NUL character";
        }
        for (Map.Entry<String, String> e : spec.environmentVariables().entrySet()) {
            if (e.getKey() == null || !NAME.matcher(e.getKey()).matches()) {
                return "could not start: environment variable name '" + e.getKey()
                        + "' is not a POSIX name ([A-Za-z_][A-Za-z0-9_]*)";
            }
            if (e.getValue() != null && e.getValue().indexOf('\0') >= 0) {
                return "could not start: the value of environment variable " + e.getKey() + " contains a NUL character";
            }
        }
        Distribution d = spec.distribution();
        if (d != null
                && !List.of(Distribution.PYTORCH, Distribution.TENSORFLOW, Distribution.MPI)
                        .contains(d.type())) {
            return "could not start: distribution type '" + d.type() + "' is not pytorch, tensorflow or mpi";
        }
        if (d != null
                && Distribution.TENSORFLOW.equals(d.type())
                && d.parameterServerCount() != null
                && d.parameterServerCount() >= a.nodes().size()) {
            return "could not start: parameter_server_count " + d.parameterServerCount() + " leaves no worker among "
                    + a.nodes().size() + " nodes";
        }
        return null;
    }

    /** The environment of local process {@code localRank} of node {@code nodeRank}. */
    public static Map<String, String> build(JobAssigned a, int nodeRank, int localRank, Node node) {
        JobSpec spec = a.spec();
        int attempt = attempt(a);
        int perNode = processesPerNode(spec);
        int nodeCount = a.nodes().size();
        int rank = nodeRank * perNode + localRank;
        String rankDir = node.layout().rankDir(a.jobId(), attempt, rank).toString();
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", node.path() == null || node.path().isBlank() ? DEFAULT_PATH : node.path());
        env.putAll(spec.environmentVariables());
        Distribution d = spec.distribution();
        if (d != null) {
            switch (d.type()) {
                case Distribution.PYTORCH -> {
                    env.put("MASTER_ADDR", address(a, 0, node));
                    env.put("MASTER_PORT", String.valueOf(port(a, 0, node)));
                    env.put("WORLD_SIZE", String.valueOf(nodeCount * perNode));
                    env.put("RANK", String.valueOf(rank));
                    env.put("LOCAL_RANK", String.valueOf(localRank));
                    env.put("LOCAL_WORLD_SIZE", String.valueOf(perNode));
                }
                case Distribution.TENSORFLOW -> env.put("TF_CONFIG", tfConfig(a, nodeRank, node));
                case Distribution.MPI -> {
                    env.put("OMPI_COMM_WORLD_RANK", String.valueOf(rank));
                    env.put("OMPI_COMM_WORLD_SIZE", String.valueOf(nodeCount * perNode));
                    env.put("OMPI_COMM_WORLD_LOCAL_RANK", String.valueOf(localRank));
                    env.put("OMPI_COMM_WORLD_LOCAL_SIZE", String.valueOf(perNode));
                    env.put("OMPI_COMM_WORLD_NODE_RANK", String.valueOf(nodeRank));
                    env.put(
                            "EBBTIDE_HOSTFILE",
                            node.layout().hostfile(a.jobId(), attempt).toString());
                }
                default -> throw new IllegalArgumentException(problem(a));
            }
        }
        env.put("NODE_RANK", String.valueOf(nodeRank));
        env.put("NODE_COUNT", String.valueOf(nodeCount));
        env.put("EBBTIDE_JOB_ID", a.jobId());
        env.put("EBBTIDE_ATTEMPT", String.valueOf(attempt));
        env.put("EBBTIDE_NODE", node.name());
        env.put("EBBTIDE_WORK_DIR", rankDir);
        env.put("HOME", rankDir);
        return env;
    }

    /** The mpi host file: one line {@code <address> slots=<processes per node>} per node, in node rank order. */
    public static String hostfile(JobAssigned a, Node node) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < a.nodes().size(); i++) {
            sb.append(address(a, i, node))
                    .append(" slots=")
                    .append(processesPerNode(a.spec()))
                    .append('\n');
        }
        return sb.toString();
    }

    /**
     * TF_CONFIG as Azure ML writes it: the first {@code parameter_server_count} nodes are parameter servers
     * ({@code ps}), the others workers, each as {@code address:port}; {@code task} names this node.
     */
    static String tfConfig(JobAssigned a, int nodeRank, Node node) {
        int ps = a.spec().distribution().parameterServerCount() == null
                ? 0
                : Math.max(0, a.spec().distribution().parameterServerCount());
        List<String> psList = new ArrayList<>();
        List<String> workers = new ArrayList<>();
        for (int i = 0; i < a.nodes().size(); i++) {
            (i < ps ? psList : workers).add(quote(address(a, i, node) + ":" + port(a, i, node)));
        }
        String type = nodeRank < ps ? "ps" : "worker";
        int index = nodeRank < ps ? nodeRank : nodeRank - ps;
        return "{\"cluster\":{\"worker\":[" + String.join(",", workers) + "]"
                + (psList.isEmpty() ? "" : ",\"ps\":[" + String.join(",", psList) + "]")
                + "},\"task\":{\"type\":\"" + type + "\",\"index\":" + index + "}}";
    }

    /**
     * Node {@code i}'s address from the assignment. An old assignment without addresses gets 127.0.0.1 for every
     * node: right for one node, and for several only when they all run on this machine (the local provider).
     */
    static String address(JobAssigned a, int i, Node node) {
        if (a.addresses() != null && i < a.addresses().size() && a.addresses().get(i) != null) {
            return a.addresses().get(i);
        }
        return "127.0.0.1";
    }

    /**
     * Node {@code i}'s rendezvous port from the assignment. Without ports: a one-node job uses this node's own port
     * (two local one-node jobs never collide); a job of several nodes uses 29500 on every node (they must agree).
     */
    static int port(JobAssigned a, int i, Node node) {
        if (a.ports() != null && i < a.ports().size() && a.ports().get(i) != null) {
            return a.ports().get(i);
        }
        return a.nodes().size() == 1 ? node.port() : FALLBACK_PORT;
    }

    static int attempt(JobAssigned a) {
        return a.attempt() == null ? 1 : a.attempt();
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
