package dev.ebbtide.devsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts node agents for an attached pool on this machine, as a user would on their own machines: each agent gets the
 * pool's name ({@code --cluster=NAME}), a node name {@code NAME-<i>}, a directory under {@code <dir>/<node>/} and the
 * node agents' Kafka settings file ({@code --config=FILE}: credentials never on a command line). Nothing else: the
 * machine joins the pool when its agent speaks. Agents are detached ({@code setsid}) and stopped by
 * {@link LocalAgents#stopAll} on the same directory ({@code ./ebbtide down}, {@link LocalStack#close()}).
 * {@code ./ebbtide attach NAME --nodes N} and the local stack's built-in {@code local} pool use it.
 */
public final class AttachedAgents {
    public static final String AGENT_MAIN = "dev.ebbtide.agent.NodeAgentMain";

    private AttachedAgents() {}

    /**
     * @param agentClasspath the node agent's jar and {@code lib/*}
     * @param agentConfig    {@code node-agent.properties}: bootstrap servers and the agents' Kafka credentials
     * @param dir            where the pool's machines keep their directories
     * @param sandboxHide    host paths the agents hide from their jobs ({@code --sandbox-hide}): the stack's state
     * @return the node names started
     */
    public static List<String> start(
            String agentClasspath,
            Path agentConfig,
            Path dir,
            String cluster,
            int count,
            Duration heartbeat,
            Path sandboxHide)
            throws IOException {
        if (count < 1) {
            throw new IllegalArgumentException("--nodes must be >= 1, got " + count);
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> started = new ArrayList<>();
        int i = 0;
        while (started.size() < count) {
            String node = cluster + "-" + i++;
            Path nodeDir = dir.resolve(node).toAbsolutePath();
            if (Files.exists(nodeDir.resolve("agent.pid")) && alive(nodeDir)) {
                continue; // this machine already runs
            }
            Files.createDirectories(nodeDir);
            List<String> cmd = new ArrayList<>(setsid());
            cmd.addAll(List.of(
                    java,
                    "-Xmx64m",
                    "-XX:+UseSerialGC",
                    "-XX:TieredStopAtLevel=1",
                    "-cp",
                    agentClasspath,
                    AGENT_MAIN,
                    "--config=" + agentConfig.toAbsolutePath(),
                    "--cluster=" + cluster,
                    "--node=" + node,
                    "--work-dir=" + nodeDir,
                    "--address=127.0.0.1",
                    "--port=" + EmbeddedKafka.freePort(),
                    "--heartbeat-interval=" + heartbeat.toMillis() + "ms",
                    "--sandbox-hide=" + sandboxHide.toAbsolutePath().normalize()));
            ProcessBuilder pb = new ProcessBuilder(cmd)
                    .directory(nodeDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(
                            nodeDir.resolve("agent.log").toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.environment().clear(); // never the caller's environment (tokens, credentials)
            pb.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
            pb.environment().put("HOME", nodeDir.toString());
            pb.start();
            started.add(node);
        }
        return started;
    }

    private static boolean alive(Path nodeDir) {
        try {
            long pid = Long.parseLong(
                    Files.readString(nodeDir.resolve("agent.pid")).strip());
            return ProcessHandle.of(pid)
                    .filter(h -> h.info().commandLine().orElse("").contains(nodeDir.toString()))
                    .map(ProcessHandle::isAlive)
                    .orElse(false);
        } catch (IOException | NumberFormatException e) {
            return false;
        }
    }

    private static List<String> setsid() {
        return java.util.stream.Stream.of("/usr/bin", "/bin")
                .map(d -> Path.of(d, "setsid"))
                .filter(Files::isExecutable)
                .findFirst()
                .map(p -> List.of(p.toString()))
                .orElse(List.of());
    }

    /** {@code ./ebbtide attach NAME --nodes N}: ROOT is the repository (its {@code .ebbtide} state of {@code up}). */
    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: ebbtide attach NAME [--nodes N]");
            System.exit(2);
        }
        Path root = Path.of(args[0]).toAbsolutePath().normalize();
        String cluster = args[1];
        int nodes = 1;
        for (int i = 2; i < args.length; i++) {
            if (args[i].equals("--nodes") && i + 1 < args.length) {
                nodes = Integer.parseInt(args[++i]);
            } else {
                System.err.println("unknown option '" + args[i] + "'; usage: ebbtide attach NAME [--nodes N]");
                System.exit(2);
            }
        }
        Path state = root.resolve(".ebbtide");
        Path config = state.resolve("secrets").resolve("node-agent.properties");
        if (!Files.exists(config)) {
            System.err.println("no " + config + ": start the stack first with ./ebbtide up");
            System.exit(1);
        }
        List<String> started = start(
                LocalStack.agentClasspath(root),
                config,
                LocalStack.attachedDir(state),
                cluster,
                nodes,
                Duration.ofSeconds(5),
                state);
        System.out.println(
                "started " + started.size() + " node agent(s) for " + cluster + ": " + String.join(", ", started)
                        + " (they join the pool when their agents speak; define it with a type: virtualmachine file or POST "
                        + "/clusters if it is not defined yet; ./ebbtide down stops them)");
    }
}
