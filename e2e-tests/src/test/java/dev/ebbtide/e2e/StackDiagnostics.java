package dev.ebbtide.e2e;

import dev.ebbtide.devsupport.LocalStack;
import dev.ebbtide.devsupport.StackInstance;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * When an end-to-end test fails, says what the stack looked like, in the failure's own first line: CI prints only that
 * line (the services' logs stay on the CI machine). For each static {@link LocalStack} of the test class: which
 * instances are dead, the last warnings and errors of each service's log, and this JVM's heap (it hosts the broker).
 * The original failure stays the cause, so its stack trace is kept.
 */
public final class StackDiagnostics implements TestExecutionExceptionHandler {
    private static final int LINES_PER_LOG = 2;
    private static final int MAX_LINE = 220;

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        List<LocalStack> stacks = stacksOf(context.getRequiredTestClass());
        if (stacks.isEmpty()) {
            throw failure;
        }
        String described;
        try {
            described = describe(stacks);
        } catch (RuntimeException e) {
            throw failure; // a description that fails must never hide the failure
        }
        String first = String.valueOf(failure.getMessage()).lines().findFirst().orElse("");
        AssertionError explained =
                new AssertionError(failure.getClass().getSimpleName() + ": " + first + " || " + described);
        explained.initCause(failure);
        explained.setStackTrace(failure.getStackTrace());
        throw explained;
    }

    /** One line: heap, then per stack the dead instances and each log's last warnings and errors. */
    static String describe(List<LocalStack> stacks) {
        List<String> parts = new ArrayList<>();
        var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        parts.add("test JVM heap " + heap.getUsed() / (1 << 20) + " of " + heap.getMax() / (1 << 20) + " MiB");
        for (LocalStack stack : stacks) {
            List<String> dead = new ArrayList<>();
            for (StackInstance i : stack.instances()) {
                if (!stack.isAlive(i.name())) {
                    dead.add(i.name());
                }
            }
            parts.add("dead: " + (dead.isEmpty() ? "none" : String.join(",", dead)));
            Path logs = stack.options().stateDir().resolve("logs");
            try (Stream<Path> files = Files.list(logs)) {
                files.sorted().forEach(f -> parts.add(f.getFileName() + ": " + lastProblems(f)));
            } catch (IOException e) {
                parts.add("cannot list " + logs + ": " + e.getMessage());
            }
        }
        return String.join(" | ", parts);
    }

    static String lastProblems(Path log) {
        try (Stream<String> lines = Files.lines(log)) {
            List<String> problems = lines.filter(l -> l.contains(" WARN ") || l.contains(" ERROR "))
                    .map(l -> l.length() > MAX_LINE ? l.substring(0, MAX_LINE) + "…" : l)
                    .toList();
            List<String> last = problems.subList(Math.max(0, problems.size() - LINES_PER_LOG), problems.size());
            return last.isEmpty() ? "no warnings" : String.join(" / ", last);
        } catch (IOException | java.io.UncheckedIOException e) {
            return "unreadable (" + e.getMessage() + ")";
        }
    }

    private static List<LocalStack> stacksOf(Class<?> testClass) {
        List<LocalStack> out = new ArrayList<>();
        for (Field f : testClass.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && LocalStack.class.isAssignableFrom(f.getType())) {
                try {
                    f.setAccessible(true);
                    Object value = f.get(null);
                    if (value != null) {
                        out.add((LocalStack) value);
                    }
                } catch (IllegalAccessException | RuntimeException e) {
                    // a field we cannot read says nothing: describe the others
                }
            }
        }
        return out;
    }
}
