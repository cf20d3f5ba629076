package dev.ebbtide.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Test support: one node agent as a separate OS process, started like the local provider starts it. */
final class AgentProcess implements AutoCloseable {
    /** Set in the agent's own environment: a job must never see it. */
    static final String AGENT_SECRET = "AGENT_ONLY_SECRET";

    final Process process;
    final Path output;
    final Path workDir;

    private AgentProcess(Process process, Path output, Path workDir) {
        this.process = process;
        this.output = output;
        this.workDir = workDir;
    }

    static AgentProcess start(String bootstrap, String cluster, String node, Path workDir, int port, String... extra)
            throws IOException {
        Files.createDirectories(workDir);
        searchableByJobUser(workDir);
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                "dev.ebbtide.agent.NodeAgentMain",
                "--cluster=" + cluster,
                "--node=" + node,
                "--bootstrap.servers=" + bootstrap,
                "--work-dir=" + workDir,
                "--address=127.0.0.1",
                "--port=" + port,
                "--heartbeat-interval=1s",
                "--stop-grace-period=2s"));
        cmd.addAll(List.of(extra));
        Path out = workDir.resolve("agent-" + System.nanoTime() + ".out");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
        pb.environment().put(AGENT_SECRET, "do-not-leak-42");
        return new AgentProcess(pb.start(), out, workDir);
    }

    /**
     * A root agent's ranks run as nobody, and bwrap binds their folders as that user: the JUnit temp directories
     * (0700) on the way to the work dir get the search bit for others, as {@code /var/lib} has it.
     */
    static void searchableByJobUser(Path workDir) throws IOException {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath();
        for (Path p = workDir.toAbsolutePath(); p != null && p.startsWith(tmp) && !p.equals(tmp); p = p.getParent()) {
            var perms = java.util.EnumSet.copyOf(Files.getPosixFilePermissions(p));
            perms.add(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE);
            Files.setPosixFilePermissions(p, perms);
        }
    }

    String output() throws IOException {
        return Files.readString(output);
    }

    /** SIGKILL: the agent gets no chance to clean up (its ranks run on in their own sessions). */
    void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        try {
            System.out.println("--- agent output " + output + "\n" + output());
        } catch (IOException e) {
            System.out.println("--- no agent output: " + e);
        }
    }
}
