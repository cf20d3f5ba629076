package dev.ebbtide.devsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The harness's figures, each with the machine's load average when it was taken; printed as one table at the end. */
final class BenchReport {
    private final List<String> lines = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    void note(String text) {
        notes.add(text);
        System.out.println(text);
    }

    void row(String what, String format, Object... args) {
        String line = String.format("%-62s %-44s load %s", what, String.format(format, args), load());
        lines.add(line);
        System.out.println(line);
    }

    void print() {
        System.out.println();
        System.out.println(
                "=== ebbtide bench --throughput (" + Runtime.getRuntime().availableProcessors() + " cores) ===");
        notes.forEach(System.out::println);
        lines.forEach(System.out::println);
    }

    /** The 1-minute load average (other processes on the machine count too). */
    static String load() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    static long pct(List<Long> values, int p) {
        if (values.isEmpty()) {
            return -1;
        }
        List<Long> v = values.stream().sorted().toList();
        return v.get(Math.max(0, Math.min(v.size() - 1, (int) Math.ceil(p / 100.0 * v.size()) - 1)));
    }
}
