package dev.ebbtide.devsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Stops the node agents the local provider started (they are detached and outlive the provisioner): for each
 * {@code <nodes-dir>/<node>/}, SIGTERM to {@code agent.pid}, SIGKILL after a grace, then {@code kill -KILL} of the
 * agent's own process group and every group in {@code ranks/*.pgid}; the node's record is removed, so the next
 * start has an empty local cloud. Used by {@link LocalStack#close()}; {@code ./ebbtide down} does the same in shell.
 */
public final class LocalAgents {
    private LocalAgents() {}

    /** @return how many agent processes were still alive */
    public static int stopAll(Path nodesDir, Duration grace) {
        if (!Files.isDirectory(nodesDir)) {
            return 0;
        }
        List<Path> nodes;
        try (Stream<Path> dirs = Files.list(nodesDir)) {
            nodes = dirs.filter(Files::isDirectory).toList();
        } catch (IOException e) {
            return 0;
        }
        List<ProcessHandle> alive = new ArrayList<>();
        Set<Long> groups = new LinkedHashSet<>();
        for (Path dir : nodes) {
            Set<Long> pids = new LinkedHashSet<>();
            readLong(dir.resolve("agent.pid")).ifPresent(pids::add);
            recordedPid(dir.resolve("node.json")).ifPresent(pids::add); // an agent still starting has no pid file yet
            for (long pid : pids) {
                groups.add(pid);
                ProcessHandle.of(pid)
                        .filter(h -> h.info().commandLine().orElse("").contains(dir.toString()))
                        .ifPresent(alive::add);
            }
        }
        alive.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + grace.toNanos();
        for (ProcessHandle h : alive) {
            try {
                h.onExit().get(Math.max(0, deadline - System.nanoTime()), java.util.concurrent.TimeUnit.NANOSECONDS);
            } catch (Exception notYet) {
                h.destroyForcibly();
            }
        }
        for (Path dir : nodes) {
            Path ranks = dir.resolve("ranks");
            if (Files.isDirectory(ranks)) {
                try (Stream<Path> files = Files.list(ranks)) {
                    files.filter(f -> f.toString().endsWith(".pgid"))
                            .forEach(f -> readLong(f).ifPresent(groups::add));
                } catch (IOException ignored) {
                    // best effort
                }
            }
            try {
                Files.deleteIfExists(dir.resolve("node.json"));
            } catch (IOException ignored) {
                // best effort
            }
        }
        groups.stream().filter(g -> g > 1).forEach(LocalAgents::killGroup);
        return alive.size();
    }

    private static void killGroup(long pgid) {
        try {
            new ProcessBuilder("kill", "-KILL", "--", "-" + pgid)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start()
                    .waitFor();
        } catch (IOException e) {
            // nothing to kill
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static java.util.Optional<Long> recordedPid(Path record) {
        try {
            var m = java.util.regex.Pattern.compile("\"pid\"\\s*:\\s*(\\d+)").matcher(Files.readString(record));
            return m.find() ? java.util.Optional.of(Long.parseLong(m.group(1))) : java.util.Optional.empty();
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
    }

    private static java.util.Optional<Long> readLong(Path f) {
        try {
            return java.util.Optional.of(Long.parseLong(Files.readString(f).strip()));
        } catch (IOException | NumberFormatException e) {
            return java.util.Optional.empty();
        }
    }
}
