package dev.ebbtide.devsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Detached agents and their ranks are stopped by their pid files, like ./ebbtide down does. */
class LocalAgentsTest {
    @TempDir
    Path nodes;

    @Test
    void stopsAnAgentThatIgnoresSigtermAndTheProcessGroupsItRecorded() throws Exception {
        Path dir = nodes.resolve("c-0");
        Files.createDirectories(dir.resolve("ranks"));
        Files.writeString(dir.resolve("node.json"), "{\"cluster\":\"c\",\"port\":29500,\"pid\":1}");
        Process agent = new ProcessBuilder(
                        "setsid",
                        "sh",
                        "-c",
                        "echo $$ > agent.pid; trap '' TERM; sleep 600; true",
                        "agent",
                        "--work-dir=" + dir)
                .directory(dir.toFile())
                .start();
        Process rank = new ProcessBuilder("setsid", "sh", "-c", "echo $$ > ranks/j#1#0.pgid; sleep 600; true")
                .directory(dir.toFile())
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while ((!Files.exists(dir.resolve("agent.pid")) || !Files.exists(dir.resolve("ranks/j#1#0.pgid")))
                && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(1, LocalAgents.stopAll(nodes, Duration.ofMillis(300)), "one agent was alive");
        agent.waitFor(5, TimeUnit.SECONDS);
        assertFalse(agent.isAlive(), "the agent is gone");
        assertEquals(true, rank.waitFor(5, TimeUnit.SECONDS), "the rank's group is gone");
        assertFalse(Files.exists(dir.resolve("node.json")), "the local cloud is empty");
    }
}
