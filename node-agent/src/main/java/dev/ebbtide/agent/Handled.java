package dev.ebbtide.agent;

import dev.ebbtide.common.events.JobAssigned;
import dev.ebbtide.common.events.NodeAgentStatus;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The job attempts ({@code jobId#attempt}) this node has dealt with, kept in an append-only file (one
 * {@code <key> <what>} line each, forced to disk) so that no assignment ever runs twice, even after a restart.
 * {@code what} is {@code accepted}, {@code rejected}, {@code failed} or {@code stopped} (a stop came first).
 */
final class Handled {
    static final int FINISHED_KEPT = 50;
    private final Path file;
    private final Map<String, String> keys = new HashMap<>();
    private final Deque<String> finished = new ArrayDeque<>();

    Handled(Path file) throws IOException {
        this.file = file;
        if (Files.exists(file)) {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                int sp = line.lastIndexOf(' ');
                if (sp > 0) {
                    keys.put(line.substring(0, sp), line.substring(sp + 1));
                    finished(line.substring(0, sp));
                }
            }
        }
    }

    static String attemptKey(JobAssigned a) {
        return NodeAgentStatus.attemptKey(a.jobId(), RankEnvironment.attempt(a));
    }

    /** What was done with the attempt, or null if nothing yet. */
    String what(String key) {
        return keys.get(key);
    }

    void record(String key, String what) throws IOException {
        try (FileChannel ch = FileChannel.open(
                file, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap((key + " " + what + "\n").getBytes(StandardCharsets.UTF_8)));
            ch.force(true);
        }
        keys.put(key, what);
    }

    /** Marks an attempt as no longer pending on this node (for the heartbeat's {@code finished}). */
    void finished(String key) {
        finished.remove(key);
        finished.addLast(key);
        while (finished.size() > FINISHED_KEPT) {
            finished.removeFirst();
        }
    }

    /** An attempt found running again after a restart is pending, not finished. */
    void unfinish(String key) {
        finished.remove(key);
    }

    List<String> finished() {
        return new ArrayList<>(finished);
    }
}
