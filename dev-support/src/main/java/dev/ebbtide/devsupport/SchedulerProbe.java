package dev.ebbtide.devsupport;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * What the harness reads from the service processes: heap after a full GC and resident memory (scheduler and
 * autoscaler), and the scheduler's batch and relay timers.
 */
final class SchedulerProbe {
    private final LocalStack stack;

    SchedulerProbe(LocalStack stack) {
        this.stack = stack;
    }

    /** The scheduler's used heap after a full GC ({@code jcmd GC.run}, then its own heap metric). */
    double heapMb() throws Exception {
        return heapMb("scheduler");
    }

    /** A service's used heap after a full GC ({@code jcmd GC.run}, then its own heap metric). */
    double heapMb(String service) throws Exception {
        long pid = pid(service);
        Process gc = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                        String.valueOf(pid),
                        "GC.run")
                .redirectErrorStream(true)
                .start();
        gc.getInputStream().readAllBytes();
        gc.waitFor();
        double bytes = 0;
        for (String line : metrics(service).split("\n")) {
            if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
                bytes += value(line);
            }
        }
        return bytes / (1024 * 1024);
    }

    /** A service process's resident memory (VmRSS), in MB; -1 where /proc cannot tell. */
    double rssMb(String service) {
        try {
            for (String line :
                    java.nio.file.Files.readAllLines(Path.of("/proc", String.valueOf(pid(service)), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Double.parseDouble(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            // not Linux, or the process is gone
        }
        return -1;
    }

    /** The process of a service ({@code scheduler}: instance 1) or of one instance ({@code scheduler-2}). */
    private long pid(String name) {
        Long pid = stack.instancePids().get(name);
        return pid != null ? pid : stack.pids().get(name);
    }

    private String schedulerMetrics() throws Exception {
        return metrics("scheduler");
    }

    private String metrics(String service) throws Exception {
        var http = java.net.http.HttpClient.newHttpClient();
        return http.send(
                        java.net.http.HttpRequest.newBuilder(java.net.URI.create(stack.url(service) + "/q/metrics"))
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString())
                .body();
    }

    private static double value(String line) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }

    /** Where the scheduler's time went: its batches (transaction incl. commit) and its outbox relays, so far. */
    void profile(BenchReport report, String phase) throws Exception {
        Map<String, Double> m = new HashMap<>();
        for (String line : schedulerMetrics().split("\n")) {
            if (line.startsWith("ebbtide_scheduler_batch") || line.startsWith("ebbtide_scheduler_outbox_relay")) {
                m.put(line.substring(0, line.indexOf(line.contains("{") ? '{' : ' ')), value(line));
            }
        }
        double batches = m.getOrDefault("ebbtide_scheduler_batch_seconds_count", 0.0);
        double relays = m.getOrDefault("ebbtide_scheduler_outbox_relay_seconds_count", 0.0);
        report.row(
                "scheduler so far (" + phase + "): batches",
                "%.0f, mean %.0f ms, %.0f records, %.0f clusters",
                batches,
                1000 * m.getOrDefault("ebbtide_scheduler_batch_seconds_sum", 0.0) / Math.max(1, batches),
                m.getOrDefault("ebbtide_scheduler_batch_records_sum", 0.0) / Math.max(1, batches),
                m.getOrDefault("ebbtide_scheduler_batch_clusters_sum", 0.0) / Math.max(1, batches));
        report.row(
                "scheduler so far (" + phase + "): outbox relays",
                "%.0f, mean %.0f ms, total %.1f s",
                relays,
                1000 * m.getOrDefault("ebbtide_scheduler_outbox_relay_seconds_sum", 0.0) / Math.max(1, relays),
                m.getOrDefault("ebbtide_scheduler_outbox_relay_seconds_sum", 0.0));
    }
}
