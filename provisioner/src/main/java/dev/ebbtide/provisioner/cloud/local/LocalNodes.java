package dev.ebbtide.provisioner.cloud.local;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.ebbtide.common.events.ErrorClass;
import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.messaging.ownership.InstanceName;
import dev.ebbtide.provisioner.cloud.CloudException;
import dev.ebbtide.provisioner.cloud.CloudNode;
import dev.ebbtide.provisioner.cloud.CloudNodeStatus;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * This machine as a cloud: a node is one node-agent OS process with its own directory {@code <nodes-dir>/<node>/}
 * holding its record ({@code node.json}: cluster, created, port, pid), so a restarted provisioner lists the same nodes
 * again. Agents are started detached ({@code setsid}, output to {@code agent.log}, no stdin) and survive the
 * provisioner. Deleting a node is like deleting a VM: the agent gets SIGTERM, SIGKILL after a short grace, then every
 * process group it recorded ({@code ranks/*.pgid}) and its own group are killed, and the record is removed (the
 * directory stays, with its logs). Shared by every local pool: node names and rendezvous ports are unique across
 * clusters.
 */
public final class LocalNodes {
    private static final Logger LOG = Logger.getLogger(LocalNodes.class);
    static final String RECORD = "node.json";
    static final int FIRST_PORT = 29500;
    private static final int PORT_RANGE = 2000;

    /** What one node's agent is started with. */
    @FunctionalInterface
    public interface AgentCommand {
        List<String> command(String cluster, String node, int port, Path nodeDir);
    }

    /** The record of a node, on disk. */
    public record NodeRecord(String cluster, Instant created, int port, Long pid, String pool) {
        /** A node of the cluster's one pool (no fallback alternatives). */
        public NodeRecord(String cluster, Instant created, int port, Long pid) {
            this(cluster, created, port, pid, null);
        }
    }

    private final Path nodesDir;
    private final AgentCommand agent;
    private final Duration stopGrace;
    private final Clock clock;
    private final MachineLock machineLock;
    private final CloudCallLog calls;

    public LocalNodes(Path nodesDir, AgentCommand agent, Duration stopGrace, Clock clock) {
        this(nodesDir, agent, stopGrace, clock, InstanceName.current("provisioner"));
    }

    /** @param instance the provisioner instance named in {@code cloud-calls.log} beside the nodes directory */
    public LocalNodes(Path nodesDir, AgentCommand agent, Duration stopGrace, Clock clock, String instance) {
        this.nodesDir = nodesDir.toAbsolutePath().normalize();
        this.agent = agent;
        this.stopGrace = stopGrace;
        this.clock = clock;
        this.machineLock = new MachineLock(this.nodesDir.resolve(".lock"));
        this.calls = new CloudCallLog(this.nodesDir.resolveSibling(CloudCallLog.FILE), instance, clock);
    }

    /** The mutating calls of every provisioner process on this machine, one line each. */
    public Path callLog() {
        return calls.file();
    }

    public Path nodesDir() {
        return nodesDir;
    }

    /** The nodes of a cluster, all ready (a VM that runs; whether its agent speaks is the provisioner's concern). */
    public synchronized List<CloudNode> list(String cluster) {
        return list(cluster, null);
    }

    /**
     * The nodes of one pool of a cluster ({@code pool} null: every node of the cluster); a cluster with fallback
     * alternatives has one pool per choice, each node recording its own.
     */
    public synchronized List<CloudNode> list(String cluster, String pool) {
        List<CloudNode> out = new ArrayList<>();
        records().forEach((node, r) -> {
            if (r.cluster().equals(cluster) && (pool == null || pool.equals(r.pool()))) {
                out.add(CloudNode.of(node, CloudNodeStatus.READY, r.created()));
            }
        });
        return out;
    }

    /** Creates {@code count} nodes for a cluster: a directory, a free rendezvous port, a started agent each. */
    public synchronized List<String> create(String cluster, int count) {
        return create(cluster, count, null);
    }

    /** As {@link #create(String, int)}, the nodes recording the pool they belong to (one per fallback choice). */
    public synchronized List<String> create(String cluster, int count, String pool) {
        return machineLock.call(() -> createLocked(cluster, count, pool));
    }

    /** Name and port are chosen under the machine lock: other provisioner processes share the directory and ports. */
    private List<String> createLocked(String cluster, int count, String pool) {
        List<String> created = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String node = cluster + "-" + nextIndex(cluster);
            Path dir = nodesDir.resolve(node);
            try {
                Files.createDirectories(dir);
                int port = freePort();
                write(dir, new NodeRecord(cluster, clock.instant(), port, null, pool));
                long pid = start(cluster, node, port, dir);
                write(dir, new NodeRecord(cluster, clock.instant(), port, pid, pool));
                created.add(node);
                calls.append(cluster, "create", node);
                LOG.infof("cluster %s: node %s started (agent pid %d, port %d, %s)", cluster, node, pid, port, dir);
            } catch (IOException | UncheckedIOException e) {
                throw new CloudException(
                        ErrorClass.UNKNOWN,
                        "cannot start a local node agent in " + dir + ": " + e.getMessage(),
                        null,
                        e);
            }
        }
        return created;
    }

    /**
     * Starts the agent of one named node (a compute instance's machine) unless it runs already: the same name and
     * directory every time, a free rendezvous port.
     */
    public synchronized void startNamed(String cluster, String node) {
        machineLock.run(() -> startNamedLocked(cluster, node));
    }

    private void startNamedLocked(String cluster, String node) {
        Path dir = nodesDir.resolve(node);
        NodeRecord known = records().get(node);
        if (known != null
                && pids(dir, known).stream().anyMatch(pid -> ours(pid, dir).isPresent())) {
            return;
        }
        try {
            Files.createDirectories(dir);
            int port = freePort();
            write(dir, new NodeRecord(cluster, clock.instant(), port, null));
            long pid = start(cluster, node, port, dir);
            write(dir, new NodeRecord(cluster, clock.instant(), port, pid));
            calls.append(cluster, "start", node);
            LOG.infof("instance %s: node %s started (agent pid %d, port %d, %s)", cluster, node, pid, port, dir);
        } catch (IOException | UncheckedIOException e) {
            throw new CloudException(
                    ErrorClass.UNKNOWN, "cannot start a local node agent in " + dir + ": " + e.getMessage(), null, e);
        }
    }

    /**
     * Stops a named node at once, like a VM powered off (SIGKILL to its agent, then its process groups: the agent
     * reports nothing, its job was requeued before), and keeps its directory (a stopped instance keeps its disk).
     */
    public synchronized void stopNamed(String cluster, String node) {
        NodeRecord r = records().get(node);
        if (r == null || !r.cluster().equals(cluster)) {
            return;
        }
        Path dir = nodesDir.resolve(node);
        pids(dir, r)
                .forEach(pid -> ours(pid, dir).ifPresent(h -> {
                    h.destroyForcibly();
                    h.onExit()
                            .completeOnTimeout(h, 5, java.util.concurrent.TimeUnit.SECONDS)
                            .join();
                }));
        stop(dir, r); // the process groups it recorded
        removeRecord(cluster, node, dir, "stop");
        LOG.infof("instance %s: node %s stopped", cluster, node);
    }

    /** Deletes exactly these nodes of the cluster; unknown names are ignored. */
    public synchronized void delete(String cluster, List<String> names) {
        var records = records();
        for (String node : names) {
            NodeRecord r = records.get(node);
            if (r == null || !r.cluster().equals(cluster)) {
                continue;
            }
            Path dir = nodesDir.resolve(node);
            stop(dir, r);
            removeRecord(cluster, node, dir, "delete");
            LOG.infof("cluster %s: node %s deleted", cluster, node);
        }
    }

    /** Removes the node's record; the process that removed it records the call (two never both do). */
    private void removeRecord(String cluster, String node, Path dir, String op) {
        machineLock.run(() -> {
            try {
                if (Files.deleteIfExists(dir.resolve(RECORD))) {
                    calls.append(cluster, op, node);
                }
            } catch (IOException e) {
                throw new CloudException(ErrorClass.TRANSIENT, "cannot remove " + dir.resolve(RECORD), null, e);
            }
        });
    }

    /** {@code setsid} if this machine has it (a session of its own: no terminal or group signal reaches the agent). */
    private static final List<String> DETACH = Stream.of(
                    System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":"))
            .map(d -> Path.of(d, "setsid"))
            .filter(Files::isExecutable)
            .findFirst()
            .map(p -> List.of(p.toString()))
            .orElse(List.of());

    private long start(String cluster, String node, int port, Path dir) throws IOException {
        if (DETACH.isEmpty()) {
            LOG.warnf("no setsid on this machine: node agent of %s shares the provisioner's process group", node);
        }
        List<String> cmd = new ArrayList<>(DETACH);
        cmd.addAll(agent.command(cluster, node, port, dir));
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        dir.resolve("agent.log").toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        // never the provisioner's environment (cloud credentials): only what a process needs to start
        pb.environment().keySet().retainAll(Set.of("PATH", "HOME", "LANG", "TZ"));
        return pb.start().pid();
    }

    /** SIGTERM, a short grace, SIGKILL; then the agent's own process group and every group it recorded. */
    private void stop(Path dir, NodeRecord r) {
        List<ProcessHandle> agents = new ArrayList<>();
        pids(dir, r).forEach(pid -> ours(pid, dir).ifPresent(agents::add));
        agents.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + stopGrace.toNanos();
        for (ProcessHandle h : agents) {
            try {
                h.onExit().get(Math.max(0, deadline - System.nanoTime()), java.util.concurrent.TimeUnit.NANOSECONDS);
            } catch (Exception notYet) {
                h.destroyForcibly();
            }
        }
        Set<Long> groups = new HashSet<>(pids(dir, r));
        Path ranks = dir.resolve("ranks");
        if (Files.isDirectory(ranks)) {
            try (Stream<Path> files = Files.list(ranks)) {
                files.filter(f -> f.getFileName().toString().endsWith(".pgid"))
                        .forEach(f -> readLong(f).ifPresent(groups::add));
            } catch (IOException e) {
                LOG.warnf("cannot list %s: %s", ranks, e.getMessage());
            }
        }
        groups.stream().filter(g -> g > 1).forEach(LocalNodes::killGroup);
    }

    private static void killGroup(long pgid) {
        try {
            new ProcessBuilder("kill", "-KILL", "--", "-" + pgid)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start()
                    .waitFor();
        } catch (IOException e) {
            LOG.warnf("cannot kill process group %d: %s", pgid, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The agent's pid from the record and from its own pid file (a restarted agent may have another). */
    private static Set<Long> pids(Path dir, NodeRecord r) {
        Set<Long> pids = new HashSet<>();
        if (r.pid() != null) {
            pids.add(r.pid());
        }
        readLong(dir.resolve("agent.pid")).ifPresent(pids::add);
        return pids;
    }

    /** The process with this pid, if it is still this node's agent (not a reused pid). */
    private static Optional<ProcessHandle> ours(long pid, Path dir) {
        return ProcessHandle.of(pid)
                .filter(h -> h.info()
                        .commandLine()
                        .map(c -> c.contains(dir.toString()))
                        .orElse(false));
    }

    private static Optional<Long> readLong(Path f) {
        try {
            return Optional.of(Long.parseLong(Files.readString(f).strip()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private TreeMap<String, NodeRecord> records() {
        TreeMap<String, NodeRecord> out = new TreeMap<>();
        if (!Files.isDirectory(nodesDir)) {
            return out;
        }
        try (Stream<Path> dirs = Files.list(nodesDir)) {
            dirs.filter(d -> Files.isRegularFile(d.resolve(RECORD))).forEach(d -> {
                try {
                    out.put(
                            d.getFileName().toString(),
                            EventJson.mapper().readValue(d.resolve(RECORD).toFile(), NodeRecord.class));
                } catch (IOException e) {
                    LOG.warnf("ignoring an unreadable node record %s: %s", d.resolve(RECORD), e.getMessage());
                }
            });
        } catch (IOException e) {
            throw new CloudException(ErrorClass.TRANSIENT, "cannot list " + nodesDir, null, e);
        }
        return out;
    }

    private static void write(Path dir, NodeRecord r) throws IOException {
        Path tmp = dir.resolve(RECORD + ".tmp");
        try {
            Files.writeString(tmp, EventJson.mapper().writeValueAsString(r));
        } catch (JsonProcessingException e) {
            throw new IOException(e);
        }
        Files.move(
                tmp,
                dir.resolve(RECORD),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** One more than the highest index any directory of this cluster ever had: names are never reused. */
    private int nextIndex(String cluster) throws UncheckedIOException {
        Pattern p = Pattern.compile(Pattern.quote(cluster) + "-(\\d+)");
        int next = 0;
        if (Files.isDirectory(nodesDir)) {
            try (Stream<Path> dirs = Files.list(nodesDir)) {
                for (Path d : dirs.toList()) {
                    Matcher m = p.matcher(d.getFileName().toString());
                    if (m.matches()) {
                        next = Math.max(next, Integer.parseInt(m.group(1)) + 1);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return next;
    }

    /** A port no local node has and nothing on this machine listens on. */
    private int freePort() throws IOException {
        Set<Integer> taken = new HashSet<>();
        records().values().forEach(r -> taken.add(r.port()));
        for (int port = FIRST_PORT; port < FIRST_PORT + PORT_RANGE; port++) {
            if (!taken.contains(port) && isFree(port)) {
                return port;
            }
        }
        throw new IOException("no free rendezvous port in " + FIRST_PORT + "-" + (FIRST_PORT + PORT_RANGE - 1));
    }

    private static boolean isFree(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(false);
            s.bind(new InetSocketAddress(port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
