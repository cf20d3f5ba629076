package dev.ebbtide.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StackDiagnosticsTest {
    @Test
    void aServiceLogIsSummedUpByItsLastTwoWarningsOrErrors(@TempDir Path dir) throws Exception {
        Path log = Files.writeString(dir.resolve("provisioner.log"), """
                2026-12-08 03:05:26,743 WARN  [a] first warning
                2026-12-08 03:05:27,000 INFO  [b] fine
                2026-12-08 03:05:28,000 ERROR [c] an error
                2026-12-08 03:05:29,000 WARN  [d] last warning
                2026-12-08 03:05:30,000 INFO  [e] fine again
                """);
        assertEquals(
                "2026-12-08 03:05:28,000 ERROR [c] an error / 2026-12-08 03:05:29,000 WARN  [d] last warning",
                StackDiagnostics.lastProblems(log));
    }

    @Test
    void aQuietLogOrAMissingOneSaysSo(@TempDir Path dir) throws Exception {
        Path quiet = Files.writeString(dir.resolve("scheduler.log"), "2026-12-08 03:05:27,000 INFO  [b] fine\n");
        assertEquals("no warnings", StackDiagnostics.lastProblems(quiet));
        assertTrue(StackDiagnostics.lastProblems(dir.resolve("none.log")).startsWith("unreadable"));
    }
}
