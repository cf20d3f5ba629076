package dev.ebbtide.provisioner.cloud.local;

import dev.ebbtide.provisioner.cloud.CallContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.List;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * The local cloud's record of every mutating call, as a cloud's activity log would have it: one line per node created,
 * deleted, started or stopped, appended under the machine lock by whichever provisioner process made the call:
 * {@code <time> <instance> <cluster> <op> <node> <cause>} (space-separated; cause = the scale request's id,
 * {@code reconcile}, {@code lost} or {@code -}). Tests count calls with it.
 */
public final class CloudCallLog {
    private static final Logger LOG = Logger.getLogger(CloudCallLog.class);
    public static final String FILE = "cloud-calls.log";
    private static final Pattern BLANK = Pattern.compile("\\s+");

    /** One line, parsed. */
    public record Call(String time, String instance, String cluster, String op, String node, String cause) {}

    private final Path file;
    private final String instance;
    private final Clock clock;

    CloudCallLog(Path file, String instance, Clock clock) {
        this.file = file;
        this.instance = instance;
        this.clock = clock;
    }

    public Path file() {
        return file;
    }

    /** Appends one line; call under the machine lock. A failed write is logged, never fails the call it records. */
    void append(String cluster, String op, String node) {
        String line = String.join(
                        " ",
                        clock.instant().toString(),
                        word(instance),
                        word(cluster),
                        op,
                        word(node),
                        word(CallContext.cause()))
                + "\n";
        try {
            Files.writeString(
                    file,
                    line,
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            LOG.warnf("cannot append to %s: %s", file, e.getMessage());
        }
    }

    /** Every call recorded in {@code file} (none if it does not exist). */
    public static List<Call> read(Path file) throws IOException {
        if (!Files.exists(file)) {
            return List.of();
        }
        return Files.readAllLines(file).stream()
                .filter(l -> !l.isBlank())
                .map(l -> BLANK.split(l.strip(), 6))
                .filter(f -> f.length == 6)
                .map(f -> new Call(f[0], f[1], f[2], f[3], f[4], f[5]))
                .toList();
    }

    private static String word(String s) {
        return s == null || s.isBlank() ? "-" : BLANK.matcher(s.strip()).replaceAll("_");
    }
}
