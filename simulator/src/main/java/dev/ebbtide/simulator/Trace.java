package dev.ebbtide.simulator;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A job trace in the normalized schema of {@code shared/traces/README.md}:
 * {@code job_id,submit_s,duration_s,nodes,gpus,queue,status} (header required; columns found by name, so extra or
 * reordered columns are fine; {@code gpus} and {@code status} are optional), plus the optional Ebbtide column
 * {@code checkpoint_s} (seconds between the job's checkpoints; empty or 0 = it does not checkpoint).
 */
public final class Trace {

    /**
     * One job of the trace.
     *
     * @param checkpointS seconds between the job's checkpoints (optional column {@code checkpoint_s}; 0 = none or not
     *                    given): an evicted job keeps its work up to its last checkpoint
     */
    public record Job(String id, long submitS, long durationS, int nodes, String queue, long checkpointS) {
        public Job(String id, long submitS, long durationS, int nodes, String queue) {
            this(id, submitS, durationS, nodes, queue, 0);
        }
    }

    private final String name;
    private final List<Job> jobs;

    public Trace(String name, List<Job> jobs) {
        this.name = name;
        List<Job> sorted = new ArrayList<>(jobs);
        sorted.sort((a, b) -> Long.compare(a.submitS(), b.submitS())); // stable: keeps file order on ties
        this.jobs = Collections.unmodifiableList(sorted);
    }

    public String name() {
        return name;
    }

    public List<Job> jobs() {
        return jobs;
    }

    /** Jobs grouped by queue (one cluster each), in order of first appearance; each list in submission order. */
    public Map<String, List<Job>> byQueue() {
        Map<String, List<Job>> map = new LinkedHashMap<>();
        for (Job j : jobs) {
            map.computeIfAbsent(j.queue(), q -> new ArrayList<>()).add(j);
        }
        return map;
    }

    /** Sum of duration x nodes, in node-seconds. */
    public double oracleNodeSeconds() {
        double sum = 0;
        for (Job j : jobs) {
            sum += (double) j.durationS() * j.nodes();
        }
        return sum;
    }

    public static Trace read(Path file) throws IOException {
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return read(file.getFileName().toString(), r);
        }
    }

    public static Trace read(String name, BufferedReader r) throws IOException {
        String header = r.readLine();
        if (header == null) {
            throw new IllegalArgumentException(name + ": empty trace (no header)");
        }
        String[] cols = header.trim().split(",", -1);
        int id = index(cols, "job_id", name);
        int submit = index(cols, "submit_s", name);
        int duration = index(cols, "duration_s", name);
        int nodes = index(cols, "nodes", name);
        int queue = index(cols, "queue", name);
        int checkpoint = optionalIndex(cols, "checkpoint_s");
        List<Job> jobs = new ArrayList<>();
        String line;
        int lineNo = 1;
        while ((line = r.readLine()) != null) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split(",", -1);
            try {
                jobs.add(new Job(
                        f[id],
                        Long.parseLong(f[submit].trim()),
                        Long.parseLong(f[duration].trim()),
                        Integer.parseInt(f[nodes].trim()),
                        f[queue],
                        checkpoint < 0 || checkpoint >= f.length || f[checkpoint].isBlank()
                                ? 0
                                : Long.parseLong(f[checkpoint].trim())));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(name + " line " + lineNo + ": cannot parse '" + line + "'", e);
            }
            Job j = jobs.get(jobs.size() - 1);
            if (j.durationS() < 0 || j.nodes() < 1 || j.checkpointS() < 0) {
                throw new IllegalArgumentException(
                        name + " line " + lineNo + ": negative duration or checkpoint_s, or nodes < 1");
            }
        }
        return new Trace(name, jobs);
    }

    private static int index(String[] cols, String col, String name) {
        int i = optionalIndex(cols, col);
        if (i < 0) {
            throw new IllegalArgumentException(name + ": missing column " + col);
        }
        return i;
    }

    private static int optionalIndex(String[] cols, String col) {
        for (int i = 0; i < cols.length; i++) {
            if (cols[i].trim().equals(col)) {
                return i;
            }
        }
        return -1;
    }
}
